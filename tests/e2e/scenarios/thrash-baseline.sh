# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# thrash-baseline: the thrash scenario WITHOUT the daemon, for comparison
# (benchmarks, the note of issue 6).  Not in the default pass/fail set: run
# it with `tests/e2e/run.sh --only thrash-baseline`.
#
# The same node, kubelet, neighbour and thrasher as `thrash`; nobody
# intervenes for THRASH_WINDOW_MS (15 s) after the pressure starts, then the
# test itself kills the thrasher.  Bounded by a 45 s deadline.  Records the
# neighbour's probe lateness over the same 15 s window as `thrash` does, the
# node's full/some stall over it, its peak 1 s full stall, and whether the
# kernel OOM killer fired (it should not: page cache is always
# reclaimable, which is the point).
#
# Its checks only make sure the measurement is sound (the pressure really
# held over the whole window, the thrasher ran it to the end, no kernel
# OOM); the figures are the output.
SCN_DEADLINE=45
SCN_DEFAULT=0
SCN_SUMMARY="the thrash scenario without the daemon: the neighbour's latency and the node's stall, for comparison"

scn_run() {
	local end n full
	tg_thrash_setup
	tg_thrash_neighbour
	e2e_sleep_ms 2000
	tg_thrash_start
	end=$((T_PRESSURE + THRASH_WINDOW_MS))
	while (($(e2e_now_ms) < end)); do e2e_sleep_ms 200; done
	tg_check "the thrasher ran through the window (nobody killed it)" tg_alive "$TH_PID"
	full=$(tg_stall_pct node "$T_PRESSURE" "$end")
	tg_check "the node stayed under pressure over the window (full $full % >= 10 %)" tg_ge "${full/null/0}" 10
	e2e_kill_group "$TH" || tg_fail "the thrasher survived the test's own kill"
	tg_thrash_figures "$end"
	tg_stop_neighbour
	n=$(e2e_oom_kills node)
	tg_metric oom_kills="$n"
	tg_check "the kernel OOM killer did not fire in the node ($n)" tg_eq "$n" 0
}
