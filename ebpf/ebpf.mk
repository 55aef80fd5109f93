# The eBPF runtime library: every ebpf/*.c, built once for the host
# (build/host/libebpf.a, used by tools and tests) and once for the guest.
EBPF_SRCS := $(wildcard ebpf/*.c)
EBPF_HOST_OBJS := $(EBPF_SRCS:%.c=$(BUILD)/host/%.o)
EBPF_HOST_LIB := $(BUILD)/host/libebpf.a

$(BUILD)/host/ebpf/%.o: ebpf/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Iebpf -c $< -o $@

$(EBPF_HOST_LIB): $(EBPF_HOST_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

HOST_TARGETS += $(EBPF_HOST_LIB)
