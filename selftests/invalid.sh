#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rejected requests change nothing. In the initial namespace, no topology:
#
#   catoproxyctl --------------------\
#                                     >--[generic netlink]--> catoproxy.ko
#   genl.py (YNL, raw encoder) ------/
#
# 1. catoproxyctl: every malformed command exits 1 (caught by the CLI, usage
#    on stderr) or 2 (refused by the kernel, extack on stderr), and
#    -j show config / -j show sites are byte-identical before and after.
# 2. genl.py sends what the CLI never would (out-of-range values, bad
#    prefixes, unknown attributes, missing ones, duplicates): the kernel
#    answers with the exact errno and an extack message, and GET_CONFIG plus
#    the site dump are unchanged after each request.
# 3. The 257th site is refused with ENOSPC; 256 sites dump completely.
# 4. Rules: catoproxyctl refuses bad CIDRs, inverted port ranges, unknown
#    and missing actions, bad positions and ids, bad lines of a rule file
#    (exit 1, the file's line named); the kernel refuses an unknown id and
#    a position past the end (exit 2); the rule list is unchanged.
# 5. The rule limit: a list of 65536 rules loads and dumps completely; one
#    of 65537 is refused with E2BIG, one more ADD_RULE with ENOSPC.

source lib.sh

snapshot()
{
	local c s r

	c=$(ctl -j show config) || fail "snapshot: show config failed"
	s=$(ctl -j show sites) || fail "snapshot: show sites failed"
	r=$(ctl -j show rules) || fail "snapshot: show rules failed"
	echo "$c"
	echo "$s"
	echo "$r"
}

# reject CODE REGEX ARGS...: "catoproxyctl ARGS" exits CODE, stdout is
# empty, stderr matches REGEX (case-insensitive), config unchanged.
reject()
{
	local code=$1 re=$2
	shift 2
	local what="ctl $*"

	capture ctl "$@"
	assert_eq "$what: exit code" "$code" "$CMD_RC"
	assert_eq "$what: stdout" "" "$CMD_OUT"
	assert_ne "$what: stderr" "" "$CMD_ERR"
	shopt -s nocasematch
	assert_match "$what: stderr" "$re" "$CMD_ERR"
	shopt -u nocasematch
}

check_unchanged()
{
	local after

	after=$(snapshot)
	if ! assert_eq "$1: config, sites and rules unchanged" "$BEFORE" "$after"; then
		BEFORE=$after
	fi
}

test_cli_usage()
{
	BEFORE=$(snapshot)
	reject 1 "invalid mode .bogus." set mode bogus
	reject 1 "invalid mode .inherit." set mode inherit
	reject 1 "invalid mode .FULL." set mode FULL
	reject 1 "missing value for .mode." set mode
	reject 1 "missing setting" set
	reject 1 "invalid key .speed." set speed fast
	reject 1 "duplicate key .mode." set mode full mode off
	reject 1 "duplicate key .mode." set mode off tls-inspection on mode off
	reject 1 "invalid value .yes. for .tls-inspection." set tls-inspection yes
	reject 1 "invalid value .reset. for .blocked-syn." set blocked-syn reset
	reject 1 "invalid value .loose. for .challenge-ack." set challenge-ack loose
	reject 1 "invalid value .99. for .server-timeout.: expected milliseconds from 100 to 600000" set server-timeout 99
	reject 1 "invalid value .600001. for .server-timeout." set server-timeout 600001
	reject 1 "invalid value .ten. for .server-timeout." set server-timeout ten
	reject 1 "invalid value .-1. for .server-timeout." set server-timeout -1
	reject 1 "invalid value .1000001. for .syn-backlog.: expected a number from 0 to 1000000" set syn-backlog 1000001
	reject 1 "invalid value .many. for .syn-backlog." set syn-backlog many
	reject 1 "missing value for .syn-backlog." set syn-backlog
	reject 1 "duplicate key .server-timeout." set server-timeout 200 server-timeout 300
	# a valid timeout beside an invalid backlog: nothing is applied
	reject 1 "invalid value .x. for .syn-backlog." set server-timeout 200 syn-backlog x
	reject 1 "invalid port .0. for .force-full-ports.: expected ports from 1 to 65535" set force-full-ports 0
	reject 1 "invalid port .0. for .force-full-ports." set force-full-ports 443,0
	reject 1 "invalid port .65536. for .force-full-ports." set force-full-ports 65536
	reject 1 "invalid port .. for .force-full-ports." set force-full-ports 443,
	reject 1 "invalid port .https. for .force-full-ports." set force-full-ports https
	reject 1 "duplicate port 443 for .force-full-ports." set force-full-ports 443,8443,443
	reject 1 "too many ports for .force-full-ports.: at most 16" set force-full-ports \
		1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
	reject 1 "missing value for .force-full-ports." set force-full-ports
	reject 1 "invalid value .0. for .adaptive-ttl.: expected seconds from 1 to 86400" set adaptive-ttl 0
	reject 1 "invalid value .86401. for .adaptive-ttl." set adaptive-ttl 86401
	reject 1 "invalid value .63. for .adaptive-size.: expected a number of entries from 64 to 262144" set adaptive-size 63
	reject 1 "invalid value .262145. for .adaptive-size." set adaptive-size 262145
	reject 1 "duplicate key .adaptive-size." set adaptive-size 64 adaptive-size 128
	# valid pairs beside an invalid port list: nothing is applied
	reject 1 "invalid port .0." set mode off adaptive-ttl 5 force-full-ports 0
	reject 1 "unexpected argument" monitor now
	reject 1 "invalid show target .connections." show connections
	# one bad pair spoils the whole set: nothing is applied
	reject 1 "invalid value .maybe." set mode off tls-inspection maybe
	reject 1 "invalid subcommand" frobnicate
	reject 1 "invalid show target" show everything
	reject 1 "unexpected argument" show config extra
	reject 1 "invalid option" --bogus show
	check_unchanged "set/show usage errors"
	log_test "catoproxyctl set/show: usage errors exit 1, nothing changes"
}

