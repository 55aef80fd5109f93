/*
 * Pruning (verifier.c): the states kept at prune points, and the test
 * whether the current state is contained in one of them, so that its
 * path need not be explored again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verifier_internal.h"

/*
 * Which stored states are kept: Linux's is_state_visited heuristics.
 *
 * A prune point stores a new state only when the exploration has gone at
 * least STORE_MIN_INSNS and STORE_MIN_JUMPS since the last stored one: a
 * straight run of branches then costs a state every few jumps, not one per
 * jump. Where a state stored at the same instruction is still in progress,
 * the path has come round a loop: iterations differ, so a state is stored
 * only after LOOP_STORE_MIN_INSNS or LOOP_STORE_MIN_JUMPS. Pruning is
 * still tried at every prune point. Unlike Linux, the instruction after a
 * bpf-to-bpf call always stores one: the callee's paths join there, and
 * without precision tracking (docs/verifier.md) a state there is what
 * keeps the rest of the caller from being explored once per callee path.
 *
 * Each stored state counts its hits (it pruned a path) and misses (it did
 * not, at a visit that stores a new state); one that missed more than
 * EVICT_MISSES_PER_HIT times its hits plus EVICT_MISSES_PER_HIT is
 * dropped: a loop's old iterations make room for new ones.
 *
 * Beyond Linux, two bounds: MAX_STATES_PER_INSN at one instruction (a new
 * state then replaces the least useful one, so that the work of a prune
 * point stays bounded) and MAX_STORED_BYTES in all (no new state then:
 * pruning only gets less effective; the budget still bounds the work). A
 * stored frame takes about 1.7 KiB plus 104 bytes per stack slot in use;
 * the guest verifies in 128 MiB.
 */
#define STORE_MIN_INSNS	     8u
#define STORE_MIN_JUMPS	     2u
#define LOOP_STORE_MIN_INSNS 100u
#define LOOP_STORE_MIN_JUMPS 20u
#define EVICT_MISSES_PER_HIT 3u
#define MAX_STATES_PER_INSN  64u
#define MAX_STORED_BYTES     (32u << 20)
#define MAX_IDMAP	     64u

/*
 * What any state a stored one contains must share with it, in a few
 * words kept beside it (struct prune_key, prune_key_of): the call chain,
 * and in the innermost frame the types, constant offsets and known
 * values of the registers live there. The pruning walk compares these
 * before it touches a stored state's frames: a subprogram called from
 * several sites or a loop stores up to MAX_STATES_PER_INSN states at one
 * instruction, nearly all of them of another chain or another round.
 */
struct prune_key {
	uint32_t chain;	    /* call_chain_signature */
	uint16_t typed;	    /* live registers of the innermost frame not NOT_INIT */
	uint16_t known;	    /* those of typed whose variable part is one value */
	uint64_t types;	    /* REG_TYPE_BITS per typed register: its type */
	uint64_t type_mask; /* the bits of types that are set */
	uint64_t values;    /* known_values_hash over typed and known */
};

struct stored_state {
	struct prune_key key;
	struct vstate *state;
	size_t bytes; /* state_bytes() when stored */
	/* Pending-branch height when stored: descendants sit above it. */
	size_t pending_height;
	uint32_t hits, misses;
	bool complete;
	/* Out of its list while in progress: freed when complete. */
	bool evicted;
};

/* The stored states of one instruction, oldest first. */
struct stored_list {
	struct stored_state **states;
	uint32_t count, cap;
};

/* A stored state whose descendants are still being explored. */
struct in_progress {
	struct stored_state *stored;
};

struct idmap {
	uint32_t old_ids[MAX_IDMAP];
	uint32_t cur_ids[MAX_IDMAP];
	uint32_t len;
};

/* Ids are names: two states agree when one renaming maps old's onto cur's. */
static bool ids_match(struct idmap *map, uint32_t old_id, uint32_t cur_id)
{
	uint32_t i;

	if (old_id == 0)
		return true;
	if (cur_id == 0)
		return false;
	for (i = 0; i < map->len; i++) {
		if (map->old_ids[i] == old_id)
			return map->cur_ids[i] == cur_id;
		if (map->cur_ids[i] == cur_id)
			return false;
	}
	if (map->len == MAX_IDMAP)
		return false;
	map->old_ids[map->len] = old_id;
	map->cur_ids[map->len] = cur_id;
	map->len++;
	return true;
}

