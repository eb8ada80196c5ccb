/* SPDX-License-Identifier: ISC */
/* Minimal TAP producer for the C unit tests (header only). */
#ifndef SIFT_TAP_H
#define SIFT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int
tap_check(int ok, const char *what, const char *file, int line)
{
	tap_n++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_n, what);
	if (!ok) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	return ok;
}

static inline int
tap_check_str(const char *got, const char *want, const char *what,
    const char *file, int line)
{
	int ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	tap_check(ok, what, file, line);
	if (!ok)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",
		    got != NULL ? got : "(null)", want != NULL ? want : "(null)");
	return ok;
}

static inline int
tap_check_int(long long got, long long want, const char *what,
    const char *file, int line)
{
	int ok = got == want;

	tap_check(ok, what, file, line);
	if (!ok)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return ok;
}

static inline int
tap_done(void)
{
	printf("1..%d\n# %d passed, %d failed\n", tap_n, tap_n - tap_failed,
	    tap_failed);
	return tap_failed != 0;
}

#define CHECK(c)		tap_check((c) != 0, #c, __FILE__, __LINE__)
#define CHECK_STREQ(a, b)	tap_check_str((a), (b), #a " == " #b, \
				    __FILE__, __LINE__)
#define CHECK_INT(a, b)		tap_check_int((long long)(a), (long long)(b), \
				    #a " == " #b, __FILE__, __LINE__)

#endif
