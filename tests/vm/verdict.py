#!/usr/bin/env python3
"""Judges one boot of the test VM (called by tests/vm/run.sh).

    verdict.py LIST LOG VMDIR HOST_T T0 T1 QEMU_RC BOOT_TIMEOUT BOOT_NO

Splits the console LOG by scenario (TGSTART NAME ... TGEND NAME rc=N s=S)
and writes, per scenario of LIST (comma-separated): VMDIR/results/NAME.json
(its TGRESULT objects and a "host" object with the timings of the scenario
and of its boot), VMDIR/NAME.log (its part of the console) and
VMDIR/NAME.daemon.log (its TGLOG lines: the daemon's stderr).  Prints one
line per scenario: "NAME STATUS detail", STATUS being PASS, FAIL, SKIP, or
NOTRUN when the boot ended before the scenario began.

A TGRESULT line that is not one whole JSON object (cut by a newline in a
value, or by console noise) is an error, never silently dropped; a check
with ok=false fails the scenario even if TGEND says 0.
"""
import json
import re
import sys


def main():
    names, log, vmdir, host_t, t0, t1, qrc, btmo, nboot = sys.argv[1:]
    names = names.split(",")
    res = {n: [] for n in names}
    lines = {n: [] for n in names}
    dlog = {n: [] for n in names}
    bad = {n: [] for n in names}
    started, ended, budgets = set(), {}, {}
    cur, boot_uptime, done = None, None, None
    for raw in open(log, errors="replace"):
        line = raw.rstrip("\n")
        m = re.match(r"TGLOG (\S+) (.*)$", line)
        if m:
            if m.group(1) in dlog:
                dlog[m.group(1)].append(m.group(2))
            continue
        m = re.search(r"TGSTART (\S+)\s*$", line)
        if m and m.group(1) in res:
            cur = m.group(1)
            started.add(cur)
        if cur:
            lines[cur].append(line)
        if "TGRESULT" in line:
            m = re.search(r"TGRESULT (\{.*\})\s*$", line)
            try:
                obj = json.loads(m.group(1)) if m else None
            except ValueError:
                obj = None
            who = obj.get("scenario") if isinstance(obj, dict) else None
            who = who if who in res else cur
            if isinstance(obj, dict):
                if who:
                    res[who].append(obj)
                    if obj.get("type") == "timeout" and obj.get("what") == "scenario":
                        budgets[who] = obj.get("seconds")
            elif who:
                bad[who].append(line.strip()[:200])
        m = re.search(r"TGEND (\S+) rc=(\d+) s=([\d.]+)", line)
        if m and m.group(1) in res:
            ended[m.group(1)] = (int(m.group(2)), float(m.group(3)))
            cur = None
        m = re.search(r"TGDONE rc=(\d+)", line)
        if m:
            done = int(m.group(1))
        m = re.search(r"TGBOOT uptime=([\d.]+)", line)
        if m:
            boot_uptime = float(m.group(1))

    boot = {"boot": int(nboot), "scenarios": names, "qemu_rc": int(qrc),
            "wall_s": round(float(t1) - float(t0), 2), "guest_uptime_at_init_s": boot_uptime,
            "tgdone_rc": done, "deadline_s": int(btmo)}
    try:
        _, start, seen = open(host_t).read().split()
        boot["host_start_to_init_s"] = round(float(seen) - float(start), 2)
    except (OSError, ValueError):
        pass
    if done is None:
        end_why = "host timeout" if int(qrc) == 124 else "qemu rc=%s, no TGDONE" % qrc
    elif done == 124:
        end_why = "boot deadline of %ss reached" % btmo
    else:
        end_why = "TGDONE rc=%d" % done

    for n in names:
        if n not in started:
            print(n, "NOTRUN", "the boot ended before it: %s" % end_why)
            continue
        host = {"type": "host", "scenario": n, "boot": boot}
        why = []
        rc = None
        if n in ended:
            rc, secs = ended[n]
            host["scenario_s"] = secs
            host["rc"] = rc
            if rc == 124:
                why.append("its deadline of %ss in the VM was reached" % budgets.get(n, "?"))
            elif rc not in (0, 77):
                why.append("rc=%d" % rc)
        else:
            why.append("did not end: the VM stalled or died during it (%s)" % end_why)
        failed_checks = [r.get("name", "?") for r in res[n]
                         if r.get("type") == "check" and r.get("ok") is not True]
        if failed_checks:
            why.append("failed checks: " + ", ".join(failed_checks))
        if bad[n]:
            why.append("%d unparsable TGRESULT line(s)" % len(bad[n]))
        with open("%s/results/%s.json" % (vmdir, n), "w") as f:
            json.dump(res[n] + [host], f, indent=1)
            f.write("\n")
        with open("%s/%s.log" % (vmdir, n), "w") as f:
            f.write("\n".join(lines[n]) + "\n")
        with open("%s/%s.daemon.log" % (vmdir, n), "w") as f:
            f.write("\n".join(dlog[n]) + ("\n" if dlog[n] else ""))
        status = "FAIL" if why else ("SKIP" if rc == 77 else "PASS")
        times = "scenario %ss; boot %d: %ss to /init, %ss in all" % (
            host.get("scenario_s", "?"), int(nboot), boot.get("host_start_to_init_s", "?"),
            boot["wall_s"])
        print(n, status, times + ("; " + "; ".join(why) if why else ""))


if __name__ == "__main__":
    main()
