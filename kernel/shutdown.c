#include "shutdown.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "printk.h"
#include "timekeeping.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4

/* ACPI 6.4 §5.2.5: the RSDP lies 16-byte aligned in the BIOS area. */
#define BIOS_AREA_START	     0xE0000
#define BIOS_AREA_END	     0x100000
#define RSDP_ALIGN	     16
#define RSDP_RSDT_OFFSET     16
#define SDT_HEADER_SIZE	     36
#define FADT_DSDT_OFFSET     40
#define FADT_PM1A_CNT_OFFSET 64
#define PM1_SLP_TYP_SHIFT    10
#define PM1_SLP_EN	     (1u << 13)
/* The machine may take a moment to act on S5: wait this long before
 * calling it a failure. */
#define POWEROFF_GRACE_NS 1000000000ull
/* AML opcodes around "Name(_S5_, Package(){a, b, ...})" (ACPI §20.2). */
#define AML_NAME_OP	0x08
#define AML_PACKAGE_OP	0x12
#define AML_BYTE_PREFIX 0x0A

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static const uint8_t *acpi_find_table(const char signature[4])
{
	for (uintptr_t p = BIOS_AREA_START; p < BIOS_AREA_END; p += RSDP_ALIGN) {
		if (memcmp((const void *)p, "RSD PTR ", 8) != 0)
			continue;
		const uint8_t *rsdt =
		    (const uint8_t *)(uintptr_t)read_u32((const uint8_t *)p + RSDP_RSDT_OFFSET);
		uint32_t len = read_u32(rsdt + 4);
		for (uint32_t off = SDT_HEADER_SIZE; off + 4 <= len; off += 4) {
			const uint8_t *table = (const uint8_t *)(uintptr_t)read_u32(rsdt + off);
			if (memcmp(table, signature, 4) == 0)
				return table;
		}
		return NULL;
	}
	return NULL;
}

/* Reads SLP_TYPa for S5 from the DSDT's \_S5 package; -1 if not found. */
static int acpi_s5_sleep_type(const uint8_t *dsdt)
{
	uint32_t len = read_u32(dsdt + 4);

	for (uint32_t i = SDT_HEADER_SIZE; i + 8 < len; i++) {
		if (memcmp(dsdt + i, "_S5_", 4) != 0 || dsdt[i + 4] != AML_PACKAGE_OP)
			continue;
		if (dsdt[i - 1] != AML_NAME_OP &&
		    !(dsdt[i - 2] == AML_NAME_OP && dsdt[i - 1] == '\\'))
			continue;
		const uint8_t *p = dsdt + i + 5;
		p += ((*p & 0xC0) >> 6) + 1; /* PkgLength: 1 + number of follow bytes */
		p++;			     /* NumElements */
		if (*p == AML_BYTE_PREFIX)
			p++;
		return *p;
	}
	return -1;
}

static void acpi_poweroff(void)
{
	const uint8_t *fadt = acpi_find_table("FACP");
	if (!fadt)
		return;
	const uint8_t *dsdt = (const uint8_t *)(uintptr_t)read_u32(fadt + FADT_DSDT_OFFSET);
	uint32_t pm1a_cnt = read_u32(fadt + FADT_PM1A_CNT_OFFSET);
	int slp_typ = acpi_s5_sleep_type(dsdt);
	if (slp_typ < 0 || pm1a_cnt == 0)
		return;
	outw((uint16_t)pm1a_cnt, (uint16_t)((slp_typ << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	for (uint64_t start = time_monotonic_ns(); time_monotonic_ns() - start < POWEROFF_GRACE_NS;)
		cpu_relax();
}

void kernel_exit(int status)
{
	irq_disable();
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status & KERNEL_EXIT_MAX);
	/* Still here: no debug-exit device, so this is not our QEMU setup. */
	printk("ukbpf: exit status %d, powering off\n", status);
	acpi_poweroff();
	printk("ukbpf: ACPI poweroff failed; halting\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

void kernel_panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	printk("\n*** kernel panic: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	kernel_exit(KERNEL_EXIT_PANIC);
}
