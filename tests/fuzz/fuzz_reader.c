/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the line reader. The input is a file, compressed or not, read from a
 * memfd and (when small) from a pipe, with the default and a tiny line limit:
 * whatever the bytes, the reader must end cleanly or with an error, never
 * deliver a line longer than the limit or containing '\n'. When the reader
 * takes the input as plain text, its lines must be exactly the input's, cut
 * as documented. The input is then compressed with every codec built in and
 * read back: each decompressor must give the same lines as the plain text.
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>
#ifdef HAVE_BZ2
#include <bzlib.h>
#endif
#ifdef HAVE_LZMA
#include <lzma.h>
#endif

#include "reader.h"
#include "sift.h"
#include "fuzz.h"
#include "banned.h"

#define SMALL_LINE	16
/* A few hundred bytes of bzip2 can decode to millions of lines: stop. */
#define MAX_LINES	100000
#define MAX_BYTES	(16u << 20)

/* What one read gave: the lines, concatenated, with lengths and flags. */
struct result {
	char		*bytes;
	size_t		 nbytes, cap;
	size_t		*len;
	bool		*trunc;
	size_t		 nlines, lcap;
	int		 rc;		/* 0 clean end, -1 error */
	bool		 cut;		/* stopped at MAX_LINES/MAX_BYTES */
	const char	*codec;
};

static void
result_free(struct result *r)
{
	free(r->bytes);
	free(r->len);
	free(r->trunc);
	memset(r, 0, sizeof(*r));
}

static void
result_add(struct result *r, struct sift_str line, bool trunc)
{
	if (r->nbytes + line.n > r->cap) {
		r->cap = (r->nbytes + line.n) * 2 + 64;
		if ((r->bytes = realloc(r->bytes, r->cap)) == NULL)
			abort();
	}
	if (r->nlines == r->lcap) {
		r->lcap = r->lcap * 2 + 16;
		r->len = realloc(r->len, r->lcap * sizeof(*r->len));
		r->trunc = realloc(r->trunc, r->lcap * sizeof(*r->trunc));
		if (r->len == NULL || r->trunc == NULL)
			abort();
	}
	if (line.n > 0)
		memcpy(r->bytes + r->nbytes, line.p, line.n);
	r->nbytes += line.n;
	r->len[r->nlines] = line.n;
	r->trunc[r->nlines] = trunc;
	r->nlines++;
}

static int
memfd_with(const void *data, size_t size)
{
	int fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* A pipe already holding the data and closed for writing; -1 if too big. */
static int
pipe_with(const void *data, size_t size)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		abort();
	if (size > 0 && (size > 65536 ||
	    (size_t)fcntl(p[1], F_GETPIPE_SZ) < size ||
	    write(p[1], data, size) != (ssize_t)size)) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	return p[0];
}

static void
read_fd(int fd, size_t max_line, struct result *res)
{
	struct sift_reader_opts o = { .max_line = max_line };
	struct sift_reader *r;
	struct sift_err e = SIFT_ERR_INIT;
	struct sift_str line;
	uint64_t last = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (sift_reader_fdopen(&r, fd, "fuzz", &o, &e) == -1) {
		close(fd);
		res->rc = -1;
		return;
	}
	while ((rc = sift_reader_next(r, &line, &e)) == 1) {
		FUZZ_CHECK(line.p != NULL || line.n == 0);
		FUZZ_CHECK(line.n <= max_line);
		FUZZ_CHECK(line.n == 0 || memchr(line.p, '\n', line.n) == NULL);
		FUZZ_CHECK(sift_reader_lineno(r) == last + 1);
		last = sift_reader_lineno(r);
		if (res->nlines >= MAX_LINES || res->nbytes >= MAX_BYTES) {
			res->cut = true;
			break;
		}
		result_add(res, line, sift_reader_truncated(r));
	}
	if (res->cut) {
		res->rc = 0;
		res->codec = sift_reader_codec(r);
		sift_reader_close(r);
		return;
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_CHECK(e.code != SIFT_E_OK && e.msg[0] != '\0');
		FUZZ_CHECK(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
		/* After an error the reader only says "end". */
		FUZZ_CHECK(sift_reader_next(r, &line, &e) == 0);
	}
	res->rc = rc;
	res->codec = sift_reader_codec(r);
	FUZZ_CHECK(res->codec != NULL);
	sift_reader_close(r);
}

/* The documented cut of plain text into lines. */
static void
expect_plain(const uint8_t *data, size_t size, size_t max_line,
    struct result *res)
{
	const uint8_t *p = data, *end = data + size, *nl;
	struct sift_str s;
	size_t n;
	bool trunc;

	memset(res, 0, sizeof(*res));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		trunc = n > max_line;
		s.p = (const char *)p;
		s.n = trunc ? max_line : n;
		if (s.n > 0 && s.p[s.n - 1] == '\r')
			s.n--;
		result_add(res, s, trunc);
		p += n + (nl != NULL);
	}
	res->codec = "plain";
}

