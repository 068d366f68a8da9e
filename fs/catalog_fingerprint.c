/*
 * catalog_fingerprint.c: the fingerprint of a database's catalogs (one
 * query, SQL_FINGERPRINT, plus the tracking table's rows), taken at the
 * end of a load in the load's own snapshot, and the comparison that tells
 * a refresh whether only new schemas appeared. See include/catalog.h.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_sql.h"
#include "fingerprint_sql.h"
#include "pg.h"
#include "pgversion.h"
#include "strbuf.h"
#include "track.h"

/* Test hook: SCHEMAFS_TEST_FRESH_SCAN=1 never keeps the list, so that the
 * tests also go through the change query's own scans (as for a list over
 * FP_FRESH_MAX, which the query does not send). */
static bool fresh_scan(void)
{
	const char *v = getenv("SCHEMAFS_TEST_FRESH_SCAN");
	return v && !strcmp(v, "1");
}

void cat_fresh_clear(struct cat_fresh *fresh)
{
	free(fresh->keys);
	free(fresh->objs);
	fresh->keys = fresh->objs = NULL;
}

/* Keeps the fingerprint's list of new rows (row 0, columns 1 and 2; NULL
 * when none was named or too many) in FRESH. */
static void keep_fresh(const PGresult *res, struct cat_fresh *fresh)
{
	if (fresh_scan() || PQgetisnull(res, 0, 1) || PQgetisnull(res, 0, 2))
		return;
	if (!(fresh->keys = strdup(PQgetvalue(res, 0, 1))) || !(fresh->objs = strdup(PQgetvalue(res, 0, 2))))
		abort();
}

char *catalog_fingerprint(PGconn *conn, const struct catalog_filter *filter, struct cat_fresh *fresh,
			  char *err, size_t errlen)
{
	struct strbuf fp = STRBUF_INIT, q = STRBUF_INIT, name = STRBUF_INIT;
	char *ret = NULL;
	const char *sql = pgv_sql_for(conn, SQL_FINGERPRINT);
	if (fresh)
		cat_fresh_clear(fresh);
	if (!sql) {
		snprintf(err, errlen, "no fingerprint query for PostgreSQL %d (out of memory)", pgv_major(conn));
		goto out;
	}
	PGresult *res = pg_exec_static(conn, sql, 0, NULL, err, errlen);
	if (!res)
		goto out;
	sb_add(&fp, PQgetvalue(res, 0, 0));
	if (fresh)
		keep_fresh(res, fresh);
	PQclear(res);
	if (filter->tracking_schema && filter->tracking_table) {
		/* The table may come and go (a reset drops it): ask first. */
		if (track_table_name(conn, filter->tracking_schema, filter->tracking_table, &name, NULL, err, errlen))
			goto out;
		const char *params[] = { sb_str(&name) };
		const struct tracker *tk = filter->tracker ? filter->tracker : track_find(NULL);
		res = pg_exec_static(conn, tk->exists_sql, 1, params, err, errlen);
		if (!res)
			goto out;
		bool exists = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (exists) {
			sb_addf(&q, "SELECT " FP_SUM("xmin") " FROM %s",
				sb_str(&name));
			res = pg_exec(conn, sb_str(&q), 0, NULL, err, errlen);
			if (!res)
				goto out;
			sb_addf(&fp, ",%s", PQgetvalue(res, 0, 0));
			PQclear(res);
		} else {
			sb_add(&fp, ",none");
		}
	}
	ret = strbuf_detach(&fp, NULL);
out:
	if (!ret && fresh)
		cat_fresh_clear(fresh);
	strbuf_free(&fp);
	strbuf_free(&q);
	strbuf_free(&name);
	return ret;
}

char *catalog_finish_take(PGconn *conn, const struct catalog_filter *filter, char *err, size_t errlen)
{
	/* Still in the load's REPEATABLE READ transaction: the same snapshot
	 * as everything read, so a later equal fingerprint really means
	 * "nothing changed since". */
	char *fp = catalog_fingerprint(conn, filter, NULL, err, errlen);
	if (fp && !pg_command(conn, "COMMIT", err, errlen))
		return fp;
	free(fp);
	PGresult *r = pg_run(conn, true, "ROLLBACK", 0, NULL, NULL, NULL);
	PQclear(r);
	return NULL;
}

int catalog_finish(PGconn *conn, struct catalog *cat, const struct catalog_filter *filter,
		   char *err, size_t errlen)
{
	char *fp = catalog_finish_take(conn, filter, err, errlen);
	if (!fp)
		return -1;
	cat->fingerprint = arena_strdup(cat->arena, fp);
	free(fp);
	return 0;
}

/* Whether the schemas section of a fingerprint (" "-separated "oid:xmin",
 * by OID, up to '|') at CUR holds every pair of the one at OLD: only new
 * schemas. A row updated (renamed: the relations' texts name it) or
 * dropped is not. */
static bool schemas_only_added(const char *old, const char *cur)
{
	while (*old != '|') {
		char *end;
		unsigned long oid = strtoul(old, &end, 10);
		size_t len = strcspn(old, " |");
		if (end == old)
			return false;
		for (;;) {
			if (*cur == '|' || !*cur)
				return false;
			unsigned long c = strtoul(cur, NULL, 10);
			size_t clen = strcspn(cur, " |");
			bool same = c == oid && clen == len && !memcmp(cur, old, len);
			if (c > oid || (c == oid && !same))
				return false;
			cur += clen + (cur[clen] == ' ');
			if (same)
				break;
		}
		old += len + (old[len] == ' ');
	}
	return true;
}

bool catalog_fingerprint_local(const char *old, const char *cur)
{
	const char *eo = old ? strchr(old, '|') : NULL, *ec = cur ? strchr(cur, '|') : NULL;
	if (!eo || !ec || eo - old != ec - cur || memcmp(old, cur, (size_t)(eo - old)))
		return false;
	eo++;
	ec++;
	return strchr(eo, '|') && strchr(ec, '|') && schemas_only_added(eo, ec);
}
