#!/usr/bin/python3
"""tslog: stamps every line of stdin with the CLOCK_MONOTONIC millisecond
at which it arrived ("12345.6 line") and writes it to stdout, flushed.

The benchmark reads a tool's action time from the tool's own log: earlyoom
and nohang print to stdout, thrashguard to stderr, none with a monotonic
timestamp.  The tool's output is piped through this right away (earlyoom
line-buffers, nohang runs with PYTHONUNBUFFERED=1), so the stamp is the
moment the tool wrote the line, within a millisecond.  CLOCK_MONOTONIC is
the clock of tests/tools/monotime and of every other figure of the run."""
import sys
import time


def main():
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        stamp = b"%.1f " % (time.monotonic_ns() / 1e6)
        out.write(stamp + line if line.endswith(b"\n") else stamp + line + b"\n")
        out.flush()


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
