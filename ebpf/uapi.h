/*
 * Linux's numbers that ebpf/ uses inside but does not export: helper ids
 * (BPF_FUNC_* of include/uapi/linux/bpf.h) and map and helper flags (BPF_F_*).
 * Objects built for Linux carry these numbers, so they are Linux's
 * exactly; tests/unit/test_ebpf_helpers.c checks the helper ids against
 * <linux/bpf.h>. Private to ebpf/.
 */
#ifndef UKBPF_EBPF_UAPI_H
#define UKBPF_EBPF_UAPI_H

/* The helpers ukbpf offers (helpers.c), by Linux's BPF_FUNC_* number. */
enum ebpf_func_id {
	EBPF_FUNC_MAP_LOOKUP_ELEM = 1,
	EBPF_FUNC_MAP_UPDATE_ELEM = 2,
	EBPF_FUNC_MAP_DELETE_ELEM = 3,
	EBPF_FUNC_KTIME_GET_NS = 5,
	EBPF_FUNC_TRACE_PRINTK = 6,
	EBPF_FUNC_GET_PRANDOM_U32 = 7,
	EBPF_FUNC_GET_SMP_PROCESSOR_ID = 8,
	EBPF_FUNC_TAIL_CALL = 12, /* carried out by the interpreter and the JIT */
	EBPF_FUNC_REDIRECT = 23,
	EBPF_FUNC_PERF_EVENT_OUTPUT = 25,
	EBPF_FUNC_CSUM_DIFF = 28,
	EBPF_FUNC_XDP_ADJUST_HEAD = 44,
	EBPF_FUNC_REDIRECT_MAP = 51,
	EBPF_FUNC_XDP_ADJUST_META = 54,
	EBPF_FUNC_XDP_ADJUST_TAIL = 65,
	EBPF_FUNC_MAP_PUSH_ELEM = 87,
	EBPF_FUNC_MAP_POP_ELEM = 88,
	EBPF_FUNC_MAP_PEEK_ELEM = 89,
	EBPF_FUNC_SPIN_LOCK = 93,
	EBPF_FUNC_SPIN_UNLOCK = 94,
	EBPF_FUNC_KTIME_GET_BOOT_NS = 125,
	EBPF_FUNC_RINGBUF_OUTPUT = 130,
	EBPF_FUNC_RINGBUF_RESERVE = 131,
	EBPF_FUNC_RINGBUF_SUBMIT = 132,
	EBPF_FUNC_RINGBUF_DISCARD = 133,
	EBPF_FUNC_KTIME_GET_COARSE_NS = 160,
	EBPF_FUNC_FOR_EACH_MAP_ELEM = 164,
	EBPF_FUNC_LOOP = 181,
	EBPF_FUNC_XDP_GET_BUFF_LEN = 188,
	EBPF_FUNC_XDP_LOAD_BYTES = 189,
	EBPF_FUNC_XDP_STORE_BYTES = 190,
};

/* Map flags (struct ebpf_map_def.flags), Linux's BPF_F_*. */
#define EBPF_F_NO_PREALLOC   (1u << 0)
#define EBPF_F_NO_COMMON_LRU (1u << 1)
#define EBPF_F_NUMA_NODE     (1u << 2)
#define EBPF_F_RDONLY	     (1u << 3) /* user space may read the map, not write it */
#define EBPF_F_WRONLY	     (1u << 4)
#define EBPF_F_ZERO_SEED     (1u << 6)
#define EBPF_F_RDONLY_PROG   (1u << 7) /* programs may read the map, not write it */
#define EBPF_F_WRONLY_PROG   (1u << 8)
/* bpf_redirect_map flags on devmaps, above the fallback verdict's bits. */
#define EBPF_F_BROADCAST       (1u << 3)
#define EBPF_F_EXCLUDE_INGRESS (1u << 4)
#define EBPF_F_MMAPABLE	       (1u << 10)

/* bpf_perf_event_output's flags: the slot (or the current CPU's), and XDP's frame bytes to append.
 */
#define EBPF_F_INDEX_MASK   0xffffffffull
#define EBPF_F_CURRENT_CPU  EBPF_F_INDEX_MASK
#define EBPF_F_CTXLEN_SHIFT 32
#define EBPF_F_CTXLEN_MASK  (0xfffffull << EBPF_F_CTXLEN_SHIFT)

#endif /* UKBPF_EBPF_UAPI_H */
