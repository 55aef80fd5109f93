/*
 * netecho: the virtio-net driver's test app (tests/system/test_virtio_net.py).
 * Probes every virtio-net device, prints "netecho: ethN mac ..." for each,
 * then echoes every received frame back out of the device it came in on,
 * with source and destination MAC addresses swapped. A frame of
 * EtherType 0x88B5 (IEEE 802 local experimental) whose payload starts with
 * "quit" ends the loop; the per-device statistics are printed and the
 * exit status is 0.
 *   forward       send each frame, unchanged, out of the next device
 *                 instead (eth0 -> eth1 -> ... -> eth0)
 *   idle-exit MS  also end (status 0) after MS ms without a frame
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio_net.h"

#define NETECHO_MAX_DEVICES	    8
#define NETECHO_RX_BUDGET	    64
#define NETECHO_TX_RETRY_NS	    1000000 /* how long a full TX ring may stall one frame */
#define ETH_ADDR_LEN		    6
#define ETH_HEADER_LEN		    14
#define ETH_TYPE_OFFSET		    12
#define ETH_TYPE_LOCAL_EXPERIMENTAL 0x88B5
#define QUIT_PAYLOAD		    "quit"
#define NS_PER_MS		    1000000ull

struct netecho {
	struct virtio_net *devs[NETECHO_MAX_DEVICES];
	size_t count;
	bool forward;
	bool quit;
	uint64_t echoed[NETECHO_MAX_DEVICES];
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

/* A full ring drains as the device transmits: retry for a while, then drop. */
static void send_frame(struct virtio_net *dev, const uint8_t *frame, size_t len)
{
	uint64_t give_up = 0;

	while (virtio_net_tx(dev, frame, len) == -EAGAIN) {
		uint64_t now = now_ns();
		if (!give_up)
			give_up = now + NETECHO_TX_RETRY_NS;
		else if (now >= give_up)
			return;
	}
}

static void on_frame(void *arg, uint8_t *frame, size_t len)
{
	struct rx_context *ctx = arg;
	struct netecho *echo = ctx->echo;

	if (is_quit_frame(frame, len)) {
		echo->quit = true;
		return;
	}
	struct virtio_net *out = echo->devs[ctx->index];
	if (echo->forward) {
		out = echo->devs[(ctx->index + 1) % echo->count];
	} else {
		/* The buffer is ours until we return: swap in place. */
		uint8_t tmp[ETH_ADDR_LEN];
		memcpy(tmp, frame, ETH_ADDR_LEN);
		memcpy(frame, frame + ETH_ADDR_LEN, ETH_ADDR_LEN);
		memcpy(frame + ETH_ADDR_LEN, tmp, ETH_ADDR_LEN);
	}
	send_frame(out, frame, len);
	echo->echoed[ctx->index]++;
}

static void print_stats(const struct netecho *echo)
{
	for (size_t i = 0; i < echo->count; i++) {
		struct virtio_net_stats s;
		virtio_net_get_stats(echo->devs[i], &s);
		printf("netecho: eth%zu echoed %llu rx_frames %llu rx_bytes %llu tx_frames %llu "
		       "tx_bytes %llu rx_dropped_bad %llu tx_dropped %llu device_errors %llu "
		       "interrupts %llu\n",
		       i, (unsigned long long)echo->echoed[i], (unsigned long long)s.rx_frames,
		       (unsigned long long)s.rx_bytes, (unsigned long long)s.tx_frames,
		       (unsigned long long)s.tx_bytes, (unsigned long long)s.rx_dropped_bad,
		       (unsigned long long)s.tx_dropped, (unsigned long long)s.device_errors,
		       (unsigned long long)s.interrupts);
	}
}

static int parse_args(struct netecho *echo, int argc, char **argv, uint64_t *idle_exit_ns)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "forward") == 0) {
			echo->forward = true;
		} else if (strcmp(argv[i], "idle-exit") == 0 && i + 1 < argc) {
			*idle_exit_ns = strtoull(argv[++i], NULL, 10) * NS_PER_MS;
		} else {
			fprintf(stderr, "netecho: unknown argument %s (forward, idle-exit MS)\n",
				argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct netecho echo;
	struct rx_context contexts[NETECHO_MAX_DEVICES];
	uint64_t idle_exit_ns = 0;
	char why[128];

	if (parse_args(&echo, argc, argv, &idle_exit_ns) < 0)
		return 2;
	size_t found = virtio_net_probe_all(why, sizeof(why));
	if (why[0])
		printf("netecho: skipped a device: %s\n", why);
	if (found == 0) {
		printf("netecho: no virtio-net device\n");
		return 1;
	}
	for (size_t i = 0; i < found && echo.count < NETECHO_MAX_DEVICES; i++) {
		uint8_t mac[VIRTIO_NET_MAC_LEN];
		echo.devs[i] = virtio_net_get(i);
		contexts[i] = (struct rx_context){&echo, i};
		echo.count++;
		virtio_net_mac(echo.devs[i], mac);
		printf("netecho: eth%zu mac %02x:%02x:%02x:%02x:%02x:%02x\n", i, mac[0], mac[1],
		       mac[2], mac[3], mac[4], mac[5]);
	}
	fflush(stdout);

	uint64_t last_frame = now_ns();
	while (!echo.quit) {
		size_t handled = 0;
		for (size_t i = 0; i < echo.count; i++)
			handled += virtio_net_poll_rx(echo.devs[i], NETECHO_RX_BUDGET, on_frame,
						      &contexts[i]);
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
		virtio_net_wait(echo.devs, echo.count, deadline);
	}
	print_stats(&echo);
	return 0;
}
