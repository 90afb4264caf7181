#!/bin/bash
# Runs the end-to-end scenarios: the real daemon on real cgroups under real
# memory pressure, with a real (private) journald.  What `make check-e2e`
# runs.  Needs root; read docs/testing.md (safety rules) before changing a
# scenario.
#
# Usage: tests/e2e/run.sh [--bin BIN] [--tools DIR] [--out DIR]
#                         [--only NAME...] [--repeat N] [--list]
#
#   --bin BIN     the daemon (default build/thrashguard)
#   --tools DIR   the workload tools (default build/tools)
#   --out DIR     results (default build/e2e/results): NAME.json (the
#                 verdict, checks and figures), NAME.log (the scenario's
#                 stderr), NAME.journal.json (its private journal),
#                 NAME.d/ (daemon log, samples, probe timelines); with
#                 --repeat, run-K/ for each round
#   --only NAME   run only these scenarios (repeatable; also a
#                 comma-separated list); names scenarios that are not in
#                 the default set too (thrash-baseline)
#   --repeat N    run the selection N times in a row (stability)
#   --list        list the scenarios and exit
#
# Each scenario is tests/e2e/scenarios/NAME.sh, sourced into a fresh bash
# under tests/e2e/with-journal.sh, with lib.sh's e2e_setup (its own groups,
# traps and hard deadline); run.sh adds an outer timeout.  One verdict line
# per scenario (PASS, FAIL or SKIP), then exactly `e2e: N passed, N failed`.
# A skipped scenario is not a pass.  Exit status: 0 when every scenario
# passed; 1 when any failed (or when not root: these tests cannot pass
# without real cgroups, and CI runs as root); 77 when nothing failed but
# something was skipped.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCN_DIR=$HERE/scenarios

# ---------------------------------------------------------------- child

# `run.sh --child NAME`: one scenario, inside with-journal.sh.
if [[ ${1:-} == --child ]]; then
	name=$2
	# shellcheck source=SCRIPTDIR/lib.sh
	. "$HERE/lib.sh"
	# shellcheck source=SCRIPTDIR/scenarios/_common.sh
	. "$SCN_DIR/_common.sh"
	SCN_DEADLINE=120
	SCN_DEFAULT=1
	# shellcheck disable=SC1090
	. "$SCN_DIR/$name.sh"
	e2e_journal_require
	tg_begin "$name" "$SCN_DEADLINE"
	scn_run
	tg_finish
fi

# ---------------------------------------------------------------- driver

BIN=$ROOT/build/thrashguard
TOOLS=$ROOT/build/tools
OUT=$ROOT/build/e2e/results
ONLY=()
REPEAT=1
LIST=0

