/* SPDX-License-Identifier: ISC */
/* PCRE2 wrapper: compile once, JIT, reused match data, bounded matching. */
#include "rx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "sbuf.h"
#include "xalloc.h"
#include "banned.h"

/* Enough for the worst stock filter on 64 KiB lines; a hit is reported. */
#define RX_MATCH_LIMIT	10000000u
#define RX_DEPTH_LIMIT	100000u
#define RX_MAXALT	16	/* literals of one alternation kept */
#define RX_MAXRUN	8	/* top-level literals looked at */

struct sift_rx {
	pcre2_code		*code;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	size_t			*ov;
	unsigned		 ngroups;
	unsigned		 nnames;
	unsigned		 entry;		/* name table entry size */
	PCRE2_SPTR		 table;
	bool			 jit;
	char			*pattern;
	char			*lit;		/* a literal every match holds */
	size_t			 litn;
	size_t			 litk;		/* its rarest byte's index */
	/* other literals every match holds (5 bytes at least) */
	char			*more[RX_MAXRUN];
	size_t			 moren[RX_MAXRUN];
	size_t			 nmore;
	/* literals one of which every match holds (or nalt 0) */
	char			*alt[RX_MAXALT];
	size_t			 altn[RX_MAXALT];
	size_t			 nalt;
};



static bool
is_flag_letter(char c)
{
	return c >= 'a' && c <= 'z';
}

char *
sift_rx_from_python(const char *pat)
{
	struct sift_sbuf b = { NULL, 0, 0 };
	const char *p = pat, *q;
	bool cls = false;

	sift_sbuf_put(&b, "", 0);
	while (*p != '\0') {
		if (*p == '\\' && p[1] != '\0') {
			if (!cls && p[1] == 'Z')
				sift_sbuf_put(&b, "\\z", 2);
			else
				sift_sbuf_put(&b, p, 2);
			p += 2;
			continue;
		}
		if (cls) {
			if (*p == ']')
				cls = false;
			sift_sbuf_put(&b, p, 1);
			p++;
			continue;
		}
		if (*p == '[') {
			cls = true;
			sift_sbuf_put(&b, p, 1);
			p++;
			/* "[]" and "[^]": the ']' is literal. */
			if (*p == '^') {
				sift_sbuf_put(&b, p, 1);
				p++;
			}
			if (*p == ']') {
				sift_sbuf_put(&b, p, 1);
				p++;
			}
			continue;
		}
		if (*p == '{' && p[1] == ',') {
			/* Python's {,n} is {0,n}; PCRE2 10.42 reads it literally. */
			q = p + 2;
			while (*q >= '0' && *q <= '9')
				q++;
			if (q > p + 2 && *q == '}') {
				sift_sbuf_put(&b, "{0", 2);
				sift_sbuf_put(&b, p + 1, (size_t)(q - p));
				p = q + 1;
				continue;
			}
		}
		if (*p == '(') {
			/* "((?i)x)" and "(?:(?i)x)" -> "(?i:x)", as fail2ban does. */
			q = p + 1;
			if (q[0] == '?' && q[1] == ':')
				q += 2;
			if (q[0] == '(' && q[1] == '?' && is_flag_letter(q[2])) {
				const char *r = q + 2;

				while (is_flag_letter(*r))
					r++;
				if (*r == ')') {
					sift_sbuf_put(&b, "(?", 2);
					for (q += 2; q < r; q++)
						if (strchr("imsx", *q) != NULL)
							sift_sbuf_put(&b, q, 1);
					sift_sbuf_put(&b, ":", 1);
					p = r + 1;
					continue;
				}
			}
			/* Inline flags: drop the letters PCRE2 does not know. */
			if (p[1] == '?' && is_flag_letter(p[2])) {
				const char *r = p + 2;

				while (is_flag_letter(*r))
					r++;
				if (*r == ')' || *r == ':') {
					sift_sbuf_put(&b, "(?", 2);
					for (q = p + 2; q < r; q++)
						if (strchr("imsx", *q) != NULL)
							sift_sbuf_put(&b, q, 1);
					if (*r == ')' && b.p[b.n - 1] == '?') {
						/* nothing left: drop the group */
						b.n -= 2;
						b.p[b.n] = '\0';
					} else
						sift_sbuf_put(&b, r, 1);
					p = r + 1;
					continue;
				}
			}
		}
		sift_sbuf_put(&b, p, 1);
		p++;
	}
	return b.p;
}

