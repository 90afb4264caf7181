#!/bin/sh
# Builds the test VM's initramfs (cpio newc, gzip): static busybox and its
# applet links, /init, the daemon with its shared libraries, the workload
# tools, the kernel modules and the scenarios.  Needs no root: /dev is a
# devtmpfs mounted by /init, so no device nodes are created here.
#
#   tests/vm/mkinitramfs.sh [--bin build/thrashguard] [--tools build/tools]
#                           [--kernel build/vm/kernel] [--out build/vm/initramfs.cpio.gz]
#                           [--work DIR] [--scenario FILE]... [--tree-only]
#
# --tree-only: stop after staging the tree in --work (the systemd node's run
# disk is made of it, see tests/vm/run.sh --node).
# --scenario: the scenario files to include (default: tests/vm/scenarios/*.sh),
# as /tg/scenarios/BASENAME.  --work: the staging directory (default
# build/vm/initramfs.d; give each concurrent build its own).
#
# A missing --bin or --tools is not an error (the daemon and the tools are
# written in parallel with this harness); scenarios that need them say so.
set -eu

cd "$(dirname "$0")/../.."
bin=build/thrashguard tools=build/tools kernel=build/vm/kernel out=build/vm/initramfs.cpio.gz
root=build/vm/initramfs.d scen_files= tree_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--work) root=$2; shift 2 ;;
	--tree-only) tree_only=1; shift ;;
	--scenario) scen_files="$scen_files $2"; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "mkinitramfs.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

vm=build/vm
rm -rf "$root"
mkdir -p "$root" "$vm/bin"
for d in bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt/data etc tg/bin tg/modules tg/scenarios; do
	mkdir -p "$root/$d"
done

# add_libs FILE: the shared libraries FILE needs, and the dynamic loader, at
# the paths ldd reports (the loader finds them there without ld.so.cache).
# The daemon links libsystemd, which Debian ships only as a shared library
# (no libsystemd.a; upstream does not support static linking of it), so the
# daemon cannot be made static and its libraries must travel with it.
add_libs() {
	# "not a dynamic executable": static binaries and scripts need nothing
	ldd "$1" >/dev/null 2>&1 || return 0
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# busybox: static (busybox-static), one link per applet.
bb=$(command -v busybox || true)
[ -n "$bb" ] || { echo "mkinitramfs.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
cp -L "$bb" "$root/bin/busybox"
add_libs "$bb"
for a in $("$bb" --list-full); do
	[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done

# The daemon, as /thrashguard (and on PATH).
if [ -f "$bin" ]; then
	cp -L "$bin" "$root/thrashguard"
	chmod 755 "$root/thrashguard"
	add_libs "$bin"
	ln -s /thrashguard "$root/usr/sbin/thrashguard"
else
	echo "mkinitramfs.sh: note: $bin does not exist; the initramfs has no daemon" >&2
fi

# Workload tools (static by the Makefile's rule; add_libs covers exceptions).
if [ -d "$tools" ]; then
	for t in "$tools"/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		cp -L "$t" "$root/tg/bin/"
		add_libs "$t"
	done
fi

# The harness's own small programs, static, rebuilt when they change:
# vmload (a workload, see vmload.c), vmmon (clock, stamps and samples,
# see vmmon.c) and reach (the node's reachability agent, see reach.c).
# Built under a temporary name: concurrent builds may race.
for p in vmload vmmon reach; do
	if [ ! -x "$vm/bin/$p" ] || [ "tests/vm/$p.c" -nt "$vm/bin/$p" ]; then
		${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -static -o "$vm/bin/$p.$$" "tests/vm/$p.c"
		mv -f "$vm/bin/$p.$$" "$vm/bin/$p"
	fi
	cp "$vm/bin/$p" "$root/tg/bin/"
done

# Kernel modules and their dependency list from kernel.sh.
cp "$kernel"/modules/* "$root/tg/modules/"
cp "$kernel/release" "$root/tg/kernel-release"

cp tests/vm/init.sh "$root/init"
chmod 755 "$root/init"
cp tests/lib/harness.sh tests/vm/lib-vm.sh tests/vm/lib-node.sh tests/vm/runner.sh tests/vm/boot-common.sh "$root/tg/"
[ -n "$scen_files" ] || scen_files=$(ls tests/vm/scenarios/*.sh)
for f in $scen_files; do
	cp "$f" "$root/tg/scenarios/"
done

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

[ "$tree_only" = 1 ] && exit 0

# gzip -1: the kernel decompresses it under emulation at every boot, and the
# archive is small either way.
mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs.sh: $out ($(du -k "$out" | cut -f1) KiB, $(du -sk "$root" | cut -f1) KiB unpacked)" >&2
