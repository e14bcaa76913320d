#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration round trips through catoproxyctl, in the initial namespace
# (no traffic, no topology):
#
#   catoproxyctl --[generic netlink]--> catoproxy.ko (init_net's config)
#
# Every value of every setting is set and read back with -j show config;
# several pairs go in one set; sites are added (IPv4 and IPv6 prefixes,
# with and without a mode), listed exactly, their effective mode follows the
# account mode only when they inherit, they are deleted, and their ids are
# never reused. server-timeout, syn-backlog, force-full-ports (ordered
# lists, none, 16 ports), adaptive-ttl and adaptive-size round-trip at their
# bounds, and so do block-page-ports and the block page (byte for byte,
# NUL included, from a file or standard input, 0 and 4096 bytes; 4097 and
# a missing file refused with nothing changed). show stats lists every
# counter, then the adaptive_entries gauge. Human output is checked line by
# line. JSON keys are the words set and site add take. help (each
# subcommand's, on stdout, exit 0) and usage errors (stderr, exit 1) are
# exact; with the module unloaded (and modprobe unable to load it) every
# request exits 3 with one line saying so.
#
# dump and load: a file of 50 sites and 1000 rules loads and dumps in the
# same words; dump | load and loading a file twice change nothing (rule and
# site ids and hits included); a file with a bad line, one the kernel
# refuses (a prefix of two sites) and an unprivileged load change nothing
# and name the line; two loads at once leave one file's configuration,
# never a mix; what a file leaves out is a new namespace's default; a block
# page comes inline or from a file next to the configuration; a namespace a
# file turns off has no hooks of ours (where nft can list hooks).

source lib.sh

# The default block page is 166 bytes (kmod/core/policy.c).
DEFAULT_CONFIG='{"mode":"full","tls_inspection":false,"blocked_syn":"handshake","challenge_ack":"allow","site_count":0,"server_timeout":10000,"syn_backlog":1024,"force_full_ports":[443],"adaptive_ttl":300,"adaptive_size":4096,"rule_count":0,"block_page_ports":[80],"block_page_len":166,"inspect_timeout":5000}'
# The lines show config ends with, at the defaults.
RULES_TAIL="rules: 0
block-page-ports: 80
block-page: 166 bytes
inspect-timeout: 5000"
DEFAULT_TAIL="server-timeout: 10000
syn-backlog: 1024
force-full-ports: 443
adaptive-ttl: 300
adaptive-size: 4096
$RULES_TAIL"
# Every counter, in the order show stats prints them (lib.sh's STAT_NAMES
# has only those the tracking tests check), then the adaptive cache's gauge.
ALL_STAT_NAMES="$STAT_NAMES syn_intercepted synack_retransmitted server_open_ok server_open_failed server_timeout server_syn_retransmitted cookie_mode_syns cookie_valid cookie_invalid held_segments held_dropped tx_failed client_timeout delayed_engaged adaptive_full adaptive_delayed adaptive_learned adaptive_evicted adaptive_forgotten rst_out_of_window challenge_ack_seen rst_challenge_allowed rst_challenge_dropped challenge_ack_sent challenge_ack_ratelimited server_challenge_reset invalid_dropped conn_bypassed blocked_handshake blocked_page_sent blocked_reset_sent blocked_syn_dropped blocked_dropped syn_passed_signed syn_passed_fastopen payload_decided payload_inspect_timeout payload_malformed payload_no_name payload_hold_full path_pinned server_syn_dropped payload_bypassed held_limit_conn held_limit_net cookie_open_refused opening_reset adaptive_entries"

# assert_json NAME EXPECTED_JSON ACTUAL_JSON: same value (key order free,
# list order significant); ACTUAL must be valid JSON.
assert_json()
{
	local verdict

	verdict=$(jq -nr --argjson want "$2" --argjson got "$3" \
		'if $got == $want then "same" else "differs" end' 2>&1) ||
		verdict="invalid JSON: ${verdict%%$'\n'*}"
	if ! assert_eq "$1" same "$verdict"; then
		echo "#   expected: $2"
		echo "#   got:      $3"
	fi
}

# config_is NAME EXPECTED_JSON: -j show config equals EXPECTED_JSON.
config_is()
{
	local out

	out=$(ctl -j show config) || fail "$1: -j show config failed"
	assert_json "$1" "$2" "$out"
}

