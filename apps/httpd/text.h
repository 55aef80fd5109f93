/* A growable text buffer for building HTTP responses (httpd's own). */
#ifndef UKBPF_HTTPD_TEXT_H
#define UKBPF_HTTPD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct text {
	char *data; /* NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed: the text is incomplete */
};

/* Appends printf-style; on allocation failure sets failed and drops the rest. */
void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_append(struct text *t, const char *s, size_t len);
void text_free(struct text *t);

#endif /* UKBPF_HTTPD_TEXT_H */
