/* SPDX-License-Identifier: ISC */
/*
 * eximparse: Exim logs to JSON Lines, TSV or CSV records. Worker threads
 * read, parse and format whole input files into chunks; the main thread
 * writes the chunks file by file in input order, so records keep the order
 * of the (rotation-sorted) inputs while several files are decoded at once.
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
#include "filter.h"
#include "obuf.h"
#include "parse.h"
#include "reader.h"
#include "stream.h"
#include "logset.h"
#include "recout.h"
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
#define MAX_QUEUED	8		/* chunks waiting behind the head */
#define MAX_MSGS	5		/* warnings kept per input */
#define MAX_JOBS	64
#define PART_SIZE	(4 * 1024 * 1024)	/* cut big plain files: the output
					   of one part fits the queue */

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

/* One input and what its worker found. */
struct slot {
	char		*path;
	bool		 owner;		/* frees path (first part) */
	/* A part of a big plain file (see split_inputs()). */
	bool		 part, lastpart;
	uint64_t	 off, end;	/* byte range, line aligned */
	uint64_t	 nlines;	/* lines in the range, once counted */
	bool		 counted;
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
	struct slot	*slots;
	size_t		 nslots;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv_main;	/* a chunk or a done flag arrived */
	pthread_cond_t	 cv_work;	/* room in the queue, or head moved */
	pthread_cond_t	 cv_count;	/* a part's lines were counted */
	size_t		 next;		/* next input to hand out */
	size_t		 head;		/* input being written */
	unsigned	 queued;	/* chunks queued for inputs past head */
	struct chunk	*free;
	bool		 stop;		/* write error: workers give up */
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

/* Hand a chunk of input i to the writer; waits while the queue is full. */
static void
chunk_put(struct run *r, size_t i, struct chunk *c, bool done)
{
	struct slot *s = &r->slots[i];

	pthread_mutex_lock(&r->mu);
	/*
	 * The input being written may queue MAX_QUEUED chunks of its own;
	 * the inputs after it share MAX_QUEUED more. So memory stays bounded
	 * when the output is slow, and the head can always go on.
	 */
	while (c != NULL && !r->stop && (i == r->head ?
	    s->nq >= MAX_QUEUED : r->queued >= MAX_QUEUED))
		pthread_cond_wait(&r->cv_work, &r->mu);
	if (c != NULL) {
		if (s->tail != NULL)
			s->tail->next = c;
		else
			s->head = c;
		s->tail = c;
		s->nq++;
		if (i != r->head)
			r->queued++;
	}
	if (done)
		s->done = true;
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

/* Newlines in p[0..n), eight bytes at a time. */
static uint64_t
count_nl(const char *p, size_t n)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	const uint64_t nls = 0x0a0a0a0a0a0a0a0aULL;
	uint64_t c = 0, w, y;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		w ^= nls;
		/* high bit set exactly in the bytes of w that are zero */
		y = ~(((w & lo7) + lo7) | w | lo7);
		/* one bit per byte: sum the bytes with a multiply */
		c += ((y >> 7) * 0x0101010101010101ULL) >> 56;
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/* Newlines in [off, end) of fd. */
static int
count_lines(int fd, uint64_t off, uint64_t end, uint64_t *nl)
{
	static const size_t bufsz = 256 * 1024;
	char *buf;
	ssize_t n;
	size_t want;

	*nl = 0;
	buf = sift_xmalloc(bufsz);
	while (off < end) {
		want = end - off < bufsz ? (size_t)(end - off) : bufsz;
		n = pread(fd, buf, want, (off_t)off);
		if (n <= 0) {
			free(buf);
			return -1;
		}
		*nl += count_nl(buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	return 0;
}

/*
 * A part of a split file: count its lines, publish the count, and wait
 * for the counts of the parts before it (taken earlier, counted first).
 * Returns the number of lines before the part, or -1 on a read error.
 */
static int
part_start(struct run *r, size_t i, uint64_t *before)
{
	struct slot *s = &r->slots[i];
	uint64_t nl = 0;
	size_t first;
	int fd, rc = 0;

	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || count_lines(fd, s->off, s->end, &nl) == -1)
		rc = -1;
	if (fd != -1)
		close(fd);
	pthread_mutex_lock(&r->mu);
	s->nlines = nl;
	s->counted = true;
	pthread_cond_broadcast(&r->cv_count);
	for (first = i; first > 0 && r->slots[first - 1].part &&
	    r->slots[first - 1].off < s->off; first--)
		continue;
	*before = 0;
	for (size_t k = first; k < i; k++) {
		while (!r->slots[k].counted)
			pthread_cond_wait(&r->cv_count, &r->mu);
		*before += r->slots[k].nlines;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

/*
 * Compressed, by the magic bytes the reader goes by (gzip, zstd, bzip2,
 * xz)? Standard input counts as such: it may be, and reading it ahead
 * pays either way.
 */
static bool
compressed(const char *path)
{
	unsigned char m[6];
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0)
		return true;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, m, sizeof(m));
	close(fd);
	return (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
	    (n >= 4 && memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0) ||
	    (n >= 3 && memcmp(m, "BZh", 3) == 0) ||
	    (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0);
}

/* Read, parse, filter and format one input, or one part of one. */
static void
do_input(struct run *r, size_t i, struct sift_recout *ro)
{
	const struct opts *o = r->o;
	struct slot *s = &r->slots[i];
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_stream_opts sopts;
	struct sift_stream *st;
	struct sift_recsrc src;
	struct sift_rec rec;
	struct chunk *c;
	bool filtering = sift_filter_active(o->filter);
	uint64_t before = 0, last = UINT64_MAX, lineno;
	char msg[sizeof(e.msg)];
	const char *path;
	int rc;

	if (s->part) {
		if (part_start(r, i, &before) == -1) {
			snprintf(msg, sizeof(msg), "%s: %s", s->path,
			    strerror(errno));
			slot_warn(s, msg);
			s->trouble = true;
			chunk_put(r, i, NULL, true);
			return;
		}
		/* the last part reads to the end, unfinished last line too */
		if (!s->lastpart)
			last = before + s->nlines;
	}
	memset(&sopts, 0, sizeof(sopts));
	sopts.parse = o->popts;
	sopts.no_sort = true;
	/* decompress in a thread of its own, ahead of the parsing */
	sopts.threads = !s->part && compressed(s->path) ? 2 : 1;
	path = s->path;
	if (sift_stream_open(&st, &path, 1, &sopts, &e) == -1) {
		slot_warn(s, e.msg);
		s->trouble = true;
		chunk_put(r, i, NULL, true);
		return;
	}
	if (s->part)
		sift_stream_set_start(st, s->off, before);
	src.file = strcmp(s->path, "-") == 0 ? "(stdin)" : s->path;
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
		if (lineno > last)
			break;		/* the next part's first line */
		s->lines = lineno - before;
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
			chunk_put(r, i, c, false);
			if (stopped(r)) {
				c = NULL;
				break;
			}
			c = chunk_get(r);
		}
	}
	if (o->verbose < 0 && s->longlines > 0) {
		snprintf(msg, sizeof(msg), "%s: %llu overlong lines skipped",
		    src.file, (unsigned long long)s->longlines);
		slot_warn(s, msg);
	}
	sift_stream_close(st);
	chunk_put(r, i, c, true);
}

static void *
worker(void *arg)
{
	struct run *r = arg;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_recout *ro;
	size_t i;

	ro = sift_recout_new(r->o->fmt, r->o->fields, &e);
	if (ro == NULL)
		abort();	/* checked in run_all() */
	for (;;) {
		pthread_mutex_lock(&r->mu);
		i = r->next;
		if (i < r->nslots && !r->stop)
			r->next++;
		else
			i = r->nslots;
		pthread_mutex_unlock(&r->mu);
		if (i >= r->nslots)
			break;
		do_input(r, i, ro);
	}
	sift_recout_free(ro);
	return NULL;
}

/* Write every input's chunks in order; returns false on a write error. */
static bool
writer(struct run *r, FILE *fp)
{
	struct slot *s;
	struct chunk *c, *n;
	bool ok = true, done;

	for (size_t i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
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
		for (unsigned k = 0; k < s->nmsgs; k++)
			warnx("%s", s->msgs[k]);
		if (s->dropped > 0)
			warnx("%s: %llu more warnings", s->path,
			    (unsigned long long)s->dropped);
		pthread_mutex_lock(&r->mu);
		r->head = i + 1;
		/* chunks of the new head no longer count against the queue */
		if (i + 1 < r->nslots)
			r->queued -= r->slots[i + 1].nq;
		if (!ok)
			r->stop = true;
		pthread_cond_broadcast(&r->cv_work);
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
	uint64_t ev[SIFT_EV__COUNT] = { 0 }, lines = 0, recs = 0, unp = 0;
	uint64_t longl = 0;
	size_t inputs = 0;

	for (size_t i = 0; i < r->nslots; i++) {
		if (r->slots[i].owner)
			inputs++;
		lines += r->slots[i].lines;
		recs += r->slots[i].records;
		unp += r->slots[i].unparsed;
		longl += r->slots[i].longlines;
		for (int k = 0; k < SIFT_EV__COUNT; k++)
			ev[k] += r->slots[i].events[k];
	}
	fprintf(stderr, "eximparse: %zu input%s, %llu lines, %llu records "
	    "written\n", inputs, inputs == 1 ? "" : "s",
	    (unsigned long long)lines,
	    (unsigned long long)recs);
	for (int k = 0; k < SIFT_EV__COUNT; k++)
		if (ev[k] > 0)
			fprintf(stderr, "eximparse: %12llu %s\n",
			    (unsigned long long)ev[k],
			    sift_event_name((enum sift_event)k));
	if (unp > 0)
		fprintf(stderr, "eximparse: %12llu lines without an Exim "
		    "prefix\n", (unsigned long long)unp);
	if (longl > 0)
		fprintf(stderr, "eximparse: %12llu overlong lines skipped\n",
		    (unsigned long long)longl);
}

/* Does p[0..n) start with Exim's own "YYYY-MM-DD HH:MM:SS"? */
static bool
exim_stamp(const char *p, size_t n)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd";

	if (n < sizeof(pat) - 1)
		return false;
	for (size_t i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != pat[i])
			return false;
	return true;
}

/*
 * Line-aligned cut points of a big plain Exim log, so that several
 * workers parse one file: each cut is at the start of a line that begins
 * with Exim's own time stamp (never inside a multi-line entry or a syslog
 * file). Returns the number of parts (1: do not split).
 */
static size_t
cut_file(const char *path, uint64_t part, uint64_t **cuts)
{
	char buf[64 * 1024];
	struct stat st;
	uint64_t *c = NULL, prev = 0, at;
	size_t nc = 0, len;
	ssize_t n;
	char *p;
	int fd;

	*cuts = NULL;
	if (strcmp(path, "-") == 0 || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode) || (uint64_t)st.st_size < 2 * part)
		return 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 1;
	/* plain text in Exim's own format only (not compressed, not syslog) */
	n = pread(fd, buf, 64, 0);
	if (n < 20 || !exim_stamp(buf, (size_t)n)) {
		close(fd);
		return 1;
	}
	c = sift_xreallocarray(NULL, (size_t)((uint64_t)st.st_size / part + 2),
	    sizeof(*c));
	c[nc++] = 0;
	for (at = part; at + part / 2 < (uint64_t)st.st_size; at += part) {
		if (at <= prev)
			continue;
		n = pread(fd, buf, sizeof(buf), (off_t)(at - 1));
		if (n <= 0)
			break;
		len = (size_t)n;
		for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) !=
		    NULL; p++) {
			if (exim_stamp(p + 1, len - (size_t)(p + 1 - buf))) {
				prev = at - 1 + (uint64_t)(p + 1 - buf);
				c[nc++] = prev;
				break;
			}
		}
	}
	close(fd);
	c[nc] = (uint64_t)st.st_size;
	*cuts = c;
	return nc;
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
 * expanded), big plain files cut in parts when several jobs run.
 */
