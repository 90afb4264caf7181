#!/bin/bash
# The benchmark's `node` part: story 5 on the systemd node of the VM test
# tier (tests/vm/node/), once per tool, workload and repetition, each in
# its own boot, driven by that tier's kit: one
#   tests/vm/run.sh --node --scenario-as NAME bench/vm/node-story5.sh \
#       'tg.tool=TOOL tg.workload=WORKLOAD tg.deadline=S' ...
# for all of them (the image checked and the run disk staged once).
#
#   bench/node.sh --out RAW [--bin build/thrashguard] [--tools build/tools]
#                 [--reps N] [--deadline S] [--accel tcg|kvm]
#                 [--only "kernel thrashguard oomd-default oomd-tuned earlyoom nohang mglru"]
#                 [--workloads "plateau grower"]
#
# Writes RAW/node/WORKLOAD/TOOL/rep-K/: result.json (the scenario's
# TGRESULT objects and the host's timings), console.log (its part of the
# console), reach.txt (the host's probe replies); RAW/node/run.log
# (run.sh's output); and one line per run on stderr as it ends.  The
# repetitions are the outer loop, the tools interleaved inside, as in the
# host part.  Boots QEMU: run it under the VM lock where the machine is
# shared (tests/vm/README.md).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools OUT='' REPS=2 DEADLINE=45 ACCEL=tcg
ONLY="kernel thrashguard oomd-default oomd-tuned earlyoom nohang mglru"
WORKLOADS="plateau grower"
while (($#)); do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--deadline) DEADLINE=$2; shift 2 ;;
	--accel) ACCEL=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--workloads) WORKLOADS=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "node.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ -n $OUT ]] || { echo "node.sh: --out RAW is required" >&2; exit 2; }
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "node.sh: --reps needs a positive number" >&2; exit 2; }
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
args=()
declare -A DIR=() WHAT=()
for ((rep = 1; rep <= REPS; rep++)); do
	for w in $WORKLOADS; do
		for tool in $ONLY; do
			name=s5-$w-$tool-$rep
			DIR[$name]=$OUT/node/$w/$tool/rep-$rep
			WHAT[$name]="$w, $tool, repetition $rep"
			rm -rf "${DIR[$name]}"
			args+=(--scenario-as "$name" "$HERE/vm/node-story5.sh" "tg.tool=$tool tg.workload=$w tg.deadline=$DEADLINE")
		done
	done
done
total=${#DIR[@]}
say "$total runs, one boot each"
rc=0
# (run.sh's lines are split into words on purpose, never globbed: set -f)
# shellcheck disable=SC2086
tests/vm/run.sh --node --bin "$BIN" --tools "$TOOLS" --accel "$ACCEL" "${args[@]}" 2>&1 | tee "$OUT/node/run.log" | {
	set -f
	t0=$SECONDS
	while IFS= read -r line; do
		case $line in
		"vm-node: boot "*)
			set -- ${line#vm-node: boot }
			say "[${1%:}/$total] ${WHAT[$2]:-$2}"
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
		"vm-node: "*" passed, "*" failed") say "${line#vm-node: }" ;;
		esac
	done
}
rc=${PIPESTATUS[0]}
grep -q '^SKIP:' "$OUT/node/run.log" && rc=1
exit "$rc"
