#!/bin/bash
# Run catoproxy selftests inside a QEMU (TCG) VM booting a Debian kernel.
#
# Usage: selftests/vm/run.sh [-k KREL] [--demo] [TEST ...]
#
#   -k KREL   kernel release (default: newest from selftests/vm/kernels.sh)
#   --demo    run selftests/demo.sh instead of tests, output printed as is,
#             exit code = demo's
#   TEST      test scripts, e.g. selftests/config.sh (relative to the project
#             root, to selftests/, or to the cwd); default: TEST_PROGS of
#             selftests/Makefile ("make print-tests"), else every
#             selftests/*.sh except lib.sh and demo.sh.
#
# The guest's root is the host's / (read-only 9p) under a tmpfs overlay, so it
# sees every host tool and the fresh build; nothing it writes reaches the host
# except the results share build/vm/KREL/out/. The kernel and its modules
# are the ones extracted into the harness's cache (selftests/vm/kernels.sh):
# the guest mounts the cache's lib/modules on its /lib/modules.
# Expects build/KREL/catoproxy.ko and tools/catoproxyctl/catoproxyctl (built
# by the top-level Makefile); the env vars CATOPROXY_KO / CATOPROXYCTL
# override these paths.
# Each test runs in the guest as
#   cd <project>/selftests && timeout $TIMEOUT bash ./<test>
# with CATOPROXY_KO, CATOPROXYCTL, KREL (and CATOPROXY_VM=1) set, and
# CATOPROXY_YNL: a copy of the kernel's YNL Python library, from
# tools/ynl-gen.sh --lib (or the host's CATOPROXY_YNL).
# Output: KTAP on stdout, saved in build/vm/KREL/{tap.txt,console.log,out/}.
# Exit status: 0 iff no test failed (and at least one test ran).
# CPVM_PASSENV="VAR ...": the host's values of these variables are set
# in the tests' environment (e.g. fuzz.sh's FUZZ_NL, FUZZ_TCP, FUZZ_SEED).
# Extra kernel parameters for debugging: CPVM_APPEND="...". QEMU's
# accelerator, CPU model and CPU count: CPVM_ACCEL, CPVM_CPU, CPVM_SMP.
# CPVM_ICOUNT="shift=N,...": QEMU's -icount, the guest's clock driven by
# the instructions it executes rather than by the host's (the benchmark
# uses it to measure cost, not the host's speed of the moment). A guest
# second may then take several host seconds: the host's watchdog and
# budget are stretched by CPVM_SLACK (default 8 with -icount, else 1).
# CPVM_TIMEOUT_SCALE=N: each test's own timeout (its settings file) times
# N, for a guest that runs slower on its own clock (a debug kernel); the
# guest gets it too, and lib.sh's slowwait() stretches its polls by it.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
PROJ=$(cd "$here/../.." && pwd -P)

die() { echo "selftests/vm/run.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

KREL='' DEMO=0 ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || usage; KREL=$2; shift 2 ;;
	-k*) KREL=${1#-k}; shift ;;
	--demo) DEMO=1; shift ;;
	-h | --help) usage ;;
	--) shift; ARGS+=("$@"); break ;;
	-*) usage ;;
	*) ARGS+=("$1"); shift ;;
	esac
done

[ -n "$KREL" ] || KREL=$("$here/kernels.sh" | tail -n 1)
[ -n "$KREL" ] || die "no usable kernel in $("$here/kernels.sh" --cache) (run tools/install-deps.sh)"
# The kernel and its modules come from the harness's cache, never from the
# machine's /boot and /lib/modules (selftests/vm/kernels.sh).
KROOT=$("$here/kernels.sh" --root "$KREL") ||
	die "$KREL not usable (available: $("$here/kernels.sh" | tr '\n' ' '))"
KERNEL=$KROOT/boot/vmlinuz-$KREL
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (run tools/install-deps.sh)"
[ "$(id -u)" = 0 ] || echo "selftests/vm/run.sh: warning: not root, the guest may not be able to read all host files" >&2
case $PROJ in
*[[:space:],:]*) die "the project path '$PROJ' must not contain whitespace, ',' or ':'" ;;
esac
case $KROOT in
*[[:space:],:]*) die "the kernel cache path '$KROOT' must not contain whitespace, ',' or ':'" ;;
esac

