/*
 * `ukbpf verify` and `ukbpf run` (which verifies first): the tool's side of the
 * verifier (ebpf_verify).
 */
#ifndef UKBPF_TOOLS_VERIFY_H
#define UKBPF_TOOLS_VERIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "ebpf.h"

struct verify_options {
	bool verbose;	       /* -v: the log gets every state */
	const char *type_name; /* --type: a section name ("xdp/devmap") or "unspec"; or NULL */
};

/*
 * Parses a verify-only option at argv[*i] (advancing *i past its value).
 * Returns 1 when it was one, 0 when not, -1 on a bad value (message
 * printed).
 */
int verify_parse_option(int argc, char **argv, int *i, struct verify_options *opts);

/*
 * Verifies *progp and prints "accepted" or "rejected", the log, the
 * statistics and the time to out. With opts->type_name, *progp is first
 * copied as a program of the type and expected attach type that section
 * name gives (a --raw program is UNSPEC), keeping its maps; the copy
 * replaces *progp and the caller's release frees the original, so
 * *replacement receives the program to free (or NULL).
 * Returns 0 when accepted, 1 when rejected or on error.
 */
int verify_command(struct ebpf_prog **progp, const struct verify_options *opts,
		   struct ebpf_prog **replacement, FILE *out);

/* For run: 0 when prog is accepted; else prints the log to stderr. */
int verify_before_run(struct ebpf_prog *prog);

#endif /* UKBPF_TOOLS_VERIFY_H */
