/*
 * wolfssl_user_settings.h: wolfSSL 5.5 built for the oracle probe
 * (WOLFSSL_USER_SETTINGS). A client with TLS 1.0-1.3, SNI, max fragment
 * length, RSA (static and ECDHE), ECDSA P-256/P-384, AES-CBC/GCM,
 * ChaCha20-Poly1305, SHA-1/256/384. ORACLE_* defines from the configuration
 * table (oracle/configs.tsv) set the device's limits.
 */
#ifndef ORACLE_WOLFSSL_USER_SETTINGS_H
#define ORACLE_WOLFSSL_USER_SETTINGS_H

#define HAVE_TLS_EXTENSIONS
#define HAVE_SNI
#define HAVE_MAX_FRAGMENT
#define HAVE_SUPPORTED_CURVES
#define HAVE_EXTENDED_MASTER
#define HAVE_ENCRYPT_THEN_MAC
#define HAVE_ECC
#define ECC_SHAMIR
#define ECC_TIMING_RESISTANT
#define TFM_TIMING_RESISTANT
#define WC_RSA_BLINDING
#define WC_RSA_PSS
#define HAVE_AESGCM
#define WOLFSSL_SHA384
#define WOLFSSL_SHA512
#define HAVE_CHACHA
#define HAVE_POLY1305
#define HAVE_ONE_TIME_AUTH
#define HAVE_HKDF
#define HAVE_FFDHE_2048
#define WOLFSSL_STATIC_RSA
#define WOLFSSL_ALLOW_TLSV10
#define WOLFSSL_SET_CIPHER_BYTES
#define WOLFSSL_SP_MATH_ALL
#define SP_INT_BITS 4096
#define NO_DSA
#define NO_MD4
#define NO_PSK
#define NO_RC4
#define NO_DES3
#define WOLFSSL_NO_SHAKE256
#ifndef ORACLE_NO_TLS13
#define WOLFSSL_TLS13
#endif

#ifdef ORACLE_MAX_CERTIFICATE_SZ
#define MAX_CERTIFICATE_SZ ORACLE_MAX_CERTIFICATE_SZ
#endif

/* The probe's time= flag sets the clock the certificate dates are checked at. */
#include <time.h>
time_t oracle_time(time_t *t);
#define XTIME(tl) oracle_time((tl))

#endif
