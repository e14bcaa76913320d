#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's own netfilter selftests (tools/testing/selftests/net/
# netfilter of Debian's linux-source-X.Y) in the test VM, each script three
# times in one boot: without catoproxy, and with it loaded with
# default_mode=full and default_mode=delayed (every namespace the scripts
# create intercepted). Prints a table script x mode.
#
# Usage: selftests/kernel-nf/run.sh [-k KREL] [-m "MODES"] [-c CAP] [SCRIPT ...]
#
#   -k KREL   kernel (default: newest of selftests/vm/kernels.sh)
#   -m MODES  modes to run (default: "none full delayed")
#   -c CAP    per-run time cap in seconds for scripts not in the list
#             below (default 300; the scripts' settings say 1800)
#   SCRIPT    scripts of net/netfilter (default: the list below)
#   --prepare only extract the sources and build the helpers
#
# The sources come from /usr/src/linux-source-X.Y.tar.xz (package
# linux-source-X.Y, X.Y of KREL), extracted into build/kernel-nf/ (only
# net/netfilter, net/lib.sh, net/lib and the headers the helpers include);
# the helpers (nf_queue, conntrack_dump_flush... see its Makefile) are built
# there with the host's compiler. The guest half is selftests/kernel-nf/
# guest.sh. Results: build/kernel-nf/results-KREL.txt ("KNF" lines) and the
# table on stdout.
# Exit status: 1 when a script that passes without the module fails with
# it (or the VM run failed), else 0.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
PROJ=$(cd "$here/../.." && pwd -P)
B=$PROJ/build/kernel-nf

die() { echo "selftests/kernel-nf/run.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

# script:cap (seconds, under TCG), the most telling first. Left out (see
# Documentation/kernel-selftests.rst): nf_conntrack_packetdrill.sh (needs
# packetdrill, not in Debian), nft_concat_range.sh and
# nft_concat_range_perf.sh (tens of minutes of set operations, no TCP
# through a router), nft_audit.sh (needs the audit daemon's log path),
# conntrack_sctp_collision.sh and vxlan_mtu_frag.sh (no TCP).
DEFAULT_TESTS=(
	conntrack_tcp_unreplied.sh:300
	nft_flowtable.sh:600
	nft_nat.sh:300
	nft_nat_zones.sh:300
	nft_synproxy.sh:240
	nft_conntrack_helper.sh:240
	nf_nat_edemux.sh:240
	conntrack_icmp_related.sh:240
	nft_tproxy_tcp.sh:240
	conntrack_dump_flush:240
	nft_queue.sh:300
	conntrack_reverse_clash.sh:240
	conntrack_ipip_mtu.sh:240
	conntrack_vrf.sh:240
	rpath.sh:240
	nft_fib.sh:240
	nft_meta.sh:240
	xt_string.sh:240
	ipvs.sh:240
	br_netfilter.sh:240
	br_netfilter_queue.sh:240
	bridge_brouter.sh:240
	nft_tproxy_udp.sh:240
	nft_zones_many.sh:300
)

KREL='' MODES='none full delayed' CAP=300 PREPARE=0 ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || usage; KREL=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || usage; MODES=$2; shift 2 ;;
	-c) [ $# -ge 2 ] || usage; CAP=$2; shift 2 ;;
	--prepare) PREPARE=1; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) ARGS+=("$1"); shift ;;
	esac
done
[[ $CAP =~ ^[1-9][0-9]*$ ]] || die "-c takes seconds"
for m in $MODES; do
	case $m in none | full | delayed | adaptive) ;; *) die "unknown mode $m" ;; esac
done
[ -n "$KREL" ] || KREL=$("$PROJ/selftests/vm/kernels.sh" | tail -n 1)
[ -n "$KREL" ] || die "no kernel (selftests/vm/kernels.sh)"
[[ $KREL =~ ^([0-9]+\.[0-9]+) ]] || die "bad kernel release $KREL"
VER=${BASH_REMATCH[1]}
TARBALL=/usr/src/linux-source-$VER.tar.xz
SRC=$B/linux-source-$VER
ST=$SRC/tools/testing/selftests
NF=$ST/net/netfilter

