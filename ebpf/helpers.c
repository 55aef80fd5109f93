/*
 * The helper functions programs call, with Linux's BPF_FUNC_* numbers and
 * semantics (see the descriptions in <linux/bpf.h>), and the prototypes
 * the verifier checks call sites against.
 *
 * Helpers get their arguments as raw 64-bit registers. Their pointer
 * arguments have been checked by the verifier against the prototypes in
 * helper_table, so they trust them; what the verifier cannot know
 * (a format string's contents, sizes that must be multiples of 4, flags)
 * is checked here and reported with Linux's error codes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helpers_callback.h"
#include "helpers_net.h"
#include "helpers_sock.h"
#include "maps.h"
#include "prog_type.h"
#include "uapi.h"

/* Helpers return negative errno values in the 64-bit r0. */
static uint64_t errno_ret(int err)
{
	return (uint64_t)(int64_t)err;
}

static void *ptr_arg(uint64_t reg)
{
	return (void *)(uintptr_t)reg;
}

/* ---- maps ------------------------------------------------------------------ */

static uint64_t helper_map_lookup_elem(uint64_t map, uint64_t key, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	return (uintptr_t)ebpf_map_lookup_ptr(ptr_arg(map), ptr_arg(key));
}

static uint64_t helper_map_update_elem(uint64_t map, uint64_t key, uint64_t value, uint64_t flags,
				       uint64_t r5)
{
	return errno_ret(ebpf_map_update(ptr_arg(map), ptr_arg(key), ptr_arg(value), flags));
}

static uint64_t helper_map_delete_elem(uint64_t map, uint64_t key, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	return errno_ret(ebpf_map_delete(ptr_arg(map), ptr_arg(key)));
}

/*
 * bpf_map_lookup_percpu_elem(map, key, cpu): ukbpf has one CPU, 0; any
 * other is one Linux does not have either (cpu >= nr_cpu_ids): NULL.
 */
static uint64_t helper_map_lookup_percpu_elem(uint64_t map, uint64_t key, uint64_t cpu, uint64_t r4,
					      uint64_t r5)
{
	if ((uint32_t)cpu != 0)
		return 0;
	return (uintptr_t)ebpf_map_lookup_ptr(ptr_arg(map), ptr_arg(key));
}

/* Queue, stack and bloom filter: values without keys (maps.h). */
static uint64_t helper_map_push_elem(uint64_t map, uint64_t value, uint64_t flags, uint64_t r4,
				     uint64_t r5)
{
	return errno_ret(ebpf_map_push(ptr_arg(map), ptr_arg(value), flags));
}

static uint64_t helper_map_pop_elem(uint64_t map, uint64_t value, uint64_t r3, uint64_t r4,
				    uint64_t r5)
{
	return errno_ret(ebpf_map_pop(ptr_arg(map), ptr_arg(value), true));
}

/* A bloom filter's peek reads value: the element to test. */
static uint64_t helper_map_peek_elem(uint64_t map, uint64_t value, uint64_t r3, uint64_t r4,
				     uint64_t r5)
{
	return errno_ret(ebpf_map_pop(ptr_arg(map), ptr_arg(value), false));
}

/* ---- platform services ----------------------------------------------------- */

static uint64_t helper_ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct ebpf_platform *platform = ebpf_get_platform();

	return platform->ktime_ns ? platform->ktime_ns() : 0;
}

static uint64_t helper_get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	const struct ebpf_platform *platform = ebpf_get_platform();

	return platform->random_u32 ? platform->random_u32() : 0;
}

/*
 * Linux's jiffies count timer ticks; ukbpf has no periodic tick, so
 * bpf_jiffies64 is the monotonic clock in ticks of 1/EBPF_JIFFIES_HZ s.
 */
#define NSEC_PER_SEC 1000000000ull

static uint64_t helper_jiffies64(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return helper_ktime_get_ns(r1, r2, r3, r4, r5) / (NSEC_PER_SEC / EBPF_JIFFIES_HZ);
}

/* ukbpf runs programs on one CPU. */
static uint64_t helper_get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					    uint64_t r5)
{
	return 0;
}

/* ---- bpf_trace_printk -------------------------------------------------------- */

/* Linux's MAX_BPRINTF_BUF, MAX_TRACE_PRINTK_VARARGS and MAX_BPRINTF_VARARGS. */
#define TRACE_BUF_SIZE	 512
#define TRACE_MAX_ARGS	 3
#define VPRINTK_MAX_ARGS 12
/* Room for one conversion rebuilt for snprintf: "%-0+ 123456789llx". */
#define TRACE_SPEC_SIZE 32

struct trace_out {
	char buf[TRACE_BUF_SIZE];
	size_t len;
};

static void trace_append(struct trace_out *out, const char *spec, ...)
    __attribute__((format(printf, 2, 3)));

static void trace_append(struct trace_out *out, const char *spec, ...)
{
	size_t room = sizeof(out->buf) - out->len;
	va_list ap;
	int written;

	va_start(ap, spec);
	written = vsnprintf(out->buf + out->len, room, spec, ap);
	va_end(ap);
	if (written > 0)
		out->len += (size_t)written < room ? (size_t)written : room - 1;
}

