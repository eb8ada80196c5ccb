/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the record writers (JSON Lines, TSV, CSV) with every field. The
 * input is a file name and a log line; the parsed record is written in the
 * three formats and each output is read back by an independent reader
 * written here: TSV cells hold no raw control byte and unescape to exactly
 * the record's bytes; CSV (RFC 4180) cells equal the TSV cells; JSON is
 * strict RFC 8259, one line, and each value equals the TSV cell (strings
 * with invalid UTF-8 as U+FFFD, numbers as the same digits, tags as the
 * same object text). So no log byte can leave its field in any format.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obuf.h"
#include "parse.h"
#include "recout.h"
#include "str.h"
#include "fuzz.h"
#include "jsonlite.h"
#include "banned.h"

#define MAXF	64

static struct sift_recout *wr[3];
static char *names[MAXF];
static size_t nf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sift_obuf list = SIFT_OBUF_INIT;
	struct sift_err e = SIFT_ERR_INIT;
	size_t i;

	(void)argc;
	(void)argv;
	nf = sift_recout_nfields();
	FUZZ_CHECK(nf <= MAXF);
	for (i = 0; i < nf; i++) {
		if (i > 0)
			sift_obuf_putc(&list, ',');
		sift_obuf_puts(&list, sift_recout_field_name(i));
		names[i] = strdup(sift_recout_field_name(i));
	}
	sift_obuf_putc(&list, '\0');
	for (i = 0; i < 3; i++) {
		wr[i] = sift_recout_new((enum sift_recfmt)i, list.p, &e);
		FUZZ_CHECK(wr[i] != NULL);
	}
	sift_obuf_release(&list);
	return 0;
}

/* The bytes a string field must carry, or NULL when it is not one. */
static bool
expected(const struct sift_rec *r, const char *file, const char *name,
    struct sift_str *out)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} map[] = {
		{ "msgid", offsetof(struct sift_rec, msgid) },
		{ "host", offsetof(struct sift_rec, host) },
		{ "helo", offsetof(struct sift_rec, helo) },
		{ "ident", offsetof(struct sift_rec, ident) },
		{ "sender", offsetof(struct sift_rec, sender) },
		{ "recipient", offsetof(struct sift_rec, recipient) },
		{ "reason", offsetof(struct sift_rec, reason) },
		{ "command", offsetof(struct sift_rec, command) },
		{ "auth", offsetof(struct sift_rec, auth) },
		{ "authenticator", offsetof(struct sift_rec, authenticator) },
		{ "user", offsetof(struct sift_rec, user) },
		{ "syslog_host", offsetof(struct sift_rec, syslog_host) },
		{ "text", offsetof(struct sift_rec, text) },
		{ "line", offsetof(struct sift_rec, line) },
	};

	if (strcmp(name, "file") == 0) {
		*out = sift_str_cstr(file);
		return true;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0) {
			memcpy(out, (const char *)r + map[i].off, sizeof(*out));
			if (out->p == NULL)
				out->n = 0;
			return true;
		}
	return false;
}

