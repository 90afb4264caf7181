# The VM's part of the harness (busybox ash in the initramfs, dash on the
# systemd node), sourced by /init and /tg/runner.sh on top of the shared
# library /tg/harness.sh (tests/lib/harness.sh: groups, workloads, waits,
# checks, samples, decision records): the console protocol (TGRESULT,
# TGINFO), modules, swap and the data disk, vmmon's clock and sampler, the
# daemon run by hand with its stderr stamped, and the scenario bodies
# shared by several VM scenarios (tn_*, nw_*).
# Cgroup paths are relative to /sys/fs/cgroup ("test", "node/pod-a"); "/" or
# "" means the root (system-wide PSI comes from /proc/pressure/memory then).

CG=/sys/fs/cgroup
. "${TG_HARNESS:-/tg/harness.sh}"

# ---- time ------------------------------------------------------------------

# Centiseconds since boot (integer arithmetic only).
tg_now_cs() {
	local up
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}" | sed 's/^0*\([0-9]\)/\1/'
}
# 1234 -> 12.34
tg_cs2s() {
	printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}
# tg_deadline SECONDS -> an absolute deadline for tg_before
tg_deadline() {
	echo $(($(tg_now_cs) + $1 * 100))
}
tg_before() {
	[ "$(tg_now_cs)" -lt "$1" ]
}

# ---- results ---------------------------------------------------------------

# tg_result TYPE KEY VALUE... : one TGRESULT line (one write) on the console
tg_result() {
	local type=$1
	shift
	printf 'TGRESULT %s\n' "$(tg_json type "$type" scenario "$TG_SCENARIO" "$@")"
}

tg_info() {
	echo "TGINFO $*"
}
tg_log() { tg_info "$*"; }

# tg_check NAME DETAIL COMMAND... : runs COMMAND, records a pass/fail check.
tg_check() { tg_verdict "$@"; }

# A check's TGRESULT; any failed check makes the scenario fail (init looks
# at /run/tg/failed.SCENARIO).
tg_on_check() {
	tg_result check name "$2" ok "$1" detail "$3"
	[ "$1" = true ] || echo "$2" >>"/run/tg/failed.$TG_SCENARIO"
}

# ---- modules, swap, disk ---------------------------------------------------

# vm_modload NAME: insmod NAME and, first, its dependencies (from the
# "NAME dep..." lines kernel.sh wrote; there is no modules.dep here).
vm_modload() {
	local m=$1 d
	[ -d "/sys/module/$m" ] && return 0
	# the systemd node has the kernel's whole module tree and modprobe
	if [ "${TG_WHERE:-}" = node ]; then
		modprobe "$m"
		return
	fi
	if [ ! -e "/tg/modules/$m.ko" ]; then
		echo "vm_modload: $m not in initramfs" >&2
		return 1
	fi
	for d in $(sed -n "s/^$m //p" /tg/modules/deps); do
		vm_modload "$d" || return 1
	done
	shift
	insmod "/tg/modules/$m.ko" "$@"
}

# vm_zram_on SIZE: a zram swap device (zramctl is not in busybox: use sysfs)
vm_zram_on() {
	vm_modload zram || return 1
	[ -e /sys/block/zram0 ] || {
		echo "vm_zram_on: no zram0" >&2
		return 1
	}
	grep -q '^/dev/zram0 ' /proc/swaps && return 0
	# Sized once per boot; a later scenario (after vm_zram_off) reuses it.
	if [ "$(cat /sys/block/zram0/disksize)" = 0 ]; then
		echo "$1" >/sys/block/zram0/disksize || return 1
		mkswap /dev/zram0 >/dev/null || return 1
	fi
	swapon /dev/zram0
}

# vm_zram_off: no swap for a scenario that did not ask for it (several
# scenarios share one boot; the previous one's groups are gone, so little
# or nothing is left to swap in).
vm_zram_off() {
	grep -q '^/dev/zram0 ' /proc/swaps || return 0
	swapoff /dev/zram0
}

# vm_disk_mount: the data disk run.sh attaches (ext4 holding big.dat, 300 MiB
# of data) at /mnt/data.  A RAM-backed file (initramfs, tmpfs) cannot be
# reclaimed, so page-cache thrash needs this disk.  It is writable (thrasher
# opens its file read-write) but QEMU runs it with snapshot=on: every write
# is dropped when the VM ends, so each scenario starts from the same disk.
vm_disk_mount() {
	local dl
	# (the systemd node mounts it at boot: tests/vm/node/init.sh)
	grep -q ' /mnt/data ' /proc/mounts && return 0
	# ext4 of this kernel allocates the "crc32c" hash at every mount, even
	# without metadata_csum; that is a softdep, which insmod does not follow.
	vm_modload virtio_pci && vm_modload virtio_blk && vm_modload crc32c_generic &&
		vm_modload ext4 || return 1
	grep -q ' /mnt/data ' /proc/mounts && return 0
	dl=$(tg_deadline 10)
	while [ ! -b /dev/vda ] && tg_before "$dl"; do sleep 0.1; done
	mkdir -p /mnt/data
	mount -t ext4 /dev/vda /mnt/data
}

