/*
 * netecho: a NIC driver's test app, through the netdev seam alone
 * (net/netdev.h; tests/system/test_virtio_net.py tests the virtio-net
 * driver with it). Probes every NIC, prints "netecho: ethN mac ..." for
 * each, then echoes every received frame back out of the NIC it came in on,
 * with source and destination MAC addresses swapped. A frame of
 * EtherType 0x88B5 (IEEE 802 local experimental) whose payload starts with
 * "quit" ends the loop; the per-device statistics are printed and the
 * exit status is 0.
 *   forward       send each frame, unchanged, out of the next device
 *                 instead (eth0 -> eth1 -> ... -> eth0)
 *   idle-exit MS  also end (status 0) after MS ms without a frame
 *   map-set MAP KEY VALUE
 *                 before the first frame, set KEY to VALUE (both u32) in the
 *                 map MAP of an attached program (kernel/bpf_boot.h), e.g. a
 *                 devmap slot to an ifindex (ethN is ifindex N + 1)
 *
 * Every other frame goes through the XDP hook (net/xdp_hook.h): with a
 * program attached at boot (scripts/run.sh --bpf) its verdict is carried
 * out, and XDP_PASS hands the frame, as the program left it, to the echo
 * above; without one every frame is echoed. The quit frame is looked at
 * first, so that a test ends whatever the program does. At exit one line
 * gives the hook's counters:
 *   netecho: xdp attached 0|1 runs N aborted N drop N pass N tx N redirect N
 *            invalid_action N redirect_unset N tx_failed N redirect_failed N
 *            oversized N run_ns N redirect_cpu N redirect_xsk N
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf_boot.h"
#include "netdev.h"
#include "xdp_hook.h"

#define NETECHO_RX_BUDGET	    64
#define NETECHO_TX_RETRY_NS	    1000000 /* how long a full TX ring may stall one frame */
#define ETH_ADDR_LEN		    6
#define ETH_HEADER_LEN		    14
#define ETH_TYPE_OFFSET		    12
#define ETH_TYPE_LOCAL_EXPERIMENTAL 0x88B5
#define QUIT_PAYLOAD		    "quit"
#define NS_PER_MS		    1000000ull

struct netecho {
	struct netdev *devs[NETDEV_MAX]; /* devs[i] has ifindex i + 1 */
	size_t count;
	bool forward;
	bool quit;
	uint64_t echoed[NETDEV_MAX];
};