usage() {
	sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

while (($#)); do
	case $1 in
	--bin) BIN=${2:?--bin BIN}; shift 2 ;;
	--tools) TOOLS=${2:?--tools DIR}; shift 2 ;;
	--out) OUT=${2:?--out DIR}; shift 2 ;;
	--only)
		shift
		(($#)) || { echo "run.sh: --only needs a name" >&2; exit 2; }
		while (($#)) && [[ $1 != --* ]]; do
			IFS=, read -ra _names <<<"$1"
			ONLY+=("${_names[@]}")
			shift
		done ;;
	--repeat) REPEAT=${2:?--repeat N}; shift 2 ;;
	--list) LIST=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'; try --help" >&2; exit 2 ;;
	esac
done
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat needs a positive number" >&2; exit 2; }

# A scenario's metadata without running it.
scn_meta() {
	local f=$SCN_DIR/$1.sh
	(
		SCN_DEADLINE=120 SCN_DEFAULT=1 SCN_SUMMARY=
		# shellcheck disable=SC1090
		. "$f" >/dev/null 2>&1
		echo "$SCN_DEADLINE $SCN_DEFAULT $SCN_SUMMARY"
	)
}

ALL=()
for f in "$SCN_DIR"/*.sh; do
	n=$(basename "$f" .sh)
	[[ $n == _* ]] && continue
	ALL+=("$n")
done

# The default order: cheap negatives and the main case first, so that a
# broken daemon shows early.
ORDER=(thrash local-thrash leak forkstorm freeze freeze-kill freeze-release dry-run
	fp-io fp-cache fp-spike all-protected)

if ((LIST)); then
	for n in "${ALL[@]}"; do
		read -r dl def summary < <(scn_meta "$n")
		printf '%-16s %s deadline %3ss  %s\n' "$n" "$([[ $def == 1 ]] && echo default || echo 'on demand')" "$dl" "$summary"
	done
	exit 0
fi

SEL=()
if ((${#ONLY[@]})); then
	for n in "${ONLY[@]}"; do
		[[ -f $SCN_DIR/$n.sh && $n != _* ]] || { echo "run.sh: no scenario '$n' (see --list)" >&2; exit 2; }
		SEL+=("$n")
	done
else
	for n in "${ORDER[@]}"; do
		[[ -f $SCN_DIR/$n.sh ]] && SEL+=("$n")
	done
	for n in "${ALL[@]}"; do
		[[ " ${SEL[*]} " == *" $n "* ]] && continue
		read -r _ def _ < <(scn_meta "$n")
		[[ $def == 1 ]] && SEL+=("$n")
	done
fi

fail_setup() {
	echo "e2e: $*" >&2
	echo "e2e: 0 passed, ${#SEL[@]} failed"
	exit 1
}

((${#SEL[@]})) || fail_setup "no scenario selected"
if ((EUID != 0)); then
	fail_setup "needs root (real cgroups, a private journald); run it as root or with sudo — CI runs as root"
fi
[[ -x $BIN ]] || fail_setup "no daemon binary at $BIN (run make)"
for t in monotime thrasher leaker steady probe forkstorm fileio; do
	[[ -x $TOOLS/$t ]] || fail_setup "no $TOOLS/$t (run make tools)"
done
command -v python3 >/dev/null || fail_setup "python3 is needed to read the journal"
BIN=$(realpath -- "$BIN")
TOOLS=$(realpath -- "$TOOLS")
mkdir -p "$OUT" || fail_setup "cannot create $OUT"
OUT=$(realpath -- "$OUT")

# Merges the child's result (if any) with the verdict, atomically.
write_verdict() {
	local file=$1 name=$2 verdict=$3 rc=$4 wall_ms=$5 round=$6
	python3 - "$file" "$name" "$verdict" "$rc" "$wall_ms" "$round" <<'EOF'
import json, os, sys
path, name, verdict, rc, wall_ms, round_ = sys.argv[1:7]
try:
    with open(path) as f:
        r = json.load(f)
except (OSError, ValueError):
    r = {}
out = {"scenario": name, "verdict": verdict, "exit_status": int(rc),
       "wall_s": round(int(wall_ms) / 1000.0, 1), "round": int(round_)}
out.update({k: v for k, v in r.items() if k not in out})
with open(path + ".tmp", "w") as f:
    json.dump(out, f, indent=1, sort_keys=False)
    f.write("\n")
os.replace(path + ".tmp", path)
EOF
}

now_ms() { "$TOOLS/monotime" --ms; }

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
SKIPPED_NAMES=()
CHILD=
trap '[[ -n $CHILD ]] && kill -TERM "$CHILD" 2>/dev/null; echo "e2e: interrupted" >&2; exit 130' INT TERM

T_ALL=$(now_ms)
for ((round = 1; round <= REPEAT; round++)); do
	dir=$OUT
	if ((REPEAT > 1)); then
		dir=$OUT/run-$round
		echo "e2e: round $round of $REPEAT" >&2
	fi
	mkdir -p "$dir"
	for n in "${SEL[@]}"; do
		read -r deadline _ _ < <(scn_meta "$n")
		rm -rf "${dir:?}/$n.d" "$dir/$n.json" "$dir/$n.log" "$dir/$n.journal.json"
		mkdir -p "$dir/$n.d"
		t0=$(now_ms)
		# The scenario's own watchdog stops it at its deadline; this
		# timeout is the last resort should that fail too.
		E2E_TOOLS=$TOOLS TG_BIN=$BIN TG_RESULT=$dir/$n.json TG_LOGDIR=$dir/$n.d \
			timeout --kill-after=20 $((deadline + 40)) \
			"$HERE/with-journal.sh" --out "$dir/$n.journal.json" \
			bash "$HERE/run.sh" --child "$n" >"$dir/$n.log" 2>&1 &
		CHILD=$!
		rc=0
		wait "$CHILD" || rc=$?
		CHILD=
		wall=$(($(now_ms) - t0))
		secs=$(printf '%d.%d' $((wall / 1000)) $((wall % 1000 / 100)))
		case $rc in
		0) verdict=pass ;;
		77) verdict=skip ;;
		*) verdict=fail ;;
		esac
		write_verdict "$dir/$n.json" "$n" "$verdict" "$rc" "$wall" "$round"
		case $verdict in
		pass)
			PASSED=$((PASSED + 1))
			printf 'PASS  %-16s %6ss\n' "$n" "$secs" ;;
		skip)
			SKIPPED=$((SKIPPED + 1))
			SKIPPED_NAMES+=("$n")
			printf 'SKIP  %-16s %6ss  %s\n' "$n" "$secs" "$(grep -m1 -o 'SKIP: .*' "$dir/$n.log")" ;;
		fail)
			FAILED=$((FAILED + 1))
			FAILED_NAMES+=("$n")
			why=$(grep -m1 -E 'FAIL: ' "$dir/$n.log" | sed 's/.*FAIL: //')
			[[ $rc == 124 || $rc == 137 ]] && why="deadline (exit $rc)${why:+; $why}"
			printf 'FAIL  %-16s %6ss  %s\n' "$n" "$secs" "${why:-exit $rc}"
			echo "---- $dir/$n.log (last 60 lines)" >&2
			tail -n 60 "$dir/$n.log" | sed 's/^/  | /' >&2 ;;
		esac
	done
done
T_ALL=$(($(now_ms) - T_ALL))

printf 'e2e: %d scenario run(s) in %d.%d s; results in %s\n' $((PASSED + FAILED + SKIPPED)) \
	$((T_ALL / 1000)) $((T_ALL % 1000 / 100)) "$OUT" >&2
if ((SKIPPED)); then
	echo "e2e: $SKIPPED skipped (not counted as passed): ${SKIPPED_NAMES[*]}"
fi
((FAILED)) && echo "e2e: failed: ${FAILED_NAMES[*]}" >&2
echo "e2e: $PASSED passed, $FAILED failed"
((FAILED)) && exit 1
((SKIPPED)) && exit 77
exit 0
