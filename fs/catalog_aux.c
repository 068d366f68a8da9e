/*
 * catalog_aux.c: three of a full load's longest queries on a second
 * connection.
 *
 * A full read runs its queries one after the other, so the server works on
 * one core. At 10,000 tables that was 3.6 s. The indexes', constraints'
 * and columns' queries (0.6, 0.4 and 0.3 s there) need nothing the other
 * queries return, only the schemas' OIDs. So, once the change query has
 * counted the relations, the loader exports its snapshot
 * (pg_export_snapshot()), and a thread opens a second connection to the
 * same server, imports the snapshot (SET TRANSACTION SNAPSHOT, as pg_dump
 * -j does: the very same rows) and runs those queries while the loader
 * runs the others (the dependency map, 0.75 s, among them). The loader
 * takes each result as soon as it is there, between its own queries
 * (aux_ready(), load_aux_parts()). A mount's first read in the foreground
 * gives it the indexes and the dependency map instead (aux_start_parts()),
 * and the catalog keeps it until the refresher takes the map
 * (catalog_finish_deps()).
 *
 * Anything that goes wrong on the second connection (it cannot connect:
 * max_connections, a role's connection limit, a pooler; the snapshot is
 * not there: another server) only means that the loader runs the query
 * itself, as it always did: the result is the same either way. The reason
 * is logged once per load. The loader never waits for a query the thread
 * has not started: it takes it back and runs it (aux_take); nor for one
 * running there once its read gives up (an apply made it stale): aux_end
 * cancels that one. A connection still opening is given up within 100 ms
 * once the loader is done. The export itself runs in the loader's
 * transaction, so it is only called when allowed (a failure there would
 * abort the read; catalog.c reads again on one connection if it fails
 * anyway).
 */
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "clock.h"
#include "log.h"
#include "memlog.h"
#include "thread.h"
#include "pg.h"
#include "pgversion.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AUX_MAX 4

enum aux_state { AUX_QUEUED, AUX_RUNNING, AUX_DONE, AUX_CLAIMED };

/* The settings by which the deparsers print constants and names (a
 * default's date, a CHECK's float, bytea or money, quote_all_identifiers):
 * a new connection takes the database's and role's defaults as they are
 * now, while the loader's session may have others (set before an ALTER
 * DATABASE ... SET, or by the shadow's reader). The second connection
 * takes the loader's, read in the export's round trip, so that what it
 * reads prints as the loader would print it. */
#define AUX_NSETTINGS 7	/* SQL_AUX_SNAPSHOT's and SQL_AUX_SETTINGS' */
#define AUX_CUR(name) ", pg_catalog.current_setting('" name "')"
#define AUX_SET(name, n) ", pg_catalog.set_config('" name "', $" #n ", true)"
/* The same settings in the same order, in the second connection's
 * transaction, with its search_path (the loader's reads set theirs so). */
#define SQL_AUX_SETTINGS "SELECT pg_catalog.set_config('search_path', 'public', true)" AUX_SET("DateStyle", 1) \
	AUX_SET("IntervalStyle", 2) AUX_SET("TimeZone", 3) AUX_SET("extra_float_digits", 4) \
	AUX_SET("bytea_output", 5) AUX_SET("lc_monetary", 6) AUX_SET("quote_all_identifiers", 7)

struct aux_query {
	const char *tmpl;		/* the key run() is called with */
	const char *text;		/* expanded for the server (pgv_sql_for) */
	int nparams;
	const char *params[2];		/* the loader's strings (arena): live until aux_end */
	enum aux_state state;		/* under lock; CLAIMED: the loader runs it
					 * (after a give-up, it runs it while the
					 * state here stays RUNNING) */
	PGresult *res;			/* under lock; NULL once DONE: failed there */
	bool used;			/* taken with a result (loader only) */
	int rows;			/* its rows, when used (logged) */
	bool cut;			/* under lock: it failed there once aux_end()
					 * asked the thread to stop (its cancel) */
	bool later;			/* aux_want's */
};

