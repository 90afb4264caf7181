#!/bin/bash
# SIGHUP reloads the configuration: a bad file is refused with its
# file:line and the running configuration stays in force (here: dry-run,
# so the thrashing group lives); a good file is taken (dry-run off: the
# group is killed).
#
# Usage: tests/e2e/act-reload.sh [BINARY]   (root)
set -uo pipefail
. "$(dirname "$0")/act-common.bash"
act_init act-reload "$@"

e2e_setup act-reload 120
act_node 512M
e2e_mkgroup node/victim
conf=$E2E_DIR/tg.conf
j=$E2E_DIR/journal.json

write_conf() { # DRY_RUN [EXTRA_LINE]
	cat >"$conf" <<EOC
[daemon]
scopes = $ACT_NODE
dry_run = $1
${2:-}
[action]
cooldown = 3s
EOC
}

write_conf yes
act_start_daemon -c "$conf" || { act_summary; exit; }
act_check "started in dry-run from the file" grep -q 'dry-run yes' "$E2E_DIR/daemon.log"

# 1. A bad file: an unknown key on line 4.
write_conf no "no_such_key = 1"
kill -HUP "$ACT_PID"
if e2e_poll 10 grep -q "$conf:4" "$E2E_DIR/daemon.log"; then
	act_check "the bad file is refused with file:line ($conf:4)" true
else
	act_fail "no '$conf:4' in the daemon's log after SIGHUP"
fi
act_check "and says the running configuration stays" \
	grep -q 'keeping the running configuration' "$E2E_DIR/daemon.log"
act_check "the daemon is alive" act_daemon_alive
# The old configuration (dry-run) must still be in force.
for _ in 1 2 3; do
	e2e_run node/victim -- "$E2E_TOOLS/steady" --anon 4 --duration 300
done
act_thrash node/victim 380 2 120
e2e_poll 5 eval '(($(act_nprocs node/victim) >= 6))' || true
n=$(act_nprocs node/victim)
if act_wait_entry 40 "$ACT_MID_WOULD_ACT" "THRASHGUARD_CGROUP=/$E2E_NAME/node/victim"; then
	act_check "still dry-run after the bad reload: a would-act entry" true
else
	act_fail "no would-act entry within 40 s after the bad reload"
fi
act_check "and the group keeps its $n processes" test "$(act_nprocs node/victim)" -ge "$n"

# 2. A good file: dry-run off.
write_conf no
kill -HUP "$ACT_PID"
if e2e_poll 10 grep -q 'Configuration reloaded.*dry-run no' "$E2E_DIR/daemon.log"; then
	act_check "the good file is taken (dry-run no)" true
else
	act_fail "no 'Configuration reloaded ... dry-run no' in the daemon's log"
fi
act_check "RELOADING=1 then READY=1 were sent" grep -q 'RELOADING=1' "$E2E_DIR/notify.log"
if e2e_wait_empty node/victim 40; then
	act_check "with dry-run off the thrashing group is killed" true
else
	act_fail "node/victim still holds $(act_nprocs node/victim) processes 40 s after the reload"
fi
act_journal "$j"
act_check "an 'acted' kill entry" test "$(act_entries "$j" "$ACT_MID_ACTED" \
	"THRASHGUARD_CGROUP=/$E2E_NAME/node/victim" THRASHGUARD_ACTION=kill)" = 1
act_stop_daemon
rc=$?
act_check "the daemon stops cleanly (exit $rc)" test "$rc" = 0
act_summary
