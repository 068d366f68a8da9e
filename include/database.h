/*
 * database: one mounted database at run time. Owns the libpq connection,
 * the current rendered tree and the background refresher thread.
 *
 * Threads: the connection (conn) is used only by the refresher thread once it
 * runs (before that, by database_open's caller). The refresher alone
 * replaces the catalog (cat), and it does so in the same model_lock section
 * that publishes the tree built from it: under model_lock, cat, desired and
 * tree always belong together (an edit never finds a name in the tree that
 * the catalog lacks). The staging side (edit.h) reads them under
 * model_lock. Lock order: work_lock, shadow_flush_lock, model_lock, lock,
 * then inval's own (a leaf). Kernel caches are dropped by inval's thread, holding none of
 * these (invalq.h).
 * Everything in struct database below `lock` is protected by `lock`.
 * Readers never wait on the server: database_tree() returns the current tree
 * at once and, when it is older than the TTL, wakes the refresher. While the
 * mount is in use (a look within DB_ACTIVE_SECONDS), the refresher also
 * checks every TTL by itself, so the kernel may cache names and attributes
 * for DB_KERNEL_CACHE_SECONDS: changes reach it as invalidations.
 *
 * A live view (cfg->live, -o live) shows cat itself: its stage is empty and
 * never saved, cfg->read_only refuses every change, its tree has no
 * migrations/pending/ nor apply/, and its mtimes are kept apart.
 */
#ifndef SCHEMAFS_DATABASE_H
#define SCHEMAFS_DATABASE_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "pg.h"
#include "invalq.h"

/* The kernel caches names and attributes for less time than the mount
 * counts as in use, so a look after an idle spell always reaches the daemon
 * and triggers a refresh. Every change reaches it as an invalidation; the
 * timeout is a bound, and long enough that a walk of a large tree a few
 * minutes after the last one finds its names still cached (a name looked
 * up again costs a request of its own; fsops_dir.c, listing_fresh). */
#define DB_KERNEL_CACHE_SECONDS 300.0
#define DB_ACTIVE_SECONDS 600.0
/* Idle, the refresher still checks this often: the first look after an idle
 * spell shows a snapshot at most this old (and starts a refresh). */
#define DB_IDLE_CHECK_SECONDS 30.0
/* While a migration runs, status shows what it waits for, looked up this
 * often by the refresher (progress.h). */
#define DB_PROGRESS_SECONDS 0.5
/* In use, after a refresh that found nothing committed since the last
 * fingerprint (one txid_current_snapshot(), well under a millisecond of
 * the server's time), the refresher looks again this soon (after one that
 * read a new snapshot, DB_PROBE_AFTER_READ_SECONDS); after one whose
 * fingerprint found only commits that changed no catalog (a few hundred
 * ms at 10,000 tables), one TTL later.
 * A quiet database shows external DDL within this, a busy one costs at
 * most one fingerprint more per snapshot read. 20 looks a second cost the
 * server 20 such queries (an idle mount looks far less often:
 * DB_ACTIVE_SECONDS); at 0.1 s, the wait for the look was a sixth of the
 * time a 10,000-table mount took to show an ALTER (50 of 310 ms). */
#define DB_PROBE_SECONDS 0.05
/* After a refresh that read a change, the next ones expect another for
 * this long, whatever they find meanwhile (catalog_filter.copy_ahead):
 * DDL comes in bursts (a migration, a deploy), and the shadow database's
 * load of each new schema commits on the same server, which moves this
 * database's snapshot several times in the seconds after each change. */
#define DB_CHANGE_LIKELY_SECONDS 10.0
/* After the fingerprint's second connection failed (it cannot connect: a
 * role's connection limit, max_connections, a pooler; the role may not
 * export a snapshot), the fingerprints stay on one connection this long:
 * else every look that expects a change would try again, and log why,
 * several times a second. */