/*
 * The length of the escape at p ("\\x41", "\\101", "\\cA", "\\p{L}",
 * "\\k<n>"...), so that its letters and digits are not taken for text.
 */
static size_t
escape_len(const char *p)
{
	size_t k = 2;
	char c = p[1];

	if (c == '\0')
		return 1;
	if ((c == 'x' || c == 'o' || c == 'p' || c == 'P' || c == 'N' ||
	    c == 'g' || c == 'k') && (p[2] == '{' || p[2] == '<' ||
	    p[2] == '\'')) {
		char close = p[2] == '{' ? '}' : p[2] == '<' ? '>' : '\'';
		const char *e = strchr(p + 3, close);

		return e != NULL ? (size_t)(e - p) + 1 : strlen(p);
	}
	if (c == 'x') {
		while (k < 4 && isxdigit((unsigned char)p[k]))
			k++;
	} else if (isdigit((unsigned char)c) || c == 'g') {
		while (isdigit((unsigned char)p[k]))
			k++;
	} else if (c == 'c' && p[2] != '\0')
		k = 3;
	return k;
}

static bool
quantifier_at(const char *p)
{
	return *p == '?' || *p == '*' || *p == '+' || (*p == '{' &&
	    (isdigit((unsigned char)p[1]) || p[1] == ','));
}

/* The literal runs found by scan_runs(), up to RX_MAXRUN of them. */
struct runs {
	char	 s[RX_MAXRUN][256];
	size_t	 n[RX_MAXRUN];
	size_t	 k;
	size_t	 best;		/* the first longest, if k > 0 */
};

static void
add_run(struct runs *R, const char *run, size_t rn)
{
	if (rn == 0)
		return;
	if (R->k > 0 && rn <= R->n[R->best] && R->k == RX_MAXRUN)
		return;
	if (R->k == RX_MAXRUN) {
		/* keep the longest: drop a shortest that is not the best */
		size_t i, m = R->best == 0 ? 1 : 0;

		for (i = 0; i < R->k; i++)
			if (i != R->best && R->n[i] < R->n[m])
				m = i;
		if (R->n[m] >= rn)
			return;
		memcpy(R->s[m], run, rn);
		R->n[m] = rn;
		if (rn > R->n[R->best])
			R->best = m;
		return;
	}
	memcpy(R->s[R->k], run, rn);
	R->n[R->k] = rn;
	if (R->k == 0 || rn > R->n[R->best])
		R->best = R->k;
	R->k++;
}

/*
 * The literals that every match must contain: runs of plain characters at
 * the top level of the pattern (not in a group, a class or under a
 * quantifier). False when the pattern has a top-level alternative,
 * inline flags or \Q.
 */
static bool
scan_runs(const char *pat, struct runs *R)
{
	char run[256];
	size_t rn = 0;
	int depth = 0;
	const char *p = pat;

	R->k = 0;
	R->best = 0;

	if (strstr(pat, "(?") != NULL) {
		const char *q;

		for (q = strstr(pat, "(?"); q != NULL; q = strstr(q + 1, "(?"))
			if (isalpha((unsigned char)q[2]) && q[2] != 'P')
				return false;	/* inline flags */
	}
	if (strstr(pat, "\\Q") != NULL)
		return false;
	while (*p != '\0') {
		char c = *p, lit = 0;
		const char *next;

		if (c == '\\') {
			if (p[1] == '\0')
				return false;
			if (!isalnum((unsigned char)p[1])) {
				lit = p[1];
				next = p + 2;
			} else
				next = p + escape_len(p);
		} else if (c == '[') {
			/* skip the class */
			next = p + 1;
			if (*next == '^')
				next++;
			if (*next == ']')
				next++;
			while (*next != '\0' && *next != ']') {
				if (*next == '[' && next[1] == ':')
					return false;
				if (*next == '\\' && next[1] != '\0')
					next++;
				next++;
			}
			if (*next == '\0')
				return false;
			next++;
		} else if (c == '(') {
			depth++;
			next = p + 1;
		} else if (c == ')') {
			depth--;
			next = p + 1;
		} else if (c == '|') {
			if (depth == 0)
				return false;
			next = p + 1;
		} else if (c == '{' && quantifier_at(p)) {
			/* skip the {n,m} quantifier */
			next = strchr(p, '}');
			if (next == NULL)
				return false;
			next++;
		} else {
			if (strchr(".^$?*+{}", c) == NULL)
				lit = c;
			next = p + 1;
		}
		if (depth == 0 && lit != 0 && c != ')' && !quantifier_at(next) &&
		    rn < sizeof(run) - 1) {
			run[rn++] = lit;
		} else {
			add_run(R, run, rn);
			rn = 0;
		}
		p = next;
	}
	add_run(R, run, rn);
	return true;
}