# cfg KEY=VALUE...: the default config JSON with some fields replaced
# (VALUE true, false, a number or a list as JSON, else as a string).
cfg()
{
	local kv prog=. i=0
	local -a args=()

	for kv in "$@"; do
		args+=(--arg "k$i" "${kv%%=*}" --arg "v$i" "${kv#*=}")
		prog+=" | .[\$k$i] = (\$v$i | if test(\"^(true|false|[0-9]+)$\") or startswith(\"[\") then fromjson else . end)"
		i=$((i + 1))
	done
	jq -cn --argjson d "$DEFAULT_CONFIG" "${args[@]}" "\$d | $prog"
}

test_defaults()
{
	local a b

	config_is "initial config" "$DEFAULT_CONFIG"
	a=$(ctl show) || fail "show failed"
	b=$(ctl show config) || fail "show config failed"
	assert_eq "show == show config" "$b" "$a"
	assert_eq "show config text" "mode: full
tls-inspection: off
blocked-syn: handshake
challenge-ack: allow
sites: 0
$DEFAULT_TAIL" "$a"
	a=$(ctl -j show)
	assert_json "-j show == -j show config" "$DEFAULT_CONFIG" "$a"
	log_test "defaults; show without argument is show config"
}

# set_and_check KEY VALUE JSON_KEY JSON_VALUE
set_and_check()
{
	local expect

	capture ctl set "$1" "$2"
	assert_eq "set $1 $2: exit code" 0 "$CMD_RC"
	assert_eq "set $1 $2: stderr" "" "$CMD_ERR"
	assert_eq "set $1 $2: stdout" "" "$CMD_OUT"
	expect=$(cfg "$3=$4")
	config_is "set $1 $2" "$expect"
}

test_modes()
{
	local m

	for m in delayed adaptive off full; do
		set_and_check mode "$m" mode "$m"
	done
	# setting the current value again is fine
	set_and_check mode full mode full
	log_test "set mode full|delayed|adaptive|off round-trips"
}

test_tls()
{
	set_and_check tls-inspection on tls_inspection true
	assert_line "text" "tls-inspection: on" "$(ctl show config)"
	set_and_check tls-inspection off tls_inspection false
	log_test "set tls-inspection on|off round-trips"
}

test_blocked_syn()
{
	set_and_check blocked-syn drop blocked_syn drop
	assert_line "text" "blocked-syn: drop" "$(ctl show config)"
	set_and_check blocked-syn handshake blocked_syn handshake
	log_test "set blocked-syn handshake|drop round-trips"
}

test_challenge_ack()
{
	set_and_check challenge-ack strict challenge_ack strict
	assert_line "text" "challenge-ack: strict" "$(ctl show config)"
	set_and_check challenge-ack allow challenge_ack allow
	log_test "set challenge-ack allow|strict round-trips"
}

test_multi()
{
	local all

	all=$(cfg mode=adaptive tls_inspection=true blocked_syn=drop challenge_ack=strict)
	capture ctl set mode adaptive tls-inspection on blocked-syn drop challenge-ack strict
	assert_eq "set 4 pairs: exit code" 0 "$CMD_RC"
	config_is "set 4 pairs" "$all"
	assert_eq "text after 4 pairs" "mode: adaptive
tls-inspection: on
blocked-syn: drop
challenge-ack: strict
sites: 0
$DEFAULT_TAIL" "$(ctl show)"

	# order of the pairs does not matter; two of four change
	capture ctl set challenge-ack allow mode off
	assert_eq "set 2 pairs: exit code" 0 "$CMD_RC"
	config_is "set 2 pairs" "$(cfg mode=off tls_inspection=true blocked_syn=drop challenge_ack=allow)"

	capture ctl set tls-inspection off blocked-syn handshake mode full
	assert_eq "set 3 pairs: exit code" 0 "$CMD_RC"
	config_is "back to defaults" "$DEFAULT_CONFIG"
	log_test "several pairs in one set"
}

test_server_timeout_backlog()
{
	set_and_check server-timeout 100 server_timeout 100
	set_and_check server-timeout 600000 server_timeout 600000
	assert_line "text" "server-timeout: 600000" "$(ctl show config)"
	set_and_check server-timeout 10000 server_timeout 10000
	set_and_check syn-backlog 0 syn_backlog 0
	set_and_check syn-backlog 1000000 syn_backlog 1000000
	assert_line "text" "syn-backlog: 1000000" "$(ctl show config)"
	set_and_check syn-backlog 1024 syn_backlog 1024
	set_and_check inspect-timeout 100 inspect_timeout 100
	set_and_check inspect-timeout 60000 inspect_timeout 60000
	assert_line "text" "inspect-timeout: 60000" "$(ctl show config)"
	set_and_check inspect-timeout 5000 inspect_timeout 5000

	capture ctl set syn-backlog 64 mode delayed server-timeout 2500
	assert_eq "set 3 pairs with the new keys: exit code" 0 "$CMD_RC"
	config_is "set 3 pairs with the new keys" \
		"$(cfg mode=delayed server_timeout=2500 syn_backlog=64)"
	capture ctl set syn-backlog 1024 mode full server-timeout 10000
	config_is "back to defaults" "$DEFAULT_CONFIG"
	log_test "set server-timeout, syn-backlog and inspect-timeout round-trip at their bounds"
}

