#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# Loading and unloading catoproxy.ko, idle and under traffic.
#
#   client                 router                  server
#  c0: 10.0.1.2/24  --- r0: 10.0.1.1/24
#      fd00:1::2/64         fd00:1::1/64
#                           r1: 10.0.2.1/24  ---  s0: 10.0.2.2/24
#                               fd00:2::1/64          fd00:2::2/64
#
# 1. 20 insmod/rmmod cycles without traffic.
# 2. With the module loaded in delayed mode (connections tracked, not
#    intercepted), the client opens 4 long-lived IPv4 and 4 IPv6
#    connections through the router (followed: listed by show conns, with
#    no conntrack helper) and keeps opening short ones; 20 rmmod/insmod
#    cycles run under that traffic, each waiting for connections to go
#    through in both states. No connection may fail, the long-lived ones
#    survive every unload, and forwarding works with the module gone.
# 3. In full mode, unloading resets both ends of every joined connection
#    whose timestamps the module translates (they cannot outlive it) and
#    the client of every connection still opening (2 per family, to a
#    server that drops SYNs: the kernel log counts 4), and forwarding goes
#    on for new connections. The router masquerades toward the server: the
#    server's end must be reset by the address and port it knows the
#    connection by (none of its connections stays established). None of
#    the resets leaves from inside conntrack's table walk, under its
#    bucket locks (the function-graph tracer: no ip_local_out() or
#    ip6_local_out() inside nf_ct_iterate_destroy() or
#    nf_ct_iterate_cleanup_net(); not checked without the tracer).
# 4. default_mode=full|delayed|adaptive|off sets the mode of existing and new
#    namespaces; bogus values make insmod fail.
# 5. Inert until configured: loaded with its own defaults (every namespace
#    off) the module leaves forwarding alone: no conntrack entry in the
#    router (conntrack is not even asked to track it), no counter moves, no
#    hook of ours (nft list hooks, where the kernel lists hooks). Each thing
#    that can make a connection anything but off (mode full, a delayed
#    site, TLS inspection's forced ports, a block rule) hooks the router,
#    and undoing it releases it again. Going off while full-mode
#    connections are joined (4 per family) or still opening (2, to a
#    server that drops SYNs) resets their clients and detaches the module
#    from every connection, none of the resets sent from inside
#    conntrack's walk (as in 3); forwarding goes on untracked.
# 6. An unprivileged `catoproxyctl show` with the module not loaded loads
#    it (the family's alias, through the kernel's modprobe helper) and
#    changes nothing in any namespace.

source lib.sh

CYCLES=20
HOLD=4

param_is()
{
	local v

	read -r v </sys/module/$MODULE_NAME/parameters/default_mode || return 1
	[ "$v" = "$1" ]
}

test_idle_cycles()
{
	local i

	for ((i = 1; i <= CYCLES; i++)); do
		if ! load_module; then
			fail "cycle $i: insmod failed"
			break
		fi
		module_loaded || fail "cycle $i: not loaded after insmod"
		param_is full || fail "cycle $i: default_mode parameter is not full"
		if ! unload_module; then
			fail "cycle $i: rmmod failed"
			break
		fi
		module_loaded && fail "cycle $i: still loaded after rmmod"
	done
	log_test "$CYCLES insmod/rmmod cycles without traffic"
}

RES=
STOP=
CHURN_PID=

# The resets of an unload or of mode off are sent after conntrack's walk,
# never from its callback, where a bucket lock is held (a packet of ours
# could need it).
WALK_ROOTS=nf_ct_iterate_destroy,nf_ct_iterate_cleanup_net
WALK_LEAVES=ip_local_out,ip6_local_out
WALK_TRACED=0

walk_trace_start()
{
	WALK_TRACED=0
	if graph_trace_start "$WALK_ROOTS" "$WALK_LEAVES"; then
		WALK_TRACED=1
	else
		ktap_print_msg "no function-graph tracer: where resets are sent from is not checked"
	fi
}

