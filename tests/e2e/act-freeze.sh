#!/bin/bash
# The daemon freezes and thaws groups, with the kernel's confirmation:
#   1. mode freeze: the thrashing group is frozen (cgroup.events "frozen 1"),
#      its processes all still there;
#   2. mode freeze-kill, the pressure ends with the freeze: after the grace
#      the group is thawed and runs on;
#   3. mode freeze-kill, the pressure goes on (a protected neighbour keeps
#      thrashing): after the grace the frozen group is killed;
#   4. mode freeze-kill, the daemon stops during the grace: it thaws the
#      group on its way out rather than leave it frozen for ever.
#
# Usage: tests/e2e/act-freeze.sh [BINARY]   (root)
set -uo pipefail
. "$(dirname "$0")/act-common.bash"
act_init act-freeze "$@"

e2e_setup act-freeze 240
act_node 512M
j=$E2E_DIR/journal.json

# quiet processes + a thrasher in REL; prints nothing, sets NPROCS
start_victim() {
	local rel=$1 anon=${2:-380}
	e2e_mkgroup "$rel"
	for _ in 1 2 3; do
		e2e_run "$rel" -- "$E2E_TOOLS/steady" --anon 4 --duration 300
	done
	act_thrash "$rel" "$anon" 2 120
	e2e_poll 5 eval '(($(tg_nprocs "$rel") >= 6))' || true
	NPROCS=$(tg_nprocs "$rel")
}

# The next daemon decides on PSI totals from its own samples, not on the
# lagging avg10: nothing of this scenario's stall carries over.
end_scenario() {
	act_stop_daemon
	e2e_kill_group node || e2e_log "could not empty node"
}

echo "--- 1. mode freeze" >&2
start_victim node/a
act_start_daemon --set "daemon.scopes=$ACT_NODE" --set action.mode=freeze || { act_summary; exit; }
if e2e_poll 40 cg_frozen node/a; then
	tg_check "the group is frozen (cgroup.events)" true
	tg_check "all $NPROCS processes are still there" test "$(tg_nprocs node/a)" -ge "$NPROCS"
else
	tg_fail "node/a not frozen after 40 s"
fi
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/a" THRASHGUARD_ACTION=freeze ||
	true
tg_journal "$j"
tg_check "an 'acted' entry for the freeze, THRASHGUARD_FROZEN=1" \
	test "$(act_entries "$j" "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/a" \
		THRASHGUARD_ACTION=freeze THRASHGUARD_FROZEN=1)" = 1
ttf=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/a" THRASHGUARD_TIME_TO_FROZEN_USEC)
echo "  time to frozen: ${ttf:-?} us" >&2
e2e_sleep_ms 2000
tg_check "it stays frozen (freeze mode does not thaw)" cg_frozen node/a
end_scenario

echo "--- 2. mode freeze-kill, the pressure ends with the freeze: thaw" >&2
start_victim node/b
act_start_daemon --set "daemon.scopes=$ACT_NODE" --set action.mode=freeze-kill \
	--set action.freeze_grace=3s || { act_summary; exit; }
if e2e_poll 40 cg_frozen node/b; then
	tg_check "the group is frozen" true
	if e2e_poll 15 eval '! cg_frozen node/b'; then
		tg_check "after the grace it is thawed" true
		tg_check "with all its processes" test "$(tg_nprocs node/b)" -ge "$NPROCS"
	else
		tg_fail "node/b still frozen 15 s after its freeze (grace 3 s)"
	fi
else
	tg_fail "node/b not frozen after 40 s"
fi
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/b" THRASHGUARD_ACTION=thaw || true
tg_journal "$j"
tg_check "'acted' entries for the freeze and the thaw" \
	test "$(act_entries "$j" "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/b" \
		THRASHGUARD_ACTION=freeze)" -ge 1 -a \
	"$(act_entries "$j" "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/b" \
		THRASHGUARD_ACTION=thaw)" -ge 1
end_scenario

echo "--- 3. mode freeze-kill, the pressure goes on: kill after the grace" >&2
# Lower thresholds: the neighbour's thrash alone must keep the rule holding
# through the grace (measured: 6-15% stall, depending on the run).
e2e_mkgroup node/keep
act_thrash node/keep 200 2 120
start_victim node/c 150
act_start_daemon --set "daemon.scopes=$ACT_NODE" --set action.mode=freeze-kill \
	--set action.freeze_grace=3s --set 'protect.cgroups=*/keep' \
	--set shortage.some_pct=3 --set shortage.full_pct=2 || { act_summary; exit; }
if e2e_poll 40 cg_frozen node/c; then
	tg_check "the group is frozen" true
	t0=$(e2e_now_ms)
	if e2e_wait_empty node/c 20; then
		echo "  killed $(($(e2e_now_ms) - t0)) ms after the freeze was seen" >&2
		tg_check "after the grace the frozen group is killed" true
	else
		tg_fail "node/c still holds $(tg_nprocs node/c) processes 20 s after its freeze"
	fi
else
	tg_fail "node/c not frozen after 40 s"
fi
tg_check "the protected neighbour is untouched" test "$(tg_nprocs node/keep)" -ge 1
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/c" THRASHGUARD_ACTION=kill || true
tg_journal "$j"
killed=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("THRASHGUARD_CGROUP") == sys.argv[2] and e.get("THRASHGUARD_ACTION") == "kill":
        print(e.get("THRASHGUARD_TASKS_KILLED", "")); break' "$j" "/$E2E_NAME/node/c")
tg_check "the kill of the frozen group is reported ($killed of $NPROCS tasks)" \
	test "${killed:-0}" -ge "$NPROCS"
end_scenario

echo "--- 4. freeze-kill, the daemon stops during the grace: it thaws" >&2
start_victim node/d
act_start_daemon --set "daemon.scopes=$ACT_NODE" --set action.mode=freeze-kill \
	--set action.freeze_grace=60s || { act_summary; exit; }
if e2e_poll 40 cg_frozen node/d; then
	tg_check "the group is frozen" true
	act_stop_daemon
	rc=$?
	tg_check "the daemon stopped cleanly (exit $rc)" test "$rc" = 0
	tg_check "and thawed the group on its way out" eval '! cg_frozen node/d'
	tg_check "whose processes are all there" test "$(tg_nprocs node/d)" -ge "$NPROCS"
	tg_check "the daemon said so" grep -q "Thawed /$E2E_NAME/node/d" "$E2E_DIR/daemon.log"
else
	tg_fail "node/d not frozen after 40 s"
fi
end_scenario

tg_journal "$j"
tg_check "no 'failed' entry" test "$(act_entries "$j" "$TG_MID_FAILED")" = 0
act_summary
