/* SPDX-License-Identifier: ISC */
/* fail2ban's INI dialect: parsing, include-style merging, interpolation. */
#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xalloc.h"
#include "banned.h"

#define INI_MAXFILE	(4 * 1024 * 1024)

void
sift_ini_init(struct sift_ini *ini)
{
	memset(ini, 0, sizeof(*ini));
}

static void
sec_release(struct sift_ini_sec *s)
{
	size_t i;

	for (i = 0; i < s->nopt; i++) {
		free(s->opt[i].name);
		free(s->opt[i].val);
	}
	free(s->opt);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

void
sift_ini_release(struct sift_ini *ini)
{
	size_t i;

	sec_release(&ini->def);
	for (i = 0; i < ini->nsec; i++)
		sec_release(&ini->sec[i]);
	free(ini->sec);
	for (i = 0; i < ini->nfiles; i++)
		free(ini->files[i]);
	free(ini->files);
	for (i = 0; i < ini->nnotes; i++)
		free(ini->notes[i]);
	free(ini->notes);
	memset(ini, 0, sizeof(*ini));
}

static const char *
intern_file(struct sift_ini *ini, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < ini->nfiles; i++)
		if (strcmp(ini->files[i], name) == 0)
			return ini->files[i];
	ini->files = sift_xreallocarray(ini->files, ini->nfiles + 1,
	    sizeof(*ini->files));
	ini->files[ini->nfiles] = sift_xstrdup(name);
	return ini->files[ini->nfiles++];
}

struct sift_ini_sec *
sift_ini_section(const struct sift_ini *ini, const char *name)
{
	size_t i;

	if (strcmp(name, "DEFAULT") == 0)
		return (struct sift_ini_sec *)(uintptr_t)&ini->def;
	for (i = 0; i < ini->nsec; i++)
		if (strcmp(ini->sec[i].name, name) == 0)
			return &ini->sec[i];
	return NULL;
}

static struct sift_ini_sec *
add_section(struct sift_ini *ini, const char *name)
{
	struct sift_ini_sec *s = sift_ini_section(ini, name);

	if (s != NULL)
		return s;
	if (ini->nsec == ini->cap) {
		ini->cap = ini->cap ? ini->cap * 2 : 8;
		ini->sec = sift_xreallocarray(ini->sec, ini->cap,
		    sizeof(*ini->sec));
	}
	s = &ini->sec[ini->nsec++];
	memset(s, 0, sizeof(*s));
	s->name = sift_xstrdup(name);
	return s;
}

struct sift_ini_opt *
sift_ini_find(const struct sift_ini_sec *sec, const char *name)
{
	size_t i;

	if (sec == NULL)
		return NULL;
	for (i = 0; i < sec->nopt; i++)
		if (strcmp(sec->opt[i].name, name) == 0)
			return &sec->opt[i];
	return NULL;
}

static char *
lower_dup(const char *s, size_t n)
{
	char *p = sift_xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	return p;
}

void
sift_ini_set(struct sift_ini_sec *sec, const char *name, const char *val,
    const char *file, unsigned line)
{
	char *lname = lower_dup(name, strlen(name));
	struct sift_ini_opt *o = sift_ini_find(sec, lname);

	if (o != NULL) {
		free(lname);
		free(o->val);
	} else {
		if (sec->nopt == sec->cap) {
			sec->cap = sec->cap ? sec->cap * 2 : 8;
			sec->opt = sift_xreallocarray(sec->opt, sec->cap,
			    sizeof(*sec->opt));
		}
		o = &sec->opt[sec->nopt++];
		o->name = lname;
	}
	o->val = val != NULL ? sift_xstrdup(val) : NULL;
	o->file = file;
	o->line = line;
}

/* Growable string for values being assembled. */
struct vbuf {
	char	*p;
	size_t	 n, cap;
};

static void
vb_put(struct vbuf *b, const char *s, size_t n)
{
	if (b->cap - b->n < n + 1) {
		while (b->cap - b->n < n + 1)
			b->cap = b->cap ? b->cap * 2 : 128;
		b->p = sift_xrealloc(b->p, b->cap);
	}
	if (n != 0)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' ||
	    c == '\n';
}

