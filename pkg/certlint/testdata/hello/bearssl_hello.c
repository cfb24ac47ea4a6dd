/*
 * bearssl_hello.c: print, as hex, the first record a BearSSL client writes
 * (its ClientHello) when set up as the ESP8266 Arduino core's
 * WiFiClientSecure (WiFiClientSecureBearSSL.cpp br_ssl_client_base_init and
 * setBufferSizes(16384, 512)), connecting by name to device.test.
 * Build against BearSSL 0.6: cc -Iinc bearssl_hello.c build/libbearssl.a
 */
#include <stdio.h>
#include "bearssl.h"

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM, BR_TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, BR_TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	BR_TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256, BR_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256,
	BR_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384, BR_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384,
	BR_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA, BR_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA,
	BR_TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA, BR_TLS_ECDH_RSA_WITH_AES_256_CBC_SHA,
	BR_TLS_RSA_WITH_AES_128_GCM_SHA256, BR_TLS_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_RSA_WITH_AES_128_CCM, BR_TLS_RSA_WITH_AES_256_CCM,
	BR_TLS_RSA_WITH_AES_128_CCM_8, BR_TLS_RSA_WITH_AES_256_CCM_8,
	BR_TLS_RSA_WITH_AES_128_CBC_SHA256, BR_TLS_RSA_WITH_AES_256_CBC_SHA256,
	BR_TLS_RSA_WITH_AES_128_CBC_SHA, BR_TLS_RSA_WITH_AES_256_CBC_SHA,
	BR_TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA, BR_TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
	BR_TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA, BR_TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA,
	BR_TLS_RSA_WITH_3DES_EDE_CBC_SHA,
};

int main(void)
{
	static br_ssl_client_context cc;
	static br_x509_minimal_context xc;
	static unsigned char ibuf[16384 + 325], obuf[512 + 85];
	unsigned char *rec;
	size_t len, i;

	br_ssl_client_zero(&cc);
	br_ssl_engine_add_flags(&cc.eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_versions(&cc.eng, BR_TLS10, BR_TLS12);
	br_ssl_engine_set_suites(&cc.eng, suites, sizeof suites / sizeof suites[0]);
	br_ssl_client_set_default_rsapub(&cc);
	br_ssl_engine_set_default_rsavrfy(&cc.eng);
	br_ssl_engine_set_default_ecdsa(&cc.eng);
	br_ssl_engine_set_hash(&cc.eng, br_md5_ID, &br_md5_vtable);
	br_ssl_engine_set_hash(&cc.eng, br_sha1_ID, &br_sha1_vtable);
	br_ssl_engine_set_hash(&cc.eng, br_sha224_ID, &br_sha224_vtable);
	br_ssl_engine_set_hash(&cc.eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(&cc.eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(&cc.eng, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf10(&cc.eng, &br_tls10_prf);
	br_ssl_engine_set_prf_sha256(&cc.eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(&cc.eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_cbc(&cc.eng);
	br_ssl_engine_set_default_aes_gcm(&cc.eng);
	br_ssl_engine_set_default_aes_ccm(&cc.eng);
	br_ssl_engine_set_default_des_cbc(&cc.eng);
	br_ssl_engine_set_default_chapol(&cc.eng);
	br_x509_minimal_init(&xc, &br_sha256_vtable, NULL, 0);
	br_ssl_engine_set_x509(&cc.eng, &xc.vtable);
	br_ssl_engine_set_buffers_bidi(&cc.eng, ibuf, sizeof ibuf, obuf, sizeof obuf);
	if (!br_ssl_client_reset(&cc, "device.test", 0)) {
		fprintf(stderr, "reset failed: %d\n", br_ssl_engine_last_error(&cc.eng));
		return 1;
	}
	rec = br_ssl_engine_sendrec_buf(&cc.eng, &len);
	if (rec == NULL) {
		fprintf(stderr, "no record: %d\n", br_ssl_engine_last_error(&cc.eng));
		return 1;
	}
	for (i = 0; i < len; i++)
		printf("%02x", rec[i]);
	printf("\n");
	return 0;
}
