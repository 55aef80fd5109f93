/*
 * Boot entry: the loader (QEMU -kernel via multiboot1, GRUB via multiboot2)
 * enters _start32 in 32-bit protected mode with paging off. We build a
 * temporary identity map of the low 4 GiB with 2 MiB pages, switch to long
 * mode, enable SSE (the SysV ABI passes doubles in XMM registers, so C code
 * may use SSE anywhere) and call kernel_main(magic, info). The final, 4 KiB-
 * granular page tables with W^X are built later in C (kernel/paging.c).
 */
#include "boot_defs.h"

/* ---- Multiboot 1 header: address fields (flag 16) let QEMU load an ELF64. */
	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long 0x100000000 - (MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	.long mb1_header	/* header_addr */
	.long __image_start	/* load_addr */
	.long __load_end	/* load_end_addr */
	.long __bss_end		/* bss_end_addr */
	.long _start32		/* entry_addr */

/* ---- Multiboot 2 header (GRUB): GRUB loads the ELF64 segments itself. */
	.align 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.short 0
	.short 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.global _start32
_start32:
	cli
	cld
	/* Keep the loader's magic and info pointer in registers that survive. */
	mov %eax, %edi
	mov %ebx, %esi
	mov $boot_stack_top, %esp

	/* Zero .bss (loaders do too, but only multiboot promises it). The
	 * stack lives in .bss, so the magic waits in ebp, not on the stack. */
	mov %edi, %ebp
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov %ebp, %edi
	/* When we started, for the boot-time report (kernel/main.c). */
	rdtsc
	mov %eax, boot_tsc
	mov %edx, boot_tsc + 4

	/* Long mode present? (CPUID 0x80000001 EDX bit 29) */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_EXT_EDX_LM, %edx
	jz no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 page directories of 2 MiB pages. */
	mov $boot_pdpt, %eax
	or $(PTE_PRESENT | PTE_WRITE), %eax
	mov %eax, boot_pml4
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd, %eax
	or $(PTE_PRESENT | PTE_WRITE), %eax
	mov %eax, boot_pdpt(, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 1b
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_PRESENT | PTE_WRITE | PTE_HUGE), %eax
	mov %eax, boot_pd(, %ecx, 8)
	inc %ecx
	cmp $(4 * 512), %ecx
	jne 2b

	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	and $~CR0_EM, %eax
	or $(CR0_PG | CR0_PE | CR0_MP | CR0_WP), %eax
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $BOOT_CS64, $start64

no_long_mode:
	/* Say why on COM1 (polled, no init needed under QEMU) and stop. */
	mov $no_long_mode_msg, %esi
3:	lodsb
	test %al, %al
	jz 4f
	mov $COM1_PORT, %dx
	out %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
start64:
	mov $BOOT_DS64, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	fninit
	/* rsp is 16-aligned; the call pushes 8, as the ABI expects. */
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp
	call kernel_main
5:	cli
	hlt
	jmp 5b

	.data
	.align 8
	.global boot_tsc
boot_tsc:	.quad 0

	.section .rodata
no_long_mode_msg:
	.asciz "ukbpf: this CPU has no 64-bit long mode\r\n"

	.align 16
boot_gdt:
	.quad 0
	.quad GDT_CODE64	/* BOOT_CS64 */
	.quad GDT_DATA64	/* BOOT_DS64 */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss.boot_tables, "aw", @nobits
	.align 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096

/* The boot stack, with an unmapped guard page below it (kernel/paging.c). */
	.section .bss.stacks, "aw", @nobits
	.align 4096
	.global boot_stack_guard, boot_stack_top
boot_stack_guard:	.skip 4096
			.skip BOOT_STACK_SIZE
boot_stack_top:
