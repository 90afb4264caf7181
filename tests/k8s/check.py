#!/usr/bin/env python3
"""The k8s tier: deploy/kubernetes/ against the daemon's real output.

1. node-problem-detector: every thrashguard entry and log line of real e2e
   incidents (tests/k8s/journal-sample.json, or --results DIR of a fresh
   run) goes through thrashguard-monitor.json as NPD's system-log-monitor
   would take it (journald plugin: SYSLOG_IDENTIFIER=source, MESSAGE
   trimmed; a ring buffer of bufferSize lines joined by newlines; each
   rule's pattern + \\z must match at the end of the buffer; temporary rules
   make an event, permanent ones set the condition). Each entry must give
   exactly the events and condition reasons its structured fields call for.
   Messages of the kinds these incidents do not produce (freeze, failed,
   partial, thaw, gone, journal-lost, the stderr fallback) are built from
   the real ones in the formats of alert_format_message, and the test
   checks that those formats are still in src/.
2. The DaemonSet, its ConfigMap (through `thrashguard check-config`), the
   Containerfile, and the image's entrypoint and liveness scripts (run for
   real: the entrypoint under a private cgroup namespace, root only).

No network, no cluster. Last line: "k8s: N passed, N failed"."""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K8S = os.path.join(ROOT, "deploy", "kubernetes")
NPD = os.path.join(K8S, "node-problem-detector", "thrashguard-monitor.json")
DS = os.path.join(K8S, "thrashguard.yaml")
CONTAINERFILE = os.path.join(K8S, "Containerfile")
ENTRYPOINT = os.path.join(K8S, "image", "entrypoint.sh")
ALIVE = os.path.join(K8S, "image", "alive.sh")
UNIT = os.path.join(ROOT, "systemd", "thrashguard.service.in")

passed = failed = skipped = 0


def check(name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS  " + name)
    else:
        failed += 1
        print("FAIL  " + name + (": " + why if why else ""))
    return ok


def skip(name, why):
    global skipped
    skipped += 1
    print("SKIP  %s: %s" % (name, why))


# --- node-problem-detector ---------------------------------------------------

# Go RE2 and Python re agree on this subset. Out: look-around, backreferences,
# atomic groups, \A \Z \z (NPD appends \z itself), and every backslash-letter
# class (\d \w \s \b: Unicode in Python, ASCII in Go; \s also crosses lines).
FORBIDDEN = [r"\(\?[=!<>]", r"\(\?P=", r"\\[A-Za-z0-9]"]


class Monitor:
    """NPD's system-log-monitor for one config: log buffer, rules, one condition set."""

    def __init__(self, cfg, buffer_size=None):
        self.size = buffer_size or cfg.get("bufferSize") or 10
        self.buf = [""] * self.size
        self.cur = 0
        self.rules = [(r, re.compile(r["pattern"] + r"\Z")) for r in cfg["rules"]]
        self.conditions = {c["type"]: {"status": False, "reason": c["reason"]} for c in cfg["conditions"]}
        self.change_events = []

    def feed(self, message):
        self.buf[self.cur % self.size] = message.strip()
        self.cur += 1
        text = "\n".join(self.buf[self.cur % self.size:] + self.buf[:self.cur % self.size])
        events, perm = [], []
        for rule, rx in self.rules:
            if not rx.search(text):
                continue
            if rule["type"] == "temporary":
                events.append(rule["reason"])
            else:
                perm.append(rule["reason"])
                c = self.conditions[rule["condition"]]
                if not c["status"] or c["reason"] != rule["reason"]:
                    self.change_events.append((rule["condition"], rule["reason"]))
                c["status"], c["reason"] = True, rule["reason"]
        return sorted(events), sorted(perm)


def load_sample(args):
    if args.results:
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "k8s", "trim-journal.py"),
                              args.results], check=True, capture_output=True, text=True).stdout
        return json.loads(out)
    with open(args.sample, encoding="utf-8") as f:
        return json.load(f)


def source_text():
    text = ""
    for p in glob.glob(os.path.join(ROOT, "src", "**", "*.[ch]"), recursive=True):
        with open(p, encoding="utf-8", errors="replace") as f:
            text += f.read()
    return text


