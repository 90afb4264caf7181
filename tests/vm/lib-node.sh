# Helpers for scenarios on the systemd node (VM_WHERE=node; tests/vm/node/),
# sourced after lib-vm.sh by the node's init and runner (dash).  The daemon
# there is the real unit (thrashguard.service, started by systemctl), its
# decisions are read back from the real journal, and the workloads are
# systemd units and Podman containers in the test slice tg-test.slice
# (/tg.slice/tg-test.slice, MemoryMax 384M, no swap), the only scope of the
# image's /etc/thrashguard/thrashguard.conf.

TG_UNIT=thrashguard.service
TG_SLICE=tg-test.slice
TG_SLICE_CG=tg.slice/tg-test.slice
TG_CONF=/etc/thrashguard/thrashguard.conf
TG_CTR_ROOTFS=/var/lib/tg/ctr
# the journal position at which the running scenario began (node_cleanup
# writes it after each scenario, the node's init before the first)
TG_CURSOR_FILE=/run/tg/cursor

node_cursor_mark() {
	journalctl -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p' >"$TG_CURSOR_FILE"
}

# node_journal ARG...: journalctl since the scenario began
node_journal() {
	local c
	c=$(cat "$TG_CURSOR_FILE" 2>/dev/null)
	journalctl --no-pager ${c:+--after-cursor="$c"} "$@"
}

# tg_decisions (the harness's, for the journal): the daemon's decision
# entries of this scenario as records in $TG_DIR/decisions.tsv, read from
# the real journal (tests/lib/harness.sh, tg_journal_records).
tg_decisions() {
	node_journal -o json SYSLOG_IDENTIFIER=thrashguard | tg_journal_records >"$TG_DIR/decisions.tsv"
}

# node_unit_prop UNIT PROPERTY: one property's value (systemctl show)
node_unit_prop() {
	systemctl show -P "$2" "$1" 2>/dev/null
}

# node_daemon_up: `systemctl enable --now thrashguard` (the shipped unit)
# once the slice of its scope (NODE_SCOPE_SLICE, default tg-test.slice) is
# started,
# then waits until systemd has its READY (ActiveState active: Type=notify
# is "activating" until READY=1).  Sets TG_MAINPID.
node_daemon_up() {
	local t0 rc
	# The scope first: a slice's group exists only once it is started, and
	# a daemon that starts before its scope exists polls instead of arming
	# PSI triggers.
	systemctl start "${NODE_SCOPE_SLICE:-$TG_SLICE}" || return 1
	t0=$(tg_now_ms)
	systemctl enable --now "$TG_UNIT" >"$TG_DIR/enable.out" 2>&1
	rc=$?
	tg_check enable_now "systemctl enable --now thrashguard succeeds (rc $rc: $(tr '\n' ' ' <"$TG_DIR/enable.out"))" tg_eq "$rc" 0 ||
		return 1
	tg_wait 30 node_is_active || {
		tg_check ready "the unit is active (READY reached systemd) within 30 s" false
		return 1
	}
	TG_MAINPID=$(node_unit_prop "$TG_UNIT" MainPID)
	tg_result daemon_ready ms $(($(tg_now_ms) - t0)) main_pid "$TG_MAINPID" \
		status_text "$(node_unit_prop "$TG_UNIT" StatusText)"
}

node_is_active() {
	[ "$(systemctl is-active "$TG_UNIT" 2>/dev/null)" = active ]
}

# node_daemon_log_has ERE: the daemon's own lines (journal, this scenario)
node_daemon_log_has() {
	node_journal -u "$TG_UNIT" -o cat | grep -Eq "$1"
}

node_daemon_log_lacks() {
	! node_daemon_log_has "$1"
}

# node_run UNIT CMD...: CMD as a transient service in the test slice (its
# output in the journal), no swap.  Sets TG_PID (its main pid) and
# UNIT_CG (its group, relative to /sys/fs/cgroup) in NODE_CG.
node_run() {
	local unit=$1
	shift
	systemd-run --quiet --unit="$unit" --slice="$TG_SLICE" -p MemorySwapMax=0 -p KillMode=control-group \
		"$@" || return 1
	NODE_CG=$TG_SLICE_CG/$unit.service
	tg_wait 10 test -n "$(node_unit_prop "$unit" MainPID | grep -v '^0$')" || return 1
	TG_PID=$(node_unit_prop "$unit" MainPID)
}

# node_wait_gone PATH SECONDS: until PATH holds no process; a group that
# systemd removed once it emptied (a container's scope) counts as empty.
node_wait_gone() {
	local dl
	dl=$(tg_deadline "$2")
	while [ -e "$(cg_dir "$1")/cgroup.events" ] && [ "$(cg_events_get "$1" populated 2>/dev/null)" != 0 ]; do
		tg_before "$dl" || return 1
		sleep 0.1
	done
}

