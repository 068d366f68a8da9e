/*
 * edit_objrename.c: mv of indexes/<a>.sql to <b>.sql, or of
 * constraints/<a>.sql, staged as ALTER INDEX ... RENAME TO or ALTER TABLE
 * ... RENAME CONSTRAINT (edit_struct.h): identity kept, not drop + create.
 * PostgreSQL renames it first (es_check: on the shadow database, so the
 * table's lock is not taken on production) and deparses the index under
 * its new name.
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

static bool has_named(const struct cat_relation *r, bool index, const char *name)
{
	for (size_t i = 0; r && i < (index ? r->nindexes : r->ncons); i++)
		if (!strcmp(index ? r->indexes[i].name : r->cons[i].name, name))
			return true;
	return false;
}

struct try_rename {
	const char *sql, *table, *to;	/* TABLE: quoted, qualified */
	PGresult *res;			/* out: quote_ident(TO), the index's definition */
};

static int try_rename(struct change *c, PGconn *conn, void *ctx)
{
	struct try_rename *t = ctx;
	if (es_run(c, conn, t->sql, 0, NULL, NULL) ||
	    es_run(c, conn, "SELECT pg_catalog.quote_ident($2), (SELECT pg_catalog.pg_get_indexdef(i.indexrelid) "
		   "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class x ON x.oid = i.indexrelid "
		   "WHERE i.indrelid = $1::pg_catalog.regclass AND x.relname = $2)", 2,
		   (const char *const[]){ t->table, t->to }, &t->res))
		return -EINVAL;
	return 0;
}

int es_object_rename(struct change *c, const struct epath *from, const struct epath *to)
{
	struct database *db = c->db;
	struct target t;
	int rc = ed_check_names(c, to);
	if (rc || (rc = ed_find_table(c, from, &t)))
		return rc;
	bool index = from->kind == E_INDEX;
	const char *kind = index ? "indexes" : "constraints", *what = index ? "index" : "constraint";
	if (!has_named(t.want, index, from->name))
		return ed_fail(c, -ENOENT, "no %s %s", what, from->name);
	if (has_named(t.want, index, to->name))
		return ed_fail(c, -EEXIST, "%s %s exists: remove it first", what, to->name);
	const char *origin = t.live ? stage_object_origin(db->stage, t.live->oid, kind, from->name) : NULL;
	const char *was = origin ? origin : from->name;
	if (!t.live || !has_named(t.live, index, was))
		return ed_fail(c, -EPERM, "%s %s is only staged: write its definition under the new name and remove "
			       "the old file", what, from->name);
	PGconn *conn = ed_conn(c);
	if (!conn)
		return -EIO;
	/* The table's schema as the staged schema renames (replayed first) name it. */
	const char *schema = plan_struct_schema_name(db->stage, t.live->schema);
	char *sq = es_ident(c, conn, schema), *tq = es_ident(c, conn, t.live->name);
	char *oq = es_ident(c, conn, was), *nq = es_ident(c, conn, to->name);
	struct strbuf sql = STRBUF_INIT, qual = STRBUF_INIT;
	rc = -EINVAL;
	if (!sq || !tq || !oq || !nq)
		goto out;
	if (index)
		sb_addf(&sql, "ALTER INDEX %s.%s RENAME TO %s", sq, oq, nq);
	else
		sb_addf(&sql, "ALTER TABLE %s.%s RENAME CONSTRAINT %s TO %s", sq, tq, oq, nq);
	sb_addf(&qual, "%s.%s", sq, tq);
	struct try_rename tr = { sb_str(&sql), sb_str(&qual), to->name, NULL };
	rc = es_check(c, ES_NONE, NULL, try_rename, &tr);
	if (!rc)
		stage_object_rename(db->stage, t.live->oid, kind, from->name, to->name, PQgetvalue(tr.res, 0, 0),
				    index && !PQgetisnull(tr.res, 0, 1) ? PQgetvalue(tr.res, 0, 1) : NULL);
	PQclear(tr.res);
out:
	free(sq);
	free(tq);
	free(oq);
	free(nq);
	strbuf_free(&sql);
	strbuf_free(&qual);
	return rc;
}