test_cli_site_usage()
{
	local long33 long32 many=() i

	BEFORE=$(snapshot)
	reject 1 "not an IPv4 address" site add x prefix 10.0.0/8
	reject 1 "not an IPv4 address" site add x prefix 10.0.0.256/32
	reject 1 "not an IPv6 address" site add x prefix fd00:::1/64
	reject 1 "invalid prefix" site add x prefix /24
	reject 1 "bad prefix length" site add x prefix 10.0.0.0/
	reject 1 "bad prefix length" site add x prefix 10.0.0.0/-1
	reject 1 "bad prefix length" site add x prefix 10.0.0.0/abc
	reject 1 "prefix length 33 exceeds 32" site add x prefix 10.0.0.0/33
	reject 1 "prefix length 129 exceeds 128" site add x prefix fd00::/129
	reject 1 "host bits set" site add x prefix 10.1.2.3/16
	reject 1 "host bits set" site add x prefix fd00::1/64
	reject 1 "invalid mode .bogus." site add x prefix 10.0.0.0/8 mode bogus
	long32=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn
	long33=${long32}n
	reject 1 "longer than 31" site add "$long32" prefix 10.0.0.0/8
	reject 1 "longer than 31" site add "$long33" prefix 10.0.0.0/8
	reject 1 "use only letters" site add "a b" prefix 10.0.0.0/8
	reject 1 "use only letters" site add "a/b" prefix 10.0.0.0/8
	reject 1 "use only letters" site add "é" prefix 10.0.0.0/8
	reject 1 "must not be empty" site add "" prefix 10.0.0.0/8
	reject 1 "usage" site add x
	reject 1 "usage" site add x prefix
	reject 1 "usage" site add x prefix 10.0.0.0/8 mode
	reject 1 "usage" site add
	reject 1 "usage" site del
	reject 1 "usage" site del a b
	reject 1 "missing site command" site
	reject 1 "invalid site command" site rename a b
	reject 1 "usage" site add x prefix 10.0.0.0/8 colour blue
	reject 1 "duplicate prefix .10.98.0.0/16." site add x prefix 10.98.0.0/16 prefix 10.98.0.0/16
	for ((i = 0; i < 33; i++)); do
		many+=(prefix "10.$i.0.0/16")
	done
	reject 1 "too many prefixes|at most 32|1 to 32" site add x "${many[@]}"
	check_unchanged "site usage errors"
	log_test "catoproxyctl site: usage errors exit 1, nothing changes"
}