/* TSV: header, then one record of nf cells; decoded into cells[]. */
static void
read_tsv(const struct sift_obuf *b, struct sift_obuf *cells)
{
	const char *p = b->p, *e = b->p + b->n, *nl, *c;
	size_t k, i;

	/* Header: "#name\tname...\n". */
	nl = memchr(p, '\n', (size_t)(e - p));
	FUZZ_CHECK(nl != NULL && p[0] == '#');
	p++;
	for (k = 0; k < nf; k++) {
		size_t n = strlen(names[k]);

		FUZZ_CHECK((size_t)(nl - p) >= n && memcmp(p, names[k], n) == 0);
		p += n;
		FUZZ_CHECK(*p == (k + 1 < nf ? '\t' : '\n'));
		p++;
	}
	/* One record line and nothing after it. */
	nl = memchr(p, '\n', (size_t)(e - p));
	FUZZ_CHECK(nl != NULL && nl + 1 == e);
	FUZZ_CHECK(p[0] != '#');
	for (k = 0; k < nf; k++) {
		for (c = p; c < nl && *c != '\t'; c++)
			FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
		FUZZ_CHECK(c < nl ? k + 1 < nf : k + 1 == nf);
		/* Independent unescaping. */
		for (i = 0; p + i < c; i++) {
			char ch = p[i];

			if (ch != '\\') {
				sift_obuf_putc(&cells[k], ch);
				continue;
			}
			FUZZ_CHECK(p + i + 1 < c);
			switch (p[++i]) {
			case 't':
				sift_obuf_putc(&cells[k], '\t');
				break;
			case 'n':
				sift_obuf_putc(&cells[k], '\n');
				break;
			case 'r':
				sift_obuf_putc(&cells[k], '\r');
				break;
			case '\\':
				sift_obuf_putc(&cells[k], '\\');
				break;
			case 'x': {
				unsigned v = 0;

				FUZZ_CHECK(p + i + 2 < c);
				for (int h = 0; h < 2; h++) {
					char x = p[++i];

					v <<= 4;
					if (x >= '0' && x <= '9')
						v |= (unsigned)(x - '0');
					else if (x >= 'a' && x <= 'f')
						v |= (unsigned)(x - 'a' + 10);
					else if (x >= 'A' && x <= 'F')
						v |= (unsigned)(x - 'A' + 10);
					else
						FUZZ_CHECK(!"bad \\x escape");
				}
				sift_obuf_putc(&cells[k], (char)v);
				break;
			}
			default:
				FUZZ_CHECK(!"bad TSV escape");
			}
		}
		/* The library's own unescaper agrees. */
		{
			char *dup = malloc((size_t)(c - p) + 1);
			size_t m;

			if (dup == NULL)
				abort();
			memcpy(dup, p, (size_t)(c - p));
			m = sift_recout_tsv_unescape(dup, (size_t)(c - p));
			FUZZ_CHECK(m == cells[k].n && (m == 0 ||
			    memcmp(dup, cells[k].p, m) == 0));
			free(dup);
		}
		p = c + 1;
	}
}

/* CSV: header, then one CRLF record whose cells equal cells[]. */
static void
read_csv(const struct sift_obuf *b, const struct sift_obuf *cells)
{
	const char *p = b->p, *e = b->p + b->n;
	struct sift_obuf cell = SIFT_OBUF_INIT;
	size_t k, n;

	for (k = 0; k < nf; k++) {
		n = strlen(names[k]);
		FUZZ_CHECK((size_t)(e - p) > n && memcmp(p, names[k], n) == 0);
		p += n;
		if (k + 1 < nf) {
			FUZZ_CHECK(*p == ',');
			p++;
		}
	}
	FUZZ_CHECK(e - p >= 2 && p[0] == '\r' && p[1] == '\n');
	p += 2;
	for (k = 0; k < nf; k++) {
		sift_obuf_reset(&cell);
		if (p < e && *p == '"') {
			for (p++;; p++) {
				FUZZ_CHECK(p < e);
				if (*p == '"') {
					if (p + 1 < e && p[1] == '"') {
						sift_obuf_putc(&cell, '"');
						p++;
						continue;
					}
					p++;
					break;
				}
				sift_obuf_putc(&cell, *p);
			}
		} else {
			for (; p < e && *p != ',' && *p != '\r'; p++) {
				FUZZ_CHECK(*p != '"' && *p != '\n');
				sift_obuf_putc(&cell, *p);
			}
			/* Leading or trailing spaces must have been quoted. */
			FUZZ_CHECK(cell.n == 0 || (cell.p[0] != ' ' &&
			    cell.p[cell.n - 1] != ' '));
		}
		FUZZ_CHECK(cell.n == cells[k].n && (cell.n == 0 ||
		    memcmp(cell.p, cells[k].p, cell.n) == 0));
		if (k + 1 < nf) {
			FUZZ_CHECK(p < e && *p == ',');
			p++;
		}
	}
	FUZZ_CHECK(e - p == 2 && p[0] == '\r' && p[1] == '\n');
	sift_obuf_release(&cell);
}

static size_t
field_index(const char *name, size_t n)
{
	for (size_t k = 0; k < nf; k++)
		if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0)
			return k;
	return SIZE_MAX;
}