static bool trace_is_flag(char c)
{
	return c == '0' || c == '+' || c == '-' || c == ' ';
}

static bool trace_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool trace_is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Formats one conversion starting after its '%' at fmt[*pos], consuming
 * one argument. Linux's bpf_bprintf_prepare accepts flags "0+- ", a width,
 * then c, p (pK, px), or [l[l]] followed by d i u x X. Without 'l' it is
 * an int, as in C. %s is refused: it would read memory at an address the
 * verifier never checked, and a freestanding library cannot read without
 * risking a fault.
 */
static int trace_format_one(struct trace_out *out, const char *fmt, size_t *pos, uint64_t arg)
{
	char spec[TRACE_SPEC_SIZE] = "%";
	size_t start = *pos, i = *pos, longs = 0;
	char conv;

	while (trace_is_flag(fmt[i]))
		i++;
	while (trace_is_digit(fmt[i]))
		i++;
	if (i - start > TRACE_SPEC_SIZE - 8)
		return -EINVAL;
	memcpy(spec + 1, fmt + start, i - start);
	while (fmt[i] == 'l' && longs < 2) {
		longs++;
		i++;
	}
	conv = fmt[i];
	*pos = i + 1;
	if (conv == 'c' && !longs) {
		strcat(spec, "c");
		trace_append(out, spec, (int)(uint8_t)arg);
	} else if (conv == 'p' && !longs) {
		/* %pK and %px print the address too; other %p forms dereference it. */
		if (fmt[*pos] == 'K' || fmt[*pos] == 'x')
			(*pos)++;
		else if (trace_is_letter(fmt[*pos])) /* %pi4, %pI6, %pks, %pB ... */
			return -EINVAL;
		trace_append(out, "0x%" PRIx64, arg);
	} else if (conv == 'd' || conv == 'i') {
		strcat(spec, PRId64);
		trace_append(out, spec, longs ? (int64_t)arg : (int64_t)(int32_t)arg);
	} else if (conv == 'u' || conv == 'x' || conv == 'X') {
		strcat(spec, conv == 'u' ? PRIu64 : conv == 'x' ? PRIx64 : PRIX64);
		trace_append(out, spec, longs ? arg : (uint64_t)(uint32_t)arg);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Linux also rejects control characters other than whitespace in fmt. */
static bool trace_is_printable(char c)
{
	return (c >= ' ' && c <= '~') || c == '\n' || c == '\t' || c == '\r';
}

static int trace_format(struct trace_out *out, const char *fmt, const uint64_t *args,
			size_t arg_count)
{
	size_t used = 0, i = 0;

	while (fmt[i]) {
		int err;

		if (!trace_is_printable(fmt[i]))
			return -EINVAL;
		if (fmt[i] != '%') {
			trace_append(out, "%c", fmt[i++]);
			continue;
		}
		i++;
		if (fmt[i] == '%') {
			trace_append(out, "%%");
			i++;
			continue;
		}
		if (used == arg_count)
			return -EINVAL;
		err = trace_format_one(out, fmt, &i, args[used++]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * bpf_trace_printk(fmt, fmt_size, ...): fmt must be NUL-terminated within
 * fmt_size bytes. Returns the number of bytes written to the console.
 */
static uint64_t trace_print(const char *fmt, uint64_t fmt_size, const uint64_t *args,
			    size_t arg_count)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	struct trace_out out = {.len = 0};
	int err;

	if (fmt_size == 0 || fmt[fmt_size - 1] != '\0')
		return errno_ret(-EINVAL);
	err = trace_format(&out, fmt, args, arg_count);
	if (err)
		return errno_ret(err);
	if (platform->trace_write)
		platform->trace_write(out.buf, out.len);
	return out.len;
}

static uint64_t helper_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t a1, uint64_t a2,
				    uint64_t a3)
{
	const uint64_t args[TRACE_MAX_ARGS] = {a1, a2, a3};

	return trace_print(ptr_arg(fmt), fmt_size, args, TRACE_MAX_ARGS);
}

/*
 * bpf_trace_vprintk(fmt, fmt_size, args, args_size): the arguments are an
 * array of u64, at most 12 of them (Linux: -EINVAL for a size that is not
 * a multiple of 8, too big, or non-zero with a NULL array).
 */
static uint64_t helper_trace_vprintk(uint64_t fmt, uint64_t fmt_size, uint64_t data,
				     uint64_t data_size, uint64_t r5)
{
	uint64_t args[VPRINTK_MAX_ARGS];
	uint32_t size = (uint32_t)data_size;

	if (size % sizeof(uint64_t) || size > sizeof(args) || (size && !data))
		return errno_ret(-EINVAL);
	if (size)
		memcpy(args, ptr_arg(data), size);
	return trace_print(ptr_arg(fmt), fmt_size, args, size / sizeof(uint64_t));
}

/* ---- bpf_csum_diff ------------------------------------------------------------ */

/* Linux's scratch area for the diff: MAX_BPF_STACK bytes. */
#define CSUM_DIFF_MAX_BYTES EBPF_STACK_SIZE
#define CSUM_WORD_SIZE	    sizeof(uint32_t)

static uint64_t csum_add_words(uint64_t sum, const uint8_t *bytes, uint64_t size, bool complement)
{
	for (uint64_t i = 0; i < size; i += CSUM_WORD_SIZE) {
		uint32_t word;

		memcpy(&word, bytes + i, sizeof(word));
		sum += complement ? (uint32_t)~word : word;
	}
	return sum;
}

/*
 * RFC 1071 ones'-complement arithmetic on 32-bit words, as Linux's
 * csum_partial: adding the complement of each "from" word subtracts it.
 * The result is the unfolded 32-bit partial checksum (carries folded back
 * in), which callers fold with csum_fold or feed to bpf_l3_csum_replace.
 */
static uint64_t helper_csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
				 uint64_t seed)
{
	uint64_t sum = (uint32_t)seed;

	if ((from_size | to_size) % CSUM_WORD_SIZE || from_size > CSUM_DIFF_MAX_BYTES ||
	    to_size > CSUM_DIFF_MAX_BYTES || from_size + to_size > CSUM_DIFF_MAX_BYTES)
		return errno_ret(-EINVAL);
	sum = csum_add_words(sum, ptr_arg(from), from_size, true);
	sum = csum_add_words(sum, ptr_arg(to), to_size, false);
	while (sum >> 32)
		sum = (sum & UINT32_MAX) + (sum >> 32);
	return sum;
}

/* ---- XDP ---------------------------------------------------------------------- */

/* Linux keeps an Ethernet header's worth of packet: ETH_HLEN. */
#define XDP_MIN_FRAME 14
/*
 * Linux 6.1's rule (include/net/xdp.h, xdp_metalen_invalid): metadata is
 * a multiple of 4 bytes and at most 32. Later kernels (6.18, the host
 * oracle) allow up to the u8 skb_shared_info.meta_len; we keep 6.1's, the
 * kernel of the corpus.
 */
#define XDP_META_ALIGN 4
#define XDP_META_MAX   32
/* The verdict bits bpf_redirect_map returns on a miss (BPF_F_ACTION_MASK). */
#define XDP_REDIRECT_ACTION_MASK 3u

static uint8_t *xdp_ptr(uint32_t md_field)
{
	return (uint8_t *)(uintptr_t)md_field;
}

static uint32_t xdp_md_field(const uint8_t *ptr)
{
	return (uint32_t)(uintptr_t)ptr;
}

/*
 * Moves the packet start by delta: negative grows into the headroom, down
 * to the room's start (ebpf_xdp_room_start) less the metadata. Metadata
 * moves with it, as in Linux, so it stays just before the data.
 */
static uint64_t helper_xdp_adjust_head(uint64_t ctx, uint64_t delta, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct ebpf_xdp_buff *xb = ptr_arg(ctx);
	uint8_t *meta = xdp_ptr(xb->md.data_meta);
	uint8_t *data = xdp_ptr(xb->md.data);
	int64_t metalen = data - meta;
	int64_t offset = (int32_t)delta;

	if (offset < ebpf_xdp_room_start(xb) - data + metalen ||
	    offset > xdp_ptr(xb->md.data_end) - XDP_MIN_FRAME - data)
		return errno_ret(-EINVAL);
	if (metalen)
		memmove(meta + offset, meta, metalen);
	xb->md.data_meta = xdp_md_field(meta + offset);
	xb->md.data = xdp_md_field(data + offset);
	return 0;
}

/* Moves the packet end by delta within [data + ETH_HLEN, ebpf_xdp_room_end]. */
static uint64_t helper_xdp_adjust_tail(uint64_t ctx, uint64_t delta, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct ebpf_xdp_buff *xb = ptr_arg(ctx);
	uint8_t *data_end = xdp_ptr(xb->md.data_end);
	int64_t offset = (int32_t)delta;

	if (offset > ebpf_xdp_room_end(xb) - data_end ||
	    offset < xdp_ptr(xb->md.data) + XDP_MIN_FRAME - data_end)
		return errno_ret(-EINVAL);
	/* Linux clears grown tailroom: it may hold an earlier packet's bytes. */
	if (offset > 0)
		memset(data_end, 0, (size_t)offset);
	xb->md.data_end = xdp_md_field(data_end + offset);
	return 0;
}

/* Grows (negative delta) or shrinks the metadata area before the data. */
static uint64_t helper_xdp_adjust_meta(uint64_t ctx, uint64_t delta, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct ebpf_xdp_buff *xb = ptr_arg(ctx);
	uint8_t *meta = xdp_ptr(xb->md.data_meta);
	uint8_t *data = xdp_ptr(xb->md.data);
	int64_t offset = (int32_t)delta;
	int64_t metalen;

	if (offset < ebpf_xdp_room_start(xb) - meta || offset > data - meta)
		return errno_ret(-EINVAL);
	metalen = data - (meta + offset);
	if (metalen % XDP_META_ALIGN || metalen > XDP_META_MAX)
		return errno_ret(-EACCES);
	xb->md.data_meta = xdp_md_field(meta + offset);
	return 0;
}

/* Linux's bpf_xdp_pointer bounds an offset or length to 16 bits. */
#define XDP_SPAN_MAX 0xffff

/*
 * The frame's bytes [offset, offset + len) for bpf_xdp_load/store_bytes,
 * as Linux's bpf_xdp_pointer finds them in a frame of one buffer (no
 * fragments here): NULL and *err -EFAULT past 16 bits, -EINVAL past the
 * frame's end.
 */
static uint8_t *xdp_frame_span(const struct ebpf_xdp_buff *xb, uint64_t offset, uint64_t len,
			       int *err)
{
	uint8_t *data = xdp_ptr(xb->md.data);
	uint64_t size = (uint64_t)(xdp_ptr(xb->md.data_end) - data);

	*err = 0;
	if ((uint32_t)offset > XDP_SPAN_MAX || (uint32_t)len > XDP_SPAN_MAX)
		*err = -EFAULT;
	else if ((uint32_t)offset + (uint32_t)len > size)
		*err = -EINVAL;
	return *err ? NULL : data + (uint32_t)offset;
}

/* The frame's length; with one buffer per frame, data_end - data. */
static uint64_t helper_xdp_get_buff_len(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5)
{
	const struct ebpf_xdp_buff *xb = ptr_arg(ctx);

	return xb->md.data_end - xb->md.data;
}

/*
 * Copies frame bytes out. On an error the buffer is zeroed: the verifier
 * treats it as written either way, and it must not hold stale bytes.
 */
static uint64_t helper_xdp_load_bytes(uint64_t ctx, uint64_t offset, uint64_t buf, uint64_t len,
				      uint64_t r5)
{
	int err;
	const uint8_t *from = xdp_frame_span(ptr_arg(ctx), offset, len, &err);

	/* buf may itself lie in the packet, overlapping the bytes it copies */
	if (from)
		memmove(ptr_arg(buf), from, (uint32_t)len);
	else
		memset(ptr_arg(buf), 0, (uint32_t)len);
	return errno_ret(err);
}

static uint64_t helper_xdp_store_bytes(uint64_t ctx, uint64_t offset, uint64_t buf, uint64_t len,
				       uint64_t r5)
{
	int err;
	uint8_t *to = xdp_frame_span(ptr_arg(ctx), offset, len, &err);

	if (to)
		memmove(to, ptr_arg(buf), (uint32_t)len);
	return errno_ret(err);
}

/* Linux: XDP's bpf_redirect takes no flags; any flag aborts. */
static uint64_t helper_redirect(uint64_t ifindex, uint64_t flags, uint64_t r3, uint64_t r4,
				uint64_t r5)
{
	struct ebpf_xdp_target target = {.kind = EBPF_XDP_TARGET_DEVICE,
					 .index = (uint32_t)ifindex};

	if (flags)
		return EBPF_XDP_ABORTED;
	ebpf_xdp_set_redirect(&target);
	return EBPF_XDP_REDIRECT;
}

/*
 * bpf_redirect_map(devmap, devmap_hash, cpumap or xskmap, key, flags): on
 * a hit, redirect to the entry (a device, a CPU, a socket); on a miss,
 * return the verdict in flags' low bits (Linux's fallback action) and
 * forget any earlier choice. Only devmaps take more flags: with
 * BPF_F_BROADCAST the key is ignored and every device of the map gets a
 * copy (BPF_F_EXCLUDE_INGRESS: all but the receiving one), as Linux's
 * __bpf_xdp_redirect_map records it; any other flag aborts.
 */
static uint64_t helper_redirect_map(uint64_t map, uint64_t key, uint64_t flags, uint64_t r4,
				    uint64_t r5)
{
	struct ebpf_map *target_map = ptr_arg(map);
	uint32_t type = ebpf_map_get_def(target_map)->type;
	uint64_t allowed = XDP_REDIRECT_ACTION_MASK;
	struct ebpf_xdp_target target;

	if (type == EBPF_MAP_TYPE_DEVMAP || type == EBPF_MAP_TYPE_DEVMAP_HASH)
		allowed |= EBPF_F_BROADCAST | EBPF_F_EXCLUDE_INGRESS;
	if (flags & ~allowed)
		return EBPF_XDP_ABORTED;
	if (flags & EBPF_F_BROADCAST) {
		target = (struct ebpf_xdp_target){
		    .kind = EBPF_XDP_TARGET_BROADCAST,
		    .broadcast = target_map,
		    .exclude_ingress = flags & EBPF_F_EXCLUDE_INGRESS,
		};
		ebpf_xdp_set_redirect(&target);
		return EBPF_XDP_REDIRECT;
	}
	if (!ebpf_map_redirect_target(target_map, (uint32_t)key, &target)) {
		ebpf_xdp_clear_redirect();
		return flags & XDP_REDIRECT_ACTION_MASK;
	}
	ebpf_xdp_set_redirect(&target);
	return EBPF_XDP_REDIRECT;
}

/*
 * XDP's bpf_perf_event_output(ctx, map, flags, data, size), Linux's
 * bpf_xdp_event_output: flags' low 32 bits pick the slot (maps.h), bits
 * 32-51 ask for that many bytes of the frame after data; -EINVAL for any
 * other flag, -EFAULT for more bytes than the frame has.
 */
static uint64_t helper_perf_event_output(uint64_t ctx, uint64_t map, uint64_t flags, uint64_t data,
					 uint64_t size)
{
	struct ebpf_xdp_buff *xb = ptr_arg(ctx);
	uint64_t frame_len = (flags & EBPF_F_CTXLEN_MASK) >> EBPF_F_CTXLEN_SHIFT;
	uint8_t *frame = xdp_ptr(xb->md.data);

	if (flags & ~(EBPF_F_CTXLEN_MASK | EBPF_F_INDEX_MASK))
		return errno_ret(-EINVAL);
	if (frame_len > (uint64_t)(xdp_ptr(xb->md.data_end) - frame))
		return errno_ret(-EFAULT);
	return errno_ret(ebpf_perf_event_output(ptr_arg(map), flags & EBPF_F_INDEX_MASK,
						ptr_arg(data), size, frame, frame_len));
}

/* ---- ring buffer ---------------------------------------------------------------- */

/* BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP: nobody sleeps on our rings. */
#define RINGBUF_WAKEUP_FLAGS 3u

static uint64_t helper_ringbuf_output(uint64_t map, uint64_t data, uint64_t size, uint64_t flags,
				      uint64_t r5)
{
	if (flags & ~(uint64_t)RINGBUF_WAKEUP_FLAGS)
		return errno_ret(-EINVAL);
	return errno_ret(ebpf_ringbuf_output(ptr_arg(map), ptr_arg(data), size));
}

/* Linux: reserve takes no flags; any makes it fail. */
static uint64_t helper_ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags, uint64_t r4,
				       uint64_t r5)
{
	if (flags)
		return 0;
	return (uintptr_t)ebpf_ringbuf_reserve(ptr_arg(map), size);
}

static uint64_t helper_ringbuf_submit(uint64_t data, uint64_t flags, uint64_t r3, uint64_t r4,
				      uint64_t r5)
{
	ebpf_ringbuf_commit(ptr_arg(data), false);
	return 0;
}

static uint64_t helper_ringbuf_discard(uint64_t data, uint64_t flags, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	ebpf_ringbuf_commit(ptr_arg(data), true);
	return 0;
}

/* ---- spin locks (the lock itself: maps.c) ---------------------------------------- */

static uint64_t helper_spin_lock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	ebpf_spin_lock(ptr_arg(lock));
	return 0;
}

