#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154,SC2034 # client, router, server: set by setup_topology; S0/S1 used by name
#
# Scanner correctness: what nmap and hping3 see of three targets behind
# the router in each mode.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#                                 |                   listens on 8080
#                                 +- neighbour 10.0.2.99 / fd00:2::99
#                                    lladdr 02:00:00:00:00:99 (no such host)
#
# Targets: the live port (server 8080), a closed port on the live server
# (7: the server's RST) and the live port of an address where no host
# exists (the SYN goes out of r1 and nothing answers). For each mode off,
# full, delayed and adaptive, in that order:
#
#   nmap -sS and nmap -sT (IPv4 and IPv6, -Pn -n, both hosts and both ports
#   in one run), hping3 -S (IPv4; hping3 has no IPv6) per target.
#
# off is the baseline: what scanners see without the module (open, closed,
# filtered). delayed and adaptive must show exactly the same; full shows
# every port open, the dead host's too (its documented behaviour: the
# router answers the SYN before the server could). Then the counters and
# the events of the mode's scans must agree with what the scanners saw:
# off: no event, nothing tracked. full: every decision accel 1, nothing
# ever spliced to the dead host. delayed: no SYN intercepted, every
# decision accel 0 in state waiting, engaged events exactly for the live
# port (one per connection to it, = delayed_engaged), none for the closed
# port or the dead host. adaptive: the first scan of each family finds the
# cache empty and runs delayed, its SYN-ACK teaches the cache the live
# ip:port (adaptive_learned 2), the later scans' connections to it are
# intercepted (accel 1, spliced, = syn_intercepted = adaptive_full) and the
# closed port and the dead host never are; the cache ends with exactly the
# 2 live services (adaptive_entries).

source lib.sh

LIVE_PORT=$TCP_PORT
CLOSED_PORT=7
EVENTS=$TMP_DIR/events.json
HAVE_HPING=0
declare -A S0 S1

# sorted WORD...: the words sorted (C order), space separated.
sorted()
{
	printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# nmap_scan TYPE FAMILY: "nmap -sTYPE" from the client over the live server
# and the dead host of FAMILY (4 or 6), ports CLOSED_PORT and LIVE_PORT;
# prints "HOST,PORT=STATE ..." sorted, or "nmap: OUTPUT" when it found
# nothing to report.
nmap_scan()
{
	local type=$1 six=() hosts out line host p st res=()
	local -a ports

	if [ "$2" = 6 ]; then
		six=(-6)
		hosts=("$SERVER6" "$NOHOST6")
	else
		hosts=("$SERVER4" "$NOHOST4")
	fi
	# Two tries, at most a second each: a filtered port costs about 2 s.
	out=$(ip netns exec "$client" nmap "${six[@]}" -s"$type" -n -Pn \
		--max-retries 1 --initial-rtt-timeout 500ms --max-rtt-timeout 1000ms \
		-p "$CLOSED_PORT,$LIVE_PORT" -oG - "${hosts[@]}" 2>&1)
	while IFS= read -r line; do
		[[ $line =~ ^Host:\ ([^ ]+)\ .*Ports:\ (.*)$ ]] || continue
		host=${BASH_REMATCH[1]}
		IFS=, read -ra ports <<<"${BASH_REMATCH[2]}"
		for p in "${ports[@]}"; do
			p=${p# }
			st=${p#*/}
			res+=("$host,${p%%/*}=${st%%/*}")
		done
	done <<<"$out"
	if [ ${#res[@]} -eq 0 ]; then
		echo "nmap: $(printf '%s' "$out" | tr '\n' ' ' | head -c 400)"
		return
	fi
	sorted "${res[@]}"
}

# expect FAMILY LIVE CLOSED DEAD: the sorted nmap_scan line for these states
# (DEAD: both ports of the dead host).
expect()
{
	local srv=$SERVER4 dead=$NOHOST4

	if [ "$1" = 6 ]; then
		srv=$SERVER6 dead=$NOHOST6
	fi
	sorted "$srv,$LIVE_PORT=$2" "$srv,$CLOSED_PORT=$3" \
		"$dead,$LIVE_PORT=$4" "$dead,$CLOSED_PORT=$4"
}

# hping_state HOST PORT: what one hping3 -S probe says: open (SYN-ACK),
# closed (RST) or filtered (nothing).
hping_state()
{
	local out

	out=$(ip netns exec "$client" hping3 -S -p "$2" -c 1 "$1" 2>&1)
	if [[ $out =~ flags=([A-Z]+) ]]; then
		case ${BASH_REMATCH[1]} in
		SA) echo open ;;
		*R*) echo closed ;;
		*) echo "flags=${BASH_REMATCH[1]}" ;;
		esac
	elif [[ $out == *" 0 packets received"* ]]; then
		echo filtered
	else
		echo "hping3: $(printf '%s' "$out" | tr '\n' ' ' | head -c 300)"
	fi
}

# Baseline of the off mode's run, per scanner: what the others must match.
declare -A BASELINE

test_nmap()
{
	local mode=$1 type fam got want

	for type in S T; do
		for fam in 4 6; do
			got=$(nmap_scan $type $fam)
			case $mode in
			off)
				want=$(expect $fam open closed filtered)
				BASELINE[$type$fam]=$got
				;;
			full)
				want=$(expect $fam open open open)
				# -sT: the server's RST follows the module's
				# SYN-ACK at once and may reach the socket
				# before nmap looks at it.
				if [ $type = T ]; then
					got=${got//=closed/=open}
				fi
				;;
			*)
				want=$(expect $fam open closed filtered)
				assert_eq "mode $mode: nmap -s$type IPv$fam is what it is without the module" \
					"${BASELINE[$type$fam]}" "$got"
				;;
			esac
			assert_eq "mode $mode: nmap -s$type IPv$fam" "$want" "$got"
		done
	done
	log_test "mode $mode: nmap -sS and -sT, IPv4 and IPv6: live port, closed port, dead host"
}

