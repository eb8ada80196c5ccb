/* SPDX-License-Identifier: ISC */
/* Records across files: continuation lines and syslog pieces joined. */
#include "stream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "logset.h"
#include "reader.h"
#include "xalloc.h"
#include "banned.h"

/* Key fields of the last entry, copied so they outlive its line. */
struct parent {
	bool		 valid;
	struct sift_time ts;
	char		 msgid[24];
	size_t		 msgid_n;
	struct sift_addr ip;
	int64_t		 pid;
	enum sift_event	 ev;
	uint64_t	 lineno;
};

struct sift_stream {
	struct sift_logset	 *ls;
	struct sift_parse_opts	  popts;
	bool			  started;
	size_t			  idx;		/* file of the lines now read */
	bool			  panic;	/* that file is a paniclog */
	struct parent		  par;

	/* A line read but not processed yet (after a broken assembly). */
	bool			  pend;
	struct sift_str		  pline;
	uint64_t		  plineno;
	bool			  ptrunc;

	/* An error of the log set, held while the assembly is flushed. */
	bool			  held;
	struct sift_err		  held_err;
	size_t			  held_idx;
	uint64_t		  held_lineno;

	/* Syslog [n/m] assembly. */
	bool			  asm_on, asm_trunc;
	char			 *asmbuf;
	size_t			  asm_n;
	size_t			  asm_idx;
	uint64_t		  asm_lineno;
	int			  asm_m, asm_next;
	int64_t			  asm_pid;
	char			  asm_host[64];
	size_t			  asm_host_n;

	size_t			  rec_idx;
	uint64_t		  rec_lineno;
};

struct sift_stream *
sift_stream_new(const struct sift_stream_opts *opts)
{
	struct sift_stream *s;
	struct sift_logset_opts lo = { 0 };

	s = sift_xcalloc(1, sizeof(*s));
	lo.threads = 1;
	if (opts != NULL) {
		s->popts = opts->parse;
		lo.max_line = opts->max_line;
		lo.threads = opts->threads >= 2 ? opts->threads : 1;
		lo.no_sort = opts->no_sort;
	}
	s->ls = sift_logset_new(&lo);
	s->asmbuf = sift_xmalloc(SIFT_STREAM_ASM_MAX);
	return s;
}

int
sift_stream_add(struct sift_stream *s, const char *operand,
    struct sift_err *err)
{
	return sift_logset_add(s->ls, operand, err);
}

int
sift_stream_open(struct sift_stream **sp, const char *const *paths,
    size_t n, const struct sift_stream_opts *opts, struct sift_err *err)
{
	struct sift_stream *s = sift_stream_new(opts);

	for (size_t i = 0; i < n; i++)
		if (sift_stream_add(s, paths[i], err) != 0) {
			sift_stream_close(s);
			*sp = NULL;
			return -1;
		}
	*sp = s;
	return 0;
}

void
sift_stream_close(struct sift_stream *s)
{
	if (s == NULL)
		return;
	sift_logset_free(s->ls);
	free(s->asmbuf);
	free(s);
}

void
sift_stream_set_start(struct sift_stream *s, uint64_t offset, uint64_t lineno)
{
	if (sift_logset_count(s->ls) > 0)
		sift_logset_set_start(s->ls, 0, offset, lineno);
}

void
sift_stream_set_reader(struct sift_stream *s, struct sift_reader *r)
{
	sift_logset_set_reader(s->ls, 0, r);
}

struct sift_logset *
sift_stream_logset(struct sift_stream *s)
{
	return s->ls;
}

const char *
sift_stream_file(const struct sift_stream *s)
{
	const char *p = sift_logset_path(s->ls, s->rec_idx);

	return p != NULL ? p : "";
}

uint64_t
sift_stream_lineno(const struct sift_stream *s)
{
	return s->rec_lineno;
}

size_t
sift_stream_fileidx(const struct sift_stream *s)
{
	return s->rec_idx;
}

static bool
is_panic_name(const char *path)
{
	const char *b;

	if (path == NULL)
		return false;
	b = strrchr(path, '/');
	return strstr(b != NULL ? b + 1 : path, "panic") != NULL;
}

/* The log set moved to file idx: forget the entry before. */
static void
new_file(struct sift_stream *s, size_t idx)
{
	s->idx = idx;
	s->panic = is_panic_name(sift_logset_path(s->ls, idx));
	memset(&s->par, 0, sizeof(s->par));
}

/* Finish a record: flags, paniclog events, parent fields. */
static int
emit(struct sift_stream *s, struct sift_rec *rec, uint64_t lineno,
    bool trunc)
{
	struct parent *p = &s->par;

	if (trunc)
		rec->flags |= SIFT_REC_TRUNC;
	s->rec_lineno = lineno;
	if (rec->event == SIFT_EV_CONTINUATION) {
		rec->flags |= SIFT_REC_CONT;
		if (!p->valid) {
			rec->parent_event = SIFT_EV_OTHER;
			rec->parent_lineno = 0;
			return 1;
		}
		rec->ts = p->ts;
		rec->msgid = sift_str_make(p->msgid, p->msgid_n);
		rec->ip = p->ip;
		rec->pid = p->pid;
		rec->parent_event = p->ev;
		rec->parent_lineno = p->lineno;
		return 1;
	}
	if (s->panic && (rec->event == SIFT_EV_OTHER ||
	    rec->event == SIFT_EV_ERROR))
		rec->event = SIFT_EV_PANIC;
	p->valid = true;
	p->ts = rec->ts;
	p->msgid_n = rec->msgid.n <= sizeof(p->msgid) ? rec->msgid.n : 0;
	if (p->msgid_n >= 16) {
		/* ids are 16 or 23 bytes: two fixed moves, no call */
		memcpy(p->msgid, rec->msgid.p, 16);
		memcpy(p->msgid + p->msgid_n - 16,
		    rec->msgid.p + p->msgid_n - 16, 16);
	} else if (p->msgid_n > 0)
		memcpy(p->msgid, rec->msgid.p, p->msgid_n);
	p->ip = rec->ip;
	p->pid = rec->pid;
	p->ev = rec->event;
	p->lineno = lineno;
	return 1;
}

