# node-wide: the seed's story 5 in the VM.  The whole VM runs short of
# memory (scope "/": /proc/pressure/memory and MemAvailable; no swap): one
# BestEffort pod without a limit of its own holds all but ~60 MiB of the
# VM's available memory and sweeps a file from the disk (lib-vm.sh, nw_*),
# so that every file page anyone needs, the neighbour's program text
# included, is read back from the disk again and again.  The daemon, with
# the product's defaults and scope "/", must keep the VM responsive (the
# neighbour's probe keeps answering) and kill the right group.
# node-wide-baseline is the same run without the daemon.
#
# Runs in a VM of its own (VM_OWN_BOOT): pressure on the whole VM may stall
# it, and must not cost the other scenarios their results.
#
# Asserts: exactly one kill decision, of the thrasher's container, by the
# shortage rule, in scope "/", with its identity, complete; nothing else
# acted on; the decision within DECIDE_MS of the node's pressure start; the
# group emptied; the thrasher died of SIGKILL; the neighbour, the kubelet
# and the daemon live; no kernel OOM kill in the VM; the probe answered
# throughout (never late by more than NW_PROBE_MAX_MS over the incident),
# and the VM never stopped for NW_STALL_MS (vmmon's sampler).
#
# Figures: as thrash, plus MemAvailable's low, the VM-wide stall and the
# probe during and after the incident; compare with node-wide-baseline.

VM_DISK=1
VM_OWN_BOOT=1
VM_TIMEOUT=120

NW_WINDOW_MS=15000
NW_PROBE_MAX_MS=3000

scenario() {
	local cond t_dec tte end
	nw_setup
	tg_daemon_start --set daemon.scopes=/ || exit 1
	tg_neighbour "$NB" /mnt/data/bin || tg_fatal neighbour_setup "the neighbour's probe starts"
	sleep 2
	nw_thrash_start
	[ -n "$T_PRESSURE" ] ||
		tg_fatal pressure "the node's full stall exceeded 10 % over 500 ms within 40 s of the launch"
	if wait_empty "$TH" 40; then
		T_EMPTY=$(tg_now_ms)
		tg_info "the thrasher's group emptied $((T_EMPTY - T_PRESSURE)) ms after pressure start"
	else
		tg_check emptied "the thrasher's group emptied within 40 s of pressure start" false
	fi
	end=$((T_PRESSURE + NW_WINDOW_MS))
	tg_sleep_until "$end"
	tg_decisions_keep

	cond="THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill"
	# shellcheck disable=SC2086
	{
		tg_decision_result $cond
		tg_check one_kill "exactly one kill decision" tg_dcount_is 1 $cond
		tg_check victim "... of the thrasher's container, by the shortage rule, in scope /, with its identity, complete" \
			tg_dcount_is 1 $cond "THRASHGUARD_CGROUP=$TH_CG" THRASHGUARD_RULE=shortage THRASHGUARD_SCOPE=/ \
			"POD_UID=$TH_UID" "CONTAINER_ID=$TH_CID" THRASHGUARD_QOS=besteffort THRASHGUARD_PARTIAL=0 \
			THRASHGUARD_CGROUP_KILL=1
		t_dec=$(tg_dq get MS $cond "THRASHGUARD_CGROUP=$TH_CG")
		tte=$(tg_dq get THRASHGUARD_TIME_TO_EMPTY_USEC $cond "THRASHGUARD_CGROUP=$TH_CG")
	}
	tg_check nothing_else "nothing else acted on, no failure" \
		tg_dcount_is 0 'THRASHGUARD_EVENT~^(failed|acted|would-act)$' "THRASHGUARD_CGROUP!=$TH_CG"
	if [ -n "$t_dec" ]; then
		local line_ms=$t_dec
		t_dec=$((t_dec - ${tte:-0} / 1000))
		tg_result timing_thrash pressure_after_launch_ms $((T_PRESSURE - T_LAUNCH)) \
			pressure_to_decision_ms $((t_dec - T_PRESSURE)) pressure_to_line_ms $((line_ms - T_PRESSURE)) \
			pressure_to_empty_ms $((${T_EMPTY:-0} - T_PRESSURE)) daemon_time_to_empty_us "${tte:-null}"
		tg_check decision_time "decision within ${DECIDE_MS} ms of pressure start ($((t_dec - T_PRESSURE)) ms)" \
			tg_le $((t_dec - T_PRESSURE)) "$DECIDE_MS"
	fi
	tg_wait_pid "$TH_PID" 5
	tg_check sigkill "the thrasher died of SIGKILL (status $TG_RC)" tg_eq "$TG_RC" 137

	nw_figures "$end"
	local pmax
	pmax=$(tg_json_num "$(tg_probe_stats "$TG_DIR/nb.timeline" "$NB_T0" "$T_PRESSURE" "$end")" max_ms)
	tg_check probe_answered "the neighbour's probe answered throughout (max lateness ${pmax:-none} ms <= $NW_PROBE_MAX_MS)" \
		awk -v p="${pmax:-null}" -v l="$NW_PROBE_MAX_MS" 'BEGIN { exit !(p != "null" && p + 0 <= l) }'
	tg_check vm_ran "the VM never stopped for ${NW_STALL_MS} ms (longest sampler gap $(tg_max_gap node "$T_LAUNCH" "$end") ms)" \
		tg_le "$(tg_max_gap node "$T_LAUNCH" "$end")" "$NW_STALL_MS"
	tg_check no_oom "the kernel OOM killer did not fire ($NW_OOM)" tg_eq "$NW_OOM" 0
	tn_stop_neighbour
	tg_check kubelet_alive "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