# Fixed parts of the messages the synthetic entries below imitate
# (alert_format_message, verb_of, the journal-lost summary, the stderr
# fallback). When one is gone, the daemon's wording changed: revisit the
# patterns in thrashguard-monitor.json and these entries.
FRAGMENTS = [
    '"%s %s: %s"', '"killed" : "kill"', '"froze" : "freeze"', '"thawed" : "thaw"',
    '"; %u task(s) killed, %s freed, empty in %llu ms"', '"; frozen in %llu ms"',
    '"%s was already gone, nothing to %s: %s"',
    '"partial kill of %s: %u task(s) killed, %u left, %s freed (%s): %s"',
    '"failed to %s %s: %s: %s"', '"would %s %s (dry-run): %s"',
    '"%s in scope %s, but its cause %s may not be touched and no "', '"bystander is killed: %s"',
    '"%s in scope %s, but every candidate is protected: %s"', '"recovered: %s"',
    '"MESSAGE=journald did not accept %llu entr%s from %s to %s (%s); they are lost"',
    '"Thawed %s, frozen pending a kill (%s)"',
    # The stderr headline (alert_format_headline, participle_of).
    '"%s %s (%s)"', '"killed"', '"frozen"', '"thawed"', '"%s: failed to %s (%s): %s"',
    '"%s: partial kill (%s): %u task(s) killed, %u left, %s freed"', '"%s would be %s (dry-run; %s)"',
    '"%s: every candidate is protected"', '"%s, the cause of the %s, may not be touched: no bystander "',
]


def synthetic(sample):
    """Entries of the kinds these incidents do not produce, from real pieces."""
    kill = next(e["MESSAGE"] for e in sample["incidents"]["thrash"]["journal"]
                if e.get("THRASHGUARD_EVENT") == "acted")
    m = re.match(r"killed (/\S+ \([^)]*\)): (.*); \d+ task\(s\) killed", kill)
    who, reason = m.group(1), m.group(2)
    path = who.split(" ")[0]
    scope = re.search(r"shortage in (/\S+) for", reason).group(1)
    E = lambda evs, conds: {"events": evs, "conditions": conds}
    K, F, X = "ThrashguardKilled", "ThrashguardFroze", "ThrashguardActionFailed"
    return [
        ("froze", "froze %s: %s; frozen in 12 ms" % (who, reason), E([F], [F])),
        ("thawed", "thawed %s: freeze grace of 10.0s over, shortage no longer holds in %s: "
                   "some 2%% full 0%%, headroom 297M" % (who, scope), E([], [])),
        ("already gone", "%s was already gone, nothing to kill: %s" % (who, reason), E([], [])),
        ("partial kill", "partial kill of %s: 3 task(s) killed, 1 left, 210.0 MiB freed (timeout): %s"
         % (who, reason), E([X], [X])),
        ("failed kill", "failed to kill %s: Permission denied: %s" % (who, reason), E([X], [X])),
        ("failed freeze", "failed to freeze %s: Device or resource busy: %s" % (path, reason), E([X], [X])),
        ("failed thaw", "failed to thaw %s: No such device: %s" % (path, reason), E([X], [X])),
        ("would freeze", "would freeze %s (dry-run): %s" % (who, reason), E(["ThrashguardWouldAct"], [])),
        ("all-protected, cause named", "shortage in scope %s, but its cause %s may not be touched and no "
         "bystander is killed: %s" % (scope, who, reason), E(["ThrashguardAllProtected"], [])),
        ("all-protected, local thrash in /", "local-thrash in scope /, but every candidate is protected: "
         "%s" % reason, E(["ThrashguardAllProtected"], [])),
        ("journal-lost", "journald did not accept 3 entries from 2025-01-01 10:00:00.000 UTC to "
         "2025-01-01 10:00:04.500 UTC (Resource temporarily unavailable); they are lost", E([], [])),
        # alert.journal=false under systemd: the stderr lines, each an entry.
        ("stderr headline, a kill", "shop/cart-7f9/cart killed (shortage in %s): 2 task(s), 300.0 MiB "
         "freed, empty in 40 ms" % scope, E([K], [K])),
        ("stderr headline, a kill of a service", "%s killed (shortage in %s): 1 task(s), 2.0 MiB freed, "
         "empty in 4 ms" % (path, scope), E([K], [K])),
        ("stderr headline, a freeze", "shop/cart-7f9/cart frozen (local-thrash in %s) in 12 ms" % scope,
         E([F], [F])),
        ("stderr headline, a failed kill", "docker 0123456789ab: failed to kill (shortage in %s): "
         "Permission denied" % scope, E([X], [X])),
        ("stderr headline, a partial kill", "shop/cart-7f9/cart: partial kill (shortage in %s): 3 task(s) "
         "killed, 1 left, 210.0 MiB freed" % scope, E([X], [X])),
        ("stderr headline, dry-run", "shop/cart-7f9/cart would be killed (dry-run; shortage in %s)" % scope,
         E(["ThrashguardWouldAct"], [])),
        ("stderr headline, all protected", "shortage in %s: every candidate is protected" % scope,
         E(["ThrashguardAllProtected"], [])),
        ("stderr headline, cause protected", "shop/cart-7f9/cart, the cause of the shortage in %s, may not "
         "be touched: no bystander is killed" % scope, E(["ThrashguardAllProtected"], [])),
        ("stderr headline, recovered", "%s recovered" % scope, E([], [])),
        ("stderr fields line", "  MESSAGE_ID=2b2e42b20e434042acc519a8da2a8e80 THRASHGUARD_EVENT=acted "
         "THRASHGUARD_ACTION=kill THRASHGUARD_CGROUP=%s" % path, E([], [])),
        ("stderr candidate line", "  1. %s score=51.00: refaults 121k/s" % path, E([], [])),
        ("a thaw log line", "Thawed %s, frozen pending a kill (stopping)" % path, E([], [])),
        ("SIGTERM thaw log line", "Thawed %s, frozen pending a kill (freeze-kill)" % path, E([], [])),
        ("a message that names a kill inside", "recovered: %s back to normal 1.3s after kill of %s: killed /x"
         % (scope, path), E([], [])),
    ]


