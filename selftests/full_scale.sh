#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# Full mode at scale: many concurrent connections, a SYN flood beyond the
# syn-backlog, and unloading the module under live proxied connections.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# 1 1000 connections (500 per family) open at once from one process
#   (bulk.py scale), each echoes a line: all succeed; conn_tracked,
#   syn_intercepted and server_open_ok move by exactly 1000, no cookies.
# 2 after they are closed and "conntrack -F": conn_released catches up with
#   conn_tracked, no entry with helper=catoproxy is left.
# 3 syn-backlog 64 (SKIP while the key does not exist): a raw flood of
#   20000 SYNs from random source ports while 50 legitimate connections are
#   made (bulk.py flood): all 50 succeed; cookie_mode_syns >= 1000 and
#   cookie_valid >= 1; the router's conntrack count stays below
#   64 + 50 + 200 and the nf_conntrack slab grows by less than 1000
#   objects at any time.
# 4 100 proxied connections open: rmmod succeeds, no oops/BUG/WARNING in
#   dmesg, and "conntrack -L" has no helper=catoproxy left.
# Mode: $CATOPROXY_FULL_MODE (default full; delayed validates the tooling).

source lib.sh

declare -A S0 S1
SCALE_PORT=5003
FLOOD_PORT=8080
HOLD_PORT=5004
NSCALE=${NSCALE:-500}
NFLOOD=${NFLOOD:-20000}
NLEGIT=50
BACKLOG=64

is_full()
{
	[ "$FULL_MODE" = full ]
}

# check WHAT ARGS...: full_check.py's assertions WHAT.
check()
{
	py_check $PYTHON "$LIB_DIR/full_check.py" "$@"
}

oops_count()
{
	dmesg 2>/dev/null | grep -cE 'BUG:|WARNING:|Oops|general protection|refcount_t:|list_(add|del) corruption'
}

test_scale()
{
	conntrack_in "$router" -F >/dev/null
	read_stats S0
	$PYTHON "$LIB_DIR/bulk.py" scale "$client" "$server" "$SCALE_PORT" \
		"$NSCALE" "$SERVER4" "$SERVER6" >"$TMP_DIR/scale" 2>"$TMP_DIR/scale.err"
	check scale "$TMP_DIR/scale" $((2 * NSCALE))
	read_stats S1
	if is_full; then
		assert_stats_moved "scale" S0 S1 conn_tracked=$((2 * NSCALE)) \
			conn_full=$((2 * NSCALE)) syn_intercepted=$((2 * NSCALE)) \
			server_open_ok=$((2 * NSCALE)) server_open_failed=0 \
			server_timeout=0 cookie_mode_syns=0 held_dropped=0 tx_failed=0
	else
		assert_stats_moved "scale" S0 S1 conn_tracked=$((2 * NSCALE))
	fi
	log_test "$((2 * NSCALE)) concurrent connections all succeed"
}

released_all()
{
	local -A s

	read_stats s 2>/dev/null || return 1
	echo "tracked=${s[conn_tracked]} released=${s[conn_released]}"
	[ "${s[conn_tracked]}" = "${s[conn_released]}" ]
}

test_released()
{
	local out

	conntrack_in "$router" -F >/dev/null
	out=$(slowwait 60 released_all)
	read_stats S1
	assert_eq "after close and conntrack -F" \
		"tracked=${S1[conn_tracked]} released=${S1[conn_tracked]}" "$out"
	assert_eq "entries with helper=catoproxy" 0 \
		"$(ct_count_lines "$router" "helper=catoproxy")"
	log_test "after closing them and conntrack -F every connection is released"
}

