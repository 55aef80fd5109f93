/*
 * Soundness fuzzer for the verifier: every program ebpf_verify() accepts
 * runs in the checked interpreter (ebpf/interp.c built with
 * -DEBPF_INTERP_CHECKED, hooks in ebpf/interp_check.h), which validates
 * each load, store, atomic and helper memory argument against the regions
 * the program may touch. Any access outside them, a read of a stack byte
 * never written, or a run that does not end within RUN_STEP_BUDGET
 * instructions is a verifier bug: the harness prints what and where,
 * disassembles the program and aborts, so libFuzzer keeps the input.
 *
 * The input bytes drive a generator of XDP programs that are mostly valid
 * (random bytes are nearly always rejected): ctx field loads, packet
 * bounds checks against data_end (and data_meta against data) with
 * constant and variable offsets, map lookups with NULL checks, map value,
 * stack and ringbuf record accesses at constant and masked variable
 * offsets, pointer spills, scalar ALU64/ALU32 chains refined by
 * comparisons (and spilled through the stack at 1, 2, 4 or 8 bytes, across
 * a helper call, overwritten or filled at another size), diamonds, bounded loops,
 * a bpf-to-bpf subprogram working on its caller's stack bytes (or the
 * same function as bpf_loop's callback, with ctx and those bytes reached
 * through its context pointer, or as bpf_for_each_map_elem's over an
 * array, read-only array, locked array, hash or LRU per-CPU hash, reading
 * the key it is given (or giving it to the map's lookup or delete) and
 * accessing the value as a looked-up one), spin
 * locks around accesses of a looked-up value, and the
 * XDP (adjusters, load/store bytes), map, ringbuf and checksum helpers: lookups in arrays, hashes,
 * an LPM trie, an LRU per-CPU hash and a devmap_hash (read-only values), and in an array or
 * hash found through an array or hash of maps (map-in-map), redirect_map,
 * push/pop/peek on a queue, a stack and a bloom filter, perf_event_output with frame bytes
 * appended, map_lookup_percpu_elem, jiffies64, trace_vprintk, check_mtu and fib_lookup on
 * stack memory they read and write, socket lookups and releases, and the raw SYN-cookie helpers
 * on fixed-size headers. At each decision a small share of choices is deliberately wrong (an
 * offset one past a proven range, an inverted bounds check, a missing NULL check, a use after
 * submit, a helper given a map type it does not take, a write into a read-only map, a socket read
 * before its NULL test, at a hidden field, after its release, or never released, a lock not
 * released, a helper called or the lock word touched while it is held, a store into for_each's
 * key or a read past it, for_each over a map its callback was not made for): those programs probe
 * the verifier's rejections. Socket lookups find a listener three times in four.
 *
 * Allowed regions while a program runs:
 *   ctx      struct xdp_md: 4-byte aligned reads, no writes;
 *   packet   [data_meta, data_end) as they are at the access (the adjust
 *            helpers move them);
 *   stack    the frames of the current call chain, and of the runs a
 *            callback's run is nested in; reads only of bytes written
 *            earlier in the run (by the program, into a frame that is
 *            still the same call);
 *   maps     every value of the array maps (the read-only one filled and
 *            frozen, as .rodata: its bytes are constants to the verifier),
 *            and each value a lookup of another type returned (a
 *            map-in-map's lookup returns a map), [value, value +
 *            value_size); no writes into the BPF_F_RDONLY_PROG maps (and
 *            the devmap, and the xdp_sock an xskmap lookup returns);
 *   ringbuf  records reserved and not yet submitted or discarded;
 *   element  while a bpf_for_each_map_elem callback runs, the key it was
 *            given (the helper's own copy, key_size bytes, read-only)
 *            and the value (value_size bytes, read-only for the maps
 *            above); both go when the callback returns;
 *   sockets  each socket a lookup returned, read-only, until its
 *            bpf_sk_release; one still held when the program ends is a
 *            leak the verifier should have refused.
 * The lock word of the locked map's values is the lock helpers' alone, and
 * free again after every run.
 * Helper arguments: maps must be ours, ctx the real ctx, memory arguments
 * (keys, values, memory + size) inside the regions above.
 *
 * tests/fuzz/test_fuzz.py builds it and runs it for a bounded time. To run
 * longer by hand (from the repository root):
 *   clang -O1 -g -fsanitize=fuzzer,address,undefined -DEBPF_INTERP_CHECKED \
 *         -Iebpf -Itools/ukbpf tests/fuzz/fuzz_verifier.c ebpf/[a-z]*.c \
 *         tools/ukbpf/host_platform.c -o /tmp/fuzz_verifier
 *   mkdir -p /tmp/verifier_corpus && /tmp/fuzz_verifier -max_total_time=600 \
 *         -max_len=4096 /tmp/verifier_corpus
 * At exit it prints "fuzz_verifier: N programs, A accepted, R runs". A
 * crash file reproduces with: /tmp/fuzz_verifier crash-<hash>. With
 * FUZZ_VERIFIER_NO_VERIFY=1 in the environment every generated program
 * runs unverified: the checker must then catch the deliberate mistakes
 * (the test suite uses this to show that the checker can fail).
 *
 * With FUZZ_VERIFIER_SNAPSHOT=1 each input also prints one line on stdout,
 *   snapshot INPUT_HASH PROG_HASH VERDICT PROCESSED STATES JIT
 * (hashes: FNV-1a 64 of the input bytes and of the generated instructions;
 * VERDICT accepted|rejected, with struct ebpf_verify_stats' insns_processed
 * and states_stored; JIT: the x86-64 code in hex, "-" if the JIT refuses),
 * for scripts/ebpf-equivalence.py, which runs a fixed corpus through it to
 * show that a restructuring of ebpf/ changed no verdict, count or JIT byte.
 * The JIT memory then comes from tools/ukbpf/host_platform.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ebpf_internal.h"
#include "host_platform.h"
#include "interp_check.h"

/* Argument registers beyond isa.h's names (RFC 9669 §4.3.1: r1-r5). */
#define REG_R2 2
#define REG_R3 3
#define REG_R4 4
#define REG_R5 5
#define REG_R7 7
#define REG_R8 8
#define REG_R9 9
/* r0-r5: a helper call clobbers them (RFC 9669 §4.3.1). */
#define CALLER_SAVED_MASK 0x3fu

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_PROG_INSNS	1536
#define EXIT_RESERVE	4 /* slots kept for the final r0 = ...; exit */
#define MAX_TOP_STEPS	32
#define MAX_BLOCK_STEPS 4
#define MAX_NEST	3
/* Branches multiply the verifier's paths: at most this many blocks a program. */
#define MAX_BLOCKS 8
/* Counted loops: rounds and steps per round (the verifier walks each round). */
#define MAX_LOOP_ROUNDS 4
#define MAX_LOOP_STEPS	2
/*
 * Now and then a long loop, whose rounds outnumber the states a prune
 * point keeps: the verifier drops old rounds' states for new ones.
 */
#define LONG_LOOP_ROUNDS 100
#define MAX_CALLS	 2
/* With a subprogram each frame keeps to half the stack (combined <= 512). */
#define SUBPROG_STACK_SPAN (EBPF_STACK_SIZE / 2)
/* The caller passes the subprogram a pointer to this many of its stack bytes. */
#define FRAME_ARG_BYTES 16
/* bpf_loop's rounds in the generated programs (a power of two), and the nesting the checker
 * follows. */
#define MAX_CALLBACK_ROUNDS 4
#define MAX_OUTER_RUNS	    4
#define ONE_IN_WRONG	    24 /* a deliberately wrong choice, one time in this */
#define SLOT		    8
#define STACK_SLOTS	    (EBPF_STACK_SIZE / SLOT)
#define LOG_BYTES	    8192
#define TEXT_BYTES	    128

/*
 * The packet buffer, as Linux's BPF_PROG_TEST_RUN lays it out (ebpf.h): a
 * page, the frame after the headroom; adjust_tail may grow a frame into
 * most of the rest.
 */
#define PKT_HEADROOM	 EBPF_XDP_HEADROOM
#define PKT_MAX_LEN	 512
#define PKT_BUF_SIZE	 EBPF_XDP_FRAME_SIZE
#define RUNS_PER_PROGRAM 4
#define ETH_HLEN	 14

/* The verifier processes at most 1,000,000 instructions; a run is shorter. */
#define RUN_STEP_BUDGET	  (4u << 20)
#define MAX_VALUE_REGIONS 64
#define MAX_RECORDS	  16
#define MAX_SOCKS	  16
/* struct bpf_sock_tuple's ipv4 and ipv6 sizes; BPF_F_CURRENT_NETNS */
#define TUPLE_V4_BYTES 12
#define TUPLE_V6_BYTES 36
#define CURRENT_NETNS  (-1)
#define SOCK_STATE_OFF 72
#define SOCK_MARK_OFF  16 /* hidden in a sock_common */
/* struct iphdr, ipv6hdr and tcphdr: the raw SYN-cookie helpers' fixed sizes */
#define IPV4_HDR_BYTES 20
#define IPV6_HDR_BYTES 40
#define TCP_HDR_BYTES  20
#define XDP_MD_FIELD   4

/* Helper numbers (Linux BPF_FUNC_*) the generator calls. */
enum {
	FUNC_MAP_LOOKUP_ELEM = 1,
	FUNC_MAP_UPDATE_ELEM = 2,
	FUNC_MAP_DELETE_ELEM = 3,
	FUNC_KTIME_GET_NS = 5,
	FUNC_GET_PRANDOM_U32 = 7,
	FUNC_CSUM_DIFF = 28,
	FUNC_XDP_ADJUST_HEAD = 44,
	FUNC_XDP_ADJUST_META = 54,
	FUNC_XDP_ADJUST_TAIL = 65,
	FUNC_RINGBUF_OUTPUT = 130,
	FUNC_RINGBUF_RESERVE = 131,
	FUNC_RINGBUF_SUBMIT = 132,
	FUNC_RINGBUF_DISCARD = 133,
	FUNC_XDP_LOAD_BYTES = 189,
	FUNC_XDP_STORE_BYTES = 190,
	FUNC_REDIRECT_MAP = 51,
	FUNC_MAP_PUSH_ELEM = 87,
	FUNC_MAP_POP_ELEM = 88,
	FUNC_MAP_PEEK_ELEM = 89,
	FUNC_PERF_EVENT_OUTPUT = 25,
	FUNC_FIB_LOOKUP = 69,
	FUNC_SK_LOOKUP_TCP = 84,
	FUNC_SK_LOOKUP_UDP = 85,
	FUNC_SK_RELEASE = 86,
	FUNC_SPIN_LOCK = 93,
	FUNC_SPIN_UNLOCK = 94,
	FUNC_SKC_LOOKUP_TCP = 99,
	FUNC_TCP_CHECK_SYNCOOKIE = 100,
	FUNC_TCP_GEN_SYNCOOKIE = 110,
	FUNC_JIFFIES64 = 118,
	FUNC_CHECK_MTU = 163,
	FUNC_TRACE_VPRINTK = 177,
	FUNC_FOR_EACH_MAP_ELEM = 164,
	FUNC_LOOP = 181,
	FUNC_MAP_LOOKUP_PERCPU_ELEM = 195,
	FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV4 = 204,
	FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV4 = 206,
	FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV6 = 207,
};

/* ---- input -------------------------------------------------------------- */

/*
 * Choices come from the input while it lasts, then from a PRNG seeded by
 * it, so short inputs still make long programs and libFuzzer's mutations
 * of the first bytes change the program's shape.
 */
struct input {
	const uint8_t *data;
	size_t size;
	size_t pos;
	uint64_t prng;
};

/* xorshift64 (Marsaglia): any nonzero state works. */
static uint64_t random64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static uint8_t take8(struct input *in)
{
	if (in->pos < in->size)
		return in->data[in->pos++];
	return (uint8_t)random64(&in->prng);
}

static uint32_t take32(struct input *in)
{
	return (uint32_t)take8(in) << 24 | (uint32_t)take8(in) << 16 | (uint32_t)take8(in) << 8 |
	       take8(in);
}

/* A number in [0, n). */
static uint32_t below(struct input *in, uint32_t n)
{
	return n > 256 ? take32(in) % n : take8(in) % n;
}

static bool one_in(struct input *in, uint32_t n)
{
	return below(in, n) == 0;
}

static bool wrong(struct input *in)
{
	return one_in(in, ONE_IN_WRONG);
}

/* Immediates: edge values more often than their share of 2^32. */
static int32_t take_imm(struct input *in)
{
	static const int32_t edges[] = {0,  1,	-1,    2,      3,	  4,	     7,	   8,
					15, 16, 31,    32,     63,	  64,	     255,  256,
					-2, -8, 0xfff, 0xffff, INT32_MIN, INT32_MAX, -256, 0x7fff};

	if (take8(in) < 192)
		return edges[below(in, COUNT_OF(edges))];
	return (int32_t)take32(in);
}

/* ---- maps ------------------------------------------------------------------ */

enum {
	MAP_ARRAY_8,
	MAP_ARRAY_48,
	MAP_ARRAY_RDONLY,
	MAP_HASH_16,
	MAP_HASH_12,
	MAP_RINGBUF,
	MAP_LPM_TRIE,	 /* key {prefixlen, u32 address} */
	MAP_LRU_PERCPU,	 /* evicts: lookups return recycled elements */
	MAP_DEVMAP_HASH, /* values read-only to programs; redirect_map */
	MAP_QUEUE_8,	 /* no keys: push, pop, peek */
	MAP_STACK_12,
	MAP_BLOOM_4,	/* no keys: push, peek */
	MAP_PERF_EVENT, /* perf_event_output */
	MAP_CPUMAP,	/* redirect_map only */
	MAP_XSKMAP,	/* redirect_map; a lookup gives a read-only u32 queue_id */
	MAP_OF_ARRAYS,	/* array of maps like MAP_ARRAY_8: slot 0 is that map */
	MAP_OF_HASHES,	/* hash of maps like MAP_HASH_16: keys 0 and 1 hold it */
	MAP_WITH_LOCK,	/* a struct bpf_spin_lock at LOCK_OFF in each value */
	MAP_COUNT
};

#define LOCK_OFF     8
#define LOCK_SIZE    4
#define LOCKED_VALUE 16

#define MAP_F_NO_PREALLOC (1u << 0)
#define MAP_F_RDONLY_PROG (1u << 7)
#define RODATA_BYTE_STEP  23 /* MAP_ARRAY_RDONLY's byte i is i * 23 (mod 256) */
#define RINGBUF_BYTES	  4096
#define HASH_PREFILL	  3
#define BLOOM_HASH_FUNCS  2
#define FIB_PARAMS_BYTES  64 /* Linux's struct bpf_fib_lookup */
#define FIB_FAMILY_AT	  0  /* its family byte */
#define FIB_IFINDEX_AT	  8  /* its ifindex */
#define FUZZ_AF_INET	  2
#define FUZZ_AF_INET6	  10
#define FUZZ_IFINDEX	  1 /* the frame's device, the only one */
#define FUZZ_ETH_HLEN	  14
#define VPRINTK_FMT_BYTES 8
#define VPRINTK_FMT_LO	  0x25206425 /* "%d %" */
#define VPRINTK_FMT_HI	  0x00000a78 /* "x\n\0\0" */
#define VPRINTK_ARG_BYTES 16	     /* two u64 */
#define MTU_LEN_BYTES	  4	     /* bpf_check_mtu's *mtu_len */

static const struct ebpf_map_def map_defs[MAP_COUNT] = {
    [MAP_ARRAY_8] = {EBPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0},
    [MAP_ARRAY_48] = {EBPF_MAP_TYPE_ARRAY, 4, 48, 2, 0, 0},
    [MAP_ARRAY_RDONLY] = {EBPF_MAP_TYPE_ARRAY, 4, 16, 1, MAP_F_RDONLY_PROG, 0},
    [MAP_HASH_16] = {EBPF_MAP_TYPE_HASH, 4, 16, 8, 0, 0},
    [MAP_HASH_12] = {EBPF_MAP_TYPE_HASH, 8, 12, 4, 0, 0},
    [MAP_RINGBUF] = {EBPF_MAP_TYPE_RINGBUF, 0, 0, RINGBUF_BYTES, 0, 0},
    [MAP_LPM_TRIE] = {EBPF_MAP_TYPE_LPM_TRIE, 8, 8, 4, MAP_F_NO_PREALLOC, 0},
    [MAP_LRU_PERCPU] = {EBPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 24, 3, 0, 0},
    [MAP_DEVMAP_HASH] = {EBPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4, 0, 0},
    [MAP_QUEUE_8] = {EBPF_MAP_TYPE_QUEUE, 0, 8, 3, 0, 0},
    [MAP_STACK_12] = {EBPF_MAP_TYPE_STACK, 0, 12, 2, 0, 0},
    [MAP_BLOOM_4] = {EBPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 8, 0, BLOOM_HASH_FUNCS},
    [MAP_PERF_EVENT] = {EBPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0, 0},
    [MAP_CPUMAP] = {EBPF_MAP_TYPE_CPUMAP, 4, 4, 2, 0, 0},
    [MAP_XSKMAP] = {EBPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0, 0},
    [MAP_OF_ARRAYS] = {EBPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, 0},
    [MAP_OF_HASHES] = {EBPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, 0},
    [MAP_WITH_LOCK] = {EBPF_MAP_TYPE_ARRAY, 4, LOCKED_VALUE, 2, 0, 0},
};

