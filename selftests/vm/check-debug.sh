#!/bin/bash
# `make check-debug`: the selftests on the debug kernel (KASAN, UBSAN,
# lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS_TIMERS, KMEMLEAK) of
# selftests/vm/debug-kernel.sh, built first if it is not cached.
#
# Usage: selftests/vm/check-debug.sh [TEST ...]
#
#   TEST   selftests to run (default: the whole suite, TEST_PROGS of
#          selftests/Makefile, then fuzz/fuzz.sh); also CHECK_DEBUG_TESTS="..."
#          FUZZ_NL, FUZZ_TCP, FUZZ_SEED: fuzz.sh's sizes and seed
#
# The module is built against the debug kernel's tree with W=1 and sparse
# (build/KREL/build.log must hold no warning). The VM harness checks after
# every test that the kernel log holds no splat (KASAN, UBSAN, lockdep,
# "BUG:", "WARNING:", "sleeping function called") and, on this kernel, that
# a kmemleak scan finds nothing new. The guest runs slower than on Debian's
# kernels: the harness's watchdog is stretched (CPVM_SLACK, default 3).
# Exit status: 0 iff the module built cleanly and every test passed.
# Documentation/debug-kernel.rst has the timings.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
PROJ=$(cd "$here/../.." && pwd -P)
cd "$PROJ" || exit 2
die() { echo "check-debug: $*" >&2; exit 2; }

missing=()
for t in gcc make bc flex bison perl; do
	command -v "$t" >/dev/null || missing+=("$t")
done
[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
[ -f /usr/src/linux-source-6.12.tar.xz ] || [ -n "${DEBUG_KERNEL_SRC:-}" ] ||
	missing+=(linux-source-6.12)
[ ${#missing[@]} = 0 ] || die "missing: ${missing[*]} (apt-get install them)"

t0=$(date +%s)
kernels=$("$here/debug-kernel.sh") || die "the debug kernel did not build"
KREL=$("$here/debug-kernel.sh" --krel)
t1=$(date +%s)
export CATOPROXY_KERNELS=$kernels
echo "check-debug: kernel $KREL ($(cat "$("$here/debug-kernel.sh" --cache)/done")), ready in $((t1 - t0)) s"

make -s tools || die "catoproxyctl does not build"
# rules.sh runs the benchmark's C client and server, as under make check.
make -s -C selftests/bench || die "selftests/bench programs do not build"
make -s "build/$KREL/catoproxy.ko" || die "the module does not build against $KREL"
if grep -iE 'warning|error' "build/$KREL/build.log"; then
	die "the module's W=1 C=1 build against $KREL has warnings (build/$KREL/build.log)"
fi

# shellcheck disable=SC2206 # a list of words
tests=(${CHECK_DEBUG_TESTS:-})
[ $# -gt 0 ] && tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	# shellcheck disable=SC2207
	tests=($(make -s --no-print-directory -C selftests print-tests) fuzz/fuzz.sh)
fi
export CPVM_SLACK=${CPVM_SLACK:-3}
# The tests' own timeouts too: fuzz.sh's 100,000 messages alone take about
# an hour here.
export CPVM_TIMEOUT_SCALE=${CPVM_TIMEOUT_SCALE:-3}
export CPVM_PASSENV=${CPVM_PASSENV:-FUZZ_NL FUZZ_TCP FUZZ_SEED CHURN_CYCLES CHURN_FLOWS CHURN_PARTS}
t2=$(date +%s)
"$here/run.sh" -k "$KREL" "${tests[@]}"
rc=$?
echo "check-debug: ${#tests[@]} tests on $KREL in $(($(date +%s) - t2)) s, exit $rc"
exit "$rc"