# node_frozen_groups: every group of the node that is frozen, one a line
node_frozen_groups() {
	grep -lx 'frozen 1' $(find "$CG" -name cgroup.events) 2>/dev/null | sed "s|^$CG||; s|/cgroup.events\$||"
}

# ---- Podman ----------------------------------------------------------------

# node_podman VAR NAME PARENT_SLICE [PODMAN_ARGS...] -- CMD...: a detached
# container (crun, systemd cgroup manager, no network) from the offline
# root filesystem, with the data disk mounted, its group below
# PARENT_SLICE.  Sets VAR_CID (64 hex), VAR_PID (its PID 1 on the node),
# VAR (its group relative to /sys/fs/cgroup: the libpod-<id>.scope; crun
# puts the processes in its child group "container") and VAR_CG (/VAR).
node_podman() {
	local var=$1 name=$2 parent=$3 cid pid cg t0
	shift 3
	local args=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args="$args $1"
		shift
	done
	[ "$1" = -- ] && shift
	t0=$(tg_now_ms)
	# shellcheck disable=SC2086 # podman options without spaces
	echo "$name" >>/run/tg/containers
	cid=$(timeout 120 podman run -d --name "$name" --network none --cgroup-parent="$parent" \
		-v /mnt/data:/mnt/data $args --rootfs "$TG_CTR_ROOTFS" "$@" 2>"$TG_DIR/podman-$name.err") || {
		tg_info "podman run $name failed: $(tail -n 3 "$TG_DIR/podman-$name.err" | tr '\n' ' ')"
		return 1
	}
	pid=$(podman inspect -f '{{.State.Pid}}' "$name" 2>/dev/null)
	[ -n "$pid" ] && [ "$pid" != 0 ] || return 1
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	cg=${cg%/container}
	cg=${cg#/}
	tg_result podman_run name "$name" ms $(($(tg_now_ms) - t0)) cid "$cid" pid "$pid" cgroup "/$cg" \
		proc_cgroup "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
	eval "$var=\$cg ${var}_CG=/\$cg ${var}_CID=\$cid ${var}_PID=\$pid"
}

# node_podman_state NAME: Status and ExitCode ("exited 137")
node_podman_state() {
	podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null
}

# node_status_of CGROUP: the daemon's `thrashguard status --json` (the
# image's configuration) line for that candidate as "kind runtime
# container_id pod_uid qos" ("-" for an empty field); status 1 if absent.
# The whole output goes to $TG_DIR/status.json. status shows the running
# daemon's last tick: a container that has just started is there once the
# daemon has sampled again, within its idle interval (5 s by default; 30 s
# here for emulation's slowness).
node_status_of() {
	local end=$(($(tg_now_ms) + 30000))
	while :; do
		timeout 60 thrashguard status --json >"$TG_DIR/status.json" 2>"$TG_DIR/status.err" || return 1
		python3 - "$1" "$TG_DIR/status.json" <<'PY' && return 0
import json, sys
want, path = sys.argv[1], sys.argv[2]
for c in json.load(open(path))["candidates"]:
    if c["cgroup"] == want:
        print(" ".join((c.get(k) or "-") for k in ("kind", "runtime", "container_id", "pod_uid", "qos")))
        sys.exit(0)
sys.exit(1)
PY
		[ "$(tg_now_ms)" -lt "$end" ] || return 1
		sleep 1
	done
}

# ---- the container incident ------------------------------------------------

# node_podman_incident NB_PARENT TH_PARENT SCOPE NB_WANT TH_WANT: the
# container incident of node-podman.sh and node-kubepods.sh.  The daemon
# (the real unit) guards SCOPE (a slice's group, relative to
# /sys/fs/cgroup, limited to 384M without swap); a neighbour container
# (steady, 32 MiB) below the slice NB_PARENT and a thrasher container below
# TH_PARENT (after TH_DELAY_S s, time for podman to return under emulation
# and for status --json: thrasher, 280 MiB anonymous in two workers and a
# sweep of the data disk's 300 MiB file, bind-mounted).  NB_WANT and
# TH_WANT: what `thrashguard status --json` must say of each, as "kind
# runtime container_id pod_uid qos" (a glob; $NB_CID, $TH_CID, $POD_UID
# expanded when checked).  TH_FIELDS: the identity fields the journal entry
# of the kill must carry ("KEY=VALUE ...", expanded the same way).  Asserts
# the identity, one kill of the thrasher's scope, whole (cgroup.kill, not
# partial, no task left, podman says exited 137), named in the journal, nothing else acted on,
# the neighbour running, no kernel OOM kill in the scope, the daemon never
# restarted.  NODE_RUNTIME: the OCI runtime of both containers (crun, the
# default, or runc: podman --runtime); crun puts a container's processes
# in libpod-<id>.scope/container, runc in the scope itself.
TH_DELAY_S=20
NODE_RUNTIME=crun

node_glob() {
	case "$1" in
	$2) return 0 ;;
	esac
	return 1
}

