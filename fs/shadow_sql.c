/* shadow_sql.c: the shadow's thread talking to it (connecting, creating,
 * loading, dry runs); see include/shadow.h and shadow_internal.h. */
#include "shadow_internal.h"

#include <errno.h>
#include <stdio.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "database_stage.h"
#include "log.h"
#include "migrate.h"
#include "pg.h"
#include "render.h"
#include "sha256.h"
#include "sqlparse.h"
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
static void apply_settings(struct shadow *s, PGconn *c)
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
	apply_settings(s, c);
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
static void renew_session(struct shadow *s)
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
		apply_settings(s, c);
		return;
	}
	pg_finish(s->conn);
	s->conn = NULL;
}

/* The settings of RES as one string, to tell whether the reader took
 * these (malloc'd). */
static char *settings_key(const PGresult *res)
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
static PGconn *shadow_conn(struct shadow *s, char *err, size_t errlen)
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

static int set_loaded(PGconn *c, const char *hash, char *msg, size_t msglen)
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

static bool holds(PGconn *c, const char *hash)
{
	char err[256];
	PGresult *res = pg_exec(c, SQL_LOADED, 0, NULL, err, sizeof err);
	bool same = res && PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), hash);
	PQclear(res);
	return same;
}

bool shadow_holds(PGconn *c, const char *hash)
{
	return holds(c, hash);
}

static int exec_text(PGconn *c, const char *text, size_t len, char *msg, size_t msglen)
{
	char *q = shadow_strndup(text, len);
	PGresult *res = PQexec(c, q);	/* several statements: one implicit transaction */
	free(q);
	ExecStatusType st = PQresultStatus(res);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ? 0 : -1;
	if (rc) {
		snprintf(msg, msglen, "%s", PQresultErrorMessage(res));
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
	}
	PQclear(res);
	return rc;
}

static struct migrate_opts opts_for(const struct shadow *s, const struct file *f);

/* The shadow's catalog, read from s->cat (incrementally: only the
 * relations the replay changed are read again), rendered as schema.sql and
 * hashed into HASH. The new catalog replaces s->cat. 0, or -1 with MSG. */
static int shadow_schema_hash(struct shadow *s, PGconn *c, char hash[SHA256_HEX_LEN + 1], char *msg, size_t msglen)
{
	struct catalog_filter filter;
	database_filter(s->cfg, &filter);
	/* On one connection: a second one (catalog_aux.c) takes only the
	 * reader's settings by which constants print, not every one that
	 * apply_settings() gives it, and a shadow's reads are incremental
	 * after its first anyway. */
	filter.parallel_from = 0;
	/* On the reader, which C's commits are visible to, with the catalog
	 * queries prepared since the first read back (their planning was
	 * most of a replay on a small schema); on C while it cannot connect.
	 * The reader has the real database's settings, as C (how constants
	 * and names are printed depends on some: TimeZone, DateStyle, ...),
	 * and is opened again when they changed, and once when it is found
	 * closed (its backend ended since). */
	struct catalog *cat = NULL;
	char *key = settings_key(s->settings);
	if (!key)
		abort();
	for (int attempt = 0; attempt < 2 && !cat; attempt++) {
		if (s->reader && (PQstatus(s->reader) != CONNECTION_OK ||
				  PQtransactionStatus(s->reader) != PQTRANS_IDLE ||
				  strcmp(key, s->reader_settings ? s->reader_settings : ""))) {
			pg_finish(s->reader);
			s->reader = NULL;
		}
		if (!s->reader) {
			char err[512];
			s->reader = shadow_connect_new(s, err, sizeof err);
			if (s->reader) {
				apply_settings(s, s->reader);
				pg_stmt_keep(s->reader);
				free(s->reader_settings);
				s->reader_settings = strdup(key);
				s->reader_warned = false;
			} else if (!s->reader_warned) {
				/* Read back on C instead: slower (nothing prepared),
				 * not wrong; said once until it opens again. */
				log_warn("%s: the shadow's reading session cannot be opened (%s); reading back on "
					 "the working session", s->cfg->name, err);
				s->reader_warned = true;
			}
		}
		PGconn *r = s->reader ? s->reader : c;
		cat = catalog_load_since(r, &filter, s->cat, false, msg, msglen);
		if (!cat && (r == c || PQstatus(r) == CONNECTION_OK))
			break;
	}
	free(key);
	if (!cat)
		return -1;
	catalog_free(s->cat);
	s->cat = cat;
	struct strbuf sb = STRBUF_INIT;
	render_schema_sql(&sb, cat, NULL);
	sha256_hex(sb.buf ? sb.buf : "", sb.len, hash);
	strbuf_free(&sb);
	return 0;
}

