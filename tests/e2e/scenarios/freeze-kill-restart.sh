# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# freeze-kill-restart: mode = freeze-kill, the daemon SIGKILLed during the
# freeze grace and started again 2 s later (issue 13, item 2: the
# restarted daemon used to leave the group frozen for ever).  Then a clean
# stop (SIGTERM) during a second grace.
#
# The node of `freeze-kill`: a pod thrashing at its own 512 MiB limit
# (local thrash; a frozen group stays at its limit, so the rule still holds
# after the grace).  [action] freeze_grace 8 s, cooldown 3 s, [thrash]
# duration 3 s.
#
# Asserts: the freeze is recorded (mode freeze-kill, local-thrash); after
# SIGKILL the group stays frozen; the restarted daemon resumes the grace
# from the recorded time and kills the group no earlier than grace - 0.5 s
# and no later than grace + 2.5 s after the freeze (the grace plus a tick
# and the kill); one kill entry, by the restarted daemon, with the grace's
# reason; the record is cleared; the thrasher died of SIGKILL.  A second
# thrasher, frozen: SIGTERM thaws it within 2 s and clears its record, the
# daemon exits 0.  The neighbour and the kubelet live.
SCN_DEADLINE=110
SCN_DEFAULT=1
SCN_SUMMARY="mode freeze-kill: SIGKILL during the grace and a restart: killed on the recorded grace; SIGTERM thaws"

FKR_GRACE_S=8

scn_run() {
	local j=$E2E_DIR/journal.json rec=$E2E_DIR/run/frozen t_frozen t_empty t_restart rc args
	args=(--set action.mode=freeze-kill --set action.freeze_grace=${FKR_GRACE_S}s
		--set action.cooldown=3s --set thrash.duration=3s)
	tg_node 1536M
	tg_protected_kubelet
	tg_pod NB burstable
	tg_pod TH besteffort 512M
	tg_pod TH2 besteffort 512M
	tg_daemon_start "${args[@]}"
	e2e_run "$NB" -- "$E2E_TOOLS/steady" --anon 32 --duration 120 2>>"$E2E_DIR/workload.log"
	local nb_pid=$E2E_PID
	e2e_run "$TH" -- "$E2E_TOOLS/thrasher" --anon 300 --file "$E2E_DIR/thrash.dat" \
		--file-size 240 --procs 3 --duration 80 2>>"$E2E_DIR/workload.log"
	local th_pid=$E2E_PID
	if e2e_poll 40 tg_frozen "$TH"; then
		t_frozen=$(e2e_now_ms)
	else
		tg_fatal "the pod was not frozen within 40 s of the launch"
	fi
	tg_check "the freeze is recorded (freeze-kill, local-thrash)" \
		grep -qE "^[0-9]+ [0-9]+ [0-9]+ freeze-kill local-thrash $TH_CG\$" "$rec"

	tg_daemon_kill9
	e2e_sleep_ms 2000
	tg_check "still frozen 2 s after SIGKILL of the daemon" tg_frozen "$TH"
	t_restart=$(e2e_now_ms)
	tg_daemon_start "${args[@]}"
	tg_check "the restarted daemon resumes the grace" tg_daemon_log_has "Resuming the freeze grace of $TH_CG"
	if e2e_wait_empty "$TH" $((FKR_GRACE_S + 10)); then
		t_empty=$(e2e_now_ms)
		tg_metric frozen_to_empty_ms=$((t_empty - t_frozen)) restart_after_freeze_ms=$((t_restart - t_frozen))
		e2e_log "frozen -> empty: $((t_empty - t_frozen)) ms (grace ${FKR_GRACE_S} s, restarted $((t_restart - t_frozen)) ms after the freeze)"
		tg_check "killed no earlier than the grace ($((t_empty - t_frozen)) ms >= $((FKR_GRACE_S * 1000 - 500)))" \
			tg_ge $((t_empty - t_frozen)) $((FKR_GRACE_S * 1000 - 500))
		tg_check "... and no later than grace + tick + the kill ($((t_empty - t_frozen)) ms <= $((FKR_GRACE_S * 1000 + 2500)))" \
			tg_le $((t_empty - t_frozen)) $((FKR_GRACE_S * 1000 + 2500))
	else
		tg_fail "the frozen pod was not killed within grace + 10 s of the restart"
	fi
	rc=0
	e2e_wait_pid "$th_pid" 5 || rc=$?
	tg_check "the thrasher died of SIGKILL (exit $rc)" tg_eq "$rc" 137
	# The record is cleared at the end of the tick that killed, after the
	# kill has waited for the group to empty and reported it: within a
	# tick (500 ms) and the report of the group being empty, not at once.
	tg_check "its record is cleared (within 2 s of the group empty)" \
		e2e_poll 2 tg_not grep -qF " $TH_CG" "$rec"
	tg_journal "$j"
	tg_check "one kill entry for it, at the end of the grace" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill "THRASHGUARD_CGROUP=$TH_CG" \
		"THRASHGUARD_REASON~^freeze grace of ${FKR_GRACE_S}\\.0s over, local-thrash still holds"
	tg_check "no thaw, no failure" tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|failed)$' THRASHGUARD_ACTION~'^thaw$'

	# A clean stop during a grace thaws.
	e2e_run "$TH2" -- "$E2E_TOOLS/thrasher" --anon 300 --file "$E2E_DIR/thrash2.dat" \
		--file-size 240 --procs 3 --duration 60 2>>"$E2E_DIR/workload.log"
	if ! e2e_poll 40 tg_frozen "$TH2"; then
		tg_fatal "the second pod was not frozen within 40 s of its launch"
	fi
	tg_check "the second freeze is recorded" grep -qF " $TH2_CG" "$rec"
	tg_check "the neighbour is alive" tg_alive "$nb_pid"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
	tg_check "SIGTERM during the grace thawed the group" e2e_poll 2 tg_thawed "$TH2"
	tg_check "... and cleared its record" tg_not grep -qF " $TH2_CG" "$rec"
	e2e_kill_group "$TH2" || tg_fail "the second pod could not be emptied"
}
