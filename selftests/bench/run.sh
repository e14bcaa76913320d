#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the catoproxy benchmark (selftests/bench/bench.sh) in the QEMU VM and
# write its results to Documentation/benchmark.md (`make bench`).
#
# Usage: selftests/bench/run.sh [-k KREL] [--mode full|delayed|adaptive|off]
#                               [--quick] [--no-doc] [--report-only]
#
#   -k KREL   kernel (default: the newest, as selftests/vm/run.sh)
#   --mode    catoproxy's mode for the catoproxy configuration (default
#             full; BENCH_CATO_MODE)
#   --quick   one round of shorter measurements (2 s, 5 TTFB samples), for
#             trying it out
#   --no-doc  leave Documentation/benchmark.md alone
#   --report-only  no VM run: rewrite the document from the last run's output
#
# Expects build/KREL/catoproxy.ko and tools/catoproxyctl/catoproxyctl (the
# top-level Makefile's bench target builds them). The environment variables
# BENCH_CONFIGS, BENCH_METRICS, BENCH_TPUT_SECS, BENCH_CONN_SECS,
# BENCH_CONN_INFLIGHT, BENCH_TTFB_N, BENCH_FLOOD_SECS and BENCH_ROUNDS are
# passed to the guest (see bench.sh); with BENCH_METRICS="flood", say, only
# the SYN flood is measured (use --no-doc: the rest would show as n/a).
# The VM runs with QEMU's -icount (BENCH_ICOUNT, default "shift=1,sleep=on";
# "off" runs without): the guest's clock then follows the instructions it
# executes, so that a measurement reads what the code costs, not how fast
# the host happened to emulate it at that moment.
# The guest's output goes to build/bench/bench-KREL.log, the table also to
# build/bench/results-KREL.md, the plot to Documentation/benchmark.png
# (when gnuplot is installed).

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
PROJ=$(cd "$here/../.." && pwd -P)
cd "$PROJ" || exit 2

die() { echo "selftests/bench/run.sh: $*" >&2; exit 2; }
usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

KREL='' DOC=1 QUICK=0 REPORT_ONLY=0
BENCH_CATO_MODE=${BENCH_CATO_MODE:-full}
ICOUNT=${BENCH_ICOUNT:-shift=1,sleep=on}
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || usage; KREL=$2; shift 2 ;;
	--mode) [ $# -ge 2 ] || usage; BENCH_CATO_MODE=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--no-doc) DOC=0; shift ;;
	--report-only) REPORT_ONLY=1; shift ;;
	*) usage ;;
	esac
done
case $BENCH_CATO_MODE in
full | delayed | adaptive | off) ;;
*) die "bad mode '$BENCH_CATO_MODE'" ;;
esac
[ -n "$KREL" ] || KREL=$(selftests/vm/kernels.sh | tail -n 1)
[ -n "$KREL" ] || die "no usable kernel"

if [ "$QUICK" = 1 ]; then
	: "${BENCH_TPUT_SECS:=2}" "${BENCH_CONN_SECS:=2}" "${BENCH_TTFB_N:=5}" "${BENCH_FLOOD_SECS:=2}" "${BENCH_ROUNDS:=1}"
fi

BIN=$PROJ/build/bench
LOG=$BIN/bench-$KREL.log
if [ "$REPORT_ONLY" = 1 ]; then
	[ -f "$BIN/config" ] && . "$BIN/config"
	# A run from before the setting existed ran on the host's clock.
	ICOUNT=${BENCH_ICOUNT:-off}
	date=$(date -u -r "$BIN/vm-$KREL.log" '+%Y-%m-%d %H:%M UTC' 2>/dev/null)
	vmrc=0
