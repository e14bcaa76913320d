#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# The mode decision as the connections see it: which mode each one runs
# in, whether it was intercepted, why, and which site it belongs to.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#                                                     echo on 8080, 443,
#                                                     8443; bulk on 5001
#
# Every step makes one connection per family to a port and compares its
# decision event ("catoproxyctl -j monitor" of the router) with the expected
# mode, accel, reason, site id, site name and state, for IPv4 and IPv6
# (the sites have both prefixes). tracking.sh checks the same decisions
# through the counters and conntrack; events.sh the event stream itself in
# mode delayed.
#
# 1. tls-inspection on: port 443 runs full (accel 1, reason tls-port,
#    state opening) in a delayed account, in an adaptive account and in a
#    delayed site (whose id and name the connection still carries); 8080
#    follows the policy. tls-inspection off: 443 follows the policy.
# 2. force-full-ports 8443: 8443 is forced and 443 follows the policy;
#    443,8443 forces both; none forces nothing; with tls-inspection off
#    8443 is not forced either. syn_intercepted counts exactly the forced
#    connections.
# 3. Sites: account full + source site delayed: the site wins (site-src);
#    the site inheriting: the account's mode (reason account, the site
#    still named); nested sites /8 full, /24 delayed, /32 adaptive (and
#    /16, /64, /128): the longest prefix wins, down and back up as sites
#    are deleted; a destination site (site-dst); an inheriting source site
#    over a delayed destination site: the account's mode.
# 4. set mode under live connections, full to delayed: an upload and a
#    download per family (sha256 checked by both ends) paused half way
#    while the mode changes; the live connections keep mode full, accel 1,
#    state spliced (show conns), the next connection runs delayed, the
#    transfers complete intact. Exact counters.
# 5. The same from delayed to full: the live connections stay delayed
#    (engaged, accel 0), the next one is intercepted.

source lib.sh

BULK_PORT=5001
FORCED_PORT=8443
SPAN_SIZE=${SPAN_SIZE:-3000000}
EVENTS=$TMP_DIR/events.json
declare -A S0 T0 T1

snap()
{
	read_stats S0
	FROM=$(events_lines "$EVENTS")
}

# check WHAT ARGS...: modes_check.py's assertions WHAT.
check()
{
	py_check $PYTHON "$LIB_DIR/modes_check.py" "$@"
}

# decide DESC PORT EXPECTED: one connection per family to PORT; their
# decision events say EXPECTED ("MODE ACCEL REASON SITE STATE", SITE being
# "0 None" or "ID NAME"), for both families.
decide()
{
	local desc=$1 port=$2 want=$3

	snap
	tcp_connect "$client" 1 "$SERVER4,$port" "$SERVER6,$port"
	assert_eq "$desc: connections ok, failed" "2 0" "$CONN_OK $CONN_FAIL"
	slowwait 30 events_count_is 2 "$EVENTS" "$FROM" event=decision dport="$port" >/dev/null
	check decisions "$EVENTS" "$FROM" "$port" "$desc" "$want"
}

test_tls()
{
	local rc=0 id

	rctl set mode delayed tls-inspection on || rc=$?
	decide "account delayed, tls on" "$TLS_PORT" "full 1 tls-port 0 None opening"
	decide "account delayed, tls on" "$TCP_PORT" "delayed 0 account 0 None waiting"
	rctl set mode adaptive || rc=$?
	decide "account adaptive, tls on" "$TLS_PORT" "full 1 tls-port 0 None opening"
	rctl set mode full || rc=$?
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed || rc=$?
	id=$(site_id clients)
	decide "site delayed, tls on" "$TLS_PORT" "full 1 tls-port $id clients opening"
	decide "site delayed, tls on" "$TCP_PORT" "delayed 0 site-src $id clients waiting"
	rctl set tls-inspection off || rc=$?
	decide "site delayed, tls off" "$TLS_PORT" "delayed 0 site-src $id clients waiting"
	rctl site del clients || rc=$?
	rctl set mode delayed || rc=$?
	decide "account delayed, tls off" "$TLS_PORT" "delayed 0 account 0 None waiting"
	assert_eq "commands: exit codes" 0 "$rc"
	log_test "tls-inspection forces full on port 443 in a delayed or adaptive account and a delayed site; off, 443 follows the policy"
}

test_force_ports()
{
	local rc=0

	rctl set mode delayed tls-inspection on force-full-ports "$FORCED_PORT" || rc=$?
	read_stats T0
	decide "force 8443" "$FORCED_PORT" "full 1 tls-port 0 None opening"
	decide "force 8443" "$TLS_PORT" "delayed 0 account 0 None waiting"
	rctl set force-full-ports "$TLS_PORT,$FORCED_PORT" || rc=$?
	decide "force 443,8443" "$FORCED_PORT" "full 1 tls-port 0 None opening"
	decide "force 443,8443" "$TLS_PORT" "full 1 tls-port 0 None opening"
	rctl set force-full-ports none || rc=$?
	decide "force none" "$FORCED_PORT" "delayed 0 account 0 None waiting"
	decide "force none" "$TLS_PORT" "delayed 0 account 0 None waiting"
	rctl set force-full-ports "$FORCED_PORT" tls-inspection off || rc=$?
	decide "force 8443, tls off" "$FORCED_PORT" "delayed 0 account 0 None waiting"
	read_stats T1
	# 2 + 4 forced connections; every other one delayed and engaged
	assert_stats_moved "forced ports" T0 T1 syn_intercepted=6 server_open_ok=6 \
		conn_full=6 conn_delayed=8 delayed_engaged=8
	rctl set force-full-ports "$TLS_PORT" || rc=$?
	assert_eq "commands: exit codes" 0 "$rc"
	log_test "force-full-ports moves, widens and empties the set of ports TLS inspection forces"
}

