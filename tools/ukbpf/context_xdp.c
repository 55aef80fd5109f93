/*
 * --packet FILE and --pcap FILE: run a program on network frames.
 *
 * What r1 points to depends on the program's type:
 *   XDP            a struct ebpf_xdp_buff (xdp_md first) over a copy of
 *                  the frame in a buffer laid out as Linux's
 *                  BPF_PROG_TEST_RUN lays it out (a zeroed page, the
 *                  frame EBPF_XDP_HEADROOM bytes into it), so that
 *                  adjust_head/meta/tail have the room they have there;
 *   SOCKET_FILTER  (translated classic BPF) a struct ebpf_cbpf_ctx with
 *                  the captured and the wire length;
 *   UNSPEC         the --mem convention: r1 = the frame, r2 = its length.
 * Frames live in one MAP_32BIT mapping because xdp_md holds 32-bit
 * addresses.
 *
 * --pcap reads classic libpcap files (not pcapng), either byte order,
 * microsecond or nanosecond timestamps, and prints "INDEX 0xR0" per packet.
 * --pcap-bytes reads the same files and also prints the frame as the
 * program left it, "INDEX 0xR0 HEX": for XDP the bytes from data_meta to
 * data_end, which is what Linux's BPF_PROG_TEST_RUN returns as data_out
 * (scripts/compat.py compares the two).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "source.h"

#define FRAME_ALIGN 8

/* libpcap's file format (pcap-savefile(5)). */
#define PCAP_MAGIC_USEC		0xa1b2c3d4u
#define PCAP_MAGIC_NSEC		0xa1b23c4du
#define PCAPNG_MAGIC		0x0a0d0d0au
#define PCAP_VERSION_MAJOR	2
#define PCAP_FILE_HEADER_SIZE	24
#define PCAP_RECORD_HEADER_SIZE 16
#define PCAP_LINKTYPE_ETHERNET	1
/* libpcap's MAXIMUM_SNAPLEN: larger captured lengths mean a corrupt file. */
#define PCAP_MAX_CAPLEN 262144u

/* One frame as read from a file: bytes point into the file's buffer. */
struct frame {
	const uint8_t *bytes;
	uint32_t caplen;
	uint32_t wirelen;
};

struct frame_list {
	struct frame *frames;
	size_t count;
	uint32_t linktype;
};

/* Per input: the index printed by --pcap and the context r1 points to. */
struct frame_state {
	size_t index;
	enum ebpf_prog_type type;
	void *mapping; /* the shared MAP_32BIT frame memory (state 0 unmaps it) */
	size_t mapping_size;
	union {
		struct ebpf_xdp_buff xdp;
		struct ebpf_cbpf_ctx cbpf;
	};
};

/* The buffer a frame's XDP context may use: headroom, frame, tailroom. */
static size_t frame_buf_size(uint32_t caplen)
{
	return ebpf_xdp_buf_size(caplen);
}

/* Where the next frame's buffer starts: kept 8-byte aligned. */
static size_t frame_slot_size(uint32_t caplen)
{
	return (frame_buf_size(caplen) + FRAME_ALIGN - 1) & ~(size_t)(FRAME_ALIGN - 1);
}

static int check_prog_type(enum ebpf_prog_type type, const struct frame_list *list, char *err,
			   size_t errlen)
{
	if (type != EBPF_PROG_TYPE_XDP && type != EBPF_PROG_TYPE_SOCKET_FILTER &&
	    type != EBPF_PROG_TYPE_UNSPEC) {
		snprintf(err, errlen, "a program of type %d cannot run on packets", (int)type);
		return -EINVAL;
	}
	if (type == EBPF_PROG_TYPE_XDP && list->linktype != PCAP_LINKTYPE_ETHERNET) {
		snprintf(err, errlen, "link type %u is not Ethernet (1), what XDP programs see",
			 list->linktype);
		return -EINVAL;
	}
	return 0;
}

/* Fills state and input for one frame copied to slot (headroom first). */
static int init_input(enum ebpf_prog_type type, const struct frame *frame, uint8_t *slot,
		      struct frame_state *state, struct run_input *input, char *err, size_t errlen)
{
	uint8_t *data = slot + EBPF_XDP_HEADROOM;
	int ret;

