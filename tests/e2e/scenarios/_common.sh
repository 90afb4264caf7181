# shellcheck shell=bash disable=SC2034 # the scenarios use what is set here
# Shared by the end-to-end scenarios (tests/e2e/scenarios/NAME.sh), which
# tests/e2e/run.sh sources into a fresh bash, under a private journald
# (tests/e2e/with-journal.sh), after tests/e2e/lib.sh (and with it the
# harness, tests/lib/harness.sh).  What is here is the scenarios' own: the
# simulated node below the run's parent, the daemon started on it with its
# stderr captured, the result JSON of a scenario, the thrash node.  Not a
# scenario itself: run.sh skips files whose name starts with "_".
#
# A scenario file defines:
#     SCN_DEADLINE=90          # hard deadline in seconds (lib.sh watchdog)
#     SCN_DEFAULT=1            # 0: only run when named with --only
#     SCN_SUMMARY="..."        # one line, printed by run.sh --list
#     scn_run() { ... }        # the scenario: builds the node, runs the
#                              # workloads and the daemon, checks outcomes
#
# and uses, from here:
#     tg_node LIMIT            the simulated node: NAME/node, the daemon's scope
#     tg_pod VAR QOS [LIMIT]   a Kubernetes container group (systemd driver)
#     tg_protected_kubelet     node/system.slice/kubelet.service running "kubelet"
#     tg_daemon_start ARG...   the real daemon, confined to the node scope
#     tg_check WHAT CMD...     one assertion; tg_fatal WHAT stops the scenario
#     tg_metric KEY=VALUE...   figures for the result JSON
#     tg_journal, tg_jcount, tg_jget   the private journal, read back
#
# Everything in here follows docs/testing.md: every workload runs in a
# memory-limited group (the node, at most 2 GiB, limited before anything
# starts), the daemon's scope is the test's own node group and never "/",
# and lib.sh cleans up on every exit path.

TG_BIN=${TG_BIN:-}
TG_SCOPE=            # "/tg-e2e-.../node", as the daemon sees it
TG_DPID=
TG_DAEMON_RC=
TG_CHECKS=()         # JSON objects, one per check
TG_METRICS=()        # KEY=VALUE for e2e_result_json
TG_T0_MS=            # scenario start, CLOCK_MONOTONIC ms
TG_SHORTAGE_DURATION_MS=1000 # the product's default [shortage] duration

# ---------------------------------------------------------------- checks

# A check (tg_check, tg_fail: lib.sh) goes to the log with its time and
# into the result JSON.
tg_on_check() {
	TG_CHECKS+=("$(tg_json ok "$1" what "$3")")
	if [[ $1 == true ]]; then
		e2e_log "  ok: $3$(tg__at)"
	else
		e2e_log "  FAIL: $3$(tg__at)"
	fi
}

# tg_daemon_log_has TEXT: the daemon's stderr holds TEXT (a fixed string),
# where a message longer than a line (300 characters) is read joined again:
# a line "TIME PRIORITY:   rest" continues the one above, cut at a blank.
tg_daemon_log_has() {
	awk '
		match($0, /^[0-9][0-9T:.+-]* [a-z]+: /) {
			t = substr($0, RLENGTH + 1)
			if (substr(t, 1, 2) == "  " && cur != "") { cur = cur " " substr(t, 3); next }
		}
		{ if (cur != "") print cur; cur = $0 }
		END { if (cur != "") print cur }' "$E2E_DIR/daemon.log" | grep -qF -- "$1"
}

# " [+12.3 s]": the time since the scenario began, for the log.
tg__at() {
	local ms
	[[ -n $TG_T0_MS ]] || return 0
	ms=$(($(e2e_now_ms) - TG_T0_MS))
	printf ' [+%d.%d s]' $((ms / 1000)) $((ms % 1000 / 100))
}

# tg_fatal WHAT: a failure after which the rest of the scenario means
# nothing (the pressure never came, the daemon did not start).
tg_fatal() {
	tg_fail "$*"
	tg__dump_diagnostics
	exit 1
}

tg_metric() {
	TG_METRICS+=("$@")
}

# ---------------------------------------------------------------- setup

