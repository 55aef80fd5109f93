/*
 * ukbpf eBPF runtime: the one public header.
 *
 * A freestanding library (it needs only <stdint.h>, <stddef.h>, <string.h>,
 * <stdlib.h> and <stdio.h>'s snprintf, all of which newlib provides in the
 * guest) that loads, checks and runs eBPF programs as defined by RFC 9669,
 * with Linux's numbering for helpers, map types and program types so that
 * objects built with clang for Linux run unchanged.
 *
 * Life of a program:
 *   load      ebpf_object_load_elf()  (clang objects)  or ebpf_prog_create()
 *             (raw instructions) or ebpf_cbpf_translate() + ebpf_prog_create()
 *   check     structural checks happen at load; the verifier (ebpf_verify())
 *             sits between load and run
 *   compile   ebpf_prog_jit() (optional; the interpreter always works)
 *   run       ebpf_prog_run(), which uses the JIT code when present
 *
 * Errors: every function that can fail returns 0 or a negative errno value
 * and, when given a struct ebpf_log, writes a one-line reason into it that
 * names what failed and where (section, offset, instruction index).
 * Nothing here prints; callers at the edges do.
 *
 * Platform services that differ between the guest and a host process
 * (executable memory, clock, console, randomness) come in through
 * struct ebpf_platform, installed once with ebpf_set_platform().
 */
#ifndef UKBPF_EBPF_H
#define UKBPF_EBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Instructions (RFC 9669 §3: the basic encoding, little-endian).      */

struct ebpf_insn {
	uint8_t opcode;
	uint8_t dst_reg : 4;
	uint8_t src_reg : 4;
	int16_t offset;
	int32_t imm;
};

#define EBPF_NUM_REGS	    11	       /* r0..r10 */
#define EBPF_STACK_SIZE	    512	       /* bytes per frame, RFC 9669 §2.3 */
#define EBPF_MAX_INSNS	    (1u << 20) /* largest program accepted at load */
#define EBPF_MAX_CALL_DEPTH 8	       /* bpf-to-bpf frames, like Linux */
#define EBPF_MAX_TAIL_CALLS 33	       /* Linux's MAX_TAIL_CALL_CNT */

/* ------------------------------------------------------------------ */
/* Error log: a caller-owned buffer that keeps the first message and    */
/* appends later ones (a verifier log grows line by line).              */

struct ebpf_log {
	char *buf;   /* may be NULL: messages are dropped */
	size_t size; /* bytes available in buf, including the NUL */
	size_t len;  /* bytes written so far, excluding the NUL */
	int level;   /* 0: errors only; 1: verifier states as well */
};