static void
same_lines(const struct result *got, const struct result *want,
    size_t max_line)
{
	size_t i;

	FUZZ_CHECK(got->rc == 0);
	FUZZ_CHECK(got->nlines == want->nlines);
	FUZZ_CHECK(got->nbytes == want->nbytes);
	FUZZ_CHECK(got->nbytes == 0 ||
	    memcmp(got->bytes, want->bytes, got->nbytes) == 0);
	for (i = 0; i < got->nlines; i++) {
		FUZZ_CHECK(got->len[i] == want->len[i]);
		/*
		 * A line of exactly max_line bytes may be flagged cut when the
		 * buffer ends with it and its '\n' is not read yet.
		 */
		FUZZ_CHECK(got->trunc[i] == want->trunc[i] ||
		    (got->trunc[i] && want->len[i] >= max_line - 1));
	}
}

static void
check_one(const uint8_t *data, size_t size, size_t max_line)
{
	struct result mem, pip, want;
	int fd;

	read_fd(memfd_with(data, size), max_line, &mem);
	if ((fd = pipe_with(data, size)) != -1) {
		read_fd(fd, max_line, &pip);
		if (pip.cut || mem.cut)
			goto done;
		/* stdin or a file: the same verdict, the same lines. */
		FUZZ_CHECK(pip.rc == mem.rc);
		FUZZ_CHECK(strcmp(pip.codec, mem.codec) == 0);
		FUZZ_CHECK(pip.nlines == mem.nlines);
		FUZZ_CHECK(pip.nbytes == mem.nbytes);
		FUZZ_CHECK(pip.nbytes == 0 ||
		    memcmp(pip.bytes, mem.bytes, pip.nbytes) == 0);
done:
		result_free(&pip);
	}
	if (strcmp(mem.codec, "plain") == 0 && !mem.cut) {
		expect_plain(data, size, max_line, &want);
		same_lines(&mem, &want, max_line);
		result_free(&want);
	}
	result_free(&mem);
}

/* Compress data with one codec into a fresh buffer; 0 on success. */
static int
gzip_buf(const uint8_t *data, size_t size, uint8_t **out, size_t *outlen)
{
	z_stream z;
	size_t cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	cap = deflateBound(&z, (uLong)size) + 32;
	if ((*out = malloc(cap)) == NULL)
		abort();
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)size;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(*out);
		return -1;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return 0;
}

static int
zstd_buf(const uint8_t *data, size_t size, uint8_t **out, size_t *outlen)
{
	size_t cap = ZSTD_compressBound(size), n;

	if ((*out = malloc(cap)) == NULL)
		abort();
	n = ZSTD_compress(*out, cap, data, size, 1);
	if (ZSTD_isError(n)) {
		free(*out);
		return -1;
	}
	*outlen = n;
	return 0;
}

