# shellcheck shell=dash disable=SC2034 # it sets variables for its callers
# The test harness shared by every place the scenarios run: the host's
# end-to-end tiers (bash: tests/e2e/lib.sh sources it), the busybox VM
# (ash: tests/vm/lib-vm.sh) and the systemd node (dash: lib-vm.sh, then
# tests/vm/lib-node.sh).  POSIX sh only, so that one file serves the three
# shells; a fork costs tens of ms under the VM's emulation, so the loops
# here avoid them where the shell can do without.
#
# What is here: polling with a deadline, arithmetic checks, checks and
# their tally, JSON objects, cgroup v2 groups (make, run a workload in,
# read, wait for empty or frozen, kill, remove), processes, the probe's
# statistics, the analysis of PSI samples (pressure start from PSI totals,
# stall shares, headroom, the local-thrash signals) and the daemon's
# decision lines as records, with their queries.
#
# What each place provides (before calling, not before sourcing):
#   tg_now_ms                 CLOCK_MONOTONIC in ms (the daemon's clock)
#   tg_on_check OK NAME DETAIL  reports one check (OK: true or false)
#   tg_log TEXT               a diagnostic line for the scenario's log
#   tg_samples_file NAME      the file tg_sampler_start writes for NAME
# and may replace the defaults of:
#   tg_nap                    the poll period's sleep (0.1 s)
#   cg_dir PATH [KIND]        PATH's directory (KIND memory or psi, for a
#                             layout that splits them; v2: one directory)
#   tg_mtime_ms FILE          FILE's mtime as CLOCK_MONOTONIC ms
#
# Cgroup paths are relative to CG ("node/pod-a"); "/" or "" is CG itself.

: "${CG:=/sys/fs/cgroup}"
TG_PASS=0
TG_FAIL=0

# ---- time and polling --------------------------------------------------------

# /proc/uptime as ms into TG__UP_MS, without a fork.
tg__uptime() {
	local up s f
	read -r up _ </proc/uptime
	s=${up%.*}
	f=${up#*.}00
	f=${f%"${f#??}"}
	TG__UP_MS=$((s * 1000 + 1$f * 10 - 1000))
}

# Seconds, with an optional fraction ("2", "0.5", "1.25"), as ms in TG__MS.
tg__sec_ms() {
	local i=${1%%.*} f=
	case $1 in *.*) f=${1#*.} ;; esac
	f=${f}000
	f=${f%"${f#???}"}
	case $i$f in *[!0-9]* | "") return 1 ;; esac
	TG__MS=$((${i:-0} * 1000 + 1$f - 1000))
}

tg_nap() {
	sleep 0.1
}

# tg_wait SECONDS CMD [ARG...]: runs CMD every poll period until it
# succeeds (0) or SECONDS (may be fractional) pass (1).  The
# synchronisation of every tier: never a bare sleep.
# (Its locals are prefixed: CMD runs in their scope.)
tg_wait() {
	local tg__end
	tg__sec_ms "$1" || {
		tg_log "tg_wait: not a duration in seconds: '$1'"
		return 2
	}
	tg__uptime
	tg__end=$((TG__UP_MS + TG__MS))
	shift
	while ! "$@"; do
		tg__uptime
		[ "$TG__UP_MS" -lt "$tg__end" ] || return 1
		tg_nap
	done
}

# ---- arithmetic and strings for checks ---------------------------------------

# Integers by the shell, anything with a fraction (or "null") by awk.
tg__cmp() {
	case "$2$3" in
	*[!0-9-]* | "") awk -v a="$2" -v b="$3" -v op="$1" 'BEGIN {
		a += 0; b += 0
		exit !(op == "le" ? a <= b : op == "ge" ? a >= b : op == "lt" ? a < b : a > b) }' ;;
	*) test "$2" "-$1" "$3" ;;
	esac
}
tg_le() { tg__cmp le "$1" "$2"; }
tg_ge() { tg__cmp ge "$1" "$2"; }
tg_lt() { tg__cmp lt "$1" "$2"; }
tg_gt() { tg__cmp gt "$1" "$2"; }
tg_eq() { [ "$1" = "$2" ]; }
tg_not() { ! "$@"; }

