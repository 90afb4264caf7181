# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# freeze-kill: [action] mode = freeze-kill, the kill path.  A container is
# frozen at once, and killed after freeze_grace because its rule still
# holds.
#
# The rule is local-thrash (a pod thrashing at its own 512 MiB limit in a
# 1.5 GiB node, as in `local-thrash`): a frozen group stays at its limit,
# so the rule still holds after the grace (policy.c: "local thrash: the group
# still at its limit, since a frozen group neither stalls nor refaults").
# With the shortage rule, freezing the culprit ends the node's stall, which
# is the release case (freeze-release).
#
# For CI time: [thrash] duration 3 s (default 10 s), [action] freeze_grace
# 4 s (default 10 s).
#
# Asserts: the group is frozen (kernel-confirmed) and its tasks alive while
# frozen; a freeze entry, then a kill entry for the same group, the kill
# coming freeze_grace (minus 0.3 s, plus at most 4 s) after the freeze; the
# group empties; the thrasher died of SIGKILL; nothing else touched.
SCN_DEADLINE=80
SCN_DEFAULT=1
SCN_SUMMARY="mode freeze-kill: frozen at once, killed after freeze_grace because the rule still holds"

FK_GRACE_S=4

scn_run() {
	local j=$E2E_DIR/journal.json t_launch t_frozen t_empty t_fz t_kl pids=() rc
	tg_node 1536M
	tg_protected_kubelet
	tg_pod NB burstable
	tg_pod TH besteffort 512M
	tg_daemon_start --set action.mode=freeze-kill --set action.freeze_grace=${FK_GRACE_S}s \
		--set thrash.duration=3s
	e2e_run "$NB" -- "$E2E_TOOLS/steady" --anon 32 --duration 120 2>>"$E2E_DIR/workload.log"
	local nb_pid=$E2E_PID
	t_launch=$(e2e_now_ms)
	e2e_run "$TH" -- "$E2E_TOOLS/thrasher" --anon 300 --file "$E2E_DIR/thrash.dat" \
		--file-size 240 --procs 3 --duration 60 2>>"$E2E_DIR/workload.log"
	local th_pid=$E2E_PID
	if e2e_poll 40 tg_frozen "$TH"; then
		t_frozen=$(e2e_now_ms)
		tg_metric launch_to_frozen_ms=$((t_frozen - t_launch))
	else
		tg_fatal "the pod was not frozen within 40 s of the launch"
	fi
	mapfile -t pids < <(tg_pids "$TH")
	e2e_sleep_ms 1000
	tg_check "frozen 1 s into the grace" tg_frozen "$TH"
	tg_check "... its ${#pids[@]} tasks alive" tg_all_alive "${pids[@]}"
	if e2e_wait_empty "$TH" $((FK_GRACE_S + 10)); then
		t_empty=$(e2e_now_ms)
		tg_metric frozen_to_empty_ms=$((t_empty - t_frozen))
		e2e_log "emptied $((t_empty - t_frozen)) ms after it was seen frozen"
	else
		tg_fail "the frozen pod was not killed within grace + 10 s"
	fi
	e2e_sleep_ms 1000
	tg_journal "$j"
	tg_check "one freeze entry (local-thrash, confirmed frozen)" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=freeze "THRASHGUARD_CGROUP=$TH_CG" \
		THRASHGUARD_RULE=local-thrash THRASHGUARD_FROZEN=1
	tg_check "then one kill entry for the same group, complete" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill "THRASHGUARD_CGROUP=$TH_CG" \
		THRASHGUARD_PARTIAL=0
	tg_check "no other action, no thaw, no failure" tg_jcount_is "$j" 2 THRASHGUARD_EVENT~'^(acted|failed)$'
	if t_fz=$(tg_entry_ms "$j" THRASHGUARD_ACTION=freeze) && t_kl=$(tg_entry_ms "$j" THRASHGUARD_ACTION=kill); then
		local tte
		tte=$(tg_jget "$j" THRASHGUARD_TIME_TO_EMPTY_USEC THRASHGUARD_ACTION=kill)
		t_kl=$((t_kl - ${tte:-0} / 1000))
		tg_metric freeze_to_kill_ms=$((t_kl - t_fz))
		e2e_log "freeze entry -> kill decision: $((t_kl - t_fz)) ms (grace ${FK_GRACE_S} s)"
		tg_check "the kill came after the grace ($((t_kl - t_fz)) ms >= $((FK_GRACE_S * 1000 - 300)))" \
			tg_ge $((t_kl - t_fz)) $((FK_GRACE_S * 1000 - 300))
		tg_check "... and not long after it ($((t_kl - t_fz)) ms <= $((FK_GRACE_S * 1000 + 4000)))" \
			tg_le $((t_kl - t_fz)) $((FK_GRACE_S * 1000 + 4000))
	else
		tg_fail "no freeze and kill entries to time"
	fi
	rc=0
	e2e_wait_pid "$th_pid" 5 || rc=$?
	tg_check "the thrasher died of SIGKILL (exit $rc)" tg_eq "$rc" 137
	tg_check "the neighbour is alive" tg_alive "$nb_pid"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
