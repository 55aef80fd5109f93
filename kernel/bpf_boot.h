/*
 * eBPF programs that arrive as multiboot modules and are attached at boot.
 *
 * A module whose command line carries "bpf" ("bpf" alone: the object's
 * first XDP program for a device that loaded; "bpf=NAME": the program
 * whose section or function is NAME) is an eBPF object to attach:
 * scripts/run.sh --bpf FILE[:NAME] and GRUB's "module2 /boot/FILE
 * bpf=NAME" produce such modules. Every such object is loaded, verified
 * and JIT-compiled (interpreted with the kernel option bpf.engine=interp)
 * before the application's main() runs. A program the loader or verifier
 * refuses never runs: the kernel prints the reason (the loader's, or the
 * verifier's log) on the console and exits with KERNEL_EXIT_BPF_REJECTED.
 * There is no switch to skip verification. The chosen program must be an
 * XDP program (the only hook there is) and, as in Linux, not one meant for
 * devmap or cpumap entries (SEC("xdp/devmap"), SEC("xdp/cpumap")): the
 * kernel refuses those the same way. A module names at most one program.
 * Several modules may carry one each:
 * all are attached, and the XDP hook (net/xdp_hook.h) runs the first.
 * Objects stay loaded for the guest's lifetime, so their maps are there
 * for the app (bpf_boot_find_map, bpf_boot_map_get).
 */
#ifndef UKBPF_BPF_BOOT_H
#define UKBPF_BPF_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ebpf_log;
struct ebpf_map;
struct ebpf_prog;

struct bpf_boot_program {
	const char *name; /* "MODULE:PROGRAM", e.g. "firewall.o:xdp" */
	struct ebpf_prog *prog;
	uint64_t verify_ns;	  /* time the verifier took */
	uint64_t insns_processed; /* the verifier's work */
	bool jit;		  /* compiled; false: interpreted (bpf.engine=interp) */
};

/* The step of bpf_boot_prepare_prog that failed. */
enum bpf_boot_step {
	BPF_BOOT_STEP_VERIFY, /* the verifier refused the program (or ran out of budget) */
	BPF_BOOT_STEP_JIT,    /* the JIT could not compile it */
};

/*
 * Verifies prog, timing it, then JIT-compiles it when jit is set: the one
 * way from a loaded program to a runnable one, shared by the boot-time
 * attach and apps/bpfrun. Fills *result (name left alone). Returns 0, or
 * the failing step's negative errno with *failed set and the reason (the
 * verifier's log) in log.
 */
int bpf_boot_prepare_prog(struct ebpf_prog *prog, bool jit, struct ebpf_log *log,
			  struct bpf_boot_program *result, enum bpf_boot_step *failed);

/* Loads, verifies and compiles every "bpf" module; exits the guest on failure. */
void bpf_boot_attach_modules(void);

size_t bpf_boot_program_count(void);
/* Program index in module order, or NULL when out of range. */
const struct bpf_boot_program *bpf_boot_program_get(size_t index);
/*
 * The map called name in any attached object (first match in module
 * order), or NULL: how apps read and write a program's maps, through
 * ebpf_map_lookup/update/delete/get_next_key of ebpf/ebpf.h.
 */
struct ebpf_map *bpf_boot_find_map(const char *name);

/*
 * Every map of every attached object, for apps that show or walk them all
 * (httpd's /metrics): indexes 0 .. bpf_boot_map_count() - 1 run through
 * the objects in module order, and each object's maps in its own order
 * (ebpf_object_map). The same object attached twice has its maps twice,
 * once per module. bpf_boot_map_get returns NULL when index is out of
 * range; otherwise *program (when program is not NULL) is set to the name
 * of the attached program whose object holds the map (struct
 * bpf_boot_program's name).
 */
size_t bpf_boot_map_count(void);
struct ebpf_map *bpf_boot_map_get(size_t index, const char **program);

#endif /* UKBPF_BPF_BOOT_H */