static void
strip(const char **p, size_t *n)
{
	while (*n > 0 && is_space(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*p)[*n - 1]))
		(*n)--;
}

/* Finish the value being collected: join, strip the end, store. */
static void
flush_value(struct sift_ini_sec *sec, const char *name, struct vbuf *v,
    const char *file, unsigned line)
{
	while (v->n > 0 && is_space(v->p[v->n - 1]))
		v->n--;
	vb_put(v, "", 0);
	sift_ini_set(sec, name, v->p, file, line);
}

int
sift_ini_parse(struct sift_ini *ini, const char *fname, const char *text,
    size_t len, struct sift_err *err)
{
	const char *file = intern_file(ini, fname);
	const char *p = text, *end = text + len, *nl, *v;
	struct sift_ini_sec *cur = NULL;
	struct vbuf val = { NULL, 0, 0 };
	char *optname = NULL;
	size_t indent = SIZE_MAX, vn, ci, k;
	unsigned lineno = 0, optline = 0;
	char **seen = NULL;
	size_t nseen = 0;
	int rc = -1;

	while (p < end) {
		size_t n, cstart = SIZE_MAX;
		bool fullcomment = false;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		/* inline ';' comment: at column 0 or after whitespace */
		for (k = 0; k < n; k++)
			if (p[k] == ';' && (k == 0 || is_space(p[k - 1]))) {
				cstart = k;
				break;
			}
		v = p;
		vn = n;
		strip(&v, &vn);
		if (vn > 0 && (*v == '#' || *v == ';'))
			fullcomment = true;
		if (fullcomment && *v == ';' && cur != NULL && optname != NULL &&
		    indent != SIZE_MAX && (strcasecmp(optname, "failregex") == 0 ||
		    strcasecmp(optname, "ignoreregex") == 0)) {
			/* fail2ban/fail2ban#3506: such a regex vanishes */
			for (ci = 0; ci < n && is_space(p[ci]); ci++)
				;
			if (ci > indent) {
				char note[512];

				snprintf(note, sizeof(note), "%s:%u: warning: "
				    "this %s line starts with ';' and is a "
				    "comment (fail2ban drops it too)", fname,
				    lineno, optname);
				ini->notes = sift_xreallocarray(ini->notes,
				    ini->nnotes + 1, sizeof(char *));
				ini->notes[ini->nnotes++] = sift_xstrdup(note);
			}
		}
		if (fullcomment)
			cstart = 0;
		v = p;
		vn = cstart == SIZE_MAX ? n : cstart;
		strip(&v, &vn);
		if (vn == 0) {
			/* an empty line stays in a value, a comment does not */
			if (cstart == SIZE_MAX && cur != NULL && optname != NULL)
				vb_put(&val, "\n", 1);
			goto next;
		}
		for (ci = 0; ci < n && is_space(p[ci]); ci++)
			;
		if (cur != NULL && optname != NULL && ci > indent &&
		    indent != SIZE_MAX) {
			/* continuation line */
			while (val.n > 0 && val.p[val.n - 1] == '\n' &&
			    false)
				;
			vb_put(&val, "\n", 1);
			vb_put(&val, v, vn);
			goto next;
		}
		if (optname != NULL) {
			flush_value(cur, optname, &val, file, optline);
			free(optname);
			optname = NULL;
		}
		indent = ci;
		if (*v == '[' && memchr(v + 1, ']', vn - 1) != NULL) {
			const char *rb = v + vn - 1;
			char *sname;
			size_t i;

			while (*rb != ']')
				rb--;
			if (rb == v + 1)
				goto option;	/* "[]": configparser needs .+ */
			sname = sift_xstrndup(v + 1, (size_t)(rb - v - 1));
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], sname) == 0) {
					sift_err_set(err, SIFT_E_FORMAT, 0,
					    "%s:%u: section [%s] already exists",
					    fname, lineno, sname);
					free(sname);
					goto out;
				}
			seen = sift_xreallocarray(seen, nseen + 1,
			    sizeof(*seen));
			seen[nseen++] = sname;
			cur = strcmp(sname, "DEFAULT") == 0 ? &ini->def :
			    add_section(ini, sname);
			goto next;
		}