/* What the xskmap's slots hold: the socket is opaque to ebpf/, never followed. */
static int xsk_socket_stand_in;
#define CPUMAP_QSIZE 64

/* A map-in-map's inner map (the one its slots hold, and its template), or -1. */
static int inner_map_of(int map)
{
	return map == MAP_OF_ARRAYS ? MAP_ARRAY_8 : map == MAP_OF_HASHES ? MAP_HASH_16 : -1;
}

/* Linux makes every devmap BPF_F_RDONLY_PROG (maps.c does too); an xdp_sock is never writable. */
static bool map_read_only(int map)
{
	return (map_defs[map].flags & MAP_F_RDONLY_PROG) || map == MAP_DEVMAP_HASH ||
	       map == MAP_XSKMAP;
}

static struct ebpf_map *maps[MAP_COUNT];

/* ---- the generator ------------------------------------------------------- */

/* What the generator believes a register holds (the verifier decides). */
enum gen_kind {
	GEN_NONE,
	GEN_SCALAR,
	GEN_CTX,
	GEN_PKT,      /* range: bytes proven against data_end */
	GEN_PKT_META, /* range: bytes proven against data */
	GEN_PKT_END,
	GEN_MAP_VALUE, /* range: bytes from the pointer to the value's end */
	GEN_MAP_VALUE_OR_NULL,
	GEN_MEM,       /* a ringbuf record; range: its size */
	GEN_FRAME_REF, /* in a subprogram: the caller's stack bytes; range: their count */
	GEN_MEM_OR_NULL,
	/*
	 * A pointer a helper ended: a packet pointer from before a
	 * packet-moving helper, or a copy of a ringbuf record after its
	 * submit or discard. A number now (the verifier's unknown scalar),
	 * but an address, which the generator never stores outside the
	 * stack (the checker's leak rule).
	 */
	GEN_STALE,
};

struct gen_reg {
	enum gen_kind kind;
	int32_t range;
	int map; /* GEN_MAP_VALUE*: which map; GEN_MEM, GEN_STALE: which reservation, 0 packet */
};

/* Per stack byte: never written, data, or part of a spilled pointer. */
enum gen_byte { BYTE_NONE, BYTE_DATA, BYTE_SPILL };

struct gen_state {
	struct gen_reg reg[EBPF_NUM_REGS];
	uint8_t stack[EBPF_STACK_SIZE];	   /* enum gen_byte, index 0 = fp-512 */
	struct gen_reg spill[STACK_SLOTS]; /* what a BYTE_SPILL slot holds */
};

struct gen {
	struct input *in;
	struct ebpf_insn insns[MAX_PROG_INSNS];
	size_t count;
	struct gen_state st;
	uint16_t reserved; /* registers a loop or a reservation must keep */
	int nest;
	int blocks;
	int holding;		  /* ringbuf records reserved: no local call then */
	int records;		  /* ringbuf reservations made: the last one's id */
	bool in_loop;		  /* loops do not nest nor call the subprogram (paths multiply) */
	int32_t stack_span;	  /* bytes below fp this function uses */
	size_t limit;		  /* instructions this function may end at */
	bool has_subprog;	  /* main calls one subprogram, generated after it */
	bool subprog_is_callback; /* ... through bpf_loop, as its callback */
	bool for_each;		  /* ... or bpf_for_each_map_elem's, over callback_map */
	int callback_map;
	bool in_subprog;
	size_t calls[MAX_CALLS]; /* the call instructions to patch */
	size_t call_count;
};

#define INSN(OP, DST, SRC, OFF, IMM)                                                               \
	((struct ebpf_insn){.opcode = (OP),                                                        \
			    .dst_reg = (DST),                                                      \
			    .src_reg = (SRC),                                                      \
			    .offset = (int16_t)(OFF),                                              \
			    .imm = (int32_t)(IMM)})
#define ALU64_IMM(OP, DST, IMM)	 INSN(EBPF_CLS_ALU64 | (OP) | EBPF_SRC_K, DST, 0, 0, IMM)
#define ALU64_REG(OP, DST, SRC)	 INSN(EBPF_CLS_ALU64 | (OP) | EBPF_SRC_X, DST, SRC, 0, 0)
#define MOV64_REG(DST, SRC)	 ALU64_REG(EBPF_ALU_MOV, DST, SRC)
#define MOV64_IMM(DST, IMM)	 ALU64_IMM(EBPF_ALU_MOV, DST, IMM)
#define LDX(SIZE, DST, SRC, OFF) INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | (SIZE), DST, SRC, OFF, 0)
#define STX(SIZE, DST, SRC, OFF) INSN(EBPF_CLS_STX | EBPF_MODE_MEM | (SIZE), DST, SRC, OFF, 0)
#define ST(SIZE, DST, OFF, IMM)	 INSN(EBPF_CLS_ST | EBPF_MODE_MEM | (SIZE), DST, 0, OFF, IMM)
#define JMP_REG(OP, DST, SRC)	 INSN(EBPF_CLS_JMP | (OP) | EBPF_SRC_X, DST, SRC, 0, 0)
#define JMP_IMM(OP, DST, IMM)	 INSN(EBPF_CLS_JMP | (OP) | EBPF_SRC_K, DST, 0, 0, IMM)
#define CALL(FUNC)		 INSN(EBPF_OP_CALL, 0, 0, 0, FUNC)

static const uint8_t size_codes[] = {EBPF_SIZE_B, EBPF_SIZE_H, EBPF_SIZE_W, EBPF_SIZE_DW};
static const uint8_t size_bytes[] = {1, 2, 4, 8};

static bool room(const struct gen *g, size_t slots)
{
	return g->count + slots + EXIT_RESERVE <= g->limit;
}

static void emit(struct gen *g, struct ebpf_insn insn)
{
	if (g->count < MAX_PROG_INSNS)
		g->insns[g->count++] = insn;
}

static void emit_lddw(struct gen *g, uint8_t dst, uint8_t src, uint32_t lo, uint32_t hi)
{
	emit(g, INSN(EBPF_OP_LDDW, dst, src, 0, lo));
	emit(g, INSN(0, 0, 0, 0, hi));
}

/* A forward jump whose target is set later by patch_to_here(). */
static size_t emit_forward(struct gen *g, struct ebpf_insn insn)
{
	emit(g, insn);
	return g->count - 1;
}

static void patch_to_here(struct gen *g, size_t at)
{
	g->insns[at].offset = (int16_t)(g->count - at - 1);
}

/* A random index of g->st.stack inside the function's span. */
static int32_t stack_index(struct gen *g)
{
	return EBPF_STACK_SIZE - g->stack_span + (int32_t)below(g->in, (uint32_t)g->stack_span);
}

/* A random 8-byte aligned offset below fp, at least min bytes deep. */
static int32_t stack_depth(struct gen *g, int32_t min)
{
	int32_t slots = g->stack_span / SLOT - min / SLOT + 1;

	return min + SLOT * (int32_t)below(g->in, (uint32_t)slots);
}

static bool is_pointer(enum gen_kind kind)
{
	return kind != GEN_NONE && kind != GEN_SCALAR && kind != GEN_STALE;
}

/* Registers the generator may overwrite: not r6 (ctx), r10, or reserved. */
static uint8_t pick_free(struct gen *g)
{
	static const uint8_t regs[] = {0, 1, 2, 3, 4, 5, 7, 8, 9};
	uint8_t r;

	do
		r = regs[below(g->in, COUNT_OF(regs))];
	while (g->reserved & (1u << r));
	return r;
}

/* r7-r9: callee-saved and free, for values that must survive helper calls. */
#define SAVED_FIRST 7
#define SAVED_COUNT 3

static int pick_saved(struct gen *g)
{
	uint32_t start = below(g->in, SAVED_COUNT), k;

	for (k = 0; k < SAVED_COUNT; k++) {
		uint8_t r = (uint8_t)(SAVED_FIRST + (start + k) % SAVED_COUNT);

		if (!(g->reserved & (1u << r)))
			return r;
	}
	return -1;
}

/* A register holding kind that the generator may also overwrite. */
static int pick_kind(struct gen *g, enum gen_kind kind)
{
	uint8_t found[EBPF_NUM_REGS];
	int n = 0, r;

	for (r = 0; r < EBPF_REG_FP; r++)
		if (g->st.reg[r].kind == kind && !(g->reserved & (1u << r)))
			found[n++] = (uint8_t)r;
	return n ? found[below(g->in, (uint32_t)n)] : -1;
}

static void set_reg(struct gen *g, uint8_t r, enum gen_kind kind, int32_t range, int map)
{
	g->st.reg[r] = (struct gen_reg){kind, range, map};
}

/* A helper call clobbers r1-r5 (RFC 9669 §4.3.1). */
static void clobber_caller_saved(struct gen *g)
{
	uint8_t r;

	for (r = 1; r <= 5; r++)
		set_reg(g, r, GEN_NONE, 0, 0);
}

static bool is_packet_kind(enum gen_kind kind)
{
	return kind == GEN_PKT || kind == GEN_PKT_META || kind == GEN_PKT_END;
}

/* adjust_head/tail/meta make every packet pointer a number, spilled or not. */
static void forget_packet(struct gen *g)
{
	int r, s;

	for (r = 0; r < EBPF_REG_FP; r++)
		if (is_packet_kind(g->st.reg[r].kind))
			set_reg(g, (uint8_t)r, GEN_STALE, 0, 0);
	for (s = 0; s < STACK_SLOTS; s++)
		if (g->st.stack[s * SLOT] == BYTE_SPILL && is_packet_kind(g->st.spill[s].kind))
			g->st.spill[s] = (struct gen_reg){GEN_STALE, 0, 0};
}

/* Submit or discard of reservation id: every copy of the record, spilled or not, is a number. */
static void forget_record(struct gen *g, int id)
{
	int r, s;

	for (r = 0; r < EBPF_REG_FP; r++)
		if (g->st.reg[r].kind == GEN_MEM && g->st.reg[r].map == id)
			set_reg(g, (uint8_t)r, GEN_STALE, 0, id);
	for (s = 0; s < STACK_SLOTS; s++)
		if (g->st.stack[s * SLOT] == BYTE_SPILL && g->st.spill[s].kind == GEN_MEM &&
		    g->st.spill[s].map == id)
			g->st.spill[s] = (struct gen_reg){GEN_STALE, 0, id};
}

/* After a branch rejoins: what differs between the paths is unknown. */
static void join(struct gen *g, const struct gen_state *other)
{
	int r, i;

	for (r = 0; r < EBPF_NUM_REGS; r++) {
		struct gen_reg *a = &g->st.reg[r];
		const struct gen_reg *b = &other->reg[r];

		if (a->kind != b->kind || a->map != b->map)
			*a = (struct gen_reg){GEN_NONE, 0, 0};
		else if (b->range < a->range)
			a->range = b->range;
	}
	for (i = 0; i < EBPF_STACK_SIZE; i++)
		if (g->st.stack[i] != other->stack[i])
			g->st.stack[i] = BYTE_NONE;
}

/* Any register holding a pointer (also reserved ones: only read), or -1. */
static int pick_pointer(struct gen *g)
{
	int start = (int)below(g->in, EBPF_REG_FP), k;

	for (k = 0; k < EBPF_REG_FP; k++) {
		int r = (start + k) % EBPF_REG_FP;

		if (is_pointer(g->st.reg[r].kind))
			return r;
	}
	return -1;
}

/* Loads a ctx field into a new register: packet pointers or a scalar. */
static int gen_ctx_load(struct gen *g, enum gen_kind want)
{
	static const struct {
		int16_t off;
		enum gen_kind kind;
	} fields[] = {
	    {offsetof(struct ebpf_xdp_md, data), GEN_PKT},
	    {offsetof(struct ebpf_xdp_md, data_end), GEN_PKT_END},
	    {offsetof(struct ebpf_xdp_md, data_meta), GEN_PKT_META},
	    {offsetof(struct ebpf_xdp_md, ingress_ifindex), GEN_SCALAR},
	    {offsetof(struct ebpf_xdp_md, rx_queue_index), GEN_SCALAR},
	    {offsetof(struct ebpf_xdp_md, egress_ifindex), GEN_SCALAR},
	};
	uint8_t r = pick_free(g);
	unsigned int f = below(g->in, COUNT_OF(fields));
	uint8_t size = EBPF_SIZE_W;
	int16_t off;

	if (want != GEN_NONE)
		for (f = 0; fields[f].kind != want; f++)
			;
	off = fields[f].off;
	if (wrong(g->in) && one_in(g->in, 4)) { /* every guard loads fields: rarer */
		size = size_codes[below(g->in, COUNT_OF(size_codes))];
		off = (int16_t)(off + (int16_t)below(g->in, 8) - 2);
	}
	emit(g, LDX(size, r, EBPF_REG_R6, off));
	set_reg(g, r, fields[f].kind, 0, 0);
	return r;
}

static int ensure_kind(struct gen *g, enum gen_kind kind)
{
	int r = pick_kind(g, kind);

	return r >= 0 ? r : gen_ctx_load(g, kind);
}

static void gen_scalar_source(struct gen *g);

static int ensure_scalar(struct gen *g)
{
	int r = pick_kind(g, GEN_SCALAR);

	if (r >= 0 && !one_in(g->in, 4))
		return r;
	gen_scalar_source(g);
	return pick_kind(g, GEN_SCALAR);
}

/* An offset for an access of bytes inside range bytes, rarely just outside. */
static int32_t pick_offset(struct gen *g, int32_t range, uint8_t bytes, bool aligned)
{
	int32_t off;

	if (wrong(g->in))
		return one_in(g->in, 2) ? range - bytes + 1 : -(int32_t)(1 + below(g->in, 8));
	if (range < bytes)
		return 0;
	off = (int32_t)below(g->in, (uint32_t)(range - bytes + 1));
	if (aligned)
		off -= off % bytes;
	return off;
}

/* Picks an access size that fits in range (any size when range is small). */
static unsigned int pick_size(struct gen *g, int32_t range)
{
	unsigned int s = below(g->in, COUNT_OF(size_codes));

	while (s > 0 && size_bytes[s] > range)
		s--;
	return s;
}

/* A load from or a store to [base + off, + bytes) of a writable region. */
static void gen_access(struct gen *g, uint8_t base, int32_t range, bool writable, bool atomics)
{
	unsigned int s = pick_size(g, range);
	uint8_t kind = (uint8_t)below(g->in, 8);

	if (atomics && kind == 7 && range >= 4) {
		static const int32_t ops[] = {
		    EBPF_ATOMIC_ADD,	 EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH,
		    EBPF_ATOMIC_XCHG,	 EBPF_ATOMIC_AND,
		    EBPF_ATOMIC_CMPXCHG, EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH,
		};
		bool dw = range >= 8 && one_in(g->in, 2);
		int src = ensure_scalar(g);
		int32_t off = pick_offset(g, range, dw ? 8 : 4, true);
		int32_t op = ops[below(g->in, COUNT_OF(ops))];

		if (src < 0)
			return;
		if (op == EBPF_ATOMIC_CMPXCHG) {
			emit(g, MOV64_IMM(EBPF_REG_R0, take_imm(g->in)));
			set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		}
		emit(g, INSN(EBPF_CLS_STX | EBPF_MODE_ATOMIC | (dw ? EBPF_SIZE_DW : EBPF_SIZE_W),
			     base, (uint8_t)src, off, op));
		return;
	}
	if (!writable || kind < 4) {
		uint8_t dst = pick_free(g);
		bool sx = s < 3 && one_in(g->in, 4);
		int32_t off = pick_offset(g, range, size_bytes[s], false);

		emit(g, INSN(EBPF_CLS_LDX | (sx ? EBPF_MODE_MEMSX : EBPF_MODE_MEM) | size_codes[s],
			     dst, base, off, 0));
		set_reg(g, dst, GEN_SCALAR, 0, 0);
		if (!writable && !wrong(g->in))
			return;
	}
	if (kind & 1) {
		emit(g, ST(size_codes[s], base, pick_offset(g, range, size_bytes[s], false),
			   take_imm(g->in)));
	} else {
		int src = ensure_scalar(g);

		if (wrong(g->in)) { /* wrong: leak a pointer (8 bytes, or 4 of one) */
			src = pick_pointer(g);
			s = src >= 0 && g->st.reg[src].kind == GEN_PKT && one_in(g->in, 2) ? 2 : 3;
		}
		if (src >= 0)
			emit(g, STX(size_codes[s], base, (uint8_t)src,
				    pick_offset(g, range, size_bytes[s], false)));
	}
}

