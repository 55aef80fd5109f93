/*
 * JIT compile time: builds straight-line programs of 1,000, 10,000 and
 * 100,000 ALU instructions and times ebpf_prog_create() (the structural
 * checks) and ebpf_prog_jit() on each, median of RUNS compilations.
 * Prints one line per size:
 *   INSNS insns: create X us, jit Y us (Z us per 1000 insns), B bytes of code
 * Each compiled program is run once and its r0 compared with the
 * interpreter's, so a fast but wrong compile cannot pass unnoticed.
 *
 * usage: jit_compile_time [RUNS]   (default 11)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timing.h"
#include "ebpf.h"
#include "host_platform.h"
#include "isa.h"

#define DEFAULT_RUNS	 11
#define NSEC_PER_USEC	 1000.0
#define INSNS_PER_FIGURE 1000.0
#define LOG_BYTES	 512
/* r0..r9 are written; r10 is the read-only frame pointer (RFC 9669 §2.3). */
#define WRITABLE_REGS 10

static const size_t program_sizes[] = {1000, 10000, 100000};

/*
 * A mix of the ALU operations a real program uses, with an immediate or a
 * register source, 64- and 32-bit: the JIT's common paths, without
 * division (whose zero check would make the code branchy).
 */
static const uint8_t alu_ops[] = {
    EBPF_ALU_ADD, EBPF_ALU_SUB, EBPF_ALU_XOR, EBPF_ALU_OR,
    EBPF_ALU_AND, EBPF_ALU_LSH, EBPF_ALU_RSH, EBPF_ALU_MUL,
};
#define ALU_OP_COUNT (sizeof(alu_ops) / sizeof(alu_ops[0]))
/* Immediates 1..31: valid shift counts for 32- and 64-bit operations alike. */
#define IMM_RANGE 31
/* Knuth's multiplicative hash constant: spreads immediates over IMM_RANGE. */
#define IMM_SCRAMBLE 2654435761u

/* count instructions: r0..r9 set, ALU operations on them, exit. */
static struct ebpf_insn *straight_line_program(size_t count)
{
	struct ebpf_insn *insns = calloc(count, sizeof(*insns));
	size_t i;

	if (!insns)
		return NULL;
	for (i = 0; i < count - 1; i++) {
		uint8_t dst = (uint8_t)(i % WRITABLE_REGS);
		uint8_t src = (uint8_t)((i / WRITABLE_REGS + 1 + dst) % WRITABLE_REGS);
		uint8_t op = alu_ops[(i / WRITABLE_REGS) % ALU_OP_COUNT];
		bool wide = (i / (WRITABLE_REGS * ALU_OP_COUNT)) % 2 == 0;
		bool reg_source = i % 3 == 0;

		if (i < WRITABLE_REGS) {
			op = EBPF_ALU_MOV;
			reg_source = false;
		}
		insns[i].opcode = op | (wide ? EBPF_CLS_ALU64 : EBPF_CLS_ALU) |
				  (reg_source ? EBPF_SRC_X : EBPF_SRC_K);
		insns[i].dst_reg = dst;
		insns[i].src_reg = reg_source ? src : 0;
		insns[i].imm = (int32_t)(i * IMM_SCRAMBLE % IMM_RANGE) + 1;
	}
	insns[count - 1].opcode = EBPF_CLS_JMP | EBPF_JMP_EXIT;
	return insns;
}

/* Compiles insns runs times; fills the median create and JIT times. */
static int time_compile(const struct ebpf_insn *insns, size_t count, unsigned int runs,
			double *create_us, double *jit_us, size_t *code_size)
{
	double *create_ns = calloc(runs, sizeof(double)), *jit_ns = calloc(runs, sizeof(double));
	struct ebpf_prog_opts opts = {.type = EBPF_PROG_TYPE_UNSPEC, .name = "straight_line"};
	struct ebpf_jit_opts jit_opts = {.blind_constants = false};
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	unsigned int r;
	int ret = 0;

	if (!create_ns || !jit_ns) {
		ret = -ENOMEM;
		goto out;
	}
	for (r = 0; r < runs; r++) {
		struct ebpf_prog *prog;
		double start = now_ns(), created;

		ret = ebpf_prog_create(insns, count, &opts, &prog, &log);
		created = now_ns();
		if (ret)
			goto out;
		ret = ebpf_prog_jit(prog, &jit_opts, &log);
		jit_ns[r] = now_ns() - created;
		create_ns[r] = created - start;
		if (!ret && r == 0) {
			uint64_t jit_r0 = ebpf_prog_run(prog, NULL, 0);
			uint64_t interp_r0 = ebpf_prog_run_interp(prog, NULL, 0);

			ebpf_prog_get_jit_code(prog, code_size);
			if (jit_r0 != interp_r0) {
				snprintf(log_buf, sizeof(log_buf),
					 "JIT r0 0x%llx differs from the interpreter's 0x%llx",
					 (unsigned long long)jit_r0, (unsigned long long)interp_r0);
				ret = -EINVAL;
			}
		}
		ebpf_prog_free(prog);
		if (ret)
			goto out;
	}
	qsort(create_ns, runs, sizeof(double), compare_doubles);
	qsort(jit_ns, runs, sizeof(double), compare_doubles);
	*create_us = create_ns[runs / 2] / NSEC_PER_USEC;
	*jit_us = jit_ns[runs / 2] / NSEC_PER_USEC;
out:
	if (ret)
		fprintf(stderr, "jit_compile_time: %zu insns: %s\n", count,
			log_buf[0] ? log_buf : strerror(-ret));
	free(create_ns);
	free(jit_ns);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int runs = DEFAULT_RUNS;
	size_t s;

	if (argc > 2 || (argc == 2 && (runs = (unsigned int)strtoul(argv[1], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: jit_compile_time [RUNS]\n");
		return 2;
	}
	host_platform_install();
	for (s = 0; s < sizeof(program_sizes) / sizeof(program_sizes[0]); s++) {
		size_t count = program_sizes[s], code_size = 0;
		struct ebpf_insn *insns = straight_line_program(count);
		double create_us, jit_us;

		if (!insns || time_compile(insns, count, runs, &create_us, &jit_us, &code_size)) {
			free(insns);
			return EXIT_FAILURE;
		}
		printf("%zu insns: create %.1f us, jit %.1f us (%.2f us per 1000 insns), "
		       "%zu bytes of code\n",
		       count, create_us, jit_us, jit_us * INSNS_PER_FIGURE / (double)count,
		       code_size);
		free(insns);
	}
	return 0;
}
