/*
 * What the loader told us, in one loader-independent form. Multiboot 1
 * (QEMU -kernel) and multiboot 2 (GRUB) are both parsed into it, and
 * everything needed later is copied out, so the loader's own structures
 * (which GRUB puts right after the image, where the heap will go) can be
 * overwritten.
 */
#ifndef UKBPF_BOOTINFO_H
#define UKBPF_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#define BOOTINFO_MAX_MEM_RANGES 32
#define BOOTINFO_MAX_MODULES	16
#define BOOTINFO_CMDLINE_MAX	4096
#define BOOTINFO_NAME_MAX	128

struct boot_mem_range {
	uint64_t base;
	uint64_t len;
};

/* A file the loader placed in memory (QEMU -initrd a,b; GRUB module2). */
struct boot_module {
	uint64_t start;
	uint64_t size;
	char name[BOOTINFO_NAME_MAX]; /* first word of its command line, basename */
	char args[BOOTINFO_NAME_MAX]; /* the rest of its command line */
};

struct boot_info {
	const char *loader; /* "multiboot1" or "multiboot2" */
	char cmdline[BOOTINFO_CMDLINE_MAX];
	struct boot_mem_range ram[BOOTINFO_MAX_MEM_RANGES]; /* usable RAM */
	size_t ram_count;
	struct boot_module modules[BOOTINFO_MAX_MODULES];
	size_t module_count;
};

/*
 * Parses the loader's information. Returns 0, or -EINVAL for an unknown
 * magic (not loaded by a multiboot loader). Tables that do not fit are
 * truncated and counted in *dropped.
 */
int bootinfo_parse(uint32_t magic, uint64_t info_addr, struct boot_info *bi, size_t *dropped);

#endif /* UKBPF_BOOTINFO_H */
