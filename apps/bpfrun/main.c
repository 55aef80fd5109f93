/*
 * bpfrun: runs eBPF programs inside the guest, the in-guest counterpart of
 * the host's `ukbpf run`. Modules named *.o are clang-built objects; every
 * other module is one raw Ethernet frame. Every XDP program of every object
 * runs on every frame, under the interpreter and the JIT, and one line per
 * pair reports both verdicts:
 *
 *   run OBJECT:PROGRAM FRAME interp=0x2 jit=0x2
 *
 * Maps are shared by both engines, so a stateful program (a counter) sees
 * its own earlier run: the host-side tests compare stateless programs.
 * Options (kernel command line after "--"): "repeat N" also times N runs of
 * each pair under each engine and prints the median ns/run of 11 batches:
 *
 *   time OBJECT:PROGRAM FRAME interp=123ns jit=45ns
 *
 * Timed as Linux's BPF_PROG_TEST_RUN times an XDP program (6.1, non-live
 * mode), so the two figures compare: the frame is copied and the context
 * built once per batch, then the program runs N times on that same
 * context (a program that rewrites the frame sees its own rewrite), the
 * JIT code called directly through ebpf_prog_get_jit_fn().
 * Every program is verified before it runs: there is no switch to skip it.
 * Exit status: 0; 2 when an object failed to load or compile; 3 when the
 * verifier rejected a program (its log is printed and nothing of that
 * object runs).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf_boot.h"
#include "ebpf.h"
#include "kernel.h"

#define TIMING_BATCHES	   11
#define LOG_SIZE	   16384
#define STATUS_LOAD_FAILED 2
#define STATUS_REJECTED	   3

struct frame_buf {
	uint8_t *buf;
	size_t buf_size;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A fresh copy of the frame in fb and a context for it in xb: programs may
 * rewrite both. The buffer is laid out as the host tool's and Linux's
 * BPF_PROG_TEST_RUN's, zeroed around the frame as theirs.
 */
static int prepare_frame(const struct kernel_module *frame, struct frame_buf *fb,
			 struct ebpf_xdp_buff *xb)
{
	uint8_t *data = fb->buf + EBPF_XDP_HEADROOM;

	memset(fb->buf, 0, fb->buf_size);
	memcpy(data, frame->data, frame->size);
	return ebpf_xdp_init(xb, fb->buf, fb->buf + fb->buf_size, data, frame->size, 1, 0);
}