/* Appends printf-style text to log (no-op when log or log->buf is NULL). */
void ebpf_log_printf(struct ebpf_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Platform services.                                                   */

struct ebpf_platform {
	/*
	 * Executable memory for the JIT: alloc returns writable, non-executable
	 * memory; seal turns it read+execute (never W and X at once); free
	 * releases it. NULL alloc means "no JIT on this platform".
	 */
	void *(*exec_alloc)(size_t size);
	int (*exec_seal)(void *mem, size_t size);
	void (*exec_free)(void *mem, size_t size);
	/* Monotonic nanoseconds (bpf_ktime_get_ns). */
	uint64_t (*ktime_ns)(void);
	/* Console output for bpf_trace_printk; text is not NUL-terminated. */
	void (*trace_write)(const char *text, size_t len);
	/* Random numbers for bpf_get_prandom_u32 and JIT constant blinding. */
	uint32_t (*random_u32)(void);
};

/* Installs the platform hooks (copied). Call once before any JIT or run. */
void ebpf_set_platform(const struct ebpf_platform *platform);
const struct ebpf_platform *ebpf_get_platform(void);

/* ------------------------------------------------------------------ */
/* Program types and the XDP context (Linux UAPI numbering and layout). */

enum ebpf_prog_type {
	EBPF_PROG_TYPE_UNSPEC = 0,	  /* the --mem convention: r1 = mem, r2 = len */
	EBPF_PROG_TYPE_SOCKET_FILTER = 1, /* translated classic BPF */
	EBPF_PROG_TYPE_XDP = 6,
};

/* Linux's name of type as bpftool prints it ("xdp", "socket_filter"); "?" if unknown. */
const char *ebpf_prog_type_name(enum ebpf_prog_type type);

/* XDP verdicts (Linux enum xdp_action). */
enum ebpf_xdp_action {
	EBPF_XDP_ABORTED = 0,
	EBPF_XDP_DROP = 1,
	EBPF_XDP_PASS = 2,
	EBPF_XDP_TX = 3,
	EBPF_XDP_REDIRECT = 4,
};

/* Linux's struct xdp_md, field for field: what the program sees in r1. */
struct ebpf_xdp_md {
	uint32_t data;
	uint32_t data_end;
	uint32_t data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
};

/*
 * The context handed to an XDP program. The UAPI struct comes first so the
 * program's r1 points at it; the rest is for helpers and for the redirect
 * decision. [buf_start, buf_end) is the frame's whole buffer, Linux's
 * data_hard_start and frame_sz: adjust_head/meta/tail move the frame's
 * ends within it, but like Linux they leave its first bytes to a struct
 * xdp_frame and its last to a struct skb_shared_info (40 and 320 bytes on
 * x86-64), so a buffer laid out as Linux's gives a program the same room.
 *
 * Because xdp_md carries 32-bit pointers, packet memory must lie in the low
 * 4 GiB of the address space: the guest's memory is identity-mapped below
 * 4 GiB, and host programs allocate packet buffers with MAP_32BIT.
 * ebpf_xdp_init() checks this.
 */
struct ebpf_xdp_buff {
	struct ebpf_xdp_md md;
	uint8_t *buf_start;	   /* start of the buffer (data_hard_start) */
	uint8_t *buf_end;	   /* its end (data_hard_start + frame_sz) */
	uint32_t redirect_ifindex; /* set by bpf_redirect / devmap redirect */
	bool redirect_set;
};

/*
 * Linux's buffer for one frame, as BPF_PROG_TEST_RUN and most drivers lay
 * it out: a page, with the frame XDP_PACKET_HEADROOM bytes into it.
 */
#define EBPF_XDP_HEADROOM   256
#define EBPF_XDP_FRAME_SIZE 4096

/*
 * The size of that buffer for a frame of len bytes: EBPF_XDP_FRAME_SIZE,
 * or more when the frame does not fit in a page beside the headroom and
 * what the helpers keep (Linux would spread it over fragments, which
 * ukbpf does not have; such a frame cannot grow at its tail).
 */
size_t ebpf_xdp_buf_size(size_t len);

/*
 * Fills xb for a frame of len bytes at data, inside the buffer
 * [buf_start, buf_end). Returns -EINVAL when the frame is not inside the
 * buffer and -ERANGE when any address is not below 4 GiB.
 */
int ebpf_xdp_init(struct ebpf_xdp_buff *xb, uint8_t *buf_start, uint8_t *buf_end, uint8_t *data,
		  size_t len, uint32_t ifindex, uint32_t rx_queue);

/*
 * After a run on xb that returned EBPF_XDP_REDIRECT: copies the target
 * that bpf_redirect or bpf_redirect_map chose into xb->redirect_ifindex
 * and xb->redirect_set. Returns 0, or -ENOENT when no helper chose one.
 * Linux's bpf_redirect has no context argument, so the helpers record the
 * target in one module-level slot that ebpf_xdp_init() clears: one XDP run
 * at a time (ukbpf runs programs on a single CPU).
 */
int ebpf_xdp_redirect_target(struct ebpf_xdp_buff *xb);

/* ------------------------------------------------------------------ */
/* Maps (Linux enum bpf_map_type numbering).                            */

enum ebpf_map_type {
	EBPF_MAP_TYPE_HASH = 1,
	EBPF_MAP_TYPE_ARRAY = 2,
	EBPF_MAP_TYPE_PROG_ARRAY = 3,
	EBPF_MAP_TYPE_PERCPU_HASH = 5,
	EBPF_MAP_TYPE_PERCPU_ARRAY = 6,
	EBPF_MAP_TYPE_LRU_HASH = 9,
	EBPF_MAP_TYPE_DEVMAP = 14,
	EBPF_MAP_TYPE_RINGBUF = 27,
};

/* Update flags (Linux BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
#define EBPF_ANY     0
#define EBPF_NOEXIST 1
#define EBPF_EXIST   2

struct ebpf_map_def {
	uint32_t type; /* enum ebpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
};

struct ebpf_map;
struct ebpf_prog; /* declared here because ebpf_prog_array_set takes one */

/* Creates a map; name is copied (may be NULL). */
int ebpf_map_create(const struct ebpf_map_def *def, const char *name, struct ebpf_map **mapp,
		    struct ebpf_log *log);
void ebpf_map_free(struct ebpf_map *map);
const struct ebpf_map_def *ebpf_map_get_def(const struct ebpf_map *map);
const char *ebpf_map_get_name(const struct ebpf_map *map);

/*
 * The user-side map API, with Linux's bpf(2) semantics and error codes:
 * lookup copies the value out (-ENOENT if absent); update honours
 * EBPF_ANY/NOEXIST/EXIST (-EEXIST, -ENOENT, -E2BIG when full, -EINVAL for a
 * bad flag); delete (-ENOENT; -EINVAL on arrays); get_next_key with
 * key == NULL returns the first key, -ENOENT after the last.
 */
int ebpf_map_lookup(struct ebpf_map *map, const void *key, void *value);
int ebpf_map_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags);
int ebpf_map_delete(struct ebpf_map *map, const void *key);
int ebpf_map_get_next_key(struct ebpf_map *map, const void *key, void *next_key);

