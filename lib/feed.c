/* SPDX-License-Identifier: ISC */
/* Decoding worker thread and its bounded chunk ring (see feed.h). */
#include "feed.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "xalloc.h"
#include "banned.h"

#define CHUNKSZ		(1024 * 1024)
#define NCHUNKS		6

struct chunk {
	char		*mem;		/* headroom + CHUNKSZ */
	size_t		 len;		/* after the headroom */
	unsigned	 file;
	bool		 end;		/* end-of-file marker */
	struct sift_err	 err;		/* with end: how it ended */
};

struct ffile {
	struct sift_decoder *dec;	/* given, or NULL */
	char		*path;
	char		*name;
	uint64_t	 skip;
	const char	*codec;
	struct stat	 st;
	int		 st_ok;		/* 0 unknown, 1 ok, -1 bad */
	bool		 ended;		/* end marker taken */
};

struct sift_feed {
	pthread_t	 thread;
	bool		 started;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct chunk	 ring[NCHUNKS];
	/* ready chunks: a FIFO of indices into ring */
	unsigned	 fifo[NCHUNKS];
	unsigned	 fhead, fcount;
	/* free chunks: a stack of indices */
	unsigned	 freel[NCHUNKS];
	unsigned	 nfree;
	int		 held;		/* consumer's chunk or -1 */
	bool		 stop;
	size_t		 headroom;
	struct ffile	*files;
	size_t		 nfiles;
};

/* Worker: take a free chunk; NULL when told to stop. */
static struct chunk *
get_free(struct sift_feed *f)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&f->mu);
	while (f->nfree == 0 && !f->stop)
		pthread_cond_wait(&f->cv, &f->mu);
	if (!f->stop)
		c = &f->ring[f->freel[--f->nfree]];
	pthread_mutex_unlock(&f->mu);
	/* chunk memory on first use: a small file needs one or two */
	if (c != NULL && c->mem == NULL)
		c->mem = sift_xmalloc(f->headroom + CHUNKSZ);
	return c;
}

