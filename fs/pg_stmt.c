/*
 * pg_stmt.c: catalog queries as prepared statements, one per text and
 * connection; see pg_exec_static() in include/pg.h.
 *
 * Why: a catalog query's plan costs more than its run on a small database
 * and a fifth of it at 10,000 tables (measured, PostgreSQL 15, the
 * server's log_min_duration_statement: per refresh, parse and bind 68 ms
 * against 13 ms of execution at one table; 84 ms against 294 ms at 10,000
 * tables). A named statement is parsed once per connection. A kept
 * connection runs with plan_cache_mode force_custom_plan (pg_stmt_keep), so
 * a statement with parameters is still planned for their values at every
 * run (a generic plan of a lookup by a list of OIDs scans the whole
 * catalog), and one without any keeps its one plan; pg_exec_static_generic
 * asks for the one plan of a query with parameters, and
 * pg_stmt_plans_local for every one of a transaction, until it says
 * otherwise (a catalog read: of a database whose pg_class is small, where
 * any plan runs faster than planning, or, in a larger one, for the queries
 * whose only parameter is the schemas, the same at every run, and the
 * incremental dependency query: fs/catalog.c run_planned).
 *
 * Names: "schemafs_" and the first 16 hex digits of the text's SHA-256, so
 * that a statement of that name, wherever the server has it (another
 * schemafs process's, through a pooler), is the same text.
 *
 * Two tables, both under lock:
 *   texts    each distinct text ever passed (a copy) with its name;
 *   prepared which (connection, backend PID, text) triples are prepared,
 *            and (text KEEP) which connections prepare at all. The PID
 *            tells apart two connections that libpq happened to give the
 *            same address; pg_finish() and pg_stmt_forget() drop a
 *            connection's rows. Its rows are as many as the kept
 *            connections times the texts they ran.
 * Only a connection marked by pg_stmt_keep() prepares: on one that runs a
 * query once and ends (the second connection of a full read, the shadow's
 * dry runs), a Prepare is a round trip for nothing.
 * Past MAX_TEXTS texts, a new one runs unnamed (pg_exec): a caller that
 * passes built texts costs memory no more.
 */
#include "pg.h"
#include "sha256.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXTS 256
#define KEEP (-1)		/* the text of a connection's mark */
#define NAME_LEN 32

struct text {
	char *sql;
	char name[NAME_LEN];
};

struct prepared {
	const PGconn *conn;
	int pid;
	int text;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct text texts[MAX_TEXTS];	/* under lock; never freed */
static int ntexts;			/* under lock */
static struct prepared *prepared;	/* under lock */
static size_t nprepared, cap;		/* under lock */

/* SQL's index in texts (added when new) with its name in NAME, or -1 when
 * the table is full. */
static int text_index(const char *sql, char name[NAME_LEN])
{
	int found = -1;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < ntexts && found < 0; i++)
		if (!strcmp(texts[i].sql, sql))
			found = i;
	if (found < 0 && ntexts < MAX_TEXTS) {
		char *copy = strdup(sql);
		if (copy) {
			char hex[SHA256_HEX_LEN + 1];
			sha256_hex(sql, strlen(sql), hex);
			texts[ntexts].sql = copy;
			snprintf(texts[ntexts].name, NAME_LEN, "schemafs_%.16s", hex);
			found = ntexts++;
		}
	}
	if (found >= 0)
		memcpy(name, texts[found].name, NAME_LEN);
	pthread_mutex_unlock(&lock);
	return found;
}

/* Under lock. */
static bool found_locked(const PGconn *conn, int pid, int text)
{
	for (size_t i = 0; i < nprepared; i++)
		if (prepared[i].conn == conn && prepared[i].pid == pid && prepared[i].text == text)
			return true;
	return false;
}

static bool is_prepared(const PGconn *conn, int pid, int text)
{
	pthread_mutex_lock(&lock);
	bool yes = found_locked(conn, pid, text);
	pthread_mutex_unlock(&lock);
	return yes;
}

