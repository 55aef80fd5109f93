/* The map the map-value reject cases index: one u64 value (value_size 8),
 * so each case's out-of-bounds offset is easy to read. */
#ifndef ONE_VALUE_TABLE_H
#define ONE_VALUE_TABLE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

#endif
