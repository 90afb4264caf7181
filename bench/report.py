#!/usr/bin/python3
"""report.py: turns the raw data of bench/run.sh into bench/results/.

    bench/report.py --raw bench/results/raw --out bench/results

Reads (all optional but raw/meta.json):
  raw/meta.json                  machine, versions, command, timings
  raw/host/TOOL/rep-K/           bench/thrash.sh runs (meta.json, samples.txt,
                                 tool.log, nb.timeline)
  raw/vm/TOOL/rep-K/             the same, from bench/vm/ (scope "/")
  raw/fp/SCENARIO/TOOL/rep-K/    bench/fp.sh runs (meta.json: kills, checks)
  raw/idle/idle.json             bench/idle.sh
  raw/scale.txt                  bench/snapshot-cost.sh's table
  raw/story2.json                bench/story2.sh (VM; bench/report_story2.py)
  raw/node/WORKLOAD/TOOL/rep-K/  bench/node.sh (the systemd node's story 5;
                                 bench/report_node.py)
Writes:
  out/README.md                  the tables, targets and plots
  out/results.json               every figure, per run and aggregated
  out/headline.md                the headline block of bench/README.md
  out/thrash-full.png, out/thrash-latency.png (host), out/vm-full.png,
  out/vm-latency.png (VM), through bench/plot.gp; out/story2-cost.png
  (story 2, through bench/plot-story2.gp)
  raw/plot/*.dat                 the plotted series

Definitions (also printed on the page):
  pressure start  P: the scope's `full` share over 500 ms first > 10 %
  action          A: the tool's first kill/term line in its own log
  empty           E: first 100 ms sample with no task left in the
                     thrasher's (VM: the hog's) group
  incident        [P, E) if the group emptied, else [P, P + deadline)
  full > 10 %     total time, over the whole run, during which the
                  trailing 500 ms `full` share of the scope was above 10 %
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys

import report_node
import report_story2

HERE = os.path.dirname(os.path.abspath(__file__))

# Display order and names.
TOOL_ORDER = ["kernel", "thrashguard", "naive", "earlyoom", "nohang", "nohang-psi", "oomd"]
TOOL_LABEL = {
    "kernel": "kernel alone",
    "thrashguard": "thrashguard",
    "naive": "naive 1 s poller (shell)",
    "earlyoom": "earlyoom",
    "nohang": "nohang",
    "nohang-psi": "nohang, PSI alone (patched)",
    "oomd": "oomd (Meta)",
}
TOOL_COLOR = {
    "kernel": "#555555",
    "thrashguard": "#1f77b4",
    "naive": "#8c564b",
    "earlyoom": "#ff7f0e",
    "nohang": "#9467bd",
    "nohang-psi": "#d62728",
    "oomd": "#2ca02c",
}
WINDOW_MS = 15000  # the e2e thrash scenario's comparison window

ACTION_RE = {
    "thrashguard": re.compile(r"debug: policy: (kill|freeze|freeze-kill) |<\d>thrashguard: (killed|froze|frozen)"),
    "naive": re.compile(r"^naive: kill "),
    "earlyoom": re.compile(r"sending SIG(TERM|KILL) to process"),
    "nohang": re.compile(r"Sending SIG(TERM|KILL) to the victim"),
    "nohang-psi": re.compile(r"Sending SIG(TERM|KILL) to the victim"),
    "oomd": re.compile(r"Picked \"|Trying to kill |\bKilled \d"),
}


# ---------------------------------------------------------------- reading

def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_samples(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                p = line.split()
                try:
                    rows.append([float(p[0])] + [int(x) for x in p[1:]])
                except ValueError:
                    continue
    except OSError:
        pass
    return rows


def read_timeline(path, t0):
    out = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 2:
                    try:
                        out.append((t0 + float(p[0]), float(p[1])))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def read_tool_log(path):
    lines = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                stamp, _, text = line.rstrip("\n").partition(" ")
                try:
                    lines.append((float(stamp), text))
                except ValueError:
                    continue
    except OSError:
        pass
    return lines


# ---------------------------------------------------------------- figures

def pct_nearest_rank(values, q):
    if not values:
        return None
    v = sorted(values)
    i = max(0, int(math.ceil(q * len(v))) - 1)
    return v[i]


def probe_stats(tl, lo, hi):
    vals = [late for t, late in tl if lo <= t < hi]
    if not vals:
        return {"samples": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"samples": len(vals), "p50_ms": pct_nearest_rank(vals, 0.5),
            "p99_ms": pct_nearest_rank(vals, 0.99), "max_ms": max(vals)}


def full_share_series(samples, window_ms=500.0):
    """(t_ms, share %) of the trailing window_ms, from the totals (col 2)."""
    out = []
    j = 0
    for i in range(len(samples)):
        t = samples[i][0]
        while j < i and t - samples[j + 1][0] >= window_ms:
            j += 1
        dt = t - samples[j][0]
        if dt >= window_ms * 0.6:
            out.append((t, (samples[i][2] - samples[j][2]) / (dt * 10.0)))
    return out


def time_above(series, thr, lo, hi):
    """ms spent with share > thr in [lo, hi] (each point stands for the
    time since the previous one)."""
    tot = 0.0
    for k in range(1, len(series)):
        t, s = series[k]
        if lo <= t <= hi and s > thr:
            tot += t - series[k - 1][0]
    return tot


def analyze_run(d, scope_kind):
    m = read_json(os.path.join(d, "meta.json"))
    if not m:
        return None
    tool = m["tool"]
    P = m.get("t_pressure_ms")
    samples = read_samples(os.path.join(d, "samples.txt"))
    log = read_tool_log(os.path.join(d, "tool.log"))
    tl = read_timeline(os.path.join(d, "nb.timeline"), m.get("nb_t0_ms") or 0)
    deadline_ms = m.get("deadline_s", 45) * 1000
    launch = m.get("t_launch_ms")
    end = m.get("t_end_ms") or (samples[-1][0] if samples else 0)
    # after t_end the harness stops the scenario itself: not the tool's doing
    samples = [row for row in samples if row[0] <= end]
    r = {"dir": os.path.relpath(d, HERE), "tool": tool, "load_start": m.get("load_start"), "pressure_after_launch_ms": (P - launch) if P and launch else None,
         "oom_kills": m.get("oom_kills"), "deadline_s": m.get("deadline_s", 45)}
    # the victim group's empty time, from the samples (column "th_tasks")
    E = None
    seen = False
    for row in samples:
        if len(row) > 4:
            if row[4] > 0:
                seen = True
            elif seen and row[4] == 0 and (launch is None or row[0] >= launch):
                E = row[0]
                break
    if E is None and m.get("t_empty_ms"):
        E = m["t_empty_ms"]
    # the tool's actions
    acts = []
    rx = ACTION_RE.get(tool)
    if rx:
        for t, text in log:
            if rx.search(text):
                acts.append(t)
    if tool == "thrashguard" and acts:
        # one decision can log two lines (debug decision, then the entry
        # once the group is empty): count decisions, not lines
        dec = [t for t, text in log if "debug: policy: kill" in text or "debug: policy: freeze" in text]
        if dec:
            acts = dec
    A = acts[0] if acts else None
    r["actions"] = len(acts)
    if P is not None:
        r["pressure_to_action_ms"] = (A - P) if A is not None else None
        r["pressure_to_empty_ms"] = (E - P) if E is not None else None
        inc_end = E if E is not None else P + deadline_ms
        r["incident_ms"] = inc_end - P
        r["neighbour_incident"] = probe_stats(tl, P, inc_end)
        r["neighbour_window"] = probe_stats(tl, P, P + WINDOW_MS)
    else:
        r["pressure_to_action_ms"] = r["pressure_to_empty_ms"] = None
        r["neighbour_incident"] = r["neighbour_window"] = probe_stats([], 0, 0)
    if launch:
        r["neighbour_before"] = probe_stats(tl, m.get("t_base_ms", launch - 2000), launch)
    series = full_share_series(samples)
    lo = launch if launch else (samples[0][0] if samples else 0)
    r["full_over_10_ms"] = time_above(series, 10.0, lo, end)
    if samples:
        a = [row for row in samples if row[0] >= lo]
        if a:
            r["full_stall_total_ms"] = (a[-1][2] - a[0][2]) / 1000.0
    r["observed_ms"] = end - lo
    # the victim
    ths, the = m.get("th_tasks_start"), m.get("th_tasks_end")
    nbs, nbe = m.get("nb_tasks_start"), m.get("nb_tasks_end")
    victims = []
    if ths is not None and the is not None:
        if the == 0 and ths > 0:
            victims.append(m.get("victim_name", "thrasher"))
        elif the < ths:
            victims.append("%s (%d of %d tasks)" % (m.get("victim_name", "thrasher"), ths - the, ths))
    if nbs is not None and nbe is not None and nbe < nbs:
        victims.append("neighbour")
    for extra in m.get("other_victims") or m.get("other_victims_json") or []:
        victims.append(extra)
    if victims and (m.get("oom_kills") or 0) > 0 and (A is None or (E is not None and E < A)):
        victims[0] += " (kernel OOM)"
    r["victim"] = ", ".join(victims) if victims else "none"
    # for the plots
    r["_series"] = [((t - P) / 1000.0, s) for t, s in series] if P else []
    r["_latency"] = [((t - P) / 1000.0, late) for t, late in tl] if P else []
    r["_action_s"] = [(t - P) / 1000.0 for t in acts] if P else []
    r["_empty_s"] = (E - P) / 1000.0 if (P and E) else None
    return r


def median_range(vals, fmt, unit=""):
    v = [x for x in vals if x is not None]
    if not v:
        return None
    med = statistics.median(v)
    if len(v) == 1:
        return fmt(med) + unit
    return "%s%s (%s–%s)" % (fmt(med), unit, fmt(min(v)), fmt(max(v)))


def s1(ms):
    return "%.1f" % (ms / 1000.0)


def ms0(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.0f" % x
    return "%.1f" % x


def aggregate(runs):
    agg = {}
    n = len(runs)
    deadline = max((r["deadline_s"] for r in runs), default=45)

    def reaction(key):
        vals = [r.get(key) for r in runs]
        got = [v for v in vals if v is not None]
        if not got:
            return "never within %d s" % deadline
        txt = median_range(got, s1, " s")
        if len(got) < n:
            txt += " in %d of %d; never within %d s in %d" % (len(got), n, deadline, n - len(got))
        return txt

    agg["runs"] = n
    agg["action"] = reaction("pressure_to_action_ms")
    agg["empty"] = reaction("pressure_to_empty_ms")
    vict = {}
    for r in runs:
        vict[r["victim"]] = vict.get(r["victim"], 0) + 1
    agg["victim"] = ", ".join("%s %d/%d" % (k, v, n) for k, v in sorted(vict.items(), key=lambda kv: -kv[1]))

    def nb(key, field):
        return median_range([r[key][field] for r in runs if r[key]["samples"]], ms0)

    agg["nb_incident"] = "%s / %s" % (nb("neighbour_incident", "p99_ms") or "–", nb("neighbour_incident", "max_ms") or "–")
    agg["nb_window"] = "%s / %s" % (nb("neighbour_window", "p99_ms") or "–", nb("neighbour_window", "max_ms") or "–")
    agg["nb_before"] = "%s / %s" % (nb("neighbour_before", "p99_ms") or "–", nb("neighbour_before", "max_ms") or "–")
    agg["full10"] = median_range([r["full_over_10_ms"] for r in runs], s1, " s")
    agg["oom"] = ", ".join(str(r["oom_kills"]) for r in runs)
    agg["p99_window_median"] = statistics.median([r["neighbour_window"]["p99_ms"] for r in runs if r["neighbour_window"]["p99_ms"] is not None] or [float("nan")])
    agg["p99_incident_median"] = statistics.median([r["neighbour_incident"]["p99_ms"] for r in runs if r["neighbour_incident"]["p99_ms"] is not None] or [float("nan")])
    agg["max_window_median"] = statistics.median([r["neighbour_window"]["max_ms"] for r in runs if r["neighbour_window"]["max_ms"] is not None] or [float("nan")])
    em = [r["pressure_to_empty_ms"] for r in runs if r["pressure_to_empty_ms"] is not None]
    agg["empty_median_ms"] = statistics.median(em) if len(em) == n and em else None
    agg["empty_max_ms"] = max(em) if len(em) == n and em else None
    return agg


def representative(runs):
    """The run whose reaction (or, for none, full>10% time) is the median."""
    def key(r):
        return r["pressure_to_empty_ms"] if r["pressure_to_empty_ms"] is not None else 1e9 + r["full_over_10_ms"]
    s = sorted(runs, key=key)
    return s[(len(s) - 1) // 2]


def load_scenario(raw, kind):
    base = os.path.join(raw, kind)
    res = {}
    if not os.path.isdir(base):
        return res
    for tool in sorted(os.listdir(base)):
        runs = []
        td = os.path.join(base, tool)
        if not os.path.isdir(td):
            continue
        for rep in sorted(os.listdir(td)):
            r = analyze_run(os.path.join(td, rep), kind)
            if r:
                r["rep"] = rep
                runs.append(r)
        if runs:
            res[tool] = runs
    return res


def ordered(tools):
    return [t for t in TOOL_ORDER if t in tools] + sorted(t for t in tools if t not in TOOL_ORDER)


# ---------------------------------------------------------------- plots

def write_plot_data(raw, kind, scen):
    pd = os.path.join(raw, "plot")
    os.makedirs(pd, exist_ok=True)
    tools = ordered(scen)
    for tool in tools:
        r = representative(scen[tool])
        with open(os.path.join(pd, "%s-%s.full.dat" % (kind, tool)), "w") as f:
            f.write("# %s %s: time since pressure start (s), full stall share of the last 500 ms (%%)\n" % (tool, r["rep"]))
            for t, s in r["_series"]:
                if -5 <= t <= 50:
                    f.write("%.2f %.2f\n" % (t, max(s, 0.0)))
        with open(os.path.join(pd, "%s-%s.lat.dat" % (kind, tool)), "w") as f:
            f.write("# %s %s: time since pressure start (s), neighbour probe lateness (ms)\n" % (tool, r["rep"]))
            for t, late in r["_latency"]:
                if -5 <= t <= 50:
                    f.write("%.2f %.3f\n" % (t, max(late, 0.01)))
        with open(os.path.join(pd, "%s-%s.act.dat" % (kind, tool)), "w") as f:
            f.write("# %s %s: action times (s since pressure start)\n" % (tool, r["rep"]))
            for t in r["_action_s"]:
                f.write("%.2f 100\n" % t)
    span = max((t for tool in tools for t, _ in representative(scen[tool])["_series"]), default=45)
    return pd, tools, int(min(50, max(15, math.ceil(span / 5.0) * 5)))


def run_gnuplot(pd, kind, tools, out, title, xmax=45):
    labels = " ".join('"%s"' % TOOL_LABEL.get(t, t) for t in tools)
    colors = " ".join(TOOL_COLOR.get(t, "#7f7f7f") for t in tools)
    cmd = ["gnuplot", "-e", "datadir='%s'; kind='%s'; tools='%s'; labels='%s'; colors='%s'; outdir='%s'; ttl='%s'; xmax=%d" % (
        pd, kind, " ".join(tools), labels, colors, out, title, xmax), os.path.join(HERE, "plot.gp")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("report.py: gnuplot failed: %s" % p.stderr, file=sys.stderr)
        return False
    return True


# ---------------------------------------------------------------- page

def scenario_table(scen, deadline_note):
    rows = ["| tool | runs | pressure → action | pressure → group empty | victim | neighbour p99 / max, incident (ms) "
            "| neighbour p99 / max, 15 s from pressure start (ms) | time with full > 10 % | kernel OOM kills |",
            "|---|---|---|---|---|---|---|---|---|"]
    aggs = {}
    for tool in ordered(scen):
        a = aggregate(scen[tool])
        aggs[tool] = a
        rows.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            TOOL_LABEL.get(tool, tool), a["runs"], a["action"], a["empty"], a["victim"], a["nb_incident"],
            a["nb_window"], a["full10"], a["oom"]))
    return "\n".join(rows), aggs


FP_WHAT = {
    "fp-io": "heavy sequential IO, memory to spare (1.5 GiB node)",
    "fp-cache": "a cache-heavy healthy pod at its limit: refaults, little stall",
    "fp-spike": "a real thrash ended by the test 2 s after pressure start (thrashguard: 5 s duration)",
}
FP_ORDER = ["fp-io", "fp-cache", "fp-spike"]


def load_fp(raw):
    """{scenario: {tool: [meta, ...]}} from raw/fp/."""
    base = os.path.join(raw, "fp")
    res = {}
    if not os.path.isdir(base):
        return res
    for scn in sorted(os.listdir(base)):
        for tool in sorted(os.listdir(os.path.join(base, scn))):
            td = os.path.join(base, scn, tool)
            for rep_ in sorted(os.listdir(td)):
                m = read_json(os.path.join(td, rep_, "meta.json"))
                if m:
                    m["dir"] = os.path.relpath(os.path.join(td, rep_), HERE)
                    res.setdefault(scn, {}).setdefault(tool, []).append(m)
    return res


def fp_kills(m):
    if not m["kills"]:
        return "none"
    return "; ".join("%s at +%s s%s" % (k["whose"], k["t_s"], (" (%s s after pressure start)" % k["after_pressure_s"])
                                         if k.get("after_pressure_s") is not None else "") for k in m["kills"])


def fp_cell(runs):
    """One cell: what the tool killed, run by run."""
    return " / ".join(fp_kills(m) for m in runs)


def fp_killed_any(runs):
    return any(m["kills"] for m in runs)


def parse_scale(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 7 and p[0].isdigit():
                    rows.append({"groups": int(p[0]), "populated": int(p[1]), "kind": p[2], "candidates": p[3],
                                 "cpu_ms": float(p[4]), "wall_ms": float(p[5]), "first_ms": float(p[6])})
    except OSError:
        pass
    return rows


def fmt_mib(kb):
    return "%.1f" % (kb / 1024.0)


NODE_BLOCK = "node"
NODE_HEADLINE_BLOCK = "node-headline"
ONLY_NODE_PARTS = ("host", "vm", "fp", "idle", "scale.txt", "story2.json")


def block(tag, lines):
    """lines between the markers that splice() finds again"""
    return ["<!-- %s:begin (written by bench/report.py) -->" % tag] + lines + ["<!-- %s:end -->" % tag]


def splice(text, tag, lines, before=None):
    """text with its TAG block replaced by LINES (block()), or inserted
    before the first line that starts with BEFORE (else at the end)"""
    new = "\n".join(block(tag, lines))
    b, e = text.find("<!-- %s:begin" % tag), text.find("<!-- %s:end -->" % tag)
    if b >= 0 and e > b:
        return text[:b] + new + text[e + len("<!-- %s:end -->" % tag):]
    at = text.find("\n" + before) + 1 if before and ("\n" + before) in text else len(text)
    return text[:at] + new + "\n\n" + text[at:]


def node_only(raw, out, node):
    """A run of the node part alone (bench/run.sh --parts node) adds its
    block to the page, the headline and results.json that are there,
    keeping every other part's figures (their raw data are not kept)."""
    lines, _tg, hl, res = node
    page = os.path.join(out, "README.md")
    txt = open(page).read() if os.path.exists(page) else "# thrashguard benchmarks: results\n\n"
    with open(page, "w") as f:
        f.write(splice(txt, NODE_BLOCK, lines, before="## Targets").rstrip() + "\n")
    path = os.path.join(out, "results.json")
    results = read_json(path, {}) or {}
    results["node"] = res
    results.setdefault("meta", {})["node"] = read_json(os.path.join(raw, "node-meta.json"), {})
    with open(path, "w") as f:
        json.dump(results, f, indent=1, default=str)
        f.write("\n")
    hpath = os.path.join(out, "headline.md")
    htxt = open(hpath).read() if os.path.exists(hpath) else ""
    htxt = splice(htxt, NODE_HEADLINE_BLOCK, hl, before="Targets:")
    with open(hpath, "w") as f:
        f.write(htxt.rstrip() + "\n")
    readme = os.path.join(HERE, "README.md")
    if os.path.abspath(out) == os.path.join(HERE, "results"):
        txt = open(readme).read()
        b = txt.index("<!-- headline:begin")
        b = txt.index("-->", b) + 3
        e = txt.index("<!-- headline:end -->")
        inner = splice(txt[b:e], NODE_HEADLINE_BLOCK, hl, before="Targets:")
        with open(readme, "w") as f:
            f.write(txt[:b] + inner.rstrip() + "\n" + txt[e:])
    print("report.py: added the node part to %s" % page, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    raw, out = os.path.abspath(a.raw), os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    meta = read_json(os.path.join(raw, "meta.json"), {})
    node = report_node.section(raw)
    if node and not any(os.path.exists(os.path.join(raw, p)) for p in ONLY_NODE_PARTS):
        node_only(raw, out, node)
        return
    results = {"meta": meta}
    page = []
    w = page.append

    w("# thrashguard benchmarks: results\n")
    w("Generated by `make bench` (`%s`) on %s; raw data in `bench/results/raw/` (not committed). "
      "How the benchmarks work, and what the figures show: [../README.md](../README.md).\n" % (meta.get("command", "bench/run.sh"), meta.get("date", "?")))

    # machine
    w("## Machine and versions\n")
    mach = meta.get("machine", {})
    w("| | |\n|---|---|")
    for k, label in [("cpu", "CPU"), ("nproc", "cores (nproc)"), ("mem", "memory"), ("swap", "swap"),
                     ("kernel", "kernel (`uname -r`)"), ("debian", "Debian"), ("cgroup", "cgroup layout"),
                     ("load", "load average (1/5/15 min) at start → end")]:
        if k in mach:
            w("| %s | %s |" % (label, mach[k]))
    vers = dict(meta.get("versions", {}))
    vmeta_all = read_json(os.path.join(raw, "vm-meta.json"), {}) or {}
    for k, v in (vmeta_all.get("versions") or {}).items():
        vers.setdefault(k, v)
    for k in ["thrashguard", "earlyoom", "nohang", "oomd", "vm_kernel", "gnuplot"]:
        if k in vers:
            w("| %s | %s |" % ({"vm_kernel": "kernel in the VM"}.get(k, k), vers[k]))
    w("")
    w("Reproduce: `%s` (from a clean checkout, as root; %s)." % (
        meta.get("reproduce", "make bench"), meta.get("timing", "")))
    if meta.get("note"):
        w("\n" + meta["note"])
    w("")

    # host thrash
    host = load_scenario(raw, "host")
    aggs_host = {}
    if host:
        w("## Host thrash scenario (scope: a 512 MiB node group)\n")
        w("A node group limited to 512 MiB holds a Burstable neighbour pod (`steady --anon 32` with its latency probe, "
          "one wake-up every 100 ms that touches 256 KiB) and a BestEffort pod that thrashes it (`thrasher --anon 300 "
          "--file-size 400 --procs 2`: 300 MiB anonymous plus a 400 MiB file streamed through mmap; no swap, so the "
          "kernel OOM killer never fires). One tool in charge per run; the peers run in a PID namespace holding only "
          "the scenario (settings: [../peers/README.md](../peers/README.md)). Deadline %d s after pressure start.\n"
          % max(r["deadline_s"] for runs in host.values() for r in runs))
        table, aggs_host = scenario_table(host, "")
        w(table)
        w("")
        w("Times are medians over the runs with (min–max). *Incident*: from pressure start until the thrasher's "
          "group is empty, or until the deadline if it never is. The neighbour's figures are the lateness of its "
          "probe's wake-ups (before the thrasher started: %s ms p99 / max, median over all runs)."
          % (aggregate([r for runs in host.values() for r in runs])["nb_before"]))
        loads = [float(r["load_start"]) for runs in host.values() for r in runs if r.get("load_start")]
        if loads:
            w("")
            w("The machine is shared: its 1-minute load average at the start of the runs was %.1f–%.1f "
              "(2 cores). Latency figures of a few ms to a few hundred ms partly reflect that load, in every row alike."
              % (min(loads), max(loads)))
        w("")
        pd, tools, xmax = write_plot_data(raw, "host", host)
        if run_gnuplot(pd, "host", tools, out, "Host thrash scenario (512 MiB node group)", xmax):
            w("![node full stall over time](thrash-full.png)\n")
            w("![neighbour latency over time](thrash-latency.png)\n")
            w("(One run per tool: the one with the median reaction. Dashed vertical lines: the tool's actions.)\n")
        results["host"] = {t: {"aggregate": aggs_host[t], "runs": [{k: v for k, v in r.items() if not k.startswith("_")} for r in host[t]]} for t in host}

    # VM
    vm = load_scenario(raw, "vm")
    aggs_vm = {}
    if vm:
        vmeta = vmeta_all
        w("## VM node-wide scenario (scope `/`, pure cgroup v2)\n")
        w(vmeta.get("description", ""))
        w("")
        for sk in vmeta.get("skipped") or []:
            w("Left out of this run: %s.\n" % sk)
        table, aggs_vm = scenario_table(vm, "")
        w(table)
        w("")
        pd, tools, xmax = write_plot_data(raw, "vm", vm)
        if run_gnuplot(pd, "vm", tools, out, "VM node-wide scenario (scope /)", xmax):
            w("![VM: system-wide full stall over time](vm-full.png)\n")
            w("![VM: neighbour latency over time](vm-latency.png)\n")
        results["vm"] = {t: {"aggregate": aggs_vm[t], "runs": [{k: v for k, v in r.items() if not k.startswith("_")} for r in vm[t]]} for t in vm}
    if meta.get("vm_note"):
        w(meta["vm_note"] + "\n")

    # false positives
    fp = load_fp(raw)
    if fp:
        w("## False-positive scenarios (e2e `fp-io`, `fp-cache`, `fp-spike`)\n")
        w("Each e2e scenario as `tests/e2e/run.sh` runs it (`bench/fp.sh`), with one tool in charge: thrashguard with "
          "the scenario's settings, or the naive poller on the same node scope. Nothing should be killed: what was, "
          "and when (seconds since the scenario began), per run.\n")
        fp_tools = ordered({t for x in fp.values() for t in x})
        w("| scenario | what | " + " | ".join("%s killed" % TOOL_LABEL.get(t, t) for t in fp_tools) + " |")
        w("|---|---|" + "---|" * len(fp_tools))
        for scn in [x for x in FP_ORDER if x in fp] + sorted(x for x in fp if x not in FP_ORDER):
            w("| %s | %s | %s |" % (scn, FP_WHAT.get(scn, ""), " | ".join(
                fp_cell(fp[scn][t]) if t in fp[scn] else "not run" for t in fp_tools)))
        w("")
        w("The scenarios' own checks (written for thrashguard) that failed: " + ("; ".join(
            "%s with %s: %s" % (scn, TOOL_LABEL.get(t, t), ", ".join(c for m in runs for c in m["checks_failed"]))
            for scn, x in sorted(fp.items()) for t, runs in sorted(x.items()) if any(m["checks_failed"] for m in runs))
            or "none") + ".\n")
        results["fp"] = fp

    # idle
    idle = read_json(os.path.join(raw, "idle", "idle.json"))
    if idle:
        w("## Idle cost (%d s, no pressure, all tools at once)\n" % idle.get("seconds", 0))
        w("| tool | how it ran | CPU time per hour | wake-ups per second | RSS (MiB) | of it anonymous (MiB) |")
        w("|---|---|---|---|---|---|")
        how = {
            "thrashguard": "scope = an idle 512 MiB node group, acting mode",
            "thrashguard-root": "scope `/`, --dry-run",
            "earlyoom": "PID namespace, Debian defaults (`-r 3600`)",
            "nohang": "PID namespace, packaged nohang.conf + PSI on the node group",
            "nohang-psi": "the same, PSI gates removed",
        }
        for t in ["thrashguard", "thrashguard-root", "earlyoom", "nohang", "nohang-psi"]:
            x = idle["tools"].get(t)
            if not x:
                continue
            w("| %s | %s | %.0f ms (%d ticks in %d s) | %.2f | %s | %s |" % (
                {"thrashguard-root": "thrashguard /"}.get(t, TOOL_LABEL.get(t, t)), how.get(t, ""),
                x["cpu_ms_per_hour"], x["cpu_ticks"], round(x["interval_s"]), x["wakeups_per_s"], fmt_mib(x["rss_kb"]),
                fmt_mib(x["rss_anon_kb"])))
        w("")
        w("CPU time: the scheduler's run time of every thread (`/proc/PID/task/*/schedstat`), scaled to an hour; "
          "`/proc/PID/stat` utime+stime counts the same in %d Hz ticks (shown). Wake-ups: voluntary + involuntary "
          "context switches of every thread. RSS: VmRSS, which counts the pages of shared libraries the process has "
          "mapped (libc and the like, resident for every process anyway); of it anonymous: RssAnon, the heap, stack and "
          "data that are the tool's own. Load average during the measurement: %s → %s.\n" % (
              idle.get("hz", 100), idle.get("load0", "?").split(" ")[0], idle.get("load1", "?").split(" ")[0]))
        results["idle"] = idle

    # scale
    scale = parse_scale(os.path.join(raw, "scale.txt"))
    if scale:
        w("## Scale: thrashguard's snapshot cost (`bench/snapshot-cost.sh`)\n")
        w("| groups | with a process (candidates) | kind | CPU ms per snapshot | wall ms per snapshot | first snapshot, CPU ms |")
        w("|---|---|---|---|---|---|")
        for s in scale:
            w("| %d | %d (%s) | %s | %.3f | %.3f | %.1f |" % (s["groups"], s["populated"], s["candidates"], s["kind"],
                                                           s["cpu_ms"], s["wall_ms"], s["first_ms"]))
        w("")
        w("*idle*: the daemon's real observer (quiet groups cost their usage and pressure per "
          "tick; their other counters and process list every 5-10 s); *busy*: every file of every group on every tick (all groups "
          "active). Real groups on this machine (v1 memory + unified mirror), created and removed by the script; "
          "at 10,000, 1,000 hold a process and 9,000 are empty.\n")
        results["scale"] = scale

    # story 2 at scale (VM)
    story2 = report_story2.section(raw, out, scale)
    if story2:
        for line in story2[0]:
            w(line)
        results["story2"] = story2[2]

    # story 5 on the systemd node (VM)
    if node:
        page.extend(block(NODE_BLOCK, node[0]))
        w("")
        results["node"] = node[3]

    # targets
    w("## Targets\n")
    tg = []
    if aggs_host.get("thrashguard"):
        runs = host["thrashguard"]
        em = [r["pressure_to_empty_ms"] for r in runs]
        if all(x is not None for x in em):
            ok = sum(1 for x in em if x < 2000)
            tg.append("| reaction (pressure start → group empty) < 2 s, host | median %s s, %d of %d runs under 2 s | %s |" % (
                s1(statistics.median(em)), ok, len(em), "met" if ok == len(em) else ("partly" if ok else "not met")))
        else:
            tg.append("| reaction < 2 s, host | the group did not empty in every run | not met |")
        k = aggs_host.get("kernel")
        if k:
            ratio_w = k["p99_window_median"] / aggs_host["thrashguard"]["p99_window_median"]
            ratio_i = k["p99_incident_median"] / aggs_host["thrashguard"]["p99_incident_median"]
            tg.append("| neighbour p99 with thrashguard ≥ 10× lower than kernel alone | over the 15 s from pressure start: "
                      "%.0f vs %.0f ms (%.1f×); over each incident: %.0f vs %.0f ms (%.1f×) | %s |" % (
                          aggs_host["thrashguard"]["p99_window_median"], k["p99_window_median"], ratio_w,
                          aggs_host["thrashguard"]["p99_incident_median"], k["p99_incident_median"], ratio_i,
                          "met" if ratio_w >= 10 else ("partly" if ratio_w >= 3 else "not met")))
    if aggs_host.get("thrashguard") and aggs_host.get("naive"):
        me, mn = aggs_host["thrashguard"]["empty_median_ms"], aggs_host["naive"]["empty_median_ms"]
        if me is None:
            tg.append("| ahead of the naive poller, host (pressure start → empty, median) | thrashguard did not empty the "
                      "group in every run | not met |")
        else:
            tg.append("| ahead of the naive poller, host (pressure start → empty, median) | thrashguard %s s, naive %s | %s |" % (
                s1(me), (s1(mn) + " s") if mn is not None else "not every run", "met" if mn is None or me < mn else "not met"))
    if fp and all("thrashguard" in x for x in fp.values()):
        spared = [scn for scn, x in fp.items() if not fp_killed_any(x["thrashguard"])]
        naive_k = [scn for scn, x in fp.items() if "naive" in x and fp_killed_any(x["naive"])]
        tg.append("| false positives: thrashguard kills nothing | spared in %d of %d scenarios%s; the naive poller "
                  "killed in %s | %s |" % (len(spared), len(fp), "" if len(spared) == len(fp) else " (killed in " + ", ".join(
                      sorted(set(fp) - set(spared))) + ")", ", ".join(sorted(naive_k)) or "none",
                      "met" if len(spared) == len(fp) else "not met"))
    if aggs_vm.get("thrashguard"):
        me = aggs_vm["thrashguard"]["empty_median_ms"]
        others = {t: aggs_vm[t]["empty_median_ms"] for t in aggs_vm if t not in ("thrashguard",)}
        faster = [t for t, v in others.items() if v is None or (me is not None and me < v)]
        tg.append("| faster than every peer in the VM (pressure start → empty) | thrashguard %s s; %s | %s |" % (
            s1(me) if me is not None else "never",
            "; ".join("%s %s" % (TOOL_LABEL.get(t, t), (s1(v) + " s") if v is not None else "not every run") for t, v in others.items()),
            "met" if me is not None and len(faster) == len(others) else "not met"))
    if idle and "thrashguard" in idle["tools"] and "earlyoom" in idle["tools"]:
        t, e = idle["tools"]["thrashguard"], idle["tools"]["earlyoom"]
        ok_w = t["wakeups_per_s"] < e["wakeups_per_s"]
        ok_r = t["rss_kb"] < e["rss_kb"]
        tg.append("| idle cost below earlyoom's wake-ups and RSS | wake-ups %.2f vs %.2f /s; RSS %s vs %s MiB "
                  "(anonymous %s vs %s MiB) | %s |" % (
            t["wakeups_per_s"], e["wakeups_per_s"], fmt_mib(t["rss_kb"]), fmt_mib(e["rss_kb"]),
            fmt_mib(t["rss_anon_kb"]), fmt_mib(e["rss_anon_kb"]),
            "met" if ok_w and ok_r else ("partly" if ok_w or ok_r else "not met")))
    if scale:
        idle_rows = {s["groups"]: s for s in scale if s["kind"] == "idle"}
        busy_rows = {s["groups"]: s for s in scale if s["kind"] == "busy"}
        if 1000 in idle_rows:
            parts = []
            for rows, name in ((idle_rows, "idle"), (busy_rows, "busy")):
                if 1000 in rows:
                    parts.append("%s %.2f ms" % (name, rows[1000]["cpu_ms"]))
            growth = []
            for rows, name in ((idle_rows, "idle"), (busy_rows, "busy")):
                if 100 in rows and 1000 in rows:
                    g = "%s: 100 → 1,000 groups ×%.1f" % (name, rows[1000]["cpu_ms"] / rows[100]["cpu_ms"])
                    if 10000 in rows:
                        g += ", 1,000 → 10,000 (%d of them with a process) ×%.1f" % (
                            rows[10000]["populated"], rows[10000]["cpu_ms"] / rows[1000]["cpu_ms"])
                    growth.append(g)
            worst = max(r[1000]["cpu_ms"] for r in (idle_rows, busy_rows) if 1000 in r)
            tg.append("| snapshot of 1,000 groups < 5 ms CPU, linear | %s; %s | %s |" % (
                ", ".join(parts), "; ".join(growth) or "growth not measured", "met" if worst < 5 else "not met"))
    if story2:
        tg.extend(story2[1])
    if tg:
        w("| target | measured | verdict |\n|---|---|---|")
        for line in tg:
            w(line)
        w("")
    if node and node[1]:
        w("Story 5 on the systemd node: its targets are in [its section](#targets-on-the-node-issue-16-items-3-and-4).\n")
    if meta.get("findings"):
        w("## Notes\n")
        for f_ in meta["findings"]:
            w("- " + f_)
        w("")

    # the headline block of bench/README.md
    hl = []
    if aggs_host:
        hl.append("Host thrash scenario (512 MiB node group; %s):\n" % meta.get("date", "?"))
        hl.append("| tool | pressure → group empty | victim | neighbour p99 / max, 15 s from pressure start (ms) | time with full > 10 % |")
        hl.append("|---|---|---|---|---|")
        for t in ordered(aggs_host):
            a_ = aggs_host[t]
            hl.append("| %s | %s | %s | %s | %s |" % (TOOL_LABEL.get(t, t), a_["empty"], a_["victim"], a_["nb_window"], a_["full10"]))
        hl.append("")
    if aggs_vm:
        hl.append("VM node-wide scenario (scope `/`):\n")
        hl.append("| tool | pressure → hog's group empty | victim | neighbour p99 / max, 15 s from pressure start (ms) | kernel OOM kills |")
        hl.append("|---|---|---|---|---|")
        for t in ordered(aggs_vm):
            a_ = aggs_vm[t]
            hl.append("| %s | %s | %s | %s | %s |" % (TOOL_LABEL.get(t, t), a_["empty"], a_["victim"], a_["nb_window"], a_["oom"]))
        hl.append("")
    if fp:
        fp_tools = ordered({t for x in fp.values() for t in x})
        hl.append("False-positive scenarios (what each tool killed; nothing should be):\n")
        hl.append("| scenario | " + " | ".join(TOOL_LABEL.get(t, t) for t in fp_tools) + " |")
        hl.append("|---|" + "---|" * len(fp_tools))
        for scn in [x for x in FP_ORDER if x in fp] + sorted(x for x in fp if x not in FP_ORDER):
            hl.append("| %s | %s |" % (scn, " | ".join(fp_cell(fp[scn][t]) if t in fp[scn] else "not run" for t in fp_tools)))
        hl.append("")
    if idle:
        hl.append("Idle: " + "; ".join("%s %.0f ms CPU/h, %.2f wake-ups/s, %s MiB" % (
            {"thrashguard-root": "thrashguard (scope /)"}.get(t, TOOL_LABEL.get(t, t)), x["cpu_ms_per_hour"], x["wakeups_per_s"],
            fmt_mib(x["rss_kb"])) for t, x in idle["tools"].items()) + ".\n")
    if scale:
        hl.append("Snapshot cost: " + "; ".join("%d groups %s %.2f ms CPU" % (x["groups"], x["kind"], x["cpu_ms"]) for x in scale) + ".\n")
    if node:
        hl.extend(block(NODE_HEADLINE_BLOCK, node[2]))
        hl.append("")
    if tg:
        hl.append("Targets: see [results/README.md](results/README.md#targets).")
    with open(os.path.join(out, "headline.md"), "w") as f:
        f.write("\n".join(hl).rstrip() + "\n")
    readme = os.path.join(HERE, "README.md")
    try:
        txt = open(readme).read()
        b = txt.index("<!-- headline:begin")
        b = txt.index("-->", b) + 3
        e = txt.index("<!-- headline:end -->")
        if os.path.abspath(out) == os.path.join(HERE, "results"):
            with open(readme, "w") as f:
                f.write(txt[:b] + "\n" + "\n".join(hl).rstrip() + "\n" + txt[e:])
    except (OSError, ValueError):
        pass

    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("\n".join(page).rstrip() + "\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
        f.write("\n")
    print("report.py: wrote %s" % os.path.join(out, "README.md"), file=sys.stderr)


if __name__ == "__main__":
    main()
