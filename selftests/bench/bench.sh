#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# The catoproxy benchmark, run inside the test VM by selftests/bench/run.sh
# (`make bench`). Not a test: it measures, prints "RESULT CONFIG METRIC
# VALUE" lines as it goes and a markdown table at the end, and prints "n/a"
# for anything that failed or timed out.
#
# Five router configurations, one after the other, each in a fresh
# client/router/server topology (lib.sh's setup_topology):
#
#   plain       conntrack forwarding: an nft forward chain with
#               "ct state established,related accept"; catoproxy not loaded
#   flowtable   plain plus an nft flowtable on r0 and r1 and "flow add @ft"
#               for established TCP (software offload, as OpenWrt does)
#   synproxy    plain plus the kernel's SYNPROXY in front of the benchmark
#               ports, as its documentation configures it
#   catoproxy   plain plus catoproxy.ko, "catoproxyctl set mode $BENCH_CATO_MODE"
#   delayed_ft  flowtable plus catoproxy.ko in mode delayed
#
# catoproxy.ko is loaded with its defaults (every namespace off) and set in
# the router alone: the client and the server track nothing, as remote
# hosts do not run the router's conntrack (endpoint_ct checks it).
#
# and for each:
#
#   tput_cs, tput_sc   iperf3 -c (client to server) and -R, Gbit/s
#   conn_rate          connrate: connect, 64-byte request, 128-byte
#                      response, close; $BENCH_CONN_INFLIGHT in flight
#   ttfb_ms            median connect-to-first-response-byte time of
#                      $BENCH_TTFB_N sequential connections, with netem:
#                      client link RTT 20 ms, server link RTT 50 ms
#   ttfb_tls_ms        the same with a TLS ClientHello naming
#                      $SNI_NAME as the request (connrate -s); in
#                      catoproxy, decided by the rule "dport 8080 sni
#                      $SNI_NAME action allow" (the connection is
#                      inspected: its server SYN leaves once the
#                      ClientHello is read), elsewhere forwarded as any
#                      connection
#   conn_rate_r10,     catoproxy only: conn_rate again with the rule base
#   conn_rate_r10k     of 10 and of 10,000 rules (rules_lookup -w), whose
#                      last rule is the one that decides the connections
#   offloaded          flowtable, delayed_ft: the router's conntrack
#                      entries marked [OFFLOAD] during a 3-s transfer
#                      (the most seen at once; iperf3's control and data
#                      connections: 2 when both are offloaded)
#   endpoint_ct        conntrack entries in the client's and the server's
#                      namespaces at the end (nf_conntrack_count): 0
#   flood_*            synflood from the client for $BENCH_FLOOD_SECS:
#                      SYNs per second sent, reaching the router (offered),
#                      answered with a SYN-ACK at the client (distinct SYNs,
#                      retransmissions left out), reaching the server, and
#                      the router's own counter (synproxy: syn_received;
#                      catoproxy: syn_intercepted + cookie_mode_syns); not
#                      for the flowtable configurations, whose SYNs take
#                      the path of plain's and delayed's
#
# Everything is measured in $BENCH_ROUNDS rounds (each round: every
# configuration in turn, starting with a different one each round, so that
# drift of the emulation's speed hits all of them alike, and after the CPUs
# have gone idle); the table shows the median of the rounds.
#
# Settings (environment, or build/bench/config written by run.sh):
#   BENCH_CONFIGS       "plain flowtable synproxy catoproxy delayed_ft"
#   BENCH_CATO_MODE     full
#   BENCH_TPUT_SECS     5      BENCH_CONN_SECS   5    BENCH_CONN_INFLIGHT 8
#   BENCH_TTFB_N        20     BENCH_FLOOD_SECS  5    BENCH_ROUNDS        2
#   BENCH_METRICS       "tput conn rules ttfb flood": the measurements to run; the
#                       others show as n/a (e.g. "flood" to work on the
#                       SYN-flood path alone)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$BENCH_DIR/../lib.sh"

BIN=${BENCH_BIN:-$(cd "$BENCH_DIR/../.." && pwd)/build/bench}
# shellcheck source=/dev/null
[ -f "$BIN/config" ] && source "$BIN/config"

