/* 16550 UART driver, polled: output must work in exception handlers. */
#include "serial.h"

#include "boot_defs.h"
#include "x86.h"

/* Register offsets from the base port (16550 datasheet). */
#define UART_DATA 0
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_DLL  0 /* with LCR.DLAB */
#define UART_DLM  1 /* with LCR.DLAB */

#define LCR_8N1		 0x03
#define LCR_DLAB	 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0B
#define LSR_DATA_READY	 0x01
#define LSR_THR_EMPTY	 0x20

#define UART_CLOCK_HZ 115200
#define CONSOLE_BAUD  115200

void serial_init(void)
{
	uint16_t divisor = UART_CLOCK_HZ / CONSOLE_BAUD;

	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, LCR_DLAB);
	outb(COM1_PORT + UART_DLL, divisor & 0xff);
	outb(COM1_PORT + UART_DLM, divisor >> 8);
	outb(COM1_PORT + UART_LCR, LCR_8N1);
	outb(COM1_PORT + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1_PORT + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void serial_put(char c)
{
	while (!(inb(COM1_PORT + UART_LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(COM1_PORT + UART_DATA, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			serial_put('\r');
		serial_put(buf[i]);
	}
}

int serial_read_byte(void)
{
	if (!(inb(COM1_PORT + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1_PORT + UART_DATA);
}
