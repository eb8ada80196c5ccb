/* SPDX-License-Identifier: ISC */
/* Shared macros for libsift; no functions, no state. */
#ifndef SIFT_SIFT_H
#define SIFT_SIFT_H

#define SIFT_VERSION		"0.1.0"

#define SIFT_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define SIFT_NORETURN		__attribute__((noreturn))
#define SIFT_NODISCARD		__attribute__((warn_unused_result))
#define SIFT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SIFT_UNUSED		__attribute__((unused))

#endif