static void gen_block(struct gen *g, int steps);

/*
 * Stale pointers are numbers: the difference of two into the same region
 * (the packet, or one ringbuf record) is a length, a scalar like any
 * other. One time in ONE_IN_WRONG one is dereferenced instead. Returns
 * false when there is none.
 */
static bool gen_stale_pointer(struct gen *g)
{
	int a = pick_kind(g, GEN_STALE), b;
	uint8_t t;

	if (a < 0)
		return false;
	if (wrong(g->in)) {
		t = pick_free(g);
		emit(g, LDX(EBPF_SIZE_B, t, (uint8_t)a, 0));
		set_reg(g, t, GEN_SCALAR, 0, 0);
		return true;
	}
	g->reserved |= 1u << a;
	b = pick_kind(g, GEN_STALE);
	/* Across regions the difference is an address less another: no length. */
	if (b < 0 || g->st.reg[b].map != g->st.reg[a].map)
		b = a;
	g->reserved |= 1u << b;
	t = pick_free(g);
	g->reserved &= ~(1u << a | 1u << b);
	emit(g, MOV64_REG(t, (uint8_t)a));
	emit(g, INSN((one_in(g->in, 3) ? EBPF_CLS_ALU : EBPF_CLS_ALU64) | EBPF_ALU_SUB | EBPF_SRC_X,
		     t, (uint8_t)b, 0, 0));
	set_reg(g, t, GEN_SCALAR, 0, 0);
	return true;
}

/* New scalars: constants, packet, stack, map or ctx bytes, helpers. */
static void gen_scalar_source(struct gen *g)
{
	uint8_t r = pick_free(g);

	switch (below(g->in, 6)) {
	case 0:
		emit(g, MOV64_IMM(r, take_imm(g->in)));
		break;
	case 1:
		emit_lddw(g, r, 0, (uint32_t)take_imm(g->in), (uint32_t)take_imm(g->in));
		break;
	case 2: {
		/* a stack byte range written before */
		int i = stack_index(g);
		unsigned int s = below(g->in, COUNT_OF(size_codes));

		i -= i % size_bytes[s];
		if (g->st.stack[i] == BYTE_DATA &&
		    g->st.stack[i + size_bytes[s] - 1] == BYTE_DATA) {
			emit(g, LDX(size_codes[s], r, EBPF_REG_FP, i - EBPF_STACK_SIZE));
			break;
		}
		emit(g, MOV64_IMM(r, take_imm(g->in)));
		break;
	}
	case 3:
		if (!(g->reserved & CALLER_SAVED_MASK)) {
			static const int32_t funcs[] = {FUNC_GET_PRANDOM_U32, FUNC_KTIME_GET_NS,
							FUNC_JIFFIES64};

			emit(g, CALL(funcs[below(g->in, COUNT_OF(funcs))]));
			clobber_caller_saved(g);
			r = EBPF_REG_R0;
			break;
		}
		emit(g, MOV64_IMM(r, take_imm(g->in)));
		break;
	case 4:
		if (gen_stale_pointer(g))
			return;
		/* fall through: no stale pointer */
	default:
		gen_ctx_load(g, GEN_SCALAR);
		return;
	}
	set_reg(g, r, GEN_SCALAR, 0, 0);
}

static const uint8_t alu_ops[] = {
    EBPF_ALU_ADD, EBPF_ALU_SUB, EBPF_ALU_MUL,  EBPF_ALU_DIV, EBPF_ALU_OR,
    EBPF_ALU_AND, EBPF_ALU_LSH, EBPF_ALU_RSH,  EBPF_ALU_NEG, EBPF_ALU_MOD,
    EBPF_ALU_XOR, EBPF_ALU_MOV, EBPF_ALU_ARSH, EBPF_ALU_END,
};

static const uint8_t cond_ops[] = {
    EBPF_JMP_JEQ,  EBPF_JMP_JGT, EBPF_JMP_JGE, EBPF_JMP_JSET, EBPF_JMP_JNE,  EBPF_JMP_JSGT,
    EBPF_JMP_JSGE, EBPF_JMP_JLT, EBPF_JMP_JLE, EBPF_JMP_JSLT, EBPF_JMP_JSLE,
};

/* One ALU operation on a scalar (the ops the range analysis must model). */
static void gen_scalar_alu(struct gen *g)
{
	int d = ensure_scalar(g);
	uint8_t op = alu_ops[below(g->in, COUNT_OF(alu_ops))];
	uint8_t cls = one_in(g->in, 3) ? EBPF_CLS_ALU : EBPF_CLS_ALU64;
	int16_t off = 0;
	int s;

	if (d < 0)
		return;
	if (op == EBPF_ALU_NEG) {
		emit(g, INSN(cls | op, d, 0, 0, 0));
		return;
	}
	if (op == EBPF_ALU_END) {
		static const int32_t widths[] = {16, 32, 64};
		uint8_t src = cls == EBPF_CLS_ALU && one_in(g->in, 2) ? EBPF_SRC_X : EBPF_SRC_K;

		emit(g, INSN(cls | op | src, d, 0, 0, widths[below(g->in, COUNT_OF(widths))]));
		return;
	}
	if ((op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && one_in(g->in, 2))
		off = 1; /* signed */
	s = one_in(g->in, 2) ? pick_kind(g, GEN_SCALAR) : -1;
	if (op == EBPF_ALU_MOV && s >= 0 && one_in(g->in, 3)) {
		static const int16_t widths[] = {8, 16, 32};

		off = widths[below(g->in, cls == EBPF_CLS_ALU ? 2 : 3)];
	}
	if (s >= 0)
		emit(g, INSN(cls | op | EBPF_SRC_X, d, s, off, 0));
	else
		emit(g, INSN(cls | op | EBPF_SRC_K, d, 0, off, take_imm(g->in)));
}

/* A scalar bounded by a mask or a shift, as code indexes arrays. */
/* *max: the largest value the generator expects (the verifier decides). */
static int gen_bounded_scalar(struct gen *g, uint32_t limit, uint32_t *max)
{
	int r = ensure_scalar(g);
	uint32_t mask = 1;

	if (r < 0)
		return -1;
	while (mask * 2 <= limit && !one_in(g->in, 3))
		mask *= 2;
	mask -= 1;
	*max = mask;
	switch (below(g->in, 4)) {
	case 0: /* 32-bit and: zero-extends */
		emit(g, INSN(EBPF_CLS_ALU | EBPF_ALU_AND | EBPF_SRC_K, r, 0, 0, mask));
		break;
	case 1: { /* a shift leaves the top bits */
		uint32_t bits = 0;

		while ((1u << bits) <= mask)
			bits++;
		/* r >>= 64 shifts by 0 (RFC 9669 §4.1 masks the amount): unbounded */
		if (bits == 0)
			*max = UINT32_MAX;
		emit(g, ALU64_IMM(EBPF_ALU_RSH, r, 64 - bits));
		break;
	}
	case 2: /* mod by a constant */
		emit(g, ALU64_IMM(EBPF_ALU_MOD, r, mask + 1));
		break;
	default:
		emit(g, ALU64_IMM(EBPF_ALU_AND, r, mask));
		break;
	}
	if (one_in(g->in, 4)) {
		/*
		 * Through the stack: a full spill keeps the bounds, and so does
		 * a narrow one (1, 2 or 4 bytes) of a value that fits; a byte
		 * stored into the spill before the fill, or a fill of another
		 * size, must leave the value unknown (it may exceed mask now).
		 */
		int stored = one_in(g->in, 2) ? 3 : (int)below(g->in, 3), s = stored;
		int32_t off = stack_depth(g, SLOT);

		emit(g, STX(size_codes[s], EBPF_REG_FP, (uint8_t)r, -off));
		if (one_in(g->in, 4))
			emit(g, ST(EBPF_SIZE_B, EBPF_REG_FP,
				   -off + (int32_t)below(g->in, size_bytes[s]), 0xff));
		/* across a helper call, as clang keeps a 32-bit value (xdpwall) */
		if (one_in(g->in, 4) && !(g->reserved & CALLER_SAVED_MASK)) {
			struct gen_reg kept = g->st.reg[r];

			emit(g, CALL(FUNC_GET_PRANDOM_U32));
			clobber_caller_saved(g);
			set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
			g->st.reg[r] = kept; /* the fill below sets it again */
		}
		if (one_in(g->in, 4) && s > 0)
			s--;
		emit(g, LDX(size_codes[s], (uint8_t)r, EBPF_REG_FP, -off));
		memset(&g->st.stack[EBPF_STACK_SIZE - off], BYTE_DATA, size_bytes[stored]);
	}
	if (wrong(g->in))
		gen_scalar_alu(g);
	return r;
}

/*
 * if (ptr + n > end) goto skip; <block where n bytes at ptr are proven>
 * (or one of the equivalent orders). One time in ONE_IN_WRONG the check
 * is inverted, so the block is not safe.
 */
static void gen_packet_guard(struct gen *g, int ptr)
{
	enum gen_kind kind = g->st.reg[ptr].kind;
	int end = kind == GEN_PKT_META ? ensure_kind(g, GEN_PKT) : ensure_kind(g, GEN_PKT_END);
	static const int32_t sizes[] = {1, 2, 4, 8, 14, 20, 34, 42, 54, 64};
	int32_t n = one_in(g->in, 8) ? (int32_t)below(g->in, PKT_MAX_LEN + 64)
				     : sizes[below(g->in, COUNT_OF(sizes))];
	struct gen_state before;
	uint8_t t;
	size_t skip;

	if (g->st.reg[ptr].kind != kind || g->st.reg[end].kind == GEN_NONE)
		return; /* loading end clobbered ptr */
	g->reserved |= 1u << ptr | 1u << end;
	t = pick_free(g);
	g->reserved &= ~(1u << ptr | 1u << end);
	emit(g, MOV64_REG(t, ptr));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, t, n));
	switch (below(g->in, wrong(g->in) ? 6 : 4)) {
	case 0:
		skip = emit_forward(g, JMP_REG(EBPF_JMP_JGT, t, end));
		break;
	case 1:
		skip = emit_forward(g, JMP_REG(EBPF_JMP_JLT, end, t));
		break;
	case 2:
		emit(g, INSN(EBPF_CLS_JMP | EBPF_JMP_JLE | EBPF_SRC_X, t, end, 1, 0));
		skip = emit_forward(g, INSN(EBPF_OP_JA, 0, 0, 0, 0));
		break;
	case 3:
		emit(g, INSN(EBPF_CLS_JMP | EBPF_JMP_JGE | EBPF_SRC_X, end, t, 1, 0));
		skip = emit_forward(g, INSN(EBPF_OP_JA, 0, 0, 0, 0));
		break;
	case 4: /* wrong: the block runs when the bytes are missing */
		skip = emit_forward(g, JMP_REG(EBPF_JMP_JLE, t, end));
		break;
	default: /* wrong: JMP32 compares only the low halves */
		skip =
		    emit_forward(g, INSN(EBPF_CLS_JMP32 | EBPF_JMP_JGT | EBPF_SRC_X, t, end, 0, 0));
		break;
	}
	set_reg(g, t, GEN_NONE, 0, 0);
	before = g->st;
	if (g->st.reg[ptr].range < n)
		g->st.reg[ptr].range = n;
	g->nest++;
	gen_block(g, 1 + (int)below(g->in, MAX_BLOCK_STEPS));
	g->nest--;
	patch_to_here(g, skip);
	join(g, &before);
}

/* ptr2 = pkt + bounded scalar, then a guard on ptr2. */
static void gen_packet_variable(struct gen *g)
{
	int p = ensure_kind(g, GEN_PKT);
	uint32_t max;
	int s;
	uint8_t q;

	g->reserved |= 1u << p;
	s = gen_bounded_scalar(g, one_in(g->in, 2) ? 64 : 0xffff, &max);
	if (s < 0 || g->st.reg[p].kind != GEN_PKT) {
		g->reserved &= ~(1u << p);
		return;
	}
	g->reserved |= 1u << s;
	q = pick_free(g);
	g->reserved &= ~(1u << p | 1u << s);
	emit(g, MOV64_REG(q, p));
	emit(g, ALU64_REG(one_in(g->in, 16) ? EBPF_ALU_SUB : EBPF_ALU_ADD, q, s));
	set_reg(g, q, GEN_PKT, 0, 0);
	gen_packet_guard(g, q);
}

/* Writes key bytes at fp-off for a key of size bytes. */
static void gen_stack_key(struct gen *g, int32_t off, uint32_t size)
{
	uint32_t i;

	if (size == 8 && one_in(g->in, 2)) {
		emit(g, ST(EBPF_SIZE_DW, EBPF_REG_FP, -off, below(g->in, HASH_PREFILL + 2)));
	} else {
		int s = one_in(g->in, 3) ? pick_kind(g, GEN_SCALAR) : -1;

		if (s >= 0)
			emit(g, STX(EBPF_SIZE_W, EBPF_REG_FP, (uint8_t)s, -off));
		else
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, -off, below(g->in, HASH_PREFILL + 2)));
		if (size == 8)
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, -off + 4, 0));
	}
	for (i = 0; i < size; i++)
		g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
}

/* A map with keys for lookup (read_only: also those programs may only read) or update/delete. */
static int pick_map(struct gen *g, bool read_only)
{
	static const int keyed[] = {MAP_ARRAY_8,      MAP_ARRAY_48,    MAP_HASH_16,
				    MAP_HASH_12,      MAP_LPM_TRIE,    MAP_LRU_PERCPU,
				    MAP_ARRAY_RDONLY, MAP_DEVMAP_HASH, MAP_XSKMAP};

	return keyed[below(g->in, COUNT_OF(keyed) - (read_only ? 0 : 3))];
}

static void emit_map_ptr(struct gen *g, uint8_t dst, int map)
{
	emit_lddw(g, dst, EBPF_PSEUDO_MAP_FD, (uint32_t)map, 0);
}

/*
 * r0 = lookup(outer, key on stack), a map of inner_map_of(outer)'s shape
 * or NULL; if (!r0) skip, the skip returned (SIZE_MAX: deliberately no
 * NULL check). r0 then names the inner map for the caller's lookup.
 */
static size_t gen_inner_map(struct gen *g, int outer, int32_t off)
{
	uint32_t i;

	/* Mostly a key that holds a map (0), so that the inner lookups run. */
	emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, -off, one_in(g->in, 4) ? below(g->in, 4) : 0));
	for (i = 0; i < map_defs[outer].key_size; i++)
		g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
	emit_map_ptr(g, EBPF_REG_R1, outer);
	emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -off));
	emit(g, CALL(FUNC_MAP_LOOKUP_ELEM));
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_NONE, 0, 0);
	return wrong(g->in) ? SIZE_MAX : emit_forward(g, JMP_IMM(EBPF_JMP_JEQ, EBPF_REG_R0, 0));
}

/*
 * r0 = lookup(map, key on stack); if (!r0) skip; <block with a value>.
 * The map is loaded by lddw or, sometimes, found in a map-in-map.
 */
static void gen_map_lookup(struct gen *g)
{
	int map = wrong(g->in) ? MAP_QUEUE_8 + (int)below(g->in, 3) : pick_map(g, true);
	int outer = one_in(g->in, 4) ? MAP_OF_ARRAYS + (int)below(g->in, 2) : -1;
	const struct ebpf_map_def *def;
	int32_t off = stack_depth(g, SLOT);
	struct gen_state before, before_outer;
	int v = EBPF_REG_R0;
	size_t skip, skip_outer = SIZE_MAX;

	if (g->reserved & CALLER_SAVED_MASK)
		return;
	if (outer >= 0) {
		map = inner_map_of(outer);
		skip_outer = gen_inner_map(g, outer, off < SLOT ? SLOT : off);
		before_outer = g->st;
	}
	def = &map_defs[map];
	if (off < (int32_t)def->key_size)
		off = SLOT;
	gen_stack_key(g, off, def->key_size);
	if (outer >= 0)
		emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R0));
	else
		emit_map_ptr(g, EBPF_REG_R1, map);
	emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -off));
	/* a per-CPU map's value of CPU 0 (1: none); other maps do not take it */
	if (map == MAP_LRU_PERCPU ? one_in(g->in, 2) : wrong(g->in)) {
		emit(g, MOV64_IMM(REG_R3, (int32_t)below(g->in, 2)));
		emit(g, CALL(FUNC_MAP_LOOKUP_PERCPU_ELEM));
	} else {
		emit(g, CALL(FUNC_MAP_LOOKUP_ELEM));
	}
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_MAP_VALUE_OR_NULL, (int32_t)def->value_size, map);
	if (one_in(g->in, 2) && (v = pick_saved(g)) >= 0) {
		emit(g, MOV64_REG((uint8_t)v, EBPF_REG_R0));
		g->st.reg[v] = g->st.reg[EBPF_REG_R0];
	} else {
		v = EBPF_REG_R0;
	}
	if (wrong(g->in)) {
		skip = SIZE_MAX; /* no NULL check */
	} else if (one_in(g->in, 2)) {
		skip = emit_forward(g, JMP_IMM(EBPF_JMP_JEQ, v, 0));
	} else {
		emit(g, INSN(EBPF_CLS_JMP | EBPF_JMP_JNE | EBPF_SRC_K, v, 0, 1, 0));
		skip = emit_forward(g, INSN(EBPF_OP_JA, 0, 0, 0, 0));
	}
	before = g->st;
	set_reg(g, (uint8_t)v, GEN_MAP_VALUE, (int32_t)def->value_size, map);
	if (v != EBPF_REG_R0 && g->st.reg[0].kind == GEN_MAP_VALUE_OR_NULL)
		g->st.reg[0] = g->st.reg[v];
	g->nest++;
	gen_block(g, 1 + (int)below(g->in, MAX_BLOCK_STEPS));
	g->nest--;
	if (skip != SIZE_MAX)
		patch_to_here(g, skip);
	join(g, &before);
	if (skip_outer != SIZE_MAX) {
		patch_to_here(g, skip_outer);
		join(g, &before_outer);
	}
}

