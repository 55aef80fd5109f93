/*
 * printk: the kernel's own formatted output to the console. It does not
 * use newlib (no malloc, no locks, no floating point), so it works before
 * the heap exists and inside exception handlers.
 * Formats: %c %s %d %i %u %x %X %p %% with l/ll/z length modifiers, a
 * field width and the 0 and - flags.
 */
#ifndef UKBPF_PRINTK_H
#define UKBPF_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

#endif /* UKBPF_PRINTK_H */
