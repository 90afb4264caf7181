#!/bin/bash
# One run of the host thrash benchmark: a simulated node (a memory-limited
# scope group with Kubernetes-style pods below it), a neighbour pod serving
# (steady + latency probe) and a pod that thrashes the node, with ONE tool
# in charge: the kernel alone, thrashguard, earlyoom, nohang or the naive
# 1 s poller (bench/peers/naive.sh).
#
#   bench/thrash.sh --tool kernel|thrashguard|earlyoom|nohang|nohang-psi|naive
#                   --out DIR [--deadline S] [--bin BIN] [--tools DIR]
#
# Records raw data only, in DIR (bench/report.py turns it into figures):
#   meta.json     tool, command line, groups, launch / pressure-start / end
#                 times (CLOCK_MONOTONIC ms), kernel OOM kills in the node,
#                 the workloads' fate
#   samples.txt   bench/sampler.py every 100 ms: the node's memory.pressure
#                 totals, its usage, the task count of both pods
#   tool.log      the tool's own output, each line stamped on arrival
#                 (bench/peers/tslog.py): where its action time comes from
#   nb.timeline   the neighbour's probe, one line per 100 ms wake-up
#                 ("t_ms late_ms", t_ms from nb_t0_ms in meta.json)
#   nb-probe.json the probe's own summary; workload.log
#
# The node is tests/e2e/scenarios/thrash.sh's (same limit, same workloads):
# node 512 MiB; neighbour steady --anon 32 with its probe; thrasher --anon
# 300 --file-size 400 --procs 2.  Groups, limits, traps and the hard
# deadline come from tests/e2e/lib.sh (docs/testing.md's safety rules).
#
# Where each tool runs:
#   kernel       nothing watches; the workloads run exactly as below
#   thrashguard  on the host, scope = this run's node group (never "/"),
#                built-in defaults (empty -c file), -v for its decision line
#   earlyoom, nohang, nohang-psi, naive (the 1 s shell poller)
#                inside `unshare --pid --fork --mount-proc` together with
#                the workloads and nothing else (bench/peers/ns-init.sh is
#                the namespace's PID 1 and starts them); settings in
#                bench/peers/peers.sh and bench/peers/README.md
# In every case the workloads are started by ns-init.sh in such a
# namespace, so that the kernel-alone and thrashguard runs differ from the
# peer runs only in the tool.
#
# Timeline: the tool starts; the neighbour starts; 2 s of undisturbed
# probe samples; the thrasher is launched; pressure start is when the
# node's `full` stall share over 500 ms first exceeds 10 %
# (e2e_pressure_start).  The run then goes on until DEADLINE s (default 45)
# after pressure start, or, once the thrasher's group is empty, until
# max(empty + 10 s, pressure start + 15 s): long enough to see the node
# recover and to compare the neighbour over the same 15 s window as the
# e2e thrash scenario.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)

TOOL='' OUT='' DEADLINE_S=45 BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools
while (($#)); do
	case $1 in
	--tool) TOOL=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--deadline) DEADLINE_S=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	*) echo "thrash.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $TOOL in
kernel | thrashguard | earlyoom | nohang | nohang-psi | naive) ;;
*) echo "thrash.sh: --tool kernel|thrashguard|earlyoom|nohang|nohang-psi|naive" >&2; exit 2 ;;
esac
[[ -n $OUT ]] || { echo "thrash.sh: --out DIR is required" >&2; exit 2; }
mkdir -p "$OUT" && OUT=$(realpath "$OUT")
BIN=$(realpath "$BIN")
E2E_TOOLS=$(realpath "$TOOLS")
export E2E_TOOLS
export TG_BIN=$BIN

# shellcheck source=../tests/e2e/lib.sh
. "$TOP/tests/e2e/lib.sh"
# shellcheck source=../tests/e2e/scenarios/_common.sh
. "$TOP/tests/e2e/scenarios/_common.sh"
# shellcheck source=peers/peers.sh
. "$HERE/peers/peers.sh"

