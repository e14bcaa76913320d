// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: connection rate and time to first byte, for the catoproxy
 * benchmark.
 *
 *   connrate [-d SECONDS] [-n COUNT] [-c INFLIGHT] [-q REQUEST_BYTES]
 *            [-s SERVER_NAME] [-T CONN_TIMEOUT_MS] [-l LOGFILE] HOST PORT
 *
 * One process, one epoll loop, at most INFLIGHT (default 1: sequential)
 * connections at a time. Each connection: non-blocking connect(), send a
 * request of REQUEST_BYTES (default 64) once connected (with -s: a TLS 1.3
 * ClientHello naming SERVER_NAME, as an HTTPS client's first data, instead:
 * what an sni rule decides on), read the response
 * until the server closes, close. It stops after COUNT connections were
 * started or SECONDS (default 5) have passed, whichever comes first, waits
 * for those in flight, and prints one line (SIGINT or SIGTERM stop it the
 * same way):
 *
 *   conns=OK errors=ERR secs=S rate=OK/S p50_ms=.. p90_ms=.. min_ms=.. max_ms=..
 *
 * where the latencies are from the start of connect() to the first byte of
 * the response (time to first byte), over the successful connections.
 * With -l, every connection also gets a line "LOCAL_PORT OUTCOME" in
 * LOGFILE, OUTCOME one of ok (a response, then the server's close), reset
 * (ECONNRESET, at connect or later, before any response), timeout or
 * error.
 * Exit status 0 iff at least one connection succeeded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_INFLIGHT 1024
#define MAX_SAMPLES (1 << 20)

struct slot {
	int fd;
	int state; /* 0 free, 1 connecting, 2 waiting for response, 3 reading */
	int err; /* errno that ended it */
	unsigned int port; /* local port */
	double t0;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct sockaddr_storage dst;
static socklen_t dst_len;
static char req[65536];
static size_t req_len = 64;

/*
 * A TLS ClientHello record naming @name into req: version TLS 1.2 on the
 * wire, two cipher suites, the server_name and supported_versions (TLS
 * 1.3) extensions. False when @name does not fit.
 */
static bool client_hello(const char *name)
{
	size_t n = strlen(name), ext = 4 + 5 + n + 4 + 3, hs, rec, i = 0;
	unsigned char *p = (unsigned char *)req;

#define PUT8(v) (p[i++] = (unsigned char)(v))
#define PUT16(v) (PUT8((v) >> 8), PUT8(v))
	if (!n || n > 253)
		return false;
	hs = 2 + 32 + 1 + 2 + 4 + 2 + 2 + ext;
	rec = 4 + hs;
	PUT8(0x16); PUT16(0x0301); PUT16(rec);		/* handshake record */
	PUT8(0x01); PUT8(0); PUT16(hs);			/* ClientHello */
	PUT16(0x0303);					/* legacy version */
	for (int k = 0; k < 32; k++)			/* random */
		PUT8(k * 7 + 1);
	PUT8(0);					/* session id */
	PUT16(4); PUT16(0x1301); PUT16(0xc02f);		/* cipher suites */
	PUT8(1); PUT8(0);				/* compression */
	PUT16(ext);
	PUT16(0x0000); PUT16(5 + n); PUT16(3 + n);	/* server_name */
	PUT8(0); PUT16(n);
	memcpy(p + i, name, n);
	i += n;
	PUT16(0x002b); PUT16(3); PUT8(2); PUT16(0x0304); /* supported_versions */
#undef PUT8
#undef PUT16
	req_len = i;
	return true;
}
static double *lat;
static unsigned long nlat, ok, errs, started;
static FILE *logf;
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void slot_close(int ep, struct slot *s, int success)
{
	if (logf)
		fprintf(logf, "%u %s\n", s->port,
			success ? "ok" :
			s->err == ECONNRESET ? "reset" :
			s->err == ETIMEDOUT ? "timeout" : "error");
	epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	s->state = 0;
	if (success)
		ok++;
	else
		errs++;
}

static unsigned int local_port(int fd)
{
	struct sockaddr_storage a;
	socklen_t l = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &l))
		return 0;
	return ntohs(a.ss_family == AF_INET6 ?
			     ((struct sockaddr_in6 *)&a)->sin6_port :
			     ((struct sockaddr_in *)&a)->sin_port);
}

static int slot_start(int ep, struct slot *s, int idx)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = idx };
	int fd;

	fd = socket(dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	s->fd = fd;
	s->t0 = now();
	s->state = 1;
	s->err = 0;
	started++;
	if (connect(fd, (struct sockaddr *)&dst, dst_len) && errno != EINPROGRESS) {
		s->err = errno;
		s->port = local_port(fd);
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev); /* for slot_close's DEL */
		slot_close(ep, s, 0);
		return 0;
	}
	s->port = local_port(fd);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		s->fd = -1;
		s->state = 0;
		errs++;
	}
	return 0;
}

