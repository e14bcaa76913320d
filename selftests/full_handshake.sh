#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# Full mode: packet loss during the two handshakes, half-close, resets and
# keepalives, each checked on the wire on both links.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#   [capture c0]    [drop: r0 / r1 ingress]          [capture s0]
#   [drop: c0 ingress]                               [drop: s0 ingress]
#
# tcpprobe.py "trace" runs one connection per family with the client socket
# in the client netns and the server socket in the server netns (one
# process), captures c0 and s0 (AF_PACKET), and reports the handshake as
# "syn=C/S synack=C/S isn=... synack_isn=... srv_syn=...": SYNs the client
# sent / the server received, SYN-ACKs the client received / the server
# sent, whether the client's SYN-ACKs carry an ISN of their own ("own") or
# the server's, whether all of them carry the same ISN, and whether the
# server's SYNs carry the client's ISN and option kinds ("client").
# handshake_check.py makes the assertions over that report, one run per
# sub-test. Losses are made with a netdev ingress rule that drops the first matching
# packet of each connection (lib.sh drop_first): captures still see it.
#
#  1 no loss: the client gets the module's SYN-ACK only (own ISN), the
#    server gets the client's SYN (client's ISN and options), data echoes.
#  2 the module's SYN-ACK is lost: the client's retransmitted SYN is
#    answered with the same ISN, synack_retransmitted +1 per connection.
#  3 the client's third ACK is lost: data still flows.
#  4 the module's SYN to the server is lost: the module retransmits it
#    (server_syn_retransmitted), the client does not have to.
#  5 the server's SYN-ACK is lost: the server retransmits, the client
#    notices nothing.
#  6 half-close by the client (shutdown(SHUT_WR), then read everything).
#  7 half-close by the server.
#  8 RST from the client mid-stream: the server sees ECONNRESET.
#  9 RST from the server mid-stream: the client sees ECONNRESET.
# 10 keepalive probes (1 s idle/interval, 3 probes) from both ends during
#    6 s idle: the connection survives, probes and answers seen on c0, s0.
# Mode: $CATOPROXY_FULL_MODE (default full; delayed validates the tooling).
#
# Then SYNs the module must not answer for, and ECN, with
# net.ipv4.tcp_ecn=1 on the client and the server and the router's events
# monitored; optcheck.py runs the connections (both ends in one process,
# c0 and s0 captured) and asserts what the sockets and links saw:
# 11-14 in full, full with syn-backlog 0 (cookies), delayed and adaptive:
#    per family an unsigned connection (the negative control: in full mode
#    it is intercepted) whose two ends agree on ECN (off where the module
#    answers the SYN, on where the server does), and TCP-MD5 connections
#    (two in adaptive, so that the second finds its server alive and would
#    run full) that echo, whose SYN-ACKs are the server's own, signed, and
#    that syn_passed_signed and a decision event with reason signed count
#    exactly, and whose blind (out-of-window) RST the router drops
#    (rst_out_of_window): resets are still followed.
# 15 a raw SYN with a TCP-AO option and ECE|CWR, in full mode and with
#    cookies: it reaches the server as sent, the client gets no SYN-ACK.
# 16-19 TCP Fast Open (net.ipv4.tcp_fastopen=3 at both ends), in full, full
#    with syn-backlog 0 (cookies), delayed and adaptive: per family a plain
#    connection (the negative control), two to a listener that needs a
#    cookie (the first asks for one), two to one that needs none; each
#    sends its request with MSG_FASTOPEN. The server reads every request
#    exactly once, every reply arrives, no RST on either link; the SYN data
#    is accepted at both ends (TCPI_OPT_SYN_DATA) except with cookies, where
#    it comes after the handshake; syn_passed_fastopen and the decision
#    events with reason fastopen count the Fast Open SYNs (none with
#    cookies), the control is intercepted in full mode.
# 20 MPTCP in full mode: the echo works, both ends fall back to plain TCP
#    (no MPTCP option on c0 or s0 after the handshake); in delayed mode
#    they stay MPTCP.
# 21 a raw SYN with unknown options (kind 99 and 253) in full mode: the
#    server gets it as sent, the client the module's SYN-ACK without them.

source lib.sh

declare -A S0 S1

# trace SCENARIO PORT: one connection per family, tcpprobe.py's JSON in
# $TMP_DIR/trace (its stderr in $TMP_DIR/trace.err).
trace()
{
	$PYTHON "$LIB_DIR/tcpprobe.py" trace "$1" "$client" "$server" "$2" \
		"$SERVER4" "$SERVER6" >"$TMP_DIR/trace" 2>"$TMP_DIR/trace.err"
}