/*
 * A prog array (EBPF_MAP_TYPE_PROG_ARRAY) holds programs, not bytes: set
 * slot index to prog (NULL empties it). -E2BIG past max_entries, -EINVAL
 * for another map type or a program of another type than the array's
 * first. The map borrows prog: free the map before the program.
 */
int ebpf_prog_array_set(struct ebpf_map *map, uint32_t index, struct ebpf_prog *prog);

/*
 * The consumer side of a ring buffer (EBPF_MAP_TYPE_RINGBUF): calls cb on
 * each submitted record in order, skipping discarded ones, and frees their
 * space. Stops at a record still reserved (not yet submitted), when cb
 * returns > 0 (that record counts as consumed), or when cb returns < 0,
 * which is returned. Otherwise returns the number of records consumed;
 * -EINVAL when map is not a ring buffer.
 */
int ebpf_ringbuf_consume(struct ebpf_map *map, int (*cb)(void *ctx, const void *data, size_t len),
			 void *ctx);

/* ------------------------------------------------------------------ */
/* Programs.                                                            */

struct ebpf_prog;

/*
 * Relocation targets a raw program may refer to: lddw with src_reg
 * BPF_PSEUDO_MAP_FD (1) or BPF_PSEUDO_MAP_VALUE (2) uses imm as an index
 * into maps[]. The program keeps the pointers, not ownership.
 */
struct ebpf_prog_opts {
	enum ebpf_prog_type type;
	const char *name;	      /* copied; may be NULL */
	struct ebpf_map *const *maps; /* may be NULL when map_count == 0 */
	size_t map_count;
};

/*
 * Copies count instructions into a new program after the structural checks
 * (known opcodes, register numbers, jump targets inside the program and not
 * into the second half of an lddw, lddw pairs intact, call targets, at most
 * EBPF_MAX_INSNS) and resolves map references through opts->maps.
 * Errors name the instruction index: "insn 12: jump out of range (off 40)".
 */
int ebpf_prog_create(const struct ebpf_insn *insns, size_t count, const struct ebpf_prog_opts *opts,
		     struct ebpf_prog **progp, struct ebpf_log *log);
void ebpf_prog_free(struct ebpf_prog *prog);

const char *ebpf_prog_get_name(const struct ebpf_prog *prog);
enum ebpf_prog_type ebpf_prog_get_type(const struct ebpf_prog *prog);
const struct ebpf_insn *ebpf_prog_get_insns(const struct ebpf_prog *prog, size_t *count);

/*
 * Compiles prog to x86-64 code. blind_constants rewrites immediates so
 * that attacker-chosen constants never appear in executable memory.
 * -ENOTSUP when the platform has no executable memory.
 */
struct ebpf_jit_opts {
	bool blind_constants;
};
int ebpf_prog_jit(struct ebpf_prog *prog, const struct ebpf_jit_opts *opts, struct ebpf_log *log);
/* The JIT's code, for dumping; NULL before ebpf_prog_jit. */
const void *ebpf_prog_get_jit_code(const struct ebpf_prog *prog, size_t *size);

/*
 * Runs prog with r1 = ctx (and r2 = ctx_len for EBPF_PROG_TYPE_UNSPEC,
 * the conformance-suite convention). Uses the JIT code when present.
 * Returns r0.
 */
uint64_t ebpf_prog_run(const struct ebpf_prog *prog, void *ctx, size_t ctx_len);
/* Always the interpreter, whether or not the program is JIT-compiled. */
uint64_t ebpf_prog_run_interp(const struct ebpf_prog *prog, void *ctx, size_t ctx_len);