test_cli_kernel()
{
	local many=() i

	ctl site add keep prefix 10.99.0.0/16 prefix fd00:99::/64 mode delayed ||
		fail "cannot add site keep"
	# Non-default values everywhere, so that a request applied in part
	# shows in the snapshot.
	ctl set tls-inspection on blocked-syn drop force-full-ports 8443,443 \
		adaptive-ttl 77 adaptive-size 128 ||
		fail "cannot set tls-inspection/blocked-syn/force-full-ports/adaptive-*"
	BEFORE=$(snapshot)
	reject 2 "a site with this name exists" site add keep prefix 10.98.0.0/16
	reject 2 "prefix already belongs to a site" site add other prefix 10.99.0.0/16
	reject 2 "prefix already belongs to a site" site add other prefix 10.98.0.0/16 prefix fd00:99::/64
	reject 2 "no site with this name" site del nosuchsite
	reject 2 "no site with this name" site del KEEP
	# 32 prefixes is the limit, not an error
	for ((i = 0; i < 32; i++)); do
		many+=(prefix "10.$i.0.0/16")
	done
	check_unchanged "kernel-level errors"
	capture ctl site add max32 "${many[@]}"
	assert_eq "site add with 32 prefixes: exit code" 0 "$CMD_RC"
	assert_eq "site add with 32 prefixes: count" 32 \
		"$(json_get "$(ctl -j show sites)" 'len([s for s in d if s["name"] == "max32"][0]["prefix"])')"
	ctl site del max32 || fail "cannot delete max32"
	log_test "catoproxyctl: kernel refusals exit 2 with the extack text, nothing changes"
}

