/* SPDX-License-Identifier: ISC */
/*
 * readlines: print the lines of a log set as the library reads them (for
 * tests/run-reader.sh and for profiling the reader path).
 *   readlines [-lnq] [-j threads] [-m max_line] [-o offset:lineno] file...
 * -l lists the ordered files and exits; -n prefixes "file:lineno:" and
 * marks truncated lines with "[T]"; -q counts lines and bytes only.
 * Errors go to stderr as "readlines: msg"; the exit status is then 2.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logset.h"
#include "banned.h"

int
main(int argc, char *argv[])
{
	struct sift_logset_opts o = { 0, 0, false };
	struct sift_logset *ls;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_str s;
	uint64_t lines = 0, bytes = 0, off = 0, lno = 0;
	bool list = false, num = false, quiet = false, resume = false;
	int ch, rc, status = 0;
	char *end;

	while ((ch = getopt(argc, argv, "j:lm:no:q")) != -1) {
		switch (ch) {
		case 'j':
			o.threads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			list = true;
			break;
		case 'm':
			o.max_line = (size_t)strtoull(optarg, NULL, 10);
			break;
		case 'n':
			num = true;
			break;
		case 'o':
			off = strtoull(optarg, &end, 10);
			if (*end == ':')
				lno = strtoull(end + 1, NULL, 10);
			resume = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			fprintf(stderr, "usage: readlines [-lnq] [-j threads] "
			    "[-m max_line] [-o offset:lineno] file...\n");
			return 2;
		}
	}
	ls = sift_logset_new(&o);
	for (int i = optind; i < argc; i++)
		if (sift_logset_add(ls, argv[i], &e) == -1) {
			warnx("%s", e.msg);
			status = 2;
		}
	if (optind == argc && sift_logset_add(ls, "-", &e) == -1)
		errx(2, "%s", e.msg);
	if (list) {
		for (size_t i = 0; i < sift_logset_count(ls); i++)
			printf("%s\n", sift_logset_path(ls, i));
		sift_logset_free(ls);
		return status;
	}
	if (resume)
		sift_logset_set_start(ls, 0, off, lno);
	while ((rc = sift_logset_next(ls, &s, &e)) != 0) {
		if (rc == -1) {
			warnx("%s", e.msg);
			status = 2;
			continue;
		}
		lines++;
		bytes += s.n;
		if (quiet)
			continue;
		if (num)
			printf("%s:%" PRIu64 ":%s", sift_logset_name(ls),
			    sift_logset_lineno(ls),
			    sift_logset_truncated(ls) ? "[T]" : "");
		fwrite(s.p, 1, s.n, stdout);
		putchar('\n');
	}
	if (quiet)
		printf("%" PRIu64 " lines %" PRIu64 " bytes\n", lines, bytes);
	sift_logset_free(ls);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(2, "stdout");
	return status;
}
