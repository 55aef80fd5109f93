/*
 * Private to ebpf/: the layouts behind the opaque types of ebpf.h and the
 * entry points one part of the runtime offers another (loader → programs,
 * interpreter/JIT → helpers and maps). Nothing outside ebpf/ includes this.
 */
#ifndef UKBPF_EBPF_INTERNAL_H
#define UKBPF_EBPF_INTERNAL_H

#include "ebpf.h"
#include "isa.h"
#include "prog_type.h"
#include "uapi.h"

/*
 * Programs run on one CPU, number 0: per-CPU maps have one copy,
 * bpf_get_smp_processor_id is 0 and a cpumap has one CPU to send to.
 */
#define EBPF_NR_CPUS 1

/*
 * A callback, as bpf_loop and bpf_for_each_map_elem receive it: what an
 * lddw of a function (EBPF_PSEUDO_FUNC) loads at run time. The engine
 * running the program made it, so a helper calls back into the
 * interpreter or into JIT code alike, with the callback's r1-r4 (r5 is
 * 0); the result is the callback's r0. Each call starts a fresh run of
 * the function: its own stack frames and tail call budget (the verifier
 * refuses tail calls in callbacks, and counts their frames in the call
 * chain's).
 */
struct ebpf_callback {
	uint64_t (*call)(const struct ebpf_callback *cb, uint64_t r1, uint64_t r2, uint64_t r3,
			 uint64_t r4);
	const struct ebpf_prog *prog;
	uint32_t insn; /* the function's first instruction */
};

/* The interpreter's ebpf_callback.call (interp.c). */
uint64_t ebpf_interp_call_callback(const struct ebpf_callback *cb, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4);

/* A loaded program. Instructions are owned; maps are borrowed. */
struct ebpf_prog {
	char name[64];
	enum ebpf_prog_type type;
	enum ebpf_attach_type expected_attach_type;
	struct ebpf_insn *insns;
	size_t insn_count;
	/*
	 * Maps referenced by lddw (after ebpf_prog_create, an lddw with
	 * src_reg EBPF_PSEUDO_MAP_FD or EBPF_PSEUDO_MAP_VALUE holds the
	 * absolute address of the struct ebpf_map or of the value byte in its
	 * imm pair, and keeps its src_reg so the verifier knows what it is).
	 */
	struct ebpf_map **maps;
	size_t map_count;
	/* JIT output: entry(ctx, ctx_len) returns r0. */
	void *jit_code;
	size_t jit_size;
	ebpf_jit_fn jit_entry;
	const struct ebpf_prog_type_info *type_info; /* type's entry, never NULL */
	/*
	 * Where its functions start (subprograms, RFC 9669 §4.3.1): 0 and
	 * every local call's target, ascending; found once at create for the
	 * verifier and the JIT.
	 */
	uint32_t *subprog_start;
	size_t subprog_count;
	/*
	 * Per subprogram, the callback an lddw of it loads: in the
	 * interpreter (made at create) and in JIT code (made by the JIT).
	 */
	struct ebpf_callback *interp_callbacks;
	struct ebpf_callback *jit_callbacks;
	/* Set by the verifier: largest stack depth used over all frames. */
	uint32_t stack_depth;
	bool verified;
};

/* The index in prog->subprog_start of the subprogram holding insn. */
size_t ebpf_prog_subprog_index(const struct ebpf_prog *prog, uint32_t insn);

/* ---- helpers (helpers.c) ---------------------------------------------- */

/*
 * References (ringbuf records, sockets) a program may hold at once: the
 * verifier's limit, and so the size of the socket helpers' pool.
 */
#define EBPF_MAX_REFS 16u

typedef uint64_t (*ebpf_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);

