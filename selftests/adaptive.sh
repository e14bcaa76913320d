#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# Adaptive mode: intercept only servers that recently proved alive.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#                                                     echo on 8080, 5003,
#                                                     5004; at the end every
#                                                     TCP port redirected
#                                                     to 8080
#
# The router runs catoproxy in mode adaptive; "catoproxyctl -j monitor"
# records its events. Each step makes one connection per target and checks
# the events (mode adaptive, accel, state) and the exact counter deltas.
#
# 1. IPv4 and IPv6: the first connection to a service finds the cache empty
#    and is not intercepted (decision accel 0 in state waiting, then an
#    engaged event; adaptive_delayed, delayed_engaged, adaptive_learned +1
#    each per family; adaptive_entries 2); the second is (decision accel 1
#    state opening, spliced; adaptive_full, syn_intercepted, server_open_ok
#    +1 per family, nothing learned anew).
# 2. adaptive-ttl 2: connections to a learned service are intercepted, each
#    SYN-ACK refreshing it for 2 s; 3 s later the next connection runs
#    delayed, and its SYN-ACK refreshes the expired entry (not learned
#    anew), so the one right after it is intercepted again.
# 3. A learned service that starts refusing (the server answers RST): the
#    intercepted attempt fails (failed event, cause server-rst; the client
#    sees a reset), adaptive_forgotten +1 and the entry is gone; the next
#    attempt runs delayed and the client sees the server's own refusal
#    (ECONNREFUSED), never engaged, never learned; once the service is back
#    it is learned again from a delayed connection. IPv4 and IPv6.
# 4. A learned service that stops answering (its SYNs dropped): the
#    intercepted attempt times out (server-timeout 500 ms, cause
#    server-timeout), adaptive_forgotten +1, the next attempt is delayed.
# 5. A new adaptive-size starts an empty cache: adaptive_entries 0 and the
#    next connection to a learned service runs delayed.
# 6. Mode full and delayed keep no cache: adaptive_entries stays 0 and
#    nothing is learned; back in adaptive the cache starts empty.
# 7. The cache is bounded: adaptive-size 64, every TCP port of the server
#    answers, nmap -sS -p- (all 65535 ports) in mode adaptive:
#    adaptive_entries is exactly 64, adaptive_learned is many thousands,
#    adaptive_evicted = adaptive_learned - 64, no SYN intercepted but
#    repeats.

source lib.sh

PORT=$TCP_PORT
GONE_PORT=5003
SILENT_PORT=5004
EVENTS=$TMP_DIR/events.json
declare -A S0 S1

snap()
{
	read_stats S0
	FROM=$(events_lines "$EVENTS")
}

# ev FILTER...: events since the last snap matching FILTER.
ev()
{
	events_count "$EVENTS" "$FROM" "$@"
}

# wait_events N FILTER...: until N events since the last snap match FILTER;
# prints the count.
wait_events()
{
	local n=$1
	shift
	slowwait 30 events_count_is "$n" "$EVENTS" "$FROM" "$@"
}

# check WHAT ARGS...: modes_check.py's assertions WHAT.
check()
{
	py_check $PYTHON "$LIB_DIR/modes_check.py" "$@"
}

show_events()
{
	events_summary "$EVENTS" "$FROM" event family mode accel state dport cause |
		sed 's/^/#   /'
}

# connect DESC TARGET...: one connection per HOST,PORT, all must succeed.
connect()
{
	local desc=$1
	shift

	tcp_connect "$client" 1 "$@"
	assert_eq "$desc: connections ok, failed" "$# 0" "$CONN_OK $CONN_FAIL"
}

# targets PORT: both families' HOST,PORT.
targets()
{
	echo "$SERVER4,$1 $SERVER6,$1"
}

