// SPDX-License-Identifier: GPL-2.0
/*
 * echo_server: the server side of the catoproxy benchmark.
 *
 *   echo_server [-s RESPONSE_BYTES] PORT...
 *
 * One process, one epoll loop, IPv4 and IPv6 (a dual-stack socket per
 * PORT). For every accepted connection: read the request (whatever arrives
 * first, at most 4 KiB), write RESPONSE_BYTES (default 128) back and close,
 * so that the server side keeps TIME_WAIT and a client opening many
 * connections in a row does not run out of ports. Runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTEN 16
#define MAX_EVENTS 256

static char resp[65536];
static size_t resp_len = 128;

static int listen_on(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int one = 1, zero = 0, fd;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	int lfd[MAX_LISTEN], nl = 0, ep, opt, i;
	struct epoll_event ev, evs[MAX_EVENTS];

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		switch (opt) {
		case 's':
			resp_len = strtoul(optarg, NULL, 0);
			if (resp_len < 1 || resp_len > sizeof(resp))
				resp_len = 128;
			break;
		default:
			fprintf(stderr, "usage: echo_server [-s BYTES] PORT...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: echo_server [-s BYTES] PORT...\n");
		return 2;
	}
	memset(resp, 'r', sizeof(resp));
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		perror("epoll_create1");
		return 1;
	}
	for (i = optind; i < argc && nl < MAX_LISTEN; i++) {
		lfd[nl] = listen_on(atoi(argv[i]));
		if (lfd[nl] < 0) {
			fprintf(stderr, "echo_server: cannot listen on %s: %s\n",
				argv[i], strerror(errno));
			return 1;
		}
		ev.events = EPOLLIN;
		ev.data.u64 = (1ULL << 32) | (unsigned int)lfd[nl];
		epoll_ctl(ep, EPOLL_CTL_ADD, lfd[nl], &ev);
		nl++;
	}

	for (;;) {
		int n = epoll_wait(ep, evs, MAX_EVENTS, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			int fd = (int)(evs[i].data.u64 & 0xffffffff);

			if (evs[i].data.u64 >> 32) {
				/* listener: accept everything pending */
				for (;;) {
					int c = accept4(fd, NULL, NULL,
							SOCK_NONBLOCK | SOCK_CLOEXEC);
					if (c < 0)
						break;
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.u64 = (unsigned int)c;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev))
						close(c);
				}
				continue;
			}
			/* a client: one request, one response, close */
			{
				char buf[4096];
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r < 0 && (errno == EAGAIN || errno == EINTR))
					continue;
				if (r > 0) {
					ssize_t w = write(fd, resp, resp_len);
					(void)w;
				}
				close(fd); /* also leaves the epoll set */
			}
		}
	}
}
