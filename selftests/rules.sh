#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; stats arrays used by name
#
# Rules: evaluated on a connection's SYN, first match wins; allow leaves
# the decision to the policy, block blocks (blocked.sh has the responses),
# bypass keeps the module away from the connection.
#
#   client                 router (mode full)      server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#                                                     echo on 8080, 8081;
#                                                     echo_server on 9000
#
# 1. rule add, pos, del, flush and load: ids are kept when rules are
#    inserted before them and never reused; positions follow; show rules
#    in text and JSON, exactly.
# 1b. Payload rules and paths (sni, host, path): rule add, show rules
#    (text and JSON), rule load and rule check (the field note's
#    ordering, a shadowed rule, a clean list; active list and file).
# 2. First match wins, on traffic: "src 10.0.1.2 dport 8080 bypass" before
#    "dport 8080 block" lets IPv4 through untouched and blocks IPv6; an
#    "allow" inserted at position 1 wins over both; deleting it brings the
#    old order back. Outcomes, counters, events and per-rule hits agree;
#    hits survive inserts and deletes.
# 3. Bypass means untouched: the client gets the server's own SYN-ACK (the
#    ISN and options the server sent, captured on both sides), no
#    sequence translation all along, no helper on the conntrack entry, no
#    event, nothing in show conns; the same connection without the rule is
#    intercepted (the module's ISN), which proves the capture can tell.
# 4. Families and ports: an IPv6 source prefix, an IPv4 destination, a
#    source port range and a rule without prefixes each match exactly the
#    flows they name.
# 5. The rule list rewritten 100 times (SET_RULES, alternating two lists,
#    in one process) while a client opens connections as fast as it can
#    (8 in flight): every connection's decision names the first rule of a
#    whole list, old or new, never a rule of a half list and never "no
#    rule", and its outcome is that rule's action (allow: the response;
#    block: a reset).

source lib.sh

BIN=$LIB_DIR/../build/bench
EVENTS=$TMP_DIR/events.json
CHURN_PORT=9000

# check WHAT ARGS...: ctl_check.py's assertions WHAT, over the router.
check()
{
	local what=$1
	shift

	py_check $PYTHON "$LIB_DIR/ctl_check.py" "$what" "$router" "$@"
}

# positions DESC WANT: "POS:ID ..." of show rules is WANT.
positions()
{
	check listing rules "$1" "{pos}:{id}" "$2"
}

# rules_text: show rules up to the ACTION column.
rules_text()
{
	rctl show rules | sed -E 's/(allow|block|bypass|ACTION) +([0-9]+|HITS)  .*$/\1/'
}

test_edit()
{
	local a b c d

	a=$(rctl rule add dport 80 action block) || fail "rule add"
	b=$(rctl rule add src 10.0.1.0/24 dst 10.0.2.0/24 sport 1024-65535 action bypass) ||
		fail "rule add with every key"
	c=$(rctl rule add pos 1 dst fd00:2::/64 action allow) || fail "rule add pos 1"
	assert_eq "ids in the order of the adds" "1 2 3" "$a $b $c"
	assert_eq "show rules after pos 1" \
"POS    ID      SRC          DST          SPORT        DPORT        ACTION
1      3       any          fd00:2::/64  any          any          allow
2      1       any          any          any          80           block
3      2       10.0.1.0/24  10.0.2.0/24  1024-65535   any          bypass" "$(rules_text)"
	d=$(rctl -j rule add pos 3 sport 7 dport 8-9 action block) || fail "rule add pos 3"
	assert_eq "rule add -j" '{"id":4}' "$d"
	positions "positions and ids" "1:3 2:1 3:4 4:2"
	check rule 3 "JSON of the inserted rule" \
		'{"pos": 3, "id": 4, "family": "any", "src": null, "dst": null, "sport": "7", "dport": "8-9", "action": "block", "hits": 0, "sni": null, "host": null, "path": null}'
	check listing rules "JSON families" "{family}" "ipv6 any any ipv4"
	rctl rule del 1 || fail "rule del 1"
	positions "after del 1" "1:3 2:4 3:2"
	assert_eq "rules in show config" "rules: 3" "$(rctl show config | grep '^rules:')"
	a=$(rctl rule add action allow)
	assert_eq "an id is never reused" 5 "$a"
	rctl rule flush || fail "rule flush"
	assert_eq "flush: no rule" "" "$(rctl show rules | sed 1d)"
	assert_eq "flush: JSON" "[]" "$(rctl -j show rules)"
	printf '%s\n' "# a rule file" "dport 22 action block" "" \
		"src fd00:1::/64 action bypass   # IPv6 clients" >"$TMP_DIR/rules.txt"
	rctl rule load "$TMP_DIR/rules.txt" || fail "rule load"
	positions "load: in file order, fresh ids" "1:6 2:7"
	rctl rule load - </dev/null || fail "rule load of nothing"
	assert_eq "an empty load empties the list" "[]" "$(rctl -j show rules)"
	log_test "rule add/pos/del/flush/load: ids stable across inserts, never reused; show rules exact"
}