static struct slot *
make_slots(int argc, char **argv, size_t njobs, size_t *nslots,
    bool *trouble)
{
	struct sift_logset_opts lo;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_logset *ls;
	struct slot *slots = NULL;
	const char *env;
	uint64_t part = PART_SIZE, *cuts;
	size_t n = 0, nf, k;
	char *path;

	if ((env = getenv("EXIMPARSE_PART_SIZE")) != NULL)
		part = (uint64_t)cli_number(env, 4096, INT64_MAX,
		    "EXIMPARSE_PART_SIZE");
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
	for (size_t i = 0; i < nf; i++) {
		path = sift_xstrdup(sift_logset_path(ls, i));
		cuts = NULL;
		k = njobs > 1 ? cut_file(path, part, &cuts) : 1;
		slots = sift_xreallocarray(slots, n + k, sizeof(*slots));
		memset(slots + n, 0, k * sizeof(*slots));
		for (size_t j = 0; j < k; j++) {
			slots[n + j].path = path;
			if (k > 1) {
				slots[n + j].part = true;
				slots[n + j].off = cuts[j];
				slots[n + j].end = cuts[j + 1];
				slots[n + j].lastpart = j + 1 == k;
			}
		}
		slots[n].owner = true;
		free(cuts);
		n += k;
	}
	sift_logset_free(ls);
	*nslots = n;
	return slots;
}

