/*
 * Constants shared by boot/boot.S and the C side of the kernel (the C side
 * includes this for the segment selectors and register bits).
 */
#ifndef UKBPF_BOOT_DEFS_H
#define UKBPF_BOOT_DEFS_H

/* Multiboot 1 header: flag 0 page-aligns modules, 1 asks for the memory
 * map, 16 says the header carries load addresses (QEMU needs it for ELF64). */
#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_HEADER_FLAGS 0x00010003
#define MB1_BOOT_MAGIC	 0x2BADB002
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_ARCH_I386	 0
#define MB2_BOOT_MAGIC	 0x36D76289

#define CPUID_EXT_EDX_LM (1 << 29)

#define PTE_PRESENT (1 << 0)
#define PTE_WRITE   (1 << 1)
#define PTE_HUGE    (1 << 7)

#define CR0_PE	       (1 << 0)
#define CR0_MP	       (1 << 1)
#define CR0_EM	       (1 << 2)
#define CR0_WP	       (1 << 16)
#define CR0_PG	       (1 << 31)
#define CR4_PAE	       (1 << 5)
#define CR4_OSFXSR     (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER       0xC0000080
#define EFER_LME       (1 << 8)
#define EFER_NXE       (1 << 11)

/* GDT: null, 64-bit code, data, then (kernel/cpu.c) the TSS. */
#define BOOT_CS64  0x08
#define BOOT_DS64  0x10
#define GDT_CODE64 0x00209A0000000000 /* P, DPL0, code, L */
#define GDT_DATA64 0x0000920000000000 /* P, DPL0, data, writable */

#define COM1_PORT	0x3F8
#define BOOT_STACK_SIZE (64 * 1024)

#endif /* UKBPF_BOOT_DEFS_H */
