#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: tools/deb.sh [--check]
#
# Build the Debian packages (catoproxy-dkms, catoproxyctl) with
# dpkg-buildpackage from a copy of the tracked files (as they are in the
# work tree), in build/deb/; the .debs end up in build/deb/.
# Needs dpkg-dev, debhelper, dh-dkms, libmnl-dev, pkg-config (and lintian
# for --check): apt-get install --no-install-recommends ...
#
# --check also: unpacks both packages into a scratch root and checks the
# files they install; installs and purges catoproxyctl there with
# `dpkg --root` (catoproxy-dkms's maintainer scripts run dkms, which needs
# a system, so it is only unpacked); runs lintian, which must report no
# error (warnings are printed). Prints TAP; exit status 0 iff all passed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
CHECK=0
case ${1:-} in
--check) CHECK=1 ;;
'') ;;
*) sed -n '4,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac

die() { echo "deb.sh: $*" >&2; exit 1; }
out=$top/build/deb
src=$out/src/catoproxy
rm -rf "$out" && mkdir -p "$src" || die "cannot create $src"

if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -z | xargs -0 cp -P --parents -t "$src" 2>/dev/null ||
		die "cannot copy the tracked files"
else
	tar -C "$top" --exclude=./build -cf - . | tar -C "$src" -xf - ||
		die "cannot copy the tree"
fi

echo "deb.sh: dpkg-buildpackage in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log"
	die "dpkg-buildpackage failed"
fi
# dpkg-buildpackage writes next to the source directory.
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out"/ ||
	die "no packages in $out/src"
rm -rf "$out/src"
ls "$out"/*.deb

[ "$CHECK" = 1 ] || exit 0

n=0 failed=0
tap() { # ok|fail, description
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}
deb_of() { ls "$out/$1"_*.deb 2>/dev/null | head -n 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/catoproxy-deb.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$root"' EXIT

dkms_deb=$(deb_of catoproxy-dkms) ctl_deb=$(deb_of catoproxyctl)
version=$(sed -n 's/^#define CATOPROXY_VERSION "\(.*\)"$/\1/p' kmod/version.h)
if [ -n "$dkms_deb" ] && [ -n "$ctl_deb" ]; then
	tap ok "deb: both packages built"
else
	tap fail "deb: both packages built"
	exit 1
fi

# What each package installs: exactly these files (plus /usr/share/doc).
expect_files() { # deb, expected files (sorted, without usr/share/doc)
	local deb=$1 got
	shift
	rm -rf "$root/x" && mkdir -p "$root/x" && dpkg-deb -x "$deb" "$root/x" || return 1
	got=$(cd "$root/x" && find . -type f -o -type l | sed 's|^\./|/|' |
		grep -v '^/usr/share/doc/' | LC_ALL=C sort)
	if [ "$got" != "$(printf '%s\n' "$@" | LC_ALL=C sort)" ]; then
		diff <(printf '%s\n' "$@" | LC_ALL=C sort) <(echo "$got") | sed 's/^/# /'
		return 1
	fi
}
srcs=$(cd "$top" && { printf '%s\n' Kbuild dkms.conf; find kmod uapi -name '*.[ch]' -o -name Kbuild.include; } |
	sed "s|^|/usr/src/catoproxy-$version/|")
# shellcheck disable=SC2086 # file names without spaces
if expect_files "$dkms_deb" $srcs /etc/modprobe.d/catoproxy.conf; then
	tap ok "deb: catoproxy-dkms installs the module's sources, dkms.conf, modprobe.d"
else
	tap fail "deb: catoproxy-dkms installs the module's sources, dkms.conf, modprobe.d"
fi
if [ -f "$root/x/usr/share/doc/catoproxy-dkms/examples/modules-load.d/catoproxy.conf" ] &&
	grep -qx 'PACKAGE_VERSION="'"$version"'"' "$root/x/usr/src/catoproxy-$version/dkms.conf"; then
	tap ok "deb: catoproxy-dkms has the modules-load.d example and dkms.conf $version"
else
	tap fail "deb: catoproxy-dkms has the modules-load.d example and dkms.conf $version"
fi
if dpkg-deb -e "$dkms_deb" "$root/ctl" && grep -q 'dkms' "$root/ctl/postinst" &&
	grep -q 'dkms' "$root/ctl/prerm" && dpkg-deb -f "$dkms_deb" Depends | grep -q dkms; then
	tap ok "deb: catoproxy-dkms depends on dkms, its scripts add and remove the module"
else
	tap fail "deb: catoproxy-dkms depends on dkms, its scripts add and remove the module"
fi
if expect_files "$ctl_deb" /usr/sbin/catoproxyctl /usr/share/man/man8/catoproxyctl.8.gz \
	/usr/share/bash-completion/completions/catoproxyctl \
	/lib/systemd/system/catoproxy.service &&
	[ -f "$root/x/usr/share/doc/catoproxyctl/examples/catoproxy.conf" ]; then
	tap ok "deb: catoproxyctl installs the tool, its man page, completion, systemd unit, example configuration"
else
	tap fail "deb: catoproxyctl installs the tool, its man page, completion, systemd unit, example configuration"
fi

# A scratch dpkg database: install and purge the tool there.
db=$root/root
mkdir -p "$db/var/lib/dpkg/info" "$db/var/lib/dpkg/updates" && : >"$db/var/lib/dpkg/status"
if dpkg --root="$db" --force-depends --force-not-root -i "$ctl_deb" >"$root/dpkg.log" 2>&1 &&
	[ -x "$db/usr/sbin/catoproxyctl" ] &&
	dpkg --root="$db" --force-not-root --purge catoproxyctl >>"$root/dpkg.log" 2>&1 &&
	[ -z "$(cd "$db" && find . -path ./var -prune -o ! -type d -print)" ]; then
	tap ok "deb: catoproxyctl installs into and purges from a scratch root"
else
	sed 's/^/# /' "$root/dpkg.log"
	tap fail "deb: catoproxyctl installs into and purges from a scratch root"
fi

if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$dkms_deb" "$ctl_deb" >"$out/lintian.txt" 2>&1
	grep -v 'running with root privileges' "$out/lintian.txt" | sed 's/^/# lintian: /'
	if ! grep -q '^E: ' "$out/lintian.txt"; then
		tap ok "deb: lintian reports no error"
	else
		tap fail "deb: lintian reports no error"
	fi
else
	echo "ok $((n + 1)) deb: lintian reports no error # SKIP lintian not installed"
	n=$((n + 1))
fi
echo "1..$n"
[ "$failed" = 0 ]