static uint64_t run_once(const struct ebpf_prog *prog, bool interp,
			 const struct kernel_module *frame, struct frame_buf *fb)
{
	struct ebpf_xdp_buff xb;

	if (prepare_frame(frame, fb, &xb) != 0)
		return UINT64_MAX;
	return interp ? ebpf_prog_run_interp(prog, &xb, sizeof(xb))
		      : ebpf_prog_run(prog, &xb, sizeof(xb));
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t median_ns_per_run(const struct ebpf_prog *prog, bool interp,
				  const struct kernel_module *frame, struct frame_buf *fb,
				  unsigned repeat)
{
	uint64_t batch_ns[TIMING_BATCHES];
	ebpf_jit_fn jit = interp ? NULL : ebpf_prog_get_jit_fn(prog);
	struct ebpf_xdp_buff xb;

	for (int b = 0; b < TIMING_BATCHES; b++) {
		if (prepare_frame(frame, fb, &xb) != 0)
			return UINT64_MAX;
		uint64_t start = now_ns();
		if (jit) {
			for (unsigned i = 0; i < repeat; i++)
				jit(&xb, sizeof(xb));
		} else {
			for (unsigned i = 0; i < repeat; i++)
				ebpf_prog_run_interp(prog, &xb, sizeof(xb));
		}
		batch_ns[b] = (now_ns() - start) / repeat;
	}
	qsort(batch_ns, TIMING_BATCHES, sizeof(batch_ns[0]), compare_u64);
	return batch_ns[TIMING_BATCHES / 2];
}

/* Verifies and compiles every XDP program of obj: 0 or an exit status. */
static int prepare_object(const char *obj_name, struct ebpf_object *obj, char *log_buf,
			  struct ebpf_log *log)
{
	struct ebpf_object_prog_info info;
	for (size_t p = 0; ebpf_object_prog_info(obj, p, &info) == 0; p++) {
		struct ebpf_prog *prog = info.prog;
		struct bpf_boot_program prepared;
		enum bpf_boot_step failed;
		if (info.section_type.type != EBPF_PROG_TYPE_XDP)
			continue;
		if (!prog) {
			printf("bpfrun: %s:%s did not load: %s\n", obj_name, info.name,
			       info.error_msg);
			return STATUS_LOAD_FAILED;
		}
		log->len = 0;
		if (bpf_boot_prepare_prog(prog, true, log, &prepared, &failed) != 0) {
			if (failed == BPF_BOOT_STEP_VERIFY) {
				printf("bpfrun: %s:%s rejected by the verifier:\n%s\n", obj_name,
				       ebpf_prog_get_name(prog), log_buf);
				return STATUS_REJECTED;
			}
			printf("bpfrun: %s:%s: JIT: %s\n", obj_name, ebpf_prog_get_name(prog),
			       log_buf);
			return STATUS_LOAD_FAILED;
		}
		printf("bpfrun: %s:%s verified (%" PRIu64 " insns processed) and compiled\n",
		       obj_name, ebpf_prog_get_name(prog), prepared.insns_processed);
	}
	return 0;
}

/* Returns 0 or an exit status (see the top of this file). */
static int run_object(const struct kernel_module *obj_module, unsigned repeat)
{
	char log_buf[LOG_SIZE] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_object *obj;

	if (ebpf_object_load_elf(obj_module->data, obj_module->size, &obj, &log) != 0) {
		printf("bpfrun: %s: %s\n", obj_module->name, log_buf);
		return STATUS_LOAD_FAILED;
	}
	int status = prepare_object(obj_module->name, obj, log_buf, &log);
	if (status) {
		ebpf_object_free(obj);
		return status;
	}
	for (size_t p = 0; p < ebpf_object_prog_count(obj); p++) {
		struct ebpf_prog *prog = ebpf_object_prog(obj, p);
		if (!prog || ebpf_prog_get_type(prog) != EBPF_PROG_TYPE_XDP)
			continue;
		for (size_t f = 0; f < kernel_module_count(); f++) {
			const struct kernel_module *frame = kernel_module_get(f);
			if (ends_with(frame->name, ".o"))
				continue;
			struct frame_buf fb = {.buf_size = ebpf_xdp_buf_size(frame->size)};
			fb.buf = malloc(fb.buf_size);
			if (!fb.buf) {
				printf("bpfrun: out of memory\n");
				ebpf_object_free(obj);
				return STATUS_LOAD_FAILED;
			}
			uint64_t interp = run_once(prog, true, frame, &fb);
			uint64_t jit = run_once(prog, false, frame, &fb);
			printf("run %s:%s %s interp=0x%" PRIx64 " jit=0x%" PRIx64 "\n",
			       obj_module->name, ebpf_prog_get_name(prog), frame->name, interp,
			       jit);
			if (repeat)
				printf("time %s:%s %s interp=%" PRIu64 "ns jit=%" PRIu64 "ns\n",
				       obj_module->name, ebpf_prog_get_name(prog), frame->name,
				       median_ns_per_run(prog, true, frame, &fb, repeat),
				       median_ns_per_run(prog, false, frame, &fb, repeat));
			free(fb.buf);
		}
	}
	ebpf_object_free(obj);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned repeat = 0;
	int status = 0;

	if (argc == 3 && strcmp(argv[1], "repeat") == 0) {
		repeat = (unsigned)strtoul(argv[2], NULL, 10);
	} else if (argc != 1) {
		fprintf(stderr, "usage: bpfrun [repeat N]\n");
		return 2;
	}
	for (size_t i = 0; i < kernel_module_count(); i++) {
		const struct kernel_module *m = kernel_module_get(i);
		if (!ends_with(m->name, ".o"))
			continue;
		int ret = run_object(m, repeat);
		if (ret > status)
			status = ret;
	}
	return status;
}
