// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: send IPv4 TCP SYNs as fast as possible, for the catoproxy
 * benchmark.
 *
 *   synflood [-d SECONDS] [-g GRACE_SECONDS] SRC_IP DST_IP DST_PORT
 *
 * Raw socket (IP_HDRINCL), source address SRC_IP (the sender's own, so the
 * SYN-ACKs come back to it), random source port and sequence number per
 * SYN, Linux-like options (MSS 1460, SACK permitted, timestamps, window
 * scale 7). Batches of 64 with sendmmsg(). Runs for SECONDS (default 5).
 *
 * Meanwhile a second thread counts the SYN-ACKs from DST_PORT with a
 * packet socket and a large receive ring (a packet socket sees them before
 * netfilter, so the caller may drop them to keep the local stack from
 * answering with resets), until GRACE seconds (default 1) after the last
 * SYN. A SYN-ACK acknowledges the SYN's
 * sequence number plus one; counting distinct acknowledgment numbers
 * leaves out retransmitted SYN-ACKs. Prints one line:
 *
 *   sent=N errors=E secs=S pps=P synacks=T answered=D answered_pps=A rx_drops=X
 *
 * errors: SYNs the local stack refused (ENOBUFS and the like); synacks: all
 * SYN-ACKs seen; answered: distinct SYNs answered; rx_drops: packets the
 * packet socket lost (then answered is a lower bound).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <pthread.h>
#include <poll.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define OPTLEN 20
#define PKTLEN (sizeof(struct iphdr) + sizeof(struct tcphdr) + OPTLEN)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the answer counter ---- */

#define SET_BITS 22
#define SET_SIZE (1u << SET_BITS)

static uint32_t *set;		/* open addressing; 0 = empty (key 0 stored as ~0) */
static unsigned long set_used, synacks, answered, rx_drops;
static atomic_int rx_stop;
static int rx_fd = -1;

static void set_add(uint32_t key)
{
	uint32_t h;

	if (!key)
		key = ~0u;
	if (set_used >= SET_SIZE / 4 * 3) {
		answered++; /* full: count, maybe twice */
		return;
	}
	for (h = (key * 2654435761u) >> (32 - SET_BITS);; h = (h + 1) & (SET_SIZE - 1)) {
		if (set[h] == key)
			return;
		if (!set[h]) {
			set[h] = key;
			set_used++;
			answered++;
			return;
		}
	}
}

/*
 * Packet socket with a filter: IPv4, TCP, first fragment, source port
 * DPORT, SYN set; the first 64 bytes (IP and TCP headers) of each. A
 * TPACKET_V3 ring of 64 MiB holds far more SYN-ACKs than a socket's receive
 * buffer (about 400,000), so that none is lost while the flood keeps both
 * CPUs busy and this thread gets no time; it catches up afterwards. The
 * kernel hands over a block when it is full or 100 ms after its first
 * packet: 256 blocks last 25 s even if this thread never runs.
 * SOCK_DGRAM: the data starts at the IP header.
 */
#define RING_BLOCK (1u << 18)
#define RING_BLOCKS 256

static uint8_t *ring;

static int rx_open(int dport)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 8),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 6, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, dport, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x02, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 64),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct tpacket_req3 req = {
		.tp_block_size = RING_BLOCK,
		.tp_block_nr = RING_BLOCKS,
		.tp_frame_size = 2048,
		.tp_frame_nr = RING_BLOCKS * (RING_BLOCK / 2048),
		.tp_retire_blk_tov = 100,
	};
	int fd, v = TPACKET_V3;

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		close(fd);
		return -1;
	}
	ring = mmap(NULL, (size_t)RING_BLOCK * RING_BLOCKS, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_LOCKED, fd, 0);
	if (ring == MAP_FAILED)
		ring = mmap(NULL, (size_t)RING_BLOCK * RING_BLOCKS, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		close(fd);
		return -1;
	}
	return fd;
}

static void rx_packet(const uint8_t *p, unsigned int len)
{
	const struct iphdr *ip = (const struct iphdr *)p;
	const struct tcphdr *th;
	size_t ihl;

	if (len < sizeof(*ip))
		return;
	ihl = ip->ihl * 4;
	if (len < ihl + sizeof(*th))
		return;
	th = (const struct tcphdr *)(p + ihl);
	if (!th->syn || !th->ack)
		return;
	synacks++;
	set_add(ntohl(th->ack_seq) - 1);
}

