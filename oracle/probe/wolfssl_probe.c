/*
 * wolfssl_probe.c: one TLS handshake with wolfSSL 5.5 as a device makes it.
 * Command line and output: see args.h. On a verification failure the line
 * also names the first error wolfSSL's verify callback saw (verify=NAME,
 * often the cause of the handshake's error) and its certificate index
 * (depth=N, 0 = leaf).
 */
#include "args.h"

#include <wolfssl/ssl.h>
#include <wolfssl/internal.h>

static long long fixed_time = -1;

/* oracle_time is wolfSSL's XTIME (wolfssl/user_settings.h). */
time_t oracle_time(time_t *t)
{
	time_t now = fixed_time >= 0 ? (time_t)fixed_time : time(NULL);
	if (t)
		*t = now;
	return now;
}

/* errnames.h: {code, "NAME"} for every error in wolfssl/error-ssl.h and
 * wolfssl/wolfcrypt/error-crypt.h, extracted by oracle/build.sh. */
static const struct { int code; const char *name; } errs[] = {
#include "errnames.h"
	{0, NULL},
};

static int fail_depth = -1, fail_error;

static int verify(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	if (!preverify && fail_depth < 0) {
		fail_depth = store->error_depth;
		fail_error = store->error;
	}
	return preverify;
}

static const char *error_name(int err)
{
	for (int i = 0; errs[i].name; i++)
		if (errs[i].code == err)
			return errs[i].name;
	return "UNKNOWN";
}

int main(int argc, char **argv)
{
	struct probe_args a;
	probe_parse(argc, argv, &a);

	wolfSSL_Init();
	WOLFSSL_METHOD *method = wolfSSLv23_client_method();
	/* The SSLv23 method offers the newest version compiled in and takes any
	 * older one the server picks; max= lowers what it offers. */
	method->version.minor = (byte)a.max;
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(method);
	if (!ctx)
		probe_usage("wolfSSL_CTX_new failed");
	static const int mins[] = {0, WOLFSSL_TLSV1, WOLFSSL_TLSV1_1, WOLFSSL_TLSV1_2, WOLFSSL_TLSV1_3};
	if (wolfSSL_CTX_SetMinVersion(ctx, mins[a.min]) != WOLFSSL_SUCCESS)
		probe_usage("min version not compiled in");
	if (wolfSSL_CTX_load_verify_locations(ctx, a.ca, NULL) != WOLFSSL_SUCCESS) {
		fprintf(stderr, "probe: CA file %s not loaded\n", a.ca);
		exit(2);
	}
	/* The CA file is loaded on the system clock (wolfSSL refuses a CA that
	 * is not valid at load time); time= is the clock of the handshake. */
	fixed_time = a.time;
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, verify);
	if (a.nsuites > 0) {
		byte list[128];
		for (int i = 0; i < a.nsuites; i++) {
			list[2 * i] = (byte)(a.suites[i] >> 8);
			list[2 * i + 1] = (byte)a.suites[i];
		}
		if (wolfSSL_CTX_set_cipher_list_bytes(ctx, list, 2 * a.nsuites) != WOLFSSL_SUCCESS)
			probe_usage("suites not compiled in");
	}
	if (a.mfl) {
		byte code = a.mfl == 512 ? WOLFSSL_MFL_2_9 : a.mfl == 1024 ? WOLFSSL_MFL_2_10 : a.mfl == 2048 ? WOLFSSL_MFL_2_11 : a.mfl == 4096 ? WOLFSSL_MFL_2_12 : 0;
		if (!code || wolfSSL_CTX_UseMaxFragment(ctx, code) != WOLFSSL_SUCCESS)
			probe_usage("mfl must be 512, 1024, 2048 or 4096");
	}
	WOLFSSL *ssl = wolfSSL_new(ctx);
	if (a.sni[0]) {
		wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, a.sni, (word16)strlen(a.sni));
		wolfSSL_check_domain_name(ssl, a.sni);
	}
	int fd = probe_connect(&a);
	wolfSSL_set_fd(ssl, fd);
	if (wolfSSL_connect(ssl) != WOLFSSL_SUCCESS) {
		int err = wolfSSL_get_error(ssl, 0);
		printf("ERR %s %d", error_name(err), err);
		if (fail_depth >= 0)
			printf(" verify=%s depth=%d", error_name(fail_error), fail_depth);
		printf("\n");
		return 1;
	}
	printf("OK %s 0x%02X%02X\n", probe_version_name(ssl->version.minor), ssl->options.cipherSuite0, ssl->options.cipherSuite);
	close(fd);
	return 0;
}