BENCH_CONFIGS=${BENCH_CONFIGS:-plain flowtable synproxy catoproxy delayed_ft}
# Every configuration, in the table's order.
ALL_CONFIGS="plain flowtable synproxy catoproxy delayed_ft"
BENCH_CATO_MODE=${BENCH_CATO_MODE:-full}
BENCH_TPUT_SECS=${BENCH_TPUT_SECS:-5}
BENCH_CONN_SECS=${BENCH_CONN_SECS:-5}
BENCH_CONN_INFLIGHT=${BENCH_CONN_INFLIGHT:-8}
BENCH_TTFB_N=${BENCH_TTFB_N:-20}
BENCH_FLOOD_SECS=${BENCH_FLOOD_SECS:-5}
BENCH_ROUNDS=${BENCH_ROUNDS:-2}
BENCH_METRICS=${BENCH_METRICS:-tput conn rules ttfb flood}

SNI_NAME=bench.example
IPERF_PORT=5201
CONN_PORT=8080
FLOOD_PORT=9000
BENCH_PORTS="$IPERF_PORT, $CONN_PORT, $FLOOD_PORT"

declare -A R=()	# R[CONFIG.METRIC.ROUND], then R[CONFIG.METRIC] = median
ROUND=1
T_START=$(now_ms)

say() { echo "[$(((($(now_ms) - T_START)) / 1000))s] $*"; }

# res CONFIG METRIC VALUE: record a result of this round ("n/a" if VALUE
# is empty).
res()
{
	local v=${3:-n/a}

	R[$1.$2.$ROUND]=$v
	echo "RESULT $1 $2 $v round=$ROUND"
}

# want GROUP: is measurement GROUP (tput, conn, rules, ttfb, flood) in
# BENCH_METRICS?
want() { [[ " $BENCH_METRICS " == *" $1 "* ]]; }

is_num() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }

# calc AWK_EXPR VAR=VALUE...: print the expression, or nothing when a VALUE
# is not a number.
calc()
{
	local expr=$1 kv args=()
	shift
	for kv in "$@"; do
		is_num "${kv#*=}" || return 1
		args+=(-v "$kv")
	done
	awk "${args[@]}" "BEGIN { printf \"%s\\n\", ($expr) }"
}

# kv KEY TEXT: the value of KEY=value in TEXT.
kv()
{
	[[ $2 =~ (^|[[:space:]])$1=([^[:space:]]+) ]] && echo "${BASH_REMATCH[2]}"
}

cleanup()
{
	stop_bg
	cleanup_all_ns
	if [ "$MODULE_LOADED_BY_US" = 1 ]; then
		unload_module || echo "cannot unload $MODULE_NAME"
	fi
	rm -rf "$TMP_DIR"
}
trap cleanup EXIT

for p in echo_server connrate synflood; do
	if [ ! -x "$BIN/$p" ]; then
		echo "SKIP: $BIN/$p missing (make -C selftests/bench)"
		exit $ksft_skip
	fi
done
checktool "iperf3 --version" "run the benchmark without iperf3"
checktool "nft --version" "run the benchmark without nft"
checktool "tc -V" "run the benchmark without tc"

# ------------------------------------------------------------ configs

# The forward chain every configuration has: conntrack is active.
nft_base()
{
	ip netns exec "$router" nft -f - <<EOF
table inet bench {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
	}
}
EOF
}

# endpoint_ct: conntrack entries in the client's and the server's
# namespaces, "client+server". They stand for remote hosts, which do not run
# the router's conntrack, and track nothing: conntrack registers its hooks
# in a namespace only when something there asks for it (nf_ct_netns_get: an
# nft ct expression, NAT, SYNPROXY, catoproxy's hooks), nothing in theirs
# does, and catoproxy.ko, loaded with default_mode off, hooks only the
# router, where it is configured.
endpoint_ct()
{
	local ns n out=()

	for ns in "$client" "$server"; do
		n=$(ip netns exec "$ns" sysctl -n net.netfilter.nf_conntrack_count 2>/dev/null)
		out+=("${n:-?}")
	done
	echo "${out[0]}+${out[1]}"
}

setup_plain()
{
	modprobe nf_conntrack && nft_base
}

# Software flow offload as OpenWrt's firewall sets it up: established TCP
# flows between the router's two devices leave the forward path for the
# flowtable's ingress fast path. nft_flow_offload refuses a connection
# that has a conntrack helper or needs sequence adjustment.
nft_flowtable()
{
	ip netns exec "$router" nft -f - <<EOF
table inet bench_ft {
	flowtable ft {
		hook ingress priority filter
		devices = { r0, r1 }
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		meta l4proto tcp ct state established flow add @ft
	}
}
EOF
}