# Payload rules and paths: the words in, show rules (text and JSON) and
# rule load carry them; rule check finds field note 001's ordering (a plain
# bypass/path rule below a payload rule that overlaps it) and a shadowed
# rule, in the active list and in a file, and passes the list reordered;
# rule add and rule check tell of a payload rule that says bypass.
test_payload_rules()
{
	local a b c d e f g id file=$TMP_DIR/payload.txt
	local -A w

	a=$(rctl rule add dport 443 sni App.Example.COM action allow) &&
	b=$(rctl rule add dst 192.0.2.0/24 action bypass) &&
	c=$(rctl rule add host '*.example.org' path 16 action allow) &&
	d=$(rctl rule add pos 1 sport 1-1023 path 4294967295 action bypass) ||
		fail "rule add with sni, host and path"
	for id in "$a" "$b" "$c" "$d"; do
		w[$id]=$(printf '%-6s' "$id")
	done
	assert_eq "show rules with payload rules and paths" \
"POS    ID      SRC  DST           SPORT        DPORT        ACTION  HITS        PATH        MATCH
1      ${w[$d]}  any  any           1-1023       any          bypass  0           0xffffffff  -
2      ${w[$a]}  any  any           any          443          allow   0           -           sni app.example.com
3      ${w[$b]}  any  192.0.2.0/24  any          any          bypass  0           -           -
4      ${w[$c]}  any  any           any          any          allow   0           0x10        host *.example.org" \
		"$(rctl show rules)"
	check rule 2 "JSON of an sni rule" \
		"{\"pos\": 2, \"id\": $a, \"family\": \"any\", \"src\": null, \"dst\": null, \"sport\": null, \"dport\": \"443\", \"action\": \"allow\", \"hits\": 0, \"sni\": \"app.example.com\", \"host\": null, \"path\": null}"
	check rule 4 "JSON of a host rule with a path" \
		"{\"pos\": 4, \"id\": $c, \"family\": \"any\", \"src\": null, \"dst\": null, \"sport\": null, \"dport\": null, \"action\": \"allow\", \"hits\": 0, \"sni\": null, \"host\": \"*.example.org\", \"path\": 16}"
	check rule_check "rule check: a bypass below an overlapping sni rule" \
		"below-payload:$b:$a"
	e=$(rctl rule add dst 198.51.100.0/24 dport 400-500 path 0x7 action allow) &&
	f=$(rctl rule add dport 443 sni app.example.com action block) ||
		fail "rule add: a path rule and a duplicate sni rule"
	check rule_check "rule check: and a path rule below it, and a shadowed sni rule" \
		"below-payload:$b:$a below-payload:$e:$a shadowed:$f:$a"

	# The same list as a file, then reordered: payload rules last.
	rctl dump | sed -n 's/^rule add //p' >"$file"
	check rule_check "rule check FILE: line numbers" \
		"below-payload:3:2 below-payload:5:2 shadowed:6:2" "$file"
	printf '%s\n' "# payload rules last" "sport 1-1023 path 0xffffffff action bypass" \
		"dst 192.0.2.0/24 action bypass" \
		"dst 198.51.100.0/24 dport 400-500 path 7 action allow" \
		"dport 443 sni app.example.com action allow" \
		"host *.example.org path 16 action allow" >"$file"
	check rule_check "rule check FILE: reordered, clean" "" "$file"
	rctl rule load "$file" || fail "rule load with payload rules"
	check listing rules "rule load: the payload words" "{action}:{sni}:{host}:{path}" \
		"bypass:None:None:4294967295 bypass:None:None:None allow:None:None:7 allow:app.example.com:None:None allow:None:*.example.org:16"
	check rule_check "rule check: the list reordered is clean" ""
	# A payload rule that says bypass runs spliced: rule add and rule
	# check say so.
	g=$(rctl rule add dport 443 sni bypass.example action bypass 2>"$TMP_DIR/note") ||
		fail "rule add: a payload rule that says bypass"
	assert_match "rule add: a note for a payload rule that says bypass" \
		"note: rule $g is a payload rule: .* run spliced, as allowed ones, on its path \(counted in payload_bypassed\)" \
		"$(cat "$TMP_DIR/note")"
	check rule_check "rule check: a payload rule that says bypass" \
		"payload-bypass:$g:$g"
	rctl rule flush
	log_test "payload rules and paths: add/show/load carry sni, host, path; rule check finds the field note's ordering and a shadowed rule"
}