test_flood()
{
	local bound=$((BACKLOG + NLEGIT + 200))

	if ! router_set syn-backlog "$BACKLOG"; then
		ktap_test_skip "SYN flood beyond the syn-backlog (no 'set syn-backlog' yet)"
		return
	fi
	# The client's kernel would reset the flood's SYN-ACKs (a real flood
	# has no kernel behind it); legitimate connections use other ports.
	# The client does not track the flood either: the nf_conntrack slab
	# is shared by all namespaces and must show the router's entries.
	ip netns exec "$client" sysctl -qw net.ipv4.ip_local_port_range="40000 60999"
	ip netns exec "$client" nft -f - <<-EOF || fail "client nft"
	table inet flood {
		chain raw {
			type filter hook output priority raw; policy accept;
			tcp sport 20000-39999 notrack
		}
		chain out {
			type filter hook output priority 0; policy accept;
			tcp sport 20000-39999 tcp flags rst counter drop
		}
	}
	EOF
	conntrack_in "$router" -F >/dev/null
	read_stats S0
	$PYTHON "$LIB_DIR/bulk.py" flood "$client" "$server" "$router" \
		"$FLOOD_PORT" "$NFLOOD" "$NLEGIT" "$SERVER4" >"$TMP_DIR/flood" 2>"$TMP_DIR/flood.err"
	read_stats S1
	check flood "$TMP_DIR/flood" "$NFLOOD" "$NLEGIT" "$bound"
	assert_stats_moved "flood" S0 S1 cookie_mode_syns=+1000 cookie_valid=+1 tx_failed=0
	ip netns exec "$client" nft delete table inet flood
	router_set syn-backlog 1024 || fail "set syn-backlog 1024"
	log_test "SYN flood beyond syn-backlog $BACKLOG: cookies, legitimate clients connect, state bounded"
}

test_unload()
{
	local ready=$TMP_DIR/hold.ready stop=$TMP_DIR/hold.stop n oops0 res

	oops0=$(oops_count)
	conntrack_in "$router" -F >/dev/null
	$PYTHON "$LIB_DIR/traffic.py" hold --client "$client" --server "$server" \
		--timeout 20 --ping-timeout 2 50 "$ready" "$stop" "$stop.result" \
		"$SERVER4,$HOLD_PORT" "$SERVER6,$HOLD_PORT" >"$TMP_DIR/hold.out" 2>&1 &
	BG_PIDS+=($!)
	if ! slowwait 120 test -f "$ready"; then
		fail "the 100 connections did not open"
	fi
	assert_eq "connections open (ok fail)" "100 0" "$(cat "$ready" 2>/dev/null)"
	n=$(ct_count_lines "$router" "ESTABLISHED .*dport=$HOLD_PORT .*helper=catoproxy" -p tcp)
	assert_eq "ESTABLISHED entries with helper=catoproxy before unload" 100 "$n"
	if unload_module; then
		assert_eq "module loaded after rmmod" no "$(module_loaded && echo yes || echo no)"
	else
		fail "rmmod with 100 proxied connections open failed"
	fi
	assert_eq "entries with helper=catoproxy after unload" 0 \
		"$(ct_count_lines "$router" "helper=catoproxy")"
	touch "$stop"
	slowwait 30 test -f "$stop.result" >/dev/null
	res=$(cat "$stop.result" 2>/dev/null)
	ktap_print_msg "after unload, held connections answering / reset: ${res:-none}"
	assert_eq "new oops/BUG/WARNING lines in dmesg" 0 "$(($(oops_count) - oops0))"
	log_test "unload with 100 proxied connections open"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"
ulimit -n 16384 || ulimit -n 4096

ktap_print_header
ktap_set_plan 4
require_module
setup_topology || topology_failed
ip netns exec "$server" sysctl -qw net.ipv4.tcp_max_syn_backlog=4096 net.core.somaxconn=4096
ktap_print_msg "mode under test: $FULL_MODE"
if ! ctl_in "$router" set mode "$FULL_MODE"; then
	echo "# FAIL: set mode $FULL_MODE"
	exit $ksft_fail
fi

test_scale
test_released
test_flood
test_unload

ktap_finished
