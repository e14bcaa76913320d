#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Full mode, data integrity for every combination of the client's and the
# server's TCP options.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# The module answers the client's SYN before it knows what the server will
# agree to, so every mismatch between the two ends' timestamps, SACK and
# window scaling (net.ipv4.tcp_* per namespace) must be reconciled by its
# translation. For each of the 2^6 = 64 combinations: an upload and a
# download per address family, sha256 checked at both ends, the options
# each end's socket runs with (the client: all it offered, the module
# answered its SYN; the server: those both offered), counters and
# conntrack entries exact, the slowest transfer bounded (a misscaled window
# crawls). Every other combination runs over netem loss 1%, reordering 25%
# and 5 ms delay on the server link. full_proxy.sh has the eight most telling
# combinations with 2 MB transfers; here they are 256 kB to fit the VM.

FULL_PROXY_LIB=1
source ./full_proxy.sh
BULK_SIZE=256000

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "tc -V" "run test without tc"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 64
require_module
setup_topology || topology_failed
rctl set mode "$FULL_MODE" || echo "# FAIL: set mode $FULL_MODE"

for ((i = 0; i < 64; i++)); do
	cts=$((i >> 5 & 1)) csack=$((i >> 4 & 1)) cws=$((i >> 3 & 1))
	sts=$((i >> 2 & 1)) ssack=$((i >> 1 & 1)) sws=$((i & 1))
	test_bulk "client ts $cts sack $csack ws $cws, server ts $sts sack $ssack ws $sws" \
		"$cts $csack $cws" "$sts $ssack $sws" $((i & 1))
done

ktap_finished
