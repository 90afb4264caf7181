# The benchmark's node-wide scenario, inside the benchmark VM (pure cgroup
# v2, no swap, 1 GiB), scope "/": the case every peer tool is designed for.
# Sourced by bench/vm/init.sh (busybox ash), which then runs bench_main; one
# VM per tool, the repetitions one after the other inside it.
#
# Parameters (kernel command line): tg.tool=kernel|thrashguard|earlyoom|
# nohang|oomd, tg.reps=N, tg.deadline=S (45).
#
# One repetition:
#   - three Kubernetes-style pods under /kubepods.slice (systemd driver
#     names): "cache" (Burstable; thrasher --anon 0 streaming the 300 MiB
#     big.dat of the data disk through mmap: a service whose working set is
#     page cache), "nb" (Burstable; steady --anon 32 with its latency probe)
#     and "hog" (BestEffort, started last: leaker --rate 40, an anonymous
#     leak that grows until someone stops it);
#   - the tool starts first (peers bare: the VM is disposable), then the
#     cache and the neighbour, 4 s to warm the cache, the sampler, 2 s of
#     baseline, the hog;
#   - pressure start: /proc/pressure/memory `full` over 500 ms > 10 %
#     (benchmon pstart, e2e_pressure_start's rule);
#   - the run ends DEADLINE s after pressure start, or max(hog empty + 10 s,
#     pressure start + 15 s), as on the host; everything is then killed and
#     the next repetition starts on a quiet node.
# Kernel OOM kills are the /proc/vmstat oom_kill delta.  Everything lands
# in /tmp/out/TOOL/rep-K/ in the host benchmark's format (meta.json,
# samples.txt, tool.log, nb.timeline), written at the end as a tar archive
# to the second virtio disk (/dev/vdb) for bench/vm/run.sh to unpack.

# ---- helpers (the few this needs; cgroup paths relative to $CG)

mkgroup() {
	local path=$1 dir=$CG part ctl
	for part in $(echo "$path" | tr / ' '); do
		for ctl in $(cat "$CG/cgroup.subtree_control"); do
			grep -qw "$ctl" "$dir/cgroup.subtree_control" || echo "+$ctl" >"$dir/cgroup.subtree_control" || return 1
		done
		dir=$dir/$part
		[ -d "$dir" ] || mkdir "$dir" || return 1
	done
}

# run_in_group PATH LOG CMD...: CMD in the background, inside PATH from its
# first instruction; TG_PID is its pid.
run_in_group() {
	local dir=$CG/$1 log=$2
	shift 2
	sh -c 'echo $$ >"$1/cgroup.procs" || exit 125; shift; exec "$@"' run_in_group "$dir" "$@" \
		>"$log" 2>&1 </dev/null &
	TG_PID=$!
}

cg_populated() { [ "$(sed -n 's/^populated //p' "$CG/$1/cgroup.events")" = 1 ]; }

rmgroup() {
	local dir=$CG/$1 i=0
	[ -d "$dir" ] || return 0
	echo 1 >"$dir/cgroup.kill" 2>/dev/null
	while cg_populated "$1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
	return 0
}

# tg_json KEY VALUE...: one JSON object; numbers, true/false/null raw, a key
# ending in _json raw (the caller vouches for it), the rest as strings.
tg_json() {
	local out="" sep="" k v
	while [ $# -ge 2 ]; do
		k=$1 v=$2
		shift 2
		case "$k:$v" in
		*_json:* | *:true | *:false | *:null) ;;
		*)
			case "$v" in
			'' | *[!0-9-]* | -) v=\"$(printf '%s' "$v" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')\" ;;
			esac
			;;
		esac
		out="$out$sep\"${k%_json}\":$v"
		sep=,
	done
	printf '{%s}' "$out"
}

bn_now() { benchmon now; }

bn_uuid() { cat /proc/sys/kernel/random/uuid; }

