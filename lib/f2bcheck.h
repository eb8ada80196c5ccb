/* SPDX-License-Identifier: ISC */
/*
 * Filter sample checks in fail2ban's "# failJSON:" convention, as its test
 * harness (tests/samplestestcase.py) runs them: "# failJSON: {...}" states
 * what the next line must give ("match", "host", "time", any group name,
 * "attempts", "constraint", "desc"), "# filterOptions: {...}" or "[{...},
 * ...]" switches the filter variants used from there on ("test.*" keys are
 * harness-only: test.condition, test.filter-name, test.prefix-line),
 * "# fileOptions: {...}" sets defaults for them and "# addFILE: \"name\""
 * appends a file from the same directory. Lines without an annotation must
 * not match. Every failregex of every variant needs a sample.
 *
 * Times in the annotations are local: the caller sets TZ (fail2ban's
 * harness uses CET-01CEST-02,M3.5.0,M10.5.0) and passes "now" (1124013600
 * there). Nothing is printed: each disagreement goes to the report
 * callback, and the counts to the stats.
 */
#ifndef SIFT_F2BCHECK_H
#define SIFT_F2BCHECK_H

#include <stdint.h>

#include "err.h"
#include "f2b.h"
#include "sift.h"

#define SIFT_F2BCHECK_NOW	1124013600	/* fail2ban's TEST_NOW */
#define SIFT_F2BCHECK_TZ	"CET-01CEST-02,M3.5.0,M10.5.0"

struct sift_f2bcheck_stats {
	uint64_t	 lines;		/* sample lines tested */
	uint64_t	 checks;	/* line x filter variant tests */
	uint64_t	 variants;	/* filter variants loaded */
	uint64_t	 failed;	/* disagreements reported */
};

/*
 * file: the sample file or the filter (line 0); variant: the filter
 * options in Python dict notation ("" for the plain filter); msg: what
 * disagrees ("host: expected '192.0.2.1', got '192.0.2.7'").
 */
typedef void sift_f2bcheck_report(void *arg, const char *file,
	    uint64_t line, const char *variant, const char *msg);

/*
 * Check the sample file samples against filter spec (a name, path or
 * name[options], loaded with fo; fo->optkey/optval/nopt are replaced per
 * variant). name is the test name used by constraints ("name == 'sshd'").
 * Returns 0 when the samples could be checked (st->failed disagreements
 * were reported), -1 on trouble: unreadable file, bad JSON, a filter that
 * does not load, an unsupported constraint (err says which, file:line).
 */
SIFT_NODISCARD int sift_f2bcheck_run(const char *samples, const char *spec,
	    const char *name, const struct sift_f2b_opts *fo,
	    sift_f2bcheck_report *report, void *arg,
	    struct sift_f2bcheck_stats *st, struct sift_err *err);

#endif