/* Every run from cur is a run old already proved safe. */
static bool reg_subsumed(const struct reg_state *old, const struct reg_state *cur,
			 struct idmap *map)
{
	if (old->type == REG_NOT_INIT)
		return true; /* old's paths never read it */
	if (old->type != cur->type || old->off != cur->off || old->map != cur->map ||
	    old->frame != cur->frame || old->mem_size != cur->mem_size ||
	    old->subprog != cur->subprog || cur->range < old->range)
		return false;
	if (!scalar_contains(&old->var, &cur->var))
		return false;
	return ids_match(map, old->id, cur->id) && ids_match(map, old->ref_id, cur->ref_id);
}

/* The word of slot_kinds whose 8 bytes are all of one kind (enum stack_byte). */
#define SLOT_OF(kind) (0x0101010101010101ull * (kind))
_Static_assert((STACK_MISC & STACK_SPILL) == 0, "a spill byte is told apart by its bits");

/* The kinds of the 8 stack bytes of a slot, as one word. */
static uint64_t slot_kinds(const struct frame *f, int slot)
{
	uint64_t kinds;

	memcpy(&kinds, &f->stack[slot * REG_SIZE], sizeof(kinds));
	return kinds;
}

/* Stack bytes of one slot, by the rules of frame_subsumed. */
static bool slot_subsumed(const struct frame *old, const struct frame *cur, int slot,
			  struct idmap *map)
{
	int spill = spill_index(slot), i;

	for (i = slot * REG_SIZE; i < (slot + 1) * REG_SIZE; i++) {
		uint8_t o = old->stack[i], c = cur->stack[i];

		if (o == STACK_INVALID)
			continue;
		if (o == STACK_MISC) {
			if (c == STACK_MISC ||
			    (c == STACK_SPILL && !is_pointer(&cur->spills[spill])))
				continue;
			return false;
		}
		if (c != STACK_SPILL)
			return false;
		if (i % REG_SIZE == 0 &&
		    !reg_subsumed(&old->spills[spill], &cur->spills[spill], map))
			return false;
	}
	return true;
}

static bool frame_subsumed(const struct frame *old, const struct frame *cur, uint16_t live,
			   struct idmap *map)
{
	int r, slot;

	/* fewer rounds of a waiting call done: no fewer left (Linux's callback_depth) */
	if (old->callsite != cur->callsite || old->callback_rounds > cur->callback_rounds)
		return false;
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if ((live & reg_bit((uint8_t)r)) &&
		    !reg_subsumed(&old->regs[r], &cur->regs[r], map))
			return false;
	}
	/*
	 * Below old's used slots, every byte of old is invalid. A slot whose
	 * bytes are all invalid in old, or of the same kinds in both and none
	 * a spill, passes slot_subsumed: one word compared instead of 8
	 * bytes, as the stacks of states at one instruction are mostly alike.
	 */
	for (slot = STACK_SLOTS - (int)old->used_slots; slot < STACK_SLOTS; slot++) {
		uint64_t o = slot_kinds(old, slot), c = slot_kinds(cur, slot);

		if (o == SLOT_OF(STACK_INVALID) || (o == c && !(o & SLOT_OF(STACK_SPILL))))
			continue;
		if (!slot_subsumed(old, cur, slot, map))
			return false;
	}
	return true;
}

/*
 * Registers that matter in frame i of a state at insn: live ones; for a
 * caller waiting on a call, those live after the return except r0-r5,
 * which the return overwrites.
 */
static uint16_t frame_live_regs(const struct verifier *v, const struct vstate *st, uint32_t i,
				uint32_t insn)
{
	if (i + 1 == st->frame_count)
		return v->live_in[insn];
	/* a callback's caller makes its call again, arguments and all */
	if (st->frames[i + 1]->is_callback)
		return v->live_in[st->frames[i + 1]->callsite];
	return (uint16_t)(v->live_in[st->frames[i + 1]->callsite + 1] & ~CALLER_SAVED_REGS);
}

