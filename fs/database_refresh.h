/*
 * database_refresh.h: private to database.c and database_refresh.c, the
 * two halves of struct database's life (database.h says which lock
 * protects each field).
 *
 *   database.c          opening, installing a snapshot and publishing its
 *                       tree, starting and closing;
 *   database_refresh.c  the refresher thread, and the work it does after a
 *                       tree went out (mtimes, the shadow's schema).
 */
#ifndef SCHEMAFS_DATABASE_REFRESH_H
#define SCHEMAFS_DATABASE_REFRESH_H

#include <stdbool.h>

struct catalog;
struct database;
struct strbuf;

/* database_refresh.c */

/* The refresher thread's body (ARG: the struct database); started by
 * database_start(), stopped by database_close(). */
void *database_refresher(void *arg);
/* No lock held: write the tree's mtimes when a publish asked for it
 * (db->mtimes_due), or when table directories were rendered since the last
 * write: with FINAL (the last write, at unmount) at once, else at most
 * every MTIMES_RENDERS_SECONDS. The refresher, and database_close() after
 * it. */
void database_mtimes_flush(struct database *db, bool final);

/* db->lock held: whether database_mtimes_flush(DB, false) would write. */
bool database_mtimes_wanted(const struct database *db);
/* No lock held: hand the shadow the live catalog's schema.sql when a
 * snapshot was installed since it last got one. The refresher, and
 * database_start() once. */
void database_shadow_flush(struct database *db);

/* database_evict.c */

/* The refresher, no lock held: over max_memory, lets go of rendered table
 * directories (tree_evict) and publishes without them. */
void database_evict(struct database *db);

/* database_listen.c */

/* The refresher, no lock held, after each snapshot it installs (and once
 * as it starts): starts the DB_NOTIFY_CHANNEL listener when db->cat has
 * the DB_NOTIFY_TRIGGER event trigger enabled (not on a hot standby), and
 * stops it when it has not any more. */
void database_listen_update(struct database *db);
/* model_lock held: status's "notifications:" line, when listening. */
void database_listen_status(struct strbuf *sb, const struct database *db);

/* database.c, for the refresher */

/* Puts CAT (owned by the database from here; NULL: none) in place and
 * publishes; OK and ERROR say how the read went. Takes model_lock. */
void database_install(struct database *db, struct catalog *cat, bool ok, const char *error);
/* Publishes the tree again as it is (status changed). Takes db->lock,
 * then model_lock. */
void database_republish(struct database *db);
/* Who holds the migration lock (malloc'd, or NULL): refresher's
 * connection. */
char *database_lock_holder(struct database *db);
/* A memory checkpoint in the log (SCHEMAFS_MEMLOG=1). */
void database_mem_point(const struct database *db, const struct catalog *cat, const char *what);

#endif
