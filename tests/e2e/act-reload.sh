#!/bin/bash
# SIGHUP reloads the configuration: a bad file (an unknown key, an empty
# file, a file cut inside a line) is refused with its
# file:line, the running configuration stays in force (here: dry-run, so
# the thrashing group lives) and READY=1 follows RELOADING=1 all the same;
# a good file is taken (dry-run off: the group is killed); a reload that
# turns dry-run on while a group is frozen pending its kill (freeze-kill)
# thaws it at once, rather than leave it to a kill that will only pretend.
#
# Usage: tests/e2e/act-reload.sh [BINARY]   (root)
set -uo pipefail
. "$(dirname "$0")/act-common.bash"
act_init act-reload "$@"

e2e_setup act-reload 200
act_node 512M
e2e_mkgroup node/victim
conf=$E2E_DIR/tg.conf
j=$E2E_DIR/journal.json

write_conf() { # DRY_RUN [DAEMON_LINE [ACTION_LINES]]
	cat >"$conf" <<EOC
[daemon]
scopes = $ACT_NODE
dry_run = $1
${2:-}
[action]
cooldown = 3s
${3:-}
EOC
}

# The last READY=1 came after the last RELOADING=1.
ready_after_reloading() {
	awk '/RELOADING=1/ { r = NR } /READY=1/ { y = NR } END { exit !(r && y > r) }' \
		"$E2E_DIR/notify.log"
}

# How many times the daemon said it took a configuration.
n_reloaded() {
	grep -c 'Configuration reloaded' "$E2E_DIR/daemon.log"
}

write_conf yes
act_start_daemon -c "$conf" || { act_summary; exit; }
tg_check "started in dry-run from the file" grep -q 'dry-run yes' "$E2E_DIR/daemon.log"

# 1. A bad file: an unknown key on line 4.
write_conf no "no_such_key = 1"
kill -HUP "$ACT_PID"
if e2e_poll 10 grep -q "$conf:4" "$E2E_DIR/daemon.log"; then
	tg_check "the bad file is refused with file:line ($conf:4)" true
else
	tg_fail "no '$conf:4' in the daemon's log after SIGHUP"
fi
tg_check "and says the running configuration stays" \
	grep -q 'keeping the running configuration' "$E2E_DIR/daemon.log"
if e2e_poll 5 ready_after_reloading; then
	tg_check "READY=1 follows RELOADING=1 after the failed reload" true
else
	tg_fail "no READY=1 after RELOADING=1: the unit would stay 'reloading'"
fi
tg_check "the daemon is alive" act_daemon_alive

# 1b. What a tool that writes the file in place leaves: an empty file, then
# one cut inside a line. Neither is the built-in defaults (scope /, live).
: >"$conf"
kill -HUP "$ACT_PID"
if e2e_poll 10 grep -q "$conf:1: the file is empty" "$E2E_DIR/daemon.log"; then
	tg_check "an empty file is refused on SIGHUP ($conf:1: the file is empty)" true
else
	tg_fail "no '$conf:1: the file is empty' in the daemon's log after SIGHUP"
fi
printf '[daemon]\nscopes = %s\ndry_run = n' "$ACT_NODE" >"$conf"
kill -HUP "$ACT_PID"
if e2e_poll 10 grep -q "$conf:3: the file ends inside this line" "$E2E_DIR/daemon.log"; then
	tg_check "a file cut inside its last line is refused ($conf:3)" true
else
	tg_fail "no '$conf:3: the file ends inside this line' in the daemon's log after SIGHUP"
fi
tg_check "both said the running configuration stays" \
	test "$(grep -c 'keeping the running configuration' "$E2E_DIR/daemon.log")" -ge 3
tg_check "the daemon is alive" act_daemon_alive
# The old configuration (dry-run, the test's scope) must still be in force.
for _ in 1 2 3; do
	e2e_run node/victim -- "$E2E_TOOLS/steady" --anon 4 --duration 300
done
act_thrash node/victim 380 2 120
e2e_poll 5 eval '(($(tg_nprocs node/victim) >= 6))' || true
n=$(tg_nprocs node/victim)
if act_wait_entry 40 "$TG_MID_WOULD_ACT" "THRASHGUARD_CGROUP=/$E2E_NAME/node/victim"; then
	tg_check "still dry-run after the bad reload: a would-act entry" true
else
	tg_fail "no would-act entry within 40 s after the bad reload"
fi
tg_check "and the group keeps its $n processes" test "$(tg_nprocs node/victim)" -ge "$n"

# 2. A good file: dry-run off.
write_conf no
kill -HUP "$ACT_PID"
if e2e_poll 10 grep -q 'Configuration reloaded.*dry-run no' "$E2E_DIR/daemon.log"; then
	tg_check "the good file is taken (dry-run no)" true
else
	tg_fail "no 'Configuration reloaded ... dry-run no' in the daemon's log"
fi
tg_check "RELOADING=1 then READY=1 were sent" grep -q 'RELOADING=1' "$E2E_DIR/notify.log"
if e2e_wait_empty node/victim 40; then
	tg_check "with dry-run off the thrashing group is killed" true
else
	tg_fail "node/victim still holds $(tg_nprocs node/victim) processes 40 s after the reload"
fi
tg_journal "$j"
tg_check "an 'acted' kill entry" test "$(act_entries "$j" "$TG_MID_ACTED" \
	"THRASHGUARD_CGROUP=/$E2E_NAME/node/victim" THRASHGUARD_ACTION=kill)" = 1

# 3. freeze-kill with a long grace; the group is frozen; then a reload
# turns dry-run on: the pending kill would only pretend, so it is thawed.
echo "--- 3. a reload to dry-run thaws a group frozen pending its kill" >&2
e2e_mkgroup node/frozen
n0=$(n_reloaded)
write_conf no "" "mode = freeze-kill
freeze_grace = 90s"
kill -HUP "$ACT_PID"
e2e_poll 10 eval '(($(n_reloaded) > n0))' || tg_fail "the freeze-kill file was not taken"
for _ in 1 2 3; do
	e2e_run node/frozen -- "$E2E_TOOLS/steady" --anon 4 --duration 300
done
act_thrash node/frozen 380 2 120
e2e_poll 5 eval '(($(tg_nprocs node/frozen) >= 6))' || true
n=$(tg_nprocs node/frozen)
if e2e_poll 40 cg_frozen node/frozen; then
	tg_check "the thrashing group is frozen (freeze-kill, grace 90 s)" true
	n0=$(n_reloaded)
	write_conf yes "" "mode = freeze-kill
freeze_grace = 90s"
	kill -HUP "$ACT_PID"
	e2e_poll 10 eval '(($(n_reloaded) > n0))' || tg_fail "the dry-run file was not taken"
	if e2e_poll 5 eval '! cg_frozen node/frozen'; then
		tg_check "the reload to dry-run thawed it at once" true
	else
		tg_fail "node/frozen still frozen after the reload to dry-run"
	fi
	tg_check "the daemon said so" grep -q "Thawed /$E2E_NAME/node/frozen" "$E2E_DIR/daemon.log"
	tg_check "and the group keeps its $n processes" test "$(tg_nprocs node/frozen)" -ge "$n"
else
	tg_fail "node/frozen not frozen after 40 s"
fi
act_stop_daemon
rc=$?
tg_check "the daemon stops cleanly (exit $rc)" test "$rc" = 0
act_summary
