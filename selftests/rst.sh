#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# RFC 5961 for the connections the module tracks (delayed, adaptive, full):
# blind resets are dropped, the reset that answers a server's challenge ACK
# passes (challenge-ack allow) or not (strict), mode off is left alone.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          10.0.2.3/24 (test 12)
#                                                     fd00:2::2/64
#                                                     fd00:2::3/64 (test 12)
#   [capture c0]    [forward: ct state invalid drop,  [capture s0]
#   [nft output:     tests 1-6 only]
#    client RSTs]   [test 12: RST counters on r0/r1   [test 12: RST counter]
#   [test 12: RST    ingress]
#    counter]
#
# rstprobe.py keeps both ends of every connection in one process and
# captures c0 and s0 (AF_PACKET) to see what crossed the router;
# rst_check.py makes the assertions over what it saw, one run per sub-test.
#
# 1-6 A client that lost its state reconnects from the same port (the
#     recipe of RFC 5961 section 4): a connection from a fixed port echoes,
#     the client's RSTs are dropped in its own output while the socket
#     closes with SO_LINGER {1, 0}, then it reconnects from that port, with
#     the router's conntrack entry kept and with conntrack flushed, IPv4
#     and IPv6 at once. The server answers the new SYN with a challenge ACK,
#     the client answers that with an RST at its ack number.
#     allow (and mode off whatever the setting): the RST crosses, the
#     server's old socket is reset, the retransmitted SYN connects (one
#     retransmission: Linux resends the SYN at once after answering an
#     unacceptable ACK, so this takes milliseconds, under 2.5 s asserted);
#     delayed and adaptive count challenge_ack_seen and
#     rst_challenge_allowed once per connection and give the retransmitted
#     SYN a fresh entry (a new decision). strict: the RSTs stay in the
#     router (rst_challenge_dropped = the RSTs the client sent,
#     challenge_ack_seen = the challenge ACKs the client got), the server's
#     old socket lives on, connect() times out. Mode off: counters still.
#  7  The recipe in mode full, allow. Entry kept: the client's SYN on the
#     spliced connection never reaches the server; the module answers it
#     with its own challenge ACK, the client's RST at its number crosses
#     and resets the server, the retransmitted SYN is intercepted anew
#     (challenge_ack_sent, rst_challenge_allowed). Entry flushed: the SYN
#     is intercepted at once, the server challenges the module's SYN, the
#     module resets the old connection (its RST reaches s0) and retries
#     (server_challenge_reset); the client sees none of it.
#  8  The same, strict: no working reconnect, the server's old socket
#     lives on, no client RST crosses, rst_challenge_dropped moves.
#  9  Blind resets on an established delayed connection, below the
#     receiver's window, above it (client side) and below it from the
#     server: none crosses, rst_out_of_window +1 each, the connection
#     still echoes. No "ct state invalid drop" rule: the module drops them.
# 10  An in-window inexact RST crosses and the server answers it with a
#     challenge ACK (the connection echoes); an exact one resets the
#     server. No counter moves.
# 11  The challenge flow segment by segment (allow): a crafted SYN on the
#     live tuple, the server's challenge ACK at the client, a crafted RST
#     at its ack number: it crosses, the server is reset, the router's
#     conntrack entry is gone, challenge_ack_seen and rst_challenge_allowed
#     +1.
# 12  The same with challenge-ack strict: the RST does not cross,
#     rst_challenge_dropped +1, the connection still echoes.
# 13  ... and after that the connection is an ordinary one again: the
#     server's echo (data, no bare ACK) is no challenge ACK, and the
#     client's own abort RST (exact) reaches the server.
# 14  Blind-reset attack: 100 established connections (25 per family
#     delayed, 25 per family full through a site), then 40,000 RSTs with
#     random sequence numbers on their client-to-server tuples and 8,000
#     on the server-to-client ones. All connections echo afterwards,
#     rst_out_of_window accounts for at least 99% of them, and every RST
#     that reached the router was either counted there or seen by the
#     receiver: RSTs in at r0/r1 = rst_out_of_window + RSTs in at s0/c0.
#     No "ct state invalid drop" rule: conntrack alone would forward them.
# 15  Blind resets just above the window: on 2 delayed and 2 full
#     connections per family, 2 RSTs per connection, from the client on
#     one and from the server on the other, at one and a half to two
#     windows past what the receiver expects. Conntrack
#     forgives a sender that much overshoot and would move the sender's
#     end there, after which the peer's segments look "under the lower
#     bound" and their acknowledgments invalid. The module drops them
#     before conntrack sees them: rst_out_of_window counts every one, none
#     reaches an end, every connection echoes twice (the second echo
#     acknowledges the first) through "ct state invalid drop", and
#     invalid_dropped stays 0.
# 16  Test 15 again with the router's raw table putting the connections in
#     conntrack zone 7: the module finds them in their zone before
#     conntrack, and every entry is in zone 7.
#
# CATOPROXY_RST_MODE=off runs everything with the module's mode off, to
# validate the test's own tooling: 3-9 and 11-15 are then expected to
# fail, 1, 2 and 10 (what the module must leave as it is) to pass.