sites_are()
{
	local out

	out=$(ctl -j show sites) || fail "$1: -j show sites failed"
	assert_json "$1" "$2" "$out"
}

test_sites()
{
	local rc=0

	sites_are "no sites" "[]"
	ctl site add branch-a prefix 10.1.0.0/16 || rc=$?
	ctl site add hq_2.x prefix 10.2.0.0/16 prefix fd00:b::/48 mode delayed || rc=$?
	ctl site add v6only prefix 2001:db8::/32 prefix 2001:db8:1::/48 mode off || rc=$?
	ctl site add host prefix 192.0.2.7 prefix 2001:db8:ffff::1/128 mode adaptive || rc=$?
	ctl site add fullsite prefix 0.0.0.0/0 mode full || rc=$?
	ctl site add inh prefix ::/0 mode inherit || rc=$?
	assert_eq "site add exit codes" 0 "$rc"

	sites_are "six sites" '[
{"id":1,"name":"branch-a","mode":"inherit","effective_mode":"full","prefix":["10.1.0.0/16"]},
{"id":2,"name":"hq_2.x","mode":"delayed","effective_mode":"delayed","prefix":["10.2.0.0/16","fd00:b::/48"]},
{"id":3,"name":"v6only","mode":"off","effective_mode":"off","prefix":["2001:db8::/32","2001:db8:1::/48"]},
{"id":4,"name":"host","mode":"adaptive","effective_mode":"adaptive","prefix":["192.0.2.7/32","2001:db8:ffff::1/128"]},
{"id":5,"name":"fullsite","mode":"full","effective_mode":"full","prefix":["0.0.0.0/0"]},
{"id":6,"name":"inh","mode":"inherit","effective_mode":"full","prefix":["::/0"]}]'
	config_is "site_count 6" "$(cfg site_count=6)"
	assert_line "text sites" "sites: 6" "$(ctl show)"
	log_test "site add: IPv4/IPv6 prefixes, every mode, exact -j show sites"

	ctl set mode adaptive
	sites_are "account adaptive" '[
{"id":1,"name":"branch-a","mode":"inherit","effective_mode":"adaptive","prefix":["10.1.0.0/16"]},
{"id":2,"name":"hq_2.x","mode":"delayed","effective_mode":"delayed","prefix":["10.2.0.0/16","fd00:b::/48"]},
{"id":3,"name":"v6only","mode":"off","effective_mode":"off","prefix":["2001:db8::/32","2001:db8:1::/48"]},
{"id":4,"name":"host","mode":"adaptive","effective_mode":"adaptive","prefix":["192.0.2.7/32","2001:db8:ffff::1/128"]},
{"id":5,"name":"fullsite","mode":"full","effective_mode":"full","prefix":["0.0.0.0/0"]},
{"id":6,"name":"inh","mode":"inherit","effective_mode":"adaptive","prefix":["::/0"]}]'
	ctl set mode off
	assert_eq "effective modes, account off" \
		"inherit off|delayed delayed|off off|adaptive adaptive|full full|inherit off" \
		"$(json_get "$(ctl -j show sites)" '"|".join(s["mode"] + " " + s["effective_mode"] for s in d)')"
	ctl set mode delayed
	assert_eq "effective modes, account delayed" \
		"inherit delayed|delayed delayed|off off|adaptive adaptive|full full|inherit delayed" \
		"$(json_get "$(ctl -j show sites)" '"|".join(s["mode"] + " " + s["effective_mode"] for s in d)')"
	ctl set mode full
	log_test "effective_mode follows the account mode only for inherit sites"
}