def check_npd(args, src):
    with open(NPD, encoding="utf-8") as f:
        cfg = json.load(f)
    check("npd: journald plugin reading SYSLOG_IDENTIFIER=thrashguard",
          cfg.get("plugin") == "journald" and cfg.get("pluginConfig", {}).get("source") == "thrashguard")
    types = {c["type"] for c in cfg.get("conditions", [])}
    check("npd: one default condition MemoryThrashing with reason and message",
          types == {"MemoryThrashing"} and all(c.get("reason") and c.get("message") for c in cfg["conditions"]))
    bad = [r for r in cfg["rules"] if r.get("type") not in ("temporary", "permanent")
           or not re.fullmatch(r"[A-Z][A-Za-z]+", r.get("reason", ""))
           or (r["type"] == "permanent" and r.get("condition") not in types)]
    check("npd: every rule temporary or permanent, a CamelCase reason, a known condition", not bad, repr(bad))
    lint = [(r["reason"], p) for r in cfg["rules"] for p in FORBIDDEN if re.search(p, r["pattern"])]
    check("npd: patterns keep to the RE2/Python common subset", not lint, repr(lint))
    for r in cfg["rules"]:
        try:
            re.compile(r["pattern"] + r"\Z")
        except re.error as e:
            check("npd: pattern of %s compiles" % r["reason"], False, str(e))

    ids = dict(re.findall(r'#define ALERT_MESSAGE_ID_(\w+)\s+"([0-9a-f]{32})"', src))
    id_of = {"acted": ids.get("ACTED"), "failed": ids.get("FAILED"), "would-act": ids.get("WOULD_ACT"),
             "all-protected": ids.get("ALL_PROTECTED"), "recovered": ids.get("RECOVERED")}
    check("npd: the MESSAGE_IDs are found in src/", len(ids) == 5, repr(ids))

    sample = load_sample(args)
    source = cfg["pluginConfig"]["source"]
    seen_events = set()
    for size in (None, 10):
        tag = "" if size is None else " (bufferSize 10, NPD's default)"
        for name, inc in sample["incidents"].items():
            mon = Monitor(cfg, size)
            wrong, want_cond = [], False
            entries = inc["journal"] + inc["stderr"]
            for e in entries:
                if e.get("SYSLOG_IDENTIFIER") != source:
                    continue
                if size is None and "MESSAGE_ID" in e:
                    if id_of.get(e.get("THRASHGUARD_EVENT")) != e["MESSAGE_ID"]:
                        wrong.append("MESSAGE_ID %s for %s" % (e["MESSAGE_ID"], e.get("THRASHGUARD_EVENT")))
                    seen_events.add(e.get("THRASHGUARD_EVENT"))
                got = mon.feed(e["MESSAGE"])
                want = (sorted(e["expect"]["events"]), sorted(e["expect"]["conditions"]))
                want_cond |= bool(want[1])
                if got != want:
                    wrong.append("%r: got events %s conditions %s, want %s %s"
                                 % (e["MESSAGE"][:90], got[0], got[1], want[0], want[1]))
            n = sum(1 for e in entries if e["expect"]["events"] or e["expect"]["conditions"])
            check("npd%s: %s: %d entries and log lines, %d matched as they should, nothing else"
                  % (tag, name, len(entries), n), not wrong, "; ".join(wrong))
            cond = mon.conditions["MemoryThrashing"]
            check("npd%s: %s: MemoryThrashing ends %s" % (tag, name, "True (%s)" % cond["reason"]
                                                          if want_cond else "False"),
                  cond["status"] == want_cond)
    check("npd: the incidents hold a kill, a recovery, an all-protected and would-act entries",
          {"acted", "recovered", "all-protected", "would-act"} <= seen_events, repr(seen_events))

    missing = [f for f in FRAGMENTS if f not in src]
    check("npd: the message formats the synthetic entries imitate are in src/", not missing, repr(missing))
    mon = Monitor(cfg)
    for what, msg, want in synthetic(sample):
        got = mon.feed(msg)
        check("npd: %s -> events %s, condition %s" % (what, want["events"] or "none", want["conditions"] or "none"),
              got == (sorted(want["events"]), sorted(want["conditions"])), "got %s %s" % got)
    # A kill after a freeze changes the condition's reason: one change event each.
    mon = Monitor(cfg)
    kill = next(e["MESSAGE"] for e in sample["incidents"]["thrash"]["journal"]
                if e["expect"]["conditions"])
    for msg in (kill, kill):
        mon.feed(msg)
    check("npd: two kills set the condition once (one condition-change event)",
          mon.change_events == [("MemoryThrashing", "ThrashguardKilled")], repr(mon.change_events))