# tg_begin NAME DEADLINE_S: lib.sh's setup plus this file's bookkeeping;
# run.sh calls it before scn_run.
tg_begin() {
	e2e_setup "$1" "$2"
	TG_T0_MS=$(e2e_now_ms)
	printf '[daemon]\n' >"$E2E_DIR/empty.conf" # a section alone: the built-in defaults, whatever /etc holds
	e2e_on_cleanup tg__on_cleanup
}

# tg_node LIMIT: the simulated node: NAME/node with a memory limit.  The
# daemon's scope.  Kubernetes' own layout lives below it.
tg_node() {
	e2e_mkgroup node "${1:?tg_node LIMIT}"
	TG_SCOPE=/$E2E_NAME/node
	e2e_mkgroup node/kubepods.slice
	e2e_mkgroup node/kubepods.slice/kubepods-besteffort.slice
	e2e_mkgroup node/kubepods.slice/kubepods-burstable.slice
}

# A random pod UID (RFC 4122 shape) and container id (64 hex).
tg__uuid() { cat /proc/sys/kernel/random/uuid; }
tg__cid() { printf '%s%s' "$(tg__uuid)" "$(tg__uuid)" | tr -d - | cut -c1-64; }

# tg_pod VAR QOS [LIMIT]: creates a pod and one container below the node,
# the way the kubelet (systemd cgroup driver) and containerd name them:
#   node/kubepods.slice/kubepods-QOS.slice/kubepods-QOS-pod<uid_with_>.slice/
#       cri-containerd-<64 hex>.scope
# (Guaranteed pods sit directly under kubepods.slice as kubepods-pod<uid>).
# Sets VAR (the container group, REL below the run's parent), VAR_UID (the
# pod UID, with dashes, as POD_UID in the journal), VAR_CID (CONTAINER_ID)
# and VAR_CG (the path the daemon reports, THRASHGUARD_CGROUP).  LIMIT goes
# on the container group.
tg_pod() {
	local var=${1:?tg_pod VAR QOS [LIMIT]} qos=${2:?qos} limit=${3:-} uid cid pod
	uid=$(tg__uuid)
	cid=$(tg__cid)
	case $qos in
	besteffort | burstable)
		pod=node/kubepods.slice/kubepods-$qos.slice/kubepods-$qos-pod${uid//-/_}.slice ;;
	guaranteed)
		pod=node/kubepods.slice/kubepods-pod${uid//-/_}.slice ;;
	*) e2e_die "tg_pod: unknown QoS '$qos'" ;;
	esac
	e2e_mkgroup "$pod"
	e2e_mkgroup "$pod/cri-containerd-$cid.scope" ${limit:+"$limit"}
	printf -v "$var" '%s' "$pod/cri-containerd-$cid.scope"
	printf -v "${var}_UID" '%s' "$uid"
	printf -v "${var}_CID" '%s' "$cid"
	printf -v "${var}_CG" '%s' "/$E2E_NAME/$pod/cri-containerd-$cid.scope"
}

# The cgroup path of REL as the daemon reports it.
tg_cg() {
	echo "/$E2E_NAME/$1"
}

# tg_protected_kubelet: node/system.slice/kubelet.service holding a process
# whose comm is "kubelet" (a copy of sleep(1): comm is the executable's
# file name), protected by [protect] comms (set by tg_daemon_start).  Sets TG_KUBELET
# (REL) and TG_KUBELET_PID.
tg_protected_kubelet() {
	local sleep_bin
	sleep_bin=$(command -v sleep) || e2e_die "no sleep(1)"
	cp "$sleep_bin" "$E2E_DIR/kubelet"
	e2e_mkgroup node/system.slice
	e2e_mkgroup node/system.slice/kubelet.service
	TG_KUBELET=node/system.slice/kubelet.service
	e2e_run "$TG_KUBELET" -- "$E2E_DIR/kubelet" 600
	TG_KUBELET_PID=$E2E_PID
	e2e_poll 2 tg_comm_is "$TG_KUBELET_PID" kubelet || e2e_die "the kubelet stand-in did not start"
}

# tg_frozen REL: true if the kernel reports REL frozen: cgroup.events
# "frozen 1" in the unified hierarchy (where the daemon freezes on hybrid
# and v2), else v1 freezer.state FROZEN.
tg_frozen() {
	local fz
	cg_frozen "$1" 2>/dev/null && return 0
	if [[ $E2E_MODE == hybrid ]]; then
		fz=$(e2e_cgpath freezer "$1")/freezer.state
		[[ -r $fz && $(<"$fz") == FROZEN ]] && return 0
	fi
	return 1
}

