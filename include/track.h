/*
 * track: how a migration tool records what it applied, one table of
 * operations per tool (DESIGN.md's "tracking" layer). migrate.c runs a
 * file under the lock and in its transaction; the tracker says whether it
 * was applied before, what it is called, and records it as the tool
 * itself would, so that the tool's own migrator sees it as applied:
 *
 *   drizzle   drizzle-kit 0.x: rows (id, hash, created_at) in
 *             drizzle.__drizzle_migrations, files NNNN_tag.sql and
 *             meta/_journal.json in migrations_dir (track_drizzle.c).
 *   drizzle   drizzle 1.0, chosen by the folder's layout: rows (id, hash,
 *             created_at, name, applied_at), folders
 *             <YYYYMMDDHHMMSS>_<name>/migration.sql (track_drizzle1.c).
 *   typeorm   TypeORM: rows (id, timestamp, name) in public.migrations,
 *             named as TypeORM names migration classes (track_typeorm.c).
 *
 * Every tracker also keeps the file's text in <schema>.schemafs_migrations
 * (hash, tag, sql, applied_at), beside the tool's table (track_keep_text):
 * the tools themselves keep no SQL.
 *
 * A new tool is a new struct tracker, not new branches in migrate.c.
 * Knows no FUSE. The connection is the caller's (migrate.c's).
 */
#ifndef SCHEMAFS_TRACK_H
#define SCHEMAFS_TRACK_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct migrate_opts;
struct migrate_result;

/* One migration being recorded: filled by migrate.c, then by the tracker.
 * Lives on migrate.c's stack for one migrate_apply(). */
struct track_run {
	PGconn *conn;
	const struct migrate_opts *o;
	struct migrate_result *r;	/* r->tag, r->id, r->message are written here */
	char qs[256], qt[256], qsql[300];	/* quoted schema, table, our SQL table */
	const char *file, *name;	/* the file's bytes and its name */
	size_t len;
	long long when;			/* the row's time (prepare) */
	bool reused;			/* the file is a folder entry already: nothing to write */
	bool ran;			/* it ran before prepare (outside a transaction): the
					 * catalog before it is gone */
	void *folder;			/* the tracker's own state (prepare .. done) */
};

struct tracker {
	const char *name;		/* the config's "tracking" value */
	const char *default_schema, *default_table;
	bool hides_schema;		/* the tracking schema is left out of the tree */
	bool has_folder;		/* reads and writes migrations_dir */
	/* $1: the table, qualified and quoted: true only when it has the
	 * tool's columns (a user table of that name is not ours to read). */
	const char *exists_sql;
	/* Appends to Q the query of the rows, as (id, hash, created_at, tag,
	 * sql) ordered by id: TABLE the tool's table, OURS schemafs's text
	 * table or NULL when it does not exist (both qualified and quoted). */
	void (*rows_sql)(struct strbuf *q, const char *table, const char *ours);

	/* The operations below run in migrate.c's open transaction and return
	 * 0 or -errno, with the reason in t->r->message. */
	int (*ensure_tables)(struct track_run *t);
	/* Is the file of hash HASH (or its name) recorded? 1 with *ID its
	 * row, 0 not, -errno. Also what a caller asks after a lost COMMIT. */
	int (*is_recorded)(struct track_run *t, const char *hash, long long *id);
	/* Before anything runs: the tag (t->r->tag) and time (t->when) of the
	 * row to write; refuses (-ECANCELED) a file that must wait. */
	int (*prepare)(struct track_run *t, const char *hash);
	/* The tool's row (t->r->id) and schemafs's text. */
	int (*record)(struct track_run *t, const char *hash);
	/* The file into the tool's folder (may be NULL: none); undone by
	 * undo_folder when the COMMIT fails. */
	int (*write_folder)(struct track_run *t);
	void (*undo_folder)(struct track_run *t);
	void (*done)(struct track_run *t);	/* frees t->folder; NULL-safe */
};

extern const struct tracker track_drizzle, track_drizzle1, track_typeorm;