/*
 * v = *(size *)(rodata + off); if (v == its value) goto +1; <a read above
 * the frame>. The verifier reads the frozen MAP_ARRAY_RDONLY as constants
 * and drops the read as dead; wrong: `!=` instead, so the read runs, and
 * a verifier with a wrong constant would accept it.
 */
static void gen_rodata_branch(struct gen *g, uint8_t ptr, uint32_t room_left)
{
	unsigned int s = below(g->in, COUNT_OF(size_codes));
	uint8_t v = pick_free(g);
	uint32_t constant = 0, off, i;

	if (size_bytes[s] > room_left)
		return;
	off = map_defs[MAP_ARRAY_RDONLY].value_size - room_left;
	/* Little-endian; JMP32 compares the low 32 bits, so 8-byte loads too. */
	for (i = 0; i < size_bytes[s] && i < sizeof(constant); i++)
		constant |= (uint32_t)(uint8_t)((off + i) * RODATA_BYTE_STEP) << (8 * i);
	emit(g, LDX(size_codes[s], v, ptr, 0));
	emit(g, INSN(EBPF_CLS_JMP32 | (wrong(g->in) ? EBPF_JMP_JNE : EBPF_JMP_JEQ) | EBPF_SRC_K, v,
		     0, 1, (int32_t)constant));
	emit(g, LDX(EBPF_SIZE_DW, pick_free(g), EBPF_REG_FP, 0));
	set_reg(g, v, GEN_SCALAR, 0, 0);
}

/* A map value pointer straight from lddw (BPF_PSEUDO_MAP_VALUE), arrays only. */
static void gen_direct_value(struct gen *g)
{
	int map = (int)below(g->in, MAP_HASH_16);
	uint32_t size = map_defs[map].value_size;
	uint32_t off = below(g->in, size);
	uint8_t r = pick_free(g);

	emit_lddw(g, r, EBPF_PSEUDO_MAP_VALUE, (uint32_t)map, off);
	set_reg(g, r, GEN_MAP_VALUE, (int32_t)(size - off), map);
	if (map == MAP_ARRAY_RDONLY && one_in(g->in, 2))
		gen_rodata_branch(g, r, size - off);
}

/* Accesses a map value, a ringbuf record or packet bytes already proven. */
/*
 * if (idx > k) goto skip; q = ptr + idx; <access at q> - an index bounded
 * by a comparison (unsigned, or signed from both ends; JMP or JMP32), as
 * code checks an index against an array's size.
 */
static void gen_compared_index(struct gen *g, int ptr)
{
	int32_t range = g->st.reg[ptr].range;
	unsigned int s = pick_size(g, range);
	int32_t k = range - size_bytes[s];
	uint8_t cls = one_in(g->in, 3) ? EBPF_CLS_JMP32 : EBPF_CLS_JMP;
	size_t skip, low_skip = SIZE_MAX;
	struct gen_state before;
	int idx;
	uint8_t q;

	g->reserved |= 1u << ptr;
	idx = ensure_scalar(g);
	if (idx < 0 || k < 0) {
		g->reserved &= ~(1u << ptr);
		return;
	}
	if (wrong(g->in))
		k++;
	switch (below(g->in, 3)) {
	case 0:
		skip = emit_forward(g, INSN(cls | EBPF_JMP_JGT | EBPF_SRC_K, idx, 0, 0, k));
		break;
	case 1:
		skip = emit_forward(g, INSN(cls | EBPF_JMP_JGE | EBPF_SRC_K, idx, 0, 0, k + 1));
		break;
	default:
		if (!wrong(g->in)) /* wrong: no lower bound */
			low_skip =
			    emit_forward(g, INSN(cls | EBPF_JMP_JSLT | EBPF_SRC_K, idx, 0, 0, 0));
		skip = emit_forward(g, INSN(cls | EBPF_JMP_JSGT | EBPF_SRC_K, idx, 0, 0, k));
		break;
	}
	before = g->st;
	g->reserved |= 1u << idx;
	q = pick_free(g);
	g->reserved &= ~(1u << idx | 1u << ptr);
	emit(g, MOV64_REG(q, (uint8_t)ptr));
	emit(g, ALU64_REG(EBPF_ALU_ADD, q, (uint8_t)idx));
	if (one_in(g->in, 2))
		emit(g, LDX(size_codes[s], pick_free(g), q, 0));
	else
		emit(g, ST(size_codes[s], q, 0, take_imm(g->in)));
	set_reg(g, q, GEN_NONE, 0, 0);
	patch_to_here(g, skip);
	if (low_skip != SIZE_MAX)
		patch_to_here(g, low_skip);
	join(g, &before);
}

/* Accesses a map value, a ringbuf record, caller stack or proven packet bytes. */
static void gen_region_access(struct gen *g)
{
	static const enum gen_kind kinds[] = {GEN_MAP_VALUE, GEN_MEM, GEN_PKT, GEN_PKT_META,
					      GEN_FRAME_REF};
	enum gen_kind kind = kinds[below(g->in, COUNT_OF(kinds))];
	bool packet = kind == GEN_PKT || kind == GEN_PKT_META;
	int r = pick_kind(g, kind);
	const struct gen_reg *reg;
	int32_t range;

	if (r < 0)
		return;
	reg = &g->st.reg[r];
	range = reg->range;
	if (packet && range == 0)
		return;
	if (!packet && g->nest < MAX_NEST && one_in(g->in, 4)) {
		gen_compared_index(g, r);
		return;
	}
	if (!packet && one_in(g->in, 3)) {
		/* variable offset: ptr + (scalar & mask) */
		uint32_t max;
		int s, q;

		g->reserved |= 1u << r;
		s = gen_bounded_scalar(g, (uint32_t)range, &max);
		if (s < 0 || g->st.reg[r].kind != kind) {
			g->reserved &= ~(1u << r);
			return;
		}
		g->reserved |= 1u << s;
		q = pick_free(g);
		g->reserved &= ~(1u << r | 1u << s);
		emit(g, MOV64_REG((uint8_t)q, (uint8_t)r));
		emit(g, ALU64_REG(EBPF_ALU_ADD, (uint8_t)q, (uint8_t)s));
		g->st.reg[q] = g->st.reg[r];
		reg = &g->st.reg[q];
		r = q;
		range = max < (uint32_t)range ? range - (int32_t)max : 1;
	}
	gen_access(g, (uint8_t)r, range,
		   kind != GEN_MAP_VALUE || !map_read_only(reg->map) || wrong(g->in),
		   kind == GEN_MAP_VALUE || kind == GEN_FRAME_REF);
}

/* Stack stores and loads, constant and variable offsets. */
static void gen_stack_access(struct gen *g)
{
	unsigned int s = below(g->in, COUNT_OF(size_codes));
	uint8_t bytes = size_bytes[s];
	int32_t at = stack_index(g);
	int i;

	at -= at % bytes;
	if (wrong(g->in))
		at += (int32_t)below(g->in, 2 * bytes) - bytes; /* unaligned or outside */
	if (one_in(g->in, 2) || g->st.stack[at & (EBPF_STACK_SIZE - 1)] != BYTE_DATA) {
		int src = one_in(g->in, 2) ? pick_kind(g, GEN_SCALAR) : -1;

		if (src >= 0)
			emit(g,
			     STX(size_codes[s], EBPF_REG_FP, (uint8_t)src, at - EBPF_STACK_SIZE));
		else
			emit(g,
			     ST(size_codes[s], EBPF_REG_FP, at - EBPF_STACK_SIZE, take_imm(g->in)));
		for (i = at; i < at + bytes && i < EBPF_STACK_SIZE; i++)
			if (i >= 0)
				g->st.stack[i] = BYTE_DATA;
		return;
	}
	if (one_in(g->in, 3)) {
		/* r = fp - base + (scalar & mask): a variable-offset read */
		int32_t base = stack_depth(g, SLOT);
		uint32_t max;
		int sc = gen_bounded_scalar(g, (uint32_t)base, &max);
		uint8_t q;

		if (sc < 0)
			return;
		g->reserved |= 1u << sc;
		q = pick_free(g);
		g->reserved &= ~(1u << sc);
		emit(g, MOV64_REG(q, EBPF_REG_FP));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, q, -base));
		emit(g, ALU64_REG(EBPF_ALU_ADD, q, (uint8_t)sc));
		emit(g, LDX(EBPF_SIZE_B, pick_free(g), q, 0));
		set_reg(g, q, GEN_NONE, 0, 0);
		return;
	}
	{
		uint8_t d = pick_free(g);

		emit(g, LDX(size_codes[s], d, EBPF_REG_FP, at - EBPF_STACK_SIZE));
		set_reg(g, d, GEN_SCALAR, 0, 0);
	}
}

/* Spills a pointer to an 8-byte slot and fills it into another register. */
static void gen_spill_fill(struct gen *g)
{
	int p = -1, r, slot = STACK_SLOTS - stack_depth(g, SLOT) / SLOT;
	uint8_t d;

	for (r = (int)below(g->in, EBPF_REG_FP); r < EBPF_REG_FP; r++)
		if (is_pointer(g->st.reg[r].kind) || g->st.reg[r].kind == GEN_STALE) {
			p = r;
			break;
		}
	if (p < 0)
		return;
	emit(g, STX(EBPF_SIZE_DW, EBPF_REG_FP, (uint8_t)p, (slot - STACK_SLOTS) * SLOT));
	memset(&g->st.stack[slot * SLOT], BYTE_SPILL, SLOT);
	g->st.spill[slot] = g->st.reg[p];
	if (one_in(g->in, 2))
		gen_block(g, 1);
	if (g->st.stack[slot * SLOT] != BYTE_SPILL)
		return;
	d = pick_free(g);
	emit(g, LDX(EBPF_SIZE_DW, d, EBPF_REG_FP, (slot - STACK_SLOTS) * SLOT));
	g->st.reg[d] = g->st.spill[slot];
}

/* if (scalar op k) goto skip; <block>: both outcomes refine the range. */
static void gen_diamond(struct gen *g)
{
	int s = ensure_scalar(g);
	uint8_t op = cond_ops[below(g->in, COUNT_OF(cond_ops))];
	uint8_t cls = one_in(g->in, 3) ? EBPF_CLS_JMP32 : EBPF_CLS_JMP;
	int other = one_in(g->in, 3) ? pick_kind(g, GEN_SCALAR) : -1;
	struct gen_state before;
	size_t skip;

	if (s < 0)
		return;
	if (other >= 0)
		skip = emit_forward(g, INSN(cls | op | EBPF_SRC_X, s, other, 0, 0));
	else
		skip = emit_forward(g, INSN(cls | op | EBPF_SRC_K, s, 0, 0, take_imm(g->in)));
	before = g->st;
	g->nest++;
	gen_block(g, 1 + (int)below(g->in, MAX_BLOCK_STEPS));
	g->nest--;
	patch_to_here(g, skip);
	join(g, &before);
}

/* c = 0; loop: <block>; c += 1; if c < k goto loop */
static void gen_loop(struct gen *g)
{
	int c = pick_saved(g);
	uint32_t k = one_in(g->in, 16) ? 1 + below(g->in, LONG_LOOP_ROUNDS)
				       : 1 + below(g->in, MAX_LOOP_ROUNDS);
	struct gen_state before;
	size_t top;

	if (c < 0 || g->in_loop)
		return;
	g->in_loop = true;
	emit(g, MOV64_IMM(c, 0));
	set_reg(g, (uint8_t)c, GEN_SCALAR, 0, 0);
	g->reserved |= 1u << c;
	before = g->st;
	top = g->count;
	g->nest++;
	gen_block(g, 1 + (int)below(g->in, MAX_LOOP_STEPS));
	g->nest--;
	emit(g, ALU64_IMM(EBPF_ALU_ADD, c, 1));
	switch (below(g->in, 3)) {
	case 0:
		emit(g, INSN(EBPF_CLS_JMP | EBPF_JMP_JLT | EBPF_SRC_K, c, 0,
			     (int32_t)top - (int32_t)g->count - 1, k));
		break;
	case 1:
		emit(g, INSN(EBPF_CLS_JMP32 | EBPF_JMP_JLT | EBPF_SRC_K, c, 0,
			     (int32_t)top - (int32_t)g->count - 1, k));
		break;
	default:
		emit(g, INSN(EBPF_CLS_JMP | EBPF_JMP_JNE | EBPF_SRC_K, c, 0,
			     (int32_t)top - (int32_t)g->count - 1, k));
		break;
	}
	g->reserved &= ~(1u << c);
	g->in_loop = false;
	join(g, &before);
}

/* A pointer and size for a helper's memory argument (stack, packet, value). */
static bool gen_mem_arg(struct gen *g, uint8_t ptr_reg, uint8_t size_reg, uint32_t max)
{
	int32_t size = 4 * (int32_t)(1 + below(g->in, 4));
	int src = -1;

	if (one_in(g->in, 2)) {
		int32_t off = stack_depth(g, 2 * SLOT);
		int i;

		for (i = 0; i < size; i += 4)
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, i - off, take_imm(g->in)));
		for (i = 0; i < size; i++)
			g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
		emit(g, MOV64_REG(ptr_reg, EBPF_REG_FP));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, ptr_reg, -off));
	} else {
		src = pick_kind(g, one_in(g->in, 2) ? GEN_PKT : GEN_MAP_VALUE);
		if (src < 0)
			return false;
		size = g->st.reg[src].range - (g->st.reg[src].range % 4);
		if (size <= 0 || wrong(g->in))
			size += 4;
		emit(g, MOV64_REG(ptr_reg, (uint8_t)src));
	}
	if ((uint32_t)size > max)
		size = (int32_t)max;
	emit(g, MOV64_IMM(size_reg, size));
	return true;
}

/*
 * push(map, fp - off, flags), pop(map, fp - off) or peek on a queue, stack
 * or bloom filter. pop and peek write the value_size buffer (a bloom
 * filter's peek reads it, but the verifier, like Linux's, treats it as
 * written: ARG_PTR_TO_MAP_VALUE | MEM_UNINIT). Wrong: a keyed map, pop
 * from a bloom filter, or a buffer that runs past the frame's top.
 */
static void gen_push_pop_peek(struct gen *g)
{
	static const int32_t funcs[] = {FUNC_MAP_PUSH_ELEM, FUNC_MAP_POP_ELEM, FUNC_MAP_PEEK_ELEM};
	int map = MAP_QUEUE_8 + (int)below(g->in, 3);
	int32_t func = funcs[below(g->in, COUNT_OF(funcs))];
	uint32_t size = map_defs[map].value_size, i;
	int32_t off = stack_depth(g, (int32_t)(size + SLOT - 1) / SLOT * SLOT);

	if (map == MAP_BLOOM_4 && func == FUNC_MAP_POP_ELEM && !wrong(g->in))
		func = FUNC_MAP_PEEK_ELEM;
	if (wrong(g->in))
		map = pick_map(g, true);
	if (wrong(g->in))
		off = SLOT; /* the 12-byte stack value would end past fp */
	if (func == FUNC_MAP_PUSH_ELEM) {
		for (i = 0; i + 4 <= size; i += 4)
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, (int32_t)i - off, take_imm(g->in)));
		emit(g, MOV64_IMM(REG_R3, (int32_t)below(g->in, 3)));
	}
	emit_map_ptr(g, EBPF_REG_R1, map);
	emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -off));
	emit(g, CALL(func));
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
	for (i = 0; i < size && (int32_t)i < off; i++)
		g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
}

/*
 * Reads of a socket at offsets Linux allows (bpf_sock_is_valid_access)
 * into a free register: {offset, size}; the first ones a sock_common
 * allows too.
 */
