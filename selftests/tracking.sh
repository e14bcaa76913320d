#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Which forwarded connections the module tracks, and in which mode.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# The router runs catoproxy (its netns holds the config); the server echoes
# on TCP 8080 and 443 and UDP 5353. Each step makes N sequential
# connections per address family from one python process in the client and
# checks the router's counters move by exactly the expected amount (all
# others by zero) and what "conntrack -L" shows in the router: new TCP
# connections carry helper=catoproxy exactly when the module translates them
# (full mode); delayed ones carry no helper, so that a flowtable may offload
# them.
#
# Covered: account mode full and off; UDP is not counted; source site,
# destination site, source site winning over destination site, an inheriting
# source site (account mode, not the destination site's), longest prefix;
# tls-inspection forcing full on port 443; another helper owning the
# connection; router-originated connections are not counted; after
# "conntrack -F" every tracked connection is released; FTP (passive and
# active, with and without masquerade) through a firewall that admits data
# connections only as nf_conntrack_ftp's RELATED ones, in every mode.

source lib.sh

N=20
declare -A S0 S1

ct_flush()
{
	conntrack_in "$router" -F >/dev/null
	[ "$(conntrack_in "$router" -L -p tcp | wc -l)" = 0 ] ||
		fail "conntrack -F left TCP entries"
}

# traffic DESC PORT FAMILIES STAT=DELTA...: N connections to PORT over each
# of FAMILIES ("4", "6" or "4 6"); all must succeed and the counters move by
# exactly the given deltas (the others by 0).
traffic()
{
	local desc=$1 port=$2 fams=$3
	shift 3
	local targets=() f

	for f in $fams; do
		case $f in
		4) targets+=("$SERVER4,$port") ;;
		6) targets+=("$SERVER6,$port") ;;
		esac
	done
	tcp_connect "$client" "$N" "${targets[@]}"
	assert_eq "$desc: connections ok" "$((N * ${#targets[@]}))" "$CONN_OK"
	assert_eq "$desc: connections failed" 0 "$CONN_FAIL"
	read_stats S1 || return 1
	assert_stats_delta "$desc" S0 S1 "$@"
	copy_stats
}

copy_stats()
{
	local k

	S0=()
	for k in "${!S1[@]}"; do
		S0[$k]=${S1[$k]}
	done
}

# ct_check DESC PORT WITH WITHOUT: conntrack in the router lists exactly
# WITH TCP entries to PORT carrying helper=catoproxy and WITHOUT without it.
ct_check()
{
	local desc=$1 port=$2 out with without

	out=$(conntrack_in "$router" -L -p tcp --dport "$port")
	with=$(count_lines "$out" " dport=$port .*helper=catoproxy")
	without=$(count_lines "$out" " dport=$port ")
	without=$((without - with))
	if ! assert_eq "$desc: conntrack entries with helper=catoproxy" "$3" "$with" ||
		! assert_eq "$desc: conntrack entries without helper" "$4" "$without"; then
		printf '%s\n' "$out" | head -n 5 | sed 's/^/#   /'
	fi
}

test_full()
{
	rctl set mode full || fail "set mode full"
	ct_flush
	traffic "mode full" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_full=$((2 * N))
	ct_check "mode full" "$TCP_PORT" $((2 * N)) 0
	log_test "mode full: $N IPv4 + $N IPv6 connections tracked as full, helper=catoproxy"
}

test_udp()
{
	local out

	udp_send "$client" 5 "$SERVER4,$UDP_PORT" "$SERVER6,$UDP_PORT"
	assert_eq "udp datagrams echoed" "10 0" "$CONN_OK $CONN_FAIL"
	read_stats S1
	assert_stats_delta "udp" S0 S1
	copy_stats
	out=$(conntrack_in "$router" -L -p udp)
	assert_eq "udp conntrack entries" 2 "$(count_lines "$out" "^udp .* dport=$UDP_PORT ")"
	assert_eq "udp entries with helper" 0 "$(count_lines "$out" "helper=")"
	log_test "UDP through the router is not counted and gets no helper"
}

test_off()
{
	# All off, the namespace would be released and nothing counted:
	# load_unload.sh tests that. Here a running module decides off.
	keep_hooked "$router" || fail "keep_hooked"
	rctl set mode off || fail "set mode off"
	ct_flush
	traffic "mode off" "$TCP_PORT" "4 6" conn_off=$((2 * N))
	ct_check "mode off" "$TCP_PORT" 0 $((2 * N))
	rctl set mode full
	rctl site del keep-hooked || fail "site del keep-hooked"
	log_test "mode off: counted as conn_off, not tracked, no helper"
}

