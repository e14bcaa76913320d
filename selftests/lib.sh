#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2034,SC2154 # variables for the tests that source this
#
# Shared helpers for the catoproxy selftests, after the kernel's
# tools/testing/selftests/net/lib.sh and net/netfilter/lib.sh.
#
# A test sources this file, sets "trap cleanup EXIT", prints a KTAP header
# and plan, and runs sub-tests. A sub-test makes assertions (assert_eq and
# friends), each of which only records a failure in $RET and says why on a
# "#" line; log_test "description" then prints the "ok N"/"not ok N" line,
# dumps the state on failure and resets $RET. ktap_finished exits with the
# kselftest code.
#
# Environment (set by selftests/vm/run.sh; defaults for a manual run):
#   CATOPROXY_KO   absolute path of catoproxy.ko
#   CATOPROXYCTL   absolute path of catoproxyctl
#   CATOPROXY_YNL  the kernel's YNL Python library (lib/py/ynl.py)
#   PYTHON         python interpreter (python3)

ksft_pass=0
ksft_fail=1
ksft_xfail=2
ksft_skip=4

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}
CATOPROXY_KO=${CATOPROXY_KO:-$LIB_DIR/../build/$(uname -r)/catoproxy.ko}
CATOPROXYCTL=${CATOPROXYCTL:-$LIB_DIR/../tools/catoproxyctl/catoproxyctl}
# The checkers run catoproxyctl too (lib/py's ctl).
export CATOPROXYCTL
MODULE_NAME=catoproxy
# Starting a process costs about half a second under TCG: be generous.
BUSYWAIT_TIMEOUT=${BUSYWAIT_TIMEOUT:-30000}

NS_LIST=()
BG_PIDS=()
RET=0
MODULE_LOADED_BY_US=0

# ------------------------------------------------------------------ basics

checktool()
{
	if ! $1 >/dev/null 2>&1; then
		echo "SKIP: Could not $2"
		exit $ksft_skip
	fi
}

now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

# loopy_wait SLEEP_CMD TIMEOUT_MS CMD...: run CMD until it succeeds; print
# its last output; fail after TIMEOUT_MS.
loopy_wait()
{
	local sleep_cmd=$1
	local timeout_ms=$2
	shift 2
	local start out

	start=$(now_ms)
	while true; do
		if out=$("$@"); then
			echo -n "$out"
			return 0
		fi
		if (($(now_ms) - start > timeout_ms)); then
			echo -n "$out"
			return 1
		fi
		$sleep_cmd
	done
}

# busywait TIMEOUT_MS CMD...
busywait()
{
	local timeout_ms=$1
	shift
	loopy_wait : "$timeout_ms" "$@"
}

# slowwait TIMEOUT_S CMD...: like busywait, with a pause between tries.
slowwait()
{
	# A guest slower on its own clock (a debug kernel: KASAN, lockdep)
	# gets CPVM_TIMEOUT_SCALE from the harness. A poll that succeeds
	# returns as early as before; only a wait that runs out takes longer.
	local timeout_s=$(($1 * ${CPVM_TIMEOUT_SCALE:-1}))
	shift
	loopy_wait "sleep 0.1" "$((timeout_s * 1000))" "$@"
}

# ------------------------------------------------------------------ netns

# setup_ns VAR...: create one namespace per name, with a random suffix, store
# its name in VAR and remember it for cleanup_all_ns.
setup_ns()
{
	local var ns suffix

	for var in "$@"; do
		printf -v suffix '%04x%04x' "$RANDOM" "$RANDOM"
		ns="$var-$suffix"
		if ! ip netns add "$ns"; then
			echo "# failed to create netns $ns"
			return $ksft_skip
		fi
		NS_LIST+=("$ns")
		ip -n "$ns" link set lo up || return $ksft_fail
		printf -v "$var" '%s' "$ns"
	done
}

