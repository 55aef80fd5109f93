/*
 * Native C twins of the programs in bench/ebpf/, statement for statement where C
 * allows, so that the benchmark compares engines, not algorithms. XDP
 * verdicts are Linux's enum xdp_action values.
 */
#include "programs.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <stddef.h>
#include <string.h>

enum {
	XDP_DROP = 1,
	XDP_PASS = 2,
};

#define BLOCKED_UDP_PORT 53
/* IHL counts 32-bit words (RFC 791 §3.1). */
#define IPV4_IHL_UNIT 4

#define LOOP_BYTES  64
#define HASH_ROTATE 5
#define HASH_BITS   32
#define RESULT_MASK 0xffff

/* Twin of bench/ebpf/empty.c. */
static uint64_t native_empty(const struct native_packet *pkt)
{
	return XDP_PASS;
}

/* Twin of bench/ebpf/drop_ipv4.c. */
static uint64_t native_drop_ipv4(const struct native_packet *pkt)
{
	const struct ethhdr *eth = (const void *)pkt->data;

	if ((const void *)(eth + 1) > (const void *)pkt->data_end)
		return XDP_PASS;
	return eth->h_proto == htons(ETH_P_IP) ? XDP_DROP : XDP_PASS;
}

/* Twin of bench/ebpf/parse_udp.c. */
static uint64_t native_parse_udp(const struct native_packet *pkt)
{
	const void *data_end = pkt->data_end;
	const struct ethhdr *eth = (const void *)pkt->data;
	const struct iphdr *ip;
	const struct udphdr *udp;

	if ((const void *)(eth + 1) > data_end || eth->h_proto != htons(ETH_P_IP))
		return XDP_PASS;
	ip = (const void *)(eth + 1);
	if ((const void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP ||
	    ip->ihl < sizeof(*ip) / IPV4_IHL_UNIT)
		return XDP_PASS;
	udp = (const void *)((const uint8_t *)ip + ip->ihl * IPV4_IHL_UNIT);
	if ((const void *)(udp + 1) > data_end)
		return XDP_PASS;
	return udp->dest == htons(BLOCKED_UDP_PORT) ? XDP_DROP : XDP_PASS;
}

/* Twin of bench/ebpf/loop64.c; gcc -O2 keeps it a loop as well. */
static uint64_t native_loop64(const struct native_packet *pkt)
{
	const uint8_t *data = pkt->data;
	uint32_t hash = 0;
	int i;

	if (data + LOOP_BYTES > pkt->data_end)
		return XDP_PASS;
	for (i = 0; i < LOOP_BYTES; i++)
		hash = ((hash << HASH_ROTATE) | (hash >> (HASH_BITS - HASH_ROTATE))) ^ data[i];
	return hash & RESULT_MASK;
}

/*
 * Twin of bench/ebpf/hash_counter.c: an open-addressing (linear probing)
 * table of the BPF map's capacity, with a multiplicative hash. Simpler
 * than a general-purpose map (no deletion, no locking), which is the point
 * of a native baseline: what the job costs without a runtime around it.
 */
#define MAX_SOURCES 1024 /* a power of two: the hash picks the slot by mask */
/* Knuth's multiplicative constant, 2^32 / golden ratio. */
#define FIBONACCI_MULTIPLIER 2654435769u

struct source_slot {
	uint32_t saddr;
	int used;
	uint64_t count;
};

static struct source_slot packets_by_source[MAX_SOURCES];

/* The slot holding saddr, or the empty slot where it belongs; NULL when full. */
static struct source_slot *source_slot_find(uint32_t saddr)
{
	uint32_t start = (saddr * FIBONACCI_MULTIPLIER) & (MAX_SOURCES - 1);
	uint32_t probe;

	for (probe = 0; probe < MAX_SOURCES; probe++) {
		struct source_slot *slot = &packets_by_source[(start + probe) & (MAX_SOURCES - 1)];

		if (!slot->used || slot->saddr == saddr)
			return slot;
	}
	return NULL;
}

static uint64_t native_hash_counter(const struct native_packet *pkt)
{
	const struct ethhdr *eth = (const void *)pkt->data;
	const struct iphdr *ip = (const void *)(eth + 1);
	struct source_slot *slot;
	uint32_t saddr;

	if ((const void *)(ip + 1) > (const void *)pkt->data_end || eth->h_proto != htons(ETH_P_IP))
		return XDP_PASS;
	/* The header may be unaligned (it follows 14 bytes of Ethernet). */
	memcpy(&saddr, &ip->saddr, sizeof(saddr));
	slot = source_slot_find(saddr);
	if (slot && slot->used) {
		__atomic_fetch_add(&slot->count, 1, __ATOMIC_SEQ_CST);
	} else if (slot) {
		slot->saddr = saddr;
		slot->count = 1;
		slot->used = 1;
	}
	return XDP_PASS;
}

/* The classic row: libpcap's own interpreter, which is what tcpdump runs in user space. */
static uint64_t native_cbpf(const struct native_packet *pkt)
{
	return bpf_filter(pkt->cbpf, pkt->data, pkt->wirelen,
			  (unsigned int)(pkt->data_end - pkt->data));
}

static const struct {
	const char *name;
	native_program_fn fn;
} native_programs[] = {
    {"empty", native_empty},
    {"drop_ipv4", native_drop_ipv4},
    {"parse_udp", native_parse_udp},
    {"loop64", native_loop64},
    {"hash_counter", native_hash_counter},
    {"cbpf", native_cbpf},
};

native_program_fn native_program_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(native_programs) / sizeof(native_programs[0]); i++)
		if (strcmp(native_programs[i].name, name) == 0)
			return native_programs[i].fn;
	return NULL;
}
