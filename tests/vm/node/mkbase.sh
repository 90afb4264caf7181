#!/bin/sh
# The systemd node's base root filesystem: Debian 12 from this machine's apt
# sources with mmdebstrap, the packages of tests/vm/node/packages (no
# Recommends), the kernel package's own initrd, and the node's settings
# that do not depend on the project (below).  Needs root.
#
#   tests/vm/node/mkbase.sh [--out DIR]       (default DIR: build/node)
#
# Leaves DIR/base/ (the tree) and DIR/base.stamp (the hash of this script
# and the package list).  A second run with the same hash does nothing; the
# project's files are added by mkimage.sh, so a change of the daemon never
# rebuilds this.
set -eu

cd "$(dirname "$0")/../../.."
out=build/node
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	*) echo "mkbase.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

here=tests/vm/node
stamp=$(cat "$0" "$here/packages" | sha256sum | cut -c1-16)
if [ -d "$out/base/usr" ] && [ "$(cat "$out/base.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "mkbase.sh: needs root (mmdebstrap --mode=root)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "mkbase.sh: mmdebstrap is missing (scripts/deps.sh node)" >&2; exit 1; }

# The Debian archive and security URIs of this machine's apt sources (deb822
# or one-line), so that the node is built from the same mirror as the host.
uris=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *//p'
	grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{ print $2 }')
main=$(printf '%s\n' $uris | grep -m1 '/debian/*$' || echo http://deb.debian.org/debian)
sec=$(printf '%s\n' $uris | grep -m1 '/debian-security/*$' || echo http://deb.debian.org/debian-security)
pkgs=$(grep -v '^#' "$here/packages" | grep . | tr '\n' ',' | sed 's/,$//')

t0=$(date +%s)
rm -rf "$out/base.new" "$out/base" "$out/base.stamp"
mkdir -p "$out"
echo "mkbase.sh: mmdebstrap bookworm from $main" >&2
# --skip=check/empty: the target is a fresh directory of ours.
mmdebstrap --mode=root --variant=minbase --format=directory \
	--aptopt='APT::Install-Recommends "false"' --dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--include="$pkgs" bookworm "$out/base.new" \
	"deb $main bookworm main" "deb $main bookworm-updates main" "deb $sec bookworm-security main" >&2

r=$out/base.new
# ---- settings of the node that do not depend on the project ---------------
echo tgnode >"$r/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 tgnode\n' >"$r/etc/hosts"
# The root is mounted by the kernel's command line (root=/dev/vda rw); the
# other disks by tg-node.service (udev coldplug outlasts fstab's timeouts).
: >"$r/etc/fstab"
# A fixed machine id: without one every boot of a snapshot=on disk is a first
# boot, and systemd then applies the presets, enabling earlyoom and nohang.
echo 5e1f7a9c3b2d4e6f8a0b1c2d3e4f5a6b >"$r/etc/machine-id"
passwd -R "$(realpath "$r")" -d root >/dev/null 2>&1 || true

# Units that hold up the boot under emulation or act on their own: masked.
# The peers are installed for the benchmark but not started at boot.
for u in podman-restart.service podman-auto-update.service podman-auto-update.timer \
	podman-clean-transient.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	e2scrub_reap.service fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service \
	getty@tty1.service serial-getty@ttyS0.service; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
chroot "$r" systemctl disable earlyoom.service nohang.service nohang-desktop.service \
	systemd-oomd.service systemd-oomd.socket >/dev/null 2>&1 || true

# journald: in RAM (the disk is a snapshot anyway), no rate limit (the
# scenarios read every entry back), nothing on the console.
mkdir -p "$r/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nForwardToConsole=no\n' \
	>"$r/etc/systemd/journald.conf.d/tg-node.conf"

# Podman offline: vfs storage, the systemd cgroup manager, crun, no network
# namespace by default (nothing to reach), events in a file.
mkdir -p "$r/etc/containers"
cat >"$r/etc/containers/storage.conf" <<'EOF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
cat >"$r/etc/containers/containers.conf" <<'EOF'
[containers]
netns = "none"
[engine]
cgroup_manager = "systemd"
runtime = "crun"
events_logger = "file"
EOF

# Smaller: modules no VM of this kind loads (the initrd is already built).
kdir=$(ls -d "$r"/lib/modules/* | head -n 1)
for d in drivers/gpu drivers/media drivers/net/wireless drivers/net/ethernet drivers/infiniband \
	drivers/staging drivers/isdn drivers/bluetooth drivers/usb drivers/iio drivers/hid sound net/bluetooth \
	net/wireless net/mac80211; do
	rm -rf "${kdir:?}/kernel/$d"
done
chroot "$r" depmod -a "${kdir##*/}"
rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*

ls "$r"/boot/vmlinuz-* "$r"/boot/initrd.img-* >/dev/null || { echo "mkbase.sh: no kernel or initrd in /boot" >&2; exit 1; }
mv "$r" "$out/base"
echo "$stamp" >"$out/base.stamp"
echo "mkbase.sh: base ready in $(($(date +%s) - t0)) s, $(du -sm "$out/base" | cut -f1) MiB" >&2
