#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # ns1, ns2: set by setup_ns
#
# One configuration per network namespace. No links, no traffic:
#
#   init_net        ns1               ns2              ns3 ... (10 more)
#   (defaults)      mode off,         (defaults)       each configured,
#                   tls on, 2 sites                    then all deleted
#
# ns1 is configured through "catoproxyctl -n ns1"; ns2 and init_net keep the
# defaults; "-n" and "ip netns exec" agree; a namespace deleted with config
# leaves nothing behind (a new one of the same name starts from defaults);
# the module unloads with configured namespaces alive, and after a reload
# they are back to the defaults.

source lib.sh


# check WHAT NS ARGS...: ctl_check.py's assertions WHAT over NS ("" for
# this one), through -n.
check()
{
	py_check $PYTHON "$LIB_DIR/ctl_check.py" "$@"
}

# config NS DESC WANT: "mode tls blocked-syn challenge-ack site_count" of
# NS is WANT.
config()
{
	check config "$@"
}

DEFAULT_LINE="full False handshake allow 0"

test_separate()
{
	local rc=0 a b

	ctl -n "$ns1" set mode off tls-inspection on challenge-ack strict || rc=$?
	ctl -n "$ns1" site add lan prefix 10.1.0.0/16 prefix fd00:1::/64 mode delayed || rc=$?
	ctl -n "$ns1" site add wan prefix 10.2.0.0/16 || rc=$?
	assert_eq "configure ns1: exit codes" 0 "$rc"

	config "$ns1" "ns1 config" "off True handshake strict 2"
	config "$ns2" "ns2 config" "$DEFAULT_LINE"
	config "" "init_net config" "$DEFAULT_LINE"
	assert_eq "ns2 sites" "[]" "$(ctl -n "$ns2" -j show sites)"
	assert_eq "init_net sites" "[]" "$(ctl -j show sites)"

	# -n NAME and ip netns exec NAME see the same thing
	a=$(ctl -n "$ns1" -j show sites)
	b=$(ctl_in "$ns1" -j show sites)
	assert_eq "-n vs ip netns exec (sites)" "$a" "$b"
	check listing "$ns1" sites "ns1 site names" "{name}" "lan wan"
	a=$(ctl --netns "$ns1" -j show config)
	b=$(ctl_in "$ns1" -j show config)
	assert_eq "--netns vs ip netns exec (config)" "$a" "$b"
	a=$(ctl --netns="$ns2" -j show config)
	assert_eq "--netns=ns2" "$(ctl_in "$ns2" -j show config)" "$a"

	# the same site name and prefixes are free in another namespace
	ctl -n "$ns2" site add lan prefix 10.1.0.0/16 mode adaptive || rc=$?
	assert_eq "same site in ns2: exit code" 0 "$rc"
	check listing "$ns2" sites "ns2 site" "{id} {name} {mode}" "1 lan adaptive"
	ctl -n "$ns2" site del lan || rc=$?
	assert_eq "ns2 site del: exit code" 0 "$rc"
	check listing "$ns1" sites "ns1 still has lan" "{name}" "lan wan"
	log_test "config and sites are per namespace; -n targets the right one"
}

test_bad_netns()
{
	capture ctl -n "nosuchns-$RANDOM" show
	assert_eq "-n missing netns: exit code" 2 "$CMD_RC"
	assert_ne "-n missing netns: stderr" "" "$CMD_ERR"
	assert_eq "-n missing netns: stdout" "" "$CMD_OUT"
	capture ctl -n "nosuchns-$RANDOM" set mode off
	assert_eq "-n missing netns, set: exit code" 2 "$CMD_RC"
	capture ctl -n ../init show
	assert_eq "-n with a slash: exit code" 1 "$CMD_RC"
	capture ctl -n
	assert_eq "-n without a name: exit code" 1 "$CMD_RC"
	config "" "init_net config" "$DEFAULT_LINE"
	log_test "-n with a missing or bad namespace fails, nothing changes"
}

test_delete_configured()
{
	local name=$ns1 rc=0

	cleanup_ns "$ns1"
	# the name is free again: a new namespace under it starts from defaults
	ip netns add "$name" || fail "cannot re-create $name"
	NS_LIST+=("$name")
	config "$name" "re-created ns1 config" "$DEFAULT_LINE"
	assert_eq "re-created ns1 sites" "[]" "$(ctl -n "$name" -j show sites)"
	check stats_zero "$name" "re-created ns1 stats"
	ctl -n "$name" site add lan prefix 10.1.0.0/16 || rc=$?
	assert_eq "site add in re-created ns1" 0 "$rc"
	check listing "$name" sites "re-created ns1 site id starts at 1" "{id}" 1
	log_test "deleting a configured namespace leaves nothing behind"
}

test_many()
{
	local i names=() rc=0

	for i in $(seq 1 10); do
		names+=("many$i-$RANDOM$RANDOM")
	done
	printf 'netns add %s\n' "${names[@]}" | ip -batch - || fail "cannot create namespaces"
	NS_LIST+=("${names[@]}")
	for i in "${!names[@]}"; do
		ctl -n "${names[i]}" site add "s$i" prefix "10.$i.0.0/16" prefix "fd00:$i::/64" mode delayed || rc=$?
	done
	ctl -n "${names[3]}" set mode adaptive || rc=$?
	assert_eq "configure 10 namespaces: exit codes" 0 "$rc"
	check listing "${names[3]}" sites "ns #3 sites" "{name} {effective_mode} {prefix}" \
		"s3 delayed 10.3.0.0/16,fd00:3::/64"
	config "${names[3]}" "ns #3 config" "adaptive False handshake allow 1"
	config "${names[4]}" "ns #4 config" "full False handshake allow 1"
	cleanup_ns "${names[@]}"
	for i in "${names[@]}"; do
		[ -e "/run/netns/$i" ] && fail "netns $i still there"
	done
	config "" "init_net config" "$DEFAULT_LINE"
	log_test "10 configured namespaces created and deleted together"
}

test_unload_with_config()
{
	local rc=0 out

	ctl -n "$ns2" set mode adaptive || rc=$?
	ctl -n "$ns2" site add x prefix 192.0.2.0/24 || rc=$?
	ctl set blocked-syn drop || rc=$?
	assert_eq "configure before unload: exit codes" 0 "$rc"
	unload_module || fail "rmmod with configured namespaces failed"
	module_loaded && fail "module still loaded after rmmod"
	capture ctl -n "$ns2" show
	assert_eq "show without the module: exit code" 3 "$CMD_RC"
	assert_eq "show without the module: stderr" \
		'catoproxyctl: catoproxy module not loaded (generic netlink family "catoproxy" not found)' \
		"$CMD_ERR"
	load_module default_mode=delayed || fail "reload failed"
	config "$ns2" "ns2 after reload" "delayed False handshake allow 0"
	config "" "init_net after reload" "delayed False handshake allow 0"
	out=$(ctl -n "$ns2" -j show sites)
	assert_eq "ns2 sites after reload" "[]" "$out"
	log_test "unload with configured namespaces; reload starts from default_mode"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 5
require_module
setup_ns ns1 ns2 || exit $ksft_fail

test_separate
test_bad_netns
test_delete_configured
test_many
test_unload_with_config

ktap_finished
