/* SPDX-License-Identifier: ISC */
/*
 * eximparse: Exim logs to JSON Lines, TSV or CSV records.
 *
 * A producer thread walks the inputs in order and turns them into slots,
 * units of work in output order: a big input in Exim's own format (a plain
 * file, or a compressed one when there are fewer compressed inputs than
 * jobs) is read and decoded by the producer into blocks of whole entries,
 * with their line numbers counted; any other input is one slot that a
 * worker reads whole (decoding in a thread of its own). Worker threads
 * parse and format slots into chunks; the main thread writes the chunks
 * slot by slot, so records keep the order of the (rotation-sorted) inputs
 * while the work runs on every core. Memory is bounded: RING slots in
 * flight, MAX_QUEUED chunks waiting behind the one being written.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "codec.h"
#include "filter.h"
#include "obuf.h"
#include "parse.h"
#include "reader.h"
#include "stream.h"
#include "logset.h"
#include "recout.h"
#include "tsshape.h"
#include "xalloc.h"
#include "banned.h"

#define USAGE \
    "usage: eximparse [-hkqVvZ] [-e events] [-F fields] [-f format] " \
    "[-i addr]\n" \
    "                 [-j jobs] [-m msgid] [-N time] [-o file] " \
    "[-S time] [-U time]\n" \
    "                 [-z zone] [file ...]\n"

#define OPTIONS \
    "\n" \
    "  -e, --event LIST    only these events (arrival,reject,auth_fail,...)\n" \
    "  -F, --fields LIST   fields to print, in order (see eximsift(5))\n" \
    "  -f, --format FMT    json (default), tsv or csv\n" \
    "  -h, --help          this help\n" \
    "  -i, --ip ADDR|CIDR  only records of this client (repeatable)\n" \
    "  -j, --jobs N        worker threads (default: number of cores)\n" \
    "  -k, --keep-going    input errors do not make the exit status 2\n" \
    "  -m, --msgid ID      every line of one message, like exigrep\n" \
    "  -N, --now TIME      what \"now\" is for relative times\n" \
    "  -o, --output FILE   write FILE atomically instead of stdout\n" \
    "  -q, --quiet         fewer warnings\n" \
    "  -S, --since TIME    records at or after TIME (2026-11-22, 2h, @epoch)\n" \
    "  -U, --until TIME    records before TIME\n" \
    "  -V, --version       print the version\n" \
    "  -v, --verbose       counts per event on stderr at the end\n" \
    "  -Z, --utc           logs without an offset are in UTC\n" \
    "  -z, --tz ZONE       logs without an offset are in ZONE\n" \
    "Inputs: files, directories of Exim logs, - for stdin; any compression.\n" \
    "Exit status: 0 records written, 1 none, 2 trouble. See eximparse(1).\n"

#define CHUNK_SIZE	(1024 * 1024)	/* flush a chunk at this size */
#define MAX_QUEUED	12		/* chunks waiting behind the head */
#define MAX_MSGS	5		/* warnings kept per input */
#define MAX_JOBS	64
#define BLOCK_SIZE	(2 * 1024 * 1024)	/* cut big inputs in blocks */
#define BLOCK_MAX	8		/* blocks without an entry start: stop */
#define RING		8		/* slots in flight */

struct opts {
	enum sift_recfmt fmt;
	const char	*fields;
	const char	*out;
	const char	*since, *until, *now, *zone;
	bool		 keep_going;
	int		 verbose;	/* -1 quiet, 0, 1 counts */
	long		 jobs;
	struct sift_filter *filter;
	struct sift_parse_opts popts;
};

struct chunk {
	struct chunk	*next;
	struct sift_obuf b;
};

/* One input operand (after directory expansion and rotation order). */
struct input {
	char		*path;
	bool		 split;		/* the producer cuts it in blocks */
	bool		 compressed;
	unsigned	 nmsgs;		/* warnings printed (writer) */
	uint64_t	 dropped;	/* warnings beyond MAX_MSGS */
	uint64_t	 longlines;
};

enum slotkind {
	SL_FILE,	/* the whole input, read by the worker */
	SL_MEM,		/* lines in buf[0..n) */
	SL_RESUME	/* buf[0..n), then the rest of dec */
};

