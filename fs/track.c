/* track.c: what every tracker shares; see include/track.h. */
#include "track.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dksnap.h"
#include "history.h"
#include "log.h"
#include "migrate.h"
#include "pg.h"

static const struct tracker *const trackers[] = { &track_drizzle, &track_typeorm };

const struct tracker *track_find(const char *name)
{
	if (!name)
		return &track_drizzle;
	for (size_t i = 0; i < sizeof trackers / sizeof *trackers; i++)
		if (!strcmp(trackers[i]->name, name))
			return trackers[i];
	return NULL;
}

const struct tracker *track_choose(PGconn *conn, const struct migrate_opts *o)
{
	const struct tracker *tk = track_find(o->tracking);
	if (tk != &track_drizzle || !o->migrations_dir)
		return tk;
	int layout = history_layout(o->migrations_dir);
	if (layout >= 0)
		return layout ? &track_drizzle1 : tk;
	/* An empty folder: the table drizzle 1.0 made (with "name") says 1.0. */
	struct strbuf name = STRBUF_INIT;
	char err[256];
	bool named = !track_table_name(conn, o->tracking_schema, o->tracking_table, &name, NULL, err, sizeof err);
	const char *params[] = { sb_str(&name) };
	PGresult *res = named ? pg_exec(conn, TRACK_HAS_NAME_SQL, 1, params, err, sizeof err) : NULL;
	if (res && PQgetvalue(res, 0, 0)[0] == 't')
		tk = &track_drizzle1;
	PQclear(res);
	strbuf_free(&name);
	return tk;
}

int track_table_name(PGconn *conn, const char *schema, const char *table, struct strbuf *out, char **qschema,
		     char *err, size_t errlen)
{
	char *qs = PQescapeIdentifier(conn, schema, strlen(schema));
	char *qt = PQescapeIdentifier(conn, table, strlen(table));
	int ret = -1;
	if (!qs || !qt) {
		if (errlen)
			snprintf(err, errlen, "%s", PQerrorMessage(conn));
		goto out;
	}
	sb_add_qual(out, qs, qt);
	if (qschema) {
		*qschema = qs;
		qs = NULL;
	}
	ret = 0;
out:
	if (ret && qschema)
		*qschema = NULL;
	PQfreemem(qs);
	PQfreemem(qt);
	return ret;
}

void track_say(struct track_run *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->r->message, sizeof t->r->message, fmt, ap);
	va_end(ap);
}

int track_hash(struct track_run *t, const char *data, size_t len, char *hex, size_t hexlen)
{
	const char *values[] = { data };
	int lengths[] = { (int)len }, formats[] = { 1 };
	/* Bounded, as every query (pg_run). */
	PGresult *res = pg_run(t->conn, false, "SELECT pg_catalog.encode(pg_catalog.sha256($1::bytea), 'hex')",
			       1, values, lengths, formats);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -EIO;
	if (rc)
		track_say(t, "cannot hash the file: %s", res ? PQresultErrorMessage(res) : pg_error(t->conn));
	else
		snprintf(hex, hexlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

int track_ensure_text_table(struct track_run *t)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "CREATE TABLE IF NOT EXISTS %s (hash text PRIMARY KEY, tag text NOT NULL,"
		" sql text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", t->qsql);
	int rc = pg_command(t->conn, sb_str(&sql), err, sizeof err);
	strbuf_free(&sql);
	if (rc)
		track_say(t, "cannot create the migrations table: %s; nothing was applied", err);
	return rc ? -EIO : 0;
}

int track_keep_text(struct track_run *t, const char *hash)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "INSERT INTO %s (hash, tag, sql) VALUES ($1, $2, $3) ON CONFLICT (hash) DO UPDATE"
		" SET tag = EXCLUDED.tag, sql = EXCLUDED.sql", t->qsql);
	char *text = strndup(t->file, t->len);
	if (!text)
		abort();
	const char *p[] = { hash, t->r->tag, text };
	PGresult *res = pg_exec(t->conn, sb_str(&sql), 3, p, err, sizeof err);
	free(text);
	strbuf_free(&sql);
	if (!res) {
		track_say(t, "cannot record the migration: %s; nothing was applied", err);
		return -EIO;
	}
	PQclear(res);
	return 0;
}