cleanup_ns()
{
	local ns keep=() del

	for del in "$@"; do
		ip netns del "$del" 2>/dev/null
	done
	for ns in "${NS_LIST[@]}"; do
		for del in "$@"; do
			[ "$ns" = "$del" ] && continue 2
		done
		keep+=("$ns")
	done
	NS_LIST=("${keep[@]}")
}

cleanup_all_ns()
{
	local ns

	[ ${#NS_LIST[@]} -eq 0 ] && return 0
	for ns in "${NS_LIST[@]}"; do
		echo "netns del $ns"
	done | ip -force -batch - 2>/dev/null
	NS_LIST=()
}

# ------------------------------------------------------------------ KTAP

KTAP_TESTNO=0
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0

ktap_print_header()
{
	echo "TAP version 13"
}

ktap_set_plan()
{
	echo "1..$1"
}

ktap_print_msg()
{
	echo "# $*"
}

ktap_test_pass()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
	echo "ok $KTAP_TESTNO $1"
}

ktap_test_fail()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
	echo "not ok $KTAP_TESTNO $1"
}

ktap_test_skip()
{
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
	echo "ok $KTAP_TESTNO $1 # SKIP"
}

# ktap_finished: print the totals and exit with the kselftest code.
ktap_finished()
{
	echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
	if [ "$KTAP_CNT_FAIL" -gt 0 ]; then
		exit $ksft_fail
	elif [ "$KTAP_CNT_PASS" -eq 0 ] && [ "$KTAP_CNT_SKIP" -gt 0 ]; then
		exit $ksft_skip
	fi
	exit $ksft_pass
}

# ------------------------------------------------------------ assertions

fail()
{
	echo "# FAIL: $*"
	RET=1
}

# assert_eq NAME EXPECTED ACTUAL
assert_eq()
{
	if [ "$2" != "$3" ]; then
		fail "$1: expected '$2', got '$3'"
		return 1
	fi
}

# assert_ne NAME UNEXPECTED ACTUAL
assert_ne()
{
	if [ "$2" = "$3" ]; then
		fail "$1: got '$3', which it must not be"
		return 1
	fi
}

# assert_match NAME EXTENDED_REGEX TEXT
assert_match()
{
	if ! [[ $3 =~ $2 ]]; then
		fail "$1: '$3' does not match /$2/"
		return 1
	fi
}

# assert_nomatch NAME EXTENDED_REGEX TEXT
assert_nomatch()
{
	if [[ $3 =~ $2 ]]; then
		fail "$1: '$3' matches /$2/"
		return 1
	fi
}

# assert_line NAME REGEX TEXT: some line of TEXT matches ^REGEX$.
assert_line()
{
	local line

	while IFS= read -r line; do
		[[ $line =~ ^$2$ ]] && return 0
	done <<<"$3"
	fail "$1: no line matches /^$2\$/ in:"
	printf '%s\n' "$3" | sed 's/^/#   /'
	return 1
}

# assert_no_line NAME REGEX TEXT: no line of TEXT matches ^REGEX$.
assert_no_line()
{
	local line

	while IFS= read -r line; do
		if [[ $line =~ ^$2$ ]]; then
			fail "$1: unexpected line '$line'"
			return 1
		fi
	done <<<"$3"
}

# log_test DESCRIPTION: report the sub-test that just ran.
log_test()
{
	if [ "$RET" -eq 0 ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1"
		dump_state
	fi
	RET=0
}

# ------------------------------------------------------------ module + CLI

module_loaded()
{
	[ -d /sys/module/$MODULE_NAME ]
}

# Dependencies of the module, loaded with modprobe once: insmod does not.
load_module_deps()
{
	local deps dep

	[ -n "$MODULE_DEPS_DONE" ] && return 0
	deps=$(modinfo -F depends "$CATOPROXY_KO" 2>/dev/null)
	for dep in ${deps//,/ }; do
		modprobe "$dep" || return 1
	done
	MODULE_DEPS_DONE=1
}

# load_module [PARAM=VALUE...]: the tests are written for a module that
# intercepts from the start, so they get default_mode=full unless they give
# a default_mode themselves. load_module_bare: the module's own defaults
# (every namespace off, the module inert).
load_module()
{
	case " $* " in
	*" default_mode="*) ;;
	*) set -- default_mode=full "$@" ;;
	esac
	load_module_bare "$@"
}

