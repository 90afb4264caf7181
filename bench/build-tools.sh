#!/bin/bash
# Builds the benchmark's own small programs into build/bench/ (the host's
# scale part and the VM's story-2 part both run them):
#   snapshot-cost   observer snapshots, linked against build/libthrashguard.a
#   stat-read-cost  whole reads of cgroup files (static)
#   dying-memcgs    memory cgroups left dying as short-lived pods leave them (static)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
OUT=$TOP/build/bench
make -s -C "$TOP" build/libthrashguard.a tools >/dev/null
mkdir -p "$OUT"
flags=(-std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror)
libs=$(pkg-config --libs libsystemd inih)
# shellcheck disable=SC2086
cc "${flags[@]}" -I"$TOP/src" -o "$OUT/snapshot-cost" "$HERE/snapshot-cost.c" "$TOP/build/libthrashguard.a" $libs -lm
for p in stat-read-cost dying-memcgs; do
	cc "${flags[@]}" -static -o "$OUT/$p" "$HERE/$p.c"
done
