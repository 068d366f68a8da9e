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

#endif
