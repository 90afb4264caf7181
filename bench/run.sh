#!/bin/bash
# thrashguard benchmarks, side by side with the tools operators use instead.
# What `make bench` runs.  Needs root (real cgroups); read
# docs/testing.md's safety rules before changing anything here.
#
#   bench/run.sh [--bin build/thrashguard] [--tools build/tools]
#                [--reps N] [--parts "host fp idle scale vm story2 node"] [--out DIR]
#                [--host-tools "kernel thrashguard naive earlyoom nohang nohang-psi"]
#                [--fp-tools "thrashguard naive"] [--quick]
#                [--vm-tools "kernel thrashguard earlyoom nohang oomd"]
#                [--node-tools "kernel thrashguard oomd-default oomd-tuned earlyoom nohang mglru"]
#                [--node-workloads "plateau grower"] [--node-reps N] [--node-lock FILE]
#                [--deadline S] [--idle-seconds S] [--vm-reps N] [--report-only]
#
#   --reps N         repetitions of each thrash run (default 3)
#   --parts LIST     which benchmarks (default all seven):
#                      host   the host thrash scenario (bench/thrash.sh), per
#                             tool and repetition, tools interleaved
#                      fp     the e2e false-positive scenarios fp-io,
#                             fp-cache, fp-spike with each of --fp-tools
#                             (bench/fp.sh), once each
#                      idle   idle cost of every tool at once (bench/idle.sh)
#                      scale  snapshot cost at 100/1,000/10,000 groups
#                             (bench/snapshot-cost.sh)
#                      vm     the node-wide scenario in a pure cgroup v2 VM
#                             (bench/vm/run.sh)
#                      story2 snapshot cost with and without 10,000 dying
#                             memory cgroups, in the VM (bench/story2.sh)
#                      node   story 5 on the VM tier's systemd node, one boot
#                             per tool, workload and repetition (bench/node.sh:
#                             tests/vm/run.sh --node --scenario-file
#                             bench/vm/node-story5.sh); alone, it adds its
#                             section to the page already there
#   --out DIR        results (default bench/results): README.md, results.json
#                    and the PNGs; raw data in DIR/raw/ (not committed)
#   --deadline S     how long a tool may take to act (default 45)
#   --vm-reps N      repetitions in the VM (default 2: a VM run under
#                    emulation takes about a minute per tool and repetition,
#                    and the benchmark, story2 apart, should stay under 30 minutes)
#   --node-tools     the node part's tools (default all seven above)
#   --node-workloads plateau (the database plateaus just under MemAvailable)
#                    and/or grower (it grows without bound); default both
#   --node-reps N    repetitions on the node (default 2; a boot takes
#                    about 3 minutes under emulation)
#   --node-lock FILE the node part takes this lock (a shared machine's VM
#                    lock) for each tool's boots rather than being run
#                    under it whole
#   --report-only    rebuild the page and plots from DIR/raw/ only
#   --quick          `make bench-quick`: one repetition of the host thrash
#                    scenario with thrashguard and the naive poller, and of
#                    the node's story 5 (plateau) with thrashguard and the
#                    kernel alone; results in build/bench-quick (never over
#                    the committed page), then the headline table; options
#                    after it still apply
#
# Every part records raw data only; bench/report.py computes the figures
# and writes the page.  A failed run is reported and the rest goes on; the
# exit status is 1 if anything failed.  Peers (earlyoom, nohang) run only
# inside a PID namespace holding just the scenario (bench/peers/); the VM
# runs its own copies.  The vm, story2 and node parts boot QEMU: where the
# machine is shared, run them under its VM lock (tests/vm/README.md).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools OUT=$HERE/results
REPS=3 VM_REPS='' DEADLINE=45 IDLE_S=60 REPORT_ONLY=0 QUICK=0
PARTS="host fp idle scale vm story2 node"
HOST_TOOLS="kernel thrashguard naive earlyoom nohang nohang-psi"
FP_TOOLS="thrashguard naive"
VM_TOOLS="kernel thrashguard earlyoom nohang oomd"
NODE_TOOLS="kernel thrashguard oomd-default oomd-tuned earlyoom nohang mglru"
NODE_WORKLOADS="plateau grower" NODE_REPS=2 NODE_LOCK=
ARGS=("$@")

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--vm-reps) VM_REPS=$2; shift 2 ;;
	--parts) PARTS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--host-tools) HOST_TOOLS=$2; shift 2 ;;
	--fp-tools) FP_TOOLS=$2; shift 2 ;;
	--quick)
		QUICK=1 REPS=1 PARTS="host node" HOST_TOOLS="thrashguard naive" OUT=$TOP/build/bench-quick
		NODE_TOOLS="thrashguard kernel" NODE_WORKLOADS=plateau NODE_REPS=1
		shift ;;
	--node-tools) NODE_TOOLS=$2; shift 2 ;;
	--node-workloads) NODE_WORKLOADS=$2; shift 2 ;;
	--node-reps) NODE_REPS=$2; shift 2 ;;
	--node-lock) NODE_LOCK=$2; shift 2 ;;
	--vm-tools) VM_TOOLS=$2; shift 2 ;;
	--deadline) DEADLINE=$2; shift 2 ;;
	--idle-seconds) IDLE_S=$2; shift 2 ;;
	--report-only) REPORT_ONLY=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench: unknown argument '$1'; try --help" >&2; exit 2 ;;
	esac
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "bench: --reps needs a positive number" >&2; exit 2; }
: "${VM_REPS:=$((REPS < 2 ? REPS : 2))}"
mkdir -p "$OUT" && OUT=$(realpath "$OUT")
RAW=$OUT/raw
mkdir -p "$RAW"

