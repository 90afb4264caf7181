#!/bin/bash
# The VM tier: runs scenarios on a pure cgroup v2 kernel inside QEMU (software
# emulation, no KVM needed).
#
#   tests/vm/run.sh [--bin build/thrashguard] [--tools build/tools]
#                   [--scenario NAME]... [--scenario-file PATH]...
#                   [--scenario-as NAME PATH 'tg.k=v ...']...
#                   [--timeout SECONDS] [--append 'tg.k=v ...'] [--one-boot-each]
#                   [--accel tcg|kvm] [--node] [-v]
#
# Two machines, one harness (lib-vm.sh, runner.sh, boot-common.sh, the
# console protocol, verdict.py): the busybox VM (an initramfs, init.sh) and,
# with --node, the systemd node (Debian 12 with systemd as PID 1, the real
# unit, Podman: tests/vm/node/, its image built and cached by
# tests/vm/node/mkimage.sh).  A scenario file says where it runs with
# VM_WHERE ("busybox", the default, or "node", or both); a run takes the
# scenarios of its machine.  When the node's image cannot be built, --node
# skips (SKIP: line, exit 0) unless CI=true, where that fails.
#
# Without --scenario/--scenario-file, every tests/vm/scenarios/*.sh runs
# except those marked VM_DEFAULT=0 (run only when named).  --scenario-file
# takes a scenario from anywhere (e.g. bench/vm/x.sh; named by its basename);
# --scenario-as runs PATH under NAME with its own words for the kernel
# command line of its boot (the same file several times with different
# settings, e.g. bench/node.sh's runs: each in a boot of its own when the
# file says VM_OWN_BOOT=1; a shared boot gets the words of all of its
# scenarios).
# Scenarios share one boot (they run one after the other, each with its own
# deadline, VM_TIMEOUT in the file or --timeout, and each cleaning up), except
# those marked VM_OWN_BOOT=1 (pressure that may stall the whole VM), which get
# a VM of their own; --one-boot-each gives every scenario its own.  A
# scenario that never started because the VM died or stalled before it is
# run again, once, in a fresh boot.
# Per scenario: build/vm/NAME.log (its part of the console), build/vm/
# results/NAME.json (its TGRESULT objects and a "host" object with timings),
# build/vm/NAME.daemon.log (the daemon's stderr, stamped) and one verdict
# line; the whole console of each boot is build/vm/boot.FIRST.log.  The last
# line is "vm: N passed, N failed".  Exit status non-zero if any failed.
# The only skip is when QEMU cannot be had at all (it is installed when
# missing); a scenario may also skip itself (rc 77), which counts as neither
# passed nor failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
bin=build/thrashguard tools=build/tools timeout=120 accel=tcg verbose=0 extra= one_each=0 node=0
names=() files=() appends=() explicit=0
add_scenario() { # NAME FILE [APPEND]
	local i
	for i in "${!names[@]}"; do
		[ "${names[$i]}" != "$1" ] && continue
		[ "${files[$i]}" = "$2" ] && [ "${appends[$i]}" = "${3:-}" ] && return 0
		echo "run.sh: two scenarios named $1: ${files[$i]} and $2" >&2
		exit 2
	done
	names+=("$1")
	files+=("$2")
	appends+=("${3:-}")
}
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	--scenario)
		[ -f "tests/vm/scenarios/$2.sh" ] || { echo "run.sh: no scenario tests/vm/scenarios/$2.sh" >&2; exit 2; }
		add_scenario "$2" "tests/vm/scenarios/$2.sh"; explicit=1; shift 2 ;;
	--scenario-file)
		[ -f "$2" ] || { echo "run.sh: no scenario file $2" >&2; exit 2; }
		n=${2##*/}; add_scenario "${n%.sh}" "$2"; explicit=1; shift 2 ;;
	--scenario-as)
		[ $# -ge 4 ] || { echo "run.sh: --scenario-as NAME PATH 'tg.k=v ...'" >&2; exit 2; }
		[ -f "$3" ] || { echo "run.sh: no scenario file $3" >&2; exit 2; }
		add_scenario "$2" "$3" "$4"; explicit=1; shift 4 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) extra="$extra $2"; shift 2 ;;
	--one-boot-each) one_each=1; shift ;;
	--accel) accel=$2; shift 2 ;;
	--node) node=1; shift ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