test_sites_text()
{
	local out header

	out=$(ctl show sites)
	assert_eq "show sites exit code" 0 "$?"
	header=${out%%$'\n'*}
	assert_match "header" "^NAME +ID +MODE +EFFECTIVE +PREFIXES$" "$header"
	assert_eq "text lines" 7 "$(count_lines "$out" '.')"
	assert_line "branch-a line" "branch-a +1 +inherit +full +10\.1\.0\.0/16" "$out"
	assert_line "hq_2.x line" "hq_2\.x +2 +delayed +delayed +10\.2\.0\.0/16,fd00:b::/48" "$out"
	assert_line "v6only line" "v6only +3 +off +off +2001:db8::/32,2001:db8:1::/48" "$out"
	assert_line "host line" "host +4 +adaptive +adaptive +192\.0\.2\.7/32,2001:db8:ffff::1/128" "$out"
	log_test "show sites text table"
}

test_site_del_and_ids()
{
	local rc=0

	ctl site del hq_2.x || rc=$?
	ctl site del fullsite || rc=$?
	ctl site del inh || rc=$?
	assert_eq "site del exit codes" 0 "$rc"
	sites_are "after del" '[
{"id":1,"name":"branch-a","mode":"inherit","effective_mode":"full","prefix":["10.1.0.0/16"]},
{"id":3,"name":"v6only","mode":"off","effective_mode":"off","prefix":["2001:db8::/32","2001:db8:1::/48"]},
{"id":4,"name":"host","mode":"adaptive","effective_mode":"adaptive","prefix":["192.0.2.7/32","2001:db8:ffff::1/128"]}]'
	config_is "site_count 3" "$(cfg site_count=3)"

	# a deleted name and its prefixes can be used again, under a new id
	ctl site add hq_2.x prefix 10.2.0.0/16 prefix fd00:b::/48 mode delayed || rc=$?
	# delete the newest site: its id is not handed out again either
	ctl site del hq_2.x || rc=$?
	ctl site add last prefix 10.2.0.0/16 || rc=$?
	assert_eq "re-add exit codes" 0 "$rc"
	assert_eq "ids after re-adding" "1 3 4 8" \
		"$(json_get "$(ctl -j show sites)" '" ".join(str(s["id"]) for s in d)')"

	for s in branch-a v6only host last; do
		ctl site del "$s" || rc=$?
	done
	assert_eq "del all exit codes" 0 "$rc"
	sites_are "all deleted" "[]"
	config_is "site_count 0" "$DEFAULT_CONFIG"
	ctl site add again prefix 10.1.0.0/16 || rc=$?
	assert_eq "ids after emptying" "9" \
		"$(json_get "$(ctl -j show sites)" '" ".join(str(s["id"]) for s in d)')"
	ctl site del again
	log_test "site del; site ids are never reused"
}

test_force_ports_adaptive()
{
	local i list=

	set_and_check force-full-ports 443,8443 force_full_ports '[443,8443]'
	assert_line "text" "force-full-ports: 443,8443" "$(ctl show config)"
	# the kernel keeps the order given
	set_and_check force-full-ports 8443,22,443 force_full_ports '[8443,22,443]'
	assert_line "text" "force-full-ports: 8443,22,443" "$(ctl show config)"
	set_and_check force-full-ports none force_full_ports '[]'
	assert_line "text" "force-full-ports: none" "$(ctl show config)"
	set_and_check force-full-ports 1,65535 force_full_ports '[1,65535]'
	for ((i = 1; i <= 16; i++)); do
		list+=${list:+,}$((60000 + i))
	done
	set_and_check force-full-ports "$list" force_full_ports "[$list]"
	# the text form is what set takes: feed it back
	capture ctl set force-full-ports "$(ctl show config | sed -n 's/^force-full-ports: //p')"
	assert_eq "set force-full-ports from show config: exit code" 0 "$CMD_RC"
	config_is "16 ports fed back" "$(cfg force_full_ports="[$list]")"
	set_and_check force-full-ports 443 force_full_ports '[443]'

	set_and_check adaptive-ttl 1 adaptive_ttl 1
	set_and_check adaptive-ttl 86400 adaptive_ttl 86400
	assert_line "text" "adaptive-ttl: 86400" "$(ctl show config)"
	set_and_check adaptive-ttl 300 adaptive_ttl 300
	set_and_check adaptive-size 64 adaptive_size 64
	set_and_check adaptive-size 262144 adaptive_size 262144
	assert_line "text" "adaptive-size: 262144" "$(ctl show config)"
	set_and_check adaptive-size 4096 adaptive_size 4096

	capture ctl set adaptive-size 128 mode adaptive force-full-ports 8443 \
		adaptive-ttl 2 tls-inspection on
	assert_eq "set 5 pairs with the new keys: exit code" 0 "$CMD_RC"
	config_is "set 5 pairs with the new keys" \
		"$(cfg mode=adaptive tls_inspection=true force_full_ports='[8443]' adaptive_ttl=2 adaptive_size=128)"
	assert_eq "text after 5 pairs" "mode: adaptive
tls-inspection: on
blocked-syn: handshake
challenge-ack: allow
sites: 0
server-timeout: 10000
syn-backlog: 1024
force-full-ports: 8443
adaptive-ttl: 2
adaptive-size: 128
$RULES_TAIL" "$(ctl show)"
	capture ctl set adaptive-size 4096 mode full force-full-ports 443 \
		adaptive-ttl 300 tls-inspection off
	config_is "back to defaults" "$DEFAULT_CONFIG"
	log_test "set force-full-ports, adaptive-ttl and adaptive-size round-trip at their bounds"
}

