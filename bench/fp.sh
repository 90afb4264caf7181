#!/bin/bash
# One run of a false-positive scenario of the e2e suite (fp-io, fp-cache,
# fp-spike: tests/e2e/scenarios/) with ONE tool in charge, to show who
# kills what thrashguard rightly spares.
#
#   bench/fp.sh --scenario fp-io|fp-cache|fp-spike --tool thrashguard|naive
#               --out DIR [--bin BIN] [--tools DIR]
#
# The scenario file is sourced as it is, the way tests/e2e/run.sh runs it
# (its node, workloads, checks and deadline, under a private journald,
# tests/e2e/with-journal.sh); only the tool differs:
#   thrashguard  the scenario's own tg_daemon_start (the real daemon on the
#                node scope, the scenario's settings)
#   naive        tg_daemon_start starts bench/peers/naive.sh on the node
#                scope instead (the scenario's daemon settings do not apply
#                to it); its output stamped by bench/peers/tslog.py
# The scenario's checks are thrashguard's: for naive, "no decision entry"
# holds trivially and the workload checks ("the IO pod is alive") are what
# a kill fails.
#
# Records raw data only, in DIR: meta.json (scenario, tool, exit status,
# the checks that failed, every kill: time since the scenario began and,
# where the scenario times one, since pressure start; the cgroup and whose
# it was), result.json (the scenario's own result),
# journal.json, daemon.log (the tool's output), run.log, groups.txt.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SCN_DIR=$TOP/tests/e2e/scenarios
FP_SCENARIOS="fp-io fp-cache fp-spike"

# ---- the child: the scenario itself, inside with-journal.sh
if [[ ${1:-} == --child ]]; then
	scn=$2 tool=$3
	# shellcheck source=../tests/e2e/lib.sh
	. "$TOP/tests/e2e/lib.sh"
	# shellcheck source=../tests/e2e/scenarios/_common.sh
	. "$SCN_DIR/_common.sh"
	SCN_DEADLINE=120
	# shellcheck disable=SC1090
	. "$SCN_DIR/$scn.sh"
	if [[ $tool == naive ]]; then
		# shellcheck disable=SC2317 # called by the scenario
		tg_daemon_start() {
			[[ $TG_SCOPE == /tg-e2e-*/node ]] || e2e_die "refusing to start the naive poller on scope '$TG_SCOPE'"
			TG_DAEMON_CMD=(/bin/sh "$HERE/peers/naive.sh" "$TG_SCOPE")
			e2e_log "naive poller: ${TG_DAEMON_CMD[*]} (the scenario's daemon arguments '$*' do not apply)"
			"${TG_DAEMON_CMD[@]}" </dev/null > >(python3 "$HERE/peers/tslog.py" >>"$E2E_DIR/daemon.log") 2>&1 &
			TG_DPID=$!
			e2e_poll 5 grep -q 'naive: watching' "$E2E_DIR/daemon.log" ||
				tg_fatal "the naive poller did not start: $(cat "$E2E_DIR/daemon.log")"
		}
	fi
	# Whose group is whose, for meta.json (before the groups go).
	# shellcheck disable=SC2317 # called at cleanup
	fp_groups() {
		local v cg
		{
			echo "t0_ms $TG_T0_MS"
			[[ -n ${T_PRESSURE:-} ]] && echo "t_pressure_ms $T_PRESSURE"
			for v in TH NB IO CACHE; do
				cg=${v}_CG
				[[ -n ${!cg:-} ]] && echo "$v ${!cg}"
			done
			[[ -n ${TG_KUBELET:-} ]] && echo "kubelet $(tg_cg "$TG_KUBELET")"
		} >"$TG_LOGDIR/groups.txt"
	}
	e2e_journal_require
	tg_begin "bench-$scn-$tool" "$SCN_DEADLINE"
	e2e_on_cleanup fp_groups
	scn_run
	tg_finish
fi

