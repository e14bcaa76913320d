#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Connection events (catoproxyctl monitor) and the connection dump
# (catoproxyctl show conns).
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# The router runs catoproxy in mode delayed, which intercepts nothing, so
# connections behave as without the module. "catoproxyctl -n ROUTER -j
# monitor" runs in the background for the whole test; each step makes N
# connections per family and checks that exactly N decision events per
# family arrive, with the right tuple, mode, accel 0, reason, site (id and
# name) and state "waiting", and exactly N "engaged" events per family (the
# server's SYN-ACK passed; state "engaged", accel 0), one of each per
# connection. Covered: the account's mode, a source site, a destination
# site, an inheriting source site (reason account, site still named), mode
# off (no event), the text form of monitor, monitors in other namespaces
# seeing nothing, "show conns" listing held connections exactly (JSON and
# text, state engaged), the site's name in the dump and its absence once
# the site is deleted, a dump larger than one netlink message, and monitor
# ending with status 0 on SIGTERM. "show conns" filters (src, dst, sport,
# dport, state, mode, alone and together) list exactly the connections
# they match, and count counts them; "monitor -t" and "-j monitor -t" print
# the plain monitors' events with their time first; "show stats
# prometheus" passes a strict reader of the exposition format and agrees
# with -j show stats.
#
# Needs catoproxy_event_conn(..., CATOPROXY_EVENT_DECISION, ...) called when
# conn.c attaches state to a connection, and CATOPROXY_EVENT_ENGAGED when a
# delayed connection's SYN-ACK passes.

source lib.sh

N=10
PROBE_PORT=$TLS_PORT
EVENTS=$TMP_DIR/events.json
EVENTS_TEXT=$TMP_DIR/events.txt
# The same, from monitors with -t.
EVENTS_T=$TMP_DIR/events-t.json
EVENTS_TEXT_T=$TMP_DIR/events-t.txt
# Lines of $EVENTS already looked at by earlier steps.
SEEN=0
MONITOR_PID=
TEXT_MONITOR_PID=
T_MONITOR_PIDS=()
# When the monitors started, in seconds since the epoch.
START_TIME=

# check WHAT ARGS...: events_check.py's assertions WHAT.
check()
{
	py_check $PYTHON "$LIB_DIR/events_check.py" "$@"
}

# ev_count FROM KEY=VALUE...: lib.sh's events_count over $EVENTS.
ev_count()
{
	events_count "$EVENTS" "$@"
}

# ev_field FROM KEY FILTER...: distinct values of KEY among the matching
# events, sorted (shorter first), space separated.
ev_field()
{
	local from=$1 key=$2
	shift 2

	events_select "$EVENTS" "$from" \
		"map(.[\"$key\"] | tostring) | unique | sort_by([length, .]) | join(\" \")" "$@"
}

# count_is EXPECTED FROM FILTER...: for slowwait.
count_is()
{
	local want=$1
	shift

	events_count_is "$want" "$EVENTS" "$@"
}

# The monitors have joined the group once a probe connection's event shows
# up in both; connections made before that would be missed.
probe_seen()
{
	tcp_connect "$client" 1 "$SERVER4,$PROBE_PORT" >/dev/null
	[ "$(ev_count 0 dport="$PROBE_PORT")" -gt 0 ] &&
		grep -q ":$PROBE_PORT mode" "$EVENTS_TEXT" &&
		grep -q "\"dport\":$PROBE_PORT" "$EVENTS_T" &&
		grep -q ":$PROBE_PORT mode" "$EVENTS_TEXT_T"
}

