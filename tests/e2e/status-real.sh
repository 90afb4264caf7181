#!/bin/bash
# `thrashguard status` on real cgroups: groups created under one test
# parent (capped at 2 GiB, removed on every exit path by lib.sh), small
# processes holding known amounts of memory, then `status --json` on that
# scope must report each group with its memory (within 20 %), its identity
# and pressure fields; the table and `status` of the whole host must work.
# Then a dry-run daemon confined to that scope publishes its state:
# `status` shows the daemon's pid and mode and the scope's rule state,
# `status --json` is the daemon's schema-1 state; once the daemon stops (or
# only its stale file is left, as after a crash), `status` samples by
# itself and says that no daemon runs.
#
# Usage: tests/e2e/status-real.sh [BINARY]   (root)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BIN=$(realpath "${1:-$TOP/build/thrashguard}")
# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"

pass=0
fail=0
check() {
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "ok: $what"
	else
		fail=$((fail + 1))
		echo "FAIL: $what"
	fi
}

[[ -x $BIN ]] || { echo "status-real: no binary $BIN" >&2; echo "status-real: 0 passed, 1 failed"; exit 1; }
[[ -x $E2E_TOOLS/steady ]] || make -s -C "$TOP" tools >/dev/null

e2e_setup status-real 120
printf '[daemon]\n' >"$E2E_DIR/empty.conf" # a section alone: the built-in defaults, whatever /etc holds

# Two plain groups, a Kubernetes-shaped container (systemd driver,
# BestEffort, containerd), each limited well below the parent's 2 GiB
# before anything runs in it.
UID_=1a2b3c4d_5e6f_4a8b_9c0d_0e1f2a3b4c5d
CTR=kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$UID_.slice
CTR=$CTR/cri-containerd-5ca1ab1e$(printf '%056x' 0x600d).scope
declare -A MIB=([a]=64 [b]=16 [$CTR]=32)
for g in a b "$CTR"; do
	e2e_mkgroup "$g" 256M
	e2e_run "$g" -- "$E2E_TOOLS/steady" --anon "${MIB[$g]}" --duration 100 >/dev/null
done
# Hybrid: a process only in the v1 memory group, not in the unified mirror.
# The memory hierarchy decides membership: it must still be seen.
if [[ $E2E_MODE == hybrid ]]; then
	e2e_mkgroup v1only 256M
	MIB[v1only]=8
	tg_spawn /dev/null "$(e2e_cgpath memory v1only)" -- "$E2E_TOOLS/steady" --anon 8 --duration 100
	E2E_PIDS+=("$TG_PID")
fi

# Each holds its memory (steady touches it all at start).
charged() {
	local g usage
	for g in "${!MIB[@]}"; do
		usage=$(e2e_mem_usage "$g") || return 1
		((usage >= MIB[$g] * 1024 * 1024 * 9 / 10)) || return 1
	done
}
e2e_poll 30 charged || e2e_die "the workloads did not allocate their memory"
for g in "${!MIB[@]}"; do
	echo "$g=$(e2e_mem_usage "$g")"
done >"$E2E_DIR/usage"

mkdir -p "$E2E_DIR/run"
run_status() {
	timeout 30 "$BIN" status "$@" -c "$E2E_DIR/empty.conf" --set "daemon.scopes=/$E2E_NAME" \
		--set daemon.interval=1s --runtime-dir "$E2E_DIR/run"
}
status_json() {
	run_status --json >"$E2E_DIR/status.json" 2>"$E2E_DIR/status.err"
	local rc=$?
	cat "$E2E_DIR/status.err" >&2
	return "$rc"
}
check "status --json on the test scope" status_json

