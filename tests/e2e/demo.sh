#!/bin/bash
# `sudo make demo`: thrashguard at work on a small simulated node, in
# under a minute.
#
# Usage: tests/e2e/demo.sh [--bin BIN] [--tools DIR]
#
# Builds a 512 MiB "node" (a memory-limited cgroup, with Kubernetes' own
# layout below it), starts a latency-sensitive neighbour pod and then a pod
# that thrashes the node (it holds most of the memory and streams a file
# larger than what is left: no swap, no kernel OOM kill, just a node that
# stalls).  The daemon runs in the foreground (-v, its alerts on the
# terminal) on that node only.  You see the stall rise, the kill, the node
# recover, and the neighbour's latency before, during and after.
# Everything is removed at the end, also on Ctrl-C.
#
# Needs root (real cgroups).  Safe: every process runs in memory-limited
# groups under one test parent (see docs/testing.md), the daemon guards only
# the demo's node, and a watchdog stops it all after 90 s.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$ROOT/build/thrashguard
TOOLS=$ROOT/build/tools
while (($#)); do
	case $1 in
	--bin) BIN=${2:?--bin BIN}; shift 2 ;;
	--tools) TOOLS=${2:?--tools DIR}; shift 2 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
if ((EUID != 0)); then
	echo "demo: needs root (it creates real cgroups): sudo make demo" >&2
	exit 1
fi
[[ -x $BIN ]] || { echo "demo: no $BIN (run make)" >&2; exit 1; }
[[ -x $TOOLS/thrasher ]] || { echo "demo: no $TOOLS/thrasher (run make tools)" >&2; exit 1; }
BIN=$(realpath -- "$BIN")
E2E_TOOLS=$(realpath -- "$TOOLS")

# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"
# shellcheck source=SCRIPTDIR/scenarios/_common.sh
. "$HERE/scenarios/_common.sh"
TG_BIN=$BIN

