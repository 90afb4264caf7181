# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# freeze: [action] mode = freeze.  The thrash node (512 MiB; a BestEffort
# pod thrashing it, a neighbour, the kubelet): the thrasher's container is
# frozen, not killed, and stays frozen.
#
# [action] cooldown is 4 s instead of 10 s so that the test can watch past
# it (a second decision would come after the cooldown) in CI time; the
# rules are the defaults.
#
# Asserts: the victim's group is reported frozen by the kernel (cgroup.events
# "frozen 1" in the unified hierarchy, or v1 freezer.state FROZEN) within
# a few seconds of the pressure starting; one freeze entry (THRASHGUARD_FROZEN=1)
# for it; for cooldown + 2 s afterwards it is still frozen, every one of its
# tasks alive, no kill and no other action; the node's stall is gone; the
# neighbour and the kubelet live.
SCN_DEADLINE=80
SCN_DEFAULT=1
SCN_SUMMARY="mode freeze: the thrasher's container is frozen (confirmed), never killed"

scn_run() {
	local j=$E2E_DIR/journal.json cond t_frozen pids=() end after
	tg_thrash_setup
	tg_daemon_start --set action.mode=freeze --set action.cooldown=4s
	tg_thrash_neighbour
	tg_thrash_start
	mapfile -t pids < <(tg_pids "$TH")
	if e2e_poll 15 tg_frozen "$TH"; then
		t_frozen=$(e2e_now_ms)
		tg_metric pressure_to_frozen_ms=$((t_frozen - T_PRESSURE))
		e2e_log "frozen $((t_frozen - T_PRESSURE)) ms after pressure start"
	else
		tg_fatal "the thrasher's group was not frozen within 15 s of pressure start"
	fi
	mapfile -t pids < <(tg_pids "$TH")
	tg_check "the frozen group holds the thrasher's tasks (${#pids[@]})" tg_ge "${#pids[@]}" 3
	end=$(($(e2e_now_ms) + 6000))
	while (($(e2e_now_ms) < end)); do e2e_sleep_ms 200; done
	tg_check "still frozen cooldown + 2 s later" tg_frozen "$TH"
	tg_check "every task of the frozen group is alive" tg_all_alive "${pids[@]}"
	tg_journal "$j"
	cond=(THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=freeze)
	tg_check "one freeze entry for the thrasher's container, confirmed frozen" \
		tg_jcount_is "$j" 1 "${cond[@]}" "THRASHGUARD_CGROUP=$TH_CG" THRASHGUARD_FROZEN=1 "POD_UID=$TH_UID"
	tg_check "no other action (no kill, no second freeze, no failure)" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT~'^(acted|failed)$'
	after=$(tg_stall_pct node $((t_frozen + 1000)) "$(e2e_now_ms)")
	tg_metric node_full_pct_after="$after"
	tg_check "the node's full stall while frozen is below 5 % ($after %)" tg_lt "${after/null/100}" 5
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
