# bash completion for thrashguard(8).
# Commands and the options each takes follow src/main.c's table; the keys
# for --set come from the configuration in effect (check-config prints every
# key), so they never go out of date.

_thrashguard_set_keys()
{
	local section line
	"${1:-thrashguard}" check-config 2>/dev/null | while IFS= read -r line; do
		case $line in
		\[*\]) section=${line#[}; section=${section%]} ;;
		[a-z]*=*) line=${line%%=*}; printf '%s.%s=\n' "$section" "${line%% *}" ;;
		esac
	done
}

_thrashguard()
{
	local cur prev words cword
	_init_completion -n = || return

	local commands="run status check-config thaw help"
	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		run | status | check-config | thaw | help)
			cmd=${words[i]}
			break
			;;
		-*) break ;; # options before any command: the command is run
		esac
	done

	case $prev in
	-c | --config)
		_filedir conf
		return
		;;
	--root | --runtime-dir)
		_filedir -d
		return
		;;
	--interval)
		mapfile -t COMPREPLY < <(compgen -W "1s 2s 5s 500ms" -- "$cur")
		return
		;;
	--set)
		compopt -o nospace 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -W "$(_thrashguard_set_keys "${words[0]}")" -- "$cur")
		return
		;;
	esac
	case $cur in
	--config=*)
		cur=${cur#*=}
		_filedir conf
		return
		;;
	--root=* | --runtime-dir=*)
		cur=${cur#*=}
		_filedir -d
		return
		;;
	esac

	local opts
	case $cmd in
	"") opts="-c --config -n --dry-run --root --set -v --verbose --runtime-dir -h --help --version" ;;
	run) opts="-c --config -n --dry-run --root --set -v --verbose --runtime-dir -h --help" ;;
	status) opts="--json --watch --interval -c --config --root --set --runtime-dir -h --help" ;;
	check-config) opts="-c --config --set -h --help" ;;
	thaw) opts="-c --config --root --set --runtime-dir -h --help" ;;
	help) return ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	if [[ -z $cmd && $i == "$cword" ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		return
	fi
	if [[ $cmd == thaw ]]; then
		# The group, relative to the cgroup root as in THRASHGUARD_CGROUP:
		# cgroup v2's, else v1's memory hierarchy, where the groups are.
		local root=/sys/fs/cgroup d
		[[ -e $root/cgroup.procs ]] || root=$root/memory
		COMPREPLY=()
		for d in "$root/${cur#/}"*/; do
			[[ -d $d ]] || continue
			d=${d%/}
			COMPREPLY+=("/${d#"$root"/}")
		done
		compopt -o nospace 2>/dev/null
	fi
}
complete -F _thrashguard thrashguard
