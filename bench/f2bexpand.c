/* SPDX-License-Identifier: ISC */
/*
 * f2bexpand: print a fail2ban filter's expanded failregexes (what regex-test
 * compiles), one a line, for bench/bench-regex-test.sh's grep -cP peer.
 *   f2bexpand filter
 */
#include <err.h>
#include <stdio.h>

#include "f2b.h"
#include "banned.h"

int
main(int argc, char *argv[])
{
	struct sift_f2b_opts o = { 0 };
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_f2b *f;
	size_t i;

	if (argc != 2) {
		fputs("usage: f2bexpand filter\n", stderr);
		return 2;
	}
	if ((f = sift_f2b_load(argv[1], &o, NULL, &e)) == NULL)
		errx(2, "%s", e.msg);
	for (i = 0; i < sift_f2b_nfail(f); i++)
		puts(sift_f2b_fail_expanded(f, i));
	sift_f2b_free(f);
	return 0;
}
