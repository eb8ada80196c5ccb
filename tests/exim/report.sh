# Sourced by tests/run-exim-*.sh after tests/lib.sh.
# report FILE: turn check.pl's PASS/FAIL lines into TAP, in this shell (no
# pipe, so lib.sh's counters stay right). Checks matching the ERE TODO_RE
# (a feature still being written) are TAP TODO: reported, not fatal.
# shellcheck shell=sh
TODO_RE=
TODO_WHY=
report() {
	while IFS= read -r line; do
		if [ -n "$TODO_RE" ] && echo "$line" | grep -Eq "$TODO_RE"; then
			T_N=$((T_N + 1))
			case $line in
			PASS\ *) echo "ok $T_N - ${line#PASS } # TODO $TODO_WHY" ;;
			*) echo "not ok $T_N - ${line#FAIL } # TODO $TODO_WHY" ;;
			esac
			continue
		fi
		case $line in
		PASS\ *) ok "${line#PASS }" ;;
		FAIL\ *) fail "${line#FAIL }" ;;
		*) diag "$line" ;;
		esac
	done < "$1"
}

# todo ERE WHY: mark matching checks as TODO from here on; todo: stop.
todo() {
	TODO_RE=${1:-}
	TODO_WHY=${2:-}
}
