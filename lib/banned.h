/* SPDX-License-Identifier: ISC */
/*
 * Functions we never call. Include this header last in every .c file: its
 * function-like macros would break libc's own declarations otherwise.
 */
#ifndef SIFT_BANNED_H
#define SIFT_BANNED_H

#define SIFT_BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) SIFT_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SIFT_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SIFT_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) SIFT_BANNED(strncat)
#undef sprintf
#define sprintf(...) SIFT_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SIFT_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) SIFT_BANNED(strtok)
#undef gets
#define gets(x) SIFT_BANNED(gets)
#undef atoi
#define atoi(x) SIFT_BANNED(atoi)
#undef atol
#define atol(x) SIFT_BANNED(atol)
#undef gmtime
#define gmtime(x) SIFT_BANNED(gmtime)
#undef localtime
#define localtime(x) SIFT_BANNED(localtime)
#undef ctime
#define ctime(x) SIFT_BANNED(ctime)
#undef asctime
#define asctime(x) SIFT_BANNED(asctime)
#undef mktemp
#define mktemp(x) SIFT_BANNED(mktemp)

#endif