struct aux {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	_Atomic bool stop;		/* aux_end(): skip what is left */
	bool finished;			/* under lock: the thread is past its last query */
	PGcancel *cancel;		/* set under lock once connected, then kept
					 * until aux_free (aux_end uses it unlocked);
					 * a cancel after its connection ended is
					 * ignored by the server */
	char **keys, **vals;		/* the connection's options (owned) */
	char *snapshot;			/* the loader's exported snapshot (owned) */
	char *settings[AUX_NSETTINGS];	/* the loader's (SQL_AUX_SNAPSHOT; owned) */
	struct aux_query q[AUX_MAX];
	size_t nq;
	char err[1024];			/* under lock: the first failure */
	bool failed;			/* under lock */
	bool quiet;			/* aux_start_on(): of the test hooks, only
					 * SCHEMAFS_TEST_AUX_WAIT's queries given
					 * before the start (no wait for its file,
					 * no sleeps), and aux_end() logs a failure
					 * only */
};

/* The loader's connection, again: the same options, but the server it is
 * connected to (a list of hosts, or a name with several addresses, could
 * pick another one, whose snapshots are not this one's). host stays, for
 * TLS's name check. */
static int conn_options(struct aux *a, PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn);
	if (!opts)
		return -1;
	size_t n = 0;	/* PQconninfo lists every option libpq knows, hostaddr too */
	for (PQconninfoOption *o = opts; o->keyword; o++)
		n++;
	a->keys = calloc(n + 1, sizeof *a->keys);
	a->vals = calloc(n + 1, sizeof *a->vals);
	if (!a->keys || !a->vals) {
		PQconninfoFree(opts);
		return -1;
	}
	const char *addr = PQhostaddr(conn);
	size_t k = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = o->val;
		if (!strcmp(o->keyword, "host"))
			v = PQhost(conn);
		else if (!strcmp(o->keyword, "port"))
			v = PQport(conn);
		else if (!strcmp(o->keyword, "hostaddr"))
			v = addr;
		if (!v || !*v)
			continue;
		if (!(a->keys[k] = strdup(o->keyword)) || !(a->vals[k] = strdup(v))) {
			PQconninfoFree(opts);
			return -1;
		}
		k++;
	}
	PQconninfoFree(opts);
	return 0;
}

/* MSG without the password (libpq's messages do not quote it; kept out
 * anyway, as pg_redact() does for the configured conninfo). */
static void redact(const struct aux *a, char *msg, size_t msglen)
{
	for (size_t i = 0; a->keys[i]; i++)
		if (!strcmp(a->keys[i], "password"))
			pg_redact_password(a->vals[i], msg, msglen);
}

static void fail(struct aux *a, const char *what, const char *why)
{
	if (a->stop)
		return;	/* the loader gave up: nothing to say */
	char msg[sizeof a->err];
	snprintf(msg, sizeof msg, "%s: %s", what, why);
	redact(a, msg, sizeof msg);
	pthread_mutex_lock(&a->lock);
	if (!a->failed)
		memcpy(a->err, msg, sizeof msg);
	a->failed = true;
	pthread_mutex_unlock(&a->lock);
}

/* Connects without blocking for longer than 100 ms at a time, so that a
 * loader done without this connection does not wait for it to open: NULL
 * when a->stop is set meanwhile, or past connect_timeout (libpq leaves
 * that bound to the caller of PQconnectPoll). */
static PGconn *connect_polled(struct aux *a, int timeout_s)
{
	PGconn *c = PQconnectStartParams((const char *const *)a->keys, (const char *const *)a->vals, 0);
	if (!c)
		return NULL;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (a->stop || (timeout_s > 0 && t.tv_sec - t0.tv_sec >= timeout_s))
			break;
		/* No socket yet: libpq moves on at its next poll. */
		struct pollfd pfd = { PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0 };
		int r = pfd.fd < 0 ? 1 : poll(&pfd, 1, 100);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			st = PQconnectPoll(c);
	}
	return c;
}

static void test_wait(void);

/* Opens the connection in the loader's snapshot, or NULL (reason in
 * a->err). */