/* The longest of them (3 bytes at least), malloc'd, or NULL. */
static char *
required_literal(const char *pat, size_t *outn)
{
	struct runs *R = sift_xmalloc(sizeof(*R));
	char *r = NULL;

	if (scan_runs(pat, R) && R->k > 0 && R->n[R->best] >= 3) {
		*outn = R->n[R->best];
		r = sift_xstrndup(R->s[R->best], *outn);
	}
	free(R);
	return r;
}

/* The end of the group or class opened at p (past its close), or NULL. */
static const char *
skip_group(const char *p)
{
	int depth = 0;

	while (*p != '\0') {
		if (*p == '\\') {
			if (p[1] == '\0')
				return NULL;
			p += 2;
			continue;
		}
		if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (*p == '\0')
				return NULL;
			p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/*
 * Where the content of the group opened at g starts, for groups that
 * consume what they match (plain, (?:, named, atomic); NULL for
 * look-arounds, conditionals, inline flags and the like.
 */
static const char *
group_body(const char *g)
{
	if (g[1] != '?')
		return g + 1;
	if (g[2] == ':' || g[2] == '>')
		return g + 3;
	if ((g[2] == 'P' && g[3] == '<') || (g[2] == '<' && g[3] != '=' &&
	    g[3] != '!')) {
		const char *e = strchr(g, '>');

		return e != NULL ? e + 1 : NULL;
	}
	return NULL;
}

struct altset {
	char	*l[RX_MAXALT];
	size_t	 n[RX_MAXALT];
	size_t	 k;
};

static void
altset_clear(struct altset *a)
{
	while (a->k > 0) {
		a->k--;
		free(a->l[a->k]);
	}
}

static bool required_alts(const char *, size_t, struct altset *, int);

/*
 * The literals one of which a match of pat[0..len) must hold: each
 * alternative of a top-level group that is not optional holds its
 * required literal, or one of its own such literals. False when there
 * is no such group (a; is then empty).
 */
static bool
required_alts(const char *pat0, size_t len, struct altset *a, int level)
{
	char *pat = sift_xstrndup(pat0, len);
	const char *p = pat, *e, *body;
	struct altset best = { { NULL }, { 0 }, 0 }, cur;
	size_t bestmin = 0;

	a->k = 0;
	for (e = strstr(pat, "(?"); e != NULL; e = strstr(e + 1, "(?"))
		if (isalpha((unsigned char)e[2]) && e[2] != 'P') {
			free(pat);
			return false;	/* inline flags */
		}
	if (level > 4 || strstr(pat, "\\Q") != NULL ||
	    strstr(pat, "(*") != NULL) {
		free(pat);
		return false;
	}
	while (*p != '\0') {
		if (*p == '\\') {
			p += escape_len(p);
			continue;
		}
		if (*p == '[') {
			/* a class: as a group of its own */
			const char *q = p + 1;

			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q != '\0' && *q != ']') {
				if (*q == '\\' && q[1] != '\0')
					q++;
				q++;
			}
			p = *q != '\0' ? q + 1 : q;
			continue;
		}
		if (*p == '|') {
			/* a top-level alternation: nothing is required */
			altset_clear(&best);
			free(pat);
			return false;
		}
		if (*p != '(') {
			p++;
			continue;
		}
		e = skip_group(p);
		if (e == NULL)
			break;
		body = group_body(p);
		cur.k = 0;
		/* a group under a quantifier other than + may match nothing */
		if (body != NULL && (!quantifier_at(e) || *e == '+')) {
			const char *q = body, *start = body;
			bool ok = true;
			size_t mn = SIZE_MAX;

			/* its alternatives: the '|' at its own level */
			for (;;) {
				bool end = false;

				if (*q == '\\' && q[1] != '\0') {
					q += escape_len(q);
					continue;
				}
				if (*q == '[' || *q == '(') {
					const char *r = *q == '(' ?
					    skip_group(q) : q;

					if (*q == '[') {
						r = q + 1;
						if (*r == '^')
							r++;
						if (*r == ']')
							r++;
						while (*r != '\0' && *r != ']') {
							if (*r == '\\' &&
							    r[1] != '\0')
								r++;
							r++;
						}
						r = *r != '\0' ? r + 1 : NULL;
					}
					if (r == NULL || r > e - 1) {
						ok = false;
						break;
					}
					q = r;
					continue;
				}
				if (q == e - 1)
					end = true;
				else if (*q != '|') {
					q++;
					continue;
				}
				/* one alternative: start..q */
				{
					size_t ln = 0;
					char *alt = sift_xstrndup(start,
					    (size_t)(q - start));
					char *lit = required_literal(alt, &ln);
					struct altset sub;

					if (lit != NULL && cur.k < RX_MAXALT) {
						cur.l[cur.k] = lit;
						cur.n[cur.k++] = ln;
						if (ln < mn)
							mn = ln;
					} else if (lit == NULL &&
					    required_alts(alt, strlen(alt),
					    &sub, level + 1) &&
					    cur.k + sub.k <= RX_MAXALT) {
						size_t i;

						for (i = 0; i < sub.k; i++) {
							cur.l[cur.k] = sub.l[i];
							cur.n[cur.k++] = sub.n[i];
							if (sub.n[i] < mn)
								mn = sub.n[i];
						}
					} else {
						free(lit);
						if (lit == NULL)
							altset_clear(&sub);
						ok = false;
					}
					free(alt);
				}
				if (!ok || end)
					break;
				start = ++q;
			}
			if (ok && cur.k > 0 && mn > bestmin) {
				altset_clear(&best);
				best = cur;
				bestmin = mn;
			} else
				altset_clear(&cur);
		}
		p = e;
	}
	free(pat);
	if (best.k == 0)
		return false;
	*a = best;
	return true;
}

/* How common a byte is in log text (lower: rarer). */
static int
commonness(unsigned char c)
{
	if (c == ' ')
		return 10;
	if (strchr("etaoinsr", c) != NULL)
		return 8;
	if (islower(c))
		return 6;
	if (isdigit(c))
		return 5;
	if (c == '.' || c == ':' || c == '-' || c == '=' || c == '[' ||
	    c == ']')
		return 5;
	if (isupper(c))
		return 3;
	return 2;
}

static size_t
rarest(const char *lit, size_t n)
{
	size_t i, k = 0;

	for (i = 1; i < n; i++)
		if (commonness((unsigned char)lit[i]) <
		    commonness((unsigned char)lit[k]))
			k = i;
	return k;
}

/* Whether s[0..n) holds the literal: memchr() on its rarest byte. */
static bool
has_literal(const struct sift_rx *rx, const char *s, size_t n)
{
	const char *p, *end;
	size_t k = rx->litk, ln = rx->litn;

	if (n < ln)
		return false;
	p = s + k;
	end = s + n - (ln - k) + 1;	/* last place for the rare byte + 1 */
	while (p < end && (p = memchr(p, rx->lit[k], (size_t)(end - p))) !=
	    NULL) {
		if (memcmp(p - k, rx->lit, ln) == 0)
			return true;
		p++;
	}
	return false;
}

struct sift_rx *
sift_rx_new(const char *pattern, unsigned flags, struct sift_err *err)
{
	struct sift_rx *rx;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	uint32_t opts = 0, n;
	int ec;
	char *pat;

	pat = (flags & SIFT_RX_PYTHON) ? sift_rx_from_python(pattern) :
	    sift_xstrdup(pattern);
	if (flags & SIFT_RX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & SIFT_RX_MULTILINE)
		opts |= PCRE2_MULTILINE;
	rx = sift_xcalloc(1, sizeof(*rx));
	rx->pattern = pat;
	rx->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts,
	    &ec, &off, NULL);
	if (rx->code == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		sift_err_set(err, SIFT_E_REGEX, 0, "%s at offset %zu",
		    (char *)msg, (size_t)off);
		free(pat);
		free(rx);
		return NULL;
	}
	rx->jit = pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0;
	rx->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	rx->mctx = pcre2_match_context_create(NULL);
	if (rx->md == NULL || rx->mctx == NULL) {
		sift_rx_free(rx);
		sift_err_set(err, SIFT_E_REGEX, 0, "out of memory");
		return NULL;
	}
	pcre2_set_match_limit(rx->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(rx->mctx, RX_DEPTH_LIMIT);
	rx->ov = pcre2_get_ovector_pointer(rx->md);
	pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &n);
	rx->ngroups = n;
	pcre2_pattern_info(rx->code, PCRE2_INFO_NAMECOUNT, &n);
	rx->nnames = n;
	pcre2_pattern_info(rx->code, PCRE2_INFO_NAMEENTRYSIZE, &n);
	rx->entry = n;
	pcre2_pattern_info(rx->code, PCRE2_INFO_NAMETABLE, &rx->table);
	if (!(flags & SIFT_RX_CASELESS)) {
		struct runs *R = sift_xmalloc(sizeof(*R));
		size_t i;

		rx->lit = required_literal(pat, &rx->litn);
		if (rx->lit != NULL && scan_runs(pat, R))
			for (i = 0; i < R->k; i++)
				if (i != R->best && R->n[i] >= 5) {
					rx->more[rx->nmore] = sift_xstrndup(
					    R->s[i], R->n[i]);
					rx->moren[rx->nmore++] = R->n[i];
				}
		free(R);
	}
	if (rx->lit != NULL)
		rx->litk = rarest(rx->lit, rx->litn);
	if (!(flags & SIFT_RX_CASELESS)) {
		struct altset a;
		size_t i;

		if (required_alts(pat, strlen(pat), &a, 0)) {
			for (i = 0; i < a.k; i++) {
				rx->alt[i] = a.l[i];
				rx->altn[i] = a.n[i];
			}
			rx->nalt = a.k;
		}
	}
	return rx;
}

