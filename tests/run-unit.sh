#!/bin/sh
# Runs each cmocka binary given; prints one summary line; fails if any failed.
build=$1; shift
pass=0; fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit ($build): $pass passed, $fail failed"
[ "$fail" = 0 ]