# tg_has STRING SUBSTRING...: STRING contains every SUBSTRING.
tg_has() {
	local s="$1" x
	shift
	for x in "$@"; do
		case $s in *"$x"*) ;; *) return 1 ;; esac
	done
}

# ---- checks ------------------------------------------------------------------

# tg_verdict NAME DETAIL CMD [ARG...]: runs CMD, counts a pass or a failure
# (TG_PASS, TG_FAIL) and reports it (tg_on_check).  Returns CMD's verdict.
# Each place's tg_check is this under the signature its scenarios know.
tg_verdict() {
	local tg__name="$1" tg__detail="$2"
	shift 2
	if "$@"; then
		TG_PASS=$((TG_PASS + 1))
		tg_on_check true "$tg__name" "$tg__detail"
		return 0
	fi
	TG_FAIL=$((TG_FAIL + 1))
	tg_on_check false "$tg__name" "$tg__detail"
	return 1
}

# tg_failed NAME DETAIL: a failed check without a command.
tg_failed() {
	TG_FAIL=$((TG_FAIL + 1))
	tg_on_check false "$1" "$2"
}

# ---- JSON --------------------------------------------------------------------

# tg_json KEY VALUE [KEY VALUE...] -> {"KEY":VALUE,...}
# Numbers and true/false/null go in raw, everything else as an escaped
# string, so the object is valid JSON whatever a program printed.  A key
# ending in _json takes its value raw, and so does a key ending in ":"
# (written without it): the caller vouches for it (one line, valid JSON).
tg_json() {
	# One awk for the whole object: a scenario writes hundreds of values.
	awk 'BEGIN {
		out = ""
		for (i = 1; i + 1 < ARGC; i += 2) {
			k = ARGV[i]; v = ARGV[i + 1]; raw = k ~ /_json$/
			if (k ~ /:$/) { k = substr(k, 1, length(k) - 1); raw = 1 }
			if (!raw && v !~ /^(true|false|null)$/ && v !~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/) {
				gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v); gsub(/\t/, "\\t", v); gsub(/\n/, "\\n", v)
				gsub(/\r/, "\\r", v); gsub(/[\001-\010\013-\037]/, "", v)
				v = "\"" v "\""
			}
			gsub(/\\/, "\\\\", k); gsub(/"/, "\\\"", k)
			out = out (i > 1 ? "," : "") "\"" k "\":" v
		}
		printf "{%s}", out
	}' "$@"
}

# tg_json_num JSON KEY: a number (or null) from a flat JSON object.
tg_json_num() {
	printf '%s' "$1" | sed -n "s/.*\"$2\":\([-0-9.a-z]*\).*/\1/p"
}

# ---- cgroups (v2) --------------------------------------------------------------

cg_dir() {
	case "$1" in
	/ | "") echo "$CG" ;;
	*) echo "$CG/${1#/}" ;;
	esac
}

# tg_mkdirs ROOT PATH: creates ROOT/PATH and its parents; where ROOT is a
# v2 hierarchy, each ancestor first gets in its subtree_control the
# controllers that ROOT itself hands down (so that PATH has their files).
tg_mkdirs() {
	local dir=$1 path=${2#/} part ctl want='' have
	[ -e "$dir/cgroup.subtree_control" ] && read -r want <"$dir/cgroup.subtree_control"
	set -f
	local IFS=/
	for part in $path; do
		IFS=' '
		if [ -n "$want" ]; then
			read -r have <"$dir/cgroup.subtree_control"
			for ctl in $want; do
				case " $have " in
				*" $ctl "*) ;;
				*) echo "+$ctl" >"$dir/cgroup.subtree_control" || return 1 ;;
				esac
			done
		fi
		dir=$dir/$part
		[ -d "$dir" ] || mkdir "$dir" || return 1
		IFS=/
	done
	IFS=' 	
'
	set +f
}

