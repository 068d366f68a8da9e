/*
 * strbuf: a growable byte buffer for rendering text.
 *
 * The buffer owns sb->buf (malloc'd, always NUL-terminated once anything was
 * added); strbuf_free() releases it, strbuf_detach() hands it to the caller.
 * Aborts on ENOMEM.
 */
#ifndef SCHEMAFS_STRBUF_H
#define SCHEMAFS_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* S on one line: a newline, carriage return or other control byte in it
 * (a parser's message quoting the input, an identifier holding a newline)
 * is written as \n, \r or \xNN, so a line-per-item text (status) keeps
 * one line per item. */
void sb_add_oneline(struct strbuf *sb, const char *s);
/* "schema.name" from two already-quoted identifiers. */
void sb_add_qual(struct strbuf *sb, const char *qschema, const char *qname);
void sb_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
/* Returns the buffer (caller frees); the strbuf is empty afterwards. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Returns a NUL-terminated view of the content ("" when empty). */
const char *sb_str(const struct strbuf *sb);

#endif