node_podman_incident() {
	local nb_parent=$1 th_parent=$2 scope_cg=$3 nb_want=$4 th_want=$5 th_fields=$6
	local v t_launch t_empty cond st n
	node_daemon_up || exit 1
	node_podman NB tg-nb "$nb_parent" --runtime "$NODE_RUNTIME" -- /usr/local/bin/steady --anon 32 --duration 900 ||
		tg_fatal podman_nb "podman runs the neighbour container"
	v=$(node_status_of "$NB_CG")
	tg_result status_nb line "$v"
	tg_check nb_identity "status --json: the neighbour's container $NB_CID: kind runtime id pod_uid qos = $(eval echo "\"$nb_want\"") ($v)" \
		node_glob "$v" "$(eval echo "\"$nb_want\"")"

	# The thrash begins TH_DELAY_S after the container starts: time for
	# podman to return (seconds under emulation) and for status --json.
	node_podman TH tg-th "$th_parent" --runtime "$NODE_RUNTIME" -- /bin/sh -c "sleep $TH_DELAY_S; exec /usr/local/bin/thrasher --anon 280 \
		--file /mnt/data/big.dat --file-size 300 --procs 2 --duration 120" ||
		tg_fatal podman_th "podman runs the thrasher container"
	t_launch=$(tg_now_ms)
	tg_sampler_start slice "$scope_cg"
	v=$(node_status_of "$TH_CG")
	tg_result status_th line "$v"
	tg_check th_identity "status --json: the thrasher's container $TH_CID: kind runtime id pod_uid qos = $(eval echo "\"$th_want\"") ($v)" \
		node_glob "$v" "$(eval echo "\"$th_want\"")"
	v=$(podman inspect -f '{{.OCIRuntime}}' tg-th 2>/dev/null)
	tg_check th_runtime "podman ran the thrasher with $NODE_RUNTIME ($v)" tg_eq "$v" "$NODE_RUNTIME"
	if [ "$NODE_RUNTIME" = crun ]; then
		tg_check th_in_container_group "crun put the thrasher in libpod-<id>.scope/container" \
			test -n "$(cat "$CG/$TH/container/cgroup.procs" 2>/dev/null)"
	else
		tg_check th_in_scope "runc put the thrasher in libpod-<id>.scope itself" \
			test -n "$(cat "$CG/$TH/cgroup.procs" 2>/dev/null)"
	fi

	if node_wait_gone "$TH" $((TH_DELAY_S + 60)); then
		t_empty=$(tg_now_ms)
		tg_info "the thrasher's container emptied $((t_empty - t_launch)) ms after podman run returned"
	else
		tg_check emptied "the thrasher's container emptied within $((TH_DELAY_S + 60)) s" false
	fi
	tg_wait 10 tg__has_decision THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill
	tg_decisions_keep
	cond="MESSAGE_ID=2b2e42b20e434042acc519a8da2a8e80 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill"
	# shellcheck disable=SC2086
	{
		tg_decision_result $cond
		tg_check one_kill "exactly one kill" tg_dcount_is 1 $cond
		th_fields=$(eval echo "\"$th_fields\"")
		tg_check victim "... of the thrasher's scope, in scope /$scope_cg, with $th_fields" \
			tg_dcount_is 1 $cond "THRASHGUARD_CGROUP=$TH_CG" "THRASHGUARD_SCOPE=/$scope_cg" $th_fields
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
	n=$(cg_event "$scope_cg" oom_kill)
	tg_check no_oom "no kernel OOM kill in the scope ($n)" tg_eq "$n" 0
	n=$(node_unit_prop "$TG_UNIT" NRestarts)
	tg_check daemon_running "the daemon is still active, never restarted (NRestarts $n)" \
		sh -c '[ "$1" = 0 ] && [ "$(systemctl is-active thrashguard)" = active ]' - "$n"
	return 0
}

# ---- lib-vm.sh's groups, daemon and workloads, as a node makes them -------
#
# The busybox VM's scenarios (thrash, local-thrash, freeze-kill, dry-run,
# all-protected: VM_WHERE="busybox node") run here unchanged through these
# functions, which take lib-vm.sh's names and arguments: the node group is
# kubepods.slice (its limit set with systemctl set-property --runtime), a
# pod is kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice with one
# Podman container (crun: its processes in libpod-<id>.scope/container),
# the kubelet stand-in is system.slice/kubelet.service (a transient
# service, outside the scope as on a real worker, protected by the shipped
# [protect] cgroups), and the daemon is the real unit with the shipped
# configuration plus the scenario's --set keys.
TN_NODE=kubepods.slice
TN_KUBEPODS=kubepods.slice
TN_KUBELET_IN_SCOPE=0
# "PID NAME GROUP" of each pod's container (tg_pod; read by run_in_group
# and tg_reap)
NODE_PODS=/run/tg/pods

