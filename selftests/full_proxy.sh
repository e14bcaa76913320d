#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# Full mode end to end: what a scanner sees, data integrity through the
# spliced connection, client data sent before the server answered, and a
# server that refuses (RST, ICMP).
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#                                 |                       fd00:2::7/64 (18)
#                                 +- neighbour 10.0.2.99 / fd00:2::99
#                                    lladdr 02:00:00:00:00:99 (no such host)
#  c1: fd00:3::2/64 --- r2: fd00:3::1/64 (test 18, then deleted)
#      route fd00:2::7/128 via r2
#
# The router runs catoproxy in mode full (CATOPROXY_FULL_MODE=delayed runs
# the same steps against plain forwarding, to validate the test itself:
# then only the full-only assertions fail). All traffic comes from two
# python helpers running in this namespace that open their sockets in the
# test namespaces: bulk.py (sockets) and tcpprobe.py (raw packets);
# full_check.py makes the assertions over what they report.
#
# 1-4  scanner: a raw SYN (all four options, or none) to a port on an
#      address where no host exists. full: a SYN-ACK acknowledging the
#      probe, window != 0, options exactly MSS+SACK_PERM+TS+WS (TS echoing
#      the probe's) resp. exactly MSS; nmap reports the port open. delayed
#      and off: nothing comes back, nmap reports it filtered, and the
#      router did forward the SYN (its conntrack entry).
# 5    server-timeout 500 ms (SKIP while the key does not exist): a probe
#      that completes the handshake gets an RST with seq = ISN+1 0.4-3 s
#      later; server_timeout +1 per probe.
# 6-13 2 MB upload and download per family, sha256 checked by both ends,
#      for 8 combinations of client/server tcp_timestamps, tcp_sack and
#      tcp_window_scaling, half of them over netem loss/reorder/delay on the
#      server link; exact counter deltas and conntrack entries; the
#      slowest transfer under 10 s (30 s with netem).
# 14   client data sent right after connect(), before the server (delayed
#      800 ms by netem) answered: connect() returns at once, the server
#      reads the request exactly once and intact, held_segments moves.
# 15   closed port on the live server: ECONNRESET, from recv() after a
#      successful connect() or from connect() itself when the module's RST
#      beat the program (plain forwarding: ECONNREFUSED);
#      server_open_failed +1 per family.
# 16   ICMP admin-prohibited from the server: ECONNRESET likewise (plain
#      forwarding: EHOSTUNREACH); server_open_failed +1 per family.
# 17   IPv6 extension headers (exthdr.py modes), in modes full, delayed and
#      off: connections whose every segment carries Destination Options
#      (client and server) or Hop-by-Hop + Destination Options (client)
#      echo 600 KB intact, intercepted in full mode, nothing counted as a
#      reset; full: raw SYNs with them get a correct SYN-ACK; full and
#      delayed: blind RSTs with them are dropped and counted, an ICMPv6
#      Packet Too Big quoting them reaches the client.
# 18   (full only) a device deleted while segments that came in on it are
#      held (exthdr.py devgone): a server that drops the SYN, the client's
#      ACK and request held (then its output stopped, so that the held
#      segments are all there will be), r2 deleted, then the server lets the
#      retransmitted SYN in: the server half opens, held_dropped = the
#      segments held, and the router's POSTROUTING sees no packet from the
#      deleted r2 (no dangling device; dmesg stays clean).
# 19   (full only) a forward chain after the module's hook (filter + 10,
#      as firewalld's) drops the SYN to a port after the module answered
#      it: the client is reset at once (within 3 s, far inside the 10 s
#      server-timeout), the server sees no packet to that port, the SYN
#      is never sent again; server_syn_dropped +1 per family.
# 20   (full only) held segments are bounded in memory (bounds.py held,
#      the client's link at MTU 65000): raw SYNs to the address with no
#      host, then segments of 60000 bytes; one connection with 8 holds at
#      most 256 KiB of them, the rest counted in held_limit_conn; 100
#      connections with 4 each hold at most 16 MiB in all, the rest
#      counted in held_limit_net (and held_limit_conn); every segment held
#      or counted once.
# 21   (full only) a client's reset of an opening connection reaches the
#      server (bounds.py clientrst): the server's SYN-ACKs never leave it,
#      so it holds the connections half-open (SYN-RECEIVED) while the
#      module has answered the client; blind RSTs on the clients' tuples
#      (below and far above the offered window) are dropped, counted in
#      rst_out_of_window and end nothing at the router; the client's own RSTs (one per
#      family) end them at the server within 3 s and at the router.
# 22   (full only) the half-open timer's work under its spinlock is
#      bounded (bounds.py timer): with 600 connections opening to the
#      address with no host, the function-graph tracer sees every run of
#      the timer look at exactly 256 of them (SKIP without the tracer).