test_sites()
{
	local rc=0

	# source site
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed || rc=$?
	ct_flush
	traffic "source site delayed" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_delayed=$((2 * N))
	ct_check "source site delayed" "$TCP_PORT" 0 $((2 * N))

	# destination site
	rctl site del clients || rc=$?
	rctl site add servers prefix 10.0.2.0/24 prefix fd00:2::/64 mode adaptive || rc=$?
	traffic "destination site adaptive" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_adaptive=$((2 * N))

	# the source site wins over the destination site
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed || rc=$?
	traffic "source over destination" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_delayed=$((2 * N))

	# a destination site saying off
	rctl site del clients || rc=$?
	rctl site del servers || rc=$?
	rctl site add servers prefix 10.0.2.0/24 prefix fd00:2::/64 mode off || rc=$?
	ct_flush
	traffic "destination site off" "$TCP_PORT" "4 6" conn_off=$((2 * N))
	ct_check "destination site off" "$TCP_PORT" 0 $((2 * N))
	rctl site del servers || rc=$?
	assert_eq "site commands: exit codes" 0 "$rc"
	log_test "source site, destination site, source wins; site mode off"
}

test_inherit()
{
	local rc=0

	rctl set mode delayed || rc=$?
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 || rc=$?
	traffic "inherit site, account delayed" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_delayed=$((2 * N))
	rctl set mode adaptive || rc=$?
	traffic "inherit site, account adaptive" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_adaptive=$((2 * N))
	# An inheriting source site decides: the account's mode, not the
	# destination site's.
	rctl site add servers prefix 10.0.2.0/24 prefix fd00:2::/64 mode off || rc=$?
	traffic "inherit source site over destination site" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_adaptive=$((2 * N))
	rctl site del clients || rc=$?
	rctl site del servers || rc=$?
	rctl set mode full || rc=$?
	assert_eq "commands: exit codes" 0 "$rc"
	log_test "inherit site follows the account mode"
}

test_longest_prefix()
{
	local rc=0

	rctl site add wide prefix 10.0.0.0/8 prefix fd00::/16 mode off || rc=$?
	rctl site add narrow prefix 10.0.1.0/24 prefix fd00:1::/64 mode adaptive || rc=$?
	traffic "longest prefix /24 and /64" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_adaptive=$((2 * N))
	rctl site add host prefix 10.0.1.2/32 prefix fd00:1::2/128 mode delayed || rc=$?
	traffic "longest prefix /32 and /128" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_delayed=$((2 * N))
	rctl site del narrow || rc=$?
	rctl site del host || rc=$?
	traffic "only the wide prefix" "$TCP_PORT" "4 6" conn_off=$((2 * N))
	rctl site del wide || rc=$?
	assert_eq "site commands: exit codes" 0 "$rc"
	log_test "the longest matching prefix decides"
}

test_tls()
{
	local rc=0

	rctl set mode delayed tls-inspection on || rc=$?
	ct_flush
	traffic "tls on, port 443" "$TLS_PORT" "4 6" conn_tracked=$((2 * N)) conn_full=$((2 * N))
	traffic "tls on, port 8080" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_delayed=$((2 * N))
	ct_check "tls on, port 443" "$TLS_PORT" $((2 * N)) 0
	# inspection overrides even a site saying off
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode off || rc=$?
	traffic "tls on, site off, port 443" "$TLS_PORT" "4 6" conn_tracked=$((2 * N)) conn_full=$((2 * N))
	traffic "tls on, site off, port 8080" "$TCP_PORT" "4 6" conn_off=$((2 * N))
	rctl site del clients || rc=$?
	rctl set tls-inspection off || rc=$?
	traffic "tls off, port 443" "$TLS_PORT" "4 6" conn_tracked=$((2 * N)) conn_delayed=$((2 * N))
	rctl set mode full || rc=$?
	assert_eq "commands: exit codes" 0 "$rc"
	log_test "tls-inspection on: port 443 is full whatever the account or site mode"
}

test_helper_busy()
{
	if ! modprobe nf_conntrack_ftp 2>/dev/null; then
		ktap_test_skip "another helper owns the connection (no nf_conntrack_ftp)"
		return
	fi
	ip netns exec "$router" nft -f - <<EOF || fail "nft ruleset"
table inet cpt {
	ct helper ftp-std {
		type "ftp" protocol tcp
	}
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		tcp dport $TCP_PORT ct helper set "ftp-std"
	}
}
EOF
	ct_flush
	traffic "ftp helper on 8080" "$TCP_PORT" "4 6" conn_helper_busy=$((2 * N))
	assert_eq "entries with helper=ftp" $((2 * N)) \
		"$(count_lines "$(conntrack_in "$router" -L -p tcp --dport "$TCP_PORT")" ".*helper=ftp")"
	ct_check "ftp helper on 8080" "$TCP_PORT" 0 $((2 * N))
	traffic "port 443 unaffected" "$TLS_PORT" "4 6" conn_tracked=$((2 * N)) conn_full=$((2 * N))
	ip netns exec "$router" nft delete table inet cpt || fail "nft delete"
	log_test "a connection another helper owns is counted conn_helper_busy"
}

