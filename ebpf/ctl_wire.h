/*
 * The control protocol's codec (docs/control.md): the bytes a host client
 * and the guest exchange to load programs and to read and write maps.
 *
 * Every message is a 24-byte little-endian header, a payload of at most
 * CTL_PAYLOAD_MAX bytes, then trailer_len bytes reserved for a MAC (the
 * authenticated TCP transport; version 1 has none, so it must be 0).
 * A request's type is the number of Linux's bpf() command of the same
 * meaning (enum bpf_cmd), or a ukbpf command from CTL_CMD_UKBPF_BASE up;
 * its reply has the same type with CTL_REPLY_FLAG set, the same sequence
 * number, and status 0 or a negative errno value (then the payload is a
 * NUL-terminated text saying why: the verifier's log for a refused load).
 *
 * Decoding distrusts every byte: a message that is short, long, of an
 * unknown magic, version or type, with a count that does not fit, or a
 * name not NUL-terminated within its field is refused with -EINVAL (or
 * -E2BIG for a payload over the maximum, -EPROTONOSUPPORT for another
 * version) and a log line naming the field and its byte offset. Decoded
 * messages borrow the buffer: their key, value and ELF pointers point
 * into it. Nothing here allocates.
 */
#ifndef UKBPF_EBPF_CTL_WIRE_H
#define UKBPF_EBPF_CTL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "ebpf.h"

#define CTL_MAGIC	   0x43424b55u /* "UKBC" as it appears on the wire */
#define CTL_VERSION	   1
#define CTL_HEADER_SIZE	   24
#define CTL_PAYLOAD_MAX	   (4u << 20) /* what any transport may carry */
#define CTL_NAME_MAX	   64	      /* names, with their NUL */
#define CTL_REPLY_FLAG	   0x8000u
#define CTL_CMD_UKBPF_BASE 0x1000u
/* A BPF_MAP_LOOKUP_BATCH reply's bytes before its entries: count, done, key and value sizes. */
#define CTL_BATCH_REPLY_FIXED 16

/* Message types: Linux's enum bpf_cmd numbers, then ukbpf's own. */
enum ctl_cmd {
	CTL_MAP_LOOKUP_ELEM = 1,
	CTL_MAP_UPDATE_ELEM = 2,
	CTL_MAP_DELETE_ELEM = 3,
	CTL_MAP_GET_NEXT_KEY = 4,
	CTL_PROG_LOAD = 5,
	CTL_PROG_ATTACH = 8, /* on a NIC's XDP hook */
	CTL_PROG_DETACH = 9,
	CTL_PROG_GET_NEXT_ID = 11,
	CTL_MAP_GET_NEXT_ID = 12,
	CTL_OBJ_GET_INFO = 15, /* BPF_OBJ_GET_INFO_BY_FD, by id: ukbpf has no fds */
	CTL_MAP_LOOKUP_BATCH = 24,
	CTL_LINK_UPDATE = 29, /* replace the program attached to a NIC */
	CTL_ENABLE_STATS = 32,
	CTL_OBJ_UNLOAD = CTL_CMD_UKBPF_BASE, /* closing the last fd, in Linux */
	/* Only a reply, always an error: to a message whose type is unknown or unreadable. */
	CTL_BAD_REQUEST = 0x1fff,
};

/* Linux's name of a command ("BPF_PROG_LOAD"); NULL for an unknown one. */
const char *ctl_cmd_name(uint32_t type);

struct ctl_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type; /* enum ctl_cmd, | CTL_REPLY_FLAG in a reply */
	uint32_t seq;  /* the client's; replies repeat it */
	uint32_t payload_len;
	int32_t status; /* replies: 0 or -errno; requests: 0 */
	uint32_t trailer_len;
};

/* CTL_OBJ_GET_INFO's kinds. */
enum ctl_obj_kind {
	CTL_OBJ_PROG = 1,
	CTL_OBJ_MAP = 2,
};

/* CTL_ENABLE_STATS's type: Linux's enum bpf_stats_type. */
#define CTL_STATS_RUN_TIME 0