NODE_LIMIT=512M
BASELINE_MS=2000
AFTER_EMPTY_MS=10000
MIN_WINDOW_MS=15000

e2e_setup "bench-$TOOL" $((DEADLINE_S + 110))

CTRL=$E2E_DIR/ctrl
mkdir -p "$CTRL"
TOOL_PID='' SAMPLER_PID='' NS_PID=''
on_cleanup() {
	[[ -e $CTRL ]] && touch "$CTRL/stop"
	if [[ -n $NS_PID ]]; then e2e_poll 8 eval "! kill -0 $NS_PID 2>/dev/null" || true; fi
	if [[ -n $TOOL_PID ]] && kill -0 "$TOOL_PID" 2>/dev/null; then
		kill -TERM "$TOOL_PID" 2>/dev/null
		e2e_poll 10 eval "! kill -0 $TOOL_PID 2>/dev/null" || kill -KILL "$TOOL_PID" 2>/dev/null
	fi
	[[ -n $SAMPLER_PID ]] && kill -TERM "$SAMPLER_PID" 2>/dev/null
	local f
	for f in tool.log samples.txt nb.timeline nb-probe.json workload.log pstart; do
		[[ -e $E2E_DIR/$f ]] && cp -f "$E2E_DIR/$f" "$OUT/" 2>/dev/null
	done
	[[ -e $CTRL/workload.log ]] && cp -f "$CTRL/workload.log" "$OUT/"
	[[ -e $CTRL/status ]] && cp -f "$CTRL/status" "$OUT/ns-status"
	return 0
}
e2e_on_cleanup on_cleanup

# ---- the node
tg_node "$NODE_LIMIT"
tg_pod NB burstable
tg_pod TH besteffort
e2e_mkgroup agent 256M
# pid_in_group REL EXE: the pid in REL (memory hierarchy) running EXE.
pid_in_group() {
	local p
	for p in $(tg_pids "$1"); do
		[[ $(readlink "/proc/$p/exe" 2>/dev/null) == "$2" ]] && { echo "$p"; return 0; }
	done
	return 1
}
dirs_of() {
	local rel=$1 h
	for h in "${E2E_HIERS[@]}"; do printf '%s\n' "$h/$E2E_NAME/$rel"; done
}
mapfile -t NB_DIRS < <(dirs_of "$NB")
mapfile -t TH_DIRS < <(dirs_of "$TH")
mapfile -t AGENT_DIRS < <(dirs_of agent)
NODE_PSI=$(e2e_cgpath psi node)/memory.pressure
if [[ $E2E_MODE == v2 ]]; then NODE_USAGE=$(e2e_cgpath memory node)/memory.current; else NODE_USAGE=$(e2e_cgpath memory node)/memory.usage_in_bytes; fi

# ---- the workloads' command lines, for ns-init.sh
argv_file() {
	local f=$1
	shift
	printf '%s\0' "$@" >"$f"
}
argv_file "$CTRL/nb.argv" "$E2E_TOOLS/cgexec" "${NB_DIRS[@]}" -- "$E2E_TOOLS/steady" --anon 32 --duration 300 \
	--probe-out "$E2E_DIR/nb-probe.json" --probe-timeline "$E2E_DIR/nb.timeline"
argv_file "$CTRL/th.argv" "$E2E_TOOLS/cgexec" "${TH_DIRS[@]}" -- "$E2E_TOOLS/thrasher" --anon 300 \
	--file "$E2E_DIR/thrash.dat" --file-size 400 --procs 2 --duration $((DEADLINE_S + 60))

