# Helpers for VM scenarios (busybox ash), sourced by /init as /tg/lib-vm.sh.
# Cgroup paths are relative to /sys/fs/cgroup ("test", "node/pod-a"); "/" or
# "" means the root (system-wide PSI comes from /proc/pressure/memory then).

CG=/sys/fs/cgroup

# ---- time ------------------------------------------------------------------

# Centiseconds since boot (integer arithmetic only).
tg_now_cs() {
	local up
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}" | sed 's/^0*\([0-9]\)/\1/'
}
# 1234 -> 12.34
tg_cs2s() {
	printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}
# tg_deadline SECONDS -> an absolute deadline for tg_before
tg_deadline() {
	echo $(($(tg_now_cs) + $1 * 100))
}
tg_before() {
	[ "$(tg_now_cs)" -lt "$1" ]
}

# ---- results ---------------------------------------------------------------

# tg_json KEY VALUE [KEY VALUE...] -> {"KEY":VALUE,...}
# Numbers and true/false/null go in raw, everything else as an escaped
# string, so the line is valid JSON whatever a program printed.  Only a key
# ending in _json takes its value raw: the caller vouches for it (one line,
# valid JSON), e.g. a nested tg_json.
tg_json() {
	local out="" sep="" k v w
	while [ $# -ge 2 ]; do
		k=$1 v=$2
		shift 2
		case "$v" in
		-*) w=${v#-} ;;
		*) w=$v ;;
		esac
		case "$k:$v" in
		*_json:* | *:true | *:false | *:null) ;;
		*)
			case "$w" in
			'' | .* | *. | *.*.* | *[!0-9.]*)
				v=\"$(printf '%s' "$v" | tr -d '\000-\010\013-\037' |
					sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' |
					sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')\"
				;;
			esac
			;;
		esac
		out="$out$sep\"$k\":$v"
		sep=,
	done
	printf '{%s}' "$out"
}

# tg_result TYPE KEY VALUE... : one TGRESULT line (one write) on the console
tg_result() {
	local type=$1
	shift
	printf 'TGRESULT %s\n' "$(tg_json type "$type" scenario "$TG_SCENARIO" "$@")"
}

tg_info() {
	echo "TGINFO $*"
}

# tg_check NAME DETAIL COMMAND... : runs COMMAND, records a pass/fail check.
# Any failed check makes the scenario fail (init looks at /run/tg/failed).
tg_check() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then
		tg_result check name "$name" ok true detail "$detail"
	else
		tg_result check name "$name" ok false detail "$detail"
		echo "$name" >>/run/tg/failed
		return 1
	fi
}

# ---- modules, swap, disk ---------------------------------------------------

# vm_modload NAME: insmod NAME and, first, its dependencies (from the
# "NAME dep..." lines kernel.sh wrote; there is no modules.dep here).
vm_modload() {
	local m=$1 d
	[ -d "/sys/module/$m" ] && return 0
	if [ ! -e "/tg/modules/$m.ko" ]; then
		echo "vm_modload: $m not in initramfs" >&2
		return 1
	fi
	for d in $(sed -n "s/^$m //p" /tg/modules/deps); do
		vm_modload "$d" || return 1
	done
	shift
	insmod "/tg/modules/$m.ko" "$@"
}

# vm_zram_on SIZE: a zram swap device (zramctl is not in busybox: use sysfs)
vm_zram_on() {
	vm_modload zram || return 1
	[ -e /sys/block/zram0 ] || {
		echo "vm_zram_on: no zram0" >&2
		return 1
	}
	echo "$1" >/sys/block/zram0/disksize || return 1
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
}

# vm_disk_mount: the data disk run.sh attaches (ext4 holding big.dat, 300 MiB
# of data) at /mnt/data.  A RAM-backed file (initramfs, tmpfs) cannot be
# reclaimed, so page-cache thrash needs this disk.  It is writable (thrasher
# opens its file read-write) but QEMU runs it with snapshot=on: every write
# is dropped when the VM ends, so each scenario starts from the same disk.
vm_disk_mount() {
	local dl
	# ext4 of this kernel allocates the "crc32c" hash at every mount, even
	# without metadata_csum; that is a softdep, which insmod does not follow.
	vm_modload virtio_pci && vm_modload virtio_blk && vm_modload crc32c_generic &&
		vm_modload ext4 || return 1
	dl=$(tg_deadline 10)
	while [ ! -b /dev/vda ] && tg_before "$dl"; do sleep 0.1; done
	mkdir -p /mnt/data
	mount -t ext4 /dev/vda /mnt/data
}

# ---- cgroups ---------------------------------------------------------------

cg_dir() {
	case "$1" in
	/ | "") echo "$CG" ;;
	*) echo "$CG/${1#/}" ;;
	esac
}

