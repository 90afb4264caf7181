#!/bin/bash
# The VM tier: runs scenarios on a pure cgroup v2 kernel inside QEMU (software
# emulation, no KVM needed), one fresh VM per scenario.
#
#   tests/vm/run.sh [--bin build/thrashguard] [--tools build/tools]
#                   [--scenario NAME]... [--timeout SECONDS] [--append 'tg.k=v ...']
#                   [--accel tcg|kvm] [-v]
#
# Without --scenario, every tests/vm/scenarios/*.sh runs.  Per scenario:
# build/vm/NAME.log (the whole console), build/vm/results/NAME.json (the
# TGRESULT objects, plus a "host" object with timings), one verdict line; the
# last line is "vm: N passed, N failed".  Exit status non-zero if any failed.
# The only skip is when QEMU cannot be had at all (it is installed when
# missing); a scenario may also skip itself (TGDONE rc=77), which counts as
# neither passed nor failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
bin=build/thrashguard tools=build/tools timeout=150 accel=tcg verbose=0 extra=
scenarios=()
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	--scenario) scenarios+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) extra="$extra $2"; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ ${#scenarios[@]} = 0 ]; then
	for f in tests/vm/scenarios/*.sh; do
		n=${f##*/}
		scenarios+=("${n%.sh}")
	done
fi
for s in "${scenarios[@]}"; do
	[ -f "tests/vm/scenarios/$s.sh" ] || { echo "run.sh: no scenario tests/vm/scenarios/$s.sh" >&2; exit 2; }
done

vm=build/vm
mkdir -p "$vm/results" "$vm/tmp"
# QEMU puts the snapshot=on overlay of the data disk in TMPDIR
export TMPDIR=$PWD/$vm/tmp

# ---- packages --------------------------------------------------------------
# qemu-system-x86, busybox-static, cpio, gcc/libc6-dev (static vmload),
# python3 (result parsing).  A failure here is not fatal by itself: what is
# really missing is checked below.
scripts/deps.sh vm || echo "run.sh: scripts/deps.sh vm failed; going on with what is installed" >&2
# mke2fs (e2fsprogs, priority "required" on Debian, so normally present)
# builds the data disk.
if ! command -v mke2fs >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends e2fsprogs >/dev/null || true
fi

qemu=$(command -v qemu-system-x86_64 || true)
if [ -z "$qemu" ] || ! "$qemu" -version >/dev/null 2>&1; then
	echo "SKIP: vm: qemu-system-x86_64 is not available (not installed after scripts/deps.sh vm, or does not run); no VM scenario ran"
	echo "vm: 0 passed, 0 failed"
	exit 0
fi
# Anything else missing, or a failed preparation, fails every scenario.
prep_failed() {
	echo "run.sh: $*" >&2
	echo "vm: 0 passed, ${#scenarios[@]} failed"
	exit 1
}
for t in busybox cpio gzip python3 mke2fs timeout "${CC:-cc}"; do
	command -v "$t" >/dev/null 2>&1 || prep_failed "$t is missing"
done

# ---- kernel, data disk, initramfs -------------------------------------------
t_prep=$EPOCHREALTIME
tests/vm/kernel.sh --out "$vm" || prep_failed "could not obtain the kernel (tests/vm/kernel.sh)"

# The data disk: ext4 (no journal, no metadata checksums: fewer modules, no
# crc32c) holding big.dat, 300 MiB of non-zero data (zero blocks would be
# stored as holes, and reading a hole does no I/O).  Built once with
# `mke2fs -d` (no root, no loop mount) and attached with snapshot=on: the
# guest may write (thrasher opens its file read-write) but writes go to a
# temporary overlay that QEMU drops at exit, so the image never changes and
# concurrent runs can share it.
disk=$vm/data.img
disk_stamp="v1 big.dat 300MiB ext4"
if [ ! -s "$disk" ] || [ "$(cat "$disk.stamp" 2>/dev/null)" != "$disk_stamp" ]; then
	echo "run.sh: building $disk" >&2
	rm -rf "$vm/data.d" "$disk" "$disk.stamp"
	mkdir -p "$vm/data.d"
	# (process substitution: `yes` dies of SIGPIPE, which pipefail would report)
	head -c $((300 << 20)) < <(yes 'thrashguard VM data disk: a file for page-cache thrash') >"$vm/data.d/big.dat"
	mke2fs -q -F -t ext4 -O ^has_journal,^metadata_csum -L tgdata -d "$vm/data.d" "$disk.tmp" 400M ||
		prep_failed "mke2fs could not build the data disk"
	rm -rf "$vm/data.d"
	mv "$disk.tmp" "$disk"
	echo "$disk_stamp" >"$disk.stamp"
