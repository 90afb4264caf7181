# node-podman: real Podman containers (crun, systemd cgroup manager, the
# offline root filesystem /var/lib/tg/ctr) in the test slice, placed with
# --cgroup-parent=tg-test.slice: /tg.slice/tg-test.slice/libpod-<id>.scope,
# crun's processes in its child group "container".  The real unit guards
# the slice (the image's configuration, action kill).
#
# A neighbour container (steady, 32 MiB) and a thrasher container (thrasher:
# 280 MiB anonymous in two workers and a sweep of the data disk's 300 MiB
# file, bind-mounted): the slice's 384M cannot hold both, its stall climbs,
# the kernel OOM killer never fires (page cache is always reclaimable).
#
# Asserts: `thrashguard status --json` shows both as kind podman, runtime
# podman, with their container ids; the daemon kills the thrasher's scope
# whole (cgroup.kill, not partial, every task gone, `podman inspect` says
# exited 137) and names it (CONTAINER_ID) in the journal; the neighbour
# container is still running; no kernel OOM kill in the slice.

VM_WHERE=node
VM_DISK=1
VM_TIMEOUT=200

scenario() {
	local v t_launch t_empty cond st n
	node_daemon_up || exit 1
	node_podman NB tg-nb "$TG_SLICE" -- /usr/local/bin/steady --anon 32 --duration 900 ||
		tg_fatal podman_nb "podman runs the neighbour container"
	v=$(node_status_of "$NB_CG")
	tg_result status_nb line "$v"
	tg_check nb_identity "status --json: the neighbour is podman, container $NB_CID ($v)" \
		tg_eq "$v" "podman podman $NB_CID - -"

	node_podman TH tg-th "$TG_SLICE" -- /usr/local/bin/thrasher --anon 280 --file /mnt/data/big.dat \
		--file-size 300 --procs 2 --duration 120 || tg_fatal podman_th "podman runs the thrasher container"
	t_launch=$(tg_now_ms)
	tg_sampler_start slice "$TG_SLICE_CG"
	v=$(node_status_of "$TH_CG")
	tg_result status_th line "$v"
	tg_check th_identity "status --json: the thrasher is podman, container $TH_CID ($v)" \
		tg_eq "$v" "podman podman $TH_CID - -"
	tg_check th_in_container_group "crun put the thrasher in libpod-<id>.scope/container" \
		test -n "$(cat "$CG/$TH/container/cgroup.procs" 2>/dev/null)"

	if wait_empty "$TH" 60; then
		t_empty=$(tg_now_ms)
		tg_info "the thrasher's container emptied $((t_empty - t_launch)) ms after podman run returned"
	else
		tg_check emptied "the thrasher's container emptied within 60 s" false
	fi
	tg_wait 10 tg__has_decision THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill
	tg_decisions_keep
	cond="MESSAGE_ID=2b2e42b20e434042acc519a8da2a8e80 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill"
	# shellcheck disable=SC2086
	{
		tg_decision_result $cond
		tg_check one_kill "exactly one kill" tg_dcount_is 1 $cond
		tg_check victim "... of the thrasher's scope, named by its container id, in scope /$TG_SLICE_CG" \
			tg_dcount_is 1 $cond "THRASHGUARD_CGROUP=$TH_CG" "CONTAINER_ID=$TH_CID" "THRASHGUARD_SCOPE=/$TG_SLICE_CG"
		tg_check whole "... whole: cgroup.kill, not partial, no task left" \
			tg_dcount_is 1 $cond THRASHGUARD_CGROUP_KILL=1 THRASHGUARD_PARTIAL=0 THRASHGUARD_TASKS_LEFT=0
	}
	tg_check nothing_else "nothing else acted on, no failed action" \
		tg_dcount_is 0 'THRASHGUARD_EVENT~^(failed|acted)$' "THRASHGUARD_CGROUP!=$TH_CG"
	tg_wait 30 sh -c '[ "$(podman inspect -f "{{.State.Status}}" tg-th 2>/dev/null)" = exited ]'
	st=$(node_podman_state tg-th)
	tg_check th_exited "podman: the thrasher's container exited 137 ($st)" tg_eq "$st" "exited 137"
	st=$(node_podman_state tg-nb)
	tg_check nb_running "podman: the neighbour's container is running ($st)" \
		sh -c 'case "$1" in running*) exit 0 ;; esac; exit 1' - "$st"
	tg_check nb_alive "... its process alive" tg_alive "$NB_PID"
	n=$(cg_event "$TG_SLICE_CG" oom_kill)
	tg_check no_oom "no kernel OOM kill in the slice ($n)" tg_eq "$n" 0
	n=$(node_unit_prop "$TG_UNIT" NRestarts)
	tg_check daemon_running "the daemon is still active, never restarted (NRestarts $n)" \
		sh -c '[ "$1" = 0 ] && [ "$(systemctl is-active thrashguard)" = active ]' - "$n"
	return 0
}