test_hping()
{
	local mode=$1 got want

	if [ "$HAVE_HPING" = 0 ]; then
		ktap_test_skip "mode $mode: hping3 -S (hping3 not installed)"
		return
	fi
	got="$(hping_state "$SERVER4" "$LIVE_PORT") $(hping_state "$SERVER4" "$CLOSED_PORT") $(hping_state "$NOHOST4" "$LIVE_PORT")"
	case $mode in
	full) want="open open open" ;;
	*) want="open closed filtered" ;;
	esac
	assert_eq "mode $mode: hping3 -S live, closed, dead" "$want" "$got"
	[ "$mode" = off ] && BASELINE[hping]=$got
	[ "$mode" = off ] || [ "$mode" = full ] ||
		assert_eq "mode $mode: hping3 is what it is without the module" "${BASELINE[hping]}" "$got"
	log_test "mode $mode: hping3 -S: live port, closed port, dead host"
}

# all_resolved: every intercepted SYN's server half ended one way or another.
all_resolved()
{
	local -A s

	read_stats s 2>/dev/null || return 1
	[ "${s[syn_intercepted]:-0}" -le $((${s[server_open_ok]:-0} + ${s[server_open_failed]:-0} + ${s[server_timeout]:-0})) ]
}

# ev FILTER...: events of the current mode's scans matching FILTER.
ev()
{
	events_count "$EVENTS" "$FROM" "$@"
}

# A scan leaves connections whose events may still come (engaged, spliced):
# wait until the counters agree with the events before comparing.
counted_events()
{
	local -A s
	local n

	read_stats s 2>/dev/null || return 1
	n=$(ev event=engaged)
	echo "engaged events $n, delayed_engaged $((s[delayed_engaged] - S0[delayed_engaged]))"
	[ "$n" = $((s[delayed_engaged] - S0[delayed_engaged])) ]
}

