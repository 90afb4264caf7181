#!/bin/bash
# The benchmark's `node` part: story 5 on the systemd node of the VM test
# tier (tests/vm/node/), once per tool, workload and repetition, each in
# its own boot, driven by that tier's kit: per tool and repetition one
#   tests/vm/run.sh --node --scenario-as NAME bench/vm/node-story5.sh \
#       'tg.tool=TOOL tg.workload=WORKLOAD tg.deadline=S' ...
# with a boot for each workload.
#
#   bench/node.sh --out RAW [--bin build/thrashguard] [--tools build/tools]
#                 [--reps N] [--first-rep K] [--deadline S] [--accel tcg|kvm]
#                 [--only "kernel thrashguard oomd-default oomd-tuned earlyoom nohang mglru"]
#                 [--workloads "plateau grower"] [--lock FILE] [--note TEXT]
#
#   --reps N, --first-rep K  repetitions K .. K+N-1 (default 1 .. 2): a
#                 later invocation adds repetitions without touching the
#                 others' results
#   --lock FILE   each run.sh under `flock FILE` (a machine's VM lock: held
#                 for one tool's boots, not for the whole part)
#   --note TEXT   said on the results page (why the repetitions are what
#                 they are, ...)
#
# Writes RAW/node/WORKLOAD/TOOL/rep-K/: result.json (the scenario's
# TGRESULT objects and the host's timings), console.log (its part of the
# console), reach.txt (the host's probe replies); RAW/node/run-TOOL-K.log
# (run.sh's output); appends what ran to RAW/node-meta.json; one line per
# run on stderr as it ends.  The repetitions are the outer loop, the
# tools interleaved inside, as in the host part.  Boots QEMU: where the
# machine is shared, under its VM lock (--lock, or the whole under flock).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools OUT='' REPS=2 FIRST_REP=1 DEADLINE=45 ACCEL=tcg LOCK='' NOTE=''
ARGS=("$@")
ONLY="kernel thrashguard oomd-default oomd-tuned earlyoom nohang mglru"
WORKLOADS="plateau grower"
while (($#)); do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--first-rep) FIRST_REP=$2; shift 2 ;;
	--lock) LOCK=$2; shift 2 ;;
	--note) NOTE=$2; shift 2 ;;
	--deadline) DEADLINE=$2; shift 2 ;;
	--accel) ACCEL=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--workloads) WORKLOADS=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "node.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ -n $OUT ]] || { echo "node.sh: --out RAW is required" >&2; exit 2; }
[[ $REPS =~ ^[1-9][0-9]*$ && $FIRST_REP =~ ^[1-9][0-9]*$ ]] ||
	{ echo "node.sh: --reps and --first-rep need a positive number" >&2; exit 2; }
for w in $WORKLOADS; do
	case $w in plateau | grower) ;; *) echo "node.sh: unknown workload '$w' (plateau grower)" >&2; exit 2 ;; esac
done
mkdir -p "$OUT/node" && OUT=$(realpath "$OUT")
BIN=$(realpath "$BIN")
TOOLS=$(realpath "$TOOLS")
VM=$TOP/build/vm
say() { printf 'node: %s\n' "$*" >&2; }

# summary DIR: one line of a run's figures
summary() {
	python3 - "$1/result.json" <<'EOF'
import json, sys
try:
    res = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("no results")
    sys.exit(0)
b = next((o for o in res if o.get("type") == "bench"), None)
if not b:
    bad = [o.get("name", "") + ": " + o.get("detail", "") for o in res if o.get("type") == "check" and not o.get("ok")]
    skip = [o.get("detail", "") for o in res if o.get("type") == "tool" and o.get("available") is False]
    print("not measured: " + "; ".join(skip or bad or ["no bench result"]))
    sys.exit(0)
def s(ms):
    return "never" if ms is None else "%.1f s" % (ms / 1000.0)
w = b.get("window_json") or {}
print("pressure -> empty %s, -> action %s, probe p99 %s ms, max %s ms, longest silence %s ms, kernel OOM kills %s, lost: %s"
      % (s(b.get("pressure_to_empty_ms")), s(b.get("pressure_to_action_ms")), w.get("p99_ms"), w.get("max_ms"),
         w.get("longest_silence_ms"), b.get("kernel_oom_kills"), b.get("lost") or "nothing else"))
EOF
}

cd "$TOP" || exit 1
declare -A DIR=() WHAT=()
total=$((REPS * $(wc -w <<<"$ONLY") * $(wc -w <<<"$WORKLOADS"))) n=0 rc=0 t_all=$SECONDS

# batch TOOL REP: one run.sh for the workloads of TOOL (a boot each),
# under the lock when one is given; its results into their directories
batch() {
	local tool=$1 rep=$2 w name args=() log=$OUT/node/run-$1-$2.log brc
	for w in $WORKLOADS; do
		name=s5-$w-$tool-$rep
		DIR[$name]=$OUT/node/$w/$tool/rep-$rep
		WHAT[$name]="$w, $tool, repetition $rep"
		rm -rf "${DIR[$name]}"
		args+=(--scenario-as "$name" "$HERE/vm/node-story5.sh" "tg.tool=$tool tg.workload=$w tg.deadline=$DEADLINE")
	done
	# (run.sh's lines are split into words on purpose, never globbed: set -f)
	# shellcheck disable=SC2086
	${LOCK:+flock "$LOCK"} tests/vm/run.sh --node --bin "$BIN" --tools "$TOOLS" --accel "$ACCEL" "${args[@]}" 2>&1 |
		tee "$log" | {
		set -f
		t0=$SECONDS
		while IFS= read -r line; do
			case $line in
			"vm-node: boot "*)
				set -- ${line#vm-node: boot }
				n=$((n + 1))
				say "[$n/$total] ${WHAT[$2]:-$2}"
				t0=$SECONDS
				;;
			"vm-node: s5-"*)
				set -- ${line#vm-node: }
				name=$1 status=$2
				[ -n "${DIR[$name]:-}" ] || continue
				case $status in PASS | FAIL | SKIP) ;; *) continue ;; esac
				d=${DIR[$name]}
				mkdir -p "$d"
				cp "$VM/results/$name.json" "$d/result.json" 2>/dev/null
				cp "$VM/$name.log" "$d/console.log" 2>/dev/null
				cp "$VM/boot.$name.reach" "$d/reach.txt" 2>/dev/null
				say "    $status: $(summary "$d") ($((SECONDS - t0)) s)"
				;;
			SKIP:*) say "$line" ;;
			esac
		done
	}
	brc=${PIPESTATUS[0]}
	grep -q '^SKIP:' "$log" && brc=1
	return "$brc"
}

say "$total runs, one boot each${LOCK:+, the lock $LOCK taken per tool}"
for ((rep = FIRST_REP; rep < FIRST_REP + REPS; rep++)); do
	for tool in $ONLY; do
		batch "$tool" "$rep" || rc=1
		n=$((n + $(wc -w <<<"$WORKLOADS")))
	done
done
# what ran, appended to RAW/node-meta.json (the page says it)
python3 - "$OUT/node-meta.json" "bench/node.sh${ARGS[*]:+ ${ARGS[*]}}" "$total" $((SECONDS - t_all)) "$NOTE" <<'EOF'
import json, sys
path, cmd, boots, secs, note = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
try:
    m = json.load(open(path))
except (OSError, ValueError):
    m = {}
m.setdefault("runs", []).append({"command": cmd, "boots": boots, "wall_s": secs})
if note:
    m["note"] = note
json.dump(m, open(path, "w"), indent=1)
EOF
exit "$rc"