static bool state_subsumed(const struct verifier *v, const struct vstate *old,
			   const struct vstate *cur)
{
	struct idmap map;
	uint32_t i;

	map.len = 0; /* the id arrays are filled as they are used */
	if (old->frame_count != cur->frame_count || old->ref_count != cur->ref_count ||
	    (old->active_lock == 0) != (cur->active_lock == 0))
		return false;
	if (old->active_lock && !ids_match(&map, old->active_lock, cur->active_lock))
		return false;
	for (i = 0; i < old->ref_count; i++) {
		if (!ids_match(&map, old->refs[i], cur->refs[i]))
			return false;
	}
	/*
	 * The innermost frame first: states at one instruction tend to differ
	 * there, while their callers' frames are often the same. The order
	 * does not change the answer (one renaming for all frames).
	 */
	for (i = old->frame_count; i-- > 0;) {
		if (!frame_subsumed(old->frames[i], cur->frames[i],
				    frame_live_regs(v, old, i, v->insn), &map))
			return false;
	}
	return true;
}

/* Frames, references and call sites: equal in two states of one chain. */
static uint32_t call_chain_signature(const struct vstate *st)
{
	/* FNV-1a's 32-bit prime spreads the call sites over the word. */
	const uint32_t mix = 16777619u;
	uint32_t sig = st->frame_count * mix ^ st->ref_count, i;

	for (i = 1; i < st->frame_count; i++)
		sig = (sig ^ st->frames[i]->callsite) * mix;
	return sig;
}

#define REG_TYPE_BITS 5
_Static_assert(REG_TYPE_COUNT <= (1 << REG_TYPE_BITS), "a type fits in REG_TYPE_BITS");
_Static_assert(EBPF_NUM_REGS *REG_TYPE_BITS <= 64, "the types of a frame fit in a word");

/*
 * The innermost frame of the current state, as the keys of the stored
 * states at its instruction are checked against it. Its register summary
 * (types, known) is made on the first key of its chain: at most prune
 * points the states stored there are of other chains, or none.
 */
struct prune_probe {
	uint32_t chain;
	const struct frame *frame;
	uint16_t live; /* the frame's live registers: the only ones keys name */
	bool summarized;
	uint16_t known; /* live registers whose variable part is one value */
	uint64_t types; /* of the live registers */
	/*
	 * The last known_values_hash computed from frame, and its masks:
	 * the states at one instruction mostly have the same live and known
	 * registers, so one hash serves a run of keys.
	 */
	uint16_t hashed_typed, hashed_known;
	uint64_t hash;
};

/* The lowest register of a mask of reg_bit()s, which must not be empty. */
static int lowest_reg(uint16_t regs)
{
	return __builtin_ctz(regs);
}

/*
 * reg_subsumed(old, cur) needs the same off and, where old's variable
 * part is one value, the same value (a known tnum contains only itself):
 * a hash of them over old's typed and known registers, from either state.
 */
static uint64_t known_values_hash(const struct frame *f, uint16_t typed, uint16_t known)
{
	/* FNV-1a's 64-bit prime. */
	const uint64_t mix = 1099511628211ull;
	uint64_t hash = 0;

	for (; typed; typed &= (uint16_t)(typed - 1)) {
		const struct reg_state *reg = &f->regs[lowest_reg(typed)];

		hash = (hash ^ (uint32_t)reg->off) * mix;
		if (known & (typed & -typed))
			hash = (hash ^ reg->var.bits.value) * mix;
	}
	return hash;
}

static struct prune_probe prune_probe_of(const struct verifier *v)
{
	return (struct prune_probe){.chain = call_chain_signature(v->cur),
				    .frame = v->cur->frames[v->cur->frame_count - 1],
				    .live = v->live_in[v->insn],
				    /* no key has these masks (typed has EBPF_NUM_REGS bits) */
				    .hashed_typed = UINT16_MAX};
}

