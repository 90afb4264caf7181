# all-protected: pressure, but every candidate is protected.  The thrash
# node (lib-vm.sh, tn_*), with every pod's container protected by a
# [protect] cgroups pattern (/node/kubepods.slice/*: the thrasher's and the
# neighbour's) and the kubelet protected by its comm: the shortage rule
# holds, nothing may be touched.  The daemon must not act, and must say so
# (one all-protected decision, saying why), once per cooldown.
#
# Rules and cooldown: defaults (the 8 s watched after the first
# all-protected line are within one 10 s cooldown, so exactly one is
# expected).
#
# Asserts: an all-protected decision (rule shortage, scope /node) within
# DECIDE_MS of the pressure start, whose message says that every candidate
# is protected and by what ([protect] cgroups, the kubelet's comm), whose
# ranking marks each candidate protected with its reason; exactly one in
# the window; no acted, would-act or failed decision; every task of the
# thrasher alive; the neighbour and the kubelet live.
#
# On the systemd node (VM_WHERE; lib-node.sh): the pods are Podman
# containers below kubepods.slice (protected by /kubepods.slice/*), the
# kubelet stand-in is system.slice/kubelet.service, outside the scope: the
# reason names [protect] cgroups only, and the kubelet is in no ranking.

VM_WHERE="busybox node"
VM_DISK=1
# (the node: its two podman runs take 6-26 s each under emulation)
VM_TIMEOUT=240

scenario() {
	local cond t pids msg th_re nb_re
	tn_setup file
	tg_daemon_start --set daemon.scopes=/$TN_NODE --set "protect.cgroups=/init.scope /$TN_KUBEPODS/*" || exit 1
	tn_neighbour
	tn_thrash_start
	cond="THRASHGUARD_EVENT=all-protected THRASHGUARD_RULE=shortage THRASHGUARD_SCOPE=/$TN_NODE"
	# shellcheck disable=SC2086
	if tg_wait_decision 20 $cond; then
		t=$(tg_dq get MS $cond)
		tg_result timing_all_protected pressure_to_line_ms $((t - T_PRESSURE))
		tg_check in_time "an all-protected decision within ${DECIDE_MS} ms of pressure start ($((t - T_PRESSURE)) ms)" \
			tg_le $((t - T_PRESSURE)) "$DECIDE_MS"
	else
		tg_check in_time "an all-protected decision within 20 s of pressure start" false
		t=$(tg_now_ms)
	fi
	pids=$(tg_pids "$TH")
	tg_sleep_until $((t + 8000))
	tg_decisions_keep
	# What came within the cooldown of the first line (the checks below
	# take time: a line after the cooldown is allowed and not counted).
	cond="$cond MS<$((t + 9500))"
	# shellcheck disable=SC2086
	tg_check all_alive "every task of the thrasher ($(echo $pids | wc -w)) is alive" tg_all_alive $pids
	# shellcheck disable=SC2086
	{
		tg_decision_result $cond
		msg="$(tg_dq get MESSAGE $cond) / $(tg_dq get THRASHGUARD_REASON $cond)"
		# (comm: only where the kubelet stand-in is one of the scope's groups)
		tg_check says_why "the headline says every candidate is protected, the reason by what ([protect] cgroups$([ "$TN_KUBELET_IN_SCOPE" = 1 ] && echo ', comm'))" \
			awk -v m="$msg" -v c="$TN_KUBELET_IN_SCOPE" 'BEGIN { exit !(index(m, "every candidate is protected") && index(m, "[protect] cgroups") && (c != 1 || index(m, "comm"))) }' ||
			tg_info "    (the headline / reason, ${#msg} characters: $msg)"
		th_re=$(echo "$TH_CG" | sed 's/\./\\./g')
		nb_re=$(echo "$NB_CG" | sed 's/\./\\./g')
		tg_check ranking "its ranking marks the pods protected by [protect] cgroups" \
			tg_dcount_is 1 $cond \
			"CANDIDATES~$th_re score=[-0-9.]+ protected=\\[protect\\] cgroups" \
			"CANDIDATES~$nb_re score=[-0-9.]+ protected=\\[protect\\] cgroups"
		tn_check_kubelet_ranking $cond
		tg_check one_per_cooldown "exactly one all-protected decision in one cooldown" tg_dcount_is 1 $cond
	}
	tg_check nothing_done "no acted, would-act or failed decision" \
		tg_dcount_is 0 'THRASHGUARD_EVENT~^(acted|would-act|failed)$'
	cg_kill "$TH"
	tg_check neighbour_alive "the neighbour is alive" tg_alive "$NB_PID"
	tg_check kubelet_alive "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	tg_daemon_stop_check
}
