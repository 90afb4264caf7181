# freeze-kill: [action] mode = freeze-kill, the kill path.  A container is
# frozen at once, and killed after freeze_grace because its rule still
# holds.
#
# The rule is local-thrash (a pod thrashing at its own 256M limit in a node
# of 768M, as in local-thrash.sh): a frozen group stays at its limit, so the
# rule still holds after the grace (policy.c: "local thrash: the group still
# at its limit, since a frozen group neither stalls nor refaults").  With the
# shortage rule, freezing the culprit ends the node's stall, which is the
# release case.
#
# For CI time: [thrash] duration 3 s (default 10 s), [action] freeze_grace
# 4 s (default 10 s).  [thrash] refault_per_s 300 (default 1000): see
# local-thrash.sh (the emulated disk bounds the refault rate).
#
# Asserts: the kernel confirms the group frozen (cgroup.events "frozen 1")
# and its tasks are alive 1 s into the grace; a freeze decision (local-thrash,
# THRASHGUARD_FROZEN=1), then a kill decision for the same group, complete,
# coming freeze_grace (less 0.3 s, plus at most 5 s) after the freeze; the
# group empties; the thrasher died of SIGKILL; nothing else acted on; the
# neighbour and the kubelet live.
#
# On the systemd node (VM_WHERE; lib-node.sh): the same below
# kubepods.slice with Podman containers and the real unit (see
# local-thrash.sh); the frozen group is the container's libpod-<id>.scope,
# its identity in `status --json` checked, Podman's exit code 137.

VM_WHERE="busybox node"
VM_DISK=1
# (the node: its two podman runs take 6-26 s each under emulation)
VM_TIMEOUT=240

FK_GRACE_S=4
LT_REFAULTS=300

scenario() {
	local t_launch t_frozen t_empty t_fz t_kl tte pids
	tg_node "$TN_NODE" memory.max=768M memory.swap.max=0 || tg_fatal node_setup "create the node group"
	tg_kubelet "$TN_NODE" || tg_fatal kubelet_setup "the kubelet stand-in runs"
	tg_pod NB "$TN_NODE" burstable || tg_fatal pod_setup "create the neighbour's pod"
	tg_pod TH "$TN_NODE" besteffort memory.max=256M || tg_fatal pod_setup "create the thrasher's pod"
	tg_sampler_start th "$TH"
	tg_daemon_start --set daemon.scopes=/$TN_NODE --set action.mode=freeze-kill \
		--set action.freeze_grace=${FK_GRACE_S}s --set thrash.duration=3s \
		--set thrash.refault_per_s=$LT_REFAULTS || exit 1
	run_in_group "$NB" --log "$TG_DIR/nb.log" steady --anon 32 --duration 900
	local nb_pid=$TG_PID
	t_launch=$(tg_now_ms)
	run_in_group "$TH" --log "$TG_DIR/th.log" thrasher --anon 180 --file /mnt/data/big.dat \
		--file-size 300 --procs 2 --duration 120
	local th_pid=$TG_PID

	if wait_frozen "$TH" 40; then
		t_frozen=$(tg_now_ms)
	else
		tg_fatal frozen "the kernel reported the pod frozen (cgroup.events frozen 1) within 40 s of the launch"
	fi
	tg_check frozen "the kernel reports the pod frozen (cgroup.events frozen 1), $((t_frozen - t_launch)) ms after the launch" true
	pids=$(tg_pids "$TH")
	sleep 1
	tg_check still_frozen "frozen 1 s into the grace" [ "$(cg_events_get "$TH" frozen)" = 1 ]
	# shellcheck disable=SC2086
	tg_check tasks_alive "... its $(echo $pids | wc -w) tasks alive" tg_all_alive $pids
	if wait_empty "$TH" $((FK_GRACE_S + 15)); then
		t_empty=$(tg_now_ms)
	else
		tg_check emptied "the frozen pod was killed within grace + 15 s" false
	fi
	tg_wait_decision 10 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill
	sleep 1
	tg_decisions_keep

	tg_decision_result THRASHGUARD_ACTION=freeze
	tg_decision_result THRASHGUARD_ACTION=kill
	tg_check freeze_decision "one freeze decision (local-thrash, confirmed frozen)" \
		tg_dcount_is 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=freeze "THRASHGUARD_CGROUP=$TH_CG" \
		THRASHGUARD_RULE=local-thrash THRASHGUARD_FROZEN=1 "POD_UID=$TH_UID"
	tg_check kill_decision "then one kill decision for the same group, complete" \
		tg_dcount_is 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill "THRASHGUARD_CGROUP=$TH_CG" \
		THRASHGUARD_PARTIAL=0
	tg_check nothing_else "no other action, no thaw, no failure" \
		tg_dcount_is 2 'THRASHGUARD_EVENT~^(acted|failed)$'
	t_fz=$(tg_dq get MS THRASHGUARD_ACTION=freeze)
	t_kl=$(tg_dq get MS THRASHGUARD_ACTION=kill)
	if [ -n "$t_fz" ] && [ -n "$t_kl" ]; then
		tte=$(tg_dq get THRASHGUARD_TIME_TO_EMPTY_USEC THRASHGUARD_ACTION=kill)
		t_kl=$((t_kl - ${tte:-0} / 1000))
		tg_result signal rule_json "$(tg_thrash_signal th "$t_launch" "$t_frozen" 15 "$LT_REFAULTS")" \
			defaults_json "$(tg_thrash_signal th "$t_launch" "$t_frozen")"
		tg_result timing_freeze launch_to_frozen_ms $((t_frozen - t_launch)) \
			freeze_line_to_kill_decision_ms $((t_kl - t_fz)) frozen_to_empty_ms $((${t_empty:-0} - t_frozen)) \
			daemon_time_to_empty_us "${tte:-null}" \
			time_to_frozen_us "$(tg_dq get THRASHGUARD_TIME_TO_FROZEN_USEC THRASHGUARD_ACTION=freeze)"
		tg_check after_grace "the kill came after the grace ($((t_kl - t_fz)) ms >= $((FK_GRACE_S * 1000 - 300)))" \
			tg_ge $((t_kl - t_fz)) $((FK_GRACE_S * 1000 - 300))
		tg_check soon_after_grace "... and not long after it ($((t_kl - t_fz)) ms <= $((FK_GRACE_S * 1000 + 5000)))" \
			tg_le $((t_kl - t_fz)) $((FK_GRACE_S * 1000 + 5000))
	else
		tg_check timed "a freeze and a kill decision to time" false
	fi
	tg_wait_pid "$th_pid" 5
	tg_check sigkill "the thrasher died of SIGKILL (status $TG_RC)" tg_eq "$TG_RC" 137
	tg_check neighbour_alive "the neighbour is alive" tg_alive "$nb_pid"
	tg_check kubelet_alive "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