/* Parse and return what the assembly buffer holds. */
static int
flush_asm(struct sift_stream *s, struct sift_rec *rec, bool broken)
{
	s->asm_on = false;
	s->rec_idx = s->asm_idx;
	(void)sift_parse(sift_str_make(s->asmbuf, s->asm_n), rec, &s->popts);
	rec->flags |= SIFT_REC_ASSEMBLED;
	rec->frag_more = false;
	return emit(s, rec, s->asm_lineno, broken || s->asm_trunc);
}

static void
asm_start(struct sift_stream *s, const struct sift_rec *rec,
    struct sift_str line, uint64_t lineno)
{
	size_t n = line.n < SIFT_STREAM_ASM_MAX ? line.n :
	    SIFT_STREAM_ASM_MAX;

	memcpy(s->asmbuf, line.p, n);
	s->asm_n = n;
	s->asm_trunc = n < line.n;
	s->asm_on = true;
	s->asm_idx = s->idx;
	s->asm_lineno = lineno;
	s->asm_m = rec->frag_m;
	s->asm_next = rec->frag_n + 1;
	s->asm_pid = rec->pid;
	s->asm_host_n = rec->syslog_host.n < sizeof(s->asm_host) ?
	    rec->syslog_host.n : sizeof(s->asm_host);
	if (s->asm_host_n > 0)
		memcpy(s->asm_host, rec->syslog_host.p, s->asm_host_n);
}

static bool
asm_match(const struct sift_stream *s, const struct sift_rec *rec)
{
	return (rec->flags & SIFT_REC_FRAGMENT) && rec->pid == s->asm_pid &&
	    rec->frag_m == s->asm_m && rec->frag_n == s->asm_next &&
	    rec->syslog_host.n == s->asm_host_n &&
	    (s->asm_host_n == 0 ||
	    memcmp(rec->syslog_host.p, s->asm_host, s->asm_host_n) == 0);
}

static void
asm_append(struct sift_stream *s, struct sift_str body)
{
	size_t room = SIFT_STREAM_ASM_MAX - s->asm_n;

	if (body.n > room) {
		s->asm_trunc = true;
		body.n = room;
	}
	if (body.n > 0)
		memcpy(s->asmbuf + s->asm_n, body.p, body.n);
	s->asm_n += body.n;
	s->asm_next++;
}

int
sift_stream_next(struct sift_stream *s, struct sift_rec *rec,
    struct sift_err *err)
{
	struct sift_str line;
	uint64_t lineno;
	size_t idx;
	bool trunc;
	int rv;

	for (;;) {
		if (s->pend) {
			s->pend = false;
			line = s->pline;
			lineno = s->plineno;
			trunc = s->ptrunc;
		} else {
			if (s->held) {
				if (s->asm_on)
					return flush_asm(s, rec, true);
				s->held = false;
				s->rec_idx = s->held_idx;
				s->rec_lineno = s->held_lineno;
				if (err != NULL)
					*err = s->held_err;
				return -1;
			}
			rv = sift_logset_next_at(s->ls, &line, &s->held_err,
			    &idx, &lineno, &trunc);
			if (rv == 0) {
				if (s->asm_on)
					return flush_asm(s, rec, true);
				return 0;
			}
			if (rv == -1) {
				s->held_idx = idx;
				s->held_lineno = lineno;
				new_file(s, idx + 1);
				s->held = true;
				continue;
			}
			if (!s->started || idx != s->idx) {
				s->started = true;
				if (s->asm_on) {
					/* A new file breaks an assembly. */
					s->pend = true;
					s->pline = line;
					s->plineno = lineno;
					s->ptrunc = trunc;
					rv = flush_asm(s, rec, true);
					new_file(s, idx);
					return rv;
				}
				new_file(s, idx);
			}
		}
		if (line.n == 0)
			continue;
		s->rec_idx = s->idx;
		(void)sift_parse(line, rec, &s->popts);
		if (s->asm_on) {
			if (asm_match(s, rec)) {
				asm_append(s, rec->body);
				if (trunc)
					s->asm_trunc = true;
				if (!rec->frag_more)
					return flush_asm(s, rec, false);
				continue;
			}
			s->pend = true;
			s->pline = line;
			s->plineno = lineno;
			s->ptrunc = trunc;
			return flush_asm(s, rec, true);
		}
		if (rec->frag_more) {
			asm_start(s, rec, line, lineno);
			if (trunc)
				s->asm_trunc = true;
			continue;
		}
		return emit(s, rec, lineno, trunc);
	}
}
