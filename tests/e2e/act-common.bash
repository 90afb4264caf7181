# shellcheck shell=bash
# Shared by tests/e2e/act-*.sh: the real daemon on a test scope, acting on
# real cgroups, with its journal entries read back from a private journald.
#
#     . "$(dirname "$0")/act-common.bash"
#     act_init NAME "$@"           # re-execs under with-journal.sh once
#     e2e_setup NAME 120           # (lib.sh) groups, traps, deadline
#     act_node                     # the scope: NAME/node, 512 MiB
#     act_start_daemon --set ...   # waits for READY=1
#     tg_check "what" CMD...       # (lib.sh) counts a pass or a failure
#     act_summary                  # "NAME: N passed, N failed", exit status
#
# The shared pieces (checks, group readers, journal records and queries)
# come from lib.sh and the harness below it (tests/lib/harness.sh); what is
# here is the act tiers' own: the re-exec under a private journald, the
# notify socket, the daemon with READY=1, the thrash, the entries about
# one group.
#
# The daemon's scope is always the test's own node group, never "/".
# Pressure comes from tools/thrasher (anonymous memory near the node's
# limit plus a file streamed through mmap): a real but contained file
# thrash, the only input that makes the real policy act without faking it.

ACT_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ACT_ROOT=$(cd "$ACT_HERE/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$ACT_HERE/lib.sh"

ACT_NAME=
ACT_BIN=
ACT_DPID=    # what was started: the daemon, or strace running it
ACT_PID=     # the daemon itself: signals go here
ACT_NODE=
ACT_NOTIFY_PID=
ACT_STRACE=

# act_init NAME [BINARY]: finds the binary (argument, or build/thrashguard)
# and, the first time, re-runs the calling script under with-journal.sh so
# that its entries go to a private, real journald.
act_init() {
	ACT_NAME=$1
	shift
	ACT_BIN=${1:-$ACT_ROOT/build/thrashguard}
	ACT_BIN=$(realpath -m -- "$ACT_BIN")
	if [[ ! -x $ACT_BIN ]]; then
		echo "$ACT_NAME: no daemon binary at $ACT_BIN (run make)" >&2
		echo "$ACT_NAME: 0 passed, 1 failed"
		exit 1
	fi
	if ((EUID != 0)); then
		echo "$ACT_NAME: needs root (real cgroups, a private journald); CI runs as root" >&2
		echo "$ACT_NAME: 0 passed, 1 failed"
		exit 1
	fi
	if [[ ${TG_JOURNAL_NS:-} != 1 ]]; then
		local out rc=0
		out=$(mktemp /var/tmp/tg-act-journal.XXXXXX)
		"$ACT_HERE/with-journal.sh" --out "$out" "$0" "$ACT_BIN" || rc=$?
		rm -f -- "$out" "$out.tmp"
		if ((rc == 77)); then
			echo "$ACT_NAME: no private journald here (see with-journal.sh)" >&2
			echo "$ACT_NAME: 0 passed, 1 failed"
			exit 1
		fi
		exit "$rc"
	fi
	# `make check` runs these before the tier that builds the tools.
	if [[ ! -x $E2E_TOOLS/thrasher && $E2E_TOOLS == "$ACT_ROOT/build/tools" ]]; then
		make -s -C "$ACT_ROOT" tools >&2 || true
	fi
	[[ -x $E2E_TOOLS/thrasher ]] || {
		echo "$ACT_NAME: $E2E_TOOLS missing: run 'make tools'" >&2
		echo "$ACT_NAME: 0 passed, 1 failed"
		exit 1
	}
}

# A check on stderr (tg_check, tg_fail: lib.sh).
tg_on_check() {
	if [[ $1 == true ]]; then echo "  ok: $3" >&2; else echo "  FAIL: $3" >&2; fi
}

# On a failure, the daemon's log and the journal's messages go to stderr
# (the run's directory is removed at exit).
act_summary() {
	if ((TG_FAIL > 0)) && [[ -n $E2E_DIR && -d $E2E_DIR ]]; then
		echo "--- daemon log (last 60 lines)" >&2
		tail -n 60 "$E2E_DIR/daemon.log" 2>/dev/null | sed 's/^/  /' >&2
		if tg_journal "$E2E_DIR/journal.final.json" 2>/dev/null; then
			echo "--- thrashguard journal entries" >&2
			tg_jmessages "$E2E_DIR/journal.final.json" | sed 's/^/  /' >&2
		fi
	fi
	echo "$ACT_NAME: $TG_PASS passed, $TG_FAIL failed"
	((TG_FAIL == 0))
}

# Where the daemon sees the test's node group ("/tg-e2e-.../node").
act_node() {
	e2e_mkgroup node "${1:-512M}"
	ACT_NODE=/$E2E_NAME/node
}

# act_k8s_container ID: a Kubernetes-shaped container group below the node
# (systemd driver, BestEffort, containerd; container id ID as 64 hex
# digits) so that the identity fields are filled from the path, and the
# names the kubelet leaves in /var/log (pods/, containers/) for it, in this
# test's private mount namespace (with-journal.sh) only. Sets POD, CID,
# VICTIM (relative to the test's group): namespace shop, pod cart-7f9,
# container cart.
act_k8s_container() {
	POD=node/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice
	CID=$(printf '%064x' "$1")
	VICTIM=$POD/cri-containerd-$CID.scope
	e2e_mkgroup "$VICTIM"
	[[ ${TG_JOURNAL_NS:-} == 1 ]] || e2e_die "not in the private mount namespace"
	mount -t tmpfs -o size=1m,mode=0755 tmpfs /var/log || e2e_die "cannot mount a tmpfs on /var/log"
	# As the kubelet writes them: the container's log in its pod's
	# directory, and a link to it named after the pod, namespace,
	# container and id.
	local podlog=/var/log/pods/shop_cart-7f9_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/cart
	mkdir -p "$podlog" /var/log/containers
	: >"$podlog/0.log"
	ln -s "$podlog/0.log" "/var/log/containers/cart-7f9_shop_cart-$CID.log"
}

# A datagram socket standing in for systemd's NOTIFY_SOCKET: every message
# the daemon sends (READY=1, STATUS=, WATCHDOG=1, ...) is appended to
# $E2E_DIR/notify.log, one per line with its newlines as '|'.
act_notify_listen() {
	rm -f "$E2E_DIR/notify.sock"
	python3 - "$E2E_DIR/notify.sock" "$E2E_DIR/notify.log" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(65536).decode(errors="replace").replace("\n", "|") + "\n")
EOF
	ACT_NOTIFY_PID=$!
	e2e_on_cleanup kill "$ACT_NOTIFY_PID"
	e2e_poll 5 test -S "$E2E_DIR/notify.sock" || e2e_die "notify listener did not start"
}

