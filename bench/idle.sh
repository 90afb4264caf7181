#!/bin/bash
# Idle cost of each tool: CPU time, wake-ups and memory over a quiet
# period (no pressure anywhere in the scenario).
#
#   bench/idle.sh --out FILE [--seconds 60] [--bin BIN] [--tools DIR]
#                 [--only "thrashguard thrashguard-root earlyoom nohang nohang-psi"]
#
# All tools run at the same time (they are idle, so they do not disturb one
# another; running them together keeps the whole benchmark short), each in
# its own group under one run parent (tests/e2e/lib.sh: limits, cleanup):
#   thrashguard       scope = an idle node group (512 MiB, one small pod
#                     holding 16 MiB), the product's defaults, acting mode
#   thrashguard-root  scope "/" (the default configuration), --dry-run
#   earlyoom, nohang, nohang-psi
#                     inside their own `unshare --pid --fork --mount-proc`
#                     (bench/peers/ns-init.sh; nothing else in it), with the
#                     settings of bench/peers/peers.sh (nohang's psi_path is
#                     the idle node's memory.pressure)
# After every tool has started, WARMUP_S (5) seconds pass; then the figures
# are the difference between two readings SECONDS apart, of the tool's
# process (all its threads):
#   cpu        utime+stime of /proc/PID/stat (clock ticks) and the sum of
#              /proc/PID/task/*/schedstat run times (ns, the precise one)
#   wake-ups   voluntary + nonvoluntary context switches of every thread
#              (/proc/PID/task/*/status): each is one time the tool left
#              the CPU, i.e. one wake-up
#   memory     VmRSS, RssAnon, RssFile, VmHWM at the end (/proc/PID/status)
# Output: one JSON object (FILE), {"seconds":..., "tools": {NAME: {...}}}.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
OUT='' SECS=60 WARMUP_S=5 BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools
ONLY="thrashguard thrashguard-root earlyoom nohang nohang-psi"
while (($#)); do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	*) echo "idle.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ -n $OUT ]] || { echo "idle.sh: --out FILE is required" >&2; exit 2; }
mkdir -p "$(dirname "$OUT")" && OUT=$(realpath "$OUT")
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

e2e_setup bench-idle $((SECS + WARMUP_S + 90))
printf '[daemon]\n' >"$E2E_DIR/empty.conf" # a section alone: the built-in defaults, whatever /etc holds
tg_node 512M
tg_pod POD burstable
e2e_run "$POD" -- "$E2E_TOOLS/steady" --anon 16 --duration $((SECS + WARMUP_S + 80)) 2>/dev/null
NODE_PSI=$(e2e_cgpath psi node)/memory.pressure

dirs_of() {
	local h
	for h in "${E2E_HIERS[@]}"; do printf '%s\n' "$h/$E2E_NAME/$1"; done
}
# tool_pid REL: the tool's pid among the processes of REL (not the
# launchers: cgexec, unshare, ns-init's bash, env).
tool_pid() {
	local p exe
	for p in $(tg_pids "$1"); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		case ${exe##*/} in
		thrashguard | earlyoom | python3*) echo "$p"; return 0 ;;
		esac
	done
	return 1
}

declare -A PID=() CMD=()
CTRLS=()
stop_all() {
	local c
	for c in "${CTRLS[@]}"; do touch "$c/stop"; done
}
e2e_on_cleanup stop_all

for t in $ONLY; do
	e2e_mkgroup "agent-$t" 256M
	mapfile -t dirs < <(dirs_of "agent-$t")
	case $t in
	thrashguard | thrashguard-root)
		if [[ $t == thrashguard ]]; then
			[[ $TG_SCOPE == /tg-e2e-*/node ]] || e2e_die "refusing scope '$TG_SCOPE'"
			cmd=("$BIN" run -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run" --set "daemon.scopes=$TG_SCOPE")
		else
			# Scope "/" is allowed in dry-run only (docs/testing.md).
			cmd=("$BIN" run --dry-run -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run" --set "daemon.scopes=/")
		fi
		"$E2E_TOOLS/cgexec" "${dirs[@]}" -- "${cmd[@]}" </dev/null >"$E2E_DIR/$t.log" 2>&1 &
		;;
	earlyoom | nohang | nohang-psi)
		ctrl=$E2E_DIR/ctrl-$t
		mkdir -p "$ctrl"
		CTRLS+=("$ctrl")
		peer_prepare "$t" "$ctrl" "$NODE_PSI" || e2e_die "cannot prepare $t"
		mapfile -d '' -t cmd < <(peer_argv "$t" "$ctrl" "$NODE_PSI")
		printf '%s\0' "${cmd[@]}" >"$ctrl/tool.argv"
		NSINIT_MONOTIME=$E2E_TOOLS/monotime NSINIT_MAX_S=$((SECS + WARMUP_S + 80)) NSINIT_TOOL_SETTLE_S=0 \
			"$E2E_TOOLS/cgexec" "${dirs[@]}" -- unshare --pid --fork --mount-proc --kill-child \
			bash "$HERE/peers/ns-init.sh" "$ctrl" </dev/null >"$E2E_DIR/$t.log" 2>&1 &
		;;
	*) e2e_die "unknown tool '$t'" ;;
	esac
	CMD[$t]=$(printf '%q ' "${cmd[@]}")
done
for t in $ONLY; do
	e2e_poll 20 tool_pid "agent-$t" >/dev/null || e2e_die "$t did not start: $(cat "$E2E_DIR/$t.log")"
	PID[$t]=$(tool_pid "agent-$t")
	case $t in
	thrashguard*) e2e_poll 15 grep -q 'First snapshot' "$E2E_DIR/$t.log" || e2e_die "$t: no first snapshot: $(cat "$E2E_DIR/$t.log")" ;;
	*) peer_ready "$t" "$E2E_DIR/$t.log" || e2e_die "$t did not start: $(cat "$E2E_DIR/$t.log")" ;;
	esac