static uint64_t helper_spin_unlock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4,
				   uint64_t r5)
{
	ebpf_spin_unlock(ptr_arg(lock));
	return 0;
}

/* ---- the table ------------------------------------------------------------------ */

/*
 * Indexed by Linux's number, so the interpreter's per-call lookup is one
 * array access. A program type calls the helpers of its families (prog_type.h).
 */
static const struct ebpf_helper helper_table[] =
    {
	[EBPF_FUNC_MAP_LOOKUP_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_LOOKUP_ELEM,
		.name = "bpf_map_lookup_elem",
		.fn = helper_map_lookup_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_MAP_VALUE_OR_NULL,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY},
	    },
	[EBPF_FUNC_MAP_UPDATE_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_UPDATE_ELEM,
		.name = "bpf_map_update_elem",
		.fn = helper_map_update_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY, EBPF_ARG_PTR_TO_MAP_VALUE,
			 EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_MAP_DELETE_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_DELETE_ELEM,
		.name = "bpf_map_delete_elem",
		.fn = helper_map_delete_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY},
	    },
	[EBPF_FUNC_KTIME_GET_NS] =
	    {
		.id = EBPF_FUNC_KTIME_GET_NS,
		.name = "bpf_ktime_get_ns",
		.fn = helper_ktime_get_ns,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
	    },
	/*
	 * Linux (6.x) declares only fmt and fmt_size: r3-r5 are read as the
	 * format asks and may be unset. An unset one is printed as a number,
	 * never dereferenced (%s and the dereferencing %p forms are refused):
	 * 0 until the program's first call, on both engines; after a call,
	 * whatever it left there, as in Linux (the interpreter keeps the
	 * call's arguments, the JIT has the helper's scratch values).
	 */
	[EBPF_FUNC_TRACE_PRINTK] =
	    {
		.id = EBPF_FUNC_TRACE_PRINTK,
		.name = "bpf_trace_printk",
		.fn = helper_trace_printk,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE, EBPF_ARG_ANYTHING_OR_UNSET,
			 EBPF_ARG_ANYTHING_OR_UNSET, EBPF_ARG_ANYTHING_OR_UNSET},
	    },
	[EBPF_FUNC_GET_PRANDOM_U32] =
	    {
		.id = EBPF_FUNC_GET_PRANDOM_U32,
		.name = "bpf_get_prandom_u32",
		.fn = helper_get_prandom_u32,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
	    },
	[EBPF_FUNC_GET_SMP_PROCESSOR_ID] =
	    {
		.id = EBPF_FUNC_GET_SMP_PROCESSOR_ID,
		.name = "bpf_get_smp_processor_id",
		.fn = helper_get_smp_processor_id,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
	    },
	/* The interpreter and the JIT jump to the target themselves. */
	[EBPF_FUNC_TAIL_CALL] =
	    {
		.id = EBPF_FUNC_TAIL_CALL,
		.name = "bpf_tail_call",
		.fn = NULL,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_REDIRECT] =
	    {
		.id = EBPF_FUNC_REDIRECT,
		.name = "bpf_redirect",
		.fn = helper_redirect,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
		.family = EBPF_HELPERS_XDP,
	    },
	/* from/to may be NULL when their size is 0 (Linux: PTR_TO_MEM_OR_NULL). */
	[EBPF_FUNC_CSUM_DIFF] =
	    {
		.id = EBPF_FUNC_CSUM_DIFF,
		.name = "bpf_csum_diff",
		.fn = helper_csum_diff,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE_OR_ZERO, EBPF_ARG_PTR_TO_MEM,
			 EBPF_ARG_CONST_SIZE_OR_ZERO, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_XDP_ADJUST_HEAD] =
	    {
		.id = EBPF_FUNC_XDP_ADJUST_HEAD,
		.name = "bpf_xdp_adjust_head",
		.fn = helper_xdp_adjust_head,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_ANYTHING},
		.family = EBPF_HELPERS_XDP,
		.changes_packet_data = true,
	    },
	[EBPF_FUNC_REDIRECT_MAP] =
	    {
		.id = EBPF_FUNC_REDIRECT_MAP,
		.name = "bpf_redirect_map",
		.fn = helper_redirect_map,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
		.family = EBPF_HELPERS_XDP,
	    },
	[EBPF_FUNC_XDP_ADJUST_META] =
	    {
		.id = EBPF_FUNC_XDP_ADJUST_META,
		.name = "bpf_xdp_adjust_meta",
		.fn = helper_xdp_adjust_meta,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_ANYTHING},
		.family = EBPF_HELPERS_XDP,
		.changes_packet_data = true,
	    },
	[EBPF_FUNC_XDP_ADJUST_TAIL] =
	    {
		.id = EBPF_FUNC_XDP_ADJUST_TAIL,
		.name = "bpf_xdp_adjust_tail",
		.fn = helper_xdp_adjust_tail,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_ANYTHING},
		.family = EBPF_HELPERS_XDP,
		.changes_packet_data = true,
	    },
	/* Linux: ARG_PTR_TO_MEM, which the helper writes (the result fields). */
	[EBPF_FUNC_FIB_LOOKUP] =
	    {
		.id = EBPF_FUNC_FIB_LOOKUP,
		.name = "bpf_fib_lookup",
		.fn = ebpf_helper_fib_lookup,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_PTR_TO_MEM_RW, EBPF_ARG_CONST_SIZE,
			 EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_JIFFIES64] =
	    {
		.id = EBPF_FUNC_JIFFIES64,
		.name = "bpf_jiffies64",
		.fn = helper_jiffies64,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
	    },
	/* One clock: ukbpf does not suspend. */
	[EBPF_FUNC_KTIME_GET_BOOT_NS] =
	    {
		.id = EBPF_FUNC_KTIME_GET_BOOT_NS,
		.name = "bpf_ktime_get_boot_ns",
		.fn = helper_ktime_get_ns,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
	    },
	[EBPF_FUNC_RINGBUF_OUTPUT] =
	    {
		.id = EBPF_FUNC_RINGBUF_OUTPUT,
		.name = "bpf_ringbuf_output",
		.fn = helper_ringbuf_output,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE_OR_ZERO,
			 EBPF_ARG_ANYTHING},
	    },
	/* The size must be a known constant: the verifier sizes the record from r2. */
	[EBPF_FUNC_RINGBUF_RESERVE] =
	    {
		.id = EBPF_FUNC_RINGBUF_RESERVE,
		.name = "bpf_ringbuf_reserve",
		.fn = helper_ringbuf_reserve,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_ALLOC_MEM_OR_NULL,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_RINGBUF_SUBMIT] =
	    {
		.id = EBPF_FUNC_RINGBUF_SUBMIT,
		.name = "bpf_ringbuf_submit",
		.fn = helper_ringbuf_submit,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_VOID,
		.args = {EBPF_ARG_PTR_TO_ALLOC_MEM, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_RINGBUF_DISCARD] =
	    {
		.id = EBPF_FUNC_RINGBUF_DISCARD,
		.name = "bpf_ringbuf_discard",
		.fn = helper_ringbuf_discard,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_VOID,
		.args = {EBPF_ARG_PTR_TO_ALLOC_MEM, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_MAP_PUSH_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_PUSH_ELEM,
		.name = "bpf_map_push_elem",
		.fn = helper_map_push_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_VALUE, EBPF_ARG_ANYTHING},
	    },
	/* Linux: ARG_PTR_TO_MAP_VALUE | MEM_UNINIT, the helper writes the value. */
	[EBPF_FUNC_MAP_POP_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_POP_ELEM,
		.name = "bpf_map_pop_elem",
		.fn = helper_map_pop_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_UNINIT_MAP_VALUE},
	    },
	[EBPF_FUNC_MAP_PEEK_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_PEEK_ELEM,
		.name = "bpf_map_peek_elem",
		.fn = helper_map_peek_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_UNINIT_MAP_VALUE},
	    },
	/* XDP's version (Linux's bpf_xdp_event_output): ctx is the frame. */
	[EBPF_FUNC_PERF_EVENT_OUTPUT] =
	    {
		.id = EBPF_FUNC_PERF_EVENT_OUTPUT,
		.name = "bpf_perf_event_output",
		.fn = helper_perf_event_output,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_ANYTHING,
			 EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE_OR_ZERO},
	    },
	[EBPF_FUNC_SPIN_LOCK] =
	    {
		.id = EBPF_FUNC_SPIN_LOCK,
		.name = "bpf_spin_lock",
		.fn = helper_spin_lock,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_VOID,
		.args = {EBPF_ARG_PTR_TO_SPIN_LOCK},
	    },
	[EBPF_FUNC_SPIN_UNLOCK] =
	    {
		.id = EBPF_FUNC_SPIN_UNLOCK,
		.name = "bpf_spin_unlock",
		.fn = helper_spin_unlock,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_VOID,
		.args = {EBPF_ARG_PTR_TO_SPIN_LOCK},
	    },
	[EBPF_FUNC_LOOP] =
	    {
		.id = EBPF_FUNC_LOOP,
		.name = "bpf_loop",
		.fn = ebpf_helper_loop,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_ANYTHING, EBPF_ARG_PTR_TO_FUNC, EBPF_ARG_PTR_TO_STACK_OR_NULL,
			 EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_FOR_EACH_MAP_ELEM] =
	    {
		.id = EBPF_FUNC_FOR_EACH_MAP_ELEM,
		.name = "bpf_for_each_map_elem",
		.fn = ebpf_helper_for_each_map_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_FUNC,
			 EBPF_ARG_PTR_TO_STACK_OR_NULL, EBPF_ARG_ANYTHING},
	    },
	/* One clock, and no coarser one: coarse time is the same time. */
	[EBPF_FUNC_KTIME_GET_COARSE_NS] =
	    {
		.id = EBPF_FUNC_KTIME_GET_COARSE_NS,
		.name = "bpf_ktime_get_coarse_ns",
		.fn = helper_ktime_get_ns,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
	    },
	/* Linux 6.1: mtu_len is ARG_PTR_TO_INT, read and written. */
	[EBPF_FUNC_CHECK_MTU] =
	    {
		.id = EBPF_FUNC_CHECK_MTU,
		.name = "bpf_check_mtu",
		.fn = ebpf_helper_check_mtu,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_ANYTHING, EBPF_ARG_PTR_TO_INT,
			 EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
	    },
	/* The argument array may be NULL when its size is 0. */
	[EBPF_FUNC_TRACE_VPRINTK] =
	    {
		.id = EBPF_FUNC_TRACE_VPRINTK,
		.name = "bpf_trace_vprintk",
		.fn = helper_trace_vprintk,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE, EBPF_ARG_PTR_TO_MEM,
			 EBPF_ARG_CONST_SIZE_OR_ZERO},
	    },
	[EBPF_FUNC_XDP_GET_BUFF_LEN] =
	    {
		.id = EBPF_FUNC_XDP_GET_BUFF_LEN,
		.name = "bpf_xdp_get_buff_len",
		.fn = helper_xdp_get_buff_len,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX},
	    },
	[EBPF_FUNC_XDP_LOAD_BYTES] =
	    {
		.id = EBPF_FUNC_XDP_LOAD_BYTES,
		.name = "bpf_xdp_load_bytes",
		.fn = helper_xdp_load_bytes,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_ANYTHING, EBPF_ARG_PTR_TO_UNINIT_MEM,
			 EBPF_ARG_CONST_SIZE},
	    },
	/* Stricter than Linux 6.1, which let the source be unwritten stack. */
	[EBPF_FUNC_XDP_STORE_BYTES] =
	    {
		.id = EBPF_FUNC_XDP_STORE_BYTES,
		.name = "bpf_xdp_store_bytes",
		.fn = helper_xdp_store_bytes,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_ANYTHING, EBPF_ARG_PTR_TO_MEM,
			 EBPF_ARG_CONST_SIZE},
	    },
	[EBPF_FUNC_MAP_LOOKUP_PERCPU_ELEM] =
	    {
		.id = EBPF_FUNC_MAP_LOOKUP_PERCPU_ELEM,
		.name = "bpf_map_lookup_percpu_elem",
		.fn = helper_map_lookup_percpu_elem,
		.family = EBPF_HELPERS_BASE,
		.ret = EBPF_RET_MAP_VALUE_OR_NULL,
		.args = {EBPF_ARG_CONST_MAP_PTR, EBPF_ARG_PTR_TO_MAP_KEY, EBPF_ARG_ANYTHING},
	    },

	/*
	 * Sockets (helpers_sock.c), XDP's versions: the lookups take the
	 * frame's ctx, a bpf_sock_tuple of its family's size, a netns id
	 * and flags, and return a reference for bpf_sk_release.
	 */
	[EBPF_FUNC_SK_LOOKUP_TCP] =
	    {
		.id = EBPF_FUNC_SK_LOOKUP_TCP,
		.name = "bpf_sk_lookup_tcp",
		.fn = helper_sk_lookup_tcp,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_SOCKET_OR_NULL,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
			 EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_SK_LOOKUP_UDP] =
	    {
		.id = EBPF_FUNC_SK_LOOKUP_UDP,
		.name = "bpf_sk_lookup_udp",
		.fn = helper_sk_lookup_udp,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_SOCKET_OR_NULL,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
			 EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_SK_RELEASE] =
	    {
		.id = EBPF_FUNC_SK_RELEASE,
		.name = "bpf_sk_release",
		.fn = helper_sk_release,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_SOCK_COMMON},
		.releases_ref = true,
	    },
	[EBPF_FUNC_SKC_LOOKUP_TCP] =
	    {
		.id = EBPF_FUNC_SKC_LOOKUP_TCP,
		.name = "bpf_skc_lookup_tcp",
		.fn = helper_skc_lookup_tcp,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_SOCK_COMMON_OR_NULL,
		.args = {EBPF_ARG_PTR_TO_CTX, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
			 EBPF_ARG_ANYTHING, EBPF_ARG_ANYTHING},
	    },
	[EBPF_FUNC_TCP_CHECK_SYNCOOKIE] =
	    {
		.id = EBPF_FUNC_TCP_CHECK_SYNCOOKIE,
		.name = "bpf_tcp_check_syncookie",
		.fn = helper_tcp_check_syncookie,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_SOCK_COMMON, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
			 EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE},
	    },
	[EBPF_FUNC_TCP_GEN_SYNCOOKIE] =
	    {
		.id = EBPF_FUNC_TCP_GEN_SYNCOOKIE,
		.name = "bpf_tcp_gen_syncookie",
		.fn = helper_tcp_gen_syncookie,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_SOCK_COMMON, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE,
			 EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE},
	    },
	/* The raw SYN-cookie helpers: headers only, no socket (XDP and tc in Linux). */
	[EBPF_FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV4] =
	    {
		.id = EBPF_FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV4,
		.name = "bpf_tcp_raw_gen_syncookie_ipv4",
		.fn = helper_tcp_raw_gen_syncookie_ipv4,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_FIXED_SIZE_MEM, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE},
		.arg_size = {HELPER_IPV4_HDR_BYTES},
	    },
	[EBPF_FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV6] =
	    {
		.id = EBPF_FUNC_TCP_RAW_GEN_SYNCOOKIE_IPV6,
		.name = "bpf_tcp_raw_gen_syncookie_ipv6",
		.fn = helper_tcp_raw_gen_syncookie_ipv6,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_FIXED_SIZE_MEM, EBPF_ARG_PTR_TO_MEM, EBPF_ARG_CONST_SIZE},
		.arg_size = {HELPER_IPV6_HDR_BYTES},
	    },
	[EBPF_FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV4] =
	    {
		.id = EBPF_FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV4,
		.name = "bpf_tcp_raw_check_syncookie_ipv4",
		.fn = helper_tcp_raw_check_syncookie_ipv4,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_FIXED_SIZE_MEM, EBPF_ARG_PTR_TO_FIXED_SIZE_MEM},
		.arg_size = {HELPER_IPV4_HDR_BYTES, HELPER_TCP_HDR_BYTES},
	    },
	[EBPF_FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV6] =
	    {
		.id = EBPF_FUNC_TCP_RAW_CHECK_SYNCOOKIE_IPV6,
		.name = "bpf_tcp_raw_check_syncookie_ipv6",
		.fn = helper_tcp_raw_check_syncookie_ipv6,
		.family = EBPF_HELPERS_XDP,
		.ret = EBPF_RET_INTEGER,
		.args = {EBPF_ARG_PTR_TO_FIXED_SIZE_MEM, EBPF_ARG_PTR_TO_FIXED_SIZE_MEM},
		.arg_size = {HELPER_IPV6_HDR_BYTES, HELPER_TCP_HDR_BYTES},
	    },
};

const struct ebpf_helper *ebpf_helper_find(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof(helper_table) / sizeof(helper_table[0]) ||
	    !helper_table[id].name)
		return NULL;
	return &helper_table[id];
}
