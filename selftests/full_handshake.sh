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
# Losses are made with a netdev ingress rule that drops the first matching
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

source lib.sh

declare -A S0 S1
TRACE='{}'

# trace SCENARIO PORT: one connection per family; JSON in TRACE.
trace()
{
	py_json TRACE $PYTHON "$LIB_DIR/tcpprobe.py" trace "$1" "$client" \
		"$server" "$2" "$SERVER4" "$SERVER6"
}

# fact HOST EXPR: EXPR over r, the trace result for HOST.
fact()
{
	json_get "$TRACE" "str((lambda r: $2)(d.get('$1', {})))" 2>/dev/null || echo "?"
}

errs()
{
	fact "$1" 'r.get("cli_error", "-") + "/" + r.get("srv_error", "-")'
}

# check_hs DESC REGEX: the handshake line of both connections matches.
check_hs()
{
	local h hs

	for h in "$SERVER4" "$SERVER6"; do
		hs=$(fact "$h" 'r.get("hs", "no trace")')
		assert_match "$1: $h handshake" "^$2\$" "$hs" || {
			echo "# $h client SYN-ACKs: $(fact "$h" 'r.get("client_synacks")')"
			echo "# $h server SYN-ACKs: $(fact "$h" 'r.get("server_synacks")')"
			echo "# $h server SYNs: $(fact "$h" 'r.get("server_syns")')"
		}
	done
}

# check_app DESC EXPR WANT: EXPR over each connection's result is WANT.
check_app()
{
	local h

	for h in "$SERVER4" "$SERVER6"; do
		assert_eq "$1: $h" "$3" "$(fact "$h" "$2")" ||
			echo "# $h: $(fact "$h" '{k: v for k, v in r.items() if not isinstance(v, list)}')"
	done
}

echo_ok()
{
	check_app "$1" '"%s %s %s" % (r.get("cli_error", "-"), r.get("srv_error", "-"), r.get("echo_ok"))' "- - True"
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
	check_hs "no loss" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	echo_ok "no loss: echo"
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
	# The module joins the halves only once the client has acknowledged
	# its SYN-ACK, so until the client's retransmitted SYN is answered the
	# server repeats its SYN-ACK on its own timer and answers the forwarded
	# retransmission too: 2 or 3 server SYN-ACKs, depending on timing.
	check_hs "SYN-ACK lost" "syn=2/[12] synack=2/[23] isn=own synack_isn=same srv_syn=client"
	echo_ok "SYN-ACK lost: echo"
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
	check_hs "third ACK lost" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	check_app "third ACK lost: the client's lost ACK was a pure ACK" \
		'len(r.get("client_acks_out", [])) > 0 and r["client_acks_out"][0]["len"] == 0' True
	echo_ok "third ACK lost: echo"
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
	check_hs "server SYN lost" "syn=1/2 synack=1/1 isn=own synack_isn=same srv_syn=client"
	echo_ok "server SYN lost: echo"
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
	check_hs "server SYN-ACK lost" "syn=1/[12] synack=1/[2-9] isn=own synack_isn=same srv_syn=client"
	echo_ok "server SYN-ACK lost: echo"
	full_counts "server SYN-ACK lost" synack_retransmitted=0
	drop_first_del "$router" lose
	log_test "lost server SYN-ACK: the server retransmits, the client notices nothing"
}

test_halfclose_client()
{
	read_stats S0
	trace halfclose-client 6006
	read_stats S1
	check_hs "half-close by the client" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	check_app "half-close by the client" \
		'"%s %s %s %s" % (r.get("cli_error", "-"), r.get("srv_error", "-"), r.get("cli_got_ok"), r.get("cli_verdict_ok"))' \
		"- - True True"
	full_counts "half-close by the client"
	log_test "half-close by the client: it still receives everything after its FIN"
}

test_halfclose_server()
{
	read_stats S0
	trace halfclose-server 6007
	read_stats S1
	check_hs "half-close by the server" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	check_app "half-close by the server" \
		'"%s %s %s %s %s" % (r.get("cli_error", "-"), r.get("srv_error", "-"), r.get("cli_got_ok"), r.get("srv_got") == r.get("cli_sent"), r.get("eof"))' \
		"- - True True True"
	full_counts "half-close by the server"
	log_test "half-close by the server: it still receives everything after its FIN"
}

test_rst_client()
{
	read_stats S0
	trace rst-client 6008
	read_stats S1
	check_hs "RST from the client" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	check_app "RST from the client: the server's next recv()" \
		'"%s %s" % (r.get("cli_error", "-"), r.get("srv_after_rst"))' "- ECONNRESET"
	check_app "RST from the client: RSTs the server received" \
		'len(r.get("server_rsts_in", [])) >= 1' True
	full_counts "RST from the client"
	log_test "RST from the client mid-stream: the server is reset"
}

test_rst_server()
{
	read_stats S0
	trace rst-server 6009
	read_stats S1
	check_hs "RST from the server" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	check_app "RST from the server: the client's next recv()" \
		'"%s %s" % (r.get("srv_error", "-"), r.get("cli_after_rst"))' "- ECONNRESET"
	check_app "RST from the server: RSTs the client received" \
		'len(r.get("client_rsts_in", [])) >= 1' True
	full_counts "RST from the server"
	log_test "RST from the server mid-stream: the client is reset"
}

test_keepalive()
{
	read_stats S0
	trace keepalive 6010
	read_stats S1
	check_hs "keepalive" "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"
	check_app "keepalive: after 6 s idle" \
		'"%s %s %s" % (r.get("cli_error", "-"), r.get("srv_error", "-"), r.get("after_idle_ok"))' "- - True"
	# each end probes about once a second and the other answers: at least
	# 2 probes + 2 answers each way on both links
	check_app "keepalive: probes/answers seen (client out, client in, server out, server in) >= 4" \
		'all(r.get(k, 0) >= 4 for k in ("ka_client_out", "ka_client_in", "ka_server_out", "ka_server_in"))' True
	full_counts "keepalive"
	log_test "keepalive probes from both ends keep the connection alive"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 10
require_module
if ! setup_topology; then
	echo "# FAIL: cannot set up the topology"
	dump_state
	exit $ksft_fail
fi
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

ktap_finished
