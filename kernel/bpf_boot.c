#include "bpf_boot.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bootinfo.h"
#include "ebpf.h"
#include "kernel.h"
#include "printk.h"
#include "shutdown.h"
#include "timekeeping.h"

#define BPF_WORD	   "bpf"
#define BPF_WORD_WITH_NAME "bpf="
#define ENGINE_OPTION	   "bpf.engine"
#define ENGINE_JIT	   "jit"
#define ENGINE_INTERP	   "interp"
/* Large enough for a long rejection: the verifier prints the state too. */
#define BPF_BOOT_LOG_SIZE 16384
#define PROGRAM_NAME_MAX  (2 * BOOTINFO_NAME_MAX)
#define NS_PER_US	  1000u

struct attached {
	struct bpf_boot_program program;
	struct ebpf_object *obj;
	char name[PROGRAM_NAME_MAX];
};

/* One program per module at most, so the module table bounds this one. */
static struct attached attached[BOOTINFO_MAX_MODULES];
static size_t attached_count;
static char log_buf[BPF_BOOT_LOG_SIZE];

int bpf_boot_prepare_prog(struct ebpf_prog *prog, bool jit, struct ebpf_log *log,
			  struct bpf_boot_program *result, enum bpf_boot_step *failed)
{
	struct ebpf_verify_stats stats;

	result->prog = prog;
	result->jit = jit;
	uint64_t start = time_monotonic_ns();
	int err = ebpf_verify(prog, log, &stats);
	result->verify_ns = time_monotonic_ns() - start;
	if (err) {
		*failed = BPF_BOOT_STEP_VERIFY;
		return err;
	}
	result->insns_processed = stats.insns_processed;
	if (jit && (err = ebpf_prog_jit(prog, &(struct ebpf_jit_opts){0}, log)) != 0) {
		*failed = BPF_BOOT_STEP_JIT;
		return err;
	}
	return 0;
}

/* What a module's args ask for: no "bpf" word, "bpf" alone, or "bpf=NAME". */
struct bpf_request {
	bool wanted;
	char name[BOOTINFO_NAME_MAX]; /* "" without =NAME */
};

