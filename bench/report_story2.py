"""report_story2.py: the story-2 section of the results page (bench/report.py).

Reads raw/story2.json (bench/story2.sh: the accelerator, K, and the TGRESULT
objects of bench/vm/story2.sh), writes raw/plot/story2.dat and, through
bench/plot-story2.gp, out/story2-cost.png: CPU ms per snapshot against the
number of groups, on a clean node and with 10,000 dying memory cgroups,
next to the cost of reading the root's and every candidate's memory.stat.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTS = (100, 1000, 10000)
GOAL_MS = {1000: 5.0, 10000: 30.0}
GOAL_DYING_RATIO = 1.2


def load(raw):
    try:
        d = json.load(open(os.path.join(raw, "story2.json")))
    except (OSError, ValueError):
        return None
    snap, stat, point, point_end, dying, checks = {}, {}, {}, {}, None, []
    for o in d.get("results", []):
        t = o.get("type")
        if t == "snapshot":
            snap[(o["phase"], o["groups"], o["kind"])] = o
        elif t == "statread":
            stat[(o["phase"], o["groups"], o["what"])] = o
        elif t == "point":
            point[(o["phase"], o["groups"])] = o
        elif t == "point_end":
            point_end[(o["phase"], o["groups"])] = o
        elif t == "dying":
            dying = o
        elif t == "check":
            checks.append(o)
    return {"accel": d.get("accel", "?"), "k": d.get("snapshots"), "kernel": d.get("kernel", "?"), "snap": snap, "stat": stat,
            "point": point, "point_end": point_end, "dying": dying, "checks": checks}


def _cpu(s, phase, n, kind):
    o = s["snap"].get((phase, n, kind))
    return o["cpu_ms_per_snapshot"] if o else None


def _read(s, phase, n, what):
    o = s["stat"].get((phase, n, what))
    return o["cpu_ms_per_round"] if o else None


def _f(x, fmt="%.1f"):
    return "–" if x is None else fmt % x


def _dying_left(s, n):
    """The fewest dying groups seen at the start and the end of point n."""
    pt = s["point"].get(("dying", n))
    if not pt:
        return None
    end = s["point_end"].get(("dying", n), pt)
    return min(pt.get("nr_dying_descendants", 0), end.get("nr_dying_descendants", 0))


def _dying_valid(s, n):
    """Whether the dying groups were there through point n: reclaim empties
    and frees them first, and a point without them measures nothing."""
    made = (s["dying"] or {}).get("groups") or 0
    left = _dying_left(s, n)
    return left is not None and left >= made * 0.95


def _ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def plot(s, raw, out):
    pd = os.path.join(raw, "plot")
    os.makedirs(pd, exist_ok=True)
    dat = os.path.join(pd, "story2.dat")
    with open(dat, "w") as f:
        f.write("# groups clean_idle clean_busy dying_idle dying_busy root_clean root_dying cand_clean cand_dying\n")
        for n in COUNTS:
            ok = _dying_valid(s, n)
            v = [_cpu(s, "clean", n, "idle"), _cpu(s, "clean", n, "busy"), ok and _cpu(s, "dying", n, "idle"),
                 ok and _cpu(s, "dying", n, "busy"), _read(s, "clean", n, "root"), ok and _read(s, "dying", n, "root"),
                 _read(s, "clean", n, "candidates"), ok and _read(s, "dying", n, "candidates")]
            v = [x if x else None for x in v]
            f.write("%d %s\n" % (n, " ".join("NaN" if x is None else "%.4f" % x for x in v)))
    ttl = "snapshot cost in the pure cgroup v2 VM (%s)" % s["accel"]
    try:
        p = subprocess.run(["gnuplot", "-e", "datafile='%s'; outfile='%s'; ttl='%s'" % (
            dat, os.path.join(out, "story2-cost.png"), ttl), os.path.join(HERE, "plot-story2.gp")],
            capture_output=True, text=True)
    except OSError as e:
        print("report.py: gnuplot (story 2): %s" % e, file=sys.stderr)
        return False
    if p.returncode != 0:
        print("report.py: gnuplot (story 2) failed: %s" % p.stderr, file=sys.stderr)
        return False
    return True


def section(raw, out, scale):
    """(page lines, target rows, results dict) or None without raw/story2.json."""
    s = load(raw)
    if s is None:
        return None
    lines, tg = [], []
    w = lines.append
    dy = s["dying"] or {}
    w("## Story 2 at scale: 10,000 dying memory cgroups (`bench/story2.sh`, VM)\n")
    w("In the pure cgroup v2 VM (`bench/vm/story2.sh`; Debian kernel %s, 2 vCPUs, 2 GiB, QEMU %s): "
      "N groups below the scope `/pods` (the first min(N, 1,000) with a sleeping process: the candidates; "
      "the others empty), measured at N = 100, 1,000, 10,000 on a clean node; then %s groups made and removed "
      "below `/pods` the way short-lived pods are (mkdir, join, read %s pages of a file on the data disk "
      "without readahead, leave, rmdir), leaving `nr_dying_descendants` = %s in the root's `cgroup.stat`; "
      "then measured again. CPU ms from getrusage, %s timed snapshots or rounds of reads per point.\n" % (
          s["kernel"], s["accel"].upper(), "{:,}".format(dy["groups"]) if dy.get("groups") else "–",
          _f(dy.get("pages_per_group"), "%d"), "{:,}".format(dy["nr_dying_descendants"]) if "nr_dying_descendants" in dy else "–", _f(s["k"], "%d")))
    w("| groups (candidates) | snapshot idle, clean → dying (CPU ms) | ratio | snapshot busy, clean → dying | ratio "
      "| every candidate's memory.stat, clean → dying | root memory.stat (cAdvisor), clean → dying "
      "| dying groups (least over the point) |")
    w("|---|---|---|---|---|---|---|---|")
    ratios = []
    for n in COUNTS:
        ci, di = _cpu(s, "clean", n, "idle"), _cpu(s, "dying", n, "idle")
        cb, db = _cpu(s, "clean", n, "busy"), _cpu(s, "dying", n, "busy")
        left, valid = _dying_left(s, n), _dying_valid(s, n)
        if not valid:
            di = db = None
        dread = lambda what: _read(s, "dying", n, what) if valid else None
        ri, rb = _ratio(di, ci), _ratio(db, cb)
        ratios += [x for x in (ri, rb) if x is not None]
        cand = (s["snap"].get(("clean", n, "idle")) or {}).get("candidates", "?")
        w("| %s (%s) | %s → %s | %s | %s → %s | %s | %s → %s | %s → %s | %s |" % (
            "{:,}".format(n), cand, _f(ci), _f(di), _f(ri, "%.2f×"), _f(cb), _f(db), _f(rb, "%.2f×"),
            _f(_read(s, "clean", n, "candidates")), _f(dread("candidates")),
            _f(_read(s, "clean", n, "root"), "%.3f"), _f(dread("root"), "%.3f"),
            "–" if left is None else "{:,}".format(left)))
    w("")
    pc = s["point"].get(("clean", 10000), {})
    p0 = s["point"].get(("clean", 100), {})
    if pc and p0:
        w("Kernel memory (Percpu + Slab in /proc/meminfo): %.0f KiB per live group (from 100 to 10,000 groups); "
          "%s KiB per dying group (after making them, with 10,000 live groups).\n" % (
              (pc["kernel_kib"] - p0["kernel_kib"]) / 9900.0, _f(dy.get("kernel_kib_per_group"), "%d")))
    growth = []
    for kind in ("idle", "busy"):
        a, b, c = (_cpu(s, "clean", n, kind) for n in COUNTS)
        if a and b and c:
            growth.append("%s ×%.1f from 100 to 1,000 groups (×10 candidates), ×%.1f from 1,000 to 10,000 "
                          "(the same candidates, 9,000 empty groups more)" % (kind, b / a, c / b))
    if growth:
        w("Growth on the clean node: " + "; ".join(growth) + ". The plot: [story2-cost.png](story2-cost.png) "
          "(log-log; a line of slope 1 is linear growth).\n")
    if plot(s, raw, out):
        w("![snapshot cost vs groups, with and without dying groups](story2-cost.png)\n")
    worst = max(ratios) if ratios else None
    tg.append("| with 10,000 dying memcgs at most %.1f× the snapshot cost without them (VM) | worst ratio %s over "
              "idle/busy at the points where they stayed (%d of %d) | %s |" % (
                  GOAL_DYING_RATIO, _f(worst, "%.2f×"), len(ratios), 2 * len(COUNTS),
                  "not measured" if worst is None else ("met" if worst <= GOAL_DYING_RATIO else "not met")))
    host = {(r["groups"], r["kind"]): r["cpu_ms"] for r in (scale or [])}
    for n, goal in GOAL_MS.items():
        vm_ = [_cpu(s, "clean", n, k) for k in ("idle", "busy")]
        if s["accel"] == "kvm" and None not in vm_:
            v = max(vm_)
            tg.append("| %s groups ≤ %.0f ms CPU per snapshot (VM, KVM) | idle %.2f, busy %.2f ms | %s |" % (
                "{:,}".format(n), goal, vm_[0], vm_[1], "met" if v <= goal else "not met"))
        elif (n, "idle") in host:
            tg.append("| %s groups ≤ %.0f ms CPU per snapshot (host, `scale` part; the VM under TCG is not a "
                      "real machine's speed) | idle %.2f, busy %s ms | %s |" % (
                          "{:,}".format(n), goal, host[(n, "idle")], _f(host.get((n, "busy")), "%.2f"),
                          "met" if max(host[(n, "idle")], host.get((n, "busy"), 0)) <= goal else "not met"))
        else:
            tg.append("| %s groups ≤ %.0f ms CPU per snapshot | the VM ran under TCG (not a real machine's "
                      "speed) and the host's `scale` part did not run | not judged |" % ("{:,}".format(n), goal))
    res = {"accel": s["accel"], "kernel": s["kernel"], "snapshots": s["k"], "dying": dy,
           "snapshot": [v for v in s["snap"].values()], "statread": [v for v in s["stat"].values()],
           "points": [v for v in s["point"].values()], "points_end": [v for v in s["point_end"].values()], "checks": s["checks"]}
    return lines, tg, res
