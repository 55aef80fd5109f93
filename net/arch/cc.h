/* lwIP's compiler/platform port for ukbpf (x86-64, newlib, printk). */
#ifndef UKBPF_LWIP_ARCH_CC_H
#define UKBPF_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdlib.h>
#include <sys/time.h>

#include "printk.h"
#include "shutdown.h"

#define LWIP_TIMEVAL_PRIVATE 0 /* newlib's sys/time.h has struct timeval */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif
#define LWIP_RAND() ((u32_t)rand())

#define LWIP_PLATFORM_DIAG(x)                                                                      \
	do {                                                                                       \
		printk x;                                                                          \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                                    \
	kernel_panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

#endif /* UKBPF_LWIP_ARCH_CC_H */
