/* SPDX-License-Identifier: ISC */
/* Rotated log sets: operand expansion, ordering, and one line stream. */
#include "logset.h"

#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "reader.h"
#include "xalloc.h"
#include "banned.h"

struct lfile {
	char		*path;
	size_t		 group;		/* its group's first */
	int		 kind;		/* 0 dated, 1 number, 2 live */
	uint64_t	 key;
	size_t		 seq;		/* operand order */
	uint64_t	 start_offset, start_lineno;
	char		*gkey;		/* directory + base name */
};

struct sift_logset {
	struct sift_logset_opts	 opts;
	struct lfile		*files;
	size_t			 n, cap;
	bool			 sealed;
	size_t			 cur;		/* current file */
	bool			 started;
	struct sift_reader	*r;
	bool			 rdone;		/* r is finished */
	struct sift_feed	*feed;
};

/* The name of a path in messages. */
static const char *
display(const char *path)
{
	return strcmp(path, "-") == 0 ? "(stdin)" : path;
}

static const char *const zsuffix[] = { ".gz", ".zst", ".zstd", ".bz2",
	".xz" };

static bool
plausible_date(uint64_t v)
{
	uint64_t y = v / 10000, m = v / 100 % 100, d = v % 100;

	return y >= 1970 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= 31;
}

void
sift_logset_rotkey(const char *name, size_t *baselen, int *kind,
    uint64_t *key)
{
	size_t len = strlen(name), d, ndig, k;
	uint64_t v = 0;
	char sep;

	for (size_t i = 0; i < SIFT_ARRAY_SIZE(zsuffix); i++) {
		k = strlen(zsuffix[i]);
		if (len > k && strcmp(name + len - k, zsuffix[i]) == 0) {
			len -= k;
			break;
		}
	}
	*baselen = len;
	*kind = 2;
	*key = 0;
	d = len;
	while (d > 0 && isdigit((unsigned char)name[d - 1]))
		d--;
	ndig = len - d;
	if (ndig == 0 || d == 0 || ndig > 12)
		return;
	for (size_t i = d; i < len; i++)
		v = v * 10 + (uint64_t)(name[i] - '0');
	sep = name[d - 1];
	if (sep == '.' || sep == '-') {
		if (ndig == 8 && plausible_date(v)) {
			/* logrotate dateext, or %D after a separator */
			*kind = 0;
			*key = v * 100;
			*baselen = d - 1;
		} else if (sep == '.' && ndig <= 6) {
			*kind = 1;
			*key = v;
			*baselen = d - 1;
		}
	} else if (isalpha((unsigned char)sep)) {
		/* Exim's own %D (YYYYMMDD) and %M (YYYYMM) */
		if (ndig == 8 && plausible_date(v)) {
			*kind = 0;
			*key = v * 100;
			*baselen = d;
		} else if (ndig == 6 && plausible_date(v * 100 + 1)) {
			*kind = 0;
			*key = v * 10000;
			*baselen = d;
		}
	}
}

struct sift_logset *
sift_logset_new(const struct sift_logset_opts *opts)
{
	struct sift_logset *ls = sift_xcalloc(1, sizeof(*ls));

	if (opts != NULL)
		ls->opts = *opts;
	return ls;
}

static void
add_file(struct sift_logset *ls, const char *path)
{
	struct lfile *f;
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t dirlen = (size_t)(base - path), blen;

	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->files[i].path, path) == 0 &&
		    strcmp(path, "-") != 0)
			return;		/* named twice */
	if (ls->n == ls->cap) {
		ls->cap = ls->cap != 0 ? 2 * ls->cap : 16;
		ls->files = sift_xreallocarray(ls->files, ls->cap,
		    sizeof(*ls->files));
	}
	f = &ls->files[ls->n];
	memset(f, 0, sizeof(*f));
	f->path = sift_xstrdup(path);
	f->seq = ls->n;
	if (strcmp(path, "-") == 0) {
		f->kind = 2;
		f->gkey = sift_xstrdup("-");
	} else {
		sift_logset_rotkey(base, &blen, &f->kind, &f->key);
		f->gkey = sift_xstrndup(path, dirlen + blen);
	}
	f->group = ls->n;
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->files[i].gkey, f->gkey) == 0 &&
		    strcmp(f->gkey, "-") != 0) {
			f->group = ls->files[i].group;
			break;
		}
	ls->n++;
}

