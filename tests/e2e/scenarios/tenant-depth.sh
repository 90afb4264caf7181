# shellcheck shell=bash disable=SC2034 # SCN_* are read by run.sh
# tenant-depth: a tenant hides below its own container.  The thrashing pod
# nests 40 groups below its container group and thrashes from the bottom,
# while a sleeper sits at the end of a 600-byte path below it (three
# components of 200 characters).  The container is one candidate with all
# below it, at any depth and length: it must be emptied whole by one kill;
# the neighbour and the kubelet live.
SCN_DEADLINE=90
SCN_DEFAULT=1
SCN_SUMMARY="a container nesting 40 levels and 600-byte paths is emptied whole; nobody else touched"

scn_run() {
	local deep long i name
	tg_thrash_setup
	deep=$TH
	for ((i = 0; i < 40; i++)); do deep=$deep/d$i; done
	e2e_mkgroup "$deep"
	name=$(printf 'x%.0s' {1..200})
	long=$TH/$name/$name/$name
	e2e_mkgroup "$long"
	tg_daemon_start
	tg_thrash_neighbour
	e2e_run "$long" -- "$E2E_DIR/kubelet" 600
	e2e_sleep_ms 1500
	tg_thrash_start "$deep"
	tg_tenant_killed_whole "nested and long"
	tg_stop_neighbour
	tg_daemon_stop_check
}