setup_flowtable()
{
	setup_plain && nft_flowtable
}

# As in the kernel's nft_synproxy documentation and
# tools/testing/selftests/net/netfilter/nft_synproxy.sh.
setup_synproxy()
{
	modprobe nf_conntrack || return 1
	ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 || return 1
	nft_base || return 1
	ip netns exec "$router" nft -f - <<EOF
table inet bench_synproxy {
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		tcp dport { $BENCH_PORTS } tcp flags syn notrack
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		tcp dport { $BENCH_PORTS } ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
		ct state invalid drop
	}
}
EOF
}

# setup_cato MODE: plain plus catoproxy.ko in mode MODE in the router. The
# module's own defaults (every namespace off): only the router is hooked.
setup_cato()
{
	modprobe nf_conntrack || return 1
	if [ ! -f "$CATOPROXY_KO" ] || [ ! -x "$CATOPROXYCTL" ]; then
		echo "no $CATOPROXY_KO or $CATOPROXYCTL"
		return 1
	fi
	if ! module_loaded; then
		load_module_bare || return 1
	fi
	nft_base || return 1
	ctl -n "$router" set mode "$1" || return 1
	ctl -n "$router" show
}

setup_catoproxy()
{
	setup_cato "$BENCH_CATO_MODE"
}

setup_delayed_ft()
{
	setup_cato delayed && nft_flowtable
}

# has_flowtable CONFIG
has_flowtable() { [ "$1" = flowtable ] || [ "$1" = delayed_ft ]; }

# quiesce: wait (at most 30 s) until the CPUs are 90% idle: deleting a
# namespace full of connections goes on in a kernel worker, which must not
# eat into the next configuration's first measurement.
quiesce()
{
	local i _c u n s idle io irq sirq st t0 i0 t1 i1

	for ((i = 0; i < 60; i++)); do
		read -r _c u n s idle io irq sirq st _ </proc/stat
		t0=$((u + n + s + idle + io + irq + sirq + st)) i0=$((idle + io))
		sleep 0.5
		read -r _c u n s idle io irq sirq st _ </proc/stat
		t1=$((u + n + s + idle + io + irq + sirq + st)) i1=$((idle + io))
		[ $((t1 - t0)) -gt 0 ] && [ $(((i1 - i0) * 100 / (t1 - t0))) -ge 90 ] && break
	done
	say "idle after $((i / 2)).$((i % 2 * 5))s"
}

teardown_config()
{
	stop_bg
	cleanup_all_ns
	if [ "$MODULE_LOADED_BY_US" = 1 ]; then
		unload_module || echo "cannot unload $MODULE_NAME"
	fi
	quiesce
}

# ------------------------------------------------------------ counters

# nft_counter NS NAME: packets of counter NAME in table inet benchcnt.
nft_counter()
{
	ip netns exec "$1" nft list counter inet benchcnt "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

synproxy_syn_received()
{
	local _e syn _rest sum=0 first=1

	while read -r _e syn _rest; do
		if [ $first = 1 ]; then
			first=0
			continue
		fi
		sum=$((sum + 16#$syn))
	done < <(ip netns exec "$router" cat /proc/net/stat/synproxy 2>/dev/null)
	[ $first = 0 ] && echo "$sum"
}

# cato_stat NAME...: sum of the catoproxy counters NAME in the router;
# nothing if the module is not loaded or lacks one of them.
cato_stat()
{
	local out

	module_loaded || return 1
	out=$(ctl -n "$router" -j show stats 2>/dev/null) || return 1
	$PYTHON -c '
import json, sys
d = json.loads(sys.argv[1])
print(sum(int(d[k]) for k in sys.argv[2:]))
' "$out" "$@" 2>/dev/null
}

router_syn_counter()
{
	case $1 in
	synproxy) synproxy_syn_received ;;
	catoproxy) cato_stat syn_intercepted cookie_mode_syns ;;
	*) return 1 ;;
	esac
}

# ------------------------------------------------------------ measurements

