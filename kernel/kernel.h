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

/*
 * For the boot flow (kernel/main.c) only: filling the tables above, once,
 * before the application runs.
 */
struct boot_info;
struct cmdline;

/*
 * Parses the command line (kernel/cmdline.h) into the options
 * kernel_option reads and the application's argv, argv[0] = app_name. A
 * malformed one is reported on the console and ignored: no options, argv
 * holds app_name alone. Returns the parse, for main()'s argc and argv
 * (which C lets main() modify).
 */
struct cmdline *kernel_cmdline_init(const char *text, const char *app_name);
/*
 * Makes the loader's modules kernel_module_get's, listing each on the
 * console. The table points into bi, which must stay in place for good.
 */
void kernel_modules_init(const struct boot_info *bi);

#endif /* UKBPF_KERNEL_H */