# assert_not_sent_in_walk WHAT: since walk_trace_start, conntrack's walk
# ran and sent nothing from inside.
assert_not_sent_in_walk()
{
	[ "$WALK_TRACED" = 1 ] || return 0
	WALK_TRACED=0
	graph_trace_stop "$WALK_ROOTS" "$WALK_LEAVES"
	[ "${GRAPH_CALLS:-0}" -ge 1 ] ||
		fail "$1: conntrack's walk was not traced (calls: ${GRAPH_CALLS:-none})"
	assert_eq "$1: packets sent from inside conntrack's walk" 0 "${GRAPH_TOTAL:-}"
}

churn_count()
{
	local sok rest

	read -r sok rest 2>/dev/null <"$RES" || return 1
	echo "$sok"
}

# progress BASE: at least 5 more short connections than BASE went through.
progress()
{
	local sok

	sok=$(churn_count) || return 1
	[ "$sok" -ge $(($1 + 5)) ]
}

# held_ports FAMILY: the long-lived connections' client ports in FAMILY
# (4 or 6), "|"-separated. traffic.py lists the IPv4 ones first.
held_ports()
{
	local -a ports

	read -r -a ports <"$RES.held" || return 1
	if [ "$1" = 4 ]; then
		ports=("${ports[@]:0:HOLD}")
	else
		ports=("${ports[@]:HOLD}")
	fi
	local IFS='|'
	echo "${ports[*]}"
}

# held_ct DESC ALL [FOLLOWED]: ALL long-lived (delayed) connections in the
# router's conntrack, none with a helper; with FOLLOWED (the module loaded),
# show conns lists that many of them. A port is matched with its family's
# addresses: the short connections of one family reuse the long-lived
# ports of the other (connect() shares a port among distinct 4-tuples).
held_ct()
{
	local desc=$1 out re4 re6 p4 p6 with all

	p4=$(held_ports 4) && p6=$(held_ports 6) ||
		{ fail "$desc: no held ports"; return 1; }
	re4="ESTABLISHED src=$CLIENT4 dst=$SERVER4 sport=($p4) "
	re6="ESTABLISHED src=$CLIENT6 dst=$SERVER6 sport=($p6) "
	out=$(conntrack_in "$router" -L -p tcp --dport "$TCP_PORT")
	all=$(($(count_lines "$out" "$re4") + $(count_lines "$out" "$re6")))
	with=$(($(count_lines "$out" "$re4.*helper=") +
		$(count_lines "$out" "$re6.*helper=")))
	assert_eq "$desc: long-lived entries" "$2" "$all"
	assert_eq "$desc: long-lived entries with a helper" 0 "$with"
	[ -n "${3:-}" ] || return 0
	py_check $PYTHON "$LIB_DIR/ctl_check.py" conns "$router" \
		"$desc: long-lived IPv4 connections in show conns" "$(($3 / 2))" \
		daddr="$SERVER4" sport="${p4//|/,}"
	py_check $PYTHON "$LIB_DIR/ctl_check.py" conns "$router" \
		"$desc: long-lived IPv6 connections in show conns" "$(($3 / 2))" \
		daddr="$SERVER6" sport="${p6//|/,}"
}