check_json() {
	python3 - "$E2E_DIR/status.json" "/$E2E_NAME" "$E2E_MODE" "$CTR" "$E2E_DIR/usage" \
		"a=64" "b=16" "$CTR=32" ${MIB[v1only]+v1only=8} <<'PY'
import json, sys

path, scope, mode, ctr, usage_file = sys.argv[1:6]
expected = {k: int(v) << 20 for k, v in (a.rsplit("=", 1) for a in sys.argv[6:])}
usage = {k: int(v) for k, v in (l.strip().rsplit("=", 1) for l in open(usage_file))}
d = json.load(open(path))
errors = []

def expect(cond, what):
    if not cond:
        errors.append(what)

expect(d["cgroup_mode"] == mode, f"cgroup_mode {d['cgroup_mode']}, expected {mode}")
s = [x for x in d["scopes"] if x["path"] == scope]
expect(len(s) == 1, f"scope {scope} missing: {d['scopes']}")
if s:
    s = s[0]
    for k in ("memory_some_pct", "memory_full_pct"):
        expect(isinstance(s[k], (int, float)), f"scope {k} = {s[k]!r}, expected a number")
    expect(s["limit_bytes"] == 2 << 30, f"scope limit {s['limit_bytes']}, expected 2 GiB")
    expect(s["headroom_bytes"] is not None and s["headroom_bytes"] <= 2 << 30,
           f"scope headroom {s['headroom_bytes']}")
cands = {c["cgroup"]: c for c in d["candidates"]}
expect(set(cands) == {f"{scope}/{g}" for g in expected},
       f"candidates {sorted(cands)}, expected {sorted(expected)}")
expect([c["rank"] for c in d["candidates"]] == list(range(1, len(d["candidates"]) + 1)),
       "ranks are not 1..n")
for g, want in expected.items():
    c = cands.get(f"{scope}/{g}")
    if c is None:
        continue
    m = c["memory_bytes"]
    expect(abs(m - want) <= want * 0.2, f"{g}: memory {m}, expected {want} +-20%")
    expect(abs(m - usage[g]) <= usage[g] * 0.2, f"{g}: memory {m}, the group's usage {usage[g]}")
    expect(c["scope"] == scope, f"{g}: scope {c['scope']}")
    for k in ("refault_per_s", "score"):
        expect(isinstance(c[k], (int, float)), f"{g}: {k} = {c[k]!r}")
    if g != "v1only":
        expect(isinstance(c["memory_full_pct"], (int, float)),
               f"{g}: memory_full_pct = {c['memory_full_pct']!r}, expected a number")
    expect(c["protected"] is False, f"{g}: protected ({c['protect_reason']})")
c = cands.get(f"{scope}/{ctr}")
if c:
    expect(c["kind"] == "pod-container" and c["qos"] == "besteffort" and
           c["runtime"] == "containerd" and c["pod_uid"] == "1a2b3c4d-5e6f-4a8b-9c0d-0e1f2a3b4c5d",
           f"container identity {c}")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
}
check "the groups, their memory (+-20 %), identity and pressure fields" check_json

table() {
	run_status >"$E2E_DIR/table" 2>&1
}
check "status table on the test scope" table
check "the table names the groups" grep -q "/$E2E_NAME/a " "$E2E_DIR/table"
cat "$E2E_DIR/table"

# The whole host, read only: a ranking of whatever runs here.
host() {
	timeout 30 "$BIN" status -c "$E2E_DIR/empty.conf" --set daemon.interval=1s \
		>"$E2E_DIR/host" 2>&1 &&
		grep -q "^cgroup mode: $E2E_MODE" "$E2E_DIR/host" &&
		grep -q "RANK" "$E2E_DIR/host"
}
check "status of the whole host" host
head -n 20 "$E2E_DIR/host"

check "without a daemon, the table says none runs" \
	grep -q "^no thrashguard daemon runs: sampled by status" "$E2E_DIR/table"
check "without a daemon, the JSON is a schema-1 state of status" \
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
sys.exit(not (d["schema"] == 1 and d["source"] == "status" and d["daemon"] is None
              and isinstance(d["time_realtime_usec"], int)))' "$E2E_DIR/status.json"

# A dry-run daemon on the test scope (never acting, never beyond it).
STATE=$E2E_DIR/run/state.json
"$BIN" run -n -c "$E2E_DIR/empty.conf" --set "daemon.scopes=/$E2E_NAME" --set alert.journal=false \
	--set daemon.interval=1s --runtime-dir "$E2E_DIR/run" >"$E2E_DIR/daemon.log" 2>&1 &
