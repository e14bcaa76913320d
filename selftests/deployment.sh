#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; stats arrays used by name
#
# The recipes of Documentation/deployment.rst, as the router runs them: the
# files of Documentation/deployment/ are loaded as they are, not copies.
#
#   client (LAN)             router                   server (WAN)
#  c0: 10.0.1.2/24  --- eth1: 10.0.1.1/24
#      fd00:1::2/64          fd00:1::1/64
#  listens on 8443           eth0: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#  (behind SYNPROXY)               fd00:2::1/64          fd00:2::2/64
#                                                     bulk.py listens on 9100
#
# The router's veths are renamed to router.nft's default WAN (eth0) and
# LAN (eth1), so that the ruleset loads unchanged. The module is loaded
# with default_mode=off, as modprobe.d's catoproxy.conf does.
#
# 1. router.nft: "nft -c -f" accepts it, "nft -f" loads it (flowtable,
#    SYNPROXY, masquerade), sysctl.conf applies.
# 2. catoproxy.conf: catoproxyctl load applies it (mode full, the bypass
#    rule); an upload and a download per family LAN -> WAN carry data
#    intact (sha256 both ends), every one intercepted (syn_intercepted 4,
#    conn_full 4, helper=catoproxy), masqueraded (the server sees only the
#    router's addresses, never the client's), and the ruleset's "ct state
#    invalid" drop counter stays 0. A connection held open per family is
#    not offloaded (it carries the module's helper) and stays alive.
# 3. SYNPROXY on 8443, WAN -> LAN: 3 connections complete through it
#    (syn_received and cookie_valid move by 3 in /proc/net/stat/synproxy)
#    while none of catoproxy's connection counters moves.
# 4. Connections the module does not translate are offloaded as without
#    it: in mode delayed, in mode adaptive (an unknown server: they run
#    delayed), in full mode under a bypass rule and in full mode signed
#    with TCP-MD5 (full falls back: the SYN passes, the connection runs
#    delayed), a connection held open per family has both router entries
#    [OFFLOAD] and no conntrack helper, stays alive, is counted
#    (conn_delayed 2 and delayed_engaged 2, adaptive_delayed 2,
#    conn_bypassed 2, syn_passed_signed 2) and, delayed or signed, is
#    listed by show conns as engaged while it is held.
# 5. Rollback: catoproxyctl load catoproxy-off.conf: the configuration is
#    mode off with no rule, new connections carry data intact and have no
#    helper=catoproxy in conntrack, and catoproxy counts none of them; a
#    connection held open per family is offloaded by the flowtable (both
#    router entries [OFFLOAD]) and stays alive.

source lib.sh

DEPLOY_DIR=$(cd "$LIB_DIR/../Documentation/deployment" && pwd)
RULESET=$DEPLOY_DIR/router.nft
CONF=$DEPLOY_DIR/catoproxy.conf
OFF_CONF=$DEPLOY_DIR/catoproxy-off.conf
SYSCTL_CONF=$DEPLOY_DIR/sysctl.conf
WAN=eth0
LAN=eth1
SYNPROXY_PORT=8443
BULK_PORT=9100
BULK_SIZE=300000
HOLD_PORT=9101

trap cleanup EXIT

# rename_dev NS OLD NEW: IPv6 addresses are kept across the down/up.
rename_dev()
{
	ip -n "$1" link set "$2" down &&
	ip -n "$1" link set "$2" name "$3" &&
	ip -n "$1" link set "$3" up
}

