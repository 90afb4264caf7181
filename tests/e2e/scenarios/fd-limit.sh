# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# fd-limit: the daemon under `ulimit -n 64` on a node of 500 populated
# services (one sleeper each) and 2,000 empty groups, where keeping every
# group's files open would take thousands of descriptors.  The thrashing
# pod must still be found and killed whole, no sleeper touched, no kill
# failing for want of descriptors; the daemon says once that it reads the
# quietest groups afresh.
SCN_DEADLINE=200
SCN_DEFAULT=1
SCN_SUMMARY="ulimit -n 64, 500 populated and 2,000 empty groups: the thrasher is still found and killed"

scn_run() {
	local i pids=() j=$E2E_DIR/journal.json
	tg_thrash_setup
	cp "$(command -v sleep)" "$E2E_DIR/sleeper"
	e2e_mkgroup node/idle.slice
	for ((i = 0; i < 2000; i++)); do e2e_mkgroup "node/idle.slice/empty-$i"; done
	for ((i = 0; i < 500; i++)); do
		e2e_mkgroup "node/system.slice/sleeper-$i.service"
		e2e_run "node/system.slice/sleeper-$i.service" -- "$E2E_DIR/sleeper" 600
		pids+=("$E2E_PID")
	done
	TG_NOFILE=64 tg_daemon_start
	tg_thrash_neighbour
	e2e_sleep_ms 2000
	tg_thrash_start
	tg_tenant_killed_whole "under 64 descriptors"
	tg_check "every sleeper (${#pids[@]}) is alive" tg_all_alive "${pids[@]}"
	tg_check "no 'Too many open files' in the daemon's log" \
		tg_not grep -q "Too many open files" "$E2E_DIR/daemon.log"
	tg_check "the daemon said once that it reads groups afresh" \
		tg_eq "$(grep -c "file descriptors are not enough" "$E2E_DIR/daemon.log")" 1
	tg_stop_neighbour
	tg_daemon_stop_check
}
