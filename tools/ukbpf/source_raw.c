/*
 * --raw FILE: a program as bare instructions, 8 little-endian bytes each
 * (RFC 9669 §3), run as EBPF_PROG_TYPE_UNSPEC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define INSN_BYTES 8
#define LOG_BYTES  512

/* Decodes one instruction independently of the host's byte order. */
static struct ebpf_insn decode_insn(const uint8_t *bytes)
{
	struct ebpf_insn insn;

	insn.opcode = bytes[0];
	insn.dst_reg = bytes[1] & 0x0f;
	insn.src_reg = bytes[1] >> 4;
	insn.offset = (int16_t)(bytes[2] | bytes[3] << 8);
	insn.imm = (int32_t)((uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 |
			     (uint32_t)bytes[6] << 16 | (uint32_t)bytes[7] << 24);
	return insn;
}

static void release_raw(struct loaded_program *loaded)
{
	ebpf_prog_free(loaded->prog);
}

static int load_raw(const char *path, const char *section,
		    const struct ebpf_object_load_opts *object_opts, struct loaded_program *out,
		    char *err, size_t errlen)
{
	struct ebpf_prog_opts opts = {.type = EBPF_PROG_TYPE_UNSPEC};
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_insn *insns;
	const char *name;
	void *data;
	size_t size, count, i;
	int ret;

	ret = read_whole_file(path, &data, &size, err, errlen);
	if (ret)
		return ret;
	if (size % INSN_BYTES != 0) {
		snprintf(err, errlen, "size %zu is not a multiple of %d bytes", size, INSN_BYTES);
		free(data);
		return -EINVAL;
	}
	count = size / INSN_BYTES;
	insns = malloc((count ? count : 1) * sizeof(*insns));
	if (!insns) {
		free(data);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < count; i++)
		insns[i] = decode_insn((const uint8_t *)data + i * INSN_BYTES);
	free(data);
	name = strrchr(path, '/');
	opts.name = name ? name + 1 : path;
	ret = ebpf_prog_create(insns, count, &opts, &out->prog, &log);
	free(insns);
	if (ret) {
		snprintf(err, errlen, "%s", log_buf[0] ? log_buf : strerror(-ret));
		return ret;
	}
	out->owner = NULL;
	out->release = release_raw;
	return 0;
}

const struct program_source program_source_raw = {
    .flag = "--raw",
    .usage = "--raw FILE",
    .help = "bare instructions, 8 little-endian bytes each (type UNSPEC)",
    .load = load_raw,
};
