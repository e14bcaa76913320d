#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, hopc, router, hops, server: set by setup_ns
#
# Path MTU Discovery through the router, and ICMP errors about connections
# that are opening. A hop on each side of the router forwards onto a link
# whose route MTU is 1280 (locked, so that IPv6 forwarding honours it too);
# every link is 1500 bytes, so both ends offer an MSS of 1460 and must
# learn the path MTU from the hop's Frag Needed / Packet Too Big, which
# crosses the router as an error related to the connection:
#
#  client          hopc                router              hops          server
#  c0 ------------ h0  h1 ------------ r0  r1 ------------ h2  h3 -------- s0
#  10.0.11.2    .1     10.0.12.2    .1     10.0.13.1    .2     10.0.14.1    .2
#  fd00:11::2   ::1    fd00:12::2   ::1    fd00:13::1   ::2    fd00:14::1   ::2
#              mtu 1280 towards                               mtu 1280 towards
#              the client                                     the server
#
# Server -> client: hopc's error goes to the server through the router and
# quotes the segment as the router sent it, in a spliced connection's
# client-side sequence numbers; the server's stack takes it only once they
# are translated back. Client -> server: hops' error goes to the client.
#
# 1-3  modes off (the reference), delayed and full: per family an upload
#      and a download of 1 MB complete intact, both ends learn MTU 1280, and
#      the router counts nothing as a reset (pmtu_check.py bulk); the
#      router forwarded errors both ways (nft counters).
# 4    full, the router's own route towards the client limited to 1280
#      bytes: the router itself sends the server Frag Needed / Packet Too
#      Big, quoting the segment as it came in: it reaches the server
#      untouched (seqadj does not rewrite it as a TCP segment) and the
#      downloads complete.
# 5    full: ICMP errors from hops about an opening connection's server
#      SYN (Frag Needed, Packet Too Big, a redirect, a hard error quoting
#      another sequence number) reach the client and the server half goes
#      on; port unreachable quoting the SYN ends it (pmtu_check.py
#      opening).

source lib.sh

BULK_PORT=5001
OPEN_PORT=5002
BULK_SIZE=${BULK_SIZE:-1000000}
C4=10.0.11.2
C6=fd00:11::2
S4=10.0.14.2
S6=fd00:14::2

# link NS1 DEV1 ADDR1 NS2 DEV2 ADDR2 NET: a veth between NS1 and NS2 on
# 10.0.NET.0/24 and fd00:NET::/64 (ADDRn: the host part).
link()
{
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" ||
		return 1
	ip -n "$1" -batch - <<-EOF || return 1
	link set $2 up
	addr add 10.0.$7.$3/24 dev $2
	addr add fd00:$7::$3/64 dev $2 nodad
	EOF
	ip -n "$4" -batch - <<-EOF || return 1
	link set $5 up
	addr add 10.0.$7.$6/24 dev $5
	addr add fd00:$7::$6/64 dev $5 nodad
	EOF
}

# routes NS VIA4 VIA6 NET...: NS reaches 10.0.NET.0/24 and fd00:NET::/64
# through VIA.
routes()
{
	local ns=$1 via4=$2 via6=$3 net
	shift 3

	for net in "$@"; do
		ip -n "$ns" route add "10.0.$net.0/24" via "$via4" || return 1
		ip -n "$ns" route add "fd00:$net::/64" via "$via6" || return 1
	done
}

# small NS DEV NET: NS forwards onto DEV, towards 10.0.NET.0/24 and
# fd00:NET::/64, at most 1280 bytes (the connected routes replaced: IPv6's
# have metric 256).
small()
{
	ip -n "$1" route replace "10.0.$3.0/24" dev "$2" mtu lock 1280 &&
	ip -n "$1" route replace "fd00:$3::/64" dev "$2" metric 256 mtu lock 1280
}

