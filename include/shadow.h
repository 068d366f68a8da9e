/*
 * shadow: a schema-only twin of a writable database, and the dry run of
 * every pending migration on it.
 *
 *   where   shadow_conninfo when configured; else <db>_schemafs_shadow on
 *           the same server, created (TEMPLATE template0) when the role may
 *           create databases (CREATEDB or superuser). Never dropped by
 *           schemafs: an unmount leaves it, the next mount reuses it.
 *   load    every user schema of the shadow is dropped and the database's
 *           schema.sql (rendered from the live catalog, not the desired
 *           one) is run, in one transaction, whenever that text changes
 *           and a replay (below) cannot follow it.
 *   replay  a migration applied through this mount (shadow_apply_begin/
 *           _end) is run on the shadow too as soon as it committed, while
 *           the live refresh after it runs: in a transaction, then the
 *           shadow's catalog is read back (incrementally, from the read
 *           after the load or the previous replay) and its schema.sql
 *           rendered and hashed; the shadow counts as current only when
 *           that hash is the one the live refresh hands in (waited for at
 *           most SHADOW_RETRY_SECONDS). Anything else (external DDL, a
 *           migration the shadow cannot run, two snapshots folded into
 *           one) reloads from scratch.
 *           Not chosen: reloading only the schemas whose text changed.
 *           Schemas are not independent: a DROP SCHEMA ... CASCADE takes
 *           with it the views, foreign keys, column types and defaults of
 *           other schemas that use its objects, and schema.sql's per-schema
 *           parts assume what earlier schemas created; getting that right
 *           needs the dependency walk the reload exists to avoid, and a
 *           wrong shadow refuses good applies. The replay's check makes
 *           the common case (this mount's own applies) cheap instead.
 *   dry run each pending file k (in name order, as ls shows them) runs as
 *           files 1..k in one transaction that is rolled back (the real
 *           order: k may need what an earlier one creates); only k's result
 *           counts. A file that cannot run in a transaction (one CREATE
 *           INDEX CONCURRENTLY, as migrate.c allows) is run alone, outside
 *           one, and the shadow is then reloaded to undo it; as an earlier
 *           file it is skipped. Results are cached by (the files' content
 *           hashes, the shadow's schema hash).
 *
 * Threads: one thread per shadow does all the talking to it, on connections
 * of its own. Callers (the refresher, edits, the apply path) hand it work
 * and read its results under its own lock, a leaf below model_lock: it is
 * never held while talking to a server. When results change, the thread
 * calls CHANGED with no lock held (database.c republishes status).
 *
 * Memory: struct shadow is owned by its creator (shadow_new/shadow_free);
 * everything handed in is copied.
 */
#ifndef SCHEMAFS_SHADOW_H
#define SCHEMAFS_SHADOW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct db_config;
struct strbuf;
struct shadow;

typedef void (*shadow_changed_fn)(void *ctx);

/* One pending file as the apply would run it. */
struct shadow_file {
	const char *name;
	const char *sql;
	size_t len;
	bool generated;		/* runs with search_path = public (edit_apply.c) */
};

/* A shadow for the database CFG (DBNAME: its name on the server, for the
 * default shadow's name; IDENTITY: its database_identity(), which the
 * shadow must not have). NULL when none is wanted (read-only, live view or
 * "shadow": false: shadow_render says so with a NULL shadow and CFG). Its
 * thread starts with shadow_start() (after the daemon forked): 0 or -errno. */
struct shadow *shadow_new(const struct db_config *cfg, const char *dbname, const char *identity,
			  shadow_changed_fn changed, void *ctx);
int shadow_start(struct shadow *s);
void shadow_free(struct shadow *s);	/* stops the thread; NULL is fine */

/* A new live snapshot is in place and its schema comes later (the
 * refresher renders it after publishing): until shadow_set_schema(), the
 * shadow is not current (status says it is reloading, dry runs wait). */
void shadow_schema_due(struct shadow *s);
/* The schema to load (SCHEMA, its SHA-256 HASH; both copied); ends
 * shadow_schema_due(). True when that made the shadow current at once (the
 * same text, or a replay got there first): status changes then, and the
 * caller republishes it. */
bool shadow_set_schema(struct shadow *s, const char *hash, const char *schema);
/* The pending files, in any order (sorted by name here). */
void shadow_set_pending(struct shadow *s, const struct shadow_file *files, size_t n);

/*
 * The apply path, around migration FILE's run on the live database:
 * _begin before it runs (the shadow then waits for _end rather than
 * reload for a new schema meanwhile), _end after, COMMITTED when it ran
 * and committed (not when refused, failed, or applied already): the
 * shadow replays it rather than reloading (see "replay" above). One
 * apply at a time per shadow (the caller holds work_lock).
 */
void shadow_apply_begin(struct shadow *s, const struct shadow_file *file);
void shadow_apply_end(struct shadow *s, bool committed);

/* For status: "shadow: ..." line (CFG for a NULL shadow's reason). */
void shadow_render(struct strbuf *sb, struct shadow *s, const struct db_config *cfg);
/* For status: the "    dry run: ..." lines of pending file NAME. */
void shadow_render_file(struct strbuf *sb, struct shadow *s, const char *name);

/*
 * The apply path: the dry run of FILE alone on the shadow (what the apply
 * will run now), from the cache or made by the thread while the caller
 * waits (at most TIMEOUT_MS). Returns 0 when it passes or when there is no
 * shadow to run it on (a shadow that is off or cannot be had never blocks
 * an apply), -ECANCELED when it fails, -ETIMEDOUT when it did not finish
 * in time; WHY (malloc'd, the caller frees) says why, for status.
 */
int shadow_check(struct shadow *s, const struct shadow_file *file, int timeout_ms, char **why);

/* Runs FN(conn, CTX) on a connection to the shadow, inside BEGIN ...
 * ROLLBACK (statement_timeout TIMEOUT_MS), serialized with the shadow
 * thread's own work (the shadow must not be reloaded meanwhile). Returns
 * FN's result; -ENOENT when there is no usable shadow (off, no permission,
 * not loaded yet: the caller then falls back to the work connection in a
 * rolled-back transaction), -EIO when it cannot be reached, with WHY
 * (malloc'd, the caller frees). No lock of the caller's may be held but
 * work_lock. */
int shadow_run_txn(struct shadow *s, int timeout_ms, int (*fn)(PGconn *conn, void *ctx), void *ctx,
		   char **why);

#endif
