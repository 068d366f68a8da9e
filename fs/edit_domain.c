/*
 * edit_domain.c: a live domain's types/<d>.sql rewritten, staged as ALTER
 * DOMAIN: SET / DROP DEFAULT, SET / DROP NOT NULL, DROP CONSTRAINT, ADD
 * CONSTRAINT ... NOT VALID then VALIDATE CONSTRAINT (edit_struct.h).
 * PostgreSQL reads the file: in a rolled-back transaction (es_check: on
 * the shadow database) the live domain is renamed out of the way, the file's CREATE DOMAIN is run, and both
 * are read back with the catalog's own expressions (catalog_sql.h's
 * SQL_TYPES), so what is staged compares equal to what the catalog will
 * show once applied. A new base type or collation is not staged (EPERM).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "edit_struct.h"
#include "pgversion.h"
#include "stage_struct.h"
#include "strbuf.h"

/* Domain $1 as the catalog reads it: base, collation, default, NOT
 * NULL, checks (SQL_TYPES' expressions). */
static const char READ_DOMAIN[] =
	"SELECT pg_catalog.format_type(t.typbasetype, t.typtypmod),"
	" CASE WHEN t.typcollation <> bt.typcollation THEN"
	"  pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,"
	" t.typdefault, {{DOMAIN_NOTNULL}},"
	" (SELECT pg_catalog.string_agg(pg_catalog.format(E'\\n    CONSTRAINT %I %s',"
	"  k.conname, pg_catalog.pg_get_constraintdef(k.oid)), '' ORDER BY k.conname COLLATE \"C\")"
	"  FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND {{DOMAIN_CONSTRAINT}})"
	" FROM pg_catalog.pg_type t JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" WHERE t.oid = $1::pg_catalog.oid";

/* Its constraints one by one: name, quoted name, definition. */
static const char READ_CONS[] =
	"SELECT k.conname, pg_catalog.quote_ident(k.conname), pg_catalog.pg_get_constraintdef(k.oid)"
	" FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_type t ON t.oid = k.contypid"
	" WHERE t.oid = $1::pg_catalog.oid AND {{DOMAIN_CONSTRAINT}} ORDER BY k.conname COLLATE \"C\"";

int es_read_domain(struct change *c, PGconn *conn, const char *oid, PGresult **res)
{
	const char *q = pgv_sql_for(conn, READ_DOMAIN);
	return q ? es_run(c, conn, q, 1, (const char *const[]){ oid }, res) : -1;
}

static bool same_val(const PGresult *a, const PGresult *b, int col)
{
	if (PQgetisnull(a, 0, col) || PQgetisnull(b, 0, col))
		return PQgetisnull(a, 0, col) == PQgetisnull(b, 0, col);
	return !strcmp(PQgetvalue(a, 0, col), PQgetvalue(b, 0, col));
}

static const char *val_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static struct stage_domain_con *cons_of(const PGresult *r, size_t *n)
{
	*n = (size_t)PQntuples(r);
	struct stage_domain_con *v = calloc(*n + 1, sizeof *v);
	if (!v)
		abort();
	for (size_t i = 0; i < *n; i++)
		v[i] = (struct stage_domain_con){ PQgetvalue(r, (int)i, 0), PQgetvalue(r, (int)i, 1),
						  PQgetvalue(r, (int)i, 2) };
	return v;
}

struct domain_try {
	const struct epath *p;
	const struct cat_type *t;
	const char *qual, *tmpname;
	const struct es_text *text;
};

static int domain_in(struct change *c, PGconn *conn, void *ctx)
{
	struct domain_try *d = ctx;
	struct database *db = c->db;
	const struct cat_type *t = d->t;
	PGresult *was = NULL, *now = NULL, *wascons = NULL, *nowcons = NULL, *found = NULL;
	int rc = -EINVAL;
	const char *rd = pgv_sql_for(conn, READ_DOMAIN), *rk = pgv_sql_for(conn, READ_CONS);
	if (!rd || !rk)
		goto out;
	if (es_replace_type(c, conn, "DOMAIN", 'd', d->qual, d->tmpname, d->p->schema, t->name, d->text->create,
			    "domain", &found) ||
	    es_run_comment(c, conn, d->text, d->qual))
		goto out;
	const char *newoid = PQgetvalue(found, 0, 0), *oldoid = PQgetvalue(found, 0, 1);
	if (es_run(c, conn, rd, 1, (const char *const[]){ oldoid }, &was) ||
	    es_run(c, conn, rd, 1, (const char *const[]){ newoid }, &now) ||
	    es_run(c, conn, rk, 1, (const char *const[]){ oldoid }, &wascons) ||
	    es_run(c, conn, rk, 1, (const char *const[]){ newoid }, &nowcons))
		goto out;
	if (!same_val(was, now, 0) || !same_val(was, now, 1)) {
		rc = ed_fail(c, -EPERM, "a domain's base type or collation cannot be changed here (from %s to %s): "
			     "write that migration in migrations/pending/ by hand", PQgetvalue(was, 0, 0),
			     PQgetvalue(now, 0, 0));
		goto out;
	}
	if (same_val(was, now, 2) && same_val(was, now, 3) && same_val(was, now, 4)) {
		stage_domain_forget(db->stage, t->oid);	/* as it is live */
	} else {
		size_t nw, nn;
		struct stage_domain_con *wv = cons_of(wascons, &nw), *nv = cons_of(nowcons, &nn);
		struct stage_domain dm = { val_or_null(now, 0, 2), !strcmp(PQgetvalue(now, 0, 3), "t"),
					   val_or_null(now, 0, 4), nv, nn, wv, nw };
		stage_domain_set(db->stage, t->oid, &dm);
		free(wv);
		free(nv);
	}
	es_stage_type_comment(c, t->oid, NULL, NULL, d->text);
	rc = 0;
out:
	PQclear(was);
	PQclear(now);
	PQclear(wascons);
	PQclear(nowcons);
	PQclear(found);
	return rc;
}

int es_domain_write(struct change *c, const struct epath *p, const struct cat_type *t, const char *data,
		    size_t len)
{
	PGconn *conn = ed_conn(c);
	if (!conn)
		return -EIO;
	struct es_text text;
	int rc = es_read_type_file(c, p, t, data, len, NULL, &text);
	if (rc)
		return rc;
	char tmpname[64];
	snprintf(tmpname, sizeof tmpname, "schemafs_domain_%u", t->oid);
	char *sid = es_ident(c, conn, t->schema->name), *id = es_ident(c, conn, t->name);
	struct strbuf qual = STRBUF_INIT;
	rc = -EINVAL;
	if (sid && id) {
		sb_addf(&qual, "%s.%s", sid, id);
		struct domain_try d = { p, t, sb_str(&qual), tmpname, &text };
		rc = es_check(c, ES_TYPE, t->name, domain_in, &d);
	}
	strbuf_free(&qual);
	es_text_free(&text);
	free(sid);
	free(id);
	return rc;
}
