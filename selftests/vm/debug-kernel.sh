#!/bin/bash
# The debug kernel of `make check-debug`: Debian's linux-source-6.12 built
# with KASAN, UBSAN, lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP,
# DEBUG_OBJECTS_TIMERS and KMEMLEAK from x86_64 tinyconfig plus
# selftests/vm/debug.config, everything built in.
#
#   debug-kernel.sh           build it unless it is cached, then print the
#                             kernel cache to pass to the VM harness as
#                             CATOPROXY_KERNELS (see selftests/vm/kernels.sh)
#   debug-kernel.sh --krel    its kernel release (needs no build)
#   debug-kernel.sh --cache   the cache directory of this source and config
#   debug-kernel.sh --config  only write the .config (to look at it)
#
# It is built once, outside the tree, in
# ${CATOPROXY_DEBUG_KERNEL:-${XDG_CACHE_HOME:-$HOME/.cache}/catoproxy/debug-kernel}/KEY
# where KEY is the linux-source package's version and the hash of the
# config fragment (and of this script's RECIPE): changing it builds anew.
# The build runs under `nice -n 19` with -j${DEBUG_KERNEL_JOBS:-2}, its log
# in KEY/build.log, the objects in KEY/obj (the source, extracted once per
# version, in src/VERSION). KEY/kernels/KREL is laid out like the harness's kernel
# cache (boot/vmlinuz-KREL, lib/modules/KREL, usr/src/linux-headers-KREL: the
# build's objects, to build catoproxy.ko against).
# The source is /usr/src/linux-source-6.12.tar.xz (apt-get install
# linux-source-6.12), or $DEBUG_KERNEL_SRC; building needs gcc, make, bc,
# flex, bison, libelf-dev and libssl-dev (selftests/vm/check-debug.sh
# names the missing ones).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
die() { echo "debug-kernel.sh: $*" >&2; exit 1; }

SRC=${DEBUG_KERNEL_SRC:-/usr/src/linux-source-6.12.tar.xz}
FRAG=$here/debug.config
JOBS=${DEBUG_KERNEL_JOBS:-2}
LOCALVERSION=-cpdebug
# Bump when a change of this script changes what it builds.
RECIPE=1
base=${CATOPROXY_DEBUG_KERNEL:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/catoproxy/debug-kernel}

version() { # of the source: the Debian package's, else the tarball's hash
	local v
	v=$(dpkg-query -W -f '${Version}' "$(basename "$SRC" .tar.xz)" 2>/dev/null) &&
		[ -n "$v" ] && { echo "$v"; return; }
	sha256sum "$SRC" | cut -c1-16
}

[ -f "$SRC" ] || die "$SRC not found (apt-get install linux-source-6.12)"
[ -f "$FRAG" ] || die "$FRAG not found"
ver=$(version)
key=$ver-$({ cat "$FRAG"; echo "recipe $RECIPE"; } | sha256sum | cut -c1-12)
dir=$base/$key
srcdir=$base/src/$ver
tree=$srcdir/$(basename "$SRC" .tar.xz)
obj=$dir/obj

krel() { # 6.12.118-cpdebug, from the source's Makefile (the tree or the tarball)
	local mk
	if [ -f "$tree/Makefile" ]; then
		mk=$(head -n 6 "$tree/Makefile")
	else
		mk=$(tar -xJOf "$SRC" "$(basename "$SRC" .tar.xz)/Makefile" | head -n 6)
	fi
	awk -v lv="$LOCALVERSION" '$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 }
		$1 == "SUBLEVEL" { s = $3 } $1 == "EXTRAVERSION" { e = $3 }
		END { printf "%s.%s.%s%s%s\n", v, p, s, e, lv }' <<<"$mk"
}

case ${1:-} in
--krel) krel; exit 0 ;;
--cache) echo "$dir"; exit 0 ;;
--config | '') ;;
*) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
KREL=$(krel)
kroot=$dir/kernels/$KREL
if [ "${1:-}" != --config ] && [ -f "$dir/done" ]; then
	echo "$dir/kernels"
	exit 0
fi

log=$dir/build.log
if [ ! -f "$srcdir/extracted" ]; then
	echo "debug-kernel.sh: extracting $SRC into $srcdir" >&2
	rm -rf "$srcdir" && mkdir -p "$srcdir"
	nice -n 19 tar -xJf "$SRC" -C "$srcdir"
	touch "$srcdir/extracted"
fi
mkdir -p "$obj"
kmake() {
	nice -n 19 make -C "$tree" O="$obj" LOCALVERSION="$LOCALVERSION" "$@"
}
if [ ! -f "$dir/config.done" ]; then
	kmake -s tinyconfig >"$log" 2>&1 || die "make tinyconfig failed (see $log)"
	(cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m .config "$FRAG") >>"$log" 2>&1 ||
		die "merge_config.sh failed (see $log)"
	sed -i 's/^CONFIG_LOCALVERSION_AUTO=y/# CONFIG_LOCALVERSION_AUTO is not set/' "$obj/.config"
	kmake -s olddefconfig >>"$log" 2>&1 || die "make olddefconfig failed (see $log)"
	# Every =y asked for that Kconfig dropped (a missing dependency).
	missing=$(grep -E '^CONFIG_[A-Z0-9_]+=y' "$FRAG" | while IFS= read -r l; do
		grep -qx "$l" "$obj/.config" || echo "${l%=y}"
	done)
	[ -z "$missing" ] || die "not set in the resulting .config: $(echo $missing)"
	touch "$dir/config.done"
fi
[ "${1:-}" = --config ] && { echo "$obj/.config"; exit 0; }

echo "debug-kernel.sh: building $KREL in $obj (nice -n 19 -j$JOBS, log $log)" >&2
t0=$(date +%s)
kmake -j"$JOBS" all >>"$log" 2>&1 || die "kernel build failed (see $log)"
t1=$(date +%s)
[ "$(kmake -s kernelrelease)" = "$KREL" ] || die "kernelrelease is not $KREL"
rm -rf "$kroot"
mkdir -p "$kroot/boot" "$kroot/usr/src"
cp "$obj/arch/x86/boot/bzImage" "$kroot/boot/vmlinuz-$KREL"
cp "$obj/System.map" "$kroot/boot/System.map-$KREL"
cp "$obj/.config" "$kroot/boot/config-$KREL"
kmake -s INSTALL_MOD_PATH="$kroot" modules_install >>"$log" 2>&1 ||
	die "modules_install failed (see $log)"
rm -f "$kroot/lib/modules/$KREL/build" "$kroot/lib/modules/$KREL/source"
ln -s "$obj" "$kroot/usr/src/linux-headers-$KREL"
echo "built $KREL in $((t1 - t0)) s with -j$JOBS" >"$dir/done"
echo "debug-kernel.sh: built $KREL in $((t1 - t0)) s" >&2
echo "$dir/kernels"
