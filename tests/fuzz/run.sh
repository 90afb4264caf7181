#!/bin/sh
# Runs each libFuzzer harness given for SECONDS on its seed corpus
# (tests/fuzz/corpus/NAME, read only; what the fuzzer adds goes to
# BUILD/corpus/NAME), two at a time. A harness passes when it ends without
# a crash, leak, timeout or sanitizer report. Prints each harness's
# executions per second and one summary line.
# Usage: tests/fuzz/run.sh BUILD SECONDS BINARY...
set -u
build=$1 seconds=$2
shift 2
cd "$(dirname "$0")/../.." || exit 1
jobs=${FUZZ_JOBS:-2}
logs=$build/logs
mkdir -p "$logs"

run_one() {
	bin=$1
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	work=$build/corpus/$name
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$build/crash-$name-" \
		"$work" $seeds >"$logs/$name.log" 2>&1
	echo $? >"$logs/$name.rc"
}

pids=""
n=0
for bin in "$@"; do
	run_one "$bin" &
	pids="$pids $!"
	n=$((n + 1))
	if [ $((n % jobs)) = 0 ]; then
		wait
	fi
done
wait

pass=0
fail=0
for bin in "$@"; do
	name=${bin##*/fuzz_}
	rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$name.log" | tail -n 1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$name.log" | tail -n 1)
	if [ "$rc" = 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$logs/$name.log"; then
		pass=$((pass + 1))
		echo "ok: $name: ${runs:-?} runs, ${secs:-?} exec/s"
	else
		fail=$((fail + 1))
		echo "FAIL: $name (exit $rc): see $logs/$name.log" >&2
		grep -E 'ERROR|runtime error|fuzz:|SUMMARY' "$logs/$name.log" | head -n 5 | sed 's/^/    /' >&2
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
