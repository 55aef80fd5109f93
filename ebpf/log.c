/*
 * The caller-owned error log of ebpf.h: messages accumulate in one buffer,
 * truncated at its end, so the first (most useful) message always survives.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ebpf.h"

void ebpf_log_printf(struct ebpf_log *log, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int written;

	if (!log || !log->buf || log->size == 0)
		return;
	/* A full log keeps its text; later messages are dropped. */
	if (log->len >= log->size - 1)
		return;
	room = log->size - log->len;
	va_start(ap, fmt);
	written = vsnprintf(log->buf + log->len, room, fmt, ap);
	va_end(ap);
	if (written < 0) {
		log->buf[log->len] = '\0';
		return;
	}
	log->len += (size_t)written < room ? (size_t)written : room - 1;
}
