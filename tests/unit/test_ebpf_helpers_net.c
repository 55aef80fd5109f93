/*
 * The helpers that ask the network and the newer base helpers, called
 * through the helper table against a fake platform: bpf_check_mtu and
 * bpf_fib_lookup with Linux 6.1's semantics (flags, result codes, the
 * fields they write), bpf_jiffies64, bpf_trace_vprintk and
 * bpf_map_lookup_percpu_elem.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "ebpf_internal.h"

static uint64_t call(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct ebpf_helper *helper = ebpf_helper_find(id);

	assert_non_null(helper);
	assert_non_null(helper->fn);
	return helper->fn(r1, r2, r3, r4, r5);
}

static uint64_t reg(const void *ptr)
{
	return (uintptr_t)ptr;
}

static uint64_t err_reg(int err)
{
	return (uint64_t)(int64_t)err;
}

/* ---- fake platform: two Ethernet devices, a route table and neighbours ------------ */

#define IF_A	 2 /* 10.0.1.1/24, receives the frames */
#define IF_B	 3 /* 10.0.2.1/24, 1400 bytes MTU */
#define MTU_A	 1500
#define MTU_B	 1400
#define ETH_HLEN 14

static const uint8_t mac_a[6] = {0x52, 0x54, 0, 0, 0, 0xa};
static const uint8_t mac_b[6] = {0x52, 0x54, 0, 0, 0, 0xb};
static const uint8_t mac_host[6] = {0x02, 0, 0, 0, 0x02, 0x07};
static const uint8_t mac_router[6] = {0x02, 0, 0, 0, 0x02, 0xfe};
static bool forwarding = true;
static struct ebpf_route_query last_query;

static int fake_netdev_get(uint32_t ifindex, struct ebpf_netdev *dev)
{
	if (ifindex != IF_A && ifindex != IF_B)
		return -ENODEV;
	*dev = (struct ebpf_netdev){
	    .ifindex = ifindex,
	    .mtu = ifindex == IF_A ? MTU_A : MTU_B,
	    .hard_header_len = ETH_HLEN,
	    .ipv4_forwarding = forwarding,
	    .ipv6_forwarding = false,
	};
	memcpy(dev->mac, ifindex == IF_A ? mac_a : mac_b, 6);
	return 0;
}

static uint32_t ipv4(const char *text)
{
	struct in_addr addr;

	assert_int_equal(inet_pton(AF_INET, text, &addr), 1);
	return addr.s_addr;
}

/*
 * 10.0.2.0/24 on IF_B; 10.9.0.0/16 through the router 10.0.2.254;
 * 10.6.0.0/16 unreachable, 10.7.0.0/16 blackholed; 10.0.1.1 local.
 */
static enum ebpf_route_type fake_route_lookup(const struct ebpf_route_query *query,
					      struct ebpf_route *route)
{
	uint32_t dst;

	last_query = *query;
	memcpy(&dst, query->dst, sizeof(dst));
	if (dst == ipv4("10.0.1.1"))
		return EBPF_ROUTE_LOCAL;
	if ((dst & htonl(0xffff0000)) == ipv4("10.6.0.0"))
		return EBPF_ROUTE_UNREACHABLE;
	if ((dst & htonl(0xffff0000)) == ipv4("10.7.0.0"))
		return EBPF_ROUTE_BLACKHOLE;
	*route = (struct ebpf_route){.ifindex = IF_B, .metric = 5, .mtu = MTU_B};
	if ((dst & htonl(0xffff0000)) == ipv4("10.9.0.0")) {
		uint32_t gateway = ipv4("10.0.2.254");

		route->gateway_family = EBPF_AF_INET;
		memcpy(route->gateway, &gateway, sizeof(gateway));
		return EBPF_ROUTE_UNICAST;
	}
	if ((dst & htonl(0xffffff00)) == ipv4("10.0.2.0"))
		return EBPF_ROUTE_UNICAST;
	return EBPF_ROUTE_NONE;
}