tg_thawed() { ! tg_frozen "$1"; }

# ---------------------------------------------------------------- the daemon

# tg_daemon_start [ARG...]: `thrashguard run -v` on the node scope, with
# the built-in defaults (an empty -c file: a host's /etc config must not
# change the test) and ARGs (more --set, --dry-run).  Output to
# $E2E_DIR/daemon.log.  Waits for its first snapshot.  The scope is set
# here and nowhere else: a scope given in ARGs is refused, and "/" is
# impossible.
tg_daemon_start() {
	local a
	[[ -n $TG_SCOPE ]] || e2e_die "tg_daemon_start: tg_node first"
	[[ -x $TG_BIN ]] || e2e_die "no daemon binary '$TG_BIN'"
	for a in "$@"; do
		[[ $a != daemon.scopes=* && $a != daemon.cgroup_mode=* ]] ||
			e2e_die "tg_daemon_start: the scope is the test's node, not '$a'"
	done
	[[ $TG_SCOPE == /tg-e2e-*/node ]] || e2e_die "refusing to start the daemon on scope '$TG_SCOPE'"
	# TG_DAEMON_EXTRA: more arguments from the environment, for experiments
	# and benchmarks (e.g. "--set daemon.idle_interval=500ms"); the same
	# restrictions apply.
	local -a extra=()
	read -ra extra <<<"${TG_DAEMON_EXTRA:-}"
	for a in "${extra[@]}"; do
		[[ $a != daemon.scopes=* && $a != daemon.cgroup_mode=* ]] ||
			e2e_die "TG_DAEMON_EXTRA: the scope is the test's node, not '$a'"
	done
	# Its runtime directory (the record of frozen groups) is the test's,
	# never the host's /run/thrashguard. The node's kubelet.service
	# stand-in is protected by its name, as an operator would list it:
	# names protect system services, nothing else.
	mkdir -p "$E2E_DIR/run"
	TG_DAEMON_CMD=("$TG_BIN" run -v -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run"
		--set "daemon.scopes=$TG_SCOPE" --set protect.comms=kubelet "$@" "${extra[@]}")
	e2e_log "daemon: ${TG_DAEMON_CMD[*]}"
	TG_DAEMON_START_MS=$(e2e_now_ms)
	# TG_NOFILE: the daemon's RLIMIT_NOFILE, soft and hard (fd-limit).
	if [[ -n ${TG_NOFILE:-} ]]; then
		(ulimit -n "$TG_NOFILE" && exec "${TG_DAEMON_CMD[@]}") >>"$E2E_DIR/daemon.log" 2>&1 &
	else
		"${TG_DAEMON_CMD[@]}" >>"$E2E_DIR/daemon.log" 2>&1 &
	fi
	TG_DPID=$!
	if ! e2e_poll 15 tg__daemon_ready; then
		tg_fatal "the daemon did not take its first snapshot within 15 s"
	fi
	TG_DAEMON_READY_MS=$(e2e_now_ms)
	tg_metric daemon_ready_ms=$((TG_DAEMON_READY_MS - TG_DAEMON_START_MS))
}

tg__daemon_ready() {
	kill -0 "$TG_DPID" 2>/dev/null || tg_fatal "the daemon exited at start"
	grep -q 'First snapshot' "$E2E_DIR/daemon.log"
}

tg_daemon_alive() {
	[[ -n $TG_DPID ]] && kill -0 "$TG_DPID" 2>/dev/null
}

# tg_daemon_stop: SIGTERM, then SIGKILL after 10 s; TG_DAEMON_RC is its exit
# status.
tg_daemon_stop() {
	local pid=$TG_DPID
	[[ -n $pid ]] || return 0
	TG_DPID=
	tg_stop_job "$pid" 10 || e2e_log "the daemon did not stop within 10 s of SIGTERM; SIGKILL"
	TG_DAEMON_RC=$TG_RC
	return 0
}

# tg_daemon_kill9: SIGKILL, as a crash: nothing of the daemon's own
# cleanup runs.  Its log is kept as daemon.N.log, so that a restart's
# tg_daemon_start waits for the new daemon's first snapshot.
TG_DAEMON_RUNS=0
tg_daemon_kill9() {
	local pid=$TG_DPID
	[[ -n $pid ]] || return 0
	TG_DPID=
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	tg_daemon_rotate_log
}

