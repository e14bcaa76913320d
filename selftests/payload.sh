#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Payload rules and paths (Documentation/payload-rules.rst): a connection a
# payload rule (sni, host) matches is decided on its first data, and its
# server sees nothing before that, so that no path is ever chosen after a
# server-side SYN has left: the failure of field note 001 (a ClientHello
# arriving over another link than its handshake, reset by the server).
#
#   client                 router                        server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                       r1: 10.0.2.1/24  --- link A ---  s0: 10.0.2.2/24
#                           fd00:2::1/64                     fd00:2::2/64
#                       r2: 10.0.3.1/24  --- link B ---  s1: 10.0.3.2/24
#                           fd00:3::1/64                     fd00:3::2/64
#                       ip rule fwmark 1: table 101, 10.0.2.0/24 and
#                         fd00:2::/64 dev r1
#                       ip rule fwmark 2: table 102, the same via s1
#                       (no mark: the main table, link A)
#                       nft netdev egress on r1 and r2: packets and SYNs
#                       to 10.0.2.2 or fd00:2::2,      the server answers
#                       per port                       out of s0 (A);
#                       inspect-timeout 1000
#  rules:                                              TLS echo on 443,
#   1 dport 443 sni direct.example path 1 allow        HTTP on 80, a
#   2 dport 443 sni *.blocked.example block            banner on 2121
#   3 dport 443 sni bypass.example path 1 bypass
#   4 dport 443 path 2 allow  (the field note's plain path rule, below)
#   5 dport 80 host direct.example path 1 allow
#   6 dport 80 host blocked.example block
#   7 dport 80 path 2 allow
#   8 dport 2121 sni never.example path 1 allow
#   9 dport 2121 path 2 allow
#  10 dport 8080 path 2 bypass                         echo on 8080, 8081
#
# In one process (payload_check.py), each case comparing the per-link and
# the module's counters before and after it:
# 1. TLS naming direct.example (rule 1), three connections: the handshake
#    works, every packet of each goes out of link A, one SYN each, none
#    out of B; naming other.example (rule 3): the same on link B.
# 2. A ClientHello in three segments: decided and working, link A.
# 3. SNI www.blocked.example: reset, nothing to the server.
# 4. HTTP with Host Direct.Example:80 (case and port aside: rule 4): link
#    A; Host other.example: link B; Host blocked.example: the 403 page,
#    nothing to the server.
# 5. A server that speaks first (2121): nothing comes from the client, so
#    after inspect-timeout the plain rule 8 decides: the banner arrives
#    after at least the timeout, over link B; payload_inspect_timeout.
# 6. A client that sends nothing (443) until it closes, after the timeout:
#    the server gets the connection over B (rule 3) and its close.
# 7. The server saw each TLS connection with the name the client sent.
# 8. The decision events carry the server name and the path.
# 9. show conns gives a live connection's path; and, for one held open
#    after its TLS handshake naming direct.example, the name and path 1
#    (JSON and text).
# 10. bypass path 2 (8080): the echo works, every packet out of link B,
#    conn_bypassed.
# 11. IPv6: TLS naming direct.example, link A, one SYN, nothing on B;
#    other.example, link B; held open, show conns has its name and path;
#    SNI www.blocked.example: a reset; Host blocked.example: the page;
#    Host direct.example: link A; nothing of the blocked ones to the
#    server. The BLOCKED events carry the name.
# 12. A payload rule that says bypass (rule 3): the connection cannot be
#    left alone (its handshake was answered): it works, spliced, listed
#    with its name and path 1, link A only; payload_bypassed, not
#    conn_bypassed.
# 13. The block page's segment lost (an nft output chain in the router
#    drops the first page segment towards the client): the module sends
#    it again after about a second; the client gets the whole page.

source lib.sh

EVENTS=$TMP_DIR/events.json
LINK_B_R=10.0.3.1
LINK_B_S=10.0.3.2
LINK_B_R6=fd00:3::1
LINK_B_S6=fd00:3::2
PROBE_PORT=8081

