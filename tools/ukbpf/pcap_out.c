/*
 * --pcap-out FILE: the frames as the program left them, one per run and
 * in input order, dropped ones included, so that packet N of the output
 * is input N. The format is pcapng (draft-ietf-opsawg-pcapng), which
 * tcpdump, Wireshark and scapy read, because it gives each packet a
 * comment: the verdict, as "verdict XDP_DROP (0x1)" for an XDP program
 * and "r0 0x..." for others, then " meta HEX" when the program left XDP
 * metadata in front of the frame (the packet itself starts at data),
 * and a newline, which scapy's reader (2.5) needs to see a comment.
 *
 * Blocks: one Section Header, one Interface Description (link type
 * Ethernet, what XDP programs see), then an Enhanced Packet Block per
 * frame with timestamp 0, so the same run gives the same file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define PCAPNG_BLOCK_SHB      0x0a0d0d0au
#define PCAPNG_BLOCK_IDB      0x00000001u
#define PCAPNG_BLOCK_EPB      0x00000006u
#define PCAPNG_BYTE_ORDER     0x1a2b3c4du
#define PCAPNG_VERSION_MAJOR  1
#define PCAPNG_VERSION_MINOR  0
#define PCAPNG_UNKNOWN_LENGTH UINT64_MAX
#define PCAPNG_OPT_END	      0
#define PCAPNG_OPT_COMMENT    1
#define PCAPNG_ALIGN	      4
#define LINKTYPE_ETHERNET     1
#define SNAPLEN_UNLIMITED     0
/* Block type and both total lengths. */
#define BLOCK_FRAMING 12
/* EPB body before the packet: interface, timestamp high and low, captured and original length. */
#define EPB_FIXED_BYTES 20
#define COMMENT_BYTES	160
#define META_HEX_BYTES	(2 * EBPF_XDP_HEADROOM + 1)

struct pcap_out {
	FILE *file;
	const char *path;
	int error; /* the first write error (errno), reported at close */
};

static const char *const xdp_action_names[] = {
    [EBPF_XDP_ABORTED] = "XDP_ABORTED",	  [EBPF_XDP_DROP] = "XDP_DROP",
    [EBPF_XDP_PASS] = "XDP_PASS",	  [EBPF_XDP_TX] = "XDP_TX",
    [EBPF_XDP_REDIRECT] = "XDP_REDIRECT",
};

static size_t padded(size_t len)
{
	return (len + PCAPNG_ALIGN - 1) & ~(size_t)(PCAPNG_ALIGN - 1);
}

static void put_bytes(struct pcap_out *out, const void *bytes, size_t len)
{
	if (len && fwrite(bytes, 1, len, out->file) != len && !out->error)
		out->error = errno ? errno : EIO;
}

static void put_u32(struct pcap_out *out, uint32_t value)
{
	put_bytes(out, &value, sizeof(value));
}

static void put_padding(struct pcap_out *out, size_t len)
{
	static const uint8_t zeros[PCAPNG_ALIGN];

	put_bytes(out, zeros, padded(len) - len);
}

/* An option: code, length, value padded to 4 bytes. */
static void put_option(struct pcap_out *out, uint16_t code, const void *value, uint16_t len)
{
	put_bytes(out, &code, sizeof(code));
	put_bytes(out, &len, sizeof(len));
	put_bytes(out, value, len);
	put_padding(out, len);
}

static void put_headers(struct pcap_out *out)
{
	uint16_t version[2] = {PCAPNG_VERSION_MAJOR, PCAPNG_VERSION_MINOR};
	uint64_t section_length = PCAPNG_UNKNOWN_LENGTH;
	uint16_t link[2] = {LINKTYPE_ETHERNET, 0};
	uint32_t shb_len = BLOCK_FRAMING + 4 + sizeof(version) + sizeof(section_length);
	uint32_t idb_len = BLOCK_FRAMING + sizeof(link) + 4;

	put_u32(out, PCAPNG_BLOCK_SHB);
	put_u32(out, shb_len);
	put_u32(out, PCAPNG_BYTE_ORDER);
	put_bytes(out, version, sizeof(version));
	put_bytes(out, &section_length, sizeof(section_length));
	put_u32(out, shb_len);

	put_u32(out, PCAPNG_BLOCK_IDB);
	put_u32(out, idb_len);
	put_bytes(out, link, sizeof(link));
	put_u32(out, SNAPLEN_UNLIMITED);
	put_u32(out, idb_len);
}

int pcap_out_open(const char *path, struct pcap_out **outp, char *err, size_t errlen)
{
	struct pcap_out *out = calloc(1, sizeof(*out));

	if (!out) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	out->path = path;
	out->file = fopen(path, "wb");
	if (!out->file) {
		int ret = -errno;

		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(out);
		return ret;
	}
	put_headers(out);
	*outp = out;
	return 0;
}

static void verdict_comment(enum ebpf_prog_type type, const struct frame_out *frame, uint64_t r0,
			    char *comment, size_t size)
{
	size_t used, i;

	if (type == EBPF_PROG_TYPE_XDP && r0 <= EBPF_XDP_REDIRECT)
		used = (size_t)snprintf(comment, size, "verdict %s (0x%llx)", xdp_action_names[r0],
					(unsigned long long)r0);
	else if (type == EBPF_PROG_TYPE_XDP)
		used = (size_t)snprintf(comment, size, "verdict unknown (0x%llx)",
					(unsigned long long)r0);
	else
		used = (size_t)snprintf(comment, size, "r0 0x%llx", (unsigned long long)r0);
	if (frame->meta_len && used + sizeof(" meta ") < size) {
		used += (size_t)snprintf(comment + used, size - used, " meta ");
		for (i = 0; i < frame->meta_len && used + 3 < size; i++)
			used +=
			    (size_t)snprintf(comment + used, size - used, "%02x", frame->meta[i]);
	}
	snprintf(comment + used, size - used, "\n");
}

int pcap_out_write(struct pcap_out *out, enum ebpf_prog_type type, const struct frame_out *frame,
		   uint64_t r0)
{
	char comment[COMMENT_BYTES + META_HEX_BYTES];
	size_t comment_len, block_len;

	verdict_comment(type, frame, r0, comment, sizeof(comment));
	comment_len = strlen(comment);
	block_len =
	    BLOCK_FRAMING + EPB_FIXED_BYTES + padded(frame->len) + 4 + padded(comment_len) + 4;
	if (block_len > UINT32_MAX)
		return -E2BIG;
	put_u32(out, PCAPNG_BLOCK_EPB);
	put_u32(out, (uint32_t)block_len);
	put_u32(out, 0); /* interface 0 */
	put_u32(out, 0); /* timestamp, high */
	put_u32(out, 0); /* and low */
	put_u32(out, (uint32_t)frame->len);
	put_u32(out, (uint32_t)frame->len);
	put_bytes(out, frame->data, frame->len);
	put_padding(out, frame->len);
	put_option(out, PCAPNG_OPT_COMMENT, comment, (uint16_t)comment_len);
	put_option(out, PCAPNG_OPT_END, NULL, 0);
	put_u32(out, (uint32_t)block_len);
	return out->error ? -out->error : 0;
}

int pcap_out_close(struct pcap_out *out, char *err, size_t errlen)
{
	int ret;

	if (fclose(out->file) != 0 && !out->error)
		out->error = errno ? errno : EIO;
	ret = -out->error;
	if (ret)
		snprintf(err, errlen, "%s: %s", out->path, strerror(out->error));
	free(out);
	return ret;
}