static void
put_ready(struct sift_feed *f, struct chunk *c)
{
	pthread_mutex_lock(&f->mu);
	f->fifo[(f->fhead + f->fcount++) % NCHUNKS] = (unsigned)(c - f->ring);
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* Decode one file into chunks; false when told to stop. */
static bool
work_file(struct sift_feed *f, unsigned idx)
{
	struct ffile *ff = &f->files[idx];
	struct sift_decoder *d = NULL;
	struct sift_err e = SIFT_ERR_INIT;
	struct chunk *c;
	struct stat st;
	long n;
	int fd;
	bool eof = false;

	if (ff->dec != NULL) {
		/* opened (and its magic peeked) by the caller */
		d = ff->dec;
		ff->dec = NULL;
		fd = sift_decoder_fd(d);
	} else if (strcmp(ff->path, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(ff->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		sift_err_set(&e, SIFT_E_IO, errno, "%s", strerror(errno));
		if (d == NULL && fd != -1)
			close(fd);
		fd = -1;
	} else if (S_ISDIR(st.st_mode)) {
		sift_err_set(&e, SIFT_E_IO, EISDIR, "%s", strerror(EISDIR));
		if (d == NULL)
			close(fd);
		fd = -1;
	}
	pthread_mutex_lock(&f->mu);
	if (fd != -1) {
		ff->st = st;
		ff->st_ok = 1;
	} else
		ff->st_ok = -1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (fd == -1) {
		sift_decoder_close(d);
		d = NULL;
	} else if (d == NULL && sift_decoder_open(&d, fd, &e) == -1)
		d = NULL;
	if (d != NULL) {
		if (sift_decoder_codec(d) != NULL) {
			pthread_mutex_lock(&f->mu);
			ff->codec = sift_decoder_codec(d)->name;
			pthread_mutex_unlock(&f->mu);
		}
		if (ff->skip > 0 && sift_decoder_skip(d, ff->skip, &e) == -1)
			eof = true;
		while (!eof) {
			if ((c = get_free(f)) == NULL) {
				sift_decoder_close(d);
				return false;
			}
			c->file = idx;
			c->end = false;
			c->len = 0;
			while (c->len < CHUNKSZ) {
				n = sift_decoder_read(d,
				    c->mem + f->headroom + c->len,
				    CHUNKSZ - c->len, &e);
				if (n <= 0) {
					eof = true;
					break;
				}
				c->len += (size_t)n;
			}
			if (c->len > 0)
				put_ready(f, c);
			else {
				pthread_mutex_lock(&f->mu);
				f->freel[f->nfree++] = (unsigned)(c - f->ring);
				pthread_mutex_unlock(&f->mu);
			}
		}
		sift_decoder_close(d);
	}
	if ((c = get_free(f)) == NULL)
		return false;
	c->file = idx;
	c->end = true;
	c->len = 0;
	c->err = e;
	put_ready(f, c);
	return true;
}

static void *
worker(void *arg)
{
	struct sift_feed *f = arg;

	for (size_t i = 0; i < f->nfiles; i++)
		if (!work_file(f, (unsigned)i))
			break;
	return NULL;
}

struct sift_feed *
sift_feed_new(const struct sift_feed_file *files, size_t n, size_t headroom,
    struct sift_err *err)
{
	struct sift_feed *f;
	int rc;

	f = sift_xcalloc(1, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->headroom = headroom;
	f->held = -1;
	f->nfiles = n;
	f->files = sift_xcalloc(n > 0 ? n : 1, sizeof(*f->files));
	for (size_t i = 0; i < n; i++) {
		f->files[i].path = sift_xstrdup(files[i].path);
		f->files[i].name = sift_xstrdup(files[i].name);
		f->files[i].skip = files[i].skip;
		f->files[i].dec = files[i].dec;
		if (files[i].dec != NULL && sift_decoder_codec(files[i].dec)
		    != NULL)
			f->files[i].codec =
			    sift_decoder_codec(files[i].dec)->name;
		f->files[i].codec = "plain";
	}
	/* the stack pops from the end: chunk 0 first */
	for (unsigned i = NCHUNKS; i-- > 0;)
		f->freel[f->nfree++] = i;
	if ((rc = pthread_create(&f->thread, NULL, worker, f)) != 0) {
		sift_err_sys(err, SIFT_E_IO, rc, "cannot start a thread");
		sift_feed_free(f);
		return NULL;
	}
	f->started = true;
	return f;
}

/* Consumer: the chunk at the head of the FIFO (waits for one). */
static struct chunk *
peek_ready(struct sift_feed *f)
{
	while (f->fcount == 0)
		pthread_cond_wait(&f->cv, &f->mu);
	return &f->ring[f->fifo[f->fhead]];
}

static void
pop_ready(struct sift_feed *f)
{
	f->fhead = (f->fhead + 1) % NCHUNKS;
	f->fcount--;
}

static void
release(struct sift_feed *f, unsigned i)
{
	f->freel[f->nfree++] = i;
	pthread_cond_broadcast(&f->cv);
}

int
sift_feed_next(struct sift_feed *f, unsigned idx, char **buf, size_t *start,
    size_t *end, size_t *cap, struct sift_err *err)
{
	struct chunk *c;
	size_t tail = *end - *start;

	sift_err_clear(err);
	pthread_mutex_lock(&f->mu);
	if (f->files[idx].ended) {
		pthread_mutex_unlock(&f->mu);
		return 0;
	}
	c = peek_ready(f);
	if (c->file != idx || c->end) {
		/* end of file idx; keep the consumer's buffer */
		if (c->file == idx) {
			if (err != NULL)
				*err = c->err;
			f->files[idx].ended = true;
			pop_ready(f);
			release(f, (unsigned)(c - f->ring));
		}
		pthread_mutex_unlock(&f->mu);
		return 0;
	}
	pop_ready(f);
	pthread_mutex_unlock(&f->mu);
	/* the unfinished line goes in front of the new data */
	if (tail > f->headroom)
		tail = f->headroom;
	if (tail > 0)
		memcpy(c->mem + f->headroom - tail, *buf + *end - tail, tail);
	*buf = c->mem;
	*start = f->headroom - tail;
	*end = f->headroom + c->len;
	*cap = f->headroom + CHUNKSZ;
	pthread_mutex_lock(&f->mu);
	if (f->held >= 0)
		release(f, (unsigned)f->held);
	f->held = (int)(c - f->ring);
	pthread_mutex_unlock(&f->mu);
	return 1;
}

const char *
sift_feed_codec(struct sift_feed *f, unsigned idx)
{
	const char *s;

	pthread_mutex_lock(&f->mu);
	s = f->files[idx].codec;
	pthread_mutex_unlock(&f->mu);
	return s;
}

int
sift_feed_fstat(struct sift_feed *f, unsigned idx, struct stat *st)
{
	int ok;

	pthread_mutex_lock(&f->mu);
	while (f->files[idx].st_ok == 0)
		pthread_cond_wait(&f->cv, &f->mu);
	ok = f->files[idx].st_ok;
	if (ok == 1)
		*st = f->files[idx].st;
	pthread_mutex_unlock(&f->mu);
	if (ok != 1) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

void
sift_feed_done(struct sift_feed *f, unsigned idx)
{
	struct chunk *c;
	bool fin = false;

	pthread_mutex_lock(&f->mu);
	if (f->held >= 0) {
		release(f, (unsigned)f->held);
		f->held = -1;
	}
	/* drain what is left of file idx, up to and with its end marker */
	fin = f->files[idx].ended;
	while (!fin && !f->stop) {
		c = peek_ready(f);
		if (c->file != idx)
			break;
		fin = c->end;
		f->files[idx].ended = fin;
		pop_ready(f);
		release(f, (unsigned)(c - f->ring));
	}
	pthread_mutex_unlock(&f->mu);
}

void
sift_feed_stop(struct sift_feed *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void
sift_feed_free(struct sift_feed *f)
{
	if (f == NULL)
		return;
	if (f->started) {
		sift_feed_stop(f);
		pthread_join(f->thread, NULL);
	}
	for (unsigned i = 0; i < NCHUNKS; i++)
		free(f->ring[i].mem);
	for (size_t i = 0; i < f->nfiles; i++) {
		sift_decoder_close(f->files[i].dec);
		free(f->files[i].path);
		free(f->files[i].name);
	}
	free(f->files);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}
