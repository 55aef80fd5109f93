/*
 * xdp-loader: the Linux guest's side of the benchmarks (docs/benchmarks.md).
 * Loads one program of each clang-built eBPF object given (the same .o
 * files ukbpf runs) into the Linux kernel through libbpf, linked
 * statically so the guest's initramfs needs no shared libraries; for each:
 *
 *   - prints the kernel verifier's statistics (BPF_LOG_STATS: "processed N
 *     insns ...", "verification time N usec") as "xdp-loader: verifier: ...";
 *   - with --frame FILE --repeat N, times BPF_PROG_TEST_RUN on that frame:
 *     TIMING_BATCHES calls of N runs each, one line
 *       test-run OBJ:PROG FRAME r0=0x2 repeat=N kernel_ns=D wall_ns=W.W
 *     (medians over the batches: the kernel's own per-run average in whole
 *     ns, and the call's wall time divided by N) - the in-guest counterpart
 *     of apps/bpfrun's "time" line;
 *   - with --attach IFACE (one object only), attaches it with XDP in native (driver) mode, or
 *     if the driver refuses, in generic (skb) mode, says which, prints
 *     "xdp-loader: ready to process packets on IFACE" and then, with
 *     --stats MS, one "net-stats:" line every MS milliseconds in ukbpf's
 *     format (net/net.h) until --duration S seconds have passed (forever
 *     without it). With --attach and no object, nothing is attached (the
 *     kernel's stack gets every frame: the benchmarks' "no program" case)
 *     and the same lines follow.
 *
 * With --udp-echo PORT (and nothing else), it is an RFC 862 UDP echo
 * server on PORT through an ordinary socket, the Linux counterpart of
 * apps/udp-echo without its XDP program: it prints "xdp-loader: udp echo:
 * listening on UDP port PORT" and serves until the guest stops.
 *
 * usage: xdp-loader [--frame FILE --repeat N] [--attach IFACE [--stats MS]
 *                   [--duration S]] OBJ[:PROG]...
 *        xdp-loader --attach IFACE [--stats MS] [--duration S]
 *        xdp-loader --udp-echo PORT
 * PROG is a function or section name; the default is the object's first
 * program. Exit status: 0, 1 for a failed step (the message says which),
 * 2 for bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define STATUS_FAILED 1
#define STATUS_USAGE  2
/* apps/bpfrun times 11 batches and reports the median: so do we. */
#define TIMING_BATCHES 11
/* Linux's BPF_LOG_STATS: only the closing statistics, no per-insn trace. */
#define BPF_LOG_STATS	  4
#define VERIFIER_LOG_SIZE (1 << 16)
#define MAX_FRAME_SIZE	  65536
#define NS_PER_SEC	  UINT64_C(1000000000)
#define NS_PER_MS	  UINT64_C(1000000)
#define UDP_PORT_MAX	  65535
#define UDP_DATAGRAM_MAX  65536

#define MAX_OBJECTS 32

struct options {
	char *objects[MAX_OBJECTS]; /* "OBJ[:PROG]" each */
	size_t object_count;
	const char *object;    /* the one being loaded, split from its PROG */
	const char *prog_name; /* NULL: the first program */
	const char *frame;
	unsigned long repeat;
	const char *iface;
	unsigned long stats_ms;
	unsigned long duration_s;
	unsigned long udp_echo_port; /* 0: no echo server */
};

/* Counters of one net-stats line (the fields net/net.h defines). */
struct net_counters {
	uint64_t rx, rx_bytes, rx_bad, tx, tx_dropped;
	uint64_t xdp_runs, xdp_drop, xdp_tx, xdp_redirect;
};

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xdp-loader: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	return STATUS_FAILED;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int usage(const char *why)
{
	fprintf(stderr,
		"xdp-loader: %s\nusage: xdp-loader [--frame FILE --repeat N] "
		"[--attach IFACE [--stats MS] [--duration S]] OBJ[:PROG]...\n"
		"       xdp-loader --attach IFACE [--stats MS] [--duration S]\n"
		"       xdp-loader --udp-echo PORT\n",
		why);
	return STATUS_USAGE;
}