# VAR FILE: the value of a top-level VAR=... line of a scenario file
scen_var() {
	sed -n "s/^$1=\([^ #]*\).*/\1/p" "$2" | head -n 1 | tr -d "\"'"
}
# where a scenario file runs: VM_WHERE="busybox node" (words), default busybox
where_ok() { # FILE
	local w
	w=$(sed -n 's/^VM_WHERE=//p' "$1" | head -n 1 | tr -d "\"'")
	case " ${w:-busybox} " in *" $machine "*) return 0 ;; esac
	return 1
}
machine=busybox label=vm
[ "$node" = 1 ] && machine=node label=vm-node
if [ "$explicit" = 0 ]; then
	for f in tests/vm/scenarios/*.sh; do
		[ "$(scen_var VM_DEFAULT "$f")" = 0 ] && continue
		where_ok "$f" || continue
		n=${f##*/}
		add_scenario "${n%.sh}" "$f"
	done
fi
for i in "${!names[@]}"; do
	case "${names[$i]}" in
	*[!A-Za-z0-9_-]*) echo "run.sh: scenario name '${names[$i]}': letters, digits, - and _ only" >&2; exit 2 ;;
	esac
	where_ok "${files[$i]}" || { echo "run.sh: scenario ${names[$i]} does not run on the $machine machine (VM_WHERE)" >&2; exit 2; }
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
	echo "SKIP: $label: qemu-system-x86_64 is not available (not installed after scripts/deps.sh vm, or does not run); no VM scenario ran"
	echo "$label: 0 passed, 0 failed"
	exit 0
fi
# Anything else missing, or a failed preparation, fails every scenario.
prep_failed() {
	echo "run.sh: $*" >&2
	echo "$label: 0 passed, ${#names[@]} failed"
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

# This run's own initramfs (concurrent runs, e.g. the bench's, must not
# overwrite each other's), removed at exit.
initrd=$vm/initramfs.$$.cpio.gz
initrd_work=$vm/initramfs.$$.d
trap 'rm -rf "$initrd" "$initrd_work"' EXIT
scen_args=()
# a scenario run under a name of its own (--scenario-as) is staged as NAME.sh
scen_stage=$vm/scenarios.$$
rm -rf "$scen_stage"
for i in "${!names[@]}"; do
	f=${files[$i]}
	if [ "${f##*/}" != "${names[$i]}.sh" ]; then
		mkdir -p "$scen_stage"
		cp "$f" "$scen_stage/${names[$i]}.sh"
		f=$scen_stage/${names[$i]}.sh
	fi
	scen_args+=(--scenario "$f")
done
tests/vm/mkinitramfs.sh --bin "$bin" --tools "$tools" --kernel "$vm/kernel" --out "$initrd" \
	--work "$initrd_work" "${scen_args[@]}" || prep_failed "could not build the initramfs (tests/vm/mkinitramfs.sh)"
rm -rf "$initrd_work"
if [ "$node" = 1 ]; then
	# The systemd node: its image (built and cached by mkimage.sh: the
	# base only when its package list changes, the image when the
	# project's installed files do), and this run's run disk: the
	# initramfs tree (the harness, the scenarios, the tools) as a small
	# ext4 image, with the node's own init.
	rm -f "$initrd"
	node_skip() {
		if [ "${CI:-}" = true ]; then prep_failed "the systemd node's image cannot be built: $*"; fi
		echo "SKIP: $label: the systemd node's image cannot be built here ($*); no node scenario ran"
		echo "$label: 0 passed, 0 failed"
		exit 0
	}
	[ "$(id -u)" = 0 ] || node_skip "building it needs root"
	scripts/deps.sh node || node_skip "scripts/deps.sh node failed"
	t_img=$EPOCHREALTIME
	tests/vm/node/mkimage.sh --out build/node --tools "$tools" || node_skip "tests/vm/node/mkimage.sh failed"
	awk -v a="$t_img" -v b="$EPOCHREALTIME" -v s="$(du -m build/node/node.img | cut -f1)" \
		'BEGIN { printf "vm-node: image build/node/node.img (%s MiB allocated) ready in %.1fs\n", s, b - a }'
	runimg=$vm/run.$$.img
	tests/vm/mkinitramfs.sh --bin "$bin" --tools "$tools" --kernel "$vm/kernel" --tree-only \
		--work "$initrd_work" "${scen_args[@]}" || prep_failed "could not stage the run disk (tests/vm/mkinitramfs.sh)"
	cp tests/vm/node/init.sh "$initrd_work/tg/node-init.sh"
	mke2fs -q -F -t ext4 -O ^has_journal -L tgrun -d "$initrd_work" "$runimg" \
		$(($(du -sm "$initrd_work" | cut -f1) * 2 + 16))M || prep_failed "mke2fs could not build the run disk"
	rm -rf "$initrd_work"
	trap 'rm -rf "$initrd" "$initrd_work" "$runimg" "$scen_stage"' EXIT
fi
rm -rf "$scen_stage"
awk -v k="$(cat "$vm/kernel/release")" -v a="$t_prep" -v b="$EPOCHREALTIME" -v l="$label" \
	'BEGIN { printf "%s: kernel %s, data disk and initramfs ready in %.1fs\n", l, k, b - a }'

# The guest's memory: 1 GiB, or a scenario's VM_MEM (MiB) if larger; a boot
# gets the largest of its scenarios'.
mem_of() { # NAME
	local i m=1024 v
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = "$1" ] || continue
		v=$(scen_var VM_MEM "${files[$i]}")
		[ -n "$v" ] && [ "$v" -gt "$m" ] && m=$v
	done
	echo "$m"
}
max_mem=1024
for n in "${names[@]}"; do
	m=$(mem_of "$n")
	[ "$m" -gt "$max_mem" ] && max_mem=$m
