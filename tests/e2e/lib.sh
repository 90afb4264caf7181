# shellcheck shell=bash
# thrashguard end-to-end test library: real cgroups, real workloads, and the
# safety rules of docs/testing.md built in.  The host's part of the harness,
# on top of the shared library tests/lib/harness.sh (polling, checks, JSON,
# group readers, samples and their analysis, decision records): the host's
# layouts (hybrid, v2) below one parent per run, its traps and watchdog,
# its sampler, and the private journal read back as records.  Source it
# from bash:
#
#     . tests/e2e/lib.sh
#     e2e_setup mytest 120              # parent groups, traps, hard deadline
#     e2e_mkgroup pod 536870912         # a 512 MiB group (v1 limit or memory.max)
#     e2e_run pod -- "$E2E_TOOLS/thrasher" --anon 300 --file "$E2E_DIR/f" --file-size 400
#     e2e_poll 20 e2e_psi_above pod full 10
#
# Layouts: "hybrid" (v1 memory, freezer and pids controllers; a v2 hierarchy
# without controllers at /sys/fs/cgroup/unified giving PSI, cgroup.kill and
# cgroup.freeze) and "v2" (/sys/fs/cgroup with the memory controller).  A
# test group REL exists under the run's parent in every hierarchy used, and a
# workload joins all of them before its first instruction (tg_spawn).
#
# What the library guarantees, whatever the test does:
# - one parent group per run, named tg-e2e-NAME-PID-RANDOM, capped at 2 GiB
#   of memory and E2E_PIDS_MAX tasks, so a test group without a limit of its
#   own, or a fork storm, is still contained;
# - on exit (normal, error, INT, TERM, HUP, deadline) every process in the
#   groups is killed and the groups are removed, leaves first, as is the run's
#   data directory E2E_DIR;
# - a watchdog in its own session ends the test at its deadline and cleans
#   up even when the test script itself is killed with SIGKILL.
#
# Conventions: REL is a path below the run's parent ("." is the parent
# itself).  Durations are seconds and may be fractional ("0.5").  Readers
# print to stdout and return 1 when the value is unavailable.  Register
# extra cleanup (stopping a daemon) with e2e_on_cleanup rather than a trap of
# your own: the library owns the EXIT/INT/TERM/HUP/ALRM traps.
#
# Environment: E2E_TOOLS (default build/tools), E2E_TMPDIR (default
# /var/tmp; must not be tmpfs), E2E_DEADLINE_S (default 300),
# E2E_PIDS_MAX (default 4096), E2E_POLL_MS (default 100).

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../lib/harness.sh
. "$E2E_LIB_DIR/../lib/harness.sh"
: "${E2E_TOOLS:=$(cd "$E2E_LIB_DIR/../.." && pwd)/build/tools}"
: "${E2E_TMPDIR:=/var/tmp}"
: "${E2E_DEADLINE_S:=300}"
: "${E2E_PIDS_MAX:=4096}"
: "${E2E_POLL_MS:=100}"

E2E_CG=/sys/fs/cgroup
# The rule of docs/testing.md: no test group may be allowed more than this.
E2E_MAX_LIMIT_BYTES=$((2 * 1024 * 1024 * 1024))
# How long the watchdog lets a test clean up after its deadline before it
# cleans up itself and kills the test.
E2E_GRACE_S=15

E2E_NAME=
E2E_DIR=
E2E_MODE=
E2E_MAIN_PID=
E2E_PID=
E2E_PIDS=()
E2E_HIERS=()
E2E_CLEANUP_CMDS=()
E2E__SLEEP_FD=
E2E__CLEANED=

# ---------------------------------------------------------------- messages

e2e_log() {
	printf 'e2e[%s]: %s\n' "${E2E_NAME:-setup}" "$*" >&2
}

e2e_die() {
	e2e_log "FAIL: $*"
	exit 1
}

tg_log() { e2e_log "$*"; }

# Exit status 77 is "skipped" for automake-style runners.
e2e_skip() {
	e2e_log "SKIP: $*"
	exit 77
}

# ---------------------------------------------------------------- time

# e2e_now_ms: CLOCK_MONOTONIC in ms, the clock of the daemon and of
# journald's __MONOTONIC_TIMESTAMP.
e2e_now_ms() {
	"$E2E_TOOLS/monotime" --ms
}
tg_now_ms() { e2e_now_ms; }

