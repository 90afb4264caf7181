# bench/vm/node-story5.sh: story 5 on the systemd node (tests/vm/node/) with
# one tool, for bench/node.sh.  Run through the VM tier's kit:
#   tests/vm/run.sh --node --scenario-file bench/vm/node-story5.sh \
#       --append 'tg.tool=TOOL tg.workload=plateau|grower tg.deadline=S'
# The workload is lib-node.sh's (s5_*), as in tests/vm/scenarios/
# node-story5.sh: a neighbour service with a file-backed working set
# (tg-reach.service) answering a probe timed by the host, and a database's
# big task (tg-db.service) whose anonymous memory plateaus just under
# MemAvailable (plateau) or grows without bound (grower, S5_GROW_MIB_S)
# while it keeps reading a 300 MiB file.
#
# Tools (tg.tool): kernel (no daemon), thrashguard (the real unit, scope
# /, as node-story5), oomd-default (systemd-oomd as Debian ships it:
# ManagedOOMSwap=kill on -.slice, 50 % on user@.service, 30 s duration),
# oomd-tuned (the same and ManagedOOMMemoryPressure=kill with a 20 % limit
# on system.slice, which holds the workload), earlyoom and nohang (their
# packaged configurations), mglru (no daemon; the kernel's multi-gen LRU
# with min_ttl_ms 1000: skipped, and said, where the kernel lacks it).
# Each tool is started by systemctl the way its package means it to be.
#
# Records (TGRESULT "bench"): pressure start -> the database's group
# empty, -> the first action in the tool's journal; who acted (the tool,
# the kernel's OOM killer); what died (the database's unit whole or in
# part, every other unit that lost a process); the probe over the
# incident (pressure start -> empty, or the deadline) and over the window
# (to max(empty + NB_AFTER_MS, pressure start + 15 s): the neighbour reads
# its working set back after the kill); kernel OOM kills; MemAvailable's
# low (s5_figures, TGRESULT "probe").  Nothing here judges: a tool that
# never acts is a figure, not a failure.  The scenario fails only when it
# could not measure (no pressure, a tool that would not start).

VM_WHERE=node
VM_DISK=1
VM_OWN_BOOT=1
VM_TIMEOUT=240

NB_TOOL=${TG_TOOL:-kernel}
NB_WORKLOAD=${TG_WORKLOAD:-plateau}
NB_DEADLINE_S=${TG_DEADLINE:-45}
NB_WINDOW_MS=15000
NB_AFTER_MS=5000
# the grower's rate: from pressure start (about 400 MiB) to the node's
# MemAvailable (about 770 MiB) in about 20 s
NB_GROW_MIB_S=20

# nb_unit_up UNIT: systemctl enable --now UNIT, active within 30 s
nb_unit_up() {
	systemctl enable --now "$1" >"$TG_DIR/enable.out" 2>&1 ||
		tg_fatal tool_start "systemctl enable --now $1: $(tr '\n' ' ' <"$TG_DIR/enable.out")"
	tg_wait 30 sh -c '[ "$(systemctl is-active "$1")" = active ]' - "$1" ||
		tg_fatal tool_active "$1 is active within 30 s"
}

nb_version() { # PACKAGE
	dpkg-query -W -f='${Package} ${Version}' "$1" 2>/dev/null
}

