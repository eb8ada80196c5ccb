/* SPDX-License-Identifier: ISC */
/*
 * fastcheck: the fast paths of offenders against the full ones, line by
 * line, over any logs: sift_classify() (scanner-driven rule walk) against
 * sift_classify_ref() (every rule in turn) on the parsed record, and
 * sift_line_quick_event() against the parser. Prints one summary line;
 * every disagreement is reported with file and line, and makes the exit
 * status 1.
 *   fastcheck [-C rules] file...
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "parse.h"
#include "reader.h"
#include "banned.h"

static int bad;

static void
report(const char *file, uint64_t ln, const char *what, struct sift_str line)
{
	if (bad++ < 20)
		warnx("%s:%" PRIu64 ": %s: %.*s", file, ln, what,
		    (int)(line.n > 200 ? 200 : line.n), line.p);
}

int
main(int argc, char *argv[])
{
	struct sift_classifier *c = sift_classifier_new();
	struct sift_err e = SIFT_ERR_INIT;
	uint64_t lines = 0, classed = 0, quick = 0;
	int ch;

	while ((ch = getopt(argc, argv, "C:")) != -1) {
		if (ch != 'C')
			errx(2, "usage: fastcheck [-C rules] file...");
		if (sift_classifier_load(c, optarg, &e) == -1)
			errx(2, "%s", e.msg);
	}
	if (optind == argc)
		errx(2, "usage: fastcheck [-C rules] file...");
	for (int i = optind; i < argc; i++) {
		struct sift_reader *r;
		struct sift_str line;
		int rc;

		if (sift_reader_open(&r, argv[i], NULL, &e) == -1)
			errx(2, "%s", e.msg);
		while ((rc = sift_reader_next(r, &line, &e)) == 1) {
			struct sift_rec rec;
			struct sift_match m1, m2;
			int qe, a, b;

			lines++;
			(void)sift_parse(line, &rec, NULL);
			qe = sift_line_quick_event(line);
			if (qe >= 0) {
				quick++;
				if ((enum sift_event)qe != rec.event)
					report(argv[i], sift_reader_lineno(r),
					    "quick event differs", line);
			}
			a = sift_classify(c, &rec, &m1);
			/* offenders skips these lines unparsed */
			if (qe >= 0 && !sift_classifier_event_counts(c,
			    (enum sift_event)qe) && a >= 0)
				report(argv[i], sift_reader_lineno(r),
				    "skipped line has a class", line);
			b = sift_classify_ref(c, &rec, &m2);
			if (a >= 0)
				classed++;
			if (a != b || m1.rule != m2.rule ||
			    m1.ip.family != m2.ip.family ||
			    (m1.ip.family != 0 &&
			    !sift_addr_eq(&m1.ip, &m2.ip)))
				report(argv[i], sift_reader_lineno(r),
				    "classification differs", line);
		}
		if (rc == -1)
			errx(2, "%s", e.msg);
		sift_reader_close(r);
	}
	printf("%" PRIu64 " lines, %" PRIu64 " classified, %" PRIu64
	    " by the quick look, %d differences\n", lines, classed, quick,
	    bad);
	sift_classifier_free(c);
	return bad != 0;
}
