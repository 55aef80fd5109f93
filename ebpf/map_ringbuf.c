/*
 * The maps that carry records from programs to a consumer rather than
 * values: BPF_MAP_TYPE_RINGBUF and BPF_MAP_TYPE_PERF_EVENT_ARRAY, on one
 * ring of Linux's ring buffer record format.
 *
 * A record is an 8-byte header (length with BUSY and DISCARD bits, then
 * a word Linux's ring buffer uses to find its pages, which we use for the
 * perf event slot the record was sent to), then the data, padded to 8.
 * Linux maps the data area twice so records can wrap; we cannot, so a
 * record that would wrap is preceded by a discarded padding record that
 * fills the end of the area.
 *
 * A perf event array's slots hold perf event fds in Linux, one per CPU,
 * each with its own ring that user space mmaps. A unikernel has no fds:
 * every slot of the array delivers into one ring of the map, which
 * ebpf_perf_event_consume reads with the slot of each record (Linux's
 * perf_buffer "cpu"). Linux's -ENOENT for a slot without an event then
 * never happens; a full ring loses the record (-ENOSPC) and counts it,
 * as a perf ring does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

#define RINGBUF_PAGE_SIZE   4096u
#define RINGBUF_BUSY_BIT    (1u << 31)
#define RINGBUF_DISCARD_BIT (1u << 30)
#define RINGBUF_LEN_MASK    (RINGBUF_DISCARD_BIT - 1)
#define RINGBUF_HDR_SIZE    8u

/* A perf event array's one ring: 16 pages, twice libbpf's usual 8 per CPU. */
#define PERF_RING_BYTES (16 * RINGBUF_PAGE_SIZE)
#define PERF_KEY_SIZE	sizeof(uint32_t)
#define PERF_VALUE_SIZE sizeof(uint32_t) /* a perf event fd in Linux */
/* Linux's perf sample: a u32 size, then the raw data, padded so both end 8-aligned. */
#define PERF_RAW_SIZE_FIELD sizeof(uint32_t)

struct ringbuf_hdr {
	uint32_t len;
	uint32_t slot; /* Linux's pg_off in a ring buffer (0 here); a perf record's slot */
};

struct map_ringbuf {
	uint64_t consumer_pos;
	uint64_t producer_pos;
	uint64_t lost; /* perf records that found the ring full, not yet reported */
	uint32_t mask; /* data size - 1 */
	uint8_t data[] __attribute__((aligned(MAP_VALUE_ALIGN)));
};

static int ring_alloc(struct ebpf_map *map, uint32_t size)
{
	map->ringbuf = calloc(1, sizeof(*map->ringbuf) + size);
	if (!map->ringbuf)
		return -ENOMEM;
	map->ringbuf->mask = size - 1;
	return 0;
}

static void ring_free(struct ebpf_map *map)
{
	free(map->ringbuf);
}

static struct ringbuf_hdr *ring_hdr_at(struct map_ringbuf *rb, uint64_t pos)
{
	return (struct ringbuf_hdr *)(rb->data + (pos & rb->mask));
}

/* size writable bytes, 8-byte aligned, invisible to the consumer until committed; NULL if full. */
static void *ring_reserve(struct map_ringbuf *rb, uint64_t size, uint32_t slot)
{
	uint64_t record, pad = 0, offset;
	struct ringbuf_hdr *hdr;

	if (size > RINGBUF_LEN_MASK)
		return NULL;
	record = map_round_up8((uint32_t)size + RINGBUF_HDR_SIZE);
	offset = rb->producer_pos & rb->mask;
	if (offset + record > (uint64_t)rb->mask + 1)
		pad = rb->mask + 1 - offset;
	if (rb->producer_pos + pad + record - rb->consumer_pos > (uint64_t)rb->mask + 1)
		return NULL;
	if (pad) {
		hdr = ring_hdr_at(rb, rb->producer_pos);
		*hdr = (struct ringbuf_hdr){
		    (uint32_t)(pad - RINGBUF_HDR_SIZE) | RINGBUF_DISCARD_BIT, 0};
		rb->producer_pos += pad;
	}
	hdr = ring_hdr_at(rb, rb->producer_pos);
	*hdr = (struct ringbuf_hdr){(uint32_t)size | RINGBUF_BUSY_BIT, slot};
	rb->producer_pos += record;
	return hdr + 1;
}

/*
 * The next committed record, its space given back; NULL at the end or at
 * a record still reserved (records are consumed in order: a busy one
 * holds back the rest). Discarded records are skipped.
 */
static const struct ringbuf_hdr *ring_next(struct map_ringbuf *rb)
{
	while (rb->consumer_pos < rb->producer_pos) {
		const struct ringbuf_hdr *hdr = ring_hdr_at(rb, rb->consumer_pos);
		uint32_t len = hdr->len & RINGBUF_LEN_MASK;

		if (hdr->len & RINGBUF_BUSY_BIT)
			return NULL;
		rb->consumer_pos += map_round_up8(len + RINGBUF_HDR_SIZE);
		if (!(hdr->len & RINGBUF_DISCARD_BIT))
			return hdr;
	}
	return NULL;
}

static int records_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	return -EOPNOTSUPP;
}

static int records_delete(struct ebpf_map *map, const void *key)
{
	return -EOPNOTSUPP;
}

/* ---- ring buffer ------------------------------------------------------------- */