# expect_delayed DESC PORT N: the N connections to PORT since the last snap
# (all families together) ran delayed and engaged.
expect_delayed()
{
	local desc=$1 port=$2 n=$3 got

	got=$(wait_events "$n" event=engaged dport="$port")
	assert_eq "$desc: engaged events" "$n" "$got"
	assert_eq "$desc: decisions, adaptive accel 0 waiting" "$n" \
		"$(ev event=decision dport="$port" mode=adaptive accel=0 state=waiting reason=account)"
	assert_eq "$desc: engaged events, adaptive accel 0 engaged" "$n" \
		"$(ev event=engaged dport="$port" mode=adaptive accel=0 state=engaged)"
	assert_eq "$desc: intercepted decisions" 0 "$(ev event=decision accel=1)"
}

# expect_full DESC PORT N: the N connections since the last snap were
# intercepted and spliced.
expect_full()
{
	local desc=$1 port=$2 n=$3 got

	got=$(wait_events "$n" event=spliced dport="$port")
	assert_eq "$desc: spliced events" "$n" "$got"
	assert_eq "$desc: decisions, adaptive accel 1 opening" "$n" \
		"$(ev event=decision dport="$port" mode=adaptive accel=1 state=opening reason=account)"
	assert_eq "$desc: spliced events, adaptive accel 1" "$n" \
		"$(ev event=spliced dport="$port" mode=adaptive accel=1 state=spliced)"
	assert_eq "$desc: engaged events" 0 "$(ev event=engaged)"
}

# pickups_counted: adaptive_delayed has moved by the accel 0 decisions since
# the last snap.
pickups_counted()
{
	local -A s

	read_stats s || return 1
	[ $((s[adaptive_delayed] - S0[adaptive_delayed])) = "$(ev event=decision accel=0)" ]
}

entries()
{
	local -A s

	read_stats s || return 1
	echo "${s[adaptive_entries]}"
}

test_learn()
{
	local f t

	rctl set mode adaptive || fail "set mode adaptive"
	assert_eq "empty cache" 0 "$(entries)"
	snap
	# shellcheck disable=SC2046 # two words
	connect "first" $(targets "$PORT")
	expect_delayed "first connection per family" "$PORT" 2
	for f in 4 6; do
		assert_eq "first, IPv$f: decision + engaged" 2 "$(ev family=ipv$f dport="$PORT")"
	done
	read_stats S1
	assert_stats_moved "first" S0 S1 conn_tracked=2 conn_adaptive=2 \
		adaptive_delayed=2 delayed_engaged=2 adaptive_learned=2 \
		adaptive_full=0 syn_intercepted=0 adaptive_evicted=0 adaptive_forgotten=0
	assert_eq "adaptive_entries after learning 2 services" 2 "${S1[adaptive_entries]}"
	show_events

	snap
	# shellcheck disable=SC2046
	connect "second" $(targets "$PORT")
	expect_full "second connection per family" "$PORT" 2
	for f in 4 6; do
		assert_eq "second, IPv$f: decision + spliced" 2 "$(ev family=ipv$f dport="$PORT")"
	done
	read_stats S1
	assert_stats_moved "second" S0 S1 conn_tracked=2 conn_adaptive=2 \
		adaptive_full=2 syn_intercepted=2 server_open_ok=2 \
		adaptive_delayed=0 delayed_engaged=0 adaptive_learned=0 \
		adaptive_evicted=0 adaptive_forgotten=0 server_open_failed=0
	assert_eq "adaptive_entries after refreshing them" 2 "${S1[adaptive_entries]}"
	show_events
	log_test "IPv4 and IPv6: the first connection runs delayed and teaches the cache, the second is intercepted"
}

