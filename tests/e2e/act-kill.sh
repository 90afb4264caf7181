#!/bin/bash
# The daemon, started on a test scope, kills a whole multi-process group
# that thrashes, and a group that forks continuously, atomically, and (on a
# hybrid layout) a group whose tasks are not all in the unified mirror; the
# neighbour lives; the journal entry carries every documented field; sd_notify
# READY=1, STATUS= and WATCHDOG=1 flow. First, before any daemon runs: all
# the tasks of a group of 1,200 are seen (cgroup.procs is a seq_file that
# returns about one page per read), a protected one listed last included.
#
# Usage: tests/e2e/act-kill.sh [BINARY]   (root; runs itself under a private
# journald through with-journal.sh)
set -uo pipefail
. "$(dirname "$0")/act-common.bash"
act_init act-kill "$@"

FIELDS=(MESSAGE THRASHGUARD_ACTION THRASHGUARD_RULE THRASHGUARD_SCOPE THRASHGUARD_CGROUP
	THRASHGUARD_SOME_PCT THRASHGUARD_FULL_PCT THRASHGUARD_HEADROOM_BYTES THRASHGUARD_SCORE
	THRASHGUARD_TASKS_KILLED THRASHGUARD_FREED_BYTES THRASHGUARD_TIME_TO_EMPTY_USEC PRIORITY
	THRASHGUARD_CANDIDATES)

e2e_setup act-kill 180

echo "--- 0. a group of 1,200 tasks: the one listed last is seen too" >&2
# Small processes (sleep), then one whose comm is protected, started last
# so that its pid comes last in the (sorted) v1 cgroup.procs. A service:
# names protect system services only.
BIG=big.service
e2e_mkgroup $BIG 1G
ln -s "$(command -v sleep)" "$E2E_DIR/tg-guard"
e2e_run $BIG -- bash -c 'for ((i = 0; i < 1200; i++)); do sleep 300 & done; "$0" 300 & wait' \
	"$E2E_DIR/tg-guard"
e2e_poll 30 eval '(($(tg_nprocs $BIG) >= 1202))' || true
procs=$(e2e_cgpath memory $BIG)/cgroup.procs
guard=$(pgrep -x -P "$E2E_PID" tg-guard || true)
at=$(grep -nx "${guard:-none}" "$procs" | cut -d: -f1)
echo "  $(wc -l <"$procs") tasks, $(wc -c <"$procs") bytes of cgroup.procs; tg-guard (pid ${guard:-?}) on line ${at:-?}" >&2
tg_check "the protected task is listed beyond the first 4 KiB (line ${at:-?})" \
	test "${at:-0}" -gt 1000
printf '[daemon]\n' >"$E2E_DIR/empty.conf" # a section alone: the built-in defaults, whatever /etc holds
"$ACT_BIN" status --json -c "$E2E_DIR/empty.conf" --set "daemon.scopes=/$E2E_NAME" \
	--set protect.comms=tg-guard --set daemon.interval=1s >"$E2E_DIR/big.json" 2>"$E2E_DIR/big.err"
tg_check "status sees the group protected by [protect] comms" python3 - "$E2E_DIR/big.json" \
	"/$E2E_NAME/$BIG" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["candidates"] if c["cgroup"] == sys.argv[2]]
ok = len(c) == 1 and c[0]["protected"] and c[0]["protect_reason"] == "[protect] comms"
print("  " + (json.dumps(c[0]) if c else "no candidate " + sys.argv[2]), file=sys.stderr)
sys.exit(0 if ok else 1)
EOF2
e2e_kill_group $BIG

act_node 512M
act_k8s_container 0xdecaf
e2e_mkgroup node/neighbour
e2e_mkgroup node/storm

e2e_run node/neighbour -- "$E2E_TOOLS/steady" --anon 16 --duration 300
neighbour=$E2E_PID
# The victim: two thrashing workers plus six quiet processes.
for _ in 1 2 3 4 5 6; do
	e2e_run "$VICTIM" -- "$E2E_TOOLS/steady" --anon 4 --duration 120
