/*
 * The installed platform hooks. Until ebpf_set_platform() is called every
 * hook is NULL, which the users read as "service absent" (no JIT memory,
 * clock reads 0, no trace output).
 */
#include "ebpf.h"

static struct ebpf_platform installed_platform;

void ebpf_set_platform(const struct ebpf_platform *platform)
{
	installed_platform = *platform;
}

const struct ebpf_platform *ebpf_get_platform(void)
{
	return &installed_platform;
}
