/*
 * `ukbpf verify PROGRAM [-v] [--type TYPE]`: runs the verifier and prints
 * its verdict, log, work figures and time; exit status 0 only when the
 * program is accepted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify.h"

/* Big enough for a -v log of a large program; the library truncates. */
#define VERBOSE_LOG_BYTES (64u << 20)
#define LOG_BYTES	  (64u << 10)
#define NSEC_PER_USEC	  1000.0
#define NSEC_PER_SEC	  1000000000.0
#define VERIFIER_BUDGET	  1000000

#define TYPE_CHOICES "a section name such as xdp, xdp/devmap, socket; or unspec"
#define UNSPEC_NAME  "unspec"

int verify_parse_option(int argc, char **argv, int *i, struct verify_options *opts)
{
	if (strcmp(argv[*i], "-v") == 0) {
		opts->verbose = true;
		return 1;
	}
	if (strcmp(argv[*i], "--type") != 0)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "ukbpf: --type needs an argument (" TYPE_CHOICES ")\n");
		return -1;
	}
	opts->type_name = argv[++*i];
	return 1;
}

/*
 * prog as a program of the type and expected attach type that libbpf's
 * section rules give type_name (as bpftool's "type" argument does), or
 * UNSPEC; with prog's maps.
 */
static int retype(struct ebpf_prog *prog, const char *type_name, struct ebpf_prog **out)
{
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_section_type st;
	int ret;

	ebpf_section_type(type_name, &st);
	if (st.match == EBPF_SECTION_NO_RULE && strcmp(type_name, UNSPEC_NAME) != 0) {
		fprintf(stderr, "ukbpf: --type: unknown program type '%s' (" TYPE_CHOICES ")\n",
			type_name);
		return -EINVAL;
	}
	ret = ebpf_prog_copy_as(prog, st.type, st.expected_attach_type, out, &log);
	if (ret)
		fprintf(stderr, "ukbpf: --type %s: %s\n", type_name,
			log_buf[0] ? log_buf : strerror(-ret));
	return ret;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * NSEC_PER_SEC + (double)ts.tv_nsec;
}

int verify_command(struct ebpf_prog **progp, const struct verify_options *opts,
		   struct ebpf_prog **replacement, FILE *out)
{
	size_t log_size = opts->verbose ? VERBOSE_LOG_BYTES : LOG_BYTES;
	struct ebpf_log log = {.size = log_size, .level = opts->verbose ? 1 : 0};
	struct ebpf_verify_stats stats = {0};
	double start;
	int ret;

	*replacement = NULL;
	if (opts->type_name) {
		if (retype(*progp, opts->type_name, replacement))
			return EXIT_FAILURE;
		*progp = *replacement;
	}
	log.buf = malloc(log_size);
	if (!log.buf) {
		fprintf(stderr, "ukbpf: out of memory\n");
		return EXIT_FAILURE;
	}
	log.buf[0] = '\0';
	start = now_ns();
	ret = ebpf_verify(*progp, &log, &stats);
	fprintf(out, "%s\n%s", ret == 0 ? "accepted" : "rejected", log.buf);
	if (ret && ret != -EACCES && ret != -E2BIG)
		fprintf(out, "error: %s\n", strerror(-ret));
	fprintf(out, "processed %llu insns (limit %d), stored %u states, peak %u\n",
		(unsigned long long)stats.insns_processed, VERIFIER_BUDGET, stats.states_stored,
		stats.peak_states);
	fprintf(out, "verification time %.0f us\n", (now_ns() - start) / NSEC_PER_USEC);
	free(log.buf);
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int verify_before_run(struct ebpf_prog *prog)
{
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	int ret = ebpf_verify(prog, &log, NULL);

	if (ret)
		fprintf(stderr, "ukbpf: program rejected by the verifier:\n%s", log_buf);
	return ret;
}