test_block_page()
{
	local i list='' before oct

	set_and_check block-page-ports 80,8080 block_page_ports '[80,8080]'
	assert_line "text" "block-page-ports: 80,8080" "$(ctl show config)"
	set_and_check block-page-ports 8080,80,443 block_page_ports '[8080,80,443]'
	set_and_check block-page-ports none block_page_ports '[]'
	assert_line "text" "block-page-ports: none" "$(ctl show config)"
	for ((i = 1; i <= 16; i++)); do
		list+=${list:+,}$((50000 + i))
	done
	set_and_check block-page-ports "$list" block_page_ports "[$list]"
	capture ctl set block-page-ports "$(ctl show config | sed -n 's/^block-page-ports: //p')"
	assert_eq "set block-page-ports from show config: exit code" 0 "$CMD_RC"
	set_and_check block-page-ports 80 block_page_ports '[80]'

	ctl show block-page >"$TMP_DIR/default.page"
	assert_eq "the default page's length" 166 "$(stat -c %s "$TMP_DIR/default.page")"
	assert_match "the default page" "403 Forbidden" "$(cat "$TMP_DIR/default.page")"
	# Every byte value, NUL included, comes back as it went.
	for i in {0..767}; do
		printf -v oct '%03o' $((i % 256))
		# shellcheck disable=SC2059 # the format is the byte
		printf "\\$oct"
	done >"$TMP_DIR/bytes.page"
	capture ctl set block-page "$TMP_DIR/bytes.page"
	assert_eq "set block-page FILE: exit code" 0 "$CMD_RC"
	ctl show block-page >"$TMP_DIR/back.page"
	cmp -s "$TMP_DIR/bytes.page" "$TMP_DIR/back.page" ||
		fail "show block-page does not give the 768 bytes back"
	assert_line "text" "block-page: 768 bytes" "$(ctl show config)"
	assert_eq "JSON block_page" 768 \
		"$(json_get "$(ctl -j show block-page)" 'len(d["block_page"])')"
	capture ctl set block-page - <"$TMP_DIR/default.page"
	assert_eq "set block-page - (stdin): exit code" 0 "$CMD_RC"
	config_is "the default page again" "$DEFAULT_CONFIG"
	head -c 4096 /dev/zero | tr '\0' 'p' >"$TMP_DIR/4096.page"
	capture ctl set block-page "$TMP_DIR/4096.page"
	assert_eq "4096 bytes: exit code" 0 "$CMD_RC"
	assert_line "text" "block-page: 4096 bytes" "$(ctl show config)"
	: >"$TMP_DIR/empty.page"
	capture ctl set block-page "$TMP_DIR/empty.page"
	assert_eq "0 bytes: exit code" 0 "$CMD_RC"
	assert_line "text" "block-page: 0 bytes" "$(ctl show config)"

	before=$(ctl -j show config)
	head -c 4097 /dev/zero | tr '\0' 'p' >"$TMP_DIR/4097.page"
	capture ctl set mode delayed block-page "$TMP_DIR/4097.page"
	assert_eq "4097 bytes: exit code" 1 "$CMD_RC"
	assert_eq "4097 bytes: message" \
		"catoproxyctl: set: $TMP_DIR/4097.page is longer than 4096 bytes" "$CMD_ERR"
	capture ctl set mode delayed block-page "$TMP_DIR/no-such.page"
	assert_eq "missing file: exit code" 1 "$CMD_RC"
	assert_match "missing file: message" "cannot open .*no-such.page: No such file" "$CMD_ERR"
	assert_eq "nothing changed" "$before" "$(ctl -j show config)"
	capture ctl set block-page - <"$TMP_DIR/default.page"
	config_is "back to defaults" "$DEFAULT_CONFIG"
	log_test "set block-page-ports and block-page round-trip, byte for byte, at their bounds"
}