# mkgroup PATH [FILE=VALUE...]: creates PATH (and its parents), enabling in
# each ancestor the controllers the root has enabled, then writes the values,
# e.g. mkgroup node/pod-a memory.max=256M memory.swap.max=0
mkgroup() {
	local path=${1#/} dir=$CG part kv ctl
	shift
	for part in $(echo "$path" | tr / ' '); do
		for ctl in $(cat "$CG/cgroup.subtree_control"); do
			grep -qw "$ctl" "$dir/cgroup.subtree_control" ||
				echo "+$ctl" >"$dir/cgroup.subtree_control" || return 1
		done
		dir=$dir/$part
		[ -d "$dir" ] || mkdir "$dir" || return 1
	done
	for kv in "$@"; do
		echo "${kv#*=}" >"$dir/${kv%%=*}" || {
			echo "mkgroup: cannot set ${kv%%=*}=${kv#*=} on $path" >&2
			return 1
		}
	done
}

# run_in_group PATH [--log FILE] CMD [ARGS...]: starts CMD in the background
# inside PATH and sets TG_PID.  The child joins the group before it execs, so
# the workload never allocates outside it.  (The static `cgexec` tool from
# tests/tools does the same for scenarios that prefer it.)
run_in_group() {
	local dir log=/dev/null
	dir=$(cg_dir "$1")
	shift
	if [ "$1" = --log ]; then
		log=$2
		shift 2
	fi
	sh -c 'echo $$ >"$1/cgroup.procs" || exit 125; shift; exec "$@"' run_in_group "$dir" "$@" \
		>"$log" 2>&1 </dev/null &
	TG_PID=$!
}

# cg_events_get PATH KEY: a value from cgroup.events (populated, frozen)
cg_events_get() {
	sed -n "s/^$2 //p" "$(cg_dir "$1")/cgroup.events"
}

# wait_empty PATH SECONDS: until no process is left in PATH's subtree
wait_empty() {
	local dl
	dl=$(tg_deadline "$2")
	while [ "$(cg_events_get "$1" populated)" != 0 ]; do
		tg_before "$dl" || return 1
		sleep 0.1
	done
}

# wait_frozen PATH SECONDS
wait_frozen() {
	local dl
	dl=$(tg_deadline "$2")
	while [ "$(cg_events_get "$1" frozen)" != 1 ]; do
		tg_before "$dl" || return 1
		sleep 0.1
	done
}

# cg_stat PATH KEY: a memory.stat counter (0 if absent)
cg_stat() {
	local v
	v=$(sed -n "s/^$2 //p" "$(cg_dir "$1")/memory.stat")
	echo "${v:-0}"
}

# cg_event PATH KEY: a memory.events counter (oom, oom_kill, high, max...)
cg_event() {
	local v
	v=$(sed -n "s/^$2 //p" "$(cg_dir "$1")/memory.events")
	echo "${v:-0}"
}

# read_pressure PATH [RESOURCE]: sets PSI_SOME_AVG10 PSI_SOME_AVG60
# PSI_SOME_TOTAL PSI_FULL_AVG10 PSI_FULL_AVG60 PSI_FULL_TOTAL (totals in us)
# from PATH's RESOURCE.pressure (memory by default; /proc/pressure for "/").
read_pressure() {
	local f kind a10 a60 a300 tot res=${2:-memory}
	case "$1" in
	/ | "") f=/proc/pressure/$res ;;
	*) f=$(cg_dir "$1")/$res.pressure ;;
	esac
	PSI_SOME_AVG10= PSI_FULL_AVG10= PSI_SOME_TOTAL=0 PSI_FULL_TOTAL=0
	while read -r kind a10 a60 a300 tot; do
		case "$kind" in
		some) PSI_SOME_AVG10=${a10#avg10=} PSI_SOME_AVG60=${a60#avg60=} PSI_SOME_TOTAL=${tot#total=} ;;
		full) PSI_FULL_AVG10=${a10#avg10=} PSI_FULL_AVG60=${a60#avg60=} PSI_FULL_TOTAL=${tot#total=} ;;
		esac
	done <"$f"
}

# tg_pct PART WHOLE -> percentage with two decimals (integers in, no floats
# in ash)
tg_pct() {
	[ "$2" -gt 0 ] || {
		echo 0
		return
	}
	local x=$(($1 * 10000 / $2))
	printf '%d.%02d' $((x / 100)) $((x % 100))
}

# cg_kill PATH: cgroup.kill (SIGKILL to the whole subtree, frozen or not)
cg_kill() {
	echo 1 >"$(cg_dir "$1")/cgroup.kill"
}

cg_freeze() {
	echo "${2:-1}" >"$(cg_dir "$1")/cgroup.freeze"
}

# rmgroup PATH: kill everything in it, wait, remove the leaves first
rmgroup() {
	local dir
	dir=$(cg_dir "$1")
	[ -d "$dir" ] || return 0
	cg_kill "$1" 2>/dev/null
	wait_empty "$1" 10 || return 1
	find "$dir" -depth -type d -exec rmdir {} \;
}
