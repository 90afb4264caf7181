# node-boot: the systemd node itself, before any scenario relies on it:
# systemd is PID 1 and the boot finished (running, or degraded with the
# failed units named), pure cgroup v2 with the memory controller, no swap,
# 1 GiB, the shipped unit installed unchanged and not enabled (the
# scenarios enable it), podman with crun and the systemd cgroup manager,
# the offline container root filesystem, the data disk.

VM_WHERE=node
VM_TIMEOUT=60

scenario() {
	local v
	tg_check pid1 "PID 1 is systemd ($(cat /proc/1/comm))" tg_eq "$(cat /proc/1/comm)" systemd
	v=$(systemctl is-system-running 2>&1)
	tg_check booted "the boot finished ($v; failed: $(systemctl list-units --failed --plain --no-legend | awk '{ print $1 }' | tr '\n' ' '))" \
		sh -c 'case "$1" in running | degraded) exit 0 ;; esac; exit 1' - "$v"
	tg_check cgroup2 "pure cgroup v2 with memory" sh -c 'grep -q "^cgroup2 /sys/fs/cgroup " /proc/mounts && grep -qw memory /sys/fs/cgroup/cgroup.subtree_control'
	tg_check no_swap "no swap" tg_eq "$(awk 'NR > 1' /proc/swaps | wc -l)" 0
	tg_check unit_installed "thrashguard.service installed, ExecStart=/usr/sbin/thrashguard run, not enabled" \
		sh -c 'systemctl cat thrashguard.service | grep -qx "ExecStart=/usr/sbin/thrashguard run" && [ "$(systemctl is-enabled thrashguard 2>&1)" = disabled ]'
	v=$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Store.GraphDriverName}}' 2>&1)
	tg_check podman "podman: crun, systemd cgroup manager, cgroup v2, vfs ($v)" tg_eq "$v" "crun systemd v2 vfs"
	tg_check ctr_rootfs "the container root filesystem holds busybox and the tools" \
		test -x "$TG_CTR_ROOTFS/bin/busybox" -a -x "$TG_CTR_ROOTFS/usr/local/bin/thrasher"
	tg_check data_disk "the data disk is mounted with big.dat" test -s /mnt/data/big.dat
	tg_result node versions "$(podman --version); $(crun --version | head -n 1); $(runc --version | head -n 1); $(thrashguard --version 2>&1 | head -n 1)"
	return 0
}
