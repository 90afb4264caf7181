# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# fp-cache: a false positive to avoid -- a cache-heavy but healthy pod at
# its limit.  A Burstable pod with a 512 MiB limit keeps reading a 768 MiB
# file in 16 MiB chunks, 8 chunks a second (~130 MB/s: a log shipper, a
# backup reader), so its page cache fills its limit and it refaults ~17k
# pages a second -- yet it waits little for memory (measured here: 1-3 %
# full stall; 3-6 % at twice the rate).  Both rules see their non-stall
# conditions met: the pod is at its limit with a high refault rate (local
# thrash), and the node (600 MiB) has less than 10 % headroom (shortage) --
# only the stall is missing, and that must be enough to keep the daemon's
# hands off.
#
# (A pod streaming read() at full disk speed at its limit is not this case:
# measured here, that alone stalls 10-20 % -- the kernel counts the IO wait
# for refaulting pages as memory stall -- and it is a real thrash.)
#
# The 768 MiB file is written beforehand with O_DIRECT from a separate group
# (tools/fileio --direct), so that none of it is in the page cache and the
# pod's reads charge the pod.  The chunked reader is dd(1) in a bash loop,
# both inside the pod's group.
#
# [thrash] duration 4 s instead of 10 s (CI time: 12 s at the limit are
# three durations); everything else is the default.
#
# Asserts: no decision entry at all; the pod stayed at >= 95 % of its
# limit and refaulted >= 1000 pages/s over the 12 s (the local-thrash
# rule's other conditions held), the node's headroom stayed below 10 %
# (the shortage rule's other condition held), and the pod's full stall
# stayed below 15 %; the reader was never interrupted.
SCN_DEADLINE=70
SCN_DEFAULT=1
SCN_SUMMARY="false positive: a cache-heavy healthy pod at its limit (refaults, little stall): nothing is touched"

FC_NODE=600M
FC_NODE_BYTES=$((600 << 20))
FC_POD_BYTES=$((512 << 20))

# The pod's usage is at 96 % of its limit or more.
fc_full() {
	(($(e2e_mem_usage "$CACHE") >= FC_POD_BYTES * 96 / 100))
}

scn_run() {
	local j=$E2E_DIR/journal.json t0 t1 r0 r1 rate full pfull hr minu
	tg_node "$FC_NODE"
	tg_pod CACHE burstable 512M
	tg_pod NB burstable
	e2e_mkgroup prep 256M
	# The file, written around the page cache, outside the node.
	e2e_run prep -- "$E2E_TOOLS/fileio" --file "$E2E_DIR/cache.dat" --size 768 --direct --passes 1 \
		>/dev/null 2>>"$E2E_DIR/workload.log"
	local rc=0
	e2e_wait_pid "$E2E_PID" 30 || rc=$?
	((rc == 0)) || tg_fatal "could not write the 768 MiB file (fileio --direct: exit $rc)"
	cat >"$E2E_DIR/reader.sh" <<'SH'
#!/bin/bash
# Reads FILE (SIZE MiB) in 16 MiB chunks, 8 a second, round and round.
f=$1 size=$2 off=0
exec {sfd}<> <(:)
while :; do
	dd if="$f" of=/dev/null bs=1M count=16 skip="$off" status=none || exit 1
	off=$(((off + 16) % size))
	read -r -t 0.125 -u "$sfd" || true
done
SH
	chmod +x "$E2E_DIR/reader.sh"
	tg_sampler_start node "$CACHE"
	tg_daemon_start --set thrash.duration=4s
	e2e_run "$NB" -- "$E2E_TOOLS/steady" --anon 48 --duration 120 2>>"$E2E_DIR/workload.log"
	local nb_pid=$E2E_PID
	e2e_run "$CACHE" -- "$E2E_DIR/reader.sh" "$E2E_DIR/cache.dat" 768 2>>"$E2E_DIR/workload.log"
	local reader_pid=$E2E_PID
	e2e_poll 20 fc_full ||
		tg_fatal "the reader did not fill its limit within 20 s ($(($(e2e_mem_usage "$CACHE") >> 20)) MiB)"
	e2e_sleep_ms 1000
	t0=$(e2e_now_ms)
	r0=$(($(cg_stat "$CACHE" workingset_refault_file) + $(cg_stat "$CACHE" pgmajfault)))
	while (($(e2e_now_ms) < t0 + 12000)); do e2e_sleep_ms 200; done
	t1=$(e2e_now_ms)
	r1=$(($(cg_stat "$CACHE" workingset_refault_file) + $(cg_stat "$CACHE" pgmajfault)))
	rate=$(((r1 - r0) * 1000 / (t1 - t0)))
	minu=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b { if (!s || $4 < m) m = $4; s = 1 } END { print m + 0 }' \
		"$E2E_DIR/samples.${CACHE//\//_}")
	pfull=$(tg_stall_pct "$CACHE" "$t0" "$t1")
	full=$(tg_stall_pct node "$t0" "$t1")
	hr=$(awk -v l="$FC_NODE_BYTES" -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b { h += (l - $4) * 100 / l; n++ }
		END { if (n) printf "%.1f\n", h / n; else print "null" }' "$E2E_DIR/samples.node")
	tg_metric pod_refault_per_s="$rate" pod_min_usage_pct=$((minu * 100 / FC_POD_BYTES)) \
		pod_full_pct="$pfull" pod_peak_full_1s="$(tg_peak_stall "$CACHE" "$t0" "$t1" 1000)" \
		node_full_pct="$full" node_some_pct="$(tg_stall_pct node "$t0" "$t1" some)" node_mean_headroom_pct="$hr" \
		node_peak_full_1s="$(tg_peak_stall node "$t0" "$t1" 1000)"
	e2e_log "pod: refaults $rate/s, usage >= $((minu * 100 / FC_POD_BYTES)) % of its limit, full $pfull %;" \
		"node: full $full %, mean headroom $hr %"
	tg_check "the pod stayed at its limit (>= 95 %: $((minu * 100 / FC_POD_BYTES)) %)" \
		tg_ge $((minu * 100)) $((FC_POD_BYTES * 95))
	tg_check "the pod refaulted >= 1000 pages/s ($rate/s)" tg_ge "$rate" 1000
	tg_check "the node was low on headroom (mean $hr % < 10 %)" tg_lt "${hr/null/100}" 10
	tg_check "the pod's full stall stayed below 15 % ($pfull %)" tg_lt "${pfull/null/100}" 15
	tg_journal "$j"
	tg_check "no decision entry (acted, would-act, failed, all-protected)" \
		tg_jcount_is "$j" 0 THRASHGUARD_EVENT~'^(acted|would-act|failed|all-protected)$'
	tg_check "the reader is alive" tg_alive "$reader_pid"
	tg_check "the neighbour is alive" tg_alive "$nb_pid"
	tg_daemon_stop_check
}
