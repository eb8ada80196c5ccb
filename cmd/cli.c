/* SPDX-License-Identifier: ISC */
/* Command-line glue shared by the four commands. */
#include "cli.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "banned.h"

volatile sig_atomic_t cli_interrupted;

static struct sift_atomic *out_atomic;
static char out_tmpname[PATH_MAX];
static volatile sig_atomic_t out_tmp_live;
static char stdout_buf[64 * 1024];

static void
on_signal(int sig)
{
	if (out_tmp_live)
		unlink(out_tmpname);
	cli_interrupted = 1;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* cli_output_close() has reported a write error on stdout: say it once. */
static bool stdout_reported;

static void
close_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE || stdout_reported)
			_exit(CLI_EXIT_TROUBLE);
		warn("write error on standard output");
		_exit(CLI_EXIT_TROUBLE);
	}
	if (fclose(stdout) == EOF && errno != EBADF) {
		warn("write error on standard output");
		_exit(CLI_EXIT_TROUBLE);
	}
}

void
cli_init(const char *argv0)
{
	struct sigaction sa;

	(void)argv0;	/* err(3) uses program_invocation_short_name */
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/*
	 * A file size limit (ulimit -f) must be a write error (EFBIG) that
	 * removes the temporary file, not a signal that leaves it behind.
	 */
	signal(SIGXFSZ, SIG_IGN);
	atexit(close_stdout);
}

long long
cli_number(const char *s, long long min, long long max, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE)
		errx(CLI_EXIT_TROUBLE, "%s: invalid number: %s", what, s);
	if (v < min || v > max)
		errx(CLI_EXIT_TROUBLE, "%s: %s is out of range %lld..%lld",
		    what, s, min, max);
	return v;
}

int
cli_duration(const char *s, int64_t *secs)
{
	int64_t total = 0, v;
	const char *p = s;
	int mult;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			return -1;
		v = 0;
		while (*p >= '0' && *p <= '9') {
			if (v > INT64_MAX / 10 - 10)
				return -1;
			v = v * 10 + (*p++ - '0');
		}
		switch (*p) {
		case '\0':
			mult = 1;
			break;
		case 'd':
			mult = 86400;
			p++;
			break;
		case 'h':
			mult = 3600;
			p++;
			break;
		case 'm':
			mult = 60;
			p++;
			break;
		case 's':
			mult = 1;
			p++;
			break;
		case 'w':
			mult = 7 * 86400;
			p++;
			break;
		default:
			return -1;
		}
		if (v > (INT64_MAX - total) / mult)
			return -1;
		total += v * mult;
	}
	*secs = total;
	return 0;
}

static int
digits(const char **pp, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*pp)[i] < '0' || (*pp)[i] > '9')
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

int
cli_time(const char *s, int64_t now, int64_t *out)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om, sign;
	bool has_off = false;
	int64_t off = 0, dur;
	time_t t;
	char *end;
	long long e;

	if (*p == '@') {
		errno = 0;
		e = strtoll(p + 1, &end, 10);
		if (end == p + 1 || *end != '\0' || errno != 0)
			return -1;
		*out = e;
		return 0;
	}
	if (cli_duration(s, &dur) == 0) {
		*out = now - dur;
		return 0;
	}
	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1)
		return -1;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
		    digits(&p, 2, &mi) == -1)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se) == -1)
				return -1;
		}
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				continue;
	}
	if (*p == 'Z') {
		has_off = true;
		p++;
	} else if (*p == '+' || *p == '-' || (*p == ' ' && (p[1] == '+' ||
	    p[1] == '-'))) {
		if (*p == ' ')
			p++;
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) == -1)
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) == -1)
			return -1;
		off = sign * (oh * 3600 + om * 60);
		has_off = true;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	if (has_off) {
		t = timegm(&tm);
		*out = (int64_t)t - off;
	} else {
		t = mktime(&tm);
		*out = (int64_t)t;
	}
	return 0;
}

FILE *
cli_output_open(const char *path)
{
	struct sift_err e = SIFT_ERR_INIT;
	size_t n;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	if (out_atomic != NULL)
		errx(CLI_EXIT_TROUBLE, "only one output file at a time");
	if (sift_atomic_open(&out_atomic, path, &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	n = strlen(sift_atomic_tmpname(out_atomic));
	if (n < sizeof(out_tmpname)) {
		memcpy(out_tmpname, sift_atomic_tmpname(out_atomic), n + 1);
		out_tmp_live = 1;
	}
	return sift_atomic_file(out_atomic);
}

int
cli_output_close(FILE *fp, bool ok)
{
	struct sift_err e = SIFT_ERR_INIT;
	int rc;

	if (fp == stdout) {
		if (fflush(stdout) == EOF || ferror(stdout)) {
			if (!stdout_reported)
				warn("write error on standard output");
			stdout_reported = true;
			return CLI_EXIT_TROUBLE;
		}
		return CLI_EXIT_OK;
	}
	out_tmp_live = 0;
	if (!ok) {
		sift_atomic_abort(out_atomic);
		out_atomic = NULL;
		return CLI_EXIT_TROUBLE;
	}
	rc = sift_atomic_commit(out_atomic, &e);
	out_atomic = NULL;
	if (rc == -1) {
		warnx("%s", e.msg);
		return CLI_EXIT_TROUBLE;
	}
	return CLI_EXIT_OK;
}

void
cli_report(const struct sift_err *e)
{
	warnx("%s", e->msg);
}