# nb_tool_up: starts NB_TOOL; sets NB_UNIT (its unit, empty when none)
# and NB_ACTION_RE (what its journal says when it acts)
nb_tool_up() {
	NB_UNIT= NB_ACTION_RE= NB_VERSION=
	case $NB_TOOL in
	kernel) NB_VERSION="Linux $(uname -r)" ;;
	thrashguard)
		s5_thrashguard_up
		NB_UNIT=$TG_UNIT NB_VERSION=$(thrashguard --version 2>&1 | head -n 1)
		;;
	oomd-default | oomd-tuned)
		if [ "$NB_TOOL" = oomd-tuned ]; then
			systemctl set-property --runtime system.slice ManagedOOMMemoryPressure=kill \
				ManagedOOMMemoryPressureLimit=20% || tg_fatal tool_tune "set-property system.slice"
		fi
		nb_unit_up systemd-oomd.service
		NB_UNIT=systemd-oomd.service NB_ACTION_RE='Killed .* due to' NB_VERSION=$(nb_version systemd-oomd)
		oomctl >"$TG_DIR/oomctl.txt" 2>&1
		tg_result oomctl text "$(head -c 3000 "$TG_DIR/oomctl.txt")"
		;;
	earlyoom)
		nb_unit_up earlyoom.service
		NB_UNIT=earlyoom.service NB_ACTION_RE='sending SIG(TERM|KILL) to process' NB_VERSION=$(nb_version earlyoom)
		;;
	nohang)
		nb_unit_up nohang.service
		NB_UNIT=nohang.service NB_ACTION_RE='Sending SIG(TERM|KILL) to|Implementing' NB_VERSION=$(nb_version nohang)
		;;
	mglru)
		if [ ! -w /sys/kernel/mm/lru_gen/enabled ]; then
			tg_result tool name mglru available false detail "no /sys/kernel/mm/lru_gen in Linux $(uname -r)"
			exit 77
		fi
		echo y >/sys/kernel/mm/lru_gen/enabled && echo 1000 >/sys/kernel/mm/lru_gen/min_ttl_ms ||
			tg_fatal tool_start "enable lru_gen with min_ttl_ms 1000"
		NB_VERSION="Linux $(uname -r), lru_gen enabled $(cat /sys/kernel/mm/lru_gen/enabled), min_ttl_ms $(cat /sys/kernel/mm/lru_gen/min_ttl_ms)"
		;;
	*) tg_fatal tool "unknown tool '$NB_TOOL'" ;;
	esac
	tg_result tool name "$NB_TOOL" available true version "$NB_VERSION" unit "${NB_UNIT:-null}"
}

# nb_procs: "PID CGROUP" of every process outside the runner's unit and the
# root group (kernel threads)
nb_procs() {
	grep -s -H '^0::' /proc/[0-9]*/cgroup | sed -n 's|^/proc/\([0-9]*\)/cgroup:0::\(/..*\)|\1 \2|p' |
		grep -v ' /system.slice/tg-node.service' | sort
}

