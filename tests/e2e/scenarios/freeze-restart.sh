# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# freeze-restart: mode = freeze, the daemon SIGKILLed while its victim is
# frozen, then started again (issue 13, item 2).  The thrash node of
# `freeze`.
#
# Asserts: before the freeze the group is in the record (the state file in
# the daemon's runtime directory, here the test's own); after SIGKILL and
# a restart it stays frozen for cooldown + 2 s, nothing else is frozen or
# killed, the restarted daemon says it holds it, `status` lists it (table
# and JSON); `thrashguard thaw` thaws it and clears its record.  Then, in
# turn: a restart with nothing to resolve does nothing (no record line in
# its log, the file as it was); a record of a group recreated since (its id
# differs), frozen by hand, is dropped and the group left frozen; a garbage
# state file is reported once and left alone.
SCN_DEADLINE=110
SCN_DEFAULT=1
SCN_SUMMARY="mode freeze: SIGKILL and restart keep the victim frozen and listed; thaw clears it; nothing else touched"

fr_record_lists() { grep -qF " $2" "$1" 2>/dev/null; }

# No line of the record machinery in a daemon log.
fr_quiet_log() { ! grep -Eq 'Holding|Resuming|Dropping the record|Thawed|Ignoring|malformed' "$1"; }

scn_run() {
	local j=$E2E_DIR/journal.json rec=$E2E_DIR/run/frozen t_frozen end st args
	args=(--set action.mode=freeze --set action.cooldown=4s)
	tg_thrash_setup
	tg_daemon_start "${args[@]}"
	tg_thrash_neighbour
	tg_thrash_start
	if e2e_poll 15 tg_frozen "$TH"; then
		t_frozen=$(e2e_now_ms)
		tg_metric pressure_to_frozen_ms=$((t_frozen - T_PRESSURE))
	else
		tg_fatal "the thrasher's group was not frozen within 15 s of pressure start"
	fi
	tg_check "the record lists the frozen group (mode freeze)" grep -qE "^[0-9]+ [0-9]+ [0-9]+ freeze shortage $TH_CG\$" "$rec"

	# The crash.
	tg_daemon_kill9
	tg_check "still frozen after SIGKILL of the daemon" tg_frozen "$TH"
	tg_daemon_start "${args[@]}"
	end=$(($(e2e_now_ms) + 6000))
	while (($(e2e_now_ms) < end)); do
		tg_frozen "$TH" || break
		e2e_sleep_ms 200
	done
	tg_check "still frozen cooldown + 2 s after the restart" tg_frozen "$TH"
	tg_check "the restarted daemon holds it" grep -q "Holding $TH_CG frozen (mode freeze" "$E2E_DIR/daemon.log"
	tg_check "... and still records it" fr_record_lists "$rec" "$TH_CG"
	st=$("$TG_BIN" status -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run" --set "daemon.scopes=$TG_SCOPE" 2>>"$E2E_DIR/status.err")
	tg_check "status lists it as frozen by thrashguard" tg_has "$st" "(mode freeze, shortage):
  $TH_CG
"
	tg_status_json "$E2E_DIR/status.json"
	tg_check "status --json lists it" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if [h for h in d["frozen_by_thrashguard"] if h["cgroup"] == sys.argv[2] and h["mode"] == "freeze"] else 1)' \
		"$E2E_DIR/status.json" "$TH_CG"
	tg_journal "$j"
	tg_check "one freeze in all, nothing else acted on" tg_jcount_is "$j" 1 THRASHGUARD_EVENT~'^(acted|failed)$'

	# The way out of mode = freeze.
	tg_check "thrashguard thaw succeeds" "$TG_BIN" thaw "$TH_CG" -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run"
	tg_check "... the group is thawed" tg_thawed "$TH"
	tg_check "... and its record cleared" tg_not fr_record_lists "$rec" "$TH_CG"
	e2e_kill_group "$TH" || tg_fail "the thrasher's group could not be emptied"
	e2e_sleep_ms 1500
	tg_check "the daemon does not write the record back" tg_not fr_record_lists "$rec" "$TH_CG"

	# A restart with nothing to resolve.
	tg_daemon_kill9
	cp "$rec" "$E2E_DIR/frozen.before"
	tg_daemon_start "${args[@]}"
	e2e_sleep_ms 2000
	tg_check "a restart with nothing to resolve says nothing of records" fr_quiet_log "$E2E_DIR/daemon.log"
	tg_check "... and leaves the file as it was" cmp -s "$rec" "$E2E_DIR/frozen.before"

	# A record of a group since recreated, frozen by someone else.
	e2e_mkgroup node/other
	e2e_run node/other -- "$E2E_DIR/kubelet" 600
	echo 1 >"$(e2e_cgpath psi node/other)/cgroup.freeze"
	e2e_poll 5 tg_frozen node/other || tg_fail "could not freeze node/other by hand"
	tg_daemon_kill9
	printf '%s\n%s\n' "thrashguard-frozen 1" "4242 1 1 freeze-kill shortage $(tg_cg node/other)" >"$rec"
	tg_daemon_start "${args[@]}"
	e2e_sleep_ms 2000
	tg_check "the record of a recreated group is dropped" \
		grep -q "Dropping the record of $(tg_cg node/other).*recreated" "$E2E_DIR/daemon.log"
	tg_check "... and the group, frozen by someone else, left frozen" tg_frozen node/other
	tg_check "... and gone from the file" tg_not fr_record_lists "$rec" "$(tg_cg node/other)"

	# A garbage state file.
	tg_daemon_kill9
	printf '\x7fELF\x01\x02garbage\nthrashguard-frozen 1\n' >"$rec"
	cp "$rec" "$E2E_DIR/frozen.garbage"
	tg_daemon_start "${args[@]}"
	e2e_sleep_ms 3000
	tg_check "a garbage state file is reported once" eval "(($(grep -c 'Ignoring .*frozen: not a record' "$E2E_DIR/daemon.log") == 1))"
	tg_check "... and left as it was (until a record is written)" cmp -s "$rec" "$E2E_DIR/frozen.garbage"
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	tg_check "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
