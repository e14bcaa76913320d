#!/bin/bash
# Harness self-check (run by selftests/vm/run.sh selftests/vm/smoke.sh):
# the guest has module loading, netns, veth, python3 and writable dirs.
set -eu
echo "kernel $(uname -r), KREL=$KREL, TMPDIR=${TMPDIR:-}"
[ "$(uname -r)" = "$KREL" ]
[ -n "$CATOPROXY_KO" ] && [ -n "$CATOPROXYCTL" ]
# The modules are the kernel cache's (run.sh), mounted over the host's.
mountpoint -q /lib/modules
[ -f "/lib/modules/$KREL/modules.dep" ]
modprobe nf_conntrack
grep -q '^nf_conntrack ' /proc/modules
ns=smoke$$
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null' EXIT
ip link add veth0s type veth peer name veth1s netns "$ns"
ip addr add 10.199.0.1/24 dev veth0s
ip link set veth0s up
ip -n "$ns" addr add 10.199.0.2/24 dev veth1s
ip -n "$ns" link set veth1s up
PING=ping
command -v ping >/dev/null || PING="busybox ping"
ip netns exec "$ns" $PING -c 1 -W 5 10.199.0.1
[ "$(python3 -c 'print(1)')" = 1 ]
f=$(mktemp)
echo hello >"$f"
grep -q hello "$f"
rm -f "$f"
for d in "${TMPDIR:-/tmp}" /var/tmp /run /dev/shm /root; do
	touch "$d/smoke.$$"
	rm "$d/smoke.$$"
done
echo 1 >/proc/sys/net/ipv4/ip_forward
grep -q . <(echo process substitution)
[ -e /run/netns ] && [ -c /dev/null ] && [ -c /dev/ptmx ]
ip link del veth0s
rmmod nf_conntrack 2>/dev/null || true
echo smoke ok