load_module_bare()
{
	load_module_deps || return 1
	insmod "$CATOPROXY_KO" "$@" || return 1
	MODULE_LOADED_BY_US=1
}

# keep_hooked NS: a delayed site on TEST-NET-1, which no test traffic
# uses, keeps NS hooked when a test sets mode off. An all-off namespace is
# released (no hooks, no conntrack, its full-mode connections reset); tests
# that check what mode off decides on a running module use this.
keep_hooked()
{
	ctl_in "$1" site add keep-hooked prefix 192.0.2.0/24 mode delayed
}

unload_module()
{
	module_loaded || return 0
	# A request in flight holds a reference for a moment.
	busywait "$BUSYWAIT_TIMEOUT" rmmod $MODULE_NAME || return 1
	MODULE_LOADED_BY_US=0
}

# require_module: load the module or skip/fail the whole test.
require_module()
{
	if [ ! -f "$CATOPROXY_KO" ]; then
		echo "SKIP: no module at $CATOPROXY_KO"
		exit $ksft_skip
	fi
	if [ ! -x "$CATOPROXYCTL" ]; then
		echo "SKIP: no catoproxyctl at $CATOPROXYCTL"
		exit $ksft_skip
	fi
	if ! load_module "$@"; then
		echo "# FAIL: cannot load $CATOPROXY_KO $*"
		exit $ksft_fail
	fi
}

ctl()
{
	"$CATOPROXYCTL" "$@"
}

# ctl_in NS ARGS...: catoproxyctl run inside netns NS ("" for this one).
ctl_in()
{
	local ns=$1
	shift
	if [ -z "$ns" ]; then
		"$CATOPROXYCTL" "$@"
	else
		ip netns exec "$ns" "$CATOPROXYCTL" "$@"
	fi
}

# rctl ARGS...: catoproxyctl in the router of setup_topology.
rctl()
{
	ctl_in "$router" "$@"
}

# capture CMD...: run CMD, leaving CMD_OUT, CMD_ERR and CMD_RC.
capture()
{
	CMD_OUT=$("$@" 2>"$TMP_DIR/capture.err")
	CMD_RC=$?
	CMD_ERR=$(<"$TMP_DIR/capture.err")
}

# ------------------------------------------------------------------ JSON

# json_get JSON EXPR...: print one line per python expression over "d",
# the decoded JSON, e.g. json_get "$out" 'd["mode"]' 'len(d)'. Booleans and
# None are printed the JSON way. One python run for all expressions.
json_get()
{
	local json=$1
	shift
	$PYTHON -c '
import json, sys
d = json.loads(sys.argv[1])
for e in sys.argv[2:]:
    v = eval(e)
    print(json.dumps(v) if not isinstance(v, str) else v)
' "$json" "$@"
}

# read_stats ARRAY [NS]: counters of NS (default: the router) into ARRAY.
# From the text form, "name: value" per line, without a python: this runs
# many times per test, and a python costs most of a second in the VM.
read_stats()
{
	local ns=${2-$router}
	local -n _st=$1
	local out k v

	out=$(ctl_in "$ns" show stats) || { fail "show stats failed"; return 1; }
	_st=()
	while IFS=': ' read -r k v; do
		if ! [[ $k =~ ^[a-z0-9_]+$ && $v =~ ^[0-9]+$ ]]; then
			fail "show stats: bad line '$k: $v'"
			return 1
		fi
		_st[$k]=$v
	done <<<"$out"
}

STAT_NAMES="conn_tracked conn_full conn_delayed conn_adaptive conn_off conn_helper_busy conn_attach_failed conn_released"