	memcpy(data, frame->bytes, frame->caplen);
	input->state = state;
	state->type = type;
	switch (type) {
	case EBPF_PROG_TYPE_XDP:
		ret = ebpf_xdp_init(&state->xdp, slot, slot + frame_buf_size(frame->caplen), data,
				    frame->caplen, 1, 0);
		if (ret) {
			snprintf(err, errlen, "frame %zu: cannot build the XDP context: %s",
				 state->index, strerror(-ret));
			return ret;
		}
		input->ctx = &state->xdp;
		input->ctx_len = sizeof(state->xdp.md);
		break;
	case EBPF_PROG_TYPE_SOCKET_FILTER:
		state->cbpf = (struct ebpf_cbpf_ctx){data, frame->caplen, frame->wirelen};
		input->ctx = &state->cbpf;
		input->ctx_len = sizeof(state->cbpf);
		break;
	default:
		input->ctx = data;
		input->ctx_len = frame->caplen;
		break;
	}
	return 0;
}

static void free_frames(struct run_input *inputs, size_t count)
{
	if (count) {
		struct frame_state *states = inputs[0].state;

		munmap(states[0].mapping, states[0].mapping_size);
		free(states);
	}
	free(inputs);
}

static int build_inputs(const struct frame_list *list, enum ebpf_prog_type type,
			struct run_input **inputs, size_t *count, char *err, size_t errlen)
{
	struct frame_state *states;
	struct run_input *in;
	size_t total = 0, i;
	uint8_t *mapping, *slot;
	int ret = check_prog_type(type, list, err, errlen);

	if (ret)
		return ret;
	*inputs = NULL;
	*count = 0;
	if (!list->count)
		return 0;
	for (i = 0; i < list->count; i++)
		total += frame_slot_size(list->frames[i].caplen);
	mapping = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	states = calloc(list->count, sizeof(*states));
	in = calloc(list->count, sizeof(*in));
	if (mapping == MAP_FAILED || !states || !in) {
		snprintf(err, errlen, "out of memory below 4 GiB for %zu bytes of frames", total);
		ret = -ENOMEM;
		goto fail;
	}
	slot = mapping;
	for (i = 0; i < list->count; i++) {
		states[i].index = i;
		ret = init_input(type, &list->frames[i], slot, &states[i], &in[i], err, errlen);
		if (ret)
			goto fail;
		slot += frame_slot_size(list->frames[i].caplen);
	}
	states[0].mapping = mapping;
	states[0].mapping_size = total;
	*inputs = in;
	*count = list->count;
	return 0;
fail:
	if (mapping != MAP_FAILED)
		munmap(mapping, total);
	free(states);
	free(in);
	return ret;
}

/* ---- --packet ---------------------------------------------------------------- */

static int load_packet(const char *arg, enum ebpf_prog_type prog_type, struct run_input **inputs,
		       size_t *count, char *err, size_t errlen)
{
	struct frame frame;
	struct frame_list list = {&frame, 1, PCAP_LINKTYPE_ETHERNET};
	void *data;
	size_t size;
	int ret = read_whole_file(arg, &data, &size, err, errlen);

	if (ret)
		return ret;
	if (size > PCAP_MAX_CAPLEN) {
		snprintf(err, errlen, "frame of %zu bytes exceeds %u", size, PCAP_MAX_CAPLEN);
		free(data);
		return -E2BIG;
	}
	frame = (struct frame){data, (uint32_t)size, (uint32_t)size};
	ret = build_inputs(&list, prog_type, inputs, count, err, errlen);
	free(data);
	return ret;
}

/* ---- no CONTEXT for a typed program ------------------------------------------ */

/*
 * An XDP or socket-filter program run without a CONTEXT still gets a real
 * one, an empty frame, so that reading its ctx reads zeros instead of
 * crashing the tool through r1 = NULL.
 */
static int load_empty_frame(const char *arg, enum ebpf_prog_type prog_type,
			    struct run_input **inputs, size_t *count, char *err, size_t errlen)
{
	static const uint8_t no_bytes[1];
	struct frame frame = {no_bytes, 0, 0};
	struct frame_list list = {&frame, 1, PCAP_LINKTYPE_ETHERNET};

	return build_inputs(&list, prog_type, inputs, count, err, errlen);
}

