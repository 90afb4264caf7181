# node-podman: real Podman containers (crun, systemd cgroup manager, the
# offline root filesystem /var/lib/tg/ctr) in the test slice, placed with
# --cgroup-parent=tg-test.slice: /tg.slice/tg-test.slice/libpod-<id>.scope,
# crun's processes in its child group "container".  The real unit guards
# the slice (the image's configuration, action kill).
#
# A neighbour container (steady, 32 MiB) and a thrasher container (thrasher:
# 280 MiB anonymous in two workers and a sweep of the data disk's 300 MiB
# file, bind-mounted): the slice's 384M cannot hold both, its stall climbs,
# the kernel OOM killer never fires (page cache is always reclaimable).
#
# Asserts: `thrashguard status --json` shows both as kind podman, runtime
# podman, with their container ids; the daemon kills the thrasher's scope
# whole (cgroup.kill, not partial, every task gone, `podman inspect` says
# exited 137) and names it (CONTAINER_ID) in the journal; the neighbour
# container is still running; no kernel OOM kill in the slice.

VM_WHERE=node
VM_DISK=1
VM_TIMEOUT=200

scenario() {
	node_podman_incident "$TG_SLICE" "$TG_SLICE" "$TG_SLICE_CG" 'podman podman $NB_CID - -' 'podman podman $TH_CID - -' \
		'CONTAINER_ID=$TH_CID'
}
