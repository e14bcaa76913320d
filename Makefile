# SPDX-License-Identifier: GPL-2.0
#
#   make                 module for KDIR, and catoproxyctl
#   make modules-all     module for every installed kernel, W=1 and sparse
#   make demo            build, boot a VM, show the proxy in a netns topology
#   make check           every test: unit, build (both kernels), VM selftests
#   make ynl-gen         regenerate the UAPI header and kmod/netlink-gen.[ch]
#                        from Documentation/netlink/specs/catoproxy.yaml
#   make ynl-check       fail when those files do not match the spec
#   make bench           benchmark in the VM [KREL=...]; Documentation/benchmark.md

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PWD := $(shell pwd)
# Kernels the VM tests and modules-all run on: the ones the VM harness keeps
# in its cache (tools/install-deps.sh fetches them), with their headers.
KRELS ?= $(shell selftests/vm/kernels.sh 2>/dev/null)
BUILD := build
MODULE_SRCS := Kbuild $(shell find kmod uapi -name '*.[ch]' -o -name Kbuild.include)

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	$(MAKE) -C tools/catoproxyctl clean
	$(MAKE) -C selftests/unit clean
	rm -rf $(BUILD)

tools:
	$(MAKE) -C tools/catoproxyctl

# Each kernel gets a private copy of the sources, so that the two builds
# never share object files. The log keeps the compiler's and sparse's output:
# `make check` counts any warning in it as a failure.
$(BUILD)/%/catoproxy.ko: $(MODULE_SRCS)
	rm -rf $(BUILD)/$*/src && mkdir -p $(BUILD)/$*/src
	cp -r --parents $(MODULE_SRCS) $(BUILD)/$*/src/
	kdir=$$(selftests/vm/kernels.sh --kdir $*) && \
	$(MAKE) -C $$kdir M=$(PWD)/$(BUILD)/$*/src W=1 C=1 modules \
		> $(BUILD)/$*/build.log 2>&1 || { cat $(BUILD)/$*/build.log; exit 1; }
	cp $(BUILD)/$*/src/catoproxy.ko $@

modules-all: $(foreach k,$(KRELS),$(BUILD)/$(k)/catoproxy.ko)

deps:
	tools/install-deps.sh

# The generated files are committed; ynl-check regenerates them aside and
# diffs (selftests/check.sh runs it).
ynl-gen:
	tools/ynl-gen.sh

ynl-check:
	tools/ynl-gen.sh --check

unit:
	$(MAKE) -C selftests/unit run

# The kernel list is read after deps has installed the kernels.
demo: deps
	$(MAKE) demo-run

demo-run: tools
	k=$$(selftests/vm/kernels.sh | tail -n 1) && \
	$(MAKE) $(BUILD)/$$k/catoproxy.ko && \
	selftests/vm/run.sh -k $$k --demo

check: deps
	selftests/check.sh

# The benchmark (selftests/bench/) on the newest kernel, or KREL=...; it
# rewrites Documentation/benchmark.md. Without a module that builds, it
# still measures the other configurations.
bench: deps
	$(MAKE) bench-run

bench-run: tools
	k=$(or $(KREL),$$(selftests/vm/kernels.sh | tail -n 1)) && \
	if ! $(MAKE) $(BUILD)/$$k/catoproxy.ko; then \
		echo "bench: the module does not build, leaving catoproxy out"; \
		export BENCH_CONFIGS="plain synproxy"; \
	fi; \
	selftests/bench/run.sh -k $$k

.PHONY: all module clean tools modules-all deps ynl-gen ynl-check unit demo demo-run check bench bench-run
