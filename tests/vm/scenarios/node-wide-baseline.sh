# node-wide-baseline: node-wide without the daemon, for comparison: how
# late the neighbour's probe gets, whether the VM stalls, whether the
# kernel's OOM killer ends it.  Bounded: the thrasher is killed by the
# scenario NWB_DEADLINE_S after the launch (if the VM still runs it), and
# the scenario's own deadline (VM_TIMEOUT) and the boot's end it otherwise.
#
# Not part of the pass/fail set (VM_DEFAULT=0): run it on request,
#   tests/vm/run.sh --scenario node-wide-baseline
# It passes when it measured something (the pressure came); its figures
# are the point: TGRESULT "neighbour" (probe before / over the window,
# "stalled", the longest sampler gap, kernel OOM kills) and "baseline".

VM_DISK=1
VM_OWN_BOOT=1
VM_DEFAULT=0
VM_TIMEOUT=120

NWB_DEADLINE_S=40

scenario() {
	local end th_alive t_gone=
	nw_setup
	tg_neighbour "$NB" /mnt/data/bin || tg_fatal neighbour_setup "the neighbour's probe starts"
	sleep 2
	nw_thrash_start
	end=$((T_LAUNCH + NWB_DEADLINE_S * 1000))
	while [ "$(tg_now_ms)" -lt "$end" ]; do
		if [ "$(cg_events_get "$TH" populated)" = 0 ]; then
			t_gone=$(tg_now_ms)
			break
		fi
		sleep 0.5
	done
	th_alive=$(cg_events_get "$TH" populated)
	cg_kill "$TH"
	wait_empty "$TH" 30
	T_EMPTY=
	nw_figures "$end"
	tg_result baseline deadline_s "$NWB_DEADLINE_S" thrasher_alive_at_deadline "$([ "$th_alive" = 1 ] && echo true || echo false)" \
		thrasher_gone_after_ms "$([ -n "$t_gone" ] && echo $((t_gone - T_LAUNCH)) || echo null)" \
		kernel_oom_kills "$NW_OOM" stalled "$([ "$NW_STALLED" = 1 ] && echo true || echo false)" \
		ended_at_uptime_s "$(cut -d' ' -f1 /proc/uptime)"
	tg_check pressure "the node's pressure came (full > 10 % over 500 ms within 40 s)" [ -n "$T_PRESSURE" ]
	# recorded, not judged: without the daemon anything may happen to it
	local nb_alive=false
	tg_alive "$NB_PID" && nb_alive=true
	kill -TERM "$NB_PID" 2>/dev/null
	tg_wait_pid "$NB_PID" 10
	tg_result neighbour_end alive "$nb_alive" status "$TG_RC" kubelet_alive "$(tg_alive "$TG_KUBELET_PID" && echo true || echo false)"
	[ -s "$TG_DIR/nb-probe.json" ] && tg_result probe summary_json "$(cat "$TG_DIR/nb-probe.json")"
	return 0
}
