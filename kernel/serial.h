/* 16550 UART on COM1: the kernel's console (QEMU -serial stdio). */
#ifndef UKBPF_SERIAL_H
#define UKBPF_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

void serial_init(void);
/* Writes len bytes, turning "\n" into "\r\n"; busy-waits on the FIFO. */
void serial_write(const char *buf, size_t len);
/* A received byte, or -1 when none is waiting. */
int serial_read_byte(void);

#endif /* UKBPF_SERIAL_H */
