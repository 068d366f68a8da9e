/*
 * dksnap: drizzle-kit's schema snapshot for a migration schemafs writes
 * into a migrations_dir, so that the team's next `drizzle-kit generate`
 * diffs schema.ts against the schema with that migration in it (without
 * one it diffs against the previous snapshot and writes the change again).
 *
 *   0.x   meta/NNNN_snapshot.json (version 7): id, prevId = the previous
 *         snapshot's id, tables.<schema.table>.columns.<name>.
 *   1.0   <tag>/snapshot.json (version 8+): id, prevIds = [the previous
 *         id], ddl: entities, columns with entityType "columns".
 *
 * The new snapshot is the folder's latest one plus the change, and the
 * change is read from the catalog, not from the SQL: dksnap_begin() reads
 * every table column before the file runs, dksnap_write() again after it
 * (same connection, same transaction), and the difference on the tables
 * that snapshot has is applied to it. Column changes are modelled (added,
 * dropped, renamed, type, NOT NULL, default, as drizzle-kit writes them);
 * anything else the file changed (a table, an index, a constraint, a
 * sequence, an enum, a view, a policy: a fingerprint of them differs)
 * is not, and no snapshot is written: history's check then says what the
 * team must run.
 *
 * Knows no FUSE. The connection is the caller's (a tracker's).
 */
#ifndef SCHEMAFS_DKSNAP_H
#define SCHEMAFS_DKSNAP_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct dksnap;

/* Before the file runs: the latest snapshot of DIR (V1: drizzle 1.0's
 * layout) and the catalog's columns. *OUT NULL (and 0) when the folder
 * has no snapshot: drizzle-kit generate is not used there. 0 or -EIO
 * with ERR. *OUT is the caller's: dksnap_free(). */
int dksnap_begin(PGconn *conn, const char *dir, bool v1, struct dksnap **out, char *err, size_t errlen);
/* After the file ran: writes the snapshot of the migration TAG (0.x:
 * meta/<TAG's number>_snapshot.json; 1.0: <TAG>/snapshot.json, the folder
 * exists). 0 written, 1 not modelled (WHY says what), -errno (ERR). */
int dksnap_write(PGconn *conn, struct dksnap *s, const char *tag, char *why, size_t whylen);
/* Removes what dksnap_write wrote (the COMMIT failed). */
void dksnap_undo(struct dksnap *s);
void dksnap_free(struct dksnap *s);	/* NULL-safe */

/* drizzle-kit's type for PostgreSQL's format_type() text TYPE ("character
 * varying(20)" -> "varchar(20)"), into OUT; V1 writes numeric(p,s) as 1.0. */
void dksnap_type(const char *type, bool v1, char *out, size_t outlen);

#endif
