#!/bin/sh
# Hostile log lines (tests/hostile/cases, format in its README): each case
# through eximparse must have its stated outcome; then all of them together
# through every output format of every command: no attacker byte leaves its
# field (JSON, TSV and CSV read back by independent readers agree), and
# what banlist generates holds only validated addresses from the
# documentation ranges and the administrator's names, never an attacker's
# text or a fake address. The work is done by tests/hostile/check.pl.
. "$(dirname "$0")/lib.sh"
need perl
perl -MJSON::PP -e 1 2>/dev/null || skip_all "perl JSON::PP missing"
scratch
wrap_commands
export T_TMP
exec perl "$SRCDIR/tests/hostile/check.pl" "$SRCDIR/tests/hostile/cases"