else
	make -s -C selftests/bench O="$BIN" || die "cannot build the benchmark programs"
	# The rule bases the guest loads, and what a lookup in them costs here.
	"$BIN/rules_lookup" -w 10 "$BIN/rules-10.txt" &&
		"$BIN/rules_lookup" -w 10000 "$BIN/rules-10000.txt" &&
		"$BIN/rules_lookup" 10 10000 >"$BIN/rules-host.txt" &&
		"$BIN/rules_lookup" -p 10 10000 >"$BIN/rules-payload-host.txt" ||
		die "rules_lookup failed"
	{
		echo "# written by selftests/bench/run.sh for the guest"
		printf 'BENCH_CATO_MODE=%q\n' "$BENCH_CATO_MODE"
		printf 'BENCH_ICOUNT=%q\n' "$ICOUNT"
		for v in BENCH_CONFIGS BENCH_METRICS BENCH_TPUT_SECS BENCH_CONN_SECS BENCH_CONN_INFLIGHT \
			BENCH_TTFB_N BENCH_FLOOD_SECS BENCH_ROUNDS; do
			[ -n "${!v:-}" ] && printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$BIN/config"

	# Without a module (it does not build), measure the rest: the VM
	# harness insists on a file.
	ko=${CATOPROXY_KO:-build/$KREL/catoproxy.ko}
	if [ ! -f "$ko" ] && [[ " ${BENCH_CONFIGS:-catoproxy} " != *" catoproxy "* ]] &&
		[[ " ${BENCH_CONFIGS:-} " != *" delayed_ft "* ]]; then
		: >"$BIN/no-module.ko"
		export CATOPROXY_KO=$BIN/no-module.ko
	fi
	date=$(date -u '+%Y-%m-%d %H:%M UTC')
	if [ "$ICOUNT" != off ]; then
		export CPVM_ICOUNT=$ICOUNT
	fi
	# The guest's output, as streamed: build/vm/KREL/out/ belongs to the
	# next VM run on this kernel, which may start at once.
	selftests/vm/run.sh -k "$KREL" bench/bench.sh | tee "$BIN/vm-$KREL.log"
	vmrc=${PIPESTATUS[0]}
fi


[ -f "$BIN/vm-$KREL.log" ] || die "no output of a benchmark run on $KREL"
sed -n 's/^# //p' "$BIN/vm-$KREL.log" >"$LOG"

# The table bench.sh printed last, and its RESULT lines.
table=$(sed -n '/^BEGIN TABLE$/,/^END TABLE$/{/^|/p}' "$LOG")
[ -n "$table" ] || die "no result table in $LOG"
declare -A R=()
# add_to VAR N: add N to the count in VAR ("n/a" until a number comes).
add_to() { [[ $2 =~ ^[0-9]+$ ]] && printf -v "$1" '%s' $((${!1/n\/a/0} + $2)); }
intercepted=n/a engaged=n/a rounds_table=
declare -A offloaded=() endpoint_ct=()
while read -r _ kind a b rest; do
	case $kind in
	meta) R[meta.$a]=$b ;;
	median)
		# "cfg=value..."; before the flowtable configurations, the
		# values of plain, synproxy and catoproxy.
		if [[ $b == *=* ]]; then
			for kv in $b $rest; do
				R[${kv%%=*}.$a]=${kv#*=}
			done
		else
			read -r c d _ <<<"$rest"
			R[plain.$a]=$b R[synproxy.$a]=$c R[catoproxy.$a]=$d
		fi ;;
	all)
		rounds_table+="| ${a%%.*} | ${a#*.} | $b${rest:+ $rest} |"$'\n' ;;
	catoproxy | delayed_ft | flowtable | plain | synproxy)
		case $a in
		syn_intercepted) [ "$kind" = catoproxy ] && add_to intercepted "$b" ;;
		delayed_engaged) [ "$kind" = delayed_ft ] && add_to engaged "$b" ;;
		offloaded) offloaded[$kind]+="${offloaded[$kind]:+ }$b" ;;
		endpoint_ct) endpoint_ct[$kind]+="${endpoint_ct[$kind]:+ }$b" ;;
		esac ;;
	esac
done < <(grep '^RESULT ' "$LOG")
printf '%s\n' "$table" >"$BIN/results-$KREL.md"

echo
echo "Results ($KREL, catoproxy mode ${R[meta.cato_mode]:-?}):"
printf '%s\n' "$table"
[ "$vmrc" = 0 ] || echo "(the VM run reported a failure, exit $vmrc: see build/vm/$KREL/)"
[ "$DOC" = 1 ] || exit 0

# ------------------------------------------------------------ plot

