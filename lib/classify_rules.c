/* SPDX-License-Identifier: ISC */
/* User rules files and the names of event and stage masks. */
#include "classify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* --- user rules ------------------------------------------------------ */

static int
stage_from_name(const char *p, size_t n)
{
	for (int s = 0; s < SIFT_ST__COUNT; s++) {
		const char *nm = sift_stage_name((enum sift_stage)s);

		if (nm != NULL && strlen(nm) == n && memcmp(nm, p, n) == 0)
			return s;
	}
	return -1;
}

static bool
valid_class_name(const char *p, size_t n)
{
	if (n == 0 || n > SIFT_CLASS_NAMEMAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
		    p[i] == '-'))
			return false;
	return true;
}

/* Next whitespace-separated word of [*pp, end). */
static size_t
word(const char **pp, const char *end, const char **w)
{
	const char *p = *pp, *q;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (q = p; q < end && *q != ' ' && *q != '\t'; q++)
		continue;
	*w = p;
	*pp = q;
	return (size_t)(q - p);
}

static int
parse_events(const char *p, size_t n, uint64_t *events, uint32_t *stages,
    const char *file, unsigned lineno, struct sift_err *err)
{
	const char *end = p + n, *colon, *q;

	*events = 0;
	*stages = 0;
	colon = memchr(p, ':', n);
	if (colon != NULL) {
		for (const char *s = colon + 1; s < end; s = q + 1) {
			int st;

			if ((q = memchr(s, ',', (size_t)(end - s))) == NULL)
				q = end;
			if ((st = stage_from_name(s, (size_t)(q - s))) == -1)
				return sift_err_set(err, SIFT_E_FORMAT, 0,
				    "%s:%u: unknown stage: %.*s", file, lineno,
				    (int)(q - s), s);
			*stages |= SIFT_STMASK(st);
		}
		end = colon;
	}
	if ((size_t)(end - p) == 3 && memcmp(p, "any", 3) == 0)
		return 0;
	for (const char *s = p; s < end; s = q + 1) {
		int ev;

		if ((q = memchr(s, ',', (size_t)(end - s))) == NULL)
			q = end;
		if ((ev = sift_event_from_name(s, (size_t)(q - s))) < 0)
			return sift_err_set(err, SIFT_E_FORMAT, 0,
			    "%s:%u: unknown event: %.*s", file, lineno,
			    (int)(q - s), s);
		*events |= SIFT_EVMASK(ev);
	}
	return 0;
}

int
sift_classifier_add_line(struct sift_classifier *c, const char *line,
    size_t n, const char *file, unsigned lineno, struct sift_err *err)
{
	const char *p = line, *end = line + n, *w;
	size_t wn;
	struct sift_rule r;
	char text[1024];
	int cls;
	bool newcls = false;
	const char *cname = NULL;
	size_t cnamelen = 0;

	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return 0;
	memset(&r, 0, sizeof(r));
	r.where = SIFT_RW_REASON;

	wn = word(&p, end, &w);
	if (wn == 4 && memcmp(w, "none", 4) == 0)
		cls = SIFT_CLASS_IGNORE;
	else if (!valid_class_name(w, wn))
		return sift_err_set(err, SIFT_E_FORMAT, 0,
		    "%s:%u: invalid class name: %.*s", file, lineno,
		    (int)(wn > 40 ? 40 : wn), w);
	else if ((cls = sift_classifier_class_id(c, w, wn)) == -1) {
		if (sift_classifier_nclasses(c) >= SIFT_CLASS_MAX)
			return sift_err_set(err, SIFT_E_LIMIT, 0,
			    "%s:%u: too many classes (at most %d)", file,
			    lineno, SIFT_CLASS_MAX);
		newcls = true;
		cname = w;
		cnamelen = wn;
	}
	r.cls = newcls ? sift_classifier_nclasses(c) : cls;

	wn = word(&p, end, &w);
	if (wn == 0)
		return sift_err_set(err, SIFT_E_FORMAT, 0,
		    "%s:%u: missing events", file, lineno);
	if (parse_events(w, wn, &r.events, &r.stages, file, lineno,
	    err) == -1)
		return -1;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return sift_err_set(err, SIFT_E_FORMAT, 0,
		    "%s:%u: missing text", file, lineno);
	if ((size_t)(end - p) >= sizeof(text))
		return sift_err_set(err, SIFT_E_LIMIT, 0,
		    "%s:%u: text longer than %zu bytes", file, lineno,
		    sizeof(text) - 1);
	if (end - p >= 2 && *p == '/' && end[-1] == '/') {
		r.flags |= SIFT_RF_REGEX;
		p++;
		end--;
	} else if (*p == '^') {
		r.flags |= SIFT_RF_ANCHOR;
		p++;
		if (p == end)
			return sift_err_set(err, SIFT_E_FORMAT, 0,
			    "%s:%u: missing text", file, lineno);
	}
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return sift_err_set(err, SIFT_E_FORMAT, 0,
		    "%s:%u: NUL byte in text", file, lineno);
	memcpy(text, p, (size_t)(end - p));
	text[end - p] = '\0';
	r.text = text;
	if (sift_classifier_add_rule(c, &r, file, lineno, err) == -1)
		return -1;
	if (newcls)
		(void)sift_classifier_class_define(c, cname, cnamelen);
	return 0;
}

int
sift_classifier_load(struct sift_classifier *c, const char *path,
    struct sift_err *err)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int rc = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (sift_classifier_add_line(c, line, (size_t)len, path,
		    lineno, err) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp))
		rc = sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	free(line);
	fclose(fp);
	return rc;
}

const char *
sift_rule_events_str(uint64_t events, char *buf, size_t sz)
{
	size_t off = 0;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (events == 0) {
		if (sz >= 4)
			memcpy(buf, "any", 4);
		return buf;
	}
	for (int e = 0; e < SIFT_EV__COUNT; e++) {
		int k;

		if ((events & SIFT_EVMASK(e)) == 0)
			continue;
		k = snprintf(buf + off, sz - off, "%s%s", off ? "," : "",
		    sift_event_name((enum sift_event)e));
		if (k < 0 || (size_t)k >= sz - off)
			break;
		off += (size_t)k;
	}
	return buf;
}

const char *
sift_rule_stages_str(uint32_t stages, char *buf, size_t sz)
{
	size_t off = 0;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (stages == 0) {
		if (sz >= 4)
			memcpy(buf, "any", 4);
		return buf;
	}
	for (int s = 0; s < SIFT_ST__COUNT; s++) {
		int k;

		if ((stages & SIFT_STMASK(s)) == 0)
			continue;
		k = snprintf(buf + off, sz - off, "%s%s", off ? "," : "",
		    sift_stage_name((enum sift_stage)s));
		if (k < 0 || (size_t)k >= sz - off)
			break;
		off += (size_t)k;
	}
	return buf;
}
