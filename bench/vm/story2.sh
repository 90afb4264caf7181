# Story 2 at scale, in the pure cgroup v2 VM: the daemon's snapshot cost
# with 100, 1,000 and 10,000 groups, first on a clean node, then with
# 10,000 dying memory cgroups left behind as short-lived pods leave them;
# next to it, what reading the root's memory.stat costs (cAdvisor reads it
# every housekeeping interval) and what reading every candidate's costs.
# Run by bench/story2.sh (the story-2 part of `make bench`), never by
# `make check`:
#
#   tests/vm/run.sh --scenario-file bench/vm/story2.sh --tools DIR [--append tg.k=K]
#
# DIR holds build/tools/* and build/bench's snapshot-cost, stat-read-cost
# and dying-memcgs (bench/build-tools.sh).
#
# The scope is /pods.  N groups directly below it, as on the host
# (bench/snapshot-cost.sh): the first min(N, 1,000) are container groups
# (docker-<id>.scope) with one sleeping process each, the candidates; the
# others are empty groups the walk meets every tick.  The clean
# measurements grow N: 100, 1,000, 10,000.  Then dying-memcgs makes 10,000
# groups below /pods, one after the other: mkdir, join, read 2 pages of the
# data disk's big.dat no other group read, readahead off (so they are
# charged to it, not to the group before), leave, rmdir.  The group stays
# dying while those pages are cached: nothing in this VM (2 GiB, no other
# load) reclaims them.  The dying measurements shrink N back: 10,000,
# 1,000, 100.
#
# At each point: snapshot-cost (2 warm-up snapshots, then K timed ones, CPU
# ms per snapshot from getrusage) as the daemon runs (idle) and with every
# file read every tick (busy); stat-read-cost on /sys/fs/cgroup/memory.stat,
# on /pods/memory.stat (the parent of the dying groups) and on every
# candidate's memory.stat (K rounds each; K from tg.k, default 50).
# TGRESULT objects: "point" and "point_end" (the node before and after a
# point's measurements: groups, nr_dying_descendants, memory), "snapshot",
# "statread", "dying" (the making of the dying groups).
#
# Limits: 1,000 sleeping processes (pid_max is at least 32,768); a
# candidate keeps 8 files open, an empty group 1, so 17,000 at 10,000
# groups: the open-files limit is raised to 65,536 (as root) before
# snapshot-cost starts, or the observer would close and reopen files every
# tick.  Memory: 10,000 live and 10,000 dying memcgs are kernel memory
# (reported per group, from Percpu + Slab in /proc/meminfo).  In 1 GiB they
# leave so little free that reclaim starts, and reclaim empties dying
# groups first (their pages go, and the groups with them): hence 2 GiB,
# and a check at each point that the dying groups are still there after
# its measurements.
VM_MEM=2048
VM_DISK=1
VM_DEFAULT=0
VM_OWN_BOOT=1
VM_TIMEOUT=1500

S2_SCOPE=pods
S2_POPULATED_MAX=1000
S2_DYING=10000
S2_HAVE=0

s2_meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
s2_kernel_kib() { awk '$1 == "Percpu:" || $1 == "Slab:" { s += $2 } END { print s }' /proc/meminfo; }
s2_dying_now() { awk '$1 == "nr_dying_descendants" { print $2 }' "$CG/cgroup.stat"; }
s2_populated() { echo $(($1 < S2_POPULATED_MAX ? $1 : S2_POPULATED_MAX)); }
# the names of groups FROM..TO, one a line
s2_names() {
	awk -v a="$1" -v b="$2" -v p="$S2_POPULATED_MAX" 'BEGIN {
		for (i = a; i <= b; i++)
			if (i <= p) printf "docker-%064x.scope\n", i; else printf "empty%05d\n", i
	}'
}
s2_joined() { [ "$(cat "$CG/$S2_SCOPE"/docker-*/cgroup.procs 2>/dev/null | wc -l)" -ge "$1" ]; }

# s2_grow N: groups S2_HAVE+1..N, a sleeping process in each container group
s2_grow() {
	local n=$1 from=$((S2_HAVE + 1)) d
	[ "$n" -gt "$S2_HAVE" ] || return 0
	(cd "$CG/$S2_SCOPE" && s2_names "$from" "$n" | xargs mkdir) || return 1
	for d in $(s2_names "$from" "$(s2_populated "$n")" | grep '^docker-'); do
		cgexec "$CG/$S2_SCOPE/$d" -- sleep 3600 </dev/null >/dev/null 2>&1 &
	done
	S2_HAVE=$n
	tg_wait 120 s2_joined "$(s2_populated "$n")"
}

