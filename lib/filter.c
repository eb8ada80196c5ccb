/* SPDX-License-Identifier: ISC */
/* Record filters by time, event, address and message id. */
#include "filter.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "xalloc.h"
#include "banned.h"

#define MSGID_MAX	23

struct sift_filter {
	bool		 has_since, has_until;
	int64_t		 since, until;
	uint64_t	 events;	/* bit per enum sift_event; 0: all */
	struct sift_cidr *cidrs;
	size_t		 ncidrs;
	char		(*ids)[MSGID_MAX + 1];
	size_t		*idlen;
	size_t		 nids;
};

_Static_assert(SIFT_EV__COUNT <= 64, "event set must fit 64 bits");

struct sift_filter *
sift_filter_new(void)
{
	return sift_xcalloc(1, sizeof(struct sift_filter));
}

void
sift_filter_free(struct sift_filter *f)
{
	if (f == NULL)
		return;
	free(f->cidrs);
	free(f->ids);
	free(f->idlen);
	free(f);
}

void
sift_filter_since(struct sift_filter *f, int64_t since)
{
	f->has_since = true;
	f->since = since;
}

void
sift_filter_until(struct sift_filter *f, int64_t until)
{
	f->has_until = true;
	f->until = until;
}

int
sift_filter_events(struct sift_filter *f, const char *list,
    struct sift_err *err)
{
	const char *p, *q;
	size_t n;
	int ev;

	for (p = list;; p = q + 1) {
		q = strchr(p, ',');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		ev = sift_event_from_name(p, n);
		if (ev < 0)
			return sift_err_set(err, SIFT_E_USAGE, 0,
			    "unknown event: %.*s", (int)(n > 64 ? 64 : n), p);
		f->events |= (uint64_t)1 << ev;
		if (q == NULL)
			break;
	}
	return 0;
}

int
sift_filter_ip(struct sift_filter *f, const char *text, struct sift_err *err)
{
	struct sift_cidr c;

	if (sift_cidr_parse(text, strlen(text), &c, false) == -1)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "invalid address or prefix: %s", text);
	f->cidrs = sift_xreallocarray(f->cidrs, f->ncidrs + 1,
	    sizeof(*f->cidrs));
	f->cidrs[f->ncidrs++] = c;
	return 0;
}

static bool
idchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

bool
sift_msgid_valid(const char *p, size_t n)
{
	size_t a, b;

	/* tttttt-pppppp-ss (up to 4.96), tttttt-ppppppppppp-ssss (4.97+) */
	if (n == 16) {
		a = 6;
		b = 13;
	} else if (n == 23) {
		a = 6;
		b = 18;
	} else
		return false;
	for (size_t i = 0; i < n; i++) {
		if (i == a || i == b) {
			if (p[i] != '-')
				return false;
		} else if (!idchar(p[i]))
			return false;
	}
	return true;
}

int
sift_filter_msgid(struct sift_filter *f, const char *id, struct sift_err *err)
{
	size_t n = strlen(id);

	if (!sift_msgid_valid(id, n))
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "not an Exim message id: %.*s", (int)(n > 64 ? 64 : n),
		    id);
	f->ids = sift_xreallocarray(f->ids, f->nids + 1, sizeof(*f->ids));
	f->idlen = sift_xreallocarray(f->idlen, f->nids + 1,
	    sizeof(*f->idlen));
	memcpy(f->ids[f->nids], id, n + 1);
	f->idlen[f->nids++] = n;
	return 0;
}

bool
sift_filter_active(const struct sift_filter *f)
{
	return f->has_since || f->has_until || f->events != 0 ||
	    f->ncidrs > 0 || f->nids > 0;
}

/* Does the id occur in s as a whole token (not inside a longer id)? */
static bool
mentions(struct sift_str s, const char *id, size_t n)
{
	const char *p = s.p, *end = s.p + s.n, *q;

	while (p != NULL && (size_t)(end - p) >= n) {
		q = memmem(p, (size_t)(end - p), id, n);
		if (q == NULL)
			return false;
		if ((q == s.p || !idchar(q[-1])) &&
		    (q + n == end || !idchar(q[n])))
			return true;
		p = q + 1;
	}
	return false;
}

bool
sift_filter_match(const struct sift_filter *f, const struct sift_rec *rec)
{
	bool ok;

	if (f->has_since || f->has_until) {
		if (!rec->ts.valid)
			return false;
		if (f->has_since && rec->ts.sec < f->since)
			return false;
		if (f->has_until && rec->ts.sec >= f->until)
			return false;
	}
	if (f->events != 0 && (f->events & ((uint64_t)1 << rec->event)) == 0)
		return false;
	if (f->ncidrs > 0) {
		if (rec->ip.family == 0)
			return false;
		ok = false;
		for (size_t i = 0; i < f->ncidrs && !ok; i++)
			ok = sift_cidr_contains(&f->cidrs[i], &rec->ip);
		if (!ok)
			return false;
	}
	if (f->nids > 0) {
		ok = false;
		for (size_t i = 0; i < f->nids && !ok; i++)
			ok = sift_str_eq(rec->msgid, sift_str_make(f->ids[i],
			    f->idlen[i])) || mentions(rec->line, f->ids[i],
			    f->idlen[i]);
		if (!ok)
			return false;
	}
	return true;
}
