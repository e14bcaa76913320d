#!/bin/bash
# Install the Debian packages needed to build catoproxy and run its selftests
# in QEMU (selftests/vm/run.sh), and fetch the kernels the VM boots.
# Idempotent; run as root.
#
# The VM's kernels are never installed, so the machine's boot kernel does not
# change: each linux-image package is downloaded (apt-get download) and
# extracted (dpkg-deb -x) into the harness's cache, `selftests/vm/kernels.sh
# --cache`, where depmod indexes its modules. The module is built against the
# kernel's linux-headers package, installed when it does not depend on the
# image (Debian 12's 6.1); when it does (6.12), the headers, their -common
# part and linux-kbuild are extracted into the cache too, and only their
# other dependencies (compiler, libraries) are installed.
# The kernels are the newest of each flavour: what the meta-packages in
# KERNEL_FLAVOURS depend on (linux-headers-amd64: 6.1,
# linux-headers-6.12-amd64: 6.12). An extracted kernel stays in the cache
# until it is removed by hand; a newer release is fetched beside it.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
KCACHE=$("$top/selftests/vm/kernels.sh" --cache)
KERNEL_FLAVOURS=${KERNEL_FLAVOURS:-"linux-headers-amd64 linux-headers-6.12-amd64"}

PACKAGES="gcc make libc6-dev pkg-config libmnl-dev sparse
	qemu-system-x86 busybox-static
	kmod cpio gzip xz-utils zstd
	iproute2 nftables conntrack iptables socat iperf3 python3 ipvsadm
	util-linux procps tcpdump iputils-ping gnuplot-nox
	nmap hping3 curl jq
	linux-source-6.12 python3-yaml python3-jsonschema python3-pyftpdlib
	dpkg-dev debhelper dh-dkms dkms lintian"

die() { echo "install-deps: $*" >&2; exit 1; }

# The packages $1 depends on (every alternative), real packages only.
depends() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$1" 2>/dev/null |
		awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 !~ /^</ { print $2 }'
}
# The kernel release a linux-headers meta-package stands for.
krel_of() { depends "$1" | sed -n 's/^linux-headers-//p' | head -n 1; }
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
headers_ok() { "$top/selftests/vm/kernels.sh" --kdir "$1" >/dev/null 2>&1; }
kernel_ok() { "$top/selftests/vm/kernels.sh" --root "$1" >/dev/null 2>&1 && headers_ok "$1"; }

missing=() krels=() todo=()
for p in $PACKAGES; do installed "$p" || missing+=("$p"); done
resolve() {
	local f k
	krels=() todo=()
	for f in $KERNEL_FLAVOURS; do
		k=$(krel_of "$f")
		[ -n "$k" ] || { todo+=("?$f"); continue; }
		krels+=("$k")
		kernel_ok "$k" || todo+=("$k")
	done
}
resolve

if [ ${#missing[@]} -eq 0 ] && [ ${#todo[@]} -eq 0 ]; then
	echo "install-deps: all packages installed, kernels in $KCACHE: ${krels[*]}"
	exit 0
fi
[ ${#missing[@]} -eq 0 ] || echo "install-deps: missing: ${missing[*]}"
[ ${#todo[@]} -eq 0 ] || echo "install-deps: kernels to fetch: ${todo[*]}"
[ "$(id -u)" = 0 ] || die "must run as root to install them"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
apt-get update || die "apt-get update failed"
resolve
for t in "${todo[@]}"; do
	case $t in "?"*) die "no kernel found for ${t#?} (apt-cache depends ${t#?})" ;; esac
done

# For each kernel: what to extract into the cache; what its headers need
# installed. The headers are installed as a package unless that package
# depends on a linux-image (which would change the boot kernel).
declare -A extract=()
for k in "${todo[@]}"; do
	extract[$k]="linux-image-$k"
	headers_ok "$k" && continue
	hdeps=$(depends "linux-headers-$k")
	[ -n "$hdeps" ] || die "linux-headers-$k not found"
	if ! grep -q '^linux-image-' <<<"$hdeps"; then
		missing+=("linux-headers-$k")
		continue
	fi
	extract[$k]+=" linux-headers-$k"
	for d in $hdeps; do
		case $d in
		linux-image-*) ;;
		linux-headers-*-common | linux-kbuild-*)
			extract[$k]+=" $d"
			for dd in $(depends "$d"); do installed "$dd" || missing+=("$dd"); done
			;;
		*) installed "$d" || missing+=("$d") ;;
		esac
	done
done

if [ ${#missing[@]} -gt 0 ]; then
	# shellcheck disable=SC2207 # package names have no spaces
	missing=($(printf '%s\n' "${missing[@]}" | sort -u))
	echo "install-deps: apt-get install -y --no-install-recommends ${missing[*]}"
	apt-get install -y --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed"
	for p in "${missing[@]}"; do
		case $p in linux-image-*) die "$p was installed: it must not be" ;; esac
	done
fi

# Download and extract each kernel next to its final place, then move it
# there: an interrupted run leaves no half kernel behind.
mkdir -p "$KCACHE" || die "cannot create $KCACHE"
for k in "${todo[@]}"; do
	dst=$KCACHE/$k stage=$KCACHE/.new-$k
	rm -rf "$stage" && mkdir -p "$stage/debs" || die "cannot create $stage"
	echo "install-deps: fetching ${extract[$k]} into $dst"
	# shellcheck disable=SC2086 # a list of package names
	(cd "$stage/debs" && apt-get download -o APT::Sandbox::User=root ${extract[$k]}) ||
		die "apt-get download ${extract[$k]} failed"
	for deb in "$stage"/debs/*.deb; do
		dpkg-deb -x "$deb" "$stage" || die "dpkg-deb -x $deb failed"
	done
	rm -rf "$stage/debs"
	depmod -b "$stage" "$k" || die "depmod for $k failed"
	# The headers' Makefile includes the -common part by absolute path.
	mf=$stage/usr/src/linux-headers-$k/Makefile
	if [ -f "$mf" ]; then
		sed -i "s|^include /usr/src/|include $dst/usr/src/|" "$mf" ||
			die "cannot edit $mf"
	fi
	rm -rf "$dst" && mv "$stage" "$dst" || die "cannot move $stage to $dst"
	kernel_ok "$k" || die "$k is not usable after extraction"
done
echo "install-deps: done; kernels in $KCACHE: $("$top/selftests/vm/kernels.sh" | tr '\n' ' ')"