# Each metric relative to plain; "higher is better" for all but TTFB.
plot=
if command -v gnuplot >/dev/null; then
	dat=$BIN/plot.dat
	{
		for m in tput_cs:"throughput c→s" tput_sc:"throughput s→c" \
			conn_rate:"connections/s" ttfb_ms:"TTFB" flood_answered:"SYN flood answered"; do
			k=${m%%:*}
			p=${R[plain.$k]:-n/a}
			printf '"%s"' "${m#*:}"
			for c in plain flowtable synproxy catoproxy delayed_ft; do
				v=${R[$c.$k]:-n/a}
				awk -v v="$v" -v p="$p" 'BEGIN {
					if (v ~ /^[0-9.]+$/ && p ~ /^[0-9.]+$/ && p > 0)
						printf " %.3f", v / p
					else
						printf " ?"
				}'
			done
			echo
		done
	} >"$dat"
	if gnuplot <<EOF 2>"$BIN/gnuplot.log"; then
set terminal pngcairo size 1000,480 font ",11" noenhanced
set output "Documentation/benchmark.png"
set title "catoproxy benchmark, $KREL, QEMU TCG 2 vCPUs: relative to plain forwarding (= 1.0)"
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top left
set ylabel "relative to plain (TTFB: lower is better)"
plot "$dat" using 2:xtic(1) title "plain", '' using 3 title "flowtable", \
     '' using 4 title "synproxy", '' using 5 title "catoproxy (${R[meta.cato_mode]:-?})", \
     '' using 6 title "catoproxy delayed + flowtable"
EOF
		plot=Documentation/benchmark.png
	else
		echo "gnuplot failed: $(cat "$BIN/gnuplot.log")" >&2
	fi
fi

# ------------------------------------------------------------ document

qemu=$(qemu-system-x86_64 --version | head -n 1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
# The tree measured: this run's own outputs do not make it dirty.
commit=$(git describe --always 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- . ':!Documentation/benchmark.md' ':!Documentation/benchmark.png' 2>/dev/null)" ]; then
	commit+=-dirty
fi
# The command that repeats the run: the settings run.sh passed to the guest.
cmd="make bench"
[ "$KREL" != "$(selftests/vm/kernels.sh | tail -n 1)" ] && cmd+=" KREL=$KREL"
while IFS='=' read -r k v; do
	case $k in
	BENCH_CATO_MODE) [ "$v" = full ] || cmd="BENCH_CATO_MODE=$v $cmd" ;;
	BENCH_ICOUNT) ;;
	BENCH_*) cmd="$k=$v $cmd" ;;
	esac
done <"$BIN/config"
[ "$ICOUNT" = "shift=1,sleep=on" ] || cmd="BENCH_ICOUNT=$ICOUNT $cmd"
if [ "$ICOUNT" = off ]; then
	clocknote="The guest ran on the host's clock (no \`-icount\`)."
else
	clocknote="With \`-icount $ICOUNT\`: the guest's clock follows the instructions it executes (see below)."
fi

# The median connect-to-close time of the connection test, per
# configuration: the median over the rounds of each run's p50.
lat_of() {
	awk -v want="$1" '/ === [a-z_]+ ===$/ { cfg = $(NF - 1); first = 1 }
		/\] connrate: / && first { first = 0
			if (cfg == want) for (i = 1; i <= NF; i++) if ($i ~ /^p50_ms=/) print substr($i, 8) }' "$LOG" |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
latnote=
lp=$(lat_of plain) lf=$(lat_of flowtable) ls=$(lat_of synproxy) lc=$(lat_of catoproxy) ld=$(lat_of delayed_ft)
if [ -n "$lp$lf$ls$lc$ld" ]; then
	latnote="The latency of one connection in the connection test (connect to
close, ${BENCH_CONN_INFLIGHT:-8} in flight; the median over the rounds of each run's median):
plain ${lp:-n/a} ms, flowtable ${lf:-n/a} ms, synproxy ${ls:-n/a} ms, catoproxy ${lc:-n/a} ms,
catoproxy delayed + flowtable ${ld:-n/a} ms."
	if grep -q '^RESULT all synproxy.conn_errors .*[1-9]' "$LOG"; then
		latnote+=" SYNPROXY lost connections in
this run (*connections failed*). A failed connection holds one of the
${BENCH_CONN_INFLIGHT:-8} slots for the 3-s time-out, so a few of them take most of the
measurement's time, and SYNPROXY's connections/s mostly counts those
stalls; the latency of the connections that completed compares the cost
of each connection without them. Why SYNPROXY lost them (always in its
configuration here, with the connection's first data sent right after the
handshake) was not investigated."
	fi
fi

if [ "$intercepted" = n/a ]; then
	catonote="catoproxy (mode \`${R[meta.cato_mode]:-?}\`) did not run or its counters could not be read: see the raw output."