void
sift_rx_free(struct sift_rx *rx)
{
	if (rx == NULL)
		return;
	pcre2_match_data_free(rx->md);
	pcre2_match_context_free(rx->mctx);
	pcre2_code_free(rx->code);
	free(rx->pattern);
	free(rx->lit);
	while (rx->nalt > 0)
		free(rx->alt[--rx->nalt]);
	while (rx->nmore > 0)
		free(rx->more[--rx->nmore]);
	free(rx);
}

static int
rx_run(struct sift_rx *rx, const char *s, size_t len, size_t start,
    uint32_t opts, struct sift_err *err)
{
	int rc;

	if (start > len)
		return 0;
	/* a literal the match needs is not there: no match */
	if (rx->lit != NULL && !has_literal(rx, s + start, len - start))
		return 0;
	if (rx->jit && opts == 0)
		rc = pcre2_jit_match(rx->code, (PCRE2_SPTR)s, len, start, 0,
		    rx->md, rx->mctx);
	else
		rc = pcre2_match(rx->code, (PCRE2_SPTR)s, len, start, opts,
		    rx->md, rx->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return sift_err_set(err, SIFT_E_LIMIT, 0,
		    "regex match limit exceeded");
	{
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return sift_err_set(err, SIFT_E_REGEX, 0, "%s", (char *)msg);
	}
}

int
sift_rx_search(struct sift_rx *rx, const char *s, size_t len, size_t start,
    struct sift_err *err)
{
	return rx_run(rx, s, len, start, 0, err);
}

int
sift_rx_match_at(struct sift_rx *rx, const char *s, size_t len,
    size_t start, struct sift_err *err)
{
	return rx_run(rx, s, len, start, PCRE2_ANCHORED, err);
}

size_t
sift_rx_start(const struct sift_rx *rx, unsigned g)
{
	if (g > rx->ngroups || rx->ov[2 * g] == PCRE2_UNSET)
		return SIFT_RX_UNSET;
	return rx->ov[2 * g];
}

size_t
sift_rx_end(const struct sift_rx *rx, unsigned g)
{
	if (g > rx->ngroups || rx->ov[2 * g] == PCRE2_UNSET)
		return SIFT_RX_UNSET;
	return rx->ov[2 * g + 1];
}

unsigned
sift_rx_ngroups(const struct sift_rx *rx)
{
	return rx->ngroups;
}

int
sift_rx_group(const struct sift_rx *rx, const char *name)
{
	int n = pcre2_substring_number_from_name(rx->code, (PCRE2_SPTR)name);

	return n < 0 ? -1 : n;
}

unsigned
sift_rx_names(const struct sift_rx *rx)
{
	return rx->nnames;
}

const char *
sift_rx_name(const struct sift_rx *rx, unsigned i, unsigned *number)
{
	PCRE2_SPTR e = rx->table + (size_t)i * rx->entry;

	if (number != NULL)
		*number = ((unsigned)e[0] << 8) | e[1];
	return (const char *)(e + 2);
}

const char *
sift_rx_pattern(const struct sift_rx *rx)
{
	return rx->pattern;
}

bool
sift_rx_jit(const struct sift_rx *rx)
{
	return rx->jit;
}

const char *
sift_rx_literal(const struct sift_rx *rx)
{
	return rx->lit;
}

const char *
sift_rx_alt(const struct sift_rx *rx, size_t i)
{
	return i < rx->nalt ? rx->alt[i] : NULL;
}

/*
 * The subject is looked at every RXLITS_STEP bytes only: an anchor is
 * RXLITS_STEP consecutive byte pairs of a literal, one of which starts at
 * a looked-at offset wherever the literal is. A pair is hashed into a
 * small table (it stays in the L1 cache) of the anchor bits of the pairs
 * with that hash: a collision can only add bits, never lose one.
 */
#define RXLITS_ANCHORS	3	/* anchors kept per literal */
#define RXLITS_STEP	4
#define RXLITS_HBITS	11	/* 2048 entries, 16 KiB */

struct sift_rxlits {
	uint64_t	 bits[1u << RXLITS_HBITS];	/* hash -> anchor bits */
	uint64_t	 need[64];		/* pattern -> bits it needs */
	/* ... and all the bits of one of its alternatives' literals */
	uint64_t	 alt[64][RX_MAXALT];
	uint8_t		 nalt[64];
	size_t		 n;
	unsigned	 nbit;
};

static inline unsigned
pair_hash(const unsigned char *p)
{
	uint16_t k;

	memcpy(&k, p, sizeof(k));
	return ((uint32_t)k * 0x9e3779b1u) >> (32 - RXLITS_HBITS);
}

static void
add_pair(struct sift_rxlits *L, const char *p, unsigned bit)
{
	L->bits[pair_hash((const unsigned char *)p)] |= (uint64_t)1 << bit;
}

/* How many anchors a literal of ln bytes gets. */
static size_t
anchors_of(size_t ln)
{
	size_t k = ln - RXLITS_STEP;

	return k < RXLITS_ANCHORS ? k : RXLITS_ANCHORS;
}

/*
 * The rarest windows of a literal as anchors (while bits last); returns
 * the bits (of at most "most" anchors), all of which the literal sets
 * wherever it is.
 */
/* Whether the pair p[0..2) occurs in s[0..n). */
static bool
has_pair(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == p[0] && s[i + 1] == p[1])
			return true;
	return false;
}