test_ttl()
{
	rctl set adaptive-ttl 2 || fail "set adaptive-ttl 2"
	# Alive under the old TTL: both intercepted, each SYN-ACK refreshes
	# the entry under the new one (2 s). One process: no gap between them.
	snap
	tcp_connect "$client" 2 "$SERVER4,$PORT"
	assert_eq "under ttl 2: connections ok, failed" "2 0" "$CONN_OK $CONN_FAIL"
	expect_full "under ttl 2" "$PORT" 2
	# The entry must expire without traffic to it: nothing to poll.
	sleep 3
	# The first runs delayed and its SYN-ACK refreshes the expired entry,
	# so the second, right after it, is intercepted.
	snap
	tcp_connect "$client" 2 "$SERVER4,$PORT"
	assert_eq "after the TTL: connections ok, failed" "2 0" "$CONN_OK $CONN_FAIL"
	assert_eq "after the TTL: spliced" 1 "$(wait_events 1 event=spliced dport="$PORT")"
	assert_eq "after the TTL: engaged" 1 "$(wait_events 1 event=engaged dport="$PORT")"
	check accels "$EVENTS" "$FROM" "after the TTL: decisions accel 0 then accel 1" "0 1"
	read_stats S1
	assert_stats_moved "after the TTL" S0 S1 adaptive_delayed=1 delayed_engaged=1 \
		adaptive_full=1 syn_intercepted=1 adaptive_learned=0 adaptive_evicted=0
	show_events
	rctl set adaptive-ttl 300 || fail "set adaptive-ttl 300"
	log_test "adaptive-ttl 2: 2 s after its last SYN-ACK a service runs delayed again, and is relearned"
}

# refused DESC WANT HOST,PORT...: one attempt per target ended as WANT
# (reset, refused).
refused()
{
	local desc=$1 want=$2
	shift 2

	$PYTHON "$LIB_DIR/bulk.py" refused "$client" "$@" >"$TMP_DIR/refused" \
		2>"$TMP_DIR/refused.err"
	check refused "$TMP_DIR/refused" "$desc" "$want" "$@"
}

server_rules()
{
	ip netns exec "$server" nft -f - <<-EOF
	table inet gone {
		chain in {
			type filter hook input priority 0; policy accept;
			tcp dport $GONE_PORT tcp flags & (syn | ack) == syn counter reject with tcp reset
			tcp dport $GONE_PORT reject with tcp reset
			tcp dport $SILENT_PORT drop
		}
	}
	EOF
}

test_forget_rst()
{
	local got

	# learn both families' GONE_PORT
	snap
	# shellcheck disable=SC2046
	connect "learn $GONE_PORT" $(targets "$GONE_PORT")
	expect_delayed "learn $GONE_PORT" "$GONE_PORT" 2
	snap
	# shellcheck disable=SC2046
	connect "intercepted $GONE_PORT" $(targets "$GONE_PORT")
	expect_full "intercepted $GONE_PORT" "$GONE_PORT" 2

	server_rules || fail "server nft rules"
	# the intercepted attempt: the module answered, then reset the client
	snap
	# shellcheck disable=SC2046
	refused "refusing service, intercepted: reset after connect" reset $(targets "$GONE_PORT")
	got=$(wait_events 2 event=failed dport="$GONE_PORT" cause=server-rst)
	assert_eq "refusing service: failed events, cause server-rst" 2 "$got"
	assert_eq "refusing service: decisions accel 1" 2 "$(ev event=decision dport="$GONE_PORT" accel=1 mode=adaptive)"
	# The client's last segments may come after the failed connection's
	# entry is gone: conntrack picks them up mid-stream as a new
	# connection (state pass), which the forgotten destination makes
	# delayed. No new connection runs delayed (state waiting).
	slowwait 10 pickups_counted >/dev/null
	assert_eq "refusing service, intercepted: decisions in state waiting" 0 \
		"$(ev event=decision state=waiting)"
	read_stats S1
	assert_stats_moved "refusing service, intercepted" S0 S1 adaptive_full=2 \
		syn_intercepted=2 server_open_failed=2 adaptive_forgotten=2 \
		adaptive_delayed="$(ev event=decision accel=0 state=pass)" \
		delayed_engaged=0 adaptive_learned=0
	assert_eq "entries after forgetting 2" $((S0[adaptive_entries] - 2)) "${S1[adaptive_entries]}"

	# the next attempt is delayed: the server's own refusal, no engagement
	snap
	# shellcheck disable=SC2046
	refused "refusing service, next attempt: the server's refusal" refused $(targets "$GONE_PORT")
	got=$(wait_events 2 event=decision dport="$GONE_PORT" state=waiting)
	assert_eq "next attempt: decisions, accel 0 waiting" 2 \
		"$(ev event=decision dport="$GONE_PORT" accel=0 state=waiting mode=adaptive)"
	slowwait 10 pickups_counted >/dev/null
	read_stats S1
	assert_stats_moved "refusing service, next attempt" S0 S1 \
		adaptive_delayed="$(ev event=decision accel=0)" \
		adaptive_full=0 syn_intercepted=0 delayed_engaged=0 adaptive_learned=0 \
		adaptive_forgotten=0 server_open_failed=0
	assert_eq "next attempt: engaged or failed events" 0 \
		"$(($(ev event=engaged) + $(ev event=failed)))"
	assert_eq "server's reject rule matched (2 + 2 SYNs)" 4 "$(nft_counter "$server" inet gone)"
	assert_eq "next attempt: intercepted decisions" 0 "$(ev event=decision accel=1)"

	# the service comes back: learned anew from a delayed connection
	ip netns exec "$server" nft delete table inet gone || fail "nft delete"
	snap
	# shellcheck disable=SC2046
	connect "back" $(targets "$GONE_PORT")
	expect_delayed "service back" "$GONE_PORT" 2
	read_stats S1
	assert_stats_moved "service back" S0 S1 adaptive_learned=2 adaptive_delayed=2
	show_events
	log_test "a learned service that refuses: the intercepted attempt fails and forgets it, the next runs delayed"
}

