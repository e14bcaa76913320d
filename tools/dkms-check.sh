#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: tools/dkms-check.sh [KREL ...]
#
# `dkms build` of the module with the project's dkms.conf, for each kernel
# given (default: every kernel with headers in /lib/modules/*/build), with
# the headers the VM harness builds against (selftests/vm/kernels.sh
# --kdir: the installed package's, else those extracted into its cache,
# which dkms does not look for by itself), in a scratch DKMS tree: nothing
# is added to the machine's DKMS tree or installed into its kernels'
# module directories, and the module is not signed (no signing key is
# created). Needs dkms. Prints TAP; exit status 0 iff every build passed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
command -v dkms >/dev/null || { echo "dkms-check: dkms not installed (apt-get install dkms)" >&2; exit 2; }

krels=("$@")
if [ ${#krels[@]} -eq 0 ]; then
	for d in /lib/modules/*/build; do
		[ -f "$d/Makefile" ] && krels+=("$(basename "$(dirname "$d")")")
	done
fi
[ ${#krels[@]} -gt 0 ] || { echo "dkms-check: no kernel headers found" >&2; exit 2; }

t=$(mktemp -d "${TMPDIR:-/tmp}/catoproxy-dkms.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
mkdir -p "$t/tree" "$t/install" &&
	make -s dkms-source DESTDIR="$t/src" DKMS_SRCDIR="/catoproxy-$version" ||
	{ echo "dkms-check: make dkms-source failed" >&2; exit 1; }
# sign_file from the environment (dkms's framework.conf may override it):
# without it dkms would create a machine owner key in /var/lib/dkms.
dkms_() {
	sign_file=/nonexistent dkms --dkmstree "$t/tree" --sourcetree "$t/src" \
		--installtree "$t/install" "$@"
}

echo "1..${#krels[@]}"
n=0 failed=0
for k in "${krels[@]}"; do
	n=$((n + 1))
	kdir=$(selftests/vm/kernels.sh --kdir "$k" 2>/dev/null) || kdir=/lib/modules/$k/build
	if dkms_ build -m catoproxy -v "$version" -k "$k" --kernelsourcedir "$kdir" \
		>"$t/build-$k.log" 2>&1 &&
		dkms_ status -m catoproxy -v "$version" -k "$k" | grep -q ": built$" &&
		ls "$t/tree/catoproxy/$version/$k"/*/module/catoproxy.ko* >/dev/null 2>&1; then
		echo "ok $n dkms: catoproxy/$version builds for $k"
	else
		sed 's/^/# /' "$t/build-$k.log"
		cat "$t/tree/catoproxy/$version/build/make.log" 2>/dev/null | tail -n 20 | sed 's/^/# /'
		echo "not ok $n dkms: catoproxy/$version builds for $k"
		failed=$((failed + 1))
	fi
done
[ "$failed" = 0 ]
