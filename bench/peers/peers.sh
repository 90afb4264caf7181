# shellcheck shell=bash
# How the benchmarks run each peer tool: command lines, configuration, the
# line that says it is ready, its version.  Sourced by bench/thrash.sh and
# bench/idle.sh.  Why each setting is what it is: bench/peers/README.md.
#
#   peer_prepare TOOL DIR PSI_FILE   writes what TOOL needs into DIR
#   peer_argv TOOL DIR PSI_FILE      TOOL's command line, NUL-separated
#   peer_ready TOOL LOG              waits (10 s) for TOOL's start-up line
#   peer_settle_s TOOL               its start-up time before the scenario
#   peer_version TOOL                one line
#
# TOOL: earlyoom, nohang, nohang-psi, naive.  PSI_FILE is the
# memory.pressure of the scope the tool is meant to guard (the node group on
# the host).  Every peer runs inside a PID namespace holding only the
# scenario (bench/peers/ns-init.sh): never start one of these command lines
# bare.  (naive kills by cgroup.kill, not by pid: what confines it is its
# own refusal of any scope but a test scope, naive.sh.)

PEER_EARLYOOM=${PEER_EARLYOOM:-/usr/bin/earlyoom}
PEER_NOHANG=${PEER_NOHANG:-/usr/sbin/nohang}
PEER_NOHANG_CONF=${PEER_NOHANG_CONF:-/etc/nohang/nohang.conf}
# nohang's own interpreter (its #! line), not whatever python3 is first in PATH.
PEER_PYTHON=${PEER_PYTHON:-/usr/bin/python3}
PEER_NAIVE=${PEER_NAIVE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/naive.sh}

# Debian's /etc/default/earlyoom: EARLYOOM_ARGS="-r 3600" (a memory report
# every hour instead of every second); everything else is earlyoom's
# default: SIGTERM at MemAvailable <= 10 % and SwapFree <= 10 %, SIGKILL at
# 5 %.
PEER_EARLYOOM_ARGS=(-r 3600)

# peer__conf_set FILE KEY VALUE: one "KEY = VALUE" line of nohang.conf,
# which must exist exactly once.
peer__conf_set() {
	local f=$1 k=$2 v=$3 n
	n=$(grep -cE "^${k}[[:space:]]*=" "$f")
	[[ $n == 1 ]] || { echo "peers.sh: $k appears $n times in $f" >&2; return 1; }
	sed -i -E "s|^($k)[[:space:]]*=.*|\\1 = $v|" "$f"
}

peer_prepare() {
	local tool=$1 dir=$2 psi=$3 conf
	case $tool in
	earlyoom) [[ -x $PEER_EARLYOOM ]] || { echo "peers.sh: no $PEER_EARLYOOM" >&2; return 1; } ;;
	nohang | nohang-psi)
		[[ -r $PEER_NOHANG && -r $PEER_NOHANG_CONF ]] || { echo "peers.sh: no $PEER_NOHANG or $PEER_NOHANG_CONF" >&2; return 1; }
		conf=$dir/$tool.conf
		# The packaged configuration (what `systemctl enable nohang` runs),
		# with PSI checking switched on and pointed at the scope: nohang's
		# own way of guarding one cgroup's pressure.
		cp "$PEER_NOHANG_CONF" "$conf"
		peer__conf_set "$conf" psi_checking_enabled True || return 1
		peer__conf_set "$conf" psi_path "$psi" || return 1
		if [[ $tool == nohang-psi ]]; then
			# The thresholds of thrashguard's shortage rule (full 10 %,
			# held 2 s), in nohang's terms; SIGTERM at the soft threshold,
			# SIGKILL max_soft_exit_time (10 s) later if the victim lives.
			peer__conf_set "$conf" soft_threshold_max_psi 10 || return 1
			peer__conf_set "$conf" psi_excess_duration 2 || return 1
			peer_nohang_psi_bin "$dir/nohang-psi" || return 1
		fi
		# PEER_NOHANG_DEBUG=1: its PSI readings in the log (diagnosis only).
		if [[ ${PEER_NOHANG_DEBUG:-0} == 1 ]]; then
			peer__conf_set "$conf" debug_psi True || return 1
		fi
		;;
	naive) [[ -r $PEER_NAIVE ]] && peer_naive_scope "$psi" >/dev/null || return 1 ;;
	*) echo "peers.sh: unknown tool '$tool'" >&2; return 1 ;;
	esac
}

