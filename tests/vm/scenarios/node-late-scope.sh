# node-late-scope: the real unit started before its scope exists (as on a
# node where kubepods.slice appears when the kubelet starts, ordered after
# thrashguard): READY with "no scope readable yet", no PSI trigger armed
# (polling); once the slice is started the daemon must take snapshots again
# and arm its PSI trigger ("PSI triggers armed again, polling stopped").
# Run with the daemon at debug level (a runtime drop-in adds -v to
# ExecStart; the shipped unit is otherwise unchanged) so that a failed
# re-arm says why.
#
# It failed before the scope's pressure file got its path while the scope
# was not there yet (cgroup_pressure_path): no trigger was ever set up.

VM_WHERE=node
VM_TIMEOUT=90

scenario() {
	local st
	mkdir -p /run/systemd/system/thrashguard.service.d
	printf '[Service]\nExecStart=\nExecStart=/usr/sbin/thrashguard run -v\n' \
		>/run/systemd/system/thrashguard.service.d/tg-debug.conf
	systemctl daemon-reload
	systemctl stop "$TG_SLICE" 2>/dev/null
	systemctl enable --now "$TG_UNIT" || tg_fatal enable "systemctl enable --now thrashguard"
	tg_wait 30 node_is_active || tg_fatal ready "READY within 30 s"
	st=$(node_unit_prop "$TG_UNIT" StatusText)
	tg_check no_scope_yet "READY before the scope exists, saying so ($st)" \
		sh -c 'case "$1" in "no scope readable yet"*) exit 0 ;; esac; exit 1' - "$st"
	tg_check polling "no trigger could be armed: polling" node_daemon_log_has 'No PSI trigger could be armed'
	systemctl start "$TG_SLICE" || tg_fatal slice "start the slice"
	tg_wait 20 node_daemon_log_has 'Snapshots work again'
	tg_check snapshots "snapshots work once the slice exists" node_daemon_log_has 'Snapshots work again'
	tg_wait 30 node_daemon_log_has 'PSI triggers armed again'
	tg_check rearmed "the PSI trigger is armed once the slice exists, within 30 s" \
		node_daemon_log_has 'PSI triggers armed again'
	node_journal -u "$TG_UNIT" -o cat | grep -i 'trigger\|pressure' | head -n 20 >"$TG_DIR/trig.lines"
	tg_result trigger_lines text "$(tr '\n' '|' <"$TG_DIR/trig.lines")"
	systemctl disable --now "$TG_UNIT"
	rm -f /run/systemd/system/thrashguard.service.d/tg-debug.conf
	systemctl daemon-reload
	return 0
}