# act_start_daemon [ARG...]: starts `thrashguard run -v` on the node scope
# with ARGs (more --set, -c FILE, --dry-run), stderr to
# $E2E_DIR/daemon.log, and waits for READY=1. ACT_STRACE=FILE runs it under
# `strace -f -c`. A watchdog of 4 s is requested so that WATCHDOG=1 flows.
act_start_daemon() {
	local -a cmd=("$ACT_BIN" run -v --runtime-dir "$E2E_DIR/run" "$@")
	[[ -n $ACT_NOTIFY_PID ]] || act_notify_listen
	: >"$E2E_DIR/notify.log"
	if [[ -n $ACT_STRACE ]]; then
		cmd=(strace -f -c -o "$ACT_STRACE" "${cmd[@]}")
	fi
	NOTIFY_SOCKET=$E2E_DIR/notify.sock WATCHDOG_USEC=4000000 \
		"${cmd[@]}" >>"$E2E_DIR/daemon.log" 2>&1 &
	ACT_DPID=$!
	ACT_PID=$ACT_DPID
	e2e_on_cleanup act_stop_daemon
	if [[ -n $ACT_STRACE ]]; then
		e2e_poll 10 act__traced_child || e2e_die "strace did not start the daemon"
	fi
	if ! e2e_poll 15 grep -q 'READY=1' "$E2E_DIR/notify.log"; then
		tg_fail "the daemon did not report READY=1 within 15 s"
		sed 's/^/  daemon: /' "$E2E_DIR/daemon.log" >&2
		return 1
	fi
}