/* A unit of work, in output order. */
struct slot {
	struct input	*in;
	enum slotkind	 kind;
	bool		 last;		/* the last slot of its input */
	char		*buf;		/* kept by the ring entry */
	size_t		 n, cap;
	uint64_t	 off, before;	/* decoded offset, lines before */
	uint64_t	 nl;		/* SL_MEM, not last: lines in buf */
	const char	*codec;
	struct sift_err	 pending;	/* SL_MEM: failure after buf */
	struct sift_decoder *dec;	/* SL_RESUME */
	struct chunk	*head, *tail;
	unsigned	 nq;		/* chunks in head..tail */
	bool		 done;
	bool		 trouble;	/* open, read or decode error */
	uint64_t	 lines, records, longlines;
	uint64_t	 events[SIFT_EV__COUNT];
	uint64_t	 unparsed;	/* lines without an Exim prefix */
	unsigned	 nmsgs;
	uint64_t	 dropped;	/* warnings beyond MAX_MSGS */
	char		 msgs[MAX_MSGS][sizeof(((struct sift_err *)0)->msg)];
};

struct run {
	const struct opts *o;
	struct input	*inputs;
	size_t		 ninputs;
	uint64_t	 blocksize;
	struct slot	 ring[RING];
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv_main;	/* a chunk, done flag or slot arrived */
	pthread_cond_t	 cv_work;	/* room in the queue, or head moved */
	pthread_cond_t	 cv_slot;	/* a slot was published */
	uint64_t	 produced;	/* slots published */
	bool		 prod_done;	/* no more slots */
	uint64_t	 next;		/* next slot to hand out */
	uint64_t	 head;		/* slot being written */
	unsigned	 queued;	/* chunks queued for slots past head */
	struct chunk	*free;
	bool		 stop;		/* write error: everyone gives up */
	bool		 trouble;
	/* totals of the written slots */
	uint64_t	 lines, records, unparsed, longlines;
	uint64_t	 events[SIFT_EV__COUNT];
};

static SIFT_NORETURN void usage(int);
static void parse_opt(struct opts *, int, const char *);
static int run_all(struct opts *, int, char **);

static const struct option longopts[] = {
	{ "ip",		required_argument, NULL, 'i' },
	{ "event",	required_argument, NULL, 'e' },
	{ "fields",	required_argument, NULL, 'F' },
	{ "format",	required_argument, NULL, 'f' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "jobs",	required_argument, NULL, 'j' },
	{ "keep-going",	no_argument,	   NULL, 'k' },
	{ "msgid",	required_argument, NULL, 'm' },
	{ "now",	required_argument, NULL, 'N' },
	{ "output",	required_argument, NULL, 'o' },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "since",	required_argument, NULL, 'S' },
	{ "until",	required_argument, NULL, 'U' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "utc",	no_argument,	   NULL, 'Z' },
	{ "tz",		required_argument, NULL, 'z' },
	{ NULL,		0,		   NULL, 0 }
};

static void
usage(int status)
{
	fputs(USAGE, status == CLI_EXIT_OK ? stdout : stderr);
	if (status == CLI_EXIT_OK)
		fputs(OPTIONS, stdout);
	exit(status);
}

static void
parse_opt(struct opts *o, int ch, const char *arg)
{
	struct sift_err e = SIFT_ERR_INIT;

	switch (ch) {
	case 'e':
		if (sift_filter_events(o->filter, arg, &e) == -1)
			errx(CLI_EXIT_TROUBLE, "--event: %s", e.msg);
		break;
	case 'F':
		o->fields = arg;
		break;
	case 'f':
		if (sift_recfmt_parse(arg, &o->fmt) == -1)
			errx(CLI_EXIT_TROUBLE,
			    "-f: unknown format: %s (json, tsv, csv)", arg);
		break;
	case 'h':
		usage(CLI_EXIT_OK);
	case 'i':
		if (sift_filter_ip(o->filter, arg, &e) == -1)
			errx(CLI_EXIT_TROUBLE, "--ip: %s", e.msg);
		break;
	case 'j':
		o->jobs = (long)cli_number(arg, 1, MAX_JOBS, "-j");
		break;
	case 'k':
		o->keep_going = true;
		break;
	case 'm':
		if (sift_filter_msgid(o->filter, arg, &e) == -1)
			errx(CLI_EXIT_TROUBLE, "--msgid: %s", e.msg);
		break;
	case 'N':
		o->now = arg;
		break;
	case 'o':
		o->out = arg;
		break;
	case 'q':
		o->verbose = -1;
		break;
	case 'S':
		o->since = arg;
		break;
	case 'U':
		o->until = arg;
		break;
	case 'V':
		printf("eximparse %s\n", SIFT_VERSION);
		exit(CLI_EXIT_OK);
	case 'v':
		o->verbose = 1;
		break;
	case 'Z':
		o->zone = "UTC";
		break;
	case 'z':
		o->zone = arg;
		break;
	default:
		usage(CLI_EXIT_TROUBLE);
	}
}