# Expected answers of the kernel to genl.py's requests (see genl.py for
# what each one sends). "-" for the extack: none required (the request never
# reached the family's code).
declare -A RAW_ERRNO=(
	[mode-99]=ERANGE
	[mode-inherit]=ERANGE
	[tls-2]=ERANGE
	[blocked-syn-2]=ERANGE
	[challenge-ack-2]=ERANGE
	[mode-u32]=EINVAL
	[set-empty]=EINVAL
	[set-unknown-attr]=EINVAL
	[set-read-only-attr]=EINVAL
	[set-with-site]=EINVAL
	[set-partial]=ERANGE
	[server-timeout-99]=ERANGE
	[server-timeout-600001]=ERANGE
	[server-timeout-0]=ERANGE
	[server-timeout-u8]=EINVAL
	[syn-backlog-1000001]=ERANGE
	[syn-backlog-u32max]=ERANGE
	[set-partial-backlog]=ERANGE
	[set-with-conn]=EINVAL
	[force-ports-odd-len]=EINVAL
	[force-ports-zero]=EINVAL
	[force-ports-dup]=EINVAL
	[force-ports-17]=ERANGE
	[set-partial-ports]=EINVAL
	[adaptive-ttl-0]=ERANGE
	[adaptive-ttl-86401]=ERANGE
	[adaptive-ttl-u8]=EINVAL
	[adaptive-size-63]=ERANGE
	[adaptive-size-262145]=ERANGE
	[set-partial-adaptive]=ERANGE
	[set-adaptive-entries]=EINVAL
	[cmd-event]=EOPNOTSUPP
	[site-plen-33]=EINVAL
	[site-plen-129]=ERANGE
	[site-addr-5]=EINVAL
	[site-v4-addr-16]=EINVAL
	[site-v6-addr-4]=EINVAL
	[site-host-bits]=EINVAL
	[site-host-bits-v6]=EINVAL
	[site-family-99]=EAFNOSUPPORT
	[site-no-name]=EINVAL
	[site-empty-name]=EINVAL
	[site-bad-name]=EINVAL
	[site-long-name]=EINVAL
	[site-name-no-nul]=EINVAL
	[site-no-prefixes]=EINVAL
	[site-empty-prefixes]=EINVAL
	[site-prefix-no-plen]=EINVAL
	[site-mode-99]=ERANGE
	[site-33-prefixes]=E2BIG
	[site-with-id]=EINVAL
	[site-no-site-attr]=EINVAL
	[site-dup-name]=EEXIST
	[site-dup-prefix]=EEXIST
	[site-dup-prefix-same-site]=EEXIST
	[site-unknown-attr]=EINVAL
	[del-unknown]=ENOENT
	[del-no-name]=EINVAL
	[del-with-prefixes]=EINVAL
	[page-ports-zero]=EINVAL
	[page-ports-dup]=EINVAL
	[page-ports-17]=ERANGE
	[page-ports-odd-len]=EINVAL
	[page-4097]=ERANGE
	[set-partial-page]=EINVAL
	[set-with-rule]=EINVAL
	[set-rule-count]=EINVAL
	[rule-no-rule-attr]=EINVAL
	[rule-no-action]=EINVAL
	[rule-action-3]=ERANGE
	[rule-action-u32]=EINVAL
	[rule-inverted-dport]=EINVAL
	[rule-inverted-sport]=EINVAL
	[rule-max-only]=EINVAL
	[rule-mixed-families]=EINVAL
	[rule-host-bits]=EINVAL
	[rule-plen-33]=EINVAL
	[rule-with-id]=EINVAL
	[rule-with-hits]=EINVAL
	[rule-pos-0]=ERANGE
	[rule-pos-past-end]=ERANGE
	[rule-unknown-attr]=EINVAL
	[rule-sni-and-host]=EINVAL
	[rule-sni-empty-label]=EINVAL
	[rule-host-star]=EINVAL
	[rule-sni-254]=EINVAL
	[rule-sni-no-nul]=EINVAL
	[rule-path-0]=ERANGE
	[rule-path-block]=EINVAL
	[rules-path-block]=EINVAL
	[rule-del-unknown]=ENOENT
	[rule-del-no-id]=EINVAL
	[rule-del-with-action]=EINVAL
	[rule-del-no-rule-attr]=EINVAL
	[rules-one-bad]=EINVAL
	[rules-with-pos]=EINVAL
	[cmd-unknown]=EOPNOTSUPP
	[cmd-unspec]=EOPNOTSUPP
)
# Requests lacking a mandatory attribute: the type the kernel must name in
# NLMSGERR_ATTR_MISS_TYPE (CATOPROXY_A_SITE 7, CATOPROXY_SITE_A_NAME 2,
# CATOPROXY_SITE_A_PREFIXES 5, CATOPROXY_PREFIX_A_PLEN 3, CATOPROXY_A_RULE
# 15, CATOPROXY_RULE_A_ACTION 9, CATOPROXY_RULE_A_ID 1). They still need a
# message: the UAPI promises one with every rejected change.
declare -A RAW_MISSING=(
	[site-no-site-attr]=7
	[site-no-name]=2
	[del-no-name]=2
	[site-no-prefixes]=5
	[site-prefix-no-plen]=3
	[rule-no-rule-attr]=15
	[rule-no-action]=9
	[rule-del-no-id]=1
	[rule-del-no-rule-attr]=15
)
declare -A RAW_EXTACK=(
	[mode-99]="integer out of range"
	[set-empty]="no setting given"
	[server-timeout-99]="integer out of range"
	[server-timeout-600001]="integer out of range"
	[syn-backlog-1000001]="integer out of range"
	[force-ports-odd-len]="a port list must be an array of u16"
	[force-ports-zero]="port 0 cannot be forced"
	[force-ports-dup]="a forced port is listed twice"
	[set-partial-ports]="port 0 cannot be forced"
	[adaptive-ttl-0]="integer out of range"
	[adaptive-ttl-86401]="integer out of range"
	[adaptive-size-63]="integer out of range"
	[adaptive-size-262145]="integer out of range"
	[cmd-event]=-
	[set-unknown-attr]="Unknown attribute type"
	[site-plen-33]="prefix length too long for the address family"
	[site-addr-5]="address length does not match the family"
	[site-host-bits]="prefix has host bits set"
	[site-family-99]="prefix family must be AF_INET or AF_INET6"
	[site-dup-name]="a site with this name exists"
	[site-dup-prefix]="prefix already belongs to a site"
	[site-33-prefixes]="too many prefixes"
	[del-unknown]="no site with this name"
	[page-ports-zero]="port 0 cannot serve a block page"
	[page-ports-dup]="a block-page port is listed twice"
	[page-ports-odd-len]="a port list must be an array of u16"
	[set-partial-page]="port 0 cannot serve a block page"
	[set-with-rule]="rules are changed with ADD_RULE, DEL_RULE and SET_RULES"
	[rule-no-rule-attr]="request has no rule"
	[rule-no-action]="rule has no action"
	[rule-action-3]="integer out of range"
	[rule-inverted-dport]="destination port range is inverted"
	[rule-inverted-sport]="source port range is inverted"
	[rule-max-only]="destination port range has no start"
	[rule-mixed-families]="source and destination prefixes are of different families"
	[rule-host-bits]="prefix has host bits set"
	[rule-plen-33]="prefix length too long for the address family"
	[rule-with-id]="rule ids are assigned by the kernel"
	[rule-pos-0]="integer out of range"
	[rule-pos-past-end]="position is past the end of the list"
	[rule-sni-and-host]="a rule matches sni or host, not both"
	[rule-sni-254]="Attribute failed policy validation"
	[rule-sni-no-nul]="Attribute failed policy validation"
	[rule-path-0]="integer out of range"
	[rule-path-block]="a rule that blocks has no path"
	[rules-path-block]="a rule that blocks has no path"
	[rule-del-unknown]="no rule with this id"
	[rule-del-no-id]="rule has no id"
	[rule-del-with-action]="a rule is deleted by id only"
	[rule-del-no-rule-attr]="request has no rule"
	[rules-one-bad]="destination port range is inverted"
	[rules-with-pos]="a whole list has no positions to insert at"
	[cmd-unknown]=-
	[cmd-unspec]=-
)

