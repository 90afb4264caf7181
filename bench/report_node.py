"""report_node.py: the systemd node's story-5 section of the results page
(bench/report.py): one table per workload, the targets of issue 16 (items
3 and 4) for the story-5 runs, and the headline's rows.

Reads raw/node/WORKLOAD/TOOL/rep-K/result.json (bench/node.sh: the
TGRESULT objects of bench/vm/node-story5.sh and the host's timings) and
raw/node-meta.json (bench/node.sh: each invocation's command, boots and
wall time; a note on the repetitions).
"""
import json
import os
import statistics

WORKLOADS = ("plateau", "grower")
WORKLOAD_TITLE = {
    "plateau": "story 5, the database's anonymous memory plateaus just under MemAvailable",
    "grower": "story 5, the grower: the database's anonymous memory grows without bound",
}
TOOL_ORDER = ["kernel", "thrashguard", "oomd-default", "oomd-tuned", "earlyoom", "nohang", "mglru"]
TOOL_LABEL = {
    "kernel": "kernel alone",
    "thrashguard": "thrashguard",
    "oomd-default": "systemd-oomd (Debian's defaults)",
    "oomd-tuned": "systemd-oomd (20 % on system.slice)",
    "earlyoom": "earlyoom",
    "nohang": "nohang",
    "mglru": "MGLRU, min_ttl_ms 1000",
}
PEERS = [t for t in TOOL_ORDER if t not in ("kernel", "thrashguard")]
LAUNCHED_TASKS = {"plateau": 3, "grower": 4}
GOAL_EMPTY_MS = 1000
GOAL_SILENCE_MS = 1000
# "silent for seconds" without a daemon
BASELINE_SILENCE_MS = 2000


def _run(path):
    try:
        res = json.load(open(path))
    except (OSError, ValueError):
        return None
    by = {}
    for o in res:
        by.setdefault(o.get("type"), o)
    b = by.get("bench")
    if not b:
        tool = by.get("tool") or {}
        return {"measured": False, "available": tool.get("available", True), "why": tool.get("detail") or next(
            (o.get("name", "") + ": " + o.get("detail", "") for o in res if o.get("type") == "check" and not o.get("ok")),
            "no result")}
    probe, db, tool, s5 = by.get("probe") or {}, by.get("db_unit") or {}, by.get("tool") or {}, by.get("story5") or {}
    host = next((o for o in res if o.get("type") == "host"), {})
    win, inc = b.get("window_json") or {}, b.get("incident_json") or {}
    emptied = b.get("pressure_to_empty_ms") is not None
    left, tasks = b.get("db_tasks_left") or 0, b.get("db_tasks_at_pressure") or 0
    # the tasks as launched (thrasher's main and two workers, the grower's
    # leaker); a trial run recorded them at pressure start, after earlyoom
    # had already ended one
    tasks = max(tasks, LAUNCHED_TASKS.get(b.get("workload"), 0))
    oom = b.get("kernel_oom_kills") or 0
    comms = (b.get("kernel_oom_comms") or "").split()
    if emptied:
        victim = "tg-db whole"
    elif left < tasks:
        victim = "tg-db, %d of %d tasks" % (tasks - left, tasks)
    else:
        victim = "none"
    if emptied or left < tasks:
        victim += " (kernel OOM)" if oom and any(c in ("thrasher", "leaker") for c in comms) else ""
    others = [g.split(":")[0].rsplit("/", 1)[-1] for g in (b.get("lost") or "").split()
              if not g.startswith("/system.slice/systemd-udevd.service")]
    if others:
        victim += "; also " + ", ".join(sorted(set(others)))
    if oom and not any(c in ("thrasher", "leaker") for c in comms):
        victim += "; kernel OOM: " + ", ".join(comms)
    return {
        "measured": True, "version": tool.get("version"), "daemon": bool(tool.get("unit")), "empty_ms": b.get("pressure_to_empty_ms"),
        "action_ms": b.get("pressure_to_action_ms"), "action": b.get("action") or "", "victim": victim,
        "p50": win.get("p50_ms"), "p99": win.get("p99_ms"), "max": win.get("max_ms"),
        "silence": win.get("longest_silence_ms"), "replies": win.get("replies"), "window_ms": b.get("window_ms"),
        "inc_p99": inc.get("p99_ms"), "inc_max": inc.get("max_ms"), "inc_silence": inc.get("longest_silence_ms"),
        "oom": oom, "mem_low": probe.get("min_mem_available_mib"), "full_pct": probe.get("node_full_pct_window"),
        "before_p99": (probe.get("before_json") or {}).get("p99_ms"), "pressure_after_launch_ms": b.get("pressure_after_launch_ms"),
        "db_result": db.get("result"), "neighbour_ok": b.get("neighbour_active") == "active" and b.get("neighbour_same_pid") is True,
        "mem_available_mib": s5.get("mem_available_mib"), "deadline_s": b.get("deadline_s"),
        "boot_wall_s": (host.get("boot") or {}).get("wall_s"),
    }


