# node-unit: the real unit under the real systemd (Debian 12 node, the
# shipped systemd/thrashguard.service unchanged, /usr/sbin/thrashguard from
# `make install`), guarding the test slice /tg.slice/tg-test.slice
# (MemoryMax 384M, no swap) as the image's configuration says.
#
#   1. `systemctl enable --now thrashguard`: READY reaches systemd (the unit
#      turns active), its StatusText says what it watches; its summary line
#      says the PSI triggers got 1000 ms windows (sub-2 s windows need the
#      unit's CAP_SYS_RESOURCE) and no fallback line;
#   2. `systemctl reload` with a bad file: refused with its line, the
#      daemon keeps running (same MainPID, active, no restart);
#   3. `systemctl reload` with a good file (mode freeze-kill, freeze_grace
#      60 s, so that the freeze lasts): applied ("Configuration reloaded",
#      action freeze-kill);
#   4. a real incident in the slice: a file thrash (systemd-run service
#      tg-thrash: thrasher, 280 MiB anonymous in two workers and a sweep of
#      the data disk's 300 MiB file) beside a neighbour (tg-nb: steady);
#      the daemon freezes the thrasher's service, kernel-confirmed, and the
#      decision arrives in the journal with its fields (MESSAGE_ID,
#      THRASHGUARD_EVENT/ACTION/RULE/SCOPE/CGROUP, FROZEN=1); the
#      neighbour is not touched; the watchdog holds (no restart);
#   5. `systemctl stop thrashguard` during the freeze: the daemon thaws
#      what it froze, nothing on the node is left frozen, the unit stops
#      cleanly (Result=success);
#   6. no EPERM/SIGSYS: no "Operation not permitted" or "Bad system call"
#      in the daemon's lines, no seccomp audit record in the kernel log,
#      no error line but the refused reload's.

VM_WHERE=node
VM_DISK=1
VM_TIMEOUT=150

UNIT_FREEZE_MS=20000