test_traffic_cycles()
{
	local i base sok sfail hok hfail out
	local -A st

	if ! load_module default_mode=delayed; then
		fail "insmod failed"
		log_test "$CYCLES rmmod/insmod cycles under traffic"
		return
	fi
	RES=$TMP_DIR/churn
	STOP=$TMP_DIR/stop
	ip netns exec "$client" $PYTHON traffic.py churn "$STOP" "$RES" "$HOLD" \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" 2>"$TMP_DIR/churn.err" &
	CHURN_PID=$!
	BG_PIDS+=("$CHURN_PID")
	if ! slowwait 60 progress 0 >/dev/null; then
		fail "no traffic from the client"
		cat "$TMP_DIR/churn.err"
		log_test "$CYCLES rmmod/insmod cycles under traffic"
		return
	fi
	held_ct "loaded" $((2 * HOLD)) $((2 * HOLD))

	for ((i = 1; i <= CYCLES; i++)); do
		if ! unload_module; then
			fail "cycle $i: rmmod under traffic failed"
			break
		fi
		if [ "$i" = 1 ]; then
			# the entries live on without the module
			held_ct "after the first rmmod" $((2 * HOLD))
		fi
		base=$(churn_count)
		slowwait 60 progress "$base" >/dev/null ||
			fail "cycle $i: no connections while unloaded"
		if ! load_module default_mode=delayed; then
			fail "cycle $i: insmod under traffic failed"
			break
		fi
		base=$(churn_count)
		slowwait 60 progress "$base" >/dev/null ||
			fail "cycle $i: no connections while loaded"
		if [ $((i % 5)) = 0 ]; then
			read_stats st "$router"
			assert_ne "cycle $i: conn_tracked" 0 "${st[conn_tracked]}"
			assert_eq "cycle $i: conn_delayed" "${st[conn_tracked]}" "${st[conn_delayed]}"
			assert_eq "cycle $i: conn_off/attach_failed/helper_busy" "0 0 0" \
				"${st[conn_off]} ${st[conn_attach_failed]} ${st[conn_helper_busy]}"
		fi
		kill -0 "$CHURN_PID" 2>/dev/null || { fail "cycle $i: client died"; break; }
	done
	# end unloaded: forwarding must not depend on the module
	unload_module || fail "final rmmod under traffic failed"
	base=$(churn_count)
	slowwait 60 progress "$base" >/dev/null || fail "no connections after the final rmmod"

	touch "$STOP"
	wait "$CHURN_PID"
	assert_eq "client exit code" 0 "$?"
	read -r sok sfail hok hfail <"$RES"
	echo "# short connections: $sok ok, $sfail failed; long-lived: $hok ok, $hfail failed"
	assert_eq "short connections failed" 0 "$sfail"
	assert_eq "long-lived connections alive" $((2 * HOLD)) "$hok"
	assert_eq "long-lived connection failures" 0 "$hfail"
	assert_eq "client errors" "" "$(<"$TMP_DIR/churn.err")"

	tcp_connect "$client" 5 "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "connections with the module unloaded" "10 0" "$CONN_OK $CONN_FAIL"
	out=$(conntrack_in "$router" -L -p tcp)
	assert_eq "helper=catoproxy entries after unload" 0 "$(count_lines "$out" ".*helper=catoproxy")"
	log_test "$CYCLES rmmod/insmod cycles under traffic, long-lived connections survive"
}

# server_established: the server's established connections on $TCP_PORT.
server_established()
{
	ss -N "$server" -Htn state established "( sport = :$TCP_PORT )" | wc -l
}

server_none_established()
{
	[ "$(server_established)" = 0 ]
}

# no_established PORT: the client has no connection to PORT established.
no_established()
{
	[ -z "$(ip netns exec "$client" ss -Htn state established "( dport = :$1 )")" ]
}

test_full_unload()
{
	local ready=$TMP_DIR/hold.ready go=$TMP_DIR/hold.go res=$TMP_DIR/hold.res
	local alive reset pid out logged
	local -A st

	if ! load_module; then
		fail "insmod failed"
		log_test "full mode: unload resets joined and opening connections"
		return
	fi
	ip netns exec "$router" nft -f - <<EOF || fail "nft masquerade"
table inet masq {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r1" masquerade
	}
}
EOF
	ip netns exec "$client" $PYTHON traffic.py hold 4 "$ready" "$go" "$res" \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" 2>"$TMP_DIR/hold.err" &
	pid=$!
	BG_PIDS+=("$pid")
	ip netns exec "$server" nft -f - <<-EOF || fail "nft in the server"
		table inet silent { chain c { type filter hook input priority 0; tcp dport 7777 drop; }; }
	EOF
	ip netns exec "$client" $PYTHON traffic.py hold --no-ping 2 "$TMP_DIR/unload-opening.ready" \
		"$TMP_DIR/unload-opening.go" - "$SERVER4,7777" "$SERVER6,7777" 2>"$TMP_DIR/unload-opening.err" &
	BG_PIDS+=("$!")
	slowwait 60 test -e "$ready" || fail "long-lived connections did not open"
	slowwait 60 test -e "$TMP_DIR/unload-opening.ready" || fail "opening connections did not open"
	read_stats st "$router"
	assert_eq "joined connections" 8 "${st[server_open_ok]}"
	assert_eq "server's established connections before the unload" 8 "$(server_established)"
	out=$(ip netns exec "$client" ss -Htn state established "( dport = :7777 )")
	assert_eq "opening: established at the client" 4 "$(count_lines "$out" .)"
	logged=$(dmesg | grep -c "unload: 4 opening connections reset")
	walk_trace_start
	unload_module || fail "rmmod with joined connections failed"
	assert_not_sent_in_walk "unload"
	touch "$go"
	wait "$pid"
	read -r alive reset <"$res"
	assert_eq "joined connections reset by the unload (alive reset)" "0 8" "$alive $reset"
	slowwait 5 server_none_established
	assert_eq "server's established connections after the unload" 0 "$(server_established)"
	ip netns exec "$router" nft delete table inet masq || fail "nft delete table masq"
	slowwait 5 no_established 7777 ||
		fail "connections opening at the unload still established at the client"
	assert_eq "the unload's log of opening connections reset" $((logged + 1)) \
		"$(dmesg | grep -c "unload: 4 opening connections reset")"
	touch "$TMP_DIR/unload-opening.go"
	ip netns exec "$server" nft delete table inet silent
	tcp_connect "$client" 5 "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT"
	assert_eq "new connections after the unload" "10 0" "$CONN_OK $CONN_FAIL"
	out=$(conntrack_in "$router" -L -p tcp)
	assert_eq "helper=catoproxy entries after unload" 0 "$(count_lines "$out" ".*helper=catoproxy")"
	log_test "full mode: unload resets joined and opening connections, forwarding goes on"
}

