# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# protected-culprit: the pod behind the shortage is protected ([protect]
# cgroups), and the only other pod is idle and small: killing it would
# restore nothing.  The daemon must say so (an all-protected entry naming
# the culprit) and kill no bystander: the neighbour lives.
SCN_DEADLINE=90
SCN_DEFAULT=1
SCN_SUMMARY="a protected culprit and an idle neighbour: all-protected names the culprit, nobody is killed"

scn_run() {
	local j=$E2E_DIR/journal.json cond msg t end
	tg_thrash_setup
	tg_daemon_start --set "protect.cgroups=/init.scope $TG_SCOPE/kubepods.slice/kubepods-besteffort.slice/*"
	tg_thrash_neighbour
	e2e_sleep_ms 2000
	tg_thrash_start
	cond=("MESSAGE_ID=$TG_MID_ALL_PROTECTED" THRASHGUARD_EVENT=all-protected THRASHGUARD_RULE=shortage
		"THRASHGUARD_CGROUP=$TH_CG")
	if tg_wait_entry 15 "${cond[@]}"; then
		t=$(tg_entry_ms "$j" "${cond[@]}")
		tg_metric pressure_to_entry_ms=$((t - T_PRESSURE))
	else
		tg_fail "no all-protected entry naming the thrasher within 15 s of pressure start"
		t=$(e2e_now_ms)
	fi
	end=$((t + 5000))
	while (($(e2e_now_ms) < end)); do e2e_sleep_ms 200; done
	tg_journal "$j"
	msg=$(tg_jget "$j" MESSAGE "${cond[@]}")
	e2e_log "the alert: $msg"
	tg_check "the alert names the culprit and why it is untouched" \
		tg_has "$msg" "top contributor $TH_CG may not be touched ([protect] cgroups)"
	tg_check "no acted, would-act or failed entry" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|would-act|failed)$'
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	e2e_kill_group "$TH"
	tg_stop_neighbour
	tg_daemon_stop_check
}