source lib.sh

RST_MODE=${CATOPROXY_RST_MODE:-}
RECIPE_PORT=7100
RECIPE_LPORT=41000
CRAFTED_PORT=7200
BLIND_PORT=7300
BLIND_CLIENT_RSTS=${BLIND_CLIENT_RSTS:-40000}
BLIND_SERVER_RSTS=${BLIND_SERVER_RSTS:-8000}
BLIND_LIMIT=240
OVERSHOOT_PORT=7400
OVERSHOOT_RSTS=2
SERVER4_FULL=10.0.2.3
SERVER6_FULL=fd00:2::3
# allow: one SYN retransmission and margin; strict: connect() gives up
RECONNECT_MAX_MS=2500
STRICT_TIMEOUT=2.5

declare -A S0 S1

# set_mode MODE: the router's account mode (CATOPROXY_RST_MODE overrides).
set_mode()
{
	ctl_in "$router" set mode "${RST_MODE:-$1}" || fail "set mode $1"
}

# forward_invalid_drop on|off: the router's "ct state invalid drop" rule.
forward_invalid_drop()
{
	ip netns exec "$router" nft delete table inet rstfw 2>/dev/null
	[ "$1" = on ] || return 0
	ip netns exec "$router" nft -f - <<-EOF || fail "nft forward rule"
	table inet rstfw {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state invalid counter drop
		}
	}
	EOF
}

# probe OUT ARGS...: rstprobe.py ARGS..., its JSON into the file OUT, its
# stderr into OUT.err (rst_check.py shows it when OUT has no JSON).
probe()
{
	local out=$1
	shift
	$PYTHON "$LIB_DIR/rstprobe.py" "$@" >"$out" 2>"$out.err"
}

# check TEST ARGS...: rst_check.py's assertions for TEST.
check()
{
	py_check $PYTHON "$LIB_DIR/rst_check.py" "$@"
}

# ---------------------------------------------------------------- 1-6

# recipe MODE POLICY N: sub-test N of 1-6.
recipe()
{
	local mode=$1 policy=$2 n=$3
	local flush port lport
	local works=1 tracked=0

	[ "$policy" = strict ] && [ "$mode" != off ] && works=0
	[ "$mode" != off ] && tracked=1
	[ -n "$RST_MODE" ] && [ "$mode" = adaptive ] && mode=$RST_MODE
	set_mode "$mode"
	ctl_in "$router" set challenge-ack "$policy" || fail "set challenge-ack $policy"
	for flush in 0 1; do
		port=$((RECIPE_PORT + 2 * n + flush))
		lport=$((RECIPE_LPORT + 2 * n + flush))
		# adaptive: fresh ports run delayed; the cache forgets them
		# after adaptive-ttl 1 s, so that the reconnect is decided
		# delayed again (intercepting it is the full mode's business)
		probe "$TMP_DIR/recipe.$flush" recipe "$client" "$server" \
			"$router" "$CATOPROXYCTL" "$port" "$lport" "$flush" \
			"$([ "$1" = adaptive ] && echo 2.2 || echo 0)" \
			"$([ $works = 1 ] && echo 10 || echo "$STRICT_TIMEOUT")" \
			"$SERVER4" "$SERVER6"
	done
	check recipe "$mode" "$policy" "$works" "$tracked" "$RECONNECT_MAX_MS" \
		"$SERVER4,$SERVER6" "$TMP_DIR/recipe.0" "$TMP_DIR/recipe.1"
	log_test "recipe: mode $mode, challenge-ack $policy: $([ $works = 1 ] && echo "reconnect after one SYN retransmission" || echo "RSTs answering challenge ACKs dropped, no reconnect")"
}

