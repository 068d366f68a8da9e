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

#include <stddef.h>

/* The first top-level statement of SQL (LEN bytes, no NUL) that controls
 * the transaction: its 1-based number, with its kind ("COMMIT", ...) in
 * WHAT and the 1-based line it starts on in *LINE. 0 when there is none.
 * A statement the parser cannot read (syntax newer than libpg_query's) is
 * not transaction control; the server judges it. */
int sqltx_find(const char *sql, size_t len, char *what, size_t whatlen, int *line);

/* Every call into libpg_query goes between these two: it swaps fd 2 while
 * it parses, so two parses at once would lose or misdirect stderr. Not
 * reentrant (sqltx_find takes it itself). */
void sqltx_parser_enter(void);
void sqltx_parser_leave(void);

/* The 1-based line of SQL (LEN bytes) on which the statement that the
 * parser places at byte LOCATION starts, past the blanks and comments the
 * parser counts in it. */
int sqltx_line_at(const char *sql, size_t len, size_t location);

#endif
