# ukbpf top-level build. `make` builds the guest image (build/ukbpf.elf,
# build/ukbpf.iso) and the host tools; `make run` boots the app; `make test`
# runs every test. Per-directory rules live in */*.mk fragments.

APP ?= hello
BUILD := build
PYTHON := /usr/bin/python3

HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -MMD -MP

.PHONY: all run test debug clean host deps
.DEFAULT_GOAL := all

include ebpf/ebpf.mk
include tools/tools.mk
include tests/tests.mk

all: host

host: $(HOST_TARGETS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