test_local()
{
	local out

	ct_flush
	tcp_connect "$router" "$N" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "router-originated connections" "$((2 * N)) 0" "$CONN_OK $CONN_FAIL"
	read_stats S1
	assert_stats_delta "router-originated" S0 S1
	copy_stats
	out=$(conntrack_in "$router" -L -p tcp)
	assert_eq "router-originated conntrack entries" $((2 * N)) \
		"$(count_lines "$out" "src=($ROUTER_S4|$ROUTER_S6) .* dport=$TCP_PORT ")"
	assert_eq "router-originated entries with helper" 0 "$(count_lines "$out" ".*helper=")"
	log_test "router-originated connections are not counted and get no helper"
}

released_all()
{
	local -A s

	read_stats s || return 1
	echo "tracked=${s[conn_tracked]} released=${s[conn_released]}"
	[ "${s[conn_tracked]}" = "${s[conn_released]}" ]
}

test_flush()
{
	local out

	traffic "before flush" "$TCP_PORT" "4 6" conn_tracked=$((2 * N)) conn_full=$((2 * N))
	assert_ne "tracked before flush" 0 "${S1[conn_tracked]}"
	conntrack_in "$router" -F >/dev/null
	out=$(slowwait 30 released_all)
	assert_eq "after conntrack -F" "tracked=${S1[conn_tracked]} released=${S1[conn_tracked]}" "$out"
	assert_eq "conntrack entries after flush" 0 "$(conntrack_in "$router" -L | wc -l)"
	log_test "after conntrack -F every tracked connection is released"
}

# FTP's data connections exist only through nf_conntrack_ftp's
# expectations: the firewall admits them as RELATED and nothing else. The
# control connection is the ftp helper's (the module leaves it alone); its
# data connections are the module's like any others.
test_ftp()
{
	local nat rc=0

	if ! modprobe nf_conntrack_ftp 2>/dev/null || ! modprobe nf_nat_ftp 2>/dev/null ||
		! $PYTHON -c 'import pyftpdlib' 2>/dev/null; then
		ktap_test_skip "FTP through the router (no nf_conntrack_ftp, nf_nat_ftp or pyftpdlib)"
		return
	fi
	keep_hooked "$router" || fail "keep_hooked"
	for nat in plain nat; do
		ip netns exec "$router" nft -f - <<EOF || fail "nft ruleset"
table inet ftpfw {
	ct helper ftp-std {
		type "ftp" protocol tcp
	}
	chain ftp_pre {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 21 ct helper set "ftp-std"
	}
	chain ftp_forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "r0" tcp dport 21 ct state new accept
		meta l4proto { icmp, ipv6-icmp } accept
	}
	chain ftp_post {
		type nat hook postrouting priority srcnat; policy accept;
		$([ $nat = nat ] && echo 'oifname "r1" masquerade')
	}
}
EOF
		ct_flush
		py_check $PYTHON "$LIB_DIR/ftp_check.py" run \
			"$client" "$router" "$server" "$nat" off,delayed,adaptive,full \
			"$CLIENT4" "$CLIENT6" "$SERVER4" "$SERVER6"
		ip netns exec "$router" nft delete table inet ftpfw || rc=$?
	done
	read_stats S0
	rctl set mode full || rc=$?
	rctl site del keep-hooked || rc=$?
	assert_eq "commands: exit codes" 0 "$rc"
	log_test "FTP, passive and active, plain and masqueraded, works in every mode"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 11
require_module
setup_topology || topology_failed
start_server "$server" || { echo "# FAIL: server did not start"; exit $ksft_fail; }
read_stats S0 || { echo "# FAIL: show stats"; exit $ksft_fail; }
assert_eq "initial stats" "0 0 0 0 0 0 0 0" \
	"$(for k in $STAT_NAMES; do printf '%s ' "${S0[$k]}"; done | sed 's/ $//')"

test_full
test_udp
test_off
test_sites
test_inherit
test_longest_prefix
test_tls
test_helper_busy
test_local
test_flush
test_ftp

ktap_finished
