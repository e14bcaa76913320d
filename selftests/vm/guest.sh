#!/bin/bash
# PID 1 of the catoproxy test VM (started by selftests/vm/init after
# switch_root). Runs the job described in $cpvm_out/job (written by run.sh):
# each test in order with a per-test timeout, checks module unload and dmesg
# between tests, streams KTAP to /dev/ttyS1 and writes per-test results to
# the writable 9p share $cpvm_out, then powers off.
#
# Results in $cpvm_out: N.log (test output), N.dmesg, N.res ("pass|skip|fail
# RC [reason]"), demo.rc, done (marker written last).

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
unset cpvm_nooverlay
OUT=${cpvm_out:?}
unset cpvm_out cpvm_proj

TTY=/dev/ttyS1
stty -F "$TTY" raw -echo 115200 2>/dev/null
exec 3>"$TTY"

poweroff_now() {
	sync
	busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 60
}
emit() { printf '%s\n' "$@" >&3; }
diag() { # diagnostic lines, one "# harness: " per line of "$*"
	local l
	while IFS= read -r l; do emit "# harness: $l"; done <<<"$*"
}

# shellcheck source=/dev/null
. "$OUT/job" || { diag "cannot read $OUT/job"; poweroff_now; }

if [ "$CPVM_ROOTMODE" != overlay ] && [[ "$CPVM_PROJ/" == /tmp/* ]]; then
	export TMPDIR=/var/tmp
else
	export TMPDIR=/tmp
fi
export CATOPROXY_KO=$CPVM_KO CATOPROXYCTL=$CPVM_CTL KREL=$CPVM_KREL CATOPROXY_VM=1
export CATOPROXY_YNL=$CPVM_YNL
# The running kernel's modules are in the harness's kernel cache, not in
# the host's /lib/modules (which may not have this kernel at all).
if ! mount --bind "$CPVM_KMODS" /lib/modules ||
	[ ! -f "/lib/modules/$(uname -r)/modules.dep" ]; then
	diag "cannot mount $CPVM_KMODS on /lib/modules"
	poweroff_now
fi
unset CPVM_ROOTMODE

hostname catoproxy-vm 2>/dev/null
ip link set lo up 2>/dev/null
echo 8 >/proc/sys/kernel/printk # full oops/warning context on the console
mkdir -p /run/cpvm
read -r up _ </proc/uptime
echo "$up" >"$OUT/boot_uptime"

# Kill every user-space process except ourselves (PID 1).
kill_leftovers() {
	local p comm names=
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = 1 ] || [ "$p" = "$BASHPID" ] && continue
		[ -e "/proc/$p/exe" ] || continue # kernel thread
		read -r comm <"/proc/$p/comm" 2>/dev/null || continue
		kill -KILL "$p" 2>/dev/null && names+=" $comm($p)"
	done
	[ -n "$names" ] && echo "$names"
}

# Make sure the module is not loaded. Prints an error and fails otherwise.
unload_module() {
	local i err
	[ -d /sys/module/catoproxy ] || return 0
	for i in 1 2 3 4 5; do
		err=$(rmmod catoproxy 2>&1) && return 0
		[ -d /sys/module/catoproxy ] || return 0
		sleep 1
	done
	echo "rmmod catoproxy failed: $err"
	return 1
}

# Run one program ($1 = path relative to selftests/) with output to $2;
# stream it to the tty, with prefix $3. Sets $rc.
run_one() {
	local t=$1 log=$2 prefix=$3 tmo=$4 tpid
	: >"$log"
	(cd "$CPVM_PROJ/selftests" && exec timeout -k 10 "$tmo" bash "./$t") \
		>"$log" 2>&1 </dev/null &
	tpid=$!
	if [ -n "$prefix" ]; then
		tail -n +1 -s 0.2 -f --pid=$tpid "$log" | sed -u "s/^/$prefix/" >&3 &
	else
		tail -n +1 -s 0.2 -f --pid=$tpid "$log" >&3 &
	fi
	wait $tpid
	rc=$?
	kill -KILL -- -$tpid 2>/dev/null # leftovers in the test's process group
	wait
}

DMESG_RE='WARNING:|BUG:|Oops|KASAN|UBSAN|refcount_t|list_add corruption|list_del corruption|general protection|Call Trace|sleeping function called|circular locking|inconsistent lock state|ODEBUG'

# A kernel with kmemleak (the debug kernel of `make check-debug`): what
# leaked before the first test is forgotten; after each test (the module
# unloaded) a scan must find nothing new.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -e /sys/kernel/debug/tracing ] || [ -e "$KMEMLEAK" ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -w "$KMEMLEAK" ] || KMEMLEAK=
[ -z "$KMEMLEAK" ] || echo clear >"$KMEMLEAK"
kmemleak_scan() { # prints the new suspected leaks, forgets them
	local out
	[ -n "$KMEMLEAK" ] || return 0
	echo scan >"$KMEMLEAK" 2>/dev/null
	out=$(cat "$KMEMLEAK" 2>/dev/null)
	echo clear >"$KMEMLEAK" 2>/dev/null
	[ -n "$out" ] && printf '%s\n' "$out"
}

if [ "$CPVM_MODE" = demo ]; then
	unload_module >/dev/null
	dmesg -C
	run_one "$CPVM_DEMO" /run/cpvm/demo.log "" "$CPVM_DEMO_TIMEOUT"
	cp /run/cpvm/demo.log "$OUT/demo.log"
	dmesg >"$OUT/demo.dmesg"
	echo "$rc" >"$OUT/demo.rc"
	echo finished >"$OUT/done"
	poweroff_now
fi

err=$(unload_module) || diag "$err (before the first test)"
read -r taint0 </proc/sys/kernel/tainted
broken=
n=${#CPVM_TESTS[@]}
for ((i = 0; i < n; i++)); do
	num=$((i + 1))
	t=${CPVM_TESTS[i]}
	name="$CPVM_KREL:$t"
	if [ -n "$broken" ]; then
		echo "fail - not run ($broken)" >"$OUT/$num.res"
		emit "not ok $num $name # not run ($broken)"
		continue
	fi
	dmesg -C
	emit "# $num: $t (timeout ${CPVM_TIMEOUTS[i]}s)"
	read -r t0 _ </proc/uptime
	run_one "$t" "/run/cpvm/$num.log" "# " "${CPVM_TIMEOUTS[i]}"
	read -r t1 _ </proc/uptime
	cp "/run/cpvm/$num.log" "$OUT/$num.log"
	status=pass extra=()
	case $rc in
	0) ;;
	4) status=skip ;;
	124) status=fail extra+=("timeout after ${CPVM_TIMEOUTS[i]}s") ;;
	*) status=fail ;;
	esac
	left=$(kill_leftovers)
	[ -n "$left" ] && diag "killed leftover processes:$left"
	ip -all netns delete 2>/dev/null
	if ! err=$(unload_module); then
		diag "$err"
		status=fail extra+=("module unload failed")
		broken="module stuck after test $num"
	fi
	read -r taint </proc/sys/kernel/tainted
	if (((taint & 128) && !(taint0 & 128))); then
		diag "the kernel oopsed during this test, not running further tests"
		status=fail extra+=("kernel oops")
		broken="kernel oopsed in test $num"
	fi
	leaks=$(kmemleak_scan)
	if [ -n "$leaks" ]; then
		printf '%s\n' "$leaks" >"$OUT/$num.kmemleak"
		diag "kmemleak: $(grep -c '^unreferenced object' <<<"$leaks") new suspected leaks (out/$num.kmemleak):"
		while IFS= read -r line; do emit "# kmemleak: $line"; done < <(head -n 40 <<<"$leaks")
		status=fail extra+=("kmemleak")
	fi
	dmesg >"$OUT/$num.dmesg"
	bad=()
	while IFS= read -r line; do
		if [[ $line =~ $DMESG_RE ]] || [[ ${line,,} == *leak* ]]; then
			bad+=("$line")
		fi
	done <"$OUT/$num.dmesg"
	if [ ${#bad[@]} -gt 0 ]; then
		diag "suspicious kernel messages:"
		for line in "${bad[@]}"; do emit "# dmesg: $line"; done
		diag "kernel log from the first of them (max 80 lines; all in out/$num.dmesg):"
		k=0
		while IFS= read -r line && ((k < 80)); do
			[ $k -gt 0 ] || [ "$line" = "${bad[0]}" ] || continue
			emit "#   $line"
			k=$((k + 1))
		done <"$OUT/$num.dmesg"
		status=fail extra+=("kernel warning in dmesg")
	fi
	dt=$((10#${t1/./} - 10#${t0/./}))
	emit "# $num: $t: $status in $((dt / 100)).$((dt % 100 / 10))s"
	reason="exit=$rc"
	if [ ${#extra[@]} -gt 0 ]; then
		reason+=" (${extra[0]}"
		for x in "${extra[@]:1}"; do reason+=", $x"; done
		reason+=")"
	fi
	echo "$status $rc $reason" >"$OUT/$num.res"
	case $status in
	pass) emit "ok $num $name" ;;
	skip) emit "ok $num $name # SKIP" ;;
	fail) emit "not ok $num $name # $reason" ;;
	esac
done
echo finished >"$OUT/done"
poweroff_now
