/*
 * bearssl_probe.c: one TLS handshake with BearSSL 0.6 as a device makes it
 * (br_ssl_client_init_full, x509_minimal with the CA file's certificates as
 * trust anchors). Command line and output: see args.h. ibuf= and obuf= set
 * the input and output buffers (the ESP8266 core's setBufferSizes(16384,
 * 512) makes 16384 + 325 and 512 + 85 bytes); without them, one
 * bidirectional BR_SSL_BUFSIZE_BIDI buffer. depth= on an X.509 error
 * is the index (0 = leaf) of the certificate being read when x509_minimal
 * set the error, or "end" when it was set at the end of the chain.
 */
#include "args.h"

#include <errno.h>

#include "bearssl.h"
#include "brssl.h"

static int sock_read(void *ctx, unsigned char *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(*(int *)ctx, buf, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		return (int)n;
	}
}

static int sock_write(void *ctx, const unsigned char *buf, size_t len)
{
	for (;;) {
		ssize_t n = write(*(int *)ctx, buf, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		return (int)n;
	}
}

/* counting wraps x509_minimal and notes which certificate it was reading
 * when its error was first set. */
static struct {
	const br_x509_class *vtable;
	br_x509_minimal_context inner;
	int index;      /* certificate being read */
	int err_index;  /* -1 none, -2 set at end of chain */
} counting;

static void note(void)
{
	if (counting.err_index == -1 && counting.inner.err != 0 && counting.inner.err != BR_ERR_X509_OK)
		counting.err_index = counting.index;
}

static void c_start_chain(const br_x509_class **ctx, const char *name)
{
	(void)ctx;
	counting.index = -1;
	counting.err_index = -1;
	counting.inner.vtable->start_chain(&counting.inner.vtable, name);
}

static void c_start_cert(const br_x509_class **ctx, uint32_t len)
{
	(void)ctx;
	counting.index++;
	counting.inner.vtable->start_cert(&counting.inner.vtable, len);
	note();
}

static void c_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	(void)ctx;
	counting.inner.vtable->append(&counting.inner.vtable, buf, len);
	note();
}

static void c_end_cert(const br_x509_class **ctx)
{
	(void)ctx;
	counting.inner.vtable->end_cert(&counting.inner.vtable);
	note();
}

static unsigned c_end_chain(const br_x509_class **ctx)
{
	(void)ctx;
	unsigned r = counting.inner.vtable->end_chain(&counting.inner.vtable);
	if (r != 0 && counting.err_index == -1)
		counting.err_index = -2;
	return r;
}

static const br_x509_pkey *c_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	(void)ctx;
	return counting.inner.vtable->get_pkey(&counting.inner.vtable, usages);
}

static const br_x509_class counting_vtable = {
	sizeof counting, c_start_chain, c_start_cert, c_append, c_end_cert, c_end_chain, c_get_pkey,
};

int main(int argc, char **argv)
{
	struct probe_args a;
	probe_parse(argc, argv, &a);
	if (a.max > 3)
		probe_usage("BearSSL 0.6 has no TLS 1.3");

	anchor_list anchors = VEC_INIT;
	if (read_trust_anchors(&anchors, a.ca) == 0) {
		fprintf(stderr, "probe: no trust anchor in %s\n", a.ca);
		exit(2);
	}

	static br_ssl_client_context cc;
	br_ssl_client_init_full(&cc, &counting.inner, &VEC_ELT(anchors, 0), VEC_LEN(anchors));
	counting.vtable = &counting_vtable;
	br_ssl_engine_set_x509(&cc.eng, &counting.vtable);
	br_ssl_engine_set_versions(&cc.eng, 0x0300 + a.min, 0x0300 + a.max);
	if (a.nsuites > 0) {
		static uint16_t suites[64];
		for (int i = 0; i < a.nsuites; i++)
			suites[i] = (uint16_t)a.suites[i];
		br_ssl_engine_set_suites(&cc.eng, suites, a.nsuites);
	}
	if (a.time >= 0)
		br_x509_minimal_set_time(&counting.inner, (uint32_t)(a.time / 86400) + 719528, (uint32_t)(a.time % 86400));

	static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	if (a.ibuf > 0 && a.obuf > 0)
		br_ssl_engine_set_buffers_bidi(&cc.eng, malloc(a.ibuf), a.ibuf, malloc(a.obuf), a.obuf);
	else
		br_ssl_engine_set_buffer(&cc.eng, iobuf, sizeof iobuf, 1);

	if (!br_ssl_client_reset(&cc, a.sni[0] ? a.sni : NULL, 0)) {
		printf("ERR RESET %d\n", br_ssl_engine_last_error(&cc.eng));
		return 1;
	}
	int fd = probe_connect(&a);
	br_sslio_context ioc;
	br_sslio_init(&ioc, &cc.eng, sock_read, &fd, sock_write, &fd);
	br_sslio_flush(&ioc);
	int err = br_ssl_engine_last_error(&cc.eng);
	if (err == 0 && br_ssl_engine_current_state(&cc.eng) == BR_SSL_CLOSED)
		err = -1;
	if (err != 0) {
		const char *comment;
		const char *name = err == -1 ? "CLOSED" : find_error_name(err, &comment);
		if (name)
			printf("ERR %s %d", name, err);
		else if (err >= BR_ERR_SEND_FATAL_ALERT)
			printf("ERR BR_ERR_SEND_FATAL_ALERT+%d %d", err - BR_ERR_SEND_FATAL_ALERT, err);
		else if (err >= BR_ERR_RECV_FATAL_ALERT)
			printf("ERR BR_ERR_RECV_FATAL_ALERT+%d %d", err - BR_ERR_RECV_FATAL_ALERT, err);
		else
			printf("ERR UNKNOWN %d", err);
		if (err >= BR_ERR_X509_OK && err < 64) {
			if (counting.err_index == -2)
				printf(" depth=end");
			else if (counting.err_index >= 0)
				printf(" depth=%d", counting.err_index);
		}
		printf("\n");
		return 1;
	}
	unsigned v = br_ssl_engine_get_version(&cc.eng);
	printf("OK %s 0x%04X\n", probe_version_name((int)(v & 0xff)), cc.eng.session.cipher_suite);
	close(fd);
	return 0;
}