def load(raw):
    """{workload: {tool: [run, ...]}} from raw/node/, or None."""
    base = os.path.join(raw, "node")
    if not os.path.isdir(base):
        return None
    data = {}
    for w in sorted(x for x in os.listdir(base) if os.path.isdir(os.path.join(base, x))):
        for t in sorted(os.listdir(os.path.join(base, w))):
            d = os.path.join(base, w, t)
            runs = []
            for rep in sorted(os.listdir(d)):
                r = _run(os.path.join(d, rep, "result.json"))
                if r is not None:
                    r["rep"] = rep
                    runs.append(r)
            if runs:
                data.setdefault(w, {})[t] = runs
    return data or None


def _med(vals):
    v = [x for x in vals if x is not None]
    return statistics.median(v) if v else None


def _mr(vals, fmt):
    v = [x for x in vals if x is not None]
    if not v:
        return None
    if len(v) == 1:
        return fmt(v[0])
    return "%s (%s–%s)" % (fmt(statistics.median(v)), fmt(min(v)), fmt(max(v)))


def _s(ms):
    return "%.1f s" % (ms / 1000.0)


def _ms(x):
    return "%.0f" % x if x >= 10 else "%.1f" % x


def _when(runs, key, deadline):
    got = [r[key] for r in runs if r[key] is not None]
    if not got:
        return "never within %d s" % deadline
    txt = _mr(got, _s)
    if len(got) < len(runs):
        txt += " in %d of %d; never in %d" % (len(got), len(runs), len(runs) - len(got))
    return txt


def _victims(runs):
    c = {}
    for r in runs:
        c[r["victim"]] = c.get(r["victim"], 0) + 1
    return "; ".join("%s %d/%d" % (v, n, len(runs)) for v, n in sorted(c.items(), key=lambda x: -x[1]))


def _agg(runs):
    ok = [r for r in runs if r["measured"]]
    if not ok:
        return None
    deadline = max(r["deadline_s"] or 45 for r in ok)
    return {
        "n": len(ok), "empty": _when(ok, "empty_ms", deadline), "action": _when(ok, "action_ms", deadline) if any(r["daemon"] for r in ok) else "no daemon",
        "victim": _victims(ok),
        "probe": "%s / %s / %s" % tuple(_mr([r[k] for r in ok], _ms) or "–" for k in ("p50", "p99", "max")),
        "silence": _mr([r["silence"] for r in ok], _ms) or "–", "inc_p99": _mr([r["inc_p99"] for r in ok], _ms) or "–",
        "oom": ", ".join(str(r["oom"]) for r in ok), "mem_low": _mr([r["mem_low"] for r in ok], lambda x: "%d" % x) or "–",
        "emptied": "%d of %d" % (sum(1 for r in ok if r["empty_ms"] is not None), len(ok)),
        "empty_med": _med([r["empty_ms"] for r in ok]) if all(r["empty_ms"] is not None for r in ok) else None,
        "silence_med": _med([r["silence"] for r in ok]), "silence_max": max((r["silence"] or 0) for r in ok),
        "p99_med": _med([r["p99"] for r in ok]), "inc_p99_med": _med([r["inc_p99"] for r in ok]),
        "inc_max_med": _med([r["inc_max"] for r in ok]),
    }