# ---- cgroups ---------------------------------------------------------------

# read_pressure PATH [RESOURCE]: sets PSI_SOME_AVG10 PSI_SOME_AVG60
# PSI_SOME_TOTAL PSI_FULL_AVG10 PSI_FULL_AVG60 PSI_FULL_TOTAL (totals in us)
# from PATH's RESOURCE.pressure (memory by default; /proc/pressure for "/").
read_pressure() {
	local f kind a10 a60 a300 tot res=${2:-memory}
	case "$1" in
	/ | "") f=/proc/pressure/$res ;;
	*) f=$(cg_dir "$1")/$res.pressure ;;
	esac
	PSI_SOME_AVG10= PSI_FULL_AVG10= PSI_SOME_TOTAL=0 PSI_FULL_TOTAL=0
	while read -r kind a10 a60 a300 tot; do
		case "$kind" in
		some) PSI_SOME_AVG10=${a10#avg10=} PSI_SOME_AVG60=${a60#avg60=} PSI_SOME_TOTAL=${tot#total=} ;;
		full) PSI_FULL_AVG10=${a10#avg10=} PSI_FULL_AVG60=${a60#avg60=} PSI_FULL_TOTAL=${tot#total=} ;;
		esac
	done <"$f"
}

# tg_pct PART WHOLE -> percentage with two decimals (integers in, no floats
# in ash)
tg_pct() {
	[ "$2" -gt 0 ] || {
		echo 0
		return
	}
	local x=$(($1 * 10000 / $2))
	printf '%d.%02d' $((x / 100)) $((x % 100))
}

