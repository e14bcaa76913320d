#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Full mode past the SYN backlog: stateless SYN cookies.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# With syn-backlog 0 every SYN is answered with a cookie and no state, and
# every server half is opened from the client's ACK. Checked:
# 1. connections over IPv4 and IPv6 succeed; cookie_mode_syns and
#    server_open_ok move by exactly the number of connections (cookie_valid
#    by that at least: a request racing its ACK validates too) and
#    syn_intercepted (the stateful path) not at all;
# 2. bulk data in both directions arrives intact (sha256 at both ends), so
#    the options recovered from the cookie and the translation are right;
# 3. an ACK with a forged cookie is dropped and counted, and reaches no one;
# 4. with the default backlog the same connections take the stateful path;
# 5. the router's forward chains judge what the module sends for a client
#    (fwpolicy.py firewall): chains at priorities -10, 0 and 10 each drop
#    new connections to a port of their own; with and without cookies,
#    over IPv4 and IPv6, the server sees no packet to those ports (not the
#    module's server SYN, nor its retransmission), connections to the echo
#    port work, exactly the SYNs that reach the module's hook are
#    intercepted or answered with a cookie, and a FORWARD counter sees
#    every client segment the server gets, the held ones the module
#    re-sends included;
# 6. NAT (fwpolicy.py nat): SNAT and masquerade toward the server, and a
#    port forward (prerouting DNAT from the router's port 8081 to the
#    server's echo port), each in full mode below and past the backlog and
#    in delayed mode, IPv4 and IPv6: every connection echoes; the server
#    gets nothing from a client's address behind SNAT or masquerade (the
#    module's server SYNs and re-sent segments included); a port forward
#    is intercepted below the backlog, and past it, addressed to the
#    router, gets no cookie and runs tracked;
# 7. with syn-backlog 0, cookies stay out of what they cannot serve and
#    serve conntrack zones: connections raw's notrack exempts (port 5001)
#    carry 300 kB each way intact, none answered with a cookie, and a SYN
#    to the router's own closed port is refused by its own stack, not
#    answered by the module; connections raw puts in conntrack zone 5
#    (port 5002) are answered with cookies, their server halves opened
#    and tracked in zone 5 (no entry of theirs in another zone, each
#    translated) and carry 300 kB each way intact; below the backlog,
#    while cookies may still be in flight, zoned connections are
#    intercepted and carry data intact. The server drops the first SYN
#    of each zoned connection: the module's retransmission (one each)
#    finds the entry in zone 5.
# 8. cookies open at most 256 server halves past a syn-backlog of 0
#    (bounds.py cookies): 300 connections to a port whose SYNs the server
#    drops, every ACK with a valid cookie, 256 opening and 44 refused
#    (cookie_open_refused); the clients' resets end the opening ones.
# 9. policy routing by mark (as nft_nat_zones.sh of the kernel's selftests
#    does for clients that share one address): only table 100, for mark
#    1, routes to the client's network; raw marks the client's packets 1,
#    the connection's mark marks the server's replies, and fwmark_reflect
#    is on. The module's SYN-ACKs, stateful (syn-backlog 1024) and cookies
#    (0), reflect the client's mark as the kernel's own replies do and
#    reach the client: 2 connections per family each way, none failed,
#    tx_failed 0.

source lib.sh

N=10
declare -A S0 S1

stat_delta()
{
	echo $((S1[$1] - S0[$1]))
}

