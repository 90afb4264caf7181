#!/bin/sh
# The scenario runner of the systemd node (Debian 12, systemd as PID 1),
# started by the image's tg-node.service through tg-node-boot once
# multi-user.target is reached; it lives on the run disk (vdb, mounted at
# /run/tgrun; /tg points there), which tests/vm/run.sh --node writes for
# each run: the same harness as the busybox VM's initramfs (lib-vm.sh,
# runner.sh, boot-common.sh, the scenarios, /tg/bin), plus lib-node.sh.
# The console protocol is init.sh's (TGBOOT was printed by tg-node-boot).
#
# Disks: vda the node's root, vdb the run disk, vdc the data disk (big.dat,
# mounted at /mnt/data here: udev coldplug under emulation outlasts
# fstab's timeouts).  Memory pressure stays inside the scenarios' slice,
# except in scenarios that say otherwise.
exec </dev/null
export PATH=/tg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 TG_WHERE=node SYSTEMD_PAGER= SYSTEMD_COLORS=0
umask 022
read -r TG_BOOT_UPTIME _ </proc/uptime
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
: "${TG_SCENARIOS:=node-boot}" "${TG_TIMEOUT:=300}" "${TG_SCN_TIMEOUT:=120}"
export TG_SCENARIOS TG_TIMEOUT TG_BOOT_UPTIME
TG_SCENARIO=init
export TG_SCENARIO
mkdir -p /run/tg

. /tg/lib-vm.sh
. /tg/lib-node.sh

vm_poweroff() {
	# systemd-shutdown would wait 90 s for conmon: no clean shutdown
	systemctl poweroff --force --force
}
vm_between() {
	node_cleanup
}

rc=0
i=0
while [ ! -b /dev/vdc ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /mnt/data
mount -t ext4 /dev/vdc /mnt/data || { tg_result error message "cannot mount the data disk /dev/vdc"; rc=1; }
tg_info "node: kernel $(uname -r), systemd $(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')," \
	"$(systemctl is-system-running 2>&1), cgroup controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)," \
	"swap: $(awk 'NR > 1' /proc/swaps | wc -l) device(s), MemTotal $(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"
tg_result node_boot uptime_s "$TG_BOOT_UPTIME" \
	startup "$(systemd-analyze time 2>/dev/null | head -n 1)" \
	state "$(systemctl is-system-running 2>&1)" \
	failed_units "$(systemctl list-units --failed --plain --no-legend 2>/dev/null | awk '{ print $1 }' | tr '\n' ' ')"

. /tg/boot-common.sh