say() { printf 'bench: %s\n' "$*" >&2; }
report() { python3 "$HERE/report.py" --raw "$RAW" --out "$OUT"; }

if ((REPORT_ONLY)); then
	report
	exit $?
fi
((EUID == 0)) || { say "needs root (real cgroups, PID namespaces)"; exit 1; }
[[ -x $BIN ]] || { say "no daemon binary at $BIN (run make)"; exit 1; }
for t in cgexec monotime thrasher steady probe fileio; do
	[[ -x $TOOLS/$t ]] || { say "no $TOOLS/$t (run make tools)"; exit 1; }
done
for c in python3 gnuplot unshare; do
	command -v "$c" >/dev/null || { say "$c is missing (scripts/deps.sh bench)"; exit 1; }
done
BIN=$(realpath "$BIN")
TOOLS=$(realpath "$TOOLS")

now_s() { date +%s; }
T0=$(now_s)
FAILED=()
declare -A PART_S=()

# ---------------------------------------------------------------- meta

# shellcheck source=peers/peers.sh
. "$HERE/peers/peers.sh"
write_meta() {
	BM_LOAD_END=${1:-} BM_TG=$("$BIN" --version 2>&1 | head -n1) BM_EARLYOOM=$(peer_version earlyoom) \
		BM_NOHANG=$(peer_version nohang) BM_GNUPLOT=$(gnuplot --version 2>&1) \
		BM_COMMAND="bench/run.sh${ARGS[*]:+ ${ARGS[*]}}" python3 - "$RAW/meta.json" <<'EOF2'
import json, os, platform, subprocess, sys, time
path = sys.argv[1]
env = os.environ
try:
    m = json.load(open(path))
except (OSError, ValueError):
    m = {}
if not m.get("machine"):
    mem = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":", 1)
        mem[k] = int(v.split()[0])
    if os.path.exists("/sys/fs/cgroup/unified/cgroup.procs"):
        layout = "hybrid (v1 memory controller, unified v2 mirror for PSI)"
    elif os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        layout = "pure cgroup v2"
    else:
        layout = "v1"
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    m["machine"] = {
        "cpu": cpu, "nproc": str(os.cpu_count()), "mem": "%.1f GiB" % (mem["MemTotal"] / 1048576.0),
        "swap": ("%.1f GiB" % (mem["SwapTotal"] / 1048576.0)) if mem.get("SwapTotal") else "none",
        "kernel": platform.release(), "debian": open("/etc/debian_version").read().strip(), "cgroup": layout,
        "load": " ".join(open("/proc/loadavg").read().split()[0:3]),
    }
    m["versions"] = {"thrashguard": env["BM_TG"], "earlyoom": env["BM_EARLYOOM"], "nohang": env["BM_NOHANG"],
                     "gnuplot": env["BM_GNUPLOT"]}
    m["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
    m["command"] = env["BM_COMMAND"]
    m["reproduce"] = "make bench" if env["BM_COMMAND"] == "bench/run.sh --bin build/thrashguard --tools build/tools" \
        else "make bench  (this run: %s)" % env["BM_COMMAND"]
if env.get("BM_LOAD_END"):
    m["machine"]["load"] = "%s → %s" % (m["machine"]["load"].split(" → ")[0], env["BM_LOAD_END"])
json.dump(m, open(path + ".tmp", "w"), indent=1)
os.replace(path + ".tmp", path)
EOF2
}
meta_set() {
	python3 - "$RAW/meta.json" "$@" <<'EOF'
import json, os, sys
path = sys.argv[1]
m = json.load(open(path))
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    cur = m
    *parents, last = k.split(".")
    for p in parents:
        cur = cur.setdefault(p, {})
    cur[last] = v
json.dump(m, open(path + ".tmp", "w"), indent=1)
os.replace(path + ".tmp", path)
EOF
}
rm -f "$RAW/meta.json"
write_meta

