/*
 * Host implementation of struct ebpf_platform. JIT memory is mapped
 * writable, then sealed read+execute, so it is never writable and
 * executable at once.
 *
 * The network is the host's own, as BPF_PROG_TEST_RUN sees it: a frame
 * arrives on the loopback device (ifindex 1), and devices, their MTUs
 * and forwarding switches are read from the current network namespace.
 * Routes and neighbours are not: a bpf_fib_lookup that gets past
 * forwarding (disabled by default, as on most hosts) finds no route.
 *
 * sock_lookup stays NULL: a host process has no sockets of the guest's to
 * show a program (host_platform.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ebpf.h"
#include "host_platform.h"

#define NSEC_PER_SEC 1000000000ull

static void *host_exec_alloc(size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return mem == MAP_FAILED ? NULL : mem;
}

static int host_exec_seal(void *mem, size_t size)
{
	return mprotect(mem, size, PROT_READ | PROT_EXEC) == 0 ? 0 : -errno;
}

static void host_exec_free(void *mem, size_t size)
{
	munmap(mem, size);
}

static uint64_t host_ktime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
}

static void host_trace_write(const char *text, size_t len)
{
	fwrite(text, 1, len, stderr);
}

static uint32_t host_random_u32(void)
{
	uint32_t value = 0;

	/* Only a kernel without getrandom(2) fails here; a clock value still varies. */
	if (getrandom(&value, sizeof(value), 0) != sizeof(value))
		value = (uint32_t)host_ktime_ns();
	return value;
}

/* net.ipv4.conf.NAME.forwarding and its IPv6 twin: false when unreadable. */
static bool host_forwarding(const char *family, const char *name)
{
	char path[128];
	int enabled = 0;
	FILE *file;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", family, name);
	file = fopen(path, "r");
	if (!file)
		return false;
	if (fscanf(file, "%d", &enabled) != 1)
		enabled = 0;
	fclose(file);
	return enabled;
}

/* Linux's ETH_HLEN: Ethernet and loopback devices both have it as hard_header_len. */
#define ETH_HEADER_LEN 14

static int host_netdev_get(uint32_t ifindex, struct ebpf_netdev *dev)
{
	struct ifreq ifr = {0};
	int sock, mtu_err, mac_err;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -ENODEV;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -ENODEV;
	*dev = (struct ebpf_netdev){.ifindex = ifindex, .hard_header_len = ETH_HEADER_LEN};
	mtu_err = ioctl(sock, SIOCGIFMTU, &ifr);
	dev->mtu = (uint32_t)ifr.ifr_mtu;
	mac_err = ioctl(sock, SIOCGIFHWADDR, &ifr);
	memcpy(dev->mac, ifr.ifr_hwaddr.sa_data, sizeof(dev->mac));
	close(sock);
	if (mtu_err || mac_err)
		return -ENODEV;
	dev->ipv4_forwarding = host_forwarding("ipv4", ifr.ifr_name);
	dev->ipv6_forwarding = host_forwarding("ipv6", ifr.ifr_name);
	return 0;
}

void host_platform_install(void)
{
	static const struct ebpf_platform host_platform = {
	    .exec_alloc = host_exec_alloc,
	    .exec_seal = host_exec_seal,
	    .exec_free = host_exec_free,
	    .ktime_ns = host_ktime_ns,
	    .trace_write = host_trace_write,
	    .random_u32 = host_random_u32,
	    .netdev_get = host_netdev_get,
	};

	ebpf_set_platform(&host_platform);
}
