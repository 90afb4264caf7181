# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# tenant-names: a tenant names its processes to buy protection.  The
# thrashing BestEffort pod runs the thrasher from executables named `sshd`
# and `pause`, and a process named `kubelet` beside it; all three names are
# in [protect] comms.  Names protect system services only (the node's own
# kubelet.service keeps its protection): the pod must be killed whole, the
# Burstable neighbour and the real kubelet stand-in must live.
SCN_DEADLINE=90
SCN_DEFAULT=1
SCN_SUMMARY="a pod naming its processes sshd, pause, kubelet is killed whole; neighbour and kubelet live"

scn_run() {
	tg_thrash_setup
	cp "$E2E_TOOLS/thrasher" "$E2E_DIR/sshd"
	cp "$(command -v sleep)" "$E2E_DIR/pause"
	tg_daemon_start --set "protect.comms=kubelet sshd pause"
	tg_thrash_neighbour
	e2e_run "$TH" -- "$E2E_DIR/kubelet" 600
	e2e_run "$TH" -- "$E2E_DIR/pause" 600
	e2e_sleep_ms 1500
	tg_thrash_start "$TH" "$E2E_DIR/sshd"
	tg_tenant_killed_whole "forged names"
	tg_stop_neighbour
	tg_daemon_stop_check
}
