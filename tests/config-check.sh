#!/bin/sh
# The real binary's check-config and command line: the shipped file is
# accepted, every bad sample in tests/fixtures/config/ is refused with exit 2
# and a message naming its file, line and key, --set errors likewise.
# Usage: tests/config-check.sh [BINARY]   (default build/thrashguard)
set -u

cd "$(dirname "$0")/.." || exit 1
bin=${1:-build/thrashguard}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
# make check may run this tier before anything built the binary.
if [ ! -x "$bin" ] && [ "$bin" = "$PWD/build/thrashguard" ]; then
	${MAKE:-make} --no-print-directory all >&2
fi
if [ ! -x "$bin" ]; then
	echo "config-check: $bin is not built" >&2
	echo "config-check: 0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/config-check.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
	sed 's/^/    stderr: /' "$tmp/err" >&2
}

# expect NAME RC [STDERR-TEXT]... -- ARGS...: runs the binary, checks the
# exit code and that stderr holds each text (fixed strings).
expect() {
	name=$1 rc=$2
	shift 2
	texts=""
	while [ "$1" != "--" ]; do
		texts="$texts$1
"
		shift
	done
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$rc" ]; then
		bad "$name: exit $got, expected $rc"
		return
	fi
	missing=$(printf '%s' "$texts" | while IFS= read -r t; do
		[ -n "$t" ] && ! grep -qF -- "$t" "$tmp/err" && printf '%s\n' "$t"
	done)
	if [ -n "$missing" ]; then
		bad "$name: stderr lacks: $missing"
		return
	fi
	ok
}

# The shipped file: valid, and exactly the built-in defaults.
expect "shipped conf" 0 -- check-config -c conf/thrashguard.conf
cp "$tmp/out" "$tmp/shipped.out"
if grep -qx '\[daemon\]' "$tmp/shipped.out" && grep -qx 'scopes = /' "$tmp/shipped.out"; then ok; else
	: >"$tmp/err"
	bad "check-config does not print the configuration"
fi
printf '[daemon]\n' >"$tmp/section-only.conf"
expect "a section alone = defaults" 0 -- check-config -c "$tmp/section-only.conf"
if cmp -s "$tmp/out" "$tmp/shipped.out"; then ok; else
	: >"$tmp/err"
	bad "check-config of conf/thrashguard.conf differs from the built-in defaults"
fi

# What check-config prints reads back to the same configuration.
expect "print with --set" 0 -- check-config -c conf/thrashguard.conf \
	--set daemon.scopes=/kubepods.slice,/system.slice --set shortage.min_headroom=1536M \
	--set action.mode=freeze-kill --set 'rank.avoid=*postgres* *etcd*'
cp "$tmp/out" "$tmp/printed.conf"
expect "printed conf reads back" 0 -- check-config -c "$tmp/printed.conf"
if cmp -s "$tmp/out" "$tmp/printed.conf"; then ok; else
	: >"$tmp/err"
	bad "check-config output does not read back identically"
fi
if grep -qx 'mode = freeze-kill' "$tmp/printed.conf" &&
	grep -qx 'min_headroom = 1536M' "$tmp/printed.conf"; then ok; else
	: >"$tmp/err"
	bad "--set values are not in the printed configuration"
fi