done

# ---- host-side confinement ---------------------------------------------------
# The guest cannot use more than -m, but QEMU itself (guest RAM + TCG
# translation cache + devices) is a large process: following the test
# safety rules, it runs in a memory group of our own, limited to 2 GiB,
# removed on exit.  v1 memory controller (hybrid hosts such as CI) or v2 when
# the root delegates memory; otherwise it runs unconfined, said once.  (A
# guest given more than 1 GiB (VM_MEM) gets 1 GiB of room above its own.)
hostcg=
vm_pidfile=$vm/qemu.$$.pid
runimg=${runimg:-}
cleanup() {
	rm -rf "$initrd" "$initrd_work" "$scen_stage" ${runimg:+"$runimg"}
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
# A run killed with SIGKILL cannot remove its group: the empty groups of
# runs whose shell is gone are removed here (a live run's group is kept).
sweep_stale_groups() {
	local g pid
	for g in /sys/fs/cgroup/memory/thrashguard-vm-* /sys/fs/cgroup/thrashguard-vm-*; do
		[ -d "$g" ] || continue
		pid=${g##*-}
		kill -0 "$pid" 2>/dev/null && continue
		[ -z "$(cat "$g/cgroup.procs" 2>/dev/null)" ] && rmdir "$g" 2>/dev/null &&
			echo "run.sh: removed $g, left by an earlier run that was killed" >&2
	done
}
if [ "$(id -u)" = 0 ]; then
	sweep_stale_groups
	name=thrashguard-vm-$$
	host_limit=$((max_mem + 1024 > 2048 ? (max_mem + 1024) << 20 : 2 << 30))
	if [ -w /sys/fs/cgroup/memory/cgroup.procs ] && mkdir "/sys/fs/cgroup/memory/$name" 2>/dev/null; then
		hostcg=/sys/fs/cgroup/memory/$name
		echo "$host_limit" >"$hostcg/memory.limit_in_bytes"
	elif grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null && mkdir "/sys/fs/cgroup/$name" 2>/dev/null; then
		hostcg=/sys/fs/cgroup/$name
		echo "$host_limit" >"$hostcg/memory.max"
	fi
fi
[ -n "$hostcg" ] || echo "run.sh: note: QEMU runs without a host memory group (no writable memory controller)" >&2

# ---- the boots -------------------------------------------------------------
# -accel tcg: software emulation, works without /dev/kvm; tb-size bounds the
# translation cache (the default reserves 1 GiB).  +rdrand: the kernel's
# random pool is then ready at boot; otherwise the first read of /dev/urandom
# (mkswap's UUID, later the daemon's libraries) waits about 1 s for jitter
# entropy under emulation.
# The data disk is always attached (unused by a scenario that does not load
# virtio_blk; costs nothing measurable).
# run_vm LIST LOG HOST_T BOOT_TIMEOUT MEM APPEND: one boot running the
# scenarios of LIST (comma-separated) in order, with MEM MiB and APPEND (their
# --scenario-as words) on the kernel command line.
run_vm() {
	local list=$1 log=$2 host_t=$3 btimeout=$4 mem=$5 bextra=$extra$6 append reach_pid= reach_sock=
	append="console=ttyS0 panic=-1 cgroup_no_v1=all quiet tg.scenarios=$list tg.timeout=$btimeout tg.scn_timeout=$timeout$bextra"
	local accel_opt="$accel" kern=$vm/kernel/vmlinuz
	[ "$accel" = tcg ] && accel_opt="tcg,tb-size=256"
	# the uncompressed kernel boots via PVH, skipping 5 s of decompression
	[ -s "$vm/kernel/vmlinux" ] && kern=$vm/kernel/vmlinux
	local boot=(-kernel "$kern" -initrd "$initrd" -append "$append"
		-drive "file=$disk,if=virtio,format=raw,snapshot=on")
	if [ "$node" = 1 ]; then
		# Debian's kernel and the kernel package's own initrd from the
		# image; vda the root, vdb the run disk, vdc the data disk (the
		# order of the -drive options); pure cgroup v2, no swap.
		append="root=/dev/vda rw console=ttyS0 panic=-1 systemd.unified_cgroup_hierarchy=1 quiet loglevel=3"
		append="$append fsck.mode=skip systemd.show_status=false tg.scenarios=$list tg.timeout=$btimeout"
		append="$append tg.scn_timeout=$timeout$bextra"
		# The same kernel package as kernel.sh's: its uncompressed vmlinux
		# (PVH entry) saves the bzImage's decompression.
		local nkern=build/node/vmlinuz
		[ -s "$vm/kernel/vmlinux" ] && [ "$(cat "$vm/kernel/release")" = "$(cat build/node/release 2>/dev/null)" ] &&
			nkern=$vm/kernel/vmlinux
		boot=(-kernel "$nkern" -initrd build/node/initrd.img -append "$append"
			-drive "file=build/node/node.img,if=virtio,format=raw,snapshot=on"
			-drive "file=$runimg,if=virtio,format=raw,readonly=on"
			-drive "file=$disk,if=virtio,format=raw,snapshot=on")
		# The reachability probe (story 5): a virtio-serial port tg.probe,
		# answered inside the node by a scenario's agent (reach.c), timed
		# here on the host (reach_timer.py), whose clock a stalled node
		# cannot stop; its replies go to boot.FIRST.reach.
		reach_sock=$vm/reach.$$.sock
		rm -f "$reach_sock"
		boot+=(-chardev "socket,id=tgreach,path=$reach_sock,server=on,wait=off"
			-device virtio-serial-pci -device "virtserialport,chardev=tgreach,name=tg.probe")
		python3 tests/vm/reach_timer.py "$reach_sock" "${log%.log}.reach" &
		reach_pid=$!
	fi
	# The wrapper joins the host group (if any) and leaves its pid, which
	# becomes timeout's, for cleanup: timeout passes a TERM on to QEMU.
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$2"; [ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 125; shift 2; exec "$@"' \
		run_vm "$hostcg" "$vm_pidfile" \
		timeout -k 10 $((btimeout + 60)) "$qemu" -accel "$accel_opt" -cpu qemu64,+rdrand -smp 2 -m "$mem" \
		-nographic -no-reboot -net none "${boot[@]}" </dev/null 2>&1 |
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
					case "$line" in TGDMESG* | TGLOG* | TGSAMPLE*) ;; *) printf '  vm| %s\n' "$line" ;; esac
				fi
			done
		}
	local rc=${PIPESTATUS[0]}
	if [ -n "${reach_pid:-}" ]; then
		# it ends when QEMU closes the socket, or gives up connecting
		wait "$reach_pid" 2>/dev/null
		rm -f "$reach_sock"
	fi
	return "$rc"
}

