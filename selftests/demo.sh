#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # client, router, server: set by setup_topology
#
# The README's showcase (selftests/vm/run.sh --demo): a router namespace
# running catoproxy between a client and a server, a site, a few IPv4 and
# IPv6 connections, and what catoproxyctl and conntrack then show.

source lib.sh

step()
{
	echo
	echo "=== $* ==="
}

# run CMD...: print the command as typed, then its output.
run()
{
	echo "\$ $*"
	"$@"
}

# In the router's namespace, printed as "catoproxyctl -n router ...".
rctl()
{
	echo "\$ catoproxyctl -n router $*"
	ctl -n "$router" "$@"
}

cleanup()
{
	stop_bg
	cleanup_all_ns
	if module_loaded; then
		step "Unloading the module"
		echo "\$ rmmod catoproxy"
		unload_module && echo "(unloaded: forwarding goes on without it)"
	fi
	rm -rf "$TMP_DIR"
}

trap cleanup EXIT
set -o pipefail

step "Loading catoproxy.ko"
echo "\$ insmod catoproxy.ko default_mode=full"
require_module
grep -m1 "catoproxy.*loaded" <(dmesg) || true

step "Topology"
print_topology
if ! setup_topology || ! start_server "$server"; then
	echo "cannot set up the topology"
	exit $ksft_fail
fi
echo "(client, router and server are network namespaces; the router forwards"
echo " IPv4 and IPv6 and runs catoproxy's FORWARD hook; the server echoes on"
echo " TCP $TCP_PORT and $TLS_PORT)"

step "The router's configuration, as every new namespace starts"
rctl show config

step "A site for the client subnet, in delayed mode; TLS inspection on"
rctl site add branch prefix 10.0.1.0/24 prefix fd00:1::/64 mode delayed
rctl site add servers prefix 10.0.2.0/24 prefix fd00:2::/64
rctl set tls-inspection on

step "Connections from the client: 3 x IPv4 and 3 x IPv6 to port $TCP_PORT, the same to $TLS_PORT"
echo "\$ client: traffic.py connect 3 $SERVER4,$TCP_PORT [$SERVER6],$TCP_PORT $SERVER4,$TLS_PORT [$SERVER6],$TLS_PORT"
tcp_connect "$client" 3 "$SERVER4,$TCP_PORT" "$SERVER6,$TCP_PORT" \
	"$SERVER4,$TLS_PORT" "$SERVER6,$TLS_PORT"
echo "$CONN_OK connections succeeded, $CONN_FAIL failed"

step "Configuration"
rctl show config
echo
rctl -j show config

step "Sites (branch decides for its clients; servers inherits the account mode)"
rctl show sites
echo
rctl -j show sites

step "Counters: port $TLS_PORT is full (TLS inspection), port $TCP_PORT delayed (site branch)"
rctl show stats
echo
rctl -j show stats

step "The router's conntrack table: catoproxy's state rides on each entry"
echo "\$ router: conntrack -L -p tcp"
conntrack_in "$router" -L -p tcp | grep -E "helper=catoproxy" | sort -k 9

step "Rules: block the web behind the router, let one IPv6 client bypass the proxy"
rctl rule add dst 10.0.2.0/24 dport 80 action block
rctl rule add pos 1 src "$CLIENT6/128" dport "$TCP_PORT" action bypass
rctl show rules
echo "\$ client: curl -sS -i http://$SERVER4/     (the router answers; nothing reaches the server)"
ip netns exec "$client" curl -sS -i -m 10 "http://$SERVER4/" | tr -d '\r'
tcp_connect "$client" 1 "$SERVER6,$TCP_PORT"
echo "(and one IPv6 connection to $TCP_PORT: $CONN_OK succeeded, bypassed)"
rctl show rules
rctl show stats | grep -E "^(blocked_|conn_bypassed)"

step "Mode off for the account, the site follows only if it inherits"
rctl set mode off
rctl show sites
