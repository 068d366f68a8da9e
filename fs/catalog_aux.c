/*
 * catalog_aux.c: a full load's two longest queries on a second connection.
 *
 * A full read runs its queries one after the other, so the server works on
 * one core. At 10,000 tables that is 3.6 s, and two queries are half of
 * it: the dependency map (1.0 s) and the indexes' definitions (0.7 s).
 * Neither needs anything the other queries return, only the schemas'
 * OIDs. So, once the schemas are read, the loader exports its snapshot
 * (pg_export_snapshot()), and a thread opens a second connection to the
 * same server, imports the snapshot (SET TRANSACTION SNAPSHOT, as pg_dump
 * -j does: the very same rows) and runs those two queries while the loader
 * runs the others. run() (catalog.c) takes each result in its turn.
 *
 * Anything that goes wrong on the second connection (it cannot connect:
 * max_connections, a role's connection limit, a pooler; the snapshot is
 * not there: another host) only means that the loader runs the query
 * itself, as it always did: the result is the same either way. The reason
 * is logged once per load.
 */
#include "catalog_loader.h"
#include "log.h"
#include "pg.h"
#include "pgversion.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUX_MAX 4

struct aux_query {
	const char *tmpl;		/* the key run() is called with */
	const char *text;		/* expanded for the server (pgv_sql_for) */
	int nparams;
	const char *params[2];		/* the loader's strings (arena): live until aux_end */
	PGresult *res;			/* under lock; NULL with done: failed there */
	bool done, taken, used;		/* used: taken with a result */
};

struct aux {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	_Atomic bool stop;		/* aux_end(): skip what is left */
	PGcancel *cancel;		/* under lock: cancels the running query */
	char **keys, **vals;		/* the connection's options (owned) */
	char *snapshot;			/* the loader's exported snapshot (owned) */
	struct aux_query q[AUX_MAX];
	size_t nq;
	char err[1024];			/* the first failure, written by the thread */
	bool failed;			/* under lock */
};

/* The loader's connection, again: the same options, but the host and
 * port it is connected to (a list of hosts could pick another server,
 * whose snapshots are not this one's). */
static int conn_options(struct aux *a, PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn);
	if (!opts)
		return -1;
	size_t n = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		n++;
	a->keys = calloc(n + 1, sizeof *a->keys);
	a->vals = calloc(n + 1, sizeof *a->vals);
	if (!a->keys || !a->vals) {
		PQconninfoFree(opts);
		return -1;
	}
	size_t k = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = o->val;
		if (!strcmp(o->keyword, "host"))
			v = PQhost(conn);
		else if (!strcmp(o->keyword, "port"))
			v = PQport(conn);
		else if (!strcmp(o->keyword, "hostaddr") && v && *v)
			v = PQhostaddr(conn);
		if (!v || !*v)
			continue;
		a->keys[k] = strdup(o->keyword);
		a->vals[k] = strdup(v);
		if (!a->keys[k] || !a->vals[k]) {
			PQconninfoFree(opts);
			return -1;
		}
		k++;
	}
	PQconninfoFree(opts);
	return 0;
}

static void fail(struct aux *a, const char *what, const char *why)
{
	pthread_mutex_lock(&a->lock);
	if (!a->failed)
		snprintf(a->err, sizeof a->err, "%s: %s", what, why);
	a->failed = true;
	pthread_mutex_unlock(&a->lock);
}

/* Opens the connection in the loader's snapshot, or NULL (reason in
 * a->err). */