# The plan: the scenarios that may share a boot, in one boot, in the order
# given; then each VM_OWN_BOOT=1 scenario in one of its own.
budget_of() { # NAME -> the scenario's deadline inside the VM
	local i b
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = "$1" ] || continue
		b=$(scen_var VM_TIMEOUT "${files[$i]}")
		echo "${b:-$timeout}"
		return
	done
}
own_boot_of() {
	local i
	[ "$one_each" = 1 ] && return 0
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = "$1" ] && [ "$(scen_var VM_OWN_BOOT "${files[$i]}")" = 1 ] && return 0
	done
	return 1
}
boots=()
shared=
for n in "${names[@]}"; do
	own_boot_of "$n" || shared=${shared:+$shared,}$n
done
[ -z "$shared" ] || boots+=("$shared")
for n in "${names[@]}"; do
	if own_boot_of "$n"; then boots+=("$n"); fi
done

passed=0 failed=0 skipped=0 nboot=0 retried=" " requeue=
t_all=$EPOCHREALTIME
while [ ${#boots[@]} -gt 0 ]; do
	list=${boots[0]}
	boots=("${boots[@]:1}")
	nboot=$((nboot + 1))
	log=$vm/boot.${list%%,*}.log host_t=$vm/boot.${list%%,*}.host
	btimeout=30
	# the node's boot to multi-user: 17-45 s under emulation, more on a busy host
	[ "$node" = 1 ] && btimeout=120
	for n in ${list//,/ }; do btimeout=$((btimeout + $(budget_of "$n"))); done
	echo "$label: boot $nboot: ${list//,/ } (deadline ${btimeout}s)"
	rm -f "$host_t"
	t0=$EPOCHREALTIME
	qrc=0
	# In the background and waited for: bash runs the INT/TERM trap only
	# once a foreground job ends, but interrupts `wait` at once.
	bmem=1024
	for n in ${list//,/ }; do
		m=$(mem_of "$n")
		[ "$m" -gt "$bmem" ] && bmem=$m
	done
	bappend=
	for n in ${list//,/ }; do
		for i in "${!names[@]}"; do
			[ "${names[$i]}" = "$n" ] && [ -n "${appends[$i]}" ] && bappend="$bappend ${appends[$i]}"
		done
	done
	run_vm "$list" "$log" "$host_t" "$btimeout" "$bmem" "$bappend" &
	wait $! || qrc=$?
	t1=$EPOCHREALTIME
	rm -f "$vm_pidfile" # that pid is gone; never kill a reused one later
	# Split the console by scenario and judge each (tests/vm/verdict.py);
	# "NAME STATUS detail" lines, STATUS NOTRUN for a scenario the boot
	# never reached.
	verdicts=$(python3 tests/vm/verdict.py "$list" "$log" "$vm" "$host_t" "$t0" "$t1" "$qrc" "$btimeout" "$nboot") ||
		verdicts="${list%%,*} FAIL result parser failed"
	while read -r n status detail; do
		[ -n "$n" ] || continue
		if [ "$status" = NOTRUN ]; then
			case "$retried" in
			*" $n "*) status=FAIL detail="not run: $detail" ;;
			*)
				# once more, in a fresh boot, after the others
				retried="$retried$n "
				requeue=${requeue:+$requeue,}$n
				echo "$label: $n not reached ($detail): once more in a fresh boot"
				continue
				;;
			esac
		fi
		echo "$label: $n $status ($detail)"
		case "$status" in
		PASS) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		*)
			failed=$((failed + 1))
			echo "$label: $n: console in $vm/$n.log (whole boot: $log); last lines:"
			grep -v '^TGDMESG' "$vm/$n.log" 2>/dev/null | tail -n 15 | sed 's/^/    /'
			;;
		esac
	done <<<"$verdicts"
	if [ -n "$requeue" ]; then
		boots+=("$requeue")
		requeue=
	fi
	rm -f "$host_t"
done

[ "$skipped" = 0 ] || echo "$label: $skipped skipped (the scenario skipped itself)"
awk -v l="$label" -v a="$t_all" -v b="$EPOCHREALTIME" -v n="$nboot" 'BEGIN { printf "%s: %d boot(s), %.0fs of VM time in all\n", l, n, b - a }'
echo "$label: $passed passed, $failed failed"
[ "$failed" = 0 ]