/* ---- --pcap ------------------------------------------------------------------- */

struct pcap_reader {
	const uint8_t *bytes;
	size_t size;
	bool swapped; /* written on a host of the other byte order */
};

static uint32_t pcap_u32(const struct pcap_reader *r, size_t offset)
{
	uint32_t value;

	memcpy(&value, r->bytes + offset, sizeof(value));
	return r->swapped ? __builtin_bswap32(value) : value;
}

static uint16_t pcap_u16(const struct pcap_reader *r, size_t offset)
{
	uint16_t value;

	memcpy(&value, r->bytes + offset, sizeof(value));
	return r->swapped ? __builtin_bswap16(value) : value;
}

static int pcap_read_file_header(struct pcap_reader *r, uint32_t *linktype, char *err,
				 size_t errlen)
{
	uint32_t magic;

	if (r->size < PCAP_FILE_HEADER_SIZE) {
		snprintf(err, errlen, "truncated pcap file header (%zu of %d bytes)", r->size,
			 PCAP_FILE_HEADER_SIZE);
		return -EINVAL;
	}
	memcpy(&magic, r->bytes, sizeof(magic));
	if (magic == PCAPNG_MAGIC) {
		snprintf(err, errlen,
			 "pcapng files are not supported; convert with "
			 "'tcpdump -r IN -w OUT'");
		return -EINVAL;
	}
	r->swapped = magic == __builtin_bswap32(PCAP_MAGIC_USEC) ||
		     magic == __builtin_bswap32(PCAP_MAGIC_NSEC);
	magic = pcap_u32(r, 0);
	if (magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC) {
		snprintf(err, errlen, "not a pcap file (magic 0x%08x at offset 0)", magic);
		return -EINVAL;
	}
	if (pcap_u16(r, 4) != PCAP_VERSION_MAJOR) {
		snprintf(err, errlen, "unsupported pcap version %u.%u at offset 4", pcap_u16(r, 4),
			 pcap_u16(r, 6));
		return -EINVAL;
	}
	*linktype = pcap_u32(r, 20);
	return 0;
}

/* Checks record index at offset and returns its frame; *next is the following record. */
static int pcap_read_record(const struct pcap_reader *r, size_t index, size_t offset,
			    struct frame *frame, size_t *next, char *err, size_t errlen)
{
	size_t left = r->size - offset;
	uint32_t caplen, wirelen;

	if (left < PCAP_RECORD_HEADER_SIZE) {
		snprintf(err, errlen,
			 "record %zu at offset %zu: truncated header (%zu of %d bytes)", index,
			 offset, left, PCAP_RECORD_HEADER_SIZE);
		return -EINVAL;
	}
	caplen = pcap_u32(r, offset + 8);
	wirelen = pcap_u32(r, offset + 12);
	if (caplen > PCAP_MAX_CAPLEN) {
		snprintf(err, errlen, "record %zu at offset %zu: captured length %u exceeds %u",
			 index, offset, caplen, PCAP_MAX_CAPLEN);
		return -EINVAL;
	}
	if (caplen > wirelen) {
		snprintf(err, errlen,
			 "record %zu at offset %zu: captured length %u exceeds wire length %u",
			 index, offset, caplen, wirelen);
		return -EINVAL;
	}
	if (caplen > left - PCAP_RECORD_HEADER_SIZE) {
		snprintf(err, errlen, "record %zu at offset %zu: truncated data (%zu of %u bytes)",
			 index, offset, left - PCAP_RECORD_HEADER_SIZE, caplen);
		return -EINVAL;
	}
	*frame = (struct frame){r->bytes + offset + PCAP_RECORD_HEADER_SIZE, caplen, wirelen};
	*next = offset + PCAP_RECORD_HEADER_SIZE + caplen;
	return 0;
}

static int pcap_parse(struct pcap_reader *r, struct frame_list *list, char *err, size_t errlen)
{
	size_t offset = PCAP_FILE_HEADER_SIZE, capacity = 0;
	int ret = pcap_read_file_header(r, &list->linktype, err, errlen);

	while (!ret && offset < r->size) {
		if (list->count == capacity) {
			size_t bigger = capacity ? 2 * capacity : 64;
			struct frame *frames = realloc(list->frames, bigger * sizeof(*frames));

			if (!frames) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			list->frames = frames;
			capacity = bigger;
		}
		ret = pcap_read_record(r, list->count, offset, &list->frames[list->count], &offset,
				       err, errlen);
		if (!ret)
			list->count++;
	}
	return ret;
}

