/*
 * shadow_internal.h: what shadow.c (the thread, the callers' side) and the
 * files that talk to the shadow share: shadow_conn.c (its sessions),
 * shadow_load.c (reloads, replays, the read back) and shadow_dry.c (dry
 * runs). Not for other modules.
 */
#ifndef SCHEMAFS_SHADOW_INTERNAL_H
#define SCHEMAFS_SHADOW_INTERNAL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"
#include "shadow.h"

struct catalog;
struct migrate_opts;

/* Reloads and dry runs of every daemon on this shadow take this advisory
 * lock (exclusive to reload, shared to dry-run): two mounts of one database
 * share its shadow, and a dry run must never see a reload half done. */
#define SHADOW_LOCK_KEY "7315926400181"
/* A shadow that could not be had is tried again after this long (or at
 * once when the schema changes). */
#define SHADOW_RETRY_SECONDS 30
/* Results kept: the pending files' and recent apply checks'. */
#define SHADOW_MAX_RESULTS 256

struct result {
	char key[SHA256_HEX_LEN + 1];
	int rc;		/* 0 passes (or not run: NOTE), -ECANCELED fails, ... */
	char *lines;	/* status lines, each "    ...\n" */
	char *why;	/* "fails at statement K of N (line L): ...", NULL when it passes */
	char *full;	/* the refusal's words (migrate.c's), NULL when it passes */
	struct result *next;
};

struct file {
	char *name, *sql;
	size_t len;
	bool generated;
	char sha[SHA256_HEX_LEN + 1];
};

struct request {
	unsigned long id;
	struct file f;
	bool done;
	int rc;
	char *why;
	struct request *next;
};

enum state { SH_LOADING, SH_READY, SH_NONE };

struct shadow {
	const struct db_config *cfg;	/* constant */
	char name[256];			/* the shadow's database name, for status */
	char identity[64];		/* the real database's: never reload that one */
	char dbname[256];		/* the real database's name */
	shadow_changed_fn changed;
	void *ctx;
	pthread_t thread;
	bool started;			/* shadow_start()'s */
	PGconn *conn;			/* thread only */
	PGresult *settings;		/* thread only: the real database's own
					 * settings, read at conn's connect and
					 * again at each renewal of its session
					 * (copy_settings, shadow_renew_session
					 * in shadow_conn.c) */
	PGconn *reader;			/* thread only: reads the shadow's catalog
					 * back, and runs nothing else, so that its
					 * prepared statements live on (pg_stmt_keep) */
	char *reader_settings;		/* thread only: the settings the reader
					 * took (shadow_settings_key()), malloc'd */
	bool reader_warned;		/* thread only: its failure to open was logged
					 * (once until it opens again) */

	pthread_mutex_t lock;		/* everything below; a leaf */
	pthread_cond_t cond;
	bool stopping;
	char *schema;			/* wanted content, or NULL before the first */
	char schema_hash[SHA256_HEX_LEN + 1];
	char loaded_hash[SHA256_HEX_LEN + 1];	/* what the shadow holds, "" none */
	bool dirty;			/* reload even with the same hash */
	bool schema_due;		/* the live snapshot changed and its schema
					 * is not handed in yet (shadow_schema_due):
					 * not ready meanwhile */
	enum state state;
	char why[1024];			/* SH_NONE's reason, or the last reload's failure */
	double load_ms;
	struct timespec retry_at;	/* CLOCK_MONOTONIC */
	struct file *files;		/* pending, by name */
	size_t nfiles;
	struct result *results;		/* newest first */
	struct request *requests;	/* the waiters' (on their stacks) */
	bool applying;			/* between shadow_apply_begin and _end */
	struct file applying_file;	/* its file, while applying */
	struct file *replays;		/* committed, to replay, in order */
	size_t nreplays;
	char ahead_of[SHA256_HEX_LEN + 1];	/* a replay ran before the live snapshot
					 * after its commit came: the live hash then,
					 * "" none (see need_reload) */
	struct timespec ahead_until;	/* CLOCK_MONOTONIC: waited for at most */
	struct catalog *cat;		/* thread only: the shadow's catalog as the
					 * last replay read it (NULL after a reload),
					 * for the next one's incremental read */
	unsigned long next_id;
};

static inline char *shadow_strndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (!d)
		abort();
	return d;
}

/* The thread only, no lock held. */

/* shadow_conn.c */

/* The thread's session on the shadow (s->conn), connected (and the
 * database created) first when needed, with the real database's own
 * settings; NULL with ERR. Owned by S. */
PGconn *shadow_session(struct shadow *s, char *err, size_t errlen);
/* The real database's settings, as last read into s->settings, on C. */
void shadow_apply_settings(struct shadow *s, PGconn *c);
/* After a replay: s->conn back as a new session would be, or closed. */
void shadow_renew_session(struct shadow *s);
/* The settings of RES as one string (malloc'd), to tell whether a
 * session took these. */
char *shadow_settings_key(const PGresult *res);
/* Marks the shadow C is connected to as holding HASH (or "loading",
 * "replaying"). 0, or -1 with MSG. */
int shadow_set_loaded(PGconn *c, const char *hash, char *msg, size_t msglen);
/* A new connection to the shadow (not the thread's: any thread may call
 * this), or NULL with ERR. The caller pg_finish()es it. */
PGconn *shadow_connect_new(struct shadow *s, char *err, size_t errlen);
/* Does the shadow C is connected to hold the schema HASH? */
bool shadow_holds(PGconn *c, const char *hash);

/* shadow_dry.c */

/* How file F runs on the shadow: as migrate.c runs it on the database. */
struct migrate_opts shadow_migrate_opts(const struct shadow *s, const struct file *f);

/* Dry-runs FILES[0..n) in order in one rolled-back transaction on the
 * schema HASH; R (its key set by the caller) gets the last file's result.
 * False, with no result, when the shadow cannot be reached or holds
 * another schema (it is marked for a reload). */
bool shadow_dry_run(struct shadow *s, const char *hash, const struct file *files, size_t n, struct result *r);

/* shadow_load.c */

/* Empties the shadow and loads SCHEMA (its SHA-256 HASH). 0, or -errno
 * with one line in ERR. */
int shadow_reload(struct shadow *s, const char *schema, const char *hash, char *err, size_t errlen);

/* Runs FILES[0..n) on the shadow holding FROM and commits; reads its
 * catalog back (incrementally from s->cat, which it replaces) and marks it
 * as holding what its own schema.sql hashes to (OUT). 0, or -errno with
 * ERR: the caller reloads the shadow then. */
int shadow_replay(struct shadow *s, const struct file *files, size_t n, const char *from,
		  char out[SHA256_HEX_LEN + 1], char *err, size_t errlen);

#endif