test_final_load()
{
	load_module || fail "insmod failed"
	capture ctl show
	assert_eq "show: exit code" 0 "$CMD_RC"
	assert_eq "show: stderr" "" "$CMD_ERR"
	assert_eq "show" "mode: full
tls-inspection: off
blocked-syn: handshake
challenge-ack: allow
sites: 0
server-timeout: 10000
syn-backlog: 1024
force-full-ports: 443
adaptive-ttl: 300
adaptive-size: 4096
rules: 0
block-page-ports: 80
block-page: 166 bytes
inspect-timeout: 5000" "$CMD_OUT"
	py_check $PYTHON "$LIB_DIR/ctl_check.py" stats_zero "$router" "router stats after reload"
	unload_module || fail "rmmod failed"
	log_test "after the cycles the module loads and answers"
}

test_default_mode()
{
	local m fresh out
	local -A st

	for m in delayed adaptive off full; do
		if ! load_module default_mode=$m; then
			fail "insmod default_mode=$m failed"
			continue
		fi
		param_is "$m" || fail "parameter file does not say $m"
		setup_ns fresh || fail "setup_ns"
		assert_eq "default_mode=$m: new netns" "$m" \
			"$(json_get "$(ctl -n "$fresh" -j show config)" 'd["mode"]')"
		assert_eq "default_mode=$m: existing netns" "$m" \
			"$(json_get "$(ctl_in "$router" -j show config)" 'd["mode"]')"
		if [ "$m" = delayed ]; then
			# A new connection on a port of an earlier one's TIME_WAIT
			# entry reopens that entry, which the module never saw new.
			conntrack_in "$router" -F
			tcp_connect "$client" 5 "$SERVER4,$TCP_PORT"
			assert_eq "default_mode=delayed: connections" "5 0" "$CONN_OK $CONN_FAIL"
			read_stats st "$router"
			assert_eq "default_mode=delayed: tracked delayed" "5 5 0" \
				"${st[conn_tracked]} ${st[conn_delayed]} ${st[conn_full]}"
		fi
		cleanup_ns "$fresh"
		unload_module || fail "rmmod after default_mode=$m failed"
	done
	log_test "default_mode=full|delayed|adaptive|off applies to existing and new namespaces"
}

# tracked: are the router's forwarded connections tracked there? Sets
# TRACKED to "ENTRIES HELPER": the conntrack entries from 2 new connections
# through a flushed table, and how many carry the module's helper. "0 0":
# conntrack does not track the router, which nobody (the module included)
# asked it to.
tracked()
{
	local out

	conntrack_in "$router" -F
	tcp_connect "$client" 1 "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" ||
		fail "connections through the router failed ($CONN_OK $CONN_FAIL)"
	out=$(conntrack_in "$router" -L -p tcp)
	TRACKED="$(count_lines "$out" "^tcp") $(count_lines "$out" "helper=catoproxy")"
}

