/*
 * database_stage.h: private to database.c. Finds the stage of the mounted
 * database: the one saved for this very database (its server's system
 * identifier and its OID), never another's that shares its name.
 */
#ifndef SCHEMAFS_DATABASE_STAGE_H
#define SCHEMAFS_DATABASE_STAGE_H

#include <libpq-fe.h>
#include <stddef.h>

struct database;

/* "<system identifier>/<database oid>" of CONN's database into OUT.
 * 0, or -1 with ERR. */
int database_identity(PGconn *conn, char *out, size_t outlen, char *err, size_t errlen);

/*
 * Sets db->stage_file (DIR/stage-<sysid>-<dboid>.json; DIR may be NULL:
 * no state directory), db->stage and, when a stage found under this name
 * belongs to another database (or does not say which), db->stage_aside:
 * that stage is not loaded, not applied and not changed. db->identity must
 * be set. 0, or -1 with ERR (a stage file that cannot be read). In a live
 * view (cfg->live) the stage is empty and in memory only: no file at all.
 */
int database_stage_open(struct database *db, const char *dir, char *err, size_t errlen);

#endif
