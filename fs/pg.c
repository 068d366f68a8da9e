/* pg.c: libpq wrapper; see include/pg.h. */
#include "pg.h"
#include "strbuf.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static __thread int bound_ms = PG_BOUND_DEFAULT_MS;
static __thread bool timed_out;
static __thread unsigned timeouts;
static __thread char timeout_msg[160];
static __thread const _Atomic bool *give_up;

static void one_line(char *msg)
{
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

void pg_redact(const char *conninfo, char *msg, size_t msglen)
{
	one_line(msg);
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	if (!opts) {
		/* libpq quotes the part it could not parse, which may be the
		 * password itself: say nothing of the string. */
		snprintf(msg, msglen, "invalid connection string (not shown: it may hold a password)");
		return;
	}
	const char *pw = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			pw = o->val;
	pg_redact_password(pw, msg, msglen);
	PQconninfoFree(opts);
}

void pg_redact_password(const char *pw, char *msg, size_t msglen)
{
	if (!pw || !*pw)
		return;
	struct strbuf out = STRBUF_INIT;
	size_t plen = strlen(pw);
	const char *p = msg, *hit;
	while ((hit = strstr(p, pw))) {
		sb_addn(&out, p, (size_t)(hit - p));
		sb_add(&out, "***");
		p = hit + plen;
	}
	sb_add(&out, p);
	snprintf(msg, msglen, "%s", sb_str(&out));
	strbuf_free(&out);
}

PGconn *pg_connect(const char *conninfo, int connect_timeout, char *err, size_t errlen)
{
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%d", connect_timeout);
	/* dbname is expanded as a full conninfo; later keywords only apply
	 * where the user's string did not set them. */
	/* Keywords before dbname are defaults the user's string overrides.
	 * Keepalives find a vanished TCP peer (a dead host, a dropped
	 * route) in 10 + 5 * 3 s; a stalled one is found by the bounds. */
	const char *keys[] = { "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
			       "keepalives_count", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { timeout, "1", "10", "5", "3", conninfo, "schemafs", NULL };
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (!conn) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(conn));
		pg_redact(conninfo, err, errlen);
		pg_finish(conn);
		return NULL;
	}
	/* What an earlier connection at this address prepared is not here. */
	pg_stmt_forget(conn);
	if (pg_session_setup(conn, err, errlen)) {
		pg_finish(conn);
		return NULL;
	}
	return conn;
}

static int session_setup(PGconn *conn, char *err, size_t errlen);

/* The session's SETs answer at once: longer is a stalled line. */
int pg_session_setup(PGconn *conn, char *err, size_t errlen)
{
	int bound = pg_bound_set(PG_BOUND_MARGIN_MS);
	int rc = session_setup(conn, err, errlen);
	pg_bound_set(bound);
	return rc;
}

static int session_setup(PGconn *conn, char *err, size_t errlen)
{
	/* Catalog queries over thousands of tables cross JIT's cost
	 * threshold, and compiling them costs about a second each, far more
	 * than running them (measured: 1173 ms with JIT, 43 ms without). */
	if (pg_command(conn, "SET jit = off", err, errlen))
		return -1;
	/* Deparsed text, probes and migrations all assume it: a database
	 * that sets it off must not change what a quote means. */
	if (pg_command(conn, "SET standard_conforming_strings = on", err, errlen))
		return -1;
	/* A catalog read waits at most this long for a lock (a migration
	 * holding ACCESS EXCLUSIVE on a table a view uses) or for a result:
	 * the mount never hangs, the refresh fails and is tried again. */
	return pg_command(conn, "SET lock_timeout = '5s'", err, errlen) ||
	       pg_command(conn, "SET statement_timeout = '120s'", err, errlen) ? -1 : 0;
}

