#!/bin/bash
# Usage: mkinitramfs.sh KREL OUTFILE
#
# Build (only if its inputs changed) the initramfs of the test VM for kernel
# KREL: busybox-static, selftests/vm/init as /init, and the (decompressed)
# modules needed to mount a 9p root and an overlayfs, in load order.
set -euo pipefail

krel=${1:?usage: mkinitramfs.sh KREL OUTFILE}
out=${2:?usage: mkinitramfs.sh KREL OUTFILE}
here=$(cd "$(dirname "$0")" && pwd)
MODULES="virtio_pci 9pnet_virtio 9p overlay"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
done
[ -n "$busybox" ] || die "no static busybox found (apt-get install busybox-static)"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"
# The kernel's extracted image in the harness's cache.
root=$("$here/kernels.sh" --root "$krel") || die "kernel $krel not found"

# Module files in load order (without duplicates); built-ins are skipped.
mods=()
for m in $MODULES; do
	deps=$(modprobe -d "$root" -S "$krel" --show-depends "$m") || die "modprobe --show-depends $m failed for $krel"
	while read -r kw path _; do
		[ "$kw" = insmod ] || continue
		dup=
		for x in "${mods[@]}"; do [ "$x" = "$path" ] && dup=1; done
		[ -n "$dup" ] || mods+=("$path")
	done <<<"$deps"
done

# Cache key: everything the image is made of.
stamp=$( {
	echo "$krel $MODULES"
	sha256sum "$here/init" "$0"
	stat -L -c '%n %s %Y' "$busybox" "${mods[@]}"
} | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

echo "mkinitramfs: building $out" >&2
stage=$(mktemp -d "${TMPDIR:-/tmp}/cpvm-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,lib/modules}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
: >"$stage/modules.order"
for p in "${mods[@]}"; do
	name=$(basename "$p")
	name=${name%.xz}; name=${name%.zst}; name=${name%.gz}; name=${name%.ko}
	dst="$stage/lib/modules/$name.ko"
	case "$p" in
	*.ko.xz) xz -dc "$p" >"$dst" ;;
	*.ko.zst) zstd -qdc "$p" >"$dst" ;;
	*.ko.gz) gzip -dc "$p" >"$dst" ;;
	*.ko) cp "$p" "$dst" ;;
	*) die "unexpected module file $p" ;;
	esac
	echo "$name" >>"$stage/modules.order"
done
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "$stamp" >"$out.stamp"
echo "mkinitramfs: modules: $(tr '\n' ' ' <"$stage/modules.order")" >&2