# assert_stats_delta WHAT BEFORE_ARRAY AFTER_ARRAY name=delta...: every
# counter not named must be unchanged, except conn_released which moves on
# its own as entries expire and is only checked when named.
assert_stats_delta()
{
	local what=$1
	local -n _b=$2 _a=$3
	shift 3
	local -A want=()
	local kv name delta

	for kv in "$@"; do
		want[${kv%%=*}]=${kv#*=}
	done
	for name in $STAT_NAMES; do
		if [ -z "${_a[$name]+x}" ]; then
			fail "$what: counter $name missing from show stats"
			continue
		fi
		delta=$((_a[$name] - _b[$name]))
		if [ -n "${want[$name]+x}" ]; then
			assert_eq "$what: $name delta" "${want[$name]}" "$delta"
		elif [ "$name" != conn_released ]; then
			assert_eq "$what: $name delta" 0 "$delta"
		fi
	done
}

# ------------------------------------------------------------ topology
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64

CLIENT4=10.0.1.2
CLIENT6=fd00:1::2
ROUTER_C4=10.0.1.1
ROUTER_C6=fd00:1::1
ROUTER_S4=10.0.2.1
ROUTER_S6=fd00:2::1
SERVER4=10.0.2.2
SERVER6=fd00:2::2

print_topology()
{
	cat <<EOF
   client                 router                  server
  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
      fd00:1::2/64         fd00:1::1/64
                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
                               fd00:2::1/64          fd00:2::2/64
EOF
}

# ns_ready NS DEV ADDR...: DEV has carrier and every ADDR, none tentative.
ns_ready()
{
	local ns=$1 dev=$2
	shift 2
	local out a

	out=$(ip -n "$ns" -o addr show dev "$dev" 2>/dev/null) || return 1
	[[ $out == *tentative* ]] && return 1
	for a in "$@"; do
		[[ $out == *" $a "* ]] || return 1
	done
	out=$(ip -n "$ns" -o link show dev "$dev" 2>/dev/null) || return 1
	[[ $out == *LOWER_UP* ]]
}

# topology_failed: a test's setup failed; nothing can be tested.
topology_failed()
{
	echo "# FAIL: cannot set up the topology"
	dump_state
	exit "$ksft_fail"
}

setup_topology()
{
	local ns

	setup_ns client router server || return
	for ns in "$client" "$router" "$server"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
	done
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 || return 1
	ip link add c0 netns "$client" type veth peer name r0 netns "$router" ||
		return 1
	ip link add r1 netns "$router" type veth peer name s0 netns "$server" ||
		return 1

	ip -n "$client" -batch - <<EOF || return 1
link set c0 up
addr add $CLIENT4/24 dev c0
addr add $CLIENT6/64 dev c0 nodad
route add default via $ROUTER_C4 dev c0
route add default via $ROUTER_C6 dev c0
EOF
	ip -n "$router" -batch - <<EOF || return 1
link set r0 up
link set r1 up
addr add $ROUTER_C4/24 dev r0
addr add $ROUTER_C6/64 dev r0 nodad
addr add $ROUTER_S4/24 dev r1
addr add $ROUTER_S6/64 dev r1 nodad
EOF
	ip -n "$server" -batch - <<EOF || return 1
link set s0 up
addr add $SERVER4/24 dev s0
addr add $SERVER6/64 dev s0 nodad
route add default via $ROUTER_S4 dev s0
route add default via $ROUTER_S6 dev s0
EOF
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$client" c0 "$CLIENT4/24" "$CLIENT6/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$router" r0 "$ROUTER_C4/24" "$ROUTER_C6/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$router" r1 "$ROUTER_S4/24" "$ROUTER_S6/64" &&
	busywait "$BUSYWAIT_TIMEOUT" ns_ready "$server" s0 "$SERVER4/24" "$SERVER6/64"
}

# ------------------------------------------------------------ traffic

TCP_PORT=8080
TLS_PORT=443
UDP_PORT=5353

# listening NS PORT...: every PORT has a TCP listener in NS.
listening()
{
	local ns=$1 port out
	shift

	out=$(ss -N "$ns" -Hltn 2>/dev/null) || return 1
	for port in "$@"; do
		[[ $out == *":$port "* ]] || return 1
	done
}

# start_server NS [PORT...]: echo server on every PORT (default
# $TCP_PORT and $TLS_PORT) plus UDP $UDP_PORT, in the background.
start_server()
{
	local ns=$1
	shift
	local ports=("$@")
	local IFS=,

	[ ${#ports[@]} -eq 0 ] && ports=("$TCP_PORT" "$TLS_PORT")
	ip netns exec "$ns" $PYTHON "$LIB_DIR/traffic.py" serve "${ports[*]}" \
		--udp "$UDP_PORT" &
	BG_PIDS+=($!)
	unset IFS
	busywait "$BUSYWAIT_TIMEOUT" listening "$ns" "${ports[@]}"
}

# tcp_connect NS COUNT HOST,PORT...: COUNT sequential connections to each
# target from NS, in one process; leaves "OK FAIL" in CONN_OK/CONN_FAIL.
tcp_connect()
{
	traffic_count "$1" connect "${@:2}"
}

# udp_send NS COUNT HOST,PORT...: the same with one datagram each.
udp_send()
{
	traffic_count "$1" udp "${@:2}"
}

# traffic_count NS WHAT ARGS...: traffic.py WHAT in NS, which prints
# "OK FAIL"; into CONN_OK/CONN_FAIL, true when nothing failed.
traffic_count()
{
	local out

	out=$(ip netns exec "$1" $PYTHON "$LIB_DIR/traffic.py" "${@:2}")
	read -r CONN_OK CONN_FAIL <<<"$out"
	[ "$CONN_FAIL" = 0 ]
}

# conntrack_in NS ARGS...: conntrack in NS, entries on stdout only.
conntrack_in()
{
	ip netns exec "$1" conntrack "${@:2}" 2>/dev/null
}

# count_lines TEXT REGEX: number of lines of TEXT matching REGEX (no fork).
count_lines()
{
	local line n=0

	while IFS= read -r line; do
		[[ $line =~ $2 ]] && n=$((n + 1))
	done <<<"$1"
	echo "$n"
}

# ------------------------------------------------------------ diagnostics

dump_state()
{
	local ns

	echo "# ---- state dump ----"
	{
		echo "module: $(module_loaded && echo loaded || echo not loaded)"
		if module_loaded; then
			echo "## catoproxyctl show (this netns)"
			ctl show 2>&1
		fi
		for ns in "${NS_LIST[@]}"; do
			echo "## netns $ns"
			ip -n "$ns" addr 2>&1
			if module_loaded; then
				ctl_in "$ns" show 2>&1
				ctl_in "$ns" show stats 2>&1
				ctl_in "$ns" show sites 2>&1
			fi
			ip netns exec "$ns" conntrack -L 2>&1
			ip netns exec "$ns" nft list ruleset 2>&1
		done
		dmesg 2>/dev/null | tail -n 20
	} | sed 's/^/# /'
	echo "# ---- end of state dump ----"
}

# ------------------------------------------------------------ cleanup

stop_bg()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
}

# The default cleanup; a test may define its own and call this one.
cleanup_common()
{
	stop_bg
	cleanup_all_ns
	if [ "$MODULE_LOADED_BY_US" = 1 ]; then
		unload_module || echo "# FAIL: cannot unload $MODULE_NAME"
	fi
	[ -n "$TMP_DIR" ] && rm -rf "$TMP_DIR"
}

cleanup()
{
	cleanup_common
}

# Tests run as root.
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: need root"
	exit $ksft_skip
fi
checktool "ip -Version" "run test without ip tool"
# A private scratch directory (the source tree may be read-only).
TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/catoproxy-selftest.XXXXXX") || exit $ksft_fail

# ------------------------------------------------------------ full mode
#
# Helpers for the full-mode tests (full_proxy.sh, full_handshake.sh,
# full_scale.sh). Their python helpers (bulk.py, tcpprobe.py) run in this
# namespace and open their sockets in the test namespaces themselves.

# The counters the full mode adds (uapi/linux/catoproxy.h).
FULL_STAT_NAMES="syn_intercepted synack_retransmitted server_open_ok server_open_failed server_timeout server_syn_retransmitted cookie_mode_syns cookie_valid cookie_invalid held_segments held_dropped tx_failed client_timeout"
# ... and those of the delayed and adaptive modes, in the UAPI's order.
# "show stats" ends with the gauge adaptive_entries, which is no counter.
ADAPTIVE_STAT_NAMES="delayed_engaged adaptive_full adaptive_delayed adaptive_learned adaptive_evicted adaptive_forgotten"

# An address behind the router where no host exists. The router gets a
# permanent neighbour entry for it with a MAC address nobody has, so that
# it sends the SYNs out of r1 instead of failing ARP/ND (setup_nohost).
NOHOST4=10.0.2.99
NOHOST6=fd00:2::99
NOHOST_MAC=02:00:00:00:00:99

# The mode the full-mode tests put the router in. CATOPROXY_FULL_MODE=delayed
# runs them against plain forwarding, to validate the tests' own tooling:
# the full-only assertions are then expected to fail, the others to pass.
FULL_MODE=${CATOPROXY_FULL_MODE:-full}

setup_nohost()
{
	ip -n "$router" neigh replace "$NOHOST4" lladdr "$NOHOST_MAC" dev r1 nud permanent &&
	ip -n "$router" neigh replace "$NOHOST6" lladdr "$NOHOST_MAC" dev r1 nud permanent
}

# assert_stats_moved WHAT BEFORE_ARRAY AFTER_ARRAY name=N|name=+N|name=-N...:
# counter deltas: N exactly, +N at least N, -N at most N. Counters not
# named are not checked.
assert_stats_moved()
{
	local what=$1
	local -n _sb=$2 _sa=$3
	shift 3
	local kv name want delta

	for kv in "$@"; do
		name=${kv%%=*}
		want=${kv#*=}
		if [ -z "${_sa[$name]+x}" ] || [ -z "${_sb[$name]+x}" ]; then
			fail "$what: counter $name missing from show stats"
			continue
		fi
		delta=$((_sa[$name] - _sb[$name]))
		case $want in
		+*) [ "$delta" -ge "${want#+}" ] ||
			fail "$what: $name delta: expected at least ${want#+}, got $delta" ;;
		-*) [ "$delta" -le "${want#-}" ] ||
			fail "$what: $name delta: expected at most ${want#-}, got $delta" ;;
		*) assert_eq "$what: $name delta" "$want" "$delta" ;;
		esac
	done
}

