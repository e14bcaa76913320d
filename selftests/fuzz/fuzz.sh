#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server, fz: set by setup_ns
#
# Fuzzing in the VM: the generic netlink family and the data path, on any
# kernel of the harness (on the debug kernel of `make check-debug` this is
# also a KASAN/UBSAN/lockdep/kmemleak run). Not in `make check`: `make
# fuzz-vm` runs it (FUZZ_NL, FUZZ_TCP, FUZZ_SEED set the sizes and seed).
# It lives in a directory of its own for its settings (a longer timeout:
# 100,000 messages take about 25 minutes under TCG); like every test it
# runs from selftests/, where lib.sh and the fuzzers are.
#
#   [fz: netns of its own]     genl.py-style raw netlink, one process
#     fuzz_nl.py  -- generic netlink -->  catoproxy (fz's configuration)
#       + child as nobody, child in a user namespace of its own
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#  [inject + tap c0]     [rule: dport 8082 block]  [inject + tap s0]
#  [nft output: RSTs                               [nft input: SYNs to
#   from 41000-41999                                8081 dropped]
#   dropped]                                       [echo on 8080]
#
# 1. FUZZ_TCP (default 10500) malformed or odd segments, IPv4 and IPv6,
#    fragments, extension headers and ICMP errors quoting them, on the
#    tuples of connections opening, holding, spliced, cookie, blocked,
#    delayed and challenged: for each state, the router's counters account
#    for every frame it did not forward.
# 2. FUZZ_NL (default 100000) random generic netlink messages (random
#    commands, flags, attribute types, lengths, nesting, broken framing,
#    interrupted dumps; a fifth from two unprivileged children): the
#    configuration (GET_CONFIG, site and rule dumps) is byte-identical
#    after every refused request.
# 3. Afterwards the module's connections drain and the module unloads
#    (the harness checks dmesg for splats, and kmemleak on a debug kernel).

source lib.sh

FUZZ_NL=${FUZZ_NL:-100000}
FUZZ_TCP=${FUZZ_TCP:-10500}
FUZZ_SEED=${FUZZ_SEED:-13}

test_netlink()
{
	local res=$TMP_DIR/fuzz_nl.json

	setup_ns fz || { fail "netns"; log_test "netlink fuzzing"; return; }
	ctl_in "$fz" set mode delayed >/dev/null || fail "mode delayed in fz"
	py_check ip netns exec "$fz" $PYTHON fuzz_nl.py "$FUZZ_NL" "$FUZZ_SEED" "$res"
	log_test "netlink: $FUZZ_NL random messages (seed $FUZZ_SEED), the configuration unchanged by every refusal"
	cleanup_ns "$fz"
}

test_segments()
{
	local res=$TMP_DIR/fuzz_tcp.json

	ip netns exec "$server" nft -f - <<EOF || fail "server nft"
table inet fuzz {
	chain in {
		type filter hook input priority 0;
		tcp dport 8081 tcp flags syn drop
	}
}
EOF
	ip netns exec "$client" nft -f - <<EOF || fail "client nft"
table inet fuzz {
	chain out {
		type filter hook output priority 0;
		tcp sport 41000-41999 tcp flags rst drop
	}
}
EOF
	ctl_in "$router" rule add dport 8082 action block >/dev/null || fail "block rule"
	py_check $PYTHON fuzz_tcp.py "$client" "$router" "$server" "$FUZZ_TCP" \
		"$FUZZ_SEED" "$res"
	log_test "segments: $FUZZ_TCP malformed frames in 7 connection states (seed $FUZZ_SEED), every one not forwarded counted"
}

test_drain()
{
	ctl_in "$router" set mode off >/dev/null
	cleanup_ns "$client" "$server" "$router"
	unload_module || fail "rmmod after fuzzing"
	log_test "the module unloads after fuzzing"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 3
require_module
setup_topology || topology_failed

test_segments
test_netlink
test_drain

ktap_finished