#define DB_SECOND_RETRY_SECONDS 60.0
/* The same look after a refresh that read a new snapshot: a database whose
 * catalogs change all the time (temporary tables created in a loop) makes
 * each look read, and at 0.05 s the reads would come twice as often. */
#define DB_PROBE_AFTER_READ_SECONDS 0.1
/* tree_ticket between a tree's install and the push of its invalidations:
 * no ticket to ask invalq about yet, so readers opened then are not shown
 * the tree through the page cache either (database_tree_shown). */
#define DB_TICKET_UNQUEUED (~0UL)
/* How long a change waits for its kernel cache invalidations (database_settle). */
#define DB_INVAL_WAIT_SECONDS 5.0
/* While the database has an enabled event trigger of this name, a
 * connection of its own LISTENs on DB_NOTIFY_CHANNEL and every notification
 * starts a refresh at once (listen.h, database_listen.c; README "Seeing
 * DDL at once: NOTIFY"). */
#define DB_NOTIFY_TRIGGER "schemafs_notify"
#define DB_NOTIFY_CHANNEL "schemafs"

struct db_config;
struct catalog;
struct catalog_filter;
struct stage;
struct lint_cache;
struct tree;
struct history;
struct progress;
struct shadow;
struct listener;

/* A file kept in memory only: a draft or a scratch file (edit.h). */
struct extra_file {
	char *path;			/* relative to the database directory */
	char *data;
	size_t len;
	struct extra_file *next;
};

/* Called after a new tree is in place, once per path (relative to the
 * database directory) whose kernel caches must be dropped, by the database's
 * invalidation thread (inval), which holds none of the locks below. */
typedef void (*db_changed_fn)(void *ctx, const char *dbname, const char *path);

struct database {
	struct db_config *cfg;		/* owned by the struct config */
	PGconn *conn;			/* refresher thread only */
	struct catalog *cat;		/* the last good snapshot: written by the refresher
					 * under model_lock, read by it without */
	bool tx_open;			/* refresher thread only: cat's transaction still open */
	bool map_later;			/* database_open's MAP_LATER, then constant */
	char *probe_snap;		/* refresher thread only: txid_current_snapshot() of
					 * the last fingerprint's transaction (malloc'd) */
	struct timespec lock_looked;	/* refresher thread only: when lock_holder was asked */
	bool quiet;			/* refresher thread only: the last refresh found
					 * nothing committed since probe_snap, or read a
					 * new snapshot: look again soon */
	bool read_last;			/* refresher thread only: ... and it was a read
					 * (DB_PROBE_AFTER_READ_SECONDS) */
	int fp_same_run;		/* refresher thread only: how many fingerprints
					 * in a row found the catalogs unchanged (the
					 * commits were DML, or the shadow's, in the
					 * same cluster) */
	struct timespec fp_changed_at;	/* refresher thread only: when one last found
					 * a change (zero: never). A change is expected
					 * (catalog_filter.copy_ahead) within
					 * DB_CHANGE_LIKELY_SECONDS of it, or while
					 * fp_same_run is under two */
	struct timespec fp_second_failed_at;	/* refresher thread only: when the
					 * fingerprint's second connection last
					 * failed (zero: never); see
					 * DB_SECOND_RETRY_SECONDS */
	char *mtimes_file;		/* state_dir/<name>/mtimes (mtimes-live in a live
					 * view), or NULL; owned */
	db_changed_fn changed;
	void *changed_ctx;
	pthread_t thread;
	bool thread_started;
	struct invalq inval;		/* paths whose kernel caches must go; its own lock */
	bool standby;			/* the server was a hot standby at open
					 * (pg_is_in_recovery()): cfg->read_only was set;
					 * set by database_open, then constant */
	bool full_refresh;		/* SCHEMAFS_FULL_REFRESH=1: every refresh reads
					 * everything (no incremental load, catalog.h); set
					 * by database_open, then constant */
	int test_hold;			/* refresher thread (set by database_open);
					 * SCHEMAFS_TEST_HOLD_CYCLE=before|after (tests
					 * only, 1|2; 0 once used): the first refresher
					 * cycle waits, before or after its read, until an
					 * apply makes it stale (at most 30 s) */
	long test_delay_ms;		/* SCHEMAFS_TEST_REFRESH_DELAY_MS (tests only): the
					 * refresher pauses this long, model_lock held,
					 * between installing a new snapshot and publishing
					 * its tree, and each change logs its arrival (edit.h);
					 * set by database_open, then constant */

