#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own netfilter selftests, with and without catoproxy: the
# guest half of selftests/kernel-nf/run.sh, started by selftests/vm/run.sh
# as one "test" so that every script runs in one boot.
#
# Reads the plan ../../build/kernel-nf/plan (written by run.sh on the host):
#   dir DIR                  the extracted tools/testing/selftests/net/netfilter
#   test SCRIPT CAP MODE...  run SCRIPT (a script of DIR, or the helper
#                            conntrack_dump_flush) once per MODE, each run
#                            capped at CAP seconds
# MODE is "none" (module not loaded) or a default_mode of the module (full,
# delayed, adaptive): the module is loaded with default_mode=MODE, so every
# namespace the script creates runs that mode, and unloaded after the run.
# For each run it prints
#   KNF SCRIPT MODE STATUS RC SECONDS [NOTE]
# with STATUS pass (rc 0), skip (rc 4) or fail, and NOTE "timeout",
# "warning" (a kernel warning in dmesg), "unload" (rmmod failed) or
# "taint-since-start" (the script's taint check sees only new taint); the
# output of a run that did not pass, last 60 lines, as "#| " lines.

set -u
here=$(cd "$(dirname "$0")" && pwd -P)
PLAN=$here/../../build/kernel-nf/plan
KO=${CATOPROXY_KO:?}
DMESG_RE='WARNING:|BUG:|Oops|KASAN|UBSAN|refcount_t|general protection|Call Trace'

[ -f "$PLAN" ] || { echo "no plan $PLAN: run selftests/kernel-nf/run.sh"; exit 1; }

# Extra helpers (socat, ipvsadm...) come from the host; make sure sbin is in
# PATH and the conntrack/nat modules the module depends on are there.
for dep in $(modinfo -F depends "$KO" 2>/dev/null | tr ',' ' '); do
	modprobe "$dep"
done

unload() {
	local _
	[ -d /sys/module/catoproxy ] || return 0
	for _ in $(seq 1 20); do
		rmmod catoproxy 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# The kselftest knob for slow machines (TCG): fewer rounds, e.g. 40 client
# namespaces instead of 100 in nft_nat_zones.sh, 500 zones in nft_zones_many.sh.
export KSFT_MACHINE_SLOW=yes

dir=
worst=0 # 1: a harness error (module would not load or unload)
while read -r kind a b rest; do
	case $kind in
	dir) dir=$a; continue ;;
	test) ;;
	*) continue ;;
	esac
	script=$a cap=$b
	for mode in $rest; do
		note=
		if ! unload; then
			echo "KNF $script $mode fail 1 0 unload"
			worst=1
			continue
		fi
		if [ "$mode" != none ] &&
			! insmod "$KO" default_mode="$mode"; then
			echo "KNF $script $mode fail 1 0 insmod"
			worst=1
			continue
		fi
		dmesg -C
		log=$(mktemp)
		t0=$SECONDS
		case $script in
		*.sh) cmd=(bash "./$script") ;;
		*) cmd=("./$script") ;;
		esac
		# br_netfilter*.sh skip on any taint and use it to spot warnings;
		# an out-of-tree module taints the kernel (O, E) for good. They
		# run as a copy that sees only the taint added since the run
		# began: a warning (W) still fails them, as does our dmesg check.
		if grep -q '^read t < /proc/sys/kernel/tainted' "$dir/$script" 2>/dev/null; then
			read -r base </proc/sys/kernel/tainted
			sed "s#^read t < /proc/sys/kernel/tainted#t=\$(( \$(cat /proc/sys/kernel/tainted) \& ~$base ))#" \
				"$dir/$script" >"$dir/.knf-$script"
			# It may run itself again (unshare ... "$0").
			chmod +x "$dir/.knf-$script"
			cmd=(bash "./.knf-$script")
			note=taint-since-start
		fi
		# Own session: whatever the script leaves behind is killed with it.
		(cd "$dir" && exec setsid timeout -k 10 "$cap" "${cmd[@]}") \
			>"$log" 2>&1 </dev/null &
		pid=$!
		wait $pid
		rc=$?
		kill -KILL -- -$pid 2>/dev/null
		dt=$((SECONDS - t0))
		ip -all netns delete 2>/dev/null
		case $rc in
		0) st=pass ;;
		4) st=skip ;;
		124 | 137) st=fail note=timeout ;;
		*) st=fail ;;
		esac
		if dmesg | grep -Eq "$DMESG_RE"; then
			note+=${note:+,}warning
			[ "$st" = pass ] && st=fail
			dmesg | grep -E -A20 "$DMESG_RE" | head -n 40 | sed 's/^/#| dmesg: /'
		fi
		if ! unload; then
			note+=${note:+,}unload
			st=fail
		fi
		if [ "$st" != pass ]; then
			tail -n 60 "$log" | sed "s/^/#| $script $mode: /"
		fi
		rm -f "$log"
		echo "KNF $script $mode $st $rc $dt $note"
	done
done <"$PLAN"
exit $worst
