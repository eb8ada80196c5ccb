/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the classifier with an arbitrary rules file and log lines. The
 * input is a rules file, a line "%%", then log lines. Loading either works
 * or fails with a "file:line: what" message; every line then gets a class
 * the classifier knows (or none), from a rule that exists, the same from a
 * clone, and an address to blame that is the record's own or, for rules
 * that take the address after their text, one written in the line.
 */
#include <sys/mman.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "parse.h"
#include "str.h"
#include "fuzz.h"
#include "banned.h"

/* The address is written in the line in some form. */
static bool
in_line(const struct sift_addr *a, struct sift_str line)
{
	char buf[SIFT_ADDR_STRLEN];
	size_t n;
	const char *p, *e;
	struct sift_addr b;

	n = sift_addr_format(a, buf, sizeof(buf));
	if (sift_str_find(line, buf, n) != NULL)
		return true;
	/* IPv6 may be written otherwise: try every address-shaped run. */
	for (p = line.p, e = line.p + line.n; p < e; p++) {
		const char *q = p;

		while (q < e && q - p < 45 && (*q == ':' || *q == '.' ||
		    (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
		    (*q >= 'A' && *q <= 'F')))
			q++;
		for (const char *r = q; r > p; r--)
			if (sift_addr_parse(p, (size_t)(r - p), &b) == 0 &&
			    sift_addr_eq(&b, a))
				return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *e = p + size, *sep, *nl;
	struct sift_classifier *c, *c2;
	struct sift_err err = SIFT_ERR_INIT;
	struct sift_parse_opts po;
	struct sift_match m, m2;
	struct sift_rec rec;
	struct sift_str line;
	char path[64];
	int fd, rc, ncl;

	if (size > 1 << 16)
		return 0;
	sep = memmem(p, size, "\n%%\n", 4);
	if ((fd = memfd_create("rules", MFD_CLOEXEC)) == -1)
		abort();
	if (sep != NULL && write(fd, p, (size_t)(sep - p + 1)) !=
	    (ssize_t)(sep - p + 1))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	c = sift_classifier_new();
	rc = sift_classifier_load(c, path, &err);
	close(fd);
	if (rc == -1) {
		FUZZ_CHECK(err.msg[0] != '\0');
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
	}
	c2 = sift_classifier_clone(c);
	ncl = sift_classifier_nclasses(c);
	FUZZ_CHECK(ncl >= SIFT_CL__BUILTIN && ncl <= SIFT_CLASS_MAX);
	FUZZ_CHECK(sift_classifier_nclasses(c2) == ncl);

	memset(&po, 0, sizeof(po));
	po.ref_time = 1795315200;
	po.fixed_tz = true;
	for (p = sep != NULL ? sep + 4 : p; p < e; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		line = sift_str_make(p, (size_t)(nl - p));
		(void)sift_parse(line, &rec, &po);
		rc = sift_classify(c, &rec, &m);
		FUZZ_CHECK(rc == m.cls);
		FUZZ_CHECK(m.cls == SIFT_CLASS_NONE ||
		    m.cls == SIFT_CLASS_IGNORE || (m.cls >= 0 && m.cls < ncl));
		if (m.cls >= 0) {
			FUZZ_CHECK(sift_classifier_class_name(c, m.cls) !=
			    NULL);
			FUZZ_CHECK(m.rule >= 0 &&
			    (size_t)m.rule < sift_classifier_nrules(c));
		}
		FUZZ_CHECK(m.ip.family == 0 || m.ip.family == 4 ||
		    m.ip.family == 6);
		if (m.ip.family != 0 && !sift_addr_eq(&m.ip, &rec.ip))
			FUZZ_CHECK(in_line(&m.ip, line));
		/* A clone classifies alike. */
		(void)sift_classify(c2, &rec, &m2);
		FUZZ_CHECK(m2.cls == m.cls && m2.rule == m.rule &&
		    m2.ip.family == m.ip.family);
		/* Only the family says "no address": the bytes may be old. */
		FUZZ_CHECK(m.ip.family == 0 || sift_addr_eq(&m2.ip, &m.ip));
		(void)sift_classifier_event_used(c, rec.event);
		(void)sift_line_quick_event(line);
		/* The quick look never contradicts the parser. */
		if (sift_line_is_delivery(line))
			FUZZ_CHECK(rec.event >= SIFT_EV_ARRIVAL &&
			    rec.event <= SIFT_EV_COMPLETED);
		if (nl == e)
			break;
	}
	sift_classifier_free(c);
	sift_classifier_free(c2);
	return 0;
}