# ---- the tool
TOOL_CMD=()
if [[ $TOOL == thrashguard ]]; then
	printf '[daemon]\n' >"$E2E_DIR/empty.conf" # a section alone: the built-in defaults
	TOOL_CMD=("$BIN" run -v -c "$E2E_DIR/empty.conf" --set "daemon.scopes=$TG_SCOPE")
	[[ $TG_SCOPE == /tg-e2e-*/node ]] || e2e_die "refusing scope '$TG_SCOPE'"
	"$E2E_TOOLS/cgexec" "${AGENT_DIRS[@]}" -- "${TOOL_CMD[@]}" 2>&1 </dev/null |
		python3 "$HERE/peers/tslog.py" >"$E2E_DIR/tool.log" &
	e2e_poll 5 pid_in_group agent "$BIN" >/dev/null || e2e_die "thrashguard did not start"
	TOOL_PID=$(pid_in_group agent "$BIN")
	e2e_poll 15 grep -q 'First snapshot' "$E2E_DIR/tool.log" || e2e_die "thrashguard took no first snapshot: $(cat "$E2E_DIR/tool.log")"
elif [[ $TOOL != kernel ]]; then
	peer_prepare "$TOOL" "$E2E_DIR" "$NODE_PSI"
	mapfile -d '' -t TOOL_CMD < <(peer_argv "$TOOL" "$E2E_DIR" "$NODE_PSI")
	argv_file "$CTRL/tool.argv" "${TOOL_CMD[@]}"
fi

# ---- the namespace: ns-init.sh, the workloads (and the peer)
: >"$E2E_DIR/ns.log"
SETTLE_S=1
[[ $TOOL == kernel || $TOOL == thrashguard ]] || SETTLE_S=$(peer_settle_s "$TOOL")
NSINIT_MONOTIME=$E2E_TOOLS/monotime NSINIT_MAX_S=$((DEADLINE_S + 120)) NSINIT_TOOL_SETTLE_S=$SETTLE_S \
	"$E2E_TOOLS/cgexec" "${AGENT_DIRS[@]}" -- unshare --pid --fork --mount-proc --kill-child \
	bash "$HERE/peers/ns-init.sh" "$CTRL" 2>&1 </dev/null | python3 "$HERE/peers/tslog.py" >"$E2E_DIR/ns.log" &
NS_PID=$!
e2e_poll $((SETTLE_S + 10)) test -s "$CTRL/nb.pid" || e2e_die "ns-init did not start the neighbour: $(cat "$E2E_DIR/ns.log")"
NB_T0=$(tg_probe_t0 "$E2E_DIR/nb-probe.json") || e2e_die "the neighbour's probe did not start: $(cat "$CTRL/workload.log")"
if [[ -s $CTRL/tool.pid ]]; then
	peer_ready "$TOOL" "$E2E_DIR/ns.log" || e2e_die "$TOOL did not start: $(cat "$E2E_DIR/ns.log")"
fi

python3 "$HERE/sampler.py" --out "$E2E_DIR/samples.txt" --psi "$NODE_PSI" --usage "$NODE_USAGE" \
	--group "th=$(e2e_cgpath psi "$TH")" --group "nb=$(e2e_cgpath psi "$NB")" --max-s $((DEADLINE_S + 90)) &
SAMPLER_PID=$!
T_BASE=$(e2e_now_ms)
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
e2e_sleep_ms "$BASELINE_MS"

# ---- the thrash
TH_TASKS0='' NB_TASKS0=$(tg_nprocs "$NB")
e2e_pressure_start node 10 30 >"$E2E_DIR/pstart" &
touch "$CTRL/go"
e2e_poll 5 test -s "$CTRL/th.launch_ms" || e2e_die "ns-init did not launch the thrasher"
T_LAUNCH=$(<"$CTRL/th.launch_ms")
# The thrasher writes its 400 MiB file first, then forks its workers.
# shellcheck disable=SC2016 # evaluated by e2e_poll, at each try
e2e_poll 10 eval '(( $(tg_nprocs "$TH") >= 3 ))' && TH_TASKS0=$(tg_nprocs "$TH")
if ! e2e_poll 30 test -s "$E2E_DIR/pstart"; then
	e2e_log "no pressure on the node (full > 10 % over 500 ms) within 30 s of the launch"
	T_PRESSURE=