def _ordered(tools):
    return [t for t in TOOL_ORDER if t in tools] + sorted(t for t in tools if t not in TOOL_ORDER)


def _targets(name, aggs):
    """Issue 16's items 3 and 4 on one workload, as target-table rows."""
    tg, a = [], aggs.get("thrashguard")
    if not a:
        return tg
    me = a["empty_med"]
    peers = {t: aggs[t]["empty_med"] for t in PEERS if aggs.get(t)}
    emptied = {t: aggs[t]["emptied"] for t in peers}
    behind = [t for t, v in peers.items() if v is not None and (me is None or v <= me)]
    tg.append("| %s: pressure start → group empty ≤ 1.0 s median with thrashguard, ahead of every peer | thrashguard "
              "%s; %s | %s |" % (name, _s(me) if me is not None else "not in every run", "; ".join(
                  "%s %s" % (TOOL_LABEL[t], _s(v) if v is not None else "emptied it in %s runs" % emptied[t]) for t, v in peers.items()) or "no peer ran",
                  "met" if me is not None and me <= GOAL_EMPTY_MS and not behind and peers else "not met"))
    k = aggs.get("kernel")
    if k:
        ok = a["silence_max"] <= GOAL_SILENCE_MS and (k["silence_med"] or 0) >= BASELINE_SILENCE_MS
        tg.append("| %s: the probe never silent > 1 s with thrashguard, silent for seconds (≥ 2 s) without a daemon | "
                  "thrashguard's longest silence %s ms at most; kernel alone %s ms median | %s |" % (
                      name, _ms(a["silence_max"]), _ms(k["silence_med"] or 0), "met" if ok else "not met"))
        if a["inc_p99_med"] and k["inc_p99_med"]:
            ratio = k["inc_p99_med"] / a["inc_p99_med"]
            tg.append("| %s: probe p99 over the incident ≥ 10× lower than the kernel alone's | %s vs %s ms (%.1f×) | %s |" % (
                name, _ms(a["inc_p99_med"]), _ms(k["inc_p99_med"]), ratio, "met" if ratio >= 10 else "not met"))
        if a["inc_max_med"] is not None and k["inc_max_med"] is not None:
            tg.append("| %s: the incident's probe maximum at most the kernel alone's | %s vs %s ms | %s |" % (
                name, _ms(a["inc_max_med"]), _ms(k["inc_max_med"]), "met" if a["inc_max_med"] <= k["inc_max_med"] else "not met"))
    e = aggs.get("earlyoom")
    if e and e["silence_med"] and e["p99_med"]:
        ok = a["silence_med"] <= e["silence_med"] / 2 and a["p99_med"] <= e["p99_med"] / 2
        tg.append("| %s: longest silence and p99 with thrashguard at most half of earlyoom's | silence %s vs %s ms, "
                  "p99 %s vs %s ms (medians) | %s |" % (name, _ms(a["silence_med"]), _ms(e["silence_med"]),
                                                         _ms(a["p99_med"]), _ms(e["p99_med"]), "met" if ok else "not met"))
    return tg


