# shellcheck shell=bash disable=SC2034 # the scenarios use what is set here
# Shared by the end-to-end scenarios (tests/e2e/scenarios/NAME.sh), which
# tests/e2e/run.sh sources into a fresh bash, under a private journald
# (tests/e2e/with-journal.sh), after tests/e2e/lib.sh.  Not a scenario
# itself: run.sh skips files whose name starts with "_".
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
TG_PASS=0
TG_FAIL=0
TG_CHECKS=()         # JSON objects, one per check
TG_METRICS=()        # KEY=VALUE for e2e_result_json
TG_T0_MS=            # scenario start, CLOCK_MONOTONIC ms
TG_SHORTAGE_DURATION_MS=1000 # the product's default [shortage] duration

# The MESSAGE_IDs of thrashguard(8) (src/alert.h).
TG_MID_ACTED=2b2e42b20e434042acc519a8da2a8e80
TG_MID_FAILED=55dc518f02c54c738ee4853fab2cd46b
TG_MID_WOULD_ACT=b0311b043d5847478b98aa97019bcba6
TG_MID_ALL_PROTECTED=21538a74078046e0b772719ce3221727
TG_MID_RECOVERED=37e1842b61c442208d57fd1b0c93f3f8

# ---------------------------------------------------------------- checks