/* Argument and return kinds: what the verifier checks at a call site. */
enum ebpf_helper_arg {
	EBPF_ARG_NONE = 0,
	EBPF_ARG_ANYTHING,	    /* any initialized scalar */
	EBPF_ARG_CONST_MAP_PTR,	    /* lddw map pointer */
	EBPF_ARG_PTR_TO_MAP_KEY,    /* initialized memory of key_size */
	EBPF_ARG_PTR_TO_MAP_VALUE,  /* initialized memory of value_size */
	EBPF_ARG_PTR_TO_MEM,	    /* readable memory, size in next arg */
	EBPF_ARG_PTR_TO_UNINIT_MEM, /* writable memory, size in next arg */
	EBPF_ARG_CONST_SIZE,	    /* size for the previous pointer, > 0 */
	EBPF_ARG_CONST_SIZE_OR_ZERO,
	EBPF_ARG_PTR_TO_CTX,
	EBPF_ARG_PTR_TO_ALLOC_MEM,	  /* ringbuf_reserve'd record */
	EBPF_ARG_PTR_TO_UNINIT_MAP_VALUE, /* writable memory of value_size (pop, peek) */
	EBPF_ARG_PTR_TO_MEM_RW, /* initialized memory the helper also writes, size in next arg */
	EBPF_ARG_PTR_TO_INT,	/* 4 bytes of initialized memory the helper also writes */
	/*
	 * A value the helper reads only when asked to (trace_printk's format
	 * arguments): Linux declares no such argument, so it may be unset;
	 * set, it must be a scalar. Still an argument for the JIT, which
	 * zeroes it at entry when unset, as the interpreter starts it.
	 */
	EBPF_ARG_ANYTHING_OR_UNSET,
	/* A socket from a lookup (Linux: ARG_PTR_TO_BTF_ID_SOCK_COMMON). */
	EBPF_ARG_PTR_TO_SOCK_COMMON,
	/* Readable memory of the helper's arg_size bytes (ARG_PTR_TO_FIXED_SIZE_MEM). */
	EBPF_ARG_PTR_TO_FIXED_SIZE_MEM,
	/* A callback (lddw of a function): the verifier walks it at the call. */
	EBPF_ARG_PTR_TO_FUNC,
	EBPF_ARG_PTR_TO_STACK_OR_NULL, /* the callback's context: passed on as it is */
	EBPF_ARG_PTR_TO_SPIN_LOCK,     /* the struct bpf_spin_lock of a looked-up map value */
};

enum ebpf_helper_ret {
	EBPF_RET_INTEGER = 0,
	EBPF_RET_VOID,
	EBPF_RET_MAP_VALUE_OR_NULL,
	EBPF_RET_ALLOC_MEM_OR_NULL, /* ringbuf_reserve: size from r2 */
	/* Socket lookups: a reference to release with bpf_sk_release. */
	EBPF_RET_SOCKET_OR_NULL,
	EBPF_RET_SOCK_COMMON_OR_NULL,
};

struct ebpf_helper {
	int32_t id;	   /* Linux's BPF_FUNC_* number (enum ebpf_func_id) */
	const char *name;  /* "bpf_map_lookup_elem" */
	ebpf_helper_fn fn; /* NULL for tail_call: interpreter/JIT do it */
	enum ebpf_helper_ret ret;
	enum ebpf_helper_arg args[EBPF_NUM_ARG_REGS];
	uint32_t arg_size[EBPF_NUM_ARG_REGS]; /* of EBPF_ARG_PTR_TO_FIXED_SIZE_MEM */
	/* Ends the reference its pointer argument holds (Linux: OBJ_RELEASE). */
	bool releases_ref;
	/* Its family: a program type calls the families it lists (prog_type.h). */
	enum ebpf_helper_family family;
	/* Moves packet data: packet pointers become scalars (verifier). */
	bool changes_packet_data;
};

/* The helper with Linux number id, or NULL when ukbpf does not offer it. */
const struct ebpf_helper *ebpf_helper_find(int32_t id);

/*
 * The rate of bpf_jiffies64's ticks (helpers.c), which ukbpf also reports
 * as CONFIG_HZ to __kconfig externs (elf_externs.c): 250, the CONFIG_HZ of
 * Debian's kernels, which programs are compared with.
 */
#define EBPF_JIFFIES_HZ 250

/*
 * Tail calls: the target of prog_array[index], or NULL when index is out
 * of range or the slot is empty (the caller then falls through, as Linux).
 */
const struct ebpf_prog *ebpf_prog_array_get(const struct ebpf_map *prog_array, uint32_t index);

/*
 * bpf_redirect/bpf_redirect_map record their target here (xdp.c); the
 * caller reads it with ebpf_xdp_redirect_target() after the run.
 */
void ebpf_xdp_set_redirect(const struct ebpf_xdp_target *target);
/* A redirect helper that found no target: no earlier choice survives it. */
void ebpf_xdp_clear_redirect(void);

/*
 * The part of xb's buffer a program may move its frame's ends in (xdp.c):
 * data_meta and data not below ebpf_xdp_room_start, data_end not beyond
 * ebpf_xdp_room_end. The rest is what Linux keeps for itself.
 */
uint8_t *ebpf_xdp_room_start(const struct ebpf_xdp_buff *xb);
uint8_t *ebpf_xdp_room_end(const struct ebpf_xdp_buff *xb);

/* ---- maps (maps.c), as the program sees them -------------------------- */

