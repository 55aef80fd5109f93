/*
 * The kernel's own symbol table, for backtraces. The build links the
 * image twice: the second link carries, in section .ksyms, the text
 * symbols of the first (scripts/gen-ksyms.sh). .ksyms lies after .data,
 * so filling it moves no code and the addresses stay true.
 */
#ifndef UKBPF_KSYMS_H
#define UKBPF_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr and addr's offset in it, or NULL. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

#endif /* UKBPF_KSYMS_H */
