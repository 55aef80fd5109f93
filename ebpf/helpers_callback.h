/*
 * Private to ebpf/: the helpers that call back into the program
 * (helpers_callback.c), for helpers.c's table, and the map types
 * bpf_for_each_map_elem walks, for the verifier.
 */
#ifndef UKBPF_EBPF_HELPERS_CALLBACK_H
#define UKBPF_EBPF_HELPERS_CALLBACK_H

#include <stdbool.h>
#include <stdint.h>

/* Linux's BPF_MAX_LOOPS: bpf_loop refuses more iterations with -E2BIG. */
#define EBPF_MAX_LOOPS (1u << 23)

uint64_t ebpf_helper_loop(uint64_t nr_loops, uint64_t callback, uint64_t callback_ctx,
			  uint64_t flags, uint64_t r5);
uint64_t ebpf_helper_for_each_map_elem(uint64_t map, uint64_t callback, uint64_t callback_ctx,
				       uint64_t flags, uint64_t r5);

/* Whether bpf_for_each_map_elem takes maps of this type (Linux: map_for_each_callback). */
bool ebpf_map_type_has_for_each(uint32_t map_type);

#endif /* UKBPF_EBPF_HELPERS_CALLBACK_H */