# mkgroup PATH [FILE=VALUE...]: creates PATH (and its parents), enabling in
# each ancestor the controllers the root has enabled, then writes the values,
# e.g. mkgroup node/pod-a memory.max=256M memory.swap.max=0
mkgroup() {
	local path=${1#/} dir kv
	shift
	tg_mkdirs "$CG" "$path" || return 1
	dir=$CG/$path
	for kv in "$@"; do
		echo "${kv#*=}" >"$dir/${kv%%=*}" || {
			echo "mkgroup: cannot set ${kv%%=*}=${kv#*=} on $path" >&2
			return 1
		}
	done
}

# tg_spawn LOG DIR... -- CMD [ARGS...]: starts CMD in the background, its
# output to LOG (or where the caller's redirections send it: LOG "-"),
# inside every DIR (one per hierarchy) from its first instruction: the
# child joins the groups before it execs, so the workload never allocates
# outside them.  Sets TG_PID.
# shellcheck disable=SC2016 # the child's own $1, $$ and $@
TG__SPAWN='while [ "$1" != -- ]; do echo $$ >"$1/cgroup.procs" || exit 125; shift; done; shift; exec "$@"'
tg_spawn() {
	local log=$1
	shift
	if [ "$log" = - ]; then
		sh -c "$TG__SPAWN" tg-spawn "$@" </dev/null &
	else
		sh -c "$TG__SPAWN" tg-spawn "$@" >"$log" 2>&1 </dev/null &
	fi
	TG_PID=$!
}

# run_in_group PATH [--log FILE] CMD [ARGS...]: CMD in PATH, in the
# background; sets TG_PID.
run_in_group() {
	local dir log=/dev/null
	dir=$(cg_dir "$1")
	shift
	if [ "$1" = --log ]; then
		log=$2
		shift 2
	fi
	tg_spawn "$log" "$dir" -- "$@"
}

# cg_events_get PATH KEY: a value from cgroup.events (populated, frozen)
cg_events_get() {
	local k v
	while read -r k v; do
		if [ "$k" = "$2" ]; then echo "$v"; fi
	done <"$(cg_dir "$1" psi)/cgroup.events"
}

# wait_empty PATH SECONDS: until no process is left in PATH's subtree
wait_empty() {
	tg_wait "$2" tg__events_is "$1" populated 0
}

# wait_frozen PATH SECONDS: until the kernel reports PATH frozen
wait_frozen() {
	tg_wait "$2" cg_frozen "$1"
}

# cg_frozen PATH: the kernel reports PATH frozen (cgroup.events)
cg_frozen() {
	tg__events_is "$1" frozen 1
}

tg__events_is() {
	[ "$(cg_events_get "$1" "$2" 2>/dev/null)" = "$3" ]
}

# cg_stat PATH KEY: a memory.stat counter of PATH and below (0 if absent;
# a v1 group's total_KEY line where it has one)
cg_stat() {
	awk -v k="$2" -v t="total_$2" '
		$1 == t { tv = $2; ht = 1 }
		$1 == k { kv = $2 }
		END { print ht ? tv : kv + 0 }' "$(cg_dir "$1" memory)/memory.stat"
}

# cg_event PATH KEY: a memory.events counter (oom, oom_kill, high, max...)
cg_event() {
	local v
	v=$(sed -n "s/^$2 //p" "$(cg_dir "$1" memory)/memory.events")
	echo "${v:-0}"
}

# cg_kill PATH: cgroup.kill (SIGKILL to the whole subtree, frozen or not)
cg_kill() {
	echo 1 >"$(cg_dir "$1" psi)/cgroup.kill"
}

cg_freeze() {
	echo "${2:-1}" >"$(cg_dir "$1" psi)/cgroup.freeze"
}

# rmgroup PATH: kill everything in it, wait, remove the leaves first
rmgroup() {
	local dir
	dir=$(cg_dir "$1")
	[ -d "$dir" ] || return 0
	cg_kill "$1" 2>/dev/null
	wait_empty "$1" 10 || return 1
	find "$dir" -depth -type d -exec rmdir {} \;
}

# The pids in PATH and below (in the memory hierarchy, where the limits
# hold: on a hybrid layout a process may be in a v1 group only).
tg_pids() {
	local dir
	dir=$(cg_dir "$1" memory)
	[ -d "$dir" ] || return 0
	find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
}

tg_nprocs() {
	tg_pids "$1" | wc -l
}

# ---- processes -----------------------------------------------------------------

# True while PID exists and is not a zombie (a background job stays a
# zombie until waited for).
tg_alive() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*") "}
	[ "${st%% *}" != Z ]
}