bench_tput()
{
	local cfg=$1 dir=$2 out g
	local -a args=()

	[ "$dir" = sc ] && args=(-R)
	out=$(ip netns exec "$client" timeout -k 5 $((BENCH_TPUT_SECS + 15)) \
		iperf3 -c "$SERVER4" -p $IPERF_PORT -t "$BENCH_TPUT_SECS" -f g "${args[@]}" 2>&1)
	g=$(awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Gbits/sec") print $(i - 1) }' <<<"$out" | tail -n 1)
	is_num "$g" || { say "iperf3 ${args[*]} failed:"; tail -n 5 <<<"$out"; g=; }
	res "$cfg" "tput_$dir" "$g"
}

# bench_conn CONFIG [METRIC]: the connection rate into METRIC (conn_rate).
bench_conn()
{
	local cfg=$1 metric=${2:-conn_rate} out

	out=$(ip netns exec "$client" timeout -k 5 $((BENCH_CONN_SECS + 15)) \
		"$BIN/connrate" -d "$BENCH_CONN_SECS" -c "$BENCH_CONN_INFLIGHT" -T 3000 \
		"$SERVER4" $CONN_PORT 2>&1)
	say "connrate: $out"
	res "$cfg" "$metric" "$(kv rate "$out")"
	[ "$metric" = conn_rate ] && res "$cfg" conn_errors "$(kv errors "$out")"
	[ "$(kv conns "$out")" = 0 ] && R[$cfg.$metric.$ROUND]=n/a
}

# The connection rate with the rule bases of 10 and of 10,000 rules, one
# after the other in the same topology: what the rule lookup costs.
bench_rules()
{
	local n

	for n in 10 10000; do
		if ! ctl -n "$router" rule load "$BIN/rules-$n.txt"; then
			say "cannot load $n rules"
			continue
		fi
		say "$(ctl -n "$router" show config | grep '^rules:')"
		bench_conn catoproxy "conn_rate_r$([ $n = 10 ] && echo 10 || echo 10k)"
	done
	ctl -n "$router" rule flush
}

netem()
{
	local op=$1

	tc -n "$client" qdisc "$op" dev c0 root netem delay 10ms &&
	tc -n "$router" qdisc "$op" dev r0 root netem delay 10ms &&
	tc -n "$router" qdisc "$op" dev r1 root netem delay 25ms &&
	tc -n "$server" qdisc "$op" dev s0 root netem delay 25ms
}

bench_ttfb()
{
	local cfg=$1 out n v=

	if ! modprobe sch_netem || ! netem add; then
		say "cannot set up netem"
		res "$cfg" ttfb_ms ""
		res "$cfg" ttfb_errors ""
		return
	fi
	out=$(ip netns exec "$client" timeout -k 5 40 \
		"$BIN/connrate" -n "$BENCH_TTFB_N" -c 1 -d 35 -T 3000 \
		"$SERVER4" $CONN_PORT 2>&1)
	say "connrate (netem): $out"
	# The median of the successful connections, if most succeeded.
	n=$(kv conns "$out")
	is_num "$n" && [ $((2 * n)) -ge "$BENCH_TTFB_N" ] && v=$(kv p50_ms "$out")
	res "$cfg" ttfb_ms "$v"
	res "$cfg" ttfb_errors "$(kv errors "$out")"
	bench_ttfb_tls "$cfg"
	netem del
}

# The same with a ClientHello as the request; catoproxy decides it by an
# sni rule, which holds the server's SYN until the ClientHello is read.
bench_ttfb_tls()
{
	local cfg=$1 out n v=

	if [ "$cfg" = catoproxy ] &&
		! ctl -n "$router" rule add dport $CONN_PORT sni $SNI_NAME action allow; then
		say "cannot add the sni rule"
		res "$cfg" ttfb_tls_ms ""
		res "$cfg" ttfb_tls_errors ""
		return
	fi
	out=$(ip netns exec "$client" timeout -k 5 40 \
		"$BIN/connrate" -n "$BENCH_TTFB_N" -c 1 -d 35 -T 3000 -s $SNI_NAME \
		"$SERVER4" $CONN_PORT 2>&1)
	say "connrate -s $SNI_NAME (netem): $out"
	n=$(kv conns "$out")
	is_num "$n" && [ $((2 * n)) -ge "$BENCH_TTFB_N" ] && v=$(kv p50_ms "$out")
	res "$cfg" ttfb_tls_ms "$v"
	res "$cfg" ttfb_tls_errors "$(kv errors "$out")"
	if [ "$cfg" = catoproxy ]; then
		say "$(ctl -n "$router" -j show stats | $PYTHON -c '
import json, sys
d = json.load(sys.stdin)
print("payload_decided=%s server_open_ok=%s" % (d.get("payload_decided"), d.get("server_open_ok")))')"
		ctl -n "$router" rule flush
	fi
}

bench_flood()
{
	local cfg=$1 out secs r0 r1 offered srv m

	ip netns exec "$router" nft -f - <<EOF &&
table inet benchcnt {
	counter offered { }
	chain prerouting {
		type filter hook prerouting priority -450; policy accept;
		iifname "r0" tcp dport $FLOOD_PORT tcp flags syn counter name "offered"
	}
}
EOF
	# The flooder stands for remote hosts with spoofed sources, which send
	# no resets for the SYN-ACKs (the client tracks nothing: endpoint_ct).
	ip netns exec "$client" nft -f - <<EOF &&
table inet benchcnt {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp sport $FLOOD_PORT tcp flags & (syn | ack) == syn | ack drop
	}
}
EOF
	ip netns exec "$server" nft -f - <<EOF
table inet benchcnt {
	counter syn { }
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport $FLOOD_PORT tcp flags syn counter name "syn"
	}
}
EOF
	if [ $? -ne 0 ]; then
		say "cannot set up the flood counters"
		for m in flood_sent flood_offered flood_answered flood_server flood_router; do
			res "$cfg" $m ""
		done
		return
	fi
	r0=$(router_syn_counter "$cfg")
	# synflood counts the answers; the client's nft drops them afterwards,
	# so that it sends no resets: a flood from addresses that do not answer.
	out=$(ip netns exec "$client" timeout -k 5 $((BENCH_FLOOD_SECS + 15)) \
		"$BIN/synflood" -d "$BENCH_FLOOD_SECS" -g 1 "$CLIENT4" "$SERVER4" $FLOOD_PORT 2>&1)
	say "synflood: $out"
	secs=$(kv secs "$out")
	offered=$(nft_counter "$router" offered)
	srv=$(nft_counter "$server" syn)
	r1=$(router_syn_counter "$cfg")
	res "$cfg" flood_sent "$(kv pps "$out")"
	res "$cfg" flood_offered "$(calc 'int(n / s + 0.5)' n="$offered" s="$secs")"
	res "$cfg" flood_answered "$(kv answered_pps "$out")"
	res "$cfg" flood_server "$(calc 'int(n / s + 0.5)' n="$srv" s="$secs")"
	res "$cfg" flood_router "$(calc 'int((b - a) / s + 0.5)' a="$r0" b="$r1" s="$secs")"
}

