# node-story5-baseline: node-story5 without the daemon, for comparison:
# the same neighbour, probe and database task (lib-node.sh, s5_*), no
# thrashguard.  Bounded: the scenario stops the database's service
# S5B_DEADLINE_S after the launch if the kernel has not ended it.
#
# Not part of the pass/fail set (VM_DEFAULT=0): run it on request,
#   tests/vm/run.sh --node --scenario node-story5-baseline
# It passes when it measured something (the pressure came); its figures
# are the point: "probe" (the host's round trips and longest silence),
# "baseline" (whether the task was still alive at the deadline, when the
# kernel OOM killer ended it).

VM_WHERE=node
VM_DISK=1
VM_OWN_BOOT=1
VM_DEFAULT=0
VM_TIMEOUT=200

S5B_DEADLINE_S=60

scenario() {
	local end t_gone=
	s5_setup
	sleep 3
	s5_db_start
	end=$((T_LAUNCH + S5B_DEADLINE_S * 1000))
	while [ "$(tg_now_ms)" -lt "$end" ]; do
		if [ "$(systemctl is-active tg-db.service)" != active ]; then
			t_gone=$(tg_now_ms)
			break
		fi
		sleep 0.5
	done
	local alive=false
	[ "$(systemctl is-active tg-db.service)" = active ] && alive=true
	systemctl stop tg-db.service
	[ -n "$t_gone" ] && end=$t_gone
	sleep 2
	s5_figures "$end"
	tg_result baseline deadline_s "$S5B_DEADLINE_S" db_alive_at_deadline "$alive" \
		db_gone_after_launch_ms "$([ -n "$t_gone" ] && echo $((t_gone - T_LAUNCH)) || echo null)" \
		kernel_oom_kills "$S5_OOM" neighbour_active "$(systemctl is-active tg-reach.service)"
	tg_check pressure "the node's pressure came (full > 10 % over 500 ms within 40 s)" [ -n "$T_PRESSURE" ]
	systemctl stop tg-reach.service
	return 0
}
