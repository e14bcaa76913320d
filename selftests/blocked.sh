#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; stats arrays used by name
#
# Blocked connections: the handshake and its block response (an HTTP 403
# page, or a reset), and drop-first-SYN. Nothing of a blocked connection
# may ever reach the destination.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#                           rules:                    listens on 80, 22,
#                             1 dst 10.0.2.2/32  dport 80  block   8080, 8081
#                             2 dst fd00:2::2/128 dport 80 block   tcpdump on s0
#                             3 dport 22 block                     from start
#                             4 dport 8081 block                   to end
#
# 1. blocked-syn handshake, in each mode (off, full, delayed, adaptive):
#    curl to port 80 gets "403 Forbidden" and the default page, IPv4 and
#    IPv6; a connection to port 22 is reset once connected; port 8080,
#    which no rule blocks, works. Counters: 4 handshakes, 2 pages, 2 to 4
#    resets (the client may send before the reset arrives) per mode.
# 2. The same at packet level, captured on c0: to 22, SYN, SYN-ACK, ACK,
#    RST and nothing else (the reset counter moved by exactly the resets
#    seen); to 80, the request, the page with a FIN, and a close without
#    any reset.
# 3. block-page FILE of 4096 bytes, block-page-ports 8081, links of MTU
#    1280: the page takes four segments; the first of each connection is
#    dropped on c0 (nft), and the client gets every byte anyway (compared
#    with the file), by sending its request again (pages sent: at least 2
#    per connection). Port 80 is no longer a page port: reset.
# 4. nmap -sS: a blocked port is open with handshake, IPv4 and IPv6.
# 5. blocked-syn drop: connections to 80 and 22 time out; the capture on c0
#    holds the client's SYNs (retransmissions included) and nothing else;
#    blocked_syn_dropped counts each of them, and each has a blocked event
#    with accel 0 and its rule; nmap -sS finds both ports filtered.
# 6. Events of blocked handshakes: one blocked event per SYN with the rule
#    that matched, accel 1, and no decision event; neither conntrack nor
#    "show conns" holds anything of a blocked connection.
# 7. The server's capture: not one packet to or from ports 80, 22 or 8081,
#    while the connections to 8080 are all in it.

source lib.sh

PAGE_PORT=80
RESET_PORT=22
OPEN_PORT=$TCP_PORT
PAGE2_PORT=8081
EVENTS=$TMP_DIR/events.json

setup()
{
	setup_topology || return 1
	start_server "$server" "$PAGE_PORT" "$RESET_PORT" "$OPEN_PORT" "$PAGE2_PORT" ||
		return 1
	rctl rule add dst "$SERVER4/32" dport "$PAGE_PORT" action block >/dev/null &&
	rctl rule add dst "$SERVER6/128" dport "$PAGE_PORT" action block >/dev/null &&
	rctl rule add dport "$RESET_PORT" action block >/dev/null &&
	rctl rule add dport "$PAGE2_PORT" action block >/dev/null || return 1
	pcap_start server "$server" s0 \
		"tcp port $PAGE_PORT or tcp port $RESET_PORT or tcp port $PAGE2_PORT or tcp port $OPEN_PORT"
}

# url HOST PORT
url()
{
	case $1 in
	*:*) echo "http://[$1]:$2/" ;;
	*) echo "http://$1:$2/" ;;
	esac
}

# get NAME HOST PORT: curl from the client; headers and body in
# $TMP_DIR/NAME.{hdr,body}; prints the HTTP status (000 without one).
get()
{
	ip netns exec "$client" curl -sS -m 15 -D "$TMP_DIR/$1.hdr" \
		-o "$TMP_DIR/$1.body" -w '%{http_code}' "$(url "$2" "$3")" \
		2>"$TMP_DIR/$1.err"
}

# outcome HOST,PORT...: what each connection came to (traffic.py outcome).
outcome()
{
	ip netns exec "$client" $PYTHON traffic.py outcome 5 "$@"
}

# check_page NAME: the answer was the 403 with the current block page.
check_page()
{
	local name=$1 want_len

	ctl_in "$router" show block-page >"$TMP_DIR/page.want"
	want_len=$(stat -c %s "$TMP_DIR/page.want")
	assert_eq "$name: status line" "HTTP/1.1 403 Forbidden" \
		"$(head -n 1 "$TMP_DIR/$name.hdr" | tr -d '\r')"
	assert_line "$name: Content-Length" "Content-Length: $want_len" \
		"$(tr -d '\r' <"$TMP_DIR/$name.hdr")"
	assert_line "$name: Connection" "Connection: close" \
		"$(tr -d '\r' <"$TMP_DIR/$name.hdr")"
	if ! cmp -s "$TMP_DIR/page.want" "$TMP_DIR/$name.body"; then
		fail "$name: the body is not the block page ($(stat -c %s "$TMP_DIR/$name.body") bytes, want $want_len)"
	fi
}

