#!/bin/bash
# The systemd unit and the code agree:
#   1. `make install` into a temporary prefix installs a unit that
#      `systemd-analyze verify` accepts (with the real binary at ExecStart=
#      and the man pages of Documentation= found);
#   2. every system call the code names itself (syscall(SYS_...)) is
#      allowed by the unit's SystemCallFilter= (as systemd-analyze expands
#      its groups);
#   3. the daemon, run under `strace -f -c` through a real scenario (start,
#      PSI triggers, a freeze, a kill of a thrashing group with cgroup.kill,
#      pidfds and process_mrelease, journal entries to a private journald,
#      sd_notify, the watchdog, a SIGHUP reload, SIGTERM), made no system
#      call that the filter would deny;
#   4. ExecReload= runs the installed `check-config` before the SIGHUP, and
#      check-config, which runs under the same filter and sandbox, made no
#      system call that it would deny, on a good file and on a bad one.
# A call missing from the filter would make the kernel refuse it
# (SystemCallErrorNumber=EPERM) at the worst moment: while killing.
#
# Usage: tests/syscall-filter.sh [BINARY]   (root; prints
# "syscall-filter: N passed, N failed")
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$HERE/e2e/act-common.bash"
act_init syscall-filter "$@"

for t in strace systemd-analyze; do
	command -v "$t" >/dev/null || {
		tg_fail "$t is not installed"
		act_summary
		exit 1
	}
done

e2e_setup syscall-filter 180
TMP=$E2E_DIR/install
UNIT=$TMP/lib/systemd/system/thrashguard.service

# ---------------------------------------------------------------- 1. verify

if make -s -C "$ROOT" install PREFIX="$TMP/usr" SYSCONFDIR="$TMP/etc" UNITDIR="$TMP/lib/systemd/system" \
	DESTDIR= >"$E2E_DIR/install.log" 2>&1; then
	tg_check "make install into a temporary prefix" true
else
	tg_fail "make install failed: $(tail -n 3 "$E2E_DIR/install.log")"
fi
tg_check "the unit's ExecStart= is the installed binary" \
	grep -qx "ExecStart=$TMP/usr/sbin/thrashguard run" "$UNIT"
tg_check "the configuration file was installed" test -s "$TMP/etc/thrashguard/thrashguard.conf"
tg_check "ExecReload= runs the installed check-config, then signals the daemon" \
	eval "grep '^ExecReload=' '$UNIT' | cmp -s - <(printf '%s\\n' \
		'ExecReload=$TMP/usr/sbin/thrashguard check-config' 'ExecReload=/bin/kill -HUP \$MAINPID')"
if out=$(MANPATH=$TMP/usr/share/man systemd-analyze verify "$UNIT" 2>&1) && [[ -z $out ]]; then
	tg_check "systemd-analyze verify passes, silently" true
else
	tg_fail "systemd-analyze verify: ${out:-exit status non-zero}"
fi

# ---------------------------------------------------------------- the filter

