# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# tenant-spread: a plain group (no pod, no container runtime) whose thrash
# is spread over four child groups, each a fourth of the load.  The plain
# group is one candidate with its subtree: all four children are emptied by
# one action; the neighbour and the kubelet live.
SCN_DEADLINE=90
SCN_DEFAULT=1
SCN_SUMMARY="thrash spread over four child groups of a plain group: all emptied in one action"

scn_run() {
	local i
	tg_node "$THRASH_NODE_LIMIT"
	tg_protected_kubelet
	tg_pod NB burstable
	TH=node/batch-job
	TH_CG=$(tg_cg "$TH")
	for i in 1 2 3 4; do e2e_mkgroup "$TH/worker-$i"; done
	tg_sampler_start node "$NB" "$TH"
	tg_daemon_start
	tg_thrash_neighbour
	e2e_sleep_ms 2000
	e2e_pressure_start node 10 30 >"$E2E_DIR/pstart" &
	T_LAUNCH=$(e2e_now_ms)
	for i in 1 2 3 4; do
		e2e_run "$TH/worker-$i" -- "$E2E_TOOLS/thrasher" --anon 75 --file "$E2E_DIR/thrash-$i.dat" \
			--file-size 55 --procs 1 --duration 60 2>>"$E2E_DIR/workload.log"
	done
	e2e_poll 30 test -s "$E2E_DIR/pstart" || tg_fatal "no pressure on the node within 30 s"
	T_PRESSURE=$(<"$E2E_DIR/pstart")
	tg_tenant_killed_whole "four children"
	tg_stop_neighbour
	tg_daemon_stop_check
}
