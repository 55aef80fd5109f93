/*
 * libFuzzer harness for the ELF loader: any byte string must load or be
 * rejected with an error, without memory errors or leaks (built with
 * clang -fsanitize=fuzzer,address by tests/ebpf/test_elf.py, which also
 * replays its malformed objects through it). Seeds: the objects of
 * tests/ebpf/progs.
 */
#include <stddef.h>
#include <stdint.h>

#include "ebpf.h"

#define LOG_BYTES 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char log_buf[LOG_BYTES];
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_object *obj;

	if (ebpf_object_load_elf(data, size, &obj, &log) == 0)
		ebpf_object_free(obj);
	return 0;
}