static void summarize_probe(struct prune_probe *probe)
{
	uint16_t live;

	for (live = probe->live; live; live &= (uint16_t)(live - 1)) {
		int r = lowest_reg(live);
		const struct reg_state *reg = &probe->frame->regs[r];

		probe->types |= (uint64_t)reg->type << (r * REG_TYPE_BITS);
		/* scalar_is_const, without a call per register and prune point */
		if (reg->var.bits.mask == 0)
			probe->known |= reg_bit((uint8_t)r);
	}
	probe->summarized = true;
}

/* The key of the current state, to store beside its copy. */
static struct prune_key prune_key_of(struct prune_probe *probe)
{
	const uint64_t type_bits = (1u << REG_TYPE_BITS) - 1;
	struct prune_key key = {.chain = probe->chain};
	uint16_t live;

	if (!probe->summarized)
		summarize_probe(probe);
	for (live = probe->live; live; live &= (uint16_t)(live - 1)) {
		int r = lowest_reg(live);

		if (probe->frame->regs[r].type == REG_NOT_INIT)
			continue;
		key.typed |= reg_bit((uint8_t)r);
		key.type_mask |= type_bits << (r * REG_TYPE_BITS);
	}
	key.types = probe->types & key.type_mask;
	key.known = key.typed & probe->known;
	key.values = known_values_hash(probe->frame, key.typed, key.known);
	return key;
}

/* false when no state with this probe can be contained in key's state. */
static bool prune_key_may_contain(const struct prune_key *key, struct prune_probe *probe)
{
	if (key->chain != probe->chain)
		return false;
	if (!probe->summarized)
		summarize_probe(probe);
	if ((probe->types & key->type_mask) != key->types || (key->known & ~probe->known) != 0)
		return false;
	if (key->typed != probe->hashed_typed || key->known != probe->hashed_known) {
		probe->hashed_typed = key->typed;
		probe->hashed_known = key->known;
		probe->hash = known_values_hash(probe->frame, key->typed, key->known);
	}
	return probe->hash == key->values;
}

static void free_stored(struct verifier *v, struct stored_state *s)
{
	verifier_free_state(s->state);
	v->stored_bytes -= s->bytes;
	v->stored_live--;
	free(s);
}

/* Takes list's state i out of it; one in progress lives on until complete. */
static void evict(struct verifier *v, struct stored_list *list, uint32_t i)
{
	struct stored_state *s = list->states[i];

	memmove(&list->states[i], &list->states[i + 1],
		(list->count - i - 1) * sizeof(*list->states));
	list->count--;
	if (s->complete)
		free_stored(v, s);
	else
		s->evicted = true;
}

static bool should_evict(const struct stored_state *s)
{
	return s->misses > (s->hits + 1) * EVICT_MISSES_PER_HIT;
}

/* The state of list that has helped least: most misses per hit, oldest first. */
static uint32_t least_useful(const struct stored_list *list)
{
	uint32_t i, worst = 0;

	for (i = 1; i < list->count; i++) {
		const struct stored_state *s = list->states[i], *w = list->states[worst];

		if ((uint64_t)s->misses * (w->hits + 1) > (uint64_t)w->misses * (s->hits + 1))
			worst = i;
	}
	return worst;
}

void verifier_complete_finished_states(struct verifier *v)
{
	while (v->in_progress_len > 0) {
		struct stored_state *s = v->in_progress[v->in_progress_len - 1].stored;

		if (s->pending_height < v->pending_len)
			break;
		s->complete = true;
		v->in_progress_len--;
		if (s->evicted)
			free_stored(v, s);
	}
}

/* The memory a copy of st takes (verifier_copy_state). */
static size_t state_bytes(const struct vstate *st)
{
	size_t bytes = sizeof(struct stored_state) + sizeof(*st);
	uint32_t i;

	for (i = 0; i < st->frame_count; i++)
		bytes += frame_bytes(st->frames[i]->used_slots);
	return bytes;
}

