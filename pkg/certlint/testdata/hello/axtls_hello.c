/* axtls_hello.c: print the ClientHello record axTLS writes with MicroPython's
 * esp8266 build settings (extmod/axtls-include/config.h, RT_MAX_PLAIN_LENGTH
 * 1024, RT_EXTRA 4096) and MicroPython's client setup (modtls_axtls.c:
 * SSL_SERVER_VERIFY_LATER, server_hostname "device.test"). */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ssl.h"
int main(void) {
	int sv[2];
	unsigned char buf[4096];
	SSL_CTX *ctx;
	SSL_EXTENSIONS *ext;
	ssize_t n, i;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
	ctx = ssl_ctx_new(SSL_SERVER_VERIFY_LATER | SSL_CONNECT_IN_PARTS, SSL_DEFAULT_CLNT_SESS);
	ext = ssl_ext_new();
	ext->host_name = "device.test";
	ssl_client_new(ctx, sv[0], NULL, 0, ext);
	n = read(sv[1], buf, sizeof buf);
	for (i = 0; i < n; i++) printf("%02x", buf[i]);
	printf("\n");
	return 0;
}