abspath() { realpath -m -- "$1"; }
KO=$(abspath "${CATOPROXY_KO:-$PROJ/build/$KREL/catoproxy.ko}")
CTL=$(abspath "${CATOPROXYCTL:-$PROJ/tools/catoproxyctl/catoproxyctl}")
[ -f "$KO" ] || die "module $KO not found: build it first (make)"
[ -f "$CTL" ] || die "CLI $CTL not found: build it first (make)"

# Tests, as paths relative to selftests/.
resolve() {
	local t=$1 f
	for f in "$t" "$PROJ/$t" "$PROJ/selftests/$t"; do
		case $f in /*) ;; *) f=$PWD/$f ;; esac
		if [ -f "$f" ]; then
			f=$(realpath -- "$f")
			case $f in
			"$PROJ/selftests/"*) echo "${f#"$PROJ/selftests/"}"; return 0 ;;
			*) die "$t: not under $PROJ/selftests" ;;
			esac
		fi
	done
	die "test $t not found"
}
timeout_of() { # kselftest-style 'settings' file: timeout=N
	local d s
	d=$(dirname "$PROJ/selftests/$1")
	for s in "$d/settings" "$PROJ/selftests/settings"; do
		if [ -f "$s" ]; then
			s=$(sed -n 's/^[[:space:]]*timeout[[:space:]]*=[[:space:]]*\([0-9]\+\).*/\1/p' "$s" | tail -n 1)
			[ -n "$s" ] && [ "$s" -gt 0 ] && { echo "$s"; return; }
		fi
	done
	echo 600
}

