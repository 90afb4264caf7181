#!/bin/sh
# The container's entrypoint: puts the daemon where the systemd unit would
# (the host's cgroup namespace, the unit's four capabilities) and execs it
# with the given arguments (default: run).
#
# Why the cgroup namespace: on cgroup v2 the runtime gives a container that
# is not privileged a cgroup namespace of its own, and /proc/PID/cgroup then
# shows every host task as /../..; the daemon checks each task's group
# there before it signals it, so in that namespace it would find no task of
# any victim. Joining the host's namespace takes CAP_SYS_ADMIN (setns) and
# dropping that afterwards CAP_SETPCAP; both leave the bounding set before
# the daemon starts, so it runs with what the unit grants and nothing more.
# Where the container already is in the host's namespace (cgroup v1 or
# hybrid, a runtime without cgroup namespaces) nothing is joined.
#
# The host's namespace is taken from kthreadd, pid 2 of the host's pid
# namespace: it is always there, always in the initial cgroup namespace,
# and as a kernel thread readable without CAP_SYS_PTRACE (pid 1 may not be
# dumpable).
#
# Environment: THRASHGUARD_BIN (default /usr/sbin/thrashguard);
# TG_PIDFILE (default /run/thrashguard-probe/pid) receives the daemon's pid
# for the liveness probe (k8s-alive), which reads it.
set -eu

bin=${THRASHGUARD_BIN:-/usr/sbin/thrashguard}
pidfile=${TG_PIDFILE:-/run/thrashguard-probe/pid}
# Capabilities the entrypoint itself needs; never the daemon.
extra="sys_admin setpcap"

die() {
	echo "thrashguard-entrypoint: $*" >&2
	exit 1
}

[ $# -gt 0 ] || set -- run

read -r comm </proc/2/comm 2>/dev/null || comm=""
[ "$comm" = kthreadd ] || die "pid 2 is not kthreadd: the pod needs hostPID: true"
if [ "${TG_ENTRYPOINT_JOINED:-}" != 1 ]; then
	own=$(readlink /proc/self/ns/cgroup) || die "cannot read /proc/self/ns/cgroup"
	host=$(readlink /proc/2/ns/cgroup) ||
		die "cannot read the host's cgroup namespace (/proc/2/ns/cgroup); under AppArmor the pod needs appArmorProfile Unconfined"
	if [ "$own" != "$host" ]; then
		TG_ENTRYPOINT_JOINED=1 exec nsenter --cgroup=/proc/2/ns/cgroup -- "$0" "$@" ||
			die "cannot join the host's cgroup namespace (needs CAP_SYS_ADMIN)"
	fi
fi
unset TG_ENTRYPOINT_JOINED
# Refuse to run where the kill would not find its tasks (see above): the
# host's root group must read as / here, not as /.. .
case $(cat /proc/2/cgroup) in
*/..*) die "still in a private cgroup namespace: /proc/2/cgroup reads $(tr '\n' ' ' </proc/2/cgroup)" ;;
esac

# Drop the entrypoint's capabilities from the bounding set: after exec, a
# root process's permitted set is its bounding set. Only the ones present
# are dropped (a pod that grants neither needs no drop, and could not).
capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
drop=""
for c in $extra; do
	case $c in
	sys_admin) bit=21 ;;
	setpcap) bit=8 ;;
	esac
	if [ $(((0x$capbnd >> bit) & 1)) = 1 ]; then
		drop="$drop${drop:+,}-$c"
	fi
done

if [ -n "$pidfile" ] && mkdir -p "$(dirname "$pidfile")" 2>/dev/null; then
	# exec keeps the pid: this shell's pid is the daemon's.
	echo $$ >"$pidfile" || true
fi
if [ -n "$drop" ]; then
	exec setpriv --bounding-set="$drop" --inh-caps=-all -- "$bin" "$@"
fi
exec "$bin" "$@"