DAEMON=$!
E2E_PIDS+=("$DAEMON")
check "the daemon writes its state file" e2e_poll 30 test -s "$STATE"

daemon_table() {
	run_status >"$E2E_DIR/daemon-table" 2>&1 &&
		grep -q "^daemon pid $DAEMON, mode kill, dry-run yes, state of " "$E2E_DIR/daemon-table" &&
		grep -q "^  shortage: idle" "$E2E_DIR/daemon-table" &&
		grep -q "/$E2E_NAME/a " "$E2E_DIR/daemon-table"
}
check "status shows the daemon's pid, mode, the scope's rule and ranking" daemon_table
cat "$E2E_DIR/daemon-table"
check "every line of the table fits 120 columns" \
	awk 'length > 120 { bad = 1 } END { exit bad }' "$E2E_DIR/daemon-table" "$E2E_DIR/table"

daemon_json() {
	run_status --json >"$E2E_DIR/daemon.json" 2>"$E2E_DIR/daemon-json.err" || return 1
	python3 - "$E2E_DIR/daemon.json" "$DAEMON" "/$E2E_NAME" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pid, scope = int(sys.argv[2]), sys.argv[3]
errors = []
if d.get("schema") != 1:
    errors.append(f"schema {d.get('schema')!r}")
if d.get("source") != "daemon" or d.get("daemon") != {"pid": pid, "mode": "kill", "dry_run": True}:
    errors.append(f"source {d.get('source')!r}, daemon {d.get('daemon')!r}")
s = [x for x in d.get("scopes", []) if x.get("path") == scope]
if len(s) != 1 or s[0].get("shortage", {}).get("state") != "idle" or s[0].get("thrashing") != []:
    errors.append(f"scope state {s}")
cands = [c for c in d.get("candidates", []) if c.get("cgroup") == f"{scope}/a"]
parts = cands[0].get("score_parts", {}) if cands else {}
if not cands or abs(sum(parts.values()) - cands[0]["score"]) > 0.01:
    errors.append(f"candidate a or its score parts: {cands}")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
}
check "status --json is the daemon's schema-1 state" daemon_json

# --watch shows the state again and again until interrupted.
"$BIN" status --watch --interval 200ms -c "$E2E_DIR/empty.conf" --set "daemon.scopes=/$E2E_NAME" \
	--runtime-dir "$E2E_DIR/run" >"$E2E_DIR/watch.out" 2>&1 &
WATCH=$!
E2E_PIDS+=("$WATCH")
redrawn() { (($(grep -c "^daemon pid $DAEMON, " "$E2E_DIR/watch.out") >= 3)); }
check "status --watch shows the state again" e2e_poll 20 redrawn
kill -INT "$WATCH"
watch_gone() { ! kill -0 "$WATCH" 2>/dev/null; }
check "status --watch stops on SIGINT" e2e_poll 10 watch_gone

# A crash leaves the file behind: a copy of it, the daemon stopped.
cp "$STATE" "$E2E_DIR/state.saved"
kill -TERM "$DAEMON"
stopped() { ! kill -0 "$DAEMON" 2>/dev/null; }
check "the daemon stops on SIGTERM" e2e_poll 30 stopped
check "a stopped daemon leaves no state file" test ! -e "$STATE"
after_stop() {
	run_status >"$E2E_DIR/after-table" 2>&1 &&
		grep -q "^no thrashguard daemon runs: sampled by status" "$E2E_DIR/after-table"
}
check "after the daemon stops, status samples by itself" after_stop
cp "$E2E_DIR/state.saved" "$STATE"
stale() {
	run_status >"$E2E_DIR/stale-table" 2>&1 &&
		grep -q "^no thrashguard daemon runs: sampled by status" "$E2E_DIR/stale-table" &&
		grep -q "left by pid $DAEMON, which no longer runs, ignored" "$E2E_DIR/stale-table"
}
check "a stale state file is ignored, and said so" stale

echo "status-real: $pass passed, $fail failed"
[[ $fail == 0 ]]