	/* Staging and applying. */
	pthread_mutex_t work_lock;	/* one change at a time */
	PGconn *work;			/* work_lock: probes and migrations; lazily opened */
	pthread_mutex_t model_lock;
	struct stage *stage;		/* model_lock: the staged edits */
	struct catalog *desired;	/* model_lock: cat with the edits applied */
	struct extra_file *extras;	/* model_lock: drafts and scratch files */
	struct history *folder;		/* migrations_dir as the refresher last read it
					 * (history.h), or NULL without one; replaced by the
					 * refresher under model_lock, read by it without */
	struct shadow *shadow;		/* model_lock: the shadow database (shadow.h, its
					 * own lock), or NULL; set once by database_start */
	unsigned long cat_gen;		/* model_lock: snapshots installed */
	unsigned long shadow_gen;	/* model_lock: the cat_gen whose schema.sql the
					 * shadow was handed */
	pthread_mutex_t shadow_flush_lock;	/* one database_shadow_flush() at a
					 * time (database_start's and the refresher's):
					 * an older schema never goes in after a newer;
					 * taken before model_lock */
	struct lint_cache *lint_cache;	/* model_lock: reviews of hand-written pending
					 * files, by content (lint.h); may be NULL */
	char *stage_file;		/* state_dir/<name>/stage-<sysid>-<dboid>.json, or NULL; owned */
	char identity[64];		/* "<system identifier>/<database oid>": the stage
					 * belongs to it; set by database_open, then constant */
	struct pg_name_rules names;	/* what the server takes as a name: read by
					 * database_open, then constant */
	char *stage_aside;		/* why a stage found for this name was not used
					 * (another database's), or NULL; constant once open */
	char change_error[4096];	/* model_lock: last refused change, "" if none */
	char apply_result[4608];	/* model_lock: what the last apply did, "" if none */
	struct progress *progress;	/* the running migration's step, for status: its own
					 * lock (progress.h); set by database_open, then constant */
	struct timespec watched;	/* refresher thread only: CLOCK_MONOTONIC of its last
					 * look at a running migration (DB_PROGRESS_SECONDS) */
	_Atomic long long deny_last_ms;	/* edit_deny(): monotonic ms of the last record */
	_Atomic unsigned long deny_suppressed;	/* edit_deny(): refusals not recorded since */

	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct tree *tree;		/* lock; current tree, never NULL once open */
	unsigned long tree_ticket;	/* lock, and written only by the holder of
					 * model_lock (publish); the inval batch that
					 * drops the kernel's caches of what tree
					 * changed (0: none), DB_TICKET_UNQUEUED until
					 * it is pushed */
	struct timespec loaded;		/* lock; CLOCK_MONOTONIC of the last attempt */
	bool refresh_wanted;		/* lock */
	struct timespec used;		/* lock; CLOCK_MONOTONIC of the last look at the tree */
	bool stopping;			/* lock */
	bool reachable;			/* lock */
	char last_error[1024];		/* lock; "" when the last refresh worked */
	unsigned long refreshes;	/* lock; successful loads */
	int queries;			/* lock; catalog queries in the last load */
	char *lock_holder;		/* lock; the migration lock, as the last refresh saw it */
	unsigned long cycles_started;	/* lock; refresher cycles begun */
	unsigned long cycles_done;	/* lock; the last cycle finished */
	_Atomic bool stale;		/* set under lock by an apply that committed while
					 * a cycle was in flight (database_refresh_wait),
					 * cleared under lock as each cycle begins; read by
					 * the refresher's queries (pg_give_up_set) */
	bool mtimes_due;		/* lock; a tree with new mtimes was published: the
					 * refresher thread, their only writer, writes
					 * mtimes_file between its cycles, off the path of
					 * the change or apply that published it */
	unsigned long mtimes_renders;	/* lock; tree_renders() when mtimes_file was
					 * last written: table directories rendered
					 * since (a walk) have records to write too */
	struct timespec mtimes_at;	/* lock; when (CLOCK_MONOTONIC) */
	bool conn_unset;		/* the refresher's alone: conn was reset but its
					 * session not set up (database_load.c) */
	bool evict_warned;		/* the refresher's alone: over max_memory with
					 * nothing to let go, said (database_evict.c) */
	struct timespec evicted_at;	/* the refresher's alone: when it last let go
					 * (CLOCK_MONOTONIC; 0: never) */
	struct listener *listener;	/* model_lock (status reads it), written by the
					 * refresher, which reads it without: the
					 * DB_NOTIFY_CHANNEL listener, or NULL; stopped by
					 * the refresher or, after it, database_close */
};

