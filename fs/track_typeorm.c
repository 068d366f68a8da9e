/* track_typeorm.c: TypeORM's tracking (rows (id, timestamp, name) in
 * public.migrations); see include/track.h.
 *
 * TypeORM runs a migration class whose name is not in the table, and
 * takes its timestamp from the last 13 digits of the class name
 * (MigrationExecutor.getMigrations). A file schemafs applies becomes
 * <CamelCaseTag><timestamp in ms>, "0004_add_e.sql" -> "AddE1764855000000",
 * so that TypeORM reads its row as any other; a file already named so
 * ("AddE1764855000000.sql") keeps its name, and is the same migration as
 * TypeORM's class of that name. TypeORM keeps no SQL: schemafs keeps its
 * own files' text in schemafs_migrations, found by tag = name. */
#include "track.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "pg.h"

#define STAMP_DIGITS 13

/* The stem of file NAME: without ".sql"; LEN its length. */
static const char *stem(const char *name, size_t *len)
{
	*len = track_stem_len(name);
	return name;
}

/* Does the stem end with a 13-digit timestamp after a letter, as a
 * TypeORM class name does? *STAMP gets it. */
static bool class_named(const char *s, size_t n, long long *stamp)
{
	if (n <= STAMP_DIGITS || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = n - STAMP_DIGITS; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	for (size_t i = 0; i < n - STAMP_DIGITS; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	*stamp = strtoll(s + n - STAMP_DIGITS, NULL, 10);
	return *stamp > 0;
}

/* "0004_add_e" -> "AddE": a leading number dropped, each word capitalized. */
static void camel(const char *s, size_t n, char *out, size_t outlen)
{
	size_t d = strspn(s, "0123456789"), o = 0;
	if (d < n && s[d] == '_')
		s += d + 1, n -= d + 1;
	bool up = true;
	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c)) {
			up = true;
			continue;
		}
		out[o++] = up ? (char)toupper(c) : (char)c;
		up = false;
	}
	if (!o || isdigit((unsigned char)out[0]))
		o = (size_t)snprintf(out, outlen, "Migration");
	out[o < outlen ? o : outlen - 1] = '\0';
}

static int ensure_tables(struct track_run *t)
{
	/* As TypeORM's createMigrationsTableIfNotExist makes it on PostgreSQL. */
	return track_create_tables(t, false, "\"id\" SERIAL NOT NULL PRIMARY KEY, \"timestamp\" bigint NOT NULL,"
				   " \"name\" character varying NOT NULL");
}

/* By hash (a file schemafs applied, under whatever name), or by the
 * class name the file itself carries (TypeORM applied it). */
static int is_recorded(struct track_run *t, const char *hash, long long *id)
{
	char name[256] = "";
	size_t n;
	long long stamp;
	const char *s = stem(t->name, &n);
	if (class_named(s, n, &stamp))
		snprintf(name, sizeof name, "%.*s", (int)n, s);
	struct strbuf q = STRBUF_INIT;
	sb_addf(&q, "SELECT m.id FROM %s.%s m WHERE m.name = $2 OR m.name IN (SELECT tag FROM %s WHERE hash = $1)"
		" ORDER BY m.id LIMIT 1", t->qs, t->qt, t->qsql);
	const char *params[] = { hash, name };
	int rc = track_find_row(t, sb_str(&q), 2, params, id);
	strbuf_free(&q);
	return rc;
}

/* The name and timestamp: the file's own when it is named as a class;
 * else now, after every row's timestamp, so that TypeORM's order (by
 * timestamp) is the order of application. */
static int prepare(struct track_run *t, const char *hash)
{
	(void)hash;
	char err[1024], cls[200];
	size_t n;
	long long stamp;
	const char *s = stem(t->name, &n);
	if (class_named(s, n, &stamp) && n < sizeof t->r->tag) {
		snprintf(t->r->tag, sizeof t->r->tag, "%.*s", (int)n, s);
		t->when = stamp;
		return 0;
	}
	struct strbuf q = STRBUF_INIT;
	sb_addf(&q, "SELECT coalesce(max(\"timestamp\"), 0) FROM %s.%s", t->qs, t->qt);
	PGresult *res = pg_exec(t->conn, sb_str(&q), 0, NULL, err, sizeof err);
	strbuf_free(&q);
	if (!res) {
		track_say(t, "%s; nothing was applied", err);
		return -EIO;
	}
	long long max = strtoll(PQgetvalue(res, 0, 0), NULL, 10), now = track_now_ms();
	PQclear(res);
	t->when = now > max ? now : max + 1;
	camel(s, n, cls, sizeof cls);
	snprintf(t->r->tag, sizeof t->r->tag, "%s%013lld", cls, t->when);
	return 0;
}

static int record(struct track_run *t, const char *hash)
{
	char stamp[32];
	snprintf(stamp, sizeof stamp, "%lld", t->when);
	struct strbuf q = STRBUF_INIT;
	/* As TypeORM's insertExecutedMigration: id from the sequence. */
	sb_addf(&q, "INSERT INTO %s.%s (\"timestamp\", \"name\") VALUES ($1, $2) RETURNING id", t->qs, t->qt);
	const char *params[] = { stamp, t->r->tag };
	int rc = track_insert_row(t, sb_str(&q), 2, params, hash);
	strbuf_free(&q);
	return rc;
}

/* TypeORM's rows; hash and text only for what schemafs applied. */
static void rows_sql(struct strbuf *q, const char *table, const char *ours)
{
	if (ours)
		sb_addf(q, "SELECT m.id, s.hash, m.\"timestamp\", m.name, s.sql FROM %s m"
			" LEFT JOIN %s s ON s.tag = m.name ORDER BY m.id", table, ours);
	else
		sb_addf(q, "SELECT id, NULL, \"timestamp\", name, NULL FROM %s ORDER BY id", table);
}

const struct tracker track_typeorm = {
	.name = "typeorm",
	.default_schema = "public",
	.default_table = "migrations",
	.hides_schema = false,	/* public: the application's own */
	.exists_sql = "SELECT count(*) = 3 FROM pg_catalog.pg_attribute"
		      " WHERE attrelid = pg_catalog.to_regclass($1) AND NOT attisdropped"
		      " AND attname IN ('id', 'timestamp', 'name')",
	.rows_sql = rows_sql,
	.ensure_tables = ensure_tables,
	.is_recorded = is_recorded,
	.prepare = prepare,
	.record = record,
};
