#!/bin/sh
# /tg/runner.sh NAME: runs one scenario of the test VM (see init.sh, which
# starts it in a session of its own so that everything the scenario starts
# can be ended together).  Sets up what the scenario file asks for (modules,
# data disk, zram swap on or off), runs scenario() in a subshell and exits
# with its status.  Prints TGRESULT "setup" and "timing" objects.

export TG_SCENARIO=$1
export TG_DIR=/tmp/tg/$TG_SCENARIO
rm -rf "$TG_DIR"
mkdir -p "$TG_DIR"
. /tg/lib-vm.sh
# on the systemd node (tests/vm/node/init.sh), its own helpers too
[ "${TG_WHERE:-}" = node ] && . /tg/lib-node.sh

VM_MODULES= VM_ZRAM= VM_DISK= VM_TIMEOUT= VM_DEFAULT= VM_OWN_BOOT= VM_WHERE= VM_MEM=
. "/tg/scenarios/$TG_SCENARIO.sh"

rc=0
t0=$(tg_now_cs)
for m in $VM_MODULES; do vm_modload "$m" || rc=1; done
if [ -n "$VM_DISK" ]; then
	vm_disk_mount || rc=1
	# a cold start: nothing of the data disk's files left in the page
	# cache by a scenario before this one (see vmmon.c, evict)
	[ "$rc" = 0 ] && { find /mnt/data -type f -exec vmmon evict {} + || rc=1; }
fi
# Each scenario gets exactly the swap it asks for, whatever ran before it.
if [ -n "$VM_ZRAM" ]; then vm_zram_on "$VM_ZRAM" || rc=1; else vm_zram_off || rc=1; fi
t1=$(tg_now_cs)
tg_result setup boot_uptime_s "$TG_BOOT_UPTIME" setup_s "$(tg_cs2s $((t1 - t0)))" \
	modules "$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')" \
	swap_kib "$(awk '/^SwapTotal/ {print $2}' /proc/meminfo)" \
	cached_kib "$(awk '/^Cached/ {print $2}' /proc/meminfo)" \
	mem_available_kib "$(awk '/^MemAvailable/ {print $2}' /proc/meminfo)" rc "$rc"
if [ "$rc" != 0 ]; then
	tg_result error message "setup failed"
	exit "$rc"
fi
# a subshell, so that `exit` in a scenario ends only the scenario
(scenario)
rc=$?
t2=$(tg_now_cs)
tg_result timing scenario_s "$(tg_cs2s $((t2 - t1)))"
exit "$rc"