/* Statements per transaction of a load: one transaction of a large schema
 * would need more locks than the server has (max_locks_per_transaction). */
#define LOAD_BATCH 100

/*
 * Empties the shadow and loads SCHEMA (its SHA-256 HASH), under the
 * session-level advisory lock: a schema at a time dropped, schema.sql run
 * LOAD_BATCH statements a transaction. The database's comment says
 * "loading" meanwhile, and HASH once it is done.
 */
int shadow_reload(struct shadow *s, const char *schema, const char *hash, char *err, size_t errlen)
{
	char msg[1024];
	int rc = -EIO;
	PGconn *c = shadow_conn(s, err, errlen);
	if (!c)
		return -EIO;
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_lock(" SHADOW_LOCK_KEY "),"
				" pg_catalog.set_config('statement_timeout', '0', false)", 0, NULL, msg, sizeof msg);
	PQclear(res);
	if (!res)
		goto fail;
	if (set_loaded(c, "loading", msg, sizeof msg))
		goto unlock;
	res = pg_exec(c, "SELECT pg_catalog.quote_ident(nspname) FROM pg_catalog.pg_namespace"
		      " WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'", 0, NULL, msg, sizeof msg);
	if (!res)
		goto unlock;
	for (int i = 0; i < PQntuples(res); i++) {
		struct strbuf drop = STRBUF_INIT;
		sb_addf(&drop, "DROP SCHEMA %s CASCADE", PQgetvalue(res, i, 0));
		int drc = pg_command(c, sb_str(&drop), msg, sizeof msg);
		strbuf_free(&drop);
		if (drc) {
			PQclear(res);
			goto unlock;
		}
	}
	PQclear(res);
	if (pg_command(c, "CREATE SCHEMA IF NOT EXISTS public", msg, sizeof msg))
		goto unlock;
	struct sql_stmt *st;
	size_t len = strlen(schema);
	int n = sqlparse_split(schema, len, &st);
	int bad = 0;
	if (n < 0) {
		bad = exec_text(c, schema, len, msg, sizeof msg);
	} else {
		for (int i = 0; i < n && !bad; i += LOAD_BATCH) {
			int j = i + LOAD_BATCH < n ? i + LOAD_BATCH : n;
			size_t end = st[j - 1].off + st[j - 1].len;
			bad = exec_text(c, schema + st[i].off, end - st[i].off, msg, sizeof msg);
		}
		free(st);
	}
	if (bad) {
		snprintf(err, errlen, "schema.sql does not load into it: %.900s", msg);
		rc = -ECANCELED;
		goto unlock_said;
	}
	if (set_loaded(c, hash, msg, sizeof msg))
		goto unlock;
	rc = 0;
	/* The reference read for the next replay's incremental one, now
	 * while no apply waits; a shadow whose own schema.sql is not the
	 * live one (a round trip that is not exact) could never be
	 * replayed: said once, and its applies reload it. */
	char own[SHA256_HEX_LEN + 1] = "";
	int read = shadow_schema_hash(s, c, own, msg, sizeof msg);
	if (read || strcmp(own, hash)) {
		log_info("%s: shadow: its own schema.sql is not the live one (%s): an apply reloads it",
			 s->cfg->name, read ? msg : "it does not round-trip");
		catalog_free(s->cat);
		s->cat = NULL;
	}
	goto unlock_said;
unlock:
	snprintf(err, errlen, "%s", msg);
unlock_said:
	/* schema.sql sets what it needs (search_path) for the session: dry
	 * runs get a fresh one, with the database's own settings. */
	pg_finish(s->conn);
	s->conn = NULL;
	return rc;
fail:
	snprintf(err, errlen, "%s", msg);
	return rc;
}

/*
 * Runs FILES[0..n) (committed on the live database) on the shadow holding
 * FROM, under the session-level advisory lock (exclusive, as a reload: no
 * dry run sees it half done), commits, reads the shadow's catalog back and
 * marks it as holding what its own schema.sql hashes to (OUT). The
 * database's comment says "replaying" in between.
 */