test_cookie_connections()
{
	ctl_in "$router" set syn-backlog 0 || fail "set syn-backlog 0"
	read_stats S0
	tcp_connect "$client" "$N" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "connections (ok fail)" "$((2 * N)) 0" "$CONN_OK $CONN_FAIL"
	read_stats S1
	assert_eq "cookie_mode_syns delta" $((2 * N)) "$(stat_delta cookie_mode_syns)"
	# Every handshake ACK carries a valid cookie. The request the client
	# sends right after it may reach the router on the other CPU before the
	# ACK's server half exists, and validate too; only one of the two opens
	# the server half (server_open_ok below is exact).
	assert_stats_moved "cookies" S0 S1 cookie_valid=+$((2 * N)) cookie_valid=-$((4 * N))
	assert_eq "cookie_invalid delta" 0 "$(stat_delta cookie_invalid)"
	assert_eq "server_open_ok delta" $((2 * N)) "$(stat_delta server_open_ok)"
	assert_eq "syn_intercepted delta" 0 "$(stat_delta syn_intercepted)"
	# The server takes the first server SYN of each: it is well formed.
	assert_eq "server_syn_retransmitted delta" 0 "$(stat_delta server_syn_retransmitted)"
	log_test "syn-backlog 0: $N IPv4 + $N IPv6 connections open through cookies"
}

test_cookie_bulk()
{
	$PYTHON bulk.py bulk "$client" "$server" 9100 1000000 "$SERVER4" "$SERVER6" \
		>"$TMP_DIR/bulk" 2>"$TMP_DIR/bulk.err"
	py_check $PYTHON full_check.py cookie_bulk "$TMP_DIR/bulk"
	log_test "syn-backlog 0: 1 MB each way, IPv4 and IPv6, sha256 intact"
}

test_forged_cookie()
{
	read_stats S0
	# Only the forged segments: the bulk test's last ACKs may still come.
	ip netns exec "$server" nft -f - <<EOF || fail "nft forged counter"
table inet forged {
	chain in {
		type filter hook input priority 0;
		tcp sport 40000-40004 tcp dport $TCP_PORT counter
	}
}
EOF
	$PYTHON -c '
import sys
from lib.py.packet import build, raw_sender, src_addr
for dst in (sys.argv[1], sys.argv[2]):
    s = raw_sender(sys.argv[3], dst)
    src = src_addr(sys.argv[3], dst)
    for i in range(5):
        s.sendto(build(src, dst, 40000 + i, int(sys.argv[4]), 1000 + i,
                       123456 + i, "A", 512), (dst, 0))
' "$SERVER4" "$SERVER6" "$client" "$TCP_PORT" || fail "could not send forged ACKs"
	slowwait 10 stat_moved cookie_invalid 10 || true
	read_stats S1
	assert_eq "cookie_invalid delta" 10 "$(stat_delta cookie_invalid)"
	assert_eq "cookie_valid delta" 0 "$(stat_delta cookie_valid)"
	assert_eq "forged segments reaching the server" 0 "$(nft_counter "$server" inet forged)"
	ip netns exec "$server" nft delete table inet forged
	log_test "forged cookies: dropped, counted, nothing reaches the server"
}

# stat_moved NAME DELTA: NAME moved by DELTA since S0.
stat_moved()
{
	read_stats S1 && [ "$(stat_delta "$1")" -ge "$2" ]
}

test_stateful_below_backlog()
{
	ctl_in "$router" set syn-backlog 1024 || fail "set syn-backlog 1024"
	read_stats S0
	tcp_connect "$client" "$N" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "connections (ok fail)" "$((2 * N)) 0" "$CONN_OK $CONN_FAIL"
	read_stats S1
	assert_eq "syn_intercepted delta" $((2 * N)) "$(stat_delta syn_intercepted)"
	assert_eq "cookie_mode_syns delta" 0 "$(stat_delta cookie_mode_syns)"
	log_test "below the backlog: the same connections keep state, no cookies"
}