test_modes()
{
	local mode code words
	local -A b a

	for mode in off full delayed adaptive; do
		rctl set mode "$mode" || fail "set mode $mode"
		read_stats b || return
		code=$(get "page4-$mode" "$SERVER4" "$PAGE_PORT")
		assert_eq "mode $mode: curl IPv4 port $PAGE_PORT status" 403 "$code"
		[ "$code" = 403 ] && check_page "page4-$mode"
		code=$(get "page6-$mode" "$SERVER6" "$PAGE_PORT")
		assert_eq "mode $mode: curl IPv6 port $PAGE_PORT status" 403 "$code"
		[ "$code" = 403 ] && check_page "page6-$mode"
		words=$(outcome "$SERVER4,$RESET_PORT" "$SERVER6,$RESET_PORT" \
			"$SERVER4,$OPEN_PORT" "$SERVER6,$OPEN_PORT")
		assert_match "mode $mode: port $RESET_PORT reset, port $OPEN_PORT echoes" \
			"^(reset|reset-connect) (reset|reset-connect) echo echo$" "$words"
		read_stats a || return
		assert_stats_moved "mode $mode" b a blocked_handshake=4 \
			blocked_page_sent=2 blocked_reset_sent=+2 \
			blocked_reset_sent=-4 blocked_syn_dropped=0
	done
	log_test "blocked-syn handshake in off, full, delayed, adaptive: 403 page on $PAGE_PORT, reset on $RESET_PORT, IPv4 and IPv6"
}