# nb_actions: the first action in the tool's journal and the kernel's OOM
# kills since the scenario began, as "MS WHO TEXT" lines (MS the entry's
# CLOCK_MONOTONIC ms); thrashguard's action is its decision (its acted
# entry, written once the group is empty, less the kill's time to empty).
nb_actions() {
	node_journal -o json | python3 -c '
import json, re, sys
unit, rx = sys.argv[1], re.compile(sys.argv[2]) if sys.argv[2] else None
first = None
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:
        continue
    msg = e.get("MESSAGE")
    if not isinstance(msg, str):
        continue
    ms = int(e.get("__MONOTONIC_TIMESTAMP", 0)) // 1000
    if e.get("_TRANSPORT") == "kernel" and re.search(r"Killed process \d+", msg):
        print(ms, "kernel", msg[:200])
    elif unit and e.get("_SYSTEMD_UNIT") == unit and first is None:
        if unit == "thrashguard.service":
            if e.get("THRASHGUARD_EVENT") == "acted":
                first = (ms - int(e.get("THRASHGUARD_TIME_TO_EMPTY_USEC") or 0) // 1000, msg)
        elif rx and rx.search(msg):
            first = (ms, msg)
if first:
    print(first[0], "tool", first[1][:200])
' "$NB_UNIT" "$NB_ACTION_RE"
}

scenario() {
	local end p_end t_empty= left tasks db_ms lost first oom_comms
	[ "$NB_WORKLOAD" = grower ] && S5_GROW_MIB_S=$NB_GROW_MIB_S
	nb_tool_up
	s5_setup
	sleep 3
	nb_procs >"$TG_DIR/procs.before"
	s5_db_start
	[ -n "$T_PRESSURE" ] || tg_fatal pressure "the node's full stall exceeded 10 % over 500 ms within 40 s of the launch"
	# the database's tasks as launched (thrasher's main and its two
	# workers, and the grower's leaker): a tool may have killed one before
	# the pressure was seen
	tasks=3
	[ "$NB_WORKLOAD" = grower ] && tasks=4
	p_end=$((T_PRESSURE + NB_DEADLINE_S * 1000))
	if node_wait_gone "$S5_DB" $(((p_end - $(tg_now_ms)) / 1000 + 1)); then
		t_empty=$(tg_now_ms)
		end=$((t_empty + NB_AFTER_MS))
		[ "$end" -lt $((T_PRESSURE + NB_WINDOW_MS)) ] && end=$((T_PRESSURE + NB_WINDOW_MS))
		tg_info "$NB_TOOL: the database's group emptied $((t_empty - T_PRESSURE)) ms after pressure start"
	else
		end=$p_end
		tg_info "$NB_TOOL: the database's group still held tasks ${NB_DEADLINE_S} s after pressure start"
	fi
	tg_sleep_until "$end"
	left=$(wc -l 2>/dev/null <"$CG/$S5_DB/cgroup.procs" || echo 0)
	db_ms=$(node_unit_prop tg-db.service InactiveEnterTimestampMonotonic)
	tg_result db_unit active "$(systemctl is-active tg-db.service)" result "$(node_unit_prop tg-db.service Result)" \
		exec_main "$(node_unit_prop tg-db.service ExecMainCode)/$(node_unit_prop tg-db.service ExecMainStatus)" \
		inactive_after_pressure_ms "$([ "${db_ms:-0}" -gt 0 ] && echo $((db_ms / 1000 - T_PRESSURE)) || echo null)"
	nb_procs >"$TG_DIR/procs.after"
	# what else lost a process: "CGROUP:N ..." (the database apart)
	lost=$(join -v 1 "$TG_DIR/procs.before" "$TG_DIR/procs.after" | awk -v db="/$S5_DB" '
		$2 != db { n[$2]++ } END { for (g in n) printf "%s%s:%d", s++ ? " " : "", g, n[g] }')
	systemctl stop tg-db.service
	# the host's measure of a reply arrives with its next request
	sleep 2
	nb_actions >"$TG_DIR/actions.txt"
	first=$(grep ' tool ' "$TG_DIR/actions.txt" | head -n 1)
	oom_comms=$(sed -n 's/.*Killed process [0-9]* (\([^)]*\)).*/\1/p' "$TG_DIR/actions.txt" | tr '\n' ' ')
	s5_figures "$end"
	tg_result bench tool "$NB_TOOL" workload "$NB_WORKLOAD" deadline_s "$NB_DEADLINE_S" \
		pressure_after_launch_ms $((T_PRESSURE - T_LAUNCH)) \
		pressure_to_empty_ms "$([ -n "$t_empty" ] && echo $((t_empty - T_PRESSURE)) || echo null)" \
		pressure_to_action_ms "$([ -n "$first" ] && echo $((${first%% *} - T_PRESSURE)) || echo null)" \
		action "${first#* tool }" db_tasks_at_pressure "$tasks" db_tasks_left "$left" lost "$lost" \
		kernel_oom_kills "$S5_OOM" kernel_oom_comms "$oom_comms" \
		incident_json "$(s5_probe_stats "$T_PRESSURE" "${t_empty:-$p_end}")" window_ms $((end - T_PRESSURE)) \
		window_json "$S5_WINDOW" neighbour_active "$(systemctl is-active tg-reach.service)" \
		neighbour_same_pid "$([ "$(node_unit_prop tg-reach.service MainPID)" = "$REACH_PID" ] && echo true || echo false)"
	systemctl stop tg-reach.service
	[ -z "$NB_UNIT" ] || systemctl disable --now "$NB_UNIT" >/dev/null 2>&1
	return 0
}
