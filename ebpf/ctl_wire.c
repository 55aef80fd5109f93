/*
 * The control protocol's codec: docs/control.md is the layout, this file
 * is its one implementation. Fields are read and written one at a time
 * through a bounds-checked cursor, never by casting the buffer to a
 * struct, so that neither alignment nor a hostile length can make a read
 * leave the message.
 */
#include "ctl_wire.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ebpf.h"

/* The one table of commands: Linux's name of each. */
static const struct {
	uint16_t type;
	const char *name;
} cmd_names[] = {
    {CTL_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM"},
    {CTL_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM"},
    {CTL_MAP_DELETE_ELEM, "BPF_MAP_DELETE_ELEM"},
    {CTL_MAP_GET_NEXT_KEY, "BPF_MAP_GET_NEXT_KEY"},
    {CTL_PROG_LOAD, "BPF_PROG_LOAD"},
    {CTL_PROG_ATTACH, "BPF_PROG_ATTACH"},
    {CTL_PROG_DETACH, "BPF_PROG_DETACH"},
    {CTL_PROG_GET_NEXT_ID, "BPF_PROG_GET_NEXT_ID"},
    {CTL_MAP_GET_NEXT_ID, "BPF_MAP_GET_NEXT_ID"},
    {CTL_OBJ_GET_INFO, "BPF_OBJ_GET_INFO_BY_ID"},
    {CTL_MAP_LOOKUP_BATCH, "BPF_MAP_LOOKUP_BATCH"},
    {CTL_LINK_UPDATE, "BPF_LINK_UPDATE"},
    {CTL_ENABLE_STATS, "BPF_ENABLE_STATS"},
    {CTL_OBJ_UNLOAD, "UKBPF_OBJ_UNLOAD"},
    {CTL_BAD_REQUEST, "UKBPF_BAD_REQUEST"},
};

const char *ctl_cmd_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (cmd_names[i].type == type)
			return cmd_names[i].name;
	return NULL;
}

/* ---- the cursors ------------------------------------------------------- */

struct wire_writer {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void put_bytes(struct wire_writer *w, const void *src, size_t n)
{
	if (w->overflow || n > w->size - w->len) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, src, n);
	w->len += n;
}

static void put_u16(struct wire_writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	put_bytes(w, b, sizeof(b));
}

static void put_u32(struct wire_writer *w, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, sizeof(b));
}