static PGconn *aux_connect(struct aux *a)
{
	char err[512];
	int timeout_s = 10;
	for (size_t i = 0; a->keys[i]; i++)
		if (!strcmp(a->keys[i], "connect_timeout"))
			timeout_s = atoi(a->vals[i]);
	PGconn *c = connect_polled(a, timeout_s);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		fail(a, "cannot open a second connection",
		     !c ? "out of memory" : PQstatus(c) == CONNECTION_BAD ? pg_error(c) : "connect_timeout reached");
		pg_finish(c);
		return NULL;
	}
	/* The snapshot's name is the server's own text (pg_export_snapshot),
	 * and SET TRANSACTION SNAPSHOT takes no parameter: quoted by libpq. */
	char *lit = PQescapeLiteral(c, a->snapshot, strlen(a->snapshot));
	char set[160];
	snprintf(set, sizeof set, "SET TRANSACTION SNAPSHOT %s", lit ? lit : "''");
	PQfreemem(lit);
	if (!a->quiet)
		test_wait();
	if (a->stop) {
		pg_finish(c);
		return NULL;
	}
	PGresult *res = NULL;
	if (pg_session_setup(c, err, sizeof err) ||
	    pg_command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, sizeof err) ||
	    pg_command(c, set, err, sizeof err) ||
	    !(res = pg_exec(c, SQL_AUX_SETTINGS, AUX_NSETTINGS, (const char *const *)a->settings, err, sizeof err))) {
		fail(a, "cannot read in the same snapshot on a second connection", err);
		pg_finish(c);
		return NULL;
	}
	PQclear(res);
	pthread_mutex_lock(&a->lock);
	a->cancel = PQgetCancel(c);
	pthread_mutex_unlock(&a->lock);
	return c;
}

/* Test hook: SCHEMAFS_TEST_AUX_WAIT=PATH gives the thread every query
 * before it starts (aux_start: the loader then waits for them, so what
 * runs where does not depend on which thread is first), but those after a
 * mount's dependency map (the constraints), which the loader takes back
 * at once, and makes it,
 * once connected but before it begins its transaction, log "aux: waiting
 * for PATH" and wait up to 60 s for PATH to exist: DDL a test commits then
 * is after the loader's snapshot, which the thread must still read in. Off
 * by default. */
static const char *test_wait_path(void)
{
	const char *path = getenv("SCHEMAFS_TEST_AUX_WAIT");
	return path && *path ? path : NULL;
}

static void test_wait(void)
{
	const char *path = test_wait_path();
	if (!path)
		return;
	log_info("aux: waiting for %s", path);
	struct stat st;
	for (int i = 0; i < 3000 && stat(path, &st); i++)
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
}

/* Test hooks: SCHEMAFS_TEST_AUX_SLOW=PATH: when PATH exists as the thread
 * starts its first query, it logs "aux: sleeping (PATH)" and runs
 * pg_sleep(60) on the server first, as part of that query (RUNNING
 * meanwhile): a query there still running when the loader gives up or
 * fails, which aux_end must cancel (33_parallel_read).
 * SCHEMAFS_TEST_AUX_SLOW_MAP=PATH: the same before a mount's dependency
 * map (the query the read goes on without: aux_want's later), logging
 * "aux: sleeping before the map (PATH)". Off by default. False, with
 * ERR, when the sleep ended in an error. */
static bool test_slow(PGconn *c, const char *var, char *err, size_t errlen)
{
	const char *path = getenv(var);
	struct stat st;
	if (!path || !*path || stat(path, &st))
		return true;
	log_info("aux: sleeping %s(%s)", strcmp(var, "SCHEMAFS_TEST_AUX_SLOW") ? "before the map " : "", path);
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_sleep(60)", 0, NULL, err, errlen);
	PQclear(res);
	return res != NULL;
}

static void *aux_main(void *arg)
{
	struct aux *a = arg;
	pg_give_up_set(&a->stop);
	PGconn *c = a->stop ? NULL : aux_connect(a);
	bool started = false;
	for (size_t i = 0; i < a->nq; i++) {
		struct aux_query *q = &a->q[i];
		pthread_mutex_lock(&a->lock);
		/* RUNNING already: given before the start (the test hook). */
		bool mine = q->state == AUX_QUEUED || q->state == AUX_RUNNING;
		if (mine && (!c || a->stop))
			mine = false;
		if (q->state == AUX_QUEUED || q->state == AUX_RUNNING)
			q->state = mine ? AUX_RUNNING : AUX_DONE;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		if (!mine)
			continue;
		char err[512];
		bool first = !started;
		started = true;
		bool go = a->quiet ||
			  ((!first || test_slow(c, "SCHEMAFS_TEST_AUX_SLOW", err, sizeof err)) &&
			   (!q->later || test_slow(c, "SCHEMAFS_TEST_AUX_SLOW_MAP", err, sizeof err)));
		PGresult *res = go ? pg_exec(c, q->text, q->nparams, q->params, err, sizeof err) : NULL;
		if (!res) {
			fail(a, "a query on the second connection failed", err);
			pg_finish(c);
			c = NULL;
		}
		pthread_mutex_lock(&a->lock);
		q->res = res;
		q->cut = !res && a->stop;
		q->state = AUX_DONE;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
	}
	pthread_mutex_lock(&a->lock);
	a->finished = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pg_finish(c);	/* ends its read-only transaction */
	return NULL;
}

