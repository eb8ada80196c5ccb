/* SPDX-License-Identifier: ISC */
/*
 * The --state cursor file. Format (text, one file a line, after a
 * version line):
 *
 *	# offenders state 1
 *	DEV INO FPLEN FP OFFSET LINENO SEEN<TAB>NAME
 *
 * numbers in decimal except FP (16 hex digits); NAME escaped with \\, \n
 * and \t. Written to a temporary file and renamed (lib/atomic.h).
 */
#include "state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "xalloc.h"
#include "banned.h"

#define STATE_MAGIC	"# offenders state 1"

struct ent {
	struct sift_state_ent	 e;
	char			*name;
	bool			 claimed;
};

struct sift_state {
	struct ent	*old;
	size_t		 nold, capold;
	struct ent	*cur;
	size_t		 ncur, capcur;
};

uint64_t
sift_state_fingerprint(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static void
add(struct ent **v, size_t *n, size_t *cap, const struct sift_state_ent *e,
    const char *name, size_t namelen)
{
	struct ent *x;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = sift_xreallocarray(*v, *cap, sizeof(**v));
	}
	x = &(*v)[(*n)++];
	x->e = *e;
	x->name = sift_xstrndup(name, namelen);
	x->e.name = x->name;
	x->claimed = false;
}

static size_t
unescape(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			s[o++] = s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
		} else
			s[o++] = s[i];
	}
	return o;
}

int
sift_state_load(struct sift_state **sp, const char *path,
    struct sift_err *err)
{
	struct sift_state *s;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int rc = 0;

	s = sift_xcalloc(1, sizeof(*s));
	*sp = s;
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		struct sift_state_ent e;
		unsigned long long dev, ino, fplen, fpv, off, ln;
		long long seen;
		char *tab;
		int used = 0;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			if (strcmp(line, STATE_MAGIC) != 0) {
				rc = sift_err_set(err, SIFT_E_FORMAT, 0,
				    "%s:1: not an offenders state file", path);
				break;
			}
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if ((tab = memchr(line, '\t', (size_t)len)) == NULL ||
		    sscanf(line, "%llu %llu %llu %16llx %llu %llu %lld%n",
		    &dev, &ino, &fplen, &fpv, &off, &ln, &seen, &used) != 7 ||
		    line + used != tab || fplen == 0 ||
		    fplen > SIFT_STATE_HEAD) {
			rc = sift_err_set(err, SIFT_E_FORMAT, 0,
			    "%s:%u: invalid state entry", path, lineno);
			break;
		}
		memset(&e, 0, sizeof(e));
		e.dev = dev;
		e.ino = ino;
		e.fplen = (uint32_t)fplen;
		e.fp = fpv;
		e.offset = off;
		e.lineno = ln;
		e.seen = seen;
		add(&s->old, &s->nold, &s->capold, &e, tab + 1,
		    unescape(tab + 1, (size_t)(line + len - tab - 1)));
	}
	if (rc == 0 && ferror(fp))
		rc = sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
	free(line);
	fclose(fp);
	return rc;
}

void
sift_state_free(struct sift_state *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nold; i++)
		free(s->old[i].name);
	for (size_t i = 0; i < s->ncur; i++)
		free(s->cur[i].name);
	free(s->old);
	free(s->cur);
	free(s);
}

const struct sift_state_ent *
sift_state_match(struct sift_state *s, uint64_t dev, uint64_t ino,
    const void *head, size_t headlen)
{
	struct ent *best = NULL;

	for (size_t i = 0; i < s->nold; i++) {
		struct ent *x = &s->old[i];

		if (x->claimed || x->e.fplen > headlen ||
		    sift_state_fingerprint(head, x->e.fplen) != x->e.fp)
			continue;
		if (x->e.dev == dev && x->e.ino == ino) {
			best = x;
			break;
		}
		if (best == NULL)
			best = x;
	}
	if (best == NULL)
		return NULL;
	best->claimed = true;
	return &best->e;
}

void
sift_state_put(struct sift_state *s, const struct sift_state_ent *e)
{
	const char *name = e->name != NULL ? e->name : "";

	if (e->fplen == 0)
		return;
	add(&s->cur, &s->ncur, &s->capcur, e, name, strlen(name));
}

size_t
sift_state_count(const struct sift_state *s)
{
	return s->nold;
}

static void
write_ent(FILE *fp, const struct sift_state_ent *e)
{
	fprintf(fp, "%" PRIu64 " %" PRIu64 " %" PRIu32 " %016" PRIx64
	    " %" PRIu64 " %" PRIu64 " %" PRId64 "\t", e->dev, e->ino, e->fplen,
	    e->fp, e->offset, e->lineno, e->seen);
	for (const char *p = e->name; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else
			putc(*p, fp);
	}
	putc('\n', fp);
}

int
sift_state_save(struct sift_state *s, const char *path, int64_t now,
    struct sift_err *err)
{
	struct sift_atomic *a;
	FILE *fp;

	if (sift_atomic_open(&a, path, err) == -1)
		return -1;
	fp = sift_atomic_file(a);
	fprintf(fp, "%s\n", STATE_MAGIC);
	for (size_t i = 0; i < s->ncur; i++) {
		s->cur[i].e.seen = now;
		write_ent(fp, &s->cur[i].e);
	}
	for (size_t i = 0; i < s->nold; i++)
		/* seen comes from the file: now - seen could overflow. */
		if (!s->old[i].claimed &&
		    s->old[i].e.seen >= now - SIFT_STATE_KEEP)
			write_ent(fp, &s->old[i].e);
	return sift_atomic_commit(a, err);
}
