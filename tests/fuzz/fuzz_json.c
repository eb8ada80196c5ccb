/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the JSON writer. The input drives a sequence of writer calls (keys,
 * strings of arbitrary bytes, numbers, nested containers, records); the
 * output is parsed back by a strict RFC 8259 parser written here and must
 * give exactly the tokens written, with every string equal to its input
 * after invalid UTF-8 is replaced by U+FFFD (one per maximal invalid
 * subpart, Unicode 3.9). Each record is one line, pure printable UTF-8.
 * sift_utf8_seq() is also checked against an independent decoder.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "obuf.h"
#include "str.h"
#include "fuzz.h"
#include "banned.h"

#define MAXTOK		4096
#define MAXDEPTH	8

enum tok { T_OBEG, T_OEND, T_ABEG, T_AEND, T_KEY, T_STR, T_I64, T_U64,
	T_FIXED, T_TRUE, T_FALSE, T_NULL, T_NL };

struct token {
	enum tok	 t;
	struct sift_obuf s;	/* T_KEY, T_STR: expected decoded bytes */
	int64_t		 i;
	uint64_t	 u;
	double		 d;
	unsigned	 dec;
};

static struct token toks[MAXTOK];
static size_t ntok, pos;

/* Independent UTF-8 reading (Unicode Table 3-7); 0 and *bad if invalid. */
static size_t
ref_utf8(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c == 0xe0) {
		need = 2;
		lo = 0xa0;
	} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
		need = 2;
	else if (c == 0xed) {
		need = 2;
		hi = 0x9f;
	} else if (c == 0xf0) {
		need = 3;
		lo = 0x90;
	} else if (c >= 0xf1 && c <= 0xf3)
		need = 3;
	else if (c == 0xf4) {
		need = 3;
		hi = 0x8f;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* What a reader of the JSON must see for the bytes p[0..n). */
static void
sanitize(struct sift_obuf *out, const unsigned char *p, size_t n)
{
	size_t i = 0, k, bad, k2, bad2;

	while (i < n) {
		if (p[i] < 0x80) {
			sift_obuf_putc(out, (char)p[i++]);
			continue;
		}
		k = ref_utf8(p + i, n - i, &bad);
		bad2 = 0;
		k2 = sift_utf8_seq(p + i, n - i, &bad2);
		FUZZ_CHECK(k2 == k);
		if (k != 0) {
			sift_obuf_put(out, p + i, k);
			i += k;
		} else {
			FUZZ_CHECK(bad2 == bad);
			sift_obuf_put(out, "\xef\xbf\xbd", 3);
			i += bad;
		}
	}
}

/* Input consumption, FuzzedDataProvider style. */
struct in {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
take_byte(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t
take_u64(struct in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | take_byte(in);
	return v;
}

static struct sift_str
take_str(struct in *in)
{
	size_t len = take_byte(in);
	struct sift_str s;

	if (len > in->n)
		len = in->n;
	s.p = (const char *)in->p;
	s.n = len;
	in->p += len;
	in->n -= len;
	return s;
}

static struct token *
expect(enum tok t)
{
	struct token *k;

	FUZZ_CHECK(ntok < MAXTOK);
	k = &toks[ntok++];
	memset(k, 0, sizeof(*k));
	k->t = t;
	return k;
}

static void
write_str(struct sift_json *j, struct sift_str s, bool key)
{
	struct token *k = expect(key ? T_KEY : T_STR);
	struct sift_obuf q = SIFT_OBUF_INIT, e = SIFT_OBUF_INIT;

	sanitize(&k->s, (const unsigned char *)s.p, s.n);
	if (key)
		sift_json_key(j, s.p, s.n);
	else
		sift_json_str(j, s.p, s.n);
	/* The standalone forms agree with each other. */
	sift_json_quote(&q, s.p, s.n);
	sift_json_escape(&e, s.p, s.n);
	FUZZ_CHECK(q.n == e.n + 2 && q.p[0] == '"' && q.p[q.n - 1] == '"');
	FUZZ_CHECK(e.n == 0 || memcmp(q.p + 1, e.p, e.n) == 0);
	sift_obuf_release(&q);
	sift_obuf_release(&e);
}

/* A value of some kind, from the input. */
static void
write_value(struct sift_json *j, struct in *in, unsigned op, bool in_obj,
    unsigned *depth, bool *stack)
{
	struct token *k;
	uint64_t u;

	if (in_obj)
		write_str(j, take_str(in), true);
	switch (op) {
	case 1:
		k = expect(T_I64);
		u = take_u64(in);
		memcpy(&k->i, &u, sizeof(k->i));
		sift_json_i64(j, k->i);
		break;
	case 2:
		k = expect(T_FIXED);
		u = take_u64(in);
		memcpy(&k->d, &u, sizeof(k->d));
		k->dec = take_byte(in) % 10;
		sift_json_fixed(j, k->d, k->dec);
		break;
	case 3:
		k = expect(T_U64);
		k->u = take_u64(in);
		sift_json_u64(j, k->u);
		break;
	case 4:
		switch (take_byte(in) % 3) {
		case 0:
			expect(T_TRUE);
			sift_json_bool(j, true);
			break;
		case 1:
			expect(T_FALSE);
			sift_json_bool(j, false);
			break;
		default:
			expect(T_NULL);
			sift_json_null(j);
			break;
		}
		break;
	case 5:
	case 6:
		if (*depth >= MAXDEPTH) {
			write_str(j, take_str(in), false);
		} else if (op == 5) {
			expect(T_ABEG);
			sift_json_arr_begin(j);
			stack[(*depth)++] = false;
		} else {
			expect(T_OBEG);
			sift_json_obj_begin(j);
			stack[(*depth)++] = true;
		}
		break;
	default:
		write_str(j, take_str(in), false);
		break;
	}
}

static void
close_all(struct sift_json *j, unsigned *depth, bool *stack)
{
	while (*depth > 0) {
		if (stack[--*depth]) {
			expect(T_OEND);
			sift_json_obj_end(j);
		} else {
			expect(T_AEND);
			sift_json_arr_end(j);
		}
	}
	expect(T_NL);
	sift_json_newline(j);
}

/* The strict parser over out[0..n), checking each token against toks[]. */
struct parser {
	const unsigned char	*p;
	size_t			 n, i;
};

static void parse_value(struct parser *ps, unsigned level);

static unsigned
hex4(struct parser *ps)
{
	unsigned v = 0, c;

	FUZZ_CHECK(ps->i + 4 <= ps->n);
	for (int k = 0; k < 4; k++) {
		c = ps->p[ps->i++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			FUZZ_CHECK(!"bad \\u escape");
	}
	return v;
}

static void
put_utf8(struct sift_obuf *b, unsigned cp)
{
	if (cp < 0x80) {
		sift_obuf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sift_obuf_putc(b, (char)(0xc0 | cp >> 6));
		sift_obuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sift_obuf_putc(b, (char)(0xe0 | cp >> 12));
		sift_obuf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		sift_obuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		sift_obuf_putc(b, (char)(0xf0 | cp >> 18));
		sift_obuf_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		sift_obuf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		sift_obuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static void
parse_string(struct parser *ps, struct sift_obuf *out)
{
	unsigned c, cp, lo;
	size_t k, bad;

	FUZZ_CHECK(ps->i < ps->n && ps->p[ps->i] == '"');
	ps->i++;
	for (;;) {
		FUZZ_CHECK(ps->i < ps->n);
		c = ps->p[ps->i];
		if (c == '"') {
			ps->i++;
			return;
		}
		/* Raw control bytes and DEL never appear. */
		FUZZ_CHECK(c >= 0x20 && c != 0x7f);
		if (c >= 0x80) {
			k = ref_utf8(ps->p + ps->i, ps->n - ps->i, &bad);
			FUZZ_CHECK(k != 0);
			sift_obuf_put(out, ps->p + ps->i, k);
			ps->i += k;
			continue;
		}
		ps->i++;
		if (c != '\\') {
			sift_obuf_putc(out, (char)c);
			continue;
		}
		FUZZ_CHECK(ps->i < ps->n);
		c = ps->p[ps->i++];
		switch (c) {
		case '"': case '\\': case '/':
			sift_obuf_putc(out, (char)c);
			break;
		case 'b':
			sift_obuf_putc(out, '\b');
			break;
		case 'f':
			sift_obuf_putc(out, '\f');
			break;
		case 'n':
			sift_obuf_putc(out, '\n');
			break;
		case 'r':
			sift_obuf_putc(out, '\r');
			break;
		case 't':
			sift_obuf_putc(out, '\t');
			break;
		case 'u':
			cp = hex4(ps);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				FUZZ_CHECK(ps->i + 2 <= ps->n &&
				    ps->p[ps->i] == '\\' &&
				    ps->p[ps->i + 1] == 'u');
				ps->i += 2;
				lo = hex4(ps);
				FUZZ_CHECK(lo >= 0xdc00 && lo <= 0xdfff);
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else {
				FUZZ_CHECK(cp < 0xdc00 || cp > 0xdfff);
			}
			put_utf8(out, cp);
			break;
		default:
			FUZZ_CHECK(!"bad escape");
		}
	}
}

/* A JSON number token; returns its text. */
static struct sift_str
parse_number(struct parser *ps)
{
	size_t start = ps->i;

	if (ps->i < ps->n && ps->p[ps->i] == '-')
		ps->i++;
	FUZZ_CHECK(ps->i < ps->n && ps->p[ps->i] >= '0' &&
	    ps->p[ps->i] <= '9');
	if (ps->p[ps->i] == '0')
		ps->i++;
	else
		while (ps->i < ps->n && ps->p[ps->i] >= '0' &&
		    ps->p[ps->i] <= '9')
			ps->i++;
	if (ps->i < ps->n && ps->p[ps->i] == '.') {
		ps->i++;
		FUZZ_CHECK(ps->i < ps->n && ps->p[ps->i] >= '0' &&
		    ps->p[ps->i] <= '9');
		while (ps->i < ps->n && ps->p[ps->i] >= '0' &&
		    ps->p[ps->i] <= '9')
			ps->i++;
	}
	/* The writer never uses exponents. */
	return sift_str_make((const char *)ps->p + start, ps->i - start);
}

static struct token *
next_tok(void)
{
	FUZZ_CHECK(pos < ntok);
	return &toks[pos++];
}

static void
check_number(struct token *k, struct sift_str num)
{
	char buf[64], *end;
	double got, tol;
	const char *dot;

	FUZZ_CHECK(num.n < sizeof(buf));
	memcpy(buf, num.p, num.n);
	buf[num.n] = '\0';
	switch (k->t) {
	case T_I64:
		snprintf(buf, sizeof(buf), "%lld", (long long)k->i);
		FUZZ_CHECK(sift_str_eqc(num, buf));
		break;
	case T_U64:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)k->u);
		FUZZ_CHECK(sift_str_eqc(num, buf));
		break;
	case T_FIXED:
		dot = memchr(num.p, '.', num.n);
		if (k->dec == 0)
			FUZZ_CHECK(dot == NULL);
		else
			FUZZ_CHECK(dot != NULL &&
			    (size_t)(num.p + num.n - dot - 1) == k->dec);
		got = strtod(buf, &end);
		tol = 0.5 * pow(10, -(double)k->dec) * (1 + 1e-9) +
		    fabs(k->d) * 1e-15;
		FUZZ_CHECK(isfinite(k->d) && fabs(got - k->d) <= tol);
		break;
	default:
		FUZZ_CHECK(!"number where another token was written");
	}
}

static void
parse_value(struct parser *ps, unsigned level)
{
	struct sift_obuf s = SIFT_OBUF_INIT;
	struct token *k;
	bool first;

	FUZZ_CHECK(level <= MAXDEPTH + 1 && ps->i < ps->n);
	switch (ps->p[ps->i]) {
	case '{':
		FUZZ_CHECK(next_tok()->t == T_OBEG);
		ps->i++;
		for (first = true; ; first = false) {
			FUZZ_CHECK(ps->i < ps->n);
			if (ps->p[ps->i] == '}')
				break;
			if (!first) {
				FUZZ_CHECK(ps->p[ps->i] == ',');
				ps->i++;
			}
			k = next_tok();
			FUZZ_CHECK(k->t == T_KEY);
			parse_string(ps, &s);
			FUZZ_CHECK(s.n == k->s.n &&
			    (s.n == 0 || memcmp(s.p, k->s.p, s.n) == 0));
			sift_obuf_reset(&s);
			FUZZ_CHECK(ps->i < ps->n && ps->p[ps->i] == ':');
			ps->i++;
			parse_value(ps, level + 1);
		}
		ps->i++;
		FUZZ_CHECK(next_tok()->t == T_OEND);
		break;
	case '[':
		FUZZ_CHECK(next_tok()->t == T_ABEG);
		ps->i++;
		for (first = true; ; first = false) {
			FUZZ_CHECK(ps->i < ps->n);
			if (ps->p[ps->i] == ']')
				break;
			if (!first) {
				FUZZ_CHECK(ps->p[ps->i] == ',');
				ps->i++;
			}
			parse_value(ps, level + 1);
		}
		ps->i++;
		FUZZ_CHECK(next_tok()->t == T_AEND);
		break;
	case '"':
		k = next_tok();
		FUZZ_CHECK(k->t == T_STR);
		parse_string(ps, &s);
		FUZZ_CHECK(s.n == k->s.n &&
		    (s.n == 0 || memcmp(s.p, k->s.p, s.n) == 0));
		break;
	case 't':
		FUZZ_CHECK(next_tok()->t == T_TRUE);
		FUZZ_CHECK(ps->i + 4 <= ps->n &&
		    memcmp(ps->p + ps->i, "true", 4) == 0);
		ps->i += 4;
		break;
	case 'f':
		FUZZ_CHECK(next_tok()->t == T_FALSE);
		FUZZ_CHECK(ps->i + 5 <= ps->n &&
		    memcmp(ps->p + ps->i, "false", 5) == 0);
		ps->i += 5;
		break;
	case 'n':
		k = next_tok();
		/* fixed() writes null for what it cannot write. */
		FUZZ_CHECK(k->t == T_NULL || (k->t == T_FIXED &&
		    (!isfinite(k->d) || fabs(k->d) >= 9e18 /
		    pow(10, k->dec))));
		FUZZ_CHECK(ps->i + 4 <= ps->n &&
		    memcmp(ps->p + ps->i, "null", 4) == 0);
		ps->i += 4;
		break;
	default:
		check_number(next_tok(), parse_number(ps));
		break;
	}
	sift_obuf_release(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct sift_obuf out = SIFT_OBUF_INIT;
	struct sift_json j;
	struct parser ps;
	bool stack[MAXDEPTH];
	unsigned depth = 0, op;
	size_t i;

	ntok = pos = 0;
	sift_json_init(&j, &out);
	expect(T_OBEG);
	sift_json_obj_begin(&j);
	stack[depth++] = true;
	while (in.n > 0 && ntok < MAXTOK - 2 * MAXDEPTH - 8) {
		op = take_byte(&in) % 9;
		if (op == 7 && depth > 1) {
			if (stack[--depth]) {
				expect(T_OEND);
				sift_json_obj_end(&j);
			} else {
				expect(T_AEND);
				sift_json_arr_end(&j);
			}
		} else if (op == 8) {
			/* A new record. */
			close_all(&j, &depth, stack);
			expect(T_OBEG);
			sift_json_obj_begin(&j);
			stack[depth++] = true;
		} else {
			write_value(&j, &in, op, stack[depth - 1], &depth,
			    stack);
		}
	}
	close_all(&j, &depth, stack);

	/* Each record: one line of printable UTF-8 with a '\n' at its end. */
	ps.p = (const unsigned char *)out.p;
	ps.n = out.n;
	ps.i = 0;
	while (ps.i < ps.n) {
		parse_value(&ps, 0);
		FUZZ_CHECK(ps.i < ps.n && ps.p[ps.i] == '\n');
		ps.i++;
		FUZZ_CHECK(next_tok()->t == T_NL);
	}
	FUZZ_CHECK(pos == ntok);
	for (i = 0; i < ntok; i++)
		sift_obuf_release(&toks[i].s);
	sift_obuf_release(&out);
	return 0;
}