/*
 * --tz: a zone name under /usr/share/zoneinfo, "UTC", or a POSIX TZ string
 * with an offset ("CET-1"). glibc takes unknown names for UTC silently, so
 * reject names that name no file.
 */
static void
set_zone(const char *zone)
{
	char path[512];
	struct stat st;
	int n;

	if (*zone == ':')
		zone++;
	if (*zone == '\0' || strstr(zone, "..") != NULL)
		errx(CLI_EXIT_TROUBLE, "--tz: invalid time zone: %s", zone);
	if (strcmp(zone, "UTC") != 0 && strpbrk(zone, "0123456789") == NULL) {
		n = snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s",
		    zone);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			errx(CLI_EXIT_TROUBLE, "--tz: unknown time zone: %s",
			    zone);
	}
	if (setenv("TZ", zone, 1) == -1)
		err(CLI_EXIT_TROUBLE, "setenv");
	tzset();
}

static int64_t
get_time(const char *what, const char *s, int64_t now)
{
	int64_t t;

	if (cli_time(s, now, &t) == -1)
		errx(CLI_EXIT_TROUBLE, "%s: invalid time: %s", what, s);
	return t;
}

int
main(int argc, char *argv[])
{
	static char progname[] = "eximparse";
	struct opts o;
	int ch;

	cli_init(argv[0]);
	argv[0] = progname;	/* getopt's messages, whatever the path */
	memset(&o, 0, sizeof(o));
	o.fmt = SIFT_RECFMT_JSON;
	o.filter = sift_filter_new();
	while ((ch = getopt_long(argc, argv, "e:F:f:hi:j:km:N:o:qS:U:VvZz:",
	    longopts, NULL)) != -1)
		parse_opt(&o, ch, optarg);
	return run_all(&o, argc - optind, argv + optind);
}


static void
slot_warn(struct slot *s, const char *msg)
{
	if (s->nmsgs < MAX_MSGS) {
		snprintf(s->msgs[s->nmsgs], sizeof(s->msgs[0]), "%s", msg);
		s->nmsgs++;
	} else
		s->dropped++;
}

static struct chunk *
chunk_get(struct run *r)
{
	struct chunk *c;

	pthread_mutex_lock(&r->mu);
	c = r->free;
	if (c != NULL)
		r->free = c->next;
	pthread_mutex_unlock(&r->mu);
	if (c == NULL) {
		c = sift_xcalloc(1, sizeof(*c));
		sift_obuf_init(&c->b, CHUNK_SIZE + CHUNK_SIZE / 4);
	}
	c->next = NULL;
	sift_obuf_reset(&c->b);
	return c;
}

/* Hand a chunk of slot seq to the writer; waits while the queue is full. */
static void
chunk_put(struct run *r, uint64_t seq, struct chunk *c, bool done)
{
	struct slot *s = &r->ring[seq % RING];

	pthread_mutex_lock(&r->mu);
	/*
	 * The slot being written may queue MAX_QUEUED chunks of its own;
	 * the slots after it share MAX_QUEUED more. So memory stays bounded
	 * when the output is slow, and the head can always go on.
	 */
	while (c != NULL && !r->stop && (seq == r->head ?
	    s->nq >= MAX_QUEUED : r->queued >= MAX_QUEUED))
		pthread_cond_wait(&r->cv_work, &r->mu);
	if (c != NULL) {
		if (s->tail != NULL)
			s->tail->next = c;
		else
			s->head = c;
		s->tail = c;
		s->nq++;
		if (seq != r->head)
			r->queued++;
	}
	if (done)
		s->done = true;
	/* the writer waits for the head only; it finds the others queued */
	if (seq == r->head)
		pthread_cond_signal(&r->cv_main);
	pthread_mutex_unlock(&r->mu);
}