/* 10.0.2.7 and the router 10.0.2.254 are known on IF_B; 10.0.2.8 is not. */
static bool fake_neigh_lookup(uint8_t family, uint32_t ifindex, const uint8_t *addr,
			      uint8_t mac[EBPF_ETH_ALEN])
{
	uint32_t ip;

	memcpy(&ip, addr, sizeof(ip));
	if (family != EBPF_AF_INET || ifindex != IF_B)
		return false;
	if (ip == ipv4("10.0.2.7"))
		memcpy(mac, mac_host, 6);
	else if (ip == ipv4("10.0.2.254"))
		memcpy(mac, mac_router, 6);
	else
		return false;
	return true;
}

static uint64_t fake_clock_ns;
static char trace_text[1024];

static uint64_t fake_ktime(void)
{
	return fake_clock_ns;
}

static void fake_trace_write(const char *text, size_t len)
{
	assert_true(len < sizeof(trace_text));
	memcpy(trace_text, text, len);
	trace_text[len] = '\0';
}

/* BPF_PROG_TEST_RUN's layout: a page, the frame 256 bytes in, received on IF_A. */
#define FRAME_LEN 100

static uint8_t *page;
static struct ebpf_xdp_buff xb;

static int setup(void **state)
{
	const struct ebpf_platform platform = {
	    .ktime_ns = fake_ktime,
	    .trace_write = fake_trace_write,
	    .netdev_get = fake_netdev_get,
	    .route_lookup = fake_route_lookup,
	    .neigh_lookup = fake_neigh_lookup,
	};

	ebpf_set_platform(&platform);
	forwarding = true;
	page = mmap(NULL, EBPF_XDP_FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(page != MAP_FAILED);
	assert_int_equal(ebpf_xdp_init(&xb, page, page + EBPF_XDP_FRAME_SIZE,
				       page + EBPF_XDP_HEADROOM, FRAME_LEN, IF_A, 0),
			 0);
	return 0;
}

static int teardown(void **state)
{
	munmap(page, EBPF_XDP_FRAME_SIZE);
	return 0;
}

/* ---- bpf_check_mtu -------------------------------------------------------------- */

static uint64_t check_mtu(uint32_t ifindex, uint32_t *mtu_len, int32_t len_diff, uint64_t flags)
{
	return call(BPF_FUNC_check_mtu, reg(&xb), ifindex, reg(mtu_len),
		    (uint64_t)(int64_t)len_diff, flags);
}

static void test_check_mtu_frame_length(void **state)
{
	uint32_t mtu_len = 0;

	/* ifindex 0: the receiving device; the frame's 100 bytes fit 1500 + 14. */
	assert_int_equal(check_mtu(0, &mtu_len, 0, 0), BPF_MTU_CHK_RET_SUCCESS);
	assert_int_equal(mtu_len, MTU_A);
	/* len_diff grows the frame: exactly MTU + L2 header still fits. */
	mtu_len = 0;
	assert_int_equal(check_mtu(0, &mtu_len, MTU_A + ETH_HLEN - FRAME_LEN, 0),
			 BPF_MTU_CHK_RET_SUCCESS);
	mtu_len = 0;
	assert_int_equal(check_mtu(0, &mtu_len, MTU_A + ETH_HLEN - FRAME_LEN + 1, 0),
			 BPF_MTU_CHK_RET_FRAG_NEEDED);
	assert_int_equal(mtu_len, MTU_A);
	/* Another device by ifindex: its MTU. */
	mtu_len = 0;
	assert_int_equal(check_mtu(IF_B, &mtu_len, MTU_B + ETH_HLEN - FRAME_LEN + 1, 0),
			 BPF_MTU_CHK_RET_FRAG_NEEDED);
	assert_int_equal(mtu_len, MTU_B);
	/* A negative len_diff shrinks. */
	mtu_len = 0;
	assert_int_equal(check_mtu(0, &mtu_len, -FRAME_LEN, 0), BPF_MTU_CHK_RET_SUCCESS);
}

static void test_check_mtu_input_length(void **state)
{
	/* A non-zero *mtu_len is an L3 length, checked in place of the frame's. */
	uint32_t mtu_len = MTU_A;

	assert_int_equal(check_mtu(0, &mtu_len, 0, 0), BPF_MTU_CHK_RET_SUCCESS);
	mtu_len = MTU_A + 1;
	assert_int_equal(check_mtu(0, &mtu_len, 0, 0), BPF_MTU_CHK_RET_FRAG_NEEDED);
	assert_int_equal(mtu_len, MTU_A);
	mtu_len = MTU_A + 1;
	assert_int_equal(check_mtu(0, &mtu_len, -1, 0), BPF_MTU_CHK_RET_SUCCESS);
}

static void test_check_mtu_errors(void **state)
{
	uint32_t mtu_len = 77;

	/* XDP has no segment check: BPF_MTU_CHK_SEGS, like any flag, is -EINVAL. */
	assert_int_equal(check_mtu(0, &mtu_len, 0, BPF_MTU_CHK_SEGS), err_reg(-EINVAL));
	assert_int_equal(check_mtu(0, &mtu_len, 0, 1ull << 40), err_reg(-EINVAL));
	assert_int_equal(check_mtu(99, &mtu_len, 0, 0), err_reg(-ENODEV));
	assert_int_equal(mtu_len, 77); /* untouched on an error */
}

/* ---- bpf_fib_lookup ------------------------------------------------------------- */

static struct bpf_fib_lookup ipv4_params(const char *dst, uint16_t tot_len)
{
	struct bpf_fib_lookup params = {
	    .family = AF_INET,
	    .l4_protocol = 17,
	    .tot_len = tot_len,
	    .ifindex = IF_A,
	    .tos = 0xff,
	    .ipv4_src = ipv4("10.0.1.9"),
	    .ipv4_dst = ipv4(dst),
	};
	return params;
}

static int64_t fib(struct bpf_fib_lookup *params, uint64_t plen, uint64_t flags)
{
	return (int64_t)call(BPF_FUNC_fib_lookup, reg(&xb), reg(params), plen, flags, 0);
}

static void test_fib_lookup_forwards_on_link(void **state)
{
	struct bpf_fib_lookup params = ipv4_params("10.0.2.7", 200);

	assert_int_equal(sizeof(params), 64);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_SUCCESS);
	assert_int_equal(params.ifindex, IF_B);
	assert_memory_equal(params.smac, mac_b, 6);
	assert_memory_equal(params.dmac, mac_host, 6);
	assert_int_equal(params.mtu_result, MTU_B);
	assert_int_equal(params.rt_metric, 5);
	assert_int_equal(params.ipv4_dst, ipv4("10.0.2.7"));
	assert_int_equal(params.family, AF_INET);
	/* The query: input device, TOS masked as Linux's IPTOS_RT_MASK, no flags. */
	assert_int_equal(last_query.ifindex, IF_A);
	assert_int_equal(last_query.tos, 0x1c);
	assert_false(last_query.output);
	assert_false(last_query.direct);
	params = ipv4_params("10.0.2.7", 200);
	assert_int_equal(
	    fib(&params, sizeof(params), BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT),
	    BPF_FIB_LKUP_RET_SUCCESS);
	assert_true(last_query.output);
	assert_true(last_query.direct);
}

