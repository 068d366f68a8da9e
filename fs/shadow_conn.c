/* shadow_conn.c: the shadow's sessions (connecting, creating the
 * database, copying the real database's settings) and the mark of the
 * schema it holds; see shadow_internal.h. The thread only, but for
 * shadow_connect_new() and shadow_holds(), which any thread may call on a
 * connection of its own. */
#include "shadow_internal.h"

#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "database_stage.h"
#include "log.h"
#include "pg.h"
#include "strbuf.h"

/* CONNINFO, its dbname replaced by DBNAME when not NULL. */
static PGconn *connect_to(struct shadow *s, const char *conninfo, const char *dbname, char *err, size_t errlen)
{
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%d", s->cfg->connect_timeout);
	const char *keys[] = { "dbname", "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { conninfo, timeout, "schemafs shadow", dbname, NULL };
	if (!dbname)
		keys[3] = NULL;
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", c ? PQerrorMessage(c) : "out of memory");
		pg_redact(conninfo, err, errlen);
		pg_finish(c);
		return NULL;
	}
	if (pg_session_setup(c, err, errlen)) {
		pg_finish(c);
		return NULL;
	}
	return c;
}

/* S's settings, as the last copy_settings() read them, on session C. */
void shadow_apply_settings(struct shadow *s, PGconn *c)
{
	char err[1024];
	for (int i = 0; s->settings && i < PQntuples(s->settings); i++) {
		const char *params[] = { PQgetvalue(s->settings, i, 0), PQgetvalue(s->settings, i, 1) };
		PGresult *set = pg_exec(c, "SELECT pg_catalog.set_config($1, $2, false)", 2, params, err, sizeof err);
		if (!set)
			log_warn("%s: the shadow's session cannot take %s: %s", s->cfg->name, params[0], err);
		PQclear(set);
	}
}

/* The settings of database DB (ALTER DATABASE ... SET, for every role or
 * this one), as (name, value) rows. pg_db_role_setting, pg_database and
 * pg_roles are shared catalogs: any database of the server answers. */
#define SETTINGS_SQL(db) \
	"SELECT split_part(u, '=', 1), substr(u, strpos(u, '=') + 1)" \
	" FROM pg_catalog.pg_db_role_setting r, pg_catalog.unnest(r.setconfig) u" \
	" WHERE r.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = " db ")" \
	" AND r.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))" \
	" ORDER BY r.setrole"

/* The real database's own settings (search_path above all), which a
 * hand-written file runs under, on the shadow's session C. Best effort:
 * logged when not. */
static void copy_settings(struct shadow *s, PGconn *c)
{
	char err[1024];
	PGconn *real = connect_to(s, s->cfg->conninfo, NULL, err, sizeof err);
	PGresult *res = real ? pg_exec(real, SETTINGS_SQL("pg_catalog.current_database()"), 0, NULL, err,
				       sizeof err) : NULL;
	PQclear(s->settings);
	s->settings = res;
	shadow_apply_settings(s, c);
	if (!res)
		log_warn("%s: the database's own settings are not copied to the shadow's session: %s", s->cfg->name, err);
	pg_finish(real);
}

/* After a replay: the files set what they need for the session
 * (search_path, a role): the next dry run gets it back as a new session
 * would be, with the real database's settings read again (a replayed file
 * may have changed them: ALTER DATABASE ... SET is not DDL, no reload
 * follows), instead of a new connection (two, with the one
 * copy_settings() opens: most of what a dry run waited for after a
 * replay). The session-level advisory lock goes too, as with a close,
 * whatever the replay's unlock did. A shadow named by shadow_conninfo may
 * be on another server, which cannot read the real database's settings:
 * closed then, as when any step fails. */
void shadow_renew_session(struct shadow *s)
{
	char err[512];
	PGconn *c = s->conn;
	PGresult *res = NULL;
	const char *params[] = { s->dbname };
	if (c && !s->cfg->shadow_conninfo && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE &&
	    !pg_command(c, "SELECT pg_catalog.pg_advisory_unlock_all()", err, sizeof err) &&
	    !pg_session_reset(c, err, sizeof err) && (res = pg_exec(c, SETTINGS_SQL("$1"), 1, params, err, sizeof err))) {
		PQclear(s->settings);
		s->settings = res;
		shadow_apply_settings(s, c);
		return;
	}
	pg_finish(s->conn);
	s->conn = NULL;
}

/* The settings of RES as one string, to tell whether the reader took
 * these (malloc'd). */
char *shadow_settings_key(const PGresult *res)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; res && i < PQntuples(res); i++)
		sb_addf(&sb, "%s=%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	return strbuf_detach(&sb, NULL);
}