test_stats_shape()
{
	local out

	out=$(ctl -j show stats)
	assert_eq "stats keys" "$ALL_STAT_NAMES" \
		"$(json_get "$out" '" ".join(d)')"
	assert_eq "stats values" "$(printf '0 %.0s' $ALL_STAT_NAMES | sed 's/ $//')" \
		"$(json_get "$out" '" ".join(str(v) for v in d.values())')"
	out=$(ctl show stats)
	assert_eq "stats text" "$(printf '%s: 0\n' $ALL_STAT_NAMES)" "$out"
	log_test "show stats: every counter, text and JSON"
}

test_cli()
{
	py_check $PYTHON "$LIB_DIR/ctl_check.py" cli "catoproxyctl"
	log_test "help on stdout with exit 0 for every subcommand; usage errors on stderr with exit 1"
}

# Last: the module goes, and the kernel's modprobe helper must not bring
# it back (the family's alias would).
test_no_module()
{
	unload_module || fail "rmmod failed"
	read -r MODPROBE </proc/sys/kernel/modprobe
	echo /bin/true >/proc/sys/kernel/modprobe
	py_check $PYTHON "$LIB_DIR/ctl_check.py" no_module "no module"
	echo "$MODPROBE" >/proc/sys/kernel/modprobe
	MODPROBE=
	module_loaded && fail "the module came back"
	log_test "module not loaded: exit status 3 and a message saying so"
}

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups
	--inh-caps=-all --bounding-set=-all --no-new-privs --)
# The namespace test_load_defaults loads files into (setup_ns sets it).
loadns=
SITE_MODES=(full delayed adaptive off inherit)
RULE_ACTIONS=(allow block bypass)

# conf_file MODE N: a configuration with mode MODE, 50 sites and 1000
# rules, their addresses set by N (1 to 9) so that two files differ.
conf_file()
{
	local i w

	echo "# written by config.sh"
	echo "set mode $1 tls-inspection on force-full-ports 443,8443"
	echo "set server-timeout 2500   # ms"
	echo "set block-page-ports 80,8080"
	echo 'set block-page "<h1>blocked</h1>\n\x00\xff\"#"'
	echo "set inspect-timeout 3000"
	for ((i = 0; i < 50; i++)); do
		echo "site add site$i prefix 10.$2.$i.0/24 prefix fd00:$2:$((i + 1))::/48 mode ${SITE_MODES[i % 5]}"
	done
	for ((i = 0; i < 1000; i++)); do
		w=
		case $((i % 10)) in
		3) w=" sni s$i.example.com" ;;
		4) w=" host *.h$i.example.org" ;;
		esac
		((i % 4 != 1 || i % 3 == 1)) || w+=" path $(printf '0x%x' $((i + 1)))"
		echo "rule add dst 198.1$2.$((i >> 8)).$((i & 255))/32 dport $((1 + i))$w action ${RULE_ACTIONS[i % 3]}"
	done
}

# dump_is DESC WANT: ctl dump prints WANT.
dump_is()
{
	capture ctl dump
	assert_eq "$1: dump exit code" 0 "$CMD_RC"
	assert_eq "$1: dump unchanged" "$2" "$CMD_OUT"
}