tg_daemon_rotate_log() {
	TG_DAEMON_RUNS=$((TG_DAEMON_RUNS + 1))
	[[ -e $E2E_DIR/daemon.log ]] && mv "$E2E_DIR/daemon.log" "$E2E_DIR/daemon.$TG_DAEMON_RUNS.log"
	return 0
}

# tg_daemon_stop_check: stops the daemon and checks that it was still
# running and exits 0 on SIGTERM.
tg_daemon_stop_check() {
	tg_check "the daemon is still running at the end" tg_daemon_alive
	tg_daemon_stop
	tg_check "the daemon exits 0 on SIGTERM (got ${TG_DAEMON_RC:-none})" tg_eq "${TG_DAEMON_RC:-}" 0
}

# tg_decision_bound_ms DURATION_MS: how late after the pressure start a
# decision may come and still be "prompt", from the mechanism rather than
# from what happened to be seen: a daemon idling on its 5 s timer is woken
# by its PSI trigger within one trigger window (2 s: the kernel refuses
# shorter ones to root without CAP_SYS_RESOURCE, as here), then needs one
# [shortage] window (1 s) of stall, one tick (0.5 s: the one that first
# sees it) and the rule's duration (the daemon ticks when it is up); 1 s
# more for the act and the journal on a loaded 2-core machine.  Seen with
# a 2 s duration: 2.2-3.6 s over 40 decisions, and once 5.0 s
# (all-protected, trigger late).  Sets TG_BOUND (ms) and
# TG_BOUND_WHY (for the check's name); call it without $().
tg_decision_bound_ms() {
	TG_BOUND=$(($1 + 2000 + 1000 + 500 + 1000))
	TG_BOUND_WHY="trigger window + window + tick + duration + 1 s"
}

# tg_status_json FILE: `thrashguard status --json` on the node scope (one
# interval between its two snapshots); returns its exit status.
tg_status_json() {
	"$TG_BIN" status --json -c "$E2E_DIR/empty.conf" --runtime-dir "$E2E_DIR/run" \
		--set "daemon.scopes=$TG_SCOPE" >"$1" 2>>"$E2E_DIR/status.err"
}

# ---------------------------------------------------------------- the thrash node

# The node of `thrash` and of the scenarios built on it (dry-run, freeze,
# fp-spike, all-protected, forkstorm, thrash-baseline): 512 MiB; the
# kubelet; a Burstable neighbour (NB: steady 32 MiB + latency probe); a
# BestEffort pod TH for the thrasher (300 MiB anon + a 220 MiB file through
# mmap, two workers, no kernel OOM).
#
# Why 220 MiB: what is left of the node for page cache is ~170 MiB, and a
# file only ~1.3 times that is what makes the kernel see a thrash: a page
# is refaulted soon after its eviction (refault distance below the working
# set), so the refault is a "workingset" one and its IO wait counts as
# memory stall.  Measured here on a quiet machine: 220 MiB gives ~70 %
# full; 400 MiB gives only 5-15 % (the distance is too long, the reads
# count as plain IO), and how much depends on the IO latency of the moment:
# under other load it read 20-40 %, idle 10 %, right at the thresholds.

# The window after pressure start over which the neighbour's experience is
# compared with and without the daemon.
THRASH_WINDOW_MS=15000
THRASH_NODE_LIMIT=512M

# tg_thrash_setup: the node, the kubelet, the neighbour (started, 2 s of
# undisturbed probe samples) and the thrasher's group (not started).
tg_thrash_setup() {
	tg_node "$THRASH_NODE_LIMIT"
	tg_protected_kubelet
	tg_pod NB burstable
	tg_pod TH besteffort
	tg_sampler_start node "$NB" "$TH"
}

tg_thrash_neighbour() {
	e2e_run "$NB" -- "$E2E_TOOLS/steady" --anon 32 --duration 120 \
		--probe-out "$E2E_DIR/nb-probe.json" --probe-timeline "$E2E_DIR/nb.timeline" \
		2>>"$E2E_DIR/workload.log"
	NB_PID=$E2E_PID
	NB_T0=$(tg_probe_t0 "$E2E_DIR/nb-probe.json" "$E2E_DIR/nb.timeline") || tg_fatal "the neighbour's probe did not start"
}