# our_hooks NS: hooks of the module registered in NS ("": this one), or
# "?" when the kernel cannot list hooks (6.1 has no nfnetlink_hook).
our_hooks()
{
	local out pre=()

	[ -n "$1" ] && pre=(ip netns exec "$1")
	out=$("${pre[@]}" nft list hooks 2>/dev/null) || { echo "?"; return; }
	[ -n "$out" ] || { echo "?"; return; }
	count_lines "$out" "catoproxy"
}

# assert_released WHAT: the router forwards untracked, without our hooks.
assert_released()
{
	local h

	tracked
	assert_eq "$1: router's entries, with helper" "0 0" "$TRACKED"
	h=$(our_hooks "$router")
	[ "$h" = "?" ] || assert_eq "$1: our hooks in the router" 0 "$h"
}

# assert_hooked WHAT: the router tracks its connections again.
assert_hooked()
{
	local h

	tracked
	[ "${TRACKED% *}" -gt 0 ] || fail "$1: router's conntrack entries: $TRACKED"
	h=$(our_hooks "$router")
	[ "$h" = "?" ] || assert_ne "$1: our hooks in the router" 0 "$h"
}

test_inert()
{
	local out fresh est alive reset pid
	local -A st1

	if ! load_module_bare; then
		fail "insmod failed"
		log_test "inert until configured"
		return
	fi
	param_is off || fail "default_mode parameter is not off"
	setup_ns fresh || fail "setup_ns"
	assert_eq "mode of the router, of a new netns" "off off" \
		"$(json_get "$(ctl_in "$router" -j show config)" 'd["mode"]') $(json_get "$(ctl -n "$fresh" -j show config)" 'd["mode"]')"
	cleanup_ns "$fresh"
	ip netns exec "$router" nft list hooks 2>&1 | head -40 | sed 's/^/# hooks: /'
	assert_released "unconfigured"
	assert_eq "unconfigured: counters" true \
		"$(json_get "$(ctl_in "$router" -j show stats)" 'all(v == 0 for v in d.values())')"

	ctl_in "$router" set mode full || fail "set mode full"
	assert_hooked "mode full"
	read_stats st1
	assert_eq "mode full: intercepted" 2 "${st1[syn_intercepted]}"
	ctl_in "$router" set mode off || fail "set mode off"
	assert_released "mode full, then off"

	ctl_in "$router" site add s prefix 10.0.2.0/24 mode delayed || fail "site add"
	assert_hooked "a delayed site"
	ctl_in "$router" site del s || fail "site del"
	assert_released "the delayed site deleted"
	ctl_in "$router" set tls-inspection on || fail "tls-inspection on"
	assert_hooked "TLS inspection forcing 443"
	ctl_in "$router" set tls-inspection off || fail "tls-inspection off"
	assert_released "TLS inspection off"
	ctl_in "$router" rule add dst 10.9.9.9/32 action block >/dev/null || fail "rule add"
	assert_hooked "a block rule"
	ctl_in "$router" rule add dst 10.9.9.8/32 action bypass >/dev/null || fail "rule add"
	ctl_in "$router" rule del 1 || fail "rule del"
	assert_released "only a bypass rule left"
	ctl_in "$router" rule flush || fail "rule flush"

	# Off while connections are joined and opening: their clients are reset.
	ip netns exec "$server" nft -f - <<-EOF || fail "nft in the server"
		table inet silent { chain c { type filter hook input priority 0; tcp dport 7777 drop; }; }
	EOF
	ctl_in "$router" set mode full server-timeout 60000 || fail "set mode full"
	ip netns exec "$client" $PYTHON traffic.py hold 4 "$TMP_DIR/joined.ready" \
		"$TMP_DIR/joined.go" "$TMP_DIR/joined.res" \
		"$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" 2>"$TMP_DIR/joined.err" &
	pid=$!
	BG_PIDS+=("$pid")
	ip netns exec "$client" $PYTHON traffic.py hold --no-ping 2 "$TMP_DIR/opening.ready" \
		"$TMP_DIR/opening.go" - "$SERVER4,7777" 2>"$TMP_DIR/opening.err" &
	BG_PIDS+=("$!")
	slowwait 60 test -e "$TMP_DIR/joined.ready" || fail "joined connections did not open"
	slowwait 60 test -e "$TMP_DIR/opening.ready" || fail "opening connections did not open"
	est=$(ip netns exec "$client" ss -Htn state established "( dport = :7777 )")
	assert_eq "opening: established at the client" 2 "$(count_lines "$est" .)"
	out=$(ctl_in "$router" -j show conns)
	assert_eq "opening: the router's connections opening" 2 \
		"$(json_get "$out" 'sum(1 for c in d if c["state"] == "opening")')"
	walk_trace_start
	ctl_in "$router" set mode off || fail "set mode off"
	assert_not_sent_in_walk "mode off"
	touch "$TMP_DIR/joined.go"
	wait "$pid"
	read -r alive reset <"$TMP_DIR/joined.res"
	assert_eq "joined connections reset by mode off (alive reset)" "0 8" "$alive $reset"
	est=$(ip netns exec "$client" ss -Htn state established "( dport = :7777 )")
	assert_eq "opening: still established at the client" 0 "$(count_lines "$est" .)"
	touch "$TMP_DIR/opening.go"
	out=$(conntrack_in "$router" -L -p tcp)
	assert_eq "entries with helper=catoproxy after off" 0 "$(count_lines "$out" "helper=catoproxy")"
	assert_released "off with connections"
	ip netns exec "$server" nft delete table inet silent
	unload_module || fail "rmmod failed"
	log_test "inert until configured: off leaves forwarding alone, configuring hooks, off releases"
}