start_monitor()
{
	: >"$EVENTS"
	"$CATOPROXYCTL" -n "$router" -j monitor >"$EVENTS" 2>"$TMP_DIR/monitor.err" &
	MONITOR_PID=$!
	BG_PIDS+=("$MONITOR_PID")
	"$CATOPROXYCTL" -n "$router" monitor >"$EVENTS_TEXT" 2>&1 &
	TEXT_MONITOR_PID=$!
	BG_PIDS+=("$TEXT_MONITOR_PID")
	# -t after monitor, and before it as ip takes it
	START_TIME=$(date +%s)
	"$CATOPROXYCTL" -n "$router" -j monitor --timestamp >"$EVENTS_T" 2>&1 &
	T_MONITOR_PIDS+=($!)
	"$CATOPROXYCTL" -t -n "$router" monitor >"$EVENTS_TEXT_T" 2>&1 &
	T_MONITOR_PIDS+=($!)
	BG_PIDS+=("${T_MONITOR_PIDS[@]}")
	# Other namespaces' listeners must hear nothing of the router's.
	"$CATOPROXYCTL" -n "$server" -j monitor >"$TMP_DIR/events.server" 2>&1 &
	BG_PIDS+=($!)
	"$CATOPROXYCTL" -j monitor >"$TMP_DIR/events.init" 2>&1 &
	BG_PIDS+=($!)
	slowwait 60 probe_seen >/dev/null
}

# step DESC FILTER...: N connections per family to $TCP_PORT; exactly N
# decision events (state waiting) and N engaged events (state engaged) per
# family arrive, one of each per connection, each matching FILTER
# (KEY=VALUE...) besides the tuple, mode delayed, accel 0 and cause none.
step()
{
	local desc=$1
	shift
	local from got f src dst ev state rule

	from=$(events_lines "$EVENTS")
	tcp_connect "$client" "$N" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "$desc: connections" "$((2 * N)) 0" "$CONN_OK $CONN_FAIL"
	got=$(slowwait 30 count_is "$((4 * N))" "$from" dport="$TCP_PORT")
	assert_eq "$desc: events to port $TCP_PORT (decision + engaged)" "$((4 * N))" "$got"
	for f in 4 6; do
		if [ $f = 4 ]; then
			src=$CLIENT4 dst=$SERVER4
		else
			src=$CLIENT6 dst=$SERVER6
		fi
		for ev in decision engaged; do
			# A decision names the rule that matched, none here;
			# the later events name none.
			state=waiting rule=0
			[ $ev = engaged ] && state=engaged rule=none
			assert_eq "$desc: IPv$f $ev events as expected" "$N" \
				"$(ev_count "$from" event=$ev family=ipv$f saddr="$src" \
					daddr="$dst" dport="$TCP_PORT" mode=delayed accel=0 \
					state=$state cause=none rule_id=$rule "$@")"
			assert_eq "$desc: IPv$f $ev events, distinct source ports" "$N" \
				"$(ev_field "$from" sport event=$ev family=ipv$f dport="$TCP_PORT" | wc -w)"
		done
		# the engaged events are those of the same connections
		assert_eq "$desc: IPv$f the same source ports in both" \
			"$(ev_field "$from" sport event=decision family=ipv$f dport="$TCP_PORT")" \
			"$(ev_field "$from" sport event=engaged family=ipv$f dport="$TCP_PORT")"
	done
	SEEN=$(events_lines "$EVENTS")
}

test_account()
{
	rctl set mode delayed || fail "set mode delayed"
	step "account delayed" reason=account site_id=0 site_name=none
	log_test "account mode: one decision and one engaged event per connection, right tuple, reason account"
}

test_sites()
{
	local rc=0 id

	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed || rc=$?
	id=$(site_id clients)
	step "source site" reason=site-src site_id="$id" site_name=clients
	rctl site del clients || rc=$?

	rctl site add servers prefix 10.0.2.0/24 prefix fd00:2::/64 mode delayed || rc=$?
	id=$(site_id servers)
	step "destination site" reason=site-dst site_id="$id" site_name=servers

	# An inheriting source site decides with the account's mode, and
	# the connection still belongs to it.
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 || rc=$?
	id=$(site_id clients)
	step "inheriting source site" reason=account site_id="$id" site_name=clients
	rctl site del clients || rc=$?
	rctl site del servers || rc=$?
	assert_eq "site commands: exit codes" 0 "$rc"
	log_test "site decisions: reason site-src, site-dst, account for an inheriting site; site ids and names"
}