static bool parse_count(const char *text, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	return errno == 0 && end != text && *end == '\0' && *out > 0;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool has_value = i + 1 < argc;

		if (strcmp(arg, "--frame") == 0 && has_value) {
			opt->frame = argv[++i];
		} else if (strcmp(arg, "--repeat") == 0 && has_value) {
			if (!parse_count(argv[++i], &opt->repeat))
				return usage("--repeat needs a positive count");
		} else if (strcmp(arg, "--attach") == 0 && has_value) {
			opt->iface = argv[++i];
		} else if (strcmp(arg, "--stats") == 0 && has_value) {
			if (!parse_count(argv[++i], &opt->stats_ms))
				return usage("--stats needs a period in ms");
		} else if (strcmp(arg, "--duration") == 0 && has_value) {
			if (!parse_count(argv[++i], &opt->duration_s))
				return usage("--duration needs a number of seconds");
		} else if (strcmp(arg, "--udp-echo") == 0 && has_value) {
			if (!parse_count(argv[++i], &opt->udp_echo_port) ||
			    opt->udp_echo_port > UDP_PORT_MAX)
				return usage("--udp-echo needs a UDP port");
		} else if (arg[0] == '-') {
			return usage("unexpected argument");
		} else if (opt->object_count == MAX_OBJECTS) {
			return usage("too many objects");
		} else {
			opt->objects[opt->object_count++] = argv[i];
		}
	}
	if (opt->udp_echo_port) {
		if (opt->object_count || opt->iface || opt->frame || opt->repeat)
			return usage("--udp-echo goes alone");
		return 0;
	}
	if (opt->object_count == 0 && !opt->iface)
		return usage("no object given");
	if (opt->iface && opt->object_count > 1)
		return usage("--attach takes one object or none");
	if (!opt->frame != !opt->repeat)
		return usage("--frame and --repeat go together");
	if (!opt->iface && (opt->stats_ms || opt->duration_s))
		return usage("--stats and --duration need --attach");
	return 0;
}

/* Splits "OBJ:PROG" in place; a path may itself contain no colon. */
static void split_object_name(char *spec, struct options *opt)
{
	char *colon = strrchr(spec, ':');

	opt->object = spec;
	opt->prog_name = NULL;
	if (colon) {
		*colon = '\0';
		opt->prog_name = colon[1] ? colon + 1 : NULL;
	}
}

static struct bpf_program *find_program(struct bpf_object *obj, const char *name)
{
	for (struct bpf_program *prog = bpf_object__next_program(obj, NULL); prog;
	     prog = bpf_object__next_program(obj, prog)) {
		if (!name || strcmp(bpf_program__name(prog), name) == 0 ||
		    strcmp(bpf_program__section_name(prog), name) == 0)
			return prog;
	}
	return NULL;
}

/* Prints the verifier's closing statistics, one line each. */
static void print_verifier_stats(const char *log)
{
	const char *line = log;

	while (*line) {
		size_t len = strcspn(line, "\n");
		if (len)
			printf("xdp-loader: verifier: %.*s\n", (int)len, line);
		line += len + (line[len] == '\n');
	}
}

static int load_program(const struct options *opt, struct bpf_object **obj_out,
			struct bpf_program **prog_out)
{
	static char log[VERIFIER_LOG_SIZE];
	struct bpf_object *obj = bpf_object__open_file(opt->object, NULL);
	struct bpf_program *prog, *other;