static int load_pcap(const char *arg, enum ebpf_prog_type prog_type, struct run_input **inputs,
		     size_t *count, char *err, size_t errlen)
{
	struct frame_list list = {NULL, 0, 0};
	struct pcap_reader reader = {NULL, 0, false};
	void *data;
	int ret = read_whole_file(arg, &data, &reader.size, err, errlen);

	if (ret)
		return ret;
	reader.bytes = data;
	ret = pcap_parse(&reader, &list, err, errlen);
	if (!ret)
		ret = build_inputs(&list, prog_type, inputs, count, err, errlen);
	free(list.frames);
	free(data);
	return ret;
}

static void report_pcap(const struct run_input *input, uint64_t r0, FILE *out)
{
	const struct frame_state *state = input->state;

	fprintf(out, "%zu 0x%llx\n", state->index, (unsigned long long)r0);
}

/* The bytes of the frame after a run: XDP's data_meta to data_end, else the frame as given. */
static void frame_output(const struct run_input *input, const uint8_t **start, size_t *size)
{
	const struct frame_state *state = input->state;

	switch (state->type) {
	case EBPF_PROG_TYPE_XDP:
		*start = (const uint8_t *)(uintptr_t)state->xdp.md.data_meta;
		*size = state->xdp.md.data_end - state->xdp.md.data_meta;
		break;
	case EBPF_PROG_TYPE_SOCKET_FILTER:
		*start = state->cbpf.data;
		*size = state->cbpf.caplen;
		break;
	default:
		*start = input->ctx;
		*size = input->ctx_len;
		break;
	}
}

/* --pcap-out: XDP's metadata apart from the frame, which starts at data. */
static void frame_after_run(const struct run_input *input, struct frame_out *out)
{
	const struct frame_state *state = input->state;

	*out = (struct frame_out){0};
	if (state->type == EBPF_PROG_TYPE_XDP) {
		out->meta = (const uint8_t *)(uintptr_t)state->xdp.md.data_meta;
		out->meta_len = state->xdp.md.data - state->xdp.md.data_meta;
		out->data = (const uint8_t *)(uintptr_t)state->xdp.md.data;
		out->len = state->xdp.md.data_end - state->xdp.md.data;
		return;
	}
	frame_output(input, &out->data, &out->len);
}

static void report_pcap_bytes(const struct run_input *input, uint64_t r0, FILE *out)
{
	const struct frame_state *state = input->state;
	const uint8_t *bytes;
	size_t size, i;

	frame_output(input, &bytes, &size);
	fprintf(out, "%zu 0x%llx ", state->index, (unsigned long long)r0);
	for (i = 0; i < size; i++)
		fprintf(out, "%02x", bytes[i]);
	fprintf(out, "\n");
}

const struct context_source context_source_packet = {
    .flag = "--packet",
    .usage = "--packet FILE",
    .help = "one raw frame: XDP gets it 256 bytes into a 4096-byte buffer",
    .load = load_packet,
    .free = free_frames,
    .frame_out = frame_after_run,
};

const struct context_source context_source_pcap = {
    .flag = "--pcap",
    .usage = "--pcap FILE",
    .help = "each packet of a pcap capture; prints 'INDEX 0xR0' per packet",
    .load = load_pcap,
    .free = free_frames,
    .report = report_pcap,
    .frame_out = frame_after_run,
};

const struct context_source context_source_pcap_bytes = {
    .flag = "--pcap-bytes",
    .usage = "--pcap-bytes FILE",
    .help = "as --pcap, and the frame the program left: 'INDEX 0xR0 HEX'",
    .load = load_pcap,
    .free = free_frames,
    .report = report_pcap_bytes,
    .frame_out = frame_after_run,
};

const struct context_source context_source_empty_frame = {
    .flag = "(none)",
    .usage = "",
    .help = "an empty frame, for typed programs run without a CONTEXT",
    .load = load_empty_frame,
    .free = free_frames,
    .frame_out = frame_after_run,
};