# check STEP: handshake_check.py's assertions for STEP over the trace: the
# handshake line of both connections and what their sockets saw.
check()
{
	py_check $PYTHON "$LIB_DIR/handshake_check.py" "$1" "$TMP_DIR/trace" \
		"$SERVER4" "$SERVER6"
}

# Counters every full-mode connection of a step must move.
full_counts()
{
	if [ "$FULL_MODE" = full ]; then
		assert_stats_moved "$1" S0 S1 syn_intercepted=2 server_open_ok=2 \
			server_open_failed=0 server_timeout=0 cookie_mode_syns=0 \
			tx_failed=0 "${@:2}"
	fi
}

test_baseline()
{
	read_stats S0
	trace basic 6001
	read_stats S1
	check baseline
	full_counts "no loss" synack_retransmitted=0 server_syn_retransmitted=0
	log_test "no loss: the module answers the client, the server sees the client's SYN"
}

test_synack_lost()
{
	local port=6002

	drop_first "$client" c0 lose "tcp sport $port tcp flags & (syn|ack) == syn|ack" "tcp dport" ||
		fail "nft drop rule"
	read_stats S0
	trace basic $port
	read_stats S1
	assert_eq "SYN-ACKs dropped in the client" 2 "$(nft_counter "$client" netdev lose)"
	check synack_lost
	full_counts "SYN-ACK lost" synack_retransmitted=2
	drop_first_del "$client" lose
	log_test "lost SYN-ACK: the retransmitted SYN gets the same ISN again"
}

test_ack_lost()
{
	local port=6003

	drop_first "$router" r0 lose \
		"tcp dport $port tcp flags & (fin|syn|rst|psh|ack|urg) == ack" "tcp sport" ||
		fail "nft drop rule"
	read_stats S0
	trace basic $port
	read_stats S1
	assert_eq "third ACKs dropped at the router" 2 "$(nft_counter "$router" netdev lose)"
	check ack_lost
	full_counts "third ACK lost"
	drop_first_del "$router" lose
	log_test "lost third ACK: data still flows"
}

test_server_syn_lost()
{
	local port=6004

	drop_first "$server" s0 lose "tcp dport $port tcp flags & (syn|ack) == syn" "tcp sport" ||
		fail "nft drop rule"
	read_stats S0
	trace basic $port
	read_stats S1
	assert_eq "SYNs dropped in the server" 2 "$(nft_counter "$server" netdev lose)"
	check server_syn_lost
	full_counts "server SYN lost" server_syn_retransmitted=+2 synack_retransmitted=0
	drop_first_del "$server" lose
	log_test "lost server SYN: the module retransmits it with the client's ISN and options"
}

test_server_synack_lost()
{
	local port=6005

	drop_first "$router" r1 lose "tcp sport $port tcp flags & (syn|ack) == syn|ack" "tcp dport" ||
		fail "nft drop rule"
	read_stats S0
	trace basic $port
	read_stats S1
	assert_eq "server SYN-ACKs dropped at the router" 2 "$(nft_counter "$router" netdev lose)"
	check server_synack_lost
	full_counts "server SYN-ACK lost" synack_retransmitted=0
	drop_first_del "$router" lose
	log_test "lost server SYN-ACK: the server retransmits, the client notices nothing"
}

test_halfclose_client()
{
	read_stats S0
	trace halfclose-client 6006
	read_stats S1
	check halfclose_client
	full_counts "half-close by the client"
	log_test "half-close by the client: it still receives everything after its FIN"
}

test_halfclose_server()
{
	read_stats S0
	trace halfclose-server 6007
	read_stats S1
	check halfclose_server
	full_counts "half-close by the server"
	log_test "half-close by the server: it still receives everything after its FIN"
}

test_rst_client()
{
	read_stats S0
	trace rst-client 6008
	read_stats S1
	check rst_client
	full_counts "RST from the client"
	log_test "RST from the client mid-stream: the server is reset"
}

test_rst_server()
{
	read_stats S0
	trace rst-server 6009
	read_stats S1
	check rst_server
	full_counts "RST from the server"
	log_test "RST from the server mid-stream: the client is reset"
}

test_keepalive()
{
	read_stats S0
	trace keepalive 6010
	read_stats S1
	check keepalive
	full_counts "keepalive"
	log_test "keepalive probes from both ends keep the connection alive"
}

