#!/bin/bash
# Prometheus metrics ([alert] metrics_dir) during a real incident: a
# metrics directory that does not exist gives one warning and the daemon
# carries on, and writes once it appears; the file passes `promtool check
# metrics`; a real prometheus-node-exporter (textfile collector only, on
# 127.0.0.1) serves it; a thrashing Kubernetes-shaped container is killed
# and, scraped before and after, the decision and action counters move and
# the last action carries the pod's namespace/pod/container; a reload keeps
# the counts; the file left at a clean stop says thrashguard_up 0.
#
# Usage: tests/e2e/act-metrics.sh [BINARY]   (root; runs itself under a
# private journald through with-journal.sh)
set -uo pipefail
. "$(dirname "$0")/act-common.bash"
act_init act-metrics "$@"

for tool in promtool prometheus-node-exporter curl; do
	command -v "$tool" >/dev/null || {
		echo "act-metrics: $tool missing (scripts/deps.sh test installs it)" >&2
		echo "act-metrics: 0 passed, 1 failed"
		exit 1
	}
done

e2e_setup act-metrics 180

act_node 512M
act_k8s_container 0xbeef
e2e_mkgroup node/neighbour
e2e_run node/neighbour -- "$E2E_TOOLS/steady" --anon 16 --duration 300
neighbour=$E2E_PID

PROM=$E2E_DIR/textfile
FILE=$PROM/thrashguard.prom
SCOPE=$ACT_NODE

echo "--- 1. a metrics directory that does not exist yet" >&2
# A section alone: the built-in defaults whatever /etc holds, and a file
# for the reload to read again.
printf '[daemon]\n' >"$E2E_DIR/thrashguard.conf"
act_start_daemon -c "$E2E_DIR/thrashguard.conf" --set "daemon.scopes=$SCOPE" --set action.cooldown=5s --set shortage.duration=1s \
	--set daemon.idle_interval=1s --set "alert.metrics_dir=$PROM" || { act_summary; exit; }
# Idle ticks (1 s apart) find the directory missing meanwhile; the first
# file written counts them (below).
e2e_poll 10 grep -q "First snapshot" "$E2E_DIR/daemon.log" || true
e2e_sleep_ms 3500
tg_check "the daemon carries on" act_daemon_alive
mkdir -m 0755 "$PROM"
tg_check "the file appears once the directory does" e2e_poll 10 test -s "$FILE"
tg_check "and the daemon says so" grep -q "Metrics: writing $FILE again" "$E2E_DIR/daemon.log"
cp "$FILE" "$E2E_DIR/first.prom"
tg_check "promtool check metrics accepts the file" promtool check metrics <"$FILE"
tg_check "no temporary file is left beside it" test "$(find "$PROM" -mindepth 1 | wc -l)" = 1

echo "--- 2. a real node exporter serves it" >&2
e2e_mkgroup exporter 256M
# A free port, chosen by the kernel, on 127.0.0.1 only.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
e2e_run exporter -- prometheus-node-exporter "--web.listen-address=127.0.0.1:$PORT" \
	--collector.disable-defaults --collector.textfile "--collector.textfile.directory=$PROM" \
	2>>"$E2E_DIR/exporter.log"
URL=http://127.0.0.1:$PORT/metrics
scrape() { curl -fsS --max-time 5 "$URL" >"$1"; }
tg_check "the node exporter answers on 127.0.0.1:$PORT" e2e_poll 15 scrape "$E2E_DIR/before.txt"

# metric FILE NAME [LABEL=VALUE...]: the value of the first sample of NAME
# that has these labels (in any order: the exporter sorts them), as a
# plain number; 0 when there is none.
metric() {
	python3 - "$@" <<'EOF2'
import re, sys
path, name, want = sys.argv[1], sys.argv[2], sys.argv[3:]
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for line in open(path):
    m = sample.match(line.rstrip("\n"))
    if not m or m.group(1) != name:
        continue
    labels = {k: re.sub(r'\\(.)', lambda e: "\n" if e.group(1) == "n" else e.group(1), v)
              for k, v in label.findall(m.group(2) or "")}
    if all(labels.get(w.split("=", 1)[0]) == w.split("=", 1)[1] for w in want):
        v = float(m.group(3))
        print(int(v) if v.is_integer() else v)
        sys.exit(0)
print(0)
EOF2
}
KILL=("scope=$SCOPE" rule=shortage kind=kill)
tg_check "thrashguard_up 1 through the exporter" test "$(metric "$E2E_DIR/before.txt" thrashguard_up)" = 1
tg_check "the textfile collector read it without error" \
	test "$(metric "$E2E_DIR/before.txt" node_textfile_scrape_error)" = 0