def section(raw):
    """(page lines, target rows, headline lines, results) or None; the page
    lines hold the target rows too (a table of their own), so that the
    block stands alone when report.py splices it into an existing page."""
    data = load(raw)
    if not data:
        return None
    try:
        meta = json.load(open(os.path.join(raw, "node-meta.json")))
    except (OSError, ValueError):
        meta = {}
    lines, tg, hl, res = [], [], [], {}
    w = lines.append
    w("## Systemd node: story 5 (scope `/`, the real units)\n")
    w("The VM test tier's systemd node (`tests/vm/run.sh --node`: Debian 12 with systemd as PID 1, Debian's kernel, "
      "pure cgroup v2, 1 GiB, no swap, 2 vCPUs under TCG), one boot per tool, workload and repetition, driven by "
      "`bench/node.sh` with the scenario `bench/vm/node-story5.sh` (the workload of `tests/vm/scenarios/node-story5.sh`). "
      "A neighbour service `tg-reach.service` whose working set is file-backed (one byte of every page of a 64 MiB "
      "file on the data disk per request) answers a probe timed **by the host** through virtio-serial, every 100 ms; "
      "then `tg-db.service` (a database's big task, in system.slice) holds anonymous memory and keeps sweeping a "
      "300 MiB file. Each tool is started by systemctl as its package ships it: thrashguard the real unit, scope `/`, "
      "the shipped file otherwise; systemd-oomd enabled with Debian's drop-ins (ManagedOOMSwap=kill on -.slice, "
      "50 %% on user@.service) and, *tuned*, ManagedOOMMemoryPressure=kill with ManagedOOMMemoryPressureLimit=20 %% on "
      "system.slice (its duration as shipped, 30 s; systemd 252 has no per-unit duration); earlyoom and nohang with "
      "their packaged configurations; MGLRU: no daemon, `lru_gen/enabled` y, `min_ttl_ms` 1000. %s\n"
      % " ".join("Run: `%s` (%d boot%s, %d min)." % (r["command"], r["boots"], "" if r["boots"] == 1 else "s", r["wall_s"] // 60) for r in meta.get("runs", [])))
    if meta.get("note"):
        w(meta["note"] + "\n")
    w("*Pressure start*: `/proc/pressure/memory` `full` over 500 ms first above 10 %. *Empty*: no task left in "
      "tg-db.service's group (100 ms polling). *Action*: the tool's first kill line in the journal (thrashguard: its "
      "decision). Probe figures (host-timed round trips, ms): p50 / p99 / max and the longest silence over the window "
      "from pressure start to max(empty + 5 s, pressure start + 15 s) (the deadline, 45 s, when it never empties); "
      "*p99 over the incident*: from pressure start to empty (or the deadline). Medians over the runs with (min–max). "
      "The VM's clock runs under emulation and the host is shared: compare tools with one another.\n")
    for wl in [x for x in WORKLOADS if x in data] + sorted(x for x in data if x not in WORKLOADS):
        tools = data[wl]
        aggs = {t: _agg(runs) for t, runs in tools.items()}
        title = WORKLOAD_TITLE.get(wl, wl)
        w("### %s\n" % (title[:1].upper() + title[1:]))
        w("| tool | pressure → group empty | → first action | victim | probe p50 / p99 / max (ms) | longest silence (ms) "
          "| p99 over the incident (ms) | kernel OOM kills | MemAvailable low (MiB) |")
        w("|---|---|---|---|---|---|---|---|---|")
        for t in _ordered(tools):
            a = aggs[t]
            if not a:
                w("| %s | not measured: %s | | | | | | | |" % (TOOL_LABEL.get(t, t), tools[t][0]["why"]))
                continue
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                TOOL_LABEL.get(t, t), a["empty"], a["action"], a["victim"], a["probe"], a["silence"], a["inc_p99"],
                a["oom"], a["mem_low"]))
        w("")
        actions = sorted({(t, r["action"]) for t, runs in tools.items() for r in runs if r.get("action")})
        if actions:
            w("First action lines: " + "; ".join("%s: `%s`" % (TOOL_LABEL.get(t, t), x.replace("`", "'")[:140])
                                                  for t, x in actions[:len(TOOL_ORDER)]) + ".\n")
        tg.extend(_targets(WORKLOAD_TITLE.get(wl, wl).split(",")[0] + (" (grower)" if wl == "grower" else ""), aggs))
        hl.append("Systemd node, %s:\n" % WORKLOAD_TITLE.get(wl, wl))
        hl.append("| tool | pressure → group empty | victim | probe p99 / max (ms), longest silence (ms) | kernel OOM kills |")
        hl.append("|---|---|---|---|---|")
        for t in _ordered(tools):
            a = aggs[t]
            if a:
                hl.append("| %s | %s | %s | %s, %s | %s |" % (TOOL_LABEL.get(t, t), a["empty"], a["victim"],
                                                           a["probe"].split(" / ", 1)[1], a["silence"], a["oom"]))
        hl.append("")
        res[wl] = {t: {"aggregate": aggs[t], "runs": tools[t]} for t in tools}
    if tg:
        w("### Targets on the node (issue 16, items 3 and 4)\n")
        w("| target | measured | verdict |\n|---|---|---|")
        lines.extend(tg)
        w("")
    return lines, tg, hl, res
