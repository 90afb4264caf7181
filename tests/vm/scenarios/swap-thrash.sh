# swap-thrash: the thrash scenario (thrash.sh) with zram swap in the VM and
# an anonymous thrash instead of a page-cache one: the BestEffort pod sweeps
# 480 MiB of incompressible anonymous memory (vmload -A) through zram in a
# node of 384M that may swap.  Every pass swaps its pages out and back in
# (workingset_refault_anon, pgmajfault), the node's `full` stall is the
# strongest seen here, and there is no kernel OOM: the swap holds the
# excess.  The neighbour's and the kubelet's memory competes for the same
# RAM (they are in the node too).
#
# Same daemon settings (the defaults) and the same assertions as thrash;
# in addition, the thrash went through swap (pswpout; only this scenario's
# workload swaps in the VM).  Figures: swap-outs and swap-ins (pswpout,
# pswpin, pages): the daemon usually kills while vmload is still writing
# its memory for the first time, before the sweep swaps much back in.

VM_DISK=1
VM_ZRAM=512M
VM_TIMEOUT=90

scenario() {
	local in0 out0 in1 out1
	in0=$(sed -n 's/^pswpin //p' /proc/vmstat) out0=$(sed -n 's/^pswpout //p' /proc/vmstat)
	tn_kill_scenario swap
	in1=$(sed -n 's/^pswpin //p' /proc/vmstat) out1=$(sed -n 's/^pswpout //p' /proc/vmstat)
	tg_result swap pswpout $((out1 - out0)) pswpin $((in1 - in0)) \
		node_refault_anon "$(cg_stat node workingset_refault_anon)"
	tg_check swapped "the thrash went through swap ($((out1 - out0)) pages swapped out)" tg_ge $((out1 - out0)) 1
}
