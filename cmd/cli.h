/* SPDX-License-Identifier: ISC */
/*
 * What the four commands share: exit codes, number and time parsing, the
 * atomic -o output, signal handling and closing stdout. Only cmd/ prints or
 * exits; these helpers may do both.
 */
#ifndef SIFT_CLI_H
#define SIFT_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "sift.h"

/* grep's exit codes. */
#define CLI_EXIT_OK		0
#define CLI_EXIT_NOMATCH	1	/* regex-test: nothing matched */
#define CLI_EXIT_TROUBLE	2

/* Program name, stdout buffering, SIGINT/SIGTERM clean-up, atexit close. */
void	 cli_init(const char *argv0);
/* strtoll with end-pointer and range check; exits 2 with a message. */
long long cli_number(const char *s, long long min, long long max,
	    const char *what);
/*
 * Durations: "90", "90s", "10m", "2h", "1d", "1w", combinations ("1h30m").
 * Returns 0 and seconds, or -1.
 */
int	 cli_duration(const char *s, int64_t *secs);
/*
 * A point in time: "2026-11-22", "2026-11-22 10:00[:00]", ISO 8601 with "T"
 * and an optional "Z" or "+hh:mm" offset, "@epoch", or a duration meaning
 * that long before now ("2h"). Local time unless an offset is given.
 */
int	 cli_time(const char *s, int64_t now, int64_t *out);

/*
 * Output: with path NULL or "-", standard output; otherwise an atomic
 * temporary file that cli_output_close() renames into place (or removes,
 * with ok false or when writing failed). SIGINT/SIGTERM remove it too.
 */
FILE	*cli_output_open(const char *path);
/* Returns CLI_EXIT_OK or CLI_EXIT_TROUBLE (after reporting). */
int	 cli_output_close(FILE *fp, bool ok);

/* warnx("%s", err->msg) */
void	 cli_report(const struct sift_err *err);
/* Set by the SIGINT/SIGTERM handler when no temp file needs care. */
extern volatile sig_atomic_t cli_interrupted;

#endif
