/*
 * --dump-maps FILE: after each run, one line of JSON with every map of
 * the program's object, so that a comparison with Linux checks state as
 * well as verdicts (scripts/compat.py; tools/kernel-run writes the same
 * format from the host kernel's maps):
 *
 *   {"input": N, "maps": [MAP, ...]}      in the object's map order
 *   MAP: {"name": "counters", "type": "hash", "entries": [{"key": HEX, "value": HEX}, ...]}
 *        keys in the map's own iteration order; an array's all-zero
 *        values are left out (an array holds every key, so they carry no
 *        news); a percpu map's value is the one CPU's
 *   MAP: {"name": "events", "type": "ringbuf", "records": [HEX, ...]}
 *        ring buffer and perf event array: the records written since the
 *        last dump, consumed
 *   MAP: {"name": "jmp", "type": "prog_array", "entries": null}
 *        types whose values are not bytes (programs, maps, sockets) or
 *        that cannot be walked (queue, stack, bloom filter)
 * HEX is lowercase hex without separators.
 */
#include <stdlib.h>
#include <string.h>

#include "source.h"

enum dump_kind { DUMP_NONE, DUMP_ENTRIES, DUMP_ARRAY, DUMP_RECORDS };

/* Mirrored by tools/kernel-run's dump_kind(): the two must agree on what is dumped. */
static enum dump_kind dump_kind(uint32_t type)
{
	switch (type) {
	case EBPF_MAP_TYPE_HASH:
	case EBPF_MAP_TYPE_PERCPU_HASH:
	case EBPF_MAP_TYPE_LRU_HASH:
	case EBPF_MAP_TYPE_LRU_PERCPU_HASH:
	case EBPF_MAP_TYPE_LPM_TRIE:
	case EBPF_MAP_TYPE_DEVMAP_HASH:
		return DUMP_ENTRIES;
	case EBPF_MAP_TYPE_ARRAY:
	case EBPF_MAP_TYPE_PERCPU_ARRAY:
	case EBPF_MAP_TYPE_DEVMAP:
		return DUMP_ARRAY;
	case EBPF_MAP_TYPE_RINGBUF:
	case EBPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return DUMP_RECORDS;
	default:
		return DUMP_NONE;
	}
}

static void put_hex(const void *bytes, size_t len, FILE *out)
{
	const uint8_t *b = bytes;
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", b[i]);
	fputc('"', out);
}

/* A JSON string: map names come from the object, so quotes and controls are escaped. */
static void put_string(const char *text, FILE *out)
{
	fputc('"', out);
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < ' ')
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static bool all_zero(const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (bytes[i])
			return false;
	return true;
}

static void put_entries(struct ebpf_map *map, bool skip_zero, FILE *out)
{
	const struct ebpf_map_def *def = ebpf_map_get_def(map);
	uint8_t *key = calloc(1, def->key_size + 1), *next = calloc(1, def->key_size + 1);
	uint8_t *value = calloc(1, def->value_size + 1);
	bool first = true, have_key = false;

	fprintf(out, "\"entries\": [");
	while (key && next && value &&
	       ebpf_map_get_next_key(map, have_key ? key : NULL, next) == 0) {
		memcpy(key, next, def->key_size);
		have_key = true;
		if (ebpf_map_lookup(map, key, value) != 0 ||
		    (skip_zero && all_zero(value, def->value_size)))
			continue;
		fprintf(out, "%s{\"key\": ", first ? "" : ", ");
		put_hex(key, def->key_size, out);
		fprintf(out, ", \"value\": ");
		put_hex(value, def->value_size, out);
		fputc('}', out);
		first = false;
	}
	fputc(']', out);
	free(key);
	free(next);
	free(value);
}

struct record_list {
	FILE *out;
	bool first;
};

static int put_record(void *ctx, const void *data, size_t len)
{
	struct record_list *list = ctx;

	fprintf(list->out, "%s", list->first ? "" : ", ");
	put_hex(data, len, list->out);
	list->first = false;
	return 0;
}

static int put_sample(void *ctx, uint32_t cpu, const void *data, size_t len)
{
	(void)cpu;
	return put_record(ctx, data, len);
}

static void put_records(struct ebpf_map *map, FILE *out)
{
	struct record_list list = {out, true};

	fprintf(out, "\"records\": [");
	if (ebpf_map_get_def(map)->type == EBPF_MAP_TYPE_RINGBUF)
		ebpf_ringbuf_consume(map, put_record, &list);
	else
		ebpf_perf_event_consume(map, put_sample, NULL, &list);
	fputc(']', out);
}

void map_dump_write(const struct ebpf_object *obj, size_t input, FILE *out)
{
	size_t i;

	fprintf(out, "{\"input\": %zu, \"maps\": [", input);
	for (i = 0; obj && i < ebpf_object_map_count(obj); i++) {
		struct ebpf_map *map = ebpf_object_map(obj, i);
		uint32_t type = ebpf_map_get_def(map)->type;

		fprintf(out, "%s{\"name\": ", i ? ", " : "");
		put_string(ebpf_map_get_name(map), out);
		fprintf(out, ", \"type\": ");
		put_string(ebpf_map_type_name(type), out);
		fprintf(out, ", ");
		switch (dump_kind(type)) {
		case DUMP_ENTRIES:
		case DUMP_ARRAY:
			put_entries(map, dump_kind(type) == DUMP_ARRAY, out);
			break;
		case DUMP_RECORDS:
			put_records(map, out);
			break;
		default:
			fprintf(out, "\"entries\": null");
		}
		fputc('}', out);
	}
	fprintf(out, "]}\n");
}