option:
		if (cur == NULL) {
			sift_err_set(err, SIFT_E_FORMAT, 0,
			    "%s:%u: no section header before this line",
			    fname, lineno);
			goto out;
		}
		{
			const char *eq = v, *ne;
			size_t on;

			while (eq < v + vn && *eq != '=' && *eq != ':')
				eq++;
			on = (size_t)(eq - v);
			ne = v;
			while (on > 0 && is_space(ne[on - 1]))
				on--;
			if (eq == v + vn || on == 0) {
				sift_err_set(err, SIFT_E_FORMAT, 0,
				    "%s:%u: not an option line: %.*s", fname,
				    lineno, (int)(vn > 60 ? 60 : vn), v);
				goto out;
			}
			optname = lower_dup(v, on);
			if (sift_ini_find(cur, optname) != NULL &&
			    cur->opt != NULL) {
				/* configparser is strict within one file */
				size_t i;
				bool dup = false;

				for (i = 0; i < cur->nopt; i++)
					if (strcmp(cur->opt[i].name,
					    optname) == 0 &&
					    cur->opt[i].file == file)
						dup = true;
				if (dup) {
					sift_err_set(err, SIFT_E_FORMAT, 0,
					    "%s:%u: option '%s' in section "
					    "[%s] already exists", fname,
					    lineno, optname, cur->name ?
					    cur->name : "DEFAULT");
					goto out;
				}
			}
			optline = lineno;
			val.n = 0;
			{
				const char *vs = eq + 1;
				size_t vl = (size_t)(v + vn - vs);

				strip(&vs, &vl);
				vb_put(&val, vs, vl);
			}
		}
next:
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (optname != NULL)
		flush_value(cur, optname, &val, file, optline);
	rc = 0;
out:
	free(optname);
	free(val.p);
	for (k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	return rc;
}

int
sift_ini_read(struct sift_ini *ini, const char *path, struct sift_err *err)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	ssize_t r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return sift_err_sys(err, errno == ENOENT ? SIFT_E_NOTFOUND :
		    SIFT_E_IO, errno, "%s", path);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = sift_xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			rc = sift_err_sys(err, SIFT_E_IO, errno, "%s", path);
			close(fd);
			free(buf);
			return rc;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > INI_MAXFILE) {
			close(fd);
			free(buf);
			return sift_err_set(err, SIFT_E_LIMIT, 0,
			    "%s: file too large", path);
		}
	}
	close(fd);
	rc = sift_ini_parse(ini, path, buf, n, err);
	free(buf);
	return rc;
}

static void
merge_sec(struct sift_ini *dst, struct sift_ini_sec *d,
    const struct sift_ini_sec *s, const char *suffix, const char *known)
{
	struct sift_ini_sec *k = NULL;
	struct sift_ini_opt *old;
	size_t i;
	char *name;

	for (i = 0; i < s->nopt; i++) {
		const struct sift_ini_opt *o = &s->opt[i];
		size_t nl = strlen(o->name) + (suffix ? strlen(suffix) : 0);

		name = sift_xmalloc(nl + 1);
		memcpy(name, o->name, strlen(o->name));
		if (suffix != NULL)
			memcpy(name + strlen(o->name), suffix, strlen(suffix));
		name[nl] = '\0';
		if (known != NULL && (old = sift_ini_find(d, name)) != NULL) {
			if (k == NULL) {
				size_t kl = strlen(known) + 7;
				char *kn = sift_xmalloc(kl);

				memcpy(kn, "KNOWN/", 6);
				memcpy(kn + 6, known, kl - 6);
				k = add_section(dst, kn);
				free(kn);
				/* add_section may move dst->sec: refind d */
				d = sift_ini_section(dst, known);
			}
			old = sift_ini_find(d, name);
			sift_ini_set(k, name, old->val, old->file, old->line);
		}
		sift_ini_set(d, name, o->val, intern_file(dst, o->file),
		    o->line);
		free(name);
	}
}

