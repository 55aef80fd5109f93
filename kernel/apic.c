#include "apic.h"

#include <errno.h>

#include "timekeeping.h"
#include "x86.h"

/* Local APIC registers (SDM Vol. 3 §11.4.1), offsets from the base. */
#define IA32_APIC_BASE_MSR	 0x1B
#define APIC_BASE_ENABLE	 (1ull << 11)
#define APIC_BASE_ADDR_MASK	 0xFFFFF000ull
#define LAPIC_TPR		 0x080
#define LAPIC_EOI		 0x0B0
#define LAPIC_SVR		 0x0F0
#define LAPIC_SVR_ENABLE	 0x100
#define LAPIC_LVT_TIMER		 0x320
#define LAPIC_TIMER_INITIAL	 0x380
#define LAPIC_TIMER_CURRENT	 0x390
#define LAPIC_TIMER_DIVIDE	 0x3E0
#define LAPIC_TIMER_DIVIDE_BY_16 0x3
#define LAPIC_LVT_MASKED	 (1u << 16)
#define LAPIC_CALIBRATION_NS	 1000000

/* I/O APIC at its standard address (as QEMU's pc and q35 place it). */
#define IOAPIC_BASE	      0xFEC00000u
#define IOAPIC_REGSEL	      0x00
#define IOAPIC_WINDOW	      0x10
#define IOAPIC_VERSION	      0x01
#define IOAPIC_REDIRECTION(n) (0x10 + 2 * (n))
#define IOAPIC_LEVEL	      (1u << 15)
#define IOAPIC_ACTIVE_LOW     (1u << 13)
#define IOAPIC_MASKED	      (1u << 16)

/* 8259 PIC ports and initialisation words. */
#define PIC1_CMD      0x20
#define PIC1_DATA     0x21
#define PIC2_CMD      0xA0
#define PIC2_DATA     0xA1
#define PIC_ICW1_INIT 0x11
#define PIC_ICW4_8086 0x01
#define PIC1_OFFSET   0x20
#define PIC2_OFFSET   0x28
#define PIC_MASK_ALL  0xFF

static volatile uint32_t *lapic;
/* Timer ticks per ns as a 32.32 fixed-point number (no 128-bit division). */
static uint64_t lapic_ticks_per_ns_fp32;

static uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / sizeof(uint32_t)];
}

static void lapic_write(uint32_t reg, uint32_t value)
{
	lapic[reg / sizeof(uint32_t)] = value;
}

static uint32_t ioapic_read(uint32_t reg)
{
	volatile uint32_t *io = (volatile uint32_t *)(uintptr_t)IOAPIC_BASE;
	io[IOAPIC_REGSEL / 4] = reg;
	return io[IOAPIC_WINDOW / 4];
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
	volatile uint32_t *io = (volatile uint32_t *)(uintptr_t)IOAPIC_BASE;
	io[IOAPIC_REGSEL / 4] = reg;
	io[IOAPIC_WINDOW / 4] = value;
}

static unsigned ioapic_inputs(void)
{
	return ((ioapic_read(IOAPIC_VERSION) >> 16) & 0xff) + 1;
}

/* Even masked, an unremapped PIC can raise spurious IRQs on exception vectors. */
static void pic_disable(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT);
	outb(PIC2_CMD, PIC_ICW1_INIT);
	outb(PIC1_DATA, PIC1_OFFSET);
	outb(PIC2_DATA, PIC2_OFFSET);
	outb(PIC1_DATA, 4); /* slave on IRQ2 */
	outb(PIC2_DATA, 2); /* cascade identity */
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
}

void apic_init(void)
{
	pic_disable();
	uint64_t base = rdmsr(IA32_APIC_BASE_MSR);
	wrmsr(IA32_APIC_BASE_MSR, base | APIC_BASE_ENABLE);
	lapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | APIC_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_16);

	unsigned inputs = ioapic_inputs();
	for (unsigned i = 0; i < inputs; i++)
		ioapic_write(IOAPIC_REDIRECTION(i), IOAPIC_MASKED);
}

void apic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void apic_timer_calibrate(void)
{
	lapic_write(LAPIC_TIMER_INITIAL, UINT32_MAX);
	uint64_t start = time_monotonic_ns();
	while (time_monotonic_ns() - start < LAPIC_CALIBRATION_NS)
		cpu_relax();
	uint32_t elapsed_ticks = UINT32_MAX - lapic_read(LAPIC_TIMER_CURRENT);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_ticks_per_ns_fp32 = ((uint64_t)elapsed_ticks << 32) / LAPIC_CALIBRATION_NS;
}

void apic_timer_oneshot(uint64_t ns)
{
	uint64_t ticks = (uint64_t)(((unsigned __int128)ns * lapic_ticks_per_ns_fp32) >> 32);

	if (ns && ticks == 0)
		ticks = 1;
	if (ticks > UINT32_MAX)
		ticks = UINT32_MAX; /* the caller re-arms when it wakes early */
	lapic_write(LAPIC_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot, unmasked */
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)ticks);
}

int apic_route_irq(uint32_t gsi, uint8_t vector, bool level_triggered, bool active_low)
{
	if (gsi >= ioapic_inputs() || vector < APIC_FIRST_DEVICE_VECTOR)
		return -EINVAL;
	uint32_t low =
	    vector | (level_triggered ? IOAPIC_LEVEL : 0) | (active_low ? IOAPIC_ACTIVE_LOW : 0);
	ioapic_write(IOAPIC_REDIRECTION(gsi) + 1, 0); /* destination: APIC 0 */
	ioapic_write(IOAPIC_REDIRECTION(gsi), low);
	return 0;
}