# recipe_full POLICY N: the recipe in mode full, where the module is the
# client's peer. Entry kept: the client's SYN on the spliced connection gets
# the module's own challenge ACK, and its RST at that number crosses
# (allow) or not (strict). Entry flushed: the SYN is intercepted anew, the
# server challenges the module's SYN, and the module resets the old
# connection and retries (allow) or leaves it (strict).
recipe_full()
{
	local policy=$1 n=$2
	local flush port lport

	set_mode full
	ctl_in "$router" set challenge-ack "$policy" || fail "set challenge-ack $policy"
	for flush in 0 1; do
		port=$((RECIPE_PORT + 2 * n + flush))
		lport=$((RECIPE_LPORT + 2 * n + flush))
		probe "$TMP_DIR/recipe.$flush" recipe "$client" "$server" \
			"$router" "$CATOPROXYCTL" "$port" "$lport" "$flush" 0 \
			"$([ "$policy" = allow ] && echo 10 || echo "$STRICT_TIMEOUT")" \
			"$SERVER4" "$SERVER6"
	done
	check recipe_full "$policy" "$RECONNECT_MAX_MS" "$SERVER4,$SERVER6" \
		"$TMP_DIR/recipe.0" "$TMP_DIR/recipe.1"
	log_test "recipe: mode full, challenge-ack $policy: $([ "$policy" = allow ] && echo "the module challenges, resets and reconnects" || echo "no reconnect")"
}

# ---------------------------------------------------------------- 7-10

crafted_run()
{
	set_mode delayed
	ctl_in "$router" set challenge-ack allow || fail "set challenge-ack allow"
	forward_invalid_drop off
	probe "$TMP_DIR/crafted" crafted "$client" "$server" \
		"$router" "$CATOPROXYCTL" "$CRAFTED_PORT" "$SERVER4" "$SERVER6"
}

# crafted_test NAME DESCRIPTION: one sub-test over the crafted run.
crafted_test()
{
	check "crafted_$1" "$SERVER4,$SERVER6" "$TMP_DIR/crafted"
	log_test "crafted: $2"
}

# ---------------------------------------------------------------- 12

# rst_counter NS DEV TABLE: a netdev ingress table counting RSTs on DEV.
rst_counter()
{
	ip netns exec "$1" nft -f - <<-EOF
	table netdev $3 {
		chain in {
			type filter hook ingress device "$2" priority -500; policy accept;
			tcp flags & rst == rst counter
		}
	}
	EOF
}

test_blind_attack()
{
	local hosts=() i oow c0 s0 r0 r1

	forward_invalid_drop off
	set_mode delayed
	ip -n "$server" addr add "$SERVER4_FULL/24" dev s0 &&
		ip -n "$server" addr add "$SERVER6_FULL/64" dev s0 nodad ||
		fail "server addresses"
	ctl_in "$router" site add fullsrv prefix "$SERVER4_FULL/32" \
		prefix "$SERVER6_FULL/128" mode "${RST_MODE:-full}" || fail "site add"
	rst_counter "$router" r0 rst_r0 && rst_counter "$router" r1 rst_r1 &&
		rst_counter "$server" s0 rst_s0 && rst_counter "$client" c0 rst_c0 ||
		fail "nft RST counters"
	for ((i = 0; i < 25; i++)); do
		hosts+=("$SERVER4" "$SERVER4_FULL" "$SERVER6" "$SERVER6_FULL")
	done
	read_stats S0
	probe "$TMP_DIR/blind" blind "$client" "$server" \
		"$BLIND_PORT" "$BLIND_CLIENT_RSTS" "$BLIND_SERVER_RSTS" \
		"$BLIND_LIMIT" "${hosts[@]}"
	read_stats S1
	r0=$(nft_counter "$router" netdev rst_r0)
	r1=$(nft_counter "$router" netdev rst_r1)
	s0=$(nft_counter "$server" netdev rst_s0)
	c0=$(nft_counter "$client" netdev rst_c0)
	oow=$((S1[rst_out_of_window] - S0[rst_out_of_window]))
	check blind "$TMP_DIR/blind" "$BLIND_CLIENT_RSTS" "$BLIND_SERVER_RSTS" \
		"$r0" "$r1" "$s0" "$c0" "$oow"
	assert_stats_moved "blind attack" S0 S1 conn_delayed=50 conn_full=50 \
		syn_intercepted=50 challenge_ack_seen=0 rst_challenge_allowed=0 \
		rst_challenge_dropped=0
	log_test "blind-reset attack on 100 delayed and full connections: RSTs dropped, connections live"
}