	if (!obj)
		return fail("cannot open %s: %s", opt->object, strerror(errno));
	prog = find_program(obj, opt->prog_name);
	if (!prog) {
		bpf_object__close(obj);
		return fail("%s has no program %s", opt->object,
			    opt->prog_name ? opt->prog_name : "");
	}
	/* Only the chosen program goes to the verifier: its figures are the ones printed. */
	for (other = bpf_object__next_program(obj, NULL); other;
	     other = bpf_object__next_program(obj, other))
		bpf_program__set_autoload(other, other == prog);
	bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
	bpf_program__set_log_level(prog, BPF_LOG_STATS);
	bpf_program__set_log_buf(prog, log, sizeof(log));
	int err = bpf_object__load(obj);
	print_verifier_stats(log);
	if (err) {
		bpf_object__close(obj);
		return fail("loading %s:%s failed: %s", opt->object, bpf_program__name(prog),
			    strerror(-err));
	}
	printf("xdp-loader: loaded %s:%s\n", opt->object, bpf_program__name(prog));
	*obj_out = obj;
	*prog_out = prog;
	return 0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int test_run(const struct options *opt, struct bpf_program *prog)
{
	static uint8_t frame[MAX_FRAME_SIZE];
	double kernel_ns[TIMING_BATCHES], wall_ns[TIMING_BATCHES];
	uint32_t r0 = 0;
	FILE *f = fopen(opt->frame, "rb");
	size_t len;

	if (!f)
		return fail("cannot open frame %s: %s", opt->frame, strerror(errno));
	len = fread(frame, 1, sizeof(frame), f);
	fclose(f);
	if (len == 0)
		return fail("frame %s is empty", opt->frame);
	for (int b = 0; b < TIMING_BATCHES; b++) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = (uint32_t)len,
			    .repeat = (int)opt->repeat);
		uint64_t start = now_ns();
		int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &run);
		uint64_t elapsed = now_ns() - start;
		if (err)
			return fail("BPF_PROG_TEST_RUN failed: %s", strerror(errno));
		r0 = run.retval;
		kernel_ns[b] = run.duration;
		wall_ns[b] = (double)elapsed / (double)opt->repeat;
	}
	qsort(kernel_ns, TIMING_BATCHES, sizeof(kernel_ns[0]), compare_double);
	qsort(wall_ns, TIMING_BATCHES, sizeof(wall_ns[0]), compare_double);
	printf("test-run %s:%s %s r0=0x%" PRIx32 " repeat=%lu kernel_ns=%.0f wall_ns=%.1f\n",
	       opt->object, bpf_program__name(prog), opt->frame, r0, opt->repeat,
	       kernel_ns[TIMING_BATCHES / 2], wall_ns[TIMING_BATCHES / 2]);
	return 0;
}

static int attach(const struct options *opt, struct bpf_program *prog, unsigned *ifindex)
{
	int fd = bpf_program__fd(prog);

	*ifindex = if_nametoindex(opt->iface);
	if (!*ifindex)
		return fail("no interface %s: %s", opt->iface, strerror(errno));
	int err = bpf_xdp_attach((int)*ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err == 0) {
		printf("xdp-loader: attached %s to %s in native (driver) mode\n",
		       bpf_program__name(prog), opt->iface);
		return 0;
	}
	printf("xdp-loader: native (driver) mode refused on %s: %s; trying generic\n", opt->iface,
	       strerror(-err));
	err = bpf_xdp_attach((int)*ifindex, fd, XDP_FLAGS_SKB_MODE, NULL);
	if (err)
		return fail("generic (skb) mode refused on %s too: %s", opt->iface, strerror(-err));
	printf("xdp-loader: attached %s to %s in generic (skb) mode\n", bpf_program__name(prog),
	       opt->iface);
	return 0;
}

static uint64_t read_sysfs_counter(const char *iface, const char *name)
{
	char path[128];
	unsigned long long value = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", iface, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &value) != 1)
		value = 0;
	fclose(f);
	return value;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * virtio_net's per-queue XDP counters (ethtool -S names
 * "rx_queue_<q>_xdp_packets", "..._xdp_drops", "..._xdp_tx",
 * "..._xdp_redirects"), summed over the queues through the ethtool ioctl.
 * They count native-mode runs only; generic mode leaves them at zero.
 */