/* bpf_map_lookup_elem from a program: pointer to the value or NULL. */
void *ebpf_map_lookup_ptr(struct ebpf_map *map, const void *key);
typedef void *(*ebpf_map_lookup_fn)(struct ebpf_map *map, const void *key);
/*
 * The function ebpf_map_lookup_ptr calls for map, fixed at creation: the
 * JIT calls it directly when it knows which map a lookup names.
 */
ebpf_map_lookup_fn ebpf_map_get_prog_lookup(const struct ebpf_map *map);
/*
 * Map-in-map (map_of_maps.c): the template every inner map of map
 * matches, which the verifier types a looked-up inner map by (Linux's
 * inner_map_meta); NULL for other maps. Only its definition is for use.
 */
const struct ebpf_map *ebpf_map_inner_meta(const struct ebpf_map *map);

/*
 * A hash or per-CPU hash map with 4- or 8-byte keys, as the JIT reads it to
 * emit the common lookup inline: the key's hash is
 * ebpf_hash_of_state(ebpf_hash_mix(key_size, key zero-extended)), that is
 * the high half of (key_size ^ key) * EBPF_HASH_MULTIPLIER; its bucket is
 * buckets + (hash & bucket_mask) * EBPF_HASH_BUCKET_SIZE; when the bucket's
 * head is not EBPF_HASH_NIL and its head_key equals the key, the value is
 * at values + head. Anything else (a miss, a collision) is for the map's
 * prog lookup function. The arrays never move while the map exists.
 */
#define EBPF_HASH_MULTIPLIER	  0x9e3779b97f4a7c15ull /* 2^64 / golden ratio, odd */
#define EBPF_HASH_SHIFT		  32			/* the hash is the product's high half */
#define EBPF_HASH_INLINE_KEY	  8
#define EBPF_HASH_NIL		  UINT32_MAX
#define EBPF_HASH_BUCKET_SIZE	  16
#define EBPF_HASH_BUCKET_HEAD_KEY 0
#define EBPF_HASH_BUCKET_HEAD	  8

/*
 * The hash of every hash map, a word at a time (maps.c): the state starts
 * at the key's size and mixes in each 8-byte word of the key, the last one
 * zero-padded; the hash is the final state's high half. The JIT's inline
 * lookup computes the same for one word in machine code, and
 * tests/unit/test_ebpf_jit.c fails if the two ever differ.
 */
static inline uint64_t ebpf_hash_mix(uint64_t state, uint64_t word)
{
	return (state ^ word) * EBPF_HASH_MULTIPLIER;
}

static inline uint32_t ebpf_hash_of_state(uint64_t state)
{
	return (uint32_t)(state >> EBPF_HASH_SHIFT);
}

struct ebpf_map_inline_hash {
	const uint8_t *buckets;
	const uint8_t *values; /* + an element's offset: its value */
	uint32_t bucket_mask;
	uint32_t key_size;
};
bool ebpf_map_get_inline_hash(const struct ebpf_map *map, struct ebpf_map_inline_hash *out);
/*
 * The struct bpf_spin_lock in map's values (maps.c): set by the loader
 * from BTF, before any program uses the map; the verifier asks where.
 */
#define EBPF_SPIN_LOCK_SIZE 4 /* struct bpf_spin_lock: one 32-bit word, 0 when free */
/* Takes and releases such a lock (the helpers and EBPF_F_LOCK updates). */
void ebpf_spin_lock(uint32_t *lock);
void ebpf_spin_unlock(uint32_t *lock);
void ebpf_map_set_spin_lock(struct ebpf_map *map, uint32_t offset);
bool ebpf_map_get_spin_lock(const struct ebpf_map *map, uint32_t *offset);

/* Address of byte off of an array map's first value (BPF_PSEUDO_MAP_VALUE). */
void *ebpf_map_value_addr(struct ebpf_map *map, uint32_t off);
/* Linux's BPF_MAP_FREEZE: from now on user-space updates and deletes are -EPERM. */
void ebpf_map_freeze(struct ebpf_map *map);
/*
 * Linux's bpf_map_direct_read: the size-byte (1, 2, 4 or 8) little-endian
 * value at byte off of a frozen array that programs may not write
 * (BPF_F_RDONLY_PROG), so nobody can change it any more; false when the
 * map is not such a map or the bytes are not inside its value.
 */
bool ebpf_map_read_constant(const struct ebpf_map *map, uint64_t off, unsigned int size,
			    uint64_t *value);

#endif /* UKBPF_EBPF_INTERNAL_H */