test_sites()
{
	local rc=0

	rctl set mode full || rc=$?
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed || rc=$?
	decide "account full, source site delayed" "$TCP_PORT" "delayed 0 site-src $(site_id clients) clients waiting"
	rctl site del clients || rc=$?
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode inherit || rc=$?
	decide "account full, source site inherit" "$TCP_PORT" "full 1 account $(site_id clients) clients opening"
	rctl site del clients || rc=$?

	rctl site add wide prefix 10.0.0.0/8 prefix fd00::/16 mode full || rc=$?
	rctl set mode delayed || rc=$?
	decide "only the wide site" "$TCP_PORT" "full 1 site-src $(site_id wide) wide opening"
	rctl site add narrow prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed || rc=$?
	decide "wide and narrow" "$TCP_PORT" "delayed 0 site-src $(site_id narrow) narrow waiting"
	rctl site add host prefix "$CLIENT4" prefix "$CLIENT6" mode adaptive || rc=$?
	# a first connection: nothing learned yet
	decide "wide, narrow and host" "$TCP_PORT" "adaptive 0 site-src $(site_id host) host waiting"
	rctl site del host || rc=$?
	decide "host deleted" "$TCP_PORT" "delayed 0 site-src $(site_id narrow) narrow waiting"
	rctl site del narrow || rc=$?
	decide "narrow deleted" "$TCP_PORT" "full 1 site-src $(site_id wide) wide opening"
	rctl site del wide || rc=$?

	rctl set mode full || rc=$?
	rctl site add servers prefix 10.0.2.0/24 prefix fd00:2::/64 mode delayed || rc=$?
	decide "destination site delayed" "$TCP_PORT" "delayed 0 site-dst $(site_id servers) servers waiting"
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 || rc=$?
	decide "inheriting source site over a delayed destination site" "$TCP_PORT" \
		"full 1 account $(site_id clients) clients opening"
	rctl site del clients || rc=$?
	rctl site del servers || rc=$?
	assert_eq "commands: exit codes" 0 "$rc"
	log_test "sites: source over account, inherit, longest prefix (IPv4 and IPv6), destination site; ids and names"
}

# span_conns DESC MODE ACCEL STATE: all 4 of the held transfers'
# connections "show conns" lists have MODE, ACCEL and STATE.
span_conns()
{
	check span_conns "$router" "$1" "4 of 4" "$BULK_PORT" "$SPAN_PORTS" "${@:2}"
}

# test_switch FROM ACCEL STATE TO: transfers started in mode FROM, whose
# connections show ACCEL and STATE, paused while the mode becomes TO.
test_switch()
{
	local from=$1 accel=$2 state=$3 to=$4 pid
	local ready=$TMP_DIR/span.ready go=$TMP_DIR/span.go

	rm -f "$ready" "$go"
	rctl set mode "$from" || fail "set mode $from"
	conntrack_in "$router" -F >/dev/null
	read_stats T0
	$PYTHON "$LIB_DIR/bulk.py" span "$client" "$server" "$BULK_PORT" "$SPAN_SIZE" \
		"$ready" "$go" "$SERVER4" "$SERVER6" >"$TMP_DIR/span.json" 2>"$TMP_DIR/span.json.err" &
	pid=$!
	BG_PIDS+=("$pid")
	if ! slowwait 60 test -s "$ready"; then
		fail "the transfers did not get half way"
		touch "$go"
	fi
	SPAN_PORTS=$(<"$ready")
	span_conns "mode $from, half way: show conns" "$from" "$accel" "$state"

	rctl set mode "$to" || fail "set mode $to"
	span_conns "mode now $to: the live connections keep mode $from" "$from" "$accel" "$state"
	decide "a new connection after the switch" "$TCP_PORT" \
		"$([ "$to" = full ] && echo "full 1 account 0 None opening" || echo "delayed 0 account 0 None waiting")"

	touch "$go"
	wait "$pid"
	unset 'BG_PIDS[-1]'
	check span "$TMP_DIR/span.json" "across the switch"
	span_conns "after the transfers: still mode $from" "$from" "$accel" "$state"
	read_stats T1
	if [ "$from" = full ]; then
		assert_stats_moved "$from to $to" T0 T1 conn_full=4 syn_intercepted=4 \
			server_open_ok=4 conn_delayed=2 delayed_engaged=2 server_open_failed=0 \
			held_dropped=0 tx_failed=0
	else
		assert_stats_moved "$from to $to" T0 T1 conn_delayed=4 delayed_engaged=4 \
			conn_full=2 syn_intercepted=2 server_open_ok=2 server_open_failed=0
	fi
	log_test "set mode $from -> $to under live transfers: they keep mode $from and complete intact; new connections get $to"
}

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 5
require_module
setup_topology || topology_failed
start_server "$server" "$TCP_PORT" "$TLS_PORT" "$FORCED_PORT" ||
	{ echo "# FAIL: server did not start"; exit $ksft_fail; }
monitor_start "$EVENTS"
if ! slowwait 60 monitor_probe "$EVENTS" "$SERVER4,$TCP_PORT"; then
	echo "# FAIL: the monitor saw no event of a probe connection"
	dump_state
	exit $ksft_fail
fi

test_tls
test_force_ports
test_sites
test_switch full 1 spliced delayed
test_switch delayed 0 engaged full

ktap_finished
