#include "timekeeping.h"

#include <stdbool.h>

#include "x86.h"

/* PIT channel 2, gated by port 0x61, as a 10 ms reference (8254 datasheet). */
#define PIT_HZ		       1193182u
#define PIT_CH2_DATA	       0x42
#define PIT_CMD		       0x43
#define PIT_CMD_CH2_MODE0_LOHI 0xB0
#define PORT_61		       0x61
#define PORT_61_GATE2	       0x01
#define PORT_61_SPEAKER	       0x02
#define PORT_61_OUT2	       0x20
#define CALIBRATION_MS	       10u

/* CMOS RTC (MC146818): registers and status bits. */
#define CMOS_INDEX	       0x70
#define CMOS_DATA	       0x71
#define RTC_SECONDS	       0x00
#define RTC_MINUTES	       0x02
#define RTC_HOURS	       0x04
#define RTC_DAY		       0x07
#define RTC_MONTH	       0x08
#define RTC_YEAR	       0x09
#define RTC_STATUS_A	       0x0A
#define RTC_STATUS_B	       0x0B
#define RTC_UPDATE_IN_PROGRESS 0x80
#define RTC_BINARY_MODE	       0x04
#define RTC_24_HOUR	       0x02
#define RTC_PM_BIT	       0x80

#define NS_PER_SEC 1000000000ull

static uint64_t tsc_at_init;
/* ns per TSC tick as 32.32 fixed point: ns = (ticks * mult) >> 32. */
static uint64_t ns_per_tick_fp32;
static uint64_t epoch_ns_at_init;

static uint64_t calibrate_tsc_hz(void)
{
	uint16_t count = PIT_HZ * CALIBRATION_MS / 1000;
	uint8_t p61 = inb(PORT_61);

	outb(PORT_61, (p61 & ~PORT_61_SPEAKER) | PORT_61_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	/* Reload the gate so counting starts now. */
	outb(PORT_61, (p61 & ~(PORT_61_SPEAKER | PORT_61_GATE2)));
	outb(PORT_61, (p61 & ~PORT_61_SPEAKER) | PORT_61_GATE2);
	uint64_t start = rdtsc();
	while (!(inb(PORT_61) & PORT_61_OUT2))
		cpu_relax();
	uint64_t end = rdtsc();
	outb(PORT_61, p61);
	return (end - start) * (1000 / CALIBRATION_MS);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned era = y / 400;
	unsigned yoe = y - era * 400;
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

static uint64_t rtc_read_epoch_seconds(void)
{
	while (cmos_read(RTC_STATUS_A) & RTC_UPDATE_IN_PROGRESS)
		cpu_relax();
	uint8_t status_b = cmos_read(RTC_STATUS_B);
	bool binary = status_b & RTC_BINARY_MODE;
	uint8_t hour_raw = cmos_read(RTC_HOURS);
	unsigned sec = from_bcd(cmos_read(RTC_SECONDS), binary);
	unsigned min = from_bcd(cmos_read(RTC_MINUTES), binary);
	unsigned hour = from_bcd(hour_raw & ~RTC_PM_BIT, binary);
	unsigned day = from_bcd(cmos_read(RTC_DAY), binary);
	unsigned month = from_bcd(cmos_read(RTC_MONTH), binary);
	unsigned year = 2000 + from_bcd(cmos_read(RTC_YEAR), binary);

	if (!(status_b & RTC_24_HOUR) && (hour_raw & RTC_PM_BIT))
		hour = (hour % 12) + 12;
	return days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
}

uint64_t time_init(void)
{
	uint64_t hz = calibrate_tsc_hz();

	tsc_at_init = rdtsc();
	ns_per_tick_fp32 = (NS_PER_SEC << 32) / hz;
	epoch_ns_at_init = rtc_read_epoch_seconds() * NS_PER_SEC;
	return hz;
}

uint64_t time_tsc_to_ns(uint64_t tsc_delta)
{
	return (uint64_t)(((unsigned __int128)tsc_delta * ns_per_tick_fp32) >> 32);
}

uint64_t time_monotonic_ns(void)
{
	return time_tsc_to_ns(rdtsc() - tsc_at_init);
}

uint64_t time_realtime_ns(void)
{
	return epoch_ns_at_init + time_monotonic_ns();
}
