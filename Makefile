# ukbpf top-level build. `make` builds the guest image (build/ukbpf.elf,
# build/ukbpf.iso) and the host tools; `make run` boots the app; `make test`
# runs every test. Per-directory rules live in */*.mk fragments.

DEFAULT_APP := httpd
APP ?= $(DEFAULT_APP)
BUILD := build
PYTHON := /usr/bin/python3

MAKEFLAGS += -j$(shell nproc)
HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -MMD -MP

.PHONY: all run test debug clean host bench-boot bench-ebpf bench-verify bench-net linux-guest bench-guests bench image compat FORCE
.DEFAULT_GOAL := all

# ---- dependencies: Debian packages, newlib and lwIP (scripts/deps.sh) ----
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/deps.mk
endif
$(BUILD)/deps.mk: scripts/deps.sh
	@mkdir -p $(@D)
	scripts/deps.sh $@

include ebpf/ebpf.mk
include tools/tools.mk
include tests/tests.mk

# ---- the guest image ----
# Freestanding x86-64 code at 1 MiB, identity mapped: small code model,
# no PIC, no red zone (interrupts push on the current stack), frame
# pointers for backtraces. newlib supplies the C library headers.
GCC_INCLUDE := $(shell $(HOST_CC) -print-file-name=include)
LIBGCC := $(shell $(HOST_CC) -print-libgcc-file-name)
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mcmodel=small -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Wno-unused-parameter \
	-nostdinc -isystem $(NEWLIB_DIR)/include -isystem $(GCC_INCLUDE) \
	-iquote kernel -iquote boot -iquote ebpf -iquote net -D_POSIX_TIMERS=1 \
	-D_POSIX_MONOTONIC_CLOCK=200112L -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
	-T linker.ld

