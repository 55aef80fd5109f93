/*
 * eBPF programs that arrive as multiboot modules and are attached at boot.
 *
 * A module whose command line carries "bpf" ("bpf" alone: the object's
 * first XDP program; "bpf=NAME": the program whose section or function is
 * NAME) is an eBPF object to attach: scripts/run.sh --bpf FILE[:NAME] and
 * GRUB's "module2 /boot/FILE bpf=NAME" produce such modules. Every such
 * object is loaded, verified and JIT-compiled (interpreted with the kernel
 * option bpf.engine=interp) before the application's main() runs. A
 * program the loader or verifier refuses never runs: the kernel prints the
 * reason (the verifier's log) on the console and exits with
 * KERNEL_EXIT_BPF_REJECTED. There is no switch to skip verification.
 */
#ifndef UKBPF_BPF_BOOT_H
#define UKBPF_BPF_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct ebpf_map;
struct ebpf_prog;

struct bpf_boot_program {
	const char *name; /* "MODULE:PROGRAM", e.g. "firewall.o:xdp" */
	struct ebpf_prog *prog;
	uint64_t verify_ns;	   /* time the verifier took */
	uint64_t insns_processed; /* the verifier's work */
};

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

#endif /* UKBPF_BPF_BOOT_H */
