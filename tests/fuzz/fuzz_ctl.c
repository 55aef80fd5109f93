/*
 * libFuzzer harness for the control plane (ebpf/ctl_wire.c, ebpf/ctl.c):
 * any sequence of messages must be answered, one well-formed reply each,
 * without memory errors or leaks, and the registry must stay within its
 * limits. Built with clang -fsanitize=fuzzer,address,undefined and run
 * for a bounded time by tests/fuzz/test_fuzz.py.
 *
 * Each input starts from a registry holding a load of each object in
 * FUZZ_CTL_OBJECTS (colon-separated paths; the first program of section
 * "xdp" of each) so that map and attach commands find something: test_fuzz.py
 * passes tests/ebpf/progs/ctl.c (program 1, maps 1 and 2) and maps_btf.c
 * (program 2, maps of seven types) compiled. The input is a list of records:
 *   u8 mode, u16 length (little-endian), length bytes of message
 * mode bit 0 repairs the header (magic, version, the payload's true
 * length, no trailer, status 0) so that most records reach a command;
 * bit 1 with bits 2-5 picks the type from the command table.
 * Unrepaired records test the header checks.
 *
 * At exit it prints "fuzz_ctl: N messages, A accepted", counting the
 * input's records only (not the preloads). By hand:
 *   FUZZ_CTL_OBJECTS=ctl.o:maps_btf.o ./fuzz_ctl -max_total_time=600 corpus/
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_wire.h"
#include "ebpf.h"
#include "host_platform.h"

#define MAX_MESSAGE	 (16 * 1024) /* a fuzzed record */
#define MAX_REQUEST	 (64 * 1024) /* the preloaded objects are larger */
#define REPLY_SIZE	 (64 * 1024)
#define AUDIT_SIZE	 256
#define RECORD_HEADER	 3
#define MODE_REPAIR	 0x01
#define MODE_PICK_TYPE	 0x02
#define MODE_TYPE_SHIFT	 2
#define MODE_TYPE_MASK	 0x0f
#define FUZZ_IFINDEX_MAX 4

static const uint16_t commands[] = {
    CTL_MAP_LOOKUP_ELEM, CTL_MAP_UPDATE_ELEM, CTL_MAP_DELETE_ELEM,  CTL_MAP_GET_NEXT_KEY,
    CTL_PROG_LOAD,	 CTL_PROG_ATTACH,     CTL_PROG_DETACH,	    CTL_PROG_GET_NEXT_ID,
    CTL_MAP_GET_NEXT_ID, CTL_OBJ_GET_INFO,    CTL_MAP_LOOKUP_BATCH, CTL_LINK_UPDATE,
    CTL_ENABLE_STATS,	 CTL_OBJ_UNLOAD,
};

static const struct ctl_limits limits = {.max_progs = 3,
					 .max_maps = 12,
					 .max_map_bytes = 8192,
					 .max_request = MAX_REQUEST,
					 .max_attachments = 2};

#define MAX_OBJECTS 2
#define OBJECT_MAX  (1 << 20)

/* The preloaded objects' load requests. */
static uint8_t *load_msgs[MAX_OBJECTS];
static size_t load_lens[MAX_OBJECTS];
static size_t object_count;
static uint64_t messages, accepted; /* of the input's records */
static char last_error[AUDIT_SIZE]; /* the reason of the last refusal */

/* The NIC side: a program per ifindex, checked against what ctl believes. */
static struct ebpf_prog *nic_prog[FUZZ_IFINDEX_MAX + 1];

static int nic_index(uint32_t ifindex)
{
	return ifindex <= FUZZ_IFINDEX_MAX ? (int)ifindex : -1;
}

static int fake_attach(void *ctx, uint32_t ifindex, struct ebpf_prog *prog,
		       struct ctl_run_stats *stats, struct ebpf_log *log)
{
	int i = nic_index(ifindex);
	if (i < 0) {
		ebpf_log_printf(log, "fake: no device %u", ifindex);
		return -ENODEV;
	}
	if (nic_prog[i])
		abort(); /* ctl attached twice to one device */
	nic_prog[i] = prog;
	return 0;
}

static int fake_replace(void *ctx, uint32_t ifindex, struct ebpf_prog *old,
			struct ebpf_prog *new_prog, struct ctl_run_stats *stats,
			struct ebpf_log *log)
{
	int i = nic_index(ifindex);
	if (i < 0 || nic_prog[i] != old)
		abort(); /* ctl replaced what is not there */
	nic_prog[i] = new_prog;
	return 0;
}

static int fake_detach(void *ctx, uint32_t ifindex, struct ebpf_prog *prog, struct ebpf_log *log)
{
	int i = nic_index(ifindex);
	if (i < 0 || nic_prog[i] != prog)
		abort();
	nic_prog[i] = NULL;
	return 0;
}

static const struct ctl_attach_ops fake_ops = {NULL, fake_attach, fake_replace, fake_detach};

static void print_stats(void)
{
	fprintf(stderr, "fuzz_ctl: %" PRIu64 " messages, %" PRIu64 " accepted\n", messages,
		accepted);
}