static int store_state(struct verifier *v, struct prune_probe *probe)
{
	struct stored_list *list = &v->explored[v->insn];
	struct stored_state *s;
	size_t bytes = state_bytes(v->cur);

	if (list->count >= MAX_STATES_PER_INSN)
		evict(v, list, least_useful(list));
	if (v->stored_bytes + bytes > MAX_STORED_BYTES)
		return 0;
	if (v->in_progress_len == v->in_progress_cap) {
		size_t cap = v->in_progress_cap ? v->in_progress_cap * 2 : 64;
		struct in_progress *grown = realloc(v->in_progress, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		v->in_progress = grown;
		v->in_progress_cap = cap;
	}
	if (list->count == list->cap) {
		uint32_t cap = list->cap ? list->cap * 2 : 4;
		struct stored_state **grown = realloc(list->states, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		list->states = grown;
		list->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->state = verifier_copy_state(v->cur);
	if (!s->state) {
		free(s);
		return -ENOMEM;
	}
	s->key = prune_key_of(probe);
	s->bytes = bytes;
	s->pending_height = v->pending_len;
	v->in_progress[v->in_progress_len++] = (struct in_progress){s};
	list->states[list->count++] = s;
	v->stored_total++;
	v->stored_live++;
	v->stored_bytes += bytes;
	if (v->stored_live + v->live_states > v->peak_states)
		v->peak_states = v->stored_live + v->live_states;
	return 0;
}

/*
 * Callback rounds (verifier_calls.c): the states at a callback helper's
 * call are stored at every visit, and the caller's frame names the rounds
 * of one call (callback_chain), set when the call is first reached, and
 * counts them (callback_rounds). A state contained in one still in
 * progress from an earlier round of a call that is still waiting, at the
 * call or anywhere in its callback, ends there: the earlier state's paths
 * are pending or being walked, and the path between the two went round
 * the helper, which (not the program) bounds the number of rounds.
 * Anywhere else, containment in a state in progress proves nothing: the
 * path between may be a program loop that never ends.
 */
static bool same_callback_round_chain(const struct vstate *old, const struct vstate *cur)
{
	return old->frame_count == cur->frame_count &&
	       old->frames[old->frame_count - 1]->callback_chain ==
		   cur->frames[cur->frame_count - 1]->callback_chain;
}

static bool crossed_callback_round(const struct verifier *v, const struct vstate *old,
				   const struct vstate *cur)
{
	uint32_t i;

	if (old->frame_count != cur->frame_count)
		return false;
	for (i = 0; i < cur->frame_count; i++) {
		const struct frame *was = old->frames[i], *is = cur->frames[i];
		bool waits = i + 1 == cur->frame_count ? (v->flags[v->insn] & INSN_CALLBACK_CALL)
						       : cur->frames[i + 1]->is_callback;

		if (waits && was->callback_chain == is->callback_chain &&
		    was->callback_rounds != is->callback_rounds)
			return true;
	}
	return false;
}

/*
 * A spilled scalar of cur's slot that old's does not contain becomes
 * unknown. A narrow spill (fewer than 8 bytes, verifier_memory.c) becomes
 * unknown bytes instead, which still read back within its width.
 */
static void widen_slot(const struct frame *old, struct frame *cur, int slot)
{
	uint64_t old_kinds = slot_kinds(old, slot), cur_kinds = slot_kinds(cur, slot);
	struct reg_state *spill = &cur->spills[spill_index(slot)];
	const struct reg_state *was = &old->spills[spill_index(slot)];
	uint8_t *bytes = &cur->stack[slot * REG_SIZE];
	bool grew = was->type == REG_SCALAR && !scalar_contains(&was->var, &spill->var);
	int pos;

	if (bytes[0] != STACK_SPILL || spill->type != REG_SCALAR)
		return;
	if (cur_kinds == SLOT_OF(STACK_SPILL)) {
		if (old_kinds == SLOT_OF(STACK_MISC))
			memset(bytes, STACK_MISC, REG_SIZE);
		else if (old_kinds == SLOT_OF(STACK_SPILL) && grew)
			set_scalar(spill, scalar_unknown());
		return;
	}
	if (old->stack[slot * REG_SIZE] == STACK_MISC || (old_kinds == cur_kinds && grew)) {
		for (pos = 0; pos < REG_SIZE && bytes[pos] == STACK_SPILL; pos++)
			bytes[pos] = STACK_MISC;
	}
}

/*
 * Widening between callback rounds: against the newest earlier round of
 * the call, the stack scalars a round changed become unknown (registers
 * of the waiting frames cannot change). A counter the callback bumps
 * then converges in two rounds instead of one per value.
 */
static void widen_callback_round(struct verifier *v, const struct stored_list *list)
{
	const struct vstate *old = NULL;
	uint32_t i;
	int slot;

	for (i = list->count; i-- > 0 && !old;) {
		if (!list->states[i]->complete &&
		    same_callback_round_chain(list->states[i]->state, v->cur))
			old = list->states[i]->state;
	}
	for (i = 0; old && i < v->cur->frame_count; i++) {
		const struct frame *was = old->frames[i];

		for (slot = STACK_SLOTS - (int)was->used_slots; slot < STACK_SLOTS; slot++)
			widen_slot(was, v->cur->frames[i], slot);
	}
}

/* The newest states first: they are the likeliest to match. */
int verifier_visit_prune_point(struct verifier *v)
{
	struct stored_list *list = &v->explored[v->insn];
	uint64_t insns = v->processed - v->processed_at_store;
	uint64_t jumps = v->jumps_processed - v->jumps_at_store;
	bool callback_call = v->flags[v->insn] & INSN_CALLBACK_CALL;
	bool callback_round = callback_call && v->cur->after_callback;
	bool store = (insns >= STORE_MIN_INSNS && jumps >= STORE_MIN_JUMPS) ||
		     (v->flags[v->insn] & (INSN_CALL_RETURN | INSN_CALLBACK_CALL));
	struct prune_probe probe;
	uint32_t i;

	if (callback_round) {
		widen_callback_round(v, list);
	} else if (callback_call) {
		cur_frame(v)->callback_chain = new_id(v);
		cur_frame(v)->callback_rounds = 0;
	}
	if (list->count == 0 && !store)
		return 0;
	probe = prune_probe_of(v);
	for (i = list->count; i-- > 0;) {
		struct stored_state *s = list->states[i];
		bool may_contain = prune_key_may_contain(&s->key, &probe);

		if (s->complete) {
			if (may_contain && state_subsumed(v, s->state, v->cur)) {
				s->hits++;
				return 1;
			}
		} else if (crossed_callback_round(v, s->state, v->cur)) {
			if (may_contain && state_subsumed(v, s->state, v->cur)) {
				s->hits++;
				return 1;
			}
		} else {
			/* An ancestor on this very path, in the same state: no progress. */
			if (may_contain && state_subsumed(v, s->state, v->cur) &&
			    state_subsumed(v, v->cur, s->state))
				return verifier_reject(v, "infinite loop detected at insn %u",
						       v->insn);
			/* An ancestor at this instruction: a loop, store less often. */
			if (insns < LOOP_STORE_MIN_INSNS && jumps < LOOP_STORE_MIN_JUMPS &&
			    !callback_call)
				store = false;
		}
		/* Misses count only where a new state would take the old one's place. */
		if (store)
			s->misses++;
		if (should_evict(s))
			evict(v, list, i);
	}
	if (!store)
		return 0;
	v->processed_at_store = v->processed;
	v->jumps_at_store = v->jumps_processed;
	return store_state(v, &probe);
}

struct stored_list *verifier_explored_new(uint32_t count)
{
	return calloc(count, sizeof(struct stored_list));
}

void verifier_explored_free(struct verifier *v)
{
	uint32_t i;
	size_t k;

	/* Evicted states in progress first: they are in no list. */
	for (k = 0; k < v->in_progress_len; k++) {
		if (v->in_progress[k].stored->evicted)
			free_stored(v, v->in_progress[k].stored);
	}
	v->in_progress_len = 0;
	for (i = 0; v->explored && i < v->count; i++) {
		struct stored_list *list = &v->explored[i];

		for (k = 0; k < list->count; k++)
			free_stored(v, list->states[k]);
		free(list->states);
	}
	free(v->explored);
	v->explored = NULL;
}