# --- DaemonSet, ConfigMap, image -----------------------------------------------

def unit_caps():
    with open(UNIT, encoding="utf-8") as f:
        text = f.read()
    bound = re.search(r"^CapabilityBoundingSet=(.*)$", text, re.M).group(1).split()
    ambient = re.search(r"^AmbientCapabilities=(.*)$", text, re.M).group(1).split()
    return {c[4:] for c in bound}, {c[4:] for c in ambient}


def check_daemonset(args):
    import yaml

    with open(DS, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    kinds = {d["kind"]: d for d in docs}
    check("ds: a ConfigMap and a DaemonSet in kube-system", set(kinds) == {"ConfigMap", "DaemonSet"}
          and all(d["metadata"].get("namespace") == "kube-system" for d in docs))
    ds, cm = kinds["DaemonSet"], kinds["ConfigMap"]
    spec = ds["spec"]["template"]["spec"]
    check("ds: selector matches the template's labels", all(
        ds["spec"]["template"]["metadata"]["labels"].get(k) == v
        for k, v in ds["spec"]["selector"]["matchLabels"].items()))
    check("ds: hostPID, no host network", spec.get("hostPID") is True and not spec.get("hostNetwork"))
    check("ds: priorityClassName system-node-critical", spec.get("priorityClassName") == "system-node-critical")
    check("ds: no service account token", spec.get("automountServiceAccountToken") is False)
    (c,) = spec["containers"]
    sc = c.get("securityContext", {})
    check("ds: not privileged, no privilege escalation, read-only root",
          sc.get("privileged") in (None, False) and sc.get("allowPrivilegeEscalation") is False
          and sc.get("readOnlyRootFilesystem") is True)
    bound, ambient = unit_caps()
    add = set(sc.get("capabilities", {}).get("add", []))
    check("ds: capabilities: drop ALL, add the unit's (%s) and only the entrypoint's SYS_ADMIN, SETPCAP"
          % " ".join(sorted(bound)), sc.get("capabilities", {}).get("drop") == ["ALL"]
          and bound == ambient and add == bound | {"SYS_ADMIN", "SETPCAP"}, repr(add))
    with open(ENTRYPOINT, encoding="utf-8") as f:
        ep = f.read()
    check("ds: the entrypoint drops exactly the two extra capabilities",
          re.search(r'^extra="sys_admin setpcap"$', ep, re.M) is not None)
    check("ds: seccomp RuntimeDefault", sc.get("seccompProfile", {}).get("type") == "RuntimeDefault")
    res = c.get("resources", {})
    check("ds: memory request and limit, a CPU request, no CPU limit",
          "memory" in res.get("requests", {}) and "memory" in res.get("limits", {})
          and "cpu" in res.get("requests", {}) and "cpu" not in res.get("limits", {}))
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}

    def host(path, ro):
        m = mounts.get(path)
        v = vols.get(m["name"]) if m else None
        return bool(v and v.get("hostPath", {}).get("path") == path and bool(m.get("readOnly")) == ro)

    check("ds: /sys/fs/cgroup from the host, writable (kill, freeze, triggers)", host("/sys/fs/cgroup", False))
    for p in ("/var/log/pods", "/var/log/containers", "/run/systemd/journal"):
        check("ds: %s from the host, read-only" % p, host(p, True))
    check("ds: /run/thrashguard from the host (the frozen record outlives the container)",
          host("/run/thrashguard", False) and {"name": "RUNTIME_DIRECTORY", "value": "/run/thrashguard"}
          in c.get("env", []))
    check("ds: no hostPath of /proc (hostPID gives the host's)", not any(
        v.get("hostPath", {}).get("path", "").startswith("/proc") for v in vols.values()))
    cfgm = mounts.get("/etc/thrashguard")
    check("ds: the ConfigMap at /etc/thrashguard", cfgm and vols[cfgm["name"]].get("configMap", {}).get("name")
          == cm["metadata"]["name"])
    probe = c.get("livenessProbe", {})
    check("ds: liveness: the image's k8s-alive, period > idle_interval, tolerant timeout",
          probe.get("exec", {}).get("command") == ["/usr/lib/thrashguard/k8s-alive"]
          and probe.get("periodSeconds", 10) > 5 and probe.get("timeoutSeconds", 1) >= 5
          and probe.get("failureThreshold", 3) >= 3)
    probe_dir = mounts.get("/run/thrashguard-probe")
    check("ds: a writable emptyDir for the probe's pid file", probe_dir is not None
          and "emptyDir" in vols[probe_dir["name"]])

    conf = cm["data"]["thrashguard.conf"]
    check("ds: the ConfigMap guards /kubepods.slice, cgroupfs' /kubepods commented, protects kube-system/*",
          re.search(r"^scopes = /kubepods\.slice$", conf, re.M) is not None
          and re.search(r"^# scopes = /kubepods$", conf, re.M) is not None
          and re.search(r"^pods = kube-system/\*$", conf, re.M) is not None
          and re.search(r"^idle_interval = 5s$", conf, re.M) is not None)
    if args.bin and os.access(args.bin, os.X_OK):
        with tempfile.TemporaryDirectory() as d:
            cgroupfs = re.sub(r"^scopes = .*$", "scopes = /kubepods",
                              re.sub(r"^# scopes = /kubepods$", "", conf, flags=re.M), flags=re.M)
            for variant, text, want in (("systemd driver", conf, "/kubepods.slice"),
                                        ("cgroupfs driver", cgroupfs, "/kubepods")):
                p = os.path.join(d, "thrashguard.conf")
                with open(p, "w") as f:
                    f.write(text)
                r = subprocess.run([args.bin, "check-config", "-c", p], capture_output=True, text=True)
                scope = re.search(r"^scopes = (.*)$", r.stdout, re.M)
                check("ds: check-config accepts the ConfigMap (%s: scopes = %s)"
                      % (variant, scope.group(1) if scope else "?"),
                      r.returncode == 0 and scope is not None and scope.group(1) == want, r.stderr.strip())
    else:
        skip("ds: check-config of the ConfigMap", "no daemon binary (--bin)")

    with open(CONTAINERFILE, encoding="utf-8") as f:
        cf = f.read()
    check("image: runs on debian:bookworm-slim with libinih1 and libsystemd0",
          re.search(r"^FROM debian:bookworm-slim$", cf, re.M) is not None
          and re.search(r"apt-get install .*libinih1 libsystemd0", cf) is not None)
    check("image: holds the entrypoint and the probe at the paths the manifest uses",
          "COPY deploy/kubernetes/image/entrypoint.sh /usr/lib/thrashguard/k8s-entrypoint" in cf
          and "COPY deploy/kubernetes/image/alive.sh /usr/lib/thrashguard/k8s-alive" in cf
          and 'ENTRYPOINT ["/usr/lib/thrashguard/k8s-entrypoint"]' in cf)
    copies = re.findall(r"^COPY (?!--from)(\S+) ", cf, re.M)
    missing = [s for s in copies if not os.path.exists(os.path.join(ROOT, s))]
    check("image: every file it copies is in the tree", not missing, repr(missing))