# ---------------------------------------------------------------- 15

# After test 14: its server addresses and site stay.
test_overshoot()
{
	local hosts=()

	forward_invalid_drop on
	set_mode delayed
	hosts=("$SERVER4" "$SERVER4_FULL" "$SERVER6" "$SERVER6_FULL")
	probe "$TMP_DIR/overshoot" overshoot "$client" "$server" "$router" \
		"$CATOPROXYCTL" "$OVERSHOOT_PORT" "$OVERSHOOT_RSTS" \
		"${hosts[@]}" "${hosts[@]}"
	check overshoot "$TMP_DIR/overshoot" "$SERVER4,$SERVER6" \
		"$SERVER4_FULL,$SERVER6_FULL"
	log_test "blind RSTs within conntrack's overshoot above the window: dropped before conntrack, delayed and full connections live"
}

# ---------------------------------------------------------------- 16

# After test 15: the same in conntrack zone 7.
test_overshoot_zone()
{
	local hosts=("$SERVER4" "$SERVER4_FULL" "$SERVER6" "$SERVER6_FULL") out port=$((OVERSHOOT_PORT + 1))

	ip netns exec "$router" nft -f - <<-EOF || fail "nft zone 7"
	table inet zone7 {
		chain pre {
			type filter hook prerouting priority raw; policy accept;
			tcp dport $port ct zone set 7
			tcp sport $port ct zone set 7
		}
	}
	EOF
	forward_invalid_drop on
	set_mode delayed
	probe "$TMP_DIR/overshoot7" overshoot "$client" "$server" "$router" \
		"$CATOPROXYCTL" "$port" "$OVERSHOOT_RSTS" \
		"${hosts[@]}" "${hosts[@]}"
	check overshoot "$TMP_DIR/overshoot7" "$SERVER4,$SERVER6" \
		"$SERVER4_FULL,$SERVER6_FULL"
	out=$(conntrack_in "$router" -L -p tcp --dport "$port")
	assert_eq "entries to port $port outside zone 7" 0 \
		"$(count_lines "$(grep -v "zone=7 " <<<"$out")" "dport=$port ")"
	assert_eq "entries to port $port in zone 7" 8 "$(count_lines "$out" "zone=7 ")"
	ip netns exec "$router" nft delete table inet zone7
	log_test "in conntrack zone 7: blind RSTs within the overshoot dropped before conntrack, connections live"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "nft --version" "run test without nft"
checktool "conntrack --version" "run test without conntrack"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 16
require_module
setup_topology || topology_failed
[ -n "$RST_MODE" ] && ktap_print_msg "every mode replaced by $RST_MODE (tooling check)"
if ! router_set challenge-ack allow || ! router_set adaptive-ttl 1; then
	echo "# FAIL: the module has no challenge-ack or adaptive-ttl setting"
	exit $ksft_fail
fi

forward_invalid_drop on
n=0
for mode in off delayed adaptive; do
	for policy in allow strict; do
		n=$((n + 1))
		recipe "$mode" "$policy" "$n"
	done
done
for policy in allow strict; do
	n=$((n + 1))
	recipe_full "$policy" "$n"
done

crafted_run
crafted_test blind "blind RSTs below and above the window, either side, are dropped; the connection lives"
crafted_test inwindow "an in-window RST passes and is challenged, an exact one resets the server"
crafted_test challenge "challenge-ack allow: the RST answering a challenge ACK crosses and ends the entry"
crafted_test strict "challenge-ack strict: the RST answering a challenge ACK is dropped"
crafted_test strict_after "challenge-ack strict: after the drop, data is no challenge ACK and the client's abort RST crosses"

test_blind_attack
test_overshoot
test_overshoot_zone

ktap_finished
