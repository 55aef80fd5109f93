#include "printk.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "serial.h"

#define PRINTK_BUF_SIZE 256

/* Output is buffered per call so a line reaches the UART in one go. */
struct printk_out {
	char buf[PRINTK_BUF_SIZE];
	size_t len;
};

static void out_char(struct printk_out *out, char c)
{
	if (out->len == sizeof(out->buf)) {
		serial_write(out->buf, out->len);
		out->len = 0;
	}
	out->buf[out->len++] = c;
}

static void out_padded(struct printk_out *out, const char *s, size_t len, int width, bool left,
		       char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left)
		while (fill-- > 0)
			out_char(out, pad);
	for (size_t i = 0; i < len; i++)
		out_char(out, s[i]);
	if (left)
		while (fill-- > 0)
			out_char(out, ' ');
}

static void out_number(struct printk_out *out, uint64_t value, bool negative, unsigned base,
		       bool upper, int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[value % base];
		value /= base;
	} while (value);
	if (negative) {
		if (pad == '0') {
			out_char(out, '-');
			width--;
		} else {
			tmp[sizeof(tmp) - 1 - n++] = '-';
		}
	}
	out_padded(out, tmp + sizeof(tmp) - n, n, width, left, pad);
}

void vprintk(const char *fmt, va_list ap)
{
	struct printk_out out = {.len = 0};

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&out, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		for (; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				left = true;
			else
				pad = '0';
		}
		int width = 0;
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		int longs = 0;
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;

		switch (*fmt) {
		case 'c':
			out_char(&out, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			out_padded(&out, s, strlen(s), width, left, ' ');
			break;
		}
		case 'd':
		case 'i': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t magnitude = v < 0 ? -(uint64_t)v : (uint64_t)v;
			out_number(&out, magnitude, v < 0, 10, false, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			out_number(&out, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left,
				   pad);
			break;
		}
		case 'p':
			out_char(&out, '0');
			out_char(&out, 'x');
			out_number(&out, (uintptr_t)va_arg(ap, void *), false, 16, false, 16, false,
				   '0');
			break;
		case '%':
			out_char(&out, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_char(&out, '%');
			out_char(&out, *fmt);
			break;
		}
	}
	serial_write(out.buf, out.len);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