# ---- the driver
SCN='' TOOL='' OUT='' BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools
while (($#)); do
	case $1 in
	--scenario) SCN=$2; shift 2 ;;
	--tool) TOOL=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	*) echo "fp.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ " $FP_SCENARIOS " == *" $SCN "* ]] || { echo "fp.sh: --scenario ${FP_SCENARIOS// /|}" >&2; exit 2; }
case $TOOL in thrashguard | naive) ;; *) echo "fp.sh: --tool thrashguard|naive" >&2; exit 2 ;; esac
[[ -n $OUT ]] || { echo "fp.sh: --out DIR is required" >&2; exit 2; }
rm -rf "$OUT" && mkdir -p "$OUT" && OUT=$(realpath "$OUT")
BIN=$(realpath "$BIN")
TOOLS=$(realpath "$TOOLS")
# shellcheck disable=SC1090
deadline=$(SCN_DEADLINE=120; . "$SCN_DIR/$SCN.sh" >/dev/null 2>&1; echo "$SCN_DEADLINE")

rc=0
E2E_TOOLS=$TOOLS TG_BIN=$BIN TG_RESULT=$OUT/result.json TG_LOGDIR=$OUT \
	timeout --kill-after=20 $((deadline + 40)) "$TOP/tests/e2e/with-journal.sh" --out "$OUT/journal.json" \
	bash "$0" --child "$SCN" "$TOOL" >"$OUT/run.log" 2>&1 || rc=$?

python3 - "$OUT" "$SCN" "$TOOL" "$rc" <<'EOF'
import json, os, sys
out, scn, tool, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
names = {"TH": "thrasher", "NB": "neighbour", "IO": "IO pod", "CACHE": "cache reader", "kubelet": "kubelet"}
groups, t0, tp = {}, None, None
try:
    for line in open(os.path.join(out, "groups.txt")):
        k, _, v = line.strip().partition(" ")
        if k == "t0_ms":
            t0 = float(v)
        elif k == "t_pressure_ms":
            tp = float(v)
        else:
            groups[v] = names.get(k, k)
except OSError:
    pass

def since(t_ms):
    """seconds since the scenario began, and since pressure start (fp-spike)"""
    k = {"t_s": round((t_ms - t0) / 1000.0, 1) if t0 else None}
    if tp:
        k["after_pressure_s"] = round((t_ms - tp) / 1000.0, 1)
    return k


def whose(cg):
    if cg in groups:
        return groups[cg]
    held = [n for g, n in groups.items() if g.startswith(cg + "/")]
    return "%s (holding %s)" % (cg, ", ".join(held)) if held else cg

kills = []
if tool == "naive":
    try:
        for line in open(os.path.join(out, "daemon.log"), errors="replace"):
            stamp, _, text = line.rstrip("\n").partition(" ")
            if text.startswith("naive: kill "):
                cg = text.split()[2]
                kills.append(dict(since(float(stamp)), cgroup=cg, whose=whose(cg)))
    except (OSError, ValueError):
        pass
else:
    try:
        for line in open(os.path.join(out, "journal.json")):
            e = json.loads(line)
            if e.get("THRASHGUARD_EVENT") == "acted":
                cg = e.get("THRASHGUARD_CGROUP", "?")
                t = int(e.get("__MONOTONIC_TIMESTAMP", 0)) / 1000.0
                kills.append(dict(since(t), cgroup=cg, whose=whose(cg), action=e.get("THRASHGUARD_ACTION")))
    except (OSError, ValueError):
        pass
res = {}
try:
    res = json.load(open(os.path.join(out, "result.json")))
except (OSError, ValueError):
    pass
failed = [c["what"] for c in res.get("checks", []) if not c.get("ok")]
m = {"scenario": scn, "tool": tool, "exit_status": rc, "checks_passed": res.get("checks_passed"),
     "checks_failed": failed, "kills": kills, "load": open("/proc/loadavg").read().split()[0]}
json.dump(m, open(os.path.join(out, "meta.json"), "w"), indent=1)
print("fp: %s %s: exit %d, %d kill(s)%s%s" % (scn, tool, rc, len(kills),
      "".join("; %s at +%s s%s" % (k["whose"], k["t_s"], (", %s s after pressure start" % k["after_pressure_s"])
                                   if "after_pressure_s" in k else "") for k in kills),
      ("; failed checks: " + "; ".join(failed)) if failed else ""), file=sys.stderr)
EOF
# Exit 0 when the run itself worked: a kill is a finding, not a failure;
# a scenario that could not set up its conditions (tg_fatal) is one.
grep -q 'FAIL: .*\(no pressure\|did not\|could not\)' "$OUT/run.log" && exit 1
((rc == 0 || rc == 1)) || exit 1
exit 0