# offload_check CONFIG: the router's conntrack entries of the iperf3 port
# marked [OFFLOAD] during a 3-s transfer (the most seen at once).
offload_check()
{
	local cfg=$1 pid n max=0 i

	ip netns exec "$client" timeout -k 5 20 \
		iperf3 -c "$SERVER4" -p $IPERF_PORT -t 3 >/dev/null 2>&1 &
	pid=$!
	for ((i = 0; i < 30; i++)); do
		n=$(ip netns exec "$router" conntrack -L -p tcp --dport $IPERF_PORT 2>/dev/null |
			grep -c '\[OFFLOAD\]')
		[ "${n:-0}" -gt "$max" ] && max=$n
		# iperf3's control and data connections.
		[ "$max" -ge 2 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	wait "$pid" || say "offload check: iperf3 failed"
	if [ "$max" -gt 0 ]; then
		say "flows offloaded: $max [OFFLOAD] entries in the router's conntrack -L during a transfer"
	else
		say "flows NOT offloaded: no [OFFLOAD] entry in the router's conntrack -L during a transfer"
	fi
	res "$cfg" offloaded "$max"
}

run_config()
{
	local cfg=$1 t0 m

	t0=$(now_ms)
	echo
	say "=== $cfg ==="
	if ! setup_topology; then
		say "cannot set up the topology"
		return 1
	fi
	if ! "setup_$cfg"; then
		say "cannot set up $cfg"
		dump_state
		return 1
	fi
	ip netns exec "$server" iperf3 -s -p $IPERF_PORT >/dev/null 2>&1 &
	BG_PIDS+=($!)
	ip netns exec "$server" "$BIN/echo_server" $CONN_PORT $FLOOD_PORT &
	BG_PIDS+=($!)
	if ! busywait "$BUSYWAIT_TIMEOUT" listening "$server" $IPERF_PORT $CONN_PORT $FLOOD_PORT; then
		say "servers did not start"
		return 1
	fi
	# One connection first: neighbours resolved, a broken setup shows now
	# and costs no time-outs in every measurement.
	m=$(ip netns exec "$client" timeout 20 "$BIN/connrate" -n 1 -T 5000 "$SERVER4" $CONN_PORT 2>&1)
	say "first connection: $m"
	if [ "$(kv conns "$m")" = 1 ]; then
		has_flowtable "$cfg" && offload_check "$cfg"
		if want tput; then
			bench_tput "$cfg" cs
			bench_tput "$cfg" sc
		fi
		if want conn; then
			bench_conn "$cfg"
			if module_loaded; then
				say "catoproxy counters after the connection test:"
				ctl -n "$router" show stats | sed 's/^/    /'
			fi
		fi
		[ "$cfg" = catoproxy ] && want rules && bench_rules
		want ttfb && bench_ttfb "$cfg"
	else
		say "no connection through $cfg: skipping throughput, connections and TTFB"
	fi
	want flood && ! has_flowtable "$cfg" && bench_flood "$cfg"
	if module_loaded; then
		say "catoproxy counters at the end:"
		ctl -n "$router" show stats | sed 's/^/    /'
		res "$cfg" syn_intercepted "$(cato_stat syn_intercepted)"
		res "$cfg" delayed_engaged "$(cato_stat delayed_engaged)"
	fi
	res "$cfg" endpoint_ct "$(endpoint_ct)"
	say "conntrack entries in the client's + the server's namespace: $(endpoint_ct)"
	say "$cfg done in $((($(now_ms) - t0) / 1000))s"
}

# ------------------------------------------------------------ main

say "kernel $(uname -r), $(nproc) CPUs; configs: $BENCH_CONFIGS; catoproxy mode $BENCH_CATO_MODE"
say "measurements: $BENCH_METRICS"
say "$BENCH_ROUNDS rounds of: iperf3 ${BENCH_TPUT_SECS}s each way, connrate ${BENCH_CONN_SECS}s x$BENCH_CONN_INFLIGHT, ttfb n=$BENCH_TTFB_N, flood ${BENCH_FLOOD_SECS}s"
# Warm the page cache: the first exec of a program over 9p is slow.
for p in connrate synflood echo_server; do "$BIN/$p" -h >/dev/null 2>&1; done
iperf3 --version >/dev/null 2>&1
quiesce

METRICS="tput_cs tput_sc conn_rate conn_errors conn_rate_r10 conn_rate_r10k ttfb_ms ttfb_errors ttfb_tls_ms ttfb_tls_errors flood_sent flood_offered flood_answered flood_server flood_router offloaded endpoint_ct"
read -r -a CONFIGS <<<"$BENCH_CONFIGS"
for ((ROUND = 1; ROUND <= BENCH_ROUNDS; ROUND++)); do
	echo
	say "###### round $ROUND of $BENCH_ROUNDS"
	# Each round starts with the next configuration: none is always first.
	order=()
	for ((i = 0; i < ${#CONFIGS[@]}; i++)); do
		order+=("${CONFIGS[(i + ROUND - 1) % ${#CONFIGS[@]}]}")
	done
	for cfg in "${order[@]}"; do
		run_config "$cfg"
		for m in $METRICS; do
			[ -n "${R[$cfg.$m.$ROUND]+x}" ] || res "$cfg" "$m" ""
		done
		teardown_config "$cfg"
	done
done

# ------------------------------------------------------------ table

# median VALUE...: of the numbers among VALUE; nothing if none is.
median()
{
	local v nums=()

	for v in "$@"; do
		is_num "$v" && nums+=("$v")
	done
	[ ${#nums[@]} -gt 0 ] || return 1
	printf '%s\n' "${nums[@]}" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# total VALUE...: sum of the numbers among VALUE; nothing if none is.
total()
{
	local v sum=0 any=

	for v in "$@"; do
		is_num "$v" && sum=$((sum + v)) any=1
	done
	[ -n "$any" ] && echo "$sum"
}

# Digits shown: Gbit/s 0.01, ms 0.1, rates 1.
fmt()
{
	local f

	case $1 in
	tput_*) f=%.2f ;;
	ttfb_ms | ttfb_tls_ms) f=%.1f ;;
	*) f=%.0f ;;
	esac
	is_num "$2" && printf "$f\n" "$2"
}

for cfg in $ALL_CONFIGS; do
	for m in $METRICS; do
		vals=()
		for ((ROUND = 1; ROUND <= BENCH_ROUNDS; ROUND++)); do
			vals+=("${R[$cfg.$m.$ROUND]:-n/a}")
		done
		case $m in
		*_errors) R[$cfg.$m]=$(total "${vals[@]}") ;; # over all rounds
		endpoint_ct) R[$cfg.$m]=$(printf '%s\n' "${vals[@]}" | sort -u | paste -sd ' ') ;;
		*) R[$cfg.$m]=$(fmt "$m" "$(median "${vals[@]}")") ;;
		esac
		R[$cfg.$m.all]="${vals[*]}"
	done
done

get() { echo "${R[$1.$2]:-n/a}"; }

# The configurations' names in the ratios.
short()
{
	case $1 in
	delayed_ft) echo "delayed+ft" ;;
	*) echo "$1" ;;
	esac
}

