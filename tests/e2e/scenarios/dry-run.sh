# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# dry-run: the thrash scenario with `thrashguard run --dry-run`: the daemon
# decides and reports, and never touches a process.  Also the place where
# the daemon's own view is checked during a sustained stall: the thrash goes
# on (nobody stops it) and the daemon must keep deciding on time, and
# `thrashguard status --json` must keep answering, while the node is
# stalled.
#
# [action] cooldown 4 s instead of 10 s, so that a second would-act comes
# within the 12 s the thrash is let run (CI time); rules: defaults.
#
# Asserts: would-act entries (MESSAGE_ID would-act, THRASHGUARD_DRY_RUN=1,
# the thrasher's container) -- the first within duration + 3 s of the
# pressure start, at least one more after the cooldown; no acted or failed
# entry; every task of the thrasher alive and its group never frozen
# throughout; `status --json` during the stall answers within 5 s and,
# once the daemon has sampled the stall (within its decision bound), shows
# the scope stalled and the thrasher ranked first; afterwards the
# daemon's state (what `status --json` shows while it runs) names it, in
# dry-run, with every would-kill the journal had by then (the state keeps
# the last 8) as a decision of outcome dry-run.
SCN_DEADLINE=80
SCN_DEFAULT=1
SCN_SUMMARY="--dry-run: pressure as in thrash, nothing touched, would-act logged again after each cooldown"

DR_COOLDOWN_S=4
DR_RUN_MS=12000

scn_run() {
	local j=$E2E_DIR/journal.json pids=() end frozen=0 t0 t1 st=$E2E_DIR/status-stall.json
	tg_thrash_setup
	tg_daemon_start --dry-run --set action.cooldown=${DR_COOLDOWN_S}s
	tg_thrash_neighbour
	tg_thrash_start
	e2e_sleep_ms 500
	mapfile -t pids < <(tg_pids "$TH")
	tg_check "the thrasher's tasks are running (${#pids[@]})" tg_ge "${#pids[@]}" 3

	# The daemon's view from outside, in the middle of the stall.
	t0=$(e2e_now_ms)
	tg_status_json "$st"
	local rc=$?
	t1=$(e2e_now_ms)
	tg_metric status_ms=$((t1 - t0))
	tg_check "status --json answers during the stall (exit $rc, $((t1 - t0)) ms <= 5000)" \
		eval "((rc == 0 && t1 - t0 <= 5000))"
	# status shows the daemon's last tick: the stall is there once the
	# daemon has sampled it, which it must before its first decision.
	dr_stall_shown() {
		tg_status_json "$st" || return 1
		python3 - "$st" "$TG_SCOPE" "$TH_CG" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sc = next((x for x in s.get("scopes", []) if x.get("path") == sys.argv[2]), None)
if sc is None:
    print("    no scope %s in the status" % sys.argv[2], file=sys.stderr); sys.exit(1)
full, some = sc.get("memory_full_pct") or 0, sc.get("memory_some_pct") or 0
cands = sorted((c for c in s.get("candidates", []) if c.get("scope") == sys.argv[2]), key=lambda c: c.get("rank", 1e9))
first = cands[0].get("cgroup") if cands else None
print("    status: scope full %.1f%% some %.1f%% (over one interval), first candidate %s" % (full, some, first), file=sys.stderr)
# One interval (500 ms) is a noisy sample: "stalled" here is any stall at
# all (an idle node reads 0.0); the thresholds are the daemon's business.
sys.exit(0 if (full > 1 or some > 1) and first == sys.argv[3] else 1)
PY
	}
	local bound_s
	tg_decision_bound_ms "$TG_SHORTAGE_DURATION_MS"
	bound_s=$(((TG_BOUND + 999) / 1000))
	tg_check "... and shows the scope stalled and the thrasher ranked first (within ${bound_s} s)" \
		e2e_poll "$bound_s" dr_stall_shown

	end=$((T_PRESSURE + DR_RUN_MS))
	while (($(e2e_now_ms) < end)); do
		tg_frozen "$TH" && frozen=1
		e2e_sleep_ms 200
	done
	tg_check "every task of the thrasher is alive after ${DR_RUN_MS} ms of thrash" tg_all_alive "${pids[@]}"
	tg_check "its group was never frozen" tg_eq "$frozen" 0
	tg_journal "$j"
	local cond=("MESSAGE_ID=$TG_MID_WOULD_ACT" THRASHGUARD_EVENT=would-act THRASHGUARD_ACTION=kill
		"THRASHGUARD_CGROUP=$TH_CG" THRASHGUARD_DRY_RUN=1 "POD_UID=$TH_UID")
	tg_check "would-act entries for the thrasher's container, again after the cooldown (>= 2)" \
		tg_jcount_ge "$j" 2 "${cond[@]}"
	tg_check "no acted or failed entry" tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|failed)$'
	local times=() prev="" t gap ok=1
	mapfile -t times < <(tg_jgetall "$j" MS "${cond[@]}")
	tg_metric would_act_entries="${#times[@]}"
	if ((${#times[@]})); then
		t=${times[0]}
		tg_metric pressure_to_first_would_act_ms=$((t - T_PRESSURE))
		local bound
		tg_decision_bound_ms "$TG_SHORTAGE_DURATION_MS"
		bound=$TG_BOUND
		tg_check "the first would-act within $TG_BOUND_WHY of pressure start ($((t - T_PRESSURE)) ms <= $bound)" \
			tg_le $((t - T_PRESSURE)) "$bound"
		local gaps=()
		for t in "${times[@]}"; do
			if [[ -n $prev ]]; then
				gap=$((t - prev))
				gaps+=("$gap")
				((gap >= DR_COOLDOWN_S * 1000 - 300)) || ok=0
			fi
			prev=$t
		done
		tg_metric would_act_gaps_ms:="[$(IFS=,; echo "${gaps[*]}")]"
		e2e_log "would-act entries: ${#times[@]}, gaps ${gaps[*]} ms"
		tg_check "one would-act per cooldown at most (gaps ${gaps[*]} ms >= $((DR_COOLDOWN_S * 1000 - 300)))" tg_eq "$ok" 1
	fi
	# Read after the journal: it holds at least what the journal had.
	tg_status_json "$E2E_DIR/status-after.json"
	tg_check "the daemon's state: dry-run, its would-kills of the thrasher as decisions (>= ${#times[@]})" \
		python3 - "$E2E_DIR/status-after.json" "$TH_CG" "${#times[@]}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cg, seen = sys.argv[2], int(sys.argv[3])
d = s.get("daemon") or {}
kills = [x for x in s.get("decisions", []) if x.get("kind") == "kill" and x.get("cgroup") == cg
         and x.get("outcome") == "dry-run"]
print("    state: source %s, daemon %s, %d dry-run kill decision(s) of the thrasher"
      % (s.get("source"), d, len(kills)), file=sys.stderr)
sys.exit(0 if s.get("schema") == 1 and s.get("source") == "daemon" and d.get("dry_run") is True
         and len(kills) >= max(1, min(seen, 8)) else 1)
PY
	e2e_kill_group "$TH"
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