test_off()
{
	local from

	rctl set mode off || fail "set mode off"
	from=$(events_lines "$EVENTS")
	tcp_connect "$client" "$N" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "mode off: connections" "$((2 * N)) 0" "$CONN_OK $CONN_FAIL"
	rctl set mode delayed || fail "set mode delayed"
	# A connection after the off ones: once its event is in, any event
	# of theirs would be too.
	tcp_connect "$client" 1 "$SERVER4,$PROBE_PORT"
	slowwait 30 count_is 1 "$from" dport="$PROBE_PORT" event=engaged >/dev/null
	assert_eq "mode off: events" 0 "$(ev_count "$from" dport="$TCP_PORT")"
	assert_eq "mode off: the marker's events" "1 1" \
		"$(ev_count "$from" dport="$PROBE_PORT" event=decision) $(ev_count "$from" dport="$PROBE_PORT" event=engaged)"
	SEEN=$(events_lines "$EVENTS")
	log_test "mode off: no event"
}

test_text_and_isolation()
{
	local text

	text=$(<"$EVENTS_TEXT")
	assert_line "text event, IPv4" "decision $CLIENT4:[0-9]+ -> $SERVER4:$TCP_PORT mode delayed accel 0 site 0 reason account state waiting rule 0" "$text"
	assert_line "text event, IPv6" "decision \[$CLIENT6\]:[0-9]+ -> \[$SERVER6\]:$TCP_PORT mode delayed accel 0 site 0 reason account state waiting rule 0" "$text"
	assert_line "text engaged event, IPv4" "engaged $CLIENT4:[0-9]+ -> $SERVER4:$TCP_PORT mode delayed accel 0 site 0 reason account state engaged" "$text"
	assert_line "text engaged event, IPv6" "engaged \[$CLIENT6\]:[0-9]+ -> \[$SERVER6\]:$TCP_PORT mode delayed accel 0 site 0 reason account state engaged" "$text"
	assert_line "text event with a site name" "decision $CLIENT4:[0-9]+ -> $SERVER4:$TCP_PORT mode delayed accel 0 site [1-9][0-9]* site-name clients reason site-src state waiting rule 0" "$text"
	assert_line "text engaged event with a site name" "engaged \[$CLIENT6\]:[0-9]+ -> \[$SERVER6\]:$TCP_PORT mode delayed accel 0 site [1-9][0-9]* site-name servers reason site-dst state engaged" "$text"
	assert_no_line "no text event in state pass" ".* state pass" "$text"
	assert_eq "text and JSON monitors saw as many events to port $TCP_PORT" \
		"$(ev_count 0 dport="$TCP_PORT")" \
		"$(count_lines "$text" ":$TCP_PORT mode ")"
	assert_eq "monitor in the server's namespace" "" "$(<"$TMP_DIR/events.server")"
	assert_eq "monitor in the initial namespace" "" "$(<"$TMP_DIR/events.init")"
	assert_eq "monitor stderr" "" "$(<"$TMP_DIR/monitor.err")"
	log_test "monitor text form; other namespaces see no events"
}

# hold K: K connections per family to $TCP_PORT held open in the client by
# a background traffic.py hold (no data: only the handshakes) until
# $TMP_DIR/release exists; their local ports end up in $TMP_DIR/held.
hold()
{
	rm -f "$TMP_DIR/held" "$TMP_DIR/held.ready" "$TMP_DIR/release"
	ip netns exec "$client" $PYTHON "$LIB_DIR/traffic.py" hold --no-ping \
		--ports "$TMP_DIR/held" "$1" "$TMP_DIR/held.ready" "$TMP_DIR/release" - \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" &
	BG_PIDS+=($!)
	slowwait 60 test -s "$TMP_DIR/held"
}