/* Creates <db>_schemafs_shadow when it is not there and the role may. */
static int create_db(struct shadow *s, char *err, size_t errlen)
{
	char msg[1024];
	PGconn *c = connect_to(s, s->cfg->conninfo, NULL, msg, sizeof msg);
	if (!c) {
		snprintf(err, errlen, "cannot connect to create it: %.900s", msg);
		return -EIO;
	}
	int rc = -EIO;
	const char *params[] = { s->name };
	PGresult *res = pg_exec(c, "SELECT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = $1),"
				" (SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user),"
				" current_user", 1, params, msg, sizeof msg);
	if (!res) {
		snprintf(err, errlen, "%s", msg);
		goto out;
	}
	if (!strcmp(PQgetvalue(res, 0, 0), "t")) {
		rc = 0;		/* there, but we could not connect: said by the caller */
	} else if (strcmp(PQgetvalue(res, 0, 1), "t")) {
		snprintf(err, errlen, "the role %s may not create databases (no CREATEDB): grant it CREATEDB, "
			 "set shadow_conninfo, or set \"shadow\": false", PQgetvalue(res, 0, 2));
		rc = -EACCES;
	} else {
		char *q = PQescapeIdentifier(c, s->name, strlen(s->name));
		struct strbuf sql = STRBUF_INIT;
		sb_addf(&sql, "CREATE DATABASE %s TEMPLATE template0", q ? q : "\"\"");
		PQfreemem(q);
		PGresult *again = NULL;
		if (pg_command(c, sb_str(&sql), msg, sizeof msg) &&
		    /* Another mount of the same database may have just made it. */
		    !((again = pg_exec(c, "SELECT FROM pg_catalog.pg_database WHERE datname = $1", 1, params,
				       err, errlen)) && PQntuples(again)))
			snprintf(err, errlen, "cannot create it: %.900s", msg);
		else if (again) {
			rc = 0;
		} else {
			log_info("%s: created the shadow database %s", s->cfg->name, s->name);
			rc = 0;
		}
		PQclear(again);
		strbuf_free(&sql);
	}
	PQclear(res);
out:
	pg_finish(c);
	return rc;
}

/* The thread's connection to the shadow, created first when needed. A
 * kept one is asked first whether its session is still there (the server
 * may have ended it while idle, which libpq learns only at the next
 * query): a round trip, against a reload for nothing. */
PGconn *shadow_session(struct shadow *s, char *err, size_t errlen)
{
	char ignored[256];
	if (s->conn && PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) == PQTRANS_IDLE) {
		int bound = pg_bound_set(PG_BOUND_MARGIN_MS);
		bool alive = !pg_command(s->conn, "SELECT 1", ignored, sizeof ignored);
		pg_bound_set(bound);
		if (alive)
			return s->conn;
	}
	pg_finish(s->conn);
	s->conn = NULL;
	char msg[1024];
	const char *conninfo = s->cfg->shadow_conninfo ? s->cfg->shadow_conninfo : s->cfg->conninfo;
	const char *dbname = s->cfg->shadow_conninfo ? NULL : s->name;
	PGconn *c = connect_to(s, conninfo, dbname, msg, sizeof msg);
	if (!c && !s->cfg->shadow_conninfo) {
		int rc = create_db(s, err, errlen);
		if (rc)
			return NULL;
		c = connect_to(s, conninfo, dbname, msg, sizeof msg);
	}
	if (!c) {
		snprintf(err, errlen, "cannot connect to it: %.900s", msg);
		return NULL;
	}
	char id[64];
	if (database_identity(c, id, sizeof id, msg, sizeof msg) || !strcmp(id, s->identity)) {
		snprintf(err, errlen, "%s", id[0] && !strcmp(id, s->identity) ?
			 "shadow_conninfo names the database itself: it must name another one (its content is "
			 "replaced)" : msg);
		pg_finish(c);
		return NULL;
	}
	copy_settings(s, c);
	s->conn = c;
	return c;
}

PGconn *shadow_connect_new(struct shadow *s, char *err, size_t errlen)
{
	const char *conninfo = s->cfg->shadow_conninfo ? s->cfg->shadow_conninfo : s->cfg->conninfo;
	return connect_to(s, conninfo, s->cfg->shadow_conninfo ? NULL : s->name, err, errlen);
}

/* The schema hash a shadow holds is its database's comment: mounts that
 * share the shadow each check, under the advisory lock, that it holds
 * theirs (another may have loaded its own view meanwhile). */
static const char SQL_LOADED[] =
	"SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database"
	" WHERE datname = pg_catalog.current_database()";

int shadow_set_loaded(PGconn *c, const char *hash, char *msg, size_t msglen)
{
	PGresult *res = pg_exec(c, "SELECT pg_catalog.quote_ident(pg_catalog.current_database())", 0, NULL, msg, msglen);
	if (!res)
		return -1;
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "COMMENT ON DATABASE %s IS '%s'", PQgetvalue(res, 0, 0), hash);	/* hex digits */
	PQclear(res);
	int rc = pg_command(c, sb_str(&sql), msg, msglen);
	strbuf_free(&sql);
	return rc;
}

bool shadow_holds(PGconn *c, const char *hash)
{
	char err[256];
	PGresult *res = pg_exec(c, SQL_LOADED, 0, NULL, err, sizeof err);
	bool same = res && PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), hash);
	PQclear(res);
	return same;
}
