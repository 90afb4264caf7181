#!/bin/sh
# /init of the thrashguard test VM (a busybox initramfs; see tests/vm/run.sh).
#
# Brings up a pure cgroup v2 machine, runs ONE scenario named on the kernel
# command line (tg.scenario=NAME -> /tg/scenarios/NAME.sh), prints its results
# on the console as machine-readable lines and powers off:
#   TGBOOT uptime=S              /init reached (S = seconds since kernel start)
#   TGRESULT {json}              one result object per line
#   TGINFO text                  human-readable progress
#   TGDMESG text                 kernel log of the run (not on the live console)
#   TGDONE rc=N                  last line; 0 pass, 77 skip, 124 timeout, else fail
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
# emergencies/alerts live and dump the kernel log at the end instead.
TG_DMESG_SKIP=$(dmesg | wc -l)
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
: "${TG_SCENARIO:=smoke}" "${TG_TIMEOUT:=120}"
export TG_SCENARIO TG_TIMEOUT TG_BOOT_UPTIME TG_DMESG_SKIP

. /tg/lib-vm.sh

vm_finish() {
	# $1 = rc.  Print the kernel log of the run, the last line, power off.
	dmesg | sed -n "$((TG_DMESG_SKIP + 1)),\$p" | sed 's/^/TGDMESG /'
	read -r up _ </proc/uptime
	echo "TGINFO scenario $TG_SCENARIO ended at uptime $up"
	echo "TGDONE rc=$1"
	sync
	poweroff -f
	sleep 5 # poweroff -f does not return; if it ever does, panic=-1 + -no-reboot end qemu
	exit "$1"
}

# Hard deadline inside the VM; run.sh has its own (longer) one on the host.
(
	sleep "$TG_TIMEOUT"
	tg_result timeout seconds "$TG_TIMEOUT"
	vm_finish 124
) &
TG_WATCHDOG=$!

rc=0
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
for c in memory io pids; do
	case " $controllers " in
	*" $c "*) echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || rc=1 ;;
	esac
done
echo "TGINFO kernel $(uname -r), cgroup2 controllers: $controllers; enabled: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

scen=/tg/scenarios/$TG_SCENARIO.sh
if [ ! -r "$scen" ]; then
	tg_result error message "no such scenario: $TG_SCENARIO"
	rc=2
else
	# A scenario file sets what it needs, then defines scenario():
	#   VM_MODULES="..."  modules to load (dependencies are added)
	#   VM_ZRAM=SIZE      zram swap of SIZE (e.g. 512M), swapon before running
	#   VM_DISK=1         mount the data disk at /mnt/data (big.dat, 300 MiB)
	VM_MODULES= VM_ZRAM= VM_DISK=
	. "$scen"
	t0=$(tg_now_cs)
	for m in $VM_MODULES; do vm_modload "$m" || rc=1; done
	if [ -n "$VM_DISK" ]; then vm_disk_mount || rc=1; fi
	if [ -n "$VM_ZRAM" ]; then vm_zram_on "$VM_ZRAM" || rc=1; fi
	t1=$(tg_now_cs)
	tg_result setup boot_uptime_s "$TG_BOOT_UPTIME" setup_s "$(tg_cs2s $((t1 - t0)))" \
		modules "$(cat /proc/modules | cut -d' ' -f1 | tr '\n' ' ')" \
		swap_kib "$(awk '/^SwapTotal/ {print $2}' /proc/meminfo)" rc "$rc"
	if [ "$rc" = 0 ]; then
		# a subshell, so that `exit` in a scenario ends only the scenario
		(scenario)
		rc=$?
		t2=$(tg_now_cs)
		tg_result timing scenario_s "$(tg_cs2s $((t2 - t1)))"
	else
		tg_result error message "setup failed"
	fi
	# a failed check fails the run, even if the scenario meant to skip
	if [ -s /run/tg/failed ] && { [ "$rc" = 0 ] || [ "$rc" = 77 ]; }; then rc=1; fi
fi
kill "$TG_WATCHDOG" 2>/dev/null
vm_finish "$rc"
