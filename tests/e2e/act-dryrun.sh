#!/bin/bash
# In dry-run the daemon decides as usual and writes the would-act entry,
# but touches nothing: the thrashing group keeps all its processes and is
# never frozen; the decision is recorded as if done (cooldown), so the
# entry is not repeated every tick.
#
# Usage: tests/e2e/act-dryrun.sh [BINARY]   (root)
set -uo pipefail
. "$(dirname "$0")/act-common.bash"
act_init act-dryrun "$@"

e2e_setup act-dryrun 120
act_node 512M
e2e_mkgroup node/victim
for _ in 1 2 3; do
	e2e_run node/victim -- "$E2E_TOOLS/steady" --anon 4 --duration 300
done
j=$E2E_DIR/journal.json
COOLDOWN_S=5

# Both ways of asking for it: --dry-run here, dry_run=yes in act-reload.sh.
act_start_daemon --dry-run --set "daemon.scopes=$ACT_NODE" --set "action.cooldown=${COOLDOWN_S}s" \
	--set action.mode=freeze-kill --set action.freeze_grace=2s || { act_summary; exit; }
tg_check "the start line says dry-run" grep -q 'dry-run yes' "$E2E_DIR/daemon.log"
act_thrash node/victim 380 2 120
e2e_poll 5 eval '(($(tg_nprocs node/victim) >= 6))' || true
n=$(tg_nprocs node/victim)
t0=$(e2e_now_ms)
if act_wait_entry 40 "$TG_MID_WOULD_ACT" "THRASHGUARD_CGROUP=/$E2E_NAME/node/victim"; then
	tg_check "a would-act entry names the thrashing group" true
else
	tg_fail "no would-act entry within 40 s"
fi
# Let it go on deciding for a while: nothing may happen to the group.
frozen_seen=0
end=$(($(e2e_now_ms) + 12000))
while (($(e2e_now_ms) < end)); do
	cg_frozen node/victim && frozen_seen=1
	e2e_sleep_ms 100
done
elapsed_s=$((($(e2e_now_ms) - t0) / 1000))
tg_check "all $n processes are still there" test "$(tg_nprocs node/victim)" -ge "$n"
tg_check "the group was never frozen" test "$frozen_seen" = 0
tg_journal "$j"
tg_check "no 'acted' entry" test "$(act_entries "$j" "$TG_MID_ACTED")" = 0
tg_check "the would-act entry has THRASHGUARD_DRY_RUN=1 and the decision's figures" \
	act_entry_fields "$j" "$TG_MID_WOULD_ACT" "/$E2E_NAME/node/victim" MESSAGE THRASHGUARD_ACTION \
	THRASHGUARD_RULE THRASHGUARD_SCOPE THRASHGUARD_SOME_PCT THRASHGUARD_FULL_PCT \
	THRASHGUARD_HEADROOM_BYTES THRASHGUARD_SCORE THRASHGUARD_DRY_RUN THRASHGUARD_CANDIDATES PRIORITY
tg_check "THRASHGUARD_DRY_RUN=1" test "$(act_field "$j" "$TG_MID_WOULD_ACT" "/$E2E_NAME/node/victim" THRASHGUARD_DRY_RUN)" = 1
n_would=$(act_entries "$j" "$TG_MID_WOULD_ACT")
# One per cooldown at most, plus the freeze-kill follow-up of each.
max=$((2 * (elapsed_s / COOLDOWN_S + 1)))
echo "  $n_would would-act entries in ${elapsed_s} s (cooldown ${COOLDOWN_S} s, at most $max)" >&2
tg_check "would-act is not repeated every tick ($n_would <= $max)" test "$n_would" -le "$max"
tg_check "STATUS= says would ... (dry-run)" grep -q "STATUS=last: would .* (dry-run" "$E2E_DIR/notify.log"
act_stop_daemon
rc=$?
tg_check "the daemon stops cleanly (exit $rc)" test "$rc" = 0
tg_check "the group is not frozen after the stop" eval '! cg_frozen node/victim'
act_summary
