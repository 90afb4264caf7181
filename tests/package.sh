#!/usr/bin/env bash
# The Debian package and `make install`, as an operator would meet them:
#   1. the package builds with `dpkg-buildpackage -us -uc -b` from a clean
#      export of HEAD (git archive: what is committed, nothing else), and
#      its build ran the unit tests;
#   2. lintian finds no error (warnings and infos are listed);
#   3. the .deb holds what it should: the unit with ExecStart= and
#      ExecReload= at /usr/sbin/thrashguard, the conffile, man pages,
#      docs, the bash completion, which completes in a real bash;
#   4. in a minbase chroot (mmdebstrap from this machine's apt sources,
#      cached under build/package/): install, reinstall, upgrade to a
#      higher version (the same .deb repacked by dpkg-deb), remove and
#      purge, with the files present or absent after each step, an edited
#      conffile kept over reinstall, upgrade and remove, and gone on purge;
#   5. `make install` and `make uninstall` with PREFIX=/usr/local into a
#      DESTDIR: the unit under PREFIX, everything gone again afterwards.
# systemd does not run in the chroot: the maintainer scripts see no
# /run/systemd/system and only enable the unit (deb-systemd-helper's
# symlinks, checked here); nothing is started. A policy-rc.d that refuses
# every start is there all the same.
#
# Usage: tests/package.sh   (root; prints "package: N passed, N failed")
# Wall time: about 40 s with the chroot cached, 2 min without.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok: $*"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}
# check DESCRIPTION COMMAND...: passes if the command succeeds.
check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
summary() {
	echo "package tier: ${SECONDS} s"
	echo "package: $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

if [ "$(id -u)" != 0 ]; then
	bad "needs root (a chroot, dpkg inside it)"
	summary
fi
scripts/deps.sh package || {
	bad "the package tier's tools could not be installed"
	summary
}

W=$ROOT/build/package
CACHE=$W/cache
rm -rf "$W/work"
mkdir -p "$W/work" "$CACHE"
WORK=$W/work
CHROOT=$WORK/root
cleanup() {
	# Nothing is mounted in the chroot; only its files to remove.
	[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

# ------------------------------------------------------------ 1. the build

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
src=$WORK/src/thrashguard-$version
mkdir -p "$src"
if git archive --format=tar HEAD | tar -x -C "$src"; then
	ok "HEAD exported with git archive ($(git rev-parse --short HEAD))"
else
	bad "git archive HEAD failed"
	summary
fi
start=$SECONDS
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($((SECONDS - start)) s)"
else
	bad "dpkg-buildpackage failed:"
	tail -n 30 "$WORK/build.log" >&2
	summary
fi
arch=$(dpkg --print-architecture)
deb=$WORK/src/thrashguard_${version}_$arch.deb
changes=$WORK/src/thrashguard_${version}_$arch.changes
check "the .deb is there: $(basename "$deb")" test -s "$deb"
check "the build ran the unit tests, all passed" \
	grep -Eq '^unit \(build\): [1-9][0-9]* passed, 0 failed' "$WORK/build.log"
check "the build did not run the root-only tiers" \
	eval '! grep -Eq "^== (e2e|vm|fixtures|syscall-filter)" "$WORK/build.log"'

# ------------------------------------------------------------ 2. lintian

lintian --pedantic -I "$changes" >"$WORK/lintian.txt" 2>"$WORK/lintian.err"
lrc=$?
n_e=$(grep -c '^E: ' "$WORK/lintian.txt")
n_w=$(grep -c '^W: ' "$WORK/lintian.txt")
n_i=$(grep -c '^[IP]: ' "$WORK/lintian.txt")
sed 's/^/  lintian: /' "$WORK/lintian.txt"
if [ "$n_e" = 0 ] && [ "$lrc" = 0 ]; then
	ok "lintian: no error ($n_w warnings, $n_i infos and pedantic notes)"
else
	bad "lintian: $n_e errors (exit $lrc)"
	cat "$WORK/lintian.err" >&2
fi

# ------------------------------------------------------------ 3. contents

x=$WORK/x
mkdir -p "$x"
dpkg-deb -x "$deb" "$x"
dpkg-deb -e "$deb" "$x/DEBIAN"
unit=$x/lib/systemd/system/thrashguard.service
check "the unit is at /lib/systemd/system" test -s "$unit"
check "ExecStart=/usr/sbin/thrashguard run" grep -qx 'ExecStart=/usr/sbin/thrashguard run' "$unit"
check "ExecReload= validates with check-config, then signals" \
	eval "grep '^ExecReload=' '$unit' | cmp -s - <(printf '%s\n' \
		'ExecReload=/usr/sbin/thrashguard check-config' 'ExecReload=/bin/kill -HUP \$MAINPID')"
check "no @SBINDIR@ left in the unit" eval "! grep -q @SBINDIR@ '$unit'"
check "the configuration is the conffile" grep -qx /etc/thrashguard/thrashguard.conf "$x/DEBIAN/conffiles"
check "the configuration is the shipped one" cmp "$x/etc/thrashguard/thrashguard.conf" conf/thrashguard.conf
for f in usr/sbin/thrashguard usr/share/man/man8/thrashguard.8.gz usr/share/man/man5/thrashguard.conf.5.gz \
	usr/share/doc/thrashguard/copyright usr/share/doc/thrashguard/README.md.gz \
	usr/share/doc/thrashguard/troubleshooting.md.gz usr/share/bash-completion/completions/thrashguard; do
	check "ships /$f" test -s "$x/$f"
done
check "postinst enables the unit (dh_installsystemd)" grep -q "deb-systemd-helper enable 'thrashguard.service'" "$x/DEBIAN/postinst"
check "postinst restarts it on upgrade" grep -q '_dh_action=restart' "$x/DEBIAN/postinst"
check "Depends: procps (for ExecReload's /bin/kill)" eval "grep '^Depends:' '$x/DEBIAN/control' | grep -qw procps"

# complete WORDS...: what the shipped completion offers for the last word.
complete_words() {
	bash -c '. /usr/share/bash-completion/bash_completion
		. "$1"; shift
		PATH=$BIN:$PATH
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_thrashguard; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$x/usr/share/bash-completion/completions/thrashguard" "$@"
}
export BIN=$x/usr/sbin
check "completion: 'thrashguard ch' gives check-config" \
	eval '[ "$(complete_words thrashguard ch)" = check-config ]'
check "completion: 'thrashguard status --j' gives --json" \
	eval '[ "$(complete_words thrashguard status --j)" = --json ]'
check "completion: check-config takes no --dry-run" \
	eval '! complete_words thrashguard check-config -- | grep -qx -- --dry-run'
check "completion: '--set action.mo' gives action.mode=, from check-config" \
	eval '[ "$(complete_words thrashguard run --set action.mo)" = action.mode= ]'

# ------------------------------------------------------------ 4. the chroot

suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && sources+=("$f")
done
include=libinih1,procps
key=$(cat "${sources[@]}" | { cat; echo "$suite minbase $include"; } | sha256sum | cut -c1-12)
tarball=$CACHE/chroot-$suite-minbase-$key.tar
if [ -f "$tarball" ] && [ -s "$tarball" ]; then
	ok "chroot: cached $(basename "$tarball")"
else
	start=$SECONDS
	rm -rf "$CACHE"/chroot-*.tar
	if mmdebstrap --quiet --mode=root --format=tar --variant=minbase --include="$include" \
		"$suite" "$tarball.tmp" "${sources[@]}" >"$WORK/mmdebstrap.log" 2>&1 &&
		mv "$tarball.tmp" "$tarball"; then
		ok "chroot: mmdebstrap --variant=minbase $suite ($((SECONDS - start)) s, cached for next time)"
	else
		bad "mmdebstrap failed: $(tail -n 5 "$WORK/mmdebstrap.log")"
		rm -f "$tarball.tmp"
		summary
	fi
fi
mkdir -p "$CHROOT"
tar -xf "$tarball" -C "$CHROOT" || {
	bad "cannot unpack the chroot"
	summary
}
printf '#!/bin/sh\n# tests/package.sh: start nothing in this chroot\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
chmod 755 "$CHROOT/usr/sbin/policy-rc.d"
check "the chroot has no running systemd (/run/systemd/system absent)" test ! -d "$CHROOT/run/systemd/system"

# The upgrade: the same package, repacked with a higher version.
up_version=$version+repack1
rp=$WORK/repack
dpkg-deb -R "$deb" "$rp"
sed -i "s/^Version: .*/Version: $up_version/" "$rp/DEBIAN/control"
up_deb=$WORK/thrashguard_${up_version}_$arch.deb
dpkg-deb --root-owner-group -b "$rp" "$up_deb" >/dev/null
check "repacked as $up_version, which dpkg orders after $version" \
	dpkg --compare-versions "$up_version" gt "$version"
cp "$deb" "$up_deb" "$CHROOT/tmp/"

in_chroot() {
	chroot "$CHROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}
# dpkg_step WHAT ARGS...: runs dpkg in the chroot, logged.
dpkg_step() {
	local what=$1
	shift
	if in_chroot dpkg "$@" >>"$WORK/dpkg.log" 2>&1; then
		ok "$what: dpkg $*"
	else
		bad "$what: dpkg $* failed: $(tail -n 5 "$WORK/dpkg.log")"
	fi
}
status_is() { # WANT: dpkg's status of thrashguard in the chroot
	[ "$(in_chroot dpkg-query -W -f='${Status}' thrashguard 2>/dev/null)" = "$1" ]
}
version_is() {
	[ "$(in_chroot dpkg-query -W -f='${Version}' thrashguard 2>/dev/null)" = "$1" ]
}
conf=$CHROOT/etc/thrashguard/thrashguard.conf
wants=$CHROOT/etc/systemd/system/multi-user.target.wants/thrashguard.service
files=(usr/sbin/thrashguard lib/systemd/system/thrashguard.service usr/share/man/man8/thrashguard.8.gz
	usr/share/man/man5/thrashguard.conf.5.gz usr/share/bash-completion/completions/thrashguard
	usr/share/doc/thrashguard/copyright)
all_present() {
	local f
	for f in "${files[@]}"; do [ -e "$CHROOT/$f" ] || return 1; done
}
none_present() {
	local f
	for f in "${files[@]}"; do [ ! -e "$CHROOT/$f" ] || return 1; done
}
edited() { grep -qx 'dry_run = true' "$conf"; }

# install
dpkg_step install -i "/tmp/$(basename "$deb")"
check "install: installed ($version)" eval 'status_is "install ok installed" && version_is "$version"'
check "install: every file in place" all_present
check "install: the conffile is the shipped file" cmp "$conf" conf/thrashguard.conf
check "install: the unit is enabled (multi-user.target.wants link)" \
	eval '[ "$(readlink "$wants")" = /lib/systemd/system/thrashguard.service ]'
check "install: the binary runs in the chroot (its libraries are there)" \
	eval 'in_chroot thrashguard --version | grep -qx "thrashguard [0-9.]*"'
check "install: check-config accepts the installed file" in_chroot thrashguard check-config
check "install: /bin/kill for ExecReload is there" test -x "$CHROOT/bin/kill"

# An operator's edit, which every later step but purge must keep.
sed -i 's/^dry_run = false$/dry_run = true/' "$conf"
check "the conffile edited (dry_run = true), still valid" \
	eval 'edited && in_chroot thrashguard check-config | grep -qx "dry_run = true"'

# reinstall the same .deb
dpkg_step reinstall -i "/tmp/$(basename "$deb")"
check "reinstall: installed, every file in place" eval 'status_is "install ok installed" && all_present'
check "reinstall: the edit is kept, no .dpkg-dist" eval 'edited && [ ! -e "$conf.dpkg-dist" ]'

# upgrade
dpkg_step upgrade -i "/tmp/$(basename "$up_deb")"
check "upgrade: now $up_version" version_is "$up_version"
check "upgrade: every file in place, still enabled" eval 'all_present && [ -L "$wants" ]'
check "upgrade: the edit is kept, no .dpkg-dist or .dpkg-new" \
	eval 'edited && [ ! -e "$conf.dpkg-dist" ] && [ ! -e "$conf.dpkg-new" ]'

# remove
dpkg_step remove -r thrashguard
check "remove: only the configuration is left (config-files)" status_is "deinstall ok config-files"
check "remove: no file of the package left" none_present
check "remove: the edited conffile kept" edited

# purge
dpkg_step purge -P thrashguard
check "purge: the package is unknown to dpkg" eval '! status_is "deinstall ok config-files" && ! status_is "install ok installed"'
check "purge: /etc/thrashguard is gone" test ! -e "$CHROOT/etc/thrashguard"
check "purge: the enable link is gone" test ! -e "$wants" -a ! -L "$wants"
check "purge: deb-systemd-helper forgot the unit" \
	eval '! find "$CHROOT/var/lib/systemd/deb-systemd-helper-enabled" -name "thrashguard*" | grep -q .'

# ------------------------------------------------------------ 5. make install

d=$WORK/destdir
if make -s --no-print-directory install PREFIX=/usr/local DESTDIR="$d" >"$WORK/install.log" 2>&1; then
	ok "make install PREFIX=/usr/local DESTDIR=..."
else
	bad "make install failed: $(tail -n 5 "$WORK/install.log")"
fi
check "make install: the unit follows PREFIX (/usr/local/lib/systemd/system)" \
	grep -qx 'ExecStart=/usr/local/sbin/thrashguard run' "$d/usr/local/lib/systemd/system/thrashguard.service"
check "make install: ExecReload= runs the installed check-config" \
	grep -qx 'ExecReload=/usr/local/sbin/thrashguard check-config' "$d/usr/local/lib/systemd/system/thrashguard.service"
check "make install: the completion under PREFIX" test -s "$d/usr/local/share/bash-completion/completions/thrashguard"
check "make install: the configuration under /etc" test -s "$d/etc/thrashguard/thrashguard.conf"
check "make install PREFIX=/usr: the unit in the system's unit directory" \
	eval 'make -s --no-print-directory install PREFIX=/usr DESTDIR="$WORK/destdir-usr" >/dev/null 2>&1 &&
		{ [ -e "$WORK"/destdir-usr/lib/systemd/system/thrashguard.service ] ||
		  [ -e "$WORK"/destdir-usr/usr/lib/systemd/system/thrashguard.service ]; }'
make -s --no-print-directory uninstall PREFIX=/usr/local DESTDIR="$d" >>"$WORK/install.log" 2>&1
check "make uninstall: no file left" eval '[ -z "$(find "$d" -type f)" ]'

summary
