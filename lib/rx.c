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

static bool
quantifier_at(const char *p)
{
	return *p == '?' || *p == '*' || *p == '+' || (*p == '{' &&
	    (isdigit((unsigned char)p[1]) || p[1] == ','));
}

/*
 * The longest literal that every match must contain: a run of plain
 * characters at the top level of the pattern (not in a group, a class or
 * under a quantifier). None when the pattern has a top-level alternative,
 * inline flags or \Q. Returns a malloc'd string or NULL.
 */
static char *
required_literal(const char *pat, size_t *outn)
{
	char run[256], best[256];
	size_t rn = 0, bn = 0;
	int depth = 0;
	const char *p = pat;

	if (strstr(pat, "(?") != NULL) {
		const char *q;

		for (q = strstr(pat, "(?"); q != NULL; q = strstr(q + 1, "(?"))
			if (isalpha((unsigned char)q[2]) && q[2] != 'P')
				return NULL;	/* inline flags */
	}
	if (strstr(pat, "\\Q") != NULL)
		return NULL;
	while (*p != '\0') {
		char c = *p, lit = 0;
		const char *next;

		if (c == '\\') {
			if (p[1] == '\0')
				return NULL;
			if (!isalnum((unsigned char)p[1]))
				lit = p[1];
			next = p + 2;
		} else if (c == '[') {
			/* skip the class */
			next = p + 1;
			if (*next == '^')
				next++;
			if (*next == ']')
				next++;
			while (*next != '\0' && *next != ']') {
				if (*next == '[' && next[1] == ':')
					return NULL;
				if (*next == '\\' && next[1] != '\0')
					next++;
				next++;
			}
			if (*next == '\0')
				return NULL;
			next++;
		} else if (c == '(') {
			depth++;
			next = p + 1;
		} else if (c == ')') {
			depth--;
			next = p + 1;
		} else if (c == '|') {
			if (depth == 0)
				return NULL;
			next = p + 1;
		} else if (c == '{' && quantifier_at(p)) {
			/* skip the {n,m} quantifier */
			next = strchr(p, '}');
			if (next == NULL)
				return NULL;
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
			if (rn > bn) {
				memcpy(best, run, rn);
				bn = rn;
			}
			rn = 0;
		}
		p = next;
	}
	if (rn > bn) {
		memcpy(best, run, rn);
		bn = rn;
	}
	if (bn < 3)
		return NULL;
	*outn = bn;
	return sift_xstrndup(best, bn);
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
	if (!(flags & SIFT_RX_CASELESS))
		rx->lit = required_literal(pat, &rx->litn);
	if (rx->lit != NULL)
		rx->litk = rarest(rx->lit, rx->litn);
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

struct sift_rxlits *
sift_rxlits_new(struct sift_rx *const *rx, size_t n)
{
	struct sift_rxlits *L;
	size_t i, j, t, u;

	L = sift_xcalloc(1, sizeof(*L));
	L->n = n > 64 ? 64 : n;
	for (i = 0; i < L->n; i++) {
		const char *lit;
		size_t ln;
		bool used[256];

		if (rx[i] == NULL || rx[i]->lit == NULL ||
		    rx[i]->litn < RXLITS_STEP + 1)
			continue;
		lit = rx[i]->lit;
		ln = rx[i]->litn;
		memset(used, 0, sizeof(used));
		for (t = 0; t < RXLITS_ANCHORS; t++) {
			size_t best = ln;
			int bs = 0;

			for (j = 0; j + RXLITS_STEP < ln && j < sizeof(used);
			    j++) {
				int sc = 0;

				for (u = 0; u <= RXLITS_STEP; u++)
					sc += commonness(
					    (unsigned char)lit[j + u]);
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
			L->need[i] |= (uint64_t)1 << L->nbit++;
		}
	}
	return L;
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
	for (i = 0; i < L->n; i++)
		if ((seen & L->need[i]) == L->need[i])
			out |= (uint64_t)1 << i;
	return out;
}