# opt_step NAME PORT NSIGNED ECN COUNTER=DELTA...: optcheck.py conns for
# both families; the counters move as said, and syn_passed_signed and the
# decision events with reason signed by 2 * NSIGNED.
opt_step()
{
	local name=$1 port=$2 nsigned=$3 ecn=$4 from
	shift 4

	from=$(events_lines "$EVENTS")
	read_stats S0
	py_check $PYTHON "$LIB_DIR/optcheck.py" conns "$client" "$server" \
		"$port" "$nsigned" "$ecn" "$SERVER4" "$SERVER6"
	read_stats S1
	assert_stats_moved "$name" S0 S1 syn_passed_signed=$((2 * nsigned)) \
		rst_out_of_window=$((2 * nsigned)) tx_failed=0 "$@"
	assert_eq "$name: decision events with reason signed" $((2 * nsigned)) \
		"$(slowwait 5 events_count_is $((2 * nsigned)) "$EVENTS" "$from" \
			event=decision reason=signed dport="$port")"
	assert_eq "$name: decision events of unsigned connections with reason signed" 0 \
		"$(events_count "$EVENTS" "$from" reason=signed dport=$((port + 1)))"
}

test_signed_full()
{
	ctl_in "$router" set mode full || fail "set mode full"
	opt_step "full" 6011 1 off syn_intercepted=2 server_open_ok=2 \
		cookie_mode_syns=0
	log_test "full: TCP-MD5 passes untouched (counted, event reason signed), the unsigned connection is intercepted, ECN off on both ends"
}

test_signed_cookie()
{
	ctl_in "$router" set syn-backlog 0 || fail "set syn-backlog 0"
	opt_step "cookies" 6013 1 off syn_intercepted=0 cookie_mode_syns=2 \
		cookie_valid=+2 server_open_ok=2
	ctl_in "$router" set syn-backlog 1024 || fail "set syn-backlog 1024"
	log_test "full with cookies: TCP-MD5 gets no cookie and passes untouched, ECN off on both ends"
}

test_signed_delayed()
{
	ctl_in "$router" set mode delayed || fail "set mode delayed"
	opt_step "delayed" 6015 1 on syn_intercepted=0 delayed_engaged=4
	log_test "delayed: TCP-MD5 passes untouched, ECN on on both ends"
}

test_signed_adaptive()
{
	ctl_in "$router" set mode adaptive || fail "set mode adaptive"
	opt_step "adaptive" 6017 2 on syn_intercepted=0 adaptive_full=0 \
		adaptive_delayed=6 delayed_engaged=6
	log_test "adaptive: TCP-MD5 to a server known alive passes untouched, ECN on on both ends"
}

test_ao()
{
	ctl_in "$router" set mode full || fail "set mode full"
	read_stats S0
	py_check $PYTHON "$LIB_DIR/optcheck.py" ao "$client" "$server" 6019 \
		"$SERVER4" "$SERVER6"
	read_stats S1
	assert_stats_moved "TCP-AO, full" S0 S1 syn_passed_signed=2 \
		syn_intercepted=0 tx_failed=0
	ctl_in "$router" set syn-backlog 0 || fail "set syn-backlog 0"
	py_check $PYTHON "$LIB_DIR/optcheck.py" ao "$client" "$server" 6020 \
		"$SERVER4" "$SERVER6"
	read_stats S0
	assert_stats_moved "TCP-AO, cookies" S1 S0 syn_passed_signed=2 \
		cookie_mode_syns=0 tx_failed=0
	ctl_in "$router" set syn-backlog 1024 || fail "set syn-backlog 1024"
	log_test "TCP-AO SYN (raw, ECE|CWR) reaches the server as sent, no SYN-ACK from the module, in full and with cookies"
}

# tfo_step NAME PORT SYNDATA COUNTER=DELTA...: optcheck.py tfo for both
# families with the client's Fast Open cookies forgotten; the counters
# move as said, and syn_passed_fastopen and the decision events with
# reason fastopen count the Fast Open SYNs (4 per family) unless SYNDATA
# is "no" (cookies: none).
tfo_step()
{
	local name=$1 port=$2 syndata=$3 n=4 from p
	shift 3

	[ "$syndata" = yes ] || n=0
	ip netns exec "$client" ip tcp_metrics flush all ||
		fail "$name: flush the client's TCP metrics"
	from=$(events_lines "$EVENTS")
	read_stats S0
	py_check $PYTHON "$LIB_DIR/optcheck.py" tfo "$client" "$server" \
		"$port" "$syndata" "$SERVER4" "$SERVER6"
	read_stats S1
	assert_stats_moved "$name" S0 S1 syn_passed_fastopen=$((2 * n)) \
		syn_passed_signed=0 tx_failed=0 server_open_failed=0 \
		server_timeout=0 "$@"
	for p in "$port" $((port + 1)); do
		assert_eq "$name: decision events to port $p with reason fastopen" \
			$((n)) "$(slowwait 5 events_count_is $((n)) "$EVENTS" \
				"$from" event=decision reason=fastopen dport="$p")"
	done
	assert_eq "$name: decision events of the plain connections with reason fastopen" 0 \
		"$(events_count "$EVENTS" "$from" reason=fastopen dport=$((port + 2)))"
}

