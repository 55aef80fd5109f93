/*
 * ukbpf: run, disassemble and JIT-dump eBPF programs on the host.
 * The program and context kinds are pluggable (see source.h); this file
 * parses the command line and drives the library.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebpf.h"
#include "host_platform.h"
#include "source.h"
#include "verify.h"

#define EXIT_USAGE		2
#define ERR_BYTES		512
#define LOG_BYTES		512
#define DIS_LINE_BYTES		128
#define JIT_DUMP_BYTES_PER_LINE 16
#define TIMING_BATCHES		21
#define NSEC_PER_SEC		1000000000.0

static const struct program_source *const program_sources[] = {
    &program_source_raw,
    &program_source_elf,
    &program_source_cbpf,
};

static const struct context_source *const context_sources[] = {
    &context_source_mem,
    &context_source_packet,
    &context_source_pcap,
    &context_source_pcap_bytes,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum engine { ENGINE_INTERP, ENGINE_JIT };

struct tool_options {
	const char *command;
	const struct program_source *source;
	const char *program_arg;
	const struct context_source *context;
	const char *context_arg;
	enum engine engine;
	bool engine_given;
	bool blind;
	unsigned long long repeat;
	bool no_verify; /* run --no-verify: skip the verifier (ISA test programs) */
	struct verify_options verify_opts;
	/* --set, --map-max and --kconfig, in command-line order (a later one wins). */
	struct ebpf_global_value *globals;
	size_t global_count;
	struct ebpf_map_size *map_sizes;
	size_t map_size_count;
	struct ebpf_kconfig_value *kconfig;
	size_t kconfig_count;
	const char *pcap_out_path;  /* run --pcap-out FILE */
	const char *dump_maps_path; /* run --dump-maps FILE ("-": stdout) */
};

static void print_help(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: ukbpf run [--interp|--jit] [--blind] [--repeat N] [--no-verify]\n"
		"                 [--pcap-out FILE] [--dump-maps FILE] [OBJECT OPTIONS]\n"
		"                 PROGRAM [CONTEXT]\n"
		"       ukbpf verify [-v] [--type SECTION|unspec] [OBJECT OPTIONS] PROGRAM\n"
		"       ukbpf dis PROGRAM\n"
		"       ukbpf jit-dump [--blind] PROGRAM\n"
		"       ukbpf info OBJ.o\n"
		"       ukbpf --help\n"
		"\n"
		"commands:\n"
		"  run       verify PROGRAM, then run it once per input and print r0 as\n"
		"            0x... (lowercase hex); a rejected program prints the verifier\n"
		"            log to stderr and does not run\n"
		"  dis       print 'INDEX: INSTRUCTION' per instruction, llvm-objdump syntax\n"
		"  jit-dump  print the x86-64 JIT code as hex bytes; to disassemble it:\n"
		"              ukbpf jit-dump P | xxd -r -p > jit.bin &&\n"
		"              objdump -D -b binary -mi386:x86-64 jit.bin\n"
		"  info      list an ELF object's programs (type, attach type, the section\n"
		"            rule that gave them, and why one did not load) and maps\n"
		"  verify    run the verifier: accepted/rejected, its log, work and time\n"
		"\n"
		"options:\n"
		"  --interp    run with the interpreter (default)\n"
		"  --jit       compile with the x86-64 JIT and run the compiled code\n"
		"  --blind     blind JIT constants (with --jit and jit-dump)\n"
		"  --repeat N  also run N times more and print the median ns/run over\n"
		"              %d batches (on the first input)\n"
		"  --no-verify run without verifying (ISA test programs, e.g. --mem ones,\n"
		"              that are not meant to be verifiable)\n"
		"  -v          verify: log every instruction's state\n"
		"  --type T    verify: check PROGRAM, with its maps, as the type and attach\n"
		"              type section name T gives (xdp, xdp/devmap, socket...), or\n"
		"              as unspec (a --raw program is unspec)\n"
		"  --pcap-out FILE   run: write the frames as the program left them to FILE\n"
		"              (pcapng, one packet per input, dropped ones too, each with\n"
		"              its verdict as the packet comment: 'verdict XDP_DROP (0x1)')\n"
		"  --dump-maps FILE  run: after each input, one JSON line with every map of\n"
		"              the object to FILE ('-': stdout): {\"input\": N, \"maps\": [...]}\n"
		"\n"
		"OBJECT OPTIONS (OBJ.o programs; repeatable; applied before the verifier):\n"
		"  --set NAME=VALUE  set the global variable NAME (.rodata, .data, .bss; found\n"
		"              by BTF) to the integer VALUE, as a libbpf skeleton sets\n"
		"              `const volatile` config before load\n"
		"  --map-max NAME=N  create map NAME with N entries (libbpf's\n"
		"              bpf_map__set_max_entries)\n"
		"  --kconfig NAME=VALUE  what `extern ... NAME __kconfig` reads instead of\n"
		"              ukbpf's value (libbpf's kconfig option): y, n, m, a number\n"
		"              or a \"string\", as in a kernel .config\n"
		"\n"
		"PROGRAM, one of:\n",
		TIMING_BATCHES);
	for (i = 0; i < ARRAY_SIZE(program_sources); i++)
		fprintf(out, "  %-22s %s\n", program_sources[i]->usage, program_sources[i]->help);
	fprintf(out, "\nCONTEXT (what r1 points to; default: an empty frame for xdp and socket\n"
		     "programs, r1 = NULL and r2 = 0 for --raw ones), one of:\n");
	for (i = 0; i < ARRAY_SIZE(context_sources); i++)
		fprintf(out, "  %-22s %s\n", context_sources[i]->usage, context_sources[i]->help);
	fprintf(out, "\nexit status: 0 on success, 1 when a program or input is rejected,\n"
		     "2 on a command-line error; reasons go to stderr.\n");
}

