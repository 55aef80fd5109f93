/*
 * The system calls newlib is built to call (it was configured with
 * MISSING_SYSCALL_NAMES, so they carry their plain POSIX names: write,
 * read, sbrk, _exit, ...). There is one process: the application. Its
 * stdin/stdout/stderr are the serial console; there is no file system.
 */
#ifndef UKBPF_SYSCALLS_H
#define UKBPF_SYSCALLS_H

#include <stddef.h>

/* Gives newlib's malloc its arena: [base, base + size). */
void syscalls_init_heap(void *base, size_t size);
/* Takes bytes (aligned to align) from the top of the arena that malloc has not reached; NULL if
 * none. */
void *syscalls_take_heap_top(size_t bytes, size_t align);

#endif /* UKBPF_SYSCALLS_H */
