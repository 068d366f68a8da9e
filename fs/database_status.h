/*
 * database_status.h: private to database.c. Renders migrations/status
 * from a snapshot, the plan of the staged changes and the database's
 * state. Called by publish() with model_lock held (db->stage, db->extras
 * and db->cat are read under it; db->lock is not taken here: the lock
 * holder's text is passed in).
 */
#ifndef SCHEMAFS_DATABASE_STATUS_H
#define SCHEMAFS_DATABASE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct catalog;
struct database;
struct journal_entry;
struct plan;
struct strbuf;

/* drizzle-kit's entries not applied yet, for pending/ and status. V is
 * malloc'd (the caller frees it); its entries belong to db->folder. */
struct unapplied {
	const struct journal_entry **v;
	size_t n;
};

/* history_each_unapplied() callback: appends E to CTX (a struct unapplied). */
void collect_unapplied(void *ctx, const struct journal_entry *e);

/* Appends the whole status text to SB. LOCK: who holds the migration
 * lock (NULL: unknown); READS: the snapshots read so far. */
void database_render_status(struct strbuf *sb, const struct database *db, const struct catalog *cat,
			    bool reachable, const char *error, const struct plan *plan, const char *lock,
			    const struct unapplied *u, unsigned long reads);

#endif
