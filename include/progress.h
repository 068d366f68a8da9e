/*
 * progress: what a running migration is doing, for migrations/status.
 *
 * Two writers, one reader, none of them waiting for the server while it
 * holds the lock:
 *   - the migration runner (migrate.c, holding the database's work_lock)
 *     records the step it is at: the file, "statement K of N" and its first
 *     line, when it began (progress_begin, progress_step, progress_end);
 *   - the database's monitor (the refresher thread, over its own
 *     connection) adds what that step waits for: the backends
 *     pg_blocking_pids() names, and pg_stat_progress_create_index's phase
 *     (progress_set_waits);
 *   - rendering status copies it all out (progress_snapshot) and formats
 *     it (progress_render: pure, unit-tested).
 * Everything in struct progress is protected by its own `lock`, a leaf:
 * nothing else is taken while it is held.
 *
 * Knows no FUSE; only progress_query_waits (progress_watch.c) asks the server.
 */
#ifndef SCHEMAFS_PROGRESS_H
#define SCHEMAFS_PROGRESS_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct strbuf;

/* First lines of SQL are cut to this many bytes (at a UTF-8 boundary). */
#define PROGRESS_LINE_MAX 100
#define PROGRESS_MAX_BLOCKERS 8

struct progress_blocker {
	int pid;
	char app[64];			/* application_name */
	char state[32];			/* pg_stat_activity.state */
	char query[PROGRESS_LINE_MAX + 8];	/* its first line, cut */
};

/* What status shows of a running migration: a copy, no pointers. */
struct progress_facts {
	char file[256];
	int stmt, nstmts;		/* 1-based; stmt 0: a step of schemafs's own */
	char text[PROGRESS_LINE_MAX + 8];	/* the statement's first line, cut; or the
					 * step ("taking the migration lock") */
	double seconds, stmt_seconds;	/* since the file, and the step, began */
	int backend_pid;		/* the migration's backend */
	bool waits_known;		/* the monitor looked at this step */
	struct progress_blocker blockers[PROGRESS_MAX_BLOCKERS];
	size_t nblockers;		/* shown */
	size_t nblockers_all;		/* there were (more are counted, not shown) */
	bool index;			/* a row of pg_stat_progress_create_index */
	char phase[64];
	long long blocks_done, blocks_total, tuples_done, tuples_total;
};

struct progress {
	pthread_mutex_t lock;
	bool running;			/* lock */
	unsigned long step;		/* lock; counts steps, so that waits gathered for
					 * one are not shown under the next */
	struct timespec began, step_began;	/* lock; CLOCK_MONOTONIC */
	struct progress_facts f;	/* lock */
	void (*wake)(void *ctx);	/* called (lock not held) when a migration begins:
					 * the monitor starts watching; set by
					 * progress_init, then constant */
	void *wake_ctx;
};

void progress_init(struct progress *p, void (*wake)(void *ctx), void *ctx);
void progress_destroy(struct progress *p);

/* The runner's side. P may be NULL (nobody watches): then they do nothing. */
void progress_begin(struct progress *p, const char *file, int backend_pid);
/* Statement K of N (K >= 1), its text SQL (LEN bytes, from its first
 * keyword); or, with K == 0, a step of schemafs's own named by SQL. */
void progress_step(struct progress *p, int k, int n, const char *sql, size_t len);
void progress_end(struct progress *p);

/* The monitor's side: true (with the backend's pid, the step and the
 * seconds since the migration began) while a migration runs. */
bool progress_watch(struct progress *p, int *backend_pid, unsigned long *step, double *seconds);
/* What step STEP waits for (F's waits_known, blockers and index fields);
 * ignored when the migration has moved on. */
void progress_set_waits(struct progress *p, unsigned long step, const struct progress_facts *f);

/* A copy for rendering, with the times as of now; false when nothing runs. */
bool progress_snapshot(struct progress *p, struct progress_facts *out);

/* Appends F as status lines (pure):
 *   migration running: FILE (backend pid P), for S s
 *     statement K of N, for S s: FIRST LINE
 *     waiting for: pid P (APP, STATE): FIRST LINE      (one per blocker)
 *     phase: PHASE, D% (blocks X of Y)                 (index builds) */
void progress_render(struct strbuf *sb, const struct progress_facts *f);

/* The first line of TEXT (LEN bytes) past leading white space, cut to
 * MAX bytes at a UTF-8 character boundary ("..." appended when cut), into
 * OUT (OUTLEN >= MAX + 4). Pure. */
void progress_first_line(char *out, size_t outlen, const char *text, size_t len, size_t max);

/* progress_watch.c, the monitor's query (libpq, no lock held): fills F's
 * blockers (pg_blocking_pids of PID with pg_stat_activity) and index
 * fields (pg_stat_progress_create_index) over CONN, which must not be the
 * migration's. 0, or -1 with ERR. */
int progress_query_waits(PGconn *conn, int pid, struct progress_facts *f, char *err, size_t errlen);

#endif
