/*
 * catalog_fingerprint.c: the fingerprint of a database's catalogs (two
 * queries, SQL_FINGERPRINT and SQL_FINGERPRINT_ATTRS, the second on a
 * second connection when asked, plus the tracking table's rows), taken at
 * the end of a load in the load's own snapshot or at the start of a
 * refresh, and the comparison that tells a refresh whether only new
 * schemas appeared. See include/catalog.h.
 */
#include "catalog.h"
#include "catalog_loader.h"

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
 * FP_FRESH_MAX, which neither query sends: FP_SENT). */
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

/* Elements of an array's text "{1,2,3}" (numbers: no quoting). */
static size_t array_len(const char *a)
{
	if (!a || !strcmp(a, "{}"))
		return 0;
	size_t n = 1;
	for (; *a; a++)
		n += *a == ',';
	return n;
}

/* "{a}" and "{b}" as "{a,b}" (either may be "{}"); malloc'd. */
static char *array_cat(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	size_t la = strlen(a);
	if (la < 2 || !*b) {
		/* Not an array's text: both queries COALESCE to "{}". */
		strbuf_free(&sb);
		return strdup("{}");
	}
	sb_addn(&sb, a, la - 1);	/* "{a" */
	if (array_len(a) && array_len(b))
		sb_addc(&sb, ',');
	sb_add(&sb, b + 1);		/* "b}" */
	return strbuf_detach(&sb, NULL);
}

/* Keeps the new rows both queries listed (MAIN's columns 3 and 4, ATTRS'
 * 1 and 2) in FRESH, when the transaction named a snapshot (MAIN's column
 * 5) and they are at most FP_FRESH_MAX together (NULL: more than that in
 * that query alone). */
static void keep_fresh(const PGresult *main, const PGresult *attrs, struct cat_fresh *fresh)
{
	if (fresh_scan() || strcmp(PQgetvalue(main, 0, 5), "t") || PQgetisnull(main, 0, 3) ||
	    PQgetisnull(main, 0, 4) || PQgetisnull(attrs, 0, 1) || PQgetisnull(attrs, 0, 2) ||
	    array_len(PQgetvalue(main, 0, 3)) + array_len(PQgetvalue(attrs, 0, 1)) > FP_FRESH_MAX)
		return;
	fresh->keys = array_cat(PQgetvalue(main, 0, 3), PQgetvalue(attrs, 0, 1));
	fresh->objs = array_cat(PQgetvalue(main, 0, 4), PQgetvalue(attrs, 0, 2));
}

char *catalog_fingerprint(PGconn *conn, const struct catalog_filter *filter, const char *since, bool two,
			  struct cat_fresh *fresh, int *split, char *err, size_t errlen)
{
	struct strbuf fp = STRBUF_INIT, q = STRBUF_INIT, name = STRBUF_INIT;
	char *ret = NULL;
	PGresult *main = NULL, *attrs = NULL;
	struct aux *aux = NULL;
	bool failed_there = false;
	const char *sql = pgv_sql_for(conn, SQL_FINGERPRINT);
	const char *attrs_sql = pgv_sql_for(conn, SQL_FINGERPRINT_ATTRS);
	const char *params[] = { since ? since : "" };
	if (fresh)
		cat_fresh_clear(fresh);
	if (split)
		*split = 0;
	if (!sql || !attrs_sql) {
		snprintf(err, errlen, "no fingerprint query for PostgreSQL %d (out of memory)", pgv_major(conn));
		goto out;
	}
	/* pg_attribute, pg_attrdef and pg_constraint, half of the scans at
	 * 10,000 tables, on the second connection while this one reads the
	 * rest. */
	if (two) {
		const struct aux_want want = { .tmpl = SQL_FINGERPRINT_ATTRS, .nparams = 1, .params = { params[0] } };
		aux = aux_start_on(conn, &want, 1);
		if (!aux && PQtransactionStatus(conn) == PQTRANS_INERROR) {
			snprintf(err, errlen, "the snapshot's export for a second connection failed (logged)");
			if (split)
				*split = -1;
			goto out;
		}
		if (!aux)
			failed_there = true;	/* not started: said why */
	}
	main = pg_exec_static(conn, sql, 0, NULL, err, errlen);
	if (!main)
		goto out;
	if (aux_take(aux, SQL_FINGERPRINT_ATTRS, 1, params, &attrs) && attrs && split)
		*split = 1;
	if (!attrs && !(attrs = pg_exec_static(conn, attrs_sql, 1, params, err, errlen)))
		goto out;
	/* Put back together as one query gave it ("s1,s2" "s3,s4,s5" "s6,...,s14,"). */
	sb_addf(&fp, "%s%s,%s,%s", PQgetvalue(main, 0, 0), PQgetvalue(main, 0, 1), PQgetvalue(attrs, 0, 0),
		PQgetvalue(main, 0, 2));
	if (fresh)
		keep_fresh(main, attrs, fresh);
	if (filter->tracking_schema && filter->tracking_table) {
		/* The table may come and go (a reset drops it): ask first. */
		if (track_table_name(conn, filter->tracking_schema, filter->tracking_table, &name, NULL, err, errlen))
			goto out;
		const char *tparams[] = { sb_str(&name) };
		const struct tracker *tk = filter->tracker ? filter->tracker : track_find(NULL);
		PGresult *res = pg_exec_static(conn, tk->exists_sql, 1, tparams, err, errlen);
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
	failed_there |= aux_end(aux, PQdb(conn));
	if (failed_there && split && *split == 0)
		*split = -2;
	PQclear(main);
	PQclear(attrs);
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
	char *fp = catalog_fingerprint(conn, filter, "", false, NULL, NULL, err, errlen);
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
