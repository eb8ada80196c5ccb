/* SPDX-License-Identifier: ISC */
/*
 * classify-lines: print "CLASS<TAB>LINENO<TAB>ADDRESS<TAB>LINE" for every
 * line of a log (CLASS "-" when none, ADDRESS "-" when the parser found
 * none, as with the test suite's placeholder addresses). For the
 * real-line classification tests (tests/run-offenders-classes.sh). Exits
 * 1 when sift_line_quick_event() and the parser disagree on a line.
 *   classify-lines [-C rules] file
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

int
main(int argc, char *argv[])
{
	struct sift_classifier *c = sift_classifier_new();
	struct sift_reader *r;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_str line;
	struct sift_rec rec;
	struct sift_match m;
	char ip[SIFT_ADDR_STRLEN];
	int ch, rc, qe, bad = 0;

	while ((ch = getopt(argc, argv, "C:")) != -1) {
		if (ch != 'C')
			errx(2, "usage: classify-lines [-C rules] file");
		if (sift_classifier_load(c, optarg, &e) == -1)
			errx(2, "%s", e.msg);
	}
	if (optind + 1 != argc)
		errx(2, "usage: classify-lines [-C rules] file");
	if (sift_reader_open(&r, argv[optind], NULL, &e) == -1)
		errx(2, "%s", e.msg);
	while ((rc = sift_reader_next(r, &line, &e)) == 1) {
		int id = -1;

		(void)sift_parse(line, &rec, NULL);
		qe = sift_line_quick_event(line);
		if (qe >= 0 && (enum sift_event)qe != rec.event) {
			warnx("%s:%" PRIu64 ": quick look says %s, parser "
			    "says %s", argv[optind], sift_reader_lineno(r),
			    sift_event_name((enum sift_event)qe),
			    sift_event_name(rec.event));
			bad = 1;
		}
		id = sift_classify(c, &rec, &m);
		if (m.ip.family != 0)
			sift_addr_format(&m.ip, ip, sizeof(ip));
		else
			memcpy(ip, "-", 2);
		printf("%s\t%" PRIu64 "\t%s\t%.*s\n",
		    id >= 0 ? sift_classifier_class_name(c, id) : "-",
		    sift_reader_lineno(r), ip, (int)line.n, line.p);
	}
	if (rc == -1)
		errx(2, "%s", e.msg);
	sift_reader_close(r);
	sift_classifier_free(c);
	return bad;
}
