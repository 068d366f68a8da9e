/* pg.c: libpq wrapper; see include/pg.h. */
#include "pg.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (pw) {
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
	PQconninfoFree(opts);
}

PGconn *pg_connect(const char *conninfo, int connect_timeout, char *err, size_t errlen)
{
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%d", connect_timeout);
	/* dbname is expanded as a full conninfo; later keywords only apply
	 * where the user's string did not set them. */
	/* Keywords before dbname are defaults the user's string overrides.
	 * Keepalives notice a vanished TCP peer in about a minute. */
	const char *keys[] = { "connect_timeout", "keepalives_idle", "keepalives_interval",
			       "keepalives_count", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { timeout, "30", "10", "3", conninfo, "schemafs", NULL };
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (!conn) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(conn));
		pg_redact(conninfo, err, errlen);
		PQfinish(conn);
		return NULL;
	}
	if (pg_session_setup(conn, err, errlen)) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

int pg_session_setup(PGconn *conn, char *err, size_t errlen)
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
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (pg_command(conn, steps[i], err, errlen))
			return -1;
	return pg_session_setup(conn, err, errlen);
}

PGresult *pg_exec(PGconn *conn, const char *sql, int nparams,
		  const char *const *params, char *err, size_t errlen)
{
	if (!sql) {	/* a query text that could not be built (pgv_sql) */
		snprintf(err, errlen, "no query text (out of memory, or an unknown placeholder)");
		return NULL;
	}
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	snprintf(err, errlen, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
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