test_cookie_exempt()
{
	local out

	ctl_in "$router" set syn-backlog 0 || fail "set syn-backlog 0"
	ip netns exec "$router" nft -f - <<EOF || fail "nft raw rules"
table inet raw {
	chain pre {
		type filter hook prerouting priority raw;
		tcp dport 5001 notrack
		tcp sport 5001 notrack
		iifname r0 tcp dport 5002 ct zone set 5
		iifname r1 tcp sport 5002 ct zone set 5
	}
}
EOF
	read_stats S0
	$PYTHON bulk.py bulk "$client" "$server" 5001 300000 "$SERVER4" "$SERVER6" \
		>"$TMP_DIR/bulk.5001" 2>"$TMP_DIR/bulk.5001.err"
	py_check $PYTHON full_check.py bulk "$TMP_DIR/bulk.5001" "port 5001" 20
	out=$(ip netns exec "$client" $PYTHON traffic.py outcome 3 \
		"$ROUTER_C4,5003" "$ROUTER_C6,5003")
	assert_eq "the router's closed port, IPv4 and IPv6" "refused refused" "$out"
	read_stats S1
	assert_stats_moved "exempt" S0 S1 cookie_mode_syns=0 cookie_valid=0 \
		cookie_invalid=0 syn_intercepted=0 conn_tracked=0
	# Zone 5 past the backlog: the server SYN a cookie opens is tracked
	# in the client's zone, so the server's answer finds it. The server
	# drops each first SYN: the module's retransmission must find the
	# entry in zone 5 too.
	drop_first "$server" s0 zsyn "tcp dport 5002 tcp flags syn" "tcp sport"
	read_stats S0
	$PYTHON bulk.py bulk "$client" "$server" 5002 300000 "$SERVER4" "$SERVER6" \
		>"$TMP_DIR/bulk.5002" 2>"$TMP_DIR/bulk.5002.err"
	py_check $PYTHON full_check.py bulk "$TMP_DIR/bulk.5002" "zone 5, cookies" 20
	read_stats S1
	assert_stats_moved "zone 5, cookies" S0 S1 cookie_mode_syns=4 \
		cookie_valid=+4 cookie_invalid=0 server_open_ok=4 conn_full=4 \
		server_timeout=0 server_syn_retransmitted=4
	out=$(conntrack_in "$router" -L -p tcp --dport 5002)
	assert_eq "entries to port 5002" 4 "$(count_lines "$out" "dport=5002 ")"
	assert_eq "zone 5 entries" 4 "$(count_lines "$out" "zone=5 ")"
	assert_eq "zone 5 entries with helper=catoproxy" 4 "$(count_lines "$out" "zone=5 .*helper=catoproxy")"
	# Below the backlog, cookies still in flight: zoned connections are
	# intercepted and their held segments found in their zone.
	ctl_in "$router" set syn-backlog 1024 || fail "set syn-backlog 1024"
	read_stats S0
	$PYTHON bulk.py bulk "$client" "$server" 5002 300000 "$SERVER4" "$SERVER6" \
		>"$TMP_DIR/bulk.zone" 2>"$TMP_DIR/bulk.zone.err"
	py_check $PYTHON full_check.py bulk "$TMP_DIR/bulk.zone" "zone 5, below the backlog" 20
	read_stats S1
	assert_stats_moved "zone 5" S0 S1 syn_intercepted=4 server_open_ok=4 \
		cookie_invalid=0 cookie_mode_syns=0 server_syn_retransmitted=4 \
		server_timeout=0
	out=$(conntrack_in "$router" -L -p tcp --dport 5002)
	assert_eq "entries to port 5002, both runs" 8 "$(count_lines "$out" "dport=5002 ")"
	assert_eq "zone 5 entries with helper=catoproxy, both runs" 8 \
		"$(count_lines "$out" "zone=5 .*helper=catoproxy")"
	drop_first_del "$server" zsyn
	ip netns exec "$router" nft delete table inet raw
	log_test "syn-backlog 0: no cookie for notrack or the router itself, cookies in zone 5"
}

test_firewall()
{
	py_check $PYTHON fwpolicy.py firewall "$client" "$router" "$server" \
		"$TCP_PORT" 7001,7002,7003
	log_test "forward chains at -10, 0, 10 judge the module's server SYNs and held segments"
}

test_nat()
{
	py_check $PYTHON fwpolicy.py nat "$client" "$router" "$server" 8081
	log_test "SNAT, masquerade and a port forward: full with and without cookies, delayed"
}

