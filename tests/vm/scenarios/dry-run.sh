# dry-run: the thrash scenario with `thrashguard run --dry-run`: the daemon
# decides and reports, and never touches a process.  Also the place where
# the daemon's view is checked during a sustained stall: the thrash goes on
# (nobody stops it) and the daemon must keep deciding on time, and
# `thrashguard status --json` must keep answering, while the node is
# stalled.
#
# [action] cooldown 3 s instead of 10 s, so that further would-act lines
# come within the 10 s the thrash is let run (CI time); rules: defaults.
#
# Asserts: would-act decisions (THRASHGUARD_DRY_RUN=1, the thrasher's
# container with its pod UID): the first within DECIDE_MS of the pressure
# start, at least one more after the cooldown, never two within one
# cooldown; no acted or failed decision; every task of the thrasher alive
# and its group never frozen throughout; `status --json` during the stall
# answers (exit 0, within STATUS_MS) and, once the daemon has sampled the
# stall (by DECIDE_MS), shows the scope stalled and the thrasher ranked
# first; the neighbour and the kubelet live.
#
# On the systemd node (VM_WHERE; lib-node.sh): the real unit with
# [daemon] dry_run = true in /etc/thrashguard/thrashguard.conf, Podman
# containers below kubepods.slice (see thrash.sh), `thrashguard status`
# with the node's configuration.

VM_WHERE="busybox node"
VM_DISK=1
# (the node: its two podman runs take 6-26 s each under emulation)
VM_TIMEOUT=240

DR_COOLDOWN_S=3
DR_RUN_MS=10000
STATUS_MS=10000

scenario() {
	local pids end frozen=0 t0 t1 rc st=$TG_DIR/status.json cond times prev gap ok=1 gaps="" first full some
	tn_setup file
	tg_daemon_start --dry-run --set daemon.scopes=/$TN_NODE --set action.cooldown=${DR_COOLDOWN_S}s || exit 1
	tn_neighbour
	tn_thrash_start
	sleep 0.5
	pids=$(tg_pids "$TH")
	tg_check tasks_running "the thrasher's tasks are running ($(echo $pids | wc -w))" tg_ge "$(echo $pids | wc -w)" 3

	# The daemon's view from outside, in the middle of the stall.
	t0=$(tg_now_ms)
	tg_status --json --set daemon.scopes=/$TN_NODE \
		>"$st" 2>"$TG_DIR/status.err"
	rc=$?
	t1=$(tg_now_ms)
	tg_result status ms $((t1 - t0)) rc "$rc" stdout "$(head -c 6000 "$st")" stderr "$(head -c 2000 "$TG_DIR/status.err")"
	tg_check status_answers "status --json answers during the stall (exit $rc, $((t1 - t0)) ms <= $STATUS_MS)" \
		sh -c '[ "$1" = 0 ] && [ "$2" -le "$3" ]' - "$rc" $((t1 - t0)) "$STATUS_MS"
	# status shows the daemon's last tick: the stall is there once the
	# daemon has sampled it, which it must before its first decision
	# (DECIDE_MS after the pressure start).
	while :; do
		first=$(sed -n 's/.*"rank":1,"cgroup":"\([^"]*\)".*/\1/p' "$st" | head -n 1)
		full=$(sed -n 's/.*"path":"\/'"$TN_NODE"'","readable":true,"memory_some_pct":[0-9.]*,"memory_full_pct":\([0-9.]*\).*/\1/p' "$st")
		some=$(sed -n 's/.*"path":"\/'"$TN_NODE"'","readable":true,"memory_some_pct":\([0-9.]*\).*/\1/p' "$st")
		awk -v f="${full:-0}" -v s="${some:-0}" -v a="$first" -v b="$TH_CG" 'BEGIN { exit !((f > 1 || s > 1) && a == b) }' && break
		[ "$(tg_now_ms)" -lt $((T_PRESSURE + DECIDE_MS)) ] || break
		sleep 0.5
		tg_status --json --set daemon.scopes=/$TN_NODE \
			>"$st" 2>"$TG_DIR/status.err"
	done
	tg_check status_view "... showing the scope stalled (some ${some:-?} %, full ${full:-?} % over one interval) and the thrasher ranked first" \
		awk -v f="${full:-0}" -v s="${some:-0}" -v a="$first" -v b="$TH_CG" 'BEGIN { exit !((f > 1 || s > 1) && a == b) }'

	end=$((T_PRESSURE + DR_RUN_MS))
	while [ "$(tg_now_ms)" -lt "$end" ]; do
		[ "$(cg_events_get "$TH" frozen)" = 1 ] && frozen=1
		sleep 0.2
	done
	tg_decisions_keep
	# shellcheck disable=SC2086
	tg_check all_alive "every task of the thrasher is alive after ${DR_RUN_MS} ms of thrash" tg_all_alive $pids
	tg_check never_frozen "its group was never frozen" tg_eq "$frozen" 0

	cond="THRASHGUARD_EVENT=would-act THRASHGUARD_ACTION=kill THRASHGUARD_CGROUP=$TH_CG THRASHGUARD_DRY_RUN=1 POD_UID=$TH_UID"
	# shellcheck disable=SC2086
	{
		tg_decision_result $cond
		tg_check would_act "would-act decisions for the thrasher's container, again after the cooldown (>= 2)" \
			tg_dcount_ge 2 $cond
		times=$(tg_dq getall MS $cond)
	}
	tg_check nothing_done "no acted or failed decision" tg_dcount_is 0 'THRASHGUARD_EVENT~^(acted|failed)$'
	prev=
	for t in $times; do
		if [ -z "$prev" ]; then
			tg_check first_in_time "the first would-act within ${DECIDE_MS} ms of pressure start ($((t - T_PRESSURE)) ms)" \
				tg_le $((t - T_PRESSURE)) "$DECIDE_MS"
			tg_result timing_dry_run pressure_to_first_would_act_ms $((t - T_PRESSURE))
		else
			gap=$((t - prev))
			gaps="$gaps $gap"
			[ "$gap" -ge $((DR_COOLDOWN_S * 1000 - 300)) ] || ok=0
		fi
		prev=$t
	done
	tg_result would_act count "$(echo $times | wc -w)" gaps_ms "${gaps# }"
	tg_check one_per_cooldown "one would-act per cooldown at most (gaps${gaps} ms >= $((DR_COOLDOWN_S * 1000 - 300)))" tg_eq "$ok" 1
	cg_kill "$TH"
	tg_check neighbour_alive "the neighbour is alive" tg_alive "$NB_PID"
	tg_check kubelet_alive "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