TSCALE=${CPVM_TIMEOUT_SCALE:-1}
[[ $TSCALE =~ ^[1-9][0-9]*$ ]] || die "CPVM_TIMEOUT_SCALE must be a positive integer"
TESTS=() TMOS=()
if [ "$DEMO" = 1 ]; then
	[ ${#ARGS[@]} -eq 0 ] || die "--demo takes no TEST arguments"
	[ -f "$PROJ/selftests/demo.sh" ] || die "selftests/demo.sh not found"
	DEMO_TMO=$(timeout_of demo.sh)
	budget=$DEMO_TMO
else
	if [ ${#ARGS[@]} -eq 0 ] && [ -f "$PROJ/selftests/Makefile" ]; then
		# shellcheck disable=SC2207
		ARGS=($(make -s --no-print-directory -C "$PROJ/selftests" print-tests 2>/dev/null))
		for i in "${!ARGS[@]}"; do ARGS[i]=$PROJ/selftests/${ARGS[i]}; done
	fi
	if [ ${#ARGS[@]} -eq 0 ]; then
		for f in "$PROJ"/selftests/*.sh; do
			case ${f##*/} in lib.sh | demo.sh) continue ;; esac
			[ -f "$f" ] && ARGS+=("$f")
		done
		[ ${#ARGS[@]} -gt 0 ] || die "no tests found in selftests/"
	fi
	budget=0
	for t in "${ARGS[@]}"; do
		r=$(resolve "$t") || exit 2
		TESTS+=("$r")
		TMOS+=("$(($(timeout_of "$r") * TSCALE))")
		budget=$((budget + ${TMOS[-1]} + 30))
	done
fi
# Boot plus margin; per test: timeout + kill-after + harness overhead.
# The tests' timeouts run on the guest's clock, the budget on the host's.
SLACK=${CPVM_SLACK:-$([ -n "${CPVM_ICOUNT:-}" ] && echo 8 || echo 1)}
[[ $SLACK =~ ^[1-9][0-9]*$ ]] || die "CPVM_SLACK must be a positive integer"
budget=$(((budget + 120) * SLACK))

VMDIR=$PROJ/build/vm/$KREL
OUT=$VMDIR/out
mkdir -p "$VMDIR" || die "cannot create $VMDIR"
exec 9>"$VMDIR/.lock"
if ! flock -n 9; then
	echo "selftests/vm/run.sh: waiting for another run on $KREL to finish" >&2
	flock 9
fi

INITRD=$VMDIR/initramfs.cpio
"$here/mkinitramfs.sh" "$KREL" "$INITRD" || die "cannot build the initramfs"

rm -rf "$OUT" && mkdir -p "$OUT" || die "cannot create $OUT"
# The tests drive the family with the kernel's YNL library: copied into
# the project, which the guest always sees (a cache in /root or /tmp may
# be hidden by a tmpfs there).
YNL=
if [ "$DEMO" = 0 ]; then
	YNL=$VMDIR/ynl
	src=${CATOPROXY_YNL:-$("$PROJ/tools/ynl-gen.sh" --lib)} ||
		die "cannot extract the kernel's YNL library (tools/ynl-gen.sh --lib)"
	rm -rf "$YNL" && mkdir -p "$YNL" && cp -r "$src/lib" "$YNL/" ||
		die "cannot copy the YNL library from $src"
fi
{
	printf 'CPVM_PROJ=%q\n' "$PROJ"
	printf 'CPVM_KREL=%q\nCPVM_KO=%q\nCPVM_CTL=%q\n' "$KREL" "$KO" "$CTL"
	printf 'CPVM_YNL=%q\n' "$YNL"
	printf 'CPVM_KMODS=%q\n' "$KROOT/lib/modules"
	printf 'export CPVM_TIMEOUT_SCALE=%q\n' "$TSCALE"
	for v in ${CPVM_PASSENV:-}; do
		[[ $v =~ ^[A-Z_][A-Z0-9_]*$ ]] && [ -n "${!v+set}" ] &&
			printf 'export %s=%q\n' "$v" "${!v}"
	done
	if [ "$DEMO" = 1 ]; then
		printf 'CPVM_MODE=demo\nCPVM_DEMO=demo.sh\nCPVM_DEMO_TIMEOUT=%q\n' "$DEMO_TMO"
	else
		echo CPVM_MODE=tests
		printf 'CPVM_TESTS=('; printf '%q ' "${TESTS[@]}"; echo ')'
		printf 'CPVM_TIMEOUTS=('; printf '%q ' "${TMOS[@]}"; echo ')'
	fi
} >"$OUT/job"

CONSOLE=$VMDIR/console.log
STREAM=$VMDIR/stream.log
TAP=$VMDIR/tap.txt
: >"$CONSOLE"; : >"$STREAM"; : >"$TAP"

APPEND="console=ttyS0 loglevel=4 panic=-1 printk.devkmsg=on mitigations=off"
APPEND+=" rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30"
APPEND+=" cpvm_proj=$PROJ cpvm_out=$OUT ${CPVM_APPEND:-}"
# Single-threaded TCG: with one host thread per vCPU (thread=multi), a vCPU
# can still run a jump-label site's temporary int3 after another vCPU has
# finished patching it (text_poke_bp), which oopses as "int3" in the middle
# of a NOP (seen in ipv6_rcv while conntrack hooks came and went on 6.12).
# Real CPUs serialise this; TCG's multi-threaded mode does not.
# shellcheck disable=SC2054 # commas are QEMU option syntax
QEMU=(qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot
	-machine pc -accel "${CPVM_ACCEL:-tcg,thread=single}" -cpu "${CPVM_CPU:-max}"
	-smp "${CPVM_SMP:-2}" -m 2048
	${CPVM_ICOUNT:+-icount "$CPVM_ICOUNT"}
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
	-serial "file:$CONSOLE" -serial "file:$STREAM"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=root
	-fsdev "local,id=out,path=$OUT,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=out,mount_tag=out)

# Everything printed goes to stdout and, for a test run, to tap.txt.
say() { printf '%s\n' "$@"; [ "$DEMO" = 1 ] || printf '%s\n' "$@" >>"$TAP"; }

if [ "$DEMO" = 0 ]; then
	say "TAP version 13" "1..${#TESTS[@]}"
fi
start=$(date +%s.%N)
timeout -k 10 "$budget" "${QEMU[@]}" </dev/null >"$VMDIR/qemu.log" 2>&1 &
qpid=$!
trap 'kill $qpid 2>/dev/null; wait $qpid; exit 130' INT TERM HUP

# Stream the guest's ttyS1 live.
# Host watchdog (test mode): kill the VM when the guest shows no progress:
# no first test within BOOT_WAIT s, a test without result TIMEOUT+60 s after
# its start, no poweroff 60 s after the last result.
BOOT_WAIT=$((180 * SLACK))
WATCHDOG=$VMDIR/watchdog.txt
rm -f "$WATCHDOG"
[ "$DEMO" = 1 ] && copy=/dev/null || copy=$TAP
out_line() {
	printf '%s\n' "$1"
	printf '%s\n' "$1" >&8
	[ "$DEMO" = 1 ] && return
	if [[ $1 =~ ^#\ ([0-9]+):\ .*\ \(timeout\ ([0-9]+)s\)$ ]]; then
		deadline=$((SECONDS + (BASH_REMATCH[2] + 60) * SLACK))
		what="test ${BASH_REMATCH[1]} gave no result $(((BASH_REMATCH[2] + 60) * SLACK))s after it started"
	elif [[ $1 =~ ^(not\ )?ok\ ([0-9]+)\  ]]; then
		deadline=$((SECONDS + 60 * SLACK)) what="the guest did not power off"
	fi
}
tail -n +1 -s 0.3 -f --pid=$qpid "$STREAM" | {
	deadline=$((SECONDS + BOOT_WAIT)) what="the guest did not start the tests within ${BOOT_WAIT}s"
	buf=
	while :; do
		if IFS= read -r -t 2 l; then
			out_line "${buf}${l%$'\r'}"
			buf=
		elif [ $? -gt 128 ]; then
			buf+=$l
		else
			l=$buf$l
			[ -z "$l" ] || out_line "${l%$'\r'}"
			break
		fi
		if [ "$DEMO" = 0 ] && [ ! -f "$WATCHDOG" ] && [ "$SECONDS" -gt "$deadline" ]; then
			echo "$what" >"$WATCHDOG"
			kill "$qpid" 2>/dev/null
		fi
	done
} 8>>"$copy"
wait $qpid
qrc=$?
trap - INT TERM HUP
wall=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}")

died=
if [ ! -f "$OUT/done" ]; then
	if [ -f "$WATCHDOG" ]; then
		died="guest hung: $(cat "$WATCHDOG"), killed"
	elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		died="guest died (timed out after ${budget}s)"
	else
		died="guest died"
	fi
	[ -s "$VMDIR/qemu.log" ] && sed 's/^/# qemu: /' "$VMDIR/qemu.log" | tail -n 20
	echo "# $KREL: $died; last lines of $CONSOLE:"
	tail -n 50 "$CONSOLE" | tr -d '\r' | sed 's/^/# console: /'
fi >"$VMDIR/died.txt"

if [ "$DEMO" = 1 ]; then
	cat "$VMDIR/died.txt"
	boot=$(cat "$OUT/boot_uptime" 2>/dev/null)
	echo "# $KREL: demo done, guest boot ${boot:-?}s, wall ${wall}s" >&2
	[ -f "$OUT/demo.rc" ] || exit 1
	exit "$(cat "$OUT/demo.rc")"
fi

while IFS= read -r l; do say "$l"; done <"$VMDIR/died.txt"
P=0 F=0 S=0
for ((i = 1; i <= ${#TESTS[@]}; i++)); do
	name="$KREL:${TESTS[i - 1]}"
	if [ -f "$OUT/$i.res" ]; then
		read -r status _ reason <"$OUT/$i.res"
		# The guest printed the result line, unless it died just then.
		if ! grep -qE "^(not )?ok $i " "$TAP"; then
			case $status in
			pass) say "ok $i $name" ;;
			skip) say "ok $i $name # SKIP" ;;
			*) say "not ok $i $name # $reason" ;;
			esac
		fi
	else
		status=fail
		say "not ok $i $name # ${died:-guest died}"
	fi
	case $status in
	pass) P=$((P + 1)) ;;
	skip) S=$((S + 1)) ;;
	*) F=$((F + 1)) ;;
	esac
done
boot=$(cat "$OUT/boot_uptime" 2>/dev/null)
say "# $KREL: guest boot ${boot:-?}s (guest uptime at start), wall time ${wall}s"
say "$KREL: $P passed, $F failed, $S skipped"
[ "$F" = 0 ] && [ $((P + S)) -gt 0 ]
