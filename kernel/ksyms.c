#include "ksyms.h"

#include <stddef.h>

struct ksym {
	uint64_t addr;
	uint64_t name_offset; /* into ksyms_names */
};

/* Provided by the generated build/ksyms*.S, sorted by address. */
extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern uint8_t __text_end[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = ksyms_count;

	if (hi == 0 || addr < ksyms_table[0].addr || addr >= (uintptr_t)__text_end)
		return NULL;
	/* Last symbol with table[i].addr <= addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name_offset;
}