elif [ "${R[meta.cato_mode]:-}" = full ] && [ "$intercepted" -gt 0 ]; then
	catonote="catoproxy ran in \`full\` mode and intercepted $intercepted SYNs."
elif [ "${R[meta.cato_mode]:-}" = full ]; then
	catonote="catoproxy ran in \`full\` mode, but its counters show no intercepted SYN (syn_intercepted: $intercepted): the module did not proxy, so its column measures connection tracking and policy lookup only, not the proxy."
else
	catonote="catoproxy ran in \`${R[meta.cato_mode]:-?}\` mode: no SYN interception, so its column measures the module's connection tracking and policy lookup only, not the proxy."
fi

# What the flowtable configurations offloaded, and whether the endpoints
# tracked anything, over the rounds.
offnote=
for c in flowtable delayed_ft; do
	[ -n "${offloaded[$c]:-}" ] || continue
	n=$(tr ' ' '\n' <<<"${offloaded[$c]}" | grep -c '^[1-9]')
	t=$(wc -w <<<"${offloaded[$c]}")
	name=$c
	[ "$c" = delayed_ft ] && name="catoproxy delayed + flowtable"
	if [ "$n" = "$t" ]; then
		offnote+="- $name: flows offloaded in every round (\`[OFFLOAD]\` entries seen during the check transfer: ${offloaded[$c]// /, })."$'\n'
	else
		offnote+="- $name: **flows offloaded in $n of $t rounds** (\`[OFFLOAD]\` entries seen during the check transfer: ${offloaded[$c]// /, })."$'\n'
	fi
done
if [ -n "${offloaded[delayed_ft]:-}" ]; then
	offnote+="- catoproxy delayed + flowtable: the module engaged $engaged connections in delayed mode (\`delayed_engaged\`, all rounds)."$'\n'
