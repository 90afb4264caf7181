# thrash: the node-killer, on pure cgroup v2.  One BestEffort pod streams a
# file from the data disk that cannot stay cached while it holds most of the
# node in anonymous memory (no swap for the node: the kernel OOM killer never
# fires, the node's `full` stall goes to tens of percent); a Burstable
# neighbour serves (steady + latency probe); the kubelet (protected by the
# default [protect] comms) sits in node/system.slice.  The node is the
# thrash node of lib-vm.sh (tn_*): memory.max 384M.
#
# The daemon runs with the product's defaults (shortage: 1 s window, 2 s
# duration, full 10 %, headroom 10 %; cooldown 10 s): this scenario is the
# product's promise, so nothing is tuned for speed.
#
# Asserts: exactly one kill decision, of the thrasher's container, by the
# shortage rule, in scope /node, through cgroup.kill, complete (not partial,
# >= 3 tasks, >= 200 MiB freed), naming the pod and container (POD_UID,
# CONTAINER_ID, QoS besteffort) and listing the kubelet as protected;
# nothing else acted on or failed; the group emptied; the decision within
# DECIDE_MS of pressure start (the e2e bound is duration + 3 s = 5 s on a
# real machine; under emulation on a loaded host the daemon's 500 ms ticks
# and the kill itself run several times slower, hence duration + 6 s); the
# thrasher died of SIGKILL; the neighbour and the kubelet live; no kernel
# OOM kill in the node; the node's stall after the kill below 5 %; the
# daemon said "recovered" and exits 0 on SIGTERM.
#
# Figures: pressure start after launch, pressure start -> decision, -> empty
# group; the neighbour's probe before, during and after; the node's stall.
#
# On the systemd node (VM_WHERE; lib-node.sh): the node is kubepods.slice
# (MemoryMax 384M, MemorySwapMax 0, set with systemctl set-property
# --runtime), each pod a kubepods-<qos>-pod<uid>.slice with one Podman
# container (crun), the kubelet stand-in system.slice/kubelet.service
# (outside the scope, so in no ranking), the daemon the real unit with the
# shipped configuration, decisions from the real journal; also asserted
# there: `status --json` names each container a pod container of runtime
# podman with its id, pod UID and QoS, and Podman says the thrasher's
# container exited 137.

VM_WHERE="busybox node"
VM_DISK=1
# (the node: its two podman runs take 6-26 s each under emulation)
VM_TIMEOUT=240

# THRASH_WINDOW_MS (10 s from pressure start: the neighbour's figures and
# the recovery), DECIDE_MS and EMPTY_MS are set in lib-vm.sh, where the body
# of this scenario lives (tn_kill_scenario, shared with swap-thrash).
scenario() {
	tn_kill_scenario file
}