test_dump_load()
{
	local a=$TMP_DIR/a.conf b=$TMP_DIR/b.conf d1 rules sites change

	conf_file delayed 1 >"$a"
	capture ctl load "$a"
	assert_eq "load: exit code" 0 "$CMD_RC"
	assert_eq "load: stderr" "" "$CMD_ERR"
	assert_eq "load: stdout" "" "$CMD_OUT"
	d1=$(ctl dump)
	assert_eq "dump: the settings" "set mode delayed
set tls-inspection on
set blocked-syn handshake
set challenge-ack allow
set server-timeout 2500
set syn-backlog 1024
set force-full-ports 443,8443
set adaptive-ttl 300
set adaptive-size 4096
set block-page-ports 80,8080
set block-page \"<h1>blocked</h1>\\n\\x00\\xff\\\"#\"
set inspect-timeout 3000" \
		"$(grep '^set ' <<<"$d1")"
	assert_eq "dump: the sites and rules, as written" \
		"$(grep -v -e '^#' -e '^set ' "$a")" \
		"$(grep -v -e '^#' -e '^set ' <<<"$d1")"
	assert_eq "dump: 50 sites, 1000 rules" "50 1000" \
		"$(count_lines "$d1" '^site add ') $(count_lines "$d1" '^rule add ')"
	config_is "show config after load" \
		"$(cfg mode=delayed tls_inspection=true force_full_ports='[443,8443]' server_timeout=2500 block_page_ports='[80,8080]' site_count=50 rule_count=1000 block_page_len=21 inspect_timeout=3000)"

	rules=$(ctl -j show rules)
	sites=$(ctl -j show sites)
	capture bash -c "'$CATOPROXYCTL' dump | '$CATOPROXYCTL' load -"
	assert_eq "dump | load: exit code" 0 "$CMD_RC"
	assert_eq "dump | load: stderr" "" "$CMD_ERR"
	dump_is "dump | load" "$d1"
	capture ctl load "$a"
	assert_eq "the same file again: exit code" 0 "$CMD_RC"
	assert_eq "the same file again: stderr" "" "$CMD_ERR"
	dump_is "the same file again" "$d1"
	assert_eq "rules, their ids and hits kept" "$rules" "$(ctl -j show rules)"
	assert_eq "sites, their ids kept" "$sites" "$(ctl -j show sites)"
	assert_eq "dump: sni, host and path rules" "100 100 166" \
		"$(count_lines "$d1" ' sni ') $(count_lines "$d1" ' host ') $(count_lines "$d1" ' path ')"

	# A list that differs only in a name or a path is another list.
	for change in 's/ sni s3\.example\.com / sni t3.example.com /' \
		's/ host \*\.h4\.example\.org / host *.h4.example.net /' \
		's/ path 0x6 / path 0x9 /'; do
		sed "$change" "$a" >"$b"
		assert_ne "$change changes the file" "" "$(diff "$a" "$b")"
		capture ctl load "$b"
		assert_eq "load after $change: exit code" 0 "$CMD_RC"
		assert_eq "load after $change: the rules dumped" \
			"$(grep '^rule add ' "$b")" "$(ctl dump | grep '^rule add ')"
	done
	log_test "dump | load with 50 sites and 1000 rules (sni, host, path among them) is an identity; loading twice changes nothing; a name or path changed is a new list"
}

test_load_refused()
{
	local a=$TMP_DIR/a.conf bad=$TMP_DIR/bad.conf d1 n

	d1=$(ctl dump)
	sed '700s/.*/rule add dport 90-80 action block/' "$a" >"$bad"
	capture ctl load "$bad"
	assert_eq "a bad line: exit code" 1 "$CMD_RC"
	assert_eq "a bad line: message" \
		"catoproxyctl: load: $bad:700: Invalid port range \`90-80' for \`dport': 90 is above 80" \
		"$CMD_ERR"
	dump_is "a bad line" "$d1"

	# Only the kernel knows the sites' prefixes together.
	conf_file off 2 >"$bad"
	echo "site add again prefix fd00:2:8::/48 # site7's" >>"$bad"
	conf_file off 2 | grep '^rule ' >>"$bad"
	n=$(grep -n '^site add again' "$bad" | cut -d: -f1)
	capture ctl load "$bad"
	assert_eq "refused by the kernel: exit code" 2 "$CMD_RC"
	assert_eq "refused by the kernel: message" \
		"catoproxyctl: load: $bad:$n: prefix already belongs to a site (File exists)" \
		"$CMD_ERR"
	dump_is "refused by the kernel" "$d1"

	capture "${NOBODY[@]}" "$CATOPROXYCTL" load - <"$a"
	assert_eq "nobody: load: exit code" 2 "$CMD_RC"
	assert_match "nobody: load: message" \
		"^catoproxyctl: load: -: Operation not permitted" "$CMD_ERR"
	capture "${NOBODY[@]}" "$CATOPROXYCTL" dump
	assert_eq "nobody: dump: exit code" 2 "$CMD_RC"
	assert_match "nobody: dump: message" "Operation not permitted" "$CMD_ERR"
	dump_is "unprivileged" "$d1"
	log_test "a bad line, a file the kernel refuses, an unprivileged load: FILE:LINE, nothing changed"
}

test_load_concurrent()
{
	local x=$TMP_DIR/x.conf y=$TMP_DIR/y.conf dx dy d i rc mixed=0

	conf_file adaptive 3 >"$x"
	conf_file full 4 >"$y"
	ctl load "$x" && dx=$(ctl dump)
	ctl load "$y" && dy=$(ctl dump)
	assert_ne "two different files" "$dx" "$dy"
	for ((i = 0; i < 4; i++)); do
		rc=0
		ctl load "$x" & ctl load "$y" & wait -n || rc=$?
		wait -n || rc=$?
		assert_eq "two loads at once, round $i: exit codes" 0 "$rc"
		d=$(ctl dump)
		[ "$d" = "$dx" ] || [ "$d" = "$dy" ] || mixed=$((mixed + 1))
	done
	assert_eq "rounds that left neither file's configuration" 0 "$mixed"
	log_test "two loads at once leave one file's configuration, never a mix"
}

