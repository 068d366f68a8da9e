/*
 * migrate: runs one migration file against the database, the way a deploy
 * should: under a session-level advisory lock, in one transaction with its
 * tracking row, recorded exactly as the migration tool (o->tracking, one
 * table of operations per tool in track.h) records it. What follows is
 * drizzle's (the default); the tracker owns the hash check, the row, the
 * tag and the folder.
 *
 *   lock     pg_advisory_lock(hashtextextended('<schema>.<table>', 0)) of
 *            the tracking table's (unquoted) name, on the connection that
 *            runs the migration, waited for up to lock_wait_ms (then EBUSY,
 *            naming the holder from pg_stat_activity).
 *   hash     lowercase hex SHA-256 of the file's bytes (drizzle's hash); a
 *            hash already in the tracking table is not run again.
 *   run      the chunks between "--> statement-breakpoint" (Drizzle's
 *            file format), each split by PostgreSQL's parser (sqlparse.h),
 *            are sent one statement at a time (a chunk the parser cannot
 *            read is sent whole), all in one
 *            transaction with lock_timeout and statement_timeout set, then
 *            the tracking row (hash, created_at) and the file's text in
 *            <schema>.schemafs_migrations, then COMMIT. A file PostgreSQL
 *            refuses to run in a transaction (CREATE INDEX CONCURRENTLY,
 *            ...) is run on its own outside one, only when it is a single
 *            statement (sent one by one, each would commit apart); an
 *            INVALID index it leaves behind is dropped.
 *   journal  (drizzle 0.x's; drizzle 1.0 and TypeORM: see track.h)
 *            with a migrations_dir, the file is written there as
 *            <tag>.sql and appended to meta/_journal.json (both atomically)
 *            before the COMMIT, with "when" = created_at, strictly
 *            increasing. A journal entry drizzle has not applied yet (its
 *            "when" after every row) must go first: other files are
 *            refused, and that entry's own file is recorded as that entry.
 *
 * Knows no FUSE. The connection is the caller's (the database's work
 * connection, under its work_lock).
 */
#ifndef SCHEMAFS_MIGRATE_H
#define SCHEMAFS_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct progress;

struct migrate_opts {
	const char *tracking_schema, *tracking_table;	/* raw names */
	const char *migrations_dir;	/* NULL when not configured */
	int lock_wait_ms;		/* advisory lock */
	int lock_timeout_ms, statement_timeout_ms;	/* 0: none */
	const char *search_path;	/* the file's, or NULL: the session's default */
	bool generated;			/* schemafs generated it from the staged changes */
	struct progress *progress;	/* where the step it is at is recorded for
					 * status (progress.h), or NULL */
	/* To ask, on a connection of its own, whether a COMMIT whose reply
	 * was lost took effect. NULL: the outcome is reported unknown. */
	const char *conninfo;
	int connect_timeout;		/* seconds, 0: libpq's default */
	const char *tracking;		/* the tracker (track.h): "drizzle" (NULL) or "typeorm" */
};

/* A statement of a migration with statement_timeout 0 (none) is given up
 * after this long (see migrate_bound_ms). */
#define MIGRATE_DEFAULT_STATEMENT_BOUND_MS (10 * 60 * 1000)

/* How long the outcome of a COMMIT whose reply was lost is asked for
 * (reconnecting, covering a server restart). */
#define MIGRATE_OUTCOME_WAIT_MS 15000

/* The bound (pg_bound_set) of each query of a migration: statement_timeout
 * or MIGRATE_DEFAULT_STATEMENT_BOUND_MS, plus lock_wait, plus
 * PG_BOUND_MARGIN_MS. */
int migrate_bound_ms(const struct migrate_opts *o);

