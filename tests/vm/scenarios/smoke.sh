# smoke: proves the VM harness itself, without the daemon doing anything.
#  - pure cgroup v2 with the memory controller, PSI present;
#  - the dynamically linked daemon starts in the VM (`/thrashguard --version`;
#    skipped, not failed, while build/thrashguard does not exist yet);
#  - a page-cache thrash (disk-backed file, no swap) and a swap thrash (zram)
#    inside a group with memory.max=256M produce memory stalls and refaults,
#    and never the kernel OOM killer;
#  - cgroup.freeze and cgroup.kill work on the thrashing group;
#  - `thrashguard status --json` during the file thrash is recorded.
# Figures go out as TGRESULT "thrash" objects.  Parameters: tg.secs=N (the
# measured window of each phase, default 12), tg.warm=N (start-up before it,
# default 3).

VM_DISK=1
VM_ZRAM=512M
# The harness proving itself: run on request (--scenario smoke), the real
# scenarios cover it.
VM_DEFAULT=0
VM_TIMEOUT=150

# smoke_phase NAME "FILE=VALUE..." CMD...: runs CMD in group smoke-NAME,
# measures for $TG_SECS seconds, then freezes and kills the group.
smoke_phase() {
	local name=$1 settings=$2 g=smoke-$1 pid t0 t1 dt s0 f0 rf0 ra0 mj0 rc
	shift 2
	local secs=${TG_SECS:-10} warm=${TG_WARM:-3}
	# shellcheck disable=SC2086 # settings is a list of FILE=VALUE words
	tg_check "${name}_mkgroup" "create $g with $settings" mkgroup "$g" $settings || return 1
	run_in_group "$g" --log "/tmp/$g.log" "$@"
	pid=$TG_PID
	sleep "$warm"
	tg_check "${name}_running" "workload alive after ${warm}s" kill -0 "$pid" || {
		tg_info "$(cat "/tmp/$g.log")"
		rmgroup "$g"
		return 1
	}

	read_pressure "$g"
	s0=$PSI_SOME_TOTAL f0=$PSI_FULL_TOTAL
	rf0=$(cg_stat "$g" workingset_refault_file) ra0=$(cg_stat "$g" workingset_refault_anon)
	mj0=$(cg_stat "$g" pgmajfault) t0=$(tg_now_cs)
	sleep "$secs"
	read_pressure "$g"
	t1=$(tg_now_cs)
	dt=$((t1 - t0))
	local rf=$(($(cg_stat "$g" workingset_refault_file) - rf0))
	local ra=$(($(cg_stat "$g" workingset_refault_anon) - ra0))
	local mj=$(($(cg_stat "$g" pgmajfault) - mj0))
	local d=$(cat "$CG/$g/memory.events" | tr '\n' ' ')
	tg_result thrash phase "$name" window_s "$(tg_cs2s "$dt")" \
		some_pct "$(tg_pct $((PSI_SOME_TOTAL - s0)) $((dt * 10000)))" \
		full_pct "$(tg_pct $((PSI_FULL_TOTAL - f0)) $((dt * 10000)))" \
		some_avg10 "$PSI_SOME_AVG10" full_avg10 "$PSI_FULL_AVG10" \
		refault_file_per_s $((rf * 100 / dt)) refault_anon_per_s $((ra * 100 / dt)) \
		pgmajfault_per_s $((mj * 100 / dt)) \
		memory_current "$(cat "$CG/$g/memory.current")" \
		swap_current "$(cat "$CG/$g/memory.swap.current")" \
		memory_events "$d" memory_pressure "$(cat "$CG/$g/memory.pressure")" \
		system_pressure "$(cat /proc/pressure/memory)" \
		stat "$(grep -E '^(anon|file|workingset_refault_(anon|file)|workingset_activate_(anon|file)|pgmajfault|pgscan|pgsteal) ' "$CG/$g/memory.stat" | tr '\n' ' ')"

	# The daemon's view of this pure v2 node while the group thrashes:
	# recorded, not judged (the scenarios that run the daemon judge it).  As
	# a string: the line must stay valid JSON whatever the daemon prints.
	if [ "$name" = file ] && [ -e /thrashguard ]; then
		local out err
		out=$(timeout 30 /thrashguard status --json 2>/tmp/status.err)
		rc=$?
		err=$(head -c 2000 /tmp/status.err)
		tg_result daemon_status rc "$rc" stdout "$(printf '%s' "$out" | head -c 8000)" stderr "$err"
	fi

	case "$name" in
	# (not pgmajfault: readahead keeps a sequential mmap sweep mostly in minor
	# faults here, a handful of major faults per second or none)
	file) tg_check file_refaults "file refaults in the window" [ "$rf" -gt 0 ] ;;
	swap) tg_check swap_refaults "anon refaults (swap-ins) in the window" [ "$ra" -gt 0 ] ;;
	esac
	tg_check "${name}_stall" "the group's memory stall is non-zero" [ "$PSI_SOME_TOTAL" -gt "$s0" ]
	tg_check "${name}_no_oom" "the kernel OOM killer did not fire" [ "$(cg_event "$g" oom_kill)" = 0 ]

	# freeze, then kill while frozen (what the daemon's freeze-then-kill does)
	t0=$(tg_now_cs)
	cg_freeze "$g" 1
	tg_check "${name}_freeze" "cgroup.freeze reaches frozen 1" wait_frozen "$g" 10
	t1=$(tg_now_cs)
	cg_kill "$g"
	tg_check "${name}_kill" "cgroup.kill empties the group" wait_empty "$g" 10
	local t2=$(tg_now_cs)
	wait "$pid"
	rc=$?
	tg_result freeze_kill phase "$name" freeze_s "$(tg_cs2s $((t1 - t0)))" kill_s "$(tg_cs2s $((t2 - t1)))" workload_status "$rc"
	tg_check "${name}_sigkill" "the workload died of SIGKILL (status 137)" [ "$rc" = 137 ]
	tg_check "${name}_rmdir" "the group can be removed" rmgroup "$g"
}

scenario() {
	tg_check cgroup2_memory "memory controller enabled at the root" grep -qw memory "$CG/cgroup.subtree_control"
	tg_check no_cgroup_v1 "no cgroup v1 hierarchy" sh -c '! grep -q " cgroup " /proc/mounts'
	tg_check psi "PSI present" [ -r /proc/pressure/memory ]

	if [ -e /thrashguard ]; then
		local out rc
		out=$(/thrashguard --version 2>&1)
		rc=$?
		tg_result daemon_version rc "$rc" output "$out"
		tg_check daemon_runs "/thrashguard --version exits 0 (dynamic loader and libraries present)" [ "$rc" = 0 ]
	else
		tg_result skip name daemon_runs reason "no /thrashguard: build/thrashguard did not exist when the initramfs was built"
	fi

	# Page-cache thrash: hold 180 MiB anonymous and sweep a 300 MiB file via
	# mmap; with 256M and no swap for the group, the file cannot stay cached.
	smoke_phase file "memory.max=256M memory.swap.max=0" vmload -a 180 -f /mnt/data/big.dat -t 600
	# Swap thrash: sweep 400 MiB of anonymous memory through zram.
	smoke_phase swap "memory.max=256M" vmload -a 400 -A -t 600
	return 0
}