/* Process the ready blocks from *blk on; returns how many it processed. */
static int rx_drain(unsigned int *blk)
{
	int done = 0;

	for (;;) {
		struct tpacket_block_desc *bd =
			(struct tpacket_block_desc *)(ring + (size_t)*blk * RING_BLOCK);
		struct tpacket3_hdr *h;
		unsigned int i;

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return done;
		h = (struct tpacket3_hdr *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
		for (i = 0; i < bd->hdr.bh1.num_pkts; i++) {
			rx_packet((uint8_t *)h + h->tp_net, h->tp_snaplen);
			h = (struct tpacket3_hdr *)((uint8_t *)h + h->tp_next_offset);
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		*blk = (*blk + 1) % RING_BLOCKS;
		done++;
	}
}

static void *rx_thread(void *arg)
{
	struct pollfd pfd = { .fd = rx_fd, .events = POLLIN | POLLERR };
	struct tpacket_stats_v3 st;
	socklen_t l = sizeof(st);
	unsigned int blk = 0;

	(void)arg;
	for (;;) {
		int stop = atomic_load(&rx_stop);

		/* after the stop, until the open block has been retired */
		if (!rx_drain(&blk) && stop && poll(&pfd, 1, 300) <= 0 &&
		    !rx_drain(&blk))
			break;
		if (!stop)
			poll(&pfd, 1, 50);
	}
	if (!getsockopt(rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &l))
		rx_drops = st.tp_drops;
	return NULL;
}

/* ---- the flood ---- */

static uint32_t rnd_state = 0x12345678;

static uint32_t xorshift(void)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rnd_state = x;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of big-endian 16-bit words, byte by byte (no aliasing games). */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static void build(uint8_t *pkt, struct in_addr src, struct in_addr dst,
		  uint16_t dport)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct tcphdr *th = (struct tcphdr *)(ip + 1);
	uint8_t *o = (uint8_t *)(th + 1);
	uint32_t sum, tsval = xorshift();
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
	} ph;

	memset(pkt, 0, PKTLEN);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(PKTLEN);
	ip->id = htons(xorshift() & 0xffff);
	ip->frag_off = htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));

	th->source = htons(1024 + xorshift() % 64512);
	th->dest = htons(dport);
	th->seq = htonl(xorshift());
	th->doff = (sizeof(*th) + OPTLEN) / 4;
	th->syn = 1;
	th->window = htons(64240);
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7 */
	o[0] = 2; o[1] = 4; o[2] = 1460 >> 8; o[3] = 1460 & 0xff;
	o[4] = 4; o[5] = 2;
	o[6] = 8; o[7] = 10;
	memcpy(o + 8, &tsval, 4);
	memset(o + 12, 0, 4);
	o[16] = 1;
	o[17] = 3; o[18] = 3; o[19] = 7;

	ph.saddr = src.s_addr;
	ph.daddr = dst.s_addr;
	ph.zero = 0;
	ph.proto = IPPROTO_TCP;
	ph.len = htons(sizeof(*th) + OPTLEN);
	sum = csum_add(0, &ph, sizeof(ph));
	sum = csum_add(sum, th, sizeof(*th) + OPTLEN);
	th->check = htons(csum_fold(sum));
}

int main(int argc, char **argv)
{
	static uint8_t pkts[BATCH][PKTLEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct in_addr src, dst;
	unsigned long sent = 0, errs = 0;
	double dur = 5, grace = 1, start, end, t;
	int fd, opt, i, dport;
	pthread_t rx;

	while ((opt = getopt(argc, argv, "d:g:")) != -1) {
		if (opt == 'd')
			dur = atof(optarg);
		else if (opt == 'g')
			grace = atof(optarg);
		else
			goto usage;
	}
	if (argc - optind != 3 || !inet_aton(argv[optind], &src) ||
	    !inet_aton(argv[optind + 1], &dst))
		goto usage;
	dport = atoi(argv[optind + 2]);
	if (dport < 1 || dport > 65535)
		goto usage;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: socket(SOCK_RAW)");
		return 1;
	}
	/*
	 * Populated now, while this is the only thread: first writes to
	 * zero-filled pages during the flood would each cost a page fault and
	 * a TLB shootdown of the sending CPU, and this counter would measure
	 * itself rather than the router.
	 */
	set = mmap(NULL, (size_t)SET_SIZE * sizeof(*set), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	rx_fd = rx_open(dport);
	if (set == MAP_FAILED || rx_fd < 0) {
		perror("synflood: packet socket");
		return 1;
	}
	if (pthread_create(&rx, NULL, rx_thread, NULL)) {
		fprintf(stderr, "synflood: cannot start the receiver\n");
		return 1;
	}
	rnd_state ^= (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL);
	if (!rnd_state)
		rnd_state = 1;
	sin.sin_addr = dst;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = PKTLEN;
		msgs[i].msg_hdr.msg_name = &sin;
		msgs[i].msg_hdr.msg_namelen = sizeof(sin);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now();
	end = start + dur;
	do {
		int n;

		for (i = 0; i < BATCH; i++)
			build(pkts[i], src, dst, dport);
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0) {
			errs += BATCH;
			continue;
		}
		sent += n;
		if (n < BATCH) {
			/* the first unsent one failed; skip it, keep going */
			errs++;
		}
	} while ((t = now()) < end);
	{
		struct timespec ts = { (time_t)grace, (long)((grace - (time_t)grace) * 1e9) };

		nanosleep(&ts, NULL);
	}
	atomic_store(&rx_stop, 1);
	pthread_join(rx, NULL);
	printf("sent=%lu errors=%lu secs=%.3f pps=%.0f synacks=%lu answered=%lu answered_pps=%.0f rx_drops=%lu\n",
	       sent, errs, t - start, sent / (t - start), synacks, answered,
	       answered / (t - start), rx_drops);
	return sent ? 0 : 1;
usage:
	fprintf(stderr, "usage: synflood [-d SECONDS] [-g GRACE] SRC_IP DST_IP DST_PORT\n");
	return 2;
}