void
sift_ini_merge(struct sift_ini *dst, const struct sift_ini *src)
{
	size_t i;

	merge_sec(dst, &dst->def, &src->def, NULL, NULL);
	for (i = 0; i < src->nsec; i++) {
		const struct sift_ini_sec *s = &src->sec[i];
		const char *q = strchr(s->name, '?');
		char *base;
		bool cond = false;
		struct sift_ini_sec *d;
		size_t j;

		/* "^(\w+)(\?.+)$" */
		if (q != NULL && q > s->name && q[1] != '\0') {
			cond = true;
			for (j = 0; s->name + j < q; j++)
				if (!isalnum((unsigned char)s->name[j]) &&
				    s->name[j] != '_')
					cond = false;
		}
		base = cond ? sift_xstrndup(s->name, (size_t)(q - s->name)) :
		    sift_xstrdup(s->name);
		d = sift_ini_section(dst, base);
		if (d == NULL) {
			d = add_section(dst, base);
			merge_sec(dst, d, s, cond ? q : NULL, NULL);
		} else
			merge_sec(dst, d, s, cond ? q : NULL, base);
		free(base);
	}
}

/* Extra names visible at one interpolation level ("sec/opt", __name__). */
struct extra {
	const char	*key;
	const char	*val;
	char		*own;
};

struct ictx {
	const struct sift_ini		*ini;
	const char			*section;
	const char			*option;
	const struct sift_ini_sec	*vars;
	const struct sift_ini_opt	*where;
	struct sift_err			*err;
};

static const char *
lookup(const struct ictx *c, const struct extra *ex, size_t nex,
    const char *var)
{
	const struct sift_ini_opt *o;
	size_t i;

	for (i = 0; i < nex; i++)
		if (strcmp(ex[i].key, var) == 0)
			return ex[i].val;
	if ((o = sift_ini_find(c->vars, var)) != NULL)
		return o->val;
	if ((o = sift_ini_find(sift_ini_section(c->ini, c->section), var)) !=
	    NULL)
		return o->val;
	if ((o = sift_ini_find(&c->ini->def, var)) != NULL)
		return o->val;
	return NULL;
}

static int ierr(const struct ictx *, const char *, ...) SIFT_PRINTF(2, 3);

static int
ierr(const struct ictx *c, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->where != NULL && c->where->file != NULL)
		return sift_err_set(c->err, SIFT_E_FORMAT, 0,
		    "%s:%u: [%s] %s: %s", c->where->file, c->where->line,
		    c->section, c->option, what);
	return sift_err_set(c->err, SIFT_E_FORMAT, 0, "[%s] %s: %s",
	    c->section, c->option, what);
}

