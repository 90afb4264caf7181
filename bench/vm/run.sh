#!/bin/bash
# The benchmark's node-wide scenario (scope "/") in the pure cgroup v2 test
# VM: thrashguard, the kernel alone and the peer tools, one fresh VM per
# tool, the repetitions one after the other inside it (bench/vm/node.sh).
#
#   bench/vm/run.sh --out RAW [--bin build/thrashguard] [--tools build/tools]
#                   [--reps N] [--deadline S] [--only "kernel thrashguard ..."]
#                   [--accel tcg|kvm]
#
# Writes RAW/vm/TOOL/rep-K/ (the host benchmark's raw format),
# RAW/vm/TOOL.console.log and RAW/vm-meta.json.  Needs root (QEMU runs in a
# memory group of its own, 2 GiB, through tests/e2e/lib.sh).
#
# Takes from tests/vm/ only the kernel and its modules (tests/vm/kernel.sh,
# cached in build/vm/); the rest is its own, in build/bench/vm/ (the VM
# test tier evolves on its own, and tests/vm/run.sh runs only the scenarios
# of tests/vm/scenarios/).  The initramfs holds:
#   /init                         bench/vm/init.sh
#   /bench/node.sh                bench/vm/node.sh (the scenario)
#   /tg/bin/                      build/tools/* and benchmon (bench/vm/benchmon.c)
#   /thrashguard                  the daemon, with its libraries
#   /bench/earlyoom               Debian's, with its libraries
#   /bench/oomd, /bench/oomd.json Debian's oomd 0.5.0 (`apt-get download`,
#                                 not installed on the host) and a config for
#                                 Kubernetes pods (bench/vm/oomd.json)
#   /bench/nohang, nohang.conf    Debian's script and packaged config, with
#                                 /usr/bin/python3 and only the standard
#                                 library modules nohang loads
# and the data disk is its own too (big.dat, 300 MiB, ext4).
# The results come back on a second virtio disk (a tar archive).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BIN=$TOP/build/thrashguard TOOLS=$TOP/build/tools OUT='' REPS=3 DEADLINE=45 ACCEL=tcg
ONLY="kernel thrashguard earlyoom nohang oomd"
while (($#)); do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--deadline) DEADLINE=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--accel) ACCEL=$2; shift 2 ;;
	*) echo "vm/run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ -n $OUT ]] || { echo "vm/run.sh: --out RAW is required" >&2; exit 2; }
mkdir -p "$OUT/vm" && OUT=$(realpath "$OUT")
BIN=$(realpath "$BIN")
TOOLS=$(realpath "$TOOLS")
cd "$TOP" || exit 1
VM=$TOP/build/bench/vm
mkdir -p "$VM"
say() { printf 'vm: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

for c in qemu-system-x86_64 busybox cpio gzip mke2fs tar; do
	command -v "$c" >/dev/null || die "$c is missing (scripts/deps.sh vm)"
done

# ---------------------------------------------------------------- kernel, disks
tests/vm/kernel.sh --out build/vm >&2 || die "tests/vm/kernel.sh failed"
KDIR=$TOP/build/vm/kernel
KERN=$KDIR/vmlinuz
[[ -s $KDIR/vmlinux ]] && KERN=$KDIR/vmlinux

DISK=$VM/data.img
if [[ ! -s $DISK || $(cat "$DISK.stamp" 2>/dev/null) != "v1 big.dat 300MiB ext4" ]]; then
	say "building the data disk $DISK"
	rm -rf "$VM/data.d" "$DISK"
	mkdir -p "$VM/data.d"
	head -c $((300 << 20)) < <(yes 'thrashguard bench VM data disk: a file for page-cache pressure') >"$VM/data.d/big.dat"
	mke2fs -q -F -t ext4 -O ^has_journal,^metadata_csum -L tgdata -d "$VM/data.d" "$DISK.tmp" 400M || die "mke2fs"
	rm -rf "$VM/data.d"
	mv "$DISK.tmp" "$DISK"
	echo "v1 big.dat 300MiB ext4" >"$DISK.stamp"
fi

# ---------------------------------------------------------------- initramfs
ROOT=$VM/initramfs.d
rm -rf "$ROOT"
for d in bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt/data etc tg/bin tg/modules bench; do
	mkdir -p "$ROOT/$d"
done
# add_libs FILE [LD_LIBRARY_PATH]: FILE's shared libraries and the loader,
# at the paths ldd reports.
add_libs() {
	local lib out
	out=$(LD_LIBRARY_PATH=${2:-} ldd "$1" 2>/dev/null) || return 0
	if grep -q 'not found' <<<"$out"; then
		echo "ldd $1: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
		return 1
	fi
	for lib in $(grep -o '/[^ ]*' <<<"$out"); do
		[[ -e $ROOT$lib ]] && continue
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
}
BB=$(command -v busybox)
cp -L "$BB" "$ROOT/bin/busybox"
for a in $("$BB" --list-full); do [[ -e $ROOT/$a ]] || ln -s /bin/busybox "$ROOT/$a"; done
cp -L "$BIN" "$ROOT/thrashguard" && add_libs "$BIN" >&2 || die "cannot stage the daemon"
for t in "$TOOLS"/*; do [[ -f $t && -x $t ]] && cp -L "$t" "$ROOT/tg/bin/"; done
cc -std=gnu11 -O2 -Wall -Wextra -Werror -static -o "$VM/benchmon" "$HERE/benchmon.c" || die "cannot build benchmon"
cp "$VM/benchmon" "$ROOT/tg/bin/"
cp "$KDIR"/modules/* "$ROOT/tg/modules/"
cp "$KDIR/release" "$ROOT/tg/kernel-release"
cp "$HERE/init.sh" "$ROOT/init" && chmod 755 "$ROOT/init"
cp "$HERE/node.sh" "$ROOT/bench/node.sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"

VERS=()
SKIPPED=()
# A peer that cannot be staged is left out (said, and noted in the results),
# the other tools still run.
# earlyoom: the Debian binary.
stage_earlyoom() {
	[[ -x /usr/bin/earlyoom ]] || { echo "no /usr/bin/earlyoom"; return 1; }
	cp -L /usr/bin/earlyoom "$ROOT/bench/earlyoom" && add_libs /usr/bin/earlyoom || return 1
	VERS+=("earlyoom=$(earlyoom -v 2>&1 | head -n1)")
}
# oomd: Debian's package, downloaded (not installed: it would install a
# service on the host), its libraries from the host.
stage_oomd() {
	local DEB=$TOP/build/bench/deb
	mkdir -p "$DEB"
	if ! ls "$DEB"/oomd_*.deb >/dev/null 2>&1; then
		(cd "$DEB" && apt-get download oomd >/dev/null 2>&1) || { echo "apt-get download oomd failed"; return 1; }
	fi
	rm -rf "$DEB/oomd" && dpkg-deb -x "$DEB"/oomd_*.deb "$DEB/oomd" || { echo "dpkg-deb -x failed"; return 1; }
	cp "$DEB/oomd/usr/bin/oomd" "$ROOT/bench/oomd" && add_libs "$DEB/oomd/usr/bin/oomd" || return 1
	cp "$HERE/oomd.json" "$ROOT/bench/oomd.json" || return 1
	VERS+=("oomd=oomd $("$DEB/oomd/usr/bin/oomd" --version 2>/dev/null | head -c 20) (Debian $(dpkg-deb -f "$DEB"/oomd_*.deb Version))")
}
# nohang: the packaged script and config; python3 with only the modules it
# loads (found by running `nohang --check` on the host in a PID namespace:
# it parses the config and exits, it does not monitor or kill).
stage_nohang() {
	local mods=$VM/nohang-modules.txt py f base pyc c
	[[ -r /usr/sbin/nohang && -r /etc/nohang/nohang.conf && -x /usr/bin/python3 ]] || { echo "nohang or python3 missing"; return 1; }
	cp /usr/sbin/nohang "$ROOT/bench/nohang"
	cp /etc/nohang/nohang.conf "$ROOT/bench/nohang.conf"
	rm -f "$mods"
	unshare --pid --fork --mount-proc /usr/bin/python3 -W ignore -c '
import atexit, importlib, runpy, sys
out = sys.argv[1]
def dump():
    with open(out, "w") as f:
        for m in list(sys.modules.values()):
            p = getattr(m, "__file__", None)
            if p:
                f.write(p + "\n")
atexit.register(dump)
for extra in ("threading", "shlex", "logging"):   # imported lazily by nohang
    importlib.import_module(extra)
sys.argv = ["nohang", "--check", "--config", "/etc/nohang/nohang.conf"]
runpy.run_path("/usr/sbin/nohang", run_name="__main__")
' "$mods" >/dev/null 2>&1
	[[ -s $mods ]] || { echo "could not list the modules nohang loads"; return 1; }
	py=$(readlink -f /usr/bin/python3)
	mkdir -p "$ROOT/usr/bin" && cp "$py" "$ROOT$py" && ln -sf "${py##*/}" "$ROOT/usr/bin/python3"
	add_libs "$py" || return 1
	while read -r f; do
		f=$(readlink -f "$f")
		[[ $f == /usr/lib/python3* ]] || continue
		mkdir -p "$ROOT$(dirname "$f")"
		cp -L "$f" "$ROOT$f"
		if [[ $f == *.so ]]; then add_libs "$f" || return 1; fi
		base=${f##*/}
		pyc="$(dirname "$f")/__pycache__/${base%.py}.cpython-*.pyc"
		for c in $pyc; do
			[[ -e $c ]] || continue
			mkdir -p "$ROOT$(dirname "$c")" && cp "$c" "$ROOT$c"
		done
	done <"$mods"
	# does it run there?  (chroot into the staged tree, its own /proc)
	if ! unshare --mount --pid --fork --mount-proc="$ROOT/proc" chroot "$ROOT" /usr/bin/python3 -W ignore \
		/bench/nohang --check --config /bench/nohang.conf >"$VM/nohang-check.txt" 2>&1; then
		echo "the staged python3 cannot run nohang: $(tail -n 3 "$VM/nohang-check.txt")"
		return 1
	fi
	VERS+=("nohang=nohang $(dpkg-query -W -f='${Version}' nohang) on python $("$py" -c 'import platform; print(platform.python_version())')")
}
keep=
for t in $ONLY; do
	case $t in
	earlyoom | oomd | nohang)
		if ! "stage_$t" >"$VM/stage-$t.log" 2>&1; then
			why=$(tail -n 1 "$VM/stage-$t.log")
			say "$t left out: $why"
			SKIPPED+=("$t: $why")
			continue
		fi ;;
	kernel | thrashguard) ;;
	*) say "unknown tool '$t'"; SKIPPED+=("$t: unknown"); continue ;;
	esac
	keep+=" $t"
