#!/bin/sh
# Fills tests/fuzz/corpus/ with seeds: real kernel files of the machine it
# runs on (/proc, /sys/fs/cgroup, v1 or v2), the fixture trees (captured
# from real kubelet/containerd, Docker and Podman hosts), real cgroup paths
# and configuration files. Run by hand; the result is committed.
# Usage: tests/fuzz/make-corpus.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
out=tests/fuzz/corpus
mkdir -p "$out"

# seed NAME FILE...: copies each readable, non-empty file, named by content.
seed() {
	name=$1
	shift
	mkdir -p "$out/$name"
	for f in "$@"; do
		[ -f "$f" ] && [ -r "$f" ] || continue
		tmp=$(mktemp) || exit 1
		head -c 65536 "$f" >"$tmp" 2>/dev/null
		if [ -s "$tmp" ]; then
			mv "$tmp" "$out/$name/$(sha1sum "$tmp" | cut -c1-16)"
		else
			rm -f "$tmp"
		fi
	done
}

# text NAME STRING...: one seed per string.
text() {
	name=$1
	shift
	mkdir -p "$out/$name"
	for s in "$@"; do
		printf '%b' "$s" >"$out/$name/.t"
		mv "$out/$name/.t" "$out/$name/$(sha1sum "$out/$name/.t" 2>/dev/null | cut -c1-16)$(printf '%s' "$s" | sha1sum | cut -c1-8)"
	done
}

cg=/sys/fs/cgroup
fx=tests/fixtures
few() { find "$@" -type f 2>/dev/null | head -n 40; }

seed psi /proc/pressure/* $(few $cg $fx -name '*.pressure')
seed meminfo /proc/meminfo $(few $fx -name meminfo)
seed vmstat /proc/vmstat $(few $fx -name vmstat)
seed memstat_v2 $(few $cg/unified $cg -maxdepth 3 -name memory.stat) $(few $fx/v2-* $fx/podman -name memory.stat)
seed memstat_v1 $(few $cg/memory -maxdepth 3 -name memory.stat) $(few $fx/v1-* $fx/hybrid-* -name memory.stat)
seed memevents $(few $cg $fx -name memory.events)
seed oom_control $(few $cg/memory $fx -name memory.oom_control)
seed cgroup_events $(few $cg $fx -name cgroup.events)
seed u64 $(few $cg $fx -maxdepth 4 -name memory.max -o -name memory.current -o -name memory.high \
	-o -name memory.limit_in_bytes -o -name memory.usage_in_bytes -o -name memory.failcnt)
seed count $(few $cg $fx -maxdepth 4 -name memory.current -o -name memory.usage_in_bytes \
	-o -name memory.failcnt)
seed oom_score_adj /proc/self/oom_score_adj /proc/1/oom_score_adj
text oom_score_adj '-1000\n' '1000\n' '0\n'

# /proc/PID/cgroup: a first byte that picks the controller (see fuzz_parse.c).
mkdir -p "$out/proc_cgroup"
i=0
for f in /proc/self/cgroup /proc/1/cgroup $(few $fx -path '*/proc/*' -name cgroup); do
	[ -r "$f" ] || continue
	for sel in '\374' '\375' '\376' '\377'; do
		{ printf "$sel"; cat "$f"; } >"$out/proc_cgroup/seed-$i"
		i=$((i + 1))
	done
done

text value '512M' '1.5G' '10%' '2.5%' '1048576' '500ms' '2min' '1h' '250us' '0.1s' \
	'yes' 'off' '1000' '0.000001' '4294967295' '100' '30'

seed config conf/thrashguard.conf $fx/config/*.conf
build/thrashguard check-config -c conf/thrashguard.conf --set daemon.scopes=/kubepods.slice,/system.slice \
	--set 'rank.prefer=[ab]* *batch*' --set thrash.refault_per_s=0.5 >"$out/config/printed" 2>/dev/null || true

# Cgroup paths: every directory of the fixture trees and of this machine,
# relative to its hierarchy.
mkdir -p "$out/identity"
{
	for d in $fx/*/sys/fs/cgroup; do
		find "$d" -type d | sed "s|^$d||; s|^/[a-z_,=]*/|/|" 
	done
	find $cg -maxdepth 4 -type d 2>/dev/null | sed "s|^$cg||; s|^/[a-z_,=]*/|/|"
} | sort -u | head -n 300 | while IFS= read -r p; do
	[ -n "$p" ] || continue
	printf '%s' "$p" >"$out/identity/$(printf '%s' "$p" | sha1sum | cut -c1-16)"
done