fi

tests/vm/mkinitramfs.sh --bin "$bin" --tools "$tools" --kernel "$vm/kernel" --out "$vm/initramfs.cpio.gz" ||
	prep_failed "could not build the initramfs (tests/vm/mkinitramfs.sh)"
awk -v k="$(cat "$vm/kernel/release")" -v a="$t_prep" -v b="$EPOCHREALTIME" \
	'BEGIN { printf "vm: kernel %s, data disk and initramfs ready in %.1fs\n", k, b - a }'

# ---- host-side confinement ---------------------------------------------------
# The guest cannot use more than -m, but QEMU itself (guest RAM + TCG
# translation cache + devices) is a large process: following the test
# safety rules, it runs in a memory group of our own, limited to 2 GiB,
# removed on exit.  v1 memory controller (hybrid hosts such as CI) or v2 when
# the root delegates memory; otherwise it runs unconfined, said once.
hostcg=
vm_pidfile=$vm/qemu.$$.pid
cleanup() {
	if [ -s "$vm_pidfile" ]; then
		kill "$(cat "$vm_pidfile")" 2>/dev/null || true
		rm -f "$vm_pidfile"
	fi
	if [ -n "$hostcg" ] && [ -d "$hostcg" ]; then
		# Interrupted: end what is still in our own group (timeout, QEMU),
		# by pid, then remove the group.
		local p i
		for p in $(cat "$hostcg/cgroup.procs" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -n "$(cat "$hostcg/cgroup.procs" 2>/dev/null)" ] || break
			sleep 0.5
		done
		rmdir "$hostcg" 2>/dev/null || echo "run.sh: could not remove $hostcg" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$(id -u)" = 0 ]; then
	name=thrashguard-vm-$$
	if [ -w /sys/fs/cgroup/memory/cgroup.procs ] && mkdir "/sys/fs/cgroup/memory/$name" 2>/dev/null; then
		hostcg=/sys/fs/cgroup/memory/$name
		echo $((2 << 30)) >"$hostcg/memory.limit_in_bytes"
	elif grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null && mkdir "/sys/fs/cgroup/$name" 2>/dev/null; then
		hostcg=/sys/fs/cgroup/$name
		echo $((2 << 30)) >"$hostcg/memory.max"
	fi
fi
[ -n "$hostcg" ] || echo "run.sh: note: QEMU runs without a host memory group (no writable memory controller)" >&2

# ---- one VM per scenario -----------------------------------------------------
# -accel tcg: software emulation, works without /dev/kvm; tb-size bounds the
# translation cache (the default reserves 1 GiB).  +rdrand: the kernel's
# random pool is then ready at boot; otherwise the first read of /dev/urandom
# (mkswap's UUID, later the daemon's libraries) waits about 1 s for jitter
# entropy under emulation.
# The data disk is always attached (unused by a scenario that does not load
# virtio_blk; costs nothing measurable).
run_vm() {
	local name=$1 log=$2 host_t=$3 append
	append="console=ttyS0 panic=-1 cgroup_no_v1=all quiet tg.scenario=$name tg.timeout=$timeout$extra"
	local accel_opt="$accel" kern=$vm/kernel/vmlinuz
	[ "$accel" = tcg ] && accel_opt="tcg,tb-size=256"
	# the uncompressed kernel boots via PVH, skipping 5 s of decompression
	[ -s "$vm/kernel/vmlinux" ] && kern=$vm/kernel/vmlinux
	# The wrapper joins the host group (if any) and leaves its pid, which
	# becomes timeout's, for cleanup: timeout passes a TERM on to QEMU.
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$2"; [ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 125; shift 2; exec "$@"' \
		run_vm "$hostcg" "$vm_pidfile" \
		timeout -k 10 $((timeout + 60)) "$qemu" -accel "$accel_opt" -cpu qemu64,+rdrand -smp 2 -m 1024 \
		-nographic -no-reboot -net none \
		-kernel "$kern" -initrd "$vm/initramfs.cpio.gz" -append "$append" \
		-drive "file=$disk,if=virtio,format=raw,snapshot=on" </dev/null 2>&1 |
		{
			# Timestamp arrival of TGBOOT (host view of "start to /init").
			local start=$EPOCHREALTIME line
			: >"$log"
			while IFS= read -r line || [ -n "$line" ]; do
				line=${line%$'\r'}
				printf '%s\n' "$line" >>"$log"
				case "$line" in
				*TGBOOT*) echo "boot $start $EPOCHREALTIME" >"$host_t" ;;
				esac
				if [ "$verbose" = 1 ]; then
					case "$line" in TGDMESG*) ;; *) printf '  %s| %s\n' "$name" "$line" ;; esac
				fi
			done
		}
	return "${PIPESTATUS[0]}"
}