/* A decoded request; pointers borrow the message. */
struct ctl_request {
	uint16_t type; /* enum ctl_cmd */
	uint32_t seq;
	union {
		struct {
			char prog_name[CTL_NAME_MAX]; /* function or section name */
			uint32_t log_level;	      /* the verifier log's level, 0-2 */
			const uint8_t *elf;
			uint32_t elf_len;
		} prog_load;
		/* lookup, update, delete, get_next_key (key_len 0: the first key) */
		struct {
			uint32_t map_id;
			uint64_t flags; /* update: EBPF_ANY, EBPF_NOEXIST, EBPF_EXIST */
			const uint8_t *key;
			uint32_t key_len;
			const uint8_t *value; /* update only */
			uint32_t value_len;
		} map_elem;
		struct {
			uint32_t map_id;
			uint32_t max_count; /* entries wanted, at least 1 */
			const uint8_t *key; /* resume after this key; NULL: from the start */
			uint32_t key_len;
		} map_batch;
		struct {
			uint32_t start_id; /* the next id above this one */
		} get_next_id;
		struct {
			uint32_t kind; /* enum ctl_obj_kind */
			uint32_t id;
		} info;
		/* attach (prog_id), detach, replace (prog_id, old_prog_id) */
		struct {
			uint32_t ifindex;
			uint32_t prog_id;
			uint32_t old_prog_id; /* replace: 0, or what must be attached now */
			uint32_t flags;	      /* 0: reserved */
		} attach;
		struct {
			uint32_t type; /* CTL_STATS_RUN_TIME */
			uint32_t enable;
		} stats;
		struct {
			uint32_t object_id;
		} unload;
	};
};

/* What CTL_OBJ_GET_INFO returns for a program. */
struct ctl_prog_info {
	uint32_t id;
	uint32_t object_id; /* its load: the maps of that load share it */
	uint32_t type;	    /* enum ebpf_prog_type */
	uint32_t xlated_insns;
	uint32_t verified_insns; /* instructions the verifier processed */
	uint32_t jited_bytes;	 /* 0: runs in the interpreter */
	uint32_t attached_ifindex;
	uint64_t run_cnt; /* counted while stats are enabled */
	uint64_t run_time_ns;
	char name[CTL_NAME_MAX];
};

/* What CTL_OBJ_GET_INFO returns for a map. */
struct ctl_map_info {
	uint32_t id;
	uint32_t object_id;
	uint32_t type; /* enum ebpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
	uint64_t bytes; /* what it counts against the guest's map memory */
	char name[CTL_NAME_MAX];
};

/* A decoded reply; pointers borrow the message. */
struct ctl_reply {
	uint16_t type; /* the request's, without CTL_REPLY_FLAG */
	uint32_t seq;
	int32_t status;
	uint32_t info_kind; /* CTL_OBJ_GET_INFO: enum ctl_obj_kind, which of the two infos */
	union {
		const char *error; /* status < 0: why, NUL-terminated */
		struct {
			uint32_t object_id;
			uint32_t prog_id;
			uint32_t map_count;
			const uint8_t *map_ids; /* map_count little-endian u32 */
		} prog_load;
		struct {
			const uint8_t *data; /* lookup: the value; get_next_key: the key */
			uint32_t len;
		} bytes;
		struct {
			uint32_t count;
			uint32_t done; /* 1: no entries after these */
			uint32_t key_size;
			uint32_t value_size;
			const uint8_t *entries; /* count times key then value */
		} map_batch;
		uint32_t next_id;
		struct ctl_prog_info prog_info;
		struct ctl_map_info map_info;
	};
};

/*
 * Decodes the header at the start of buf (len bytes, at least
 * CTL_HEADER_SIZE). Checks magic, version, payload_len <= payload_max
 * (-E2BIG) and trailer_len (0 in version 1); not the type. A transport
 * reads the header, then payload_len + trailer_len more bytes.
 */
int ctl_header_decode(const void *buf, size_t len, uint32_t payload_max, struct ctl_header *hdr,
		      struct ebpf_log *log);
void ctl_header_encode(const struct ctl_header *hdr, uint8_t buf[CTL_HEADER_SIZE]);

/*
 * Decodes a whole request message of len bytes (header and payload, the
 * payload's length exactly the header's) into *req.
 */
int ctl_request_decode(const void *msg, size_t len, uint32_t payload_max, struct ctl_request *req,
		       struct ebpf_log *log);

/*
 * Encodes req into buf as one message; *len gets its length. -ENOSPC
 * when it does not fit size, -EINVAL for an unknown type.
 */
int ctl_request_encode(const struct ctl_request *req, void *buf, size_t size, size_t *len);

/*
 * Encodes a reply to a request of type (which selects the payload's
 * form): reply->status < 0 sends reply->error. -ENOSPC when it does not
 * fit size.
 */
int ctl_reply_encode(const struct ctl_reply *reply, void *buf, size_t size, size_t *len);

/* Decodes a whole reply message, as ctl_request_decode does a request. */
int ctl_reply_decode(const void *msg, size_t len, uint32_t payload_max, struct ctl_reply *reply,
		     struct ebpf_log *log);

#endif /* UKBPF_EBPF_CTL_WIRE_H */