# e2e_sleep_ms MS: a sampling period (print a figure every second), never
# a wait for something to happen (that is e2e_poll).  Bash has no
# sub-second sleep builtin; read -t on a pipe nobody writes to is one,
# without a fork, and a trapped signal still interrupts it.
e2e_sleep_ms() {
	local ms=$1
	if [[ -z $E2E__SLEEP_FD ]]; then
		exec {E2E__SLEEP_FD}<> <(:)
	fi
	read -r -t "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))" -u "$E2E__SLEEP_FD" || true
}

# The harness's poll period, without a fork.
tg_nap() { e2e_sleep_ms "$E2E_POLL_MS"; }

# e2e_poll TIMEOUT_S CMD [ARG...]: the harness's tg_wait (every
# E2E_POLL_MS), under the name the host's tests and benchmarks use.
e2e_poll() { tg_wait "$@"; }

# ---------------------------------------------------------------- layout

# Fills E2E_MODE and E2E_HIERS (the hierarchy roots a test group lives in).
# Returns 1 when this machine has no usable layout.
e2e__detect() {
	local h
	if [[ -r $E2E_CG/cgroup.controllers ]]; then
		grep -qw memory "$E2E_CG/cgroup.controllers" || return 1
		E2E_MODE=v2
		E2E_HIERS=("$E2E_CG")
		return 0
	fi
	[[ -e $E2E_CG/memory/memory.limit_in_bytes && -e $E2E_CG/unified/cgroup.procs ]] || return 1
	E2E_MODE=hybrid
	E2E_HIERS=("$E2E_CG/memory" "$E2E_CG/unified")
	for h in freezer pids; do
		if [[ -e $E2E_CG/$h/cgroup.procs ]]; then
			E2E_HIERS+=("$E2E_CG/$h")
		fi
	done
}

e2e__rel_ok() {
	local rel=$1 c
	[[ $rel == . ]] && return 0
	[[ $rel =~ ^[A-Za-z0-9_.@:+=-]+(/[A-Za-z0-9_.@:+=-]+)*$ ]] || return 1
	IFS=/ read -ra c <<<"$rel"
	for rel in "${c[@]}"; do
		[[ $rel != . && $rel != .. ]] || return 1
	done
}

# "" for the parent ("."), "/REL" otherwise.
e2e__sub() {
	if [[ $1 == . ]]; then echo ""; else echo "/$1"; fi
}

# e2e_cgpath KIND REL: the absolute directory of REL in one hierarchy.
# KIND: memory (the limit, memory.stat), psi (memory.pressure, cgroup.kill,
# cgroup.freeze, cgroup.events), freezer (v1 freezer.state on hybrid), pids.
# On v2 all four are the same directory.
e2e_cgpath() {
	local kind=$1 rel=${2:-.} root
	[[ -n $E2E_NAME ]] || e2e_die "e2e_cgpath: call e2e_setup first"
	e2e__rel_ok "$rel" || e2e_die "bad group path '$rel'"
	if [[ $E2E_MODE == v2 ]]; then
		root=$E2E_CG
	else
		case $kind in
		memory | freezer | pids) root=$E2E_CG/$kind ;;
		psi) root=$E2E_CG/unified ;;
		*) e2e_die "e2e_cgpath: unknown kind '$kind'" ;;
		esac
	fi
	if [[ $rel == . ]]; then
		echo "$root/$E2E_NAME"
	else
		echo "$root/$E2E_NAME/$rel"
	fi
}

# The harness's group directory (tests/lib/harness.sh): REL below the run's
# parent, in the hierarchy of KIND (default psi: cgroup.events, cgroup.kill,
# cgroup.freeze, the pressure files; memory for memory.stat and the limit).
cg_dir() { e2e_cgpath "${2:-psi}" "${1:-.}"; }

# Writes VALUE to FILE, failing loudly: a limit that silently did not apply
# would turn a contained test into a machine freeze.
e2e__write() {
	local file=$1 value=$2
	if ! printf '%s\n' "$value" >"$file" 2>/dev/null; then
		e2e_die "cannot write '$value' to $file"
	fi
}

# The memory limit of a group directory, in the layout's own file.
e2e__set_limit() {
	local dir=$1 bytes=$2
	if [[ $E2E_MODE == v2 ]]; then
		e2e__write "$dir/memory.max" "$bytes"
	else
		e2e__write "$dir/memory.limit_in_bytes" "$bytes"
	fi
}

