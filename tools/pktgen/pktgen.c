/*
 * pktgen: the packet-path benchmarks' traffic generator (docs/benchmarks.md,
 * "Packet path"). Sends IPv4/UDP frames out of one interface - the host
 * side of a guest's tap - as fast as it can (or at a given rate) for a
 * fixed time, and optionally counts the frames that come back (XDP_TX
 * bounces). It knows nothing of the guest, so the same run works against
 * ukbpf and against a Linux guest.
 *
 * usage: pktgen -i IFNAME -t SECONDS [options]
 *   -s BYTES     frame length without the FCS (default 60: Ethernet's
 *                64-byte minimum frame on the wire)
 *   -D MAC       destination MAC (default 52:54:00:12:34:56, run.sh's eth0)
 *   -S MAC       source MAC (default: IFNAME's own)
 *   -a A.B.C.D   source IPv4 address (default 192.168.77.1)
 *   -b A.B.C.D   destination IPv4 address (default 192.168.77.2)
 *   -p P[,P...]  UDP destination ports, used in turn frame by frame
 *                (default 9); the source port is 40000
 *   -r PPS       offer at most PPS frames per second (default: no limit)
 *   -c           count frames that come back carrying our payload, until
 *                a grace period (0.5 s) after the last send
 * Prints one line (rates over the sending time):
 *   pktgen: seconds=F sent=N refused=N offered_pps=F replies=N reply_pps=F
 * sent: frames the interface took; refused: frames it would not take (its
 * queue toward the guest was full); offered_pps: (sent + refused) / seconds.
 * Exit status 0, 2 for bad usage, 1 when the interface cannot be used.
 * Needs CAP_NET_RAW. Frames bypass the interface's qdisc
 * (PACKET_QDISC_BYPASS), as Linux's own pktgen and trafgen do: a frame
 * the tap cannot queue for the guest is refused at once (and counted in
 * the tap's tx_dropped too).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE	  2
#define ETH_HEADER_LEN	  14
#define IPV4_HEADER_LEN	  20
#define UDP_HEADER_LEN	  8
#define HEADERS_LEN	  (ETH_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN)
#define FRAME_MIN	  60 /* Ethernet's minimum without the FCS */
#define FRAME_MAX	  1514
#define MAGIC		  "ukbpf-pktgen"
#define MAGIC_LEN	  (sizeof(MAGIC) - 1)
#define PORTS_MAX	  16
#define SOURCE_PORT	  40000
#define BATCH		  32 /* frames per sendmmsg */
#define IPV4_VERSION_IHL  0x45
#define IPV4_TTL	  64
#define IPV4_DONT_FRAG	  0x4000
#define IPPROTO_UDP_NUM	  17
#define GRACE_NS	  500000000ull
#define RECV_POLL_MS	  50
#define RECV_BUFFER_BYTES (32 << 20)
#define NS_PER_SEC	  1000000000ull
#define MAX_SECONDS	  3600
#define DEFAULT_DST_MAC	  "52:54:00:12:34:56"
#define DEFAULT_SRC_IP	  "192.168.77.1"
#define DEFAULT_DST_IP	  "192.168.77.2"
#define DEFAULT_PORT	  9

struct options {
	const char *ifname;
	double seconds;
	size_t frame_len;
	uint8_t dst_mac[ETH_ALEN], src_mac[ETH_ALEN];
	bool src_mac_set;
	struct in_addr src_ip, dst_ip;
	uint16_t ports[PORTS_MAX];
	size_t port_count;
	double rate;
	bool count_replies;
};