static void test_fib_lookup_through_gateway(void **state)
{
	struct bpf_fib_lookup params = ipv4_params("10.9.3.4", 0);

	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_SUCCESS);
	/* The next hop replaces the destination; its MAC is the router's. */
	assert_int_equal(params.ipv4_dst, ipv4("10.0.2.254"));
	assert_memory_equal(params.dmac, mac_router, 6);
}

static void test_fib_lookup_results(void **state)
{
	struct bpf_fib_lookup params = ipv4_params("10.0.2.8", 0);

	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_NO_NEIGH);
	assert_int_equal(params.ifindex, IF_B); /* Linux fills it before the neighbour */
	params = ipv4_params("10.6.0.1", 0);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_UNREACHABLE);
	params = ipv4_params("10.7.0.1", 0);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_BLACKHOLE);
	params = ipv4_params("10.0.1.1", 0);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_NOT_FWDED);
	params = ipv4_params("192.0.2.1", 0);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_NOT_FWDED);
	/* tot_len above the path's MTU: FRAG_NEEDED, mtu_result says the MTU. */
	params = ipv4_params("10.0.2.7", MTU_B + 1);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_FRAG_NEEDED);
	assert_int_equal(params.mtu_result, MTU_B);
	assert_int_equal(params.ifindex, IF_A);
	forwarding = false;
	params = ipv4_params("10.0.2.7", 0);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_FWD_DISABLED);
	/* IPv6 link-local is never forwarded, before the device is looked at. */
	params = (struct bpf_fib_lookup){.family = AF_INET6, .ifindex = 99};
	params.ipv6_dst[0] = htonl(0xfe800000);
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_NOT_FWDED);
	params.ipv6_dst[0] = htonl(0x20010db8);
	assert_int_equal(fib(&params, sizeof(params), 0), err_reg(-ENODEV));
	params.ifindex = IF_A;
	assert_int_equal(fib(&params, sizeof(params), 0), BPF_FIB_LKUP_RET_FWD_DISABLED);
}