static void read_xdp_counters(int sock, const char *iface, struct net_counters *c)
{
	struct ethtool_drvinfo info = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr = {0};
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *values = NULL;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	ifr.ifr_data = (void *)&info;
	if (ioctl(sock, SIOCETHTOOL, &ifr) != 0 || info.n_stats == 0)
		return;
	names = calloc(1, sizeof(*names) + (size_t)info.n_stats * ETH_GSTRING_LEN);
	values = calloc(1, sizeof(*values) + (size_t)info.n_stats * sizeof(uint64_t));
	if (!names || !values)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = info.n_stats;
	ifr.ifr_data = (void *)names;
	if (ioctl(sock, SIOCETHTOOL, &ifr) != 0)
		goto out;
	values->cmd = ETHTOOL_GSTATS;
	values->n_stats = info.n_stats;
	ifr.ifr_data = (void *)values;
	if (ioctl(sock, SIOCETHTOOL, &ifr) != 0)
		goto out;
	for (uint32_t i = 0; i < info.n_stats; i++) {
		char name[ETH_GSTRING_LEN + 1];
		memcpy(name, names->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		name[ETH_GSTRING_LEN] = '\0';
		if (strncmp(name, "rx_queue_", strlen("rx_queue_")) != 0)
			continue;
		if (ends_with(name, "_xdp_packets"))
			c->xdp_runs += values->data[i];
		else if (ends_with(name, "_xdp_drops"))
			c->xdp_drop += values->data[i];
		else if (ends_with(name, "_xdp_tx"))
			c->xdp_tx += values->data[i];
		else if (ends_with(name, "_xdp_redirects"))
			c->xdp_redirect += values->data[i];
	}
out:
	free(names);
	free(values);
}

/*
 * One line in ukbpf's net-stats format (net/net.h). Linux has no separate
 * count of XDP_ABORTED (virtio_net counts it in xdp_drops) nor of frames
 * too large for XDP: those print as 0; xdp_pass is what ran and was
 * neither dropped, sent back nor redirected.
 */
static void print_net_stats(int sock, const char *iface)
{
	struct net_counters c = {
	    .rx = read_sysfs_counter(iface, "rx_packets"),
	    .rx_bytes = read_sysfs_counter(iface, "rx_bytes"),
	    .rx_bad = read_sysfs_counter(iface, "rx_errors"),
	    .tx = read_sysfs_counter(iface, "tx_packets"),
	    .tx_dropped = read_sysfs_counter(iface, "tx_dropped"),
	};
	read_xdp_counters(sock, iface, &c);
	uint64_t acted = c.xdp_drop + c.xdp_tx + c.xdp_redirect;
	uint64_t pass = c.xdp_runs > acted ? c.xdp_runs - acted : 0;

	printf("net-stats: t_ms=%" PRIu64 " rx=%" PRIu64 " rx_bytes=%" PRIu64 " rx_bad=%" PRIu64
	       " tx=%" PRIu64 " tx_dropped=%" PRIu64 " xdp_runs=%" PRIu64 " xdp_aborted=0"
	       " xdp_drop=%" PRIu64 " xdp_pass=%" PRIu64 " xdp_tx=%" PRIu64 " xdp_redirect=%" PRIu64
	       " xdp_oversized=0\n",
	       now_ns() / NS_PER_MS, c.rx, c.rx_bytes, c.rx_bad, c.tx, c.tx_dropped, c.xdp_runs,
	       c.xdp_drop, pass, c.xdp_tx, c.xdp_redirect);
	fflush(stdout);
}

/* Prints counters every stats_ms until duration_s has passed (forever if 0). */
static int report_until_done(const struct options *opt)
{
	uint64_t start = now_ns();
	uint64_t end = opt->duration_s ? start + opt->duration_s * NS_PER_SEC : UINT64_MAX;
	uint64_t period = opt->stats_ms ? opt->stats_ms * NS_PER_MS : end - start;
	uint64_t next = start + period;
	int sock = socket(AF_INET, SOCK_DGRAM, 0);

	if (sock < 0)
		return fail("cannot open a socket for ethtool: %s", strerror(errno));
	if (opt->stats_ms)
		print_net_stats(sock, opt->iface);
	for (;;) {
		uint64_t now = now_ns(), wake = next < end ? next : end;
		if (now < wake) {
			struct timespec ts = {.tv_sec = (time_t)((wake - now) / NS_PER_SEC),
					      .tv_nsec = (long)((wake - now) % NS_PER_SEC)};
			nanosleep(&ts, NULL);
			continue;
		}
		if (opt->stats_ms && now >= next) {
			print_net_stats(sock, opt->iface);
			/* On the period's grid, as net/net.c does: a late line shifts no other. */
			next += ((now - next) / period + 1) * period;
		}
		if (now >= end)
			break;
	}
	close(sock);
	return 0;
}

/* RFC 862: every datagram goes back to its sender as it came. Serves until killed. */
static int serve_udp_echo(unsigned long port)
{
	static uint8_t datagram[UDP_DATAGRAM_MAX];
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_ANY)};
	int sock = socket(AF_INET, SOCK_DGRAM, 0);

	if (sock < 0)
		return fail("cannot open a UDP socket: %s", strerror(errno));
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(sock);
		return fail("cannot bind UDP port %lu: %s", port, strerror(errno));
	}
	printf("xdp-loader: udp echo: listening on UDP port %lu\n", port);
	for (;;) {
		struct sockaddr_in from;
		socklen_t from_len = sizeof(from);
		ssize_t len = recvfrom(sock, datagram, sizeof(datagram), 0,
				       (struct sockaddr *)&from, &from_len);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			close(sock);
			return fail("receiving on UDP port %lu: %s", port, strerror(errno));
		}
		/* A reply that cannot go (no route, full queue) is lost, as UDP allows. */
		sendto(sock, datagram, (size_t)len, 0, (struct sockaddr *)&from, from_len);
	}
}

