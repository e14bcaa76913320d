#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The configuration and the counters are open to everyone; changes, and
# what shows traffic or the rules (connections, events, rules, sites), need
# CAP_NET_ADMIN over the user namespace that owns the network namespace, as
# for conntrack and nft. No topology:
#
#   init_net (owned by init_user_ns)      netns "own" (owned by a user
#     nobody, no capabilities:               namespace nobody created)
#       show config/stats/block-page: ok       set/site/rule: allowed
#       show sites/rules/conns, monitor,
#       set/site/rule: EPERM
#
# Checked with catoproxyctl (exit 2, "Operation not permitted" and what it
# takes) and with raw genetlink requests (EPERM: dumps, joining the events
# group, changes), and the config must be unchanged.

source lib.sh

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups
	--inh-caps=-all --bounding-set=-all --no-new-privs --)

snapshot()
{
	ctl -j show config
	ctl -j show sites
	ctl -j show rules
}

# as_nobody_rejected ARGS...: catoproxyctl ARGS as nobody exits 2 with EPERM.
as_nobody_rejected()
{
	capture "${NOBODY[@]}" "$CATOPROXYCTL" "$@"
	assert_eq "nobody: ctl $*: exit code" 2 "$CMD_RC"
	assert_eq "nobody: ctl $*: stdout" "" "$CMD_OUT"
	assert_match "nobody: ctl $*: stderr" "Operation not permitted" "$CMD_ERR"
}

test_reads()
{
	local what out

	for what in config stats block-page; do
		capture "${NOBODY[@]}" "$CATOPROXYCTL" -j show "$what"
		assert_eq "nobody: -j show $what: exit code" 0 "$CMD_RC"
		assert_eq "nobody: -j show $what: stderr" "" "$CMD_ERR"
		out=$(ctl -j show "$what")
		assert_eq "nobody: -j show $what: same as root" "$out" "$CMD_OUT"
	done
	capture "${NOBODY[@]}" "$CATOPROXYCTL" show
	assert_eq "nobody: show: exit code" 0 "$CMD_RC"
	assert_line "nobody: show" "mode: delayed" "$CMD_OUT"
	log_test "without CAP_NET_ADMIN: show config/stats/block-page work"
}

# Like conntrack -L and -E, nft list: connections, events, rules and sites.
test_private_reads()
{
	local what out

	for what in sites rules conns; do
		as_nobody_rejected show "$what"
		assert_match "nobody: show $what: says what it takes" \
			"^catoproxyctl: show $what: .*Operation not permitted.*CAP_NET_ADMIN" "$CMD_ERR"
		as_nobody_rejected -j show "$what"
		capture ctl -j show "$what"
		assert_eq "root: -j show $what: exit code" 0 "$CMD_RC"
		assert_eq "root: -j show $what: stderr" "" "$CMD_ERR"
	done
	assert_eq "root: show sites/rules" "keep 1" \
		"$(json_get "$(ctl -j show sites)" 'd[0]["name"]') $(json_get "$(ctl -j show rules)" 'len(d)')"
	# bounded: a monitor that is let in runs until stopped
	capture "${NOBODY[@]}" timeout 10 "$CATOPROXYCTL" monitor
	assert_eq "nobody: monitor: exit code" 2 "$CMD_RC"
	assert_eq "nobody: monitor: stdout" "" "$CMD_OUT"
	assert_match "nobody: monitor: says what it takes" \
		"^catoproxyctl: monitor: .*Operation not permitted.*CAP_NET_ADMIN" "$CMD_ERR"
	# root's monitor runs until stopped: an interrupt ends it, exit 0
	capture timeout -s INT 1 "$CATOPROXYCTL" monitor
	assert_eq "root: monitor until interrupted: exit code" 124 "$CMD_RC"
	assert_eq "root: monitor: stderr" "" "$CMD_ERR"
	log_test "without CAP_NET_ADMIN: show sites/rules/conns and monitor fail with exit 2 (EPERM)"
}

