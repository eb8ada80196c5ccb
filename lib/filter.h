/* SPDX-License-Identifier: ISC */
/*
 * Record filters: a time window, a set of events, addresses or prefixes, and
 * message ids. Kinds combine with AND, values of one kind with OR; a kind
 * with no values does not filter. A struct sift_filter is built by its
 * owner (sift_filter_new/free), copies every argument it keeps, and once
 * built may be read by several threads at once (sift_filter_match does not
 * change it).
 */
#ifndef SIFT_FILTER_H
#define SIFT_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "parse.h"
#include "sift.h"

struct sift_filter;

struct sift_filter *sift_filter_new(void);
void	sift_filter_free(struct sift_filter *f);

/* Keep records with since <= time < until; a record without time fails. */
void	sift_filter_since(struct sift_filter *f, int64_t since);
void	sift_filter_until(struct sift_filter *f, int64_t until);
/* Comma-separated event names (sift_event_name); -1 on an unknown one. */
SIFT_NODISCARD int sift_filter_events(struct sift_filter *f,
	    const char *list, struct sift_err *err);
/* "addr" or "addr/len" (host bits beyond len are ignored). */
SIFT_NODISCARD int sift_filter_ip(struct sift_filter *f, const char *text,
	    struct sift_err *err);
/*
 * A message id, old (16 characters) or new (23) form: keeps the lines
 * written for that message and any line that mentions the id.
 */
SIFT_NODISCARD int sift_filter_msgid(struct sift_filter *f, const char *id,
	    struct sift_err *err);

/* True when rec passes every kind of filter set. */
bool	sift_filter_match(const struct sift_filter *f,
	    const struct sift_rec *rec);
/* True when some filter is set. */
bool	sift_filter_active(const struct sift_filter *f);

/* True when p[0..n) has the shape of an Exim message id. */
bool	sift_msgid_valid(const char *p, size_t n);

#endif