# vm_cleanup_groups: kills every process in every group below the root
# and removes the groups, leaves first.  Between two scenarios of one boot:
# every group in the VM is a test's.
vm_cleanup_groups() {
	local d rc=0
	for d in "$CG"/*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		rmgroup "${d#"$CG"/}" || rc=1
	done
	return $rc
}

# ---- scenario scratch space, clock, polling ----------------------------------

# Per-scenario files (daemon log, samples, probe output).  /tmp is a tmpfs
# in RAM: only small files go there.  (A ": ${...}" so that a sourcing
# script that set its own keeps it.)
: "${TG_DIR:=/tmp/tg/$TG_SCENARIO}"
mkdir -p "$TG_DIR" 2>/dev/null

# CLOCK_MONOTONIC in ms: the clock of the daemon, of the probe and of
# vmmon's samples and stamps.
tg_now_ms() {
	vmmon now
}

tg_mtime_ms() {
	vmmon mtime "$1"
}

tg_samples_file() {
	echo "$TG_DIR/s.$1"
}

# tg_sleep_until MS: sleeps until CLOCK_MONOTONIC ms MS.
tg_sleep_until() {
	while [ "$(tg_now_ms)" -lt "$1" ]; do sleep 0.1; done
}

# ---- the Kubernetes layout (systemd cgroup driver, containerd) ------------

# tg_node NODE [FILE=VALUE...]: the simulated node, a group with the
# kubelet's slices below it ("" for the root: the VM is the node).
tg_node() {
	local node=${1#/}
	shift
	if [ -n "$node" ]; then mkgroup "$node" "$@" || return 1; fi
	mkgroup "${node:+$node/}kubepods.slice/kubepods-besteffort.slice" &&
		mkgroup "${node:+$node/}kubepods.slice/kubepods-burstable.slice"
}

# tg_pod VAR NODE QOS [FILE=VALUE...]: a pod with one container, named as
# the kubelet (systemd driver) and containerd name them:
#   NODE/kubepods.slice/kubepods-QOS.slice/kubepods-QOS-pod<uid, _ for ->.slice/
#       cri-containerd-<64 hex>.scope
# (Guaranteed pods sit directly in kubepods.slice.)  FILE=VALUE settings go
# on the container group.  Sets VAR (the container group, relative to the
# cgroup root), VAR_UID (the pod UID with dashes, as the daemon reports
# POD_UID), VAR_CID (CONTAINER_ID) and VAR_CG (the path the daemon reports).
tg_pod() {
	local var=$1 node=${2#/} qos=$3 uid cid base pod
	shift 3
	uid=$(cat /proc/sys/kernel/random/uuid)
	cid=$( (cat /proc/sys/kernel/random/uuid; cat /proc/sys/kernel/random/uuid) | tr -d -- '-\n' | cut -c1-64)
	base=${node:+$node/}kubepods.slice
	case "$qos" in
	besteffort | burstable) pod=$base/kubepods-$qos.slice/kubepods-$qos-pod$(echo "$uid" | tr - _).slice ;;
	guaranteed) pod=$base/kubepods-pod$(echo "$uid" | tr - _).slice ;;
	*)
		echo "tg_pod: unknown QoS $qos" >&2
		return 1
		;;
	esac
	mkgroup "$pod" || return 1
	mkgroup "$pod/cri-containerd-$cid.scope" "$@" || return 1
	eval "$var=\$pod/cri-containerd-\$cid.scope ${var}_UID=\$uid ${var}_CID=\$cid ${var}_CG=/\$pod/cri-containerd-\$cid.scope"
}

# tg_kubelet NODE: NODE/system.slice/kubelet.service running a process
# whose comm is "kubelet" (a copy of `steady` holding 4 MiB: comm is the
# executable's file name), protected by [protect] comms (names protect
# system services; tg_daemon_start lists it, as an operator would).  Sets
# TG_KUBELET (the group) and TG_KUBELET_PID.
tg_kubelet() {
	local node=${1#/}
	TG_KUBELET=${node:+$node/}system.slice/kubelet.service
	mkgroup "$TG_KUBELET" || return 1
	cp /tg/bin/steady "$TG_DIR/kubelet" || return 1
	run_in_group "$TG_KUBELET" --log "$TG_DIR/kubelet.log" "$TG_DIR/kubelet" --anon 4 --duration 900
	TG_KUBELET_PID=$TG_PID
	tg_wait 10 tg_comm_is "$TG_KUBELET_PID" kubelet
}

# tg_neighbour PATH [BINDIR]: the well-behaved neighbour in PATH: `steady`
# holding 32 MiB with the latency probe (a sample every 100 ms, each
# allocating 256 KiB) as its child.  Sets NB_PID and NB_T0 (the probe's
# clock origin, ms: its --timeline is relative to it).  BINDIR: where
# steady and probe are run from (default /tg/bin, in RAM).
tg_neighbour() {
	local bindir=${2:-/tg/bin}
	rm -f "$TG_DIR/nb-probe.json" "$TG_DIR/nb.timeline"
	run_in_group "$1" --log "$TG_DIR/nb.log" "$bindir/steady" --anon 32 --duration 900 \
		--probe-out "$TG_DIR/nb-probe.json" --probe-timeline "$TG_DIR/nb.timeline"
	NB_PID=$TG_PID
	tg_wait 15 test -e "$TG_DIR/nb-probe.json" || return 1
	NB_T0=$(tg_probe_t0 "$TG_DIR/nb-probe.json" "$TG_DIR/nb.timeline")
}

# ---- samples: PSI totals and usage every 100 ms (vmmon sample) -------------

# tg_sampler_start NAME PATH: samples PATH ("/" for the node) into
# $TG_DIR/s.NAME ("ms some_us full_us usage_bytes refaults", see vmmon.c)
# until the scenario ends.
tg_sampler_start() {
	vmmon sample -i 100 -t 900 "$2" >"$TG_DIR/s.$1" 2>/dev/null &
}

# ---- the daemon ------------------------------------------------------------

# tg_status ARG...: `thrashguard status ARG...` (the scenario's daemon's
# state; the built-in defaults as tg_daemon_start's), with a 30 s deadline.
tg_status() {
	timeout 30 /thrashguard status -c "$TG_DIR/empty.conf" "$@"
}

TG_DAEMON_CG=system.slice/thrashguard.service

# tg_daemon_start ARG...: `thrashguard run -v` with the built-in defaults
# (an empty -c file), the kubelet stand-in's name in [protect] comms,
# alert.journal=false (no journald in the VM: each
# decision is one stderr line, see tg_decisions) and ARGs (--set ...,
# --dry-run; the scope comes from the scenario).  It runs in a group of its
# own, as under systemd; its stderr goes through `vmmon stamp` into
# $TG_DIR/daemon.log, each line prefixed with the ms it was written.  Waits
# for its first snapshot.
tg_daemon_start() {
	mkgroup "$TG_DAEMON_CG" || return 1
	printf '[daemon]\n' >"$TG_DIR/empty.conf" # a section alone: the built-in defaults, whatever /etc holds
	rm -f "$TG_DIR/daemon.pid" "$TG_DIR/daemon.rc"
	tg_info "daemon: thrashguard run -v -c empty.conf --set alert.journal=false --set protect.comms=kubelet $*"
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$1/cgroup.procs" || exit 125
		d=$2
		shift 2
		/thrashguard run -v -c "$d/empty.conf" --set alert.journal=false \
			--set protect.comms=kubelet "$@" 2>&1 </dev/null &
		echo $! >"$d/daemon.pid"
		wait $!
		echo $? >"$d/daemon.rc"' tg-daemon "$CG/$TG_DAEMON_CG" "$TG_DIR" "$@" |
		sh -c 'echo $$ >"$1/cgroup.procs"; exec vmmon stamp' tg-stamp "$CG/$TG_DAEMON_CG" \
			>"$TG_DIR/daemon.log" &
	TG_DAEMON_T0=$(tg_now_ms)
	if ! tg_wait 30 grep -q 'First snapshot' "$TG_DIR/daemon.log"; then
		tg_check daemon_started "the daemon took its first snapshot within 30 s" false
		return 1
	fi
	tg_result daemon_ready ms $(($(tg_now_ms) - TG_DAEMON_T0)) \
		summary "$(grep -m1 -o 'Starting: .*' "$TG_DIR/daemon.log")"
}

tg_daemon_alive() {
	[ -s "$TG_DIR/daemon.pid" ] && [ ! -e "$TG_DIR/daemon.rc" ] && tg_alive "$(cat "$TG_DIR/daemon.pid")"
}

# tg_daemon_stop: SIGTERM, SIGKILL after 10 s; TG_DAEMON_RC is its status.
tg_daemon_stop() {
	local pid
	TG_DAEMON_RC=
	[ -s "$TG_DIR/daemon.pid" ] || return 0
	pid=$(cat "$TG_DIR/daemon.pid")
	kill -TERM "$pid" 2>/dev/null
	if ! tg_wait 10 test -e "$TG_DIR/daemon.rc"; then
		kill -KILL "$pid" 2>/dev/null
		tg_wait 5 test -e "$TG_DIR/daemon.rc"
	fi
	TG_DAEMON_RC=$(cat "$TG_DIR/daemon.rc" 2>/dev/null)
	rm -f "$TG_DIR/daemon.pid"
}

tg_daemon_stop_check() {
	tg_check daemon_alive_at_end "the daemon is still running at the end" tg_daemon_alive
	tg_daemon_stop
	tg_check daemon_exit_0 "the daemon exits 0 on SIGTERM (got ${TG_DAEMON_RC:-none})" tg_eq "${TG_DAEMON_RC:-}" 0
}

# tg_decision_result COND...: the first matching decision as a TGRESULT
# "decision" object: every field, keys lower case without THRASHGUARD_
# (what was decided, on whom, why, with the figures and the ranking).
tg_decision_result() {
	local pairs nl='
'
	pairs=$(tg_dq pairs "" "$@")
	[ -n "$pairs" ] || return 1
	# KEY<TAB>VALUE lines -> arguments (values hold no TAB or newline)
	set -f
	local IFS="	$nl"
	# shellcheck disable=SC2086 # split on TAB and newline
	set -- $pairs
	set +f
	IFS=' 	
'
	tg_result decision "$@"
}

# tg_dump_daemon_log: the daemon's stderr on the console (TGLOG lines),
# at most the last 300 lines.
tg_dump_daemon_log() {
	[ -s "$TG_DIR/daemon.log" ] || return 0
	tail -n 300 "$TG_DIR/daemon.log" | sed "s/^/TGLOG $TG_SCENARIO /"
}

# tg_fatal NAME DETAIL: a failed check after which the rest of the scenario
# means nothing (no pressure came, the daemon did not start): ends it.
tg_fatal() {
	tg_failed "$1" "$2"
	exit 1
}

# ---- the thrash node (thrash, swap-thrash, dry-run, all-protected) ---------
#
# A simulated node: the group `node` (TN_NODE, the daemon's scope, /node;
# on the systemd node kubepods.slice, see lib-node.sh) with
# memory.max TN_LIMIT, and below it, as on a Kubernetes worker (systemd
# driver, containerd): the kubelet (node/system.slice/kubelet.service, a
# process named "kubelet", protected by the default [protect] comms), a
# Burstable neighbour NB (steady 32 MiB + the latency probe) and a
# BestEffort pod TH for the thrasher.  Without swap for the node (file
# thrash) TH runs thrasher: 280 MiB anonymous (two workers) and a sweep of
# the data disk's 300 MiB file through mmap, which leaves ~60 MiB of page
# cache for 300 MiB of file: the node's `full` stall goes to tens of
# percent, the kernel OOM killer never fires.  With swap (zram), TH runs
# vmload: 480 MiB of incompressible anonymous memory swept again and again
# through zram.
TN_LIMIT=384M
TN_LIMIT_BYTES=$((384 << 20))
# The node's group (the daemon's scope is /$TN_NODE), the group holding the
# kubelet's QoS slices, and whether the kubelet stand-in sits inside the
# scope (here: node/system.slice; lib-node.sh sets the systemd node's).
TN_NODE=node
TN_KUBEPODS=node/kubepods.slice
TN_KUBELET_IN_SCOPE=1

# tn_setup file|swap: the node and its groups; samplers on the node and TH.
tn_setup() {
	TN_KIND=$1
	# the thrasher is 3 processes (main + 2 workers), vmload one
	TN_MIN_TASKS=3
	[ "$TN_KIND" = swap ] && TN_MIN_TASKS=1
	if [ "$TN_KIND" = swap ]; then
		tg_node "$TN_NODE" memory.max=$TN_LIMIT || tg_fatal node_setup "create the node group"
	else
		tg_node "$TN_NODE" memory.max=$TN_LIMIT memory.swap.max=0 || tg_fatal node_setup "create the node group"
	fi
	tg_kubelet "$TN_NODE" || tg_fatal kubelet_setup "the kubelet stand-in runs"
	tg_pod NB "$TN_NODE" burstable || tg_fatal pod_setup "create the neighbour's pod"
	tg_pod TH "$TN_NODE" besteffort || tg_fatal pod_setup "create the thrasher's pod"
	tg_sampler_start node "$TN_NODE"
	tg_sampler_start th "$TH"
}

# tn_neighbour: starts the neighbour, then 2 s of undisturbed probe samples.
tn_neighbour() {
	tg_neighbour "$NB" || tg_fatal neighbour_setup "the neighbour's probe starts"
	sleep 2
}

# tn_thrash_start: the thrasher; waits for the node's pressure to start
# (full > 10 % over 500 ms: the shortage rule's own threshold).  Sets
# T_LAUNCH, T_PRESSURE (ms), TH_PID.
tn_thrash_start() {
	T_LAUNCH=$(tg_now_ms)
	if [ "$TN_KIND" = swap ]; then
		run_in_group "$TH" --log "$TG_DIR/th.log" vmload -a 480 -A -t 120
	else
		run_in_group "$TH" --log "$TG_DIR/th.log" thrasher --anon 280 --file /mnt/data/big.dat \
			--file-size 300 --procs 2 --duration 120
	fi
	TH_PID=$TG_PID
	tg_wait_pstart node 10 40 "$T_LAUNCH" ||
		tg_fatal pressure "the node's full stall exceeded 10 % over 500 ms within 40 s of the launch"
	T_PRESSURE=$TG_PSTART
	tg_info "pressure started $((T_PRESSURE - T_LAUNCH)) ms after the launch"
}

# tn_figures END_MS: the neighbour's probe before the launch, from pressure
# start to END and, with T_EMPTY, during the incident and after it; the
# node's stall; the longest gap between the sampler's samples.
tn_figures() {
	local end=$1 tl=$TG_DIR/nb.timeline
	set -- before_json "$(tg_probe_stats "$tl" "$NB_T0" 0 "$T_LAUNCH")" \
		window_json "$(tg_probe_stats "$tl" "$NB_T0" "$T_PRESSURE" "$end")" \
		node_full_pct_window "$(tg_stall_pct node "$T_PRESSURE" "$end")" \
		node_some_pct_window "$(tg_stall_pct node "$T_PRESSURE" "$end" some)" \
		sampler_max_gap_ms "$(tg_max_gap node "$T_LAUNCH" "$end")" \
		window_ms $((end - T_PRESSURE)) pressure_after_launch_ms $((T_PRESSURE - T_LAUNCH))
	if [ -n "${T_EMPTY:-}" ]; then
		set -- "$@" during_json "$(tg_probe_stats "$tl" "$NB_T0" "$T_PRESSURE" "$T_EMPTY")" \
			after_json "$(tg_probe_stats "$tl" "$NB_T0" $((T_EMPTY + 1000)) "$end")" \
			node_full_pct_after "$(tg_stall_pct node $((T_EMPTY + 1000)) "$end")"
	fi
	tg_result neighbour "$@"
}

# tn_stop_neighbour: checks it is alive, stops it (SIGTERM: the probe
# writes its final summary), records the summary.
tn_stop_neighbour() {
	tg_check neighbour_alive "the neighbour is alive" tg_alive "$NB_PID"
	kill -TERM "$NB_PID" 2>/dev/null
	tg_wait_pid "$NB_PID" 10
	tg_check neighbour_exit_0 "the neighbour exits 0 on SIGTERM (got $TG_RC)" tg_eq "$TG_RC" 0
	[ -s "$TG_DIR/nb-probe.json" ] && tg_result probe summary_json "$(cat "$TG_DIR/nb-probe.json")"
}

# tn_counters: the node's reclaim counters over the thrash (memory.stat is
# hierarchical: the killed container's events stay counted in the node),
# as rates over launch -> empty.
tn_counters() {
	local dt=$((${T_EMPTY:-$(tg_now_ms)} - T_LAUNCH)) k v args=""
	[ "$dt" -gt 0 ] || dt=1
	for k in workingset_refault_file workingset_refault_anon pgmajfault pgscan pgsteal; do
		v=$(cg_stat "$TN_NODE" "$k")
		args="$args ${k}_total $v ${k}_per_s $((v * 1000 / dt))"
	done
	# shellcheck disable=SC2086 # pairs of words
	tg_result counters window_ms "$dt" $args th_full_pct "$(tg_stall_pct th "$T_LAUNCH" "${T_EMPTY:-$(tg_now_ms)}")" \
		th_signal_json "$(tg_thrash_signal th "$T_LAUNCH" "${T_EMPTY:-$(tg_now_ms)}")" \
		memory_events "$(tr '\n' ' ' <"$(cg_dir "$TN_NODE")/memory.events")"
}

# tn_check_kubelet_ranking COND...: the kubelet stand-in in the ranking of
# the decision COND as protected by [protect] comms when it sits in the
# scope; outside it (the systemd node's system.slice/kubelet.service, as
# on a real worker), in no ranking at all.
tn_check_kubelet_ranking() {
	if [ "$TN_KUBELET_IN_SCOPE" = 1 ]; then
		tg_check kubelet_listed "... listing the kubelet's group as protected by [protect] comms" \
			tg_dcount_is 1 "$@" 'CANDIDATES~kubelet\.service score=[-0-9.]+ protected=\[protect\] comms'
	else
		tg_check kubelet_not_candidate "... not listing the kubelet (/$TG_KUBELET, outside the scope)" \
			tg_dcount_is 0 "$@" 'CANDIDATES~kubelet\.service'
	fi
}

# tn_kill_scenario file|swap: the thrash scenario (tests/vm/scenarios/
# thrash.sh describes it; swap-thrash.sh is the same with zram swap and an
# anonymous thrash).
THRASH_WINDOW_MS=10000
DECIDE_MS=8000
EMPTY_MS=10000

tn_kill_scenario() {
	local cond t_dec tte n after
	tn_setup "$1"
	tg_daemon_start --set daemon.scopes=/$TN_NODE || exit 1
	tn_neighbour
	tn_thrash_start

	if wait_empty "$TH" 40; then
		T_EMPTY=$(tg_now_ms)
		tg_info "the thrasher's group emptied $((T_EMPTY - T_PRESSURE)) ms after pressure start"
	else
		tg_check emptied "the thrasher's group emptied within 40 s of pressure start" false
	fi
	local end=$((T_PRESSURE + THRASH_WINDOW_MS))
	tg_sleep_until "$end"
	tg_decisions_keep

	cond="THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill"
	tg_decision_result $cond
	# shellcheck disable=SC2086 # cond: words without spaces
	{
		tg_check one_kill "exactly one kill decision" tg_dcount_is 1 $cond
		tg_check victim "... of the thrasher's container, by the shortage rule, in scope /$TN_NODE" \
			tg_dcount_is 1 $cond "THRASHGUARD_CGROUP=$TH_CG" THRASHGUARD_RULE=shortage "THRASHGUARD_SCOPE=/$TN_NODE"
		tg_check identity "... naming the pod and the container (POD_UID, CONTAINER_ID, QoS besteffort)" \
			tg_dcount_is 1 $cond "POD_UID=$TH_UID" "CONTAINER_ID=$TH_CID" THRASHGUARD_QOS=besteffort
		tg_check cgroup_kill "... through cgroup.kill, complete (not partial)" \
			tg_dcount_is 1 $cond THRASHGUARD_CGROUP_KILL=1 THRASHGUARD_PARTIAL=0
		local tasks freed
		tasks=$(tg_dq get THRASHGUARD_TASKS_KILLED $cond)
		freed=$(tg_dq get THRASHGUARD_FREED_BYTES $cond)
		tg_check kill_size ">= $TN_MIN_TASKS task(s) killed ($tasks), >= 200 MiB freed ($((${freed:-0} >> 20)) MiB)" \
			sh -c '[ "$1" -ge "$3" ] && [ "$2" -ge $((200 << 20)) ]' - "${tasks:-0}" "${freed:-0}" "$TN_MIN_TASKS"
		tn_check_kubelet_ranking $cond
	}
	tg_check nothing_else "no failed action, nothing else acted on" \
		tg_dcount_is 0 'THRASHGUARD_EVENT~^(failed|acted|would-act)$' "THRASHGUARD_CGROUP!=$TH_CG"
	tg_check no_failed "no failed action" tg_dcount_is 0 THRASHGUARD_EVENT=failed
	tg_check recovered "the daemon said the node recovered" \
		tg_dcount_ge 1 THRASHGUARD_EVENT=recovered "THRASHGUARD_SCOPE=/$TN_NODE"

	tg_wait_pid "$TH_PID" 5
	tg_check sigkill "the thrasher died of SIGKILL (status $TG_RC)" tg_eq "$TG_RC" 137

	# shellcheck disable=SC2086
	t_dec=$(tg_dq get MS $cond "THRASHGUARD_CGROUP=$TH_CG")
	# shellcheck disable=SC2086
	tte=$(tg_dq get THRASHGUARD_TIME_TO_EMPTY_USEC $cond "THRASHGUARD_CGROUP=$TH_CG")
	if [ -n "$t_dec" ]; then
		# The line is written once the group is empty: the decision (the
		# kill's start) is its time less the kill's time to empty.
		local line_ms=$t_dec
		t_dec=$((t_dec - ${tte:-0} / 1000))
		tg_result timing_thrash pressure_after_launch_ms $((T_PRESSURE - T_LAUNCH)) \
			pressure_to_decision_ms $((t_dec - T_PRESSURE)) pressure_to_line_ms $((line_ms - T_PRESSURE)) \
			pressure_to_empty_ms $((${T_EMPTY:-0} - T_PRESSURE)) daemon_time_to_empty_us "${tte:-null}"
		tg_check decision_time "decision within ${DECIDE_MS} ms of pressure start ($((t_dec - T_PRESSURE)) ms)" \
			tg_le $((t_dec - T_PRESSURE)) "$DECIDE_MS"
	fi
	[ -n "${T_EMPTY:-}" ] && tg_check empty_time "the group emptied within ${EMPTY_MS} ms of pressure start ($((T_EMPTY - T_PRESSURE)) ms)" \
		tg_le $((T_EMPTY - T_PRESSURE)) "$EMPTY_MS"

	tn_figures "$end"
	tn_counters
	tn_stop_neighbour
	tg_check kubelet_alive "the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
	n=$(cg_event "$TN_NODE" oom_kill)
	tg_check no_oom "the kernel OOM killer did not fire in the node ($n)" tg_eq "$n" 0
	if [ -n "${T_EMPTY:-}" ]; then
		after=$(tg_stall_pct node $((T_EMPTY + 1000)) "$end")
		tg_check calm_after "the node's full stall after the kill is below 5 % ($after %)" \
			awk -v x="$after" 'BEGIN { exit !(x != "null" && x + 0 < 5) }'
	fi
	tg_daemon_stop_check
}

# ---- node-wide pressure (node-wide, node-wide-baseline) ---------------------
#
# The VM is the node (-m 1024, no swap): scope "/", whose pressure is
# /proc/pressure/memory and whose headroom is MemAvailable.  Kubernetes'
# groups sit at the root (/kubepods.slice, /system.slice/kubelet.service;
# the daemon in /system.slice/thrashguard.service, protected by its comm).
# The BestEffort pod TH has no limit of its own: thrasher holds all but
# NW_MARGIN_MIB of what MemAvailable said at launch as anonymous memory and
# sweeps the data disk's 300 MiB file through mmap: the whole VM's page
# cache is squeezed to a few tens of MiB and everything that reads a file
# page waits for the disk.  The neighbour NB (steady + probe) runs its
# programs from the data disk, not from the initramfs: their text is page
# cache that reclaim can take away, as every program's on a real node
# (story 5 of the seed: the kubelet, sshd, the workloads refaulting their own
# code).  Host safety: QEMU is in a 2 GiB host memory group (run.sh) and the
# guest has 1 GiB.
NW_MARGIN_MIB=${TG_NW_MARGIN:-30}

nw_setup() {
	tg_node "" || tg_fatal node_setup "create /kubepods.slice"
	tg_kubelet "" || tg_fatal kubelet_setup "the kubelet stand-in runs"
	tg_pod NB "" burstable || tg_fatal pod_setup "create the neighbour's pod"
	tg_pod TH "" besteffort || tg_fatal pod_setup "create the thrasher's pod"
	mkdir -p /mnt/data/bin
	cp /tg/bin/steady /tg/bin/probe /mnt/data/bin/ && sync || tg_fatal disk_bin "copy steady and probe to the data disk"
	tg_sampler_start node /
	tg_sampler_start th "$TH"
	NW_OOM0=$(sed -n 's/^oom_kill //p' /proc/vmstat)
}

# nw_thrash_start: the thrasher, sized from MemAvailable now; waits for the
# node's pressure (/proc/pressure/memory full > 10 % over 500 ms).  Sets
# T_LAUNCH, T_PRESSURE (empty if none within 40 s), TH_PID, NW_ANON_MIB.
nw_thrash_start() {
	local avail
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
	NW_ANON_MIB=$((avail - NW_MARGIN_MIB))
	tg_result node_wide mem_available_mib "$avail" margin_mib "$NW_MARGIN_MIB" anon_mib "$NW_ANON_MIB" \
		mem_total_mib "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
	T_LAUNCH=$(tg_now_ms)
	run_in_group "$TH" --log "$TG_DIR/th.log" thrasher --anon "$NW_ANON_MIB" --file /mnt/data/big.dat \
		--file-size 300 --procs 2 --duration 120
	TH_PID=$TG_PID
	T_PRESSURE=
	if tg_wait_pstart node 10 40 "$T_LAUNCH"; then
		T_PRESSURE=$TG_PSTART
		tg_info "node-wide pressure started $((T_PRESSURE - T_LAUNCH)) ms after the launch"
	fi
}

# nw_figures END_MS: the neighbour's probe (before, from pressure start to
# END, and with T_EMPTY during and after the incident), the node's stall,
# the longest sampler gap, the kernel OOM kills; sets NW_STALLED (1 when
# the probe was late by more than NW_STALL_MS at least once, or the sampler,
# which wakes every 100 ms with its memory locked, missed NW_STALL_MS).
NW_STALL_MS=1000
nw_figures() {
	local end=$1 tl=$TG_DIR/nb.timeline from=${T_PRESSURE:-$T_LAUNCH} w gap pmax
	w=$(tg_probe_stats "$tl" "$NB_T0" "$from" "$end")
	gap=$(tg_max_gap node "$T_LAUNCH" "$end")
	pmax=$(tg_json_num "$w" max_ms)
	NW_STALLED=0
	awk -v p="${pmax:-0}" -v g="$gap" -v l="$NW_STALL_MS" 'BEGIN { exit !(p == "null" || p + 0 > l || g + 0 > l) }' &&
		NW_STALLED=1
	NW_OOM=$(($(sed -n 's/^oom_kill //p' /proc/vmstat) - NW_OOM0))
	set -- before_json "$(tg_probe_stats "$tl" "$NB_T0" 0 "$T_LAUNCH")" window_json "$w" \
		window_ms $((end - from)) node_full_pct_window "$(tg_stall_pct node "$from" "$end")" \
		node_some_pct_window "$(tg_stall_pct node "$from" "$end" some)" \
		sampler_max_gap_ms "$gap" stalled "$([ "$NW_STALLED" = 1 ] && echo true || echo false)" \
		kernel_oom_kills "$NW_OOM" pressure_after_launch_ms "$([ -n "$T_PRESSURE" ] && echo $((T_PRESSURE - T_LAUNCH)) || echo null)" \
		min_mem_available_mib "$(awk -v from="$from" -v to="$end" -v t="$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)" '
			$4 != "-" && $1 >= from && $1 <= to { a = t - $4; if (!s || a < m) m = a; s = 1 }
			END { print s ? int(m / 1048576) : "null" }' "$TG_DIR/s.node")" \
		node_signal_json "$(tg_thrash_signal node "$from" "$end" 10 0)" \
		th_full_pct "$(tg_stall_pct th "$from" "${T_EMPTY:-$end}")" \
		th_some_pct "$(tg_stall_pct th "$from" "${T_EMPTY:-$end}" some)"
	if [ -n "${T_EMPTY:-}" ]; then
		set -- "$@" during_json "$(tg_probe_stats "$tl" "$NB_T0" "$from" "$T_EMPTY")" \
			after_json "$(tg_probe_stats "$tl" "$NB_T0" $((T_EMPTY + 1000)) "$end")" \
			node_full_pct_after "$(tg_stall_pct node $((T_EMPTY + 1000)) "$end")"
	fi
	tg_result neighbour "$@"
}
