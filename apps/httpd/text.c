#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define TEXT_MIN_CAP 256

/* Room for len more bytes and a NUL; false (and failed set) when out of memory. */
static bool text_reserve(struct text *t, size_t len)
{
	if (t->failed)
		return false;
	if (t->len + len + 1 <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : TEXT_MIN_CAP;
	while (cap < t->len + len + 1)
		cap *= 2;
	char *data = realloc(t->data, cap);
	if (!data) {
		t->failed = true;
		return false;
	}
	t->data = data;
	t->cap = cap;
	return true;
}

void text_append(struct text *t, const char *s, size_t len)
{
	if (!text_reserve(t, len))
		return;
	memcpy(t->data + t->len, s, len);
	t->len += len;
	t->data[t->len] = '\0';
}

void text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int needed = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (needed < 0 || !text_reserve(t, (size_t)needed))
		return;
	va_start(ap, fmt);
	vsnprintf(t->data + t->len, (size_t)needed + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)needed;
}

void text_free(struct text *t)
{
	free(t->data);
	*t = (struct text){0};
}