struct migrate_result {
	bool already;			/* the hash was applied before: nothing ran */
	long long id;			/* the tracking row */
	char tag[256];			/* "0007_booking_add_notes" */
	char message[4096];		/* what happened, or why not and what to do: a
					 * failed statement by its number in the file and
					 * its line and character as an editor counts them;
					 * for a generated file, the tree's file to change */
	/* Where the time went, in ms (the daemon's log, README "What an
	 * apply costs"): waiting for and taking the advisory lock; the
	 * checks before the file runs (hash, tracking tables, is it
	 * recorded, the split); the file's statements; the tracking rows
	 * and the COMMIT; releasing the lock. */
	double ms_lock, ms_checks, ms_run, ms_record, ms_unlock;
};

/* Applies the file NAME (its bytes SQL, LEN). Returns 0 (applied, or
 * already applied) or -errno:
 *   EBUSY      another session holds the migration lock (lock_wait_ms)
 *   ECANCELED  PostgreSQL refused a statement (all rolled back), or a file
 *              mixes a statement that cannot run in a transaction with
 *              others (nothing ran). Not EINVAL: mv(1) reports that from
 *              rename() as "cannot move to a subdirectory of itself".
 *   EAGAIN     a statement waited longer than lock_timeout for a lock
 *   ETIMEDOUT  a statement ran longer than statement_timeout, or the server
 *              did not answer within migrate_bound_ms() (the connection was
 *              closed; the server rolls back)
 *   EIO        the connection was lost (the server rolled back), or it was
 *              lost during the COMMIT and the tracking row is not there
 *              (nothing applied, journal entry taken back) or could not be
 *              looked for within MIGRATE_OUTCOME_WAIT_MS (outcome unknown,
 *              said in R's message; running the file again is safe: its
 *              hash is checked first). Lost during the COMMIT with the row
 *              there: 0, applied.
 * In every failure case but the unknown outcome nothing of the file stays
 * applied. */
int migrate_apply(PGconn *conn, const struct migrate_opts *o, const char *name, const char *sql,
		  size_t len, struct migrate_result *r);

/* Is the file NAME of lowercase hex SHA-256 HASH recorded in the tracking
 * table, as its tracker (o->tracking) records it? 1 with *ID its row, 0
 * not, or -errno with ERR (the table missing is an error). For a caller
 * that lost the connection during a COMMIT: asked on a new connection,
 * outside any transaction, it says whether that migration committed. */
int migrate_is_recorded(PGconn *conn, const struct migrate_opts *o, const char *name, const char *hash,
			long long *id, char *err, size_t errlen);

/* Called after statement K (1-based) of a dry run ran. */
typedef void (*migrate_each_fn)(void *ctx, size_t k);

/* What a dry run found: FAILED is the 1-based statement that failed (0:
 * none) of NSTMTS, at LINE; MESSAGE is PostgreSQL's (or why it was not
 * run), STATE its SQLSTATE ("25001": cannot run in a transaction). */
struct migrate_dry {
	size_t nstmts, failed;
	int line;
	char state[8];
	char message[1200];
	char full[4096];	/* the apply's own words for the failure, with its advice */
};

/* Runs the file's statements as migrate_apply() does (the same chunks and
 * statements, SET LOCAL timeouts and search_path), inside the caller's
 * open transaction, which the caller rolls back; no lock, no tracking row.
 * Outside a transaction (a file that cannot run in one), the settings are
 * the session's and reset after. EACH (may be NULL) is called after each
 * statement that ran. 0 or -errno as migrate_apply, with D filled in;
 * -ENOTSUP when the file controls its own transaction (nothing ran: the
 * apply refuses it with its own words). */
int migrate_dry_run(PGconn *conn, const struct migrate_opts *o, const char *name, const char *sql, size_t len,
		    migrate_each_fn each, void *ctx, struct migrate_dry *d);

/* Who holds the migration lock: "free", "held by pid N (application)", or
 * NULL with ERR. malloc'd. */
char *migrate_lock_holder(PGconn *conn, const struct migrate_opts *o, char *err, size_t errlen);

#endif
