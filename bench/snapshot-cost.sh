#!/bin/bash
# Snapshot cost on real cgroups: CPU milliseconds per observer_take() with
# N groups below one scope (root; a real hybrid or v2 host).
#
#   bench/snapshot-cost.sh [--counts "100 1000 10000"] [--snapshots K]
#
# For each N, one run (its own parent group, capped at 2 GiB, removed on
# every exit path by tests/e2e/lib.sh) creates N groups directly below the
# parent, in the memory hierarchy and its unified mirror (hybrid) or in the
# one v2 tree. The first min(N, 1000) are container groups
# (docker-<id>.scope), each with one `sleep` process (joined before it
# starts, through tools/cgexec): those are the candidates. The others are
# empty plain groups: no candidates, but the walk meets them every tick.
# The 10,000 case (1,000 containers + 9,000 empty groups) shows what a host
# littered with empty groups costs, without 10,000 processes (pid_max here
# is 32768 and shared) and within the fd limit (20,000 here: a candidate
# keeps 8 files open, an empty group 1).
#
# Two figures per N, from bench/snapshot-cost (a small program linked
# against build/libthrashguard.a: 2 warm-up snapshots, then K timed ones,
# each given the time it would have 500 ms ([daemon] interval) after the
# previous one; CPU time from getrusage, user + system, divided by K):
#   idle  the real observer: quiet groups cost their usage per tick (and
#         their memory.pressure when the scope's stall moved); their other
#         counters and cgroup.procs are re-read only on activity or every
#         5-10 s (src/observe/, doc/internals.md);
#   busy  the same program with --busy (observer_set_always_full): every
#         file of every group on every tick, as when all groups are active
#         (the worst case, e.g. node-wide pressure).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BENCH=$TOP/build/bench/snapshot-cost
POPULATED_MAX=1000

one_case() {
	local n=$1 k=$2 populated m u i names=() pids_file
	# shellcheck source=SCRIPTDIR/../tests/e2e/lib.sh
	. "$TOP/tests/e2e/lib.sh"
	E2E_PIDS_MAX=$((POPULATED_MAX + 64))
	e2e_setup "bench-snapshot-$n" 900
	populated=$((n < POPULATED_MAX ? n : POPULATED_MAX))
	m=$(e2e_cgpath memory .)
	u=$(e2e_cgpath psi .)
	for ((i = 1; i <= n; i++)); do
		if ((i <= populated)); then
			names+=("$(printf 'docker-%064x.scope' "$i")")
		else
			names+=("$(printf 'empty%05d' "$i")")
		fi
	done
	(cd "$m" && printf '%s\0' "${names[@]}" | xargs -0 mkdir)
	[[ $u == "$m" ]] || (cd "$u" && printf '%s\0' "${names[@]}" | xargs -0 mkdir)
	for ((i = 0; i < populated; i++)); do
		if [[ $u == "$m" ]]; then
			"$E2E_TOOLS/cgexec" "$m/${names[i]}" -- sleep 900 &
		else
			"$E2E_TOOLS/cgexec" "$m/${names[i]}" "$u/${names[i]}" -- sleep 900 &
		fi
		E2E_PIDS+=("$!")
		disown "$!" # the cleanup kills them: no "Killed" notice per job
	done
	pids_file=$E2E_DIR/procs
	all_joined() {
		cat "$u"/docker-*/cgroup.procs >"$pids_file" 2>/dev/null || return 1
		(($(wc -l <"$pids_file") >= populated))
	}
	e2e_poll 120 all_joined || e2e_die "the sleep processes did not all join their groups"
	local idle busy
	idle=$("$BENCH" --scope "/$E2E_NAME" --snapshots "$k")
	busy=$("$BENCH" --busy --scope "/$E2E_NAME" --snapshots "$k")
	echo "groups=$n populated=$populated idle: $idle"
	echo "groups=$n populated=$populated busy: $busy"
}

main() {
	local counts="100 1000 10000" k=100 line n out kind
	while (($#)); do
		case $1 in
		--counts) counts=$2; shift 2 ;;
		--snapshots) k=$2; shift 2 ;;
		--case) one_case "$2" "$3"; return ;;
		*) echo "usage: $0 [--counts \"100 1000 10000\"] [--snapshots K]" >&2; return 2 ;;
		esac
	done
	((EUID == 0)) || { echo "snapshot-cost: needs root (real cgroups)" >&2; return 77; }
	"$HERE/build-tools.sh"
	local f='%-7s %-9s %-6s %-11s %-13s %-13s %-14s\n'
	# shellcheck disable=SC2059
	printf "$f" groups populated kind candidates "cpu ms/snap" "wall ms/snap" "first snap ms"
	for n in $counts; do
		out=$(bash "$0" --case "$n" "$k") || { echo "snapshot-cost: case $n failed" >&2; return 1; }
		while read -r line; do
			field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$line"; }
			kind=$(sed -n 's/.* \([a-z]*\): mode=.*/\1/p' <<<"$line")
			# shellcheck disable=SC2059
			printf "$f" "$(field groups)" "$(field populated)" "$kind" "$(field candidates)" \
				"$(field cpu_ms_per_snapshot)" "$(field wall_ms_per_snapshot)" \
				"$(field first_snapshot_cpu_ms)"
		done <<<"$out"
	done
}

main "$@"