# s2_shrink N: removes groups N+1..S2_HAVE (their processes killed first)
s2_shrink() {
	local n=$1 d
	[ "$n" -lt "$S2_HAVE" ] || return 0
	for d in $(s2_names $((n + 1)) "$S2_HAVE" | grep '^docker-'); do
		echo 1 >"$CG/$S2_SCOPE/$d/cgroup.kill" || return 1
	done
	for d in $(s2_names $((n + 1)) "$S2_HAVE" | grep '^docker-'); do
		wait_empty "$S2_SCOPE/$d" 30 || return 1
	done
	(cd "$CG/$S2_SCOPE" && s2_names $((n + 1)) "$S2_HAVE" | xargs rmdir) || return 1
	S2_HAVE=$n
}

# s2_kv LINE: "a=1 b=x" as the arguments "a 1 b x" of tg_result
s2_kv() { echo "$1" | tr '=' ' '; }

# s2_measure PHASE: every figure at the current point
s2_measure() {
	local phase=$1 n=$S2_HAVE p kind flag line what files
	p=$(s2_populated "$n")
	tg_result point phase "$phase" groups "$n" populated "$p" nr_dying_descendants "$(s2_dying_now)" \
		mem_available_kib "$(s2_meminfo MemAvailable)" kernel_kib "$(s2_kernel_kib)" \
		nofile "$(ulimit -n)"
	for kind in idle busy; do
		flag=
		[ "$kind" = busy ] && flag=--busy
		# shellcheck disable=SC2086
		line=$(snapshot-cost $flag --scope "/$S2_SCOPE" --snapshots "$S2_K") || {
			tg_result error message "snapshot-cost failed at $phase $n $kind"
			return 1
		}
		# shellcheck disable=SC2046
		tg_result snapshot phase "$phase" groups "$n" populated "$p" kind "$kind" $(s2_kv "$line")
	done
	for what in root scope candidates; do
		case $what in
		root) files=$CG/memory.stat ;;
		scope) files=$CG/$S2_SCOPE/memory.stat ;;
		candidates) files=$(ls -d "$CG/$S2_SCOPE"/docker-*/memory.stat) ;;
		esac
		# shellcheck disable=SC2086
		line=$(stat-read-cost --reads "$S2_K" $files) || {
			tg_result error message "stat-read-cost failed at $phase $n $what"
			return 1
		}
		# shellcheck disable=SC2046
		tg_result statread phase "$phase" groups "$n" what "$what" $(s2_kv "$line")
	done
	tg_result point_end phase "$phase" groups "$n" nr_dying_descendants "$(s2_dying_now)" \
		mem_available_kib "$(s2_meminfo MemAvailable)"
}

scenario() {
	local n k0 k1 a0 a1 line dying c
	S2_K=${TG_K:-50}
	ulimit -n 65536 || tg_fatal nofile "raise the open-files limit to 65,536"
	mkgroup "$S2_SCOPE" || tg_fatal scope "create /$S2_SCOPE"
	# its children get the root's controllers (memory among them)
	for c in $(cat "$CG/cgroup.subtree_control"); do
		echo "+$c" >"$CG/$S2_SCOPE/cgroup.subtree_control" || tg_fatal scope "enable $c below /$S2_SCOPE"
	done
	for n in 100 1000 10000; do
		s2_grow "$n" || tg_fatal grow "create $n groups with their processes"
		s2_measure clean || tg_fatal measure "measure at $n groups"
	done
	k0=$(s2_kernel_kib) a0=$(s2_meminfo MemAvailable)
	line=$(dying-memcgs --parent "$CG/$S2_SCOPE" --count "$S2_DYING" --file /mnt/data/big.dat --pages 2) ||
		tg_fatal dying "leave $S2_DYING dying memory cgroups"
	k1=$(s2_kernel_kib) a1=$(s2_meminfo MemAvailable)
	dying=$(s2_dying_now)
	# shellcheck disable=SC2046
	tg_result dying $(s2_kv "$line") nr_dying_descendants "$dying" \
		kernel_kib_per_group $(((k1 - k0) / S2_DYING)) mem_available_kib_per_group $(((a0 - a1) / S2_DYING))
	# a few may be freed at once if their pages were reclaimed; nearly all must stay
	tg_check dying_left "at least 95 % of the $S2_DYING removed groups are still dying" \
		tg_ge "$dying" $((S2_DYING * 95 / 100))
	for n in 10000 1000 100; do
		s2_shrink "$n" || tg_fatal shrink "remove groups down to $n"
		s2_measure dying || tg_fatal measure "measure at $n groups with dying groups"
		dying=$(s2_dying_now)
		tg_check "still_dying_$n" "at least 95 % of them still dying after the measurements at $n groups ($dying)" \
			tg_ge "$dying" $((S2_DYING * 95 / 100))
	done
}