/* 0 main log, 1 reject log, 2 panic log; -1 not an Exim log. */
static int
exim_log_class(const char *name)
{
	static const char *const bases[] = { "mainlog", "rejectlog",
		"paniclog" };
	size_t blen, k;
	int kind;
	uint64_t key;

	if (name[0] == '.')
		return -1;
	sift_logset_rotkey(name, &blen, &kind, &key);
	for (int i = 0; i < 3; i++) {
		k = strlen(bases[i]);
		if (blen >= k && memcmp(name + blen - k, bases[i], k) == 0)
			return i;
	}
	return -1;
}

struct dent {
	char	*name;
	int	 cls;
};

static int
dent_cmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
add_dir(struct sift_logset *ls, const char *dir, struct sift_err *err)
{
	DIR *dp;
	struct dirent *de;
	struct dent *v = NULL;
	size_t n = 0, cap = 0, dl = strlen(dir);
	struct stat st;
	char *path;
	int cls;

	if ((dp = opendir(dir)) == NULL)
		return sift_err_sys(err, SIFT_E_IO, errno, "%s", dir);
	while ((de = readdir(dp)) != NULL) {
		if ((cls = exim_log_class(de->d_name)) < 0)
			continue;
		if (n == cap) {
			cap = cap != 0 ? 2 * cap : 16;
			v = sift_xreallocarray(v, cap, sizeof(*v));
		}
		v[n].name = sift_xstrdup(de->d_name);
		v[n++].cls = cls;
	}
	closedir(dp);
	if (n > 0)
		qsort(v, n, sizeof(*v), dent_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(v[i].name);

		path = sift_xmalloc(dl + nl + 2);
		memcpy(path, dir, dl);
		if (dl > 0 && dir[dl - 1] == '/')
			memcpy(path + dl, v[i].name, nl + 1);
		else {
			path[dl] = '/';
			memcpy(path + dl + 1, v[i].name, nl + 1);
		}
		/* regular files only; an unreadable one is reported later */
		if (stat(path, &st) == -1 || S_ISREG(st.st_mode))
			add_file(ls, path);
		free(path);
		free(v[i].name);
	}
	free(v);
	return 0;
}

int
sift_logset_add(struct sift_logset *ls, const char *operand,
    struct sift_err *err)
{
	struct stat st;

