#!/bin/sh
# Makes sure the Debian packages a make target needs are installed.
# Usage: scripts/deps.sh build|test|fuzz|vm|node|bench|package
# On Debian/Ubuntu, missing packages are installed with apt-get (saying
# which); elsewhere the script fails and names them.
set -eu

build="gcc make pkg-config libsystemd-dev libinih-dev"
# prometheus for promtool, prometheus-node-exporter for the metrics e2e test
# (tests/e2e/act-metrics.sh starts its own on 127.0.0.1): their services are
# never left running or enabled (see below).
test_pkgs="$build libcmocka-dev systemd util-linux python3 python3-yaml prometheus prometheus-node-exporter curl"
# clang with the libFuzzer and sanitizer runtimes (Debian 12: clang 14).
fuzz="$build clang libclang-rt-14-dev"
vm="$test_pkgs qemu-system-x86 busybox-static cpio e2fsprogs"
# node: the systemd node image (tests/vm/node/), built with mmdebstrap
node="$vm mmdebstrap debian-archive-keyring"
bench="$vm gnuplot-nox earlyoom nohang"
# The Debian package: its Build-Depends (debian/control), the tools that
# build and check it, a chroot to install it in (tests/package.sh), and
# bash-completion to load the completion it ships.
package="$build libcmocka-dev debhelper dpkg-dev lintian mmdebstrap bash-completion git"

case "${1:-build}" in
build) want=$build ;;
test) want=$test_pkgs ;;
fuzz) want=$fuzz ;;
vm) want=$vm ;;
node) want=$node ;;
bench) want=$bench ;;
package) want=$package ;;
*) echo "deps.sh: unknown set '$1' (build|test|fuzz|vm|node|bench|package)" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "thrashguard needs these packages (Debian names):$missing" >&2
	echo "Install their equivalents with your package manager and run make again." >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing; run with sudo so they can be installed, or install them yourself" >&2
	exit 1
fi
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Packages with services (prometheus, its node exporter) must not start
# them: a policy-rc.d that refuses every start holds for this install
# unless the machine has its own.
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	own_policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$own_policy"
	chmod 755 "$own_policy"
	trap 'rm -f "$own_policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ -n "$own_policy" ] && rm -f "$own_policy"
# ... and they stay off at the next boot too: the tests start their own.
for unit in prometheus.service prometheus-node-exporter.service; do
	case " $missing " in
	*" ${unit%.service} "*)
		if [ -d /run/systemd/system ]; then
			systemctl disable --now "$unit" >/dev/null 2>&1 || true
		else
			systemctl disable "$unit" >/dev/null 2>&1 || true
		fi
		;;
	esac
done
echo "deps.sh: installed:$missing"
