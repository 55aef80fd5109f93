# Host-side programs. tools/ukbpf/*.c link into build/tools/ukbpf.
UKBPF_TOOL_SRCS := $(wildcard tools/ukbpf/*.c)
UKBPF_TOOL := $(BUILD)/tools/ukbpf

$(BUILD)/host/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Iebpf -c $< -o $@

ifneq ($(UKBPF_TOOL_SRCS),)
$(UKBPF_TOOL): $(UKBPF_TOOL_SRCS:%.c=$(BUILD)/host/%.o) $(EBPF_HOST_LIB)
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^

HOST_TARGETS += $(UKBPF_TOOL)
endif

# tools/pktgen: the packet benchmarks' traffic generator (libc only; docs/benchmarks.md).
PKTGEN := $(BUILD)/tools/pktgen
$(PKTGEN): $(BUILD)/host/tools/pktgen/pktgen.o
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ -lpthread

HOST_TARGETS += $(PKTGEN)