fi
# rel A B METRIC: A's median over B's.
rel() {
	awk -v a="${R[$1.$3]:-}" -v b="${R[$2.$3]:-}" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else printf "n/a" }'
}
if [[ "${offloaded[flowtable]:-}" == *[1-9]* ]] && [ -n "${offloaded[delayed_ft]:-}" ] &&
	[[ "${offloaded[delayed_ft]}" != *[1-9]* ]]; then
	ft_cs=$(rel flowtable plain tput_cs) ft_sc=$(rel flowtable plain tput_sc)
	dft_cs=$(rel delayed_ft flowtable tput_cs) dft_sc=$(rel delayed_ft flowtable tput_sc)
	offnote+="- With catoproxy in mode delayed nothing was offloaded: \`nft_flow_offload\`
  refuses a connection that carries a conntrack helper extension or
  sequence adjustment, and the module gives neither to a delayed
  connection (Documentation/design.rst, \"Per-connection state\"): a
  regression to look into. In this VM the flowtable itself gains little
  (throughput flowtable/plain $ft_cs client→server, $ft_sc server→client):
  the forward path of the router is a small part of what a stream costs
  here, where both endpoints run on the same two emulated CPUs, so the throughput ratio delayed +
  flowtable / flowtable ($dft_cs, $dft_sc) does not show what losing the
  fast path costs on a router whose CPU is the bottleneck; the row *flows
  offloaded* does."
	offnote+=$'\n'
fi
ctall=$(for c in "${!endpoint_ct[@]}"; do echo "${endpoint_ct[$c]}"; done | tr ' ' '\n' | sort -u | paste -sd ' ')
if [ -z "$ctall" ]; then
	ctnote="The endpoints' conntrack entries were not read in this run."
elif [ "$ctall" = "0+0" ]; then
	ctnote="The run checked it: at the end of every configuration, the client's and the server's \`nf_conntrack_count\` were 0."
else
	ctnote="**The run found conntrack entries in the endpoints' namespaces** (client+server \`nf_conntrack_count\` at the end of a configuration: $ctall): see the raw output."
fi

cat >Documentation/benchmark.md <<EOF
# catoproxy benchmark

\`make bench\` compares five configurations of the router in the selftests'
client/router/server namespace topology, one after the other in one VM run:

- **plain**: conntrack forwarding, an nft forward chain with
  \`ct state established,related accept\`; catoproxy not loaded.
- **flowtable**: plain plus software flow offload as OpenWrt's firewall sets
  it up: an nft flowtable on the router's two forwarding devices
  (\`hook ingress\`, \`devices = { r0, r1 }\`) and
  \`meta l4proto tcp ct state established flow add @ft\` in a forward chain;
  an offloaded flow's packets skip the forward path from the ingress hook.
  catoproxy not loaded.
- **synproxy**: plain plus the kernel's SYNPROXY in front of the benchmark
  ports (5201, 8080, 9000), configured as its documentation says:
  \`nf_conntrack_tcp_loose=0\`, a raw-priority prerouting chain
  \`tcp flags syn notrack\`, and in the forward chain
  \`ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm\`
  then \`ct state invalid drop\`.
- **catoproxy**: plain plus \`catoproxy.ko\` and
  \`catoproxyctl set mode ${R[meta.cato_mode]:-?}\` in the router.
- **catoproxy delayed + flowtable**: flowtable plus \`catoproxy.ko\` and
  \`catoproxyctl set mode delayed\` in the router: the figure of issue 14,
  whose target is throughput ≥ 0.95x flowtable's.

Each flowtable configuration first checks that flows are offloaded: during
a 3-s transfer it reads the router's \`conntrack -L\` until it shows
iperf3's connections (control and data) as \`[OFFLOAD]\`, and reports the
most entries seen at once (row *flows offloaded*; 0: nothing offloaded).

The client's and the server's namespaces stand for remote hosts, which do
not run the router's conntrack, and they track nothing, with no \`notrack\`
rule: conntrack registers its hooks in a namespace only when something
there asks for it (\`nf_ct_netns_get()\`: an nft \`ct\` expression, NAT,
SYNPROXY, catoproxy's hooks); nothing in theirs does, and catoproxy.ko is
loaded with its defaults (\`default_mode=off\`: inert until configured), so
it hooks only the router, whose policy \`set mode\` changes. (Loaded with
\`default_mode=full\`, as the selftests' \`load_module\` does, it would hook
and track every namespace of the VM, the endpoints too, and they would need
a \`notrack\`.) $ctnote

What is measured, for each (\`selftests/bench/bench.sh\`):

- **throughput**: \`iperf3 -c server -t ${BENCH_TPUT_SECS:-5}\` and with \`-R\`, one stream, Gbit/s at the receiver.
- **connections/s**: \`selftests/bench/connrate.c\`, one process, one epoll
  loop, ${BENCH_CONN_INFLIGHT:-8} connections in flight: connect, 64-byte request, 128-byte
  response, the server closes; for ${BENCH_CONN_SECS:-5} s. The server is
  \`selftests/bench/echo_server.c\` (one epoll loop).
- **time to first byte**: the median of ${BENCH_TTFB_N:-20} sequential connections from the
  start of \`connect()\` to the first byte of the response, with netem
  delaying every link direction: client link RTT 20 ms, server link RTT
  50 ms (70 ms end to end).
- **time to first byte, HTTPS**: the same, with a TLS ClientHello naming
  \`bench.example\` as the request (\`connrate -s\`). In the catoproxy
  configuration the rule \`dport 8080 sni bench.example action allow\`
  decides it (issue 16: the module answers the client's handshake, reads
  the ClientHello, and only then opens the server half); elsewhere it is
  forwarded as any connection. Target: ≤ 1.0x plain, since the client's
  first data reaches the router before plain forwarding would have
  finished the server's handshake anyway.
- **SYN flood**: \`selftests/bench/synflood.c\` sends SYNs from the client
  (raw socket, random source port and sequence number) as fast as it can for
  ${BENCH_FLOOD_SECS:-5} s. Reported per second: SYNs sent, SYNs reaching the router
  (nft counter on r0: *offered*), SYNs answered with a SYN-ACK (counted by
  the flooder with a packet socket, distinct acknowledgment numbers so that
  retransmitted SYN-ACKs count once; the client's nft then drops them so
  that it sends no resets, like the spoofed sources of a real flood),
  SYNs reaching the server, and the router's own counter (synproxy: \`syn_received\` of
  \`/proc/net/stat/synproxy\`; catoproxy: \`syn_intercepted +
  cookie_mode_syns\`). With plain forwarding nothing is absorbed: the SYNs
  go to the server, which answers them itself (with SYN cookies once its
  queue is full). Not measured for the flowtable configurations: a SYN is
  never offloaded, so their SYNs take plain's path (and delayed's).

## Results

$date, \`$cmd\`, tree \`$commit\`.

- Guest kernel: Debian \`$KREL\`.
- VM: $qemu, **TCG** (software emulation, \`-accel tcg,thread=single\`:
  both vCPUs share one host thread), **2 vCPUs**, 2 GiB. Host CPU: $cpu.
  $clocknote
- $catonote
$offnote
Medians of ${R[meta.rounds]:-?} rounds (each round runs every configuration in turn, a different one first); the
ratio column gives the ratio of the medians and, in brackets, the ratio
within each round.

$table

$( [ -n "$plot" ] && printf '![relative to plain](benchmark.png)\n\nEach metric relative to plain forwarding; missing bars are n/a.\n' )

$latnote

## Rule lookup

The row "10 rules / 10,000 rules" loads, in the catoproxy configuration's
topology, the rule base of \`selftests/bench/rules_lookup.c\` (\`rules_lookup
-w N FILE\`): N - 1 rules of eight common shapes that the benchmark's
connections do not match, then one that does, so that each connection is
decided by the last rule; the connection rate is measured with 10 rules,
then with 10,000, one after the other. A linear first-match scan would
compare every rule of the list on every SYN. What one lookup costs on the
host (not in the VM), with the module's own classifier and with such a
scan, best of 5 runs (\`build/bench/rules_lookup 10 10000\`):

| rules | tables | compiled lookup, last rule matches (ns) | linear scan (ns) | compiled, no rule matches (ns) | linear scan (ns) |
| ---: | ---: | ---: | ---: | ---: | ---: |
$(sed -n 's/^rules=\([0-9]*\) tables=\([0-9]*\) slow=[0-9]* compiled_ns=\([0-9.]*\) linear_ns=\([0-9.]*\) miss_compiled_ns=\([0-9.]*\) miss_linear_ns=\([0-9.]*\)$/| \1 | \2 | \3 | \4 | \5 | \6 |/p' "$BIN/rules-host.txt" 2>/dev/null)

A connection decided by an \`sni\` rule costs a lookup on its SYN and one
on its first payload (\`catoproxy_rules_lookup_payload()\`). With N rules
\`dport 443 sni NAME\` and a plain rule after them, the same on the host
(\`build/bench/rules_lookup -p 10 10000\`): the name of the last \`sni\`
rule, and a name no rule has (decided by the plain rule):

| sni rules | SYN lookup (ns) | SYN + payload, last sni rule (ns) | SYN + payload, no name matches (ns) |
| ---: | ---: | ---: | ---: |
$(sed -n 's/^sni_rules=\([0-9]*\) syn_ns=\([0-9.]*\) payload_last_ns=\([0-9.]*\) payload_none_ns=\([0-9.]*\)$/| \1 | \2 | \3 | \4 |/p' "$BIN/rules-payload-host.txt" 2>/dev/null)

<details><summary>Every round</summary>

| config | metric | values by round |
| --- | --- | --- |
$rounds_table
</details>

## Reading these numbers

The VM emulates its CPUs in software. Every packet costs far more CPU than
on hardware, and all three machines of the topology, the traffic generators
and the kernel share the same two emulated CPUs, which themselves run on a
single host thread. The absolute numbers mean nothing for real deployments:
only the ratios between configurations measured in the same run are
meaningful.

On the host's clock those ratios are noisy: the emulation's speed follows
the load on the host, which other work shares, and was seen to change by a
factor of five between two rounds of one run. So the VM runs with QEMU's
\`-icount shift=1,sleep=on\`: the guest's clock advances 2 ns per emulated
instruction while a vCPU runs, and in real time only while every vCPU
idles. A second, a timeout or a rate measured in the guest is then a count
of instructions, as on a 500-MIPS machine, whatever the host is doing; a
configuration that needs more instructions per packet or per connection
gets a lower rate. The figures under load (throughput, connections/s, the
flood) keep the vCPUs busy and so depend on the code alone; TTFB waits on
netem's timers, which run on the same clock. \`BENCH_ICOUNT=off make bench\`
runs on the host's clock instead. The per-round ratios below show how well
a ratio repeats. The SYN-flood
figures depend on how fast the flooder can send inside the same VM; the
offered rate is what the router actually saw. TTFB is dominated by the
netem delays, so it shows round trips saved or added rather than CPU cost.

A measurement that failed or timed out is shown as n/a. The raw output of
the run is in \`build/bench/bench-$KREL.log\`.
EOF
echo "wrote Documentation/benchmark.md${plot:+ and $plot}"
exit 0
