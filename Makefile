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
#   make check-kernel-nf the kernel's netfilter selftests in the VM, without
#                        and with the module [KREL=...] (not in `make check`:
#                        about an hour); Documentation/kernel-selftests.rst
#   make check-churn     rmmod and netns deletion cycles under load in the VM
#                        [KREL=...] (not in `make check`); Documentation/lifecycle.rst
#   make install         module into /lib/modules/KERNELRELEASE/updates (depmod
#                        unless DESTDIR), catoproxyctl, man page, completion
#                        under PREFIX; `make uninstall` removes them
#   make dkms-source     the module's sources and dkms.conf in
#                        DESTDIR/usr/src/catoproxy-VERSION, for dkms
#   make deb             Debian packages (catoproxy-dkms, catoproxyctl) in
#                        build/deb/; `make deb-check` also installs them into
#                        a scratch root and runs lintian
#   make dkms-check      `dkms build` for each kernel with headers, in a
#                        scratch DKMS tree
#   make check-debug     the selftests and fuzz.sh on a debug kernel (KASAN,
#                        UBSAN, lockdep, kmemleak) built once from
#                        linux-source-6.12 [TESTS="..."] (not in `make
#                        check`: hours); Documentation/debug-kernel.rst
#   make fuzz-vm         selftests/fuzz.sh in the VM [KREL=..., FUZZ_NL,
#                        FUZZ_TCP, FUZZ_SEED]
#   Documentation/install.rst has the details.

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

# Installation. With DESTDIR (staging, packaging) depmod is left to
# whoever installs the staged files.
PREFIX ?= /usr/local
DESTDIR ?=
MODDIR ?= /lib/modules/$(KERNELRELEASE)/updates
DEPMOD ?= depmod
INSTALL ?= install
VERSION := $(shell sed -n 's/^\#define CATOPROXY_VERSION "\(.*\)"$$/\1/p' kmod/version.h)
DKMS_SRCDIR ?= /usr/src/catoproxy-$(VERSION)

install: install-module install-tools

# KO=FILE installs that module (e.g. build/KREL/catoproxy.ko, with
# KERNELRELEASE=KREL) instead of building one against KDIR.
install-module modules_install: $(if $(KO),,module)
	$(INSTALL) -d $(DESTDIR)$(MODDIR)
	$(INSTALL) -m 0644 $(or $(KO),catoproxy.ko) $(DESTDIR)$(MODDIR)/catoproxy.ko
	$(if $(DESTDIR),,$(DEPMOD) -a $(KERNELRELEASE))

install-tools: tools
	$(MAKE) -C tools/catoproxyctl install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/catoproxy.ko
	$(if $(DESTDIR),,$(DEPMOD) -a $(KERNELRELEASE))
	$(MAKE) -C tools/catoproxyctl uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# What dkms (and the catoproxy-dkms package) builds from: the module's
# sources and dkms.conf, nothing of the tool or the tests.
dkms-source:
	$(INSTALL) -d $(DESTDIR)$(DKMS_SRCDIR)
	cp --parents dkms.conf $(MODULE_SRCS) $(DESTDIR)$(DKMS_SRCDIR)/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DKMS_SRCDIR)

# Debian packages, built from a clean copy of the committed tree so that
# nothing of a local build leaks into them.
deb:
	tools/deb.sh

deb-check:
	tools/deb.sh --check

# `dkms build` for every kernel with headers, in a scratch DKMS tree.
dkms-check:
	tools/dkms-check.sh

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
		export BENCH_CONFIGS="plain flowtable synproxy"; \
	fi; \
	selftests/bench/run.sh -k $$k

# The kernel's own netfilter selftests without the module and with it in
# full and delayed mode, on the newest kernel or KREL=...
check-kernel-nf: deps
	$(MAKE) check-kernel-nf-run

check-kernel-nf-run: tools
	k=$(or $(KREL),$$(selftests/vm/kernels.sh | tail -n 1)) && \
	$(MAKE) $(BUILD)/$$k/catoproxy.ko && \
	selftests/kernel-nf/run.sh -k $$k

# Lifecycle churn under load (selftests/churn/churn.sh) in the VM, on the
# newest kernel or KREL=... (Documentation/lifecycle.rst).
check-churn: deps
	$(MAKE) check-churn-run

check-churn-run: tools
	k=$(or $(KREL),$$(selftests/vm/kernels.sh | tail -n 1)) && \
	$(MAKE) $(BUILD)/$$k/catoproxy.ko && \
	CPVM_PASSENV="CHURN_CYCLES CHURN_FLOWS CHURN_PARTS" selftests/vm/run.sh -k $$k selftests/churn/churn.sh

# The debug kernel is built (once, cached) by the script itself.
check-debug: tools
	CHECK_DEBUG_TESTS="$(TESTS)" selftests/vm/check-debug.sh

fuzz-vm: tools
	k=$(or $(KREL),$$(selftests/vm/kernels.sh | tail -n 1)) && \
	$(MAKE) $(BUILD)/$$k/catoproxy.ko && \
	CPVM_PASSENV="FUZZ_NL FUZZ_TCP FUZZ_SEED" selftests/vm/run.sh -k $$k fuzz/fuzz.sh

.PHONY: all module clean tools modules-all deps ynl-gen ynl-check unit demo demo-run check bench bench-run \
	check-kernel-nf check-kernel-nf-run check-churn check-churn-run check-debug fuzz-vm \
	install install-module modules_install install-tools uninstall dkms-source deb deb-check dkms-check