int shadow_replay(struct shadow *s, const struct file *files, size_t n, const char *from,
		  char out[SHA256_HEX_LEN + 1], char *err, size_t errlen)
{
	char msg[1024] = "";
	int rc = -EIO;
	PGconn *c = shadow_conn(s, err, errlen);
	if (!c)
		return -EIO;
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_lock(" SHADOW_LOCK_KEY ")", 0, NULL, msg, sizeof msg);
	PQclear(res);
	if (!res)
		goto out;
	if (!s->cat) {
		snprintf(msg, sizeof msg, "the shadow's own schema.sql was not read back after its load");
		rc = -ESTALE;
		goto unlock;
	}
	if (pg_command(c, "BEGIN", msg, sizeof msg))
		goto unlock;
	if (!holds(c, from)) {
		snprintf(msg, sizeof msg, "the shadow holds another schema than the one it was dry-run on");
		rc = -ESTALE;
		goto rollback;
	}
	for (size_t i = 0; i < n; i++) {
		struct migrate_opts o = opts_for(s, &files[i]);
		struct migrate_dry d;
		int drc = migrate_dry_run(c, &o, files[i].name, files[i].sql, files[i].len, NULL, NULL, &d);
		if (drc) {
			snprintf(msg, sizeof msg, "%s does not run on it: %.900s", files[i].name, d.message);
			rc = -ECANCELED;
			goto rollback;
		}
	}
	if (set_loaded(c, "replaying", msg, sizeof msg) || pg_command(c, "COMMIT", msg, sizeof msg))
		goto rollback;
	if (shadow_schema_hash(s, c, out, msg, sizeof msg) || set_loaded(c, out, msg, sizeof msg))
		goto unlock;
	rc = 0;
	goto unlock;
rollback:
	if (PQtransactionStatus(c) != PQTRANS_IDLE) {
		char ignored[256];
		pg_command(c, "ROLLBACK", ignored, sizeof ignored);
	}
unlock:
	res = pg_exec(c, "SELECT pg_catalog.pg_advisory_unlock(" SHADOW_LOCK_KEY ")", 0, NULL, err, errlen);
	PQclear(res);
out:
	if (rc)
		snprintf(err, errlen, "%s", msg);
	renew_session(s);
	return rc;
}

/* Which tables each statement of a dry run locks and rewrites. */
struct track {
	PGconn *conn;
	PGresult *before;	/* oid, relfilenode of every user table before the file */
	struct strbuf seen;	/* "\n<oid>/<mode>\n..." reported already */
	struct strbuf *lines;
};

static const char SQL_LOCKS[] =
	"SELECT c.oid::text, c.oid::pg_catalog.regclass::text, l.mode, c.relfilenode::text"
	" FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation"
	" WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted"
	" AND c.relkind IN ('r', 'm', 'p') AND c.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace"
	" ORDER BY 2, 3";

static const char *before_of(const struct track *t, const char *oid)
{
	for (int i = 0; t->before && i < PQntuples(t->before); i++)
		if (!strcmp(PQgetvalue(t->before, i, 0), oid))
			return PQgetvalue(t->before, i, 1);
	return NULL;
}

/* After statement K: the locks it added, on tables that existed before
 * the file (a table it creates has no readers yet), and the rewrites. */