test_writes()
{
	local before after

	before=$(snapshot)
	as_nobody_rejected set mode off
	as_nobody_rejected set tls-inspection on blocked-syn drop
	as_nobody_rejected site add intruder prefix 10.50.0.0/16
	as_nobody_rejected site del keep
	as_nobody_rejected rule add action bypass
	as_nobody_rejected rule del 1
	as_nobody_rejected rule flush
	# readable by nobody, so that the refusal is the kernel's
	printf 'action bypass\n' >"$TMP_DIR/rules.txt"
	chmod a+rx "$TMP_DIR" && chmod a+r "$TMP_DIR/rules.txt"
	as_nobody_rejected rule load "$TMP_DIR/rules.txt"
	as_nobody_rejected set block-page-ports none
	# usage errors are still usage errors, before any permission check
	capture "${NOBODY[@]}" "$CATOPROXYCTL" set mode bogus
	assert_eq "nobody: set mode bogus: exit code" 1 "$CMD_RC"
	after=$(snapshot)
	assert_eq "config unchanged" "$before" "$after"
	log_test "without CAP_NET_ADMIN: set, site add/del, rule add/del/flush/load fail with exit 2 (EPERM)"
}

test_raw()
{
	local before after out name err ename changed miss extack n=0

	before=$(snapshot)
	out=$("${NOBODY[@]}" "$PYTHON" genl.py cases set-mode-off add-site del-keep \
		add-rule del-rule set-rules)
	assert_eq "genl.py as nobody: exit code" 0 "$?"
	while IFS=$'\t' read -r name err ename changed miss extack; do
		n=$((n + 1))
		echo "# raw $name as nobody: $ename ($err) missing=$miss \"$extack\""
		assert_eq "raw $name as nobody: errno" EPERM "$ename"
		assert_eq "raw $name as nobody: changed" 0 "$changed"
	done <<<"$out"
	assert_eq "raw requests answered" 6 "$n"
	out=$("${NOBODY[@]}" "$PYTHON" genl.py family catoproxy)
	assert_eq "events group visible to nobody" 1 \
		"$(json_get "$out" 'int("events" in d["mcast_groups"])')"
	for what in "join events" sites rules; do
		# shellcheck disable=SC2086 # the words are the arguments
		capture "${NOBODY[@]}" "$PYTHON" genl.py $what
		assert_eq "raw $what as nobody: exit code" 2 "$CMD_RC"
		assert_match "raw $what as nobody" "^error: Operation not permitted \\(1\\)" "$CMD_ERR"
	done
	out=$("$PYTHON" genl.py join events)
	assert_eq "root joins the events group" "joined events" "$out"
	after=$(snapshot)
	assert_eq "config unchanged" "$before" "$after"
	log_test "without CAP_NET_ADMIN: raw SET_CONFIG/ADD_SITE/DEL_SITE/ADD_RULE/DEL_RULE/SET_RULES, site and rule dumps, joining events get EPERM"
}

# A user namespace of nobody's own, with a network namespace it owns:
# nobody is root there and may change that namespace's config, not the
# initial one.
test_userns()
{
	local before after out

	if ! "${NOBODY[@]}" unshare -Ur true 2>/dev/null; then
		ktap_test_skip "user namespaces not available to unprivileged users"
		return
	fi
	before=$(snapshot)
	out=$("${NOBODY[@]}" unshare -Urn sh -c '
		"$1" set mode adaptive tls-inspection on && "$1" site add mine prefix 10.60.0.0/16 &&
		"$1" rule add dport 80 action block >/dev/null && "$1" -j show config' sh "$CATOPROXYCTL" 2>&1)
	assert_eq "own netns: config" "adaptive
true
handshake
1
1" "$(json_get "$out" 'd["mode"]' 'd["tls_inspection"]' 'd["blocked_syn"]' 'd["site_count"]' 'd["rule_count"]' 2>&1)"
	# Root of a user namespace does not own init_net.
	capture "${NOBODY[@]}" unshare -Ur "$CATOPROXYCTL" set mode off
	assert_eq "userns root on init_net: exit code" 2 "$CMD_RC"
	assert_match "userns root on init_net: stderr" "Operation not permitted" "$CMD_ERR"
	after=$(snapshot)
	assert_eq "init_net config unchanged" "$before" "$after"
	log_test "CAP_NET_ADMIN over the owning user namespace is enough, and needed"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "setpriv --version" "run test without setpriv"
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 5
require_module

# Something non-default to protect.
ctl set mode delayed challenge-ack strict &&
	ctl site add keep prefix 10.99.0.0/16 prefix fd00:99::/64 mode off &&
	ctl rule add dst 10.99.0.0/16 action block >/dev/null ||
	{ echo "# FAIL: cannot configure"; exit $ksft_fail; }

test_reads
test_private_reads
test_writes
test_raw
test_userns

ktap_finished
