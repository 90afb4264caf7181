#!/usr/bin/env bash
# `make check`: runs every tier in order and sums what each tier reports.
# Each tier ends with a line "NAME: N passed, N failed"; a tier that exits
# non-zero, or reports no such line, counts as failed. The end-to-end and VM
# tiers need root: without it they fail loudly (CI runs as root) rather than
# pass by skipping.
set -u
cd "$(dirname "$0")/.."

make_=${MAKE:-make}
total_pass=0
total_fail=0
failed_tiers=()
log_dir=build/check
mkdir -p "$log_dir"

run_tier() {
	local name=$1
	shift
	local log="$log_dir/$name.log"
	local start=$SECONDS
	echo "== $name: $*"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	[ -n "$line" ] || { p=0; f=1; }
	[ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$f" = 0 ] || failed_tiers+=("$name")
	echo "== $name: ${p} passed, ${f} failed ($((SECONDS - start)) s)"
}

if [ "$(id -u)" != 0 ]; then
	echo "make check needs root (real cgroups, kill, freeze, journald): run it with sudo" >&2
	exit 2
fi

run_tier layers tests/layers.sh
run_tier unit $make_ --no-print-directory unit
run_tier unit-asan $make_ --no-print-directory unit-asan
run_tier config tests/config-check.sh build/thrashguard
run_tier k8s tests/k8s-config.sh build/thrashguard
run_tier fixtures $make_ --no-print-directory check-fixtures
run_tier fuzz $make_ --no-print-directory check-fuzz
for t in tests/e2e/status-real.sh tests/e2e/act-*.sh; do
	[ -x "$t" ] && run_tier "$(basename "$t" .sh)" "$t" build/thrashguard
done
run_tier syscall-filter tests/syscall-filter.sh build/thrashguard
run_tier package tests/package.sh
run_tier e2e $make_ --no-print-directory check-e2e
run_tier vm $make_ --no-print-directory check-vm
run_tier vm-node $make_ --no-print-directory check-vm-node

echo
[ ${#failed_tiers[@]} = 0 ] || echo "failed tiers: ${failed_tiers[*]}"
echo "check: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