static const struct {
	int16_t off;
	uint8_t size_code;
} sock_reads[] = {
    {4, EBPF_SIZE_W},  {72, EBPF_SIZE_W}, {72, EBPF_SIZE_B}, {44, EBPF_SIZE_W},
    {48, EBPF_SIZE_H}, {48, EBPF_SIZE_W}, {25, EBPF_SIZE_B}, {58, EBPF_SIZE_H},
    {76, EBPF_SIZE_W}, {0, EBPF_SIZE_W},  {12, EBPF_SIZE_W}, {16, EBPF_SIZE_W},
};
#define SOCK_COMMON_READS 10

static void gen_sock_read(struct gen *g, uint8_t sk, bool sock_common)
{
	uint8_t dst = pick_free(g);
	uint32_t k = below(g->in, sock_common ? SOCK_COMMON_READS : COUNT_OF(sock_reads));

	if (wrong(g->in)) { /* a hidden field, a misaligned piece, or a write */
		switch (below(g->in, 3)) {
		case 0:
			emit(g, LDX(EBPF_SIZE_W, dst, sk, sock_common ? SOCK_MARK_OFF : 80));
			break;
		case 1:
			emit(g, LDX(EBPF_SIZE_B, dst, sk, SOCK_STATE_OFF + 1));
			break;
		default:
			emit(g, ST(EBPF_SIZE_W, sk, SOCK_MARK_OFF, 1));
			return;
		}
	} else {
		emit(g, LDX(sock_reads[k].size_code, dst, sk, sock_reads[k].off));
	}
	set_reg(g, dst, GEN_SCALAR, 0, 0);
}

/*
 * r = sk_lookup_tcp/udp or skc_lookup_tcp(ctx, &tuple, size, netns, 0);
 * if (!r) skip; <reads, a block>; sk_release(r). The reference is the
 * verifier's to track across the block's branches and spills.
 */
static void gen_sock_lookup(struct gen *g)
{
	static const int32_t lookups[] = {FUNC_SK_LOOKUP_TCP, FUNC_SK_LOOKUP_UDP,
					  FUNC_SKC_LOOKUP_TCP};
	int32_t func = lookups[below(g->in, COUNT_OF(lookups))];
	int32_t size = one_in(g->in, 4) ? TUPLE_V6_BYTES : TUPLE_V4_BYTES;
	int32_t off = stack_depth(g, TUPLE_V6_BYTES + 4), i;
	bool sock_common = func == FUNC_SKC_LOOKUP_TCP, checked = !wrong(g->in);
	int r = pick_saved(g);
	struct gen_state before;
	size_t skip = 0;

	if (r < 0 || !room(g, 32))
		return;
	for (i = 0; i < size; i += 4)
		emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, i - off, take_imm(g->in)));
	for (i = 0; i < size; i++)
		g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
	emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R6));
	emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -off));
	emit(g, MOV64_IMM(REG_R3, size));
	emit(g, MOV64_IMM(REG_R4, one_in(g->in, 8) ? (int32_t)below(g->in, 2) : CURRENT_NETNS));
	emit(g, MOV64_IMM(REG_R5, 0));
	emit(g, CALL(func));
	clobber_caller_saved(g);
	emit(g, MOV64_REG((uint8_t)r, EBPF_REG_R0));
	set_reg(g, EBPF_REG_R0, GEN_NONE, 0, 0);
	if (checked) /* wrong: read and release a socket that may be NULL */
		skip = emit_forward(g, JMP_IMM(EBPF_JMP_JEQ, r, 0));
	before = g->st;
	g->reserved |= 1u << r;
	gen_sock_read(g, (uint8_t)r, sock_common);
	/* bpf_tcp_gen/check_syncookie(sk, iph, iph_len, th, th_len) */
	if (one_in(g->in, 3) && gen_mem_arg(g, REG_R2, REG_R3, IPV6_HDR_BYTES) &&
	    gen_mem_arg(g, REG_R4, REG_R5, TCP_HDR_BYTES + 4)) {
		emit(g, MOV64_REG(EBPF_REG_R1, (uint8_t)r));
		emit(g, CALL(one_in(g->in, 2) ? FUNC_TCP_GEN_SYNCOOKIE : FUNC_TCP_CHECK_SYNCOOKIE));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
	}
	g->nest++;
	g->holding++;
	gen_block(g, (int)below(g->in, MAX_BLOCK_STEPS));
	g->holding--;
	g->nest--;
	g->reserved &= ~(1u << r);
	if (!wrong(g->in)) { /* wrong: a leak */
		emit(g, MOV64_REG(EBPF_REG_R1, (uint8_t)r));
		emit(g, CALL(FUNC_SK_RELEASE));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		if (wrong(g->in)) /* use after release */
			gen_sock_read(g, (uint8_t)r, sock_common);
	}
	set_reg(g, (uint8_t)r, GEN_NONE, 0, 0);
	if (checked) {
		patch_to_here(g, skip);
		join(g, &before);
	}
}

/*
 * A pointer to size readable bytes in ptr_reg, for a fixed-size argument:
 * stack bytes it writes, or a packet or map value pointer whose proven
 * range holds them. Wrong: one whose range is short of them.
 */
static void gen_fixed_mem_arg(struct gen *g, uint8_t ptr_reg, int32_t size)
{
	int src = pick_kind(g, one_in(g->in, 2) ? GEN_PKT : GEN_MAP_VALUE);
	int32_t off, i;

	if (src >= 0 && (g->st.reg[src].range >= size) != wrong(g->in)) {
		emit(g, MOV64_REG(ptr_reg, (uint8_t)src));
		return;
	}
	off = stack_depth(g, IPV6_HDR_BYTES);
	for (i = 0; i < size; i += 4)
		emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, i - off, take_imm(g->in)));
	for (i = 0; i < size; i++)
		g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
	emit(g, MOV64_REG(ptr_reg, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, ptr_reg, -off));
}

/*
 * bpf_tcp_raw_check_syncookie_ipv4/ipv6(iph, th) with fixed-size headers,
 * or bpf_tcp_raw_gen_syncookie_ipv4(iph, th, th_len) with th a memory
 * argument (a th_len the header's doff does not give is the helper's
 * -EINVAL, not the verifier's business).
 */
static void gen_raw_syncookie(struct gen *g)
{
	bool ipv6 = one_in(g->in, 3);

	if (!room(g, 32))
		return;
	if (one_in(g->in, 2)) {
		if (!gen_mem_arg(g, REG_R2, REG_R3, TCP_HDR_BYTES + 4))
			return;
		gen_fixed_mem_arg(g, EBPF_REG_R1, IPV4_HDR_BYTES);
		emit(g, CALL(FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV4));
	} else {
		gen_fixed_mem_arg(g, EBPF_REG_R1, ipv6 ? IPV6_HDR_BYTES : IPV4_HDR_BYTES);
		gen_fixed_mem_arg(g, REG_R2, TCP_HDR_BYTES);
		emit(g, CALL(ipv6 ? FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV6
				  : FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV4));
	}
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
}

static void emit_lock_call(struct gen *g, int v, int32_t func, int32_t off)
{
	emit(g, MOV64_REG(EBPF_REG_R1, (uint8_t)v));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, EBPF_REG_R1, off));
	emit(g, CALL(func));
}

/*
 * v = lookup(the locked map, key); if (!v) skip; bpf_spin_lock(&v->lock);
 * loads and stores of v's other bytes; bpf_spin_unlock(&v->lock). Wrong
 * choices: the lock's neighbour as the argument, an access of the lock
 * word or a helper call while it is held, no unlock.
 */
static void gen_spin_lock(struct gen *g)
{
	int32_t off = stack_depth(g, SLOT);
	int v = pick_saved(g);
	size_t skip = SIZE_MAX;
	uint32_t k, n = 1 + below(g->in, 3);

	if (v < 0)
		return;
	emit(g,
	     ST(EBPF_SIZE_W, EBPF_REG_FP, -off, below(g->in, map_defs[MAP_WITH_LOCK].max_entries)));
	memset(&g->st.stack[EBPF_STACK_SIZE - off], BYTE_DATA, sizeof(uint32_t));
	emit_map_ptr(g, EBPF_REG_R1, MAP_WITH_LOCK);
	emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -off));
	emit(g, CALL(FUNC_MAP_LOOKUP_ELEM));
	emit(g, MOV64_REG((uint8_t)v, EBPF_REG_R0));
	if (!wrong(g->in))
		skip = emit_forward(g, JMP_IMM(EBPF_JMP_JEQ, v, 0));
	emit_lock_call(g, v, FUNC_SPIN_LOCK, wrong(g->in) ? LOCK_OFF + LOCK_SIZE : LOCK_OFF);
	for (k = 0; k < n; k++) {
		/* a 4-byte word of the value other than the lock's, or wrongly the lock's */
		int32_t word = (int32_t)below(g->in, LOCKED_VALUE / LOCK_SIZE - 1) * LOCK_SIZE;

		if (word >= LOCK_OFF)
			word += LOCK_SIZE;
		if (wrong(g->in))
			word = LOCK_OFF;
		if (one_in(g->in, 2))
			emit(g, LDX(EBPF_SIZE_W, EBPF_REG_R0, (uint8_t)v, word));
		else
			emit(g, ST(EBPF_SIZE_W, (uint8_t)v, word, take_imm(g->in)));
	}
	if (wrong(g->in))
		emit(g, CALL(FUNC_KTIME_GET_NS));
	if (!wrong(g->in))
		emit_lock_call(g, v, FUNC_SPIN_UNLOCK, LOCK_OFF);
	if (skip != SIZE_MAX)
		patch_to_here(g, skip);
	clobber_caller_saved(g);
	set_reg(g, (uint8_t)v, GEN_NONE, 0, 0);
}

static void gen_helper(struct gen *g)
{
	if (g->reserved & CALLER_SAVED_MASK)
		return;
	switch (below(g->in, 16)) {
	case 0: { /* adjust head/tail/meta */
		static const int32_t funcs[] = {FUNC_XDP_ADJUST_HEAD, FUNC_XDP_ADJUST_TAIL,
						FUNC_XDP_ADJUST_META};
		int s = one_in(g->in, 4) ? pick_kind(g, GEN_SCALAR) : -1;
		/* mostly small moves; sometimes up to and past the buffer's room */
		int32_t delta = one_in(g->in, 4)
				    ? (int32_t)below(g->in, PKT_BUF_SIZE) - PKT_HEADROOM
				    : (int32_t)below(g->in, 97) - 64;

		emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R6));
		if (s >= 0 && s != EBPF_REG_R1)
			emit(g, MOV64_REG(REG_R2, (uint8_t)s));
		else
			emit(g, MOV64_IMM(REG_R2, delta));
		emit(g, CALL(funcs[below(g->in, COUNT_OF(funcs))]));
		clobber_caller_saved(g);
		if (!wrong(g->in))
			forget_packet(g);
		break;
	}
	case 1: { /* update or delete */
		int map = pick_map(g, wrong(g->in));
		const struct ebpf_map_def *def = &map_defs[map];
		bool update = one_in(g->in, 2);
		int32_t key_off = SLOT * 2;
		int32_t value_off =
		    key_off + SLOT + (int32_t)SLOT * (int32_t)(def->value_size / SLOT + 1);
		uint32_t i;

		gen_stack_key(g, key_off, def->key_size);
		if (update) {
			for (i = 0; i < def->value_size; i += 4)
				emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, (int32_t)i - value_off,
					   take_imm(g->in)));
			for (i = 0; i < def->value_size; i++)
				g->st.stack[EBPF_STACK_SIZE - value_off + i] = BYTE_DATA;
			emit(g, MOV64_REG(REG_R3, EBPF_REG_FP));
			emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R3, -value_off));
			emit(g, MOV64_IMM(REG_R4, below(g->in, 3)));
		}
		emit_map_ptr(g, EBPF_REG_R1, map);
		emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -key_off));
		emit(g, CALL(update ? FUNC_MAP_UPDATE_ELEM : FUNC_MAP_DELETE_ELEM));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 2: { /* csum_diff(from, from_size, to, to_size, seed) */
		if (!gen_mem_arg(g, EBPF_REG_R1, REG_R2, EBPF_STACK_SIZE))
			return;
		if (one_in(g->in, 2)) {
			emit(g, MOV64_IMM(REG_R3, 0));
			emit(g, MOV64_IMM(REG_R4, 0));
		} else {
			emit(g, MOV64_REG(REG_R3, EBPF_REG_R1));
			emit(g, MOV64_REG(REG_R4, REG_R2));
		}
		emit(g, MOV64_IMM(REG_R5, take_imm(g->in)));
		emit(g, CALL(FUNC_CSUM_DIFF));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 3: { /* ringbuf_output(map, data, size, 0) */
		if (!gen_mem_arg(g, REG_R2, REG_R3, EBPF_STACK_SIZE))
			return;
		emit_map_ptr(g, EBPF_REG_R1, MAP_RINGBUF);
		emit(g, MOV64_IMM(REG_R4, 0));
		emit(g, CALL(FUNC_RINGBUF_OUTPUT));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 4: { /* r = reserve; if (!r) skip; <block on r>; submit/discard(r) */
		int32_t size = 8 * (int32_t)(1 + below(g->in, 8));
		int r = pick_saved(g), record;
		struct gen_state before;
		size_t skip;

		if (r < 0)
			return;
		emit_map_ptr(g, EBPF_REG_R1, MAP_RINGBUF);
		emit(g, MOV64_IMM(REG_R2, size));
		emit(g, MOV64_IMM(REG_R3, 0));
		emit(g, CALL(FUNC_RINGBUF_RESERVE));
		clobber_caller_saved(g);
		emit(g, MOV64_REG((uint8_t)r, EBPF_REG_R0));
		set_reg(g, EBPF_REG_R0, GEN_NONE, 0, 0);
		skip = emit_forward(g, JMP_IMM(EBPF_JMP_JEQ, r, 0));
		before = g->st;
		record = ++g->records;
		set_reg(g, (uint8_t)r, GEN_MEM, size, record);
		g->reserved |= 1u << r;
		g->nest++;
		g->holding++;
		gen_block(g, 1 + (int)below(g->in, MAX_BLOCK_STEPS));
		g->holding--;
		g->nest--;
		g->reserved &= ~(1u << r);
		emit(g, MOV64_REG(EBPF_REG_R1, (uint8_t)r));
		emit(g, MOV64_IMM(REG_R2, 0));
		emit(g, CALL(one_in(g->in, 2) ? FUNC_RINGBUF_SUBMIT : FUNC_RINGBUF_DISCARD));
		clobber_caller_saved(g);
		if (wrong(g->in)) /* wrong: use the record after releasing it */
			gen_access(g, (uint8_t)r, size, true, false);
		/* Its copies too: gen_stale_pointer dereferences one at times. */
		forget_record(g, record);
		patch_to_here(g, skip);
		join(g, &before);
		break;
	}
	case 5:
		gen_push_pop_peek(g);
		break;
	case 6: { /* redirect_map(devmap_hash, cpumap or xskmap, key, fallback verdict) */
		static const int targets[] = {MAP_DEVMAP_HASH, MAP_CPUMAP, MAP_XSKMAP};
		int s = one_in(g->in, 2) ? pick_kind(g, GEN_SCALAR) : -1;

		if (s >= 0 && s != REG_R2)
			emit(g, MOV64_REG(REG_R2, (uint8_t)s));
		else
			emit(g, MOV64_IMM(REG_R2, (int32_t)below(g->in, HASH_PREFILL + 2)));
		emit_map_ptr(g, EBPF_REG_R1,
			     wrong(g->in) ? pick_map(g, false)
					  : targets[below(g->in, COUNT_OF(targets))]);
		/* the fallback verdict, or now and then BPF_F_BROADCAST (| EXCLUDE_INGRESS) */
		emit(g, MOV64_IMM(REG_R3, one_in(g->in, 8) ? (int32_t)(8 | below(g->in, 2) << 4)
							   : (int32_t)below(g->in, 4)));
		emit(g, CALL(FUNC_REDIRECT_MAP));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 7: { /* perf_event_output(ctx, map, slot | frame bytes << 32, data, size) */
		static const uint32_t slots[] = {0, 1, 2, UINT32_MAX}; /* 2: past the array */

		if (!gen_mem_arg(g, REG_R4, REG_R5, EBPF_STACK_SIZE))
			return;
		emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R6));
		emit_map_ptr(g, REG_R2, wrong(g->in) ? MAP_RINGBUF : MAP_PERF_EVENT);
		emit_lddw(g, REG_R3, 0, slots[below(g->in, COUNT_OF(slots))],
			  one_in(g->in, 16) ? 1u << 20 : below(g->in, PKT_MAX_LEN + 1));
		emit(g, CALL(FUNC_PERF_EVENT_OUTPUT));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 11:
		gen_sock_lookup(g);
		break;
	case 12:
		gen_raw_syncookie(g);
		break;
	case 8: { /* xdp_load_bytes/xdp_store_bytes(ctx, offset, buf, len) */
		if (!gen_mem_arg(g, REG_R3, REG_R4, EBPF_STACK_SIZE))
			return;
		emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R6));
		emit(g, MOV64_IMM(REG_R2, (int32_t)below(g->in, 80)));
		emit(g, CALL(one_in(g->in, 2) ? FUNC_XDP_LOAD_BYTES : FUNC_XDP_STORE_BYTES));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 9: { /* check_mtu(ctx, ifindex, &mtu_len, diff, flags), fib_lookup(ctx, params, 64,
		     flags) */
		bool fib = one_in(g->in, 2);
		uint32_t size = fib ? FIB_PARAMS_BYTES : MTU_LEN_BYTES;
		int32_t off = stack_depth(g, FIB_PARAMS_BYTES);
		uint32_t i;

		/* the helper reads these bytes: unwritten ones are refused */
		for (i = wrong(g->in) ? SLOT : 0; i < size; i += MTU_LEN_BYTES)
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, (int32_t)i - off,
				   one_in(g->in, 2) ? 0 : take_imm(g->in)));
		for (i = 0; i < size; i++)
			g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
		if (fib && !one_in(g->in, 4)) { /* a family and the device: a lookup that writes */
			emit(g, ST(EBPF_SIZE_B, EBPF_REG_FP, FIB_FAMILY_AT - off,
				   one_in(g->in, 2) ? FUZZ_AF_INET : FUZZ_AF_INET6));
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, FIB_IFINDEX_AT - off, FUZZ_IFINDEX));
		}
		emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R6));
		emit(g, MOV64_REG(fib ? REG_R2 : REG_R3, EBPF_REG_FP));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, fib ? REG_R2 : REG_R3, -off));
		if (fib) {
			emit(g, MOV64_IMM(REG_R3, wrong(g->in) ? FIB_PARAMS_BYTES + SLOT
							       : FIB_PARAMS_BYTES));
			emit(g, MOV64_IMM(REG_R4, (int32_t)below(g->in, 4)));
			emit(g, CALL(FUNC_FIB_LOOKUP));
		} else {
			emit(g, MOV64_IMM(REG_R2, (int32_t)below(g->in, 3)));
			emit(g, MOV64_IMM(REG_R4, (int32_t)below(g->in, 3000) - 1500));
			emit(g, MOV64_IMM(REG_R5, one_in(g->in, 4)));
			emit(g, CALL(FUNC_CHECK_MTU));
		}
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 10: { /* trace_vprintk("%d %x\n", u64 args[2] on the stack, size) */
		int32_t off = stack_depth(g, VPRINTK_FMT_BYTES + VPRINTK_ARG_BYTES);
		int32_t args = VPRINTK_FMT_BYTES - off;
		uint32_t i;

		emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, -off, VPRINTK_FMT_LO));
		emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, -off + 4, VPRINTK_FMT_HI));
		for (i = wrong(g->in) ? SLOT : 0; i < VPRINTK_ARG_BYTES; i += 4)
			emit(g, ST(EBPF_SIZE_W, EBPF_REG_FP, args + (int32_t)i, take_imm(g->in)));
		for (i = 0; i < VPRINTK_FMT_BYTES + VPRINTK_ARG_BYTES; i++)
			g->st.stack[EBPF_STACK_SIZE - off + i] = BYTE_DATA;
		emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_FP));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, EBPF_REG_R1, -off));
		emit(g, MOV64_IMM(REG_R2, VPRINTK_FMT_BYTES));
		emit(g, MOV64_REG(REG_R3, EBPF_REG_FP));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R3, args));
		/* 16, or 12 (refused at run time), or 0, or past what was written */
		emit(g, MOV64_IMM(REG_R4, wrong(g->in) ? VPRINTK_ARG_BYTES + SLOT
						       : (int32_t)(4 * below(g->in, 5))));
		emit(g, CALL(FUNC_TRACE_VPRINTK));
		clobber_caller_saved(g);
		set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		break;
	}
	case 13:
		gen_spin_lock(g);
		break;
	default:
		gen_map_lookup(g);
		break;
	}
}