/* Reads the object at path into a load request of its first XDP program. */
static void prepare_load(const char *path)
{
	static uint8_t elf[OBJECT_MAX];
	FILE *f = fopen(path, "rb");

	if (!f || object_count == MAX_OBJECTS) {
		fprintf(stderr, "fuzz_ctl: cannot read %s (at most %d objects)\n", path,
			MAX_OBJECTS);
		exit(2);
	}
	struct ctl_request load = {.type = CTL_PROG_LOAD,
				   .prog_load = {.prog_name = "xdp", .elf = elf}};
	load.prog_load.elf_len = (uint32_t)fread(elf, 1, sizeof(elf), f);
	fclose(f);
	load_msgs[object_count] = malloc(CTL_HEADER_SIZE + CTL_NAME_MAX + 8 + sizeof(elf));
	if (!load_msgs[object_count] ||
	    ctl_request_encode(&load, load_msgs[object_count],
			       CTL_HEADER_SIZE + CTL_NAME_MAX + 8 + sizeof(elf),
			       &load_lens[object_count]) != 0)
		abort();
	object_count++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *paths = getenv("FUZZ_CTL_OBJECTS");
	char *list = paths ? strdup(paths) : NULL;

	if (!list) {
		fprintf(stderr, "fuzz_ctl: set FUZZ_CTL_OBJECTS to compiled objects, "
				"PATH[:PATH]\n");
		exit(2);
	}
	for (char *path = strtok(list, ":"); path; path = strtok(NULL, ":"))
		prepare_load(path);
	free(list);
	host_platform_install();
	atexit(print_stats);
	return 0;
}

/*
 * Executes one message and checks its reply. The message is copied into a
 * buffer of exactly its length, so that ASan sees any read past its end.
 */
static int execute(struct ctl *ctl, const uint8_t *bytes, size_t len)
{
	static uint8_t reply[REPLY_SIZE];
	char audit[AUDIT_SIZE], log_buf[AUDIT_SIZE];
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ctl_reply decoded;
	size_t reply_len = 0;
	uint8_t *msg = malloc(len ? len : 1);

	if (!msg)
		abort();
	memcpy(msg, bytes, len);
	int status = ctl_execute(ctl, "fuzz", msg, len, reply, sizeof(reply), &reply_len, audit,
				 sizeof(audit));
	free(msg);

	if (ctl_reply_decode(reply, reply_len, CTL_PAYLOAD_MAX, &decoded, &log) != 0 ||
	    decoded.status != status) {
		fprintf(stderr, "fuzz_ctl: bad reply (status %d): %s\n", status, log_buf);
		abort();
	}
	struct ctl_counts counts;
	ctl_get_counts(ctl, &counts);
	if (counts.progs > limits.max_progs || counts.maps > limits.max_maps ||
	    counts.map_bytes > limits.max_map_bytes || counts.attachments > limits.max_attachments)
		abort();
	if (status)
		snprintf(last_error, sizeof(last_error), "%s", decoded.error);
	return status;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[CTL_HEADER_SIZE + MAX_MESSAGE];
	struct ctl_config config = {.limits = limits, .attach = &fake_ops};
	struct ctl *ctl;
	size_t len;

	memset(nic_prog, 0, sizeof(nic_prog));
	if (ctl_create(&config, &ctl) != 0)
		abort();
	for (size_t i = 0; i < object_count; i++)
		if (execute(ctl, load_msgs[i], load_lens[i]) != 0) {
			fprintf(stderr, "fuzz_ctl: object %zu does not load: %s\n", i, last_error);
			abort();
		}

	while (size >= RECORD_HEADER) {
		uint8_t mode = data[0];
		size_t n = (size_t)data[1] | (size_t)data[2] << 8;
		data += RECORD_HEADER;
		size -= RECORD_HEADER;
		n = n < size ? n : size;
		if (n > MAX_MESSAGE)
			n = MAX_MESSAGE;
		memcpy(msg, data, n);
		data += n;
		size -= n;
		len = n;
		if (mode & MODE_REPAIR) {
			if (len < CTL_HEADER_SIZE) {
				memset(msg + len, 0, CTL_HEADER_SIZE - len);
				len = CTL_HEADER_SIZE;
			}
			put32(msg, CTL_MAGIC);
			msg[4] = CTL_VERSION;
			msg[5] = 0;
			put32(msg + 12, (uint32_t)(len - CTL_HEADER_SIZE));
			put32(msg + 16, 0);
			put32(msg + 20, 0);
			if (mode & MODE_PICK_TYPE) {
				uint16_t type =
				    commands[((mode >> MODE_TYPE_SHIFT) & MODE_TYPE_MASK) %
					     (sizeof(commands) / sizeof(commands[0]))];
				msg[6] = (uint8_t)type;
				msg[7] = (uint8_t)(type >> 8);
			}
		}
		messages++;
		accepted += execute(ctl, msg, len) == 0;
	}
	/* what a guest does before it frees the registry: detach everything */
	for (uint32_t i = 1; i <= FUZZ_IFINDEX_MAX; i++) {
		struct ctl_request detach = {.type = CTL_PROG_DETACH, .attach = {.ifindex = i}};
		if (ctl_request_encode(&detach, msg, sizeof(msg), &len) != 0)
			abort();
		execute(ctl, msg, len);
	}
	for (uint32_t i = 0; i <= FUZZ_IFINDEX_MAX; i++)
		if (nic_prog[i])
			abort(); /* ctl lost track of an attachment */
	ctl_free(ctl);
	return 0;
}
