# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# journal-stall: journald stopped (SIGSTOP) during an incident.  Issue 13,
# item 1: with sd_journal_send the daemon blocked in sendmsg once
# journald's socket queue was full, the kill never came and the watchdog
# starved.
#
# The thrash node of `thrash`.  The daemon runs with NOTIFY_SOCKET pointed
# at a socket this test reads (every datagram with its CLOCK_MONOTONIC
# time, in notify.log) and WATCHDOG_USEC=3 s, as under systemd.  journald is
# stopped, and its native socket's queue filled to the brim by the test
# (datagrams of SYSLOG_IDENTIFIER=tg-e2e-filler, sent until EAGAIN), so that
# every entry the daemon sends meets a full queue, as after ten entries
# against a stopped journald.  Then the thrash.
#
# Asserts, with journald stopped: the thrasher's group is killed (empty)
# within the prompt-decision bound + 2 s of pressure start, the thrasher
# died of SIGKILL, the neighbour and the kubelet live; WATCHDOG=1 kept
# coming (no gap of a watchdog period from the daemon's start to the
# resume); STATUS= says entries were lost; the daemon's log says journald
# does not accept entries.  After SIGCONT: exactly one journal-lost entry,
# counting as many entries as the daemon's log says were lost (>= 1: the
# kill's entry), its first/last times inside the stall; no kill entry in
# the journal (it was one of the lost); the daemon stops cleanly.
SCN_DEADLINE=100
SCN_DEFAULT=1
SCN_SUMMARY="journald stopped during an incident: the kill on time, the watchdog fed, one summary of the lost entries after SIGCONT"

JS_WATCHDOG_USEC=3000000

# The reader is the job itself (exec), so that the cleanup's SIGTERM to the
# job reaches it; it also ends by itself when the scenario is gone or past
# its deadline: it holds inherited descriptors (run.sh's flock among them).
js_notify_reader() {
	exec python3 -S - "$1" "$E2E_MAIN_PID" "$SCN_DEADLINE" <<'EOF'
import os, socket, sys, time
path, parent, deadline = sys.argv[1], int(sys.argv[2]), time.monotonic() + int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.5)
out = open(path + ".log", "a", buffering=1)
while time.monotonic() < deadline:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    try:
        data = s.recv(65536)
    except socket.timeout:
        continue
    ms = int(time.monotonic() * 1000)
    for line in data.decode(errors="replace").split("\n"):
        if line:
            out.write("%d %s\n" % (ms, line))
EOF
}

js_stop_reader() {
	[[ -n ${JS_READER_PID:-} ]] || return 0
	kill -TERM "$JS_READER_PID" 2>/dev/null || true
	wait "$JS_READER_PID" 2>/dev/null || true
	JS_READER_PID=
}

# Sends native datagrams to journald's socket until its queue is full;
# prints how many it took.
js_fill_queue() {
	python3 -S - <<'EOF'
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n = 0
msg = b"MESSAGE=filler\nSYSLOG_IDENTIFIER=tg-e2e-filler\n"
while n < 100000:
    try:
        s.sendto(msg, socket.MSG_DONTWAIT, "/run/systemd/journal/socket")
    except BlockingIOError:
        break
    n += 1
print(n)
EOF
}

# The longest gap between WATCHDOG=1 pings in [FROM, TO] ms, and how many.
js_watchdog_gaps() {
	awk -v from="$2" -v to="$3" '
		$2 == "WATCHDOG=1" && $1 >= from && $1 <= to { if (n) { g = $1 - last; if (g > max) max = g } last = $1; n++ }
		END { printf "%d %d\n", n, max }' "$1"
}

