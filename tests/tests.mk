# Host C unit tests: tests/unit/test_NAME.c becomes build/tests/unit/test_NAME.
# Tests of ebpf/ (test_ebpf_*.c) link the host libebpf; tests of a kernel
# module (test_MODULE.c) are built together with kernel/MODULE.c, which
# must therefore compile on the host; so must net/MODULE.c for test_net_MODULE.c
# and drivers/MODULE.c for test_drivers_MODULE.c.
# tests/unit/test_c_units.py runs them all.
UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_CFLAGS := $(HOST_CFLAGS) -Iebpf -Ikernel -Itools/ukbpf -DUKBPF_HOST_TEST

# ebpf tests also link the host platform (mmap'd JIT memory, clock, console).
$(BUILD)/tests/unit/test_ebpf_%: tests/unit/test_ebpf_%.c $(BUILD)/host/tools/ukbpf/host_platform.o $(EBPF_HOST_LIB)
	@mkdir -p $(@D)
	$(HOST_CC) $(UNIT_CFLAGS) -o $@ $^ -lcmocka

# Tests of a net/ module that needs no lwIP (test_net_MODULE.c) build with net/MODULE.c.
$(BUILD)/tests/unit/test_net_%: tests/unit/test_net_%.c net/%.c $(EBPF_HOST_LIB)
	@mkdir -p $(@D)
	$(HOST_CC) $(UNIT_CFLAGS) -Inet -o $@ $^ -lcmocka

# Tests of a driver (test_drivers_MODULE.c) build with drivers/MODULE.c and the
# kernel seam it registers with; the test fakes the transport and plays the device.
$(BUILD)/tests/unit/test_drivers_%: tests/unit/test_drivers_%.c drivers/%.c kernel/byte_channel.c
	@mkdir -p $(@D)
	$(HOST_CC) $(UNIT_CFLAGS) -Idrivers -o $@ $^ -lcmocka

$(BUILD)/tests/unit/test_%: tests/unit/test_%.c kernel/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(UNIT_CFLAGS) -o $@ $^ -lcmocka

HOST_TARGETS += $(UNIT_TESTS)

# Every test, one runner: pytest drives the C unit tests, the eBPF data
# suites and the system tests that boot the image.
test: all
	$(PYTHON) -m pytest -q tests

# test_ebpf_ctl loads a clang-built object as a control client sends one.
CTL_TEST_OBJ := $(BUILD)/tests/unit/ctl.bpf.o
$(CTL_TEST_OBJ): tests/ebpf/progs/ctl.c
	@mkdir -p $(@D)
	clang -O2 -g -target bpf -I/usr/include/$(shell $(HOST_CC) -dumpmachine) -c $< -o $@
$(BUILD)/tests/unit/test_ebpf_ctl: UNIT_CFLAGS += -DCTL_TEST_OBJ='"$(abspath $(CTL_TEST_OBJ))"'
$(BUILD)/tests/unit/test_ebpf_ctl: | $(CTL_TEST_OBJ)
