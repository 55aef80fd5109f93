/*
 * The control plane's command executor (docs/control.md): a registry of
 * what a running guest has loaded, and the execution of decoded requests
 * against it. Freestanding, like the rest of ebpf/, so that the guest and
 * host tests run the same code; transports (the virtio console, TCP) and
 * the NIC's XDP hook come in from outside.
 *
 * Life of a request: a transport reads one message (ctl_header_decode
 * tells it how long), hands it to ctl_execute, sends the reply back and
 * prints the audit line.
 *
 * The registry: every load makes an object (the ELF's maps and the one
 * program asked for, verified and compiled) with ids from three counters
 * that only grow, as Linux's idr does for programs and maps: an id is
 * never reused while the guest runs. A refused request changes nothing.
 */
#ifndef UKBPF_EBPF_CTL_H
#define UKBPF_EBPF_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_wire.h"
#include "ebpf.h"

/*
 * Run counters of one program, kept while stats are enabled
 * (BPF_ENABLE_STATS): whoever runs the program adds to them when
 * *enabled is true, as Linux's bpf_prog_run does with bpf_stats_enabled.
 */
struct ctl_run_stats {
	const bool *enabled;
	uint64_t run_cnt;
	uint64_t run_time_ns;
};

/*
 * Where programs meet a NIC: the guest's XDP hook implements these, the
 * host tests a fake. Each returns 0 or a negative errno with a reason in
 * log; the executor keeps its own record of what is attached where and
 * calls these only for requests that make sense by that record (a detach
 * of an ifindex with a program, a replace of the program there).
 *   attach   start running prog on ifindex's frames, counting into stats
 *   replace  run new instead of old from the next frame on: one switch,
 *            old never runs again once this returns (it stays loaded
 *            until a client unloads its object)
 *   detach   stop running anything on ifindex
 * A NULL ops (or hook) makes those requests -EOPNOTSUPP.
 */
struct ctl_attach_ops {
	void *ctx;
	int (*attach)(void *ctx, uint32_t ifindex, struct ebpf_prog *prog,
		      struct ctl_run_stats *stats, struct ebpf_log *log);
	int (*replace)(void *ctx, uint32_t ifindex, struct ebpf_prog *old,
		       struct ebpf_prog *new_prog, struct ctl_run_stats *stats,
		       struct ebpf_log *log);
	int (*detach)(void *ctx, uint32_t ifindex, struct ebpf_prog *prog, struct ebpf_log *log);
};

/* Limits on what clients may make the guest hold; 0 takes the default. */
struct ctl_limits {
	uint32_t max_progs;	  /* loaded programs (one per load) */
	uint32_t max_maps;	  /* maps of all loads together */
	uint64_t max_map_bytes;	  /* their memory (struct ctl_map_info.bytes) */
	uint32_t max_request;	  /* payload bytes of one request */
	uint32_t max_attachments; /* NICs with a program */
};
#define CTL_DEFAULT_MAX_PROGS	    64
#define CTL_DEFAULT_MAX_MAPS	    256
#define CTL_DEFAULT_MAX_MAP_BYTES   (64u << 20)
#define CTL_DEFAULT_MAX_REQUEST	    (1u << 20)
#define CTL_DEFAULT_MAX_ATTACHMENTS 8

struct ctl_config {
	struct ctl_limits limits;
	bool jit;			     /* compile loaded programs (else the interpreter) */
	const struct ctl_attach_ops *attach; /* may be NULL */
};

struct ctl;

/* A new, empty registry: 0, or -ENOMEM. config is copied. */
int ctl_create(const struct ctl_config *config, struct ctl **ctlp);
/* Frees everything loaded (detaching nothing: call ctl_execute's detach first). */
void ctl_free(struct ctl *ctl);

/*
 * Executes the request message msg (len bytes) and writes the reply
 * message into reply (reply_size bytes, at least CTL_HEADER_SIZE + 256;
 * a reply that does not fit becomes -ENOSPC with the sequence number).
 * A message that cannot be decoded is answered too: status the decoder's
 * error, the reason as text, type and seq as far as they could be read.
 * Returns the reply's status; *reply_len is 0 only when reply_size cannot
 * hold a header and the shortest refusal.
 *
 * audit gets one line (no newline) for every request that changed state
 * or was refused doing so: "ctl CHANNEL: BPF_PROG_LOAD 'xdp_pass' -> prog
 * 3 object 2 maps 4,5: ok"; it is "" for reads that succeeded. The
 * caller prints it: channel names who asked ("console", "tcp 10.0.2.2").
 */
int ctl_execute(struct ctl *ctl, const char *channel, const void *msg, size_t len, void *reply,
		size_t reply_size, size_t *reply_len, char *audit, size_t audit_size);

/* Counts for /metrics and tests. */
struct ctl_counts {
	uint32_t progs;
	uint32_t maps;
	uint32_t objects;
	uint32_t attachments;
	uint64_t map_bytes;
};
void ctl_get_counts(const struct ctl *ctl, struct ctl_counts *counts);

#endif /* UKBPF_EBPF_CTL_H */