/* The tracker called NAME ("drizzle", "typeorm"; NULL: drizzle), or NULL
 * when there is none. Static: never freed. */
const struct tracker *track_find(const char *name);
/* The tracker that records into O's table and folder: track_find(), and
 * for drizzle, drizzle 1.0's when the folder is in its layout, or empty
 * while the table has 1.0's "name" column (one query, on CONN). */
const struct tracker *track_choose(PGconn *conn, const struct migrate_opts *o);
/* SCHEMA.TABLE as SQL takes it, each part through PQescapeIdentifier,
 * appended to OUT; with QSCHEMA, *QSCHEMA is the schema's part alone (the
 * caller PQfreemem()s it; NULL on failure). 0, or -1 with libpq's message
 * in ERR (ERRLEN 0: none). */
int track_table_name(PGconn *conn, const char *schema, const char *table, struct strbuf *out, char **qschema,
		     char *err, size_t errlen);

/* What both drizzle trackers share. */
#define TRACK_DRIZZLE_EXISTS \
	"SELECT count(*) = 3 FROM pg_catalog.pg_attribute" \
	" WHERE attrelid = pg_catalog.to_regclass($1) AND NOT attisdropped" \
	" AND attname IN ('id', 'hash', 'created_at')"
void track_drizzle_rows_sql(struct strbuf *q, const char *table, const char *ours);

struct dksnap;
/* drizzle-kit's snapshot (dksnap.h) of the migration being recorded: the
 * folder's latest and the catalog before it runs (*SNAP NULL: none to
 * write), then after, in T's transaction. 0 or -EIO with the message;
 * a change dksnap cannot model writes none (migrations/check says so). */
int track_begin_snapshot(struct track_run *t, bool v1, struct dksnap **snap);
int track_write_snapshot(struct track_run *t, struct dksnap *snap);

/* The helpers a tracker's operations are made of (0 or -errno, with the
 * message in t->r->message), so that a new tool is a table of them. */
/* CREATE SCHEMA (when SCHEMA) and CREATE TABLE IF NOT EXISTS of the
 * tracking table with COLUMNS (the text between the parentheses, as the
 * tool writes it), then schemafs's text table. */
int track_create_tables(struct track_run *t, bool schema, const char *columns);
/* Runs the INSERT ... RETURNING id of SQL with its N PARAMS: the tool's
 * row (t->r->id), then schemafs's text under HASH (track_keep_text). */
int track_insert_row(struct track_run *t, const char *sql, int n, const char *const *params, const char *hash);
/* Runs SQL (its first column: a row's id, or no row): 1 with *ID, 0 none,
 * -EIO. */
int track_find_row(struct track_run *t, const char *sql, int n, const char *const *params, long long *id);
/* SQL's single boolean: 1, 0, or -EIO. */
int track_query_bool(struct track_run *t, const char *sql, int n, const char *const *params);
/* $1 the table, qualified and quoted: does it have drizzle 1.0's "name"? */
#define TRACK_HAS_NAME_SQL \
	"SELECT count(*) > 0 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass($1)" \
	" AND attname = 'name' AND NOT attisdropped"
/* The length of file NAME without ".sql". */
size_t track_stem_len(const char *name);
/* The stem of NAME without a leading "NNNN_" ("0004_add_e.sql" -> "add_e",
 * *LEN 5): a pointer into NAME. */
const char *track_base(const char *name, size_t *len);
/* TAG names a file or folder in migrations_dir: "/" and control bytes
 * become "_". */
void track_safe_tag(char *tag);

/* Writes the message of T's result. */
void track_say(struct track_run *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Lowercase hex SHA-256 of LEN bytes, computed by the server. */
int track_hash(struct track_run *t, const char *data, size_t len, char *hex, size_t hexlen);
/* schemafs's own text table in the tracking schema (CREATE IF NOT EXISTS). */
int track_ensure_text_table(struct track_run *t);
/* The file's text under HASH and t->r->tag in schemafs's table. */
int track_keep_text(struct track_run *t, const char *hash);
/* Now, in milliseconds since the epoch. */
long long track_now_ms(void);

#endif