# expand NAME...: the system calls of each name or @group, recursively.
declare -A EXPANDED=()
expand() {
	local n line
	for n in "$@"; do
		if [[ $n != @* ]]; then
			echo "$n"
			continue
		fi
		[[ -z ${EXPANDED[$n]:-} ]] || continue
		EXPANDED[$n]=1
		while read -r line; do
			[[ -z $line || $line == \#* || $line == "$n" ]] && continue
			expand "$line"
		done < <(systemd-analyze syscall-filter "$n")
	done
}

allow=() deny=()
while IFS= read -r line; do
	v=${line#SystemCallFilter=}
	if [[ $v == ~* ]]; then
		read -ra w <<<"${v#\~}"
		deny+=("${w[@]}")
	else
		read -ra w <<<"$v"
		allow+=("${w[@]}")
	fi
done < <(grep '^SystemCallFilter=' "$UNIT")
tg_check "the unit has an allow list (${allow[*]:-none}) and a deny list (${deny[*]:-none})" \
	test "${#allow[@]}" -gt 0
sort -u <(expand "${allow[@]}") >"$E2E_DIR/allow.txt"
sort -u <(EXPANDED=() && expand "${deny[@]}") >"$E2E_DIR/deny.txt"
comm -23 "$E2E_DIR/allow.txt" "$E2E_DIR/deny.txt" >"$E2E_DIR/allowed.txt"
echo "  the filter allows $(wc -l <"$E2E_DIR/allowed.txt") system calls" >&2
systemd-analyze syscall-filter @known | sed -n 's/^ \+\([a-z_0-9]\+\)$/\1/p' | sort -u >"$E2E_DIR/known.txt"
unknown=$(for n in "${allow[@]}" "${deny[@]}"; do [[ $n == @* ]] || echo "$n"; done |
	sort -u | comm -23 - "$E2E_DIR/known.txt" | tr '\n' ' ')
tg_check "every system call named in the unit is known to systemd ${unknown:+(not: $unknown)}" \
	test -z "$unknown"

# denied NAMES...: prints those not allowed.
denied() {
	sort -u | comm -23 - "$E2E_DIR/allowed.txt" | tr '\n' ' '
}

# ---------------------------------------------------------------- 2. static

named=$(grep -rho --include='*.c' --include='*.h' 'SYS_[a-z_0-9]\+' "$ROOT"/src | sed 's/^SYS_//' | sort -u)
echo "  the code calls by number: $(tr '\n' ' ' <<<"$named")" >&2
tg_check "the code's calls by number were found (pidfd_open among them)" \
	grep -qx pidfd_open <<<"$named"
bad=$(denied <<<"$named")
bad=$(xargs <<<"$bad") # trimmed: denied() ends in a blank
tg_check "every system call the code names is allowed ${bad:+(denied: $bad)}" test -z "$bad"

# ---------------------------------------------------------------- 3. dynamic

act_node 512M
e2e_mkgroup node/keep
e2e_mkgroup node/victim
# A protected thrasher keeps the pressure on while the victim is frozen,
# so freeze-kill goes on to the kill after its grace.
act_thrash node/keep 200 2 120
# Tasks only in the v1 groups (not in the unified mirror) make the mirror's
# task set differ from the memory group's, so the kill must go task by task
# through pidfds: the path whose system calls this test has to see.
v1_dirs=("$(e2e_cgpath memory node/victim)" "$(e2e_cgpath freezer node/victim)")
for _ in 1 2 3; do
	tg_spawn - "${v1_dirs[@]}" -- "$E2E_TOOLS/steady" --anon 4 --duration 300 \
		2>>"$E2E_DIR/workload.log"
	E2E_PIDS+=("$TG_PID")
done
act_thrash node/victim 150 2 120

ACT_STRACE=$E2E_DIR/strace.txt
# The installed file, as the unit's daemon reads its own: a reload of the
# default path would fail on a host that has none. Metrics on, so that
# their writes are checked against the filter too.
mkdir -p "$E2E_DIR/metrics"
act_start_daemon -c "$TMP/etc/thrashguard/thrashguard.conf" --set "daemon.scopes=$ACT_NODE" --set action.mode=freeze-kill \
	--set action.freeze_grace=2s --set 'protect.cgroups=*/keep' --set "alert.metrics_dir=$E2E_DIR/metrics" \
	--set shortage.some_pct=3 --set shortage.full_pct=2 || {
	act_summary
	exit 1
}
kill -HUP "$ACT_PID"
e2e_poll 10 grep -q 'Configuration reloaded' "$E2E_DIR/daemon.log" || tg_fail "no reload seen"
if e2e_wait_empty node/victim 60; then
	tg_check "the victim was frozen then killed under strace" true
else
	tg_fail "node/victim still holds $(tg_nprocs node/victim) processes after 60 s"
fi
act_wait_entry 10 "$TG_MID_ACTED" "THRASHGUARD_CGROUP=/$E2E_NAME/node/victim" THRASHGUARD_ACTION=kill ||
	tg_fail "no journal entry for the kill"
act_stop_daemon
rc=$?
tg_check "the daemon stopped cleanly under strace (exit $rc)" test "$rc" = 0
tg_check "its metrics were written (thrashguard_up 0 at the stop)" \
	grep -qx 'thrashguard_up 0' "$E2E_DIR/metrics/thrashguard.prom"

# strace -c: a table whose last column is the call's name, between two
# rules of dashes, then a total line.
used=$(awk '/^-+ /{ rule++; next } rule == 1 && NF >= 5 { print $NF }' "$ACT_STRACE" | sort -u)
echo "  the daemon made: $(tr '\n' ' ' <<<"$used")" >&2
tg_check "strace saw the act layer at work (pidfd_open, pidfd_send_signal)" \
	eval 'grep -qx pidfd_open <<<"$used" && grep -qx pidfd_send_signal <<<"$used"'
tg_check "and the write-and-rename of its files (renameat)" grep -Eqx 'renameat2?' <<<"$used"
if grep -qx process_mrelease <<<"$used"; then
	echo "  process_mrelease was called" >&2
else
	echo "  process_mrelease was not needed this time (every victim had exited first)" >&2
fi
bad=$(denied <<<"$used")
tg_check "every system call the daemon made is allowed by the unit ${bad:+(denied: $bad)}" test -z "$bad"

# ---------------------------------------------------------------- 4. reload

# strace_calls FILE: the call names of an `strace -c` table.
strace_calls() {
	awk '/^-+ /{ rule++; next } rule == 1 && NF >= 5 { print $NF }' "$1" | sort -u
}
# check-config as ExecReload= runs it (the installed binary, the file of
# the daemon), on the installed file and on a file with a mistake.
good=$TMP/etc/thrashguard/thrashguard.conf
badconf=$E2E_DIR/bad.conf
printf '[daemon]\ninterval = 500ms\nno_such_key = 1\n' >"$badconf"
strace -f -c -o "$E2E_DIR/strace-check.txt" "$TMP/usr/sbin/thrashguard" check-config -c "$good" \
	>/dev/null 2>&1
tg_check "check-config accepts the installed file under strace" test "$?" = 0
strace -f -c -o "$E2E_DIR/strace-check-bad.txt" "$TMP/usr/sbin/thrashguard" check-config -c "$badconf" \
	>/dev/null 2>"$E2E_DIR/check-bad.err"
rc=$?
tg_check "check-config refuses a bad file with exit 2 and its line (a failed reload)" \
	eval '[ "$rc" = 2 ] && grep -qF "$badconf:3" "$E2E_DIR/check-bad.err"'
used=$(cat <(strace_calls "$E2E_DIR/strace-check.txt") <(strace_calls "$E2E_DIR/strace-check-bad.txt") |
	sort -u)
echo "  check-config made: $(tr '\n' ' ' <<<"$used")" >&2
bad=$(denied <<<"$used")
tg_check "every system call check-config made is allowed by the unit ${bad:+(denied: $bad)}" \
	eval '[ -n "$used" ] && [ -z "$bad" ]'

act_summary