# node_memory_props CALLER FILE=VALUE...: the systemd properties of the
# cgroup files (memory.max as MemoryMax, memory.swap.max as MemorySwapMax),
# one line of KEY=VALUE words; fails, naming CALLER, on any other file.
node_memory_props() {
	local caller=$1 kv props=""
	shift
	for kv in "$@"; do
		case "$kv" in
		memory.max=*) props="$props MemoryMax=${kv#*=}" ;;
		memory.swap.max=*) props="$props MemorySwapMax=${kv#*=}" ;;
		*)
			echo "$caller: no systemd property for $kv" >&2
			return 1
			;;
		esac
	done
	echo "${props# }"
}

# tg_node SLICE [memory.max=V] [memory.swap.max=V]: the slice's limits as
# systemd properties (MemoryMax, MemorySwapMax), then the slice and the
# kubelet's QoS slices below it started, so that their groups exist.
tg_node() {
	local slice=${1#/} props=""
	shift
	case "$slice" in
	*.slice) ;;
	*)
		echo "tg_node: the node's group is a slice here, not '$slice'" >&2
		return 1
		;;
	esac
	props=$(node_memory_props tg_node "$@") || return 1
	# shellcheck disable=SC2086 # KEY=VALUE words
	systemctl set-property --runtime "$slice" MemoryAccounting=yes $props &&
		systemctl start "$slice" "${slice%.slice}-besteffort.slice" "${slice%.slice}-burstable.slice"
}

# tg_pod VAR SLICE QOS [memory.max=V]: a pod as the kubelet's systemd
# driver names it, below SLICE, with one Podman container in it
# (--cgroup-parent).  memory.max goes on the container's scope as
# MemoryMax (and MemorySwapMax=0), with systemctl set-property, as runc's
# systemd driver sets a container's limit: podman --memory with crun would
# put it on the scope's child "container", where the daemon, which ranks
# the scope, does not read it.  The container waits for its
# workload (run_in_group): its PID 1, a shell, reads the FIFO ctl/go in
# the container's control directory ($TG_DIR/ctr-NAME, bind-mounted with
# $TG_DIR and /tg/bin), then runs ctl/cmd, which execs the workload, so
# that the workload is the container's PID 1, as in a real container.
# Sets VAR (libpod-<id>.scope, relative to /sys/fs/cgroup), VAR_CG,
# VAR_CID, VAR_PID (the container's PID 1 on the node) and VAR_UID.
tg_pod() {
	local var=$1 node=${2#/} qos=$3 uid name ctl props="" pod pid group
	shift 3
	[ "$node" = "$TN_NODE" ] || {
		echo "tg_pod: pods live below $TN_NODE here, not '$node'" >&2
		return 1
	}
	uid=$(cat /proc/sys/kernel/random/uuid)
	case "$qos" in
	besteffort | burstable) pod=${node%.slice}-$qos-pod$(echo "$uid" | tr - _).slice ;;
	guaranteed) pod=${node%.slice}-pod$(echo "$uid" | tr - _).slice ;;
	*)
		echo "tg_pod: unknown QoS $qos" >&2
		return 1
		;;
	esac
	props=$(node_memory_props tg_pod "$@") || return 1
	[ -z "$props" ] || props="$props MemorySwapMax=0"
	name=tg-$(echo "$var" | tr 'A-Z_' 'a-z-')
	ctl=$TG_DIR/ctr-$name
	mkdir -p "$ctl" && rm -f "$ctl/go" "$ctl/cmd" && mkfifo "$ctl/go" || return 1
	# shellcheck disable=SC2016 # $1 is the container's
	node_podman "$var" "$name" "$pod" -v "$TG_DIR:$TG_DIR" -v "$(readlink -f /tg/bin):/tg/bin:ro" \
		-e PATH=/tg/bin:/usr/local/bin:/bin -- /bin/sh -c 'read -r _ <"$1/go" && . "$1/cmd"' tg-pod "$ctl" ||
		return 1
	eval "${var}_UID=\$uid pid=\$${var}_PID group=\$$var"
	# shellcheck disable=SC2086 # KEY=VALUE words
	[ -z "$props" ] || systemctl set-property --runtime "${group##*/}" $props || return 1
	echo "$pid $name $group" >>"$NODE_PODS"
}

# node_pod_of GROUP: "PID NAME" of the container tg_pod made for GROUP
node_pod_of() {
	awk -v g="${1#/}" '$3 == g { print $1, $2; f = 1; exit } END { exit !f }' "$NODE_PODS" 2>/dev/null
}

