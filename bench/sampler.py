#!/usr/bin/python3
"""sampler: the timeline of one benchmark run, every --period-ms (100).

    sampler.py --out FILE --psi FILE --usage FILE [--group NAME=DIR]...
               [--period-ms 100] [--max-s 300]

One line per sample:

    mono_ms some_us full_us usage_bytes NAME1_tasks NAME2_tasks ...

mono_ms is CLOCK_MONOTONIC (the clock of tests/tools/monotime and of
tests/e2e/lib.sh); some_us/full_us are the `total=` fields of the PSI file
(the scope's memory.pressure, or /proc/pressure/memory for scope /);
usage is the scope's memory.usage_in_bytes (v1) or memory.current (v2);
NAME_tasks is the number of processes in the cgroup DIR (its cgroup.procs;
-1 once the directory is gone).  A header line starting with '#' names the
columns.  Samples are taken at absolute deadlines (no drift); a late one is
taken as soon as possible.  Ends on SIGTERM/SIGINT, when the PSI file
disappears, or after --max-s seconds (a safety bound)."""
import argparse
import os
import signal
import sys
import time

stop = False


def on_signal(_sig, _frame):
    global stop
    stop = True


def read_psi(path):
    some = full = None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            tot = [p for p in parts if p.startswith("total=")]
            if not tot:
                continue
            if parts[0] == "some":
                some = int(tot[0][6:])
            elif parts[0] == "full":
                full = int(tot[0][6:])
    return some, full


def count_tasks(d):
    try:
        with open(os.path.join(d, "cgroup.procs")) as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--psi", required=True)
    ap.add_argument("--usage", required=True)
    ap.add_argument("--group", action="append", default=[])
    ap.add_argument("--period-ms", type=int, default=100)
    ap.add_argument("--max-s", type=float, default=300)
    a = ap.parse_args()
    groups = []
    for g in a.group:
        name, _, d = g.partition("=")
        groups.append((name, d))
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    period = a.period_ms / 1000.0
    with open(a.out, "w", buffering=1) as out:
        out.write("# mono_ms some_us full_us usage_bytes %s\n" % " ".join(n + "_tasks" for n, _ in groups))
        start = time.monotonic()
        nxt = start
        while not stop and time.monotonic() - start < a.max_s:
            try:
                now = time.monotonic_ns() / 1e6
                some, full = read_psi(a.psi)
                with open(a.usage) as f:
                    usage = int(f.read().split()[0])
            except (OSError, ValueError):
                break
            counts = " ".join(str(count_tasks(d)) for _, d in groups)
            out.write("%.1f %d %d %d %s\n" % (now, some or 0, full or 0, usage, counts))
            nxt += period
            delay = nxt - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                nxt = time.monotonic()


if __name__ == "__main__":
    main()
    sys.exit(0)
