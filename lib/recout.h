/* SPDX-License-Identifier: ISC */
/*
 * Record output: one field registry drives JSON Lines, TSV and CSV output of
 * parsed log records (struct sift_rec). The field names and how each is
 * printed are documented in eximsift(5); never rename a field, only add.
 * A struct sift_recout is owned by its creator (sift_recout_new/free) and
 * is not shared between threads: give each thread its own. Writing appends
 * to a caller-owned struct sift_obuf and keeps no pointer into the record.
 */
#ifndef SIFT_RECOUT_H
#define SIFT_RECOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "obuf.h"
#include "parse.h"
#include "sift.h"

enum sift_recfmt {
	SIFT_RECFMT_JSON = 0,
	SIFT_RECFMT_TSV,
	SIFT_RECFMT_CSV
};

struct sift_recout;

/* Where a record came from (the parser does not know). */
struct sift_recsrc {
	const char	*file;		/* NUL-terminated display name */
	uint64_t	 lineno;	/* 1-based line of the entry's first line */
	size_t		 file_n;	/* strlen(file), or 0: not known */
};

/* "json", "tsv" or "csv"; returns 0, or -1 for an unknown name. */
SIFT_NODISCARD int sift_recfmt_parse(const char *name,
	    enum sift_recfmt *fmt);

/*
 * A writer for fmt with the comma-separated field list fields, or the
 * default list of the format when fields is NULL. Returns NULL with err
 * filled in for an unknown or repeated field name.
 */
struct sift_recout *sift_recout_new(enum sift_recfmt fmt, const char *fields,
	    struct sift_err *err);
void	sift_recout_free(struct sift_recout *o);

/* The header line (TSV: "#name\t...", CSV: "name,..."); none for JSON. */
void	sift_recout_header(struct sift_recout *o, struct sift_obuf *b);
/* One record as one line (CSV lines end in CRLF, RFC 4180). */
void	sift_recout_write(struct sift_recout *o, struct sift_obuf *b,
	    const struct sift_rec *rec, const struct sift_recsrc *src);

/* The registry, for --help-style listings and documentation checks. */
size_t	sift_recout_nfields(void);
const char *sift_recout_field_name(size_t i);
const char *sift_recout_field_doc(size_t i);

/*
 * Byte-safe cell escapes. TSV: '\t' '\n' '\r' '\\' as \t \n \r \\, other
 * bytes below 0x20 and DEL as \xHH, everything else as is. CSV (RFC 4180):
 * quoted with '"' doubled when the value holds ',', '"', CR, LF, or starts
 * or ends with a space; bytes are kept as they are.
 */
void	sift_recout_tsv_escape(struct sift_obuf *b, const char *p, size_t n);
void	sift_recout_csv_escape(struct sift_obuf *b, const char *p, size_t n);
/*
 * Undo sift_recout_tsv_escape in place: returns the new length, or
 * (size_t)-1 for a malformed escape.
 */
size_t	sift_recout_tsv_unescape(char *p, size_t n);

/* ISO 8601 with offset ("2026-11-22T02:49:17.655+00:00"); returns length. */
size_t	sift_recout_fmt_time(const struct sift_time *t, char buf[40]);

#endif