# ---- lwIP, from Debian's source package, with our port in net/ ----
LWIP_SRCS := $(wildcard $(addprefix $(LWIP_DIR)/src/,core/*.c core/ipv4/*.c core/ipv6/*.c) \
	$(LWIP_DIR)/src/netif/ethernet.c)
LWIP_OBJS := $(LWIP_SRCS:$(LWIP_DIR)/src/%.c=$(BUILD)/lwip/%.o)
LWIP_LIB := $(BUILD)/lwip/liblwip.a
LWIP_CFLAGS := $(filter-out -Wall -Wextra,$(KERNEL_CFLAGS)) -iquote net -I net \
	-I $(LWIP_DIR)/src/include

$(BUILD)/lwip/%.o: $(LWIP_DIR)/src/%.c net/lwipopts.h net/arch/cc.h
	@mkdir -p $(@D)
	$(HOST_CC) $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS)
	rm -f $@ && ar rcs $@ $^

# ---- mbed TLS for the guest (sources and flags: ebpf/ebpf.mk) ----
MBEDTLS_GUEST_OBJS := $(MBEDTLS_SRCS:$(MBEDTLS_DIR)/library/%.c=$(BUILD)/mbedtls/%.o)
MBEDTLS_GUEST_LIB := $(BUILD)/mbedtls/libmbedcrypto.a

$(BUILD)/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c ebpf/mbedtls_config.h
	@mkdir -p $(@D)
	$(HOST_CC) $(filter-out -Wall -Wextra,$(KERNEL_CFLAGS)) $(MBEDTLS_INCLUDES) -c $< -o $@

$(MBEDTLS_GUEST_LIB): $(MBEDTLS_GUEST_OBJS)
	rm -f $@ && ar rcs $@ $^

# Kernel objects are shared by every app; the app's own objects and
# kernel/main.c (which names the app) are built per app, and every app but
# the default gets its own output directory, so images of different apps
# coexist: build/ukbpf.elf (the default app), build/apps/APP/ukbpf.elf otherwise.
KERNEL_SRCS := $(filter-out kernel/main.c,$(wildcard boot/*.S kernel/*.S kernel/*.c drivers/*.c net/*.c))
# net/ is the lwIP port and the packet path: it sees lwIP's headers, and so
# do apps, which use lwIP's raw API (net/net.h).
$(BUILD)/kernel-obj/net/%.o $(BUILD)/kernel-obj/apps-$(APP)/%.o: KERNEL_CFLAGS += -I net -I $(LWIP_DIR)/src/include
# Driver headers are for drivers and net/ (which probes them and wraps them
# in net/netdev.h) only: an app that includes one does not compile.
$(BUILD)/kernel-obj/drivers/%.o $(BUILD)/kernel-obj/net/%.o: KERNEL_CFLAGS += -iquote drivers
# ebpf/ makes SYN cookies with mbed TLS.
$(BUILD)/kernel-obj/ebpf/%.o: KERNEL_CFLAGS += $(MBEDTLS_INCLUDES)
APP_SRCS := $(wildcard apps/$(APP)/*.c) kernel/main.c
ifeq ($(wildcard apps/$(APP)/*.c),)
$(error APP=$(APP): no such application (apps/$(APP)/*.c); choose one of: $(notdir $(wildcard apps/*)))
endif
KOBJ := $(BUILD)/kernel-obj
KERNEL_OBJS := $(patsubst %,$(KOBJ)/%.o,$(KERNEL_SRCS))
APP_OBJS := $(patsubst %,$(KOBJ)/apps-$(APP)/%.o,$(APP_SRCS))
EBPF_GUEST_LIB := $(BUILD)/kernel-obj/libebpf.a
IMAGE_LIBS := $(EBPF_GUEST_LIB) $(LWIP_LIB) $(NEWLIB_DIR)/lib/libc.a $(NEWLIB_DIR)/lib/libm.a \
	$(LIBGCC)
IMAGE_DIR := $(if $(filter $(DEFAULT_APP),$(APP)),$(BUILD),$(BUILD)/apps/$(APP))
IMAGE := $(IMAGE_DIR)/ukbpf.elf
IMAGE_DEBUG := $(IMAGE_DIR)/ukbpf-debug.elf
ISO := $(IMAGE_DIR)/ukbpf.iso
# build/ukbpf.elf holds whichever app is the default: a stamp naming the
# app, rewritten only when it changes, relinks the image when that changes.
APP_STAMP := $(IMAGE_DIR)/app-name
$(shell mkdir -p $(IMAGE_DIR) && [ "$$(cat $(APP_STAMP) 2>/dev/null)" = "$(APP)" ] || \
	echo "$(APP)" > $(APP_STAMP))

$(KOBJ)/%.c.o: %.c $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -c $< -o $@

$(KOBJ)/%.S.o: %.S $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -c $< -o $@

# The eBPF runtime, built freestanding like the kernel (same sources as the host's).
$(EBPF_GUEST_LIB): $(patsubst %,$(KOBJ)/%.o,$(EBPF_SRCS)) $(MBEDTLS_GUEST_OBJS)
	rm -f $@ && ar rcs $@ $^

$(KOBJ)/apps-$(APP)/%.c.o: %.c $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -DUKBPF_APP_NAME='"$(APP)"' -c $< -o $@

# Two links: the second carries the first one's text symbols in .ksyms
# (kernel/ksyms.h), which moves no code.
$(IMAGE_DEBUG): $(KERNEL_OBJS) $(APP_OBJS) $(EBPF_GUEST_LIB) $(LWIP_LIB) $(APP_STAMP) linker.ld \
		scripts/gen-ksyms.sh
	@mkdir -p $(@D)
	scripts/gen-ksyms.sh > $@.ksyms-empty.S
	$(HOST_CC) -c $@.ksyms-empty.S -o $@.ksyms-empty.o
	ld $(KERNEL_LDFLAGS) -o $@.pass1 $(KERNEL_OBJS) $(APP_OBJS) $@.ksyms-empty.o \
		--start-group $(IMAGE_LIBS) --end-group
	scripts/gen-ksyms.sh $@.pass1 > $@.ksyms.S
	$(HOST_CC) -c $@.ksyms.S -o $@.ksyms.o
	ld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(APP_OBJS) $@.ksyms.o \
		--start-group $(IMAGE_LIBS) --end-group
	scripts/check-ksyms.sh $@.pass1 $@

# What boots is the same image without debug information, a fifth of the
# size; gdb reads ukbpf-debug.elf (scripts/gdbinit), backtraces use .ksyms.
$(IMAGE): $(IMAGE_DEBUG)
	strip --strip-debug -o $@ $<

# GRUB (multiboot2) ISO for SeaBIOS boots; CMDLINE and MODULES go into grub.cfg.
$(ISO): $(IMAGE) scripts/mkiso.sh
	scripts/mkiso.sh $(IMAGE) $@

all: $(IMAGE) $(ISO) $(LWIP_LIB) host

# ---- the app's XDP programs ----
# An app's XDP programs are apps/APP/bpf/*.c, built to
# build/apps/APP/NAME.bpf.o; `make run` and `make image` attach them
# (defined before both: a rule's prerequisites expand where it stands).
APP_BPF := $(patsubst apps/$(APP)/bpf/%.c,$(BUILD)/apps/$(APP)/%.bpf.o,$(wildcard apps/$(APP)/bpf/*.c))
$(BUILD)/apps/$(APP)/%.bpf.o: apps/$(APP)/bpf/%.c
	@mkdir -p $(@D)
	clang -O2 -g -Wall -MMD -MP -target bpf -I/usr/include/$(shell $(HOST_CC) -dumpmachine) -c $< -o $@

# ---- cloud disk images (docs/deploy.md) ----
# make image [APP=x] [IMAGE_CMDLINE="key=value ... -- args"] [IMAGE_BPF="a.o[:NAME] ..."]
# writes disk.raw (MBR, GRUB, FAT), disk.qcow2 and ukbpf-gce.tar.gz beside
# the app's ukbpf.elf; the command line and programs land in the disk's
# grub.cfg, where they can be edited later.
IMAGE_CMDLINE ?=
IMAGE_BPF ?= $(APP_BPF)
DISK_RAW := $(IMAGE_DIR)/disk.raw
DISK_QCOW2 := $(IMAGE_DIR)/disk.qcow2
GCE_TARBALL := $(IMAGE_DIR)/ukbpf-gce.tar.gz
DISK_CONFIG := $(IMAGE_DIR)/disk.config
# FILE:NAME -> "FILE bpf=NAME", FILE -> "FILE bpf": a module kernel/bpf_boot.h attaches
bpf_module = "$(if $(findstring :,$(1)),$(firstword $(subst :, ,$(1))) bpf=$(lastword $(subst :, ,$(1))),$(1) bpf)"
bpf_file = $(firstword $(subst :, ,$(1)))

# Rewritten only when the settings change, so the disk is rebuilt then.
$(DISK_CONFIG): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(IMAGE_CMDLINE)' '$(IMAGE_BPF)' | cmp -s - $@ || \
		printf '%s\n' '$(IMAGE_CMDLINE)' '$(IMAGE_BPF)' > $@

$(DISK_RAW): $(IMAGE) $(DISK_CONFIG) $(foreach b,$(IMAGE_BPF),$(call bpf_file,$(b))) \
		scripts/mkdisk.sh scripts/grub-cfg.sh
	scripts/mkdisk.sh $(IMAGE) $@ "$(IMAGE_CMDLINE)" $(foreach b,$(IMAGE_BPF),$(call bpf_module,$(b)))

$(DISK_QCOW2): $(DISK_RAW)
	qemu-img convert -f raw -O qcow2 $< $@

$(GCE_TARBALL): $(DISK_RAW) scripts/mkgce.sh
	scripts/mkgce.sh $< $@

image: $(DISK_RAW) $(DISK_QCOW2) $(GCE_TARBALL)
	@ls -l $^

FORCE:

# ---- running ----
CMDLINE ?=
# httpd is reachable from the host on port 8080 (QEMU user networking),
# udp-echo on UDP port 7007; the firewall gets its two NICs.
RUN_FLAGS_httpd := --net-user tcp::8080-:80
RUN_FLAGS_udp-echo := --net-user udp::7007-:7
RUN_FLAGS_xsk-echo := --net-user udp::7007-:7
RUN_FLAGS_firewall := --net-user --net-user
RUN_FLAGS ?= $(RUN_FLAGS_$(APP)) $(foreach b,$(APP_BPF),--bpf $(b))
run: all $(APP_BPF)
	scripts/run.sh $(RUN_FLAGS) --cmdline "$(CMDLINE)" $(IMAGE)

debug: all $(APP_BPF)
	scripts/run.sh --debug $(RUN_FLAGS) --cmdline "$(CMDLINE)" $(IMAGE)

# ---- measurements (tables, not tests) ----
# Boot time is measured on hello: it prints and exits without a network.
bench-boot: all
	$(MAKE) -s APP=hello $(BUILD)/apps/hello/ukbpf.elf $(BUILD)/apps/hello/ukbpf.iso
	$(PYTHON) scripts/bench-boot.py

bench-ebpf: all
	$(PYTHON) scripts/bench-ebpf.py

# The verifier's work and time on the accept suite and synthetic parsers,
# beside Linux's (docs/verifier.md, "Measuring"); not part of `make test`.
bench-verify:
	$(PYTHON) scripts/bench-verify.py

# Frames/s through httpd's receive path, from tools/pktgen on a tap (needs
# root; docs/benchmarks.md, "Packet path"); BENCH_NET_FLAGS, e.g. --runs 5.
bench-net: $(PKTGEN)
	$(MAKE) -s APP=$(DEFAULT_APP) $(BUILD)/ukbpf.elf
	$(PYTHON) scripts/bench-net.py $(BENCH_NET_FLAGS)

# The Linux guest the benchmarks compare with (Debian's kernel and busybox,
# tools/xdp-loader), and ukbpf beside it: boot, footprint, program cost and
# verification (docs/benchmarks.md); BENCH_GUESTS_FLAGS, e.g. --runs 5.
linux-guest:
	scripts/linux-guest.sh $(BUILD)/linux-guest

bench-guests: all
	$(PYTHON) scripts/bench_guests.py $(BENCH_GUESTS_FLAGS)

# Every ukbpf-vs-Linux section in one report with plots:
# bench/results/<date>/report.md (scripts/bench.py builds what it needs;
# packet and app sections need root). BENCH_FLAGS, e.g. --only boot,packet
# or --quick (one short run each) or --runs 5.
bench: all
	$(PYTHON) scripts/bench.py $(BENCH_FLAGS)

# Which XDP programs of xdp-tools and Linux's selftests and samples load and
# run on ukbpf as on the host kernel (issue 11): prints the report and
# rewrites docs/compat.md. Needs root; fetches and builds the corpus into the
# cache (scripts/corpus.sh) on first use.
compat: host
	$(PYTHON) scripts/compat.py --markdown docs/compat.md


host: $(HOST_TARGETS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
