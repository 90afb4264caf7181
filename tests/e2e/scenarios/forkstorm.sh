# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# forkstorm: the container to kill keeps forking while it is being killed.
# Its tasks are never the same for long (a fork storm: 16 chains, each link
# forks its successor and exits after 1 ms: ~16,000 new pids a second), so a
# killer that reads cgroup.procs and kills pid by pid keeps finding new
# ones; only an atomic kill (cgroup.kill, or freeze first) empties the group
# at once.  The same container also thrashes (the thrash node: 512 MiB,
# 300 MiB anon + 220 MiB file), so that it is the one the daemon chooses.
# Product defaults.
#
# Runnable storm tasks are "not stalled": they dilute the group's `full`
# stall (all tasks stalled at once).  With a weak thrash (a 400 MiB file,
# 10-30 % full) this storm held the node's full share at 5-12 %, around
# the 10 % threshold, and the decision took 18-26 s; the thrash node's
# strong thrash (~70 % full) keeps the signal clear.
#
# Asserts: one action only (exactly one kill entry, complete: not partial,
# no failed entry) and the whole group is gone: empty, and still empty 3 s
# later (no straggler forked itself out of the kill); the storm's main
# process died of SIGKILL; the neighbour and the kubelet live.
SCN_DEADLINE=80
SCN_DEFAULT=1
SCN_SUMMARY="a thrashing container that forks all the time: one action, the whole group gone"

scn_run() {
	local j=$E2E_DIR/journal.json cond rc storm_pid t_empty
	tg_thrash_setup
	tg_daemon_start
	tg_thrash_neighbour
	e2e_run "$TH" -- "$E2E_TOOLS/forkstorm" --width 16 --life-us 1000 --duration 60 2>>"$E2E_DIR/workload.log"
	storm_pid=$E2E_PID
	e2e_sleep_ms 1000
	local n0
	n0=$(tg_nprocs "$TH")
	tg_check "the storm is running ($n0 tasks in the group)" tg_ge "$n0" 5
	tg_thrash_start

	if e2e_wait_empty "$TH" 30; then
		t_empty=$(e2e_now_ms)
		tg_metric pressure_to_empty_ms=$((t_empty - T_PRESSURE))
		e2e_log "the storming group emptied $((t_empty - T_PRESSURE)) ms after pressure start"
	else
		tg_fail "the storming group is still populated 30 s after pressure start ($(tg_nprocs "$TH") tasks)"
	fi
	# Nothing comes back: a straggler would repopulate the group.
	local stayed=1 end=$(($(e2e_now_ms) + 3000))
	while (($(e2e_now_ms) < end)); do
		if e2e_populated "$TH"; then stayed=0; break; fi
		e2e_sleep_ms 100
	done
	tg_check "the group stayed empty for 3 s" tg_eq "$stayed" 1
	tg_journal "$j"
	cond=(THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill)
	tg_check "exactly one action entry (one kill, of the storming container)" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT~'^(acted|failed)$'
	tg_check "... a complete kill of that container (PARTIAL=0, TASKS_LEFT=0)" \
		tg_jcount_is "$j" 1 "${cond[@]}" "THRASHGUARD_CGROUP=$TH_CG" THRASHGUARD_PARTIAL=0 THRASHGUARD_TASKS_LEFT=0
	tg_metric tasks_killed="$(tg_jget "$j" THRASHGUARD_TASKS_KILLED "${cond[@]}")" \
		rounds="$(tg_jget "$j" THRASHGUARD_ROUNDS "${cond[@]}")" \
		cgroup_kill="$(tg_jget "$j" THRASHGUARD_CGROUP_KILL "${cond[@]}")" \
		daemon_time_to_empty_us="$(tg_jget "$j" THRASHGUARD_TIME_TO_EMPTY_USEC "${cond[@]}")"
	rc=0
	e2e_wait_pid "$storm_pid" 5 || rc=$?
	tg_check "the storm's main process died of SIGKILL (exit $rc)" tg_eq "$rc" 137
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