static uint64_t
add_anchors(struct sift_rxlits *L, const char *lit, size_t ln, size_t most,
    const char *avoid, size_t avoidn)
{
	bool used[256];
	uint64_t m = 0;
	size_t t, j, u;

	memset(used, 0, sizeof(used));
	for (t = 0; t < most; t++) {
		size_t best = ln;
		int bs = 0;

		for (j = 0; j + RXLITS_STEP < ln && j < sizeof(used); j++) {
			int sc = 0;

			/*
			 * Any of its pairs sets the bit: the sum of theirs,
			 * and a pair of a literal that is there anyway (the
			 * pattern's main one) as good as always seen.
			 */
			for (u = 0; u < RXLITS_STEP; u++)
				sc += avoid != NULL && has_pair(avoid, avoidn,
				    lit + j + u) ? 1000 :
				    commonness((unsigned char)lit[j + u]) *
				    commonness((unsigned char)lit[j + u + 1]);
			if (!used[j] && (best == ln || sc < bs)) {
				best = j;
				bs = sc;
			}
		}
		if (best == ln || L->nbit >= 64)
			break;
		used[best] = true;
		for (u = 0; u < RXLITS_STEP; u++)
			add_pair(L, lit + best + u, L->nbit);
		m |= (uint64_t)1 << L->nbit++;
	}
	return m;
}

