/* SPDX-License-Identifier: ISC */
/*
 * fail2ban's INI dialect (Python configparser plus fail2ban's extensions):
 * case-sensitive sections, lower-cased option names, indented continuation
 * lines, '#'/';' full-line comments (also inside continuations), ';' inline
 * comments after whitespace, [DEFAULT] visible everywhere, %(name)s
 * interpolation with section/name, default/name, known/name and __name__.
 * A struct sift_ini owns every string in it; sift_ini_release() frees them.
 * Strings returned by sift_ini_get() belong to the caller (free(3)).
 */
#ifndef SIFT_INI_H
#define SIFT_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "sift.h"

struct sift_ini_opt {
	char		*name;		/* lower case */
	char		*val;		/* continuation lines joined by "\n" */
	const char	*file;		/* where it was set (for messages) */
	unsigned	 line;
};

struct sift_ini_sec {
	char			*name;
	struct sift_ini_opt	*opt;
	size_t			 nopt, cap;
};

struct sift_ini {
	struct sift_ini_sec	 def;	/* [DEFAULT] */
	struct sift_ini_sec	*sec;
	size_t			 nsec, cap;
	char			**files;	/* names used in messages */
	size_t			 nfiles;
	/*
	 * Remarks made while parsing ("file:line: warning: ..."), such as
	 * a regex line starting with ';' (a comment, silently dropped by
	 * fail2ban).
	 */
	char			**notes;
	size_t			 nnotes;
};

#define SIFT_INI_MAXDEPTH	10	/* configparser's interpolation depth */
#define SIFT_INI_MAXVALUE	(1024 * 1024)	/* an interpolated value */

void	 sift_ini_init(struct sift_ini *ini);
void	 sift_ini_release(struct sift_ini *ini);
/*
 * Parse path into ini (which should be empty). A missing file fails with
 * SIFT_E_NOTFOUND; syntax errors with SIFT_E_FORMAT and "file:line: what".
 */
SIFT_NODISCARD int sift_ini_read(struct sift_ini *ini, const char *path,
	    struct sift_err *err);
/* Parse text (named name in messages). */
SIFT_NODISCARD int sift_ini_parse(struct sift_ini *ini, const char *name,
	    const char *text, size_t len, struct sift_err *err);
/*
 * Merge src into dst as fail2ban merges included files: [DEFAULT] keys are
 * overwritten, same-named sections merge key by key, the overwritten values
 * kept in "KNOWN/<section>"; a section "name?cond" merges into "name" with
 * keys renamed "key?cond".
 */
void	 sift_ini_merge(struct sift_ini *dst, const struct sift_ini *src);
struct sift_ini_sec *sift_ini_section(const struct sift_ini *ini,
	    const char *name);
struct sift_ini_opt *sift_ini_find(const struct sift_ini_sec *sec,
	    const char *name);
/* Set (or add) a raw option; name is lower-cased. */
void	 sift_ini_set(struct sift_ini_sec *sec, const char *name,
	    const char *val, const char *file, unsigned line);
/*
 * Interpolated value of option in section, looked up in vars (may be
 * NULL), the section, then [DEFAULT], as configparser's get(). Returns 0
 * and *out, or -1: SIFT_E_NOTFOUND when there is no such section or option
 * (err->msg says which), SIFT_E_FORMAT for interpolation errors.
 */
SIFT_NODISCARD int sift_ini_get(const struct sift_ini *ini,
	    const char *section, const char *option,
	    const struct sift_ini_sec *vars, char **out, struct sift_err *err);

#endif
