# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# freeze-release: [action] mode = freeze-kill, the release path.  The
# victim is frozen at once; during the grace the pressure goes away for
# real; at the end of the grace the rule no longer holds and the victim is
# thawed, not killed, and it goes on working without pressure.
#
# What makes "pressure gone" real: the node (512 MiB) is squeezed by a
# Guaranteed pod, "batch", holding 300 MiB (a last-resort candidate: never
# chosen while another is eligible), so that a BestEffort "reader" pod
# streaming a 260 MiB file through mmap (no anonymous memory of its own)
# thrashes the node.  The daemon freezes the reader.  The test then ends
# the batch pod (its job is done) -- so once the reader is thawed, its file
# fits and nothing stalls any more.  (Freezing the reader alone also stops
# the node's stall, so the daemon cannot tell the two apart at the end of
# the grace; what the test adds is that after the thaw the pressure does
# not come back, which is what "released" must mean.)
#
# For CI time: [action] freeze_grace 5 s (default 10 s).  Rules: defaults.
#
# Asserts: the reader's group is frozen (kernel-confirmed); after the grace
# it is thawed (kernel-confirmed, one thaw entry) and every one of its tasks
# is alive; no kill; for 4 s after the thaw it is not frozen again, the
# daemon takes no further action and the node's stall stays below 5 %.
SCN_DEADLINE=80
SCN_DEFAULT=1
SCN_SUMMARY="mode freeze-kill: frozen, the pressure goes away for real, thawed after the grace, not killed"

FR_GRACE_S=5

scn_run() {
	local j=$E2E_DIR/journal.json t_launch t_frozen t_thawed pids=() end after n
	tg_node 512M
	tg_pod BATCH guaranteed 320M
	tg_pod READER besteffort
	tg_sampler_start node
	tg_daemon_start --set action.mode=freeze-kill --set action.freeze_grace=${FR_GRACE_S}s
	e2e_run "$BATCH" -- "$E2E_TOOLS/steady" --anon 300 --duration 120 2>>"$E2E_DIR/workload.log"
	local batch_pid=$E2E_PID
	t_launch=$(e2e_now_ms)
	e2e_run "$READER" -- "$E2E_TOOLS/thrasher" --anon 0 --file "$E2E_DIR/reader.dat" \
		--file-size 260 --procs 2 --duration 120 2>>"$E2E_DIR/workload.log"
	local reader_pid=$E2E_PID
	if e2e_poll 40 tg_frozen "$READER"; then
		t_frozen=$(e2e_now_ms)
		tg_metric launch_to_frozen_ms=$((t_frozen - t_launch))
		e2e_log "the reader was frozen $((t_frozen - t_launch)) ms after its launch"
	else
		tg_fatal "the reader was not frozen within 40 s of its launch"
	fi
	mapfile -t pids < <(tg_pids "$READER")
	# The squeeze ends for real: the batch job is done.
	e2e_kill_group "$BATCH" || tg_fail "could not end the batch pod"
	tg_check "the batch pod is gone" tg_not tg_alive "$batch_pid"

	if e2e_poll $((FR_GRACE_S + 8)) tg_thawed "$READER"; then
		t_thawed=$(e2e_now_ms)
		tg_metric frozen_to_thawed_ms=$((t_thawed - t_frozen))
		e2e_log "thawed $((t_thawed - t_frozen)) ms after it was seen frozen"
		tg_check "thawed after the grace, not before ($((t_thawed - t_frozen)) ms >= $((FR_GRACE_S * 1000 - 500)))" \
			tg_ge $((t_thawed - t_frozen)) $((FR_GRACE_S * 1000 - 500))
	else
		tg_fail "the reader is still frozen $((FR_GRACE_S + 8)) s after it was frozen"
		t_thawed=$(e2e_now_ms)
	fi
	tg_check "every task of the reader (${#pids[@]}) is alive after the thaw" tg_all_alive "${pids[@]}"
	# Released for real: it works, and nothing comes back.
	local refetch0 refetch1
	refetch0=$(cg_stat "$READER" pgmajfault)
	end=$((t_thawed + 4000))
	local refrozen=0
	while (($(e2e_now_ms) < end)); do
		tg_frozen "$READER" && refrozen=1
		e2e_sleep_ms 200
	done
	tg_check "not frozen again in the 4 s after the thaw" tg_eq "$refrozen" 0
	tg_check "the reader is still running" tg_alive "$reader_pid"
	after=$(tg_stall_pct node $((t_thawed + 500)) "$(e2e_now_ms)")
	tg_metric node_full_pct_after_thaw="$after"
	tg_check "the node's full stall after the thaw is below 5 % ($after %)" tg_lt "${after/null/100}" 5
	tg_journal "$j"
	tg_check "one freeze entry for the reader (shortage, confirmed frozen)" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=freeze "THRASHGUARD_CGROUP=$READER_CG" \
		THRASHGUARD_RULE=shortage THRASHGUARD_FROZEN=1
	tg_check "one thaw entry for the reader" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=thaw "THRASHGUARD_CGROUP=$READER_CG"
	tg_check "no kill, no other action, no failure" tg_jcount_is "$j" 2 THRASHGUARD_EVENT~'^(acted|failed)$'
	local t_fz t_th
	if t_fz=$(tg_entry_ms "$j" THRASHGUARD_ACTION=freeze) && t_th=$(tg_entry_ms "$j" THRASHGUARD_ACTION=thaw); then
		tg_metric freeze_to_thaw_entry_ms=$((t_th - t_fz))
	fi
	n=$(e2e_oom_kills node)
	tg_check "the kernel OOM killer did not fire ($n)" tg_eq "$n" 0
	tg_daemon_stop_check
}
