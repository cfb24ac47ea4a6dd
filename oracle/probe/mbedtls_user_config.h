/*
 * mbedtls_user_config.h: applied after mbedTLS 2.28's default config.h
 * (MBEDTLS_USER_CONFIG_FILE). ORACLE_* defines from the configuration table
 * (oracle/configs.tsv) turn the defaults into the device's settings.
 */
#define MBEDTLS_PLATFORM_TIME_ALT /* the probe's time= flag sets the clock */

#ifdef ORACLE_NO_TIME_DATE /* ESP-IDF default: validity dates are not checked */
#undef MBEDTLS_HAVE_TIME_DATE
#endif

#ifdef ORACLE_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN ORACLE_IN_CONTENT_LEN
#endif
#ifdef ORACLE_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN ORACLE_OUT_CONTENT_LEN
#endif

#ifdef ORACLE_NO_CHACHA /* ESP-IDF: CONFIG_MBEDTLS_CHACHA20_C default n */
#undef MBEDTLS_CHACHA20_C
#undef MBEDTLS_POLY1305_C
#undef MBEDTLS_CHACHAPOLY_C
#endif
