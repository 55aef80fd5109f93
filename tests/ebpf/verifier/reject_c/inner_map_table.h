/* The outer map the map-in-map reject cases look up: an array of maps
 * whose inner maps are one-value arrays (value_size 8). */
#ifndef INNER_MAP_TABLE_H
#define INNER_MAP_TABLE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct one_value {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct one_value);
} outer SEC(".maps") = {
    .values = {[0] = &inner},
};

#endif
