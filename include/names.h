/*
 * names: reversible mapping between object names and file names.
 *
 * Every name appears as is, except what cannot be a file name:
 *   "/"                       -> "%2F"
 *   "%" followed by 2 hex digits or by "~" -> "%25" (so the mapping stays
 *                                reversible; any other "%" stays as it is)
 *   a name that is "." or ".."  -> "%2E" / "%2E%2E"
 *   longer than NAME_MAX bytes -> the first bytes, then "%~" and 16 hex digits
 *                                of a hash of the whole name (only this case
 *                                is not reversible from the text alone).
 * PostgreSQL names never contain NUL.
 */
#ifndef SCHEMAFS_NAMES_H
#define SCHEMAFS_NAMES_H

#include <stddef.h>
#include "strbuf.h"

/* Appends the file name for NAME (a NUL-terminated object name) to SB,
 * followed by SUFFIX (for example ".sql", or ""). The suffix counts towards
 * NAME_MAX and is never cut. */
void name_escape(struct strbuf *sb, const char *name, const char *suffix);

/* Decodes a file name back into an object name, in place. Returns 0, or -1
 * when the name is a shortened (hashed) one, left as it was. */
int name_unescape(char *s);

/* How many leading bytes of S (LEN bytes) are valid UTF-8: LEN when all
 * are. Overlong forms, surrogates and code points past U+10FFFF are
 * invalid, as PostgreSQL holds them. */
size_t name_utf8_valid(const char *s, size_t len);

/* Appends S (LEN bytes) to SB for a message: valid UTF-8 as it is, every
 * byte that is not, and every control character, as \xNN (upper-case hex),
 * so that a refusal stays on one line and shows the bad bytes. */
void name_display(struct strbuf *sb, const char *s, size_t len);

/* 64-bit FNV-1a, used for shortened names and content comparison. */
unsigned long long name_hash(const void *p, size_t len);

/* A directory's listing hashed (its "content" for mtimes.c): start from
 * listing_hash_seed() and add each name in listing order. */
unsigned long long listing_hash_seed(void);
unsigned long long listing_hash_add(unsigned long long h, const char *name);

#endif