struct receiver {
	int fd;
	atomic_bool stop;
	uint64_t replies;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void usage_error(const char *fmt, const char *what)
{
	fprintf(stderr, "pktgen: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, " (usage: see the top of tools/pktgen/pktgen.c)\n");
	exit(EXIT_USAGE);
}

static void parse_mac(const char *text, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char end;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != ETH_ALEN)
		usage_error("%s: expected a MAC address aa:bb:cc:dd:ee:ff", text);
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
}

static void parse_ip(const char *text, struct in_addr *addr)
{
	if (inet_pton(AF_INET, text, addr) != 1)
		usage_error("%s: expected an IPv4 address A.B.C.D", text);
}

static double parse_number(const char *text, double min, double max)
{
	char *end;
	double value = strtod(text, &end);

	if (end == text || *end != '\0' || !(value >= min && value <= max))
		usage_error("%s: number out of range", text);
	return value;
}

static void parse_ports(const char *text, struct options *opt)
{
	char copy[256], *save, *token;

	if (strlen(text) >= sizeof(copy))
		usage_error("%s: too long", text);
	strcpy(copy, text);
	opt->port_count = 0;
	for (token = strtok_r(copy, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
		if (opt->port_count == PORTS_MAX)
			usage_error("%s: too many ports", text);
		opt->ports[opt->port_count++] = (uint16_t)parse_number(token, 1, UINT16_MAX);
	}
	if (opt->port_count == 0)
		usage_error("%s: expected P[,P...]", text);
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	*opt = (struct options){.frame_len = FRAME_MIN, .ports = {DEFAULT_PORT}, .port_count = 1};
	parse_mac(DEFAULT_DST_MAC, opt->dst_mac);
	parse_ip(DEFAULT_SRC_IP, &opt->src_ip);
	parse_ip(DEFAULT_DST_IP, &opt->dst_ip);
	while ((c = getopt(argc, argv, "i:t:s:D:S:a:b:p:r:c")) != -1) {
		switch (c) {
		case 'i':
			opt->ifname = optarg;
			break;
		case 't':
			opt->seconds = parse_number(optarg, 0.001, MAX_SECONDS);
			break;
		case 's':
			opt->frame_len = (size_t)parse_number(optarg, FRAME_MIN, FRAME_MAX);
			break;
		case 'D':
			parse_mac(optarg, opt->dst_mac);
			break;
		case 'S':
			parse_mac(optarg, opt->src_mac);
			opt->src_mac_set = true;
			break;
		case 'a':
			parse_ip(optarg, &opt->src_ip);
			break;
		case 'b':
			parse_ip(optarg, &opt->dst_ip);
			break;
		case 'p':
			parse_ports(optarg, opt);
			break;
		case 'r':
			opt->rate = parse_number(optarg, 1, 1e9);
			break;
		case 'c':
			opt->count_replies = true;
			break;
		default:
			usage_error("%s", "unknown option");
		}
	}
	if (!opt->ifname || opt->seconds == 0 || optind != argc)
		usage_error("%s", "-i IFNAME and -t SECONDS are required, nothing else");
}

/* RFC 791 §3.1: the one's complement of the one's complement sum of the header's words. */
static uint16_t ipv4_checksum(const uint8_t *header)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < IPV4_HEADER_LEN; i += 2)
		sum += (uint32_t)header[i] << 8 | header[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

/*
 * An Ethernet/IPv4/UDP frame to port, MAGIC first in the payload. The UDP
 * checksum is 0: "no checksum", allowed over IPv4 (RFC 768).
 */
static void build_frame(uint8_t *frame, const struct options *opt, uint16_t port)
{
	uint8_t *ip = frame + ETH_HEADER_LEN, *udp = ip + IPV4_HEADER_LEN;
	size_t ip_len = opt->frame_len - ETH_HEADER_LEN;

	memset(frame, 0, opt->frame_len);
	memcpy(frame, opt->dst_mac, ETH_ALEN);
	memcpy(frame + ETH_ALEN, opt->src_mac, ETH_ALEN);
	put16(frame + 2 * ETH_ALEN, ETH_P_IP);
	ip[0] = IPV4_VERSION_IHL;
	put16(ip + 2, (uint16_t)ip_len);
	put16(ip + 6, IPV4_DONT_FRAG);
	ip[8] = IPV4_TTL;
	ip[9] = IPPROTO_UDP_NUM;
	memcpy(ip + 12, &opt->src_ip, sizeof(opt->src_ip));
	memcpy(ip + 16, &opt->dst_ip, sizeof(opt->dst_ip));
	put16(ip + 10, ipv4_checksum(ip));
	put16(udp, SOURCE_PORT);
	put16(udp + 2, port);
	put16(udp + 4, (uint16_t)(ip_len - IPV4_HEADER_LEN));
	memcpy(udp + UDP_HEADER_LEN, MAGIC, MAGIC_LEN);
}

static int open_socket(const struct options *opt, int protocol, struct sockaddr_ll *addr)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons((uint16_t)protocol));

	if (fd < 0) {
		fprintf(stderr, "pktgen: AF_PACKET socket: %s\n", strerror(errno));
		exit(1);
	}
	*addr = (struct sockaddr_ll){.sll_family = AF_PACKET,
				     .sll_protocol = htons((uint16_t)protocol),
				     .sll_ifindex = (int)if_nametoindex(opt->ifname),
				     .sll_halen = ETH_ALEN};
	memcpy(addr->sll_addr, opt->dst_mac, ETH_ALEN);
	if (addr->sll_ifindex == 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) != 0) {
		fprintf(stderr, "pktgen: %s: %s\n", opt->ifname, strerror(errno));
		exit(1);
	}
	return fd;
}

static void interface_mac(int fd, const char *ifname, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		fprintf(stderr, "pktgen: %s: no MAC address: %s\n", ifname, strerror(errno));
		exit(1);
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
}