# tg_thrash_start [REL [BIN]]: the thrasher (in TH, or REL below it; BIN: a
# copy of the thrasher under another name), and the pressure-start timer on
# the node.
tg_thrash_start() {
	local rel=${1:-$TH} bin=${2:-$E2E_TOOLS/thrasher}
	e2e_pressure_start node 10 30 >"$E2E_DIR/pstart" &
	T_LAUNCH=$(e2e_now_ms)
	e2e_run "$rel" -- "$bin" --anon 300 --file "$E2E_DIR/thrash.dat" \
		--file-size 220 --procs 2 --duration 60 2>>"$E2E_DIR/workload.log"
	TH_PID=$E2E_PID
	if ! e2e_poll 30 test -s "$E2E_DIR/pstart"; then
		tg_fatal "no pressure on the node (full > 10 % over 500 ms) within 30 s of the launch"
	fi
	T_PRESSURE=$(<"$E2E_DIR/pstart")
	tg_metric pressure_start_after_launch_ms=$((T_PRESSURE - T_LAUNCH))
	e2e_log "pressure started $((T_PRESSURE - T_LAUNCH)) ms after the launch"
}

# tg_thrash_figures END_MS: the probe's lateness before the
# pressure, over the comparison window, and (with T_EMPTY) during and after.
tg_thrash_figures() {
	local end=$1 tl=$E2E_DIR/nb.timeline
	tg_metric neighbour_before:="$(tg_probe_stats "$tl" "$NB_T0" 0 "$T_LAUNCH")"
	tg_metric neighbour_window:="$(tg_probe_stats "$tl" "$NB_T0" "$T_PRESSURE" "$end")"
	tg_metric node_full_pct_window="$(tg_stall_pct node "$T_PRESSURE" "$end")"
	tg_metric node_some_pct_window="$(tg_stall_pct node "$T_PRESSURE" "$end" some)"
	tg_metric node_peak_full_1s="$(tg_peak_stall node "$T_PRESSURE" "$end" 1000)"
	if [[ -n ${T_EMPTY:-} ]]; then
		tg_metric neighbour_during:="$(tg_probe_stats "$tl" "$NB_T0" "$T_PRESSURE" "$T_EMPTY")"
		tg_metric neighbour_after:="$(tg_probe_stats "$tl" "$NB_T0" $((T_EMPTY + 1000)) "$end")"
		tg_metric node_full_pct_after="$(tg_stall_pct node $((T_EMPTY + 1000)) "$end")"
	fi
	e2e_log "neighbour before the launch: $(tg_probe_stats "$tl" "$NB_T0" 0 "$T_LAUNCH")"
	e2e_log "neighbour over ${THRASH_WINDOW_MS} ms from pressure start: $(tg_probe_stats "$tl" "$NB_T0" "$T_PRESSURE" "$end")"
	e2e_log "node full stall over that window: $(tg_stall_pct node "$T_PRESSURE" "$end") %"
}

# tg_tenant_killed_whole WHAT: the checks every tenant scenario makes once
# the thrasher's pod should be gone: TH emptied whole by one kill of TH_CG,
# nothing else acted on, the neighbour and the kubelet alive.
tg_tenant_killed_whole() {
	local what=$1 j=$E2E_DIR/journal.json
	if e2e_wait_empty "$TH" 30; then
		T_EMPTY=$(e2e_now_ms)
		tg_metric pressure_to_empty_ms=$((T_EMPTY - T_PRESSURE))
	else
		tg_fail "$what: the thrasher's group is still populated 30 s after pressure start"
	fi
	tg_check "$what: no task left anywhere below the container ($(tg_nprocs "$TH"))" \
		tg_eq "$(tg_nprocs "$TH")" 0
	e2e_sleep_ms 3000
	tg_journal "$j"
	tg_check "$what: exactly one kill, of the container as a whole ($TH_CG)" \
		tg_jcount_is "$j" 1 THRASHGUARD_EVENT=acted THRASHGUARD_ACTION=kill "THRASHGUARD_CGROUP=$TH_CG"
	tg_check "$what: nothing else acted on, nothing failed" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(failed|acted)$' "THRASHGUARD_CGROUP!=$TH_CG"
	tg_check "$what: the neighbour is alive" tg_alive "$NB_PID"
	tg_check "$what: the kubelet stand-in is alive" tg_alive "$TG_KUBELET_PID"
}