# ns_hooks NS: our hooks registered in NS, or "?" when nft cannot list them.
ns_hooks()
{
	local out

	out=$(ip netns exec "$1" nft list hooks 2>/dev/null) || { echo "?"; return; }
	[ -n "$out" ] || { echo "?"; return; }
	count_lines "$out" "catoproxy"
}

test_load_defaults()
{
	local dir=$TMP_DIR/etc h r

	capture ctl load - </dev/null
	assert_eq "an empty file: exit code" 0 "$CMD_RC"
	config_is "an empty file: every default" "$DEFAULT_CONFIG"
	sites_are "an empty file: no site" "[]"

	mkdir -p "$dir"
	printf 'page\0 from a file\n' >"$dir/page.html"
	printf 'set block-page page.html\nset mode delayed\n' >"$dir/p.conf"
	capture bash -c "cd / && '$CATOPROXYCTL' load '$dir/p.conf'"
	assert_eq "a page next to the file: exit code" 0 "$CMD_RC"
	ctl show block-page >"$TMP_DIR/back.page"
	cmp -s "$dir/page.html" "$TMP_DIR/back.page" ||
		fail "show block-page is not the file's page"
	config_is "a page next to the file" \
		"$(cfg mode=delayed block_page_len=18)"
	printf 'set mode off\n\nset block-page nothing.html\n' >"$dir/p.conf"
	capture ctl load "$dir/p.conf"
	assert_eq "a missing page: exit code" 1 "$CMD_RC"
	assert_eq "a missing page: message" \
		"catoproxyctl: load: $dir/p.conf:3: cannot open $dir/nothing.html: No such file or directory" \
		"$CMD_ERR"
	config_is "a missing page: nothing changed" \
		"$(cfg mode=delayed block_page_len=18)"

	# setup_ns has a local "ns" of its own: a global name is needed.
	setup_ns loadns || fail "setup_ns"
	echo "set mode off" | ctl -n "$loadns" load - || fail "load mode off"
	h=$(ns_hooks "$loadns")
	[ "$h" = "?" ] || assert_eq "mode off: our hooks" 0 "$h"
	ctl -n "$loadns" load - </dev/null || fail "load an empty file"
	h=$(ns_hooks "$loadns")
	[ "$h" = "?" ] || assert_ne "the default mode full: our hooks" 0 "$h"
	echo "# our hooks in a namespace loaded with mode full: $h"
	echo "set mode off" | ctl -n "$loadns" load - || fail "load mode off again"
	h=$(ns_hooks "$loadns")
	[ "$h" = "?" ] || assert_eq "mode off again: our hooks" 0 "$h"
	# A payload rule answers handshakes, a path marks: both need hooks.
	for r in "dport 443 sni a.example action allow" "dst 192.0.2.0/24 path 7 action bypass"; do
		printf 'set mode off\nrule add %s\n' "$r" | ctl -n "$loadns" load - ||
			fail "load mode off with rule $r"
		h=$(ns_hooks "$loadns")
		[ "$h" = "?" ] || assert_ne "mode off, rule $r: our hooks" 0 "$h"
		echo "set mode off" | ctl -n "$loadns" load - || fail "load mode off without rules"
		h=$(ns_hooks "$loadns")
		[ "$h" = "?" ] || assert_eq "mode off, rule $r deleted: our hooks" 0 "$h"
	done
	cleanup_ns "$loadns"
	ctl load - </dev/null
	log_test "load: what a file leaves out is the default; a page from a file; off releases the hooks, which a payload or path rule takes again"
}

cleanup()
{
	[ -n "${MODPROBE:-}" ] && echo "$MODPROBE" >/proc/sys/kernel/modprobe
	cleanup_common
}

trap cleanup EXIT
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 20
require_module

test_defaults
test_modes
test_tls
test_blocked_syn
test_challenge_ack
test_multi
test_server_timeout_backlog
test_force_ports_adaptive
test_sites
test_sites_text
test_site_del_and_ids
test_block_page
test_stats_shape
test_dump_load
test_load_refused
test_load_concurrent
test_load_defaults
test_cli
test_no_module

ktap_finished