if [[ -t 1 ]]; then
	B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' Y=$'\e[33m' N=$'\e[0m'
else
	B='' D='' G='' R='' Y='' N=''
fi
say() { printf '%s\n' "${B}==> $*${N}"; }
note() { printf '%s\n' "    $*"; }

e2e_setup demo 90 || exit $?
TG_T0_MS=$(e2e_now_ms)
printf '[daemon]\n' >"$E2E_DIR/empty.conf" # a section alone: the built-in defaults, whatever /etc holds
e2e_on_cleanup tg_daemon_stop

cat <<EOF

${B}thrashguard demo${N}: a 512 MiB node, a neighbour that must stay responsive,
and a pod that drives the node into reclaim thrashing.

EOF

say "Building the node: cgroup $E2E_NAME/node, 512 MiB, Kubernetes layout below it"
tg_node 512M
tg_pod NB burstable
tg_pod TH besteffort
# shellcheck disable=SC2153 # NB_UID, TH_UID: set by tg_pod
{
	note "neighbour pod  ${D}(Burstable)  pod uid $NB_UID${N}"
	note "thrasher pod   ${D}(BestEffort) pod uid $TH_UID${N}"
}
tg_sampler_start node "$TH"

say "Starting thrashguard in the foreground, guarding only this node"
note "${D}$BIN run -v --set daemon.scopes=/$E2E_NAME/node --set alert.journal=false${N}"
# Its alerts to the terminal (alert.journal=false), not to the journal.
# For the terminal, paths are shortened ("node/.../pod<uid>/<container id>")
# and the entry's KEY=VALUE fields, which the journal keeps, left out.
shorten() {
	sed -u -E -e "s#/$E2E_NAME/node#node#g" \
		-e 's#kubepods\.slice/kubepods-[a-z]+\.slice/kubepods-[a-z]+-pod([0-9a-f]{8})[0-9a-f_]*\.slice/cri-containerd-([0-9a-f]{12})[0-9a-f]*\.scope#.../pod\1.../\2...#g' \
		-e 's# \[MESSAGE_ID=[^]]*\]$##' -e "s/^/    ${Y}thrashguard |${N} /"
}
"$BIN" run -v -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run" --set "daemon.scopes=/$E2E_NAME/node" --set alert.journal=false \
	2> >(shorten) &
TG_DPID=$!
e2e_poll 10 kill -0 "$TG_DPID" || { echo "demo: the daemon did not start" >&2; exit 1; }
e2e_sleep_ms 500

say "Starting the neighbour: 32 MiB, a latency probe waking every 100 ms"
e2e_run "$NB" -- "$E2E_TOOLS/steady" --anon 32 --duration 80 \
	--probe-out "$E2E_DIR/nb-probe.json" --probe-timeline "$E2E_DIR/nb.timeline" 2>/dev/null
NB_PID=$E2E_PID
NB_T0=$(tg_probe_t0 "$E2E_DIR/nb-probe.json") || { echo "demo: the probe did not start" >&2; exit 1; }
e2e_sleep_ms 3000

say "Starting the thrasher: 300 MiB held + a 220 MiB file streamed through mmap"
note "${D}(more than the node has: every pass evicts what the next one needs)${N}"
e2e_pressure_start node 10 30 >"$E2E_DIR/pstart" &
T_LAUNCH=$(e2e_now_ms)
e2e_run "$TH" -- "$E2E_TOOLS/thrasher" --anon 300 --file "$E2E_DIR/thrash.dat" --file-size 220 \
	--procs 2 --duration 40 2>/dev/null
# Not waited for: no "Killed" notice from the shell when thrashguard kills it.
disown "$E2E_PID"
T_EMPTY=

# One line a second: the node's stall (what the daemon reads) and memory.
prev_t=$(e2e_now_ms)
prev_f=$(e2e_psi node full total)
deadline=$((T_LAUNCH + 30000))
while (($(e2e_now_ms) < deadline)); do
	e2e_sleep_ms 1000
	t=$(e2e_now_ms)
	f=$(e2e_psi node full total)
	share=$(((f - prev_f) / (t - prev_t) / 10))
	prev_t=$t prev_f=$f
	if e2e_populated "$TH"; then
		state="thrasher running"
	else
		state="${G}thrasher gone${N}"
		[[ -n $T_EMPTY ]] || T_EMPTY=$t
	fi
	printf '    %s t=%4.1fs  node memory stall (full) %3d %%  used %3d MiB  %s%s\n' "${D}[node]${N}" \
		"$(awk -v a="$t" -v b="$T_LAUNCH" 'BEGIN { print (a - b) / 1000 }')" "$share" \
		$(($(e2e_mem_usage node) >> 20)) "$state" "${N}"
	[[ -n $T_EMPTY ]] && (($(e2e_now_ms) >= T_EMPTY + 4000)) && break
done
T_END=$(e2e_now_ms)

tg_daemon_stop
kill -TERM "$NB_PID" 2>/dev/null
e2e_wait_pid "$NB_PID" 5 >/dev/null 2>&1

echo
if [[ -s $E2E_DIR/pstart ]]; then
	T_P=$(<"$E2E_DIR/pstart")
	say "What happened"
	note "pressure started  $((T_P - T_LAUNCH)) ms after the thrasher was launched"
	if [[ -n $T_EMPTY ]]; then
		note "thrasher gone     ${G}$((T_EMPTY - T_P)) ms after the pressure started${N} (kernel OOM kills: $(e2e_oom_kills node))"
	else
		note "${R}the thrasher was not killed${N}"
	fi
	echo
	say "The neighbour's latency (how late its 100 ms wake-ups ran)"
	printf '    %-26s %8s %8s %8s %8s\n' "" samples p50_ms p99_ms max_ms
	row() {
		local label=$1 js
		js=$(tg_probe_stats "$E2E_DIR/nb.timeline" "$NB_T0" "$2" "$3")
		python3 -c 'import json, sys
j = json.loads(sys.argv[2])
f = lambda v: "-" if v is None else "%.1f" % v
print("    %-26s %8d %8s %8s %8s" % (sys.argv[1], j["samples"], f(j["p50_ms"]), f(j["p99_ms"]), f(j["max_ms"])))' "$label" "$js"
	}
	row "before the thrasher" 0 "$T_LAUNCH"
	if [[ -n $T_EMPTY ]]; then
		row "during the stall" "$T_P" "$T_EMPTY"
		row "after the kill" $((T_EMPTY + 1000)) "$T_END"
	else
		row "during the stall" "$T_P" "$T_END"
	fi
fi
echo
note "${D}(in production each decision is a journal entry: journalctl MESSAGE_ID=2b2e42b20e434042acc519a8da2a8e80)${N}"
echo
say "Cleaning up (groups, files)"
exit 0