/* The stack alone on opt->iface: counters, no program. */
static int watch_without_program(const struct options *opt)
{
	if (!if_nametoindex(opt->iface))
		return fail("no interface %s: %s", opt->iface, strerror(errno));
	printf("xdp-loader: no program attached to %s\n", opt->iface);
	printf("xdp-loader: ready to process packets on %s\n", opt->iface);
	return report_until_done(opt);
}

/* libbpf's own warnings go to the console with our prefix. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fputs("xdp-loader: libbpf: ", stdout);
	return vprintf(fmt, ap);
}

/* Loads, times and attaches opt->objects[index] as the options say. */
static int run_object(struct options *opt, size_t index)
{
	struct bpf_object *obj = NULL;
	struct bpf_program *prog = NULL;
	unsigned ifindex = 0;
	int status;

	split_object_name(opt->objects[index], opt);
	status = load_program(opt, &obj, &prog);
	if (status)
		return status;
	if (opt->frame)
		status = test_run(opt, prog);
	if (!status && opt->iface) {
		status = attach(opt, prog, &ifindex);
		if (!status) {
			printf("xdp-loader: ready to process packets on %s\n", opt->iface);
			status = report_until_done(opt);
		}
	}
	bpf_object__close(obj);
	return status;
}

int main(int argc, char **argv)
{
	struct options opt = {0};
	int status, worst = 0;

	/* The console is a serial line read by the benchmarks: one line at a time. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	status = parse_options(argc, argv, &opt);
	if (status)
		return status;
	if (opt.udp_echo_port)
		return serve_udp_echo(opt.udp_echo_port);
	if (opt.object_count == 0)
		return watch_without_program(&opt);
	libbpf_set_print(print_libbpf);
	for (size_t i = 0; i < opt.object_count; i++) {
		status = run_object(&opt, i);
		if (status > worst)
			worst = status;
	}
	return worst;
}