# Each bad sample: exit 2, "FILE:LINE:" and the expected text (which names
# the key) on stderr. The expectations live in the samples themselves.
for f in tests/fixtures/config/*.conf; do
	line=$(sed -n 's/^# expect-line: //p' "$f")
	text=$(sed -n 's/^# expect: //p' "$f")
	expect "$f" 2 "$f:$line: " "$text" -- check-config -c "$f"
done

# What an incomplete write leaves is refused, with the reason: nothing at
# all, only comments, a last line cut short (see also the samples above).
: >"$tmp/empty.conf"
expect "empty file" 2 "$tmp/empty.conf:1: the file is empty" -- check-config -c "$tmp/empty.conf"
expect "empty file with --set" 2 "$tmp/empty.conf:1: the file is empty" -- \
	check-config -c "$tmp/empty.conf" --set daemon.dry_run=true
expect "/dev/null" 2 "/dev/null:1: the file is empty" -- check-config -c /dev/null
printf '\n  \n\t\n' >"$tmp/blank.conf"
expect "blank file" 2 "$tmp/blank.conf:3: no [section] in the file" -- check-config -c "$tmp/blank.conf"
head -c 200 conf/thrashguard.conf >"$tmp/cut.conf"
expect "cut file" 2 "$tmp/cut.conf:" "the file ends inside this line" -- \
	check-config -c "$tmp/cut.conf"

# Every error of a file is reported, each on its own line with its file,
# line and key, in one run; what follows a refused line or section is
# still read (and a refused section's keys are not reported again).
printf '%s\n' '[daemon]' 'interval = 5x' 'intervl = 1s' '' '[shortage]' 'window = 1min 30s' \
	'min_headroom = lots' '[deamon]' 'interval = nonsense' '[alert]' 'top = 1000' \
	>"$tmp/three.conf"
expect "three errors" 2 \
	"$tmp/three.conf:2: [daemon] interval: bad value '5x'" \
	"$tmp/three.conf:3: unknown key 'intervl' in [daemon]" \
	"$tmp/three.conf:6: [shortage] window: value 90s is out of range" \
	"$tmp/three.conf:7: [shortage] min_headroom: bad value 'lots'" \
	"$tmp/three.conf:8: unknown section [deamon]" \
	"$tmp/three.conf:11: [alert] top: value 1000 is out of range" -- \
	check-config -c "$tmp/three.conf"
if [ "$(grep -c "^thrashguard: $tmp/three.conf:[0-9]*: " "$tmp/err")" = 6 ] &&
	[ "$(wc -l <"$tmp/err")" = 6 ] && [ ! -s "$tmp/out" ]; then ok; else
	bad "three.conf: expected exactly six error lines and no configuration"
fi
printf '%s\n' '[daemon]' 'interval = 1 s' 'intervl = 1s' '[shortage]' 'window = 2 sec' \
	'duration = 1 min 2 fortnights' '[alert]' 'top = many' >"$tmp/three-more.conf"
expect "three errors, three lines" 2 -- check-config -c "$tmp/three-more.conf"
if [ "$(wc -l <"$tmp/err")" = 3 ] &&
	grep -qF "$tmp/three-more.conf:3: unknown key 'intervl'" "$tmp/err" &&
	grep -qF "$tmp/three-more.conf:6: [shortage] duration: bad value '1 min 2 fortnights'" "$tmp/err" &&
	grep -qF "$tmp/three-more.conf:8: [alert] top: bad value 'many'" "$tmp/err"; then ok; else
	bad "three-more.conf: expected three error lines (lines 3, 6 and 8)"
fi

# systemd's time syntax is accepted, and printed back in one unit.
printf '%s\n' '[shortage]' 'window = 1500 msec' 'duration = 1min 30s' '[action]' \
	'cooldown = 2 minutes' >"$tmp/systemd-time.conf"
expect "systemd durations" 0 -- check-config -c "$tmp/systemd-time.conf"
if grep -qx 'window = 1500ms' "$tmp/out" && grep -qx 'duration = 90s' "$tmp/out" &&
	grep -qx 'cooldown = 2min' "$tmp/out"; then ok; else
	: >"$tmp/err"
	bad "systemd durations: not printed as 1500ms, 90s and 2min"
fi

# A file given with -c must exist; without -c a missing default is fine
# (tested in the unit tests: this machine may have one).
expect "missing -c file" 2 "/nonexistent/thrashguard.conf: No such file or directory" -- \
	check-config -c /nonexistent/thrashguard.conf

# --set errors.
expect "--set bad value" 2 \
	"--set shortage.window=abc: [shortage] window: bad value 'abc': expected a duration" -- \
	check-config -c conf/thrashguard.conf --set shortage.window=abc
expect "--set out of range" 2 "--set alert.top=1000: [alert] top: value 1000 is out of range" -- \
	check-config -c conf/thrashguard.conf --set alert.top=1000
expect "--set relative metrics_dir" 2 \
	"--set alert.metrics_dir=prom: [alert] metrics_dir: 'prom' is not an absolute path" -- \
	check-config -c conf/thrashguard.conf --set alert.metrics_dir=prom
expect "--set two metrics_dirs" 2 \
	"[alert] metrics_dir: 2 items; at most 1 are allowed" -- \
	check-config -c conf/thrashguard.conf --set "alert.metrics_dir=/a /b"
expect "--set unknown key" 2 \
	"--set daemon.intervl=1s: unknown key 'intervl' in [daemon]; did you mean 'interval'?" -- \
	check-config --set daemon.intervl=1s -c conf/thrashguard.conf
expect "--set unknown section" 2 "--set deamon.interval=1s: unknown section [deamon]" -- \
	check-config -c conf/thrashguard.conf --set deamon.interval=1s
expect "--set without =" 2 "--set daemon.interval: expected SECTION.KEY=VALUE" -- \
	check-config -c conf/thrashguard.conf --set daemon.interval
expect "--set contradiction" 2 \
	"--set shortage.window=3s: [shortage] window = 3s is longer than [shortage] duration = 1s" -- \
	check-config -c conf/thrashguard.conf --set shortage.window=3s
expect "--set fixes a file" 0 -- \
	check-config -c tests/fixtures/config/cooldown-window.conf --set action.cooldown=2s

# The command line's own usage errors are exit 2 as well.
expect "unknown option" 2 "unknown option '--bogus'" -- check-config --bogus
expect "option of another command" 2 "'check-config' does not take --root" -- \
	check-config --root /tmp
expect "unknown command" 2 "unknown command 'chek-config'" -- chek-config
expect "stray argument" 2 "unexpected argument 'extra'" -- check-config extra
expect "missing argument" 2 "option '-c' needs an argument" -- check-config -c
expect "--version" 0 -- --version
expect "--help" 0 -- --help
expect "help" 0 -- help

echo "config-check: $pass passed, $fail failed"
[ "$fail" = 0 ]