static void test_fib_lookup_errors(void **state)
{
	struct bpf_fib_lookup params = ipv4_params("10.0.2.7", 0);
	struct bpf_fib_lookup before = params;

	assert_int_equal(fib(&params, sizeof(params) - 1, 0), err_reg(-EINVAL));
	assert_int_equal(fib(&params, sizeof(params), 1u << 2), err_reg(-EINVAL));
	params.family = 17;
	assert_int_equal(fib(&params, sizeof(params), 0), err_reg(-EAFNOSUPPORT));
	params = before;
	params.ifindex = 99;
	assert_int_equal(fib(&params, sizeof(params), 0), err_reg(-ENODEV));
	params = before;
	assert_int_equal(fib(&params, sizeof(params) - 1, 0), err_reg(-EINVAL));
	assert_memory_equal(&params, &before, sizeof(params));
}

/* ---- base helpers ----------------------------------------------------------------- */

static void test_jiffies64_counts_ticks_of_the_clock(void **state)
{
	fake_clock_ns = 0;
	assert_int_equal(call(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0), 0);
	fake_clock_ns = 3999999; /* HZ 250: a tick is 4 ms */
	assert_int_equal(call(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0), 0);
	fake_clock_ns = 10000000000ull;
	assert_int_equal(call(BPF_FUNC_jiffies64, 0, 0, 0, 0, 0), 2500);
}

static int64_t vprintk(const char *fmt, const uint64_t *args, uint32_t size)
{
	trace_text[0] = '\0';
	return (int64_t)call(BPF_FUNC_trace_vprintk, reg(fmt), strlen(fmt) + 1, reg(args), size, 0);
}

static void test_trace_vprintk(void **state)
{
	const uint64_t args[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (uint64_t)-12, 13};
	const char *twelve = "%d %d %d %d %d %d %d %d %d %d %d %lld\n";

	assert_int_equal(vprintk(twelve, args, 12 * 8), strlen("1 2 3 4 5 6 7 8 9 10 11 -12\n"));
	assert_string_equal(trace_text, "1 2 3 4 5 6 7 8 9 10 11 -12\n");
	assert_int_equal(vprintk("none\n", NULL, 0), 5);
	assert_string_equal(trace_text, "none\n");
	/* More conversions than arguments, a size not of u64s, above 12, NULL with a size. */
	assert_int_equal(vprintk("%d %d\n", args, 8), err_reg(-EINVAL));
	assert_int_equal(vprintk("%d\n", args, 4), err_reg(-EINVAL));
	assert_int_equal(vprintk("%d\n", args, 13 * 8), err_reg(-EINVAL));
	assert_int_equal(vprintk("%d\n", NULL, 8), err_reg(-EINVAL));
	assert_string_equal(trace_text, "");
}

static void test_map_lookup_percpu_elem(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, 0};
	struct ebpf_map *map;
	uint32_t key = 2, past = 4;
	uint64_t value = 99, *found;

	assert_int_equal(ebpf_map_create(&def, "pcpu", &map, NULL), 0);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	found = (uint64_t *)(uintptr_t)call(BPF_FUNC_map_lookup_percpu_elem, reg(map), reg(&key), 0,
					    0, 0);
	assert_non_null(found);
	assert_int_equal(*found, 99);
	/* ukbpf has one CPU: any other is one that does not exist. */
	assert_int_equal(call(BPF_FUNC_map_lookup_percpu_elem, reg(map), reg(&key), 1, 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_map_lookup_percpu_elem, reg(map), reg(&past), 0, 0, 0), 0);
	ebpf_map_free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_check_mtu_frame_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_mtu_input_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_mtu_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fib_lookup_forwards_on_link, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fib_lookup_through_gateway, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fib_lookup_results, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fib_lookup_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_jiffies64_counts_ticks_of_the_clock, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_trace_vprintk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_lookup_percpu_elem, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
