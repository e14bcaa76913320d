#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Lifecycle churn under load (`make check-churn [KREL=...]`, not part of
# `make check`): the module unloaded, and the router's namespace deleted,
# while connections are open through it, a SYN flood runs and a storm of
# blind RSTs hits those connections; after each cycle nothing of it is
# left. Run from the selftests directory, as the VM harness does.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# The load (churn.py load, from the client): CHURN_FLOWS connections (1000,
# half per family) to the server's echo port, held open; then, until told
# to stop, SYNs from spoofed addresses of the client's /24 to the server
# (past syn-backlog, cookies) and RSTs with random sequence numbers on the
# open connections.
#
# 1. CHURN_CYCLES (20) cycles: insmod (default_mode=full), the load, 1 s,
#    rmmod under it, the load stopped; the conntrack tables of the three
#    namespaces (every one is tracked with default_mode=full) flushed must
#    then be empty (a reference the module kept would keep an entry), and
#    the nf_conntrack slab back within two slabs per CPU of its baseline.
# 2. As many cycles with the module loaded: a fresh topology, the load,
#    1 s, the router's namespace deleted under it; the nf_conntrack slab
#    back to its baseline and the module's reference count to its own.
# 3. kmemleak, when the kernel has it: no leak reported that names
#    catoproxy. (The harness fails the test on any splat in the kernel log
#    and on a module that does not unload.)
#
# Each cycle's figures are printed as "# cycle" lines: connections open,
# SYNs and RSTs sent, conntrack entries and nf_conntrack objects after.
# CHURN_PARTS ("rmmod netns kmemleak") names the parts to run, for a slow
# kernel where one part alone takes an hour.

source lib.sh

CYCLES=${CHURN_CYCLES:-20}
FLOWS=${CHURN_FLOWS:-1000}
PARTS=${CHURN_PARTS:-rmmod netns kmemleak}
SLAB_BASE=0
SLAB_SLACK=0

# slab_active: the nf_conntrack cache's active objects, every namespace's.
# SLUB counts the free objects of the slabs CPUs keep as active: shrinking
# the cache first puts those back.
slab_active()
{
	echo 1 >/sys/kernel/slab/nf_conntrack/shrink 2>/dev/null
	awk '$1 == "nf_conntrack" { print $2 }' /proc/slabinfo
}

# A slab a CPU may keep partly used: SLUB counts its free objects as active.
slab_slack()
{
	awk -v cpus="$(nproc)" '$1 == "nf_conntrack" { print 2 * $5 * cpus }' \
		/proc/slabinfo
}

slab_at_base()
{
	[ "$(slab_active)" -le $((SLAB_BASE + SLAB_SLACK)) ]
}

# ct_count: conntrack entries of the three namespaces. With
# default_mode=full every namespace is tracked, the client's (the SYN
# flood's own entries) and the server's too.
ct_count()
{
	local ns n sum=0

	for ns in "$client" "$router" "$server"; do
		n=$(ip netns exec "$ns" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)
		sum=$((sum + ${n:-0}))
	done
	echo "$sum"
}

ct_empty()
{
	[ "$(ct_count)" = 0 ]
}

refcnt()
{
	cat "/sys/module/$MODULE_NAME/refcnt" 2>/dev/null || echo -
}

# load_start TAG: churn.py load from the client, in the background; waits
# for its connections. Its files are $TMP_DIR/TAG.*.
load_start()
{
	rm -f "$TMP_DIR/$1".*
	$PYTHON churn.py load "$client" "$TMP_DIR/$1.ready" "$TMP_DIR/$1.stop" \
		"$TMP_DIR/$1.res" "$FLOWS" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" \
		2>"$TMP_DIR/$1.err" &
	LOAD_PID=$!
	BG_PIDS+=("$LOAD_PID")
	slowwait 300 test -e "$TMP_DIR/$1.ready"
}

# load_stop TAG: stop it; "OPEN FAILED SYNS RSTS" in LOAD_RES.
load_stop()
{
	touch "$TMP_DIR/$1.stop"
	wait "$LOAD_PID"
	LOAD_RES=$(cat "$TMP_DIR/$1.res" 2>/dev/null)
}

