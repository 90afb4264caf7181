#!/bin/sh
# Liveness probe: the daemon's loop still wakes up. It stands in for the
# unit's WatchdogSec=, which has no systemd to ping in a container.
#
# The loop sleeps in epoll_wait and wakes at least every [daemon]
# idle_interval (5 s in the shipped ConfigMap), each wake-up ending in a
# voluntary context switch. Each probe reads the daemon's
# voluntary_ctxt_switches and compares it with what the previous probe
# saved: unchanged over a probe period longer than idle_interval means a
# loop that no longer wakes (blocked, stopped, or spinning without
# sleeping), and the probe fails. A first probe, or one after the daemon
# was restarted (another pid), only records. Nothing is sampled twice
# within one probe, so it costs a few reads even on a thrashing node.
#
# Environment: TG_PIDFILE (default /run/thrashguard-probe/pid, written by
# the entrypoint), TG_PROBE_STATE (default: the pid file's directory /last).
set -eu

pidfile=${TG_PIDFILE:-/run/thrashguard-probe/pid}
state=${TG_PROBE_STATE:-$(dirname "$pidfile")/last}

fail() {
	echo "thrashguard-alive: $*" >&2
	exit 1
}

read -r pid <"$pidfile" || fail "no pid file $pidfile"
case $pid in
'' | *[!0-9]*) fail "bad pid file $pidfile" ;;
esac
n=""
while read -r key value _; do
	case $key in
	State:) st=$value ;;
	voluntary_ctxt_switches:) n=$value ;;
	esac
done <"/proc/$pid/status" || fail "daemon (pid $pid) is gone"
[ -n "$n" ] || fail "no voluntary_ctxt_switches for pid $pid"
case ${st:-} in
T | t | Z | X) fail "daemon (pid $pid) is in state $st" ;;
esac

last_pid="" last_n=""
if [ -r "$state" ]; then
	read -r last_pid last_n <"$state" || true
fi
echo "$pid $n" >"$state.new" && mv -f "$state.new" "$state"
if [ "$last_pid" = "$pid" ] && [ "$last_n" = "$n" ]; then
	fail "daemon (pid $pid) has not woken up since the last probe ($n voluntary switches)"
fi
exit 0
