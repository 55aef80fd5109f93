/*
 * Ending the guest with an exit status. Under QEMU the isa-debug-exit
 * device (iobase 0xf4) ends the process with status (code << 1) | 1,
 * which scripts/run.sh turns back into code; elsewhere ACPI S5 (soft off)
 * powers the machine down, and if that fails too the CPU halts for good.
 */
#ifndef UKBPF_SHUTDOWN_H
#define UKBPF_SHUTDOWN_H

/* Exit statuses the kernel itself uses; apps use 0..KERNEL_EXIT_APP_MAX. */
#define KERNEL_EXIT_APP_MAX	  119
#define KERNEL_EXIT_PANIC	  120 /* kernel invariant broken */
#define KERNEL_EXIT_CPU_EXCEPTION 121 /* fatal CPU exception */
#define KERNEL_EXIT_BOOT_FAILURE  122 /* bad boot information or resources */
#define KERNEL_EXIT_SIGNAL	  123 /* the app called abort() or raise() */
/* 124..126 are scripts/run.sh's own: timeout, QEMU failed, no status. */
#define KERNEL_EXIT_BPF_REJECTED 127 /* a boot-time eBPF program failed to load or verify */
/* Largest status QEMU can carry: (code << 1) | 1 must fit in 8 bits. */
#define KERNEL_EXIT_MAX 127

void kernel_exit(int status) __attribute__((noreturn));
void kernel_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif /* UKBPF_SHUTDOWN_H */