static void track_statement(void *ctx, size_t k)
{
	struct track *t = ctx;
	char err[256];
	PGresult *res = pg_exec(t->conn, SQL_LOCKS, 0, NULL, err, sizeof err);
	struct strbuf locks = STRBUF_INIT, rewrites = STRBUF_INIT;
	for (int i = 0; res && i < PQntuples(res); i++) {
		const char *oid = PQgetvalue(res, i, 0), *rel = PQgetvalue(res, i, 1), *mode = PQgetvalue(res, i, 2);
		const char *old = before_of(t, oid);
		if (!old)
			continue;
		struct strbuf key = STRBUF_INIT;
		sb_addf(&key, "\n%s/%s\n", oid, mode);
		if (!strstr(sb_str(&t->seen), sb_str(&key))) {
			sb_addf(&locks, "%s%s on %s", locks.len ? ", " : "", mode, rel);
			sb_addf(&t->seen, "%s/%s\n", oid, mode);
		}
		sb_reset(&key);
		sb_addf(&key, "\n%s/rewrite\n", oid);
		if (strcmp(old, PQgetvalue(res, i, 3)) && strcmp(old, "0") && !strstr(sb_str(&t->seen), sb_str(&key))) {
			sb_addf(&rewrites, "%s%s", rewrites.len ? ", " : "", rel);
			sb_addf(&t->seen, "%s/rewrite\n", oid);
		}
		strbuf_free(&key);
	}
	PQclear(res);
	if (locks.len || rewrites.len)
		sb_addf(t->lines, "      statement %zu: %s%s%s%s\n", k, locks.len ? "takes " : "", sb_str(&locks),
			rewrites.len ? (locks.len ? "; rewrites " : "rewrites ") : "", sb_str(&rewrites));
	strbuf_free(&locks);
	strbuf_free(&rewrites);
}

/* The locks held already (by the earlier files): not the file's own. */
static void track_start(struct track *t)
{
	char err[256];
	t->before = pg_exec(t->conn, "SELECT oid::text, relfilenode::text FROM pg_catalog.pg_class"
			    " WHERE relkind IN ('r', 'm', 'p') AND relnamespace <> 'pg_catalog'::pg_catalog.regnamespace",
			    0, NULL, err, sizeof err);
	sb_add(&t->seen, "\n");
	PGresult *res = pg_exec(t->conn, SQL_LOCKS, 0, NULL, err, sizeof err);
	for (int i = 0; res && i < PQntuples(res); i++)
		sb_addf(&t->seen, "%s/%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 2));
	PQclear(res);
}

static struct migrate_opts opts_for(const struct shadow *s, const struct file *f)
{
	return (struct migrate_opts){ .lock_timeout_ms = s->cfg->lock_timeout_ms,
				      .statement_timeout_ms = s->cfg->statement_timeout_ms,
				      .search_path = f->generated ? "public" : NULL,
				      .generated = f->generated };
}

static void fails_line(struct result *r, const struct migrate_dry *d, const char *note)
{
	struct strbuf why = STRBUF_INIT, lines = STRBUF_INIT;
	sb_addf(&why, "fails at statement %zu of %zu (line %d): %s", d->failed, d->nstmts, d->line, d->message);
	sb_addf(&lines, "    dry run: %s%s\n", sb_str(&why), note);
	r->why = strbuf_detach(&why, NULL);
	r->lines = strbuf_detach(&lines, NULL);
	sb_addf(&why, "fails at statement %zu of %zu (line %d): %s", d->failed, d->nstmts, d->line,
		d->full[0] ? d->full : d->message);
	r->full = strbuf_detach(&why, NULL);
}

/* A file PostgreSQL refuses to run in a transaction: alone, outside one,
 * as migrate.c runs it; the shadow is reloaded afterwards to undo it. */
static void run_alone(struct shadow *s, PGconn *c, const struct file *f, const struct migrate_dry *in_tx,
		      struct result *r)
{
	struct migrate_opts o = opts_for(s, f);
	struct migrate_dry d;
	if (in_tx->nstmts > 1) {
		/* migrate.c refuses it with its own words before anything runs. */
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "    dry run: not run: statement %zu of %zu cannot run in a transaction, and the apply runs "
			"such a statement only alone in its file (it refuses this one)\n", in_tx->failed, in_tx->nstmts);
		r->lines = strbuf_detach(&sb, NULL);
		return;
	}
	char err[256];
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_lock_shared(" SHADOW_LOCK_KEY ")", 0, NULL, err,
				sizeof err);
	PQclear(res);
	int rc = migrate_dry_run(c, &o, f->name, f->sql, f->len, NULL, NULL, &d);
	res = pg_exec(c, "SELECT pg_catalog.pg_advisory_unlock_shared(" SHADOW_LOCK_KEY ")", 0, NULL, err, sizeof err);
	PQclear(res);
	pthread_mutex_lock(&s->lock);
	s->dirty = true;
	pthread_mutex_unlock(&s->lock);
	r->rc = rc == -ECANCELED ? rc : 0;
	if (rc)
		fails_line(r, &d, " (run alone, outside a transaction, as the apply runs it)");
	else
		r->lines = strdup("    dry run: passes (run alone, outside a transaction, as the apply runs it; "
				  "the shadow is reloaded to undo it)\n");
}