/* A frame that came in (not one of ours going out) carrying our payload. */
static bool is_reply(const uint8_t *frame, ssize_t len, const struct sockaddr_ll *from)
{
	return from->sll_pkttype != PACKET_OUTGOING && len >= (ssize_t)(HEADERS_LEN + MAGIC_LEN) &&
	       memcmp(frame + HEADERS_LEN, MAGIC, MAGIC_LEN) == 0;
}

static void *receive_replies(void *arg)
{
	struct receiver *rx = arg;
	uint8_t frame[FRAME_MAX];
	struct pollfd pfd = {.fd = rx->fd, .events = POLLIN};

	while (!atomic_load(&rx->stop)) {
		if (poll(&pfd, 1, RECV_POLL_MS) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t from_len = sizeof(from);
		ssize_t len = recvfrom(rx->fd, frame, sizeof(frame), MSG_DONTWAIT | MSG_TRUNC,
				       (struct sockaddr *)&from, &from_len);
		if (len > 0 && is_reply(frame, len, &from))
			rx->replies++;
	}
	return NULL;
}

/* Frames due by now at the offered rate, given those offered so far (no limit: a batch). */
static size_t frames_due(const struct options *opt, uint64_t start, uint64_t now, uint64_t offered)
{
	if (opt->rate == 0)
		return BATCH;
	double due = opt->rate * (double)(now - start) / NS_PER_SEC - (double)offered;
	return due < 1 ? 0 : due > BATCH ? BATCH : (size_t)due;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct sockaddr_ll to;

	parse_options(argc, argv, &opt);
	/* Protocol 0: this socket receives nothing, so sending never waits on it. */
	int tx_fd = open_socket(&opt, 0, &to);
	int bypass = 1;
	if (setsockopt(tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &bypass, sizeof(bypass)) != 0)
		fprintf(stderr, "pktgen: no PACKET_QDISC_BYPASS (%s): through the qdisc\n",
			strerror(errno));
	if (!opt.src_mac_set)
		interface_mac(tx_fd, opt.ifname, opt.src_mac);

	static uint8_t frames[PORTS_MAX][FRAME_MAX];
	struct iovec iov[PORTS_MAX];
	for (size_t p = 0; p < opt.port_count; p++) {
		build_frame(frames[p], &opt, opt.ports[p]);
		iov[p] = (struct iovec){.iov_base = frames[p], .iov_len = opt.frame_len};
	}
	/* Entry i carries port i % port_count; a batch starts at any port. */
	struct mmsghdr batch[BATCH + PORTS_MAX];
	for (size_t i = 0; i < BATCH + PORTS_MAX; i++)
		batch[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to,
							.msg_namelen = sizeof(to),
							.msg_iov = &iov[i % opt.port_count],
							.msg_iovlen = 1}};

	struct receiver rx = {.fd = -1};
	pthread_t receiver_thread;
	if (opt.count_replies) {
		struct sockaddr_ll any;
		rx.fd = open_socket(&opt, ETH_P_ALL, &any);
		/* Bounces arrive as fast as we send: a small buffer would lose them here. */
		int rcvbuf = RECV_BUFFER_BYTES;
		if (setsockopt(rx.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
			setsockopt(rx.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (pthread_create(&receiver_thread, NULL, receive_replies, &rx) != 0) {
			fprintf(stderr, "pktgen: cannot start the receiver thread\n");
			return 1;
		}
	}

	uint64_t sent = 0, refused = 0;
	uint64_t start = now_ns(), end = start + (uint64_t)(opt.seconds * NS_PER_SEC), now = start;
	while (now < end) {
		/* Each batch starts on the port after the last frame sent: ports stay in turn. */
		size_t first = (size_t)(sent % opt.port_count);
		size_t count = frames_due(&opt, start, now, sent + refused);
		if (count > 0) {
			int done = sendmmsg(tx_fd, batch + first, (unsigned)count, 0);
			/* sendmmsg stops at the first frame the interface refuses. */
			if (done > 0)
				sent += (uint64_t)done;
			if (done < (int)count)
				refused++;
		}
		now = now_ns();
	}
	double seconds = (double)(now - start) / NS_PER_SEC;
	if (opt.count_replies) {
		struct timespec grace = {.tv_sec = 0, .tv_nsec = GRACE_NS};
		nanosleep(&grace, NULL);
		atomic_store(&rx.stop, true);
		pthread_join(receiver_thread, NULL);
	}
	printf("pktgen: seconds=%.3f sent=%llu refused=%llu offered_pps=%.0f replies=%llu "
	       "reply_pps=%.0f\n",
	       seconds, (unsigned long long)sent, (unsigned long long)refused,
	       (double)(sent + refused) / seconds, (unsigned long long)rx.replies,
	       (double)rx.replies / seconds);
	return 0;
}
