/*
 * sqlpos: where in a file a statement or an error is, as an editor counts
 * it: 1-based lines, and 1-based characters within the line counted in
 * UTF-8 characters (PostgreSQL's error positions count characters of the
 * query string too, not bytes).
 *
 * Pure: no server, no parser, no state.
 */
#ifndef SCHEMAFS_SQLPOS_H
#define SCHEMAFS_SQLPOS_H

#include <stddef.h>

/* The line and character of byte OFF of TEXT (OFF at most TEXT's length). */
void sqlpos_line_char(const char *text, size_t off, int *line, int *chr);

/* The byte where the NCHARS'th character (1-based, as PostgreSQL's
 * position) of the text starting at byte START lies; never past END. */
size_t sqlpos_char_offset(const char *text, size_t start, size_t end, long nchars);

/* Past the white space and comments (-- and nested block comments) that
 * open the text at byte AT: where its first keyword is. Never past END. */
size_t sqlpos_first_token(const char *text, size_t at, size_t end);

#endif