# True while every pid given (at least one) is alive.
tg_all_alive() {
	local p n=0
	for p in "$@"; do
		tg_alive "$p" || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

tg_comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# tg_wait_pid PID SECONDS: waits for a background job of this shell and
# sets TG_RC to its exit status (137: SIGKILL); TG_RC=124 if it is still
# running after SECONDS (it is left running).
tg_wait_pid() {
	if tg_wait "$2" tg_not tg_alive "$1"; then
		tg_reap "$1"
	else
		TG_RC=124
	fi
}

# tg_reap PID: sets TG_RC to the exit status of PID, which has ended (here
# a background job of this shell; lib-node.sh's also knows containers).
tg_reap() {
	TG_RC=0
	wait "$1" || TG_RC=$?
}

# tg_stop_job PID SECONDS [SIGNAL_PID]: stops a background job of this
# shell: SIGTERM to SIGNAL_PID (default PID: a wrapper such as strace may
# run the program), SIGKILL to both if PID still runs SECONDS later; sets
# TG_RC to PID's exit status.  Returns 1 when it took SIGKILL.
tg_stop_job() {
	local pid=$1 target=${3:-$1} rc=0
	kill -TERM "$target" 2>/dev/null || :
	if ! tg_wait "$2" tg_not tg_alive "$pid"; then
		kill -KILL "$target" "$pid" 2>/dev/null || :
		rc=1
	fi
	TG_RC=0
	wait "$pid" 2>/dev/null || TG_RC=$?
	return $rc
}

# ---- the probe -------------------------------------------------------------------

tg_mtime_ms() {
	local real_ns mono_ms mtime
	mono_ms=$(tg_now_ms)
	real_ns=$(date +%s%N)
	mtime=$(stat -c %.9Y "$1") || return 1
	mtime=${mtime%.*}${mtime#*.}
	echo $((mono_ms - (real_ns - mtime) / 1000000))
}

# tg_probe_t0 SUMMARY [TIMELINE]: the CLOCK_MONOTONIC ms at which a probe's
# clock started (waiting up to 3 s for its first summary).  That summary
# (no samples yet) is written right before the clock starts: its mtime is
# the origin.  If a later summary was caught instead, the origin is that
# summary's time less the last sample's due time and lateness in TIMELINE
# (the summary is written right after that sample).
tg_probe_t0() {
	local m last
	tg_wait 3 test -e "$1" || return 1
	m=$(tg_mtime_ms "$1") || return 1
	if [ -z "${2:-}" ] || grep -q '"samples":0,' "$1"; then
		echo "$m"
	else
		last=$(tail -n 1 "$2")
		awk -v m="$m" -v d="${last%% *}" -v l="${last#* }" 'BEGIN { printf "%d\n", m - d - l }'
	fi
}

# tg_probe_stats TIMELINE T0_MS FROM_MS TO_MS: p50/p99/max of the probe's
# lateness for the samples due in [FROM, TO) (absolute ms), as JSON;
# nearest-rank percentiles.
tg_probe_stats() {
	awk -v t0="$2" -v from="$3" -v to="$4" '
		{ t = t0 + $1; if (t >= from && t < to) v[n++] = $2 + 0 }
		END {
			if (n == 0) { print "{\"samples\":0,\"p50_ms\":null,\"p99_ms\":null,\"max_ms\":null}"; exit }
			# insertion sort: a few hundred samples at most
			for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
			i50 = int(0.50 * n + 0.999999) - 1; if (i50 < 0) i50 = 0
			i99 = int(0.99 * n + 0.999999) - 1; if (i99 < 0) i99 = 0
			printf "{\"samples\":%d,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n", n, v[i50], v[i99], v[n - 1]
		}' "$1"
}

# ---- PSI samples -------------------------------------------------------------------
#
# A sampler (each place's tg_sampler_start) writes one line per sample to
# tg_samples_file NAME: "ms some_us full_us usage_bytes [refaults]" (PSI
# totals, memory usage, refaults + major faults; "-" where a value could
# not be read).

# tg_pstart NAME THRESHOLD_PCT [FROM_MS] [full|some]: the first sample
# time (>= FROM) at which the share of the last >= 500 ms that NAME spent
# stalled exceeded THRESHOLD (may be fractional); status 1 if never.
# avg10 is not used: it lags by seconds.
tg_pstart() {
	local col=3
	[ "${4:-full}" = some ] && col=2
	awk -v thr="$2" -v from="${3:-0}" -v c="$col" '
		$c == "-" || NF < 4 { next }
		{
			t[n] = $1; v[n] = $c; n++
			while (j < n - 1 && t[n - 1] - t[j + 1] >= 500) j++
			if (t[n - 1] >= from && t[n - 1] - t[j] >= 500 &&
			    (v[n - 1] - v[j]) / ((t[n - 1] - t[j]) * 10) > thr + 0) { print t[n - 1]; found = 1; exit }
		}
		END { exit !found }' "$(tg_samples_file "$1")"
}

# tg_wait_pstart NAME THRESHOLD_PCT SECONDS [FROM_MS] [full|some]: waits
# for tg_pstart; sets TG_PSTART.
tg_wait_pstart() {
	tg_wait "$3" tg__pstart_now "$1" "$2" "${4:-0}" "${5:-full}"
}

tg__pstart_now() {
	TG_PSTART=$(tg_pstart "$@")
}

# tg_stall_pct NAME FROM_MS TO_MS [full|some]: the share of [FROM, TO]
# NAME spent stalled (first and last samples inside), "null" if too few.
tg_stall_pct() {
	local col=3
	[ "${4:-full}" = some ] && col=2
	awk -v from="$2" -v to="$3" -v c="$col" '
		$c != "-" && $1 >= from && $1 <= to { if (!a) { a = $1; av = $c } b = $1; bv = $c }
		END { if (b > a) printf "%.1f\n", (bv - av) / ((b - a) * 10); else print "null" }' "$(tg_samples_file "$1")"
}

# tg_peak_stall NAME FROM_MS TO_MS WINDOW_MS [full|some]: the highest stall
# share over any WINDOW_MS inside [FROM, TO] (the daemon's kind of window).
tg_peak_stall() {
	local col=3
	[ "${5:-full}" = some ] && col=2
	awk -v from="$2" -v to="$3" -v w="$4" -v c="$col" '
		$c != "-" && $1 >= from && $1 <= to { t[n] = $1; v[n] = $c; n++ }
		END {
			best = 0; j = 0
			for (i = 0; i < n; i++) {
				while (j < i && t[i] - t[j + 1] >= w) j++
				if (t[i] - t[j] >= w * 0.8) { s = (v[i] - v[j]) / ((t[i] - t[j]) * 10); if (s > best) best = s }
			}
			printf "%.1f\n", best
		}' "$(tg_samples_file "$1")"
}

# tg_min_headroom_pct NAME LIMIT_BYTES FROM_MS TO_MS: the lowest
# LIMIT - usage, in % of LIMIT, seen in [FROM, TO].
tg_min_headroom_pct() {
	awk -v l="$2" -v from="$3" -v to="$4" '
		$4 != "-" && $1 >= from && $1 <= to { h = (l - $4) * 100 / l; if (!seen || h < m) m = h; seen = 1 }
		END { if (seen) printf "%.1f\n", m; else print "null" }' "$(tg_samples_file "$1")"
}

# tg_max_gap NAME FROM_MS TO_MS: the longest time between two samples in
# [FROM, TO], ms.  A sampler that wakes every 100 ms with its memory
# locked: a long gap means the whole machine did not run.
tg_max_gap() {
	awk -v from="$2" -v to="$3" '
		$1 >= from && $1 <= to { if (p && $1 - p > g) g = $1 - p; p = $1 }
		END { print g + 0 }' "$(tg_samples_file "$1")"
}

# tg_thrash_signal NAME FROM_MS TO_MS [FULL_PCT] [REFAULTS_PER_S]: the
# local-thrash rule's two signals as the daemon sees them (2 s windows:
# full stall share, refaults + major faults per second), over every window
# ending in [FROM, TO], as JSON: lowest, average and highest of each, and
# the share of windows in which both reached the thresholds (default 15 %
# and 1000/s, the rule's defaults).  The rule's clock restarts whenever one
# window misses.  Needs the refaults column.
tg_thrash_signal() {
	awk -v from="$2" -v to="$3" -v fthr="${4:-15}" -v rthr="${5:-1000}" '
		$3 == "-" || NF < 5 { next }
		{
			t[n] = $1; f[n] = $3; r[n] = $5; n++
			while (j < n - 1 && t[n - 1] - t[j + 1] >= 2000) j++
			dt = t[n - 1] - t[j]
			if (t[n - 1] < from || t[n - 1] > to || dt < 1800) next
			fp = (f[n - 1] - f[j]) / (dt * 10); rr = (r[n - 1] - r[j]) * 1000 / dt
			if (!w || fp < fmin) fmin = fp; if (!w || fp > fmax) fmax = fp
			if (!w || rr < rmin) rmin = rr; if (!w || rr > rmax) rmax = rr
			fs += fp; rs += rr; w++
			if (fp >= fthr && rr >= rthr) held++
		}
		END {
			if (!w) { print "{\"windows\":0}"; exit }
			printf "{\"windows\":%d,\"full_pct_min\":%.1f,\"full_pct_avg\":%.1f,\"full_pct_max\":%.1f,\"refaults_per_s_min\":%d,\"refaults_per_s_avg\":%d,\"refaults_per_s_max\":%d,\"thresholds\":\"full %s%%, %s/s\",\"held_pct\":%.0f}\n", w, fmin, fs / w, fmax, rmin, rs / w, rmax, fthr, rthr, held * 100 / w
		}' "$(tg_samples_file "$1")"
}

# tg_signal_start NAME FROM_MS FULL_PCT REFAULTS_PER_S: the first sample
# time (>= FROM) at which the last >= 2 s (the rule's window) had both a
# full stall share >= FULL_PCT and refaults + major faults >= REFAULTS_PER_S:
# when the local-thrash rule's clock can start.  Status 1 if never.  (A
# thrash stalls before it refaults: the first pass over a file only fills
# the cache.)
tg_signal_start() {
	awk -v from="$2" -v fthr="$3" -v rthr="$4" '
		$3 == "-" || NF < 5 { next }
		{
			t[n] = $1; f[n] = $3; r[n] = $5; n++
			while (j < n - 1 && t[n - 1] - t[j + 1] >= 2000) j++
			dt = t[n - 1] - t[j]
			if (t[n - 1] < from || dt < 1800) next
			if ((f[n - 1] - f[j]) / (dt * 10) >= fthr && (r[n - 1] - r[j]) * 1000 / dt >= rthr) { print t[n - 1]; found = 1; exit }
		}
		END { exit !found }' "$(tg_samples_file "$1")"
}

# ---- the daemon's decisions as records ---------------------------------------------
#
# A record is one line of TAB-separated KEY=VALUE fields: MS (CLOCK_MONOTONIC
# ms of the decision's line or journal entry), MESSAGE (the headline), every
# field the daemon sent (MESSAGE_ID, THRASHGUARD_*, POD_*, CONTAINER_*,
# PRIORITY) and CANDIDATES (the ranking, its lines joined with " | ").
# tg_decisions writes them from the daemon's stderr (TG_DIR/daemon.log, as
# the VM captures it); tg_journal_records from journal entries.  A place
# whose decisions go elsewhere (the node's journal) replaces tg_decisions.

# tg_decisions: the daemon's decision lines as records in
# $TG_DIR/decisions.tsv.  With alert.journal=false a decision goes to
# stderr (src/act/alert.c), each line "MS TIME PRIORITY: TEXT" (MS: the
# stamp the capture put in front):
#   HEADLINE                         (the pod or service first)
#     MESSAGE_ID=... THRASHGUARD_EVENT=... ...   (the fields, packed)
#     +the rest of a value cut at the end of the line above
#     1. /path score=S [protected=WHY]: why      (the ranking)
# A value may hold spaces: a field ends where " NEXT_KEY=" begins.
tg_decisions() {
	awk '
		function flush() {
			if (cur != "") print cur "\tCANDIDATES=" cands
			cur = ""; cands = ""; last = ""
		}
		function fields(f) {
			while (match(f, / [A-Z][A-Z0-9_]*=/)) { cur = cur "\t" substr(f, 1, RSTART - 1); f = substr(f, RSTART + 1) }
			cur = cur "\t" f
		}
		{
			t = substr($0, length($1) + 2)
			sub(/^[0-9][0-9T:.+-]* (error|warning|notice|info|debug): /, "", t)
		}
		substr(t, 1, 2) != "  " { flush(); head = t; head_ms = $1; next }
		{ t = substr(t, 3) }
		cur == "" && t ~ /^MESSAGE_ID=/ { cur = "MS=" head_ms "\tMESSAGE=" head; fields(t); last = "f"; next }
		cur == "" { next }
		t ~ /^\+/ {
			t = substr(t, 2)
			if (last == "c") cands = cands t
			else if (match(t, / [A-Z][A-Z0-9_]*=/)) { cur = cur substr(t, 1, RSTART - 1); fields(substr(t, RSTART + 1)) }
			else cur = cur t
			next
		}
		t ~ /^[0-9]+\. / { cands = cands (cands == "" ? "" : " | ") t; last = "c"; next }
		t ~ /^[A-Z][A-Z0-9_]*=/ { fields(t); last = "f"; next }
		{ flush() }
		END { flush() }' "$TG_DIR/daemon.log" >"$TG_DIR/decisions.tsv"
}

# tg_journal_records < JOURNAL_JSON > RECORDS: thrashguard's entries of a
# `journalctl -o json` stream (SYSLOG_IDENTIFIER=thrashguard with a
# MESSAGE_ID; its plain log lines are left out) as records.  The ranking
# is both CANDIDATES and THRASHGUARD_CANDIDATES (its journal name).  Needs
# python3 (the host and the node have it; the busybox VM has no journal).
tg_journal_records() {
	python3 -S -c '
import json, sys
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("SYSLOG_IDENTIFIER") != "thrashguard" or not isinstance(e.get("MESSAGE_ID"), str):
        continue
    rec = ["MS=%d" % (int(e.get("__MONOTONIC_TIMESTAMP", 0)) // 1000)]
    for k in sorted(e):
        v = e[k]
        if k.startswith("_") or not isinstance(v, str):
            continue
        if k == "THRASHGUARD_CANDIDATES":
            v = " | ".join(l.strip() for l in v.splitlines())
            rec.append("CANDIDATES=" + v.replace("\t", " "))
        rec.append("%s=%s" % (k, v.replace("\t", " ").replace("\n", " ")))
    print("\t".join(rec))
'
}

# tg_records_query RECORDS count|get|getall|rec|pairs FIELD COND...: COND
# KEY=VALUE (equal), KEY!=VALUE, KEY~REGEX (awk ERE), KEY<NUMBER.  count
# prints how many records match (FIELD is ignored: give ""), get the FIELD
# of the first match (nothing if none), getall that of every match, one a
# line, rec every matching record, pairs the first match's fields as
# "key<TAB>value" lines (keys lower case, without THRASHGUARD_).
tg_records_query() {
	local file="$1" mode="$2" field="$3" c conds
	shift 3
	conds=$file.conds
	: >"$conds"
	for c in "$@"; do printf '%s\n' "$c" >>"$conds"; done
	awk -F '\t' -v mode="$mode" -v want="$field" -v cf="$conds" '
		FILENAME == cf { conds[++nc] = $0; next }
		function ok(   i, c, k, v, p, t, l) {
			for (i = 1; i <= nc; i++) {
				c = conds[i]
				p = index(c, "=")
				t = index(c, "~")
				l = index(c, "<")
				if (l > 0 && (p == 0 || l < p) && (t == 0 || l < t)) {
					k = substr(c, 1, l - 1); v = substr(c, l + 1)
					if (!(k in f) || f[k] + 0 >= v + 0) return 0
				} else if (t > 0 && (p == 0 || t < p)) {
					k = substr(c, 1, t - 1); v = substr(c, t + 1)
					if (!(k in f) || f[k] !~ v) return 0
				} else if (p > 1 && substr(c, p - 1, 1) == "!") {
					k = substr(c, 1, p - 2); v = substr(c, p + 1)
					if ((k in f) && f[k] == v) return 0
				} else {
					k = substr(c, 1, p - 1); v = substr(c, p + 1)
					if (!(k in f) || f[k] != v) return 0
				}
			}
			return 1
		}
		{
			for (k in f) delete f[k]
			for (i = 1; i <= NF; i++) { p = index($i, "="); if (p > 1) f[substr($i, 1, p - 1)] = substr($i, p + 1) }
			if (!ok()) next
			n++
			if (mode == "get" && n == 1) print f[want]
			if (mode == "getall") print f[want]
			if (mode == "rec") print
			if (mode == "pairs" && n == 1)
				for (i = 1; i <= NF; i++) {
					p = index($i, "="); k = tolower(substr($i, 1, p - 1)); sub(/^thrashguard_/, "", k)
					if (p > 1 && p < length($i)) printf "%s\t%s\n", k, substr($i, p + 1)
				}
		}
		END { if (mode == "count") print n + 0 }' "$conds" "$file"
}

# tg_records_count_is RECORDS N COND... / tg_records_count_ge: for checks.
tg_records_count_is() { tg__records_count eq "" "$@"; }
tg_records_count_ge() { tg__records_count ge "at least " "$@"; }

tg__records_count() {
	local op=$1 what=$2 file=$3 want=$4 n
	shift 4
	n=$(tg_records_query "$file" count "" "$@")
	test "$n" "-$op" "$want" || {
		tg_log "    (expected $what$want matching decisions, found $n)"
		return 1
	}
}

# tg_decisions_keep: parse the log now and let the following queries use
# that (a batch of checks after the daemon's work is done; each parse is a
# fork, and forks are slow under emulation).  tg_decisions_live undoes it.
tg_decisions_keep() {
	tg_decisions
	TG_DECISIONS_KEEP=1
}
tg_decisions_live() {
	TG_DECISIONS_KEEP=0
}

# The decisions' records, parsed again unless kept.
tg__decisions_now() {
	if [ "${TG_DECISIONS_KEEP:-0}" != 1 ] || [ ! -e "$TG_DIR/decisions.tsv" ]; then
		tg_decisions
	fi
}

# tg_dq count|get|getall|rec|pairs FIELD COND...: tg_records_query over
# this scenario's decisions.
tg_dq() {
	tg__decisions_now
	tg_records_query "$TG_DIR/decisions.tsv" "$@"
}

# tg_dcount_is N COND... / tg_dcount_ge N COND...: for tg_check.
tg_dcount_is() {
	tg__decisions_now
	tg_records_count_is "$TG_DIR/decisions.tsv" "$@"
}

tg_dcount_ge() {
	tg__decisions_now
	tg_records_count_ge "$TG_DIR/decisions.tsv" "$@"
}

# tg_wait_decision SECONDS COND...: polls until a decision matches.
tg_wait_decision() {
	local s=$1
	shift
	tg_wait "$s" tg__has_decision "$@"
}

tg__has_decision() {
	[ "$(tg_dq count "" "$@")" -gt 0 ]
}