static int
run_all(struct opts *o, int argc, char **argv)
{
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_recout *ro;
	struct sift_obuf hdr = SIFT_OBUF_INIT;
	pthread_t tids[MAX_JOBS];
	struct run r;
	struct chunk *c;
	size_t npaths, njobs;
	int64_t now;
	bool ok, trouble = false;
	uint64_t records = 0;
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
	r.slots = make_slots(argc, argv, njobs, &r.nslots, &trouble);
	npaths = r.nslots;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv_main, NULL);
	pthread_cond_init(&r.cv_work, NULL);
	pthread_cond_init(&r.cv_count, NULL);

	fp = cli_output_open(o->out);
	sift_recout_header(ro, &hdr);
	sift_recout_free(ro);
	ok = hdr.n == 0 || fwrite(hdr.p, 1, hdr.n, fp) == hdr.n;
	sift_obuf_release(&hdr);

	if (njobs > npaths)
		njobs = npaths;
	for (size_t k = 0; k < njobs; k++)
		if ((rc = pthread_create(&tids[k], NULL, worker, &r)) != 0) {
			errno = rc;
			err(CLI_EXIT_TROUBLE, "pthread_create");
		}
	if (ok)
		ok = writer(&r, fp);
	else {
		pthread_mutex_lock(&r.mu);
		r.stop = true;
		pthread_cond_broadcast(&r.cv_work);
		pthread_mutex_unlock(&r.mu);
	}
	for (size_t k = 0; k < njobs; k++)
		pthread_join(tids[k], NULL);

	for (size_t i = 0; i < npaths; i++) {
		if (r.slots[i].trouble || r.slots[i].longlines > 0)
			trouble = true;
		records += r.slots[i].records;
		for (c = r.slots[i].head; c != NULL; c = r.slots[i].head) {
			r.slots[i].head = c->next;
			sift_obuf_release(&c->b);
			free(c);
		}
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
	pthread_cond_destroy(&r.cv_count);
	for (size_t i = 0; i < npaths; i++)
		if (r.slots[i].owner)
			free(r.slots[i].path);
	free(r.slots);
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
	return records > 0 ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
}