/* JSON: one object on one line; each value agrees with the TSV cell. */
static void
read_json(const struct sift_obuf *b, const struct sift_obuf *cells)
{
	struct jl j = { (const unsigned char *)b->p, b->n, 0 };
	struct sift_obuf key = SIFT_OBUF_INIT, val = SIFT_OBUF_INIT,
	    want = SIFT_OBUF_INIT;
	bool seen[MAXF] = { false }, first;
	size_t k, start, last = 0;

	FUZZ_CHECK(b->n >= 3 && b->p[b->n - 1] == '\n');
	FUZZ_CHECK(memchr(b->p, '\n', b->n - 1) == NULL);
	FUZZ_CHECK(b->p[0] == '{');
	j.i = 1;
	for (first = true; ; first = false) {
		FUZZ_CHECK(j.i < j.n);
		if (j.p[j.i] == '}')
			break;
		if (!first) {
			FUZZ_CHECK(j.p[j.i] == ',');
			j.i++;
		}
		sift_obuf_reset(&key);
		jl_string(&j, &key);
		k = field_index(key.p, key.n);
		FUZZ_CHECK(k != SIZE_MAX && !seen[k]);
		/* Keys in the order of the field list. */
		FUZZ_CHECK(first || k > last);
		seen[k] = true;
		last = k;
		FUZZ_CHECK(j.i < j.n && j.p[j.i] == ':');
		j.i++;
		sift_obuf_reset(&val);
		sift_obuf_reset(&want);
		if (j.p[j.i] == '"') {
			jl_string(&j, &val);
			jl_sanitize(&want, (const unsigned char *)cells[k].p,
			    cells[k].n);
		} else {
			/* Numbers and the tags object: the same text. */
			start = j.i;
			jl_value(&j, 0);
			sift_obuf_put(&val, j.p + start, j.i - start);
			sift_obuf_put(&want, cells[k].p, cells[k].n);
		}
		FUZZ_CHECK(val.n == want.n && (val.n == 0 ||
		    memcmp(val.p, want.p, val.n) == 0));
	}
	FUZZ_CHECK(j.i + 2 == j.n && j.p[j.i + 1] == '\n');
	/* A field left out of JSON is an empty cell. */
	for (k = 0; k < nf; k++)
		if (!seen[k])
			FUZZ_CHECK(cells[k].n == 0);
	sift_obuf_release(&key);
	sift_obuf_release(&val);
	sift_obuf_release(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_obuf out[3] = { SIFT_OBUF_INIT, SIFT_OBUF_INIT,
	    SIFT_OBUF_INIT };
	struct sift_obuf cells[MAXF];
	struct sift_parse_opts po;
	struct sift_recsrc src;
	struct sift_rec rec;
	struct sift_str want;
	char file[24];
	size_t fl, k;

	if (wr[0] == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size == 0)
		return 0;
	/* A file name of up to 16 bytes (no NUL), then the line. */
	fl = data[0] % 17;
	if (fl > size - 1)
		fl = size - 1;
	for (k = 0; k < fl; k++)
		file[k] = data[1 + k] != '\0' ? (char)data[1 + k] : '0';
	file[fl] = '\0';
	data += 1 + fl;
	size -= 1 + fl;

	memset(&po, 0, sizeof(po));
	po.ref_time = 1795315200;
	po.fixed_tz = true;
	(void)sift_parse(sift_str_make((const char *)data, size), &rec, &po);
	if (size > 0 && data[0] == '\t') {
		/* As the stream fills in a continuation. */
		rec.parent_event = SIFT_EV_REJECT;
		rec.parent_lineno = 7;
	}
	src.file = file;
	src.lineno = size % 1000;
	src.file_n = 0;

	for (k = 0; k < 3; k++) {
		sift_recout_header(wr[k], &out[k]);
		sift_recout_write(wr[k], &out[k], &rec, &src);
	}
	for (k = 0; k < nf; k++)
		cells[k] = (struct sift_obuf)SIFT_OBUF_INIT;
	read_tsv(&out[SIFT_RECFMT_TSV], cells);
	read_csv(&out[SIFT_RECFMT_CSV], cells);
	read_json(&out[SIFT_RECFMT_JSON], cells);
	/* The string fields carry exactly the record's bytes. */
	for (k = 0; k < nf; k++) {
		if (!expected(&rec, file, names[k], &want))
			continue;
		FUZZ_CHECK(cells[k].n == want.n && (want.n == 0 ||
		    memcmp(cells[k].p, want.p, want.n) == 0));
	}
	for (k = 0; k < nf; k++)
		sift_obuf_release(&cells[k]);
	for (k = 0; k < 3; k++)
		sift_obuf_release(&out[k]);
	return 0;
}
