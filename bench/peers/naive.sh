#!/bin/sh
# naive.sh SCOPE: the simplest thing an operator could write (issue 16):
# once a second, if the scope's memory.pressure `some` total grew by more
# than 200 ms, kill the largest child (bench/peers/README.md).  SCOPE is a
# cgroup path and must be a test scope: /tg-e2e-*/... or /tg-bench-*/...
set -u
scope=${1:-} v2=/sys/fs/cgroup mem=/sys/fs/cgroup use=memory.current
case $scope in /tg-e2e-*/* | /tg-bench-*/*) ;; *) echo "naive: refusing scope '$scope'" >&2; exit 2 ;; esac
case $scope in *..* | *//* | */) echo "naive: refusing scope '$scope'" >&2; exit 2 ;; esac
[ -d /sys/fs/cgroup/unified ] && v2=/sys/fs/cgroup/unified mem=/sys/fs/cgroup/memory use=memory.usage_in_bytes
if [ ! -r "$v2$scope/memory.pressure" ] || [ ! -d "$mem$scope" ]; then echo "naive: no scope $scope" >&2; exit 2; fi
some() { while read -r k _ _ _ t; do [ "$k" = some ] && echo "${t#total=}"; done <"$v2$scope/memory.pressure"; }
trap 'exit 0' TERM INT
echo "naive: watching $scope"
last=$(some)
while sleep 1; do
	now=$(some)
	if [ $((now - last)) -gt 200000 ]; then
		g=$scope # down through the largest child until a group holding processes
		while ! read -r _ <"$v2$g/cgroup.procs"; do
			best='' max=-1
			for d in "$mem$g"/*/; do
				[ -r "$d$use" ] && u=$(cat "$d$use") && [ "$u" -gt "$max" ] && max=$u best=${d%/}
			done
			[ -n "$best" ] || break
			g=${best#"$mem"}
		done
		case $g in "$scope"/*) echo "naive: kill $g (some +$(((now - last) / 1000)) ms)" && echo 1 >"$v2$g/cgroup.kill" ;; esac
	fi
	last=$now
done