# run_in_group GROUP [--log FILE] CMD [ARGS...]: CMD as the workload of
# the container tg_pod made for GROUP (FILE in $TG_DIR, which the container
# sees at the same path); sets TG_PID (the container's PID 1 on the node,
# which CMD now is).  Any other group fails: the node makes its groups
# through systemd and Podman.
run_in_group() {
	local group=$1 log=/dev/null pod a q=""
	shift
	if [ "$1" = --log ]; then
		log=$2
		shift 2
	fi
	pod=$(node_pod_of "$group") || {
		echo "run_in_group: $group is no container of tg_pod" >&2
		return 1
	}
	for a in "$@"; do
		q="$q '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	printf "exec >'%s' 2>&1 </dev/null\nexec%s\n" "$log" "$q" >"$TG_DIR/ctr-${pod#* }/cmd" || return 1
	timeout 10 sh -c 'echo go >"$1"' - "$TG_DIR/ctr-${pod#* }/go" || {
		echo "run_in_group: the container ${pod#* } does not wait for its workload" >&2
		return 1
	}
	TG_PID=${pod%% *}
}

# tg_reap PID: for a container's PID 1, its exit code as Podman records it
# (137 for SIGKILL), once Podman has seen it exit; for any other PID
# lib-vm.sh's wait.
tg_reap() {
	local pod
	pod=$(node_pod_of_pid "$1") || {
		wait "$1"
		TG_RC=$?
		return
	}
	tg_wait 30 sh -c '[ "$(podman inspect -f "{{.State.Status}}" "$1" 2>/dev/null)" = exited ]' - "$pod"
	TG_RC=$(podman inspect -f '{{.State.ExitCode}}' "$pod" 2>/dev/null)
	TG_RC=${TG_RC:-none}
}

node_pod_of_pid() {
	awk -v p="$1" '$1 == p { print $2; f = 1; exit } END { exit !f }' "$NODE_PODS" 2>/dev/null
}

# wait_empty GROUP SECONDS: a container's scope, which systemd removes once
# it is empty, counts as empty when gone
wait_empty() {
	node_wait_gone "$@"
}

# tg_kubelet NODE: the kubelet stand-in (a copy of `steady` named kubelet,
# 4 MiB) as the transient service kubelet.service in system.slice, where
# the kubelet runs on a real worker: outside the node group NODE (the
# scope), protected by the shipped [protect] cgroups.  Sets TG_KUBELET and
# TG_KUBELET_PID.
tg_kubelet() {
	TG_KUBELET=system.slice/kubelet.service
	cp /tg/bin/steady "$TG_DIR/kubelet" || return 1
	systemd-run --quiet --unit=kubelet -p MemorySwapMax=0 "$TG_DIR/kubelet" --anon 4 --duration 900 || return 1
	tg_wait 10 sh -c '[ "$(systemctl show -P MainPID kubelet.service)" -gt 0 ]' || return 1
	TG_KUBELET_PID=$(node_unit_prop kubelet.service MainPID)
	tg_wait 10 tg_comm_is "$TG_KUBELET_PID" kubelet
}

# node_conf_set FILE SECTION.KEY=VALUE: the key set in FILE's [SECTION]
# (its line and continuation lines replaced, or added to the section).
node_conf_set() {
	local file=$1 kv=$2 key
	key=${kv%%=*}
	case "$key" in
	*.*) ;;
	*)
		echo "node_conf_set: '$kv' is no SECTION.KEY=VALUE" >&2
		return 1
		;;
	esac
	awk -v sec="${key%%.*}" -v key="${key#*.}" -v val="${kv#*=}" '
		function put() { print key " = " val; done = 1 }
		/^\[/ { if (in_sec && !done) put(); in_sec = ($0 == "[" sec "]"); skip = 0; print; next }
		skip && /^[ \t]/ { next }
		{ skip = 0 }
		in_sec && !done && $0 ~ "^" key "[ \t]*=" { put(); skip = 1; next }
		{ print }
		END { if (!done) { if (!in_sec) print "[" sec "]"; put() } }' "$file" >"$file.new" && mv "$file.new" "$file"
}

# tg_daemon_start ARG...: the real unit with the shipped configuration
# (as the image has it) and ARGs applied to /etc/thrashguard/thrashguard.conf
# (--set SECTION.KEY=VALUE; --dry-run as [daemon] dry_run = true);
# `systemctl enable --now` once the node's slice is started, READY awaited
# (node_daemon_up).  Then what only the node shows: for each pod's
# container (tg_pod), `status --json` identifies it as a pod container of
# runtime podman with its container id, pod UID and QoS.
tg_daemon_start() {
	local conf=$TG_DIR/thrashguard.conf line pid name group v qos
	cp /run/tg/thrashguard.conf.orig "$conf" || return 1
	while [ $# -gt 0 ]; do
		case "$1" in
		--set)
			node_conf_set "$conf" "$2" || return 1
			shift 2
			;;
		--dry-run)
			node_conf_set "$conf" daemon.dry_run=true || return 1
			shift
			;;
		*)
			echo "tg_daemon_start: $1 is not for the node's configuration" >&2
			return 1
			;;
		esac
	done
	cp "$conf" "$TG_CONF" || return 1
	tg_info "daemon: the real unit, $TG_CONF: the shipped file with $(diff /run/tg/thrashguard.conf.orig "$conf" | sed -n 's/^> //p' | tr '\n' ';')"
	NODE_SCOPE_SLICE=$TN_NODE node_daemon_up || return 1
	[ -s "$NODE_PODS" ] || return 0
	while read -r pid name group; do
		v=$(node_status_of "/$group")
		qos=$(echo "$group" | sed -n 's/.*-\(besteffort\|burstable\)-pod.*/\1/p')
		tg_result status_pod name "$name" line "$v"
		tg_check "identity_$name" "status --json: /$group is kind pod-container, runtime podman, its container id, pod UID and QoS (${v:-absent})" \
			node_identity_is "$v" "$(podman inspect -f '{{.Id}}' "$name" 2>/dev/null)" "$group" "${qos:-guaranteed}"
	done <"$NODE_PODS"
}