static void aux_free(struct aux *a)
{
	for (size_t i = 0; a->keys && a->keys[i]; i++)
		free(a->keys[i]);
	for (size_t i = 0; a->vals && a->vals[i]; i++)
		free(a->vals[i]);
	free(a->keys);
	free(a->vals);
	free(a->snapshot);
	PQfreeCancel(a->cancel);
	for (int i = 0; i < AUX_NSETTINGS; i++)
		free(a->settings[i]);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* Whether the role may export the snapshot, asked first: a failed export
 * would abort the loader's transaction (no savepoint: a snapshot cannot
 * be exported from a subtransaction), and EXECUTE is checked when a query
 * starts, whatever branch of a CASE would call it. */
#define SQL_AUX_MAY \
	"SELECT pg_catalog.has_function_privilege(pg_catalog.to_regprocedure('pg_catalog.pg_export_snapshot()')," \
	" 'EXECUTE')"
#define SQL_AUX_SNAPSHOT "SELECT pg_catalog.pg_export_snapshot()" AUX_CUR("DateStyle") AUX_CUR("IntervalStyle") \
	AUX_CUR("TimeZone") AUX_CUR("extra_float_digits") AUX_CUR("bytea_output") AUX_CUR("lc_monetary") \
	AUX_CUR("quote_all_identifiers")