struct rx_context {
	struct netecho *echo;
	size_t index;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool is_quit_frame(const uint8_t *frame, size_t len)
{
	return len >= ETH_HEADER_LEN + strlen(QUIT_PAYLOAD) &&
	       ((frame[ETH_TYPE_OFFSET] << 8) | frame[ETH_TYPE_OFFSET + 1]) ==
		   ETH_TYPE_LOCAL_EXPERIMENTAL &&
	       memcmp(frame + ETH_HEADER_LEN, QUIT_PAYLOAD, strlen(QUIT_PAYLOAD)) == 0;
}

static void on_frame(void *arg, uint8_t *frame, size_t len)
{
	struct rx_context *ctx = arg;
	struct netecho *echo = ctx->echo;

	struct netdev *out = echo->devs[ctx->index];
	if (echo->forward) {
		out = echo->devs[(ctx->index + 1) % echo->count];
	} else {
		/* The buffer is ours until we return: swap in place. */
		uint8_t tmp[ETH_ADDR_LEN];
		memcpy(tmp, frame, ETH_ADDR_LEN);
		memcpy(frame, frame + ETH_ADDR_LEN, ETH_ADDR_LEN);
		memcpy(frame + ETH_ADDR_LEN, tmp, ETH_ADDR_LEN);
	}
	/* A full ring drains as the device transmits: retry for a while, then drop. */
	netdev_transmit_retry(out, frame, len, NETECHO_TX_RETRY_NS);
	echo->echoed[ctx->index]++;
}

/* netdev_poll's callback: the quit frame, else the XDP hook, then on_frame. */
static void on_receive(void *arg, uint8_t *frame, size_t len)
{
	struct rx_context *ctx = arg;

	if (is_quit_frame(frame, len)) {
		ctx->echo->quit = true;
		return;
	}
	xdp_hook_receive(ctx->echo->devs[ctx->index], frame, len, on_frame, ctx);
}

static void print_xdp_stats(void)
{
	static const char *const action_names[XDP_HOOK_ACTIONS] = {
	    [EBPF_XDP_ABORTED] = "aborted",   [EBPF_XDP_DROP] = "drop",
	    [EBPF_XDP_PASS] = "pass",	      [EBPF_XDP_TX] = "tx",
	    [EBPF_XDP_REDIRECT] = "redirect",
	};
	struct xdp_hook_stats s;

	xdp_hook_get_stats(&s);
	printf("netecho: xdp attached %d runs %llu", xdp_hook_attached(),
	       (unsigned long long)s.runs);
	for (int a = 0; a < XDP_HOOK_ACTIONS; a++)
		printf(" %s %llu", action_names[a], (unsigned long long)s.actions[a]);
	printf(" invalid_action %llu redirect_unset %llu tx_failed %llu redirect_failed %llu "
	       "oversized %llu run_ns %llu redirect_cpu %llu redirect_xsk %llu\n",
	       (unsigned long long)s.invalid_action, (unsigned long long)s.redirect_unset,
	       (unsigned long long)s.tx_failed, (unsigned long long)s.redirect_failed,
	       (unsigned long long)s.oversized, (unsigned long long)s.run_ns,
	       (unsigned long long)s.redirect_cpu, (unsigned long long)s.redirect_xsk);
}

static void print_stats(const struct netecho *echo)
{
	for (size_t i = 0; i < echo->count; i++) {
		struct netdev_stats s;
		netdev_get_stats(echo->devs[i], &s);
		printf("netecho: %s echoed %llu rx_frames %llu rx_bytes %llu tx_frames %llu "
		       "tx_bytes %llu rx_dropped_bad %llu tx_dropped %llu device_errors %llu "
		       "interrupts %llu\n",
		       echo->devs[i]->name, (unsigned long long)echo->echoed[i],
		       (unsigned long long)s.rx_frames, (unsigned long long)s.rx_bytes,
		       (unsigned long long)s.tx_frames, (unsigned long long)s.tx_bytes,
		       (unsigned long long)s.rx_dropped_bad, (unsigned long long)s.tx_dropped,
		       (unsigned long long)s.device_errors, (unsigned long long)s.interrupts);
	}
}

/* map-set: the app's side of a program's map (Linux's bpf(BPF_MAP_UPDATE_ELEM)). */
static int set_map_entry(const char *name, const char *key_text, const char *value_text)
{
	struct ebpf_map *map = bpf_boot_find_map(name);
	char *key_end, *value_end;

	if (!map) {
		fprintf(stderr, "netecho: map-set: no attached program has a map %s\n", name);
		return -ENOENT;
	}
	const struct ebpf_map_def *def = ebpf_map_get_def(map);
	if (def->key_size != sizeof(uint32_t) || def->value_size != sizeof(uint32_t)) {
		fprintf(stderr,
			"netecho: map-set: map %s has %u-byte keys and %u-byte values, "
			"not 4 and 4\n",
			name, def->key_size, def->value_size);
		return -EINVAL;
	}
	uint32_t key = (uint32_t)strtoul(key_text, &key_end, 0);
	uint32_t value = (uint32_t)strtoul(value_text, &value_end, 0);
	if (*key_text == '\0' || *key_end || *value_text == '\0' || *value_end) {
		fprintf(stderr, "netecho: map-set %s: KEY and VALUE must be numbers, not %s %s\n",
			name, key_text, value_text);
		return -EINVAL;
	}
	int err = ebpf_map_update(map, &key, &value, EBPF_ANY);
	if (err)
		fprintf(stderr, "netecho: map-set %s %s %s: error %d\n", name, key_text, value_text,
			err);
	return err;
}

static int parse_args(struct netecho *echo, int argc, char **argv, uint64_t *idle_exit_ns)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "forward") == 0) {
			echo->forward = true;
		} else if (strcmp(argv[i], "idle-exit") == 0 && i + 1 < argc) {
			*idle_exit_ns = strtoull(argv[++i], NULL, 10) * NS_PER_MS;
		} else if (strcmp(argv[i], "map-set") == 0 && i + 3 < argc) {
			int err = set_map_entry(argv[i + 1], argv[i + 2], argv[i + 3]);
			if (err)
				return err;
			i += 3;
		} else {
			fprintf(stderr,
				"netecho: unknown argument %s (forward, idle-exit MS, "
				"map-set MAP KEY VALUE)\n",
				argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct netecho echo;
	struct rx_context contexts[NETDEV_MAX];
	uint64_t idle_exit_ns = 0;
	char why[128];

	if (parse_args(&echo, argc, argv, &idle_exit_ns) < 0)
		return 2;
	size_t found = netdev_probe_all(why, sizeof(why));
	if (why[0])
		printf("netecho: skipped a device: %s\n", why);
	if (found == 0) {
		printf("netecho: no virtio-net device\n");
		return 1;
	}
	for (size_t i = 0; i < found; i++) {
		struct netdev *dev = netdev_by_ifindex((uint32_t)i + 1);
		const uint8_t *mac = dev->mac;
		echo.devs[i] = dev;
		contexts[i] = (struct rx_context){&echo, i};
		echo.count++;
		printf("netecho: %s mac %02x:%02x:%02x:%02x:%02x:%02x\n", dev->name, mac[0], mac[1],
		       mac[2], mac[3], mac[4], mac[5]);
	}
	fflush(stdout);

	uint64_t last_frame = now_ns();
	while (!echo.quit) {
		size_t handled = 0;
		for (size_t i = 0; i < echo.count; i++)
			handled +=
			    netdev_poll(echo.devs[i], NETECHO_RX_BUDGET, on_receive, &contexts[i]);
		if (handled) {
			last_frame = now_ns();
			continue;
		}
		uint64_t deadline = idle_exit_ns ? last_frame + idle_exit_ns : UINT64_MAX;
		if (now_ns() >= deadline) {
			printf("netecho: idle for %llu ms, exiting\n",
			       (unsigned long long)(idle_exit_ns / NS_PER_MS));
			break;
		}
		netdev_wait(deadline);
	}
	print_stats(&echo);
	print_xdp_stats();
	return 0;
}