static int
interp(const struct ictx *c, struct vbuf *acc, const char *rest, int depth)
{
	struct extra ex[32];
	size_t nex = 0, i;
	const char *p, *q;
	int rc = 0;

	if (depth > SIFT_INI_MAXDEPTH)
		return ierr(c, "interpolation too deep (over %d levels)",
		    SIFT_INI_MAXDEPTH);
	ex[nex].key = "__name__";
	ex[nex].val = c->section;
	ex[nex++].own = NULL;
	/* %(sec/opt)s references resolved for this level */
	for (p = rest; (p = strstr(p, "%(")) != NULL && nex < 32; p += 2) {
		const char *slash, *close;
		char *key, *sec, *opt;
		const struct sift_ini_opt *o = NULL;
		const struct sift_ini_sec *s;
		bool usedef = false, skip = false;

		close = strchr(p + 2, ')');
		if (close == NULL || close[1] != 's')
			continue;
		slash = memchr(p + 2, '/', (size_t)(close - p - 2));
		if (slash == NULL || slash == p + 2 || close == slash + 1)
			continue;
		for (q = p + 2; q < slash; q++)
			if (!isalnum((unsigned char)*q) && *q != '_' &&
			    *q != '-')
				break;
		if (q != slash)
			continue;
		key = sift_xstrndup(p + 2, (size_t)(close - p - 2));
		for (i = 0; i < nex; i++)
			if (strcmp(ex[i].key, key) == 0)
				break;
		if (i < nex || sift_ini_find(c->vars, key) != NULL ||
		    sift_ini_find(sift_ini_section(c->ini, c->section),
		    key) != NULL || sift_ini_find(&c->ini->def, key) != NULL) {
			free(key);
			continue;
		}
		sec = sift_xstrndup(p + 2, (size_t)(slash - p - 2));
		opt = sift_xstrdup(slash + 1);
		opt[close - slash - 1] = '\0';
		if (strcasecmp(sec, "default") == 0)
			usedef = true;
		else if (strcasecmp(sec, "known") == 0) {
			char kn[300];

			snprintf(kn, sizeof(kn), "KNOWN/%s", c->section);
			o = sift_ini_find(sift_ini_section(c->ini, kn), opt);
			usedef = o == NULL;
		} else {
			s = sift_ini_section(c->ini, sec);
			if (s == NULL)
				skip = true;
			else if ((o = sift_ini_find(s, opt)) == NULL)
				usedef = true;
		}
		if (usedef)
			o = sift_ini_find(&c->ini->def, opt);
		if (!skip && o != NULL) {
			ex[nex].key = ex[nex].own = key;
			ex[nex++].val = o->val;
			key = NULL;
		}
		free(key);
		free(sec);
		free(opt);
	}
	while (*rest != '\0') {
		/* references that double at each level grow without end */
		if (acc->n > SIFT_INI_MAXVALUE) {
			rc = ierr(c, "interpolation gives more than %d bytes",
			    SIFT_INI_MAXVALUE);
			break;
		}
		p = strchr(rest, '%');
		if (p == NULL) {
			vb_put(acc, rest, strlen(rest));
			break;
		}
		vb_put(acc, rest, (size_t)(p - rest));
		rest = p;
		if (rest[1] == '%') {
			vb_put(acc, "%", 1);
			rest += 2;
		} else if (rest[1] == '(') {
			const char *close = strchr(rest + 2, ')');
			const char *v;
			char *var;

			if (close == NULL || close == rest + 2 ||
			    close[1] != 's') {
				rc = ierr(c, "bad interpolation variable "
				    "reference \"%.40s\"", rest);
				break;
			}
			var = lower_dup(rest + 2, (size_t)(close - rest - 2));
			rest = close + 2;
			v = lookup(c, ex, nex, var);
			if (v == NULL) {
				rc = ierr(c, "bad interpolation: no option "
				    "'%s' for %%(%s)s", var, var);
				free(var);
				break;
			}
			free(var);
			if (strchr(v, '%') != NULL) {
				if ((rc = interp(c, acc, v, depth + 1)) != 0)
					break;
			} else
				vb_put(acc, v, strlen(v));
		} else {
			rc = ierr(c, "'%%' must be followed by '%%' or '(', "
			    "found: \"%.40s\"", rest);
			break;
		}
	}
	for (i = 0; i < nex; i++)
		free(ex[i].own);
	return rc;
}

int
sift_ini_get(const struct sift_ini *ini, const char *section,
    const char *option, const struct sift_ini_sec *vars, char **out,
    struct sift_err *err)
{
	const struct sift_ini_sec *sec = sift_ini_section(ini, section);
	const struct sift_ini_opt *o = NULL;
	struct vbuf acc = { NULL, 0, 0 };
	struct ictx c;
	char *lopt;

	*out = NULL;
	if (sec == NULL)
		return sift_err_set(err, SIFT_E_NOTFOUND, 0,
		    "no section: '%s'", section);
	lopt = lower_dup(option, strlen(option));
	if ((o = sift_ini_find(vars, lopt)) == NULL &&
	    (o = sift_ini_find(sec, lopt)) == NULL)
		o = sift_ini_find(&ini->def, lopt);
	if (o == NULL || o->val == NULL) {
		sift_err_set(err, SIFT_E_NOTFOUND, 0,
		    "no option '%s' in section '%s'", lopt, section);
		free(lopt);
		return -1;
	}
	c.ini = ini;
	c.section = section;
	c.option = lopt;
	c.vars = vars;
	c.where = o;
	c.err = err;
	vb_put(&acc, "", 0);
	if (interp(&c, &acc, o->val, 1) != 0) {
		free(acc.p);
		free(lopt);
		return -1;
	}
	free(lopt);
	*out = acc.p;
	return 0;
}