static struct aux *start(PGconn *conn, const struct aux_want *want, size_t n, bool quiet)
{
	if (n > AUX_MAX)
		n = AUX_MAX;
	const char *db = PQdb(conn);
	/* What goes on one connection, for the log. */
	const char *alone = quiet ? "the fingerprint on one connection" : "reading on one connection";
	char err[512];
	/* Neither this nor the export is counted in cat->queries: like
	 * BEGIN and set_config(), they read nothing the tree shows. */
	PGresult *res = pg_exec_static(conn, SQL_AUX_MAY, 0, NULL, err, sizeof err);
	if (!res) {
		log_info("%s: %s: cannot ask whether the role may export the snapshot: %s", db, alone, err);
		return NULL;
	}
	if (!col_bool(res, 0, 0)) {
		log_info("%s: %s: this role may not call pg_export_snapshot()", db, alone);
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	res = pg_exec_static(conn, SQL_AUX_SNAPSHOT, 0, NULL, err, sizeof err);
	if (!res) {
		log_info("%s: %s: cannot export the snapshot: %s", db, alone, err);
		return NULL;
	}
	struct aux *a = calloc(1, sizeof *a);
	if (!a) {
		PQclear(res);
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	a->snapshot = strdup(PQgetvalue(res, 0, 0));
	bool nomem = !a->snapshot;
	for (int i = 0; i < AUX_NSETTINGS; i++)
		nomem |= !(a->settings[i] = strdup(PQgetvalue(res, 0, i + 1)));
	PQclear(res);
	if (nomem || conn_options(a, conn)) {
		log_info("%s: %s: out of memory", db, alone);
		aux_free(a);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *text = pgv_sql_for(conn, want[i].tmpl);
		if (!text)
			continue;	/* the loader says why when it runs it */
		struct aux_query *q = &a->q[a->nq++];
		q->tmpl = want[i].tmpl;
		q->text = text;
		q->nparams = want[i].nparams;
		q->later = want[i].later;
		for (int p = 0; p < want[i].nparams && p < 2; p++)
			q->params[p] = want[i].params[p];
	}
	if (!a->nq) {
		aux_free(a);
		return NULL;
	}
	a->quiet = quiet;
	/* Also for the fingerprint's (QUIET): then it is waited for there,
	 * whichever thread is first (33_parallel_read counts it). */
	if (test_wait_path()) {
		bool after_map = false;
		for (size_t i = 0; i < a->nq; i++) {
			a->q[i].state = after_map ? AUX_CLAIMED : AUX_RUNNING;
			after_map |= a->q[i].later;
		}
	}
	int rc = thread_start(&a->thread, aux_main, a);
	if (rc) {
		log_info("%s: reading on one connection: cannot start a thread: %s", db, strerror(rc));
		aux_free(a);
		return NULL;
	}
	return a;
}

struct aux *aux_start(struct loader *ld, const struct aux_want *want, size_t n)
{
	return start(ld->conn, want, n, false);
}

struct aux *aux_start_on(PGconn *conn, const struct aux_want *want, size_t n)
{
	return start(conn, want, n, true);
}

static bool same_param(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

bool aux_take(struct aux *a, const char *tmpl, int nparams, const char *const *params, PGresult **res)
{
	*res = NULL;
	if (!a)
		return false;
	struct aux_query *q = NULL;
	for (size_t i = 0; i < a->nq && !q; i++)
		if ((a->q[i].tmpl == tmpl || !strcmp(a->q[i].tmpl, tmpl)) && a->q[i].nparams == nparams &&
		    (nparams < 1 || same_param(a->q[i].params[0], params[0])) &&
		    (nparams < 2 || same_param(a->q[i].params[1], params[1])))
			q = &a->q[i];
	if (!q)
		return false;
	pthread_mutex_lock(&a->lock);
	if (q->state == AUX_QUEUED)
		q->state = AUX_CLAIMED;	/* not started there: run here, now */
	while (q->state == AUX_RUNNING) {
		/* The loader's cycle gives up (an apply made it stale): not
		 * taken, so that it runs here and fails at once, and the
		 * loader's aux_end cancels it there. Else an apply would wait
		 * for that query (a full read's columns: 0.3 to 0.7 s at
		 * 10,000 tables) before the refresh that shows it could
		 * start. */
		if (pg_giving_up()) {
			pthread_mutex_unlock(&a->lock);
			return false;
		}
		struct timespec until = clock_after(CLOCK_REALTIME, 0.05);
		pthread_cond_timedwait(&a->cond, &a->lock, &until);
	}
	*res = q->res;
	q->res = NULL;
	q->used = *res != NULL;
	q->rows = *res ? PQntuples(*res) : 0;
	if (q->state == AUX_DONE)
		q->state = AUX_CLAIMED;	/* taken: a second take runs it here */
	pthread_mutex_unlock(&a->lock);
	return true;
}

/* A's query of TMPL (the key run() is called with), or NULL. */
static struct aux_query *query_of(struct aux *a, const char *tmpl)
{
	for (size_t i = 0; a && i < a->nq; i++)
		if (a->q[i].tmpl == tmpl || !strcmp(a->q[i].tmpl, tmpl))
			return &a->q[i];
	return NULL;
}

/* Under A's lock: whether TMPL's query is done there (USED false) or its
 * result was taken from there (USED true). False without A. */
static bool query_is(struct aux *a, const char *tmpl, bool used)
{
	struct aux_query *q = query_of(a, tmpl);
	if (!q)
		return false;
	pthread_mutex_lock(&a->lock);
	bool yes = used ? q->used : q->state == AUX_DONE;
	pthread_mutex_unlock(&a->lock);
	return yes;
}

bool aux_ready(struct aux *a, const char *tmpl)
{
	return query_is(a, tmpl, false);
}

bool aux_used(struct aux *a, const char *tmpl)
{
	return query_is(a, tmpl, true);
}

bool aux_has(struct aux *a, const char *tmpl)
{
	return query_of(a, tmpl) != NULL;
}

/* Whether TMPL's query is running there now (false without A). */
static bool aux_running(struct aux *a, const char *tmpl)
{
	struct aux_query *q = query_of(a, tmpl);
	if (!q)
		return false;
	pthread_mutex_lock(&a->lock);
	bool running = q->state == AUX_RUNNING;
	pthread_mutex_unlock(&a->lock);
	return running;
}

/* The relations' parts a full read of many relations leaves to its second
 * connection (catalog_aux.c), in the order that connection runs them. */
static const struct aux_part {
	const char *sql;
	void (*fill)(struct loader *, PGresult *, struct cat_relation *, int, int);
} aux_parts[] = {
	{ SQL_COLUMNS, fill_columns },
	{ SQL_INDEXES, fill_indexes },
	{ SQL_CONSTRAINTS, fill_constraints },
};
_Static_assert(sizeof aux_parts / sizeof aux_parts[0] == AUX_PARTS, "AUX_PARTS: aux_parts' size");

/* Loads those of aux_parts not DONE yet that the second connection has
 * finished, and the first WAIT ones whatever (run on this connection
 * when the second one is not there or failed them): taken as soon as
 * there, so that their rows are not held while this connection reads on.
 * They need only the relations loaded. The columns' (70,000 rows of 20
 * values at 10,000 tables, the largest result of a read but the
 * dependency map's) are waited for before that map is read: the two held
 * together were 15 to 40 MB more of peak at a full refresh there. Of the
 * WAIT ones, those running there come last: what that connection has not
 * begun is run here meanwhile (aux_take() takes it back). */
/* Loads aux_parts[I]. */
static int load_part(struct loader *ld, bool *done, size_t i)
{
	done[i] = true;
	if (load_rel_parts(ld, aux_parts[i].sql, aux_parts[i].fill))
		return -1;
	/* Its rows were malloc'ed by the second connection's thread, in an
	 * arena of its own: freed here, they stay resident, and the next
	 * large result (this thread's arena) adds to them, where on one
	 * connection it reused them (20 to 40 MB more of peak at a full
	 * refresh of 10,000 tables). */
	if (aux_used(ld->aux, aux_parts[i].sql))
		memlog_tidy();
	return 0;
}

int load_aux_parts(struct loader *ld, bool *done, size_t wait)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < AUX_PARTS; i++) {
			if (done[i])
				continue;
			bool ready = aux_ready(ld->aux, aux_parts[i].sql);
			if (!ready && (i >= wait || (pass == 0 && aux_running(ld->aux, aux_parts[i].sql))))
				continue;
			if (load_part(ld, done, i))
				return -1;
		}
	return 0;
}

struct aux *aux_start_parts(struct loader *ld, bool deps_later)
{
	struct aux_want want[AUX_PARTS + 1];
	for (size_t i = 0; i < AUX_PARTS; i++)
		want[i] = (struct aux_want){ aux_parts[i].sql, 2, { ld->schema_oids, NULL }, false };
	if (!deps_later)
		return aux_start(ld, want, AUX_PARTS);
	/* The map (1.4 to 2 s of the server's time at 10,000 tables) right
	 * after the indexes: the loader, which reads the columns itself
	 * then, takes back the constraints once it has read the rest
	 * (load_aux_parts()), and waits for the indexes alone; schema.sql,
	 * which waits for the map, comes about when it did. Measured at
	 * 10,000 tables (four mounts each): the mount 4.2 s against 4.7,
	 * mount and cat schema.sql 5.0 against 5.1; the map last showed the
	 * mount at 4.25 s but schema.sql at 5.8, the map first at 4.95 and
	 * 5.4 (the loader then waited for the indexes or the constraints). */
	want[0] = want[1];
	want[1] = deps_aux_want(ld);
	return aux_start(ld, want, AUX_PARTS);
}

bool aux_end(struct aux *a, const char *dbname)
{
	if (!a)
		return false;
	a->stop = true;
	/* A cancel that reaches the server before the query does is lost:
	 * sent again until the thread is through. */
	pthread_mutex_lock(&a->lock);
	while (!a->finished) {
		bool running = false;
		for (size_t i = 0; i < a->nq; i++)
			running |= a->q[i].state == AUX_RUNNING;
		if (running && a->cancel) {
			/* Not under the lock: PQcancel connects to the server,
			 * which can take as long as a connection can, and the
			 * thread needs the lock to end its query. */
			PGcancel *cancel = a->cancel;
			char buf[256];
			pthread_mutex_unlock(&a->lock);
			PQcancel(cancel, buf, sizeof buf);
			pthread_mutex_lock(&a->lock);
			if (a->finished)
				break;
		}
		struct timespec until = clock_after(CLOCK_REALTIME, 0.2);
		pthread_cond_timedwait(&a->cond, &a->lock, &until);
	}
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	size_t used = 0;
	bool cut = false;	/* joined: no lock needed */
	char rows[64] = "";
	for (size_t i = 0; i < a->nq; i++) {
		used += a->q[i].used;
		cut |= a->q[i].cut;
		if (a->q[i].used)
			snprintf(rows + strlen(rows), sizeof rows - strlen(rows), "%s%d", *rows ? " " : "", a->q[i].rows);
		PQclear(a->q[i].res);
	}
	if (a->failed && a->quiet)
		log_info("%s: the fingerprint on one connection: %s", dbname, a->err);
	else if (a->failed)
		log_info("%s: read the rest on one connection: %s", dbname, a->err);
	else if (!a->quiet)
		log_info("%s: %zu of the read's queries ran on a second connection (rows: %s)%s", dbname, used, rows,
			 cut ? "; the read stopped, and the query running there was cancelled" : "");
	bool failed = a->failed;	/* joined: no lock needed */
	aux_free(a);
	return failed;
}
