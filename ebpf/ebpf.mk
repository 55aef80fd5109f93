# mbed TLS, from Debian's source package (scripts/deps.sh), configured by
# ebpf/mbedtls_config.h: the few files that config needs, built for the
# host (MBEDTLS_HOST_LIB) and freestanding for the guest
# (MBEDTLS_GUEST_LIB, in the Makefile). Users add MBEDTLS_INCLUDES to
# their flags. libebpf carries these objects too, so that a program
# linking libebpf links one archive.
MBEDTLS_SRCS := $(addprefix $(MBEDTLS_DIR)/library/,md.c sha256.c platform_util.c)
MBEDTLS_INCLUDES := -I $(MBEDTLS_DIR)/include -iquote $(CURDIR)/ebpf \
	-DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"'
MBEDTLS_HOST_OBJS := $(MBEDTLS_SRCS:$(MBEDTLS_DIR)/library/%.c=$(BUILD)/host/mbedtls/%.o)
MBEDTLS_HOST_LIB := $(BUILD)/host/mbedtls/libmbedcrypto.a

$(BUILD)/host/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c ebpf/mbedtls_config.h
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu11 -O2 -g $(MBEDTLS_INCLUDES) -c $< -o $@

$(MBEDTLS_HOST_LIB): $(MBEDTLS_HOST_OBJS)
	rm -f $@ && ar rcs $@ $^

# For what compiles libebpf itself (tests/libebpf_build.py): the files and flags above.
.PHONY: print-mbedtls
print-mbedtls:
	$(info MBEDTLS_SRCS=$(MBEDTLS_SRCS))
	$(info MBEDTLS_INCLUDES=$(MBEDTLS_INCLUDES))
	@:

# The eBPF runtime library: every ebpf/*.c, built once for the host
# (build/host/libebpf.a, used by tools and tests) and once for the guest.
EBPF_SRCS := $(wildcard ebpf/*.c)
EBPF_HOST_OBJS := $(EBPF_SRCS:%.c=$(BUILD)/host/%.o)
EBPF_HOST_LIB := $(BUILD)/host/libebpf.a

$(BUILD)/host/ebpf/%.o: ebpf/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Iebpf $(MBEDTLS_INCLUDES) -c $< -o $@

$(EBPF_HOST_LIB): $(EBPF_HOST_OBJS) $(MBEDTLS_HOST_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

HOST_TARGETS += $(EBPF_HOST_LIB)
