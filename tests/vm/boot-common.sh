# The scenario loop shared by the VM's inits (sourced after lib-vm.sh):
# tests/vm/init.sh (busybox initramfs) and tests/vm/node/init.sh (the
# systemd node).  Each init defines, before sourcing this:
#   vm_poweroff   power off at once (busybox: poweroff -f; the node:
#                 systemctl poweroff --force --force)
#   vm_between    after each scenario: end and remove everything it left
#                 (busybox: every cgroup; the node: the test units)
# and sets rc (0 when the machine is ready).  This file runs the scenarios
# of TG_SCENARIOS one after the other and powers off; see init.sh for the
# console protocol.

vm_finish() {
	# $1 = rc.  The last line, power off.
	read -r up _ </proc/uptime
	echo "TGINFO boot ended at uptime $up"
	echo "TGDONE rc=$1"
	sync
	vm_poweroff
	sleep 5 # a forced poweroff does not return; if it ever does, panic=-1 + -no-reboot end qemu
	exit "$1"
}

# The kernel log since the last call, as TGDMESG lines.
TG_DMESG_SEEN=$(dmesg | wc -l)
vm_dmesg() {
	local n
	n=$(dmesg | wc -l)
	[ "$n" -gt "$TG_DMESG_SEEN" ] && dmesg | sed -n "$((TG_DMESG_SEEN + 1)),${n}p" | sed 's/^/TGDMESG /'
	TG_DMESG_SEEN=$n
}

# Hard deadline of the whole boot; run.sh has its own (longer) one on the
# host.  Each scenario also has its own (VM_TIMEOUT, see run_one).
(
	sleep "$TG_TIMEOUT"
	tg_result timeout seconds "$TG_TIMEOUT" what boot
	vm_dmesg
	vm_finish 124
) &
TG_WATCHDOG=$!

# run_one NAME: one scenario, in a session of its own (so that every
# process it started can be killed at once), within its deadline; then
# everything it left is killed and its groups removed.  Sets RC.
run_one() {
	local name=$1 scen=/tg/scenarios/$1.sh budget pid wd t0 t1
	TG_SCENARIO=$name
	echo "TGSTART $name"
	t0=$(tg_now_cs)
	if [ ! -r "$scen" ]; then
		tg_result error message "no such scenario: $name"
		echo "TGEND $name rc=2 s=0.00"
		RC=2
		return
	fi
	budget=$(sed -n 's/^VM_TIMEOUT=\([0-9][0-9]*\).*/\1/p' "$scen" | head -n 1)
	budget=${budget:-$TG_SCN_TIMEOUT}
	rm -f "/run/tg/timeout.$name" "/run/tg/failed.$name"
	# Not a process group leader (no job control here), so setsid(1) does
	# not fork: $! is the new session's (and process group's) id.
	setsid /bin/sh /tg/runner.sh "$name" &
	pid=$!
	(
		sleep "$budget"
		: >"/run/tg/timeout.$name"
		kill -KILL -"$pid" 2>/dev/null
	) &
	wd=$!
	wait "$pid"
	RC=$?
	kill "$wd" 2>/dev/null
	if [ -e "/run/tg/timeout.$name" ]; then
		tg_result timeout seconds "$budget" what scenario
		RC=124
	fi
	kill -KILL -"$pid" 2>/dev/null
	vm_between || tg_result error message "could not remove everything $name left"
	TG_DIR=/tmp/tg/$name tg_dump_daemon_log
	# tg.dump_samples=1 (run.sh --append): the raw samples too (diagnosis)
	if [ "${TG_DUMP_SAMPLES:-0}" = 1 ]; then
		for f in /tmp/tg/"$name"/s.*; do
			[ -s "$f" ] && sed "s/^/TGSAMPLE $name ${f##*/s.} /" "$f"
		done
	fi
	vm_dmesg
	# a failed check fails the scenario, even if it meant to skip
	if [ -s "/run/tg/failed.$name" ] && { [ "$RC" = 0 ] || [ "$RC" = 77 ]; }; then RC=1; fi
	t1=$(tg_now_cs)
	echo "TGEND $name rc=$RC s=$(tg_cs2s $((t1 - t0)))"
}

worst=0
if [ "$rc" = 0 ]; then
	for name in $(echo "$TG_SCENARIOS" | tr ',' ' '); do
		run_one "$name"
		case "$RC" in
		0 | 77) ;;
		*) worst=$RC ;;
		esac
	done
else
	worst=1
fi
TG_SCENARIO=init
kill "$TG_WATCHDOG" 2>/dev/null
vm_finish "$worst"