# Under strace, the daemon is strace's only child (found by its parent pid
# in /proc/PID/stat).
act__traced_child() {
	local f st ppid
	for f in /proc/[0-9]*/stat; do
		st=$(<"$f") 2>/dev/null || continue
		st=${st##*) }
		read -r _ ppid _ <<<"$st"
		if [[ $ppid == "$ACT_DPID" ]]; then
			f=${f#/proc/}
			ACT_PID=${f%/stat}
			return 0
		fi
	done
	return 1
}

# Stops the daemon with SIGTERM and returns its exit status (KILL after
# 10 s: 137).
act_stop_daemon() {
	local pid=$ACT_DPID
	[[ -n $pid ]] || return 0
	ACT_DPID=
	# The daemon gets the signals (SIGKILL goes to strace too).
	tg_stop_job "$pid" 10 "$ACT_PID"
	return "$TG_RC"
}

act_daemon_alive() {
	[[ -n $ACT_DPID ]] && kill -0 "$ACT_PID" 2>/dev/null
}

# act_thrash REL [ANON_MIB] [PROCS] [DURATION_S]: a file thrash in REL (a
# group below the 512 MiB node): anonymous memory near the node's limit and
# a 300 MiB file streamed through mmap.
act_thrash() {
	local rel=$1 anon=${2:-380} procs=${3:-2} dur=${4:-60}
	e2e_run "$rel" -- "$E2E_TOOLS/thrasher" --anon "$anon" --file "$E2E_DIR/thrash-${rel//\//_}.dat" \
		--file-size 300 --procs "$procs" --duration "$dur" 2>>"$E2E_DIR/workload.log"
}

# ---------------------------------------------------------------- journal

# The entries of the act tiers, by MESSAGE_ID and about one group: the
# harness's record queries (lib.sh's tg_jcount, tg_jget, tg_wait_entry).
# act_entries FILE MESSAGE_ID [FIELD=VALUE...]: how many entries match.
act_entries() { tg_jcount "$1" "MESSAGE_ID=$2" "${@:3}"; }

# act_field FILE MESSAGE_ID CGROUP FIELD: FIELD of the first entry with
# MESSAGE_ID about CGROUP (empty if none).
act_field() { tg_jget "$1" "$4" "MESSAGE_ID=$2" "THRASHGUARD_CGROUP=$3"; }

# act_entry_fields FILE MESSAGE_ID CGROUP FIELD...: the first entry with
# MESSAGE_ID about CGROUP has every FIELD, non-empty; says which are
# missing and returns 1 if any is.
act_entry_fields() {
	local f missing=()
	(($(act_entries "$1" "$2" "THRASHGUARD_CGROUP=$3") > 0)) || {
		echo "no entry $2 for $3" >&2
		return 1
	}
	for f in "${@:4}"; do
		[[ -n $(act_field "$1" "$2" "$3" "$f") ]] || missing+=("$f")
	done
	((${#missing[@]} == 0)) || {
		echo "missing fields: ${missing[*]}" >&2
		return 1
	}
}

# act_wait_entry TIMEOUT_S MESSAGE_ID [FIELD=VALUE...]: waits until the
# journal holds such an entry.
act_wait_entry() { tg_wait_entry "$1" "MESSAGE_ID=$2" "${@:3}"; }
