#!/bin/bash
# Print, one per line (oldest first), the kernel releases that can be used
# by the VM harness: they have both /boot/vmlinuz-KREL and
# /lib/modules/KREL/build (headers, to build the module against).
set -u
for v in /boot/vmlinuz-*; do
	[ -e "$v" ] || continue
	k=${v#/boot/vmlinuz-}
	[ -e "/lib/modules/$k/build" ] && printf '%s\n' "$k"
done | sort -V
