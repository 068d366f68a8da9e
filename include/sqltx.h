/*
 * sqltx: finds transaction control (BEGIN, COMMIT, ROLLBACK, PREPARE
 * TRANSACTION, ...) among the top-level statements of a migration file,
 * with PostgreSQL's own parser (libpg_query). schemafs runs each migration
 * in one transaction of its own: a file that ends it itself would leave
 * part of it committed and unrecorded, so it is refused before anything
 * runs. SAVEPOINT, RELEASE and ROLLBACK TO stay inside that transaction
 * and are allowed. Text inside function bodies and DO blocks is not a
 * top-level statement.
 *
 * Pure: no server, no FUSE, no global state of ours (libpg_query keeps a
 * per-thread memory context).
 */
#ifndef SCHEMAFS_SQLTX_H
#define SCHEMAFS_SQLTX_H

#include <stdbool.h>
#include <stddef.h>

/* The first top-level statement of SQL (LEN bytes, no NUL) that controls
 * the transaction: its 1-based number, with its kind ("COMMIT", ...) in
 * WHAT and the 1-based line it starts on in *LINE. 0 when there is none.
 * A statement the parser cannot read (syntax newer than libpg_query's) is
 * not transaction control; the server judges it. */
int sqltx_find(const char *sql, size_t len, char *what, size_t whatlen, int *line);

/* A piece of a text: its first byte and its length. */
struct sqltx_span {
	size_t off, len;
};

/* The file SQL (LEN bytes) cut at Drizzle's "--> statement-breakpoint":
 * the text between breakpoints, one chunk each, always at least one (a
 * chunk of only blanks and comments is an empty query to the server:
 * migrate.c counts those apart). The array (*OUT, malloc'd, the caller
 * frees) has the count returned. */
size_t sqltx_chunks(const char *sql, size_t len, struct sqltx_span **out);

/* The top-level statements of SQL (LEN bytes) as sqltx_find reads them:
 * split by PostgreSQL's parser, or by its scanner when the parser cannot
 * read the text (*BY_PARSER false). *OUT (malloc'd, the caller frees)
 * holds *N spans, as libpg_query gives them. -1 when even the scanner
 * cannot split it (an unterminated comment or quote). */
int sqltx_statements(const char *sql, size_t len, struct sqltx_span **out, size_t *n, bool *by_parser);

/* The 1-based line of SQL (LEN bytes) on which the statement that the
 * parser places at byte LOCATION starts, past the blanks and comments the
 * parser counts in it. */
int sqltx_line_at(const char *sql, size_t len, size_t location);

#endif