# ratio_of NUM DEN METRIC [ROUND]: of the medians, or of one round.
ratio_of()
{
	local a b v

	if [ -n "${4:-}" ]; then
		a=${R[$1.$3.$4]:-n/a} b=${R[$2.$3.$4]:-n/a}
	else
		a=$(get "$1" "$3") b=$(get "$2" "$3")
	fi
	v=$(calc 'b > 0 ? sprintf("%.2f", a / b) : "n/a"' a="$a" b="$b")
	echo "${v:-n/a}"
}

# row NAME METRIC RATIOS [NOTE]: RATIOS is a list of NUM/DEN or
# NUM/DEN/TARGET (a config's name, another's, "≥_0.95" with "_" for a
# space), each a ratio in the ratio column: of the medians and, in
# brackets, in each round.
row()
{
	local name=$1 m=$2 spec num den target r i cells=() vals=() cfg rr

	for spec in $3; do
		IFS=/ read -r num den target <<<"$spec"
		target=${target//_/ }
		r=$(ratio_of "$num" "$den" "$m")
		echo "RESULT ratio $m $num/$den $r" >>"$TMP_DIR/ratios"
		if [ "$BENCH_ROUNDS" -gt 1 ]; then
			rr=()
			for ((i = 1; i <= BENCH_ROUNDS; i++)); do
				rr+=("$(ratio_of "$num" "$den" "$m" "$i")")
			done
			r+=" [rounds: $(IFS=,; echo "${rr[*]}" | sed 's/,/, /g')]"
		fi
		cells+=("$r ($(short "$num")/$(short "$den")${target:+, target $target})")
	done
	for cfg in $ALL_CONFIGS; do
		vals+=("$(get "$cfg" "$m")")
	done
	echo "RESULT median $m $(for cfg in $ALL_CONFIGS; do printf '%s=%s ' "$cfg" "$(get "$cfg" "$m")"; done)" >>"$TMP_DIR/ratios"
	printf '| %s |' "$name"
	printf ' %s |' "${vals[@]}"
	printf ' %s | %s |\n' "$(IFS=';'; echo "${cells[*]}" | sed 's/;/<br>/g')" "${4:-}"
}

# The rule base's row: catoproxy with 10,000 rules against 10, in the
# catoproxy column and the ratio.
rules_row()
{
	local r rr=() i v

	r=$(calc 'b > 0 ? sprintf("%.2f", a / b) : "n/a"' a="$(get catoproxy conn_rate_r10k)" b="$(get catoproxy conn_rate_r10)")
	r=${r:-n/a}
	for ((i = 1; i <= BENCH_ROUNDS; i++)); do
		v=$(calc 'b > 0 ? sprintf("%.2f", a / b) : "n/a"' \
			a="${R[catoproxy.conn_rate_r10k.$i]:-n/a}" b="${R[catoproxy.conn_rate_r10.$i]:-n/a}")
		rr+=("${v:-n/a}")
	done
	[ "$BENCH_ROUNDS" -gt 1 ] && r+=" [rounds: $(IFS=,; echo "${rr[*]}" | sed 's/,/, /g')]"
	echo "RESULT ratio conn_rate_rules catoproxy/catoproxy $r" >>"$TMP_DIR/ratios"
	printf '| %s | n/a | n/a | n/a | %s / %s | n/a | %s | %s |\n' \
		"connections/s, 10 rules / 10,000 rules" \
		"$(get catoproxy conn_rate_r10)" "$(get catoproxy conn_rate_r10k)" \
		"$r (10,000/10, target ≥ 0.8)" "the last rule decides each connection"
}

echo
say "benchmark done"
: >"$TMP_DIR/ratios"
TPUT="catoproxy/plain/≥_0.95 flowtable/plain delayed_ft/flowtable/≥_0.95 delayed_ft/plain"
{
	echo "| metric | plain | flowtable | synproxy | catoproxy ($BENCH_CATO_MODE) | catoproxy delayed + flowtable | ratio | note |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
	row "throughput client→server (Gbit/s)" tput_cs "$TPUT"
	row "throughput server→client (Gbit/s)" tput_sc "$TPUT"
	row "flows offloaded during a transfer" offloaded "" "[OFFLOAD] entries in the router's conntrack -L, most seen at once; iperf3's two connections"
	row "connections/s (${BENCH_CONN_INFLIGHT} in flight)" conn_rate \
		"catoproxy/synproxy/≥_1.0 flowtable/plain delayed_ft/flowtable"
	row "connections failed (all rounds)" conn_errors "" "timeout 3 s or reset"
	rules_row
	row "time to first byte, median (ms)" ttfb_ms "catoproxy/plain/≤_1.0 delayed_ft/flowtable" \
		"netem: RTT 20 ms client side, 50 ms server side"
	row "time to first byte: connections failed (all rounds)" ttfb_errors "" \
		"of $((BENCH_TTFB_N * BENCH_ROUNDS)); timeout 3 s"
	row "time to first byte, HTTPS: catoproxy decides by an sni rule (ms)" ttfb_tls_ms \
		"catoproxy/plain/≤_1.0" "the request is a ClientHello; netem as above"
	row "time to first byte, HTTPS: connections failed (all rounds)" ttfb_tls_errors "" \
		"of $((BENCH_TTFB_N * BENCH_ROUNDS)); timeout 3 s"
	row "SYN flood: sent by the client (SYN/s)" flood_sent "catoproxy/synproxy"
	row "SYN flood: offered to the router (SYN/s)" flood_offered "catoproxy/synproxy"
	row "SYN flood: answered with a SYN-ACK (SYN/s)" flood_answered "catoproxy/synproxy/≥_1.0" \
		"distinct SYNs answered, seen at the client"
	row "SYN flood: reaching the server (SYN/s)" flood_server ""
	row "SYN flood: router's own counter (SYN/s)" flood_router "catoproxy/synproxy" \
		"synproxy: syn_received; catoproxy: syn_intercepted + cookie_mode_syns"
} >"$TMP_DIR/table"
cat "$TMP_DIR/ratios"
echo "RESULT meta cato_mode $BENCH_CATO_MODE"
echo "RESULT meta kernel $(uname -r)"
echo "RESULT meta cpus $(nproc)"
echo "RESULT meta rounds $BENCH_ROUNDS"
echo "RESULT meta configs $BENCH_CONFIGS"
for cfg in $ALL_CONFIGS; do
	for m in $METRICS syn_intercepted delayed_engaged; do
		vals=()
		for ((ROUND = 1; ROUND <= BENCH_ROUNDS; ROUND++)); do
			vals+=("${R[$cfg.$m.$ROUND]:-n/a}")
		done
		echo "RESULT all $cfg.$m ${vals[*]}"
	done
done
echo
echo "Medians of $BENCH_ROUNDS rounds; the ratio of the medians, and in brackets the ratio in each round:"
echo
echo "BEGIN TABLE"
cat "$TMP_DIR/table"
echo "END TABLE"
echo
# bench_ok: plain forwarding's throughput was measured or, when the run
# leaves it out, anything was: a broken setup fails.
bench_ok()
{
	local cfg m

	if [[ " $BENCH_CONFIGS " == *" plain "* ]] && want tput; then
		[ "$(get plain tput_cs)" != n/a ]
		return
	fi
	for cfg in "${CONFIGS[@]}"; do
		for m in tput_cs conn_rate ttfb_ms flood_answered; do
			[ "$(get "$cfg" "$m")" != n/a ] && return 0
		done
	done
	return 1
}
bench_ok
