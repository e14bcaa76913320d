#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate the UAPI header and the kernel's netlink policies and op table
# from Documentation/netlink/specs/catoproxy.yaml with the kernel's own YNL
# generator (tools/net/ynl of Debian's linux-source-6.12 package).
#
#   tools/ynl-gen.sh            regenerate the files in the tree
#   tools/ynl-gen.sh --check    regenerate into a temporary directory and
#                               fail when the tree's copies differ
#   tools/ynl-gen.sh --lib      print the directory of the YNL Python
#                               library (tools/net/ynl, its package "lib"),
#                               which the selftests drive the family with
#
# The generator is extracted once from /usr/src/linux-source-*.tar.xz into
# ${XDG_CACHE_HOME:-~/.cache}/catoproxy/. The spec is validated against the
# kernel's schema first.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
spec=$top/Documentation/netlink/specs/catoproxy.yaml
cache=${XDG_CACHE_HOME:-$HOME/.cache}/catoproxy
# The generated files: "mode kind path" each.
outputs="uapi header uapi/linux/catoproxy.h
kernel header kmod/netlink-gen.h
kernel source kmod/netlink-gen.c"

die() {
	echo "ynl-gen: $*" >&2
	exit 1
}

check=0 lib=0
case ${1:-} in
--check) check=1 ;;
--lib) lib=1 ;;
"") ;;
*) die "usage: $0 [--check | --lib]" ;;
esac

# The newest linux-source tarball; the version is not ours to know.
ynl_root() {
	local tarball root

	# One extraction at a time (the VM runs of two kernels may start
	# together); MAINTAINERS, written last, marks a complete one.
	mkdir -p "$cache"
	exec 8>"$cache/.lock"
	flock 8
	root=$(find "$cache" -maxdepth 1 -name 'linux-source-*' -type d 2>/dev/null |
	       sort -V | tail -n 1)
	if [ -n "$root" ] && [ -f "$root/MAINTAINERS" ]; then
		echo "$root"
		return
	fi
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null |
		  sort -V | tail -n 1)
	[ -n "$tarball" ] ||
		die "no /usr/src/linux-source-*.tar.xz: install linux-source-6.12 (tools/install-deps.sh)"
	tar -C "$cache" -xJf "$tarball" --wildcards \
		'*/tools/net/ynl' '*/Documentation/netlink' ||
		die "cannot extract the YNL tools from $tarball"
	root=$cache/$(basename "$tarball" .tar.xz)
	[ -f "$root/tools/net/ynl/ynl-gen-c.py" ] ||
		die "$tarball has no tools/net/ynl/ynl-gen-c.py"
	# ynl-gen-c.py looks for the tree's top by walking up to a MAINTAINERS
	# file, and loops forever when there is none.
	touch "$root/MAINTAINERS"
	echo "$root"
}

root=$(ynl_root)
if [ "$lib" = 1 ]; then
	echo "$root/tools/net/ynl"
	exit 0
fi
python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	die "python3 needs the yaml and jsonschema modules (python3-yaml, python3-jsonschema)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The generator reads the schema next to the spec's directory, and names
# the spec by its path below the nearest directory holding a MAINTAINERS
# file (it loops forever when there is none): a tree of our own.
mkdir -p "$work/Documentation/netlink/specs"
touch "$work/MAINTAINERS"
cp "$root"/Documentation/netlink/*.yaml "$work/Documentation/netlink/"
cp "$spec" "$work/Documentation/netlink/specs/"

python3 - "$work/Documentation/netlink/specs/catoproxy.yaml" <<'PY' || exit 1
import sys, yaml, jsonschema
spec = yaml.safe_load(open(sys.argv[1]))
schema = yaml.safe_load(open(sys.argv[1].rsplit('/', 2)[0] + '/' +
                             spec['protocol'] + '.yaml'))
jsonschema.validate(spec, schema)
# Each enum's maximum is a const of its own (see the spec): it must be the
# enum's last value.
defs = {d['name']: d for d in spec['definitions']}
for d in spec['definitions']:
    if d['type'] != 'enum':
        continue
    want = len(d['entries']) - 1
    got = defs.get(d['name'] + '-max', {}).get('value')
    if got != want:
        sys.exit("ynl-gen: const %s-max is %s, the enum's last value is %d"
                 % (d['name'], got, want))
PY

mkdir -p "$work/out/uapi/linux" "$work/out/kmod"
while read -r mode kind path; do
	(cd "$root/tools/net/ynl" &&
	 python3 ynl-gen-c.py --spec "$work/Documentation/netlink/specs/catoproxy.yaml" \
		--mode "$mode" "--$kind" -o "$work/out/$path" >/dev/null) ||
		die "generating $path failed"
done <<<"$outputs"

status=0
while read -r mode kind path; do
	if [ "$check" = 1 ]; then
		if ! diff -u "$top/$path" "$work/out/$path"; then
			echo "ynl-gen: $path does not match the spec: run tools/ynl-gen.sh" >&2
			status=1
		fi
	else
		cp "$work/out/$path" "$top/$path"
	fi
done <<<"$outputs"
exit $status