# bn_pod QOS -> the container group's path (relative to /sys/fs/cgroup)
bn_pod() {
	local qos=$1 uid cid
	uid=$(bn_uuid)
	cid=$( (bn_uuid; bn_uuid) | tr -d '\n-' | cut -c1-64)
	uid=$(echo "$uid" | tr - _)
	echo "kubepods.slice/kubepods-$qos.slice/kubepods-$qos-pod$uid.slice/cri-containerd-$cid.scope"
}

bn_tasks() {
	local n
	n=$(wc -l <"$CG/$1/cgroup.procs" 2>/dev/null) || n=-1
	echo "$n"
}

bn_oom_kills() {
	sed -n 's/^oom_kill //p' /proc/vmstat
}

# bn_tool_start TOOL OUTDIR: the tool in the background, its output stamped
# into OUTDIR/tool.log; sets BN_TOOL_PID (the tool's own pid) and
# BN_TOOL_CMD.
bn_tool_start() {
	local tool=$1 out=$2
	BN_TOOL_PID=
	case $tool in
	kernel) BN_TOOL_CMD=""; : >"$out/tool.log"; return 0 ;;
	thrashguard) BN_TOOL_CMD="/thrashguard run -v -c /bench/empty.conf" ;;
	earlyoom) BN_TOOL_CMD="/bench/earlyoom -r 3600" ;;
	nohang) BN_TOOL_CMD="/usr/bin/python3 /bench/nohang --monitor --config /bench/nohang.conf" ;;
	oomd) BN_TOOL_CMD="/bench/oomd --interval 1 --config /bench/oomd.json --runtime-dir /run/oomd" ;;
	*) echo "bench-node: unknown tool $tool" >&2; return 1 ;;
	esac
	mkfifo "$out/tool.fifo"
	benchmon stamp <"$out/tool.fifo" >"$out/tool.log" &
	BN_STAMP_PID=$!
	# shellcheck disable=SC2086 # a command line
	PYTHONUNBUFFERED=1 $BN_TOOL_CMD >"$out/tool.fifo" 2>&1 </dev/null &
	BN_TOOL_PID=$!
}

bn_tool_stop() {
	[ -n "$BN_TOOL_PID" ] || return 0
	kill -TERM "$BN_TOOL_PID" 2>/dev/null
	local i=0
	while kill -0 "$BN_TOOL_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$BN_TOOL_PID" 2>/dev/null
	wait "$BN_TOOL_PID" 2>/dev/null
	wait "$BN_STAMP_PID" 2>/dev/null
	BN_TOOL_PID=
}

bn_settle() {
	case $1 in
	nohang) echo 16 ;; # its psi_post_action_delay after start (see bench/peers/peers.sh)
	oomd) echo 3 ;;
	*) echo 1 ;;
	esac
}

