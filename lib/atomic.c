/* SPDX-License-Identifier: ISC */
/* Atomic replacement of output files: temp file, fsync, rename. */
#include "atomic.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"
#include "banned.h"

struct sift_atomic {
	FILE	*fp;
	char	*path;
	char	*tmp;
	char	*dir;
};

int
sift_atomic_open(struct sift_atomic **ap, const char *path,
    struct sift_err *err)
{
	struct sift_atomic *a;
	struct stat st;
	char *d, *b, *dcopy, *bcopy;
	size_t n;
	mode_t mode = 0644, um;
	int fd;

	*ap = NULL;
	a = sift_xcalloc(1, sizeof(*a));
	a->path = sift_xstrdup(path);
	dcopy = sift_xstrdup(path);
	bcopy = sift_xstrdup(path);
	d = dirname(dcopy);
	b = basename(bcopy);
	a->dir = sift_xstrdup(d);
	n = strlen(d) + strlen(b) + 16;
	a->tmp = sift_xmalloc(n);
	snprintf(a->tmp, n, "%s/.%s.XXXXXX", d, b);
	free(dcopy);
	free(bcopy);
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			sift_err_set(err, SIFT_E_IO, 0, "%s: not a regular file",
			    path);
			goto fail;
		}
		mode = st.st_mode & 07777;
	} else {
		um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if ((fd = mkstemp(a->tmp)) == -1) {
		sift_err_sys(err, SIFT_E_IO, errno, "%s", a->tmp);
		goto fail;
	}
	if (fchmod(fd, mode) == -1 || (a->fp = fdopen(fd, "w")) == NULL) {
		sift_err_sys(err, SIFT_E_IO, errno, "%s", a->tmp);
		close(fd);
		unlink(a->tmp);
		goto fail;
	}
	*ap = a;
	return 0;
fail:
	free(a->path);
	free(a->tmp);
	free(a->dir);
	free(a);
	return -1;
}

FILE *
sift_atomic_file(struct sift_atomic *a)
{
	return a->fp;
}

const char *
sift_atomic_tmpname(const struct sift_atomic *a)
{
	return a->tmp;
}

static void
atomic_free(struct sift_atomic *a)
{
	free(a->path);
	free(a->tmp);
	free(a->dir);
	free(a);
}

int
sift_atomic_commit(struct sift_atomic *a, struct sift_err *err)
{
	int rc = 0, dfd, e = 0;

	if (fflush(a->fp) == EOF || ferror(a->fp))
		e = errno != 0 ? errno : EIO;
	else if (fsync(fileno(a->fp)) == -1)
		e = errno;
	if (fclose(a->fp) == EOF && e == 0)
		e = errno;
	a->fp = NULL;
	if (e != 0) {
		rc = sift_err_sys(err, SIFT_E_IO, e, "%s", a->path);
		unlink(a->tmp);
	} else if (rename(a->tmp, a->path) == -1) {
		rc = sift_err_sys(err, SIFT_E_IO, errno, "%s", a->path);
		unlink(a->tmp);
	} else if ((dfd = open(a->dir, O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	atomic_free(a);
	return rc;
}

void
sift_atomic_abort(struct sift_atomic *a)
{
	if (a == NULL)
		return;
	if (a->fp != NULL)
		fclose(a->fp);
	unlink(a->tmp);
	atomic_free(a);
}