# The kernel's modprobe helper, for the family's alias: records the request
# and loads the module under test as modprobe would, with its defaults.
test_autoload()
{
	local helper=$TMP_DIR/modprobe old out h

	unload_module
	read -r old </proc/sys/kernel/modprobe
	cat >"$helper" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$TMP_DIR/modprobe.log"
		case "\$*" in
		*family-catoproxy*) exec insmod "$CATOPROXY_KO" ;;
		esac
		exec "$old" "\$@"
	EOF
	chmod 755 "$helper" && chmod a+rx "$TMP_DIR"
	conntrack_in "$router" -F
	echo "$helper" >/proc/sys/kernel/modprobe
	capture setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all --no-new-privs -- "$CATOPROXYCTL" show
	echo "$old" >/proc/sys/kernel/modprobe
	module_loaded && MODULE_LOADED_BY_US=1
	assert_match "autoload: modprobe asked for the family" "family-catoproxy" \
		"$(cat "$TMP_DIR/modprobe.log" 2>/dev/null)"
	assert_eq "unprivileged show: exit code" 0 "$CMD_RC"
	assert_match "unprivileged show" "mode: off" "$CMD_OUT"
	module_loaded || fail "not loaded by the unprivileged show"
	assert_released "after the autoload"
	out=$(conntrack -L -p tcp 2>/dev/null)
	assert_eq "init_net: entries with helper=catoproxy" 0 "$(count_lines "$out" "helper=catoproxy")"
	h=$(our_hooks "")
	[ "$h" = "?" ] || assert_eq "init_net: our hooks" 0 "$h"
	unload_module || fail "rmmod failed"
	log_test "an unprivileged show autoloads the module and changes nothing"
}

test_bad_param()
{
	local v

	for v in bogus inherit FULL "" 1; do
		capture insmod "$CATOPROXY_KO" "default_mode=$v"
		if [ "$CMD_RC" = 0 ]; then
			fail "insmod default_mode='$v' succeeded"
			MODULE_LOADED_BY_US=1
			unload_module
		fi
		assert_ne "insmod default_mode='$v': stderr" "" "$CMD_ERR"
		module_loaded && fail "module loaded with default_mode='$v'"
	done
	log_test "insmod with an invalid default_mode fails"
}

cleanup()
{
	[ -n "$STOP" ] && touch "$STOP"
	cleanup_common
}

trap cleanup EXIT
checktool "conntrack --version" "run test without conntrack"
checktool "$PYTHON -c pass" "run python3"
if [ ! -f "$CATOPROXY_KO" ]; then
	echo "SKIP: no module at $CATOPROXY_KO"
	exit $ksft_skip
fi

ktap_print_header
ktap_set_plan 8

test_idle_cycles
{ setup_topology && start_server "$server"; } || topology_failed
test_traffic_cycles
test_full_unload
test_final_load
test_default_mode
test_inert
test_autoload
test_bad_param

ktap_finished
