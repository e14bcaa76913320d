#!/bin/bash
# The kernels of the VM harness. They are never installed on the machine:
# tools/install-deps.sh extracts Debian's linux-image packages into a cache
# of the harness's own, so the machine boots next what it booted before.
#
#   kernels.sh               the usable kernel releases, one per line, oldest
#                            first: an extracted image (vmlinuz, modules with
#                            modules.dep) and headers to build the module
#   kernels.sh --cache       the cache directory
#   kernels.sh --root KREL   the extracted image of KREL: a directory with
#                            boot/vmlinuz-KREL and lib/modules/KREL/
#   kernels.sh --kdir KREL   the headers to build against: the installed
#                            linux-headers package's (/lib/modules/KREL/build),
#                            else the ones extracted into the cache
#
# The cache is $CATOPROXY_KERNELS, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/catoproxy/kernels, one directory per
# release. Which releases it holds is decided by tools/install-deps.sh (the
# newest of each Debian kernel flavour), not here.
set -u

cache=${CATOPROXY_KERNELS:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/catoproxy/kernels}

kdir() {
	local k=$1 d
	for d in "/lib/modules/$k/build" "$cache/$k/usr/src/linux-headers-$k"; do
		[ -f "$d/Makefile" ] && { printf '%s\n' "$d"; return 0; }
	done
	return 1
}

case ${1:-} in
--cache) printf '%s\n' "$cache"; exit 0 ;;
--root | --kdir)
	[ $# = 2 ] || { echo "usage: kernels.sh $1 KREL" >&2; exit 2; }
	if [ "$1" = --kdir ]; then
		kdir "$2" && exit 0
		echo "kernels.sh: no headers for $2 (run tools/install-deps.sh)" >&2
		exit 1
	fi
	r=$cache/$2
	[ -f "$r/boot/vmlinuz-$2" ] && [ -f "$r/lib/modules/$2/modules.dep" ] &&
		{ printf '%s\n' "$r"; exit 0; }
	echo "kernels.sh: $2 is not in $cache (run tools/install-deps.sh)" >&2
	exit 1
	;;
'') ;;
*) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac

for d in "$cache"/*/; do
	k=$(basename "$d")
	[ -f "$d/boot/vmlinuz-$k" ] && [ -f "$d/lib/modules/$k/modules.dep" ] &&
		kdir "$k" >/dev/null && printf '%s\n' "$k"
done | sort -V