/* Returns 0, or -EINVAL with why set (the args are malformed). */
static int parse_module_args(const char *args, struct bpf_request *req, const char **why)
{
	memset(req, 0, sizeof(*req));
	for (const char *p = args; *p;) {
		size_t len = strcspn(p, " ");
		bool bare = len == strlen(BPF_WORD) && strncmp(p, BPF_WORD, len) == 0;
		bool named = len >= strlen(BPF_WORD_WITH_NAME) &&
			     strncmp(p, BPF_WORD_WITH_NAME, strlen(BPF_WORD_WITH_NAME)) == 0;
		if (bare || named) {
			if (req->wanted) {
				*why = "more than one bpf word: a module carries one program";
				return -EINVAL;
			}
			req->wanted = true;
			if (named) {
				size_t name_len = len - strlen(BPF_WORD_WITH_NAME);
				if (name_len == 0) {
					*why = "bpf= without a program name";
					return -EINVAL;
				}
				/* args is at most BOOTINFO_NAME_MAX long, so is the name. */
				memcpy(req->name, p + strlen(BPF_WORD_WITH_NAME), name_len);
				req->name[name_len] = '\0';
			}
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/*
 * The index of the module's first XDP program for a device (devmap and
 * cpumap programs are not) that loaded, or else of its first such
 * program (which says why it did not load); -ENOENT if none. A
 * SEC("?xdp") program is skipped, as libbpf does not load it by default.
 */
static int first_xdp_prog(const struct ebpf_object *obj, size_t *index)
{
	struct ebpf_object_prog_info info;
	bool found = false;

	for (size_t i = 0; ebpf_object_prog_info(obj, i, &info) == 0; i++) {
		if (!info.autoload ||
		    !ebpf_attaches_to_device_xdp(info.section_type.type,
						 info.section_type.expected_attach_type))
			continue;
		if (info.prog || !found)
			*index = i;
		if (info.prog)
			return 0;
		found = true;
	}
	return found ? 0 : -ENOENT;
}

/* Prints why module's program cannot be attached, and ends the guest. */
static void __attribute__((noreturn))
reject(const struct kernel_module *module, const struct bpf_request *req, const char *reason,
       const struct ebpf_log *log)
{
	printk("bpf: %s%s%s: %s\n", module->name, req->name[0] ? ":" : "", req->name, reason);
	if (log && log->len)
		printk("%s%s", log->buf, log->buf[log->len - 1] == '\n' ? "" : "\n");
	kernel_exit(KERNEL_EXIT_BPF_REJECTED);
}

static bool engine_is_jit(void)
{
	const char *engine = kernel_option(ENGINE_OPTION);

	if (!engine || strcmp(engine, ENGINE_JIT) == 0)
		return true;
	if (strcmp(engine, ENGINE_INTERP) == 0)
		return false;
	printk("bpf: " ENGINE_OPTION "=%s: expected " ENGINE_JIT " or " ENGINE_INTERP "\n", engine);
	kernel_exit(KERNEL_EXIT_BPF_REJECTED);
}

static void attach_module(const struct kernel_module *module, const struct bpf_request *req,
			  bool jit)
{
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct attached *a = &attached[attached_count];
	char reason[PROGRAM_NAME_MAX];
	enum bpf_boot_step failed;
	struct ebpf_object *obj;

	log_buf[0] = '\0';
	if (ebpf_object_load_elf(module->data, module->size, &obj, &log) != 0) {
		snprintf(reason, sizeof(reason), "not a loadable eBPF object: %s", log_buf);
		reject(module, req, reason, NULL);
	}
	size_t index;
	if ((req->name[0] ? ebpf_object_find_prog_index(obj, req->name, &index)
			  : first_xdp_prog(obj, &index)) != 0)
		reject(module, req,
		       req->name[0] ? "no program or section of that name in the object"
				    : "no XDP program for a device in the object",
		       NULL);
	struct ebpf_object_prog_info info;
	ebpf_object_prog_info(obj, index, &info);
	if (!info.prog) {
		/* The loader's reason, as a log line under the summary. */
		struct ebpf_log why = {.buf = (char *)info.error_msg,
				       .len = strlen(info.error_msg)};
		snprintf(reason, sizeof(reason), "%s did not load:", info.name);
		reject(module, req, reason, &why);
	}
	struct ebpf_prog *prog = info.prog;
	const char *prog_name = ebpf_prog_get_name(prog);
	if (ebpf_prog_get_type(prog) != EBPF_PROG_TYPE_XDP) {
		snprintf(reason, sizeof(reason), "%s is not an XDP program", prog_name);
		reject(module, req, reason, NULL);
	}
	enum ebpf_attach_type attach = ebpf_prog_get_expected_attach_type(prog);
	if (!ebpf_attaches_to_device_xdp(EBPF_PROG_TYPE_XDP, attach)) {
		snprintf(reason, sizeof(reason),
			 "%s (section %s) is an %s program: Linux attaches those to map "
			 "entries, never to a device",
			 prog_name, info.section,
			 ebpf_attach_type_name(EBPF_PROG_TYPE_XDP, attach));
		reject(module, req, reason, NULL);
	}
	if (bpf_boot_prepare_prog(prog, jit, &log, &a->program, &failed) != 0) {
		if (failed == BPF_BOOT_STEP_VERIFY)
			snprintf(reason, sizeof(reason),
				 "%s rejected by the verifier in %lu us:", prog_name,
				 (unsigned long)(a->program.verify_ns / NS_PER_US));
		else
			snprintf(reason, sizeof(reason),
				 "%s could not be JIT-compiled:", prog_name);
		reject(module, req, reason, &log);
	}
	snprintf(a->name, sizeof(a->name), "%s:%s", module->name, prog_name);
	a->program.name = a->name;
	a->obj = obj;
	attached_count++;
	size_t insn_count;
	ebpf_prog_get_insns(prog, &insn_count);
	printk("bpf: attached %s (%zu insns, verified in %lu us, %lu insns processed, %s)\n",
	       a->name, insn_count, (unsigned long)(a->program.verify_ns / NS_PER_US),
	       (unsigned long)a->program.insns_processed, jit ? ENGINE_JIT : ENGINE_INTERP);
}

void bpf_boot_attach_modules(void)
{
	bool jit = engine_is_jit();

	for (size_t i = 0; i < kernel_module_count(); i++) {
		const struct kernel_module *module = kernel_module_get(i);
		struct bpf_request req;
		const char *why;
		if (parse_module_args(module->args, &req, &why) != 0)
			reject(module, &req, why, NULL);
		if (req.wanted)
			attach_module(module, &req, jit);
	}
}

size_t bpf_boot_program_count(void)
{
	return attached_count;
}

const struct bpf_boot_program *bpf_boot_program_get(size_t index)
{
	return index < attached_count ? &attached[index].program : NULL;
}

struct ebpf_map *bpf_boot_find_map(const char *name)
{
	for (size_t i = 0; i < attached_count; i++) {
		struct ebpf_map *map = ebpf_object_find_map(attached[i].obj, name);
		if (map)
			return map;
	}
	return NULL;
}

size_t bpf_boot_map_count(void)
{
	size_t count = 0;

	for (size_t i = 0; i < attached_count; i++)
		count += ebpf_object_map_count(attached[i].obj);
	return count;
}

struct ebpf_map *bpf_boot_map_get(size_t index, const char **program)
{
	for (size_t i = 0; i < attached_count; i++) {
		size_t count = ebpf_object_map_count(attached[i].obj);
		if (index < count) {
			if (program)
				*program = attached[i].program.name;
			return ebpf_object_map(attached[i].obj, index);
		}
		index -= count;
	}
	return NULL;
}