test_forget_timeout()
{
	local got

	rctl set server-timeout 500 || fail "set server-timeout 500"
	snap
	connect "learn $SILENT_PORT" "$SERVER4,$SILENT_PORT"
	expect_delayed "learn $SILENT_PORT" "$SILENT_PORT" 1
	server_rules || fail "server nft rules"
	snap
	refused "silent service, intercepted: reset after connect" reset "$SERVER4,$SILENT_PORT"
	got=$(wait_events 1 event=failed dport="$SILENT_PORT" cause=server-timeout)
	assert_eq "silent service: failed event, cause server-timeout" 1 "$got"
	read_stats S1
	assert_stats_moved "silent service" S0 S1 adaptive_full=1 syn_intercepted=1 \
		server_timeout=1 adaptive_forgotten=1 adaptive_learned=0
	snap
	# the next attempt is delayed: its SYN goes to the server, which stays
	# silent; the client gives up (timeout) after its own retries
	assert_eq "silent service, next attempt: client times out" "timeout-connect" \
		"$(ip netns exec "$client" $PYTHON "$LIB_DIR/traffic.py" outcome 1.5 "$SERVER4,$SILENT_PORT")"
	assert_eq "silent service, next attempt: decision accel 0 waiting" 1 \
		"$(ev event=decision dport="$SILENT_PORT" accel=0 state=waiting)"
	read_stats S1
	assert_stats_moved "silent service, next attempt" S0 S1 adaptive_delayed=1 \
		adaptive_full=0 syn_intercepted=0 delayed_engaged=0 adaptive_learned=0
	ip netns exec "$server" nft delete table inet gone || fail "nft delete"
	rctl set server-timeout 10000 || fail "set server-timeout 10000"
	log_test "a learned service that stops answering: the intercepted attempt times out and forgets it"
}

test_new_size()
{
	assert_ne "entries before the new size" 0 "$(entries)"
	rctl set adaptive-size 128 || fail "set adaptive-size 128"
	assert_eq "entries after the new size" 0 "$(entries)"
	snap
	connect "after the new size" "$SERVER6,$PORT"
	expect_delayed "learned service after a new size" "$PORT" 1
	rctl set adaptive-size 128 || fail "set adaptive-size 128 again"
	assert_eq "the same size again keeps the cache" 1 "$(entries)"
	log_test "a new adaptive-size starts an empty cache"
}