test_show_conns()
{
	local k=5 text ports

	rctl set mode delayed
	flush_router
	if ! hold "$k"; then
		fail "held connections did not open"
		log_test "show conns"
		fail "no held connections to filter"
		log_test "show conns filters"
		return
	fi
	ports=$(<"$TMP_DIR/held")

	rctl -j show conns >"$TMP_DIR/conns"
	assert_eq "show conns -j: exit code" 0 "$?"
	check show_conns "$TMP_DIR/conns" "$k" "$ports" "$TCP_PORT" \
		"$CLIENT4" "$SERVER4" "$CLIENT6" "$SERVER6"
	# The monitor writes the events when it gets to them, not when the
	# handshake completes.
	assert_eq "decision events for the held connections" "$((2 * k))" \
		"$(slowwait 30 held_decisions_are "$((2 * k))" "$ports")"

	text=$(rctl show conns)
	assert_match "show conns: header" "^SOURCE +DESTINATION +MODE +ACCEL +STATE +SITE +REASON" "${text%%$'\n'*}"
	assert_eq "show conns: lines" "$((2 * k + 1))" "$(count_lines "$text" '.')"
	assert_line "show conns: IPv4 line" "$CLIENT4:[0-9]+ +$SERVER4:$TCP_PORT +delayed +0 +engaged +0 +account" "$text"
	assert_line "show conns: IPv6 line" "\[$CLIENT6\]:[0-9]+ +\[$SERVER6\]:$TCP_PORT +delayed +0 +engaged +0 +account" "$text"

	log_test "show conns lists the live connections (JSON and text)"

	check conn_filters "$router" "$TMP_DIR/conns" "$k" "$ports" "$TCP_PORT" \
		"$CLIENT4" "$SERVER4" "$CLIENT6" "$SERVER6"
	touch "$TMP_DIR/release"
	stop_bg_hold
	log_test "show conns filters (src, dst, sport, dport, state, mode; AND) and count"
}

# Every connection through the router has closed: its entries are all in
# TIME_WAIT or CLOSE. Until then a late FIN or ACK, arriving after a flush,
# would come back as a new entry (conntrack picks up connections
# mid-stream) and be listed.
router_settled()
{
	! conntrack_in "$router" -L -p tcp | grep -Evq ' (TIME_WAIT|CLOSE) '
}

# flush_router: conntrack in the router empty, and staying so.
flush_router()
{
	slowwait 30 router_settled || fail "connections still closing in the router"
	conntrack_in "$router" -F >/dev/null
}

# held_decisions_are N PORTS: for slowwait, the decision events to
# $TCP_PORT from the source PORTS since $SEEN number N.
held_decisions_are()
{
	local want=$1 n=0 p

	for p in $2; do
		n=$((n + $(ev_count "$SEEN" sport="$p" dport="$TCP_PORT" event=decision)))
	done
	echo "$n"
	[ "$n" = "$want" ]
}

# The site's name goes with the connections of a site, in the dump as in
# the events, and is gone from the dump once the site is deleted (its id
# stays: that is what the connection was decided with).
test_show_conns_site()
{
	local k=3 text ports id

	rctl set mode delayed
	rctl site add clients prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed ||
		fail "site add clients"
	id=$(site_id clients)
	flush_router
	hold "$k" || { fail "held connections did not open"; log_test "show conns: site names"; return; }
	ports=$(<"$TMP_DIR/held")

	rctl -j show conns >"$TMP_DIR/conns"
	check show_conns_site "$TMP_DIR/conns" "$k" "$ports" "$TCP_PORT" "$id"
	text=$(rctl show conns)
	assert_match "show conns: header" "^SOURCE +DESTINATION +MODE +ACCEL +STATE +SITE +REASON +SITE-NAME\$" "${text%%$'\n'*}"
	assert_line "show conns: IPv4 line with the site's name" "$CLIENT4:[0-9]+ +$SERVER4:$TCP_PORT +delayed +0 +engaged +$id +site-src +clients" "$text"
	assert_line "show conns: IPv6 line with the site's name" "\[$CLIENT6\]:[0-9]+ +\[$SERVER6\]:$TCP_PORT +delayed +0 +engaged +$id +site-src +clients" "$text"

	rctl site del clients || fail "site del clients"
	rctl -j show conns >"$TMP_DIR/conns"
	check show_conns_site_del "$TMP_DIR/conns" "$k" "$ports" "$TCP_PORT" "$id"
	text=$(rctl show conns)
	assert_line "show conns: IPv4 line after site del" "$CLIENT4:[0-9]+ +$SERVER4:$TCP_PORT +delayed +0 +engaged +$id +site-src" "$text"

	touch "$TMP_DIR/release"
	stop_bg_hold
	log_test "show conns: the site's name (JSON and text), gone once the site is deleted"
}