# On v2 a controller must be enabled in every ancestor's subtree_control for
# a group to have its files; the root's is the host's, so it is only
# touched when memory is missing there (a fresh VM).
e2e__enable_controllers() {
	local dir=$1 c want=()
	for c in memory pids; do
		if grep -qw "$c" "$dir/cgroup.controllers"; then
			grep -qw "$c" "$dir/cgroup.subtree_control" || want+=("+$c")
		fi
	done
	((${#want[@]} == 0)) || e2e__write "$dir/cgroup.subtree_control" "${want[*]}"
}

# "512M", "2G", "65536K" or plain bytes to bytes.
e2e__bytes() {
	local v=$1
	[[ $v =~ ^([0-9]+)([KMG]?)$ ]] || e2e_die "not a size: '$v'"
	case ${BASH_REMATCH[2]} in
	K) echo $((10#${BASH_REMATCH[1]} * 1024)) ;;
	M) echo $((10#${BASH_REMATCH[1]} * 1024 * 1024)) ;;
	G) echo $((10#${BASH_REMATCH[1]} * 1024 * 1024 * 1024)) ;;
	*) echo $((10#${BASH_REMATCH[1]})) ;;
	esac
}

# ---------------------------------------------------------------- setup

# e2e_setup NAME [DEADLINE_S]: creates the run's parent group in every
# hierarchy and the data directory E2E_DIR, installs the cleanup traps and
# starts the watchdog that ends the test DEADLINE_S (default E2E_DEADLINE_S)
# from now.  Exits 77 (skip) where the machine cannot run these tests.
e2e_setup() {
	local name=${1:?e2e_setup NAME [DEADLINE_S]} deadline_s=${2:-$E2E_DEADLINE_S}
	local fstype h parent deadline_ms

	[[ -z $E2E_NAME ]] || e2e_die "e2e_setup called twice"
	[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || e2e_die "bad test name '$name'"
	((EUID == 0)) || e2e_skip "needs root (real cgroups)"
	e2e__detect || e2e_skip "no cgroup layout with a memory controller and PSI found under $E2E_CG"
	[[ -r /proc/pressure/memory ]] || e2e_skip "the kernel has no PSI (/proc/pressure/memory)"
	[[ -x $E2E_TOOLS/monotime ]] || e2e_die "$E2E_TOOLS/monotime missing: run 'make tools'"
	# tmpfs pages are shmem, not page cache: a file there cannot thrash the
	# way a file on disk does.
	fstype=$(stat -f -c %T "$E2E_TMPDIR") || e2e_die "no $E2E_TMPDIR"
	[[ $fstype != tmpfs ]] || e2e_die "$E2E_TMPDIR is tmpfs; set E2E_TMPDIR to a disk-backed directory"

	E2E_MAIN_PID=$BASHPID
	E2E_NAME=tg-e2e-$name-$BASHPID-$RANDOM
	# In /proc/uptime ms: the watchdog needs no tools to follow it.
	tg__sec_ms "$deadline_s" || e2e_die "not a duration in seconds: '$deadline_s'"
	deadline_ms=$(($(e2e__uptime_ms) + TG__MS))

	# Traps first: a failure halfway through the setup cleans up too.
	trap 'e2e__on_exit' EXIT
	trap 'e2e__on_signal INT 130' INT
	trap 'e2e__on_signal TERM 143' TERM
	trap 'e2e__on_signal HUP 129' HUP
	trap 'e2e__on_deadline' ALRM

	E2E_DIR=$E2E_TMPDIR/$E2E_NAME
	mkdir -m 0700 "$E2E_DIR" || e2e_die "cannot create $E2E_DIR"

	for h in "${E2E_HIERS[@]}"; do
		mkdir "$h/$E2E_NAME" || e2e_die "cannot create $h/$E2E_NAME"
	done
	parent=$(e2e_cgpath memory .)
	if [[ $E2E_MODE == hybrid ]]; then
		# Deprecated and always 1 on current kernels; where it is not, the
		# parent's cap would not cover the children.
		[[ $(<"$parent/memory.use_hierarchy") == 1 ]] || e2e__write "$parent/memory.use_hierarchy" 1
	else
		e2e__enable_controllers "$E2E_CG"
		e2e__enable_controllers "$parent"
	fi
	e2e__set_limit "$parent" "$E2E_MAX_LIMIT_BYTES"
	if [[ -e $(e2e_cgpath pids .)/pids.max ]]; then
		e2e__write "$(e2e_cgpath pids .)/pids.max" "$E2E_PIDS_MAX"
	fi

	# Its own session: a kill of the test's process group (timeout(1), CI)
	# leaves the watchdog alive to clean up behind it.
	setsid -f bash "$E2E_LIB_DIR/lib.sh" --watchdog "$E2E_MAIN_PID" "$deadline_ms" \
		"$E2E_NAME" "$E2E_DIR" </dev/null >/dev/null
	e2e_poll 5 test -s "$E2E_DIR/.watchdog.pid" || e2e_die "the watchdog did not start"
	e2e_log "$E2E_MODE layout, groups $E2E_NAME, data $E2E_DIR, deadline ${deadline_s}s"
}

# e2e_on_cleanup CMD [ARG...]: runs CMD at exit before the groups are
# emptied (stop a daemon gracefully, collect its output).
e2e_on_cleanup() {
	local q
	printf -v q '%q ' "$@"
	E2E_CLEANUP_CMDS+=("$q")
}

# e2e_mkgroup REL [LIMIT]: creates REL (nested paths welcome) under the
# run's parent in every hierarchy; LIMIT (bytes, or with K/M/G) sets the
# v1 memory.limit_in_bytes or v2 memory.max of REL itself.  A limit above
# 2 GiB is refused.  Groups without a limit are still under the parent's.
e2e_mkgroup() {
	local rel=${1:?e2e_mkgroup REL [LIMIT]} limit=${2:-} h bytes
	[[ -n $E2E_NAME ]] || e2e_die "e2e_mkgroup: call e2e_setup first"
	if [[ $rel == . ]] || ! e2e__rel_ok "$rel"; then e2e_die "bad group path '$rel'"; fi
	if [[ -n $limit ]]; then
		bytes=$(e2e__bytes "$limit")
		((bytes > 0 && bytes <= E2E_MAX_LIMIT_BYTES)) ||
			e2e_die "limit $limit for $rel is outside 1..$E2E_MAX_LIMIT_BYTES bytes"
	fi
	for h in "${E2E_HIERS[@]}"; do
		tg_mkdirs "$h" "$E2E_NAME/$rel" || e2e_die "cannot create $rel in $h"
	done
	if [[ -n $limit ]]; then
		e2e__set_limit "$(e2e_cgpath memory "$rel")" "$bytes"
	fi
}

# e2e_run REL -- CMD [ARG...]: starts CMD in the background, inside REL in
# every hierarchy from its first instruction (the harness's tg_spawn), and
# returns once it is in the groups (or already gone).  Sets E2E_PID to its
# pid (also appended to E2E_PIDS).  Redirections given to e2e_run apply to
# CMD.  Do not call it in $(...): the job would belong to the subshell.
e2e_run() {
	local rel=${1:?e2e_run REL -- CMD...} h dirs=()
	[[ ${2:-} == -- ]] || e2e_die "e2e_run: expected '--' after the group"
	shift 2
	(($# > 0)) || e2e_die "e2e_run: no command"
	if [[ $rel == . ]] || ! e2e__rel_ok "$rel"; then e2e_die "bad group path '$rel'"; fi
	for h in "${E2E_HIERS[@]}"; do
		[[ -d $h/$E2E_NAME/$rel ]] || e2e_die "e2e_run: no group $rel (e2e_mkgroup first)"
		dirs+=("$h/$E2E_NAME/$rel")
	done
	tg_spawn - "${dirs[@]}" -- "$@"
	E2E_PID=$TG_PID
	E2E_PIDS+=("$E2E_PID")
	e2e_poll 5 e2e__joined "$E2E_PID" "${dirs[-1]}" || e2e_die "e2e_run: pid $E2E_PID did not join $rel"
}

# True once PID is listed in DIR/cgroup.procs (tg_spawn joins the last
# hierarchy last), or has already exited.
e2e__joined() {
	local pid
	tg_alive "$1" || return 0
	while read -r pid; do
		[[ $pid == "$1" ]] && return 0
	done <"$2/cgroup.procs"
	return 1
}

# e2e_wait_pid PID TIMEOUT_S: the harness's tg_wait_pid, returning the
# status (128+N if killed by signal N; 124 if still running after TIMEOUT_S).
e2e_wait_pid() {
	tg_wait_pid "$1" "$2"
	return "$TG_RC"
}

# ---------------------------------------------------------------- readers

# e2e_populated REL: true if any process is in REL or below, in any
# hierarchy.
e2e_populated() {
	local rel=${1:-.} h f sub
	sub=$(e2e__sub "$rel")
	if [[ -r $(e2e_cgpath psi "$rel")/cgroup.events ]] &&
		grep -qx 'populated 1' "$(e2e_cgpath psi "$rel")/cgroup.events"; then
		return 0
	fi
	# v1 has no "populated": look at every group below.
	[[ $E2E_MODE == hybrid ]] || return 1
	for h in "${E2E_HIERS[@]}"; do
		[[ $h == "$E2E_CG/unified" ]] && continue
		[[ -d $h/$E2E_NAME$sub ]] || continue
		# (cgroup files always have st_size 0: read them, no test -s.)
		while IFS= read -r -d '' f; do
			read -r _ 2>/dev/null <"$f" && return 0
		done < <(find "$h/$E2E_NAME$sub" -name cgroup.procs -print0 2>/dev/null)
	done
	return 1
}

# e2e_wait_empty REL TIMEOUT_S: waits until no process is left in REL;
# returns 1 on timeout.
e2e_wait_empty() {
	tg_wait "${2:?e2e_wait_empty REL TIMEOUT_S}" tg_not e2e_populated "$1"
}

# e2e_mem_usage REL: bytes charged to REL (v1 memory.usage_in_bytes, v2
# memory.current).
e2e_mem_usage() {
	local dir
	dir=$(e2e_cgpath memory "${1:-.}")
	if [[ $E2E_MODE == v2 ]]; then
		cat "$dir/memory.current"
	else
		cat "$dir/memory.usage_in_bytes"
	fi
}

# e2e_psi REL [some|full] [avg10|avg60|avg300|total]: a field of REL's
# memory.pressure (default: full avg10; total is in microseconds).
e2e_psi() {
	local dir line=${2:-full} field=${3:-avg10}
	dir=$(e2e_cgpath psi "${1:-.}")
	awk -v l="$line" -v f="$field=" '
		$1 == l { for (i = 2; i <= NF; i++) if (index($i, f) == 1) { print substr($i, length(f) + 1); found = 1 } }
		END { exit !found }' "$dir/memory.pressure"
}

# e2e_psi_above REL some|full PCT: true if avg10 is above PCT (for
# e2e_poll).
e2e_psi_above() {
	local v
	v=$(e2e_psi "$1" "$2" avg10) || return 1
	awk -v v="$v" -v t="$3" 'BEGIN { exit !(v + 0 > t + 0) }'
}

# e2e_oom_kills REL: how many processes the kernel OOM killer has killed in
# REL and below.  v2 memory.events counts the subtree; v1
# memory.oom_control counts only the group itself (seen here: a kill in
# node/hog shows in hog, not in node), so on v1 the subtree is summed.
e2e_oom_kills() {
	local dir
	dir=$(e2e_cgpath memory "${1:-.}")
	if [[ $E2E_MODE == v2 ]]; then
		awk '$1 == "oom_kill" { print $2; found = 1 } END { exit !found }' "$dir/memory.events"
	else
		find "$dir" -name memory.oom_control -exec awk '
			$1 == "oom_kill" { n += $2; found = 1 }
			END { print n + 0; exit !found }' {} +
	fi
}

# e2e_pressure_start REL THRESHOLD_PCT [TIMEOUT_S] [full|some]: samples
# REL's memory.pressure `total` every 100 ms and prints the CLOCK_MONOTONIC
# ms at which the stalled share of the last 500 ms first exceeded
# THRESHOLD_PCT (may be fractional): the harness's tg_pstart over a
# sampler of its own.  Returns 1, printing nothing, after TIMEOUT_S
# (default 60).  Run it in the background with its stdout to a file to time
# a reaction.
e2e_pressure_start() {
	local rel=${1:?e2e_pressure_start REL THRESHOLD_PCT [TIMEOUT_S] [full|some]}
	local thr=${2:?threshold} timeout_s=${3:-60} line=${4:-full} name=pstart.$BASHPID sampler rc=0
	e2e__sampler "$rel" 100 >"$(tg_samples_file "$name")" &
	sampler=$!
	tg_wait "$timeout_s" tg__pstart_now "$name" "$thr" 0 "$line" || rc=1
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	((rc == 0)) || return 1
	echo "$TG_PSTART"
}

# ---------------------------------------------------------------- samples

# The file of the samples of NAME (a group path, or a name of one's own).
tg_samples_file() {
	echo "$E2E_DIR/samples.${1//\//_}"
}

# tg_sampler_start REL [REL...]: samples, every 200 ms, the memory.pressure
# totals (some, full; us) and the memory usage of each REL into
# tg_samples_file REL ("mono_ms some_us full_us usage_bytes", the
# harness's sample lines), in the background until the end of the test.
tg_sampler_start() {
	local rel
	for rel in "$@"; do
		e2e__sampler "$rel" 200 >"$(tg_samples_file "$rel")" &
	done
}

# e2e__sampler REL PERIOD_MS: the sample lines of REL, one every PERIOD_MS,
# until REL goes away.
e2e__sampler() {
	local rel=$1 period=$2 psi mem now some full kind rest usage t elapsed
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
		elapsed=$(($(e2e_now_ms) - now))
		e2e_sleep_ms $((elapsed < period ? period - elapsed : 0))
	done
}

# ---------------------------------------------------------------- results

# e2e_result_json FILE KEY=VALUE... : writes one JSON object, atomically
# (the harness's tg_json).  Numbers, true, false and null are written bare,
# anything else as a string; KEY:=RAW inserts RAW as it is (an array or
# object you built).
e2e_result_json() {
	local file=${1:?e2e_result_json FILE KEY=VALUE...} kv args=()
	shift
	for kv in "$@"; do
		[[ $kv == *=* ]] || e2e_die "e2e_result_json: '$kv' is not KEY=VALUE"
		args+=("${kv%%=*}" "${kv#*=}")
	done
	{ tg_json "${args[@]}" && echo; } >"$file.tmp" && mv -f "$file.tmp" "$file"
}

# ---------------------------------------------------------------- journald

# e2e_journal_require: skips the test unless it runs under
# tests/e2e/with-journal.sh (a private journald in a mount namespace).
e2e_journal_require() {
	[[ ${TG_JOURNAL_NS:-} == 1 ]] || e2e_skip "needs a private journald: run under tests/e2e/with-journal.sh"
}

# The MESSAGE_IDs of thrashguard(8) (src/alert.h), for the tests' queries.
# shellcheck disable=SC2034
{
	TG_MID_ACTED=2b2e42b20e434042acc519a8da2a8e80
	TG_MID_FAILED=55dc518f02c54c738ee4853fab2cd46b
	TG_MID_WOULD_ACT=b0311b043d5847478b98aa97019bcba6
	TG_MID_ALL_PROTECTED=21538a74078046e0b772719ce3221727
	TG_MID_RECOVERED=37e1842b61c442208d57fd1b0c93f3f8
}

# e2e_journal_dump FILE: flushes the private journald and writes every
# entry so far to FILE, one JSON object per line (journalctl -o json), and
# thrashguard's entries as the harness's records to FILE.tsv.
e2e_journal_dump() {
	e2e_journal_require
	journalctl --sync 2>/dev/null || true
	journalctl -o json --no-pager >"${1:?e2e_journal_dump FILE}" &&
		tg_journal_records <"$1" >"$1.tsv"
}

# tg_journal FILE: the private journal so far (default $E2E_DIR/journal.json).
tg_journal() {
	e2e_journal_dump "${1:-$E2E_DIR/journal.json}"
}

# The records of a journal dump FILE (made again if FILE is newer).
tg__jrec() {
	[[ -e $1.tsv && ! $1 -nt $1.tsv ]] || tg_journal_records <"$1" >"$1.tsv"
}

# Queries over thrashguard's entries in a dump FILE: the harness's record
# queries (tg_records_query: COND FIELD=VALUE, FIELD!=VALUE, FIELD~ERE,
# FIELD<N; fields MS, MESSAGE, every field of the entry, CANDIDATES).
# tg_jcount FILE COND...: how many entries match.
tg_jcount() { tg__jrec "$1" && tg_records_query "$1.tsv" count "" "${@:2}"; }
# tg_jget FILE FIELD COND...: FIELD of the first matching entry ("" if none).
tg_jget() { tg__jrec "$1" && tg_records_query "$1.tsv" get "$2" "${@:3}"; }
# tg_jgetall FILE FIELD COND...: FIELD of every matching entry, one a line.
tg_jgetall() { tg__jrec "$1" && tg_records_query "$1.tsv" getall "$2" "${@:3}"; }
# tg_jcount_is FILE N COND... / tg_jcount_ge FILE N COND...: for tg_check.
tg_jcount_is() { tg__jrec "$1" && tg_records_count_is "$1.tsv" "${@:2}"; }
tg_jcount_ge() { tg__jrec "$1" && tg_records_count_ge "$1.tsv" "${@:2}"; }

# tg_jmessages FILE: every thrashguard entry, one line each.
tg_jmessages() {
	tg__jrec "$1" && tg_records_query "$1.tsv" rec "" | awk -F '\t' '
		{ for (k in f) delete f[k]; for (i = 1; i <= NF; i++) { p = index($i, "="); f[substr($i, 1, p - 1)] = substr($i, p + 1) }
		  printf "%s %s/%s: %s\n", f["MS"], f["THRASHGUARD_EVENT"], f["THRASHGUARD_ACTION"], f["MESSAGE"] }'
}

# tg_entry_ms FILE COND...: the CLOCK_MONOTONIC ms of the first matching
# entry (journald stamps an entry when it receives it).
tg_entry_ms() {
	local ms
	ms=$(tg_jget "$1" MS "${@:2}")
	[[ -n $ms ]] || return 1
	echo "$ms"
}

# tg_wait_entry TIMEOUT_S COND...: polls the journal until an entry matches;
# leaves the dump in $E2E_DIR/journal.json.
tg_wait_entry() {
	local t=$1
	shift
	tg_wait "$t" tg__has_entry "$@"
}

tg__has_entry() {
	tg_journal "$E2E_DIR/journal.json" || return 1
	(($(tg_jcount "$E2E_DIR/journal.json" "$@") > 0))
}

# ---------------------------------------------------------------- checks

# tg_check WHAT CMD [ARG...]: one assertion (the harness's tg_verdict,
# reported by the tier's tg_on_check); returns CMD's verdict, so
# `tg_check ... || ...` works.  tg_fail WHAT: a failed check without a
# command.
tg_check() {
	local what=$1
	shift
	tg_verdict "" "$what" "$@"
}
tg_fail() { tg_failed "" "$*"; }

# ---------------------------------------------------------------- cleanup

# Kills every process in the run's groups, in every hierarchy.  Frozen
# groups are thawed first (a v1-frozen task does not die until thawed);
# cgroup.kill is atomic against forks, the pid loop covers v1-only members.
e2e__kill_all() {
	local name=$1 rel=${2:-} h d pid deadline left
	for h in "${E2E_HIERS[@]}"; do
		[[ -d $h/$name/$rel ]] || continue
		while IFS= read -r d; do
			if [[ -e $d/freezer.state ]]; then echo THAWED >"$d/freezer.state" || true; fi 2>/dev/null
			if [[ -e $d/cgroup.freeze ]]; then echo 0 >"$d/cgroup.freeze" || true; fi 2>/dev/null
		done < <(find "$h/$name/$rel" -type d 2>/dev/null)
		if [[ -e $h/$name/$rel/cgroup.kill ]]; then echo 1 >"$h/$name/$rel/cgroup.kill" || true; fi 2>/dev/null
	done
	deadline=$(($(e2e__uptime_ms) + 10000))
	while :; do
		left=0
		for h in "${E2E_HIERS[@]}"; do
			[[ -d $h/$name/$rel ]] || continue
			while IFS= read -r d; do
				while read -r pid; do
					# Never ourselves, should a test have moved us in.
					[[ $pid == "$BASHPID" || $pid == "$E2E_MAIN_PID" ]] && continue
					kill -KILL "$pid" 2>/dev/null || true
					left=1
				done <"$d/cgroup.procs"
			done < <(find "$h/$name/$rel" -type d 2>/dev/null)
		done
		((left)) || return 0
		(($(e2e__uptime_ms) < deadline)) || return 1
		e2e_sleep_ms 50
	done
}

# e2e_kill_group REL: kills everything in REL and below and waits (up to
# 10 s) until it is gone; returns 1 if something survived.
e2e_kill_group() {
	local rel=${1:?e2e_kill_group REL}
	e2e__rel_ok "$rel" || e2e_die "bad group path '$rel'"
	[[ $rel == . ]] && rel=
	e2e__kill_all "$E2E_NAME" "$rel"
}

# Kill, then remove leaves first.  rmdir of a memcg that just lost its last
# task can fail briefly, hence the retries.  Used by the test and by the
# watchdog, so it relies on nothing but its arguments.
e2e__remove_groups() {
	local name=$1 dir=$2 h ok=0
	e2e__kill_all "$name" || e2e_log "processes survived SIGKILL in $name"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		ok=1
		for h in "${E2E_HIERS[@]}"; do
			[[ -d $h/$name ]] || continue
			find "$h/$name" -depth -type d -exec rmdir {} + 2>/dev/null || true
			[[ -d $h/$name ]] && ok=0
		done
		((ok)) && break
		e2e_sleep_ms 200
	done
	# Only ever a directory this library created: tg-e2e-* under the base.
	if [[ -n $dir && $dir == */tg-e2e-* && -d $dir ]]; then
		rm -rf -- "$dir"
	fi
	if ((!ok)); then
		for h in "${E2E_HIERS[@]}"; do
			[[ -d $h/$name ]] && e2e_log "could not remove $h/$name"
		done
		return 1
	fi
}

e2e__uptime_ms() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000 + 10#${up#*.} * 10))
}

e2e__cleanup() {
	local rc=0 cmd pid
	[[ -z $E2E__CLEANED ]] || return 0
	E2E__CLEANED=1
	trap '' INT TERM HUP ALRM
	for cmd in "${E2E_CLEANUP_CMDS[@]}"; do
		eval "$cmd" || e2e_log "cleanup step failed: $cmd"
	done
	if [[ -s $E2E_DIR/.watchdog.pid ]]; then
		pid=$(<"$E2E_DIR/.watchdog.pid")
		kill -USR1 "$pid" 2>/dev/null || true
	fi
	e2e__remove_groups "$E2E_NAME" "$E2E_DIR" || rc=1
	# What is left among our jobs are helpers outside the groups, such as an
	# e2e_pressure_start in the background: end them too, and reap them.
	local -a jobs_left
	mapfile -t jobs_left < <(jobs -p)
	for pid in "${jobs_left[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	# Bounded: wait would hang on a job that ignores SIGTERM.
	if e2e_poll 5 e2e__none_alive "${jobs_left[@]}"; then
		wait 2>/dev/null
	else
		e2e_log "background jobs still running at exit: ${jobs_left[*]}"
	fi
	return "$rc"
}

e2e__none_alive() {
	local pid
	for pid in "$@"; do
		! tg_alive "$pid" || return 1
	done
}

e2e__on_exit() {
	local rc=$?
	if [[ -n $E2E_NAME && $BASHPID == "$E2E_MAIN_PID" ]]; then
		if ! e2e__cleanup && ((rc == 0)); then
			rc=1
		fi
	fi
	exit "$rc"
}

e2e__on_signal() {
	e2e_log "interrupted by SIG$1, cleaning up"
	exit "$2"
}

e2e__on_deadline() {
	e2e_log "FAIL: hard deadline reached, cleaning up"
	exit 124
}

# ---------------------------------------------------------------- watchdog

# Runs as `bash lib.sh --watchdog MAIN_PID DEADLINE_MS NAME DIR`, in its own
# session.  Every 200 ms: if the test is gone (even by SIGKILL), clean up
# after it; at the deadline send it SIGALRM (it cleans up and exits 124);
# E2E_GRACE_S later clean up here and SIGKILL it.  SIGUSR1 from the test's
# own cleanup ends the watchdog.
e2e__watchdog() {
	local main=$1 deadline_ms=$2 start stat now alarmed=0
	E2E_NAME=$3
	E2E_DIR=$4
	E2E_MAIN_PID=$main
	trap '' INT TERM HUP PIPE
	trap 'exit 0' USR1
	e2e__detect || exit 1
	# /proc/PID/stat field 22, the start time, guards against pid reuse.
	e2e__starttime() {
		local s
		read -r s 2>/dev/null <"/proc/$1/stat" || return 1
		s=${s##*) }
		read -ra s <<<"$s"
		[[ ${s[0]} != Z ]] || return 1
		echo "${s[19]}"
	}
	start=$(e2e__starttime "$main") || exit 0
	echo "$BASHPID" >"$E2E_DIR/.watchdog.pid"
	while :; do
		if [[ $(e2e__starttime "$main") != "$start" ]]; then
			e2e__remove_groups "$E2E_NAME" "$E2E_DIR" &&
				e2e_log "watchdog: the test ended without cleaning up; cleaned up after it"
			exit 0
		fi
		now=$(e2e__uptime_ms)
		if ((now >= deadline_ms && !alarmed)); then
			e2e_log "watchdog: deadline reached, stopping the test (pid $main)"
			kill -ALRM "$main" 2>/dev/null
			alarmed=1
		elif ((alarmed && now >= deadline_ms + E2E_GRACE_S * 1000)); then
			e2e_log "watchdog: the test did not stop within ${E2E_GRACE_S}s; killing it"
			e2e__remove_groups "$E2E_NAME" "$E2E_DIR"
			kill -KILL "$main" 2>/dev/null
			exit 0
		fi
		e2e_sleep_ms 200
	done
}

if [[ ${BASH_SOURCE[0]} == "$0" && ${1:-} == --watchdog ]]; then
	shift
	e2e__watchdog "$@"
fi
