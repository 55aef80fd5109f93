/* The map the spin-lock reject cases use: hash values whose struct
 * bpf_spin_lock sits between two counters, as in accept/spin_lock.c. */
#ifndef LOCKED_COUNTERS_H
#define LOCKED_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 packets;
	struct bpf_spin_lock lock;
	__u32 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct counter);
} stats SEC(".maps");

#endif
