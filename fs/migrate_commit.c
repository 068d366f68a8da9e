/*
 * migrate_commit.c: a COMMIT whose connection was lost. Whether the
 * server committed is asked on new connections: the old backend is ended
 * and waited for, then the tracking row looked for. See migrate_int.h.
 */
#include "migrate_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "pg.h"

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* This thread's bound for the next query: what is left until END, at
 * least a second. */
static void bound_until(long long end)
{
	long long left = end - mono_ms();
	pg_bound_set(left > 1000 ? (int)left : 1000);
}

/* On C (a new connection): 1 when the tracking row of HASH is there, 0
 * when not, -1 when that cannot be known yet. The old backend OLD_PID is
 * ended and waited for first: until it is gone it may still be about to
 * commit (the COMMIT reached it) or hold the open transaction (it did not),
 * and only then is the row's absence final. */
static int row_there(struct run *u, PGconn *c, const char *hash, int old_pid, long long end, char *why,
		     size_t whylen)
{
	char pid[16];
	snprintf(pid, sizeof pid, "%d", old_pid);
	const char *pp[] = { pid };
	static const char ALIVE[] = "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid = $1::int";
	bound_until(end);
	/* Not allowed (another role's backend): then only waited for. */
	PQclear(pg_exec(c, "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity"
			" WHERE pid = $1::int", 1, pp, why, whylen));
	for (;;) {
		bound_until(end);
		PGresult *res = pg_exec(c, ALIVE, 1, pp, why, whylen);
		if (!res)
			return -1;
		bool alive = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
		PQclear(res);
		if (!alive)
			break;
		if (mono_ms() >= end) {
			snprintf(why, whylen, "the old session (pid %d) is still there", old_pid);
			return -1;
		}
		nap_ms(100);
	}
	/* Created in the lost transaction: not committed. */
	char table[600];
	snprintf(table, sizeof table, "%s.%s", u->t.qs, u->t.qt);
	const char *tp[] = { table };
	bound_until(end);
	PGresult *res = pg_exec(c, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, tp, why, whylen);
	if (!res)
		return -1;
	bool exists = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!exists)
		return 0;
	struct track_run t = u->t;	/* the tracker's question, on C */
	t.conn = c;
	long long id = 0;
	bound_until(end);
	int found = u->tk->is_recorded(&t, hash, &id);
	if (found > 0)
		u->r->id = id;
	if (found < 0) {
		snprintf(why, whylen, "%.480s", u->r->message);
		return -1;
	}
	return found;
}

/* The line broke while the COMMIT was in flight: whether the server
 * committed is asked on new connections for up to
 * MIGRATE_OUTCOME_WAIT_MS. 1 applied, 0 not, -1 unknown (WHY). */
static int commit_outcome(struct run *u, const char *hash, int old_pid, char *why, size_t whylen)
{
	long long end = mono_ms() + MIGRATE_OUTCOME_WAIT_MS;
	int saved = pg_bound_set(0), found = -1;
	snprintf(why, whylen, "no connection string");
	int ct = u->o->connect_timeout > 0 && u->o->connect_timeout < 5 ? u->o->connect_timeout : 5;
	while (u->o->conninfo) {
		bound_until(end);
		PGconn *c = pg_connect(u->o->conninfo, ct, why, whylen);
		if (c) {
			found = row_there(u, c, hash, old_pid, end, why, whylen);
			pg_finish(c);
		}
		if (found >= 0 || mono_ms() >= end)
			break;
		nap_ms(500);
	}
	pg_bound_set(saved);
	return found;
}

/* After the connection was lost during the COMMIT (ERR: how): the truth,
 * or that it is unknown. Never runs the file again. */
int migrate_commit_lost(struct run *u, const char *hash, int old_pid, const char *err, bool ran_alone)
{
	char why[512];
	u->lost_commit = true;
	int found = commit_outcome(u, hash, old_pid, why, sizeof why);
	if (found > 0) {
		migrate_say(u, "the connection was lost during the COMMIT of %s (%s); on reconnecting, its tracking row "
		    "#%lld was found: %s is applied as %s (created_at %lld)", u->name, err, u->r->id, u->name,
		    u->r->tag, u->t.when);
		return 0;
	}
	if (found == 0 && ran_alone) {
		if (u->tk->undo_folder)
			u->tk->undo_folder(&u->t);
		migrate_say(u, "%s ran outside a transaction, but the connection was lost during the COMMIT of its tracking "
		    "row (%s) and the row is not there: the file's statement took effect unrecorded; check the "
		    "database", u->name, err);
		return -EIO;
	}
	if (found == 0) {
		if (u->tk->undo_folder)
			u->tk->undo_folder(&u->t);
		migrate_say(u, "the connection was lost during the COMMIT of %s (%s); on reconnecting, its tracking row "
		    "was not there: the server did not commit, nothing was applied%s", u->name, err,
		    u->o->migrations_dir ? " (the journal entry was taken back)" : "");
		return -EIO;
	}
	migrate_say(u, "the connection was lost during the COMMIT of %s (%s) and whether the server committed could not "
	    "be found out within %d s (%s): the outcome is unknown. migrations/applied/ shows it once the "
	    "server answers if it was applied; applying the file again is safe: its hash is checked first, it "
	    "never runs twice", u->name, err, MIGRATE_OUTCOME_WAIT_MS / 1000, why);
	return -EIO;
}
