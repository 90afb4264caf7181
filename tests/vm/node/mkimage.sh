#!/bin/sh
# The systemd node's disk image: the base root filesystem (mkbase.sh) and
# the project's files, made into an ext4 image with `mkfs.ext4 -d`.  Needs
# root.
#
#   tests/vm/node/mkimage.sh [--out DIR] [--tools build/tools]
#
# The project's layer:
#   - `make install DESTDIR=... PREFIX=/usr`: /usr/sbin/thrashguard, the
#     real unit from systemd/ (ExecStart=/usr/sbin/thrashguard run) in
#     /lib/systemd/system, the man pages, /etc/thrashguard/thrashguard.conf;
#     the daemon is installed, not enabled (the scenarios enable it);
#   - the test configuration: the shipped file with `scopes` set to the test
#     slice /tg.slice/tg-test.slice (nothing else on the node is guarded);
#   - tests/vm/node/rootfs/: tg-node.service (the boot marker and the
#     scenario runner), tg-test.slice, /usr/local/sbin/tg-node-boot;
#   - /var/lib/tg/ctr: an offline container root filesystem for
#     `podman run --rootfs` (static busybox and its applets, the static
#     workload tools of build/tools in /usr/local/bin).
# Leaves in DIR: node.img (ext4, raw), vmlinuz and initrd.img (from the
# image's /boot), image.stamp (a hash of the base's stamp, this script and
# the project's layer).  Rebuilt only when that hash changes.
set -eu

cd "$(dirname "$0")/../../.."
out=build/node tools=build/tools
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	*) echo "mkimage.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
here=tests/vm/node
[ "$(id -u)" = 0 ] || { echo "mkimage.sh: needs root" >&2; exit 1; }

t0=$(date +%s)
"$here/mkbase.sh" --out "$out"
t1=$(date +%s)

# ---- the project's layer, staged apart so that it can be hashed ----------
layer=$out/layer
rm -rf "$layer"
mkdir -p "$layer"
make --no-print-directory install DESTDIR="$PWD/$layer" PREFIX=/usr SYSCONFDIR=/etc \
	UNITDIR=/lib/systemd/system >&2
conf=$layer/etc/thrashguard/thrashguard.conf
grep -q '^scopes = /$' "$conf" || { echo "mkimage.sh: no 'scopes = /' line in the shipped configuration" >&2; exit 1; }
sed -i 's|^scopes = /$|scopes = /tg.slice/tg-test.slice|' "$conf"
cp -a "$here/rootfs/." "$layer/"
mkdir -p "$layer/etc/systemd/system/multi-user.target.wants" "$layer/run"
ln -sf /etc/systemd/system/tg-node.service "$layer/etc/systemd/system/multi-user.target.wants/tg-node.service"
# /tg: the run disk's harness (see tg-node-boot)
ln -sfn run/tgrun/tg "$layer/tg"

ctr=$layer/var/lib/tg/ctr
mkdir -p "$ctr/bin" "$ctr/usr/local/bin" "$ctr/etc" "$ctr/proc" "$ctr/sys" "$ctr/dev" "$ctr/tmp" \
	"$ctr/mnt/data" "$ctr/run"
cp "$out/base/bin/busybox" "$ctr/bin/busybox"
for a in $(chroot "$out/base" /bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$ctr/bin/$a"
done
ln -sf bin "$ctr/sbin"
n=0
for t in "$tools"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	ldd "$t" >/dev/null 2>&1 && { echo "mkimage.sh: $t is not static; left out of the container" >&2; continue; }
	cp "$t" "$ctr/usr/local/bin/"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "mkimage.sh: no static tools in $tools (make tools)" >&2; exit 1; }
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ctr/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ctr/etc/group"

stamp=$({
	cat "$out/base.stamp" "$0"
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$layer" .
} | sha256sum | cut -c1-16)
if [ -s "$out/node.img" ] && [ -s "$out/vmlinuz" ] && [ "$(cat "$out/image.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "mkimage.sh: $out/node.img is up to date ($stamp)" >&2
	exit 0
fi

# ---- the image ------------------------------------------------------------
stage=$out/stage
rm -rf "$stage" "$out/node.img" "$out/image.stamp"
cp -a --reflink=auto "$out/base" "$stage"
# (tar: /lib is a symlink to usr/lib in the base, a directory in the layer)
tar -C "$layer" -cf - . | tar -C "$stage" -xf - --keep-directory-symlink
used=$(du -sm "$stage" | cut -f1)
# Room for what the node writes (journal, podman's state, the scenarios'
# scratch files): the disk is attached with snapshot=on, so nothing stays.
size=$((used + used / 4 + 512))
mkfs.ext4 -q -F -L tgnode -d "$stage" "$out/node.img.tmp" "${size}M"
cp "$(ls "$stage"/boot/vmlinuz-* | head -n 1)" "$out/vmlinuz"
cp "$(ls "$stage"/boot/initrd.img-* | head -n 1)" "$out/initrd.img"
ls "$stage"/boot/vmlinuz-* | sed 's|.*/vmlinuz-||' | head -n 1 >"$out/release"
rm -rf "$stage"
mv "$out/node.img.tmp" "$out/node.img"
echo "$stamp" >"$out/image.stamp"
t2=$(date +%s)
alloc=$(du -m "$out/node.img" | cut -f1)
echo "mkimage.sh: $out/node.img: ${size} MiB, ${alloc} MiB allocated, $used MiB of files; base $((t1 - t0)) s, image $((t2 - t1)) s" >&2
