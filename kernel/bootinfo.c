/*
 * Multiboot 1 (Multiboot Specification 0.6.96 §3.3) and multiboot 2
 * (Multiboot2 Specification §3.6) boot information parsing.
 */
#include "bootinfo.h"

#include <errno.h>
#include <string.h>

#include "boot_defs.h"

/* Multiboot 1 info flags (§3.3). */
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS	 (1u << 3)
#define MB1_INFO_MMAP	 (1u << 6)

#define MB_MEMORY_AVAILABLE 1

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb1_module {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));

/* Each entry is preceded by its size, which does not count itself. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

/* Multiboot 2 tags (§3.6). */
#define MB2_TAG_END	0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE	3
#define MB2_TAG_MMAP	6
#define MB2_TAG_ALIGN	8

struct mb2_tag {
	uint32_t type, size;
};

struct mb2_module {
	struct mb2_tag tag;
	uint32_t mod_start, mod_end;
	char cmdline[];
};

struct mb2_mmap {
	struct mb2_tag tag;
	uint32_t entry_size, entry_version;
	uint8_t entries[];
};

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};

static void copy_string(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void add_ram(struct boot_info *bi, uint64_t base, uint64_t len, size_t *dropped)
{
	if (bi->ram_count == BOOTINFO_MAX_MEM_RANGES) {
		(*dropped)++;
		return;
	}
	bi->ram[bi->ram_count].base = base;
	bi->ram[bi->ram_count].len = len;
	bi->ram_count++;
}

/* A module's command line is "path args...": its name is the path's basename. */
static void add_module(struct boot_info *bi, uint64_t start, uint64_t end, const char *cmdline,
		       size_t *dropped)
{
	if (bi->module_count == BOOTINFO_MAX_MODULES) {
		(*dropped)++;
		return;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];
	const char *path = cmdline ? cmdline : "";
	size_t path_len = strcspn(path, " ");
	const char *base = path;

	for (size_t i = 0; i < path_len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	size_t name_len = (size_t)(path + path_len - base);
	if (name_len >= sizeof(m->name))
		name_len = sizeof(m->name) - 1;
	memcpy(m->name, base, name_len);
	m->name[name_len] = '\0';
	const char *args = path + path_len;
	while (*args == ' ')
		args++;
	copy_string(m->args, sizeof(m->args), args);
	m->start = start;
	m->size = end - start;
}

static void parse_mb1(const struct mb1_info *info, struct boot_info *bi, size_t *dropped)
{
	bi->loader = "multiboot1";
	if (info->flags & MB1_INFO_CMDLINE)
		copy_string(bi->cmdline, sizeof(bi->cmdline),
			    (const char *)(uintptr_t)info->cmdline);
	if (info->flags & MB1_INFO_MMAP) {
		uintptr_t p = info->mmap_addr;
		uintptr_t end = p + info->mmap_length;
		while (p < end) {
			const struct mb1_mmap_entry *e = (const void *)p;
			if (e->type == MB_MEMORY_AVAILABLE)
				add_ram(bi, e->base, e->len, dropped);
			p += e->size + sizeof(e->size);
		}
	}
	if (info->flags & MB1_INFO_MODS) {
		const struct mb1_module *mods = (const void *)(uintptr_t)info->mods_addr;
		for (uint32_t i = 0; i < info->mods_count; i++)
			add_module(bi, mods[i].mod_start, mods[i].mod_end,
				   (const char *)(uintptr_t)mods[i].string, dropped);
	}
}

static void parse_mb2(uintptr_t info, struct boot_info *bi, size_t *dropped)
{
	uint32_t total_size = *(const uint32_t *)info;
	uintptr_t p = info + MB2_TAG_ALIGN; /* total_size, reserved */
	uintptr_t end = info + total_size;

	bi->loader = "multiboot2";
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = (const void *)p;
		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			copy_string(bi->cmdline, sizeof(bi->cmdline), (const char *)(tag + 1));
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_module *m = (const void *)tag;
			add_module(bi, m->mod_start, m->mod_end, m->cmdline, dropped);
			break;
		}
		case MB2_TAG_MMAP: {
			const struct mb2_mmap *mm = (const void *)tag;
			for (uint32_t off = 0;
			     mm->entry_size && off + sizeof(*mm) + mm->entry_size <= tag->size;
			     off += mm->entry_size) {
				const struct mb2_mmap_entry *e = (const void *)(mm->entries + off);
				if (e->type == MB_MEMORY_AVAILABLE)
					add_ram(bi, e->base, e->len, dropped);
			}
			break;
		}
		}
		p += (tag->size + MB2_TAG_ALIGN - 1) & ~(uintptr_t)(MB2_TAG_ALIGN - 1);
	}
}

int bootinfo_parse(uint32_t magic, uint64_t info_addr, struct boot_info *bi, size_t *dropped)
{
	memset(bi, 0, sizeof(*bi));
	*dropped = 0;
	if (magic == MB1_BOOT_MAGIC)
		parse_mb1((const struct mb1_info *)(uintptr_t)info_addr, bi, dropped);
	else if (magic == MB2_BOOT_MAGIC)
		parse_mb2((uintptr_t)info_addr, bi, dropped);
	else
		return -EINVAL;
	return 0;
}
