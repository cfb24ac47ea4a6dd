/*
 * mbedtls_probe.c: one TLS handshake with mbedTLS 2.28 as a device makes it.
 * Command line and output: see args.h. On a verification failure the line
 * also names the X.509 verify flags and, as depth=, the index of the first
 * certificate that failed in the order the server sent them (0 = leaf).
 */
#include "args.h"

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

static long long fixed_time = -1;

static mbedtls_time_t probe_time(mbedtls_time_t *t)
{
	mbedtls_time_t now = fixed_time >= 0 ? (mbedtls_time_t)fixed_time : time(NULL);
	if (t)
		*t = now;
	return now;
}

static uint32_t fail_flags;

/* verify notes the first certificate with verify flags. mbedTLS calls it
 * from the top of the path it built (the trusted CA) down to the leaf, with
 * the depth in that path. The leaf's certificate heads the list of what the
 * server sent, so at the leaf's call the failing certificate's place in that
 * list is found (one past the last one sent for a CA from the CA file, as
 * certlint counts); the list is freed when verification fails. */
static const mbedtls_x509_crt *fail_crt;
static int fail_index = -1;

static int verify(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	(void)p;
	if (*flags && fail_crt == NULL) {
		fail_crt = crt;
		fail_flags = *flags;
	}
	if (depth == 0 && fail_crt != NULL) {
		int i = 0;
		for (const mbedtls_x509_crt *c = crt; c != NULL && c->raw.len > 0 && c != fail_crt; c = c->next)
			i++;
		fail_index = i;
	}
	return 0;
}

/* errnames.h: {code, "NAME"} for every MBEDTLS_ERR_* in include/mbedtls,
 * extracted by oracle/build.sh. */
static const struct { int code; const char *name; } errs[] = {
#include "errnames.h"
	{0, NULL},
};

static const struct { uint32_t bit; const char *name; } flagnames[] = {
	{MBEDTLS_X509_BADCERT_EXPIRED, "EXPIRED"},
	{MBEDTLS_X509_BADCERT_REVOKED, "REVOKED"},
	{MBEDTLS_X509_BADCERT_CN_MISMATCH, "CN_MISMATCH"},
	{MBEDTLS_X509_BADCERT_NOT_TRUSTED, "NOT_TRUSTED"},
	{MBEDTLS_X509_BADCERT_MISSING, "MISSING"},
	{MBEDTLS_X509_BADCERT_SKIP_VERIFY, "SKIP_VERIFY"},
	{MBEDTLS_X509_BADCERT_OTHER, "OTHER"},
	{MBEDTLS_X509_BADCERT_FUTURE, "FUTURE"},
	{MBEDTLS_X509_BADCERT_KEY_USAGE, "KEY_USAGE"},
	{MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "EXT_KEY_USAGE"},
	{MBEDTLS_X509_BADCERT_NS_CERT_TYPE, "NS_CERT_TYPE"},
	{MBEDTLS_X509_BADCERT_BAD_MD, "BAD_MD"},
	{MBEDTLS_X509_BADCERT_BAD_PK, "BAD_PK"},
	{MBEDTLS_X509_BADCERT_BAD_KEY, "BAD_KEY"},
	{0, NULL},
};

static void fail(int ret)
{
	const char *name = "UNKNOWN";
	for (int i = 0; errs[i].name; i++)
		if (errs[i].code == ret)
			name = errs[i].name;
	if (ret == -0x2700 && fail_crt != NULL) {
		printf("ERR %s -0x%04X flags=", name, -ret);
		const char *sep = "";
		for (int i = 0; flagnames[i].name; i++)
			if (fail_flags & flagnames[i].bit) {
				printf("%s%s", sep, flagnames[i].name);
				sep = "|";
			}
		printf(" depth=%d\n", fail_index);
	} else
		printf("ERR %s -0x%04X\n", name, -ret);
	exit(1);
}

int main(int argc, char **argv)
{
	struct probe_args a;
	probe_parse(argc, argv, &a);
	fixed_time = a.time;
	mbedtls_platform_set_time(probe_time);

	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_net_context net;
	int ret;

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_ssl_init(&ssl);
	mbedtls_ssl_config_init(&conf);
	mbedtls_x509_crt_init(&ca);
	mbedtls_net_init(&net);

	if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0)) != 0)
		fail(ret);
	if ((ret = mbedtls_x509_crt_parse_file(&ca, a.ca)) != 0) {
		fprintf(stderr, "probe: CA file %s: -0x%04X\n", a.ca, -ret);
		exit(2);
	}
	if ((ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
		fail(ret);
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_verify(&conf, verify, NULL);
	if (a.max > 3)
		probe_usage("mbedTLS 2.28 has no TLS 1.3 here");
	mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, a.min);
	mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, a.max);
	static int suites[65];
	if (a.nsuites > 0) {
		for (int i = 0; i < a.nsuites; i++)
			suites[i] = (int)a.suites[i];
		suites[a.nsuites] = 0;
		mbedtls_ssl_conf_ciphersuites(&conf, suites);
	}
	if (a.mfl) {
		unsigned char code = a.mfl == 512 ? MBEDTLS_SSL_MAX_FRAG_LEN_512 : a.mfl == 1024 ? MBEDTLS_SSL_MAX_FRAG_LEN_1024 : a.mfl == 2048 ? MBEDTLS_SSL_MAX_FRAG_LEN_2048 : a.mfl == 4096 ? MBEDTLS_SSL_MAX_FRAG_LEN_4096 : 0;
		if (!code)
			probe_usage("mfl must be 512, 1024, 2048 or 4096");
		if ((ret = mbedtls_ssl_conf_max_frag_len(&conf, code)) != 0)
			fail(ret);
	}
	if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0)
		fail(ret);
	if (a.sni[0] && (ret = mbedtls_ssl_set_hostname(&ssl, a.sni)) != 0)
		fail(ret);
	if ((ret = mbedtls_net_connect(&net, a.host, a.port, MBEDTLS_NET_PROTO_TCP)) != 0)
		fail(ret);
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
	mbedtls_ssl_conf_read_timeout(&conf, 10000);
	while ((ret = mbedtls_ssl_handshake(&ssl)) != 0)
		if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			fail(ret);
	printf("OK %s 0x%04X\n", probe_version_name(ssl.minor_ver), mbedtls_ssl_get_ciphersuite_id(mbedtls_ssl_get_ciphersuite(&ssl)));
	mbedtls_ssl_close_notify(&ssl);
	mbedtls_net_free(&net);
	return 0;
}