passed=0 failed=0 skipped=0
for name in "${scenarios[@]}"; do
	log=$vm/$name.log json=$vm/results/$name.json host_t=$vm/$name.host
	rm -f "$host_t"
	t0=$EPOCHREALTIME
	qrc=0
	# In the background and waited for: bash runs the INT/TERM trap only
	# once a foreground job ends, but interrupts `wait` at once.
	run_vm "$name" "$log" "$host_t" &
	wait $! || qrc=$?
	t1=$EPOCHREALTIME
	rm -f "$vm_pidfile" # that pid is gone; never kill a reused one later
	# Parse and check the console: TGRESULT lines must be valid JSON objects,
	# TGDONE decides, a check with ok=false fails even if TGDONE says 0.
	verdict=$(python3 - "$name" "$log" "$json" "$host_t" "$t0" "$t1" "$qrc" "$timeout" <<'EOF'
import json, re, sys
name, log, out, host_t, t0, t1, qrc, tmo = sys.argv[1:]
results, bad, done, boot_uptime = [], [], None, None
for line in open(log, errors="replace"):
    # a TGRESULT line that is not one whole JSON object (cut by a newline
    # in a value, or by console noise) is an error, never silently dropped
    if "TGRESULT" in line:
        m = re.search(r"TGRESULT (\{.*\})\s*$", line)
        try:
            obj = json.loads(m.group(1)) if m else None
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            results.append(obj)
        else:
            bad.append(line.strip()[:200])
    m = re.search(r"TGDONE rc=(\d+)", line)
    if m:
        done = int(m.group(1))
    m = re.search(r"TGBOOT uptime=([\d.]+)", line)
    if m:
        boot_uptime = float(m.group(1))
host = {"type": "host", "scenario": name, "qemu_rc": int(qrc), "wall_s": round(float(t1) - float(t0), 2),
        "guest_uptime_at_init_s": boot_uptime, "tgdone_rc": done}
try:
    _, start, seen = open(host_t).read().split()
    host["host_start_to_init_s"] = round(float(seen) - float(start), 2)
except (OSError, ValueError):
    pass
for r in results:
    if r.get("type") == "timing" and "scenario_s" in r:
        host["scenario_s"] = r["scenario_s"]
failed_checks = [r.get("name", "?") for r in results if r.get("type") == "check" and r.get("ok") is not True]
results.append(host)
with open(out, "w") as f:
    json.dump(results, f, indent=1)
    f.write("\n")
why = []
if done is None:
    why.append("no TGDONE (%s)" % ("host timeout" if int(qrc) == 124 else "qemu rc=%s" % qrc))
elif done == 124:
    why.append("VM deadline of %ss reached" % tmo)
elif done not in (0, 77):
    why.append("TGDONE rc=%d" % done)
if failed_checks:
    why.append("failed checks: " + ", ".join(failed_checks))
if bad:
    why.append("%d unparsable TGRESULT line(s)" % len(bad))
status = "FAIL" if why else ("SKIP" if done == 77 else "PASS")
times = "boot %ss, scenario %ss, total %ss" % (host.get("host_start_to_init_s", "?"), host.get("scenario_s", "?"), host["wall_s"])
print(status, times + ("; " + "; ".join(why) if why else ""))
EOF
	) || verdict="FAIL result parser failed"
	status=${verdict%% *}
	echo "vm: $name $status (${verdict#* })"
	case "$status" in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*)
		failed=$((failed + 1))
		echo "vm: $name: console in $log; last lines:"
		grep -v '^TGDMESG' "$log" | tail -n 15 | sed 's/^/    /'
		;;
	esac
	rm -f "$host_t"
done

[ "$skipped" = 0 ] || echo "vm: $skipped skipped (the scenario skipped itself)"
echo "vm: $passed passed, $failed failed"
[ "$failed" = 0 ]