struct sift_rxlits *
sift_rxlits_new(struct sift_rx *const *rx, size_t n)
{
	struct sift_rxlits *L;
	size_t i;

	L = sift_xcalloc(1, sizeof(*L));
	L->n = n > 64 ? 64 : n;
	for (i = 0; i < L->n; i++) {
		if (rx[i] == NULL || rx[i]->lit == NULL ||
		    rx[i]->litn < RXLITS_STEP + 1)
			continue;
		L->need[i] = add_anchors(L, rx[i]->lit, rx[i]->litn,
		    RXLITS_ANCHORS, NULL, 0);
	}
	/* the anchors of each literal of an alternation, if all fit */
	for (i = 0; i < L->n; i++) {
		size_t k, want = 0;
		bool ok = rx[i] != NULL && rx[i]->nalt > 0;

		for (k = 0; ok && k < rx[i]->nalt; k++) {
			if (rx[i]->altn[k] < RXLITS_STEP + 1)
				ok = false;
			want += anchors_of(rx[i]->altn[k]);
		}
		if (!ok || L->nbit + want > 64)
			continue;
		for (k = 0; k < rx[i]->nalt; k++)
			L->alt[i][k] = add_anchors(L, rx[i]->alt[k],
			    rx[i]->altn[k], RXLITS_ANCHORS, rx[i]->lit,
			    rx[i]->litn);
		L->nalt[i] = (uint8_t)rx[i]->nalt;
	}
	/* the rarest window of each other literal, while bits last */
	for (i = 0; i < L->n; i++) {
		size_t k;

		if (rx[i] == NULL || L->need[i] == 0)
			continue;
		for (k = 0; k < rx[i]->nmore; k++)
			L->need[i] |= add_anchors(L, rx[i]->more[k],
			    rx[i]->moren[k], 1, rx[i]->lit, rx[i]->litn);
	}
	return L;
}