static bool
stopped(struct run *r)
{
	bool stop;

	pthread_mutex_lock(&r->mu);
	stop = r->stop;
	pthread_mutex_unlock(&r->mu);
	return stop;
}

/* Does p[0..n) start with Exim's own "YYYY-MM-DD HH:MM:SS"? */
static bool
exim_stamp(const char *p, size_t n)
{
	return n >= 19 && sift_ts_shape(p);
}

/*
 * Where to end a block of p[0..n): just after the last newline in
 * p[lo..n - 19) that is followed by a line with Exim's own time stamp (an
 * entry's first line: never inside a multi-line entry). 0 if none.
 */
static size_t
find_cut(const char *p, size_t lo, size_t n)
{
	const char *q;
	size_t hi;

	if (n < lo + 19)
		return 0;
	for (hi = n - 19; hi > lo; hi = (size_t)(q - p)) {
		if ((q = memrchr(p + lo, '\n', hi - lo)) == NULL)
			return 0;
		if (exim_stamp(q + 1, n - (size_t)(q + 1 - p)))
			return (size_t)(q + 1 - p);
	}
	return 0;
}

/*
 * Producer side: the next free ring entry (waits for the writer), reset.
 * NULL when the run stops.
 */
static struct slot *
slot_new(struct run *r, struct input *in, enum slotkind kind)
{
	struct slot *s;
	char *buf;
	size_t cap;

	pthread_mutex_lock(&r->mu);
	while (r->produced - r->head >= RING && !r->stop)
		pthread_cond_wait(&r->cv_work, &r->mu);
	if (r->stop) {
		pthread_mutex_unlock(&r->mu);
		return NULL;
	}
	pthread_mutex_unlock(&r->mu);
	s = &r->ring[r->produced % RING];
	buf = s->buf;
	cap = s->cap;
	if (cap > 2 * r->blocksize) {
		/* grown for an input without entry starts: give it back */
		free(buf);
		buf = NULL;
		cap = 0;
	}
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->cap = cap;
	s->in = in;
	s->kind = kind;
	s->codec = "plain";
	return s;
}

static void
slot_publish(struct run *r)
{
	pthread_mutex_lock(&r->mu);
	r->produced++;
	pthread_cond_broadcast(&r->cv_slot);
	pthread_cond_signal(&r->cv_main);
	pthread_mutex_unlock(&r->mu);
}

static void
slot_reserve(struct slot *s, size_t want)
{
	if (s->cap >= want)
		return;
	s->buf = sift_xrealloc(s->buf, want);
	s->cap = want;
}

/*
 * Cut one input into blocks of whole entries, decoding it here. Returns
 * false when the run stops.
 */
static bool
produce_split(struct run *r, struct input *in)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_decoder *dec;
	struct slot *s, *prev = NULL;
	uint64_t off = 0, before = 0;
	size_t carry = 0, cut, lo, fill_to, bs = (size_t)r->blocksize;
	bool eof = false, first = true;
	long k;
	int fd;

	if ((fd = open(in->path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    sift_decoder_open(&dec, fd, &e) == -1) {
		/* the worker reads it again and reports the trouble */
		if (fd != -1)
			close(fd);
		if ((s = slot_new(r, in, SL_FILE)) == NULL)
			return false;
		s->last = true;
		slot_publish(r);
		return true;
	}
	for (;;) {
		if ((s = slot_new(r, in, SL_MEM)) == NULL) {
			sift_decoder_close(dec);
			return false;
		}
		if (sift_decoder_codec(dec) != NULL)
			s->codec = sift_decoder_codec(dec)->name;
		/* (the carry is below bs; the reserve does not rely on it) */
		slot_reserve(s, carry < bs ? bs : carry + bs);
		/* the bytes after the previous cut start this block */
		if (carry > 0)
			memcpy(s->buf, prev->buf + prev->n, carry);
		s->n = carry;
		s->off = off;
		s->before = before;
		cut = 0;
		lo = 0;
		fill_to = bs;
		for (;;) {
			if (first && s->n >= 19) {
				first = false;
				if (!exim_stamp(s->buf, s->n))
					break;	/* not Exim's own format */
			}
			if (s->n >= fill_to) {
				if ((cut = find_cut(s->buf, lo, s->n)) > 0)
					break;
				/* no entry starts there: read more */
				lo = s->n - 19;
				fill_to = s->n + bs / 2;
				if (fill_to > BLOCK_MAX * bs)
					break;
			}
			slot_reserve(s, fill_to);
			k = sift_decoder_read(dec, s->buf + s->n,
			    fill_to - s->n, &e);
			if (k <= 0) {
				eof = true;
				break;
			}
			s->n += (size_t)k;
		}
		if (cut == 0 && !eof && s->n > 0) {
			/* the rest in one slot: read on by the worker */
			s->kind = SL_RESUME;
			s->dec = dec;
			s->last = true;
			slot_publish(r);
			return true;
		}
		if (cut == 0) {
			/* the end of the input (and its failure, if any) */
			if (e.code != SIFT_E_OK)
				s->pending = e;
			s->last = true;
			slot_publish(r);
			sift_decoder_close(dec);
			return true;
		}
		carry = s->n - cut;
		s->n = cut;
		off += cut;
		s->nl = sift_count_nl(s->buf, cut);
		before += s->nl;
		prev = s;
		slot_publish(r);
	}
}

/* Compressed, by the magic bytes the reader goes by? */
static bool
compressed(const char *path)
{
	unsigned char m[SIFT_CODEC_PEEK];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, m, sizeof(m));
	close(fd);
	return n > 0 && sift_codec_detect(m, (size_t)n) != NULL;
}