done
ONLY=${keep# }
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$VM/initramfs.cpio.gz.tmp" &&
	mv "$VM/initramfs.cpio.gz.tmp" "$VM/initramfs.cpio.gz" || die "cpio"
say "initramfs $(du -k "$VM/initramfs.cpio.gz" | cut -f1) KiB ($(du -sk "$ROOT" | cut -f1) KiB unpacked), kernel $(cat "$KDIR/release")"

# ---------------------------------------------------------------- the VMs
# shellcheck source=../../tests/e2e/lib.sh
export E2E_TOOLS=$TOOLS
. "$TOP/tests/e2e/lib.sh"
per_vm=$((REPS * (DEADLINE + 75) + 60))
e2e_setup bench-vm $(($(wc -w <<<"$ONLY") * (per_vm + 30) + 60))
e2e_mkgroup qemu 2G
QEMU=$(command -v qemu-system-x86_64)
accel_opt=$ACCEL
[[ $ACCEL == tcg ]] && accel_opt="tcg,tb-size=256"
FAILED=0
for tool in $ONLY; do
	img=$E2E_DIR/out-$tool.img
	truncate -s 64M "$img"
	console=$OUT/vm/$tool.console.log
	t0=$(date +%s)
	say "$tool: booting ($REPS repetitions, at most $per_vm s)"
	e2e_run qemu -- timeout -k 10 "$per_vm" "$QEMU" -accel "$accel_opt" -cpu qemu64,+rdrand -smp 2 -m 1024 \
		-nographic -no-reboot -net none -kernel "$KERN" -initrd "$VM/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 cgroup_no_v1=all quiet tg.timeout=$((per_vm - 20)) tg.tool=$tool tg.reps=$REPS tg.deadline=$DEADLINE" \
		-drive "file=$DISK,if=virtio,format=raw,snapshot=on" -drive "file=$img,if=virtio,format=raw" \
		</dev/null >"$console" 2>&1
	rc=0
	e2e_wait_pid "$E2E_PID" $((per_vm + 20)) || rc=$?
	tr -d '\r' <"$console" >"$console.tmp" && mv "$console.tmp" "$console"
	grep '^TGINFO rep' "$console" | sed "s/^TGINFO /vm: $tool: /" >&2
	done_rc=$(sed -n 's/.*TGDONE rc=\([0-9]*\).*/\1/p' "$console" | tail -n1)
	mkdir -p "$OUT/vm/$tool"
	if ! tar -xf "$img" -C "$OUT/vm" 2>/dev/null || [[ ! -d $OUT/vm/$tool/rep-1 ]]; then
		say "$tool: no results (qemu status $rc, TGDONE ${done_rc:-missing}); console: $console"
		grep -v '^TGDMESG' "$console" | tail -n 8 | sed 's/^/    /' >&2
		FAILED=1
	elif [[ $done_rc != 0 ]]; then
		say "$tool: the scenario ended with rc=${done_rc:-missing} (results kept); console: $console"
		FAILED=1
	fi
	rm -f "$img"
	say "$tool: $(($(date +%s) - t0)) s"
done
[[ -e $OUT/vm/vm-kernel ]] && VERS+=("vm_kernel=$(cat "$OUT/vm/vm-kernel")")
rm -f "$OUT/vm/tool.log" "$OUT/vm/vm-kernel"
VM_SKIPPED=$(printf '%s\n' "${SKIPPED[@]}") python3 - "$OUT/vm-meta.json" "$REPS" "$DEADLINE" "${VERS[@]}" <<'EOF'
import json, os, sys
path, reps, deadline = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = {"reps": reps, "deadline_s": deadline, "versions": dict(v.split("=", 1) for v in sys.argv[4:])}
m["skipped"] = [x for x in os.environ.get("VM_SKIPPED", "").split("\n") if x]
m["description"] = (
    "QEMU (software emulation, 2 vCPUs, 1 GiB, no swap), Debian's kernel with pure cgroup v2, one fresh VM per tool. "
    "Three pods under kubepods.slice: *cache* (Burstable: streams a 300 MiB file of the virtio disk through mmap), "
    "*nb* (Burstable: `steady --anon 32` with its latency probe) and *hog* (BestEffort, started last: `leaker --rate 40`, "
    "an anonymous leak that grows until someone stops it). Scope `/`: every tool watches the whole node, as it is meant to; "
    "the peers run bare in the VM with their packaged defaults (bench/peers/README.md). The right victim is the hog; "
    "*pressure start* is when /proc/pressure/memory `full` exceeds 10 % over 500 ms. The VM's clock runs under emulation: "
    "compare tools with one another, not with the host table.")
json.dump(m, open(path, "w"), indent=1)
EOF
((${#SKIPPED[@]})) && FAILED=1
exit "$FAILED"