static PGconn *aux_connect(struct aux *a)
{
	char err[512];
	PGconn *c = PQconnectdbParams((const char *const *)a->keys, (const char *const *)a->vals, 0);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		fail(a, "cannot open a second connection", c ? pg_error(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	/* The snapshot's name is the server's own text (pg_export_snapshot),
	 * and SET TRANSACTION SNAPSHOT takes no parameter: quoted by libpq. */
	char *lit = PQescapeLiteral(c, a->snapshot, strlen(a->snapshot));
	char set[160];
	snprintf(set, sizeof set, "SET TRANSACTION SNAPSHOT %s", lit ? lit : "''");
	PQfreemem(lit);
	if (pg_session_setup(c, err, sizeof err) ||
	    pg_command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, sizeof err) ||
	    pg_command(c, set, err, sizeof err) ||
	    pg_command(c, "SELECT pg_catalog.set_config('search_path', 'public', true)", err, sizeof err)) {
		fail(a, "cannot read in the same snapshot on a second connection", err);
		PQfinish(c);
		return NULL;
	}
	pthread_mutex_lock(&a->lock);
	a->cancel = PQgetCancel(c);
	pthread_mutex_unlock(&a->lock);
	return c;
}

static void *aux_main(void *arg)
{
	struct aux *a = arg;
	pg_give_up_set(&a->stop);
	PGconn *c = a->stop ? NULL : aux_connect(a);
	for (size_t i = 0; i < a->nq; i++) {
		struct aux_query *q = &a->q[i];
		PGresult *res = NULL;
		if (c && !a->stop) {
			char err[512];
			res = pg_exec(c, q->text, q->nparams, q->params, err, sizeof err);
			if (!res) {
				fail(a, "a query on the second connection failed", err);
				PQfinish(c);
				c = NULL;
			}
		}
		pthread_mutex_lock(&a->lock);
		q->res = res;
		q->done = true;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
	}
	pthread_mutex_lock(&a->lock);
	PQfreeCancel(a->cancel);
	a->cancel = NULL;
	pthread_mutex_unlock(&a->lock);
	PQfinish(c);	/* ends its read-only transaction */
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
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* The snapshot to share, and the relations of the schemas read: a small
 * database has nothing to gain from a second connection. */
#define SQL_AUX_SNAPSHOT \
	"SELECT pg_catalog.pg_export_snapshot(), (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class " \
	"WHERE relnamespace = ANY ($1::pg_catalog.oid[]))"

struct aux *aux_start(struct loader *ld, long from, const struct aux_want *want, size_t n)
{
	if (n > AUX_MAX)
		n = AUX_MAX;
	struct aux *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	char err[512];
	const char *params[] = { ld->schema_oids };
	ld->cat->queries++;
	PGresult *res = pg_exec(ld->conn, SQL_AUX_SNAPSHOT, 1, params, err, sizeof err);
	if (!res) {
		/* Not a failure of the load: the loader reads on alone. */
		log_info("%s: reading on one connection: cannot export the snapshot: %s", PQdb(ld->conn), err);
		aux_free(a);
		return NULL;
	}
	if (strtol(PQgetvalue(res, 0, 1), NULL, 10) < from) {
		PQclear(res);
		aux_free(a);
		return NULL;
	}
	a->snapshot = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!a->snapshot || conn_options(a, ld->conn)) {
		aux_free(a);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *text = pgv_sql_for(ld->conn, want[i].tmpl);
		if (!text)
			continue;	/* the loader says why when it runs it */
		struct aux_query *q = &a->q[a->nq++];
		q->tmpl = want[i].tmpl;
		q->text = text;
		q->nparams = want[i].nparams;
		for (int p = 0; p < want[i].nparams && p < 2; p++)
			q->params[p] = want[i].params[p];
	}
	if (pthread_create(&a->thread, NULL, aux_main, a)) {
		aux_free(a);
		return NULL;
	}
	return a;
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
		if ((a->q[i].tmpl == tmpl || !strcmp(a->q[i].tmpl, tmpl)) && !a->q[i].taken && a->q[i].nparams == nparams &&
		    (nparams < 1 || same_param(a->q[i].params[0], params[0])) &&
		    (nparams < 2 || same_param(a->q[i].params[1], params[1])))
			q = &a->q[i];
	if (!q)
		return false;
	pthread_mutex_lock(&a->lock);
	while (!q->done)
		pthread_cond_wait(&a->cond, &a->lock);
	*res = q->res;
	q->used = q->res != NULL;
	q->res = NULL;
	q->taken = true;
	pthread_mutex_unlock(&a->lock);
	return true;
}

void aux_end(struct aux *a, const char *dbname)
{
	if (!a)
		return;
	a->stop = true;
	pthread_mutex_lock(&a->lock);
	bool running = false;
	for (size_t i = 0; i < a->nq; i++)
		running |= !a->q[i].done;
	if (running && a->cancel) {
		char buf[256];
		PQcancel(a->cancel, buf, sizeof buf);
	}
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	size_t used = 0;
	for (size_t i = 0; i < a->nq; i++) {
		used += a->q[i].taken && a->q[i].used;
		PQclear(a->q[i].res);
	}
	if (a->failed)
		log_info("%s: read the rest on one connection: %s", dbname, a->err);
	else if (used)
		log_info("%s: %zu of the read's queries ran on a second connection", dbname, used);
	aux_free(a);
}
