#!/usr/bin/env python3
"""The host's side of the node's reachability probe (story 5).

    reach_timer.py SOCKET OUT

SOCKET is the unix socket of the QEMU chardev behind the node's
virtio-serial port tg.probe (tests/vm/run.sh); the node's agent
(tests/vm/reach.c) answers on it.  Timed here, on the host, because a node
that stalls stops every clock inside it too.

One request at a time, due every INTERVAL on an absolute schedule: a line
"Q seq prev_seq prev_rtt_us prev_gap_us" carrying the host's measure of the
previous reply (its round trip, and the time since the reply before it),
so that the scenario inside the node learns what the host saw.  An
unanswered request is sent again every RESEND (the agent may not have had
the port open when it was first sent); the round trip counts from the
first send.  OUT gets one line per reply: "host_ms seq rtt_us gap_us".
Ends when QEMU closes the socket.
"""

import select
import socket
import sys
import time

INTERVAL = 0.1
RESEND = 1.0
CONNECT_FOR = 30.0


def now():
    return time.monotonic()


def connect(path):
    deadline = now() + CONNECT_FOR
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if now() > deadline:
                return None
            time.sleep(0.1)


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    s = connect(path)
    if s is None:
        print("reach_timer: no QEMU socket at %s" % path, file=sys.stderr)
        return 1
    s.setblocking(False)
    out = open(out_path, "w", buffering=1)
    seq, prev = 0, (0, 0, 0)  # prev: (seq, rtt_us, gap_us) of the last reply
    sent_at = last_sent = last_reply = None
    next_due = now()
    buf = b""
    while True:
        t = now()
        if sent_at is None and t >= next_due:
            seq += 1
            sent_at = last_sent = t
            line = "Q %d %d %d %d\n" % (seq, *prev)
            try:
                s.send(line.encode())
            except BlockingIOError:
                pass  # resent below
            except OSError:
                break
        elif sent_at is not None and t - last_sent >= RESEND:
            last_sent = t
            try:
                s.send(("Q %d %d %d %d\n" % (seq, *prev)).encode())
            except BlockingIOError:
                pass
            except OSError:
                break
        wait = RESEND - (t - last_sent) if sent_at is not None else next_due - t
        r, _, _ = select.select([s], [], [], max(0.0, min(wait, INTERVAL)))
        if not r:
            continue
        try:
            data = s.recv(4096)
        except BlockingIOError:
            continue
        except OSError:
            break
        if not data:
            break
        buf += data
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            parts = raw.split()
            if len(parts) != 2 or parts[0] != b"A" or not parts[1].isdigit():
                continue
            if sent_at is None or int(parts[1]) != seq:
                continue  # a late answer to a resent request
            t = now()
            rtt = int((t - sent_at) * 1e6)
            gap = int((t - last_reply) * 1e6) if last_reply is not None else 0
            last_reply = t
            prev = (seq, rtt, gap)
            out.write("%d %d %d %d\n" % (int(t * 1000), seq, rtt, gap))
            sent_at = None
            # the schedule stays absolute: a late reply skips missed slots
            while next_due <= t:
                next_due += INTERVAL
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
