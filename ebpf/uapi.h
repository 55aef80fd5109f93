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
	EBPF_FUNC_FIB_LOOKUP = 69,
	EBPF_FUNC_SK_LOOKUP_TCP = 84,
	EBPF_FUNC_SK_LOOKUP_UDP = 85,
	EBPF_FUNC_SK_RELEASE = 86,
	EBPF_FUNC_MAP_PUSH_ELEM = 87,
	EBPF_FUNC_MAP_POP_ELEM = 88,
	EBPF_FUNC_MAP_PEEK_ELEM = 89,
	EBPF_FUNC_SPIN_LOCK = 93,
	EBPF_FUNC_SPIN_UNLOCK = 94,
	EBPF_FUNC_SKC_LOOKUP_TCP = 99,
	EBPF_FUNC_TCP_CHECK_SYNCOOKIE = 100,
	EBPF_FUNC_TCP_GEN_SYNCOOKIE = 110,
	EBPF_FUNC_JIFFIES64 = 118,
	EBPF_FUNC_KTIME_GET_BOOT_NS = 125,
	EBPF_FUNC_RINGBUF_OUTPUT = 130,
	EBPF_FUNC_RINGBUF_RESERVE = 131,
	EBPF_FUNC_RINGBUF_SUBMIT = 132,
	EBPF_FUNC_RINGBUF_DISCARD = 133,
	EBPF_FUNC_KTIME_GET_COARSE_NS = 160,
	EBPF_FUNC_CHECK_MTU = 163,
	EBPF_FUNC_FOR_EACH_MAP_ELEM = 164,
	EBPF_FUNC_TRACE_VPRINTK = 177,
	EBPF_FUNC_LOOP = 181,
	EBPF_FUNC_XDP_GET_BUFF_LEN = 188,
	EBPF_FUNC_XDP_LOAD_BYTES = 189,
	EBPF_FUNC_XDP_STORE_BYTES = 190,
	EBPF_FUNC_MAP_LOOKUP_PERCPU_ELEM = 195,
	EBPF_FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV4 = 204,
	EBPF_FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV6 = 205,
	EBPF_FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV4 = 206,
	EBPF_FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV6 = 207,
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
/* An array inner map whose siblings may differ in max_entries (map-in-map). */
#define EBPF_F_INNER_MAP (1u << 12)

/* bpf_perf_event_output's flags: the slot (or the current CPU's), and XDP's frame bytes to append.
 */
#define EBPF_F_INDEX_MASK   0xffffffffull
#define EBPF_F_CURRENT_CPU  EBPF_F_INDEX_MASK
#define EBPF_F_CTXLEN_SHIFT 32
#define EBPF_F_CTXLEN_MASK  (0xfffffull << EBPF_F_CTXLEN_SHIFT)

/* bpf_fib_lookup's flags and results (enum BPF_FIB_LOOKUP_*, BPF_FIB_LKUP_RET_*). */
#define EBPF_FIB_LOOKUP_DIRECT (1u << 0)
#define EBPF_FIB_LOOKUP_OUTPUT (1u << 1)
enum ebpf_fib_lookup_ret {
	EBPF_FIB_LKUP_RET_SUCCESS = 0,
	EBPF_FIB_LKUP_RET_BLACKHOLE = 1,
	EBPF_FIB_LKUP_RET_UNREACHABLE = 2,
	EBPF_FIB_LKUP_RET_PROHIBIT = 3,
	EBPF_FIB_LKUP_RET_NOT_FWDED = 4,
	EBPF_FIB_LKUP_RET_FWD_DISABLED = 5,
	EBPF_FIB_LKUP_RET_UNSUPP_LWT = 6,
	EBPF_FIB_LKUP_RET_NO_NEIGH = 7,
	EBPF_FIB_LKUP_RET_FRAG_NEEDED = 8,
};

/* bpf_check_mtu's flag and results (BPF_MTU_CHK_*). */
#define EBPF_MTU_CHK_SEGS 1u
enum ebpf_mtu_chk_ret {
	EBPF_MTU_CHK_RET_SUCCESS = 0,
	EBPF_MTU_CHK_RET_FRAG_NEEDED = 1,
	EBPF_MTU_CHK_RET_SEGS_TOOBIG = 2,
};

#endif /* UKBPF_EBPF_UAPI_H */