test_tfo_full()
{
	ctl_in "$router" set mode full || fail "set mode full"
	tfo_step "TFO full" 6021 yes syn_intercepted=2 server_open_ok=2 \
		cookie_mode_syns=0
	log_test "full: Fast Open SYNs run delayed, their data reaches the server once, the plain connection is intercepted"
}

test_tfo_cookie()
{
	ctl_in "$router" set syn-backlog 0 || fail "set syn-backlog 0"
	tfo_step "TFO cookies" 6024 no syn_intercepted=0 cookie_mode_syns=10 \
		cookie_valid=+10 server_open_ok=10
	ctl_in "$router" set syn-backlog 1024 || fail "set syn-backlog 1024"
	log_test "full with cookies: Fast Open SYNs get a cookie, their data comes once after the handshake"
}

test_tfo_delayed()
{
	ctl_in "$router" set mode delayed || fail "set mode delayed"
	tfo_step "TFO delayed" 6027 yes syn_intercepted=0 delayed_engaged=10
	log_test "delayed: Fast Open SYN data reaches the server once, with and without server cookies"
}

test_tfo_adaptive()
{
	ctl_in "$router" set mode adaptive || fail "set mode adaptive"
	tfo_step "TFO adaptive" 6030 yes syn_intercepted=0 adaptive_full=0 \
		adaptive_delayed=10 delayed_engaged=10
	log_test "adaptive: a cookie learned while delayed is used on a server known alive, which still runs delayed"
}

test_mptcp()
{
	ctl_in "$router" set mode full || fail "set mode full"
	read_stats S0
	py_check $PYTHON "$LIB_DIR/optcheck.py" mptcp "$client" "$server" 6033 \
		tcp "$SERVER4" "$SERVER6"
	read_stats S1
	assert_stats_moved "MPTCP, full" S0 S1 syn_intercepted=2 \
		server_open_ok=2 tx_failed=0
	ctl_in "$router" set mode delayed || fail "set mode delayed"
	py_check $PYTHON "$LIB_DIR/optcheck.py" mptcp "$client" "$server" 6034 \
		mptcp "$SERVER4" "$SERVER6"
	read_stats S0
	assert_stats_moved "MPTCP, delayed" S1 S0 syn_intercepted=0 \
		delayed_engaged=2 tx_failed=0
	log_test "MPTCP: full mode falls back to plain TCP at both ends, delayed stays MPTCP"
}

test_unknown()
{
	ctl_in "$router" set mode full || fail "set mode full"
	read_stats S0
	py_check $PYTHON "$LIB_DIR/optcheck.py" unknown "$client" "$server" \
		6035 "$SERVER4" "$SERVER6"
	read_stats S1
	assert_stats_moved "unknown options" S0 S1 syn_intercepted=2 \
		syn_passed_fastopen=0 syn_passed_signed=0 tx_failed=0
	log_test "unknown options: the SYN reaches the server as sent, the module's SYN-ACK carries none"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 21
require_module
setup_topology || topology_failed
ktap_print_msg "mode under test: $FULL_MODE"
if ! ctl_in "$router" set mode "$FULL_MODE"; then
	echo "# FAIL: set mode $FULL_MODE"
	exit $ksft_fail
fi
# the server half gets time for a retransmitted SYN
router_set server-timeout 20000 || ktap_print_msg "no server-timeout key: default timeout"

test_baseline
test_synack_lost
test_ack_lost
test_server_syn_lost
test_server_synack_lost
test_halfclose_client
test_halfclose_server
test_rst_client
test_rst_server
test_keepalive

EVENTS=$TMP_DIR/events.json
for ns in "$client" "$server"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_ecn=1 || fail "tcp_ecn=1 in $ns"
done
monitor_start "$EVENTS"
ctl_in "$router" set mode delayed || fail "set mode delayed"
slowwait 10 monitor_probe "$EVENTS" "$SERVER4,$TCP_PORT" >/dev/null ||
	fail "the event monitor never saw a connection"
test_signed_full
test_signed_cookie
test_signed_delayed
test_signed_adaptive
test_ao

for ns in "$client" "$server"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_fastopen=3 ||
		fail "tcp_fastopen=3 in $ns"
done
test_tfo_full
test_tfo_cookie
test_tfo_delayed
test_tfo_adaptive
test_mptcp
test_unknown

ktap_finished