# node_identity_is "KIND RUNTIME CID UID QOS" CID GROUP QOS: the line of
# node_status_of is a pod container of Podman with that id, the pod UID of
# GROUP's pod slice (dashes for its underscores) and QOS.
node_identity_is() {
	local uid
	uid=$(echo "$3" | sed -n 's/.*-pod\([0-9a-f_]*\)\.slice\/.*/\1/p' | tr _ -)
	[ -n "$2" ] && [ -n "$uid" ] && [ "$1" = "pod-container podman $2 $uid $4" ]
}

# tg_daemon_alive: the unit active, with the MainPID it started with
tg_daemon_alive() {
	node_is_active && [ "$(node_unit_prop "$TG_UNIT" MainPID)" = "$TG_MAINPID" ]
}

# tg_daemon_stop: `systemctl stop` (SIGTERM); TG_DAEMON_RC is the main
# process's exit status when systemd's Result is success, otherwise
# "STATUS (Result)".
tg_daemon_stop() {
	local res
	TG_DAEMON_RC=
	timeout 60 systemctl stop "$TG_UNIT" || return 0
	res=$(node_unit_prop "$TG_UNIT" Result)
	TG_DAEMON_RC=$(node_unit_prop "$TG_UNIT" ExecMainStatus)
	[ "$res" = success ] || TG_DAEMON_RC="$TG_DAEMON_RC ($res)"
}

# tg_status ARG...: `thrashguard status ARG...` with the node's
# configuration (the running unit's state), with a 30 s deadline.
tg_status() {
	timeout 30 thrashguard status "$@"
}

# ---- story 5: node-wide, as it happens (node-story5, node-story5-baseline) ---
#
# Scope "/" on the whole node (1 GiB, no swap): the node's pressure is
# /proc/pressure/memory, its headroom MemAvailable.  A neighbour service
# whose working set is file-backed (tg-reach.service: reach.c, run from the
# data disk, reading one byte of every page of a 64 MiB file on that disk
# per request) answers the reachability probe timed by the host
# (reach_timer.py through the virtio-serial port tg.probe).  Then "a
# database gets a big task" (tg-db.service, in system.slice): thrasher's
# anonymous memory grows to a plateau S5_MARGIN_MIB under what MemAvailable
# said at launch and stays there, while it keeps sweeping the data disk's
# 300 MiB file: the node's page cache is squeezed to a few tens of MiB, the
# form in which the kernel OOM killer comes minutes late or never (page
# cache is always reclaimable), and every file page anyone needs (the
# neighbour's text and data, sshd's, journald's) is read back from the disk
# again and again.
#
# The grower (S5_GROW_MIB_S, MiB/s; bench/vm/node-story5.sh): the same
# database, but its anonymous memory grows at that rate without bound
# (leaker, next to a thrasher that only sweeps the file), the form that
# ends in the kernel OOM killer.
S5_MARGIN_MIB=${TG_S5_MARGIN:-30}
S5_GROW_MIB_S=${S5_GROW_MIB_S:-}
S5_DB=system.slice/tg-db.service
S5_REACH_LOG=/run/tg/reach.log

# s5_thrashguard_up: the real unit guarding scope / with the shipped file
# (its defaults otherwise), the harness's runner (tg-node.service, the
# scenario's own shell) protected as an operator protects the node's own
# agents.
s5_thrashguard_up() {
	sed -e 's|^scopes = .*|scopes = /|' \
		-e 's|^cgroups = /init.scope |cgroups = /init.scope /system.slice/tg-node.service |' \
		/run/tg/thrashguard.conf.orig >"$TG_CONF"
	thrashguard check-config >"$TG_DIR/check.out" 2>&1 ||
		tg_fatal config "check-config accepts the scenario's file: $(tr '\n' ' ' <"$TG_DIR/check.out")"
	NODE_SCOPE_SLICE=system.slice node_daemon_up || exit 1
	tg_check scope "the daemon guards scope / alone" node_daemon_log_has '^Starting: .*scopes /, '
}

