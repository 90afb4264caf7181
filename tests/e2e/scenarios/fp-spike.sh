# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# fp-spike: a false positive to avoid -- a brief spike.  The thrash node
# (512 MiB, the BestEffort thrasher, a neighbour, the kubelet), but the
# thrash lasts only ~2 s: the test itself ends the thrasher 2 s after the
# pressure starts.  The spike is real (the node's full stall goes above the
# shortage threshold) but shorter than [shortage] duration, so it passes
# unharmed.
#
# [shortage] duration is 5 s here instead of 2 s: a spike reliably shorter
# than 2 s cannot be made from a test (the pressure start is seen through a
# 500 ms window, the daemon measures over 1 s, and the stall outlives the
# kill by a few hundred ms), while 2 s of spike against a 5 s duration
# leaves 3 s of margin.  The meaning is the one of the product: "stall and
# low headroom must hold this long, so that a brief spike passes
# unharmed".  Everything else is the default.
#
# Asserts: the spike was real (the node's peak 1 s full stall >= 10 %, and
# its headroom < 10 %: both conditions of the shortage rule held, just not
# for long enough); no decision entry at all, also for the 6 s after it;
# the neighbour and the kubelet live.
SCN_DEADLINE=60
SCN_DEFAULT=1
SCN_SUMMARY="false positive: a thrash spike shorter than the duration: nothing is touched"

scn_run() {
	local j=$E2E_DIR/journal.json t_kill peak hr end
	tg_thrash_setup
	tg_daemon_start --set shortage.duration=5s
	tg_thrash_neighbour
	tg_thrash_start
	end=$((T_PRESSURE + 2000))
	while (($(e2e_now_ms) < end)); do e2e_sleep_ms 50; done
	t_kill=$(e2e_now_ms)
	e2e_kill_group "$TH" || tg_fatal "the test could not end its own spike"
	tg_metric spike_ms=$((t_kill - T_PRESSURE))
	e2e_log "the test ended the thrasher $((t_kill - T_PRESSURE)) ms after pressure start"
	end=$((t_kill + 6000))
	while (($(e2e_now_ms) < end)); do e2e_sleep_ms 200; done
	peak=$(tg_peak_stall node $((T_PRESSURE - 1000)) $((t_kill + 1000)) 1000)
	hr=$(tg_min_headroom_pct node $((512 << 20)) "$T_PRESSURE" "$t_kill")
	tg_metric node_peak_full_1s="$peak" node_min_headroom_pct="$hr" \
		node_full_pct_after="$(tg_stall_pct node $((t_kill + 1000)) "$end")"
	e2e_log "spike: peak 1 s full stall $peak %, lowest headroom $hr %"
	tg_check "the spike was real (peak 1 s full $peak % >= 10 %)" tg_ge "$peak" 10
	tg_check "... with low headroom (lowest $hr % < 10 %)" tg_lt "${hr/null/100}" 10
	tg_journal "$j"
	tg_check "no decision entry (acted, would-act, failed, all-protected)" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|would-act|failed|all-protected)$'
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
