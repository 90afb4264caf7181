# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# all-protected: pressure, but every candidate is protected.  The thrash
# node (512 MiB), with every pod's container protected by a [protect]
# cgroups pattern (NODE/kubepods.slice/*: the thrasher's and the
# neighbour's) and the kubelet protected by its comm: the shortage
# rule holds, nothing may be touched.  The daemon must not act, and must
# say so (one all-protected entry, saying why), once per cooldown.
#
# Rules and cooldown: defaults (the 8 s watched after the first entry are
# within one 10 s cooldown, so exactly one entry is expected).
#
# Asserts: an all-protected entry (MESSAGE_ID all-protected, rule shortage,
# the node scope) within duration + 3 s of the pressure start, whose
# message says that every candidate is protected and by what ([protect]
# cgroups, the kubelet's comm), and whose ranking marks each candidate
# protected with its reason; exactly one in the window; no acted, would-act or failed
# entry; every task of the thrasher alive; the neighbour and the kubelet
# live.
SCN_DEADLINE=60
SCN_DEFAULT=1
SCN_SUMMARY="pressure with only protected groups: nothing is touched, the alert says why"

scn_run() {
	local j=$E2E_DIR/journal.json pids=() t msg end cond
	tg_thrash_setup
	tg_daemon_start --set "protect.cgroups=/init.scope $TG_SCOPE/kubepods.slice/*"
	tg_thrash_neighbour
	tg_thrash_start
	cond=("MESSAGE_ID=$TG_MID_ALL_PROTECTED" THRASHGUARD_EVENT=all-protected THRASHGUARD_RULE=shortage
		"THRASHGUARD_SCOPE=$TG_SCOPE")
	if tg_wait_entry 15 "${cond[@]}"; then
		t=$(tg_entry_ms "$j" "${cond[@]}")
		tg_metric pressure_to_entry_ms=$((t - T_PRESSURE))
		local bound
		tg_decision_bound_ms "$TG_SHORTAGE_DURATION_MS"
		bound=$TG_BOUND
		tg_check "an all-protected entry within $TG_BOUND_WHY of pressure start ($((t - T_PRESSURE)) ms <= $bound)" \
			tg_le $((t - T_PRESSURE)) "$bound"
	else
		tg_fail "no all-protected entry within 15 s of pressure start"
		t=$(e2e_now_ms)
	fi
	mapfile -t pids < <(tg_pids "$TH")
	end=$((t + 8000))
	while (($(e2e_now_ms) < end)); do e2e_sleep_ms 200; done
	tg_check "every task of the thrasher (${#pids[@]}) is alive" tg_all_alive "${pids[@]}"
	tg_journal "$j"
	msg=$(tg_jget "$j" MESSAGE "${cond[@]}")
	tg_metric message="$msg"
	e2e_log "the alert: $msg"
	tg_check "the alert's MESSAGE says every candidate is protected" \
		tg_has "$msg" "every candidate is protected"
	tg_check "... and by what ([protect] cgroups, [protect] comms)" \
		tg_has "$msg" "[protect] cgroups" "comm"
	tg_check "its ranking marks the pods protected by [protect] cgroups, the kubelet by [protect] comms" \
		tg_jcount_is "$j" 1 "${cond[@]}" \
		"THRASHGUARD_CANDIDATES~${TH_CG//./\\.} score=[-0-9.]+ protected=\\[protect\\] cgroups" \
		"THRASHGUARD_CANDIDATES~${NB_CG//./\\.} score=[-0-9.]+ protected=\\[protect\\] cgroups" \
		"THRASHGUARD_CANDIDATES~kubelet\\.service score=[-0-9.]+ protected=\\[protect\\] comms"
	tg_check "exactly one all-protected entry in one cooldown" tg_jcount_is "$j" 1 "${cond[@]}"
	tg_check "no acted, would-act or failed entry" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|would-act|failed)$'
	e2e_kill_group "$TH"
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
