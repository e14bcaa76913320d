#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything `make check` runs, as one TAP stream per stage, then one line:
# "N passed, M failed, K skipped".
#
#   0. the generated netlink files match the YNL spec
#   1. host unit tests (policy logic, CLI parsers) and the policy fuzz
#      target on a fixed pseudo-random corpus, with ASan/UBSan
#   2. catoproxyctl builds with zero warnings
#   3. the module builds against every installed kernel with W=1 and sparse
#      (C=1), with zero warnings
#   4. installation: `make install DESTDIR=...` stages exactly the module,
#      the tool, its man page and completion and catoproxy.service (which
#      `systemd-analyze verify` accepts), `make uninstall` removes them;
#      dkms.conf agrees with the module's version and name; the Debian
#      packages build, install what they should, and lintian reports no
#      error (`make deb-check`), and `dkms build` builds the module for
#      each kernel (`make dkms-check`, in a scratch DKMS tree)
#   5. the selftests in selftests/Makefile, in a QEMU VM per kernel, the
#      kernels side by side
#
# KRELS (space-separated) limits the kernels; TESTS limits the selftests.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=build/check
mkdir -p "$log"
: >"$log/results"

# Record one result: ok|fail|skip, name.
result() {
	echo "$1 $2" >>"$log/results"
	case $1 in
	ok) echo "ok - $2" ;;
	skip) echo "ok - $2 # SKIP" ;;
	*) echo "not ok - $2" ;;
	esac
}

# Fold a TAP stream's top-level results into ours.
collect_tap() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case $line in
		"not ok "*) echo "fail ${line#not ok }" >>"$log/results" ;;
		"ok "*"# SKIP"*) echo "skip ${line#ok }" >>"$log/results" ;;
		"ok "*) echo "ok ${line#ok }" >>"$log/results" ;;
		esac
	done
}

krels=${KRELS:-$(selftests/vm/kernels.sh)}
tests=${TESTS:-$(make -s -C selftests print-tests)}

echo "# netlink spec"
if make -s ynl-check >"$log/ynl-check.log" 2>&1; then
	result ok "netlink: generated files match the spec"
else
	cat "$log/ynl-check.log"
	result fail "netlink: generated files match the spec"
fi

echo "# unit tests"
if make -s -C selftests/unit all >"$log/unit-build.log" 2>&1 &&
   make -s -C selftests/fuzz all >>"$log/unit-build.log" 2>&1; then
	make -s -C selftests/unit run 2>&1 | collect_tap
	make -s -C selftests/fuzz run 2>&1 | collect_tap
else
	cat "$log/unit-build.log"
	result fail "unit tests build"
fi

echo "# test programs"
# The VM selftests run the benchmark's C client and server (rules.sh).
if make -s -C selftests/bench >"$log/bench-build.log" 2>&1; then
	result ok "selftests/bench programs build"
else
	cat "$log/bench-build.log"
	result fail "selftests/bench programs build"
fi

echo "# catoproxyctl"
make -s -C tools/catoproxyctl clean >/dev/null 2>&1
if make -C tools/catoproxyctl >"$log/tools.log" 2>&1 &&
   ! grep -q 'warning:' "$log/tools.log"; then
	result ok "catoproxyctl builds without warnings"
else
	cat "$log/tools.log"
	result fail "catoproxyctl builds without warnings"
fi

built=
for k in $krels; do
	echo "# module for $k"
	rm -f "build/$k/catoproxy.ko"
	if make -s "build/$k/catoproxy.ko" KRELS="$k" >"$log/module-$k.log" 2>&1 &&
	   ! grep -qiE 'warning|error' "build/$k/build.log"; then
		result ok "$k: module builds with W=1 C=1, no warnings"
		built="$built $k"
	else
		cat "$log/module-$k.log" "build/$k/build.log" 2>/dev/null | grep -iE 'warning|error' | head -40
		result fail "$k: module builds with W=1 C=1, no warnings"
	fi
done

