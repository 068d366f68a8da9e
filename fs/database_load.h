/*
 * database_load.h: private to database.c. Reads a database's snapshot
 * (full, incremental or "nothing changed", see catalog.h) and its
 * migrations folder. Refresher thread only (or database_open, before the
 * refresher starts): db->conn, db->probe_snap, db->quiet and db->tx_open
 * are that thread's; db->folder is replaced under model_lock.
 */
#ifndef SCHEMAFS_DATABASE_LOAD_H
#define SCHEMAFS_DATABASE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

struct catalog;
struct database;

/* Reads a snapshot into *OUT (not shared yet: the caller puts it in
 * place). A connection found dead (server restarted, connection killed)
 * is replaced and the read tried once more, so a restart costs no failed
 * refresh. Returns 0 when a new snapshot was read (*OUT, owned by the
 * caller), 1 when the catalogs have not changed since the last one, -1 on
 * error (ERR). */
int database_load(struct database *db, struct catalog **out, char *err, size_t errlen);

/* Reads migrations_dir (files only: no query) and, when it changed, swaps
 * it in and matches the rows to it again. True when it changed. */
bool database_folder_refresh(struct database *db);

#endif