int pg_session_reset(PGconn *conn, char *err, size_t errlen)
{
	/* DISCARD ALL without its pg_advisory_unlock_all(): a role or
	 * session authorization, every setting, cursors, LISTENs, prepared
	 * statements, temp tables (pg_temp is searched first), sequence
	 * caches. */
	static const char *const steps[] = {
		"RESET SESSION AUTHORIZATION", "RESET ROLE", "RESET ALL", "CLOSE ALL", "UNLISTEN *",
		"DEALLOCATE ALL", "DISCARD TEMP", "DISCARD SEQUENCES",
	};
	pg_stmt_forget(conn);	/* DEALLOCATE ALL below, or the session gone */
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (pg_command(conn, steps[i], err, errlen))
			return -1;
	return pg_session_setup(conn, err, errlen);
}

int pg_bound_set(int ms)
{
	int old = bound_ms;
	bound_ms = ms > 0 ? ms : PG_BOUND_DEFAULT_MS;
	return old;
}

bool pg_timed_out(void)
{
	return timed_out;
}

unsigned pg_timeouts(void)
{
	return timeouts;
}

const _Atomic bool *pg_give_up_set(const _Atomic bool *flag)
{
	const _Atomic bool *old = give_up;
	give_up = flag;
	return old;
}

bool pg_giving_up(void)
{
	return give_up && *give_up;
}