done

act_start_daemon --set "daemon.scopes=$ACT_NODE" --set action.cooldown=5s --set alert.top=5 ||
	{ act_summary; exit; }
tg_check "READY=1 and a STATUS= were sent" grep -q 'READY=1|STATUS=' "$E2E_DIR/notify.log"

echo "--- 1. a multi-process group that thrashes" >&2
t0=$(e2e_now_ms)
act_thrash "$VICTIM" 380 2 60
# 6 quiet processes + the thrasher and its 2 workers.
e2e_poll 5 eval '(($(tg_nprocs "$VICTIM") >= 9))' || true
before=$(tg_nprocs "$VICTIM")
echo "  victim holds $before processes" >&2
if e2e_wait_empty "$VICTIM" 60; then
	echo "  victim emptied $(($(e2e_now_ms) - t0)) ms after the thrash started" >&2
	tg_check "the thrashing group was emptied" true
else
	tg_fail "the thrashing group still holds $(tg_nprocs "$VICTIM") processes after 60 s"
fi
tg_check "the neighbour is alive" tg_alive "$neighbour"
tg_check "the daemon is alive" act_daemon_alive

j=$E2E_DIR/journal.json
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/$VICTIM" || true
tg_journal "$j"
tg_check "one 'acted' entry with every documented field" \
	act_entry_fields "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" "${FIELDS[@]}" \
	POD_UID CONTAINER_ID THRASHGUARD_QOS POD_NAMESPACE POD_NAME CONTAINER_NAME
killed=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" THRASHGUARD_TASKS_KILLED)
tte=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" THRASHGUARD_TIME_TO_EMPTY_USEC)
freed=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" THRASHGUARD_FREED_BYTES)
cgkill=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" THRASHGUARD_CGROUP_KILL)
echo "  reported: tasks killed ${killed:-?}, time to empty ${tte:-?} us, freed ${freed:-?} bytes, cgroup.kill ${cgkill:-?}" >&2
tg_check "all $before processes reported killed (got ${killed:-none})" \
	test "${killed:-0}" -ge "$before"
tg_check "memory freed reported (> 100 MiB)" test "${freed:-0}" -gt $((100 * 1024 * 1024))
tg_check "time to empty below 1 s" test -n "$tte" -a "${tte:-9999999}" -lt 1000000
tg_check "the killed group's pod and QoS were identified" \
	test "$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" THRASHGUARD_QOS)" = besteffort
tg_check "and its Kubernetes names" \
	test "$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" POD_NAMESPACE)/$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" POD_NAME)/$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" CONTAINER_NAME)" = shop/cart-7f9/cart
tg_check "the MESSAGE says what, to whom and why, in one line" \
	grep -q "^killed /$E2E_NAME/$VICTIM (pod shop/cart-7f9, container cart, besteffort): shortage in .*; [0-9]* task(s) killed, .* freed, empty in [0-9]* ms$" \
	<<<"$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" MESSAGE)"
tg_check "the ranking names the neighbour too" \
	grep -q "/$E2E_NAME/node/neighbour" <<<"$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/$VICTIM" THRASHGUARD_CANDIDATES)"
tg_check "STATUS= names the last decision" grep -q "STATUS=last: killed /$E2E_NAME/$VICTIM" "$E2E_DIR/notify.log"
tg_check "WATCHDOG=1 pings flow" grep -q 'WATCHDOG=1' "$E2E_DIR/notify.log"