static void *
producer(void *arg)
{
	struct run *r = arg;
	struct slot *s;

	for (size_t i = 0; i < r->ninputs; i++) {
		if (r->inputs[i].split) {
			if (!produce_split(r, &r->inputs[i]))
				break;
			continue;
		}
		if ((s = slot_new(r, &r->inputs[i], SL_FILE)) == NULL)
			break;
		s->last = true;
		slot_publish(r);
	}
	pthread_mutex_lock(&r->mu);
	r->prod_done = true;
	pthread_cond_broadcast(&r->cv_slot);
	pthread_cond_signal(&r->cv_main);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Read, parse, filter and format one slot. */
static void
do_slot(struct run *r, uint64_t seq, struct sift_recout *ro)
{
	const struct opts *o = r->o;
	struct slot *s = &r->ring[seq % RING];
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_stream_opts sopts;
	struct sift_stream *st;
	struct sift_recsrc src;
	struct sift_rec rec;
	struct chunk *c;
	bool filtering = sift_filter_active(o->filter);
	uint64_t lineno;
	char msg[sizeof(e.msg)];
	const char *path;
	int rc;

	memset(&sopts, 0, sizeof(sopts));
	sopts.parse = o->popts;
	sopts.no_sort = true;
	/* decompress in a thread of its own, ahead of the parsing */
	sopts.threads = s->kind == SL_FILE && s->in->compressed ? 2 : 1;
	path = s->in->path;
	if (sift_stream_open(&st, &path, 1, &sopts, &e) == -1) {
		slot_warn(s, e.msg);
		s->trouble = true;
		sift_decoder_close(s->dec);
		s->dec = NULL;
		chunk_put(r, seq, NULL, true);
		return;
	}
	if (s->kind == SL_RESUME) {
		struct sift_decoder *dec = s->dec;
		struct sift_reader_opts rop;

		memset(&rop, 0, sizeof(rop));
		rop.start_offset = s->off;
		rop.start_lineno = s->before;
		rop.threads = s->in->compressed ? 2 : 1;
		s->dec = NULL;
		sift_stream_set_reader(st, sift_reader_resume(path, dec,
		    s->buf, s->n, &rop));
	} else if (s->kind == SL_MEM) {
		struct sift_reader_opts rop;

		memset(&rop, 0, sizeof(rop));
		rop.start_offset = s->off;
		rop.start_lineno = s->before;
		sift_stream_set_reader(st, sift_reader_mem(path, s->codec,
		    s->buf, s->n, &s->pending, &rop));
	}
	src.file = strcmp(path, "-") == 0 ? "(stdin)" : path;
	src.file_n = strlen(src.file);
	c = chunk_get(r);
	for (;;) {
		rc = sift_stream_next(st, &rec, &e);
		if (rc == 0)
			break;
		if (rc == -1) {
			slot_warn(s, e.msg);
			s->trouble = true;
			continue;	/* the next call ends the stream */
		}
		lineno = sift_stream_lineno(st);
		s->lines = lineno - s->before;
		if ((rec.flags & SIFT_REC_TRUNC) &&
		    !(rec.flags & SIFT_REC_ASSEMBLED)) {
			s->longlines++;
			if (o->verbose < 0)
				continue;
			snprintf(msg, sizeof(msg), "%s:%llu: line longer "
			    "than %d bytes, skipped", src.file,
			    (unsigned long long)lineno, SIFT_READER_MAX_LINE);
			slot_warn(s, msg);
			continue;
		}
		if (rec.flags & SIFT_REC_NOTIME && rec.event == SIFT_EV_OTHER)
			s->unparsed++;
		if ((unsigned)rec.event < SIFT_EV__COUNT)
			s->events[rec.event]++;
		if (filtering && !sift_filter_match(o->filter, &rec))
			continue;
		src.lineno = lineno;
		sift_recout_write(ro, &c->b, &rec, &src);
		s->records++;
		if (c->b.n >= CHUNK_SIZE) {
			chunk_put(r, seq, c, false);
			if (stopped(r)) {
				c = NULL;
				break;
			}
			c = chunk_get(r);
		}
	}
	/* empty lines at the end of a block count too */
	if (s->kind == SL_MEM && !s->last)
		s->lines = s->nl;
	sift_stream_close(st);
	chunk_put(r, seq, c, true);
}

static void *
worker(void *arg)
{
	struct run *r = arg;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_recout *ro;
	uint64_t seq;

	ro = sift_recout_new(r->o->fmt, r->o->fields, &e);
	if (ro == NULL)
		abort();	/* checked in run_all() */
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (r->next >= r->produced && !r->prod_done && !r->stop)
			pthread_cond_wait(&r->cv_slot, &r->mu);
		if (r->next >= r->produced || r->stop) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		seq = r->next++;
		pthread_mutex_unlock(&r->mu);
		do_slot(r, seq, ro);
	}
	sift_recout_free(ro);
	return NULL;
}

