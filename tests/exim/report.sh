# Sourced by tests/run-exim-*.sh after tests/lib.sh.
# report FILE: turn check.pl's PASS/FAIL lines into TAP, in this shell (no
# pipe, so lib.sh's counters stay right).
# shellcheck shell=sh
report() {
	while IFS= read -r line; do
		case $line in
		PASS\ *) ok "${line#PASS }" ;;
		FAIL\ *) fail "${line#FAIL }" ;;
		*) diag "$line" ;;
		esac
	done < "$1"
}