# s5_port: the node's end of the probe's port (udev's symlink, or the
# port whose name is tg.probe)
s5_port() {
	local d
	[ -e /dev/virtio-ports/tg.probe ] && { echo /dev/virtio-ports/tg.probe; return; }
	for d in /sys/class/virtio-ports/*; do
		[ "$(cat "$d/name" 2>/dev/null)" = tg.probe ] && [ -e "/dev/${d##*/}" ] && { echo "/dev/${d##*/}"; return; }
	done
	return 1
}

# s5_setup: the node's sampler, the neighbour's files on the data disk
# (cold in the page cache), the agent as a service answering the host.
# Sets S5_OOM0, REACH_PID, S5_T_READY (from then on the host's requests
# are answered as they come: the first one may have waited in the port
# for the agent).
s5_setup() {
	local port
	tg_wait 15 s5_port || tg_fatal reach_port "the virtio-serial port tg.probe exists"
	port=$(s5_port)
	mkdir -p /mnt/data/bin
	cp /tg/bin/reach /mnt/data/bin/ &&
		head -c $((64 << 20)) /mnt/data/big.dat >/mnt/data/nb.dat && sync ||
		tg_fatal disk_files "copy the agent and its 64 MiB file to the data disk"
	vmmon evict /mnt/data/bin/reach /mnt/data/nb.dat /mnt/data/big.dat
	tg_sampler_start node /
	S5_OOM0=$(sed -n 's/^oom_kill //p' /proc/vmstat)
	rm -f "$S5_REACH_LOG"
	systemd-run --quiet --unit=tg-reach -p MemorySwapMax=0 \
		/mnt/data/bin/reach serve "$port" /mnt/data/nb.dat "$S5_REACH_LOG" ||
		tg_fatal reach_start "systemd-run starts the agent (tg-reach.service)"
	# answered at least twice: the host's timer is connected and measuring
	tg_wait 30 sh -c '[ "$(grep -c "^R " "$1" 2>/dev/null)" -ge 2 ]' - "$S5_REACH_LOG" ||
		tg_fatal reach_answers "the host's probe gets answers from the agent within 30 s"
	REACH_PID=$(node_unit_prop tg-reach.service MainPID)
	S5_T_READY=$(tg_now_ms)
}

# s5_db_start: the database's big task; waits for the node's pressure
# (full > 10 % over 500 ms, within 40 s).  Sets T_LAUNCH, T_PRESSURE
# (empty if none), DB_PID, S5_ANON_MIB; from the launch on, vmmon
# wait-empty stamps the moment the task's group empties into
# $TG_DIR/db.empty (s5_empty_ms reads it).
s5_db_start() {
	local avail
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
	S5_ANON_MIB=$((avail - S5_MARGIN_MIB))
	tg_result story5 mem_available_mib "$avail" margin_mib "$S5_MARGIN_MIB" anon_mib "$S5_ANON_MIB" \
		grow_mib_s "${S5_GROW_MIB_S:-null}" \
		mem_total_mib "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
	T_LAUNCH=$(tg_now_ms)
	if [ -n "$S5_GROW_MIB_S" ]; then
		systemd-run --quiet --unit=tg-db -p MemorySwapMax=0 -p KillMode=control-group /bin/sh -c \
			"/tg/bin/leaker --rate $S5_GROW_MIB_S --duration 150 & exec /tg/bin/thrasher --anon 0 \
			--file /mnt/data/big.dat --file-size 300 --procs 2 --duration 150"
	else
		systemd-run --quiet --unit=tg-db -p MemorySwapMax=0 -p KillMode=control-group \
			thrasher --anon "$S5_ANON_MIB" --file /mnt/data/big.dat --file-size 300 --procs 2 --duration 150
	fi || tg_fatal db_start "systemd-run starts the database's task (tg-db.service)"
	DB_PID=$(node_unit_prop tg-db.service MainPID)
	vmmon wait-empty "$CG/$S5_DB" 200 >"$TG_DIR/db.empty" 2>/dev/null &
	T_PRESSURE=
	if tg_wait_pstart node 10 40 "$T_LAUNCH"; then
		T_PRESSURE=$TG_PSTART
		tg_info "node-wide pressure started $((T_PRESSURE - T_LAUNCH)) ms after the launch"
	fi
}

# s5_empty_ms: the moment the database's group emptied, as vmmon
# wait-empty saw it (woken by the kernel, not by this shell, which comes
# late under pressure); status 1 if it has not.
s5_empty_ms() {
	local t
	t=$(cat "$TG_DIR/db.empty" 2>/dev/null)
	[ -n "$t" ] && echo "$t"
}

