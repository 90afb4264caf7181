#!/usr/bin/env python3
"""Writes tests/k8s/journal-sample.json from the results of a real e2e run.

    flock /tmp/thrashguard-pressure.lock tests/e2e/run.sh --bin build/thrashguard \\
        --tools build/tools --only thrash,all-protected,dry-run,fp-io
    tests/k8s/trim-journal.py build/e2e/results > tests/k8s/journal-sample.json

Per scenario: the daemon's journal entries (SYSLOG_IDENTIFIER=thrashguard,
which is what node-problem-detector's journald plugin reads), cut to
MESSAGE, MESSAGE_ID, PRIORITY, SYSLOG_IDENTIFIER and THRASHGUARD_EVENT, in
journal order; and the daemon's own log lines (stderr), which under
systemd reach the journal under the same identifier, with the priority
their prefix gives and the prefix removed as journald removes it. Each
entry gets "expect", the events and condition reasons the NPD config must
produce for it, derived from the structured fields (THRASHGUARD_EVENT,
THRASHGUARD_ACTION, THRASHGUARD_ALREADY_GONE), never from MESSAGE."""
import json
import os
import re
import sys

SCENARIOS = ["thrash", "all-protected", "dry-run", "fp-io"]
FIELDS = ["MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "THRASHGUARD_EVENT"]
# The daemon's foreground line: a local ISO 8601 time, the priority word.
STDERR_LINE = re.compile(r"^[0-9][0-9T:.+-]* (error|warning|notice|info|debug): (.*)$")
PRIORITIES = {"error": "3", "warning": "4", "notice": "5", "info": "6", "debug": "7"}


def expect_of(e):
    ev = e.get("THRASHGUARD_EVENT")
    action = e.get("THRASHGUARD_ACTION")
    none = {"events": [], "conditions": []}
    if ev == "acted":
        if e.get("THRASHGUARD_ALREADY_GONE") == "1":
            return none
        reason = {"kill": "ThrashguardKilled", "freeze": "ThrashguardFroze"}.get(action)
        return {"events": [reason], "conditions": [reason]} if reason else none
    if ev == "failed":
        return {"events": ["ThrashguardActionFailed"], "conditions": ["ThrashguardActionFailed"]}
    if ev == "would-act":
        return {"events": ["ThrashguardWouldAct"], "conditions": []}
    if ev == "all-protected":
        return {"events": ["ThrashguardAllProtected"], "conditions": []}
    return none


def stderr_lines(path):
    out = []
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        prio = "6"
        m = STDERR_LINE.match(line)
        if m:
            prio, line = PRIORITIES[m.group(1)], m.group(2)
        out.append({"MESSAGE": line, "PRIORITY": prio, "SYSLOG_IDENTIFIER": "thrashguard",
                    "expect": {"events": [], "conditions": []}})
    return out


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "build/e2e/results"
    sample = {
        "about": "Real journal entries and log lines of thrashguard from e2e incidents, trimmed "
                 "by tests/k8s/trim-journal.py; read by tests/k8s/check.py.",
        "incidents": {},
    }
    for name in SCENARIOS:
        entries = []
        for line in open(os.path.join(results, name + ".journal.json"), encoding="utf-8"):
            e = json.loads(line)
            if e.get("SYSLOG_IDENTIFIER") != "thrashguard":
                continue
            t = {k: e[k] for k in FIELDS if k in e}
            t["expect"] = expect_of(e)
            entries.append(t)
        sample["incidents"][name] = {
            "journal": entries,
            "stderr": stderr_lines(os.path.join(results, name + ".d", "daemon.log")),
        }
    json.dump(sample, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
