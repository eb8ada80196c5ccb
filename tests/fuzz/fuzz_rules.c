/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the offenders rules-file loader and the classifier behind it. The
 * input is a rules file as a careless administrator might write it: each
 * line is added; a line either loads or fails with a "fuzz:N: " message
 * and defines no class. The classifier (and a clone) then classifies
 * records built from the input: the class is a known id or none, both
 * classifiers agree, and a blamed address is the record's own or one
 * written in the record's text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fuzz.h"
#include "banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_classifier *c = sift_classifier_new(), *c2;
	struct sift_err e = SIFT_ERR_INIT;
	const char *p = (const char *)data, *end = p + size, *nl;
	unsigned lineno = 0;
	char want[32];

	for (; p < end; p = nl + 1) {
		int before = sift_classifier_nclasses(c);

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		if (sift_classifier_add_line(c, p, (size_t)(nl - p), "fuzz",
		    lineno, &e) == -1) {
			snprintf(want, sizeof(want), "fuzz:%u: ", lineno);
			FUZZ_CHECK(strncmp(e.msg, want, strlen(want)) == 0);
			FUZZ_CHECK(sift_classifier_nclasses(c) == before);
		}
		FUZZ_CHECK(sift_classifier_nclasses(c) <= SIFT_CLASS_MAX);
		if (nl == end)
			break;
	}
	c2 = sift_classifier_clone(c);
	FUZZ_CHECK(c2 != NULL);
	for (int ev = 0; ev < SIFT_EV__COUNT; ev++) {
		struct sift_rec rec;
		struct sift_match m, m2;
		int id, id2;

		memset(&rec, 0, sizeof(rec));
		rec.event = (enum sift_event)ev;
		rec.stage = (enum sift_stage)(ev % SIFT_ST__COUNT);
		rec.text = sift_str_make((const char *)data, size);
		rec.line = rec.text;
		rec.reason = ev % 2 ? rec.text :
		    sift_str_make((const char *)data, size / 2);
		if (ev % 3 == 0)
			FUZZ_CHECK(sift_addr_parse("192.0.2.1", 9,
			    &rec.ip) == 0);
		id = sift_classify(c, &rec, &m);
		id2 = sift_classify(c2, &rec, &m2);
		FUZZ_CHECK(id == id2 && m.rule == m2.rule);
		FUZZ_CHECK(id == SIFT_CLASS_NONE ||
		    (id >= 0 && id < sift_classifier_nclasses(c)));
		FUZZ_CHECK(id == m.cls);
		if (id == SIFT_CLASS_NONE)
			FUZZ_CHECK(m.ip.family == 0);
		else if (rec.ip.family != 0)
			FUZZ_CHECK(sift_addr_eq(&m.ip, &rec.ip));
		FUZZ_CHECK(m.ip.family == 0 || m.ip.family == 4 ||
		    m.ip.family == 6);
	}
	sift_classifier_free(c2);
	sift_classifier_free(c);
	return 0;
}
