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
# the pod's UID and QoS from the slice names, kind pod-container, runtime
# podman and the container id; the thrasher's container
# scope is killed whole, named in the journal by POD_UID and QoS; the
# neighbour pod's container is still running.
#
# Also asserted: each libpod-<id>.scope below a pod slice is a pod
# container of runtime podman with its container id (Podman does not run
# below real kubelets; this is the layout a test node makes with
# --cgroup-parent).

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
		"pod-container podman \$NB_CID $nb_uid burstable" 'pod-container podman $TH_CID $POD_UID besteffort' \
		'POD_UID=$POD_UID THRASHGUARD_QOS=besteffort CONTAINER_ID=$TH_CID'
}