test_counters()
{
	local mode=$1 n dec acc0 acc1 eng

	slowwait 20 counted_events >/dev/null
	[ "$mode" = full ] && slowwait 20 all_resolved >/dev/null
	read_stats S1
	dec=$(ev event=decision)
	acc0=$(ev event=decision accel=0)
	acc1=$(ev event=decision accel=1)
	eng=$(ev event=engaged)
	echo "# mode $mode: decisions $dec (accel 0: $acc0, accel 1: $acc1), engaged $eng"
	events_summary "$EVENTS" "$FROM" event mode accel state daddr dport | sed 's/^/#   /'
	case $mode in
	off)
		assert_eq "mode off: events" 0 "$(ev)"
		assert_stats_moved "mode off" S0 S1 conn_tracked=0 syn_intercepted=0 \
			delayed_engaged=0 adaptive_full=0 adaptive_delayed=0 conn_off=+8
		;;
	full)
		# Not intercepted: only segments that come after a failed
		# open's entry is gone, which conntrack picks up mid-stream.
		assert_eq "mode full: decisions with accel 0 not picked up mid-stream" 0 \
			"$((acc0 - $(ev event=decision accel=0 state=pass)))"
		[ "$acc1" -ge 19 ] || fail "mode full: $acc1 decisions, fewer than the 19 probes"
		assert_eq "mode full: accel 1 decisions not in mode full, state opening" 0 \
			"$((acc1 - $(ev event=decision accel=1 mode=full state=opening)))"
		assert_eq "mode full: decisions to the dead host not intercepted" 0 \
			"$(($(ev event=decision accel=0 daddr="$NOHOST4") + $(ev event=decision accel=0 daddr="$NOHOST6")))"
		assert_eq "mode full: spliced to the dead host" 0 \
			"$(($(ev event=spliced daddr="$NOHOST4") + $(ev event=spliced daddr="$NOHOST6")))"
		assert_eq "mode full: engaged events" 0 "$eng"
		assert_stats_moved "mode full" S0 S1 syn_intercepted="+$acc1" \
			delayed_engaged=0 adaptive_full=0 adaptive_delayed=0
		n=$((S1[syn_intercepted] - S0[syn_intercepted]))
		assert_eq "mode full: syn_intercepted = decisions" "$acc1" "$n"
		;;
	delayed | adaptive)
		assert_ne "mode $mode: decisions" 0 "$dec"
		assert_eq "mode $mode: decisions in mode $mode" "$dec" \
			"$(ev event=decision mode="$mode")"
		# engaged: exactly the live port, at least once per scanner run
		py_check $PYTHON "$LIB_DIR/modes_check.py" engaged_live "$EVENTS" "$FROM" \
			"$mode" "$SERVER4,$LIVE_PORT" "$SERVER6,$LIVE_PORT"
		assert_stats_moved "mode $mode" S0 S1 delayed_engaged="$eng" \
			adaptive_forgotten=0 server_open_failed=0 server_timeout=0
		;;
	esac
	case $mode in
	delayed)
		assert_eq "mode delayed: decisions with accel 1" 0 "$acc1"
		assert_eq "mode delayed: decisions in state waiting" "$dec" \
			"$(ev event=decision state=waiting accel=0)"
		# 2 nmap runs per family and one hping3 reach the live port
		[ "$eng" -ge $((HAVE_HPING + 4)) ] ||
			fail "mode delayed: $eng engaged events, fewer than the $((HAVE_HPING + 4)) live-port probes"
		assert_stats_moved "mode delayed" S0 S1 syn_intercepted=0 \
			adaptive_full=0 adaptive_delayed=0 conn_delayed="$dec"
		;;
	adaptive)
		# accel 1 exactly for the live ports, every one spliced
		assert_eq "mode adaptive: accel 1 decisions to the live ports" "$acc1" \
			"$(($(ev event=decision accel=1 daddr="$SERVER4" dport="$LIVE_PORT") + $(ev event=decision accel=1 daddr="$SERVER6" dport="$LIVE_PORT")))"
		# nmap -sS learns each family's live port; -sT and hping3 are
		# then intercepted
		[ "$acc1" -ge $((HAVE_HPING + 2)) ] ||
			fail "mode adaptive: $acc1 intercepted, fewer than the $((HAVE_HPING + 2)) probes after learning"
		# hping3's SYN-ACK is answered by the client's kernel with an
		# RST: that one is never spliced
		assert_eq "mode adaptive: spliced = intercepted by nmap -sT" \
			$((acc1 - HAVE_HPING)) "$(ev event=spliced mode=adaptive accel=1)"
		assert_eq "mode adaptive: accel 0 decisions in state waiting" "$acc0" \
			"$(ev event=decision accel=0 state=waiting)"
		assert_eq "mode adaptive: engaged (the first connection per family)" 2 "$eng"
		assert_stats_moved "mode adaptive" S0 S1 syn_intercepted="$acc1" \
			adaptive_full="$acc1" adaptive_delayed="$acc0" conn_adaptive="$dec" \
			adaptive_learned=2 adaptive_evicted=0
		assert_eq "mode adaptive: adaptive_entries (the 2 live services)" 2 "${S1[adaptive_entries]}"
		;;
	esac
	log_test "mode $mode: counters and events agree with what the scanners saw"
}

run_mode()
{
	local mode=$1

	rctl set mode "$mode" || fail "set mode $mode"
	FROM=$(events_lines "$EVENTS")
	read_stats S0
	test_nmap "$mode"
	test_hping "$mode"
	test_counters "$mode"
}

trap cleanup EXIT
checktool "nmap --version" "run test without nmap"
checktool "conntrack --version" "run test without conntrack"
checktool "$PYTHON -c pass" "run python3"
command -v hping3 >/dev/null && HAVE_HPING=1

ktap_print_header
ktap_set_plan 12
require_module
{ setup_topology && setup_nohost; } || topology_failed
start_server "$server" "$LIVE_PORT" || { echo "# FAIL: server did not start"; exit $ksft_fail; }
# Mode off is decided (conn_off) by a running module.
keep_hooked "$router" || { echo "# FAIL: keep_hooked"; exit $ksft_fail; }
# Full mode's half-open connections to the dead host end quickly.
rctl set mode full server-timeout 1000 || { echo "# FAIL: set"; exit $ksft_fail; }
monitor_start "$EVENTS"
if ! slowwait 60 monitor_probe "$EVENTS" "$SERVER4,$LIVE_PORT"; then
	echo "# FAIL: the monitor saw no event of a probe connection"
	dump_state
	exit $ksft_fail
fi
slowwait 20 all_resolved >/dev/null

for m in off full delayed adaptive; do
	run_mode $m
done

ktap_finished