/*
 * bpf_loop(rounds, the subprogram, fp - off, 0): ctx is in the slot at
 * fp - off, below the caller's bytes (the callback has no other way to
 * it); rounds is a constant or a scalar's low bits. The subprogram's
 * start is patched into the lddw as into a call.
 */
static void emit_loop_call(struct gen *g, int32_t off)
{
	int s = one_in(g->in, 2) ? pick_kind(g, GEN_SCALAR) : -1;

	emit(g, STX(EBPF_SIZE_DW, EBPF_REG_FP, EBPF_REG_R6, -off));
	if (s >= 0) {
		emit(g, MOV64_REG(EBPF_REG_R1, (uint8_t)s));
		emit(g, ALU64_IMM(EBPF_ALU_AND, EBPF_REG_R1, MAX_CALLBACK_ROUNDS - 1));
	} else {
		emit(g, MOV64_IMM(EBPF_REG_R1, below(g->in, MAX_CALLBACK_ROUNDS)));
	}
	g->calls[g->call_count++] = g->count;
	emit_lddw(g, REG_R2, EBPF_PSEUDO_FUNC, 0, 0);
	emit(g, MOV64_REG(REG_R3, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R3, -off));
	emit(g, MOV64_IMM(REG_R4, 0));
	emit(g, CALL(FUNC_LOOP));
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
}

/* The maps Linux walks with bpf_for_each_map_elem (verifier_calls.c's rules). */
static const int for_each_maps[] = {MAP_ARRAY_8, MAP_ARRAY_48,	 MAP_ARRAY_RDONLY, MAP_HASH_16,
				    MAP_HASH_12, MAP_LRU_PERCPU, MAP_WITH_LOCK};

/*
 * bpf_for_each_map_elem(the callback's map, the subprogram, fp - off, 0),
 * ctx in the slot at fp - off as for bpf_loop. Wrongly, another map the
 * callback's accesses of key and value were not made for (smaller, or of
 * a type the helper does not walk).
 */
static void emit_for_each_call(struct gen *g, int32_t off)
{
	int map = g->callback_map;

	if (wrong(g->in))
		map = one_in(g->in, 2) ? MAP_LPM_TRIE
				       : for_each_maps[below(g->in, COUNT_OF(for_each_maps))];
	emit(g, STX(EBPF_SIZE_DW, EBPF_REG_FP, EBPF_REG_R6, -off));
	emit_map_ptr(g, EBPF_REG_R1, map);
	g->calls[g->call_count++] = g->count;
	emit_lddw(g, REG_R2, EBPF_PSEUDO_FUNC, 0, 0);
	emit(g, MOV64_REG(REG_R3, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R3, -off));
	emit(g, MOV64_IMM(REG_R4, 0));
	emit(g, CALL(FUNC_FOR_EACH_MAP_ELEM));
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
}

/*
 * r1 = ctx, r2 = fp - off (FRAME_ARG_BYTES written), r3 = a scalar; a
 * bpf-to-bpf call of the subprogram, which works on the caller's bytes.
 */
static void gen_subprog_call(struct gen *g)
{
	/* a callback's context: ctx at fp - off, the caller's bytes above it */
	int32_t ctx_slot = g->subprog_is_callback ? SLOT : 0;
	int32_t off = stack_depth(g, FRAME_ARG_BYTES + ctx_slot) - ctx_slot;
	int s = one_in(g->in, 2) ? pick_kind(g, GEN_SCALAR) : -1;
	int32_t i;

	if (!g->has_subprog || g->in_subprog || g->in_loop || g->holding ||
	    g->call_count == MAX_CALLS || (g->reserved & CALLER_SAVED_MASK))
		return;
	for (i = 0; i < FRAME_ARG_BYTES; i += SLOT)
		emit(g, ST(EBPF_SIZE_DW, EBPF_REG_FP, i - off, take_imm(g->in)));
	memset(&g->st.stack[EBPF_STACK_SIZE - off], BYTE_DATA, FRAME_ARG_BYTES);
	if (g->for_each) {
		emit_for_each_call(g, off + SLOT);
		return;
	}
	if (g->subprog_is_callback) {
		emit_loop_call(g, off + SLOT);
		return;
	}
	if (s >= 0)
		emit(g, MOV64_REG(REG_R3, (uint8_t)s));
	else
		emit(g, MOV64_IMM(REG_R3, take_imm(g->in)));
	emit(g, MOV64_REG(EBPF_REG_R1, EBPF_REG_R6));
	emit(g, MOV64_REG(REG_R2, EBPF_REG_FP));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, -off));
	g->calls[g->call_count++] = g->count;
	emit(g, INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL, 0, 0));
	clobber_caller_saved(g);
	set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
}

/* One random instruction on live registers: probes what the templates miss. */
static void gen_raw(struct gen *g)
{
	uint8_t dst = pick_free(g);
	uint8_t src = (uint8_t)below(g->in, EBPF_NUM_REGS);

	if (g->st.reg[src].kind == GEN_NONE && src != EBPF_REG_FP)
		return;
	if (one_in(g->in, 2)) {
		uint8_t op = alu_ops[below(g->in, COUNT_OF(alu_ops))];

		if (op == EBPF_ALU_NEG || op == EBPF_ALU_END) /* no register form */
			op = EBPF_ALU_MOV;

		emit(g, INSN((one_in(g->in, 2) ? EBPF_CLS_ALU : EBPF_CLS_ALU64) | op | EBPF_SRC_X,
			     dst, src, 0, 0));
	} else {
		emit(g, MOV64_REG(dst, src));
	}
	if (src == EBPF_REG_FP)
		set_reg(g, dst, GEN_NONE, 0, 0); /* the generator does not track fp copies */
	else
		g->st.reg[dst] = g->st.reg[src];
	if (wrong(g->in)) {
		unsigned int s = below(g->in, COUNT_OF(size_codes));

		emit(g, LDX(size_codes[s], pick_free(g), dst, take_imm(g->in) % 64));
	}
}

/* Templates that open a block (guards, lookups, loops) nest at most MAX_NEST deep. */
static void gen_step(struct gen *g)
{
	uint8_t pick = (uint8_t)below(g->in, 100);
	bool may_nest = g->nest < MAX_NEST && g->blocks < MAX_BLOCKS;

	if (!room(g, 64))
		return;
	if (pick >= 30 && pick < 46 && !may_nest)
		pick = (uint8_t)(pick + 16); /* a region access instead of a guard */
	if (pick < 8)
		gen_ctx_load(g, GEN_NONE);
	else if (pick < 16)
		gen_scalar_source(g);
	else if (pick < 30)
		gen_scalar_alu(g);
	else if (pick < 40)
		gen_packet_guard(g, ensure_kind(g, one_in(g->in, 6) ? GEN_PKT_META : GEN_PKT));
	else if (pick < 46)
		gen_packet_variable(g);
	else if (pick < 60)
		gen_region_access(g);
	else if (pick < 66)
		gen_stack_access(g);
	else if (pick < 70)
		gen_spill_fill(g);
	else if (pick < 76 && may_nest)
		gen_diamond(g);
	else if (pick < 80 && may_nest)
		gen_loop(g);
	else if (pick < 86 && may_nest)
		gen_map_lookup(g);
	else if (pick < 90)
		gen_direct_value(g);
	else if (pick < 95 && may_nest)
		gen_helper(g);
	else if (pick < 98)
		gen_subprog_call(g);
	else
		gen_raw(g);
}

static void gen_block(struct gen *g, int steps)
{
	g->blocks++;
	while (steps-- > 0)
		gen_step(g);
}

/*
 * A bpf_for_each_map_elem callback's start: r1 = the map, r2 = the key
 * (read-only: reads inside it, wrongly a store or a read past it; maybe
 * given back to the map's lookup or delete, which Linux allows on the
 * element being visited), r3 = the value (kept in r8), r4 = the context:
 * ctx, then the caller's bytes (r2 from then on, as in bpf_loop's
 * callback).
 */
static void gen_for_each_entry(struct gen *g)
{
	const struct ebpf_map_def *def = &map_defs[g->callback_map];
	uint32_t reads = below(g->in, 3);
	uint8_t context = REG_R4;

	emit(g, LDX(EBPF_SIZE_DW, EBPF_REG_R6, REG_R4, 0));
	while (reads-- > 0) {
		unsigned int s = below(g->in, COUNT_OF(size_codes));
		uint32_t bytes = size_bytes[s];
		int32_t off;

		if (bytes > def->key_size)
			continue;
		off = (int32_t)(below(g->in, def->key_size / bytes) * bytes);
		if (wrong(g->in))
			off = (int32_t)def->key_size; /* past the key */
		if (wrong(g->in)) {
			emit(g, ST(size_codes[s], REG_R2, off, take_imm(g->in)));
		} else {
			emit(g, LDX(size_codes[s], EBPF_REG_R0, REG_R2, off));
			set_reg(g, EBPF_REG_R0, GEN_SCALAR, 0, 0);
		}
	}
	emit(g, MOV64_REG(REG_R8, REG_R3));
	if (one_in(g->in, 4)) {
		context = REG_R7;
		emit(g, MOV64_REG(REG_R7, REG_R4));
		emit(g, CALL(one_in(g->in, 2) ? FUNC_MAP_DELETE_ELEM : FUNC_MAP_LOOKUP_ELEM));
		set_reg(g, EBPF_REG_R0, GEN_NONE, 0, 0); /* a value or NULL, never tested */
	}
	emit(g, MOV64_REG(REG_R2, context));
	emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, SLOT));
	if (context == REG_R4) /* the helper clobbered r3 otherwise */
		set_reg(g, REG_R3, GEN_MAP_VALUE, (int32_t)def->value_size, g->callback_map);
	set_reg(g, REG_R8, GEN_MAP_VALUE, (int32_t)def->value_size, g->callback_map);
}

/* A function's start: r6 = ctx (r1), what the other arguments hold. */
static void start_function(struct gen *g, bool subprog)
{
	memset(&g->st, 0, sizeof(g->st));
	g->reserved = 1u << EBPF_REG_R6;
	g->nest = 0;
	/* the subprogram is walked once per call site and path: fewer blocks */
	g->blocks = subprog ? MAX_BLOCKS / 2 : 0;
	g->in_subprog = subprog;
	if (subprog && g->for_each) {
		gen_for_each_entry(g);
	} else if (subprog && g->subprog_is_callback) {
		/* r1 = the round, r2 = the context: ctx, then the caller's bytes */
		emit(g, LDX(EBPF_SIZE_DW, EBPF_REG_R6, REG_R2, 0));
		emit(g, ALU64_IMM(EBPF_ALU_ADD, REG_R2, SLOT));
		set_reg(g, EBPF_REG_R1, GEN_SCALAR, 0, 0);
	} else {
		emit(g, MOV64_REG(EBPF_REG_R6, EBPF_REG_R1));
	}
	set_reg(g, EBPF_REG_R6, GEN_CTX, 0, 0);
	if (subprog) {
		set_reg(g, REG_R2, GEN_FRAME_REF, FRAME_ARG_BYTES, 0);
		if (!g->subprog_is_callback)
			set_reg(g, REG_R3, GEN_SCALAR, 0, 0);
		if (one_in(g->in, 2)) { /* keep the caller's bytes across helper calls */
			emit(g, MOV64_REG(REG_R9, REG_R2));
			g->st.reg[REG_R9] = g->st.reg[REG_R2];
		}
	}
}

/* A verdict; a callback's 0 (go on) or 1 (stop), or wrongly 2. */
static void end_function(struct gen *g)
{
	if (g->in_subprog && g->subprog_is_callback)
		emit(g, MOV64_IMM(EBPF_REG_R0, wrong(g->in) ? 2 : below(g->in, 2)));
	else
		emit(g, MOV64_IMM(EBPF_REG_R0, below(g->in, EBPF_XDP_REDIRECT)));
	emit(g, INSN(EBPF_OP_EXIT, 0, 0, 0, 0));
}

static void generate(struct gen *g, struct input *in)
{
	size_t k;

	memset(g, 0, sizeof(*g));
	g->in = in;
	g->has_subprog = one_in(in, 4);
	g->subprog_is_callback = g->has_subprog && one_in(in, 2);
	g->for_each = g->subprog_is_callback && one_in(in, 2);
	g->callback_map = for_each_maps[below(in, COUNT_OF(for_each_maps))];
	g->stack_span = g->has_subprog ? SUBPROG_STACK_SPAN : EBPF_STACK_SIZE;
	g->limit = g->has_subprog ? MAX_PROG_INSNS / 2 : MAX_PROG_INSNS;
	start_function(g, false);
	gen_block(g, 1 + (int)below(in, MAX_TOP_STEPS));
	end_function(g);
	if (!g->call_count)
		return;
	for (k = 0; k < g->call_count; k++)
		g->insns[g->calls[k]].imm = (int32_t)(g->count - g->calls[k] - 1);
	g->limit = MAX_PROG_INSNS;
	start_function(g, true);
	gen_block(g, 1 + (int)below(in, MAX_TOP_STEPS / 2));
	end_function(g);
}

/* ---- the checker ------------------------------------------------------------ */