else
	T_PRESSURE=$(<"$E2E_DIR/pstart")
	e2e_log "$TOOL: pressure started $((T_PRESSURE - T_LAUNCH)) ms after the launch"
fi

# ---- observe until the end of the run
th_empty() { ! e2e_populated "$TH"; }
T_EMPTY=''
if [[ -n $T_PRESSURE ]]; then
	end=$((T_PRESSURE + DEADLINE_S * 1000))
	while :; do
		now=$(e2e_now_ms)
		if [[ -z $T_EMPTY ]] && th_empty; then
			T_EMPTY=$now
			e2e_log "$TOOL: the thrasher's group is empty $((T_EMPTY - T_PRESSURE)) ms after pressure start"
			late=$((T_EMPTY + AFTER_EMPTY_MS))
			((late < T_PRESSURE + MIN_WINDOW_MS)) && late=$((T_PRESSURE + MIN_WINDOW_MS))
			((late < end)) && end=$late
		fi
		((now >= end)) && break
		e2e_sleep_ms 100
	done
fi
T_END=$(e2e_now_ms)
NB_TASKS_END=$(tg_nprocs "$NB")
TH_TASKS_END=$(tg_nprocs "$TH")
OOM=$(e2e_oom_kills node) || OOM=null

# ---- stop; the neighbour's probe writes its final summary on SIGTERM
touch "$CTRL/stop"
e2e_poll 8 eval "! kill -0 $NS_PID 2>/dev/null" || e2e_log "ns-init did not end within 8 s"
NS_PID=''
kill -TERM "$SAMPLER_PID" 2>/dev/null
if [[ -n $TOOL_PID ]]; then
	kill -TERM "$TOOL_PID" 2>/dev/null
	e2e_poll 10 eval "! kill -0 $TOOL_PID 2>/dev/null" || kill -KILL "$TOOL_PID" 2>/dev/null
	TOOL_PID=
fi
# A peer's output is the namespace's (ns-init.sh passes it through).
[[ $TOOL != thrashguard ]] && cp -f "$E2E_DIR/ns.log" "$E2E_DIR/tool.log"
wait "$SAMPLER_PID" 2>/dev/null
SAMPLER_PID=''

json_argv() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@"; }
e2e_result_json "$OUT/meta.json" tool="$TOOL" group="$E2E_NAME" mode="$E2E_MODE" \
	node_limit="$NODE_LIMIT" scope="$TG_SCOPE" th_cg="$TH_CG" nb_cg="$NB_CG" \
	tool_cmd:="$(json_argv "${TOOL_CMD[@]}")" deadline_s="$DEADLINE_S" \
	t_base_ms="$T_BASE" t_launch_ms="$T_LAUNCH" t_pressure_ms="${T_PRESSURE:-null}" \
	t_empty_ms="${T_EMPTY:-null}" t_end_ms="$T_END" nb_t0_ms="$NB_T0" \
	th_tasks_start="${TH_TASKS0:-null}" th_tasks_end="$TH_TASKS_END" \
	nb_tasks_start="$NB_TASKS0" nb_tasks_end="$NB_TASKS_END" oom_kills="$OOM" \
	load_start="$LOAD_START" load_end="$(cut -d' ' -f1 /proc/loadavg)"
if [[ -n $T_PRESSURE ]]; then pinfo="$((T_PRESSURE - T_LAUNCH)) ms after launch"; else pinfo=none; fi
e2e_log "$TOOL: done (pressure start $pinfo, thrasher tasks $TH_TASKS0 -> $TH_TASKS_END," \
	"neighbour tasks $NB_TASKS0 -> $NB_TASKS_END, OOM kills $OOM)"
[[ -n $T_PRESSURE ]]
