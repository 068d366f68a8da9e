/* shadow_load.c: filling the shadow (a reload from schema.sql, a replay of
 * committed files) and reading its catalog back; see shadow_internal.h.
 * The thread only. */
#include "shadow_internal.h"

#include <errno.h>
#include <stdio.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "log.h"
#include "migrate.h"
#include "pg.h"
#include "render.h"
#include "sqlparse.h"
#include "strbuf.h"

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

/* The shadow's catalog, read from s->cat (incrementally: only the
 * relations the replay changed are read again), rendered as schema.sql and
 * hashed into HASH. The new catalog replaces s->cat. 0, or -1 with MSG. */
static int shadow_schema_hash(struct shadow *s, PGconn *c, char hash[SHA256_HEX_LEN + 1], char *msg, size_t msglen)
{
	struct catalog_filter filter;
	database_filter(s->cfg, &filter);
	/* On one connection: a second one (catalog_aux.c) takes only the
	 * reader's settings by which constants print, not every one that
	 * shadow_apply_settings() gives it, and a shadow's reads are incremental
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
	char *key = shadow_settings_key(s->settings);
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
				shadow_apply_settings(s, s->reader);
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
	/* Read on one connection: its map is always in. */
	(void)render_schema_sql(&sb, cat, NULL);
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
	PGconn *c = shadow_session(s, err, errlen);
	if (!c)
		return -EIO;
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_lock(" SHADOW_LOCK_KEY "),"
				" pg_catalog.set_config('statement_timeout', '0', false)", 0, NULL, msg, sizeof msg);
	PQclear(res);
	if (!res)
		goto fail;
	if (shadow_set_loaded(c, "loading", msg, sizeof msg))
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
	if (shadow_set_loaded(c, hash, msg, sizeof msg))
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
	PGconn *c = shadow_session(s, err, errlen);
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
	if (!shadow_holds(c, from)) {
		snprintf(msg, sizeof msg, "the shadow holds another schema than the one it was dry-run on");
		rc = -ESTALE;
		goto rollback;
	}
	for (size_t i = 0; i < n; i++) {
		struct migrate_opts o = shadow_migrate_opts(s, &files[i]);
		struct migrate_dry d;
		int drc = migrate_dry_run(c, &o, files[i].name, files[i].sql, files[i].len, NULL, NULL, &d);
		if (drc) {
			snprintf(msg, sizeof msg, "%s does not run on it: %.900s", files[i].name, d.message);
			rc = -ECANCELED;
			goto rollback;
		}
	}
	if (shadow_set_loaded(c, "replaying", msg, sizeof msg) || pg_command(c, "COMMIT", msg, sizeof msg))
		goto rollback;
	if (shadow_schema_hash(s, c, out, msg, sizeof msg) || shadow_set_loaded(c, out, msg, sizeof msg))
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
	shadow_renew_session(s);
	return rc;
}