done
e2e_log "all started: $(for t in $ONLY; do printf '%s=%s ' "$t" "${PID[$t]}"; done); warm-up ${WARMUP_S}s, then ${SECS}s"
e2e_sleep_ms $((WARMUP_S * 1000))

# reading PID: "mono_ms ticks sched_ns ctxsw rss_kb anon_kb file_kb hwm_kb"
reading() {
	local pid=$1 s ticks sched=0 cs=0 f k v rss=0 anon=0 file=0 hwm=0 a
	read -r s <"/proc/$pid/stat" || return 1
	s=${s##*) }
	read -ra f <<<"$s"
	ticks=$((f[11] + f[12]))
	for d in /proc/"$pid"/task/*; do
		read -r a _ <"$d/schedstat" && sched=$((sched + a))
		while read -r k v _; do
			case $k in
			voluntary_ctxt_switches: | nonvoluntary_ctxt_switches:) cs=$((cs + v)) ;;
			esac
		done <"$d/status"
	done
	while read -r k v _; do
		case $k in
		VmRSS:) rss=$v ;;
		RssAnon:) anon=$v ;;
		RssFile:) file=$v ;;
		VmHWM:) hwm=$v ;;
		esac
	done <"/proc/$pid/status"
	echo "$(e2e_now_ms) $ticks $sched $cs $rss $anon $file $hwm"
}

declare -A R0=() R1=()
for t in $ONLY; do R0[$t]=$(reading "${PID[$t]}") || e2e_die "$t (pid ${PID[$t]}) is gone"; done
LOAD0=$(</proc/loadavg)
e2e_sleep_ms $((SECS * 1000))
for t in $ONLY; do R1[$t]=$(reading "${PID[$t]}") || e2e_die "$t (pid ${PID[$t]}) died during the measurement"; done
LOAD1=$(</proc/loadavg)

{
	echo "seconds=$SECS warmup=$WARMUP_S hz=$(getconf CLK_TCK)"
	echo "load0=$LOAD0"
	echo "load1=$LOAD1"
	for t in $ONLY; do
		echo "tool=$t pid=${PID[$t]} r0=${R0[$t]} r1=${R1[$t]} cmd=${CMD[$t]}"
	done
} >"$E2E_DIR/readings.txt"
python3 - "$E2E_DIR/readings.txt" "$OUT" <<'EOF'
import json, re, sys
src, dst = sys.argv[1], sys.argv[2]
res = {"tools": {}}
for line in open(src):
    line = line.rstrip("\n")
    if line.startswith("seconds="):
        for kv in line.split():
            k, v = kv.split("=")
            res[k] = int(v)
    elif line.startswith("load"):
        k, v = line.split("=", 1)
        res[k] = v
    elif line.startswith("tool="):
        head, cmd = line.split(" cmd=", 1)
        kv = dict(x.split("=", 1) for x in head.split(" ", 3)[:2])
        r0 = [int(x) for x in head.split("r0=")[1].split(" r1=")[0].split()]
        r1 = [int(x) for x in head.split("r1=")[1].split()]
        dt = (r1[0] - r0[0]) / 1000.0
        hz = res["hz"]
        tool = {
            # No path of the machine that ran it: the binary relative to the
            # repository, the run's scratch directory by its role.
            "pid": int(kv["pid"]),
            "cmd": re.sub(r"/var/tmp/tg-e2e-[^/ ]+", "$E2E_DIR",
                          re.sub(r"\S*/(build/thrashguard)", r"\1", cmd.strip())),
            "interval_s": round(dt, 3),
            "cpu_ticks": r1[1] - r0[1],
            "cpu_ms_stat": (r1[1] - r0[1]) * 1000.0 / hz,
            "cpu_ms_sched": (r1[2] - r0[2]) / 1e6,
            "ctxsw": r1[3] - r0[3],
            "rss_kb": r1[4], "rss_anon_kb": r1[5], "rss_file_kb": r1[6], "hwm_kb": r1[7],
        }
        tool["cpu_ms_per_hour"] = tool["cpu_ms_sched"] * 3600.0 / dt
        tool["cpu_ms_per_hour_stat"] = tool["cpu_ms_stat"] * 3600.0 / dt
        tool["wakeups_per_s"] = tool["ctxsw"] / dt
        res["tools"][kv["tool"]] = tool
with open(dst, "w") as f:
    json.dump(res, f, indent=1)
    f.write("\n")
for name, t in res["tools"].items():
    print("idle %-17s cpu %8.1f ms/h (stat %6.0f)  wake-ups %6.2f/s  rss %6d KiB" % (
        name, t["cpu_ms_per_hour"], t["cpu_ms_per_hour_stat"], t["wakeups_per_s"], t["rss_kb"]), file=sys.stderr)
EOF
for t in $ONLY; do cp -f "$E2E_DIR/$t.log" "$(dirname "$OUT")/idle-$t.log" 2>/dev/null; done