# ---------------------------------------------------------------- parts

part_host() {
	local rep tool dir n=0 total
	total=$((REPS * $(wc -w <<<"$HOST_TOOLS")))
	rm -rf "$RAW/host"
	for ((rep = 1; rep <= REPS; rep++)); do
		for tool in $HOST_TOOLS; do
			n=$((n + 1))
			dir=$RAW/host/$tool/rep-$rep
			mkdir -p "$dir"
			say "host [$n/$total] $tool, repetition $rep"
			if ! "$HERE/thrash.sh" --tool "$tool" --out "$dir" --deadline "$DEADLINE" --bin "$BIN" \
				--tools "$TOOLS" >"$dir/run.log" 2>&1; then
				say "host: $tool repetition $rep FAILED (see $dir/run.log):"
				tail -n 5 "$dir/run.log" | sed 's/^/    /' >&2
				FAILED+=("host/$tool/rep-$rep")
			else
				grep -E ': (done|.*empty)' "$dir/run.log" | sed 's/^e2e\[[^]]*\]: /    /' >&2
			fi
		done
	done
}

part_fp() {
	local scn tool dir
	rm -rf "$RAW/fp"
	for scn in fp-io fp-cache fp-spike; do
		for tool in $FP_TOOLS; do
			dir=$RAW/fp/$scn/$tool/rep-1
			say "fp: $scn, $tool"
			if ! "$HERE/fp.sh" --scenario "$scn" --tool "$tool" --out "$dir" --bin "$BIN" --tools "$TOOLS" \
				2>"$RAW/fp-$scn-$tool.log"; then
				say "fp: $scn $tool FAILED (see $dir/run.log):"
				tail -n 5 "$dir/run.log" | sed 's/^/    /' >&2
				FAILED+=("fp/$scn/$tool")
			fi
			grep '^fp: ' "$RAW/fp-$scn-$tool.log" | sed 's/^/    /' >&2
		done
	done
}

part_idle() {
	rm -rf "$RAW/idle"
	mkdir -p "$RAW/idle"
	say "idle: every tool at once, ${IDLE_S} s (+5 s warm-up)"
	if ! "$HERE/idle.sh" --out "$RAW/idle/idle.json" --seconds "$IDLE_S" --bin "$BIN" --tools "$TOOLS" \
		>"$RAW/idle/run.log" 2>&1; then
		say "idle FAILED (see $RAW/idle/run.log)"
		tail -n 5 "$RAW/idle/run.log" | sed 's/^/    /' >&2
		FAILED+=(idle)
	else
		grep '^idle ' "$RAW/idle/run.log" | sed 's/^/    /' >&2
	fi
}