echo "# install"
stage=$(mktemp -d "${TMPDIR:-/tmp}/catoproxy-install.XXXXXX")
staged() { (cd "$stage" && find . ! -type d | sed 's|^\./|/|' | LC_ALL=C sort); }
# systemd-analyze verify on the staged unit, its tool and man page taken
# from the stage (the unit names them where they will be installed).
unit_verify() {
	local dir rc

	command -v systemd-analyze >/dev/null || return 0
	grep -qx 'ExecStart=/usr/sbin/catoproxyctl load /etc/catoproxy/catoproxy.conf' \
		"$stage/usr/lib/systemd/system/catoproxy.service" || return 1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/catoproxy-unit.XXXXXX") || return 1
	sed "s| /usr/sbin/| $stage/usr/sbin/|g; s|=/usr/sbin/|=$stage/usr/sbin/|" \
		"$stage/usr/lib/systemd/system/catoproxy.service" >"$dir/catoproxy.service"
	(cd "$dir" && MANPATH=$stage/usr/share/man systemd-analyze verify catoproxy.service)
	rc=$?
	rm -rf "$dir"
	return $rc
}
for k in $built; do
	want="/lib/modules/$k/updates/catoproxy.ko
/usr/lib/systemd/system/catoproxy.service
/usr/sbin/catoproxyctl
/usr/share/bash-completion/completions/catoproxyctl
/usr/share/man/man8/catoproxyctl.8"
	if make -s install DESTDIR="$stage" PREFIX=/usr KERNELRELEASE="$k" \
		KO="build/$k/catoproxy.ko" >"$log/install.log" 2>&1 &&
	   [ "$(staged)" = "$want" ] &&
	   cmp -s "build/$k/catoproxy.ko" "$stage/lib/modules/$k/updates/catoproxy.ko" &&
	   unit_verify >>"$log/install.log" 2>&1 &&
	   make -s uninstall DESTDIR="$stage" PREFIX=/usr KERNELRELEASE="$k" >>"$log/install.log" 2>&1 &&
	   [ -z "$(staged)" ]; then
		result ok "$k: make install DESTDIR= stages the module, tool, man page, completion, systemd unit; uninstall removes them"
	else
		cat "$log/install.log"; staged
		result fail "$k: make install DESTDIR= stages the module, tool, man page, completion, systemd unit; uninstall removes them"
	fi
done
rm -rf "$stage"
version=$(sed -n 's/^#define CATOPROXY_VERSION "\(.*\)"$/\1/p' kmod/version.h)
if [ -n "$version" ] &&
   grep -qx "PACKAGE_VERSION=\"$version\"" dkms.conf &&
   grep -qx 'PACKAGE_NAME="catoproxy"' dkms.conf &&
   grep -qx 'BUILT_MODULE_NAME\[0\]="catoproxy"' dkms.conf &&
   grep -q 'catoproxy\.o' Kbuild &&
   head -n 1 debian/changelog | grep -q "^catoproxy ($version)" &&
   bash -n dkms.conf; then
	result ok "dkms.conf and debian/changelog carry the module's version $version"
else
	result fail "dkms.conf and debian/changelog carry the module's version $version"
fi
tools/deb.sh --check 2>&1 | collect_tap
[ "${PIPESTATUS[0]}" = 0 ] || grep -q '^fail [0-9]* deb: ' "$log/results" ||
	result fail "deb: tools/deb.sh --check (log: build/deb/build.log)"
# shellcheck disable=SC2086 # one argument per kernel
tools/dkms-check.sh $krels 2>&1 | collect_tap
[ "${PIPESTATUS[0]}" = 0 ] || grep -q '^fail [0-9]* dkms: ' "$log/results" ||
	result fail "dkms: tools/dkms-check.sh"

# Each kernel's VM runs TCG on one host thread: the kernels run side by
# side, one per CPU. The first one's results stream as they come, the
# others' follow once it is done.
declare -A pid=()
for k in $krels; do
	case " $built " in
	*" $k "*) ;;
	*) continue ;;
	esac
	# shellcheck disable=SC2086
	selftests/vm/run.sh -k "$k" $tests >"$log/vm-$k.tap" 2>&1 &
	pid[$k]=$!
done
for k in $krels; do
	if [ -z "${pid[$k]:-}" ]; then
		result fail "$k: selftests (module did not build)"
		continue
	fi
	echo "# selftests on $k"
	tail -n +1 -s 1 -f --pid="${pid[$k]}" "$log/vm-$k.tap" | collect_tap
	wait "${pid[$k]}"
	rc=$?
	[ "$rc" -eq 0 ] || grep -q "^fail .*$k" "$log/results" ||
		result fail "$k: VM harness"
done

passed=$(grep -c '^ok ' "$log/results")
failed=$(grep -c '^fail ' "$log/results")
skipped=$(grep -c '^skip ' "$log/results")
if [ "$failed" -gt 0 ]; then
	echo "# failed:"
	sed -n 's/^fail /#   /p' "$log/results"
fi
echo "$passed passed, $failed failed, $skipped skipped" | tee "$log/summary"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