# s5_probe_stats FROM_MS TO_MS: the host's view of the probe for the
# replies the agent sent in [FROM, TO) (the node's ms): their round trips'
# p50/p99/max and the longest silence (the host's time between two
# replies, or, when the node stopped answering, TO less the last reply),
# as JSON; nearest-rank percentiles.
s5_probe_stats() {
	awk -v from="$1" -v to="$2" '
		$1 == "A" { at[$2] = $3; next }
		$1 == "R" && ($2 in at) && at[$2] >= from && at[$2] < to {
			v[n++] = $3 / 1000; g = $4 / 1000; if (n > 1 && g > gap) gap = g
			if (at[$2] > last) last = at[$2]
		}
		END {
			if (n == 0) { printf "{\"replies\":0,\"longest_silence_ms\":%d}\n", to - from; exit }
			if (to - last > gap) gap = to - last
			for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
			i50 = int(0.50 * n + 0.999999) - 1; i99 = int(0.99 * n + 0.999999) - 1
			printf "{\"replies\":%d,\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,\"longest_silence_ms\":%.0f}\n", n, v[i50], v[i99], v[n - 1], gap
		}' "$S5_REACH_LOG"
}

# s5_figures END_MS: the probe before the launch (from S5_T_READY) and from pressure start
# to END, the node's stall, the kernel OOM kills (S5_OOM), the sampler's
# longest gap, MemAvailable's low; sets S5_WINDOW (the window's probe JSON).
s5_figures() {
	local end=$1 from=${T_PRESSURE:-$T_LAUNCH}
	S5_WINDOW=$(s5_probe_stats "$from" "$end")
	S5_OOM=$(($(sed -n 's/^oom_kill //p' /proc/vmstat) - S5_OOM0))
	tg_result probe before_json "$(s5_probe_stats "$S5_T_READY" "$T_LAUNCH")" window_json "$S5_WINDOW" \
		window_ms $((end - from)) kernel_oom_kills "$S5_OOM" \
		pressure_after_launch_ms "$([ -n "$T_PRESSURE" ] && echo $((T_PRESSURE - T_LAUNCH)) || echo null)" \
		node_full_pct_window "$(tg_stall_pct node "$from" "$end")" \
		node_some_pct_window "$(tg_stall_pct node "$from" "$end" some)" \
		sampler_max_gap_ms "$(tg_max_gap node "$T_LAUNCH" "$end")" \
		min_mem_available_mib "$(awk -v from="$from" -v to="$end" -v t="$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)" '
			$4 != "-" && $1 >= from && $1 <= to { a = t - $4; if (!s || a < m) m = a; s = 1 }
			END { print s ? int(m / 1048576) : "null" }' "$TG_DIR/s.node")"
}

# ---- between scenarios -----------------------------------------------------

# node_cleanup: the daemon stopped and disabled, its configuration as the
# image shipped it, every container removed, the test slices stopped
# (thawed first: a frozen task cannot take a signal), failed units reset.
# The daemon's journal lines of the scenario go to its daemon.log first
# (stamped with CLOCK_MONOTONIC ms, as lib-vm.sh's), for the TGLOG dump.
node_cleanup() {
	local d=/tmp/tg/$TG_SCENARIO g rc=0
	if [ -d "$d" ]; then
		node_journal -u "$TG_UNIT" -o short-monotonic | sed -n 's/^\[ *\([0-9]*\)\.\([0-9][0-9][0-9]\)[0-9]*\] [^ ]* [^:]*: /\1\2 /p' \
			>"$d/daemon.log" 2>/dev/null
	fi
	systemctl disable --now "$TG_UNIT" >/dev/null 2>&1
	[ -e /run/tg/thrashguard.conf.orig ] && cp /run/tg/thrashguard.conf.orig "$TG_CONF"
	for g in $(node_frozen_groups); do echo 0 >"$CG$g/cgroup.freeze"; done
	# (only after a scenario that ran containers: each podman command takes
	# seconds under emulation)
	if [ -s /run/tg/containers ]; then
		timeout 120 podman rm -f -a -t 0 >/dev/null 2>&1 || rc=1
		rm -f /run/tg/containers
	fi
	systemctl stop "$TG_SLICE" kubepods.slice tg-db.service tg-reach.service kubelet.service >/dev/null 2>&1
	rm -f "$NODE_PODS"
	systemctl revert kubepods.slice >/dev/null 2>&1
	systemctl reset-failed >/dev/null 2>&1
	for g in "$TG_SLICE_CG" kubepods.slice; do
		[ -d "$CG/$g" ] && [ "$(cg_events_get "$g" populated)" = 1 ] && { rmgroup "$g" || rc=1; }
	done
	node_cursor_mark
	return $rc
}

[ -e /run/tg/thrashguard.conf.orig ] || { mkdir -p /run/tg && cp "$TG_CONF" /run/tg/thrashguard.conf.orig 2>/dev/null; }
[ -s "$TG_CURSOR_FILE" ] || node_cursor_mark