test_raw()
{
	local out name err ename changed miss extack n=0

	BEFORE=$(snapshot)
	out=$($PYTHON genl.py cases "${!RAW_ERRNO[@]}" 2>&1)
	assert_eq "genl.py cases: exit code" 0 "$?"
	while IFS=$'\t' read -r name err ename changed miss extack; do
		[ -n "${RAW_ERRNO[$name]+x}" ] || {
			fail "genl.py: $name $err $ename $changed $miss $extack"
			continue
		}
		n=$((n + 1))
		echo "# raw $name: $ename ($err) missing=$miss \"$extack\""
		assert_eq "raw $name: errno" "${RAW_ERRNO[$name]}" "$ename"
		assert_eq "raw $name: config changed" 0 "$changed"
		assert_eq "raw $name: missing attribute" "${RAW_MISSING[$name]:--}" "${miss%@*}"
		case ${RAW_EXTACK[$name]-} in
		-) ;;
		"") assert_ne "raw $name: extack message" "" "$extack" ;;
		*) assert_eq "raw $name: extack message" "${RAW_EXTACK[$name]}" "$extack" ;;
		esac
	done <<<"$out"
	assert_eq "raw requests answered" "${#RAW_ERRNO[@]}" "$n"
	check_unchanged "raw requests"
	log_test "raw genetlink: malformed requests refused with exact errno + extack, nothing changes"
}

test_site_limit()
{
	local out

	ctl site del keep || fail "cannot delete site keep"
	out=$($PYTHON genl.py fill limit 257)
	echo "# fill: $out"
	assert_eq "257th site" "added 256 errno 28 ENOSPC too many sites" "$out"
	out=$($PYTHON genl.py sites)
	assert_eq "dump of 256 sites (genl.py)" "256
256
limit0
limit255" \
		"$(json_get "$out" 'len(d)' 'len(set(s["name"] for s in d))' 'd[0]["name"]' 'd[-1]["name"]')"
	out=$(ctl -j show sites)
	assert_eq "dump of 256 sites (catoproxyctl)" "256
limit255
198.18.0.255/32" \
		"$(json_get "$out" 'len(d)' 'd[-1]["name"]' 'd[-1]["prefix"][0]')"
	assert_eq "site_count" 256 "$(json_get "$(ctl -j show config)" 'd["site_count"]')"
	log_test "site limit: 256 sites, the 257th refused with ENOSPC; full dump"
}

