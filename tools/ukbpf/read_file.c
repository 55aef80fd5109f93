/* Whole-file reading shared by the program and context sources. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define READ_CHUNK 65536

int read_whole_file(const char *path, void **data, size_t *size, char *err, size_t errlen)
{
	FILE *file = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	int saved_errno;

	if (!file) {
		saved_errno = errno;
		snprintf(err, errlen, "%s", strerror(saved_errno));
		return -saved_errno;
	}
	for (;;) {
		size_t got;

		if (cap - len < READ_CHUNK) {
			unsigned char *bigger = realloc(buf, cap + READ_CHUNK);

			if (!bigger) {
				free(buf);
				fclose(file);
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			buf = bigger;
			cap += READ_CHUNK;
		}
		got = fread(buf + len, 1, cap - len, file);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(file)) {
		saved_errno = errno ? errno : EIO;
		free(buf);
		fclose(file);
		snprintf(err, errlen, "read error: %s", strerror(saved_errno));
		return -saved_errno;
	}
	fclose(file);
	*data = buf;
	*size = len;
	return 0;
}