# invalid_drops: packets the forward chain's "ct state invalid counter
# drop" dropped.
invalid_drops()
{
	local out

	out=$(ip netns exec "$router" nft list chain inet router forward)
	if [[ $out =~ ct\ state\ invalid\ counter\ packets\ ([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo -1
	fi
}

# synproxy_stat NAME: the router's SYNPROXY counter NAME, summed over CPUs.
synproxy_stat()
{
	local -a f
	local i col=-1 sum=0 head=1

	while read -ra f; do
		if [ "$head" = 1 ]; then
			for i in "${!f[@]}"; do
				[ "${f[i]}" = "$1" ] && col=$i
			done
			head=0
		elif [ "$col" -ge 0 ]; then
			sum=$((sum + 16#${f[col]}))
		fi
	done < <(ip netns exec "$router" cat /proc/net/stat/synproxy)
	[ "$col" -ge 0 ] && echo "$sum" || echo -1
}

# named_counter NS TABLE NAME: packets of the named counter.
named_counter()
{
	local out

	out=$(ip netns exec "$1" nft list counter inet "$2" "$3")
	if [[ $out =~ packets\ ([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo -1
	fi
}

# bulk WHAT: one upload and one download per family to the server's
# BULK_PORT; asserts that every byte arrived.
bulk()
{
	local out conns cok sok errs

	out=$($PYTHON "$LIB_DIR/bulk.py" bulk "$client" "$server" "$BULK_PORT" \
		"$BULK_SIZE" "$SERVER4" "$SERVER6" 2>"$TMP_DIR/bulk.err")
	echo "# $1: bulk.py: $out"
	[ -s "$TMP_DIR/bulk.err" ] && sed 's/^/# /' "$TMP_DIR/bulk.err"
	read -r conns cok sok errs < <(json_get "$out" 'd["conns"]' \
		'd["client_ok"]' 'd["server_ok"]' 'len(d["errors"])' | tr '\n' ' ')
	assert_eq "$1: connections" 4 "$conns"
	assert_eq "$1: intact at the client" 4 "$cok"
	assert_eq "$1: intact at the server" 4 "$sok"
	assert_eq "$1: errors" 0 "$errs"
}

# offloaded_now: the router's conntrack entries of HOLD_PORT that the
# flowtable has taken over.
offloaded_now()
{
	count_lines "$(conntrack_in "$router" -L -p tcp --dport "$HOLD_PORT")" "\[OFFLOAD\]"
}

# held_offload WHAT N [STATE]: one connection per family to HOLD_PORT, open
# and pinged, must have N of its router entries offloaded by router.nft's
# flowtable while it lasts (and, with STATE, be listed by show conns in
# that state), and must then answer a second ping (through the flowtable's
# fast path when offloaded).
held_offload()
{
	local what=$1 want=$2 state=${3:-} dir=$TMP_DIR/hold.$1 pid alive reset opened failed

	mkdir -p "$dir"
	# shellcheck disable=SC2086 # HOLD_OPTS: words
	$PYTHON "$LIB_DIR/traffic.py" hold --client "$client" --server "$server" \
		${HOLD_OPTS:-} 1 "$dir/ready" "$dir/go" "$dir/res" \
		"$SERVER4,$HOLD_PORT" "$SERVER6,$HOLD_PORT" 2>"$dir/err" &
	pid=$!
	BG_PIDS+=("$pid")
	slowwait 30 test -s "$dir/ready" || fail "$what: held connections did not open"
	read -r opened failed <"$dir/ready"
	assert_eq "$what: held connections (open failed)" "2 0" "$opened $failed"
	if [ "$want" -gt 0 ]; then
		busywait "$BUSYWAIT_TIMEOUT" test "$(offloaded_now)" = "$want"
	fi
	assert_eq "$what: held connections offloaded" "$want" "$(offloaded_now)"
	if [ -n "$state" ]; then
		py_check $PYTHON "$LIB_DIR/ctl_check.py" conns "$router" \
			"$what: show conns lists the held connections $state" 2 \
			dport="$HOLD_PORT" state="$state"
	fi
	touch "$dir/go"
	wait "$pid"
	read -r alive reset <"$dir/res"
	assert_eq "$what: held connections alive after (alive reset)" "2 0" "$alive $reset"
}

test_ruleset()
{
	local out

	capture ip netns exec "$router" nft -c -f "$RULESET"
	assert_eq "nft -c -f router.nft: exit code" 0 "$CMD_RC"
	assert_eq "nft -c -f router.nft: stderr" "" "$CMD_ERR"
	capture ip netns exec "$router" nft -f "$RULESET"
	assert_eq "nft -f router.nft: exit code" 0 "$CMD_RC"
	out=$(ip netns exec "$router" nft list flowtables 2>&1)
	assert_match "flowtable loaded" "flowtable ft" "$out"
	assert_match "flowtable devices" "devices = \{ ($WAN, $LAN|$LAN, $WAN) \}" "$out"
	capture ip netns exec "$router" sysctl -p "$SYSCTL_CONF"
	assert_eq "sysctl -p sysctl.conf: exit code" 0 "$CMD_RC"
	out=$(ip netns exec "$router" sysctl -n net.netfilter.nf_conntrack_tcp_loose)
	assert_eq "nf_conntrack_tcp_loose" 0 "$out"
	log_test "router.nft: nft -c accepts it, it loads, sysctl.conf applies"
}

test_full()
{
	local -A before after
	local out

	capture rctl load "$CONF"
	assert_eq "load catoproxy.conf: exit code" 0 "$CMD_RC"
	assert_eq "load catoproxy.conf: stderr" "" "$CMD_ERR"
	out=$(rctl dump)
	assert_line "dump: mode" "set mode full.*" "$out"
	assert_line "dump: the SYNPROXY port's rule" "rule add .*dport $SYNPROXY_PORT.* action bypass" "$out"

	ip netns exec "$server" nft -f - <<-EOF
	table inet seen {
		counter from_router { }
		counter from_client { }
		chain in {
			type filter hook input priority filter; policy accept;
			tcp dport $BULK_PORT ip saddr $CLIENT4 counter name from_client
			tcp dport $BULK_PORT ip6 saddr $CLIENT6 counter name from_client
			tcp dport $BULK_PORT tcp flags syn ip saddr $ROUTER_S4 counter name from_router
			tcp dport $BULK_PORT tcp flags syn ip6 saddr $ROUTER_S6 counter name from_router
		}
	}
	EOF
	read_stats before || return
	bulk "full"
	read_stats after || return
	assert_stats_moved "full" before after syn_intercepted=4 conn_full=4 \
		conn_off=0 conn_delayed=0 conn_bypassed=0
	out=$(conntrack_in "$router" -L -p tcp --dport "$BULK_PORT")
	assert_eq "conntrack: entries with helper=catoproxy" 4 "$(count_lines "$out" "helper=catoproxy")"
	held_offload "full" 0
	out=$(named_counter "$server" seen from_client)
	assert_eq "server: packets from the client's addresses" 0 "$out"
	out=$(named_counter "$server" seen from_router)
	[ "$out" -ge 4 ] ||
		fail "server: SYNs from the router's addresses: expected at least 4, got $out"
	assert_eq "ct state invalid drops" 0 "$(invalid_drops)"
	log_test "catoproxy.conf: full mode through the ruleset, masqueraded, intact"
}

test_synproxy()
{
	local -A before after
	local rcv0 valid0 rcv1 valid1

	start_server "$client" "$SYNPROXY_PORT" || fail "no server on $SYNPROXY_PORT"
	read_stats before || return
	rcv0=$(synproxy_stat syn_received)
	valid0=$(synproxy_stat cookie_valid)
	tcp_connect "$server" 3 "$CLIENT4,$SYNPROXY_PORT"
	assert_eq "connections through SYNPROXY" "3 0" "$CONN_OK $CONN_FAIL"
	rcv1=$(synproxy_stat syn_received)
	valid1=$(synproxy_stat cookie_valid)
	assert_eq "synproxy syn_received delta" 3 "$((rcv1 - rcv0))"
	assert_eq "synproxy cookie_valid delta" 3 "$((valid1 - valid0))"
	read_stats after || return
	assert_stats_delta "synproxy" before after
	assert_stats_moved "synproxy" before after syn_intercepted=0 \
		cookie_mode_syns=0 conn_bypassed=0
	log_test "SYNPROXY on $SYNPROXY_PORT answers, catoproxy counts none of it"
}

# untranslated WHAT STAT=N...: a held connection per family through the
# flowtable, offloaded, with no helper, counted as STAT=N.
untranslated()
{
	local what=$1 state=$2 out
	local -A before after

	shift 2
	conntrack_in "$router" -D -p tcp --dport "$HOLD_PORT" >/dev/null
	read_stats before || return
	held_offload "$what" 2 "$state"
	read_stats after || return
	assert_stats_moved "$what" before after syn_intercepted=0 "$@"
	out=$(conntrack_in "$router" -L -p tcp --dport "$HOLD_PORT")
	assert_eq "$what: entries with a helper" 0 "$(count_lines "$out" "helper=")"
}

test_untranslated()
{
	local rc=0 id handle

	rctl set mode delayed || rc=$?
	untranslated "delayed" engaged conn_delayed=2 delayed_engaged=2
	rctl set mode adaptive || rc=$?
	untranslated "adaptive, unknown server" engaged conn_adaptive=2 \
		adaptive_delayed=2 delayed_engaged=2
	rctl set mode full || rc=$?
	id=$(rctl rule add dport "$HOLD_PORT" action bypass) || rc=$?
	untranslated "full, bypassed" "" conn_bypassed=2 conn_full=0
	rctl rule del "$id" || rc=$?
	# Full mode falls back for a signed SYN: it runs delayed, untranslated.
	# TCP-MD5 signs the addresses, so signed sessions (BGP) cross routers
	# unNATed: the masquerade skips them.
	handle=$(ip netns exec "$router" nft -e -a insert rule inet router \
		postrouting tcp dport "$HOLD_PORT" accept |
		sed -n 's/.*# handle \([0-9]*\).*/\1/p')
	HOLD_OPTS=--md5 untranslated "full, TCP-MD5" engaged syn_passed_signed=2 \
		delayed_engaged=2
	ip netns exec "$router" nft delete rule inet router postrouting \
		handle "$handle" || rc=$?
	assert_eq "catoproxyctl: exit codes" 0 "$rc"
	log_test "untranslated connections (delayed, adaptive, bypassed, signed) are offloaded"
}

test_rollback()
{
	local -A before after
	local out invalid0

	capture rctl load "$OFF_CONF"
	assert_eq "load catoproxy-off.conf: exit code" 0 "$CMD_RC"
	out=$(rctl dump)
	assert_line "dump: mode off" "set mode off.*" "$out"
	assert_no_line "dump: no rule" "rule .*" "$out"
	assert_no_line "dump: no site" "site .*" "$out"
	conntrack_in "$router" -D -p tcp --dport "$BULK_PORT" >/dev/null
	invalid0=$(invalid_drops)
	read_stats before || return
	bulk "rolled back"
	read_stats after || return
	assert_stats_delta "rolled back" before after
	assert_stats_moved "rolled back" before after syn_intercepted=0
	out=$(conntrack_in "$router" -L -p tcp --dport "$BULK_PORT")
	[ "$(count_lines "$out" "dport=$BULK_PORT")" -ge 4 ] ||
		fail "rolled back: expected conntrack entries for port $BULK_PORT: $out"
	assert_eq "rolled back: entries with helper=catoproxy" 0 "$(count_lines "$out" "helper=catoproxy")"
	assert_eq "rolled back: ct state invalid drops" "$invalid0" "$(invalid_drops)"
	held_offload "rolled back" 2
	log_test "catoproxy-off.conf: rolled back, forwarding untouched"
}

ktap_print_header
ktap_set_plan 5
require_module default_mode=off
setup_topology || topology_failed
ip netns exec "$router" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 \
	net.ipv6.conf.r0.keep_addr_on_down=1 net.ipv6.conf.r1.keep_addr_on_down=1 &&
	rename_dev "$router" r1 "$WAN" && rename_dev "$router" r0 "$LAN" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$router" "$LAN" "$ROUTER_C4/24" "$ROUTER_C6/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$router" "$WAN" "$ROUTER_S4/24" "$ROUTER_S6/64" ||
	topology_failed

test_ruleset
test_full
test_synproxy
test_untranslated
test_rollback
ktap_finished
