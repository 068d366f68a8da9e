/*
 * edit_composite.c: a live composite type's types/<t>.sql rewritten,
 * staged as ALTER TYPE ... DROP / ALTER / ADD ATTRIBUTE (edit_struct.h).
 * In a rolled-back transaction the live type is renamed out of the way,
 * the file's CREATE TYPE runs, both attribute lists are read back as the
 * catalog reads columns (SQL_COLUMNS' type and collation), and the
 * statements the difference makes are run on the live type, so that
 * PostgreSQL says whether they can run (a column of the type, say). An
 * attribute is known by its name: one renamed is dropped and added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "edit_struct.h"
#include "plan_struct.h"
#include "stage_struct.h"
#include "strbuf.h"

static const char READ_ATTRS[] =
	"SELECT a.attname, pg_catalog.quote_ident(a.attname), pg_catalog.format_type(a.atttypid, a.atttypmod),"
	" CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN"
	"  CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN pg_catalog.quote_ident(co.collname)"
	"  ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END END"
	" FROM pg_catalog.pg_type ty JOIN pg_catalog.pg_attribute a ON a.attrelid = ty.typrelid"
	" JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" WHERE ty.oid = $1::pg_catalog.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

int es_read_attrs(struct change *c, PGconn *conn, const char *oid, PGresult **res)
{
	return es_run(c, conn, READ_ATTRS, 1, (const char *const[]){ oid }, res);
}

static struct stage_attr attr_at(const PGresult *r, int i)
{
	return (struct stage_attr){ PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
				    PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3) };
}

struct composite_try {
	const struct cat_type *t;
	const char *schema, *sid, *id, *tmpname;
	const struct es_text *text;
};

static int composite_in(struct change *c, PGconn *conn, void *ctx)
{
	struct composite_try *ct = ctx;
	struct database *db = c->db;
	const struct cat_type *t = ct->t;
	const char *sid = ct->sid, *id = ct->id, *tmpname = ct->tmpname;
	struct strbuf sql = STRBUF_INIT;
	PGresult *was = NULL, *now = NULL, *found = NULL;
	struct stage_attr *want = NULL, *have = NULL;
	int rc = -EINVAL;
	sb_addf(&sql, "%s.%s", sid, id);
	if (es_replace_type(c, conn, "TYPE", 'c', sb_str(&sql), tmpname, ct->schema, t->name, ct->text->create,
			    "composite type", &found))
		goto out;
	if (es_run(c, conn, READ_ATTRS, 1, (const char *const[]){ PQgetvalue(found, 0, 1) }, &was) ||
	    es_run(c, conn, READ_ATTRS, 1, (const char *const[]){ PQgetvalue(found, 0, 0) }, &now))
		goto out;
	size_t nh = (size_t)PQntuples(was), nw = (size_t)PQntuples(now);
	have = calloc(nh + 1, sizeof *have);
	want = calloc(nw + 1, sizeof *want);
	if (!have || !want)
		abort();
	for (size_t i = 0; i < nh; i++)
		have[i] = attr_at(was, (int)i);
	for (size_t i = 0; i < nw; i++)
		want[i] = attr_at(now, (int)i);
	/* The statements, run on the live type: PostgreSQL says whether they can. */
	sb_reset(&sql);
	sb_addf(&sql, "DROP TYPE %s.%s", sid, id);
	if (es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
		goto out;
	sb_reset(&sql);
	sb_addf(&sql, "ALTER TYPE %s.%s RENAME TO %s", sid, tmpname, id);
	if (es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
		goto out;
	struct strbuf qual = STRBUF_INIT, stmts = STRBUF_INIT;
	sb_addf(&qual, "%s.%s", sid, id);
	size_t n = plan_attrs_alter(&stmts, sb_str(&qual), have, nh, want, nw);
	bool ok = (!n || !es_run(c, conn, sb_str(&stmts), 0, NULL, NULL)) &&
		  !es_run_comment(c, conn, ct->text, sb_str(&qual));
	strbuf_free(&qual);
	strbuf_free(&stmts);
	if (!ok)
		goto out;
	if (!n)
		stage_composite_forget(db->stage, t->oid);	/* as it is live */
	else {
		/* In the order the type will have: kept ones where they are,
		 * new ones after them (ADD ATTRIBUTE appends). */
		struct stage_attr *order = calloc(nw + 1, sizeof *order);
		size_t k = 0;
		if (!order)
			abort();
		for (size_t i = 0; i < nh; i++)
			for (size_t j = 0; j < nw; j++)
				if (!strcmp(want[j].name, have[i].name))
					order[k++] = want[j];
		for (size_t j = 0; j < nw; j++) {
			bool live = false;
			for (size_t i = 0; i < nh; i++)
				live |= !strcmp(want[j].name, have[i].name);
			if (!live)
				order[k++] = want[j];
		}
		stage_composite_set(db->stage, t->oid, order, k);
		free(order);
	}
	es_stage_type_comment(c, t->oid, NULL, NULL, ct->text);
	rc = 0;
out:
	PQclear(was);
	PQclear(now);
	PQclear(found);
	free(have);
	free(want);
	strbuf_free(&sql);
	return rc;
}

int es_composite_write(struct change *c, const struct epath *p, const struct cat_type *t, const char *data,
		       size_t len)
{
	PGconn *conn = ed_conn(c);
	if (!conn)
		return -EIO;
	struct es_text text;
	int rc = es_read_type_file(c, p, t, data, len, catalog_type(c->db->cat, t->oid), &text);
	if (rc)
		return rc;
	char tmpname[64];
	snprintf(tmpname, sizeof tmpname, "schemafs_type_%u", t->oid);
	char *sid = es_ident(c, conn, t->schema->name), *id = es_ident(c, conn, t->name);
	rc = -EINVAL;
	if (sid && id) {
		struct composite_try ct = { t, p->schema, sid, id, tmpname, &text };
		rc = es_check(c, ES_TYPE, t->name, composite_in, &ct);
	}
	es_text_free(&text);
	free(sid);
	free(id);
	return rc;
}
