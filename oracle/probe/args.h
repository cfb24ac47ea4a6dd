/*
 * args.h: the command line shared by the oracle probes.
 *
 *   probe-STACK host=127.0.0.1 port=N sni=NAME|"" ca=FILE min=1.0 max=1.2
 *               suites=c02f,c030|"" mfl=0|512|1024|2048|4096 ibuf=N obuf=N
 *               time=UNIX
 *
 * sni: the name sent in server_name and verified against the leaf; empty =
 * no SNI and no host-name check. suites: IANA code points in hex, in offer
 * order; empty = the stack's default offer. mfl: max_fragment_length asked
 * for (0 = none). ibuf, obuf: input and output buffer bytes (BearSSL; 0 =
 * one bidirectional buffer of the default size). time:
 * the client clock in Unix seconds; absent = the stack's own clock (which a
 * configuration may have compiled out).
 *
 * Output, one line: "OK <version> 0x<suite>" (exit 0) or
 * "ERR <NAME> <number> [depth=N]" (exit 1); bad usage exits 2.
 */
#ifndef ORACLE_ARGS_H
#define ORACLE_ARGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe_args {
	const char *host, *port, *sni, *ca;
	int min, max;           /* minor: 1 = TLS 1.0, 3 = TLS 1.2, 4 = TLS 1.3 */
	unsigned suites[64];
	int nsuites;
	int mfl, ibuf, obuf;
	long long time;         /* -1 = stack clock */
};

static int probe_version(const char *v)
{
	if (!strcmp(v, "1.0")) return 1;
	if (!strcmp(v, "1.1")) return 2;
	if (!strcmp(v, "1.2")) return 3;
	if (!strcmp(v, "1.3")) return 4;
	return -1;
}

static const char *probe_version_name(int minor)
{
	static const char *names[] = {"SSL3.0", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"};
	return minor >= 0 && minor <= 4 ? names[minor] : "unknown";
}

static void probe_usage(const char *msg)
{
	fprintf(stderr, "probe: %s\nusage: probe host=H port=P sni=NAME ca=FILE min=1.0 max=1.2 suites=HEX,... mfl=N ibuf=N obuf=N time=UNIX\n", msg);
	exit(2);
}

static void probe_parse(int argc, char **argv, struct probe_args *a)
{
	memset(a, 0, sizeof *a);
	a->host = "127.0.0.1";
	a->sni = "";
	a->min = 1;
	a->max = 3;
	a->time = -1;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			probe_usage(argv[i]);
		*eq = 0;
		const char *k = argv[i], *v = eq + 1;
		if (!strcmp(k, "host")) a->host = v;
		else if (!strcmp(k, "port")) a->port = v;
		else if (!strcmp(k, "sni")) a->sni = v;
		else if (!strcmp(k, "ca")) a->ca = v;
		else if (!strcmp(k, "min")) a->min = probe_version(v);
		else if (!strcmp(k, "max")) a->max = probe_version(v);
		else if (!strcmp(k, "mfl")) a->mfl = atoi(v);
		else if (!strcmp(k, "ibuf")) a->ibuf = atoi(v);
		else if (!strcmp(k, "obuf")) a->obuf = atoi(v);
		else if (!strcmp(k, "time")) a->time = atoll(v);
		else if (!strcmp(k, "suites")) {
			char *s = strdup(v), *tok, *save = NULL;
			for (tok = strtok_r(s, ",", &save); tok && a->nsuites < 64; tok = strtok_r(NULL, ",", &save))
				a->suites[a->nsuites++] = (unsigned)strtoul(tok, NULL, 16);
		} else
			probe_usage(k);
	}
	if (!a->port || !a->ca)
		probe_usage("port= and ca= are required");
	if (a->min < 0 || a->max < 0 || a->min > a->max)
		probe_usage("bad min/max version");
}

/* probe_connect opens a TCP connection with 10-second send/receive timeouts. */
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int probe_connect(const struct probe_args *a)
{
	struct addrinfo hints = {0}, *res;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(a->host, a->port, &hints, &res) != 0) {
		printf("ERR CONNECT 0\n");
		exit(1);
	}
	int fd = socket(res->ai_family, SOCK_STREAM, 0);
	struct timeval tv = {10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		printf("ERR CONNECT 0\n");
		exit(1);
	}
	freeaddrinfo(res);
	return fd;
}

#endif