test_packets()
{
	local -A b a
	local flags words

	rctl set mode full || fail "set mode full"
	read_stats b || return
	pcap_start reset "$client" c0 "tcp port $RESET_PORT"
	words=$(outcome "$SERVER4,$RESET_PORT")
	pcap_stop reset
	assert_match "port $RESET_PORT: outcome" "^(reset|reset-connect)$" "$words"
	flags=$(pcap_flags reset)
	# The client may get its line out before the reset lands: then that
	# segment is reset too, one reset per segment.
	assert_match "port $RESET_PORT: SYN, SYN-ACK, ACK, then only resets" \
		"^S <S\. \.( P\.)?( <R)+$" "$flags"
	assert_eq "port $RESET_PORT: a reset per segment of the client" \
		"$(count_lines "${flags// /$'\n'}" '^(\.|P\.)$')" \
		"$(count_lines "${flags// /$'\n'}" '^<R$')"
	read_stats a || return
	assert_stats_moved "port $RESET_PORT" b a \
		blocked_reset_sent="$(count_lines "${flags// /$'\n'}" '^<R$')" \
		blocked_handshake=1

	read_stats b || return
	pcap_start page "$client" c0 "tcp port $PAGE_PORT"
	get page6-packets "$SERVER6" "$PAGE_PORT" >/dev/null
	pcap_stop page
	check_page page6-packets
	flags=$(pcap_flags page)
	# The handshake, the request, the page ending with the FIN, the
	# client's acknowledgment of all of it (which the module answers by
	# acknowledging the request), and the client's close, the two last
	# in one segment when the client closes at once.
	assert_match "port $PAGE_PORT: handshake, request, page and FIN, close" \
		"^S <S\. \. P\. <FP\. (\. <\. )?F\. <\.$" "$flags"
	assert_nomatch "port $PAGE_PORT: no reset" "R" "$flags"
	read_stats a || return
	assert_stats_moved "port $PAGE_PORT" b a blocked_handshake=1 \
		blocked_page_sent=1 blocked_reset_sent=0 blocked_dropped=0
	log_test "packets: $RESET_PORT is SYN, SYN-ACK, ACK, RST; $PAGE_PORT closes cleanly after the page"
}

test_page_file()
{
	local -A b a
	local code words i line abc=ABCDEFGHIJKLMNOPQRSTUVWXYZ

	# 64 lines of 64 bytes: AAA...A, BBB...B, ...
	for ((i = 0; i < 64; i++)); do
		printf -v line '%63s' ''
		printf '%s\n' "${line// /${abc:i % 26:1}}"
	done >"$TMP_DIR/page.in"
	assert_eq "the page file" 4096 "$(stat -c %s "$TMP_DIR/page.in")"
	rctl set block-page "$TMP_DIR/page.in" block-page-ports "$PAGE2_PORT" ||
		fail "set block-page FILE block-page-ports $PAGE2_PORT"
	assert_eq "show config" "block-page-ports: $PAGE2_PORT
block-page: 4096 bytes" "$(rctl show config | grep '^block-page')"
	assert_eq "show block-page gives the file back" \
		"$(sha256sum <"$TMP_DIR/page.in")" "$(rctl show block-page | sha256sum)"
	ip -n "$client" link set c0 mtu 1280 || fail "mtu 1280 on c0"
	ip -n "$router" link set r0 mtu 1280 || fail "mtu 1280 on r0"
	drop_first "$client" c0 dropone "tcp sport $PAGE2_PORT tcp flags & psh == psh" "tcp dport" ||
		fail "nft: drop the first segment of each response"
	read_stats b || return
	code=$(get big4 "$SERVER4" "$PAGE2_PORT")
	assert_eq "4096-byte page, IPv4: status" 403 "$code"
	[ "$code" = 403 ] && check_page big4
	code=$(get big6 "$SERVER6" "$PAGE2_PORT")
	assert_eq "4096-byte page, IPv6: status" 403 "$code"
	[ "$code" = 403 ] && check_page big6
	assert_eq "the first segment of each response was dropped" 2 \
		"$(nft_counter "$client" netdev dropone)"
	read_stats a || return
	# Twice each, or more if the client sent its request again before
	# the answer to its first copy arrived.
	assert_stats_moved "4096-byte page" b a blocked_handshake=2 \
		blocked_page_sent=+4 blocked_reset_sent=0
	words=$(outcome "$SERVER4,$PAGE_PORT")
	assert_match "port $PAGE_PORT is no longer a page port" \
		"^(reset|reset-connect)$" "$words"
	drop_first_del "$client" dropone
	ip -n "$client" link set c0 mtu 1500
	ip -n "$router" link set r0 mtu 1500
	log_test "block-page FILE of 4096 bytes on port $PAGE2_PORT, MTU 1280, first segment lost: every byte arrives"
}

# nmap_states FAMILY: "PORT=STATE ..." for ports PAGE, RESET and OPEN.
nmap_states()
{
	local six=() host=$SERVER4 out

	if [ "$1" = 6 ]; then
		six=(-6)
		host=$SERVER6
	fi
	out=$(ip netns exec "$client" nmap "${six[@]}" -sS -n -Pn --max-retries 1 \
		--initial-rtt-timeout 500ms --max-rtt-timeout 1000ms \
		-p "$PAGE_PORT,$RESET_PORT,$OPEN_PORT" "$host" 2>&1)
	sed -n 's#^\([0-9]*\)/tcp *\([a-z|]*\) .*#\1=\2#p' <<<"$out" | LC_ALL=C sort -n |
		tr '\n' ' ' | sed 's/ $//'
}

test_nmap_handshake()
{
	local fam

	for fam in 4 6; do
		assert_eq "nmap -sS IPv$fam, blocked-syn handshake" \
			"$RESET_PORT=open $PAGE_PORT=open $OPEN_PORT=open" \
			"$(nmap_states $fam)"
	done
	log_test "nmap -sS: blocked ports are open with blocked-syn handshake"
}

test_drop()
{
	local -A b a
	local words syns from fam

	rctl set blocked-syn drop || fail "set blocked-syn drop"
	from=$(events_lines "$EVENTS")
	read_stats b || return
	pcap_start drop "$client" c0 "tcp port $PAGE_PORT or tcp port $RESET_PORT"
	words=$(ip netns exec "$client" $PYTHON traffic.py outcome 3.5 \
		"$SERVER4,$PAGE_PORT" "$SERVER6,$RESET_PORT")
	pcap_stop drop
	assert_eq "drop: both connections time out" "timeout-connect timeout-connect" "$words"
	syns=$(pcap_count drop)
	assert_match "drop: the client's packets are SYNs only" "^S( S)*$" \
		"$(pcap_flags drop)"
	assert_eq "drop: nothing came back" 0 \
		"$(pcap_count drop "src host $SERVER4 or src host $SERVER6")"
	if [ "$syns" -lt 4 ]; then
		fail "drop: $syns SYNs captured, expected retransmissions (at least 4)"
	fi
	read_stats a || return
	assert_stats_moved "drop" b a blocked_syn_dropped="$syns" \
		blocked_handshake=0 blocked_page_sent=0 blocked_reset_sent=0
	slowwait 10 events_count_is "$syns" "$EVENTS" "$from" event=blocked >/dev/null
	assert_eq "drop: one blocked event per SYN, accel 0" "$syns" \
		"$(events_count "$EVENTS" "$from" event=blocked accel=0 state=blocked)"
	assert_eq "drop: the events name the rules" "$syns" \
		"$(($(events_count "$EVENTS" "$from" event=blocked rule_id=1 dport=$PAGE_PORT) +
		    $(events_count "$EVENTS" "$from" event=blocked rule_id=3 dport=$RESET_PORT family=ipv6)))"
	for fam in 4 6; do
		assert_eq "nmap -sS IPv$fam, blocked-syn drop" \
			"$RESET_PORT=filtered $PAGE_PORT=filtered $OPEN_PORT=open" \
			"$(nmap_states $fam)"
	done
	rctl set blocked-syn handshake || fail "set blocked-syn handshake"
	log_test "blocked-syn drop: SYNs and retransmissions dropped unanswered and counted; nmap sees filtered"
}

test_events()
{
	local from out

	from=$(events_lines "$EVENTS")
	get ev4 "$SERVER4" "$PAGE2_PORT" >/dev/null
	outcome "$SERVER6,$RESET_PORT" >/dev/null
	tcp_connect "$client" 1 "$SERVER4,$OPEN_PORT" ||
		fail "events: the allowed connection failed"
	slowwait 10 events_count_is 1 "$EVENTS" "$from" event=decision >/dev/null
	assert_eq "events: blocked, accel 1, rule 4" 1 \
		"$(events_count "$EVENTS" "$from" event=blocked accel=1 rule_id=4 dport=$PAGE2_PORT state=blocked)"
	assert_eq "events: blocked, accel 1, rule 3, IPv6" 1 \
		"$(events_count "$EVENTS" "$from" event=blocked accel=1 rule_id=3 dport=$RESET_PORT family=ipv6)"
	assert_eq "events: no decision for a blocked connection" 0 \
		"$(($(events_count "$EVENTS" "$from" event=decision dport=$PAGE2_PORT) +
		    $(events_count "$EVENTS" "$from" event=decision dport=$RESET_PORT)))"
	assert_eq "events: the allowed connection's decision names no rule" 1 \
		"$(events_count "$EVENTS" "$from" event=decision dport=$OPEN_PORT rule_id=0)"
	assert_eq "events: nothing else of the blocked connections" 2 \
		"$(($(events_count "$EVENTS" "$from" dport=$PAGE2_PORT) +
		    $(events_count "$EVENTS" "$from" dport=$RESET_PORT)))"
	out=$(conntrack_in "$router" -L)
	assert_eq "conntrack: no entry of a blocked connection" 0 \
		"$(count_lines "$out" "dport=($PAGE_PORT|$RESET_PORT|$PAGE2_PORT) ")"
	py_check $PYTHON "$LIB_DIR/ctl_check.py" conns "$router" "show conns: no blocked connection" 0 \
		dport="$PAGE_PORT,$RESET_PORT,$PAGE2_PORT"
	log_test "events: one blocked event per SYN with its rule, no decision; no conntrack entry, nothing in show conns"
}

test_server_saw_nothing()
{
	pcap_stop server
	assert_eq "server capture: packets of blocked ports" 0 \
		"$(pcap_count server "tcp port $PAGE_PORT or tcp port $RESET_PORT or tcp port $PAGE2_PORT")"
	if [ "$(pcap_count server "tcp port $OPEN_PORT")" -lt 40 ]; then
		fail "server capture: the allowed connections to $OPEN_PORT are missing: $(pcap_count server "tcp port $OPEN_PORT") packets"
	fi
	log_test "the server saw not one packet of a blocked connection, in every mode"
}

trap cleanup EXIT
checktool "curl --version" "run test without curl"
checktool "tcpdump --version" "run test without tcpdump"
checktool "nmap --version" "run test without nmap"
checktool "nft --version" "run test without nft"

ktap_print_header
ktap_set_plan 7
require_module
setup || topology_failed
monitor_start "$EVENTS"
slowwait 20 monitor_probe "$EVENTS" "$SERVER4,$OPEN_PORT" ||
	echo "# the monitor has not joined: event checks will fail"

test_modes
test_packets
test_page_file
test_nmap_handshake
test_drop
test_events
test_server_saw_nothing

ktap_finished
