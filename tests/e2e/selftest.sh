#!/bin/bash
# Self-test of tests/e2e/lib.sh and the workload tools, on real cgroups.
#
# Usage: tests/e2e/selftest.sh [--result FILE]
#
# Runs each case as a separate copy of this script (so that its exit path
# is real) and checks, after each, that no group and no data directory of
# that copy is left behind:
#   scenario  a contained file thrash in a Kubernetes-shaped nested group
#             (512 MiB "node"): pressure starts, no kernel OOM; a latency
#             probe in a neighbour pod; an anonymous hog in another group
#             is OOM-killed (so the OOM reader is shown to see one); normal
#             exit;
#   sigterm   SIGTERM while a thrasher and a fork storm run;
#   sigkill   SIGKILL of the test script: the watchdog cleans up;
#   deadline  the hard deadline passes: the test is stopped (exit 124).
# Exit status: 0 all passed, 1 a check failed, 77 skipped (not root, no
# suitable cgroups).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"

# A Kubernetes container scope, systemd cgroup driver.
POD=node/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234_abcd.slice
CTR=$POD/cri-containerd-$(printf '%064x' 0xc0ffee).scope

# ---------------------------------------------------------------- cases

case_scenario() {
	local result=$1 t0 t_start=none rc i
	local prev_ref prev_maj prev_t ref maj t full some peak_full=0 peak_some=0 rate ref_rates=()
	local full_tot=() t_us=()
	e2e_setup selftest-scenario 120
	e2e_mkgroup node 512M
	e2e_mkgroup "$CTR"
	e2e_mkgroup node/neighbour
	e2e_mkgroup hog 64M

	e2e_pressure_start "$CTR" 10 30 >"$E2E_DIR/pstart" &
	t0=$(e2e_now_ms)
	e2e_run "$CTR" -- "$E2E_TOOLS/thrasher" --anon 300 --file "$E2E_DIR/thrash.dat" \
		--file-size 400 --procs 2 --duration 20 2>"$E2E_DIR/thrasher.log"
	local thrasher=$E2E_PID
	e2e_run node/neighbour -- "$E2E_TOOLS/steady" --anon 16 --duration 30 \
		--probe-out "$E2E_DIR/probe.json"
	local steady=$E2E_PID

	# One line a second for 16 s: the group's own stall and refaults.
	prev_ref=$(cg_stat node workingset_refault_file)
	prev_maj=$(cg_stat node pgmajfault)
	prev_t=$(e2e_now_ms)
	printf '%6s %7s %7s %10s %10s %8s\n' t_ms full10 some10 refault/s majflt/s usedMiB >&2
	for ((i = 0; i < 16; i++)); do
		e2e_sleep_ms 1000
		t=$(e2e_now_ms)
		ref=$(cg_stat node workingset_refault_file)
		maj=$(cg_stat node pgmajfault)
		full=$(e2e_psi "$CTR" full avg10)
		some=$(e2e_psi "$CTR" some avg10)
		full_tot+=("$(e2e_psi "$CTR" full total)")
		t_us+=("$("$E2E_TOOLS/monotime" --us)")
		rate=$(((ref - prev_ref) * 1000 / (t - prev_t)))
		ref_rates+=("$rate")
		printf '%6d %7s %7s %10d %10d %8d\n' $((t - t0)) "$full" "$some" "$rate" \
			$(((maj - prev_maj) * 1000 / (t - prev_t))) $(($(e2e_mem_usage node) >> 20)) >&2
		peak_full=$(awk -v a="$peak_full" -v b="$full" 'BEGIN { print (b > a ? b : a) }')
		peak_some=$(awk -v a="$peak_some" -v b="$some" 'BEGIN { print (b > a ? b : a) }')
		prev_ref=$ref prev_maj=$maj prev_t=$t
	done

	if [[ -s $E2E_DIR/pstart ]]; then
		t_start=$(($(<"$E2E_DIR/pstart") - t0))
	fi
	# The share of time fully stalled over the last 5 s, from the totals
	# (avg10 is an average that is still catching up).
	local full_5s_x10
	full_5s_x10=$(((full_tot[15] - full_tot[10]) * 1000 / (t_us[15] - t_us[10])))
	local ooms oom_hog probe
	ooms=$(e2e_oom_kills node)
	tg_alive "$thrasher" || e2e_die "the thrasher ended early: $(cat "$E2E_DIR/thrasher.log")"

	# The end of the thrash: kill the container, the way the daemon would.
	e2e_kill_group "$CTR" || e2e_die "the container survived the kill"
	e2e_wait_empty "$CTR" 5 || e2e_die "the container is not empty after the kill"
	rc=0
	e2e_wait_pid "$thrasher" 5 || rc=$?
	((rc == 137)) || e2e_die "thrasher: expected SIGKILL (137), got $rc"
	kill -TERM "$steady"
	rc=0
	e2e_wait_pid "$steady" 10 || rc=$?
	((rc == 0)) || e2e_die "steady: exit $rc"
	probe=$(<"$E2E_DIR/probe.json")

	# The positive case for the OOM reader: an anonymous hog at speed.
	e2e_run hog -- "$E2E_TOOLS/leaker" --rate 500 --duration 10
	rc=0
	e2e_wait_pid "$E2E_PID" 15 || rc=$?
	oom_hog=$(e2e_oom_kills hog)

	e2e_log "pressure start (full > 10% over 500 ms): ${t_start} ms after launch"
	e2e_log "peak avg10: full ${peak_full}% some ${peak_some}%; full over the last 5 s:" \
		"$((full_5s_x10 / 10)).$((full_5s_x10 % 10))%; refaults/s: ${ref_rates[*]}"
	e2e_log "kernel OOM kills in node: $ooms; neighbour probe: $probe"
	e2e_log "hog in 64 MiB: exit $rc, kernel OOM kills $oom_hog"
	e2e_result_json "$result" case=scenario pressure_start_ms="$t_start" \
		peak_full_avg10="$peak_full" peak_some_avg10="$peak_some" \
		full_last5s_pct="$((full_5s_x10 / 10)).$((full_5s_x10 % 10))" \
		refaults_per_s:="[$(
			IFS=,
			echo "${ref_rates[*]}"
		)]" oom_kills_thrash="$ooms" oom_kills_hog="$oom_hog" probe:="$probe"

	[[ $t_start != none ]] || e2e_die "no pressure start seen within 30 s"
	awk -v f="$peak_full" 'BEGIN { exit !(f >= 5) }' || e2e_die "full avg10 peaked at only $peak_full%"
	((ooms == 0)) || e2e_die "the kernel OOM killer fired $ooms times during the thrash"
	((oom_hog >= 1 && rc == 137)) || e2e_die "the hog was not OOM-killed (exit $rc, oom_kill $oom_hog)"
}

