#!/bin/bash
# Install the Debian packages needed to build catoproxy and run its selftests
# in QEMU (selftests/vm/run.sh). Idempotent; run as root.
set -uo pipefail

PACKAGES="gcc make libc6-dev pkg-config libmnl-dev sparse
	qemu-system-x86 busybox-static
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	kmod cpio gzip xz-utils zstd
	iproute2 nftables conntrack iptables socat iperf3 python3
	util-linux procps tcpdump iputils-ping gnuplot-nox
	nmap hping3 curl jq
	linux-source-6.12 python3-yaml python3-jsonschema"

missing=()
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all packages installed"
	exit 0
fi
echo "install-deps: missing: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
apt-get update || { echo "install-deps: apt-get update failed" >&2; exit 1; }
echo "install-deps: apt-get install -y --no-install-recommends ${missing[*]}"
apt-get install -y --no-install-recommends "${missing[@]}" ||
	{ echo "install-deps: apt-get install failed" >&2; exit 1; }
echo "install-deps: done"
