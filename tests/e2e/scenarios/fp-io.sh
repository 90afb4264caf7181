# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# fp-io: a false positive to avoid -- heavy sequential IO with memory to
# spare.  A Burstable pod with a 1 GiB limit writes and re-reads a 600 MiB
# file in a loop (about 1 GB/s here), in a 1.5 GiB node with plenty of
# headroom.  The disk is busy and the page cache churns, but nothing waits
# for memory (measured here: 0.0 % memory stall).  A daemon acting on IO
# pressure, global PSI or refault counts alone would kill this healthy
# workload; thrashguard must not.
#
# [thrash] duration 4 s instead of 10 s, so that the 12 s of IO are three
# durations long (CI time); everything else is the default.
#
# Asserts: no decision entry at all (acted, would-act, failed,
# all-protected); the IO pod ran its passes undisturbed (alive, >= 3
# passes); the node's memory stall stayed low and its headroom high, which
# is what makes this a false positive and not a missed thrash.
SCN_DEADLINE=60
SCN_DEFAULT=1
SCN_SUMMARY="false positive: heavy sequential IO with free memory: nothing is touched"

scn_run() {
	local j=$E2E_DIR/journal.json t0 t1 full hr passes
	tg_node 1536M
	tg_protected_kubelet
	tg_pod IO burstable 1G
	tg_pod NB burstable
	tg_sampler_start node "$IO"
	tg_daemon_start --set thrash.duration=4s
	e2e_run "$NB" -- "$E2E_TOOLS/steady" --anon 32 --duration 120 2>>"$E2E_DIR/workload.log"
	local nb_pid=$E2E_PID
	t0=$(e2e_now_ms)
	e2e_run "$IO" -- "$E2E_TOOLS/fileio" --file "$E2E_DIR/io.dat" --size 600 --duration 60 \
		2>>"$E2E_DIR/fileio.log" >>"$E2E_DIR/fileio.log"
	local io_pid=$E2E_PID
	while (($(e2e_now_ms) < t0 + 12000)); do e2e_sleep_ms 200; done
	t1=$(e2e_now_ms)
	tg_check "the IO pod is alive after 12 s" tg_alive "$io_pid"
	passes=$(grep -c 'wrote' "$E2E_DIR/fileio.log")
	tg_metric io_passes="$passes"
	tg_check "it ran its passes ($passes >= 3 written and read back)" tg_ge "$passes" 3
	full=$(tg_peak_stall node "$t0" "$t1" 1000)
	hr=$(tg_min_headroom_pct node $((1536 << 20)) "$t0" "$t1")
	tg_metric node_peak_full_1s="$full" io_peak_full_1s="$(tg_peak_stall "$IO" "$t0" "$t1" 1000)" \
		node_full_pct="$(tg_stall_pct node "$t0" "$t1")" node_min_headroom_pct="$hr"
	e2e_log "node: peak 1 s full stall $full %, lowest headroom $hr %"
	tg_check "the node's memory stall stayed low (peak 1 s full $full % < 5 %)" tg_lt "$full" 5
	tg_check "the node kept its headroom (lowest $hr % > 10 %)" tg_gt "${hr/null/0}" 10
	tg_journal "$j"
	tg_check "no decision entry (acted, would-act, failed, all-protected)" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|would-act|failed|all-protected)$'
	tg_check "the neighbour is alive" tg_alive "$nb_pid"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