/* FILES[0..n) in one transaction, rolled back, on the schema HASH; the
 * result is the last's. False (no result) when the shadow holds another
 * schema now: it is reloaded first. */
bool shadow_dry_run(struct shadow *s, const char *hash, const struct file *files, size_t n, struct result *r)
{
	char err[1024];
	struct strbuf lines = STRBUF_INIT, note = STRBUF_INIT;
	const struct file *f = &files[n - 1];
	PGconn *c = shadow_conn(s, err, sizeof err);
	r->rc = 0;
	if (!c || pg_command(c, "BEGIN", err, sizeof err)) {
		/* No result: the shadow is reloaded (recreated if dropped), or
		 * said to be gone, and the real apply decides meanwhile. */
		log_warn("%s: the shadow cannot be reached: %s", s->cfg->name, err);
		pthread_mutex_lock(&s->lock);
		s->dirty = true;
		pthread_mutex_unlock(&s->lock);
		strbuf_free(&lines);
		strbuf_free(&note);
		return false;
	}
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_xact_lock_shared(" SHADOW_LOCK_KEY ")", 0, NULL,
				err, sizeof err);
	PQclear(res);
	if (!res) {
		sb_addf(&lines, "    dry run: not run: %s\n", err);
		goto rollback;
	}
	if (!holds(c, hash)) {
		pg_command(c, "ROLLBACK", err, sizeof err);
		pthread_mutex_lock(&s->lock);
		s->dirty = true;
		pthread_mutex_unlock(&s->lock);
		strbuf_free(&lines);
		strbuf_free(&note);
		return false;
	}
	struct migrate_dry d;
	for (size_t i = 0; i + 1 < n; i++) {
		struct migrate_opts o = opts_for(s, &files[i]);
		pg_command(c, "SAVEPOINT schemafs_dry", err, sizeof err);
		int rc = migrate_dry_run(c, &o, files[i].name, files[i].sql, files[i].len, NULL, NULL, &d);
		if (rc && !strcmp(d.state, "25001")) {
			pg_command(c, "ROLLBACK TO SAVEPOINT schemafs_dry", err, sizeof err);
			sb_addf(&note, " (without %s, which cannot run in a transaction)", files[i].name);
		} else if (rc && rc != -ENOTSUP) {
			sb_addf(&lines, "    dry run: not run: the earlier pending file %s fails its own\n",
				files[i].name);
			goto rollback;
		}
	}
	struct track t = { .conn = c, .seen = STRBUF_INIT, .lines = &lines };
	track_start(&t);
	struct strbuf locks = STRBUF_INIT;
	t.lines = &locks;
	struct migrate_opts o = opts_for(s, f);
	int rc = migrate_dry_run(c, &o, f->name, f->sql, f->len, track_statement, &t, &d);
	PQclear(t.before);
	strbuf_free(&t.seen);
	pg_command(c, "ROLLBACK", err, sizeof err);
	if (rc == -ENOTSUP) {
		sb_addf(&lines, "    dry run: not run: %s\n", d.message);
	} else if (rc && !strcmp(d.state, "25001")) {
		run_alone(s, c, f, &d, r);
		strbuf_free(&locks);
		goto out;
	} else if (rc) {
		/* A timeout on an empty twin says nothing about the real one;
		 * a lost connection neither; nor a privilege: the twin's
		 * objects are the loading role's, with the grants schema.sql
		 * shows. The apply decides then. */
		bool refuse = rc == -ECANCELED && strcmp(d.state, "42501");
		r->rc = refuse ? rc : 0;
		fails_line(r, &d, refuse ? sb_str(&note) : " (not a reason to refuse the apply)");
		sb_add(&lines, r->lines);
		free(r->lines);
		r->lines = NULL;
		sb_add(&lines, sb_str(&locks));
	} else {
		sb_addf(&lines, "    dry run: passes%s\n%s", sb_str(&note), sb_str(&locks));
	}
	strbuf_free(&locks);
	goto out;
rollback:
	pg_command(c, "ROLLBACK", err, sizeof err);
out:
	if (!r->lines)
		r->lines = strbuf_detach(&lines, NULL);
	strbuf_free(&lines);
	strbuf_free(&note);
	return true;
}