# site_id NAME: the id of the router's site NAME (nothing without one).
site_id()
{
	ctl_in "$router" -j show sites |
		jq -r --arg n "$1" 'first(.[] | select(.name == $n) | .id) // empty'
}

# router_set KEY VALUE...: "catoproxyctl set" in the router, quietly; its
# exit code. Used to find out whether a key exists yet.
router_set()
{
	ctl_in "$router" set "$@" >/dev/null 2>&1
}

# graph_trace_start ROOT,... LEAF,...: the function-graph tracer
# (lib/py/ftrace.py) counts calls of a LEAF inside calls of a ROOT; false
# when the kernel cannot trace (graph_trace_available). graph_trace_stop ROOT,... LEAF,...: stops
# it and leaves GRAPH_CALLS (the ROOT calls traced), GRAPH_MAX (the most
# LEAF calls inside one) and GRAPH_TOTAL (inside all).
graph_trace_available()
{
	(cd "$LIB_DIR" && $PYTHON -m lib.py.ftrace available)
}

graph_trace_start()
{
	graph_trace_available || return 1
	(cd "$LIB_DIR" && $PYTHON -m lib.py.ftrace start "$1" "$2")
}

graph_trace_stop()
{
	read -r GRAPH_CALLS GRAPH_MAX GRAPH_TOTAL < <(cd "$LIB_DIR" &&
		$PYTHON -m lib.py.ftrace stop "$1" "$2")
}