/*
 * The JIT code's entry point, NULL before ebpf_prog_jit: fn(ctx, ctx_len)
 * is ebpf_prog_run(prog, ctx, ctx_len) without the call and the check in
 * between, which cost as much as a short program itself; for loops that
 * run one program very often (a receive path, a benchmark). Valid until
 * the program is freed or compiled again.
 */
typedef uint64_t (*ebpf_jit_fn)(void *ctx, size_t ctx_len);
ebpf_jit_fn ebpf_prog_get_jit_fn(const struct ebpf_prog *prog);

/* ------------------------------------------------------------------ */
/* ELF objects (clang -target bpf, libbpf conventions).                 */

struct ebpf_object;

/*
 * Parses an ELF object from memory (not retained): creates its maps
 * (BTF-defined in ".maps", legacy struct bpf_map_def in "maps", and
 * ".rodata"/".data"/".bss" as one-entry array maps), and one program per
 * function in each executable section, with map and local-call
 * relocations applied. Either everything loads or nothing does.
 */
int ebpf_object_load_elf(const void *elf, size_t size, struct ebpf_object **objp,
			 struct ebpf_log *log);
void ebpf_object_free(struct ebpf_object *obj);

size_t ebpf_object_prog_count(const struct ebpf_object *obj);
struct ebpf_prog *ebpf_object_prog(const struct ebpf_object *obj, size_t index);
/* Finds a program by section name ("xdp") or function name; NULL if none. */
struct ebpf_prog *ebpf_object_find_prog(const struct ebpf_object *obj, const char *name);
/* Section name of a program from this object. */
const char *ebpf_object_prog_section(const struct ebpf_object *obj, size_t index);
size_t ebpf_object_map_count(const struct ebpf_object *obj);
struct ebpf_map *ebpf_object_map(const struct ebpf_object *obj, size_t index);
struct ebpf_map *ebpf_object_find_map(const struct ebpf_object *obj, const char *name);
/* The license string from the "license" section, or "" if none. */
const char *ebpf_object_license(const struct ebpf_object *obj);

/* ------------------------------------------------------------------ */
/* Classic BPF (struct sock_filter, tcpdump -dd).                       */

struct ebpf_cbpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/*
 * Checks a classic program by classic BPF's rules (forward jumps only,
 * ends in ret, scratch M[0..15], known opcodes) and translates it to eBPF
 * of type EBPF_PROG_TYPE_SOCKET_FILTER. The translated program runs with
 * ctx = a struct ebpf_cbpf_ctx and returns the number of bytes to keep.
 * *out is malloc'd; the caller frees it.
 */
struct ebpf_cbpf_ctx {
	const uint8_t *data; /* captured bytes */
	uint32_t caplen;     /* bytes available: loads past them return 0 */
	uint32_t wirelen;    /* original length: what BPF_LEN loads */
};
int ebpf_cbpf_translate(const struct ebpf_cbpf_insn *cbpf, size_t count, struct ebpf_insn **out,
			size_t *out_count, struct ebpf_log *log);

/* ------------------------------------------------------------------ */
/* The verifier (docs/verifier.md).                                     */

/*
 * Proves prog safe to run (the verifier): every path ends in exit, every
 * jump lands on an instruction, no read of an uninitialized register or
 * stack slot, every memory access in bounds for its region and type,
 * helper arguments match each helper's prototype, loops terminate (their
 * bound follows from the analysis). 0 when accepted, -EACCES when
 * rejected (the log says which instruction and why), -E2BIG when the work
 * budget (1,000,000 processed instructions) is exceeded, -ENOMEM. Sets
 * the program's verified flag and stack depth. With log->level >= 1 the
 * log also gets every processed instruction and its abstract state.
 * stats may be NULL.
 */
struct ebpf_verify_stats {
	uint64_t insns_processed; /* instructions stepped, all paths together */
	uint32_t states_stored;	  /* states kept at jump targets for pruning */
	uint32_t peak_states;	  /* most states alive at once (stored + pending) */
};
int ebpf_verify(struct ebpf_prog *prog, struct ebpf_log *log, struct ebpf_verify_stats *stats);

/* ------------------------------------------------------------------ */
/* Disassembly (llvm-objdump -d mnemonics).                             */

/*
 * Writes the text of insns[index] into buf (no newline). Returns the
 * number of instruction slots consumed (2 for lddw, else 1), or 0 when
 * index is out of range.
 */
size_t ebpf_disassemble(const struct ebpf_insn *insns, size_t count, size_t index, char *buf,
			size_t size);

#endif /* UKBPF_EBPF_H */