scn_run() {
	local j=$E2E_DIR/journal.json sock=$E2E_DIR/notify.sock t_stop t_cont t_empty rc n_fill
	local stall_start_us stall_end_us
	tg_thrash_setup
	js_notify_reader "$sock" &
	JS_READER_PID=$!
	e2e_on_cleanup js_stop_reader
	e2e_poll 5 test -S "$sock" || tg_fatal "the notify reader did not start"
	NOTIFY_SOCKET=$sock WATCHDOG_USEC=$JS_WATCHDOG_USEC tg_daemon_start
	tg_check "the daemon said READY=1 on the notify socket" grep -q ' READY=1$' "$sock.log"
	tg_thrash_neighbour

	# journald stops; its queue is full before the incident begins.
	tg_journald_stop
	t_stop=$(e2e_now_ms)
	stall_start_us=$(date +%s%6N)
	n_fill=$(js_fill_queue)
	e2e_log "journald stopped; its queue took $n_fill more datagrams"
	tg_metric filler_datagrams="$n_fill"

	tg_thrash_start
	tg_decision_bound_ms "$TG_SHORTAGE_DURATION_MS"
	if e2e_wait_empty "$TH" 30; then
		t_empty=$(e2e_now_ms)
		tg_metric pressure_to_empty_ms=$((t_empty - T_PRESSURE))
		e2e_log "with journald stopped, the thrasher's group emptied $((t_empty - T_PRESSURE)) ms after pressure start"
		tg_check "killed on time with journald stopped ($((t_empty - T_PRESSURE)) ms <= $TG_BOUND_WHY + 2 s = $((TG_BOUND + 2000)) ms)" \
			tg_le $((t_empty - T_PRESSURE)) $((TG_BOUND + 2000))
	else
		tg_fail "the thrasher's group is still populated 30 s after pressure start, journald stopped"
	fi
	rc=0
	e2e_wait_pid "$TH_PID" 5 || rc=$?
	tg_check "the thrasher died of SIGKILL (exit $rc)" tg_eq "$rc" 137
	# A few more seconds stopped: the loop goes on (ticks, recovery).
	e2e_sleep_ms 3000
	tg_check "the daemon is alive with journald stopped" tg_daemon_alive
	tg_check "its log says journald does not accept entries" \
		grep -q 'journald does not accept entries' "$E2E_DIR/daemon.log"
	tg_check "STATUS= says entries were lost" grep -Eq ' STATUS=.*journal entr(y|ies) lost' "$sock.log"

	t_cont=$(e2e_now_ms)
	stall_end_us=$(date +%s%6N)
	local wd
	read -r -a wd < <(js_watchdog_gaps "$sock.log" "$TG_DAEMON_START_MS" "$t_cont")
	tg_metric watchdog_pings="${wd[0]}" watchdog_max_gap_ms="${wd[1]}"
	e2e_log "watchdog: ${wd[0]} pings from the start to the resume, longest gap ${wd[1]} ms"
	tg_check "the watchdog was fed through the stall (${wd[0]} pings, longest gap ${wd[1]} ms < $((JS_WATCHDOG_USEC / 1000)) ms)" \
		eval "((${wd[0]} >= ($t_cont - $t_stop) / ($JS_WATCHDOG_USEC / 1000) && ${wd[1]} < $JS_WATCHDOG_USEC / 1000))"
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"

	tg_journald_cont
	e2e_log "journald resumed after $((t_cont - t_stop)) ms"
	if ! tg_wait_entry 15 THRASHGUARD_EVENT=journal-lost; then
		tg_fail "no journal-lost entry within 15 s of SIGCONT"
	fi
	e2e_poll 5 grep -q 'journald accepts entries again' "$E2E_DIR/daemon.log" || true
	tg_journal "$j"
	tg_check "exactly one journal-lost entry" tg_jcount_is "$j" 1 THRASHGUARD_EVENT=journal-lost \
		MESSAGE_ID=8d3c1f6b2a9e4d07b5e6c4a1f09d2e73 PRIORITY=4
	local lost logged first last
	lost=$(tg_jget "$j" THRASHGUARD_LOST_ENTRIES THRASHGUARD_EVENT=journal-lost)
	first=$(tg_jget "$j" THRASHGUARD_LOST_FIRST_REALTIME_USEC THRASHGUARD_EVENT=journal-lost)
	last=$(tg_jget "$j" THRASHGUARD_LOST_LAST_REALTIME_USEC THRASHGUARD_EVENT=journal-lost)
	logged=$(sed -n 's/.*journald accepts entries again; \([0-9]*\) were lost.*/\1/p' "$E2E_DIR/daemon.log" | head -1)
	tg_metric lost_entries="${lost:-null}"
	e2e_log "summary: ${lost:-?} entries lost from ${first:-?} to ${last:-?} (us); the daemon's log says ${logged:-?}"
	tg_check "it counts at least the kill's entry (${lost:-none} >= 1)" tg_ge "${lost:-0}" 1
	tg_check "... as many as the daemon's log says were lost (${logged:-none})" tg_eq "${lost:-x}" "${logged:-y}"
	tg_check "... first and last inside the stall" \
		eval "((${first:-0} >= $stall_start_us && ${first:-0} <= ${last:-0} && ${last:-0} <= $stall_end_us))"
	tg_check "the kill's entry is not in the journal (it was lost, not delayed)" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT=acted
	tg_daemon_stop_check
}