test_other_modes()
{
	local m

	for m in full delayed; do
		rctl set mode "$m" || fail "set mode $m"
		snap
		# shellcheck disable=SC2046
		connect "mode $m" $(targets "$PORT")
		wait_events 2 event=decision dport="$PORT" mode="$m" >/dev/null
		read_stats S1
		assert_stats_moved "mode $m" S0 S1 adaptive_learned=0 adaptive_full=0 \
			adaptive_delayed=0
		assert_eq "mode $m: adaptive_entries" 0 "${S1[adaptive_entries]}"
	done
	rctl set mode adaptive || fail "set mode adaptive"
	snap
	# shellcheck disable=SC2046
	connect "back in adaptive" $(targets "$PORT")
	expect_delayed "back in adaptive" "$PORT" 2
	log_test "modes full and delayed keep no cache; adaptive starts with an empty one"
}

test_scan_bound()
{
	local out open learned evicted size=64

	if ! command -v nmap >/dev/null; then
		ktap_test_skip "adaptive-size $size holds under a scan of all 65535 ports (nmap not installed)"
		return
	fi
	# Every TCP port of the server answers: redirected to the echo server.
	ip netns exec "$server" nft -f - <<-EOF || fail "nft redirect"
	table inet anyport {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			tcp dport != $PORT redirect to :$PORT
		}
	}
	EOF
	ip netns exec "$server" sysctl -qw net.ipv4.tcp_syncookies=2
	# No event stream for 65535 connections.
	kill "$MONITOR_PID" 2>/dev/null
	rctl set mode adaptive adaptive-size "$size" || fail "set adaptive-size $size"
	read_stats S0
	assert_eq "empty cache before the scan" 0 "${S0[adaptive_entries]}"
	out=$(ip netns exec "$client" nmap -n -Pn -sS -p- --min-rate 2000 \
		--max-retries 0 -oG - "$SERVER4" 2>&1)
	if [[ $out =~ Ports:\ (.*) ]]; then
		open=$(grep -o '/open/' <<<"${BASH_REMATCH[1]}" | wc -l)
	else
		open=0
	fi
	echo "# nmap: $open ports open: $(tail -n 1 <<<"$out")"
	read_stats S1
	learned=$((S1[adaptive_learned] - S0[adaptive_learned]))
	evicted=$((S1[adaptive_evicted] - S0[adaptive_evicted]))
	echo "# learned $learned, evicted $evicted, entries ${S1[adaptive_entries]}, conn_adaptive $((S1[conn_adaptive] - S0[conn_adaptive]))"
	# Whatever the emulation's speed lets through, but far more than the
	# cache holds: 2000 is over 30 times its size.
	[ "$open" -ge 2000 ] || fail "nmap saw only $open open ports"
	[ "$learned" -ge 2000 ] || fail "only $learned services learned"
	assert_eq "adaptive_entries, bounded by adaptive-size" "$size" "${S1[adaptive_entries]}"
	assert_eq "adaptive_evicted = learned - entries" $((learned - size)) "$evicted"
	assert_eq "syn_intercepted = adaptive_full (repeats only)" \
		$((S1[adaptive_full] - S0[adaptive_full])) $((S1[syn_intercepted] - S0[syn_intercepted]))
	assert_stats_moved "scan" S0 S1 adaptive_forgotten=0 server_open_failed=0
	ip netns exec "$server" nft delete table inet anyport || fail "nft delete"
	log_test "adaptive-size $size holds under a scan of all 65535 ports: entries $size, the rest evicted"
}

trap cleanup EXIT
checktool "nft --version" "run test without nft"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 7
require_module
setup_topology || topology_failed
start_server "$server" "$PORT" "$GONE_PORT" "$SILENT_PORT" ||
	{ echo "# FAIL: server did not start"; exit $ksft_fail; }
# The probe runs in mode full, which learns nothing: the cache starts
# empty with mode adaptive.
rctl set mode full || { echo "# FAIL: set mode full"; exit $ksft_fail; }
monitor_start "$EVENTS"
MONITOR_PID=${BG_PIDS[-1]}
if ! slowwait 60 monitor_probe "$EVENTS" "$SERVER4,$PORT"; then
	echo "# FAIL: the monitor saw no event of a probe connection"
	dump_state
	exit $ksft_fail
fi

test_learn
test_ttl
test_forget_rst
test_forget_timeout
test_new_size
test_other_modes
test_scan_bound

ktap_finished