/* Warnings of a written slot, at most MAX_MSGS per input. */
static void
slot_msgs(const struct opts *o, struct slot *s)
{
	struct input *in = s->in;
	char msg[sizeof(s->msgs[0])];

	for (unsigned k = 0; k < s->nmsgs; k++) {
		if (in->nmsgs < MAX_MSGS) {
			warnx("%s", s->msgs[k]);
			in->nmsgs++;
		} else
			in->dropped++;
	}
	in->dropped += s->dropped;
	in->longlines += s->longlines;
	if (!s->last)
		return;
	if (o->verbose < 0 && in->longlines > 0) {
		snprintf(msg, sizeof(msg), "%s: %llu overlong lines skipped",
		    strcmp(in->path, "-") == 0 ? "(stdin)" : in->path,
		    (unsigned long long)in->longlines);
		if (in->nmsgs < MAX_MSGS) {
			warnx("%s", msg);
			in->nmsgs++;
		} else
			in->dropped++;
	}
	if (in->dropped > 0)
		warnx("%s: %llu more warnings", in->path,
		    (unsigned long long)in->dropped);
}

/* Write every slot's chunks in order; returns false on a write error. */
static bool
writer(struct run *r, FILE *fp)
{
	struct slot *s;
	struct chunk *c, *n;
	bool ok = true, done;

	for (uint64_t seq = 0;; seq++) {
		pthread_mutex_lock(&r->mu);
		while (seq >= r->produced && !r->prod_done)
			pthread_cond_wait(&r->cv_main, &r->mu);
		if (seq >= r->produced) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		pthread_mutex_unlock(&r->mu);
		s = &r->ring[seq % RING];
		for (;;) {
			pthread_mutex_lock(&r->mu);
			while (s->head == NULL && !s->done)
				pthread_cond_wait(&r->cv_main, &r->mu);
			c = s->head;
			s->head = s->tail = NULL;
			s->nq = 0;
			done = s->done;
			pthread_cond_broadcast(&r->cv_work);
			pthread_mutex_unlock(&r->mu);
			for (; c != NULL; c = n) {
				n = c->next;
				if (ok && c->b.n > 0 &&
				    fwrite(c->b.p, 1, c->b.n, fp) != c->b.n)
					ok = false;
				pthread_mutex_lock(&r->mu);
				c->next = r->free;
				r->free = c;
				pthread_mutex_unlock(&r->mu);
			}
			if (done)
				break;
		}
		slot_msgs(r->o, s);
		if (s->trouble || s->longlines > 0)
			r->trouble = true;
		r->lines += s->lines;
		r->records += s->records;
		r->unparsed += s->unparsed;
		r->longlines += s->longlines;
		for (int k = 0; k < SIFT_EV__COUNT; k++)
			r->events[k] += s->events[k];
		pthread_mutex_lock(&r->mu);
		r->head = seq + 1;
		/* chunks of the new head no longer count against the queue */
		if (seq + 1 < r->produced)
			r->queued -= r->ring[(seq + 1) % RING].nq;
		if (!ok)
			r->stop = true;
		pthread_cond_broadcast(&r->cv_work);
		pthread_cond_broadcast(&r->cv_slot);
		pthread_mutex_unlock(&r->mu);
		if (!ok)
			break;
	}
	if (ok && fflush(fp) == EOF)
		ok = false;
	return ok;
}