struct region {
	uint64_t lo, hi;
	bool writable;
	int map;
};

/* What the program may touch during the current run. */
static struct {
	const struct ebpf_prog *prog;
	const struct gen *gen;
	struct ebpf_xdp_buff *xb;
	struct region values[MAX_VALUE_REGIONS];
	size_t value_count;
	struct region records[MAX_RECORDS];
	size_t record_count;
	struct region socks[MAX_SOCKS];
	size_t sock_count;
	uint64_t steps;
	uint64_t stack_lo, stack_hi; /* live frames at the last access */
	uint8_t stack_written[EBPF_MAX_CALL_DEPTH * EBPF_STACK_SIZE];
	/* The runs a callback's run is nested in, innermost last. */
	struct outer_run {
		uint64_t stack_lo, stack_hi;
		uint8_t stack_written[EBPF_MAX_CALL_DEPTH * EBPF_STACK_SIZE];
	} outer[MAX_OUTER_RUNS];
	size_t outer_count;
	/*
	 * While a bpf_for_each_map_elem callback runs: the element it is
	 * given, its key (the helper's copy, read-only) and its value.
	 */
	bool visiting;
	struct region visit_key, visit_value;
	const char *helper; /* name of the helper whose argument is checked */
} run;

static struct {
	uint64_t programs, accepted, runs, accesses, socks, cookie_calls, visits;
} stats;

static size_t insn_index(const struct ebpf_insn *insn)
{
	return (size_t)(insn - run.prog->insns);
}

static void dump_program(void)
{
	char text[TEXT_BYTES];
	size_t i = 0, n;

	while ((n = ebpf_disassemble(run.gen->insns, run.gen->count, i, text, sizeof(text))) > 0) {
		fprintf(stderr, "%5zu: %s\n", i, text);
		i += n;
	}
}

/* Distance from [addr, addr + size) to region r, 0 when they overlap. */
static uint64_t distance(uint64_t addr, uint32_t size, uint64_t lo, uint64_t hi)
{
	if (addr + size <= lo)
		return lo - addr;
	return addr >= hi ? addr - hi + 1 : 0;
}

struct named_range {
	const char *what;
	uint64_t lo, hi;
};

static void report_nearest(uint64_t addr, uint32_t size)
{
	struct named_range all[6 + MAX_VALUE_REGIONS + MAX_RECORDS];
	size_t n = 0, i, best = 0;

	all[n++] = (struct named_range){"ctx", (uintptr_t)&run.xb->md,
					(uintptr_t)&run.xb->md + sizeof(run.xb->md)};
	all[n++] = (struct named_range){"packet [data_meta, data_end)", run.xb->md.data_meta,
					run.xb->md.data_end};
	all[n++] = (struct named_range){"packet buffer (outside the frame)",
					(uintptr_t)run.xb->buf_start, (uintptr_t)run.xb->buf_end};
	all[n++] = (struct named_range){"stack (live frames)", run.stack_lo, run.stack_hi};
	for (i = 0; i < run.value_count; i++)
		all[n++] = (struct named_range){"map value", run.values[i].lo, run.values[i].hi};
	for (i = 0; i < run.record_count; i++)
		all[n++] =
		    (struct named_range){"ringbuf record", run.records[i].lo, run.records[i].hi};
	if (run.visiting) {
		all[n++] = (struct named_range){"visited key", run.visit_key.lo, run.visit_key.hi};
		all[n++] =
		    (struct named_range){"visited value", run.visit_value.lo, run.visit_value.hi};
	}
	for (i = 1; i < n; i++)
		if (distance(addr, size, all[i].lo, all[i].hi) <
		    distance(addr, size, all[best].lo, all[best].hi))
			best = i;
	fprintf(stderr,
		"nearest region: %s [0x%" PRIx64 ", 0x%" PRIx64 "), access at offset %" PRId64
		" from its start\n",
		all[best].what, all[best].lo, all[best].hi, (int64_t)(addr - all[best].lo));
}

static void violation(const struct ebpf_insn *insn, uint64_t addr, uint32_t size, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5), noreturn));

static void violation(const struct ebpf_insn *insn, uint64_t addr, uint32_t size, const char *fmt,
		      ...)
{
	va_list ap;

	if (insn)
		fprintf(stderr, "\nSOUNDNESS VIOLATION at insn %zu: ", insn_index(insn));
	else
		fprintf(stderr, "\nSOUNDNESS VIOLATION at exit: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (size)
		report_nearest(addr, size);
	fprintf(stderr, "packet: %" PRIu32 " bytes; the program:\n",
		run.xb->md.data_end - run.xb->md.data);
	dump_program();
	abort();
}

static bool inside(uint64_t addr, uint32_t size, uint64_t lo, uint64_t hi)
{
	return addr >= lo && hi >= lo && size <= hi - lo && addr - lo <= hi - lo - size;
}

/*
 * A call or return moved the top of the live frames: bytes of frames
 * entered or left since the last access are unwritten again.
 */
static void save_outer_run(struct outer_run *o)
{
	o->stack_lo = run.stack_lo;
	o->stack_hi = run.stack_hi;
	memcpy(o->stack_written, run.stack_written, sizeof(o->stack_written));
}

static void restore_outer_run(const struct outer_run *o)
{
	run.stack_lo = o->stack_lo;
	run.stack_hi = o->stack_hi;
	memcpy(run.stack_written, o->stack_written, sizeof(run.stack_written));
}

/*
 * A callback runs in a nested interpreter whose frames lie deeper on the
 * C stack: a lower stack_lo starts one (the caller's frames stay live and
 * are saved), a higher one returns to the run it was nested in.
 */
static void track_frames(uint64_t stack_lo, uint64_t stack_hi)
{
	uint64_t from, to;

	if (run.stack_lo != stack_lo) {
		if (run.stack_lo && stack_lo < run.stack_lo && run.outer_count < MAX_OUTER_RUNS) {
			save_outer_run(&run.outer[run.outer_count++]);
		} else {
			while (run.outer_count > 0 &&
			       run.outer[run.outer_count - 1].stack_lo != stack_lo)
				run.outer_count--;
			if (run.outer_count > 0) {
				restore_outer_run(&run.outer[--run.outer_count]);
				track_frames(stack_lo, stack_hi);
				return;
			}
		}
		run.stack_lo = stack_lo; /* the first access of this run */
		run.stack_hi = stack_hi;
		memset(run.stack_written, 0, sizeof(run.stack_written));
		return;
	}
	from = stack_hi < run.stack_hi ? stack_hi : run.stack_hi;
	to = stack_hi < run.stack_hi ? run.stack_hi : stack_hi;
	if (to - stack_lo <= sizeof(run.stack_written))
		memset(run.stack_written + (from - stack_lo), 0, to - from);
	run.stack_hi = stack_hi;
}

static void check_stack(const struct ebpf_insn *insn, uint64_t addr, uint32_t size,
			enum ebpf_interp_access access, uint8_t *written)
{
	uint32_t i;

	if (access & EBPF_INTERP_READ)
		for (i = 0; i < size; i++)
			if (!written[i])
				violation(insn, addr, size,
					  "%s%sread of stack byte fp%+" PRId64 " never written",
					  run.helper ? run.helper : "", run.helper ? ": " : "",
					  (int64_t)(addr + i - run.stack_hi));
	if (access & EBPF_INTERP_WRITE)
		memset(written, 1, size);
}

static const struct region *find_region(const struct region *regions, size_t count, uint64_t addr,
					uint32_t size)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (inside(addr, size, regions[i].lo, regions[i].hi))
			return &regions[i];
	return NULL;
}

static void check_memory(const struct ebpf_insn *insn, uint64_t addr, uint32_t size,
			 enum ebpf_interp_access access)
{
	uint64_t ctx = (uintptr_t)&run.xb->md;
	const struct region *region;
	const char *who = run.helper ? run.helper : "program";

	size_t k;

	stats.accesses++;
	if (inside(addr, size, run.stack_lo, run.stack_hi)) {
		check_stack(insn, addr, size, access, run.stack_written + (addr - run.stack_lo));
		return;
	}
	for (k = 0; k < run.outer_count; k++) {
		struct outer_run *o = &run.outer[k];

		if (inside(addr, size, o->stack_lo, o->stack_hi)) {
			check_stack(insn, addr, size, access,
				    o->stack_written + (addr - o->stack_lo));
			return;
		}
	}
	if (inside(addr, size, ctx, ctx + sizeof(run.xb->md))) {
		if (access != EBPF_INTERP_READ || size != XDP_MD_FIELD ||
		    (addr - ctx) % XDP_MD_FIELD)
			violation(insn, addr, size,
				  "%s: ctx access off=%" PRIu64 " size=%" PRIu32 " %s", who,
				  addr - ctx, size, access == EBPF_INTERP_READ ? "read" : "write");
		return;
	}
	if (inside(addr, size, run.xb->md.data_meta, run.xb->md.data_end))
		return;
	if (run.visiting && inside(addr, size, run.visit_key.lo, run.visit_key.hi)) {
		if (access & EBPF_INTERP_WRITE)
			violation(insn, addr, size,
				  "%s: write into the key bpf_for_each_map_elem gives its callback",
				  who);
		return;
	}
	region = find_region(run.values, run.value_count, addr, size);
	if (!region && run.visiting)
		region = find_region(&run.visit_value, 1, addr, size);
	if (!region)
		region = find_region(run.records, run.record_count, addr, size);
	if (!region)
		region = find_region(run.socks, run.sock_count, addr, size);
	if (!region)
		violation(insn, addr, size,
			  "%s: %s of %" PRIu32 " bytes at 0x%" PRIx64
			  " outside every region it may touch",
			  who, access == EBPF_INTERP_READ ? "read" : "write", size, addr);
	if ((access & EBPF_INTERP_WRITE) && !region->writable)
		violation(insn, addr, size, "%s: write into a read-only map value", who);
	if (region->map == MAP_WITH_LOCK && addr < region->lo + LOCK_OFF + LOCK_SIZE &&
	    addr + size > region->lo + LOCK_OFF)
		violation(insn, addr, size, "%s: access of a bpf_spin_lock word", who);
}

void ebpf_interp_check_step(const struct ebpf_insn *insn)
{
	if (++run.steps > RUN_STEP_BUDGET)
		violation(insn, 0, 0,
			  "no exit after %u instructions (the verifier promised "
			  "termination)",
			  RUN_STEP_BUDGET);
}

/*
 * What kind of pointer value is, if it is an address of a region a
 * program reaches only through pointers (a scalar coincides with one with
 * negligible probability: they are 64-bit heap, stack and mmap addresses).
 */
static const char *pointer_kind(uint64_t value)
{
	uint64_t ctx = (uintptr_t)run.xb;
	size_t i;
	int m;

	if (run.stack_lo && value >= run.stack_lo &&
	    value - run.stack_lo <= sizeof(run.stack_written))
		return "stack";
	if (value >= ctx && value - ctx <= sizeof(*run.xb))
		return "ctx";
	if (value >= (uintptr_t)run.xb->buf_start && value <= (uintptr_t)run.xb->buf_end)
		return "packet";
	for (i = 0; i < run.value_count; i++)
		if (value >= run.values[i].lo && value <= run.values[i].hi)
			return "map value";
	for (i = 0; i < run.record_count; i++)
		if (value >= run.records[i].lo && value <= run.records[i].hi)
			return "ringbuf record";
	for (i = 0; i < run.sock_count; i++)
		if (value >= run.socks[i].lo && value <= run.socks[i].hi)
			return "socket";
	if (run.visiting && value >= run.visit_key.lo && value <= run.visit_key.hi)
		return "map key";
	if (run.visiting && value >= run.visit_value.lo && value <= run.visit_value.hi)
		return "map value";
	for (m = 0; m < MAP_COUNT; m++)
		if (value == (uintptr_t)maps[m])
			return "map";
	return NULL;
}

/* The live frames of this run or of one a callback's run is nested in. */
static bool in_live_stack(uint64_t addr, uint32_t size)
{
	size_t k;

	if (inside(addr, size, run.stack_lo, run.stack_hi))
		return true;
	for (k = 0; k < run.outer_count; k++)
		if (inside(addr, size, run.outer[k].stack_lo, run.outer[k].stack_hi))
			return true;
	return false;
}

/*
 * Unprivileged rules: no pointer into memory that outlives the run or
 * that user space reads (map values, packet, ringbuf records); the stack
 * may hold spills. Packet addresses fit in 32 bits, so 4 bytes leak too.
 */
static void check_leak(const struct ebpf_insn *insn, uint64_t addr, uint32_t size, uint64_t stored)
{
	const char *kind;

	if (size < sizeof(uint32_t) || in_live_stack(addr, size))
		return;
	kind = pointer_kind(stored);
	if (kind && (size == sizeof(uint64_t) || !strcmp(kind, "packet")))
		violation(insn, addr, size,
			  "program: stores a %s pointer (0x%" PRIx64 ") in memory "
			  "that outlives the run",
			  kind, stored);
}

void ebpf_interp_check_access(const struct ebpf_insn *insn, uint64_t addr, uint32_t size,
			      enum ebpf_interp_access access, uint64_t stored, uint64_t stack_lo,
			      uint64_t stack_hi)
{
	track_frames(stack_lo, stack_hi);
	check_memory(insn, addr, size, access);
	if (access & EBPF_INTERP_WRITE)
		check_leak(insn, addr, size, stored);
}

static int map_of(uint64_t ptr)
{
	int m;

	for (m = 0; m < MAP_COUNT; m++)
		if ((uintptr_t)maps[m] == ptr)
			return m;
	return -1;
}

static void add_region(struct region *regions, size_t *count, size_t max, struct region r)
{
	if (find_region(regions, *count, r.lo, (uint32_t)(r.hi - r.lo)))
		return;
	if (*count == max) {
		fprintf(stderr, "fuzz_verifier: region table full\n");
		abort();
	}
	regions[(*count)++] = r;
}

static void check_helper_args(const struct ebpf_insn *insn, const uint64_t *reg)
{
	const struct ebpf_helper *helper = ebpf_helper_find(insn->imm);
	int map = -1, i;

	run.helper = helper->name;
	for (i = 0; i < 5; i++) {
		uint64_t arg = reg[1 + i];
		uint64_t next = i < 4 ? reg[2 + i] : 0;

		switch (helper->args[i]) {
		case EBPF_ARG_CONST_MAP_PTR:
			map = map_of(arg);
			if (map < 0)
				violation(insn, 0, 0, "%s: R%d is not a map", helper->name, 1 + i);
			break;
		case EBPF_ARG_PTR_TO_MAP_KEY:
			check_memory(insn, arg, map_defs[map].key_size, EBPF_INTERP_READ);
			break;
		case EBPF_ARG_PTR_TO_MAP_VALUE:
			check_memory(insn, arg, map_defs[map].value_size, EBPF_INTERP_READ);
			break;
		case EBPF_ARG_PTR_TO_UNINIT_MAP_VALUE:
			check_memory(insn, arg, map_defs[map].value_size, EBPF_INTERP_WRITE);
			break;
		case EBPF_ARG_PTR_TO_MEM:
			if (next)
				check_memory(insn, arg, (uint32_t)next, EBPF_INTERP_READ);
			if (next > UINT32_MAX)
				violation(insn, arg, 1, "%s: size R%d=%" PRIu64, helper->name,
					  2 + i, next);
			break;
		case EBPF_ARG_PTR_TO_UNINIT_MEM:
			if (next)
				check_memory(insn, arg, (uint32_t)next, EBPF_INTERP_WRITE);
			break;
		case EBPF_ARG_PTR_TO_MEM_RW:
			check_memory(insn, arg, (uint32_t)next, EBPF_INTERP_READ);
			check_memory(insn, arg, (uint32_t)next, EBPF_INTERP_WRITE);
			break;
		case EBPF_ARG_PTR_TO_INT:
			check_memory(insn, arg, MTU_LEN_BYTES, EBPF_INTERP_READ);
			check_memory(insn, arg, MTU_LEN_BYTES, EBPF_INTERP_WRITE);
			break;
		case EBPF_ARG_PTR_TO_SPIN_LOCK: {
			const struct region *value =
			    find_region(run.values, run.value_count, arg, LOCK_SIZE);

			if (!value || value->map != MAP_WITH_LOCK || arg != value->lo + LOCK_OFF)
				violation(insn, arg, LOCK_SIZE, "%s: R%d is not a lock",
					  helper->name, 1 + i);
			break;
		}
		case EBPF_ARG_PTR_TO_CTX:
			if (arg != (uintptr_t)run.xb)
				violation(insn, arg, 1, "%s: R%d is not the ctx", helper->name,
					  1 + i);
			break;
		case EBPF_ARG_PTR_TO_FIXED_SIZE_MEM:
			check_memory(insn, arg, helper->arg_size[i], EBPF_INTERP_READ);
			break;
		case EBPF_ARG_PTR_TO_SOCK_COMMON: {
			size_t k;

			for (k = 0; k < run.sock_count && run.socks[k].lo != arg; k++)
				;
			if (k == run.sock_count)
				violation(insn, arg, 1, "%s: R%d is not a socket the program holds",
					  helper->name, 1 + i);
			if (helper->releases_ref)
				run.socks[k] = run.socks[--run.sock_count];
			break;
		}
		case EBPF_ARG_PTR_TO_ALLOC_MEM: {
			size_t k;

			for (k = 0; k < run.record_count && run.records[k].lo != arg; k++)
				;
			if (k == run.record_count)
				violation(insn, arg, 1, "%s: R%d is not a reserved record",
					  helper->name, 1 + i);
			run.records[k] = run.records[--run.record_count];
			break;
		}
		default:
			break;
		}
	}
	run.helper = NULL;
}

