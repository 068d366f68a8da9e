/*
 * migrate_int.h: what migrate.c and migrate_commit.c share, the state of
 * one migration's run. Not for other callers: include/migrate.h is the
 * interface.
 */
#ifndef SCHEMAFS_MIGRATE_INT_H
#define SCHEMAFS_MIGRATE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "migrate.h"
#include "track.h"

/* One apply or dry run, on the caller's stack; one thread. */
struct run {
	struct track_run t;			/* first: what the tracker sees */
	const struct tracker *tk;
	PGconn *conn;
	const struct migrate_opts *o;
	struct migrate_result *r;
	char key[32];				/* the advisory lock key */
	const char *file, *name;
	size_t len;
	size_t fail_off, fail_len;		/* the statement that failed */
	int pid;				/* the backend that would commit */
	bool lost_commit;			/* the line broke during the COMMIT */
	size_t fail_k;				/* its number (1-based), 0: none */
	int fail_line;
	char fail_msg[1024];			/* PostgreSQL's message, detail, hint */
	migrate_each_fn each;			/* migrate_dry_run's: after each statement */
	void *each_ctx;
};

/* Sets the result's message (u->r->message, truncated to its size). */
void migrate_say(struct run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After the connection was lost during the COMMIT of HASH's run (ERR:
 * how; OLD_PID the backend that would have committed; RAN_ALONE: the
 * file ran outside a transaction): finds out on new connections whether
 * the server committed, within MIGRATE_OUTCOME_WAIT_MS, and says so. 0
 * when it did (applied), else -EIO. Never runs the file again
 * (migrate_commit.c). */
int migrate_commit_lost(struct run *u, const char *hash, int old_pid, const char *err, bool ran_alone);

#endif