static void
report_counts(const struct run *r)
{
	fprintf(stderr, "eximparse: %zu input%s, %llu lines, %llu records "
	    "written\n", r->ninputs, r->ninputs == 1 ? "" : "s",
	    (unsigned long long)r->lines,
	    (unsigned long long)r->records);
	for (int k = 0; k < SIFT_EV__COUNT; k++)
		if (r->events[k] > 0)
			fprintf(stderr, "eximparse: %12llu %s\n",
			    (unsigned long long)r->events[k],
			    sift_event_name((enum sift_event)k));
	if (r->unparsed > 0)
		fprintf(stderr, "eximparse: %12llu lines without an Exim "
		    "prefix\n", (unsigned long long)r->unparsed);
	if (r->longlines > 0)
		fprintf(stderr, "eximparse: %12llu overlong lines skipped\n",
		    (unsigned long long)r->longlines);
}

/* Say so when a directory operand held no Exim log. */
static void
empty_dir_note(struct sift_logset *ls, size_t nf, const char *dir)
{
	struct stat st;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return;
	for (size_t i = 0; i < nf; i++) {
		const char *p = sift_logset_path(ls, i);

		if (strncmp(p, dir, n) == 0 && p[n] == '/')
			return;
	}
	warnx("%s: no Exim log files in the directory", dir);
}

/*
 * The inputs in reading order (rotated sets oldest first, directories
 * expanded). With several jobs, the big plain files are cut in blocks,
 * and the compressed files too when there are fewer of them than jobs
 * (else each is decoded whole by a worker, several at once).
 */
