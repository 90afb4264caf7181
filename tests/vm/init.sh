#!/bin/sh
# /init of the thrashguard test VM (a busybox initramfs; see tests/vm/run.sh).
#
# Brings up a pure cgroup v2 machine, runs the scenarios named on the kernel
# command line (tg.scenarios=a,b,c; each /tg/scenarios/NAME.sh), one after
# the other, each in a session of its own with its own deadline, prints
# their results on the console as machine-readable lines and powers off:
#   TGBOOT uptime=S              /init reached (S = seconds since kernel start)
#   TGSTART NAME                 a scenario begins
#   TGRESULT {json}              one result object per line ("scenario": NAME)
#   TGINFO text                  human-readable progress
#   TGLOG NAME text              the daemon's stderr (stamped), after the scenario
#   TGDMESG text                 kernel log of the scenario (not on the live console)
#   TGEND NAME rc=N s=S          the scenario ended: 0 pass, 77 skip, 124 its
#                                deadline, else fail; S seconds it took
#   TGDONE rc=N                  last line; 124 if the whole boot ran out of time
# Between scenarios everything they started is killed (their session, then
# every cgroup) and the groups removed, so that each starts on a clean
# machine (its data disk writes and page cache aside).
# Other tg.KEY=VALUE parameters are exported as TG_KEY (upper case, . -> _),
# e.g. tg.secs=20 -> TG_SECS=20, for scenarios to read.

# The kernel starts /init with no console when the initramfs has no
# /dev/console node (building one needs mknod, i.e. root, on the host), so
# mount devtmpfs first and reopen the console before printing anything.
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

export PATH=/tg/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=dumb
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
read -r TG_BOOT_UPTIME _ </proc/uptime
echo "TGBOOT uptime=$TG_BOOT_UPTIME"

mount -t tmpfs -o mode=0755,size=64m tmpfs /run
mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp
# As systemd mounts it on current distributions: nsdelegate, and
# memory_recursiveprot so that memory.min/low protection of a parent covers
# its children (what an "all protected" node looks like in production).
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /run/tg

# Kernel messages at err/warning level (memcg OOM reports, hung tasks) would
# interleave with our result lines on the serial console; keep only
# emergencies/alerts live and dump the kernel log after each scenario
# instead (vm_dmesg).
dmesg -n 2

# tg.* parameters from the command line.  They contain a dot, so the kernel
# treats them as module parameters and does not pass them to init's
# environment: read /proc/cmdline.
for w in $(cat /proc/cmdline); do
	case "$w" in
	tg.*=*)
		k=${w%%=*}
		k=$(echo "${k#tg.}" | tr 'a-z.-' 'A-Z__')
		export "TG_$k=${w#*=}"
		;;
	esac
done
: "${TG_SCENARIOS:=${TG_SCENARIO:-smoke}}" "${TG_TIMEOUT:=150}" "${TG_SCN_TIMEOUT:=120}"
export TG_SCENARIOS TG_TIMEOUT TG_BOOT_UPTIME
TG_SCENARIO=init
export TG_SCENARIO

. /tg/lib-vm.sh

vm_poweroff() {
	poweroff -f
}
vm_between() {
	vm_cleanup_groups
}

rc=0
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
for c in memory io pids; do
	case " $controllers " in
	*" $c "*) echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || rc=1 ;;
	esac
done
echo "TGINFO kernel $(uname -r), cgroup2 controllers: $controllers; enabled: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
[ "$rc" = 0 ] || tg_result error message "cannot enable the controllers at the root"

. /tg/boot-common.sh
