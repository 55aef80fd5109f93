/*
 * Interrupt and exception entry. Every vector has a stub that pushes an
 * error code (0 where the CPU pushes none) and the vector number, then
 * isr_common saves the general registers and the SSE state (C code may use
 * XMM registers anywhere) and calls trap_dispatch(struct trap_frame *).
 * The frame layout must match struct trap_frame in trap.h.
 */
	.text

/* Exceptions for which the CPU pushes an error code (SDM Vol. 3 §6.3.1): 8, 10-14, 17, 21, 29, 30. */

#define FXSAVE_AREA_SIZE 512

	.macro isr_stub vector
	.align 16
isr_stub_\vector:
	.if !((\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30))
	push $0
	.endif
	push $\vector
	jmp isr_common
	.endm

	.altmacro
	.set vec, 0
	.rept 256
	isr_stub %vec
	.set vec, vec + 1
	.endr

isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	mov %rsp, %rbx
	sub $FXSAVE_AREA_SIZE, %rsp
	and $-16, %rsp
	fxsave (%rsp)
	call trap_dispatch
	fxrstor (%rsp)
	mov %rbx, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp	/* vector, error code */
	iretq

	.macro isr_addr vector
	.quad isr_stub_\vector
	.endm

	.section .rodata
	.align 8
	.global isr_stub_table
isr_stub_table:
	.set vec, 0
	.rept 256
	isr_addr %vec
	.set vec, vec + 1
	.endr