static int usage_error(const char *fmt, const char *what)
{
	fprintf(stderr, "ukbpf: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, " (see ukbpf --help)\n");
	return EXIT_USAGE;
}

static const struct program_source *program_source_for_flag(const char *flag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(program_sources); i++) {
		if (program_sources[i]->flag && strcmp(program_sources[i]->flag, flag) == 0)
			return program_sources[i];
	}
	return NULL;
}

/* A positional PROGRAM ("x.o" or "x.o:xdp") picks its source by suffix. */
static const struct program_source *program_source_for_path(const char *arg)
{
	const char *colon = strrchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(program_sources); i++) {
		const char *suffix = program_sources[i]->suffix;

		if (program_sources[i]->flag || !suffix || len < strlen(suffix))
			continue;
		if (strncmp(arg + len - strlen(suffix), suffix, strlen(suffix)) == 0)
			return program_sources[i];
	}
	return NULL;
}

static const struct context_source *context_source_for_flag(const char *flag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(context_sources); i++) {
		if (strcmp(context_sources[i]->flag, flag) == 0)
			return context_sources[i];
	}
	return NULL;
}

static int parse_repeat(const char *text, unsigned long long *repeat)
{
	char *end;

	errno = 0;
	*repeat = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || *repeat == 0)
		return -EINVAL;
	return 0;
}

/* "NAME=TEXT": the name up to the first '=' (malloc'd), and the text after it. */
static int split_setting(const char *flag, const char *arg, char **name, const char **text)
{
	const char *equals = strchr(arg, '=');

	if (!equals || equals == arg || !equals[1]) {
		fprintf(stderr, "ukbpf: %s: '%s' is not NAME=VALUE (see ukbpf --help)\n", flag,
			arg);
		return EXIT_USAGE;
	}
	*name = strndup(arg, (size_t)(equals - arg));
	if (!*name) {
		fprintf(stderr, "ukbpf: out of memory\n");
		return EXIT_FAILURE;
	}
	*text = equals + 1;
	return 0;
}

/* A decimal or 0x integer, negative ones as their two's complement. */
static int parse_integer(const char *text, uint64_t *value)
{
	char *end;

	errno = 0;
	if (text[0] == '-')
		*value = (uint64_t)strtoll(text, &end, 0);
	else
		*value = strtoull(text, &end, 0);
	if (errno || end == text || *end || (text[0] != '-' && !isdigit((unsigned char)text[0])))
		return -EINVAL;
	return 0;
}

static int add_global(struct tool_options *opts, const char *arg)
{
	struct ebpf_global_value *globals;
	const char *text;
	char *name;
	uint64_t value;
	int status = split_setting("--set", arg, &name, &text);

	if (status)
		return status;
	if (parse_integer(text, &value)) {
		fprintf(stderr, "ukbpf: --set: '%s': VALUE is not an integer (see ukbpf --help)\n",
			arg);
		free(name);
		return EXIT_USAGE;
	}
	globals = realloc(opts->globals, (opts->global_count + 1) * sizeof(*globals));
	if (!globals) {
		free(name);
		fprintf(stderr, "ukbpf: out of memory\n");
		return EXIT_FAILURE;
	}
	opts->globals = globals;
	globals[opts->global_count++] = (struct ebpf_global_value){name, value};
	return 0;
}

static int add_map_size(struct tool_options *opts, const char *arg)
{
	struct ebpf_map_size *sizes;
	const char *text;
	char *name;
	uint64_t value;
	int status = split_setting("--map-max", arg, &name, &text);

	if (status)
		return status;
	if (parse_integer(text, &value) || text[0] == '-' || value == 0 || value > UINT32_MAX) {
		fprintf(
		    stderr,
		    "ukbpf: --map-max: '%s': N is not a count from 1 to %u (see ukbpf --help)\n",
		    arg, UINT32_MAX);
		free(name);
		return EXIT_USAGE;
	}
	sizes = realloc(opts->map_sizes, (opts->map_size_count + 1) * sizeof(*sizes));
	if (!sizes) {
		free(name);
		fprintf(stderr, "ukbpf: out of memory\n");
		return EXIT_FAILURE;
	}
	opts->map_sizes = sizes;
	sizes[opts->map_size_count++] = (struct ebpf_map_size){name, (uint32_t)value};
	return 0;
}

static int add_kconfig(struct tool_options *opts, const char *arg)
{
	struct ebpf_kconfig_value *kconfig;
	const char *text;
	char *name;
	int status = split_setting("--kconfig", arg, &name, &text);

	if (status)
		return status;
	kconfig = realloc(opts->kconfig, (opts->kconfig_count + 1) * sizeof(*kconfig));
	if (!kconfig) {
		free(name);
		fprintf(stderr, "ukbpf: out of memory\n");
		return EXIT_FAILURE;
	}
	opts->kconfig = kconfig;
	/* The loader looks the first match up: the latest goes first. */
	memmove(&kconfig[1], &kconfig[0], opts->kconfig_count * sizeof(*kconfig));
	kconfig[0] = (struct ebpf_kconfig_value){name, text};
	opts->kconfig_count++;
	return 0;
}

static void free_object_settings(struct tool_options *opts)
{
	size_t i;

	for (i = 0; i < opts->global_count; i++)
		free((char *)opts->globals[i].name);
	for (i = 0; i < opts->map_size_count; i++)
		free((char *)opts->map_sizes[i].name);
	for (i = 0; i < opts->kconfig_count; i++)
		free((char *)opts->kconfig[i].name);
	free(opts->globals);
	free(opts->map_sizes);
	free(opts->kconfig);
}

/* --pcap-out and --dump-maps: FILE, and only with run. */
static int take_run_output(struct tool_options *opts, const char *flag, const char *value,
			   const char **path)
{
	if (!value)
		return usage_error("%s needs an argument", flag);
	if (strcmp(opts->command, "run") != 0)
		return usage_error("%s only makes sense with run", flag);
	*path = value;
	return 0;
}