scenario() {
	local rc pid2 st t_launch t_frozen frozen_now cond n
	node_daemon_up || exit 1
	st=$(node_unit_prop "$TG_UNIT" StatusText)
	tg_check status_text "StatusText says what it watches ($st)" sh -c 'case "$1" in watching*) exit 0 ;; esac; exit 1' - "$st"
	tg_wait 10 node_daemon_log_has '^Starting: ' || true
	tg_result summary line "$(node_journal -u "$TG_UNIT" -o cat | grep -m1 '^Starting: ')"
	tg_check scope "the summary names the test slice as the only scope" \
		node_daemon_log_has '^Starting: .*scopes /tg\.slice/tg-test\.slice, '
	tg_check psi_window "PSI triggers with 1000 ms windows accepted (CAP_SYS_RESOURCE)" \
		node_daemon_log_has '^Starting: .* [1-9][0-9]* PSI trigger\(s\) at some .* of 1000 ms windows'
	tg_check no_window_fallback "no window fallback line" node_daemon_log_lacks 'refused by the kernel'

	# 2. a bad file is refused before the daemon is signalled (ExecReload
	# runs check-config first): `systemctl reload` fails, the journal has
	# the file's line, the daemon keeps running
	printf '[daemon]\nscopes = /tg.slice/tg-test.slice\n[action]\nmode = obliterate\n' >"$TG_CONF"
	systemctl reload "$TG_UNIT" >"$TG_DIR/reload-bad.out" 2>&1
	rc=$?
	tg_check reload_bad_fails "systemctl reload fails on a bad file (rc $rc)" test "$rc" != 0
	tg_wait 10 node_daemon_log_has 'thrashguard.conf:4: \[action\] mode' || true
	tg_check reload_bad_refused "... and the journal names the file's line ($TG_CONF:4, [action] mode)" \
		node_daemon_log_has 'thrashguard.conf:4: \[action\] mode'
	tg_result reload_bad reason "$(node_journal -u "$TG_UNIT" -o cat | grep -m1 -A2 'thrashguard.conf:4' | tr '\n' ' ')"
	tg_wait 10 node_is_active
	pid2=$(node_unit_prop "$TG_UNIT" MainPID)
	tg_check reload_bad_running "... and it keeps running (active, MainPID $TG_MAINPID -> $pid2)" \
		sh -c '[ "$(systemctl is-active thrashguard)" = active ] && [ "$1" = "$2" ]' - "$TG_MAINPID" "$pid2"

	# 3. a good file is applied
	sed -e 's/^mode = kill$/mode = freeze-kill/' -e 's/^freeze_grace = .*/freeze_grace = 60s/' \
		/run/tg/thrashguard.conf.orig >"$TG_CONF"
	thrashguard check-config >"$TG_DIR/check.out" 2>&1
	rc=$?
	tg_check check_config "thrashguard check-config accepts the good file (rc $rc)" tg_eq "$rc" 0
	systemctl reload "$TG_UNIT" >"$TG_DIR/reload-good.out" 2>&1
	rc=$?
	tg_wait 10 node_daemon_log_has '^Configuration reloaded: .*action freeze-kill'
	tg_check reload_good "a good file is applied (rc $rc; 'Configuration reloaded: ... action freeze-kill')" \
		node_daemon_log_has '^Configuration reloaded: .*action freeze-kill'
	tg_check reload_good_pid "... in the same process, active" \
		sh -c '[ "$(systemctl is-active thrashguard)" = active ] && [ "$(systemctl show -P MainPID thrashguard)" = "$1" ]' - "$TG_MAINPID"

	# 4. an incident
	node_run tg-nb steady --anon 32 --duration 900 || tg_fatal neighbour "start the neighbour (tg-nb)"
	NB_PID=$TG_PID
	NB=$NODE_CG
	tg_sampler_start slice "$TG_SLICE_CG"
	t_launch=$(tg_now_ms)
	node_run tg-thrash thrasher --anon 280 --file /mnt/data/big.dat --file-size 300 --procs 2 --duration 120 ||
		tg_fatal thrasher "start the thrasher (tg-thrash)"
	TH=$NODE_CG
	if tg_wait_pstart slice 10 40 "$t_launch"; then
		tg_info "pressure in the slice $((TG_PSTART - t_launch)) ms after the launch"
	fi
	if tg_wait $((UNIT_FREEZE_MS / 1000 + 20)) wait_frozen "$TH" 1; then
		t_frozen=$(tg_now_ms)
		tg_info "the thrasher's service frozen $((t_frozen - t_launch)) ms after the launch"
	fi
	frozen_now=$(cg_events_get "$TH" frozen)
	tg_check frozen "the daemon froze the thrasher's service (kernel: frozen $frozen_now)" tg_eq "$frozen_now" 1
	tg_wait 10 tg__has_decision THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=freeze
	cond="MESSAGE_ID=2b2e42b20e434042acc519a8da2a8e80 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=freeze"
	# shellcheck disable=SC2086
	{
		tg_decision_result $cond
		tg_check journal_freeze "the journal has the freeze (MESSAGE_ID acted) of /$TH, scope /$TG_SLICE_CG, kernel-confirmed" \
			tg_dcount_is 1 $cond "THRASHGUARD_CGROUP=/$TH" "THRASHGUARD_SCOPE=/$TG_SLICE_CG" THRASHGUARD_FROZEN=1 \
			'THRASHGUARD_RULE~^(shortage|thrash)$' PRIORITY=4 THRASHGUARD_DRY_RUN=0
		tg_check journal_candidates "... with the ranked candidates, the neighbour among them" \
			tg_dcount_is 1 $cond "CANDIDATES~tg-nb\\.service score="
	}
	tg_check nb_untouched "the neighbour is running and not frozen" \
		sh -c '[ "$(sed -n "s/^frozen //p" "$1/cgroup.events")" = 0 ] && kill -0 "$2"' - "$CG/$NB" "$NB_PID"
	n=$(node_unit_prop "$TG_UNIT" NRestarts)
	tg_check watchdog "no restart during the incident (NRestarts $n, MainPID unchanged)" \
		sh -c '[ "$1" = 0 ] && [ "$(systemctl show -P MainPID thrashguard)" = "$2" ]' - "$n" "$TG_MAINPID"

	# 5. stop during the freeze
	systemctl stop "$TG_UNIT"
	rc=$?
	tg_check stop "systemctl stop succeeds (rc $rc, Result $(node_unit_prop "$TG_UNIT" Result))" \
		sh -c '[ "$1" = 0 ] && [ "$(systemctl show -P Result thrashguard)" = success ]' - "$rc"
	tg_check thawed_logged "the daemon said it thawed the group it froze" node_daemon_log_has "^Thawed /$TH, frozen pending a kill \\(stopping\\)"
	n=$(node_frozen_groups | tr '\n' ' ')
	tg_check nothing_frozen "nothing on the node is frozen after the stop (${n:-none})" tg_eq "$n" ""

	# 6. the syscall filter and the sandbox denied nothing
	node_journal -u "$TG_UNIT" -o cat >"$TG_DIR/daemon.lines"
	tg_check no_eperm "no EPERM or SIGSYS in the daemon's lines" \
		sh -c '! grep -Eiq "operation not permitted|bad system call|permission denied" "$1"' - "$TG_DIR/daemon.lines"
	tg_check no_seccomp_audit "no seccomp audit record in the kernel log" \
		sh -c '! dmesg | grep -Eiq "type=1326|audit:.*seccomp"'
	n=$(node_journal -u "$TG_UNIT" -p err -o cat | grep -v -e '^Reload failed' -e 'obliterate' | tr '\n' ' ')
	tg_check no_errors "no error line but the refused reload's (${n:-none})" tg_eq "$n" ""
	systemctl stop tg-thrash.service tg-nb.service 2>/dev/null
	return 0
}