static void note_helper_result(const struct ebpf_insn *insn, const uint64_t *reg)
{
	int map = map_of(reg[1]);

	if (insn->imm == FUNC_TCP_GEN_SYNCOOKIE || insn->imm == FUNC_TCP_CHECK_SYNCOOKIE ||
	    insn->imm == FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV4 ||
	    insn->imm == FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV4 ||
	    insn->imm == FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV6)
		stats.cookie_calls++;

	if (!reg[0])
		return;
	if ((insn->imm == FUNC_MAP_LOOKUP_ELEM || insn->imm == FUNC_MAP_LOOKUP_PERCPU_ELEM) &&
	    map >= 0 && inner_map_of(map) < 0)
		add_region(run.values, &run.value_count, MAX_VALUE_REGIONS,
			   (struct region){reg[0], reg[0] + map_defs[map].value_size,
					   !map_read_only(map), map});
	else if (insn->imm == FUNC_RINGBUF_RESERVE)
		add_region(run.records, &run.record_count, MAX_RECORDS,
			   (struct region){reg[0], reg[0] + reg[2], true, MAP_RINGBUF});
	else if (insn->imm == FUNC_SK_LOOKUP_TCP || insn->imm == FUNC_SK_LOOKUP_UDP ||
		 insn->imm == FUNC_SKC_LOOKUP_TCP) {
		add_region(run.socks, &run.sock_count, MAX_SOCKS,
			   (struct region){reg[0], reg[0] + sizeof(struct ebpf_sock), false, -1});
		stats.socks++;
	}
}

/*
 * bpf_for_each_map_elem's callback as the checked run calls it: the key
 * and value of the element visited are regions while it runs (callbacks
 * do not nest: the generator calls none from a callback).
 */
static uint64_t visit_element(const struct ebpf_callback *cb, uint64_t map_arg, uint64_t key,
			      uint64_t value, uint64_t ctx)
{
	int map = map_of(map_arg);
	uint64_t ret;

	run.visit_key = (struct region){key, key + map_defs[map].key_size, false, map};
	run.visit_value =
	    (struct region){value, value + map_defs[map].value_size, !map_read_only(map), map};
	run.visiting = true;
	stats.visits++;
	ret = ebpf_interp_call_callback(cb, map_arg, key, value, ctx);
	run.visiting = false;
	return ret;
}

void ebpf_interp_check_helper(const struct ebpf_insn *insn, const uint64_t *reg, bool returned,
			      uint64_t stack_lo, uint64_t stack_hi)
{
	/* the program's callback (the checked arguments say so): the helper calls our wrapper */
	struct ebpf_callback *cb = (struct ebpf_callback *)(uintptr_t)reg[2];

	track_frames(stack_lo, stack_hi);
	if (returned) {
		if (insn->imm == FUNC_FOR_EACH_MAP_ELEM)
			cb->call = ebpf_interp_call_callback;
		note_helper_result(insn, reg);
	} else {
		check_helper_args(insn, reg);
		if (insn->imm == FUNC_FOR_EACH_MAP_ELEM)
			cb->call = visit_element;
	}
}

/* ---- setup and running ------------------------------------------------------- */

static uint64_t platform_prng;

/* Deterministic: a crash input must reproduce. */
static uint32_t fuzz_random_u32(void)
{
	return (uint32_t)random64(&platform_prng);
}

static uint64_t fuzz_ktime_ns(void)
{
	return random64(&platform_prng);
}

/*
 * The network of the fuzzer's platform: one device, the frame's, that
 * forwards; every destination on its link, every neighbour known. So
 * bpf_fib_lookup gets to write its results and bpf_check_mtu its MTU.
 */
static int fuzz_netdev_get(uint32_t ifindex, struct ebpf_netdev *dev)
{
	if (ifindex != FUZZ_IFINDEX)
		return -ENODEV;
	*dev = (struct ebpf_netdev){.ifindex = ifindex,
				    .mtu = PKT_MAX_LEN,
				    .hard_header_len = FUZZ_ETH_HLEN,
				    .ipv4_forwarding = true,
				    .ipv6_forwarding = true};
	return 0;
}

static enum ebpf_route_type fuzz_route_lookup(const struct ebpf_route_query *query,
					      struct ebpf_route *route)
{
	*route = (struct ebpf_route){.ifindex = FUZZ_IFINDEX, .mtu = PKT_MAX_LEN};
	return EBPF_ROUTE_UNICAST;
}

static bool fuzz_neigh_lookup(uint8_t family, uint32_t ifindex, const uint8_t *addr,
			      uint8_t mac[EBPF_ETH_ALEN])
{
	memset(mac, (int)random64(&platform_prng), EBPF_ETH_ALEN);
	return true;
}

/* A listener three times in four: the lookups' sockets get read and released. */
static bool fuzz_sock_lookup(const struct ebpf_sock_key *key, struct ebpf_sock *sock)
{
	if (random64(&platform_prng) % 4 == 0)
		return false;
	memset(sock, 0, sizeof(*sock));
	sock->family = key->family;
	sock->protocol = key->protocol;
	sock->state = EBPF_TCP_LISTEN;
	sock->rx_queue_mapping = -1;
	return true;
}

static uint8_t *packet_buffer(void)
{
	static uint8_t *buf;

	if (!buf) {
		/* xdp_md holds 32-bit addresses (ebpf.h) */
		buf = mmap(NULL, PKT_BUF_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (buf == MAP_FAILED) {
			perror("fuzz_verifier: mmap");
			abort();
		}
	}
	return buf;
}

/*
 * The read-only array as libbpf leaves .rodata: filled, then frozen, so
 * the verifier reads its bytes as constants (ebpf_map_read_constant) and
 * prunes by them; bytes that are small offsets and large numbers both.
 */
static void freeze_rodata(void)
{
	uint8_t value[EBPF_STACK_SIZE] = {0};
	uint32_t key = 0, i;

	for (i = 0; i < map_defs[MAP_ARRAY_RDONLY].value_size; i++)
		value[i] = (uint8_t)(i * RODATA_BYTE_STEP);
	ebpf_map_update(maps[MAP_ARRAY_RDONLY], &key, value, EBPF_ANY);
	ebpf_map_freeze(maps[MAP_ARRAY_RDONLY]);
}

static void create_maps(void)
{
	uint32_t k, i;
	int m;

	run.value_count = 0;
	for (m = 0; m < MAP_COUNT; m++) {
		int inner = inner_map_of(m);

		if (inner >= 0 ? ebpf_map_create_outer(&map_defs[m], &map_defs[inner], NULL,
						       &maps[m], NULL)
			       : ebpf_map_create(&map_defs[m], NULL, &maps[m], NULL)) {
			fprintf(stderr, "fuzz_verifier: cannot create map %d\n", m);
			abort();
		}
		if (map_defs[m].type == EBPF_MAP_TYPE_ARRAY)
			for (k = 0; k < map_defs[m].max_entries; k++) {
				uint8_t *value = ebpf_map_lookup_ptr(maps[m], &k);

				add_region(
				    run.values, &run.value_count, MAX_VALUE_REGIONS,
				    (struct region){(uintptr_t)value,
						    (uintptr_t)value + map_defs[m].value_size,
						    !(map_defs[m].flags & MAP_F_RDONLY_PROG), m});
			}
		/*
		 * Keys 0..2 (an LPM trie: prefixes /0../2 of address 0, the
		 * keys gen_stack_key writes), a queue's and stack's first
		 * values, a bloom filter's members. A devmap value is an
		 * ifindex and no program (fd 0).
		 */
		/* Map-in-map: the inner map in slot 0 (and key 1 of the hash). */
		for (k = 0; inner >= 0 && k < (m == MAP_OF_HASHES ? 2u : 1u); k++)
			ebpf_map_set_inner(maps[m], &k, maps[inner], EBPF_ANY);
		if (map_defs[m].type != EBPF_MAP_TYPE_ARRAY &&
		    map_defs[m].type != EBPF_MAP_TYPE_RINGBUF && inner < 0)
			for (k = 0; k < HASH_PREFILL; k++) {
				uint8_t key[SLOT] = {0}, value[EBPF_STACK_SIZE] = {0};

				memcpy(key, &k, sizeof(k));
				for (i = 0; i < map_defs[m].value_size; i++)
					value[i] = (uint8_t)(k + i);
				if (map_defs[m].type == EBPF_MAP_TYPE_DEVMAP_HASH)
					memset(value + sizeof(uint32_t), 0, sizeof(uint32_t));
				if (map_defs[m].type == EBPF_MAP_TYPE_CPUMAP)
					memcpy(value, &(uint32_t){CPUMAP_QSIZE}, sizeof(uint32_t));
				if (map_defs[m].type == EBPF_MAP_TYPE_XSKMAP)
					ebpf_xskmap_update(maps[m], k, &xsk_socket_stand_in, k,
							   EBPF_ANY);
				else
					ebpf_map_update(maps[m], key, value, EBPF_ANY);
			}
	}
	freeze_rodata();
	ebpf_map_set_spin_lock(maps[MAP_WITH_LOCK], LOCK_OFF);
}

static void free_maps(void)
{
	int m;

	for (m = 0; m < MAP_COUNT; m++)
		ebpf_map_free(maps[m]);
}

static void print_stats(void)
{
	fprintf(stderr,
		"fuzz_verifier: %" PRIu64 " programs, %" PRIu64 " accepted, %" PRIu64
		" runs, %" PRIu64 " checked accesses, %" PRIu64 " sockets held, %" PRIu64
		" SYN-cookie calls, %" PRIu64 " for_each elements visited\n",
		stats.programs, stats.accepted, stats.runs, stats.accesses, stats.socks,
		stats.cookie_calls, stats.visits);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ebpf_platform platform = {
	    .ktime_ns = fuzz_ktime_ns,
	    .random_u32 = fuzz_random_u32,
	    .netdev_get = fuzz_netdev_get,
	    .route_lookup = fuzz_route_lookup,
	    .neigh_lookup = fuzz_neigh_lookup,
	    .sock_lookup = fuzz_sock_lookup,
	};

	if (getenv("FUZZ_VERIFIER_SNAPSHOT")) {
		/* Only the host's JIT memory: clock and random stay deterministic. */
		host_platform_install();
		platform.exec_alloc = ebpf_get_platform()->exec_alloc;
		platform.exec_seal = ebpf_get_platform()->exec_seal;
		platform.exec_free = ebpf_get_platform()->exec_free;
	}
	ebpf_set_platform(&platform);
	atexit(print_stats);
	return 0;
}

/* Packet lengths: empty, shorter than, exactly and just over an Ethernet header, any. */
static size_t pick_packet_len(struct input *in)
{
	static const size_t lengths[] = {0, 1, ETH_HLEN - 1, ETH_HLEN, ETH_HLEN + 1, 34, 42, 60};

	if (one_in(in, 3))
		return below(in, PKT_MAX_LEN + 1);
	return lengths[below(in, COUNT_OF(lengths))];
}

/* Every path releases what it locked (a lock left held would hang the next run). */
static void check_locks_free(void)
{
	uint32_t k;

	for (k = 0; k < map_defs[MAP_WITH_LOCK].max_entries; k++) {
		const uint8_t *value = ebpf_map_lookup_ptr(maps[MAP_WITH_LOCK], &k);
		uint32_t lock;

		memcpy(&lock, value + LOCK_OFF, sizeof(lock));
		if (lock)
			violation(NULL, 0, 0, "the lock of value %u is still held", k);
	}
}

static void run_once(struct ebpf_prog *prog, struct input *in)
{
	uint8_t *buf = packet_buffer();
	struct ebpf_xdp_buff xb;
	size_t len = pick_packet_len(in), i;
	uint64_t ret;

	for (i = 0; i < PKT_BUF_SIZE; i++)
		buf[i] = i < PKT_HEADROOM + len ? take8(in) : 0;
	if (ebpf_xdp_init(&xb, buf, buf + PKT_BUF_SIZE, buf + PKT_HEADROOM, len, 1, 0)) {
		fprintf(stderr, "fuzz_verifier: packet buffer not below 4 GiB\n");
		abort();
	}
	run.xb = &xb;
	run.steps = 0;
	run.stack_lo = 0;
	run.outer_count = 0;
	run.record_count = 0;
	run.sock_count = 0;
	ret = ebpf_prog_run_interp(prog, &xb, sizeof(xb));
	check_locks_free();
	if (pointer_kind(ret))
		violation(NULL, 0, 0, "the program returned a %s pointer (0x%" PRIx64 ")",
			  pointer_kind(ret), ret);
	if (run.sock_count)
		violation(NULL, 0, 0, "the program still holds %zu socket(s)", run.sock_count);
	stats.runs++;
}

static struct gen generator;

#define FNV1A64_OFFSET 0xcbf29ce484222325ull
#define FNV1A64_PRIME  0x100000001b3ull

static uint64_t fnv1a64(const void *bytes, size_t size)
{
	const uint8_t *p = bytes;
	uint64_t hash = FNV1A64_OFFSET;
	size_t i;

	for (i = 0; i < size; i++)
		hash = (hash ^ p[i]) * FNV1A64_PRIME;
	return hash;
}

/* The FUZZ_VERIFIER_SNAPSHOT line (see the header comment). */
static void print_snapshot(const uint8_t *data, size_t size, struct ebpf_prog *prog, int verdict,
			   const struct ebpf_verify_stats *verify_stats)
{
	const uint8_t *code;
	size_t len, i;

	printf("snapshot %016" PRIx64 " %016" PRIx64 " %s %" PRIu64 " %" PRIu32 " ",
	       fnv1a64(data, size),
	       fnv1a64(generator.insns, generator.count * sizeof(generator.insns[0])),
	       verdict == 0 ? "accepted" : "rejected", verify_stats->insns_processed,
	       verify_stats->states_stored);
	if (ebpf_prog_jit(prog, NULL, NULL) != 0) {
		printf("-\n");
		return;
	}
	code = ebpf_prog_get_jit_code(prog, &len);
	for (i = 0; i < len; i++)
		printf("%02x", code[i]);
	printf("\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int no_verify = -1, snapshot = -1;
	struct input in = {data, size, 0, 0x9e3779b97f4a7c15ull};
	/* A devmap program: the one kind that may read every xdp_md field. */
	struct ebpf_prog_opts opts = {.type = EBPF_PROG_TYPE_XDP,
				      .expected_attach_type = EBPF_ATTACH_XDP_DEVMAP,
				      .map_count = MAP_COUNT};
	static char log_buf[LOG_BYTES];
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_verify_stats verify_stats = {0};
	struct ebpf_prog *prog;
	size_t i;
	int k, err, verdict;

	if (no_verify < 0)
		no_verify = getenv("FUZZ_VERIFIER_NO_VERIFY") != NULL;
	if (snapshot < 0)
		snapshot = getenv("FUZZ_VERIFIER_SNAPSHOT") != NULL;
	for (i = 0; i < size; i++)
		in.prng = (in.prng ^ data[i]) * FNV1A64_PRIME;
	in.prng |= 1;
	platform_prng = in.prng;
	create_maps();
	opts.maps = maps;
	generate(&generator, &in);
	stats.programs++;
	err = ebpf_prog_create(generator.insns, generator.count, &opts, &prog, &log);
	if (err) {
		fprintf(stderr, "fuzz_verifier: the generator made a malformed program: %s\n",
			log_buf);
		run.gen = &generator;
		dump_program();
		abort();
	}
	log.len = 0;
	verdict = no_verify ? 0 : ebpf_verify(prog, &log, &verify_stats);
	if (verdict == 0) {
		stats.accepted++;
		run.prog = prog;
		run.gen = &generator;
		for (k = 0; k < RUNS_PER_PROGRAM; k++)
			run_once(prog, &in);
	} else if (getenv("FUZZ_VERIFIER_SHOW_REJECTS")) {
		fprintf(stderr, "rejected: %.300s\n", log_buf);
	}
	if (getenv("FUZZ_VERIFIER_DUMP")) {
		run.gen = &generator;
		dump_program();
	}
	if (snapshot)
		print_snapshot(data, size, prog, verdict, &verify_stats);
	ebpf_prog_free(prog);
	free_maps();
	return 0;
}