# Runs a thrasher and a fork storm, says it is ready, and waits (for a
# signal, or its deadline).
case_hold() {
	local deadline=$1 ready=$2
	e2e_setup selftest-hold "$deadline"
	e2e_mkgroup pod 256M
	e2e_mkgroup storm 64M
	e2e_run pod -- "$E2E_TOOLS/thrasher" --anon 100 --file "$E2E_DIR/thrash.dat" \
		--file-size 200 --duration 60 2>/dev/null
	local thrasher=$E2E_PID
	e2e_run storm -- "$E2E_TOOLS/forkstorm" --width 16 --duration 60 2>/dev/null
	echo "$E2E_NAME" >"$ready"
	e2e_wait_pid "$thrasher" 90 || true
}

# ---------------------------------------------------------------- driver

# The groups and data directory of the copy of this script with pid $1.
leftovers() {
	compgen -G "/sys/fs/cgroup/*/tg-e2e-selftest-*-$1-*" || true
	compgen -G "/sys/fs/cgroup/tg-e2e-selftest-*-$1-*" || true
	compgen -G "$E2E_TMPDIR/tg-e2e-selftest-*-$1-*" || true
}

no_leftovers() {
	[[ -z $(leftovers "$1") ]]
}

# Checks that the copy with pid $1 left nothing behind (after up to $2 s).
check_clean() {
	local pid=$1 within=$2 what=$3
	if e2e_poll "$within" no_leftovers "$pid"; then
		e2e_log "ok: $what: nothing left behind"
	else
		e2e_log "FAIL: $what: left behind: $(leftovers "$pid" | tr '\n' ' ')"
		FAILED=1
	fi
}

run_case() {
	local what=$1 signal=$2 want_rc=$3 pid rc=0 ready
	shift 3
	ready=$E2E_DIR/ready-$what
	bash "$0" --case "$@" "$ready" &
	pid=$!
	if [[ -n $signal ]]; then
		e2e_poll 60 test -s "$ready" || e2e_die "$what: the case did not get ready"
		e2e_log "$what: groups $(<"$ready") ready; sending SIG$signal to $pid"
		# Groups and processes really exist before the signal.
		[[ -n $(leftovers "$pid") ]] || e2e_die "$what: no groups found before the signal"
		kill "-$signal" "$pid"
	fi
	e2e_wait_pid "$pid" 150 || rc=$?
	if ((rc == want_rc)); then
		e2e_log "ok: $what: exit $rc"
	else
		e2e_log "FAIL: $what: exit $rc, expected $want_rc"
		FAILED=1
	fi
	# After SIGKILL the watchdog needs a moment to notice.
	check_clean "$pid" 10 "$what"
}

main() {
	local result=
	if [[ ${1:-} == --result ]]; then
		result=${2:?--result FILE}
		shift 2
	fi
	(($# == 0)) || { echo "usage: $0 [--result FILE]" >&2; exit 2; }
	FAILED=0
	# The driver's own setup: a deadline and a data directory; it creates
	# no workload of its own.
	e2e_setup selftest-driver 600
	result=${result:-$E2E_DIR/result.json}
	run_case scenario "" 0 scenario "$result"
	[[ ! -s $result ]] || e2e_log "result: $(<"$result")"
	run_case sigterm TERM 143 hold 120
	run_case sigkill KILL 137 hold 120
	run_case deadline "" 124 hold 8
	if ((FAILED)); then
		e2e_log "selftest FAILED"
		exit 1
	fi
	e2e_log "selftest passed"
}

if [[ ${1:-} == --case ]]; then
	case $2 in
	scenario) case_scenario "$3" ;;
	hold) case_hold "$3" "$4" ;;
	*) exit 2 ;;
	esac
else
	main "$@"
fi