test_cookie_bound()
{
	ip netns exec "$server" nft -f - <<-EOF || fail "nft in the server"
		table inet cbound { chain c { type filter hook input priority 0; tcp dport 7010 drop; }; }
	EOF
	ctl_in "$router" set syn-backlog 0 server-timeout 60000 || fail "set syn-backlog 0"
	py_check $PYTHON bounds.py cookies "$client" "$router" "$SERVER4" 7010 300 256
	ctl_in "$router" set syn-backlog 1024 server-timeout 10000 || fail "set syn-backlog 1024"
	ip netns exec "$server" nft delete table inet cbound
	log_test "syn-backlog 0: cookies open at most 256 server halves, the rest refused and counted"
}

# reflect_routes add|del: the router reaches the client's network through
# table 100 (mark 1) only, or through its main table again.
reflect_routes()
{
	if [ "$1" = add ]; then
		ip -n "$router" route del 10.0.1.0/24 dev r0 &&
			ip -n "$router" -6 route del fd00:1::/64 dev r0 &&
			ip -n "$router" route add 10.0.1.0/24 dev r0 table 100 &&
			ip -n "$router" -6 route add fd00:1::/64 dev r0 table 100 &&
			ip -n "$router" rule add fwmark 1 lookup 100 &&
			ip -n "$router" -6 rule add fwmark 1 lookup 100
	else
		ip -n "$router" rule del fwmark 1 lookup 100
		ip -n "$router" -6 rule del fwmark 1 lookup 100
		ip -n "$router" route flush table 100
		ip -n "$router" -6 route flush table 100
		ip -n "$router" route add 10.0.1.0/24 dev r0 src "$ROUTER_C4"
		ip -n "$router" -6 route add fd00:1::/64 dev r0
	fi
}

test_reflect()
{
	local backlog what

	reflect_routes add || fail "policy routes"
	ip netns exec "$router" sysctl -qw net.ipv4.fwmark_reflect=1 net.ipv6.fwmark_reflect=1
	ip netns exec "$router" nft -f - <<-EOF || fail "nft marks"
	table inet reflect {
		chain raw {
			type filter hook prerouting priority raw; policy accept;
			iifname r0 meta mark set 1
		}
		chain restore {
			type filter hook prerouting priority mangle; policy accept;
			ct direction reply meta mark set ct mark
		}
		chain save {
			type filter hook postrouting priority mangle; policy accept;
			ct direction original ct mark set meta mark
		}
	}
	EOF
	for backlog in 1024 0; do
		what="syn-backlog $backlog"
		ctl_in "$router" set syn-backlog "$backlog" || fail "set syn-backlog $backlog"
		read_stats S0
		tcp_connect "$client" 2 "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
		assert_eq "$what: connections (ok fail)" "4 0" "$CONN_OK $CONN_FAIL"
		read_stats S1
		if [ "$backlog" = 0 ]; then
			assert_stats_moved "$what" S0 S1 cookie_mode_syns=4 tx_failed=0
		else
			assert_stats_moved "$what" S0 S1 syn_intercepted=4 tx_failed=0
		fi
	done
	ctl_in "$router" set syn-backlog 1024
	ip netns exec "$router" nft delete table inet reflect
	ip netns exec "$router" sysctl -qw net.ipv4.fwmark_reflect=0 net.ipv6.fwmark_reflect=0
	reflect_routes del
	log_test "policy routing by mark, fwmark_reflect: the module's SYN-ACKs take the client's way back"
}

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "nstat -V" "run test without nstat"
require_module

ktap_print_header
ktap_set_plan 9
{ setup_topology && start_server "$server"; } || topology_failed
test_cookie_connections
test_cookie_bulk
test_forged_cookie
test_stateful_below_backlog
test_firewall
test_nat
test_cookie_exempt
test_cookie_bound
test_reflect
ktap_finished
