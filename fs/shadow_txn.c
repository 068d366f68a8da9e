/* shadow_txn.c: shadow_run_txn(), a caller's own rolled-back transaction
 * on the shadow; see include/shadow.h. Self-contained: a connection of its
 * own per call, never the thread's. */
#include "shadow_internal.h"

#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "pg.h"
#include "strbuf.h"

static char *why_of(const char *fmt, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, fmt, msg);
	return strbuf_detach(&sb, NULL);
}

int shadow_run_txn(struct shadow *s, int timeout_ms, int (*fn)(PGconn *conn, void *ctx), void *ctx,
		   char **why)
{
	*why = NULL;
	if (!s || !s->started)
		return -ENOENT;
	char hash[SHA256_HEX_LEN + 1];
	pthread_mutex_lock(&s->lock);
	bool usable = s->state == SH_READY && !s->dirty && !strcmp(s->loaded_hash, s->schema_hash);
	memcpy(hash, s->loaded_hash, sizeof hash);
	pthread_mutex_unlock(&s->lock);
	if (!usable)
		return -ENOENT;
	char timeout[16], err[1024];
	snprintf(timeout, sizeof timeout, "%d", s->cfg->connect_timeout);
	const char *conninfo = s->cfg->shadow_conninfo ? s->cfg->shadow_conninfo : s->cfg->conninfo;
	const char *keys[] = { "dbname", "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { conninfo, timeout, "schemafs shadow", s->name, NULL };
	if (s->cfg->shadow_conninfo)
		keys[3] = NULL;
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, sizeof err, "%s", c ? PQerrorMessage(c) : "out of memory");
		pg_redact(conninfo, err, sizeof err);
		PQfinish(c);
		*why = why_of("the shadow cannot be reached: %s", err);
		return -EIO;
	}
	int rc = -EIO;
	char ms[16];
	snprintf(ms, sizeof ms, "%d", timeout_ms);
	const char *params[] = { ms };
	int old = pg_bound_set(timeout_ms + PG_BOUND_MARGIN_MS);
	PGresult *res = NULL;
	if (pg_session_setup(c, err, sizeof err) || pg_command(c, "BEGIN", err, sizeof err) ||
	    !(res = pg_exec(c, "SELECT pg_catalog.set_config('statement_timeout', $1, true),"
			    " pg_catalog.pg_try_advisory_xact_lock_shared(" SHADOW_LOCK_KEY "),"
			    " pg_catalog.shobj_description(d.oid, 'pg_database')"
			    " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
			    1, params, err, sizeof err))) {
		*why = why_of("the shadow cannot be used: %s", err);
		goto out;
	}
	/* A reload holds the lock exclusively: the caller does not wait for
	 * it, it takes the work connection instead. So does a shadow that
	 * another mount loaded with its own schema meanwhile. */
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 1), "t") || strcmp(PQgetvalue(res, 0, 2), hash)) {
		rc = -ENOENT;
		goto out;
	}
	rc = fn(c, ctx);
out:
	PQclear(res);
	pg_command(c, "ROLLBACK", err, sizeof err);
	pg_bound_set(old);
	PQfinish(c);
	return rc;
}