def caps_of(status):
    return int(re.search(r"^CapBnd:\s*([0-9a-f]+)", status, re.M).group(1), 16)


def check_scripts():
    for s in (ENTRYPOINT, ALIVE):
        r = subprocess.run(["sh", "-n", s], capture_output=True, text=True)
        check("image: %s parses (sh -n)" % os.path.basename(s), r.returncode == 0, r.stderr.strip())
    with tempfile.TemporaryDirectory() as d:
        fake = os.path.join(d, "fake-daemon")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho \"args $*\"; echo \"pid $$\"; cat /proc/self/status /proc/2/cgroup\n")
        os.chmod(fake, 0o755)
        env = dict(os.environ, THRASHGUARD_BIN=fake, TG_PIDFILE=os.path.join(d, "probe", "pid"))
        if os.geteuid() != 0 or subprocess.run(["unshare", "-C", "true"], capture_output=True).returncode:
            skip("image: entrypoint in a private cgroup namespace", "needs root and unshare -C")
        else:
            r = subprocess.run(["unshare", "-C", ENTRYPOINT, "run", "-v"], env=env, capture_output=True, text=True)
            out = r.stdout
            bnd = caps_of(out) if "CapBnd" in out else -1
            pid = re.search(r"^pid (\d+)$", out, re.M)
            with open(env["TG_PIDFILE"]) if os.path.exists(env["TG_PIDFILE"]) else open(os.devnull) as f:
                written = f.read().strip()
            check("image: entrypoint joins the host's cgroup namespace (/proc/2/cgroup reads /, not /..)",
                  r.returncode == 0 and "/.." not in out and re.search(r"^\d+:[^:]*:/$", out, re.M) is not None,
                  r.stderr.strip())
            check("image: entrypoint drops SYS_ADMIN and SETPCAP from the bounding set, keeps KILL",
                  bnd > 0 and not bnd & (1 << 21) and not bnd & (1 << 8) and bnd & (1 << 5), hex(bnd))
            check("image: entrypoint passes the arguments and writes the daemon's pid",
                  "args run -v" in out and pid is not None and written == pid.group(1))
        # The probe against real processes.
        state = os.path.join(d, "alive")
        os.mkdir(state)
        penv = dict(os.environ, TG_PIDFILE=os.path.join(state, "pid"))

        def probe(pid):
            with open(penv["TG_PIDFILE"], "w") as f:
                f.write("%d\n" % pid)
            return subprocess.run(["sh", ALIVE], env=penv, capture_output=True, text=True).returncode

        waking = subprocess.Popen(["sh", "-c", "while :; do sleep 0.2; done"])
        sleeping = subprocess.Popen(["sleep", "60"])
        try:
            a = [probe(waking.pid)]
            time.sleep(0.7)
            a.append(probe(waking.pid))
            b = [probe(sleeping.pid)]
            time.sleep(0.7)
            b.append(probe(sleeping.pid))
            os.kill(waking.pid, 19)  # SIGSTOP
            time.sleep(0.2)
            c = probe(waking.pid)
            os.kill(waking.pid, 18)
        finally:
            waking.kill()
            sleeping.kill()
            waking.wait()
            sleeping.wait()
        check("image: k8s-alive passes a process that keeps waking", a == [0, 0], repr(a))
        check("image: k8s-alive records first, then fails a process that no longer wakes", b == [0, 1], repr(b))
        check("image: k8s-alive fails a stopped process", c == 1, repr(c))
        check("image: k8s-alive fails when the daemon is gone", probe(waking.pid) == 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "thrashguard"))
    ap.add_argument("--sample", default=os.path.join(ROOT, "tests", "k8s", "journal-sample.json"))
    ap.add_argument("--results", help="an e2e results directory to read instead of the sample")
    args = ap.parse_args()
    try:
        import yaml  # noqa: F401
    except ImportError:
        print("k8s: python3-yaml is needed (apt-get install python3-yaml)", file=sys.stderr)
        print("k8s: 0 passed, 1 failed")
        return 1
    src = source_text()
    check_npd(args, src)
    check_daemonset(args)
    check_scripts()
    print("k8s: %d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
