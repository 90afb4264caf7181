#!/bin/sh
# /init of the benchmark VM (busybox ash), built by bench/vm/run.sh.
# Self-contained on purpose: tests/vm/ (the VM test tier) evolves on its
# own; the benchmark takes only its kernel and modules (tests/vm/kernel.sh).
#
# Brings up a pure cgroup v2 machine (cgroup_no_v1=all on the command line),
# mounts the data disk (/dev/vda, ext4, big.dat) at /mnt/data, runs
# /bench/node.sh's bench_main, writes /tmp/out as a tar archive to /dev/vdb
# and powers off.  Console lines: TGBOOT, TGINFO text, TGDMESG (the kernel
# log, at the end), TGDONE rc=N.  tg.KEY=VALUE on the kernel command line
# arrives as TG_KEY.

/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
export PATH=/tg/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
read -r up _ </proc/uptime
echo "TGBOOT uptime=$up"
mount -t tmpfs -o mode=0755,size=64m tmpfs /run
mount -t tmpfs -o mode=1777,size=128m tmpfs /tmp
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
dmesg -n 2
for w in $(cat /proc/cmdline); do
	case "$w" in
	tg.*=*)
		k=${w%%=*}
		k=$(echo "${k#tg.}" | tr 'a-z.-' 'A-Z__')
		export "TG_$k=${w#*=}"
		;;
	esac
done
: "${TG_TIMEOUT:=600}"

CG=/sys/fs/cgroup
tg_info() { echo "TGINFO $*"; }

finish() {
	dmesg | sed 's/^/TGDMESG /'
	echo "TGDONE rc=$1"
	sync
	poweroff -f
	sleep 5
	exit "$1"
}
(
	sleep "$TG_TIMEOUT"
	echo "TGINFO deadline of $TG_TIMEOUT s reached"
	finish 124
) &
WATCHDOG=$!

# modules: NAME and its dependencies first ("NAME dep..." lines of
# tests/vm/kernel.sh's deps file; an initramfs has no modules.dep)
modload() {
	local m=$1 d
	[ -d "/sys/module/$m" ] && return 0
	[ -e "/tg/modules/$m.ko" ] || { echo "modload: no $m" >&2; return 1; }
	for d in $(sed -n "s/^$m //p" /tg/modules/deps); do modload "$d" || return 1; done
	insmod "/tg/modules/$m.ko"
}

rc=0
for c in memory io pids; do
	grep -qw "$c" $CG/cgroup.controllers && { echo "+$c" >$CG/cgroup.subtree_control || rc=1; }
done
# ext4 of this kernel allocates the crc32c hash at every mount (a softdep,
# which insmod does not follow)
for m in virtio_pci virtio_blk crc32c_generic ext4; do modload "$m" || rc=1; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /mnt/data
mount -t ext4 /dev/vda /mnt/data || rc=1
tg_info "kernel $(uname -r), controllers: $(cat $CG/cgroup.subtree_control), data disk: $(ls /mnt/data 2>/dev/null)"
if [ "$rc" = 0 ]; then
	. /bench/node.sh
	(bench_main)
	rc=$?
fi
kill "$WATCHDOG" 2>/dev/null
finish "$rc"
