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

# tools/kernel-run: the host kernel's side of the compatibility report
# (scripts/compat.py): libbpf loads one program, BPF_PROG_TEST_RUN runs it.
KERNEL_RUN := $(BUILD)/tools/kernel-run
$(KERNEL_RUN): $(BUILD)/host/tools/kernel-run/kernel-run.o
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ -lbpf

HOST_TARGETS += $(KERNEL_RUN)
