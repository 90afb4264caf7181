#!/bin/bash
# Story 2 at scale: the snapshot cost with and without 10,000 dying memory
# cgroups, in the pure cgroup v2 VM (the scenario: bench/vm/story2.sh, which
# says what it measures).  The story-2 part of `make bench` (bench/run.sh).
#
#   bench/story2.sh --out RAW [--bin build/thrashguard] [--tools build/tools]
#                   [--snapshots K] [--accel tcg|kvm]
#
# Writes RAW/story2.json (the scenario's results, from build/vm/results/)
# and RAW/story2.log (the VM tier's output).  --snapshots: K timed
# snapshots (and K rounds of reads) per point, default 50.  --accel: the
# VM tier's software emulation (tcg, the default: it runs anywhere; a
# /dev/kvm that opens may still fail to run the guest, as under nested
# virtualisation) or kvm.  Under tcg the CPU times are many times a real
# machine's: the ratios (with / without dying groups, one N to the next)
# are what it measures; the absolute goals are judged on the host's figures
# (bench/snapshot-cost.sh).  The accelerator is recorded in RAW/story2.json.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools OUT='' K=50 ACCEL=tcg
while (($#)); do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--snapshots) K=$2; shift 2 ;;
	--accel) ACCEL=$2; shift 2 ;;
	*) echo "story2: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ -n $OUT ]] || { echo "story2: --out RAW is required" >&2; exit 2; }
[[ $K =~ ^[1-9][0-9]*$ ]] || { echo "story2: --snapshots needs a positive number" >&2; exit 2; }
[[ $ACCEL == tcg || $ACCEL == kvm ]] || { echo "story2: --accel tcg or kvm" >&2; exit 2; }
mkdir -p "$OUT" && OUT=$(realpath "$OUT")
"$HERE/build-tools.sh"
# The VM's tools: the workload tools and the benchmark's programs, one
# directory for tests/vm/mkinitramfs.sh to carry (with their libraries).
VMTOOLS=$TOP/build/bench/story2-tools
rm -rf "$VMTOOLS"
mkdir -p "$VMTOOLS"
ln -s "$(realpath "$TOOLS")"/* "$VMTOOLS/"
ln -s "$TOP"/build/bench/{snapshot-cost,stat-read-cost,dying-memcgs} "$VMTOOLS/"
rm -f "$TOP/build/vm/results/story2.json"
rc=0
"$TOP/tests/vm/run.sh" --bin "$BIN" --tools "$VMTOOLS" --scenario-file "$HERE/vm/story2.sh" \
	--accel "$ACCEL" --append "tg.k=$K" >"$OUT/story2.log" 2>&1 || rc=$?
grep '^vm: ' "$OUT/story2.log" >&2 || true
[[ -s $TOP/build/vm/results/story2.json ]] || { echo "story2: no results (see $OUT/story2.log)" >&2; exit 1; }
python3 - "$TOP/build/vm/results/story2.json" "$OUT/story2.json" "$ACCEL" "$K" \
	"$(cat "$TOP/build/vm/kernel/release")" <<'PY'
import json, os, sys
src, dst, accel, k, kernel = sys.argv[1:]
r = {"accel": accel, "snapshots": int(k), "kernel": kernel, "results": json.load(open(src))}
json.dump(r, open(dst + ".tmp", "w"), indent=1)
os.replace(dst + ".tmp", dst)
PY
exit "$rc"