source lib.sh

PROBE_PORT=80
BULK_PORT=5001
HELD_PORT=5002
CLOSED_PORT=7
ICMP_PORT=9
EXT_PORT=5003
DEVGONE_PORT=5004
LATE_PORT=5005
CRST_PORT=5006
DEVGONE_DST=fd00:2::7
DEVGONE_CLIENT=fd00:3::2
DEVGONE_ROUTER=fd00:3::1
BULK_SIZE=${BULK_SIZE:-2000000}
declare -A S0 S1

# none_opening: the router has no connection whose server half is opening.
none_opening()
{
	[ "$(rctl show conns state opening count)" = 0 ]
}

is_full()
{
	[ "$FULL_MODE" = full ]
}

# probe DST OPTS SPORT WAIT [ack]: one raw SYN from the client to
# DST:PROBE_PORT; the helper's JSON in $TMP_DIR/probe.
probe()
{
	$PYTHON "$LIB_DIR/tcpprobe.py" probe "$client" c0 "$1" "$PROBE_PORT" \
		"$3" "$2" "$4" "${5:-}" >"$TMP_DIR/probe" 2>"$TMP_DIR/probe.err"
}

# check WHAT ARGS...: full_check.py's assertions WHAT.
check()
{
	py_check $PYTHON "$LIB_DIR/full_check.py" "$@"
}

# check_synack DESC WANT: the first SYN-ACK the probe got, summed up in
# one line, is WANT (full_check.py synack).
check_synack()
{
	check synack "$TMP_DIR/probe" "$@"
}

# Scanner probes come from source ports 40000-40999 of the client; its
# kernel would answer their SYN-ACKs with RSTs, which a scanner does not
# do (and which would end the half-open connection we look at).
setup_probe_filter()
{
	# ... and no socket of the client's own may get such a port: its
	# segments would be dropped too (a raw RST on its tuple, EPERM).
	ip netns exec "$client" sysctl -qw net.ipv4.ip_local_port_range="41000 60999" ||
		return 1
	ip netns exec "$client" nft -f - <<-EOF
	table inet probe {
		chain out {
			type filter hook output priority 0; policy accept;
			tcp sport 40000-40999 tcp flags rst drop
		}
	}
	EOF
}

SPORT=40000
next_sport()
{
	SPORT=$((SPORT + 1))
}

test_scanner_full()
{
	local dst

	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	read_stats S0
	for dst in "$NOHOST4" "$NOHOST6"; do
		next_sport
		probe "$dst" all $SPORT 3
		check_synack "$dst, probe with MSS,SACK_PERM,TS,WS: SYN-ACK" \
			"n=1 ack=ok win0=False opts=MSS,SACK_PERM,TS,WS tsecr=echo ws_ok=True mss_ok=True"
		next_sport
		probe "$dst" none $SPORT 3
		check_synack "$dst, probe without options: SYN-ACK" \
			"n=1 ack=ok win0=False opts=MSS tsecr=- ws_ok=True mss_ok=True"
	done
	read_stats S1
	assert_stats_moved "4 probes" S0 S1 syn_intercepted=4 conn_full=4 \
		server_open_ok=0 server_open_failed=0 cookie_mode_syns=0
	log_test "full: a SYN to a nonexistent host gets a SYN-ACK mirroring the probe's options, window != 0"
}