# peer_naive_scope PSI_FILE: the cgroup path naive.sh takes, from the
# scope's memory.pressure in the unified (hybrid) or the v2 hierarchy.
peer_naive_scope() {
	local s=${1%/memory.pressure}
	case $s in
	/sys/fs/cgroup/unified/*) s=${s#/sys/fs/cgroup/unified} ;;
	/sys/fs/cgroup/*) s=${s#/sys/fs/cgroup} ;;
	*) echo "peers.sh: '$1' is not a memory.pressure under /sys/fs/cgroup" >&2; return 1 ;;
	esac
	echo "$s"
}

# peer_nohang_psi_bin FILE: a copy of nohang whose PSI rule stands alone.
# Stock nohang's check_psi_ex() (1) does not read PSI at all unless the
# machine has swap and MemAvailable is below a warning/soft/hard threshold,
# and (2) counts the PSI excess time only while MemAvailable is below the
# soft (hard) memory threshold too.  MemAvailable is the whole machine's,
# so on a node scope neither ever holds.  The copy treats both memory
# conditions as met and ignores the missing swap; nothing else changes.
# Fails if the packaged script no longer has the lines it replaces.
peer_nohang_psi_bin() {
	local out=$1
	python3 - "$PEER_NOHANG" "$out" <<'EOF' || return 1
import sys
src, dst = sys.argv[1], sys.argv[2]
s = open(src).read()
old = ("    if not (ma_warning_threshold_exceded or ma_soft_threshold_exceded or\n"
       "            ma_hard_threshold_exceded) or swap_total == 0:\n")
new = ("    # thrashguard bench: PSI alone (MemAvailable and swap gates removed)\n"
       "    ma_hard_threshold_exceded = ma_soft_threshold_exceded = True\n"
       "    if False:\n")
if s.count(old) != 1:
    sys.exit("peers.sh: the PSI gate of %s is not where it was expected" % src)
open(dst, "w").write(s.replace(old, new))
EOF
	chmod 755 "$out"
}

peer_argv() {
	local tool=$1 dir=$2 psi=${3:-}
	case $tool in
	naive) printf '%s\0' /bin/sh "$PEER_NAIVE" "$(peer_naive_scope "$psi")" ;;
	earlyoom) printf '%s\0' "$PEER_EARLYOOM" "${PEER_EARLYOOM_ARGS[@]}" ;;
	# nohang.service: `nohang --monitor --config /etc/nohang/nohang.conf`.
	# Unbuffered: its log lines must reach tslog.py when they are written.
	nohang) printf '%s\0' env PYTHONUNBUFFERED=1 "$PEER_PYTHON" "$PEER_NOHANG" --monitor --config "$dir/nohang.conf" ;;
	nohang-psi) printf '%s\0' env PYTHONUNBUFFERED=1 "$PEER_PYTHON" "$dir/nohang-psi" --monitor --config "$dir/nohang-psi.conf" ;;
	*) return 1 ;;
	esac
}

peer_ready() {
	local tool=$1 log=$2 pat
	case $tool in
	earlyoom) pat='SIGKILL when mem' ;;
	nohang | nohang-psi) pat='Monitoring has started' ;;
	naive) pat='naive: watching' ;;
	*) return 0 ;;
	esac
	e2e_poll 10 grep -q "$pat" "$log"
}

# peer_settle_s TOOL: how long the tool runs before the scenario starts.
# nohang holds every PSI action for psi_post_action_delay (15 s) after its
# own start as if it had just acted; on a real node it has been running
# for days, so it gets that long first.  The others need a moment.
peer_settle_s() {
	case $1 in
	nohang | nohang-psi) echo 16 ;;
	*) echo 1 ;;
	esac
}

peer_version() {
	case $1 in
	earlyoom) "$PEER_EARLYOOM" -v 2>&1 | head -n1 ;;
	nohang | nohang-psi)
		# `nohang --version` prints "nohang unknown version" for Debian's
		# package (it looks for a version file upstream's installer writes).
		echo "nohang $(dpkg-query -W -f='${Version}' nohang 2>/dev/null || echo '?') (Debian package; --version: $("$PEER_PYTHON" -W ignore "$PEER_NOHANG" --version 2>/dev/null | head -n1))" ;;
	naive) echo "naive.sh (bench/peers/, sha256 $(sha256sum "$PEER_NAIVE" | cut -c1-12))" ;;
	*) return 1 ;;
	esac
}