#ifdef HAVE_BZ2
static int
bzip2_buf(const uint8_t *data, size_t size, uint8_t **out, size_t *outlen)
{
	unsigned cap = (unsigned)(size + size / 100 + 600);

	if ((*out = malloc(cap)) == NULL)
		abort();
	if (BZ2_bzBuffToBuffCompress((char *)*out, &cap,
	    (char *)(uintptr_t)data, (unsigned)size, 1, 0, 0) != BZ_OK) {
		free(*out);
		return -1;
	}
	*outlen = cap;
	return 0;
}
#endif

#ifdef HAVE_LZMA
static int
xz_buf(const uint8_t *data, size_t size, uint8_t **out, size_t *outlen)
{
	size_t cap = lzma_stream_buffer_bound(size), pos = 0;

	if ((*out = malloc(cap)) == NULL)
		abort();
	if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, NULL, data, size,
	    *out, &pos, cap) != LZMA_OK) {
		free(*out);
		return -1;
	}
	*outlen = pos;
	return 0;
}
#endif

struct codec {
	const char	*name;
	int		(*compress)(const uint8_t *, size_t, uint8_t **,
			    size_t *);
};

static const struct codec codecs[] = {
	{ "gzip", gzip_buf },
	{ "zstd", zstd_buf },
#ifdef HAVE_BZ2
	{ "bzip2", bzip2_buf },
#endif
#ifdef HAVE_LZMA
	{ "xz", xz_buf },
#endif
};

static void
check_codecs(const uint8_t *data, size_t size)
{
	struct result want, want2, got;
	uint8_t *z, *two, *data2;
	size_t zn, i;

	expect_plain(data, size, SIFT_READER_MAX_LINE, &want);
	if ((data2 = malloc(size * 2 + 1)) == NULL)
		abort();
	if (size > 0) {
		memcpy(data2, data, size);
		memcpy(data2 + size, data, size);
	}
	expect_plain(data2, size * 2, SIFT_READER_MAX_LINE, &want2);
	for (i = 0; i < SIFT_ARRAY_SIZE(codecs); i++) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
		/* libFuzzer: one codec per input, chosen by the input, for speed. */
		if (size > 0 && i != data[size - 1] % SIFT_ARRAY_SIZE(codecs))
			continue;
#endif
		if (codecs[i].compress(data, size, &z, &zn) != 0)
			abort();
		read_fd(memfd_with(z, zn), SIFT_READER_MAX_LINE, &got);
		/* A codec the reader does not know yet reads as plain. */
		if (strcmp(got.codec, "plain") != 0) {
			FUZZ_CHECK(strcmp(got.codec, codecs[i].name) == 0);
			same_lines(&got, &want, SIFT_READER_MAX_LINE);
		}
		result_free(&got);

		/* Truncated streams: an error or a prefix, never a crash. */
		if (zn > 1) {
			read_fd(memfd_with(z, zn / 2), SIFT_READER_MAX_LINE,
			    &got);
			result_free(&got);
		}
		/* gzip and zstd concatenate members/frames. */
		if (i < 2 && (two = malloc(zn * 2)) != NULL) {
			memcpy(two, z, zn);
			memcpy(two + zn, z, zn);
			read_fd(memfd_with(two, zn * 2), SIFT_READER_MAX_LINE,
			    &got);
			if (strcmp(got.codec, "plain") != 0)
				same_lines(&got, &want2, SIFT_READER_MAX_LINE);
			result_free(&got);
			free(two);
		}
		free(z);
	}
	result_free(&want);
	result_free(&want2);
	free(data2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result plain;

	check_one(data, size, SIFT_READER_MAX_LINE);
	check_one(data, size, SMALL_LINE);
	/* Round trips only for inputs the reader reads as plain text. */
	read_fd(memfd_with(data, size), SIFT_READER_MAX_LINE, &plain);
	if (strcmp(plain.codec, "plain") == 0 && size <= 65536)
		check_codecs(data, size);
	result_free(&plain);
	return 0;
}