# nmap_state DST: nmap's verdict on DST:PROBE_PORT ("open", "filtered"...)
nmap_state()
{
	local six=() out

	[[ $1 == *:* ]] && six=(-6)
	out=$(ip netns exec "$client" nmap "${six[@]}" -sS -Pn -n -p "$PROBE_PORT" \
		--max-retries 0 -oG - "$1" 2>&1)
	if [[ $out =~ Ports:\ $PROBE_PORT/([a-z|]+)/ ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "nmap: $(printf '%s' "$out" | tr '\n' ' ' | head -c 300)"
	fi
}

test_nmap()
{
	local mode=$1 want=$2 dst

	if ! command -v nmap >/dev/null; then
		ktap_test_skip "mode $mode: nmap -sS reports the port $want (nmap not installed)"
		return
	fi
	rctl set mode "$mode" || fail "set mode $mode"
	for dst in "$NOHOST4" "$NOHOST6"; do
		assert_eq "mode $mode: nmap -sS $dst port $PROBE_PORT" "$want" "$(nmap_state "$dst")"
	done
	log_test "mode $mode: nmap -sS reports port $PROBE_PORT of a nonexistent host $want"
}

test_scanner_passive()
{
	local mode=$1 helper dst n

	rctl set mode "$mode" || fail "set mode $mode"
	conntrack_in "$router" -F >/dev/null
	read_stats S0
	for dst in "$NOHOST4" "$NOHOST6"; do
		next_sport
		probe "$dst" all $SPORT 2
		check_synack "mode $mode: $dst: answer to the probe" "none rsts=0"
		# ... and not because the router dropped it: it forwarded it
		n=$(ct_count_lines "$router" "dport=$PROBE_PORT .*sport=$PROBE_PORT dport=$SPORT " -p tcp -d "$dst")
		assert_eq "mode $mode: $dst: router conntrack entries for the probe" 1 "$n"
		# only a connection the module translates carries its helper
		helper=$(ct_count_lines "$router" "sport=$SPORT .*helper=catoproxy" -p tcp -d "$dst")
		if [ "$mode" = full ]; then
			assert_eq "mode full: entries with helper=catoproxy" 1 "$helper"
		else
			assert_eq "mode $mode: entries with helper=catoproxy" 0 "$helper"
		fi
	done
	read_stats S1
	assert_stats_moved "mode $mode probes" S0 S1 syn_intercepted=0 \
		synack_retransmitted=0 cookie_mode_syns=0
	log_test "mode $mode: a SYN to a nonexistent host is forwarded and gets no answer"
}

test_server_timeout()
{
	local dst

	if ! router_set server-timeout 500; then
		ktap_test_skip "server-timeout 500 ms: the client gets an RST (no 'set server-timeout' yet)"
		return
	fi
	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	read_stats S0
	for dst in "$NOHOST4" "$NOHOST6"; do
		next_sport
		probe "$dst" all $SPORT 4 ack
		check server_timeout "$TMP_DIR/probe" "$dst"
	done
	read_stats S1
	assert_stats_moved "server-timeout" S0 S1 syn_intercepted=2 server_timeout=2 \
		server_open_ok=0 server_open_failed=0
	log_test "server-timeout 500 ms: a silent server half ends in an RST to the client"
}

# set_tcp_opts NS TS SACK WS
set_tcp_opts()
{
	ip netns exec "$1" sysctl -qw net.ipv4.tcp_timestamps="$2" \
		net.ipv4.tcp_sack="$3" net.ipv4.tcp_window_scaling="$4"
}

# test_bulk DESC "CTS CSACK CWS" "STS SSACK SWS" NETEM(0|1)
# all_resolved: every intercepted SYN's server half ended one way or another.
all_resolved()
{
	local -A s

	read_stats s 2>/dev/null || return 1
	[ "${s[syn_intercepted]:-0}" -le $((${s[server_open_ok]:-0} + ${s[server_open_failed]:-0} + ${s[server_timeout]:-0})) ]
}

test_bulk()
{
	local desc=$1 netem=$4 out n nf limit
	local -a c s

	read -ra c <<<"$2"
	read -ra s <<<"$3"
	set_tcp_opts "$client" "${c[@]}" || fail "client sysctls"
	set_tcp_opts "$server" "${s[@]}" || fail "server sysctls"
	if [ "$netem" = 1 ]; then
		set_netem "$router" r1 loss 1% reorder 25% 50% delay 5ms &&
		set_netem "$server" s0 loss 1% reorder 25% 50% delay 5ms ||
			fail "netem"
		desc+=", netem loss 1% reorder 25% delay 5ms"
	fi
	conntrack_in "$router" -F >/dev/null
	read_stats S0
	$PYTHON "$LIB_DIR/bulk.py" bulk "$client" "$server" "$BULK_PORT" \
		"$BULK_SIZE" "$SERVER4" "$SERVER6" >"$TMP_DIR/bulk" 2>"$TMP_DIR/bulk.err"
	# Plain forwarding (mode delayed) moves 2 MB in < 2.5 s in the TCG VM
	# (< 9 s over netem); a transfer crawling at a misscaled window takes
	# 30 s and more (bulk.py cuts it off at 45 s).
	limit=10
	[ "$netem" = 1 ] && limit=30
	if is_full; then
		check bulk "$TMP_DIR/bulk" "$desc" "$limit" full "$2" "$3"
	else
		check bulk "$TMP_DIR/bulk" "$desc" "$limit" end-to-end "$2" "$3"
	fi
	read_stats S1
	if is_full; then
		assert_stats_moved "$desc" S0 S1 conn_tracked=4 conn_full=4 \
			syn_intercepted=4 server_open_ok=4 server_open_failed=0 \
			server_timeout=0 cookie_mode_syns=0 held_dropped=0 tx_failed=0
	else
		assert_stats_moved "$desc" S0 S1 conn_tracked=4 "conn_$FULL_MODE=4"
	fi
	out=$(conntrack_in "$router" -L -p tcp --dport "$BULK_PORT")
	n=$(count_lines "$out" "dport=$BULK_PORT .*helper=catoproxy")
	nf=$(count_lines "$out" "dport=$BULK_PORT ")
	# only translated (full) connections carry the module's helper
	if is_full; then
		assert_eq "$desc: router conntrack entries to port $BULK_PORT (with helper=catoproxy)" "4 (4)" "$nf ($n)"
	else
		assert_eq "$desc: router conntrack entries to port $BULK_PORT (with helper=catoproxy)" "4 (0)" "$nf ($n)"
	fi
	if [ "$netem" = 1 ]; then
		set_netem "$router" r1
		set_netem "$server" s0
	fi
	set_tcp_opts "$client" 1 1 1
	set_tcp_opts "$server" 1 1 1
	log_test "data integrity, $desc"
}

test_held()
{
	local dst

	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	set_netem "$server" s0 delay 800ms || fail "netem"
	read_stats S0
	for dst in "$SERVER4" "$SERVER6"; do
		$PYTHON "$LIB_DIR/bulk.py" held "$client" "$server" "$HELD_PORT" \
			3000 "$dst" >"$TMP_DIR/held" 2>"$TMP_DIR/held.err"
		check held "$TMP_DIR/held" "$dst"
	done
	set_netem "$server" s0
	read_stats S1
	assert_stats_moved "held data" S0 S1 syn_intercepted=2 server_open_ok=2 \
		held_segments=+2 held_dropped=0
	log_test "client data sent before the server answered arrives once, intact"
}

# test_refused DESC PORT: connect to PORT on the server (v4 and v6).
test_refused()
{
	local desc=$1 port=$2

	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	read_stats S0
	$PYTHON "$LIB_DIR/bulk.py" refused "$client" "$SERVER4,$port" \
		"$SERVER6,$port" >"$TMP_DIR/refused" 2>"$TMP_DIR/refused.err"
	check refused "$TMP_DIR/refused" "$desc" "$SERVER4,$port" "$SERVER6,$port"
	read_stats S1
	assert_stats_moved "$desc" S0 S1 syn_intercepted=2 server_open_failed=2 \
		server_open_ok=0 server_timeout=0
}

test_rst()
{
	test_refused "closed port $CLOSED_PORT" "$CLOSED_PORT"
	log_test "server RST during the open: the client is reset"
}

test_icmp()
{
	ip netns exec "$server" nft -f - <<-EOF || fail "nft reject ruleset"
	table inet rej {
		chain in {
			type filter hook input priority 0; policy accept;
			meta nfproto ipv4 tcp dport $ICMP_PORT counter reject with icmp type admin-prohibited
			meta nfproto ipv6 tcp dport $ICMP_PORT counter reject with icmpv6 type admin-prohibited
		}
	}
	EOF
	test_refused "ICMP admin-prohibited on port $ICMP_PORT" "$ICMP_PORT"
	assert_ne "server's reject rules matched" 0 "$(nft_counter "$server" inet rej)"
	ip netns exec "$server" nft delete table inet rej
	log_test "ICMP unreachable during the open: the client is reset"
}

# check_ext WHAT ARGS...: exthdr.py's check WHAT.
check_ext()
{
	py_check $PYTHON "$LIB_DIR/exthdr.py" "$@"
}

test_exthdr()
{
	# One segment per packet: forwarding sizes a GSO packet by the TCP
	# header it expects at the transport offset, which with Destination
	# Options is that header (skb_gso_network_seglen()), and may refuse
	# it as too big with or without the module.
	ip -n "$client" link set c0 gso_max_segs 1 &&
	ip -n "$server" link set s0 gso_max_segs 1 || fail "gso_max_segs"
	check_ext modes "$client" "$router" "$server" "$SERVER6" "$EXT_PORT" \
		"$NOHOST6"
	ip -n "$client" link set c0 gso_max_segs 65535
	ip -n "$server" link set s0 gso_max_segs 65535
	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	log_test "IPv6 extension headers: SYNs, data, blind RSTs and ICMPv6 errors in modes full, delayed, off"
}

# setup_devgone: a second client link, c1 - r2, by which the client
# reaches DEVGONE_DST (on the server). The router keeps a way back to c1's
# subnet once r2 is gone (through r0, unused while r2 is there), so that
# the server's answer still crosses it.
setup_devgone()
{
	ip link add c1 netns "$client" type veth peer name r2 netns "$router" ||
		return 1
	ip -n "$client" -batch - <<-EOF || return 1
	link set c1 up
	addr add $DEVGONE_CLIENT/64 dev c1 nodad
	route add $DEVGONE_DST/128 via $DEVGONE_ROUTER dev c1
	EOF
	ip -n "$router" -batch - <<-EOF || return 1
	link set r2 up
	addr add $DEVGONE_ROUTER/64 dev r2 nodad
	route add ${DEVGONE_CLIENT%::*}::/64 via $CLIENT6 dev r0 metric 2048
	EOF
	ip -n "$server" addr add "$DEVGONE_DST/64" dev s0 nodad &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$client" c1 "$DEVGONE_CLIENT/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$router" r2 "$DEVGONE_ROUTER/64"
}

test_devgone()
{
	if ! is_full; then
		ktap_test_skip "held segments of a deleted device are dropped (CATOPROXY_FULL_MODE=$FULL_MODE)"
		return
	fi
	if setup_devgone; then
		check_ext devgone "$client" "$router" "$server" "$DEVGONE_DST" \
			"$DEVGONE_PORT" r2
	else
		fail "second client link c1 - r2"
	fi
	ip -n "$router" link del r2 2>/dev/null
	ip -n "$router" route del "${DEVGONE_CLIENT%::*}::/64" 2>/dev/null
	ip -n "$server" addr del "$DEVGONE_DST/64" dev s0 2>/dev/null
	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	log_test "held segments of a deleted device are dropped, the server half still opens"
}

test_late_drop()
{
	if ! is_full; then
		ktap_test_skip "a SYN a later chain drops: the client is reset (CATOPROXY_FULL_MODE=$FULL_MODE)"
		return
	fi
	ip netns exec "$router" nft -f - <<-EOF || fail "nft late forward chain"
	table inet late {
		chain forward {
			type filter hook forward priority filter + 10; policy accept;
			tcp dport $LATE_PORT counter drop
		}
	}
	EOF
	ip netns exec "$server" nft -f - <<-EOF || fail "nft server counter"
	table netdev late {
		chain in {
			type filter hook ingress device "s0" priority -500; policy accept;
			tcp dport $LATE_PORT counter
		}
	}
	EOF
	rctl set mode "$FULL_MODE" || fail "set mode $FULL_MODE"
	# Earlier cases' half-open connections (probes to nowhere) time out
	# within server-timeout: none may be counted here.
	slowwait 15 none_opening || fail "connections still opening from earlier cases"
	read_stats S0
	$PYTHON "$LIB_DIR/bulk.py" refused "$client" "$SERVER4,$LATE_PORT" \
		"$SERVER6,$LATE_PORT" >"$TMP_DIR/late" 2>"$TMP_DIR/late.err"
	check refused "$TMP_DIR/late" "SYN dropped after the module's hook" \
		"$SERVER4,$LATE_PORT" "$SERVER6,$LATE_PORT"
	# nothing may follow: a retransmitted SYN would be due after 1 s
	sleep 1.5
	read_stats S1
	assert_stats_moved "late drop" S0 S1 syn_intercepted=2 \
		server_syn_dropped=2 server_syn_retransmitted=0 server_open_ok=0 \
		server_open_failed=0 server_timeout=0
	assert_ne "the router's late chain dropped the SYNs" 0 \
		"$(nft_counter "$router" inet late)"
	assert_eq "packets to port $LATE_PORT at the server" 0 \
		"$(nft_counter "$server" netdev late)"
	ip netns exec "$router" nft delete table inet late
	ip netns exec "$server" nft delete table netdev late
	log_test "a SYN a later forward chain drops: the client is reset at once, never sent again"
}

check_bounds()
{
	py_check $PYTHON "$LIB_DIR/bounds.py" "$@"
}

test_held_bounds()
{
	if ! is_full; then
		ktap_test_skip "held segments are bounded in bytes (CATOPROXY_FULL_MODE=$FULL_MODE)"
		return
	fi
	if ip -n "$client" link set c0 mtu 65000 &&
	   ip -n "$router" link set r0 mtu 65000; then
		check_bounds held "$client" "$router" "$NOHOST4" "$PROBE_PORT" \
			40800 1 8 60000
		check_bounds held "$client" "$router" "$NOHOST4" "$PROBE_PORT" \
			40810 100 4 60000
	else
		fail "MTU 65000 on c0 - r0"
	fi
	ip -n "$client" link set c0 mtu 1500
	ip -n "$router" link set r0 mtu 1500
	log_test "held segments are bounded in bytes, per connection and per namespace"
}

test_client_rst()
{
	if ! is_full; then
		ktap_test_skip "a client's reset of an opening connection reaches the server (CATOPROXY_FULL_MODE=$FULL_MODE)"
		return
	fi
	ip netns exec "$server" nft -f - <<-EOF || fail "nft in the server"
	table inet synack {
		chain out {
			type filter hook output priority 0; policy accept;
			tcp sport $CRST_PORT tcp flags & (syn | ack) == syn | ack drop
		}
	}
	EOF
	check_bounds clientrst "$client" "$router" "$server" "$CRST_PORT" \
		"$SERVER4" "$SERVER6"
	ip netns exec "$server" nft delete table inet synack
	log_test "a client's reset of an opening connection reaches the server"
}

test_timer_budget()
{
	local what="the half-open timer looks at 256 opening connections a run"

	if ! is_full; then
		ktap_test_skip "$what (CATOPROXY_FULL_MODE=$FULL_MODE)"
		return
	fi
	if ! graph_trace_available; then
		ktap_test_skip "$what (no function-graph tracer)"
		return
	fi
	router_set server-timeout 60000
	check_bounds timer "$client" "$router" "$NOHOST4" "$PROBE_PORT" 600
	router_set server-timeout 10000
	log_test "$what"
}

cleanup()
{
	cleanup_common
}

# full_matrix.sh reuses the functions above and runs its own main.
[ -n "${FULL_PROXY_LIB:-}" ] && return 0

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "nft --version" "run test without nft"
checktool "tc -V" "run test without tc"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 23
require_module
{ setup_topology && setup_nohost && setup_probe_filter; } || topology_failed
# Mode off on a running module: conntrack entries without our helper, and
# the probes' opening server halves time out as they would.
keep_hooked "$router" || { echo "# FAIL: keep_hooked"; exit $ksft_fail; }
ktap_print_msg "mode under test: $FULL_MODE"

# scanner; server-timeout first, so that later probes' server halves end
# quickly as well
test_server_timeout
if is_full; then
	test_scanner_full
	test_nmap full open
else
	ktap_test_skip "full: a SYN to a nonexistent host gets a SYN-ACK (CATOPROXY_FULL_MODE=$FULL_MODE)"
	ktap_test_skip "mode full: nmap (CATOPROXY_FULL_MODE=$FULL_MODE)"
fi
test_scanner_passive delayed
test_scanner_passive off
test_nmap delayed filtered
# the probes' server halves must have ended (timed out) before the exact
# counter checks below
slowwait 20 all_resolved >/dev/null
router_set server-timeout 10000

# data integrity
rctl set mode "$FULL_MODE" || echo "# FAIL: set mode $FULL_MODE"
#         description                        client ts sack ws   server ts sack ws  netem
test_bulk "all options on"                   "1 1 1"            "1 1 1"            0
test_bulk "all options off"                  "0 0 0"            "0 0 0"            1
test_bulk "timestamps: client only"          "1 1 1"            "0 1 1"            0
test_bulk "timestamps: server only"          "0 1 1"            "1 1 1"            1
test_bulk "sack: client only"                "1 1 1"            "1 0 1"            1
test_bulk "sack: server only"                "1 0 1"            "1 1 1"            0
test_bulk "window scaling: client only"      "1 1 1"            "1 1 0"            0
test_bulk "window scaling: server only"      "1 1 0"            "1 1 1"            1

test_held
test_rst
test_icmp
test_exthdr
test_devgone
test_late_drop
test_held_bounds
test_client_rst
test_timer_budget

ktap_finished