static void remember(const PGconn *conn, int pid, int text)
{
	pthread_mutex_lock(&lock);
	if (!found_locked(conn, pid, text)) {
		if (nprepared == cap) {
			cap = cap ? 2 * cap : 64;
			prepared = realloc(prepared, cap * sizeof *prepared);
			if (!prepared)
				abort();
		}
		prepared[nprepared++] = (struct prepared){ conn, pid, text };
	}
	pthread_mutex_unlock(&lock);
}

/* Drops CONN's rows for TEXT, or all of them (TEXT 0 and ALL). */
static void forget(const PGconn *conn, int text, bool all)
{
	pthread_mutex_lock(&lock);
	size_t k = 0;
	for (size_t i = 0; i < nprepared; i++)
		if (prepared[i].conn != conn || (!all && prepared[i].text != text))
			prepared[k++] = prepared[i];
	nprepared = k;
	pthread_mutex_unlock(&lock);
}

void pg_stmt_forget(const PGconn *conn)
{
	forget(conn, 0, true);
}

void pg_stmt_keep(PGconn *conn)
{
	char err[256];
	/* Not on a server without the setting (before 12, which pgv_check
	 * refuses next): its queries then run unnamed. */
	if (pg_command(conn, "SET plan_cache_mode = force_custom_plan", err, sizeof err)) {
		pg_stmt_forget(conn);
		return;
	}
	remember(conn, PQbackendPID(conn), KEEP);
}

void pg_finish(PGconn *conn)
{
	if (!conn)
		return;
	pg_stmt_forget(conn);
	PQfinish(conn);
}

static bool state_is(const PGresult *res, const char *state)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return s && !strcmp(s, state);
}

PGresult *pg_exec_static(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
			 size_t errlen)
{
	int pid = PQbackendPID(conn);
	if (!sql || PQstatus(conn) != CONNECTION_OK || !is_prepared(conn, pid, KEEP))
		return pg_exec(conn, sql, nparams, params, err, errlen);
	char name[NAME_LEN];
	int text = text_index(sql, name);
	if (text < 0)
		return pg_exec(conn, sql, nparams, params, err, errlen);
	if (!is_prepared(conn, pid, text)) {
		PGresult *res = pg_run_prepare(conn, name, sql, nparams);
		/* There already (a pooler's backend that another session
		 * prepared it on): the name says it is this text. This query
		 * fails (inside a transaction, as every catalog read is, the
		 * failed Prepare aborted it); the next one executes it. */
		if (state_is(res, "42P05"))
			remember(conn, pid, text);
		res = pg_checked(conn, res, err, errlen);
		if (!res)
			return NULL;
		PQclear(res);
		remember(conn, pid, text);
	}
	PGresult *res = pg_run_prepared(conn, name, sql, nparams, params);
	/* Gone behind schemafs's back (a DEALLOCATE on this session, another
	 * backend behind a pooler): this query fails, the next prepares it
	 * again. */
	if (state_is(res, "26000"))
		forget(conn, text, false);
	return pg_checked(conn, res, err, errlen);
}

int pg_stmt_plans_local(PGconn *conn, bool one, char *err, size_t errlen)
{
	if (!is_prepared(conn, PQbackendPID(conn), KEEP))
		return 0;
	return pg_command(conn, one ? "SET LOCAL plan_cache_mode = force_generic_plan" :
			  "SET LOCAL plan_cache_mode = force_custom_plan", err, errlen) ? -1 : 1;
}

/* On a kept connection, whose plan_cache_mode is force_custom_plan
 * (pg_stmt_keep): this query's is set around it. When the query fails
 * inside a transaction, the second SET is not sent (it could not run
 * there), and the ROLLBACK takes the first one back. */
PGresult *pg_exec_static_generic(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
				 size_t errlen)
{
	if (!is_prepared(conn, PQbackendPID(conn), KEEP))
		return pg_exec(conn, sql, nparams, params, err, errlen);
	if (pg_command(conn, "SET plan_cache_mode = force_generic_plan", err, errlen))
		return NULL;
	PGresult *res = pg_exec_static(conn, sql, nparams, params, err, errlen);
	char ignored[256];
	if (PQtransactionStatus(conn) != PQTRANS_INERROR)
		pg_command(conn, "SET plan_cache_mode = force_custom_plan", ignored, sizeof ignored);
	return res;
}
