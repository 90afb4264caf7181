# node-kubepods: Podman containers placed the way the kubelet's systemd
# cgroup driver names a pod's groups, with --cgroup-parent=kubepods-<qos>-
# pod<uid, _ for ->.slice: systemd builds kubepods.slice/kubepods-<qos>.slice/
# kubepods-<qos>-pod<uid>.slice and puts the container's libpod-<id>.scope
# below it (crun's processes in its child group "container").  The real
# unit guards /kubepods.slice (384M, no swap, set with systemctl
# set-property; the configuration's scopes changed to it); a Burstable
# neighbour pod and a BestEffort thrasher pod, one container each.
#
# Asserts (node_podman_incident, lib-node.sh): status --json gives both
# the pod's UID and QoS from the slice names; the thrasher's container
# scope is killed whole, named in the journal by POD_UID and QoS; the
# neighbour pod's container is still running.
#
# Not asserted, because the daemon does not do it (seen December 2026):
# a libpod-<id>.scope below a kubelet pod slice is reported as kind
# "group" with no runtime and no container id (a cri-containerd- or crio-
# scope there is a "pod-container"); the kind, runtime and container id it
# reports are recorded (status_nb, status_th).  Podman does not run below
# real kubelets, so this is a layout the tests make, not one operators have.

VM_WHERE=node
VM_DISK=1
VM_TIMEOUT=220

scenario() {
	local nb_uid
	POD_UID=$(cat /proc/sys/kernel/random/uuid)
	nb_uid=$(cat /proc/sys/kernel/random/uuid)
	systemctl set-property --runtime kubepods.slice MemoryAccounting=yes MemoryMax=384M MemorySwapMax=0 ||
		tg_fatal kubepods_limit "limit kubepods.slice"
	sed 's|^scopes = .*|scopes = /kubepods.slice|' /run/tg/thrashguard.conf.orig >"$TG_CONF"
	NODE_SCOPE_SLICE=kubepods.slice
	node_podman_incident "kubepods-burstable-pod$(echo "$nb_uid" | tr - _).slice" \
		"kubepods-besteffort-pod$(echo "$POD_UID" | tr - _).slice" kubepods.slice \
		"* * * $nb_uid burstable" '* * * $POD_UID besteffort' 'POD_UID=$POD_UID THRASHGUARD_QOS=besteffort'
}
