#!/usr/bin/env bash
# The layer check: src/ is one folder per layer, and a layer includes only
# what stands below it (doc/internals.md, "Layers"):
#
#   base/     nothing of the others
#   config/   base/
#   observe/  base/, config/
#   decide/   base/, config/, and of observe/ only the data it is handed:
#             observe/snapshot.h, observe/readings.h, observe/identity.h
#             (never fsroot, parse, cgroup or the observer)
#   act/      base/, config/, observe/, decide/
#   daemon/   base/, config/, observe/, decide/, act/
#
# Every project include is written with its folder ("decide/policy.h");
# only main.c and status.c, on top of all, include "status.h" bare. Each
# file under src/ is one check; prints "layers: N passed, N failed".
set -u
cd "$(dirname "$0")/.."

declare -A allowed=(
	[base]="base"
	[config]="base config"
	[observe]="base config observe"
	[decide]="base config decide observe/snapshot.h observe/readings.h observe/identity.h"
	[act]="base config observe decide act"
	[daemon]="base config observe decide act daemon"
)

# ok LAYER INCLUDE: whether a file of LAYER may include INCLUDE.
ok() {
	local layer=$1 inc=$2 a
	for a in ${allowed[$layer]}; do
		case $a in
		*.h) [ "$inc" = "$a" ] && return 0 ;;
		*) [ "${inc%%/*}" = "$a" ] && [ "$inc" != "${inc#*/}" ] && return 0 ;;
		esac
	done
	return 1
}

pass=0
fail=0
for f in src/*.[ch] src/*/*.[ch]; do
	rel=${f#src/}
	layer=top
	[ "$rel" != "${rel#*/}" ] && layer=${rel%%/*}
	bad=()
	while read -r inc; do
		if [ ! -e "src/$inc" ]; then
			bad+=("$inc (no such file under src/: write the folder)")
		elif [ "$layer" = top ]; then
			continue
		elif ! ok "$layer" "$inc"; then
			bad+=("$inc")
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	if [ ${#bad[@]} = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		for b in "${bad[@]}"; do
			echo "  FAIL $f ($layer/) includes $b" >&2
		done
	fi
done
[ -n "${allowed[*]}" ]
echo "layers: $pass passed, $fail failed"
[ "$fail" = 0 ]