tg__json_check() {
	local ok=$1 what=$2
	what=${what//\\/\\\\}
	what=${what//\"/\\\"}
	TG_CHECKS+=("{\"ok\":$ok,\"what\":\"$what\"}")
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

# tg_check WHAT CMD [ARG...]: runs CMD; counts a pass or a failure and says
# which on stderr.  Returns CMD's verdict, so `tg_check ... || ...` works.
tg_check() {
	local what=$1
	shift
	if "$@"; then
		TG_PASS=$((TG_PASS + 1))
		tg__json_check true "$what"
		e2e_log "  ok: $what$(tg__at)"
		return 0
	fi
	TG_FAIL=$((TG_FAIL + 1))
	tg__json_check false "$what"
	e2e_log "  FAIL: $what$(tg__at)"
	return 1
}

# " [+12.3 s]": the time since the scenario began, for the log.
tg__at() {
	local ms
	[[ -n $TG_T0_MS ]] || return 0
	ms=$(($(e2e_now_ms) - TG_T0_MS))
	printf ' [+%d.%d s]' $((ms / 1000)) $((ms % 1000 / 100))
}

# tg_fail WHAT: a failed check without a command.
tg_fail() {
	TG_FAIL=$((TG_FAIL + 1))
	tg__json_check false "$*"
	e2e_log "  FAIL: $*$(tg__at)"
}

# tg_fatal WHAT: a failure after which the rest of the scenario means
# nothing (the pressure never came, the daemon did not start).
tg_fatal() {
	tg_fail "$*"
	tg__dump_diagnostics
	exit 1
}

# Arithmetic comparisons for tg_check, with fractional operands.
tg_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
tg_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
tg_lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
tg_gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
tg_eq() { [[ $1 == "$2" ]]; }
tg_not() { ! "$@"; }
# tg_has STRING SUBSTRING...: STRING contains every SUBSTRING.
tg_has() {
	local s=$1 x
	shift
	for x in "$@"; do
		[[ $s == *"$x"* ]] || return 1
	done
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
	e2e_poll 2 tg__comm_is "$TG_KUBELET_PID" kubelet || e2e_die "the kubelet stand-in did not start"
}

tg__comm_is() {
	[[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]
}

# The pids in REL and below (memory hierarchy).
tg_pids() {
	local dir
	dir=$(e2e_cgpath memory "$1")
	[[ -d $dir ]] || return 0
	find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
}

tg_nprocs() {
	tg_pids "$1" | wc -l
}

# True while every pid given is alive.
tg_all_alive() {
	local p
	(($# > 0)) || return 1
	for p in "$@"; do
		e2e_alive "$p" || return 1
	done
}

# tg_frozen REL: true if the kernel reports REL frozen: cgroup.events
# "frozen 1" in the unified hierarchy (where the daemon freezes on hybrid
# and v2), else v1 freezer.state FROZEN.
tg_frozen() {
	local ev fz
	ev=$(e2e_cgpath psi "$1")/cgroup.events
	if [[ -r $ev ]] && grep -qx 'frozen 1' "$ev"; then
		return 0
	fi
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
	local pid=$TG_DPID rc=0
	[[ -n $pid ]] || return 0
	TG_DPID=
	kill -TERM "$pid" 2>/dev/null || true
	if ! e2e_poll 10 eval "! kill -0 $pid 2>/dev/null"; then
		e2e_log "the daemon did not stop within 10 s of SIGTERM; SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	TG_DAEMON_RC=$rc
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

# ---------------------------------------------------------------- journal

# tg_journal FILE: the private journal so far, one JSON object per line.
tg_journal() {
	e2e_journal_dump "${1:-$E2E_DIR/journal.json}"
}

# Query helpers over thrashguard's entries (SYSLOG_IDENTIFIER=thrashguard
# and a MESSAGE_ID).  Conditions: FIELD=VALUE (equal), FIELD~REGEX
# (re.search), FIELD!=VALUE.
tg__jpy() {
	python3 -S - "$@" <<'EOF'
import json, re, sys
mode, path, field, conds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def match(e):
    for c in conds:
        if "!=" in c:
            k, v = c.split("!=", 1)
            if e.get(k) == v: return False
        elif "~" in c and ("=" not in c or c.index("~") < c.index("=")):
            k, v = c.split("~", 1)
            if not re.search(v, str(e.get(k, ""))): return False
        else:
            k, v = c.split("=", 1)
            if e.get(k) != v: return False
    return True
hits = []
for line in open(path):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("SYSLOG_IDENTIFIER") != "thrashguard" or "MESSAGE_ID" not in e:
        continue
    if match(e):
        hits.append(e)
if mode == "count":
    print(len(hits))
elif mode == "get":
    if hits and field in hits[0]:
        v = hits[0][field]
        print(v if isinstance(v, str) else json.dumps(v))
elif mode == "getall":
    for h in hits:
        v = h.get(field, "")
        print(v if isinstance(v, str) else json.dumps(v))
elif mode == "messages":
    for h in hits:
        print("%s %s/%s: %s" % (h.get("__MONOTONIC_TIMESTAMP", "?"), h.get("THRASHGUARD_EVENT", "?"),
                                h.get("THRASHGUARD_ACTION", "?"), h.get("MESSAGE", "")))
EOF
}

# tg_jcount FILE COND...: how many thrashguard entries match.
tg_jcount() { tg__jpy count "$1" "" "${@:2}"; }
# tg_jget FILE FIELD COND...: FIELD of the first matching entry ("" if none).
tg_jget() { tg__jpy get "$1" "$2" "${@:3}"; }
# tg_jgetall FILE FIELD COND...: FIELD of every matching entry, one a line.
tg_jgetall() { tg__jpy getall "$1" "$2" "${@:3}"; }
# tg_jmessages FILE: every thrashguard entry, one line each.
tg_jmessages() { tg__jpy messages "$1" ""; }

# tg_jcount_is FILE N COND...: for tg_check.
tg_jcount_is() {
	local n
	n=$(tg_jcount "$1" "${@:3}")
	[[ $n == "$2" ]] || {
		e2e_log "    (expected $2 matching entries, found $n)"
		return 1
	}
}

tg_jcount_ge() {
	local n
	n=$(tg_jcount "$1" "${@:3}")
	((n >= $2)) || {
		e2e_log "    (expected at least $2 matching entries, found $n)"
		return 1
	}
}

# tg_wait_entry TIMEOUT_S COND...: polls the journal until an entry matches;
# leaves the dump in $E2E_DIR/journal.json.
tg_wait_entry() {
	local t=$1
	shift
	e2e_poll "$t" tg__has_entry "$@"
}

tg__has_entry() {
	tg_journal "$E2E_DIR/journal.json" || return 1
	(($(tg_jcount "$E2E_DIR/journal.json" "$@") > 0))
}

# ---------------------------------------------------------------- measuring

# tg_probe_t0 FILE: the CLOCK_MONOTONIC ms at which a probe started, from the
# mtime of its first (empty) summary, written right before its clock starts:
# the t_ms of its --timeline are relative to that.  Call it within a second
# of the start (the summary is rewritten every second).
tg_probe_t0() {
	local f=$1 real_ns mono_ms mtime
	e2e_poll 3 test -e "$f" || return 1
	mono_ms=$(e2e_now_ms)
	real_ns=$(date +%s%N)
	mtime=$(stat -c %.9Y "$f") || return 1
	mtime=${mtime/./}
	echo $((mono_ms - (real_ns - 10#$mtime) / 1000000))
}

# tg_probe_stats TIMELINE T0_MS FROM_MS TO_MS: p50/p99/max of the probe's
# lateness for the samples whose deadline falls in [FROM, TO) (absolute
# CLOCK_MONOTONIC ms), as a JSON object; nearest-rank percentiles.
tg_probe_stats() {
	local tl=$1 t0=$2 from=$3 to=$4
	awk -v t0="$t0" -v from="$from" -v to="$to" '
		{ t = t0 + $1; if (t >= from && t < to) v[n++] = $2 + 0 }
		END {
			if (n == 0) { print "{\"samples\":0,\"p50_ms\":null,\"p99_ms\":null,\"max_ms\":null}"; exit }
			# insertion sort: a few hundred samples at most
			for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
			i50 = int(0.50 * n + 0.999999) - 1; if (i50 < 0) i50 = 0
			i99 = int(0.99 * n + 0.999999) - 1; if (i99 < 0) i99 = 0
			printf "{\"samples\":%d,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n", n, v[i50], v[i99], v[n - 1]
		}' "$tl"
}

# tg_json_field JSON KEY: a number from a flat JSON object.
tg_json_field() {
	python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}

# tg_sampler_start REL [REL...]: samples, every 200 ms, the memory.pressure
# totals (some, full; us) and the memory usage of each REL into
# $E2E_DIR/samples.REL_ESCAPED ("mono_ms some_us full_us usage_bytes"), in
# the background until the end of the scenario.
tg_sampler_start() {
	local rel
	for rel in "$@"; do
		tg__sampler "$rel" >"$E2E_DIR/samples.${rel//\//_}" &
	done
}

tg__sampler() {
	local rel=$1 psi mem now some full kind rest usage t
	psi=$(e2e_cgpath psi "$rel")/memory.pressure
	if [[ $E2E_MODE == v2 ]]; then mem=$(e2e_cgpath memory "$rel")/memory.current; else mem=$(e2e_cgpath memory "$rel")/memory.usage_in_bytes; fi
	while [[ -r $psi ]]; do
		now=$(e2e_now_ms)
		some="" full=""
		while read -r kind _ _ _ rest; do
			t=${rest#total=}
			[[ $kind == some ]] && some=$t
			[[ $kind == full ]] && full=$t
		done <"$psi" 2>/dev/null || break
		usage=$(<"$mem") 2>/dev/null || break
		echo "$now $some $full $usage"
		e2e_sleep_ms 200
	done
}

# tg_stall_pct REL FROM_MS TO_MS [full|some]: the share of [FROM, TO] REL
# spent stalled, from the sampler's totals (nearest samples inside).
tg_stall_pct() {
	local f=$E2E_DIR/samples.${1//\//_} col=3
	[[ ${4:-full} == some ]] && col=2
	awk -v from="$2" -v to="$3" -v c="$col" '
		$1 >= from && $1 <= to { if (!a) { a = $1; av = $c } b = $1; bv = $c }
		END { if (b > a) printf "%.1f\n", (bv - av) / ((b - a) * 10); else print "null" }' "$f"
}

# tg_peak_stall REL FROM_MS TO_MS WINDOW_MS [full|some]: the highest stall
# share over any WINDOW_MS inside [FROM, TO] (the daemon's kind of window).
tg_peak_stall() {
	local f=$E2E_DIR/samples.${1//\//_} col=3
	[[ ${5:-full} == some ]] && col=2
	awk -v from="$2" -v to="$3" -v w="$4" -v c="$col" '
		$1 >= from && $1 <= to { t[n] = $1; v[n] = $c; n++ }
		END {
			best = 0; j = 0
			for (i = 0; i < n; i++) {
				while (j < i && t[i] - t[j + 1] >= w) j++
				if (t[i] - t[j] >= w * 0.8) { s = (v[i] - v[j]) / ((t[i] - t[j]) * 10); if (s > best) best = s }
			}
			printf "%.1f\n", best
		}' "$f"
}

# tg_min_headroom_pct REL LIMIT_BYTES FROM_MS TO_MS: the lowest headroom,
# in % of LIMIT, the sampler saw in [FROM, TO].
tg_min_headroom_pct() {
	local f=$E2E_DIR/samples.${1//\//_}
	awk -v l="$2" -v from="$3" -v to="$4" '
		$1 >= from && $1 <= to { h = (l - $4) * 100 / l; if (!seen || h < m) m = h; seen = 1 }
		END { if (seen) printf "%.1f\n", m; else print "null" }' "$f"
}

# tg_mono_ms_of_entry FILE COND...: the journal's __MONOTONIC_TIMESTAMP of
# the first matching entry, in ms (journald stamps an entry when it receives
# it: CLOCK_MONOTONIC, the clock of monotime).
tg_entry_ms() {
	local us
	us=$(tg_jget "$1" __MONOTONIC_TIMESTAMP "${@:2}")
	[[ -n $us ]] || return 1
	echo $((us / 1000))
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
	NB_T0=$(tg_probe_t0 "$E2E_DIR/nb-probe.json") || tg_fatal "the neighbour's probe did not start"
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
	tg_check "$what: the neighbour is alive" e2e_alive "$NB_PID"
	tg_check "$what: the kubelet stand-in is alive" e2e_alive "$TG_KUBELET_PID"
}

# Stops the neighbour (SIGTERM: the probe writes its final summary).
tg_stop_neighbour() {
	local rc=0
	tg_check "the neighbour is alive" e2e_alive "$NB_PID"
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