bench_rep() {
	local rep=$1 tool=$TG_TOOL deadline=${TG_DEADLINE:-45} out cache nb hog
	local t_base t_launch t_p t_e t_end nb_t0 oom0 oom1 spid ppid hog_pid end late now
	out=/tmp/out/$tool/rep-$rep
	mkdir -p "$out"
	cache=$(bn_pod burstable)
	nb=$(bn_pod burstable)
	hog=$(bn_pod besteffort)
	mkgroup "$cache" && mkgroup "$nb" && mkgroup "$hog" || return 1
	oom0=$(bn_oom_kills)

	bn_tool_start "$tool" "$out" || return 1
	sleep "$(bn_settle "$tool")"
	run_in_group "$cache" "$out/cache.log" thrasher --file /mnt/data/big.dat --file-size 300 --procs 1 --duration 600
	run_in_group "$nb" "$out/nb.log" steady --anon 32 --duration 600 \
		--probe-out "$out/nb-probe.json" --probe-timeline "$out/nb.timeline"
	local i=0
	while [ ! -e "$out/nb-probe.json" ] && [ $i -lt 500 ]; do usleep 10000; i=$((i + 1)); done
	nb_t0=$(bn_now)
	sleep 4
	benchmon sample "$out/samples.txt" 100 $((deadline + 120)) /proc/pressure/memory \
		"th=$CG/$hog" "nb=$CG/$nb" "cache=$CG/$cache" &
	spid=$!
	t_base=$(bn_now)
	sleep 2
	local nb0 cache0
	nb0=$(bn_tasks "$nb")
	cache0=$(bn_tasks "$cache")
	benchmon pstart /proc/pressure/memory 10 60 >"$out/pstart" &
	ppid=$!
	t_launch=$(bn_now)
	run_in_group "$hog" "$out/hog.log" leaker --rate 40 --duration 600
	hog_pid=$TG_PID
	wait "$ppid"
	t_p=$(cat "$out/pstart")
	t_e=
	if [ -n "$t_p" ]; then
		end=$((t_p + deadline * 1000))
		while :; do
			now=$(bn_now)
			if [ -z "$t_e" ] && ! cg_populated "$hog"; then
				t_e=$now
				late=$((t_e + 10000))
				[ $late -lt $((t_p + 15000)) ] && late=$((t_p + 15000))
				[ $late -lt $end ] && end=$late
			fi
			[ "$now" -ge "$end" ] && break
			sleep 0.1
		done
	fi
	t_end=$(bn_now)
	local th_end nb_end cache_end tool_alive=true
	th_end=$(bn_tasks "$hog")
	nb_end=$(bn_tasks "$nb")
	cache_end=$(bn_tasks "$cache")
	oom1=$(bn_oom_kills)
	[ -z "$BN_TOOL_PID" ] || kill -0 "$BN_TOOL_PID" 2>/dev/null || tool_alive=false

	# stop: the tool, the neighbour (its probe writes its summary), the rest
	bn_tool_stop
	kill -TERM "$spid" 2>/dev/null
	for p in $(cat "$CG/$nb/cgroup.procs" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	rmgroup "$hog"
	rmgroup "$cache"
	rmgroup "$nb"
	wait "$spid" 2>/dev/null
	rm -f "$out/tool.fifo"
	local other=""
	[ "$cache_end" -lt "$cache0" ] && other="\"cache pod\""
	[ "$tool_alive" = false ] && other="${other:+$other,}\"the tool itself\""
	tg_json tool "$tool" rep "$rep" scope / node "VM 1 GiB, no swap" deadline_s "$deadline" \
		t_base_ms "$t_base" t_launch_ms "$t_launch" t_pressure_ms "${t_p:-null}" t_empty_ms "${t_e:-null}" \
		t_end_ms "$t_end" nb_t0_ms "$nb_t0" th_tasks_start 1 th_tasks_end "$th_end" \
		nb_tasks_start "$nb0" nb_tasks_end "$nb_end" cache_tasks_start "$cache0" cache_tasks_end "$cache_end" \
		oom_kills $((oom1 - oom0)) tool_cmd "$BN_TOOL_CMD" victim_name hog other_victims_json "[$other]" \
		tool_alive_at_end "$tool_alive" >"$out/meta.json"
	tg_info "rep $rep: pressure ${t_p:+$((t_p - t_launch)) ms after launch}, hog empty ${t_e:+$((t_e - t_p)) ms after pressure start}, oom kills $((oom1 - oom0)), hog/nb/cache tasks $th_end/$nb_end/$cache_end"
}

bench_main() {
	local rep=1
	mkdir -p /tmp/out /run/oomd
	mkdir -p /bench && printf '[daemon]\n' >/bench/empty.conf # a section alone: the defaults
	echo "kernel $(uname -r)" >/tmp/out/vm-kernel
	while [ $rep -le "${TG_REPS:-1}" ]; do
		bench_rep "$rep" || tg_info "rep $rep failed"
		sleep 3
		rep=$((rep + 1))
	done
	cp /tmp/out/*/rep-1/tool.log /tmp/out/ 2>/dev/null
	# the results, as a tar archive at the start of the second disk
	if [ -b /dev/vdb ]; then
		tar -cf /dev/vdb -C /tmp/out . && sync && tg_info "results written to /dev/vdb"
	else
		tg_info "no /dev/vdb: results are lost"
		return 1
	fi
	return 0
}