static int parse_options(int argc, char **argv, struct tool_options *opts)
{
	int i;

	opts->command = argv[1];
	for (i = 2; i < argc; i++) {
		const char *arg = argv[i];
		const struct program_source *source = program_source_for_flag(arg);
		const struct context_source *context = context_source_for_flag(arg);
		bool has_value = i + 1 < argc;
		int parsed;

		if (source || context) {
			if (!has_value)
				return usage_error("%s needs an argument", arg);
			if (source && opts->source)
				return usage_error("%s: only one PROGRAM allowed", arg);
			if (context && opts->context)
				return usage_error("%s: only one CONTEXT allowed", arg);
			if (source) {
				opts->source = source;
				opts->program_arg = argv[++i];
			} else {
				opts->context = context;
				opts->context_arg = argv[++i];
			}
		} else if (strcmp(arg, "--interp") == 0 || strcmp(arg, "--jit") == 0) {
			enum engine engine = arg[2] == 'j' ? ENGINE_JIT : ENGINE_INTERP;

			if (opts->engine_given && opts->engine != engine)
				return usage_error("%s: --interp and --jit exclude each other",
						   arg);
			opts->engine = engine;
			opts->engine_given = true;
		} else if (strcmp(arg, "--blind") == 0) {
			opts->blind = true;
		} else if (strcmp(arg, "--repeat") == 0) {
			if (!has_value)
				return usage_error("%s needs an argument", arg);
			if (parse_repeat(argv[++i], &opts->repeat))
				return usage_error("--repeat: '%s' is not a positive count",
						   argv[i]);
		} else if (strcmp(arg, "--set") == 0 || strcmp(arg, "--map-max") == 0 ||
			   strcmp(arg, "--kconfig") == 0) {
			if (!has_value)
				return usage_error("%s needs an argument", arg);
			parsed = arg[2] == 's'	 ? add_global(opts, argv[++i])
				 : arg[2] == 'm' ? add_map_size(opts, argv[++i])
						 : add_kconfig(opts, argv[++i]);
			if (parsed)
				return parsed;
		} else if (strcmp(arg, "--pcap-out") == 0 || strcmp(arg, "--dump-maps") == 0) {
			parsed = take_run_output(opts, arg, has_value ? argv[i + 1] : NULL,
						 arg[2] == 'p' ? &opts->pcap_out_path
							       : &opts->dump_maps_path);
			if (parsed)
				return parsed;
			i++;
		} else if (strcmp(arg, "--no-verify") == 0) {
			if (strcmp(opts->command, "run") != 0)
				return usage_error("%s: --no-verify only makes sense with run",
						   opts->command);
			opts->no_verify = true;
		} else if (strcmp(opts->command, "verify") == 0 &&
			   (parsed = verify_parse_option(argc, argv, &i, &opts->verify_opts)) !=
			       0) {
			if (parsed < 0)
				return EXIT_USAGE;
		} else if (arg[0] == '-') {
			return usage_error("unknown option '%s'", arg);
		} else if (opts->source) {
			return usage_error("%s: only one PROGRAM allowed", arg);
		} else {
			opts->source = program_source_for_path(arg);
			if (!opts->source)
				return usage_error("%s: unknown program kind", arg);
			opts->program_arg = arg;
		}
	}
	if (!opts->source)
		return usage_error("%s: no PROGRAM given", opts->command);
	if ((opts->global_count || opts->map_size_count || opts->kconfig_count) &&
	    !opts->source->takes_object_opts)
		return usage_error("%s: --set, --map-max and --kconfig need an OBJ.o program",
				   opts->program_arg);
	return 0;
}

static int load_program(const struct tool_options *opts, struct loaded_program *loaded)
{
	const struct ebpf_object_load_opts object_opts = {
	    .globals = opts->globals,
	    .global_count = opts->global_count,
	    .map_sizes = opts->map_sizes,
	    .map_size_count = opts->map_size_count,
	    .kconfig = opts->kconfig,
	    .kconfig_count = opts->kconfig_count,
	};
	char err[ERR_BYTES] = "";
	char *path = strdup(opts->program_arg);
	char *section = NULL;
	int ret;

	if (!path) {
		fprintf(stderr, "ukbpf: out of memory\n");
		return -ENOMEM;
	}
	if (!opts->source->flag) {
		char *colon = strrchr(path, ':');

		if (colon) {
			*colon = '\0';
			section = colon + 1;
		}
	}
	ret =
	    opts->source->load(path, section, opts->source->takes_object_opts ? &object_opts : NULL,
			       loaded, err, sizeof(err));
	if (ret)
		fprintf(stderr, "ukbpf: %s: %s\n", path, err);
	free(path);
	return ret;
}

static int jit_program(const struct tool_options *opts, struct ebpf_prog *prog)
{
	struct ebpf_jit_opts jit_opts = {.blind_constants = opts->blind};
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	int ret = ebpf_prog_jit(prog, &jit_opts, &log);

	if (ret)
		fprintf(stderr, "ukbpf: %s: jit: %s\n", opts->program_arg,
			log_buf[0] ? log_buf : strerror(-ret));
	return ret;
}