long long track_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int track_begin_snapshot(struct track_run *t, bool v1, struct dksnap **snap)
{
	char err[1024];
	*snap = NULL;
	if (t->ran || !t->o->migrations_dir)
		return 0;
	if (dksnap_begin(t->conn, t->o->migrations_dir, v1, snap, err, sizeof err)) {
		track_say(t, "cannot read the catalog for drizzle-kit's snapshot: %s; nothing was applied", err);
		return -EIO;
	}
	return 0;
}

int track_write_snapshot(struct track_run *t, struct dksnap *snap)
{
	char why[1024];
	int rc = snap ? dksnap_write(t->conn, snap, t->r->tag, why, sizeof why) : 0;
	if (rc < 0)
		track_say(t, "cannot write drizzle-kit's snapshot: %s; nothing was applied", why);
	else if (rc > 0)
		log_info("%s: no drizzle-kit snapshot: %s", t->r->tag, why);
	return rc < 0 ? rc : 0;
}

/* Both tables there already (every apply but the first): one query, and
 * no NOTICE from each IF NOT EXISTS in the daemon's log. */
static bool tables_there(struct track_run *t)
{
	char err[256];
	struct strbuf a = STRBUF_INIT;
	sb_addf(&a, "%s.%s", t->qs, t->qt);
	const char *params[] = { sb_str(&a), t->qsql };
	PGresult *res = pg_exec(t->conn, "SELECT pg_catalog.to_regclass($1) IS NOT NULL AND"
				" pg_catalog.to_regclass($2) IS NOT NULL", 2, params, err, sizeof err);
	bool there = res && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	strbuf_free(&a);
	return there;
}

int track_create_tables(struct track_run *t, bool schema, const char *columns)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	int rc = 0;
	if (tables_there(t))
		return 0;
	if (schema) {
		sb_addf(&sql, "CREATE SCHEMA IF NOT EXISTS %s", t->qs);
		rc = pg_command(t->conn, sb_str(&sql), err, sizeof err);
		sb_reset(&sql);
	}
	sb_addf(&sql, "CREATE TABLE IF NOT EXISTS %s.%s (%s)", t->qs, t->qt, columns);
	if (!rc)
		rc = pg_command(t->conn, sb_str(&sql), err, sizeof err);
	strbuf_free(&sql);
	if (rc)
		track_say(t, "cannot create the migrations table: %s; nothing was applied", err);
	return rc ? -EIO : track_ensure_text_table(t);
}

int track_insert_row(struct track_run *t, const char *sql, int n, const char *const *params, const char *hash)
{
	char err[1024];
	PGresult *res = pg_exec(t->conn, sql, n, params, err, sizeof err);
	if (!res) {
		track_say(t, "cannot record the migration: %s; nothing was applied", err);
		return -EIO;
	}
	t->r->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return track_keep_text(t, hash);
}

/* SQL's result, or NULL with the server's message (and SUFFIX) said. */
static PGresult *query(struct track_run *t, const char *sql, int n, const char *const *params, const char *suffix)
{
	char err[1024];
	PGresult *res = pg_exec(t->conn, sql, n, params, err, sizeof err);
	if (!res)
		track_say(t, "%s%s", err, suffix);
	return res;
}

int track_find_row(struct track_run *t, const char *sql, int n, const char *const *params, long long *id)
{
	PGresult *res = query(t, sql, n, params, "");
	if (!res)
		return -EIO;
	int found = PQntuples(res) > 0;
	if (found)
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return found;
}

int track_query_bool(struct track_run *t, const char *sql, int n, const char *const *params)
{
	PGresult *res = query(t, sql, n, params, "; nothing was applied");
	if (!res)
		return -EIO;
	int v = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return v;
}

size_t track_stem_len(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".sql") ? n - 4 : n;
}

const char *track_base(const char *name, size_t *len)
{
	*len = track_stem_len(name);
	size_t digits = strspn(name, "0123456789");
	if (digits && digits < *len && name[digits] == '_') {
		*len -= digits + 1;
		return name + digits + 1;
	}
	return name;
}

void track_safe_tag(char *tag)
{
	for (; *tag; tag++)
		if (*tag == '/' || (unsigned char)*tag < 0x20)
			*tag = '_';
}