static void put_u64(struct wire_writer *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

/* A name field: CTL_NAME_MAX bytes, the name truncated and zero-padded. */
static void put_name(struct wire_writer *w, const char *name)
{
	char field[CTL_NAME_MAX] = {0};
	size_t n = strnlen(name, CTL_NAME_MAX - 1);
	memcpy(field, name, n);
	put_bytes(w, field, sizeof(field));
}

struct wire_reader {
	const uint8_t *buf;
	size_t len; /* the message's end: header and payload */
	size_t off;
	const char *what; /* "BPF_PROG_LOAD request", for the log */
	struct ebpf_log *log;
};

static int wire_error(struct wire_reader *r, const char *field, const char *why)
{
	ebpf_log_printf(r->log, "ctl: %s: field '%s' at offset %zu: %s", r->what, field, r->off,
			why);
	return -EINVAL;
}

static int get_bytes(struct wire_reader *r, const char *field, size_t n, const uint8_t **out)
{
	if (n > r->len - r->off)
		return wire_error(r, field, "past the end of the message");
	*out = r->buf + r->off;
	r->off += n;
	return 0;
}

static int get_u32(struct wire_reader *r, const char *field, uint32_t *v)
{
	const uint8_t *b;
	int err = get_bytes(r, field, 4, &b);
	if (err)
		return err;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

static int get_u64(struct wire_reader *r, const char *field, uint64_t *v)
{
	uint32_t lo, hi;
	int err = get_u32(r, field, &lo);
	if (err || (err = get_u32(r, field, &hi)))
		return err;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int get_name(struct wire_reader *r, const char *field, char out[CTL_NAME_MAX])
{
	const uint8_t *b;
	size_t start = r->off;
	int err = get_bytes(r, field, CTL_NAME_MAX, &b);
	if (err)
		return err;
	if (!memchr(b, '\0', CTL_NAME_MAX)) {
		r->off = start;
		return wire_error(r, field, "not NUL-terminated within its 64 bytes");
	}
	memcpy(out, b, CTL_NAME_MAX);
	return 0;
}

/* The last n bytes of the message, which a length field said are there. */
static int get_rest(struct wire_reader *r, const char *field, uint64_t n, const uint8_t **out)
{
	if (n != r->len - r->off)
		return wire_error(r, field,
				  n > r->len - r->off ? "longer than the payload left"
						      : "shorter than the payload left");
	*out = n ? r->buf + r->off : NULL;
	r->off += n;
	return 0;
}

/* A payload must end where its fields do: trailing bytes are refused. */
static int get_end(struct wire_reader *r)
{
	if (r->off != r->len)
		return wire_error(r, "payload", "bytes after the last field");
	return 0;
}

/* ---- the header ----------------------------------------------------------- */

void ctl_header_encode(const struct ctl_header *hdr, uint8_t buf[CTL_HEADER_SIZE])
{
	struct wire_writer w = {.buf = buf, .size = CTL_HEADER_SIZE};

	put_u32(&w, hdr->magic);
	put_u16(&w, hdr->version);
	put_u16(&w, hdr->type);
	put_u32(&w, hdr->seq);
	put_u32(&w, hdr->payload_len);
	put_u32(&w, (uint32_t)hdr->status);
	put_u32(&w, hdr->trailer_len);
}

int ctl_header_decode(const void *buf, size_t len, uint32_t payload_max, struct ctl_header *hdr,
		      struct ebpf_log *log)
{
	struct wire_reader r = {.buf = buf, .len = len, .what = "header", .log = log};
	uint32_t version_type, status;
	int err;

	if (len < CTL_HEADER_SIZE) {
		ebpf_log_printf(log, "ctl: header: %zu bytes, shorter than a header's %u", len,
				CTL_HEADER_SIZE);
		return -EINVAL;
	}
	if ((err = get_u32(&r, "magic", &hdr->magic)))
		return err;
	if (hdr->magic != CTL_MAGIC) {
		r.off = 0;
		return wire_error(&r, "magic", "not \"UKBC\"");
	}
	if ((err = get_u32(&r, "version", &version_type)))
		return err;
	hdr->version = (uint16_t)version_type;
	hdr->type = (uint16_t)(version_type >> 16);
	if (hdr->version != CTL_VERSION) {
		ebpf_log_printf(log,
				"ctl: header: field 'version' at offset 4: %u, ukbpf speaks %u",
				hdr->version, CTL_VERSION);
		return -EPROTONOSUPPORT;
	}
	if ((err = get_u32(&r, "seq", &hdr->seq)) ||
	    (err = get_u32(&r, "payload_len", &hdr->payload_len)) ||
	    (err = get_u32(&r, "status", &status)) ||
	    (err = get_u32(&r, "trailer_len", &hdr->trailer_len)))
		return err;
	hdr->status = (int32_t)status;
	if (hdr->payload_len > payload_max) {
		ebpf_log_printf(log,
				"ctl: header: field 'payload_len' at offset 12: %u bytes, the "
				"limit is %u",
				hdr->payload_len, payload_max);
		return -E2BIG;
	}
	if (hdr->trailer_len != 0) {
		r.off = 20;
		return wire_error(&r, "trailer_len", "must be 0 in version 1 (no MAC yet)");
	}
	return 0;
}

/*
 * The header of a whole message: decoded, and the message exactly as long
 * as it says. r is set up to read the payload.
 */
static int begin_message(const void *msg, size_t len, uint32_t payload_max, bool reply,
			 struct ctl_header *hdr, struct wire_reader *r, struct ebpf_log *log)
{
	int err = ctl_header_decode(msg, len, payload_max, hdr, log);
	if (err)
		return err;
	if ((uint64_t)CTL_HEADER_SIZE + hdr->payload_len != len) {
		ebpf_log_printf(log,
				"ctl: header: field 'payload_len' at offset 12: %u bytes, the "
				"message has %zu after the header",
				hdr->payload_len, len - CTL_HEADER_SIZE);
		return -EINVAL;
	}
	uint16_t cmd = hdr->type & ~CTL_REPLY_FLAG;
	if (!!(hdr->type & CTL_REPLY_FLAG) != reply || !ctl_cmd_name(cmd) ||
	    (cmd == CTL_BAD_REQUEST && !reply)) {
		ebpf_log_printf(log,
				"ctl: header: field 'type' at offset 6: 0x%x is not a known %s",
				hdr->type, reply ? "reply" : "request");
		return -EINVAL;
	}
	*r = (struct wire_reader){.buf = msg,
				  .len = len,
				  .off = CTL_HEADER_SIZE,
				  .what = ctl_cmd_name(hdr->type & ~CTL_REPLY_FLAG),
				  .log = log};
	return 0;
}

/* Writes the header with the payload's length once the payload is written. */
static int finish_message(struct wire_writer *w, struct ctl_header *hdr, size_t *len)
{
	if (w->overflow)
		return -ENOSPC;
	if (w->len - CTL_HEADER_SIZE > CTL_PAYLOAD_MAX)
		return -E2BIG;
	hdr->payload_len = (uint32_t)(w->len - CTL_HEADER_SIZE);
	ctl_header_encode(hdr, w->buf);
	*len = w->len;
	return 0;
}

/* ---- requests ----------------------------------------------------------- */

int ctl_request_encode(const struct ctl_request *req, void *buf, size_t size, size_t *len)
{
	struct wire_writer w = {.buf = buf, .size = size};
	struct ctl_header hdr = {
	    .magic = CTL_MAGIC, .version = CTL_VERSION, .type = req->type, .seq = req->seq};

	if (size < CTL_HEADER_SIZE)
		return -ENOSPC;
	w.len = CTL_HEADER_SIZE;
	switch (req->type) {
	case CTL_PROG_LOAD:
		put_name(&w, req->prog_load.prog_name);
		put_u32(&w, req->prog_load.log_level);
		put_u32(&w, req->prog_load.elf_len);
		put_bytes(&w, req->prog_load.elf, req->prog_load.elf_len);
		break;
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_DELETE_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
		put_u32(&w, req->map_elem.map_id);
		put_u32(&w, req->map_elem.key_len);
		put_bytes(&w, req->map_elem.key, req->map_elem.key_len);
		break;
	case CTL_MAP_UPDATE_ELEM:
		put_u32(&w, req->map_elem.map_id);
		put_u32(&w, req->map_elem.key_len);
		put_u32(&w, req->map_elem.value_len);
		put_u32(&w, 0);
		put_u64(&w, req->map_elem.flags);
		put_bytes(&w, req->map_elem.key, req->map_elem.key_len);
		put_bytes(&w, req->map_elem.value, req->map_elem.value_len);
		break;
	case CTL_MAP_LOOKUP_BATCH:
		put_u32(&w, req->map_batch.map_id);
		put_u32(&w, req->map_batch.max_count);
		put_u32(&w, req->map_batch.key_len);
		put_bytes(&w, req->map_batch.key, req->map_batch.key_len);
		break;
	case CTL_PROG_GET_NEXT_ID:
	case CTL_MAP_GET_NEXT_ID:
		put_u32(&w, req->get_next_id.start_id);
		break;
	case CTL_OBJ_GET_INFO:
		put_u32(&w, req->info.kind);
		put_u32(&w, req->info.id);
		break;
	case CTL_PROG_ATTACH:
	case CTL_PROG_DETACH:
	case CTL_LINK_UPDATE:
		put_u32(&w, req->attach.ifindex);
		put_u32(&w, req->attach.prog_id);
		put_u32(&w, req->attach.old_prog_id);
		put_u32(&w, req->attach.flags);
		break;
	case CTL_ENABLE_STATS:
		put_u32(&w, req->stats.type);
		put_u32(&w, req->stats.enable);
		break;
	case CTL_OBJ_UNLOAD:
		put_u32(&w, req->unload.object_id);
		break;
	default:
		return -EINVAL;
	}
	return finish_message(&w, &hdr, len);
}

static int decode_map_elem(struct wire_reader *r, uint16_t type, struct ctl_request *req)
{
	uint32_t reserved = 0;
	int err;

	req->map_elem.value_len = 0;
	req->map_elem.value = NULL;
	req->map_elem.flags = 0;
	if ((err = get_u32(r, "map_id", &req->map_elem.map_id)) ||
	    (err = get_u32(r, "key_len", &req->map_elem.key_len)))
		return err;
	if (type != CTL_MAP_UPDATE_ELEM)
		return get_rest(r, "key_len", req->map_elem.key_len, &req->map_elem.key);
	if ((err = get_u32(r, "value_len", &req->map_elem.value_len)) ||
	    (err = get_u32(r, "reserved", &reserved)))
		return err;
	if (reserved) {
		r->off -= 4;
		return wire_error(r, "reserved", "must be 0");
	}
	if ((err = get_u64(r, "flags", &req->map_elem.flags)))
		return err;
	if ((uint64_t)req->map_elem.key_len + req->map_elem.value_len != r->len - r->off) {
		r->off = CTL_HEADER_SIZE + 4;
		return wire_error(r, "key_len", "key_len + value_len is not the payload left");
	}
	req->map_elem.key = r->buf + r->off;
	req->map_elem.value = req->map_elem.key + req->map_elem.key_len;
	r->off = r->len;
	return 0;
}

static int decode_request_payload(struct wire_reader *r, uint16_t type, struct ctl_request *req)
{
	int err;

	switch (type) {
	case CTL_PROG_LOAD:
		if ((err = get_name(r, "prog_name", req->prog_load.prog_name)) ||
		    (err = get_u32(r, "log_level", &req->prog_load.log_level)) ||
		    (err = get_u32(r, "elf_len", &req->prog_load.elf_len)))
			return err;
		if (req->prog_load.log_level > 2) {
			r->off -= 8;
			return wire_error(r, "log_level", "not 0, 1 or 2");
		}
		return get_rest(r, "elf_len", req->prog_load.elf_len, &req->prog_load.elf);
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_DELETE_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
	case CTL_MAP_UPDATE_ELEM:
		return decode_map_elem(r, type, req);
	case CTL_MAP_LOOKUP_BATCH:
		if ((err = get_u32(r, "map_id", &req->map_batch.map_id)) ||
		    (err = get_u32(r, "max_count", &req->map_batch.max_count)) ||
		    (err = get_u32(r, "key_len", &req->map_batch.key_len)))
			return err;
		if (req->map_batch.max_count == 0) {
			r->off -= 8;
			return wire_error(r, "max_count", "must be at least 1");
		}
		return get_rest(r, "key_len", req->map_batch.key_len, &req->map_batch.key);
	case CTL_PROG_GET_NEXT_ID:
	case CTL_MAP_GET_NEXT_ID:
		err = get_u32(r, "start_id", &req->get_next_id.start_id);
		break;
	case CTL_OBJ_GET_INFO:
		if ((err = get_u32(r, "kind", &req->info.kind)))
			return err;
		if (req->info.kind != CTL_OBJ_PROG && req->info.kind != CTL_OBJ_MAP) {
			r->off -= 4;
			return wire_error(r, "kind", "not 1 (program) or 2 (map)");
		}
		err = get_u32(r, "id", &req->info.id);
		break;
	case CTL_PROG_ATTACH:
	case CTL_PROG_DETACH:
	case CTL_LINK_UPDATE:
		if ((err = get_u32(r, "ifindex", &req->attach.ifindex)) ||
		    (err = get_u32(r, "prog_id", &req->attach.prog_id)) ||
		    (err = get_u32(r, "old_prog_id", &req->attach.old_prog_id)) ||
		    (err = get_u32(r, "flags", &req->attach.flags)))
			return err;
		break;
	case CTL_ENABLE_STATS:
		if ((err = get_u32(r, "type", &req->stats.type)) ||
		    (err = get_u32(r, "enable", &req->stats.enable)))
			return err;
		if (req->stats.enable > 1) {
			r->off -= 4;
			return wire_error(r, "enable", "not 0 or 1");
		}
		break;
	case CTL_OBJ_UNLOAD:
		err = get_u32(r, "object_id", &req->unload.object_id);
		break;
	default:
		return wire_error(r, "type", "no such command"); /* begin_message checked */
	}
	return err ? err : get_end(r);
}

int ctl_request_decode(const void *msg, size_t len, uint32_t payload_max, struct ctl_request *req,
		       struct ebpf_log *log)
{
	struct ctl_header hdr;
	struct wire_reader r;
	int err = begin_message(msg, len, payload_max, false, &hdr, &r, log);

	if (err)
		return err;
	memset(req, 0, sizeof(*req));
	req->type = hdr.type;
	req->seq = hdr.seq;
	if (hdr.status != 0) {
		ebpf_log_printf(log, "ctl: %s request: field 'status' at offset 16: must be 0",
				r.what);
		return -EINVAL;
	}
	return decode_request_payload(&r, hdr.type, req);
}

/* ---- replies ----------------------------------------------------------- */

static void put_prog_info(struct wire_writer *w, const struct ctl_prog_info *info)
{
	put_u32(w, info->id);
	put_u32(w, info->object_id);
	put_u32(w, info->type);
	put_u32(w, info->xlated_insns);
	put_u32(w, info->verified_insns);
	put_u32(w, info->jited_bytes);
	put_u32(w, info->attached_ifindex);
	put_u64(w, info->run_cnt);
	put_u64(w, info->run_time_ns);
	put_name(w, info->name);
}

static int get_prog_info(struct wire_reader *r, struct ctl_prog_info *info)
{
	int err;

	if ((err = get_u32(r, "id", &info->id)) ||
	    (err = get_u32(r, "object_id", &info->object_id)) ||
	    (err = get_u32(r, "type", &info->type)) ||
	    (err = get_u32(r, "xlated_insns", &info->xlated_insns)) ||
	    (err = get_u32(r, "verified_insns", &info->verified_insns)) ||
	    (err = get_u32(r, "jited_bytes", &info->jited_bytes)) ||
	    (err = get_u32(r, "attached_ifindex", &info->attached_ifindex)) ||
	    (err = get_u64(r, "run_cnt", &info->run_cnt)) ||
	    (err = get_u64(r, "run_time_ns", &info->run_time_ns)))
		return err;
	return get_name(r, "name", info->name);
}

static void put_map_info(struct wire_writer *w, const struct ctl_map_info *info)
{
	put_u32(w, info->id);
	put_u32(w, info->object_id);
	put_u32(w, info->type);
	put_u32(w, info->key_size);
	put_u32(w, info->value_size);
	put_u32(w, info->max_entries);
	put_u32(w, info->flags);
	put_u64(w, info->bytes);
	put_name(w, info->name);
}

static int get_map_info(struct wire_reader *r, struct ctl_map_info *info)
{
	int err;

	if ((err = get_u32(r, "id", &info->id)) ||
	    (err = get_u32(r, "object_id", &info->object_id)) ||
	    (err = get_u32(r, "type", &info->type)) ||
	    (err = get_u32(r, "key_size", &info->key_size)) ||
	    (err = get_u32(r, "value_size", &info->value_size)) ||
	    (err = get_u32(r, "max_entries", &info->max_entries)) ||
	    (err = get_u32(r, "flags", &info->flags)) || (err = get_u64(r, "bytes", &info->bytes)))
		return err;
	return get_name(r, "name", info->name);
}

int ctl_reply_encode(const struct ctl_reply *reply, void *buf, size_t size, size_t *len)
{
	struct wire_writer w = {.buf = buf, .size = size};
	struct ctl_header hdr = {.magic = CTL_MAGIC,
				 .version = CTL_VERSION,
				 .type = (uint16_t)(reply->type | CTL_REPLY_FLAG),
				 .seq = reply->seq,
				 .status = reply->status};

	if (size < CTL_HEADER_SIZE)
		return -ENOSPC;
	w.len = CTL_HEADER_SIZE;
	if (reply->status < 0) {
		const char *text = reply->error ? reply->error : "";
		put_bytes(&w, text, strlen(text) + 1);
		return finish_message(&w, &hdr, len);
	}
	switch (reply->type) {
	case CTL_PROG_LOAD:
		put_u32(&w, reply->prog_load.object_id);
		put_u32(&w, reply->prog_load.prog_id);
		put_u32(&w, reply->prog_load.map_count);
		put_bytes(&w, reply->prog_load.map_ids, (size_t)reply->prog_load.map_count * 4);
		break;
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
		put_bytes(&w, reply->bytes.data, reply->bytes.len);
		break;
	case CTL_MAP_LOOKUP_BATCH:
		put_u32(&w, reply->map_batch.count);
		put_u32(&w, reply->map_batch.done);
		put_u32(&w, reply->map_batch.key_size);
		put_u32(&w, reply->map_batch.value_size);
		put_bytes(&w, reply->map_batch.entries,
			  (size_t)reply->map_batch.count *
			      (reply->map_batch.key_size + reply->map_batch.value_size));
		break;
	case CTL_PROG_GET_NEXT_ID:
	case CTL_MAP_GET_NEXT_ID:
		put_u32(&w, reply->next_id);
		break;
	case CTL_OBJ_GET_INFO:
		put_u32(&w, reply->info_kind);
		if (reply->info_kind == CTL_OBJ_PROG)
			put_prog_info(&w, &reply->prog_info);
		else
			put_map_info(&w, &reply->map_info);
		break;
	default:
		break; /* the other commands reply with status alone */
	}
	return finish_message(&w, &hdr, len);
}

static int decode_reply_payload(struct wire_reader *r, struct ctl_reply *reply)
{
	int err;

	switch (reply->type) {
	case CTL_PROG_LOAD:
		if ((err = get_u32(r, "object_id", &reply->prog_load.object_id)) ||
		    (err = get_u32(r, "prog_id", &reply->prog_load.prog_id)) ||
		    (err = get_u32(r, "map_count", &reply->prog_load.map_count)))
			return err;
		return get_rest(r, "map_count", (uint64_t)reply->prog_load.map_count * 4,
				&reply->prog_load.map_ids);
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
		reply->bytes.len = (uint32_t)(r->len - r->off);
		return get_rest(r, "payload", reply->bytes.len, &reply->bytes.data);
	case CTL_MAP_LOOKUP_BATCH:
		if ((err = get_u32(r, "count", &reply->map_batch.count)) ||
		    (err = get_u32(r, "done", &reply->map_batch.done)) ||
		    (err = get_u32(r, "key_size", &reply->map_batch.key_size)) ||
		    (err = get_u32(r, "value_size", &reply->map_batch.value_size)))
			return err;
		return get_rest(
		    r, "count",
		    (uint64_t)reply->map_batch.count *
			((uint64_t)reply->map_batch.key_size + reply->map_batch.value_size),
		    &reply->map_batch.entries);
	case CTL_PROG_GET_NEXT_ID:
	case CTL_MAP_GET_NEXT_ID:
		err = get_u32(r, "next_id", &reply->next_id);
		break;
	case CTL_OBJ_GET_INFO:
		if ((err = get_u32(r, "kind", &reply->info_kind)))
			return err;
		if (reply->info_kind == CTL_OBJ_PROG)
			err = get_prog_info(r, &reply->prog_info);
		else if (reply->info_kind == CTL_OBJ_MAP)
			err = get_map_info(r, &reply->map_info);
		else {
			r->off -= 4;
			err = wire_error(r, "kind", "not 1 (program) or 2 (map)");
		}
		break;
	default:
		err = 0; /* status alone */
		break;
	}
	return err ? err : get_end(r);
}

int ctl_reply_decode(const void *msg, size_t len, uint32_t payload_max, struct ctl_reply *reply,
		     struct ebpf_log *log)
{
	struct ctl_header hdr;
	struct wire_reader r;
	int err = begin_message(msg, len, payload_max, true, &hdr, &r, log);

	if (err)
		return err;
	memset(reply, 0, sizeof(*reply));
	reply->type = hdr.type & ~CTL_REPLY_FLAG;
	reply->seq = hdr.seq;
	reply->status = hdr.status;
	if (hdr.status > 0 || (hdr.status == 0 && reply->type == CTL_BAD_REQUEST)) {
		r.off = 16;
		return wire_error(&r, "status",
				  hdr.status > 0
				      ? "positive: a reply's status is 0 or -errno"
				      : "0 in a UKBPF_BAD_REQUEST reply, always an error");
	}
	if (hdr.status < 0) {
		/* the reason: text ending in its one NUL */
		const uint8_t *text = r.buf + r.off;
		size_t n = r.len - r.off;
		if (n == 0 || text[n - 1] != '\0' || memchr(text, '\0', n) != text + n - 1)
			return wire_error(&r, "error", "not one NUL-terminated text");
		reply->error = (const char *)text;
		return 0;
	}
	return decode_reply_payload(&r, reply);
}
