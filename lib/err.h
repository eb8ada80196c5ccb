/* SPDX-License-Identifier: ISC */
/*
 * Error reports from library calls. A struct sift_err is owned by the caller;
 * a failing call fills it in and returns -1 (or NULL). A NULL err pointer is
 * accepted everywhere and means "do not report".
 */
#ifndef SIFT_ERR_H
#define SIFT_ERR_H

#include "sift.h"

enum sift_errcode {
	SIFT_E_OK = 0,
	SIFT_E_IO,		/* open/read/write failed; sys holds errno */
	SIFT_E_FORMAT,		/* malformed input (file:line in msg) */
	SIFT_E_CODEC,		/* corrupt or truncated compressed stream */
	SIFT_E_REGEX,		/* bad regular expression */
	SIFT_E_LIMIT,		/* a documented limit was exceeded */
	SIFT_E_UNSUPPORTED,	/* feature not built in */
	SIFT_E_USAGE,		/* bad argument from the caller */
	SIFT_E_NOTFOUND		/* named thing does not exist */
};

struct sift_err {
	int	code;		/* enum sift_errcode */
	int	sys;		/* saved errno, or 0 */
	char	msg[256];	/* "file:line: what", no program name */
};

#define SIFT_ERR_INIT { 0, 0, { 0 } }

/* Fill in err (if not NULL) and return -1. */
int	sift_err_set(struct sift_err *err, int code, int sys,
	    const char *fmt, ...) SIFT_PRINTF(4, 5);
/* As sift_err_set, with ": strerror(sys)" appended. */
int	sift_err_sys(struct sift_err *err, int code, int sys,
	    const char *fmt, ...) SIFT_PRINTF(4, 5);
void	sift_err_clear(struct sift_err *err);

#endif