static void slot_event(int ep, struct slot *s, int idx, unsigned int events)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };
	char buf[16384];
	ssize_t r;

	if (s->state == 1) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err || (events & (EPOLLERR | EPOLLHUP))) {
			s->err = err;
			slot_close(ep, s, 0);
			return;
		}
		if (write(s->fd, req, req_len) != (ssize_t)req_len) {
			s->err = errno;
			slot_close(ep, s, 0);
			return;
		}
		s->state = 2;
		epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
		return;
	}
	for (;;) {
		r = read(s->fd, buf, sizeof(buf));
		if (r > 0) {
			if (s->state == 2) {
				if (nlat < MAX_SAMPLES)
					lat[nlat++] = (now() - s->t0) * 1000.0;
				s->state = 3;
			}
			continue;
		}
		if (r == 0) {
			slot_close(ep, s, s->state == 3);
			return;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		s->err = errno;
		slot_close(ep, s, s->state == 3); /* a reset after the data */
		return;
	}
}

int main(int argc, char **argv)
{
	double dur = 5, deadline, start, tmo = 5000;
	unsigned long count = ~0UL;
	const char *sni = NULL;
	int inflight = 1, opt, ep, i, active;
	struct slot slots[MAX_INFLIGHT];
	struct epoll_event evs[MAX_INFLIGHT];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;

	while ((opt = getopt(argc, argv, "d:n:c:q:s:T:l:")) != -1) {
		switch (opt) {
		case 'l':
			logf = fopen(optarg, "w");
			if (!logf) {
				perror(optarg);
				return 2;
			}
			break;
		case 'd': dur = atof(optarg); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'c': inflight = atoi(optarg); break;
		case 'q': req_len = strtoul(optarg, NULL, 0); break;
		case 's': sni = optarg; break;
		case 'T': tmo = atof(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind != 2 || inflight < 1 || inflight > MAX_INFLIGHT ||
	    req_len < 1 || req_len > sizeof(req))
		goto usage;
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai)) {
		fprintf(stderr, "connrate: cannot resolve %s %s\n",
			argv[optind], argv[optind + 1]);
		return 2;
	}
	memcpy(&dst, ai->ai_addr, ai->ai_addrlen);
	dst_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	memset(req, 'q', sizeof(req));
	if (sni && !client_hello(sni))
		goto usage;
	lat = calloc(MAX_SAMPLES, sizeof(*lat));
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!lat || ep < 0) {
		perror("connrate");
		return 1;
	}
	for (i = 0; i < inflight; i++)
		slots[i].fd = -1, slots[i].state = 0;

	start = now();
	deadline = start + dur;
	for (;;) {
		double t = now();
		int n;

		active = 0;
		for (i = 0; i < inflight; i++) {
			if (slots[i].state && t - slots[i].t0 > tmo / 1000.0) {
				slots[i].err = ETIMEDOUT;
				slot_close(ep, &slots[i], 0);
			}
			if (!slots[i].state && t < deadline && started < count &&
			    !stopping)
				slot_start(ep, &slots[i], i);
			active += slots[i].state != 0;
		}
		if (!active)
			break;
		n = epoll_wait(ep, evs, inflight, 100);
		for (i = 0; i < n; i++) {
			struct slot *s = &slots[evs[i].data.u32];

			if (s->state)
				slot_event(ep, s, evs[i].data.u32, evs[i].events);
		}
	}
	{
		double secs = now() - start, p50 = 0, p90 = 0, mn = 0, mx = 0;

		if (nlat) {
			qsort(lat, nlat, sizeof(*lat), cmp_double);
			p50 = lat[nlat / 2];
			p90 = lat[nlat * 9 / 10];
			mn = lat[0];
			mx = lat[nlat - 1];
		}
		printf("conns=%lu errors=%lu secs=%.3f rate=%.1f p50_ms=%.2f p90_ms=%.2f min_ms=%.2f max_ms=%.2f\n",
		       ok, errs, secs, secs > 0 ? ok / secs : 0, p50, p90, mn, mx);
	}
	if (logf && fclose(logf)) {
		perror("connrate: log");
		return 1;
	}
	return ok ? 0 : 1;
usage:
	fprintf(stderr, "usage: connrate [-d SECONDS] [-n COUNT] [-c INFLIGHT] [-q BYTES] [-s NAME] [-T MS] [-l LOGFILE] HOST PORT\n");
	return 2;
}