/* Connects and reads the first snapshot, in the calling thread, so that
 * errors reach the terminal before the daemon detaches. Sets cfg->name from
 * the server when it is NULL. Keeps mtimes in STATE_DIR/<name>/ when
 * STATE_DIR is not NULL. MAP_LATER: the read may show the tree before its
 * dependency map is in, which a thread of its own goes on reading
 * (catalog_finish_deps()); false when the process forks after this
 * (fuse_daemonize()), which no thread survives. Returns 0, or -1 with one
 * line in ERR. */
int database_open(struct database *db, struct db_config *cfg, const char *state_dir, bool map_later,
		  char *err, size_t errlen);

/* Starts the refresher thread (after daemonizing: threads do not survive fork). */
int database_start(struct database *db, db_changed_fn changed, void *ctx);

/* The current tree, with a reference the caller drops with tree_unref(). */
struct tree *database_tree(struct database *db);

/* True when T is the current tree and the kernel has taken the cache
 * invalidations of what it changed. Until then the kernel may hold an old
 * st_size for a changed file, and a read through its page cache would stop
 * there: fsops opens such a reader with direct_io. */
bool database_tree_shown(struct database *db, const struct tree *t);

/* For edit.c, with model_lock held: rebuilds the desired catalog from cat
 * and stage, and publishes its tree. The kernel caches of changed paths are
 * queued for dropping: call database_settle() once the locks are released. */
void database_publish(struct database *db);

/* With none of the database's locks held: waits (at most
 * DB_INVAL_WAIT_SECONDS, logged when exceeded) until every kernel cache
 * invalidation queued so far was delivered, so that the change a call made
 * is visible when it returns. */
void database_settle(struct database *db);

/* For edit.c, with work_lock held: the work connection, (re)connected as
 * needed; NULL with ERR when the server cannot be reached. */
PGconn *database_work_conn(struct database *db, char *err, size_t errlen);

/* What a catalog of CFG's database is read with (*OUT; it points into
 * CFG): the refresher's and the shadow's replay check's (shadow.h). */
void database_filter(const struct db_config *cfg, struct catalog_filter *out);

/* Asks for a refresh and waits (at most SECONDS) until one that began after
 * the call has finished and its tree is in place. No lock held. False when
 * it did not happen in time or the server could not be read. GIVE_UP (the
 * caller committed DDL just before): a cycle in flight, which may have
 * read before that commit, gives up instead of being finished and shown
 * first (README "What an apply costs"). */
bool database_refresh_wait(struct database *db, double seconds, bool give_up);

/* Stops the thread, closes the connection, frees the trees. */
void database_close(struct database *db);

#endif