test_rmmod_cycles()
{
	local i ns open failed syns rsts bad=0

	{ setup_topology && start_server "$server"; } || topology_failed
	for ((i = 1; i <= CYCLES; i++)); do
		load_module || { fail "cycle $i: insmod"; bad=1; break; }
		ctl_in "$router" set syn-backlog 256 || fail "cycle $i: set syn-backlog"
		load_start rmmod$i || fail "cycle $i: the load did not start"
		sleep 1
		unload_module || { fail "cycle $i: rmmod under load"; bad=1; }
		load_stop rmmod$i
		read -r open failed syns rsts <<<"$LOAD_RES"
		[ "${failed:-1}" = 0 ] || fail "cycle $i: connections failed: ${failed:-?}"
		for ns in "$client" "$router" "$server"; do
			conntrack_in "$ns" -F >/dev/null 2>&1
		done
		slowwait 30 ct_empty || fail "cycle $i: $(ct_count) conntrack entries after a flush"
		slowwait 30 slab_at_base ||
			fail "cycle $i: nf_conntrack slab $(slab_active), baseline $SLAB_BASE"
		ktap_print_msg "cycle rmmod $i: open ${open:-?} syns ${syns:-?} rsts ${rsts:-?} conntrack $(ct_count) slab $(slab_active)/$SLAB_BASE"
		[ $bad = 0 ] || break
	done
	stop_bg
	cleanup_all_ns
	log_test "$CYCLES rmmod/insmod cycles under $FLOWS connections, a SYN flood and an RST storm"
}

test_netns_cycles()
{
	local i open failed syns rsts ref0

	load_module || { fail "insmod"; log_test "netns deletion cycles"; return; }
	ref0=$(refcnt)
	for ((i = 1; i <= CYCLES; i++)); do
		{ setup_topology && start_server "$server"; } ||
			{ fail "cycle $i: topology"; break; }
		ctl_in "$router" set syn-backlog 256 || fail "cycle $i: set syn-backlog"
		load_start netns$i || fail "cycle $i: the load did not start"
		sleep 1
		cleanup_ns "$router"
		load_stop netns$i
		read -r open failed syns rsts <<<"$LOAD_RES"
		[ "${failed:-1}" = 0 ] || fail "cycle $i: connections failed: ${failed:-?}"
		# With the router gone the server's FINs have no route: its
		# sockets would linger orphaned for minutes, holding their
		# namespace and its 1000 conntrack entries, which is not ours
		# to count. Abort them first: a kernel without
		# CONFIG_INET_DIAG_DESTROY ignores ss -K, and its slab then
		# waits for the orphans' FIN retries instead of for us.
		ip netns exec "$server" ss -K -tn state all >/dev/null 2>&1
		assert_eq "cycle $i: server sockets left by ss -K (CONFIG_INET_DIAG_DESTROY?)" \
			0 "$(ip netns exec "$server" ss -Htan | awk '$1 != "TIME-WAIT"' | wc -l)"
		stop_bg
		cleanup_all_ns
		slowwait 60 slab_at_base ||
			fail "cycle $i: nf_conntrack slab $(slab_active), baseline $SLAB_BASE"
		assert_eq "cycle $i: module references" "$ref0" "$(refcnt)"
		ktap_print_msg "cycle netns $i: open ${open:-?} syns ${syns:-?} rsts ${rsts:-?} slab $(slab_active)/$SLAB_BASE"
	done
	unload_module || fail "rmmod after the cycles"
	log_test "$CYCLES netns deletions under $FLOWS connections, a SYN flood and an RST storm"
}

test_kmemleak()
{
	local f=/sys/kernel/debug/kmemleak out

	[ -e $f ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	if [ ! -w $f ]; then
		ktap_test_skip "kmemleak: no leak of catoproxy (no kmemleak in this kernel)"
		return
	fi
	# Twice: a block is reported once unreferenced over two scans.
	echo scan >$f
	sleep 5
	echo scan >$f
	out=$(grep -c catoproxy $f)
	[ "$out" = 0 ] || sed -n 1,60p $f | sed 's/^/# /'
	assert_eq "kmemleak reports naming catoproxy" 0 "$out"
	log_test "kmemleak: no leak of catoproxy"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
# a thousand connections: as many descriptors in the client and the server
ulimit -n 8192
checktool "conntrack --version" "run test without conntrack"
checktool "$PYTHON -c pass" "run python3"
require_module
unload_module

ktap_print_header
ktap_set_plan "$(wc -w <<<"$PARTS")"
# conntrack's cache exists once the module's dependencies are loaded
SLAB_BASE=$(slab_active)
SLAB_SLACK=$(slab_slack)
ktap_print_msg "baseline: nf_conntrack slab $SLAB_BASE (+$SLAB_SLACK), $(grep -E '^(Slab|MemAvailable):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
for part in $PARTS; do
	case $part in
	rmmod) test_rmmod_cycles ;;
	netns) test_netns_cycles ;;
	kmemleak) test_kmemleak ;;
	*) fail "CHURN_PARTS: no part $part"; log_test "part $part" ;;
	esac
done
ktap_print_msg "end: nf_conntrack slab $(slab_active), $(grep -E '^(Slab|MemAvailable):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
ktap_finished
