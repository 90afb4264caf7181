# shellcheck shell=bash
# Shared by tests/e2e/act-*.sh: the real daemon on a test scope, acting on
# real cgroups, with its journal entries read back from a private journald.
#
#     . "$(dirname "$0")/act-common.bash"
#     act_init NAME "$@"           # re-execs under with-journal.sh once
#     e2e_setup NAME 120           # (lib.sh) groups, traps, deadline
#     act_node                     # the scope: NAME/node, 512 MiB
#     act_start_daemon --set ...   # waits for READY=1
#     act_check "what" CMD...      # counts a pass or a failure
#     act_summary                  # "NAME: N passed, N failed", exit status
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
ACT_PASS=0
ACT_FAIL=0
ACT_NODE=
ACT_NOTIFY_PID=
ACT_STRACE=

# The MESSAGE_IDs of thrashguard(8).
ACT_MID_ACTED=2b2e42b20e434042acc519a8da2a8e80
ACT_MID_FAILED=55dc518f02c54c738ee4853fab2cd46b
ACT_MID_WOULD_ACT=b0311b043d5847478b98aa97019bcba6
ACT_MID_ALL_PROTECTED=21538a74078046e0b772719ce3221727
ACT_MID_RECOVERED=37e1842b61c442208d57fd1b0c93f3f8

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

act_check() {
	local what=$1
	shift
	if "$@"; then
		ACT_PASS=$((ACT_PASS + 1))
		echo "  ok: $what" >&2
	else
		ACT_FAIL=$((ACT_FAIL + 1))
		echo "  FAIL: $what" >&2
	fi
}

act_fail() {
	ACT_FAIL=$((ACT_FAIL + 1))
	echo "  FAIL: $*" >&2
}

# On a failure, the daemon's log and the journal's messages go to stderr
# (the run's directory is removed at exit).
act_summary() {
	if ((ACT_FAIL > 0)) && [[ -n $E2E_DIR && -d $E2E_DIR ]]; then
		echo "--- daemon log (last 60 lines)" >&2
		tail -n 60 "$E2E_DIR/daemon.log" 2>/dev/null | sed 's/^/  /' >&2
		if act_journal "$E2E_DIR/journal.final.json" 2>/dev/null; then
			echo "--- thrashguard journal entries" >&2
			python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("SYSLOG_IDENTIFIER") == "thrashguard":
        print("  " + e.get("MESSAGE", ""))' "$E2E_DIR/journal.final.json" >&2
		fi
	fi
	echo "$ACT_NAME: $ACT_PASS passed, $ACT_FAIL failed"
	((ACT_FAIL == 0))
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
		act_fail "the daemon did not report READY=1 within 15 s"
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
	local pid=$ACT_DPID rc=0
	[[ -n $pid ]] || return 0
	ACT_DPID=
	kill -TERM "$ACT_PID" 2>/dev/null || true
	if ! e2e_poll 10 eval "! kill -0 $pid 2>/dev/null"; then
		# The daemon too: killing strace alone would leave it running.
		kill -KILL "$ACT_PID" "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
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

# Number of processes in REL (memory hierarchy, REL itself and below).
act_nprocs() {
	local dir n=0 f
	dir=$(e2e_cgpath memory "$1")
	[[ -d $dir ]] || {
		echo 0
		return
	}
	while IFS= read -r -d '' f; do
		n=$((n + $(wc -l <"$f")))
	done < <(find "$dir" -name cgroup.procs -print0 2>/dev/null)
	echo "$n"
}

act_frozen() {
	grep -qx 'frozen 1' "$(e2e_cgpath psi "$1")/cgroup.events"
}

# ---------------------------------------------------------------- journal

# act_journal FILE: the private journal so far, as JSON lines.
act_journal() {
	e2e_journal_dump "$1"
}

# act_entries FILE MESSAGE_ID [FIELD=VALUE...]: prints how many entries of
# FILE have MESSAGE_ID and every FIELD=VALUE given.
act_entries() {
	python3 - "$@" <<'EOF'
import json, sys
path, mid, conds = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
n = 0
for line in open(path):
    e = json.loads(line)
    if e.get("MESSAGE_ID") != mid:
        continue
    if all(e.get(k) == v for k, v in conds):
        n += 1
print(n)
EOF
}

# act_entry_fields FILE MESSAGE_ID CGROUP FIELD...: checks that the first
# entry with MESSAGE_ID about CGROUP has every FIELD, non-empty; prints the
# missing ones and returns 1 if any is.
act_entry_fields() {
	python3 - "$@" <<'EOF'
import json, sys
path, mid, cg, fields = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
for line in open(path):
    e = json.loads(line)
    if e.get("MESSAGE_ID") == mid and e.get("THRASHGUARD_CGROUP") == cg:
        missing = [f for f in fields if not e.get(f)]
        if missing:
            print("missing fields: " + " ".join(missing), file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
print("no entry %s for %s" % (mid, cg), file=sys.stderr)
sys.exit(1)
EOF
}

# act_field FILE MESSAGE_ID CGROUP FIELD: prints FIELD of the first entry
# with MESSAGE_ID about CGROUP (empty if none).
act_field() {
	python3 - "$@" <<'EOF'
import json, sys
path, mid, cg, field = sys.argv[1:5]
for line in open(path):
    e = json.loads(line)
    if e.get("MESSAGE_ID") == mid and e.get("THRASHGUARD_CGROUP") == cg:
        v = e.get(field, "")
        print(v if isinstance(v, str) else "")
        break
EOF
}

# act_wait_entry TIMEOUT_S MESSAGE_ID [FIELD=VALUE...]: waits until the
# journal holds such an entry.
act_wait_entry() {
	local timeout=$1
	shift
	e2e_poll "$timeout" act__has_entry "$@"
}

act__has_entry() {
	local f=$E2E_DIR/journal.poll.json
	act_journal "$f" 2>/dev/null || return 1
	(($(act_entries "$f" "$@") > 0))
}