static int ringbuf_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	uint32_t size = map->def.max_entries;

	if (map->def.key_size || map->def.value_size) {
		ebpf_log_printf(log, "map '%s': ring buffer key_size and value_size must be 0",
				map->name);
		return -EINVAL;
	}
	if (size & (size - 1) || size % RINGBUF_PAGE_SIZE) {
		ebpf_log_printf(log,
				"map '%s': ring buffer size %u is not a power of two "
				"multiple of %u",
				map->name, size, RINGBUF_PAGE_SIZE);
		return -EINVAL;
	}
	return 0;
}

static int ringbuf_alloc(struct ebpf_map *map)
{
	return ring_alloc(map, map->def.max_entries);
}

static int ringbuf_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	return -EOPNOTSUPP;
}

void *ebpf_ringbuf_reserve(struct ebpf_map *map, uint64_t size)
{
	if (!map || map->def.type != EBPF_MAP_TYPE_RINGBUF)
		return NULL;
	return ring_reserve(map->ringbuf, size, 0);
}

void ebpf_ringbuf_commit(void *data, bool discard)
{
	struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)data - 1;

	hdr->len &= ~RINGBUF_BUSY_BIT;
	if (discard)
		hdr->len |= RINGBUF_DISCARD_BIT;
}

int ebpf_ringbuf_output(struct ebpf_map *map, const void *data, uint64_t size)
{
	void *record;

	if (!map || map->def.type != EBPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	record = ebpf_ringbuf_reserve(map, size);
	if (!record)
		return -EAGAIN;
	memcpy(record, data, size);
	ebpf_ringbuf_commit(record, false);
	return 0;
}

int ebpf_ringbuf_consume(struct ebpf_map *map, int (*cb)(void *ctx, const void *data, size_t len),
			 void *ctx)
{
	const struct ringbuf_hdr *hdr;
	int consumed = 0;

	if (!map || map->def.type != EBPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	while ((hdr = ring_next(map->ringbuf))) {
		int ret;

		consumed++;
		ret = cb(ctx, hdr + 1, hdr->len & RINGBUF_LEN_MASK);
		if (ret < 0)
			return ret;
		if (ret > 0)
			break;
	}
	return consumed;
}

const struct map_ops map_ringbuf_ops = {
    .check_def = ringbuf_check_def,
    .alloc = ringbuf_alloc,
    .free = ring_free,
    .update = records_update,
    .delete = records_delete,
    .get_next_key = ringbuf_get_next_key,
};

/* ---- perf event array ---------------------------------------------------------- */

/* Linux's fd_array_map_alloc_check: a u32 index, a u32 fd. */
static int perf_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.key_size != PERF_KEY_SIZE || map->def.value_size != PERF_VALUE_SIZE) {
		ebpf_log_printf(log, "map '%s': perf event array key_size and value_size must be 4",
				map->name);
		return -EINVAL;
	}
	return 0;
}

static int perf_alloc(struct ebpf_map *map)
{
	return ring_alloc(map, PERF_RING_BYTES);
}

/*
 * Linux's __bpf_perf_event_output and perf_prepare_sample: the record
 * (data, then frame_len bytes of frame) goes to slot index, or to the
 * running CPU's (0) for BPF_F_CURRENT_CPU; the consumer sees it padded
 * with zeros so that with perf's u32 size field it ends 8-aligned.
 */
int ebpf_perf_event_output(struct ebpf_map *map, uint64_t index, const void *data, uint64_t size,
			   const void *frame, uint64_t frame_len)
{
	uint64_t raw;
	uint8_t *record;

	if (!map || map->def.type != EBPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	if (index == EBPF_F_CURRENT_CPU)
		index = 0;
	if (index >= map->def.max_entries)
		return -E2BIG;
	raw =
	    map_round_up8((uint32_t)(size + frame_len + PERF_RAW_SIZE_FIELD)) - PERF_RAW_SIZE_FIELD;
	record = ring_reserve(map->ringbuf, raw, (uint32_t)index);
	if (!record) {
		map->ringbuf->lost++;
		return -ENOSPC;
	}
	memcpy(record, data, size);
	memcpy(record + size, frame, frame_len);
	memset(record + size + frame_len, 0, raw - size - frame_len);
	ebpf_ringbuf_commit(record, false);
	return 0;
}

int ebpf_perf_event_consume(struct ebpf_map *map,
			    int (*sample)(void *ctx, uint32_t cpu, const void *data, size_t len),
			    void (*lost)(void *ctx, uint32_t cpu, uint64_t count), void *ctx)
{
	struct map_ringbuf *rb;
	const struct ringbuf_hdr *hdr;
	int consumed = 0;

	if (!map || map->def.type != EBPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	rb = map->ringbuf;
	if (rb->lost && lost)
		lost(ctx, 0, rb->lost);
	rb->lost = 0;
	while ((hdr = ring_next(rb))) {
		int ret;

		consumed++;
		ret = sample(ctx, hdr->slot, hdr + 1, hdr->len & RINGBUF_LEN_MASK);
		if (ret < 0)
			return ret;
		if (ret > 0)
			break;
	}
	return consumed;
}

const struct map_ops map_perf_event_array_ops = {
    .check_def = perf_check_def,
    .alloc = perf_alloc,
    .free = ring_free,
    .update = records_update,
    .delete = records_delete,
    .get_next_key = map_array_get_next_key,
};