# The neighbour at least (the victim's group is still empty); the
# exporter's group is outside the scope.
tg_check "the scope's candidates are counted" \
	test "$(metric "$E2E_DIR/before.txt" thrashguard_candidates "scope=$SCOPE")" -ge 1
# Every tick before the directory existed tried to write the file.
first_ticks=$(metric "$E2E_DIR/first.prom" thrashguard_snapshots_total)
warnings=$(grep -c "Metrics: cannot open directory $PROM" "$E2E_DIR/daemon.log")
tg_check "one warning for the missing directory (got $warnings) over $((first_ticks - 1)) ticks" \
	test "$warnings" = 1 -a "$first_ticks" -ge 3
before_kills=$(metric "$E2E_DIR/before.txt" thrashguard_decisions_total "${KILL[@]}")
echo "  before: kill decisions $before_kills" >&2

echo "--- 3. an incident" >&2
act_thrash "$VICTIM" 380 2 60
if e2e_wait_empty "$VICTIM" 60; then
	tg_check "the thrashing container was emptied" true
else
	tg_fail "the thrashing container still holds $(tg_nprocs "$VICTIM") processes after 60 s"
fi
tg_check "the neighbour is alive" tg_alive "$neighbour"
# The file is written at the end of the tick that killed; the exporter
# reads it at each scrape.
moved() {
	scrape "$E2E_DIR/after.txt" &&
		(($(metric "$E2E_DIR/after.txt" thrashguard_decisions_total "${KILL[@]}") > before_kills))
}
tg_check "the kill decision counter moved" e2e_poll 15 moved
a=$E2E_DIR/after.txt
grep '^thrashguard_' "$a" | sed 's/^/  /' >&2
tg_check "the kill is counted as acted" \
	test "$(metric "$a" thrashguard_actions_total "${KILL[@]}" outcome=acted)" -ge 1
tg_check "no action is counted as failed" \
	test "$(grep -c '^thrashguard_actions_total{.*outcome="failed"' "$a")" = 0
LAST=("${KILL[@]}" "cgroup=/$E2E_NAME/$VICTIM" namespace=shop pod=cart-7f9 container=cart)
tg_check "the last action names the container and its pod" \
	test "$(metric "$a" thrashguard_last_action_timestamp_seconds "${LAST[@]}")" != 0
p2e=$(metric "$a" thrashguard_last_action_pressure_to_empty_seconds "${LAST[@]}")
empty=$(metric "$a" thrashguard_last_action_empty_seconds "${LAST[@]}")
echo "  pressure to empty ${p2e}s, signal to empty ${empty}s" >&2
# The shortage must have held for [shortage] duration before the kill, and
# the kill's own part is within it.
tg_check "pressure to empty covers the rule's duration and the kill" \
	python3 -c 'import sys; p, e = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if p >= 1.0 and p >= e > 0 else 1)' "$p2e" "$empty"
tg_check "memory freed reported (> 100 MiB)" \
	test "$(metric "$a" thrashguard_last_action_freed_bytes "${LAST[@]}")" -gt $((100 * 1024 * 1024))
tg_check "promtool check metrics accepts the file after the incident" promtool check metrics <"$FILE"

echo "--- 4. a reload keeps the counts" >&2
kills=$(metric "$a" thrashguard_decisions_total "${KILL[@]}")
snaps=$(metric "$a" thrashguard_snapshots_total)
kill -HUP "$ACT_PID"
tg_check "the reload was taken" e2e_poll 10 grep -q 'Configuration reloaded' "$E2E_DIR/daemon.log"
reloaded() {
	scrape "$E2E_DIR/reload.txt" &&
		(($(metric "$E2E_DIR/reload.txt" thrashguard_snapshots_total) > snaps))
}
tg_check "the file is written after the reload" e2e_poll 10 reloaded
tg_check "the kill count is still $kills (not 0)" test "$kills" -ge 1
tg_check "and it stays $kills" \
	test "$(metric "$E2E_DIR/reload.txt" thrashguard_decisions_total "${KILL[@]}")" = "$kills"

act_stop_daemon
rc=$?
tg_check "the daemon stops cleanly on SIGTERM (exit $rc)" test "$rc" = 0
tg_check "the file it leaves says thrashguard_up 0" grep -qx 'thrashguard_up 0' "$FILE"
act_summary
