/*
 * kernel.h's tables: the kernel options and the modules, filled by the
 * boot flow and read by the application, the network stack and the
 * boot-time eBPF attach.
 */
#include "kernel.h"

#include <stdint.h>

#include "bootinfo.h"
#include "cmdline.h"
#include "printk.h"

static struct cmdline cmdline;
static struct kernel_module modules[BOOTINFO_MAX_MODULES];
static size_t module_count;

size_t kernel_module_count(void)
{
	return module_count;
}

const struct kernel_module *kernel_module_get(size_t index)
{
	return index < module_count ? &modules[index] : NULL;
}

const char *kernel_option(const char *key)
{
	return cmdline_get(&cmdline, key);
}

struct cmdline *kernel_cmdline_init(const char *text, const char *app_name)
{
	int err = cmdline_parse(&cmdline, text, app_name);

	if (err)
		printk("ukbpf: command line ignored (error %d): %s\n", err, text);
	return &cmdline;
}

void kernel_modules_init(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *bm = &bi->modules[i];
		modules[i] = (struct kernel_module){
		    .name = bm->name,
		    .args = bm->args,
		    .data = (const void *)(uintptr_t)bm->start,
		    .size = bm->size,
		};
		printk("ukbpf: module %zu: %s at %p, %zu bytes\n", i, bm->name,
		       (void *)(uintptr_t)bm->start, (size_t)bm->size);
	}
	module_count = bi->module_count;
}