bool
sift_rxlits_useful(struct sift_rx *const *rx, size_t n)
{
	size_t i, k, nlit = 0;

	for (i = 0; i < n && i < 64; i++) {
		if (rx[i] == NULL)
			continue;
		if (rx[i]->lit != NULL)
			nlit++;
		for (k = 0; k < rx[i]->nalt; k++)
			if (rx[i]->altn[k] < RXLITS_STEP + 1)
				break;
		if (rx[i]->nalt > 0 && k == rx[i]->nalt)
			return true;
	}
	/* for one or two literals alone, a memchr() each is as quick */
	return nlit >= 3;
}

void
sift_rxlits_free(struct sift_rxlits *L)
{
	free(L);
}

uint64_t
sift_rxlits_scan(const struct sift_rxlits *L, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t seen = 0, out = 0;
	size_t i, j;

	if (L->nbit > 0) {
		uint64_t s2 = 0, s3 = 0, s4 = 0;

		/* four looks a turn, independent */
		for (j = 0; j + 4 * RXLITS_STEP <= n; j += 4 * RXLITS_STEP) {
			seen |= L->bits[pair_hash(p + j)];
			s2 |= L->bits[pair_hash(p + j + RXLITS_STEP)];
			s3 |= L->bits[pair_hash(p + j + 2 * RXLITS_STEP)];
			s4 |= L->bits[pair_hash(p + j + 3 * RXLITS_STEP)];
		}
		for (; j + 1 < n; j += RXLITS_STEP)
			seen |= L->bits[pair_hash(p + j)];
		seen |= s2 | s3 | s4;
	}
	for (i = 0; i < L->n; i++) {
		size_t k;

		if ((seen & L->need[i]) != L->need[i])
			continue;
		for (k = 0; k < L->nalt[i]; k++)
			if ((seen & L->alt[i][k]) == L->alt[i][k])
				break;
		if (L->nalt[i] == 0 || k < L->nalt[i])
			out |= (uint64_t)1 << i;
	}
	return out;
}