# The holder is the last background process; the monitors stay.
stop_bg_hold()
{
	local pid=${BG_PIDS[-1]}

	wait "$pid" 2>/dev/null
	unset 'BG_PIDS[-1]'
}

test_big_dump()
{
	local m=200 want from

	flush_router
	from=$(events_lines "$EVENTS")
	# Closed connections stay in conntrack (TIME_WAIT), with their state.
	tcp_connect "$client" "$m" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "connections" "$((2 * m)) 0" "$CONN_OK $CONN_FAIL"
	# Every entry to the port is a delayed connection the module follows.
	want=$(count_lines "$(conntrack_in "$router" -L -p tcp --dport "$TCP_PORT")" "^tcp ")
	# The dump must match conntrack, whatever conntrack holds; it only
	# has to hold enough to need several messages.
	[ "$want" = "$((2 * m))" ] ||
		echo "# note: conntrack holds $want entries with our state, not $((2 * m))"
	[ "$want" -gt 300 ] || fail "only $want conntrack entries with our state"
	rctl -j show conns >"$TMP_DIR/conns"
	check big_dump "$TMP_DIR/conns" "$want"
	assert_eq "events" "$((2 * m))" \
		"$(slowwait 30 count_is "$((2 * m))" "$from" dport="$TCP_PORT" event=decision)"
	assert_eq "engaged events" "$((2 * m))" \
		"$(slowwait 30 count_is "$((2 * m))" "$from" dport="$TCP_PORT" event=engaged)"
	SEEN=$(events_lines "$EVENTS")
	log_test "a dump of $((2 * m)) connections spans several messages, each listed once"
}

test_prometheus()
{
	py_check $PYTHON "$LIB_DIR/ctl_check.py" prometheus "$router" "router's counters"
	log_test "show stats prometheus: valid exposition format, the counters of -j show stats"
}

test_monitor_exit()
{
	local rc pid

	kill -TERM "$MONITOR_PID" "$TEXT_MONITOR_PID" "${T_MONITOR_PIDS[@]}"
	wait "$MONITOR_PID"
	rc=$?
	assert_eq "monitor -j exit status on SIGTERM" 0 "$rc"
	wait "$TEXT_MONITOR_PID"
	rc=$?
	assert_eq "monitor exit status on SIGTERM" 0 "$rc"
	for pid in "${T_MONITOR_PIDS[@]}"; do
		wait "$pid"
		rc=$?
		assert_eq "monitor -t exit status on SIGTERM" 0 "$rc"
	done
	assert_eq "JSON lines are all valid" 0 "$(ev_count 0 event=nosuchevent)"
	log_test "monitor ends with status 0 on SIGTERM"

	check timestamps "$EVENTS_TEXT" "$EVENTS_TEXT_T" "$EVENTS" "$EVENTS_T" \
		"$TCP_PORT" "$START_TIME" "$(date +%s)"
	log_test "monitor -t, -j monitor --timestamp: each event with its time first"
}

cleanup()
{
	touch "$TMP_DIR/release" 2>/dev/null
	cleanup_common
}

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 11
require_module
setup_topology || topology_failed
start_server "$server" || { echo "# FAIL: server did not start"; exit $ksft_fail; }
rctl set mode delayed || { echo "# FAIL: set mode delayed"; exit $ksft_fail; }
if ! start_monitor; then
	echo "# FAIL: monitor saw no event of a probe connection"
	cat "$TMP_DIR/monitor.err"
	dump_state
	exit $ksft_fail
fi
SEEN=$(events_lines "$EVENTS")

test_account
test_sites
test_off
test_text_and_isolation
test_show_conns
test_show_conns_site
test_big_dump
test_prometheus
test_monitor_exit

ktap_finished