	if (ls->sealed)
		return sift_err_set(err, SIFT_E_USAGE, 0,
		    "%s: set already started", operand);
	if (strcmp(operand, "-") != 0 && stat(operand, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return add_dir(ls, operand, err);
	add_file(ls, operand);
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct lfile *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->key != y->key) {
		if (x->kind == 1)	/* mainlog.N: higher N is older */
			return x->key > y->key ? -1 : 1;
		return x->key < y->key ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
seal(struct sift_logset *ls)
{
	if (ls->sealed)
		return;
	ls->sealed = true;
	if (!ls->opts.no_sort && ls->n > 1)
		qsort(ls->files, ls->n, sizeof(*ls->files), file_cmp);
}

size_t
sift_logset_count(struct sift_logset *ls)
{
	seal(ls);
	return ls->n;
}

const char *
sift_logset_path(struct sift_logset *ls, size_t i)
{
	seal(ls);
	return i < ls->n ? ls->files[i].path : NULL;
}

void
sift_logset_set_start(struct sift_logset *ls, size_t i, uint64_t offset,
    uint64_t lineno)
{
	seal(ls);
	if (i < ls->n && !ls->started) {
		ls->files[i].start_offset = offset;
		ls->files[i].start_lineno = lineno;
	}
}

void
sift_logset_set_reader(struct sift_logset *ls, size_t i,
    struct sift_reader *r)
{
	seal(ls);
	if (i < ls->n && !ls->started && ls->r == NULL) {
		ls->cur = i;
		ls->r = r;
	} else
		sift_reader_close(r);
}

static int
start(struct sift_logset *ls, struct sift_err *err)
{
	struct sift_feed_file *ff;

	seal(ls);
	ls->started = true;
	if (ls->opts.threads == 1 || ls->n == 0)
		return 0;
	ff = sift_xcalloc(ls->n, sizeof(*ff));
	for (size_t i = 0; i < ls->n; i++) {
		ff[i].path = ls->files[i].path;
		ff[i].name = display(ls->files[i].path);
		ff[i].skip = ls->files[i].start_offset;
		ff[i].dec = NULL;
	}
	ls->feed = sift_feed_new(ff, ls->n, ls->opts.max_line != 0 ?
	    ls->opts.max_line : SIFT_READER_MAX_LINE, err);
	free(ff);
	if (ls->feed == NULL) {
		/* no thread: read in this one */
		ls->opts.threads = 1;
	}
	return 0;
}

int
sift_logset_next(struct sift_logset *ls, struct sift_str *line,
    struct sift_err *err)
{
	size_t idx;
	uint64_t lineno;
	bool trunc;

	return sift_logset_next_at(ls, line, err, &idx, &lineno, &trunc);
}

int
sift_logset_next_at(struct sift_logset *ls, struct sift_str *line,
    struct sift_err *err, size_t *idx, uint64_t *lineno, bool *trunc)
{
	struct sift_reader_opts ro;
	struct lfile *f;
	int rc;

	*lineno = 0;
	*trunc = false;
	/* the common case: one more line of the current file */
	if (ls->r != NULL && !ls->rdone) {
		rc = sift_reader_next_at(ls->r, line, err, lineno, trunc);
		*idx = ls->cur;
		if (rc == 1)
			return 1;
		ls->rdone = true;
		if (rc == -1)
			return -1;
	}

	if (!ls->started && start(ls, err) == -1)
		return -1;
	for (;;) {
		if (ls->rdone) {
			sift_reader_close(ls->r);
			ls->r = NULL;
			ls->rdone = false;
			ls->cur++;
		}
		*idx = ls->cur;
		if (ls->cur >= ls->n)
			return 0;
		if (ls->r == NULL) {
			f = &ls->files[ls->cur];
			memset(&ro, 0, sizeof(ro));
			ro.max_line = ls->opts.max_line;
			ro.start_offset = f->start_offset;
			ro.start_lineno = f->start_lineno;
			if (ls->feed != NULL)
				ls->r = sift_reader_fed(ls->feed,
				    (unsigned)ls->cur, display(f->path), &ro);
			else if (sift_reader_open(&ls->r, f->path, &ro,
			    err) == -1) {
				ls->r = NULL;
				ls->rdone = true;
				*lineno = 0;
				*trunc = false;
				return -1;
			}
		}
		rc = sift_reader_next_at(ls->r, line, err, lineno, trunc);
		if (rc == 1)
			return 1;
		ls->rdone = true;
		if (rc == -1)
			return -1;
	}
}

const char *
sift_logset_name(const struct sift_logset *ls)
{
	if (ls->cur < ls->n)
		return display(ls->files[ls->cur].path);
	return ls->n > 0 ? display(ls->files[ls->n - 1].path) : "";
}

size_t
sift_logset_index(const struct sift_logset *ls)
{
	return ls->cur;
}

uint64_t
sift_logset_lineno(const struct sift_logset *ls)
{
	return ls->r != NULL ? sift_reader_lineno(ls->r) : 0;
}

uint64_t
sift_logset_offset(const struct sift_logset *ls)
{
	return ls->r != NULL ? sift_reader_offset(ls->r) : 0;
}

bool
sift_logset_truncated(const struct sift_logset *ls)
{
	return ls->r != NULL && sift_reader_truncated(ls->r);
}

const char *
sift_logset_codec(const struct sift_logset *ls)
{
	return ls->r != NULL ? sift_reader_codec(ls->r) : "plain";
}

int
sift_logset_fstat(const struct sift_logset *ls, struct stat *st)
{
	if (ls->r == NULL) {
		errno = EBADF;
		return -1;
	}
	return sift_reader_fstat(ls->r, st);
}

void
sift_logset_free(struct sift_logset *ls)
{
	if (ls == NULL)
		return;
	/* the worker may be blocked on a full queue: stop it first */
	sift_feed_stop(ls->feed);
	sift_reader_close(ls->r);
	ls->r = NULL;
	sift_feed_free(ls->feed);
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->files[i].path);
		free(ls->files[i].gkey);
	}
	free(ls->files);
	free(ls);
}
