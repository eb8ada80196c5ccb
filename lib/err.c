/* SPDX-License-Identifier: ISC */
/* Error reports: formatting into a caller-owned struct sift_err. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

int
sift_err_set(struct sift_err *err, int code, int sys, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->sys = sys;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void
append(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t k = strlen(s);

	if (k > cap - 1 - *n)
		k = cap - 1 - *n;
	memcpy(buf + *n, s, k);
	*n += k;
	buf[*n] = '\0';
}

int
sift_err_sys(struct sift_err *err, int code, int sys, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (err == NULL)
		return -1;
	err->code = code;
	err->sys = sys;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	append(err->msg, sizeof(err->msg), &n, ": ");
	append(err->msg, sizeof(err->msg), &n, strerror(sys));
	return -1;
}

void
sift_err_clear(struct sift_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->sys = 0;
	err->msg[0] = '\0';
}