setup()
{
	local port

	setup_topology || return 1
	ip link add r2 netns "$router" type veth peer name s1 netns "$server" ||
		return 1
	ip -n "$router" -batch - <<EOF || return 1
link set r2 up
addr add $LINK_B_R/24 dev r2
addr add $LINK_B_R6/64 dev r2 nodad
route add 10.0.2.0/24 dev r1 table 101
route add 10.0.2.0/24 via $LINK_B_S dev r2 table 102
route add fd00:2::/64 dev r1 table 101
route add fd00:2::/64 via $LINK_B_S6 dev r2 table 102
rule add fwmark 1 table 101
rule add fwmark 2 table 102
EOF
	ip -n "$router" -6 rule add fwmark 1 table 101 &&
	ip -n "$router" -6 rule add fwmark 2 table 102 || return 1
	ip -n "$server" -batch - <<EOF || return 1
link set s1 up
addr add $LINK_B_S/24 dev s1
addr add $LINK_B_S6/64 dev s1 nodad
EOF
	# The server takes 10.0.2.2 on s1 too and answers out of s0.
	ip netns exec "$server" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.s1.rp_filter=0 || return 1
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$router" r2 "$LINK_B_R/24" "$LINK_B_R6/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$server" s1 "$LINK_B_S/24" "$LINK_B_S6/64" ||
		return 1

	{
		echo "table netdev links {"
		for link in r1 r2; do
			for port in 443 80 2121 8080; do
				echo "counter ${link}_${port}_all {}"
				echo "counter ${link}_${port}_syn {}"
			done
		done
		for link in r1 r2; do
			echo "chain $link {"
			echo "type filter hook egress device \"$link\" priority 0; policy accept;"
			for port in 443 80 2121 8080; do
				for daddr in "ip daddr $SERVER4" "ip6 daddr $SERVER6"; do
					echo "$daddr tcp dport $port counter name ${link}_${port}_all"
					echo "$daddr tcp dport $port tcp flags & (syn | ack) == syn counter name ${link}_${port}_syn"
				done
			done
			echo "}"
		done
		echo "}"
	} | ip netns exec "$router" nft -f - || return 1

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -subj /CN=direct.example -days 2 \
		-keyout "$TMP_DIR/key.pem" -out "$TMP_DIR/cert.pem" 2>/dev/null ||
		return 1

	rctl set inspect-timeout 1000 &&
	rctl rule add dport 443 sni direct.example path 1 action allow &&
	rctl rule add dport 443 sni '*.blocked.example' action block &&
	rctl rule add dport 443 sni bypass.example path 1 action bypass 2>/dev/null &&
	rctl rule add dport 443 path 2 action allow &&
	rctl rule add dport 80 host direct.example path 1 action allow &&
	rctl rule add dport 80 host blocked.example action block &&
	rctl rule add dport 80 path 2 action allow &&
	rctl rule add dport 2121 sni never.example path 1 action allow &&
	rctl rule add dport 2121 path 2 action allow &&
	rctl rule add dport "$TCP_PORT" path 2 action bypass || return 1
	start_server "$server" "$TCP_PORT" "$PROBE_PORT"
}

trap cleanup EXIT
checktool "openssl version" "run test without openssl"
checktool "nft --version" "run test without nft"

ktap_print_header
ktap_set_plan 1
require_module
setup >/dev/null || topology_failed
monitor_start "$EVENTS"
slowwait 20 monitor_probe "$EVENTS" "$SERVER4,$PROBE_PORT" ||
	echo "# the monitor has not joined: event checks will fail"

py_check $PYTHON "$LIB_DIR/payload_check.py" all "$client" "$router" \
	"$server" "$TMP_DIR/cert.pem" "$TMP_DIR/key.pem" "$EVENTS"
log_test "payload rules: decided on the first data, before the server sees anything, on one path"

ktap_finished
