/*
 * What the kernel offers the application beyond newlib: the files the
 * loader brought (multiboot modules; eBPF objects arrive this way) and the
 * kernel's command-line options. The application's entry point is the
 * ordinary int main(int argc, char **argv), with argv[0] the app's name
 * and the rest taken from the command line after "--"; its return value
 * (or exit()'s argument) is the guest's exit status, 0..119.
 */
#ifndef UKBPF_KERNEL_H
#define UKBPF_KERNEL_H

#include <stddef.h>
#include <stdint.h>

struct kernel_module {
	const char *name; /* basename of the file the loader was given */
	const char *args; /* the rest of its module command line */
	const void *data;
	size_t size;
};

size_t kernel_module_count(void);
/* Module index, or NULL when index >= kernel_module_count(). */
const struct kernel_module *kernel_module_get(size_t index);
/* Value of key=value from the kernel command line, "" for a bare key, or NULL. */
const char *kernel_option(const char *key);

#endif /* UKBPF_KERNEL_H */