echo "--- 2. a group that forks continuously" >&2
# (The first kill's cooldown, 5 s, runs while the storm starts.)
# 16 chains, each link living 2 ms: ~8000 forks/s, pids never stable.
e2e_run node/storm -- "$E2E_TOOLS/forkstorm" --width 16 --life-us 2000 --duration 120
t0=$(e2e_now_ms)
act_thrash node/storm 380 2 60
e2e_poll 5 eval '(($(tg_nprocs node/storm) > 10))' || true
echo "  storm group holds $(tg_nprocs node/storm) processes (changing all the time)" >&2
if e2e_wait_empty node/storm 60; then
	echo "  storm emptied $(($(e2e_now_ms) - t0)) ms after the thrash started" >&2
	tg_check "the fork storm group was emptied" true
	e2e_sleep_ms 1000
	tg_check "and stays empty (nothing escaped)" test "$(tg_nprocs node/storm)" = 0
else
	tg_fail "the fork storm group still holds $(tg_nprocs node/storm) processes after 60 s"
fi
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/storm" || true
tg_journal "$j"
killed=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/storm" THRASHGUARD_TASKS_KILLED)
tte=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/storm" THRASHGUARD_TIME_TO_EMPTY_USEC)
left=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/storm" THRASHGUARD_TASKS_LEFT)
echo "  reported: tasks killed ${killed:-?}, left ${left:-?}, time to empty ${tte:-?} us" >&2
tg_check "the storm kill is reported complete (tasks left 0)" test "${left:-x}" = 0
tg_check "the neighbour is still alive" tg_alive "$neighbour"

echo "--- 3. hybrid: tasks that are in the v1 memory group but not in its unified mirror" >&2
# cgroup.kill (unified) cannot reach them, nor cgroup.freeze: the daemon
# must find them in the memory group and kill them through pidfds, in rounds
# against the fork storm.
e2e_mkgroup node/split
v1_dirs=("$(e2e_cgpath memory node/split)" "$(e2e_cgpath freezer node/split)")
[[ -d $(e2e_cgpath pids node/split) ]] && v1_dirs+=("$(e2e_cgpath pids node/split)")
tg_spawn - "${v1_dirs[@]}" -- "$E2E_TOOLS/forkstorm" --width 16 --life-us 2000 \
	--duration 120 2>>"$E2E_DIR/workload.log"
E2E_PIDS+=("$TG_PID")
for _ in 1 2 3; do
	tg_spawn - "${v1_dirs[@]}" -- "$E2E_TOOLS/steady" --anon 4 --duration 300 \
		2>>"$E2E_DIR/workload.log"
	E2E_PIDS+=("$TG_PID")
done
act_thrash node/split 380 2 60
e2e_poll 5 eval '(($(tg_nprocs node/split) > 10))' || true
echo "  split group holds $(tg_nprocs node/split) processes, $(wc -l <"$(e2e_cgpath psi node/split)/cgroup.procs") of them in the unified mirror" >&2
if e2e_wait_empty node/split 60; then
	tg_check "the split group was emptied, v1-only tasks included" true
	e2e_sleep_ms 1000
	tg_check "and stays empty" test "$(tg_nprocs node/split)" = 0
else
	tg_fail "the split group still holds $(tg_nprocs node/split) processes after 60 s"
fi
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/split" || true
tg_journal "$j"
killed=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/split" THRASHGUARD_TASKS_KILLED)
rounds=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/split" THRASHGUARD_ROUNDS)
tte=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/split" THRASHGUARD_TIME_TO_EMPTY_USEC)
left=$(act_field "$j" "$TG_MID_ACTED" "/$E2E_NAME/node/split" THRASHGUARD_TASKS_LEFT)
echo "  reported: tasks killed ${killed:-?}, left ${left:-?}, rounds ${rounds:-?}, time to empty ${tte:-?} us" >&2
tg_check "the split kill is reported complete (tasks left 0)" test "${left:-x}" = 0
tg_check "no 'failed' entry" test "$(act_entries "$j" "$TG_MID_FAILED")" = 0

act_stop_daemon
rc=$?
tg_check "the daemon stops cleanly on SIGTERM (exit $rc)" test "$rc" = 0
act_summary
