#!/bin/bash
# ns-init.sh CTRL_DIR: PID 1 of the PID namespace in which a peer tool
# (earlyoom, nohang) runs during a benchmark, next to the scenario's
# workloads and nothing else.
#
# Started by bench/thrash.sh and bench/idle.sh as
#     cgexec AGENT_GROUPS -- unshare --pid --fork --mount-proc --kill-child \
#         bash bench/peers/ns-init.sh CTRL_DIR
# so that /proc inside shows only this namespace: the tool can see, and
# therefore kill, nothing but this script, itself and the workloads started
# here.  That is the safety rule of docs/testing.md for peers that kill
# machine-wide; it also makes the tool's choice of victim the one it would
# make on a node that runs only these pods.
#
# The harness outside drives it through files in CTRL_DIR:
#   tool.argv      (optional) the tool's command line, NUL-separated; started
#                  first, its stdout/stderr are this script's (the harness
#                  stamps them with tslog.py)
#   nb.argv        (optional) the neighbour: cgexec DIRS -- steady ..., started
#                  once tool.argv's tool is running
#   th.argv        (optional) the thrasher, started when CTRL_DIR/go appears;
#                  its launch time (CLOCK_MONOTONIC ms) goes to th.launch_ms
#   stop           ends everything: the tool gets SIGTERM, the neighbour
#                  SIGTERM (its probe writes its final summary), 3 s later
#                  this script exits and the kernel kills what is left in
#                  the namespace
# and reads back *.pid (pids in this namespace) and status (one line per
# workload: NAME alive | NAME exited RC, at the time of stop).
# Workload output goes to CTRL_DIR/workload.log.  A hard bound of
# NSINIT_MAX_S (default 600) seconds ends it whatever happens.
set -u

ctrl=${1:?ns-init.sh CTRL_DIR}
monotime=${NSINIT_MONOTIME:-monotime}
max_s=${NSINIT_MAX_S:-600}
[[ -d $ctrl ]] || { echo "ns-init: no directory $ctrl" >&2; exit 2; }

# A sub-second sleep without a fork (bash has no builtin one).
exec {sleep_fd}<> <(:)
nap() { read -r -t "$1" -u "$sleep_fd" || true; }

declare -A pid=()
alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; }
start_argv() {
	local name=$1 f=$ctrl/$1.argv argv=()
	[[ -s $f ]] || return 1
	mapfile -d '' -t argv <"$f"
	if [[ $name == tool ]]; then
		"${argv[@]}" </dev/null &
	else
		"${argv[@]}" </dev/null >>"$ctrl/workload.log" 2>&1 &
	fi
	pid[$name]=$!
	echo "${pid[$name]}" >"$ctrl/$name.pid"
}

finish() {
	local n rc
	: >"$ctrl/status.tmp"
	for n in nb th; do
		[[ -n ${pid[$n]:-} ]] || continue
		if alive "${pid[$n]}"; then
			echo "$n alive" >>"$ctrl/status.tmp"
		else
			rc=0
			wait "${pid[$n]}" 2>/dev/null || rc=$?
			echo "$n exited $rc" >>"$ctrl/status.tmp"
		fi
	done
	mv -f "$ctrl/status.tmp" "$ctrl/status"
	[[ -n ${pid[tool]:-} ]] && kill -TERM "${pid[tool]}" 2>/dev/null
	[[ -n ${pid[nb]:-} ]] && kill -TERM "${pid[nb]}" 2>/dev/null
	for _ in $(seq 30); do
		alive "${pid[nb]:-}" || alive "${pid[tool]:-}" || break
		nap 0.1
	done
	# Exiting as PID 1 makes the kernel SIGKILL the rest of the namespace.
	exit 0
}
trap finish TERM INT

end=$((SECONDS + max_s))
if start_argv tool; then
	# Give the tool its start-up before anything it could act on exists.
	nap "${NSINIT_TOOL_SETTLE_S:-1}"
fi
start_argv nb
while [[ ! -e $ctrl/go && ! -e $ctrl/stop ]] && ((SECONDS < end)); do nap 0.02; done
if [[ -e $ctrl/go && ! -e $ctrl/stop ]]; then
	"$monotime" --ms >"$ctrl/th.launch_ms"
	start_argv th
fi
while [[ ! -e $ctrl/stop ]] && ((SECONDS < end)); do nap 0.05; done
finish
