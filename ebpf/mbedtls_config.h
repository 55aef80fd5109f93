/*
 * ukbpf's mbed TLS configuration (MBEDTLS_CONFIG_FILE): only what the
 * project uses, so the library builds freestanding against newlib for the
 * guest and as is for the host (Makefile: MBEDTLS_*). Today: HMAC-SHA-256
 * for SYN cookies (ebpf/syncookie.c).
 */
#ifndef UKBPF_MBEDTLS_CONFIG_H
#define UKBPF_MBEDTLS_CONFIG_H

#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C

#include "mbedtls/check_config.h"

#endif /* UKBPF_MBEDTLS_CONFIG_H */