# Stops the neighbour (SIGTERM: the probe writes its final summary).
tg_stop_neighbour() {
	local rc=0
	tg_check "the neighbour is alive" tg_alive "$NB_PID"
	kill -TERM "$NB_PID" 2>/dev/null
	e2e_wait_pid "$NB_PID" 10 || rc=$?
	tg_check "the neighbour exits 0 on SIGTERM (got $rc)" tg_eq "$rc" 0
	[[ -s $E2E_DIR/nb-probe.json ]] && tg_metric neighbour_probe:="$(<"$E2E_DIR/nb-probe.json")"
}

# ---------------------------------------------------------------- the end

# tg_journald_stop / tg_journald_cont: SIGSTOP and SIGCONT the private
# journald (by its pid, from with-journal.sh).  While it is stopped nothing
# may read the journal (journalctl --sync would wait for it): the
# diagnostics and the cleanup resume it first.
TG_JOURNALD_STOPPED=
tg_journald_stop() {
	[[ -n ${TG_JOURNALD_PID:-} ]] || e2e_die "no TG_JOURNALD_PID (with-journal.sh)"
	kill -STOP "$TG_JOURNALD_PID" || e2e_die "cannot stop journald (pid $TG_JOURNALD_PID)"
	TG_JOURNALD_STOPPED=1
}

tg_journald_cont() {
	[[ -n $TG_JOURNALD_STOPPED ]] || return 0
	kill -CONT "$TG_JOURNALD_PID" 2>/dev/null || true
	TG_JOURNALD_STOPPED=
}

tg__dump_diagnostics() {
	tg_journald_cont
	[[ -n ${E2E_DIR:-} && -d $E2E_DIR ]] || return 0
	if [[ -s $E2E_DIR/daemon.log ]]; then
		e2e_log "--- daemon stderr (last 40 lines)"
		tail -n 40 "$E2E_DIR/daemon.log" | sed 's/^/    /' >&2
	fi
	if [[ ${TG_JOURNAL_NS:-} == 1 ]] && tg_journal "$E2E_DIR/journal.diag.json" 2>/dev/null; then
		e2e_log "--- thrashguard journal entries"
		tg_jmessages "$E2E_DIR/journal.diag.json" | sed 's/^/    /' >&2
	fi
}

# Runs from lib.sh's cleanup, before the groups go: stops the daemon, keeps
# its log and the workloads' logs next to the result, writes the result.
tg__on_cleanup() {
	tg_journald_cont
	tg_daemon_stop
	if [[ -n ${TG_LOGDIR:-} && -d $TG_LOGDIR ]]; then
		local f
		for f in daemon.log workload.log status.err notify.log; do
			[[ -s $E2E_DIR/$f ]] && cp -f "$E2E_DIR/$f" "$TG_LOGDIR/$f"
		done
		for f in "$E2E_DIR"/daemon.[0-9]*.log "$E2E_DIR"/samples.* "$E2E_DIR"/*.timeline "$E2E_DIR"/*probe*.json "$E2E_DIR"/status*.json; do
			[[ -s $f ]] && cp -f "$f" "$TG_LOGDIR/"
		done
	fi
	if [[ -n ${TG_RESULT:-} ]]; then
		local checks
		checks=$(IFS=,; echo "${TG_CHECKS[*]}")
		e2e_result_json "$TG_RESULT" group="$E2E_NAME" mode="$E2E_MODE" checks_passed="$TG_PASS" \
			checks_failed="$TG_FAIL" checks:="[$checks]" \
			elapsed_ms=$(($(e2e_now_ms) - TG_T0_MS)) "${TG_METRICS[@]}"
	fi
}

# tg_finish: the scenario's verdict: exit 0 if every check passed.
tg_finish() {
	if ((TG_PASS + TG_FAIL == 0)); then
		tg_fail "the scenario checked nothing"
	fi
	if ((TG_FAIL > 0)); then
		tg__dump_diagnostics
		e2e_log "$TG_FAIL of $((TG_PASS + TG_FAIL)) checks failed"
		exit 1
	fi
	e2e_log "all $TG_PASS checks passed"
	exit 0
}