setup()
{
	local ns

	setup_ns client hopc router hops server || return 1
	for ns in "$hopc" "$router" "$hops"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return 1
	done
	link "$client" c0 2 "$hopc" h0 1 11 &&
	link "$hopc" h1 2 "$router" r0 1 12 &&
	link "$router" r1 1 "$hops" h2 2 13 &&
	link "$hops" h3 1 "$server" s0 2 14 || return 1
	routes "$client" 10.0.11.1 fd00:11::1 12 13 14 &&
	routes "$hopc" 10.0.12.1 fd00:12::1 13 14 &&
	routes "$router" 10.0.12.2 fd00:12::2 11 &&
	routes "$router" 10.0.13.2 fd00:13::2 14 &&
	routes "$hops" 10.0.13.1 fd00:13::1 11 12 &&
	routes "$server" 10.0.14.1 fd00:14::1 11 12 13 || return 1
	small "$hopc" h0 11 && small "$hops" h3 14 || return 1

	# The router counts the errors it forwards, per direction.
	ip netns exec "$router" nft -f - <<-EOF || return 1
	table inet pmtu {
		counter to_server {}
		counter to_client {}
		chain relayed {
			type filter hook forward priority 0; policy accept;
			icmp type destination-unreachable icmp code frag-needed oifname r1 counter name to_server
			icmpv6 type packet-too-big oifname r1 counter name to_server
			icmp type destination-unreachable icmp code frag-needed oifname r0 counter name to_client
			icmpv6 type packet-too-big oifname r0 counter name to_client
		}
	}
	EOF
	# Test 4: the client drops its RSTs to the module's SYN-ACKs for the
	# raw SYNs, and counts the errors it gets; the server drops the SYNs.
	ip netns exec "$client" nft -f - <<-EOF || return 1
	table inet icmpin {
		counter errs {}
		chain in {
			type filter hook input priority 0; policy accept;
			icmp type { destination-unreachable, redirect } counter name errs
			icmpv6 type { destination-unreachable, packet-too-big } counter name errs
		}
		chain out {
			type filter hook output priority 0; policy accept;
			tcp sport 40100-40199 tcp flags rst drop
		}
	}
	EOF
	ip netns exec "$server" nft add table inet opening &&
	ip netns exec "$server" nft add chain inet opening in \
		'{ type filter hook input priority 0; policy accept; }' &&
	ip netns exec "$server" nft add rule inet opening in \
		tcp dport "$OPEN_PORT" drop || return 1
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$client" c0 "10.0.11.2/24" "fd00:11::2/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$server" s0 "10.0.14.2/24" "fd00:14::2/64"
}

# errors DIR: packets of the router's counter of errors towards DIR.
errors()
{
	local out

	out=$(ip netns exec "$router" nft list counter inet pmtu "to_$1" 2>/dev/null)
	[[ $out =~ packets\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo -1
}

test_mode()
{
	local mode=$1 ts0 tc0

	ts0=$(errors server)
	tc0=$(errors client)
	py_check $PYTHON "$LIB_DIR/pmtu_check.py" bulk "$client" "$router" \
		"$server" "$mode" "$BULK_PORT" "$BULK_SIZE" "$C4" "$C6" "$S4" "$S6"
	assert_ne "mode $mode: errors forwarded to the server" 0 $(($(errors server) - ts0))
	assert_ne "mode $mode: errors forwarded to the client" 0 $(($(errors client) - tc0))
	log_test "mode $mode: PMTU discovery beyond the router, IPv4 and IPv6, both directions"
}

test_router_own()
{
	ip -n "$router" route replace 10.0.11.0/24 via 10.0.12.2 mtu lock 1280 &&
	ip -n "$router" route replace fd00:11::/64 via fd00:12::2 mtu lock 1280 ||
		fail "router: route towards the client, mtu 1280"
	py_check $PYTHON "$LIB_DIR/pmtu_check.py" bulk "$client" "$router" \
		"$server" full "$BULK_PORT" "$BULK_SIZE" "$C4" "$C6" "$S4" "$S6"
	ip -n "$router" route replace 10.0.11.0/24 via 10.0.12.2
	ip -n "$router" route replace fd00:11::/64 via fd00:12::2
	log_test "full: the router's own Frag Needed / Packet Too Big reaches the server intact"
}

test_opening()
{
	py_check $PYTHON "$LIB_DIR/pmtu_check.py" opening "$client" "$router" \
		"$hops" "$server" "$OPEN_PORT" "$C4" "$C6" "$S4" "$S6"
	log_test "full: only a hard ICMP error quoting the server SYN ends an opening connection"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 5
require_module
if ! setup; then
	echo "# FAIL: cannot set up the topology"
	dump_state
	exit $ksft_fail
fi
# Mode off keeps the hooks: the reference runs with the module loaded.
keep_hooked "$router" || { echo "# FAIL: keep_hooked"; exit $ksft_fail; }
# The module was loaded with default_mode=full: the hops forward too, and
# must not be proxies themselves.
for ns in "$hopc" "$hops"; do
	ctl_in "$ns" set mode off >/dev/null || { echo "# FAIL: mode off in $ns"; exit $ksft_fail; }
done

# The reference first.
test_mode off
test_mode delayed
test_mode full
test_router_own
test_opening

ktap_finished
