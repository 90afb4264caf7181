#!/bin/bash
# Usage: with-journal.sh [--out FILE] CMD [ARG...]
#
# Runs CMD with a private, real systemd-journald: in a new mount namespace,
# tmpfs is mounted over /run/systemd, /run/log and /var/log/journal, a
# drop-in keeps journald from forwarding anything to the host (syslog, kmsg,
# console, wall) or reading the kernel log, and journald is started in the
# background.  What CMD and its children send to journald (sd_journal_*,
# stdout through systemd-cat, a socket connected to
# /run/systemd/journal/dev-log) lands in that journal and nowhere else.
# syslog(3) does not: it writes to /dev/log, which these machines do not
# have (and /dev is the host's, so it is not created here).
#
# Afterwards every entry is written, as `journalctl -o json` (one object per
# line), to FILE (--out, or $TG_JOURNAL_OUT).  Inside, TG_JOURNAL_NS=1 is
# set; tests/e2e/lib.sh's e2e_journal_dump reads the journal mid-test.
#
# SIGTERM/SIGINT are passed on to CMD as SIGTERM; the journal is dumped
# once it has ended.  Exit status: CMD's; 2 bad arguments; 77 (skip) where journald or a mount
# namespace is not available; 1 if the journal could not be dumped.
set -euo pipefail

JOURNALD=/lib/systemd/systemd-journald

if [[ ${TG_JOURNAL_NS:-} != 1 ]]; then
	if [[ ${1:-} == --help || ${1:-} == -h ]]; then
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
	fi
	if [[ ${1:-} == --out ]]; then
		[[ $# -ge 2 ]] || { echo "with-journal.sh: --out needs a file" >&2; exit 2; }
		TG_JOURNAL_OUT=$2
		shift 2
	fi
	[[ $# -gt 0 ]] || { echo "with-journal.sh: no command; try --help" >&2; exit 2; }
	[[ -n ${TG_JOURNAL_OUT:-} ]] || { echo "with-journal.sh: --out FILE or TG_JOURNAL_OUT needed" >&2; exit 2; }
	[[ -x $JOURNALD ]] || { echo "with-journal.sh: SKIP: no $JOURNALD" >&2; exit 77; }
	((EUID == 0)) || { echo "with-journal.sh: SKIP: needs root for a mount namespace" >&2; exit 77; }
	# The dump is written from inside; make the path absolute first.
	TG_JOURNAL_OUT=$(realpath -m -- "$TG_JOURNAL_OUT")
	export TG_JOURNAL_OUT TG_JOURNAL_NS=1
	# unshare execs in place (no --fork), so a signal to our pid reaches the
	# inner script and its trap.  Private propagation: nothing mounted
	# inside is seen outside.
	exec unshare --mount --propagation private -- bash "$0" "$@"
fi

# ---- inside the private mount namespace

jpid=
# shellcheck disable=SC2317 # called through the EXIT trap
stop_journald() {
	if [[ -n $jpid ]]; then
		kill -TERM "$jpid" 2>/dev/null || true
		wait "$jpid" 2>/dev/null || true
		jpid=
	fi
}
trap stop_journald EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

mount -t tmpfs -o mode=0755,size=64m tmpfs /run/systemd
mount -t tmpfs -o mode=0755,size=256m tmpfs /run/log
# Storage=auto would write to a persistent /var/log/journal: the host's.
if [[ -d /var/log/journal ]]; then
	mount -t tmpfs -o mode=0755,size=16m tmpfs /var/log/journal
fi
mkdir -p /run/systemd/journal /run/systemd/journald.conf.d
cat >/run/systemd/journald.conf.d/90-thrashguard-test.conf <<'EOF'
[Journal]
Storage=volatile
RuntimeMaxUse=128M
RateLimitIntervalSec=0
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
ReadKMsg=no
EOF

# --pdeathsig: journald must not outlive this script even if it is killed
# with SIGKILL (it would keep the namespace and its tmpfs alive).
# Without CAP_AUDIT_CONTROL and CAP_AUDIT_READ it cannot do what a
# standalone journald otherwise does at start: join the kernel's audit
# multicast group and send AUDIT_SET, switching kernel auditing on or off
# for the whole machine (its Audit= setting).  The mount namespace does not
# isolate that; the private journal has no use for audit records anyway.
# Its own messages go to a file in the tmpfs, not (its default) the host's
# /dev/kmsg.
SYSTEMD_LOG_TARGET=console setpriv --pdeathsig TERM --bounding-set -audit_control,-audit_read -- \
	"$JOURNALD" </dev/null >/run/log/journald.log 2>&1 &
jpid=$!

# journald is ready once its native socket exists.
for _ in $(seq 100); do
	[[ -S /run/systemd/journal/socket ]] && break
	if ! kill -0 "$jpid" 2>/dev/null; then
		echo "with-journal.sh: SKIP: journald exited at start:" >&2
		cat /run/log/journald.log >&2
		exit 77
	fi
	read -r -t 0.05 <> <(:) || true
done
if [[ ! -S /run/systemd/journal/socket ]]; then
	echo "with-journal.sh: journald did not start:" >&2
	cat /run/log/journald.log >&2
	exit 1
fi

# CMD runs as a job so that a SIGTERM or SIGINT to this script reaches it at
# once (a foreground command would delay the trap until it ended) and the
# journal is still dumped after it has cleaned up.  A background job has
# SIGINT ignored, so both are passed on as SIGTERM.
# TG_JOURNALD_PID: for scenarios that stop and resume journald (by pid).
TG_JOURNALD_PID=$jpid "$@" &
cpid=$!
trap 'kill -TERM "$cpid" 2>/dev/null || true' TERM INT
rc=0
wait "$cpid" || rc=$?
# wait also returns when a trap ran; go on until CMD has really ended.
while kill -0 "$cpid" 2>/dev/null; do
	rc=0
	wait "$cpid" || rc=$?
done
trap 'exit 143' TERM
trap 'exit 130' INT

# --sync makes journald write out everything received so far.
journalctl --sync 2>/dev/null || true
if ! journalctl -o json --no-pager >"$TG_JOURNAL_OUT.tmp"; then
	echo "with-journal.sh: journalctl failed" >&2
	exit 1
fi
mv -f "$TG_JOURNAL_OUT.tmp" "$TG_JOURNAL_OUT"
exit "$rc"
