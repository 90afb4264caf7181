# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# leak: a pod leaks anonymous memory until the node is short; the daemon
# must choose the leaker, not the biggest pod.
#
# The node (1 GiB) holds three Burstable pods, so that QoS does not decide:
#   big     a steady service holding 400 MiB: the biggest pod throughout,
#           the one a "largest RSS" killer (or the kernel OOM killer) hits;
#   cache   a reader streaming a 200 MiB file through mmap: healthy while
#           it fits, and the first to suffer (refaults, stall) once the leak
#           squeezes the page cache.  Without some page cache on the node a
#           leak is not a shortage at all: with no swap, the kernel OOM
#           killer ends it within milliseconds of the limit;
#   leaker  no limit of its own; 330 MiB at once (a second, fast leaker that
#           stops there, so that CI does not wait for the slow part), then
#           20 MiB/s.
# The squeeze starts a few seconds after the launch; the kernel OOM killer
# would come about 10 s later (when the cache is gone).  The daemon runs
# with the product's defaults (shortage: 1 s window, 1 s duration).
#
# Asserts: one kill, of the leaker, by the shortage rule, before any kernel
# OOM kill; the big pod and the cache reader live; the ranking in the entry
# puts the leaker first; the node recovers (its stall falls).
SCN_DEADLINE=90
SCN_DEFAULT=1
SCN_SUMMARY="a leaker squeezes the node: the leaker is killed, not the biggest pod, before the kernel OOM killer"

scn_run() {
	local j=$E2E_DIR/journal.json cond n t_launch t_p t_empty victim big_usage leak_usage
	tg_node 1G
	tg_pod BIG burstable
	tg_pod CACHE burstable
	tg_pod LEAK burstable
	tg_sampler_start node "$BIG" "$CACHE" "$LEAK"
	tg_daemon_start

	e2e_run "$BIG" -- "$E2E_TOOLS/steady" --anon 500 --duration 120 2>>"$E2E_DIR/workload.log"
	local big_pid=$E2E_PID
	e2e_run "$CACHE" -- "$E2E_TOOLS/thrasher" --anon 0 --file "$E2E_DIR/cache.dat" --file-size 200 \
		--procs 1 --duration 120 2>>"$E2E_DIR/workload.log"
	local cache_pid=$E2E_PID
	# Let the big pod and the cache settle: no pressure yet.
	e2e_sleep_ms 2000
	local full0
	full0=$(tg_stall_pct node $(($(e2e_now_ms) - 1500)) "$(e2e_now_ms)")
	tg_check "no pressure before the leak (node full $full0 % < 5 %)" tg_lt "${full0/null/100}" 5

	e2e_pressure_start node 10 40 >"$E2E_DIR/pstart" &
	t_launch=$(e2e_now_ms)
	e2e_run "$LEAK" -- "$E2E_TOOLS/leaker" --rate 400 --max 260 --duration 120 2>>"$E2E_DIR/workload.log"
	e2e_run "$LEAK" -- "$E2E_TOOLS/leaker" --rate 20 --duration 120 2>>"$E2E_DIR/workload.log"
	local leak_pid=$E2E_PID

	if ! e2e_poll 40 test -s "$E2E_DIR/pstart"; then
		tg_fatal "the leak did not make the node stall (full > 10 % over 500 ms) within 40 s"
	fi
	t_p=$(<"$E2E_DIR/pstart")
	tg_metric pressure_start_after_launch_ms=$((t_p - t_launch))
	e2e_log "pressure started $((t_p - t_launch)) ms after the leak began"
	if e2e_wait_empty "$LEAK" 20; then
		t_empty=$(e2e_now_ms)
		tg_metric pressure_to_empty_ms=$((t_empty - t_p))
		e2e_log "the leaker's group emptied $((t_empty - t_p)) ms after pressure start"
	else
		tg_fail "the leaker's group is still populated 20 s after pressure start"
	fi
	# Long enough for a second (wrong) kill to show after the cooldown.
	e2e_sleep_ms 3000
	tg_journal "$j"

	cond=(THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill)
	victim=$(tg_jget "$j" THRASHGUARD_CGROUP "${cond[@]}")
	tg_metric victim="$victim"
	tg_check "exactly one kill" tg_jcount_is "$j" 1 "${cond[@]}"
	tg_check "the leaker was killed (by the shortage rule)" \
		tg_jcount_is "$j" 1 "${cond[@]}" "THRASHGUARD_CGROUP=$LEAK_CG" THRASHGUARD_RULE=shortage
	tg_check "not the biggest pod" tg_jcount_is "$j" 0 "${cond[@]}" "THRASHGUARD_CGROUP=$BIG_CG"
	tg_check "not the cache reader" tg_jcount_is "$j" 0 "${cond[@]}" "THRASHGUARD_CGROUP=$CACHE_CG"
	tg_check "no failed action" tg_jcount_is "$j" 0 THRASHGUARD_EVENT=failed
	local cands
	cands=$(tg_jget "$j" THRASHGUARD_CANDIDATES "${cond[@]}")
	tg_metric candidates="$cands"
	[[ -n $cands ]] && e2e_log "ranking at the decision:"$'\n'"    ${cands//$'\n'/$'\n'    }"
	tg_check "the ranking in the entry puts the leaker first" \
		tg_jcount_is "$j" 1 "${cond[@]}" "THRASHGUARD_CANDIDATES~^1\\. ${LEAK_CG//./\\.} "

	# How big each was at the decision: the big pod was the biggest.
	if [[ -n ${t_empty:-} ]]; then
		# The leaker's peak (it was killed at it) against the big pod's
		# usage at that sample.
		local tp
		read -r tp leak_usage < <(awk -v t="$t_empty" '$1 <= t && $4 > m { m = $4; tp = $1 } END { print tp + 0, m + 0 }' \
			"$E2E_DIR/samples.${LEAK//\//_}")
		big_usage=$(awk -v t="$tp" '$1 <= t { u = $4 } END { print u + 0 }' "$E2E_DIR/samples.${BIG//\//_}")
		tg_metric big_usage_bytes="$big_usage" leaker_usage_bytes_before_kill="$leak_usage"
		tg_check "the big pod was bigger than the leaker when it was killed ($((big_usage >> 20)) > $((leak_usage >> 20)) MiB)" \
			tg_gt "$big_usage" "$leak_usage"
	fi

	tg_check "the big pod is alive" tg_alive "$big_pid"
	tg_check "the cache reader is alive" tg_alive "$cache_pid"
	tg_check "the leaker is gone" tg_not tg_alive "$leak_pid"
	n=$(e2e_oom_kills node)
	tg_metric oom_kills="$n"
	tg_check "the kernel OOM killer did not fire in the node ($n)" tg_eq "$n" 0
	if [[ -n ${t_empty:-} ]]; then
		local after
		after=$(tg_stall_pct node $((t_empty + 1000)) "$(e2e_now_ms)")
		tg_metric node_full_pct_after="$after"
		tg_check "the node's full stall after the kill is below 5 % ($after %)" tg_lt "${after/null/100}" 5
	fi
	tg_daemon_stop_check
}
