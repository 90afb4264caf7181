#!/bin/sh
# Obtains Debian's own kernel for the VM tier without installing it: the
# package is fetched with `apt-get download` and unpacked with `dpkg-deb -x`
# into the build tree, so /boot and /lib/modules of the host stay untouched.
#
#   tests/vm/kernel.sh [--out DIR]        (default DIR: build/vm)
#
# Leaves in DIR/kernel/:
#   vmlinuz           the kernel image
#   vmlinux           the same, uncompressed, if it can be booted via PVH
#   release           its `uname -r`
#   modules/NAME.ko   the modules the harness loads, decompressed (busybox
#                     insmod cannot read .ko.xz/.ko.zst)
#   modules/deps      "NAME dep1 dep2 ..." per module, from each module's own
#                     modinfo (an initramfs has no modules.dep; /init loads
#                     dependencies first with insmod)
#   stamp             package, version and module list of the cache
# A second run with the same package version and module list does nothing.
set -eu

cd "$(dirname "$0")/../.."
out=build/vm
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	*) echo "kernel.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

# What the scenarios need.  Dependencies are added automatically.
#  zram            swap in RAM: swap thrash without a disk
#  virtio_blk      the data disk holding a file for page-cache thrash
#  virtio_pci      the PCI transport virtio_blk sits on
#  ext4            its filesystem (ext4 without journal and checksums, so
#                  crc32c is not needed, but it is a declared softdep: cheap)
#  crc32c_generic  that softdep
#  loop            not used yet; lets a scenario put a filesystem in a file
want="zram virtio_blk virtio_pci ext4 crc32c_generic loop"

kdir=$out/kernel
mkdir -p "$out/deb" "$kdir"

abi_pkg() {
	# linux-image-amd64 is the meta package; it depends on the versioned
	# package, e.g. linux-image-6.1.0-NN-amd64.  Never hard-code NN.
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1
}

pkg=$(abi_pkg || true)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	# a fresh machine (or container) may have no package lists yet
	echo "kernel.sh: no package lists, running apt-get update" >&2
	apt-get update -qq >&2 || true
	pkg=$(abi_pkg || true)
fi
if [ -z "$pkg" ]; then
	if [ -s "$kdir/stamp" ] && [ -s "$kdir/vmlinuz" ]; then
		# offline: keep using what was fetched before
		echo "kernel.sh: apt-cache cannot name the kernel package; using cached $(head -n1 "$kdir/stamp")" >&2
		exit 0
	fi
	echo "kernel.sh: cannot find the kernel package (apt-cache depends linux-image-amd64)" >&2
	exit 1
fi
ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
# (bump "cache=" when what this script leaves in $kdir changes)
stamp="$pkg $ver cache=2
$want"
if [ -s "$kdir/vmlinuz" ] && [ -s "$kdir/modules/deps" ] && [ "$(cat "$kdir/stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

deb=$(ls "$out/deb/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ] || ! dpkg-deb -f "$deb" Version | grep -qxF "$ver"; then
	rm -f "$out/deb/${pkg}_"*.deb
	echo "kernel.sh: downloading $pkg $ver" >&2
	# as root apt drops to the _apt user, which cannot write into the
	# build tree; downloading as root into our own directory is harmless
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$out/deb" && apt-get -qq $sandbox download "$pkg") >&2
	deb=$(ls "$out/deb/${pkg}_"*.deb | head -n1)
fi

tmp=$out/kernel.tmp
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "kernel.sh: unpacking $(basename "$deb")" >&2
mkdir -p "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root"

vmlinuz=$(ls "$tmp"/root/boot/vmlinuz-* | head -n1)
release=${vmlinuz##*/vmlinuz-}
moddir=$tmp/root/lib/modules/$release
[ -d "$moddir" ] || moddir=$tmp/root/usr/lib/modules/$release

rm -rf "$kdir.new"
mkdir -p "$kdir.new/modules"
cp "$vmlinuz" "$kdir.new/vmlinuz"

# The uncompressed kernel, for a PVH boot: QEMU then enters the kernel
# directly (no real-mode setup, no self-decompression).  Under emulation
# decompressing the xz bzImage alone takes about 5 s of every boot; with
# vmlinux the boot to /init is about twice as fast.  Debian builds with
# CONFIG_PVH=y; without the PVH note (or python3) run.sh uses the bzImage.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$vmlinuz" "$kdir.new/vmlinux" <<'PY' || rm -f "$kdir.new/vmlinux"
import lzma, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
elf = None
for magic, unpack in ((b"\xfd7zXZ\x00", lambda b: lzma.LZMADecompressor().decompress(b)),
                      (b"\x1f\x8b\x08", lambda b: zlib.decompressobj(31).decompress(b))):
    i = data.find(magic)
    while i >= 0 and elf is None:
        try:
            out = unpack(data[i:])
            if out[:4] == b"\x7fELF":
                elf = out
        except Exception:
            pass
        i = data.find(magic, i + 1)
if elf is None:
    sys.exit("kernel.sh: no xz/gzip ELF payload in the bzImage; booting the bzImage")
# PVH entry: a PT_NOTE with name "Xen" and type 18 (XEN_ELFNOTE_PHYS32_ENTRY)
phoff, = struct.unpack_from("<Q", elf, 0x20)
phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
pvh = False
for k in range(phnum):
    ptype, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", elf, phoff + k * phentsize)
    if ptype != 4:
        continue
    p, end = off, off + filesz
    while p + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", elf, p)
        name = elf[p + 12:p + 12 + namesz].rstrip(b"\0")
        pvh |= name == b"Xen" and ntype == 18
        p += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
if not pvh:
    sys.exit("kernel.sh: the kernel has no PVH entry note; booting the bzImage")
open(sys.argv[2], "wb").write(elf)
PY
fi
echo "$release" >"$kdir.new/release"

# Copy one module (decompressed) and, first, its dependencies.
: >"$kdir.new/modules/deps"
add_module() {
	m=$1
	[ -e "$kdir.new/modules/$m.ko" ] && return 0
	# file names use either - or _; module names use _
	f=$(find "$moddir/kernel" \( -name "$m.ko*" -o -name "$(echo "$m" | tr _ -).ko*" \) | head -n1)
	if [ -z "$f" ]; then
		if grep -q "/$m.ko" "$moddir/modules.builtin" 2>/dev/null; then
			return 0 # built into this kernel
		fi
		echo "kernel.sh: module $m not found in $release" >&2
		return 1
	fi
	case "$f" in
	*.ko.xz) xz -dc "$f" >"$kdir.new/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$kdir.new/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$kdir.new/modules/$m.ko" ;;
	*) cp "$f" "$kdir.new/modules/$m.ko" ;;
	esac
	# .modinfo is a list of NUL-terminated key=value strings
	deps=$(tr '\0' '\n' <"$kdir.new/modules/$m.ko" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' ')
	echo "$m $deps" >>"$kdir.new/modules/deps"
	for d in $deps; do
		add_module "$d"
	done
}
for m in $want; do
	add_module "$m"
done

echo "$stamp" >"$kdir.new/stamp"
rm -rf "$kdir"
mv "$kdir.new" "$kdir"
echo "kernel.sh: $release: $(ls "$kdir/modules" | grep -c '\.ko$') modules in $kdir" >&2