part_scale() {
	say "scale: bench/snapshot-cost.sh (100, 1,000 and 10,000 groups)"
	if ! "$HERE/snapshot-cost.sh" >"$RAW/scale.txt" 2>"$RAW/scale.log"; then
		say "scale FAILED (see $RAW/scale.log)"
		tail -n 5 "$RAW/scale.log" | sed 's/^/    /' >&2
		FAILED+=(scale)
	fi
	sed 's/^/    /' "$RAW/scale.txt" >&2
}

part_vm() {
	say "vm: node-wide scenario in a pure cgroup v2 VM (bench/vm/run.sh), tools: $VM_TOOLS"
	rm -rf "$RAW/vm" "$RAW/vm-meta.json"
	if ! "$HERE/vm/run.sh" --bin "$BIN" --tools "$TOOLS" --out "$RAW" --reps "$VM_REPS" \
		--deadline "$DEADLINE" --only "$VM_TOOLS" 2>&1 | tee "$RAW/vm.log" | grep --line-buffered '^vm' >&2; then
		say "vm FAILED (see $RAW/vm.log)"
		FAILED+=(vm)
	fi
}

part_story2() {
	say "story2: snapshot cost with and without 10,000 dying memory cgroups, in the VM (bench/story2.sh)"
	rm -f "$RAW/story2.json"
	if ! "$HERE/story2.sh" --bin "$BIN" --tools "$TOOLS" --out "$RAW" 2>"$RAW/story2.err"; then
		say "story2 FAILED (see $RAW/story2.log, $RAW/story2.err)"
		tail -n 5 "$RAW/story2.err" | sed 's/^/    /' >&2
		FAILED+=(story2)
	fi
	grep '^vm: ' "$RAW/story2.err" | sed 's/^/    /' >&2
}

part_node() {
	say "node: story 5 on the systemd node (bench/node.sh), workloads: $NODE_WORKLOADS, tools: $NODE_TOOLS"
	rm -rf "$RAW/node" "$RAW/node-meta.json"
	if ! "$HERE/node.sh" --bin "$BIN" --tools "$TOOLS" --out "$RAW" --reps "$NODE_REPS" --deadline "$DEADLINE" \
		--only "$NODE_TOOLS" --workloads "$NODE_WORKLOADS" ${NODE_LOCK:+--lock "$NODE_LOCK"} 2>&1 |
		tee "$RAW/node.log" | grep --line-buffered '^node' >&2; then
		say "node FAILED (see $RAW/node.log)"
		FAILED+=(node)
	fi
}

for part in $PARTS; do
	case $part in
	host | fp | idle | scale | vm | story2 | node) ;;
	*) say "unknown part '$part' (host fp idle scale vm story2 node)"; exit 2 ;;
	esac
	t=$(now_s)
	"part_$part"
	PART_S[$part]=$(($(now_s) - t))
	say "$part: $((PART_S[$part] / 60)) min $((PART_S[$part] % 60)) s"
done

TOTAL=$(($(now_s) - T0))
timing="total $((TOTAL / 60)) min $((TOTAL % 60)) s:"
for part in $PARTS; do timing+=" $part $((PART_S[$part] / 60)):$(printf '%02d' $((PART_S[$part] % 60)))"; done
timing+=", $REPS repetitions on the host"
[[ " $PARTS " == *" vm "* ]] && timing+=", $VM_REPS in the VM"
[[ " $PARTS " == *" node "* ]] && timing+=", $NODE_REPS on the node"
timing+=", deadline $DEADLINE s"
write_meta "$(cut -d' ' -f1-3 /proc/loadavg)"
meta_set "timing=$timing" "failed=${FAILED[*]:-}"
report || FAILED+=(report)
say "$timing"
((QUICK)) && [[ -s $OUT/headline.md ]] && cat "$OUT/headline.md"
if ((${#FAILED[@]})); then
	say "failed: ${FAILED[*]}"
	exit 1
fi
say "results: $OUT/README.md"