const char *pg_error(PGconn *conn)
{
	return timed_out ? timeout_msg : PQerrorMessage(conn);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when CONN's socket is ready for EVENTS, 0 when DEADLINE passed first,
 * -1 on error (libpq then finds the fault itself). */
static int wait_socket(PGconn *conn, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = PQsocket(conn), .events = events };
		if (p.fd < 0)
			return -1;
		int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Keeps what PQexec keeps of several results: the first error, else the
 * last result. */
static PGresult *keep(PGresult *kept, PGresult *r)
{
	if (kept && PQresultStatus(kept) == PGRES_FATAL_ERROR) {
		PQclear(r);
		return kept;
	}
	PQclear(kept);
	return r;
}

static PGresult *collect(PGconn *conn, long long deadline)
{
	PGresult *res = NULL;
	for (;;) {
		while (PQisBusy(conn)) {
			int w = wait_socket(conn, POLLIN, deadline);
			if (w == 0) {
				PQclear(res);
				return NULL;
			}
			if (w < 0 || !PQconsumeInput(conn))
				break;	/* PQgetResult reports the lost connection */
		}
		PGresult *r = PQgetResult(conn);
		if (!r)
			break;
		ExecStatusType st = PQresultStatus(r);
		res = keep(res, r);
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH || PQstatus(conn) == CONNECTION_BAD)
			break;
	}
	return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

/* What run() sends: a query (simple or with parameters), a Prepare of SQL
 * as NAME, or an Execute of NAME. */
enum send_kind { SEND_SIMPLE, SEND_PARAMS, SEND_PREPARE, SEND_PREPARED };

static int send_one(PGconn *conn, enum send_kind kind, const char *name, const char *sql, int nparams,
		    const char *const *params, const int *lengths, const int *formats)
{
	switch (kind) {
	case SEND_SIMPLE:
		return PQsendQuery(conn, sql);
	case SEND_PARAMS:
		return PQsendQueryParams(conn, sql, nparams, NULL, params, lengths, formats, 0);
	case SEND_PREPARE:
		return PQsendPrepare(conn, name, sql, nparams, NULL);
	case SEND_PREPARED:
		return PQsendQueryPrepared(conn, name, nparams, params, lengths, formats, 0);
	}
	return 0;
}

static PGresult *run(PGconn *conn, enum send_kind kind, const char *name, const char *sql, int nparams,
		     const char *const *params, const int *lengths, const int *formats)
{
	/* On a connection already closed, the last timeout (if that closed
	 * it) stays the reason. */
	if (PQstatus(conn) != CONNECTION_OK)
		return PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
	timed_out = false;
	/* Never a ROLLBACK: a refresh that gave up must still end its
	 * transaction, or its next probe would read the same snapshot again
	 * (and the server keep it) for good. */
	if (give_up && *give_up && PQtransactionStatus(conn) == PQTRANS_INTRANS && strcmp(sql, "ROLLBACK"))
		return PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
	int bound = bound_ms;
	long long deadline = now_ms() + bound;
	int was_nonblocking = PQisnonblocking(conn);
	PGresult *res = NULL;
	/* Non-blocking sends: a peer that stops reading would otherwise block
	 * the write of a long statement once the socket's buffer is full. */
	if (PQsetnonblocking(conn, 1) ||
	    !send_one(conn, kind, name, sql, nparams, params, lengths, formats)) {
		res = PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
		goto out;
	}
	int f;
	while ((f = PQflush(conn)) == 1) {
		int w = wait_socket(conn, POLLIN | POLLOUT, deadline);
		if (w == 0)
			goto timeout;
		if (w < 0 || !PQconsumeInput(conn))
			break;
	}
	res = collect(conn, deadline);
	if (res)
		goto out;
timeout:
	timed_out = true;
	timeouts++;
	snprintf(timeout_msg, sizeof timeout_msg, "no reply from the server within %d s (schemafs's bound for "
		 "this query); the connection was closed", bound / 1000);
	/* libpq sees the end of the stream: CONNECTION_BAD, results drained. */
	shutdown(PQsocket(conn), SHUT_RDWR);
	PQconsumeInput(conn);
	for (int i = 0; i < 8; i++) {
		PGresult *r = PQgetResult(conn);
		if (!r)
			break;
		PQclear(r);
	}
out:
	if (PQstatus(conn) == CONNECTION_OK)
		PQsetnonblocking(conn, was_nonblocking);
	return res;
}

PGresult *pg_run(PGconn *conn, bool simple, const char *sql, int nparams, const char *const *params,
		 const int *lengths, const int *formats)
{
	return run(conn, simple ? SEND_SIMPLE : SEND_PARAMS, NULL, sql, nparams, params, lengths, formats);
}

PGresult *pg_run_prepare(PGconn *conn, const char *name, const char *sql, int nparams)
{
	return run(conn, SEND_PREPARE, name, sql, nparams, NULL, NULL, NULL);
}

PGresult *pg_run_prepared(PGconn *conn, const char *name, const char *sql, int nparams, const char *const *params)
{
	return run(conn, SEND_PREPARED, name, sql, nparams, params, NULL, NULL);
}

PGresult *pg_exec(PGconn *conn, const char *sql, int nparams,
		  const char *const *params, char *err, size_t errlen)
{
	if (!sql) {	/* a query text that could not be built (pgv_sql) */
		snprintf(err, errlen, "no query text (out of memory, or an unknown placeholder)");
		return NULL;
	}
	return pg_checked(conn, pg_run(conn, false, sql, nparams, params, NULL, NULL), err, errlen);
}

PGresult *pg_checked(PGconn *conn, PGresult *res, char *err, size_t errlen)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	snprintf(err, errlen, "%s", res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : pg_error(conn));
	one_line(err);
	PQclear(res);
	return NULL;
}

int pg_command(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *res = pg_exec(conn, sql, 0, NULL, err, errlen);
	PQclear(res);
	return res ? 0 : -1;
}

int pg_fault_errno(PGconn *conn, int otherwise)
{
	if (PQstatus(conn) == CONNECTION_OK)
		return otherwise;
	return timed_out ? -ETIMEDOUT : -EIO;
}

const char *pg_val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int pg_name_rules(PGconn *conn, struct pg_name_rules *r, char *err, size_t errlen)
{
	r->max_bytes = 63;
	const char *enc = PQparameterStatus(conn, "client_encoding");
	r->utf8 = !enc || !strcmp(enc, "UTF8");
	PGresult *res = pg_exec(conn, "SHOW max_identifier_length", 0, NULL, err, errlen);
	if (!res)
		return -1;
	int n = atoi(PQgetvalue(res, 0, 0));
	if (n > 0)
		r->max_bytes = n;
	PQclear(res);
	return 0;
}