test_cli_rules()
{
	local file=$TMP_DIR/rules.txt

	ctl rule add dst 10.0.2.0/24 dport 80 action block >/dev/null &&
	ctl rule add src fd00:1::/64 action bypass >/dev/null ||
		fail "cannot add the rules the test keeps"
	BEFORE=$(snapshot)
	reject 1 "missing rule command: expected add, del, flush, load or check" rule
	reject 1 "invalid rule command .bogus." rule bogus
	reject 1 "missing action: expected .action allow\|block\|bypass." rule add dport 80
	reject 1 "invalid action .deny.: expected allow, block or bypass" rule add action deny
	reject 1 "missing value for .action." rule add action
	reject 1 "invalid prefix .10.0.1.300/24.: .10.0.1.300. is not an IPv4 address" \
		rule add src 10.0.1.300/24 action block
	reject 1 "invalid prefix .10.0.1.1/24.: host bits set, did you mean 10.0.1.0/24\?" \
		rule add dst 10.0.1.1/24 action block
	reject 1 "invalid prefix .fd00::/129.: prefix length 129 exceeds 128" \
		rule add dst fd00::/129 action block
	reject 1 "invalid port range .90-80. for .dport.: 90 is above 80" \
		rule add dport 90-80 action block
	reject 1 "invalid port range .65536. for .sport." rule add sport 65536 action block
	reject 1 "invalid port range .http. for .dport." rule add dport http action block
	reject 1 "invalid rule: source and destination prefixes are of different families" \
		rule add src 10.0.0.0/8 dst fd00::/8 action block
	reject 1 "duplicate key .src." rule add src 10.0.0.0/8 src 10.1.0.0/16 action block
	reject 1 "invalid argument .port.: expected pos, src, dst, sport, dport, sni, host, path or action" \
		rule add port 80 action block
	reject 1 "invalid position .0.: expected a number from 1" rule add pos 0 action block
	reject 1 "missing rule id" rule del
	reject 1 "invalid rule id .abc.: expected a number from 1" rule del abc
	reject 1 "invalid rule id .0.: expected a number from 1" rule del 0
	reject 1 "unexpected argument .2." rule del 1 2
	reject 1 "unexpected argument .now." rule flush now
	reject 1 "missing file name" rule load
	reject 1 "cannot open .*/nonexistent: No such file" rule load "$TMP_DIR/nonexistent"
	printf 'dport 80 action block\ndport 90-80 action allow\n' >"$file"
	reject 1 "rule load: $file:2: invalid port range .90-80. for .dport.: 90 is above 80" \
		rule load "$file"
	printf 'pos 1 dport 80 action block\n' >"$file"
	reject 1 "rule load: $file:1: invalid argument .pos.: expected src, dst, sport, dport, sni, host, path or action" \
		rule load "$file"
	reject 1 "invalid path .0.: expected a firewall mark from 1 to 0xffffffff" \
		rule add path 0 action allow
	reject 1 "invalid path .0x100000000.: expected" rule add path 0x100000000 action allow
	reject 1 "invalid argument .host.: a rule matches sni or host, not both" \
		rule add sni a.example host a.example action allow
	reject 1 "invalid rule: a rule that blocks has no path" \
		rule add sni a.example path 1 action block
	reject 1 "invalid sni .a\.\.example.: " rule add sni a..example action allow
	reject 1 "missing value for .sni." rule add action allow sni
	reject 1 "unexpected argument .b." rule check a b
	reject 1 "rule check: cannot open .*/nonexistent: No such file" \
		rule check "$TMP_DIR/nonexistent"
	printf 'dport 443 sni a.example action allow\nhost x action block path 7\n' >"$file"
	reject 1 "rule check: $file:2: invalid rule: a rule that blocks has no path" \
		rule check "$file"
	check_unchanged "catoproxyctl rule usage errors"
	reject 2 "rule del: no rule with this id" rule del 999999
	reject 2 "rule add: position is past the end of the list" rule add pos 4 action block
	check_unchanged "kernel refusals of rules"
	log_test "catoproxyctl rule: bad CIDR, inverted range, unknown or missing action, bad sni/host/path refused; nothing changes"
}

test_rule_limit()
{
	local out

	out=$($PYTHON genl.py set-rules 65536 80)
	assert_eq "65536 rules in one SET_RULES" "errno 0 OK" "$out"
	assert_eq "rule_count" 65536 "$(json_get "$(ctl -j show config)" 'd["rule_count"]')"
	out=$(ctl show rules)
	assert_eq "show rules: all of them" 65537 "$(wc -l <<<"$out")"
	assert_eq "show rules: the last one" "65536 198.18.255.255/32 80 block" \
		"$(tail -n 1 <<<"$out" | awk '{print $1, $4, $6, $7}')"
	capture ctl rule add action block
	assert_eq "the 65537th rule: exit code" 2 "$CMD_RC"
	assert_eq "the 65537th rule: message" \
		"catoproxyctl: rule add: too many rules (No space left on device)" "$CMD_ERR"
	out=$($PYTHON genl.py set-rules 65537 80)
	assert_eq "65537 rules in one SET_RULES" "errno 7 E2BIG too many rules" "$out"
	assert_eq "rule_count after the refusals" 65536 \
		"$(json_get "$(ctl -j show config)" 'd["rule_count"]')"
	ctl rule flush || fail "rule flush"
	assert_eq "rule_count after flush" 0 "$(json_get "$(ctl -j show config)" 'd["rule_count"]')"
	log_test "rule limit: 65536 rules load and dump, the 65537th refused (E2BIG, ENOSPC)"
}

cleanup()
{
	cleanup_common
}

trap cleanup EXIT
checktool "$PYTHON -c pass" "run python3"

ktap_print_header
ktap_set_plan 7
require_module

test_cli_usage
test_cli_site_usage
test_cli_kernel
test_raw
test_site_limit
test_cli_rules
test_rule_limit

ktap_finished