test_first_match()
{
	local -A b a
	local bypass block allow from words

	bypass=$(rctl rule add src "$CLIENT4/32" dport "$TCP_PORT" action bypass)
	block=$(rctl rule add dport "$TCP_PORT" action block)
	from=$(events_lines "$EVENTS")
	read_stats b || return
	words=$(ip netns exec "$client" $PYTHON traffic.py outcome 5 \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" "$SERVER4,8081")
	assert_match "bypass IPv4, block IPv6, 8081 untouched by both" \
		"^echo (reset|reset-connect) echo$" "$words"
	read_stats a || return
	assert_stats_moved "bypass then block" b a conn_bypassed=1 \
		blocked_handshake=1 syn_intercepted=1
	check hits "hits" "1 1" "$bypass" "$block"

	allow=$(rctl rule add pos 1 dport "$TCP_PORT" action allow)
	read_stats b || return
	words=$(ip netns exec "$client" $PYTHON traffic.py outcome 5 \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT")
	assert_eq "allow at position 1 wins" "echo echo" "$words"
	read_stats a || return
	assert_stats_moved "allow first" b a conn_bypassed=0 blocked_handshake=0 \
		syn_intercepted=2
	check hits "hits after the insert" "2 1 1" "$allow" "$bypass" "$block"
	slowwait 10 events_count_is 2 "$EVENTS" "$from" event=decision dport="$TCP_PORT" >/dev/null
	assert_eq "decision events name the allow rule" 2 \
		"$(events_count "$EVENTS" "$from" event=decision dport="$TCP_PORT" rule_id="$allow" accel=1)"

	rctl rule del "$allow" || fail "rule del"
	words=$(ip netns exec "$client" $PYTHON traffic.py outcome 5 \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT")
	assert_match "the old order is back" "^echo (reset|reset-connect)$" "$words"
	check hits "hits survive the delete" "2 2" "$bypass" "$block"
	assert_eq "no event of a bypassed connection" 0 \
		"$(events_count "$EVENTS" "$from" family=ipv4 dport="$TCP_PORT" rule_id="$bypass")"
	assert_eq "the blocked ones name their rule" 2 \
		"$(events_count "$EVENTS" "$from" event=blocked family=ipv6 rule_id="$block")"
	rctl rule flush
	log_test "first match wins: bypass before block, allow inserted first, deleted again; hits carried"
}

# synack_seq NAME: the sequence number of the first SYN-ACK in capture NAME.
synack_seq()
{
	pcap_lines "$1" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)' |
		sed -n '1s/.*Flags \[S\.\], seq \([0-9]*\),.*/\1/p'
}

# data_seqs NAME: "seq" of every segment from the server with data.
data_seqs()
{
	pcap_lines "$1" "src port $TCP_PORT and tcp[tcpflags] & tcp-push != 0" |
		sed -n 's/.*seq \([0-9:]*\),.*/\1/p' | tr '\n' ' '
}

# first_sport NAME: the client's port of the first packet in capture NAME.
first_sport()
{
	pcap_lines "$1" | sed -n '1s/^IP6\{0,1\} [0-9a-f:.]*\.\([0-9]*\) >.*/\1/p'
}

# segments NAME: every packet of capture NAME, its TCP part, sorted.
segments()
{
	pcap_lines "$1" | sed 's/.*Flags/Flags/; s/, length.*//' | LC_ALL=C sort
}

test_bypass_untouched()
{
	local out cseq sseq sport

	rctl rule add src "$CLIENT4/32" dport "$TCP_PORT" action bypass >/dev/null
	pcap_start bc "$client" c0 "tcp port $TCP_PORT"
	pcap_start bs "$server" s0 "tcp port $TCP_PORT"
	tcp_connect "$client" 1 "$SERVER4,$TCP_PORT" || fail "bypassed connection failed"
	pcap_stop bc
	pcap_stop bs
	cseq=$(synack_seq bc)
	sseq=$(synack_seq bs)
	sport=$(first_sport bc)
	assert_ne "bypass: a SYN-ACK was captured" "" "$sseq"
	assert_eq "bypass: the client gets the server's own SYN-ACK" "$sseq" "$cseq"
	if [ "$(segments bc | wc -l)" -lt 8 ]; then
		fail "bypass: too few segments captured: $(segments bc | wc -l)"
	fi
	assert_eq "bypass: every segment the same on both sides (absolute numbers, options)" \
		"$(segments bs)" "$(segments bc)"
	out=$(conntrack_in "$router" -L -p tcp --sport "$sport" --dport "$TCP_PORT")
	assert_eq "bypass: one conntrack entry" 1 "$(count_lines "$out" "dport=$TCP_PORT ")"
	assert_eq "bypass: without the module's helper" 0 "$(count_lines "$out" "helper=catoproxy")"
	check conns "bypass: nothing in show conns" 0 sport="$sport"

	# Without the rule the same connection is intercepted: the capture
	# tells the two apart.
	rctl rule flush
	pcap_start ic "$client" c0 "tcp port $TCP_PORT"
	pcap_start is "$server" s0 "tcp port $TCP_PORT"
	tcp_connect "$client" 1 "$SERVER4,$TCP_PORT" || fail "intercepted connection failed"
	pcap_stop ic
	pcap_stop is
	assert_ne "without the rule: the client's SYN-ACK is the module's" \
		"$(synack_seq is)" "$(synack_seq ic)"
	sport=$(first_sport ic)
	out=$(conntrack_in "$router" -L -p tcp --sport "$sport" --dport "$TCP_PORT")
	assert_eq "without the rule: the module's helper" 1 "$(count_lines "$out" "helper=catoproxy")"
	check conns "without the rule: listed in show conns" 1 sport="$sport"
	log_test "bypass: the server's own SYN-ACK and numbers end to end, no helper, no listing"
}

test_families_ports()
{
	local words

	# In order: what each should decide for the probes below.
	rctl rule add src fd00:1::/64 dport 8081 action block >/dev/null &&
	rctl rule add dst "$SERVER4/32" dport 8081 sport 1-1023 action block >/dev/null &&
	rctl rule add dst "$SERVER4/32" dport 8081 sport 1024-65535 action bypass >/dev/null &&
	rctl rule add dport "$TCP_PORT" action block >/dev/null ||
		fail "rules for families and ports"
	words=$(ip netns exec "$client" $PYTHON traffic.py outcome 5 \
		"$SERVER6,8081" "$SERVER4,8081" "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT")
	assert_match "v6 source blocks 8081 v6; v4 ephemeral port bypasses; the catch-all blocks both families" \
		"^(reset|reset-connect) echo (reset|reset-connect) (reset|reset-connect)$" "$words"
	check listing rules "hits" "{hits}" "1 0 1 2"
	rctl rule flush
	log_test "families and ports: IPv6 source, IPv4 destination, source port ranges, a rule for both families"
}

# The two lists the churn alternates. For the client (10.0.1.2) the first
# rule decides; the second decides only for a list that lost its first.
LIST_A="allow:src=$CLIENT4/32:dport=$CHURN_PORT;block:dport=$CHURN_PORT"
LIST_B="block:src=$CLIENT4/32:dport=$CHURN_PORT;allow:dport=$CHURN_PORT"

test_churn()
{
	local versions=$TMP_DIR/versions.json conns=$TMP_DIR/conns.txt rpid from nconn

	rctl rule flush
	ip netns exec "$server" "$BIN/echo_server" "$CHURN_PORT" &
	BG_PIDS+=($!)
	busywait "$BUSYWAIT_TIMEOUT" listening "$server" "$CHURN_PORT" ||
		fail "echo_server does not listen"
	ip netns exec "$router" $PYTHON genl.py rewrite 1 0 "$LIST_A" "$LIST_B" \
		>"$versions" || fail "the first list"
	from=$(events_lines "$EVENTS")

	# The client runs as long as the rewrites do, and a little before
	# and after, so that every version of the list sees connections.
	ip netns exec "$client" "$BIN/connrate" -d 600 -c 8 -T 5000 \
		-l "$conns" "$SERVER4" "$CHURN_PORT" >"$TMP_DIR/connrate.out" &
	rpid=$!
	slowwait 10 test -s "$conns"
	ip netns exec "$router" $PYTHON genl.py rewrite 100 40 "$LIST_A" "$LIST_B" \
		>>"$versions" || fail "genl.py rewrite"
	sleep 0.5
	kill -INT "$rpid" 2>/dev/null
	wait "$rpid"
	# The last events may still be on their way to the monitor.
	slowwait 10 test "$(wc -l <"$EVENTS")" -gt 0
	sleep 1
	echo "# connrate: $(cat "$TMP_DIR/connrate.out")"
	py_check $PYTHON "$LIB_DIR/rules_check.py" churn "$versions" "$conns" "$EVENTS" \
		"$CHURN_PORT" "$from" 101
	nconn=$(wc -l <"$conns")
	log_test "100 rewrites under $(awk -v n="$nconn" '{ for (i = 1; i <= NF; i++) if ($i ~ /^secs=/) { split($i, a, "="); printf "%.0f", n / a[2] } }' "$TMP_DIR/connrate.out") connections/s: each decided by a whole list"
}

trap cleanup EXIT
checktool "tcpdump --version" "run test without tcpdump"
for p in echo_server connrate; do
	if [ ! -x "$BIN/$p" ]; then
		echo "# FAIL: $BIN/$p missing (make -C selftests/bench)"
		exit $ksft_fail
	fi
done

ktap_print_header
ktap_set_plan 6
require_module
{ setup_topology && start_server "$server" "$TCP_PORT" 8081; } || topology_failed
monitor_start "$EVENTS"
slowwait 20 monitor_probe "$EVENTS" "$SERVER4,8081" ||
	echo "# the monitor has not joined: event checks will fail"

test_edit
test_payload_rules
test_first_match
test_bypass_untouched
test_families_ports
test_churn

ktap_finished