# py_check CMD...: run a python checker (CMD is "$PYTHON script ...", its
# asserts those of lib/py): its "#" lines go to the log as they are, and an
# exit code other than 0 fails the sub-test.
py_check()
{
	local rc=0

	"$@" || rc=$?
	[ "$rc" = 0 ] || fail "$(basename "$2") ${3:-}: checks failed (exit code $rc)"
}

# set_netem NS DEV [ARGS...]: DEV's root qdisc becomes netem ARGS; without
# ARGS the root qdisc is removed.
set_netem()
{
	local ns=$1 dev=$2
	shift 2
	tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null
	[ $# -eq 0 ] && return 0
	tc -n "$ns" qdisc add dev "$dev" root netem "$@"
}

# nft_counter NS FAMILY TABLE: packets of the first "counter" in TABLE, -1
# without one.
nft_counter()
{
	local out

	out=$(ip netns exec "$1" nft list table "$2" "$3" 2>/dev/null)
	if [[ $out =~ counter\ packets\ ([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo -1
	fi
}

# drop_first NS DEV TABLE MATCH KEY: in NS, a netdev ingress table TABLE on
# DEV that drops the first packet matching MATCH for each value of KEY
# (e.g. "tcp sport": the first of each connection). Packet sockets see the
# packet before the drop: a capture on DEV or on the sending side shows it.
drop_first()
{
	local ns=$1 dev=$2 table=$3 match=$4 key=$5

	ip netns exec "$ns" nft -f - <<-END
	table netdev $table {
		set seen { type inet_service; size 65535; flags dynamic,timeout; timeout 5m; }
		chain in {
			type filter hook ingress device "$dev" priority -500; policy accept;
			$match $key @seen accept
			$match add @seen { $key } counter drop
		}
	}
	END
}

# drop_first_del NS TABLE
drop_first_del()
{
	ip netns exec "$1" nft delete table netdev "$2" 2>/dev/null
}

# ct_count_lines NS REGEX CONNTRACK_ARGS...: "conntrack -L" lines matching.
ct_count_lines()
{
	local ns=$1 re=$2
	shift 2
	count_lines "$(conntrack_in "$ns" -L "$@")" "$re"
}

# ------------------------------------------------------------ events
#
# Connection events of the router, for the mode tests (modes.sh,
# adaptive.sh, policy.sh): "catoproxyctl -j monitor" writes one JSON object
# per line into a file; a step remembers the file's line count before it
# starts and looks only at the lines after it.

# monitor_start FILE: the router's events into FILE, in the background.
monitor_start()
{
	: >"$1"
	"$CATOPROXYCTL" -n "$router" -j monitor >"$1" 2>"$1.err" &
	BG_PIDS+=($!)
}

# monitor_probe FILE HOST,PORT: one connection from the client; true once
# an event of a connection to PORT is in FILE (the monitor has joined).
monitor_probe()
{
	tcp_connect "$client" 1 "$2" >/dev/null
	[ "$(events_count "$1" 0 dport="${2##*,}")" -gt 0 ]
}

# events_lines FILE: lines in FILE so far.
events_lines()
{
	local n

	n=$(wc -l <"$1")
	echo "${n// /}"
}

# events_select FILE FROM PROGRAM KEY=VALUE...: the jq PROGRAM (e.g.
# length) over the array of the events after line FROM of FILE that match
# every KEY=VALUE (values as the JSON prints them, strings lower case,
# absent keys as "none"); its raw output. jq fails on a line that is not a
# JSON object.
events_select()
{
	local file=$1 from=$2 prog=$3 kv cond=true i=0
	local -a args=()
	shift 3

	# jq, not python: this runs many times per test, and a python
	# costs most of a second in the VM.
	for kv in "$@"; do
		args+=(--arg "k$i" "${kv%%=*}" --arg "v$i" "${kv#*=}")
		cond+=" and (.[\$k$i] | if . == null then \"none\" elif type == \"string\" then ascii_downcase else tostring end) == \$v$i"
		i=$((i + 1))
	done
	tail -n +"$((from + 1))" "$file" |
		jq -rn "${args[@]}" "[inputs | if type != \"object\" then error(\"not an object\") else . end | select($cond)] | $prog"
}

# events_count FILE FROM KEY=VALUE...: how many events after line FROM of
# FILE match (events_select). A line that is not a JSON object counts as
# -1000, which no test expects.
events_count()
{
	events_select "$1" "$2" length "${@:3}" 2>/dev/null || echo -1000
}

# events_summary FILE FROM KEY...: one line per distinct combination of
# the KEYs' values among the events after line FROM, "v1 v2 ... xCOUNT",
# sorted; e.g. events_summary F 0 event daddr dport accel state. For the
# log: the checks read the events in Python (lib/py/events.py).
events_summary()
{
	(cd "$LIB_DIR" && $PYTHON -m lib.py.events summary "$@")
}

# events_count_is WANT FILE FROM FILTER...: for slowwait.
events_count_is()
{
	local want=$1 got
	shift

	got=$(events_count "$@")
	echo "$got"
	[ "$got" = "$want" ]
}

# ------------------------------------------------------------ captures
#
# tcpdump in a namespace, for the tests that assert what crossed a link
# (blocked.sh, rules.sh). pcap_start returns once tcpdump listens, so that
# nothing sent afterwards is missed; pcap_stop makes it write the rest.

declare -A PCAP_PIDS=()

# pcap_start NAME NS DEV FILTER: capture into $TMP_DIR/NAME.pcap.
pcap_start()
{
	local name=$1 ns=$2 dev=$3 filter=$4

	ip netns exec "$ns" tcpdump --immediate-mode -U -n -i "$dev" -w "$TMP_DIR/$name.pcap" \
		"$filter" 2>"$TMP_DIR/$name.err" &
	PCAP_PIDS[$name]=$!
	BG_PIDS+=($!)
	slowwait 30 grep -q "listening on" "$TMP_DIR/$name.err"
}

# pcap_stop NAME
pcap_stop()
{
	local pid=${PCAP_PIDS[$1]}

	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "PCAP_PIDS[$1]"
}

# pcap_lines NAME [FILTER]: the capture, one packet per line, as tcpdump
# -n -S prints it, sequence numbers absolute (e.g. "IP 10.0.1.2.41000 >
# 10.0.2.2.80: Flags [S], seq 1234, ...").
pcap_lines()
{
	tcpdump -n -S -r "$TMP_DIR/$1.pcap" ${2:+"$2"} 2>/dev/null |
		sed 's/^[0-9:.]* //'
}

# pcap_count NAME [FILTER]: packets in the capture.
pcap_count()
{
	local n

	n=$(pcap_lines "$@" | wc -l)
	echo "${n// /}"
}

# pcap_flags NAME [FILTER]: the TCP flags of each packet, in order, with
# "<" for packets towards the client: "S <S. . <R".
pcap_flags()
{
	pcap_lines "$@" | awk -v c4="$CLIENT4." -v c6="$CLIENT6." '
	{
		from_client = index($2, c4) == 1 || index($2, c6) == 1
		f = ""
		for (i = 1; i <= NF; i++)
			if ($i == "Flags") { f = $(i + 1); gsub(/[\[\],]/, "", f) }
		printf "%s%s%s", n++ ? " " : "", from_client ? "" : "<", f
	}
	END { print "" }'
}
