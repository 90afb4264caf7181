# node-podman-runc: node-podman with runc instead of crun (`podman
# --runtime runc`, the systemd cgroup manager): runc puts a container's
# processes in its libpod-<id>.scope itself, with no child group.  The
# same incident and assertions as node-podman (lib-node.sh,
# node_podman_incident): both containers identified as podman with their
# ids, the thrasher's scope killed whole (cgroup.kill, not partial, no
# task left, exited 137), named by CONTAINER_ID; the neighbour runs on; no
# kernel OOM kill; and podman says the thrasher ran with runc.

VM_WHERE=node
VM_DISK=1
VM_TIMEOUT=200

NODE_RUNTIME=runc

scenario() {
	node_podman_incident "$TG_SLICE" "$TG_SLICE" "$TG_SLICE_CG" 'podman podman $NB_CID - -' 'podman podman $TH_CID - -' \
		'CONTAINER_ID=$TH_CID'
}