static void
make_inputs(struct run *r, int argc, char **argv, size_t njobs,
    bool *trouble)
{
	struct sift_logset_opts lo;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_logset *ls;
	struct input *in;
	struct stat st;
	size_t nf, ncomp = 0;
	bool *reg;

	memset(&lo, 0, sizeof(lo));
	lo.threads = 1;
	ls = sift_logset_new(&lo);
	if (argc == 0 && sift_logset_add(ls, "-", &e) == -1)
		errx(CLI_EXIT_TROUBLE, "%s", e.msg);
	for (int i = 0; i < argc; i++)
		if (sift_logset_add(ls, argv[i], &e) == -1) {
			warnx("%s", e.msg);
			*trouble = true;
		}
	nf = sift_logset_count(ls);
	for (int i = 0; i < argc; i++)
		empty_dir_note(ls, nf, argv[i]);
	r->inputs = sift_xcalloc(nf > 0 ? nf : 1, sizeof(*r->inputs));
	reg = sift_xcalloc(nf > 0 ? nf : 1, sizeof(*reg));
	r->ninputs = nf;
	for (size_t i = 0; i < nf; i++) {
		in = &r->inputs[i];
		in->path = sift_xstrdup(sift_logset_path(ls, i));
		if (strcmp(in->path, "-") == 0) {
			/* may be compressed; reading it ahead pays either way */
			in->compressed = true;
			continue;
		}
		if (stat(in->path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		reg[i] = true;
		in->compressed = compressed(in->path);
		if (in->compressed)
			ncomp++;
		else if ((uint64_t)st.st_size >= 2 * r->blocksize)
			in->split = njobs > 1;
	}
	for (size_t i = 0; i < nf; i++)
		if (reg[i] && r->inputs[i].compressed && ncomp < njobs)
			r->inputs[i].split = true;
	free(reg);
	sift_logset_free(ls);
}

static int
run_all(struct opts *o, int argc, char **argv)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_recout *ro;
	struct sift_obuf hdr = SIFT_OBUF_INIT;
	pthread_t tids[MAX_JOBS], ptid;
	struct run r;
	struct chunk *c;
	const char *env;
	size_t njobs;
	int64_t now;
	bool ok, trouble = false;
	FILE *fp;
	int rc;

	if (o->zone != NULL)
		set_zone(o->zone);
	now = o->now != NULL ? get_time("--now", o->now, time(NULL)) :
	    (int64_t)time(NULL);
	if (o->since != NULL)
		sift_filter_since(o->filter, get_time("--since", o->since,
		    now));
	if (o->until != NULL)
		sift_filter_until(o->filter, get_time("--until", o->until,
		    now));
	o->popts.ref_time = now;
	ro = sift_recout_new(o->fmt, o->fields, &e);
	if (ro == NULL)
		errx(CLI_EXIT_TROUBLE, "-F: %s", e.msg);

	njobs = o->jobs > 0 ? (size_t)o->jobs : (size_t)sysconf(
	    _SC_NPROCESSORS_ONLN);
	if (njobs < 1)
		njobs = 1;
	if (njobs > MAX_JOBS)
		njobs = MAX_JOBS;
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.blocksize = BLOCK_SIZE;
	if ((env = getenv("EXIMPARSE_PART_SIZE")) != NULL)
		r.blocksize = (uint64_t)cli_number(env, 4096, 1 << 30,
		    "EXIMPARSE_PART_SIZE");
	make_inputs(&r, argc, argv, njobs, &trouble);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv_main, NULL);
	pthread_cond_init(&r.cv_work, NULL);
	pthread_cond_init(&r.cv_slot, NULL);

	fp = cli_output_open(o->out);
	sift_recout_header(ro, &hdr);
	sift_recout_free(ro);
	ok = hdr.n == 0 || fwrite(hdr.p, 1, hdr.n, fp) == hdr.n;
	sift_obuf_release(&hdr);
	if (!ok)
		r.stop = true;

	if ((rc = pthread_create(&ptid, NULL, producer, &r)) != 0) {
		errno = rc;
		err(CLI_EXIT_TROUBLE, "pthread_create");
	}
	for (size_t k = 0; k < njobs; k++)
		if ((rc = pthread_create(&tids[k], NULL, worker, &r)) != 0) {
			errno = rc;
			err(CLI_EXIT_TROUBLE, "pthread_create");
		}
	if (ok)
		ok = writer(&r, fp);
	pthread_mutex_lock(&r.mu);
	if (!ok)
		r.stop = true;
	pthread_cond_broadcast(&r.cv_work);
	pthread_cond_broadcast(&r.cv_slot);
	pthread_mutex_unlock(&r.mu);
	pthread_join(ptid, NULL);
	for (size_t k = 0; k < njobs; k++)
		pthread_join(tids[k], NULL);

	if (r.trouble)
		trouble = true;
	for (size_t i = 0; i < RING; i++) {
		for (c = r.ring[i].head; c != NULL; c = r.ring[i].head) {
			r.ring[i].head = c->next;
			sift_obuf_release(&c->b);
			free(c);
		}
		sift_decoder_close(r.ring[i].dec);
		free(r.ring[i].buf);
	}
	if (o->verbose > 0)
		report_counts(&r);
	while ((c = r.free) != NULL) {
		r.free = c->next;
		sift_obuf_release(&c->b);
		free(c);
	}
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv_main);
	pthread_cond_destroy(&r.cv_work);
	pthread_cond_destroy(&r.cv_slot);
	for (size_t i = 0; i < r.ninputs; i++)
		free(r.inputs[i].path);
	free(r.inputs);
	sift_filter_free(o->filter);

	if (o->keep_going)
		trouble = false;
	/* On stdout, cli_output_close() reports it. */
	if (!ok && fp != stdout)
		warn("write error%s%s", o->out != NULL ? " on " : "",
		    o->out != NULL ? o->out : "");
	rc = cli_output_close(fp, ok && !trouble);
	if (!ok || trouble || rc != CLI_EXIT_OK)
		return CLI_EXIT_TROUBLE;
	return r.records > 0 ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
}