static uint64_t run_once(const struct tool_options *opts, const struct ebpf_prog *prog,
			 const struct run_input *input)
{
	if (opts->engine == ENGINE_JIT)
		return ebpf_prog_run(prog, input->ctx, input->ctx_len);
	return ebpf_prog_run_interp(prog, input->ctx, input->ctx_len);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * NSEC_PER_SEC + (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Runs count times. JIT code is called through its entry, as a receive
 * path would call it: through ebpf_prog_run, the call and check around
 * the program would be timed with it.
 */
static void run_batch(const struct tool_options *opts, const struct ebpf_prog *prog,
		      const struct run_input *input, unsigned long long count)
{
	ebpf_jit_fn jit_fn = opts->engine == ENGINE_JIT ? ebpf_prog_get_jit_fn(prog) : NULL;
	unsigned long long k;

	if (jit_fn) {
		for (k = 0; k < count; k++)
			jit_fn(input->ctx, input->ctx_len);
		return;
	}
	for (k = 0; k < count; k++)
		run_once(opts, prog, input);
}

/* The median of per-batch averages resists outliers (interrupts, migration). */
static void print_timing(const struct tool_options *opts, const struct ebpf_prog *prog,
			 const struct run_input *input)
{
	double batch_ns[TIMING_BATCHES];
	unsigned int batches =
	    opts->repeat < TIMING_BATCHES ? (unsigned int)opts->repeat : TIMING_BATCHES;
	unsigned long long per_batch = opts->repeat / batches;
	unsigned int b;

	for (b = 0; b < batches; b++) {
		double start = now_ns();

		run_batch(opts, prog, input, per_batch);
		batch_ns[b] = (now_ns() - start) / (double)per_batch;
	}
	qsort(batch_ns, batches, sizeof(batch_ns[0]), compare_doubles);
	printf("%.1f ns/run (median of %u batches of %llu runs)\n", batch_ns[batches / 2], batches,
	       per_batch);
}

/* The run's output files: --pcap-out and --dump-maps. */
struct run_outputs {
	struct pcap_out *pcap;
	FILE *dump;
};

static int open_run_outputs(const struct tool_options *opts, const struct context_source *context,
			    struct run_outputs *outputs)
{
	char err[ERR_BYTES] = "";

	if (opts->pcap_out_path && (!context || !context->frame_out)) {
		fprintf(stderr, "ukbpf: --pcap-out: %s runs on no frames\n",
			context ? context->flag : "a program without a CONTEXT");
		return -EINVAL;
	}
	if (opts->pcap_out_path &&
	    pcap_out_open(opts->pcap_out_path, &outputs->pcap, err, sizeof(err))) {
		fprintf(stderr, "ukbpf: --pcap-out: %s\n", err);
		return -EIO;
	}
	if (opts->dump_maps_path) {
		outputs->dump = strcmp(opts->dump_maps_path, "-") == 0
				    ? stdout
				    : fopen(opts->dump_maps_path, "w");
		if (!outputs->dump) {
			fprintf(stderr, "ukbpf: --dump-maps: %s: %s\n", opts->dump_maps_path,
				strerror(errno));
			return -EIO;
		}
	}
	return 0;
}

static int close_run_outputs(struct run_outputs *outputs)
{
	char err[ERR_BYTES] = "";
	int ret = 0;

	if (outputs->pcap && pcap_out_close(outputs->pcap, err, sizeof(err))) {
		fprintf(stderr, "ukbpf: --pcap-out: %s\n", err);
		ret = -EIO;
	}
	if (outputs->dump && outputs->dump != stdout && fclose(outputs->dump) != 0) {
		fprintf(stderr, "ukbpf: --dump-maps: %s\n", strerror(errno));
		ret = -EIO;
	}
	return ret;
}

static int command_run(const struct tool_options *opts, const struct loaded_program *loaded)
{
	static struct run_input no_context = {NULL, 0, NULL};
	const struct context_source *context = opts->context;
	struct ebpf_prog *prog = loaded->prog;
	struct run_input *inputs = &no_context;
	struct run_outputs outputs = {NULL, NULL};
	size_t count = 1, i;
	char err[ERR_BYTES] = "";
	int status = EXIT_SUCCESS;

	/* Only the ISA tests' convention (unspec) runs with r1 = NULL. */
	if (!context && ebpf_prog_get_type(prog) != EBPF_PROG_TYPE_UNSPEC)
		context = &context_source_empty_frame;
	if (!opts->no_verify && verify_before_run(prog))
		return EXIT_FAILURE;
	if (opts->engine == ENGINE_JIT && jit_program(opts, prog))
		return EXIT_FAILURE;
	if (context && context->load(opts->context_arg, ebpf_prog_get_type(prog), &inputs, &count,
				     err, sizeof(err))) {
		fprintf(stderr, "ukbpf: %s: %s\n", context->flag, err);
		return EXIT_FAILURE;
	}
	if (open_run_outputs(opts, context, &outputs))
		status = EXIT_FAILURE;
	for (i = 0; i < count && status == EXIT_SUCCESS; i++) {
		uint64_t r0 = run_once(opts, prog, &inputs[i]);
		struct frame_out frame;

		if (context && context->report)
			context->report(&inputs[i], r0, stdout);
		else
			printf("0x%llx\n", (unsigned long long)r0);
		if (outputs.pcap) {
			context->frame_out(&inputs[i], &frame);
			pcap_out_write(outputs.pcap, ebpf_prog_get_type(prog), &frame, r0);
		}
		if (outputs.dump)
			map_dump_write(loaded->object, i, outputs.dump);
	}
	if (close_run_outputs(&outputs))
		status = EXIT_FAILURE;
	if (status == EXIT_SUCCESS && opts->repeat && count > 0)
		print_timing(opts, prog, &inputs[0]);
	if (context)
		context->free(inputs, count);
	return status;
}

static int command_dis(const struct ebpf_prog *prog)
{
	size_t count, index = 0, used;
	const struct ebpf_insn *insns = ebpf_prog_get_insns(prog, &count);
	char line[DIS_LINE_BYTES];

	while ((used = ebpf_disassemble(insns, count, index, line, sizeof(line))) != 0) {
		printf("%zu: %s\n", index, line);
		index += used;
	}
	return EXIT_SUCCESS;
}

static int command_jit_dump(const struct tool_options *opts, struct ebpf_prog *prog)
{
	const uint8_t *code;
	size_t size, i;

	if (jit_program(opts, prog))
		return EXIT_FAILURE;
	code = ebpf_prog_get_jit_code(prog, &size);
	for (i = 0; i < size; i++)
		printf("%02x%c", code[i],
		       (i + 1) % JIT_DUMP_BYTES_PER_LINE == 0 || i + 1 == size ? '\n' : ' ');
	return EXIT_SUCCESS;
}

static int command_verify(const struct tool_options *opts, struct ebpf_prog *prog)
{
	struct ebpf_prog *retyped;
	int status = verify_command(&prog, &opts->verify_opts, &retyped, stdout);

	ebpf_prog_free(retyped);
	return status;
}

static int command_info(int argc, char **argv)
{
	char err[ERR_BYTES] = "";

	if (argc != 3)
		return usage_error("%s", "info needs one OBJ.o");
	if (elf_object_info(argv[2], stdout, err, sizeof(err))) {
		fprintf(stderr, "ukbpf: %s: %s\n", argv[2], err);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct tool_options opts = {.engine = ENGINE_INTERP};
	struct loaded_program loaded = {0};
	int status;

	if (argc < 2)
		return usage_error("%s", "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "info") == 0)
		return command_info(argc, argv);
	if (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "dis") != 0 &&
	    strcmp(argv[1], "jit-dump") != 0 && strcmp(argv[1], "verify") != 0)
		return usage_error("unknown command '%s'", argv[1]);
	status = parse_options(argc, argv, &opts);
	if (status) {
		free_object_settings(&opts);
		return status;
	}
	if (strcmp(opts.command, "run") != 0 && opts.context)
		return usage_error("%s: a CONTEXT only makes sense with run", opts.context->flag);

	host_platform_install();
	if (load_program(&opts, &loaded)) {
		free_object_settings(&opts);
		return EXIT_FAILURE;
	}
	if (strcmp(opts.command, "run") == 0)
		status = command_run(&opts, &loaded);
	else if (strcmp(opts.command, "dis") == 0)
		status = command_dis(loaded.prog);
	else if (strcmp(opts.command, "verify") == 0)
		status = command_verify(&opts, loaded.prog);
	else
		status = command_jit_dump(&opts, loaded.prog);
	loaded.release(&loaded);
	free_object_settings(&opts);
	return status;
}