# Sources: only what the scripts and helpers use.
if [ ! -f "$NF/Makefile" ]; then
	[ -f "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-$VER)"
	mkdir -p "$B" || die "cannot create $B"
	p=linux-source-$VER/tools/testing/selftests
	tar -C "$B" -xJf "$TARBALL" "$p/net/netfilter" "$p/net/lib.sh" "$p/net/lib" \
		"$p/kselftest.h" "$p/kselftest_harness.h" ||
		die "cannot extract the selftests from $TARBALL"
fi
# Helpers, as its Makefile builds them (without kbuild's lib.mk).
MNL_CFLAGS=$(pkg-config --cflags libmnl 2>/dev/null)
MNL_LIBS=$(pkg-config --libs libmnl 2>/dev/null || echo -lmnl)
for h in nf_queue conntrack_dump_flush audit_logread connect_close \
	conntrack_reverse_clash sctp_collision; do
	[ "$NF/$h" -nt "$NF/$h.c" ] && continue
	case $h in
	nf_queue | conntrack_dump_flush) extra=("$MNL_LIBS") fl=("$MNL_CFLAGS") ;;
	*) extra=() fl=() ;;
	esac
	# shellcheck disable=SC2068 # pkg-config output: word splitting wanted
	${CC:-cc} -O2 -I"$ST" ${fl[@]} -o "$NF/$h" "$NF/$h.c" ${extra[@]} ||
		die "cannot build $h (libmnl-dev?)"
done
[ "$PREPARE" = 1 ] && exit 0

TESTS=()
if [ ${#ARGS[@]} -eq 0 ]; then
	TESTS=("${DEFAULT_TESTS[@]}")
else
	for a in "${ARGS[@]}"; do
		a=${a##*/}
		c=$CAP
		for d in "${DEFAULT_TESTS[@]}"; do
			[ "${d%%:*}" = "$a" ] && c=${d##*:}
		done
		TESTS+=("$a:$c")
	done
fi
{
	echo "dir $NF"
	for t in "${TESTS[@]}"; do
		[ -e "$NF/${t%%:*}" ] || die "no ${t%%:*} in $NF"
		echo "test ${t%%:*} ${t##*:} $MODES"
	done
} >"$B/plan" || die "cannot write $B/plan"

start=$SECONDS
"$PROJ/selftests/vm/run.sh" -k "$KREL" kernel-nf/guest.sh
vmrc=$?
wall=$((SECONDS - start))
# The guest's stream (tap.txt) has every finished run even when the VM was
# stopped early.
LOG=$PROJ/build/vm/$KREL/tap.txt
RES=$B/results-$KREL.txt
{
	echo "# $KREL, $(date -u '+%Y-%m-%d %H:%M UTC'), wall ${wall}s, modes: $MODES"
	sed -n 's/^# KNF /KNF /p' "$LOG" 2>/dev/null
} >"$RES"

# The table; a regression: passes with "none", anything else in another mode.
awk -v modes="$MODES" '
BEGIN { n = split(modes, M, " ") }
/^KNF / {
	s = $2; if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
	r = $4; if ($7 != "") r = r "(" $7 ")"
	res[s, $3] = r; secs[s, $3] = $6
}
END {
	printf "%-28s", "script"
	for (i = 1; i <= n; i++) printf " %-16s", M[i]
	printf "\n"
	bad = 0
	for (k = 1; k <= ns; k++) {
		s = order[k]; printf "%-28s", s
		for (i = 1; i <= n; i++) {
			r = ((s, M[i]) in res) ? res[s, M[i]] " " secs[s, M[i]] "s" : "-"
			printf " %-16s", r
		}
		reg = ""
		if (res[s, "none"] == "pass")
			for (i = 1; i <= n; i++)
				if (M[i] != "none" && res[s, M[i]] != "pass") reg = reg " " M[i]
		if (reg != "") { printf "  REGRESSION:%s", reg; bad = 1 }
		printf "\n"
	}
	exit bad
}' "$RES"
rc=$?
echo "# results in $RES, logs in $LOG; wall ${wall}s"
planned=$((${#TESTS[@]} * $(wc -w <<<"$MODES")))
got=$(grep -c '^KNF ' "$RES")
if [ "$got" -lt "$planned" ]; then
	echo "# only $got of $planned runs finished (VM run exit $vmrc)"
	rc=1
fi
exit $rc
