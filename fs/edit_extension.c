/*
 * edit_extension.c: extensions/<e>.sql written or removed, staged as
 * CREATE EXTENSION, ALTER EXTENSION ... UPDATE TO / SET SCHEMA, or DROP
 * EXTENSION (edit_struct.h). The file is read by PostgreSQL's parser
 * (libpg_query): one CREATE EXTENSION of the file's extension, and its
 * COMMENT as the tree shows it (staged as COMMENT ON EXTENSION when it
 * differs; without one, the comment CREATE EXTENSION gives). The change is
 * then run in a rolled-back transaction (es_check: on the shadow database)
 * and what is staged is read back from pg_extension.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "edit_struct.h"
#include "pg.h"
#include "sqlparse.h"
#include "stage_struct.h"
#include "strbuf.h"

static const struct cat_extension *ext_in(const struct catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->nexts; i++)
		if (!strcmp(cat->exts[i].name, name))
			return &cat->exts[i];
	return NULL;
}

static const char *sval(const cJSON *node)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(node, "String");
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "sval"));
}

/* What the file asks for. Strings are TREE's. */
struct ext_want {
	cJSON *tree;
	const char *name, *schema, *version;
	bool has_comment;
	const char *comment;	/* NULL: IS NULL */
};

static int parse_ext(struct change *c, const char *data, size_t len, struct ext_want *w)
{
	char *text = strndup(data, len);
	if (!text)
		abort();
	sqlparse_lock();
	PgQueryParseResult r = pg_query_parse(text);
	if (r.error)
		ed_fail(c, -EINVAL, "%s (character %d)", r.error->message, r.error->cursorpos);
	w->tree = !r.error && r.parse_tree ? cJSON_Parse(r.parse_tree) : NULL;
	pg_query_free_parse_result(r);
	sqlparse_unlock();
	free(text);
	if (!w->tree)
		return -EINVAL;
	const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(w->tree, "stmts"), *s;
	int i = 0;
	cJSON_ArrayForEach(s, stmts) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "stmt");
		const cJSON *ce = cJSON_GetObjectItemCaseSensitive(st, "CreateExtensionStmt");
		const cJSON *cm = cJSON_GetObjectItemCaseSensitive(st, "CommentStmt");
		const char *objtype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cm, "objtype"));
		if (i++ == 0 && ce) {
			w->name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ce, "extname"));
			const cJSON *o;
			cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(ce, "options")) {
				const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "DefElem");
				const char *opt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "defname"));
				const cJSON *arg = cJSON_GetObjectItemCaseSensitive(d, "arg");
				if (opt && !strcmp(opt, "schema"))
					w->schema = sval(arg);
				else if (opt && !strcmp(opt, "new_version"))
					w->version = sval(arg);
				else
					return ed_fail(c, -EINVAL, "CREATE EXTENSION ... %s is not staged here: write the "
						       "migration in migrations/pending/ by hand", opt ? opt : "?");
			}
		} else if (!cm || !objtype || strcmp(objtype, "OBJECT_EXTENSION") || w->has_comment ||
			   !w->name || strcmp(w->name, sval(cJSON_GetObjectItemCaseSensitive(cm, "object")) ?
						  sval(cJSON_GetObjectItemCaseSensitive(cm, "object")) : "")) {
			return ed_fail(c, -EINVAL, "an extension's file holds one CREATE EXTENSION (and its COMMENT): "
				       "statement %d is something else", i);
		} else {
			w->has_comment = true;
			w->comment = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cm, "comment"));
		}
	}
	if (!w->name)
		return ed_fail(c, -EINVAL, "an extension's file holds one CREATE EXTENSION statement");
	return 0;
}

/* Refuses an extension the server does not have, naming those it has. */
static int available(struct change *c, PGconn *conn, const char *name)
{
	PGresult *res = NULL;
	if (es_run(c, conn, "SELECT (SELECT count(*) FROM pg_catalog.pg_available_extensions WHERE name = $1), "
		   "(SELECT string_agg(name, ', ' ORDER BY name) FROM pg_catalog.pg_available_extensions)",
		   1, (const char *const[]){ name }, &res))
		return -EIO;
	int rc = 0;
	if (!strcmp(PQgetvalue(res, 0, 0), "0"))
		rc = ed_fail(c, -EINVAL, "extension %s is not available on this server (pg_available_extensions): "
			     "it has %s", name, PQgetisnull(res, 0, 1) ? "none" : PQgetvalue(res, 0, 1));
	PQclear(res);
	return rc;
}

struct ext_try {
	const struct epath *p;
	const struct ext_want *w;
	const struct cat_extension *live;
	const char *id, *sid, *ver;	/* quoted */
};

/* The change, run on the extension as it is there, and what pg_extension
 * then says staged. */
static int ext_in_txn(struct change *c, PGconn *conn, void *ctx)
{
	struct ext_try *x = ctx;
	const struct cat_extension *live = x->live;
	const char *name = x->p->name;
	struct strbuf sql = STRBUF_INIT;
	PGresult *res = NULL;
	int rc = -EINVAL;
	if (!live) {
		sb_addf(&sql, "CREATE EXTENSION %s", x->id);
		if (x->sid)
			sb_addf(&sql, " WITH SCHEMA %s", x->sid);
		if (x->ver)
			sb_addf(&sql, " VERSION %s", x->ver);
		if (es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
			goto out;
	} else {
		if (x->ver) {
			sb_addf(&sql, "ALTER EXTENSION %s UPDATE TO %s", x->id, x->ver);
			if (strcmp(x->w->version, live->version ? live->version : "") &&
			    es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
				goto out;
			sb_reset(&sql);
		}
		if (x->sid) {
			sb_addf(&sql, "ALTER EXTENSION %s SET SCHEMA %s", x->id, x->sid);
			PGresult *cur = NULL;
			if (es_run(c, conn, "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
				   "ON n.oid = e.extnamespace WHERE e.extname = $1", 1, (const char *const[]){ name },
				   &cur))
				goto out;
			bool moved = PQntuples(cur) && strcmp(PQgetvalue(cur, 0, 0), x->w->schema);
			PQclear(cur);
			if (moved && es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
				goto out;
		}
	}
	if (es_run(c, conn, "SELECT pg_catalog.quote_ident(e.extname), pg_catalog.quote_ident(n.nspname), e.extversion "
		   "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
		   "WHERE e.extname = $1", 1, (const char *const[]){ name }, &res) || PQntuples(res) != 1)
		goto out;
	if (x->w->has_comment) {
		char *lit = x->w->comment ? PQescapeLiteral(conn, x->w->comment, strlen(x->w->comment)) : NULL;
		if (x->w->comment && !lit) {
			rc = ed_fail(c, -EINVAL, "cannot quote the comment: %s", pg_error(conn));
			goto out;
		}
		sb_reset(&sql);
		sb_addf(&sql, "COMMENT ON EXTENSION %s IS %s", x->id, lit ? lit : "NULL");
		if (lit)
			PQfreemem(lit);
		if (es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
			goto out;
	}
	const char *q = PQgetvalue(res, 0, 0), *qs = PQgetvalue(res, 0, 1), *v = PQgetvalue(res, 0, 2);
	/* No COMMENT line: the one CREATE EXTENSION gives (render_extension). */
	const char *want = x->w->has_comment ? (x->w->comment ? x->w->comment : "") :
			   live && live->control_comment ? live->control_comment : "";
	const char *have = live && live->comment ? live->comment : "";
	bool same_comment = live ? !strcmp(want, have) : !*want;
	if (live && !strcmp(qs, live->qschema) && live->version && !strcmp(v, live->version) && same_comment) {
		stage_extension_forget(c->db->stage, name);	/* as it is live */
	} else {
		stage_extension_set(c->db->stage, name, q, qs, v, !live);
		stage_extension_comment(c->db->stage, name, same_comment ? NULL : want);
	}
	rc = 0;
out:
	PQclear(res);
	strbuf_free(&sql);
	return rc;
}

int es_extension_write(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	struct ext_want w = { 0 };
	char *id = NULL, *sid = NULL, *ver = NULL;
	PGconn *conn = NULL;
	int rc = parse_ext(c, data, len, &w);
	if (rc)
		goto out;
	if (strcmp(w.name, p->name)) {
		rc = ed_fail(c, -EINVAL, "this file is extension %s's: the statement creates %s", p->name, w.name);
		goto out;
	}
	const struct cat_extension *live = ext_in(db->cat, p->name);
	if (!(conn = ed_conn(c))) {
		rc = -EIO;
		goto out;
	}
	/* The production server's list, not the shadow's. */
	if (!live && (rc = available(c, conn, p->name)))
		goto out;
	rc = -EINVAL;
	if (!(id = es_ident(c, conn, p->name)) || (w.schema && !(sid = es_ident(c, conn, w.schema))))
		goto out;
	if (w.version && !(ver = PQescapeLiteral(conn, w.version, strlen(w.version)))) {
		rc = ed_fail(c, -EINVAL, "cannot quote the version: %s", pg_error(conn));
		goto out;
	}
	struct ext_try x = { p, &w, live, id, sid, ver };
	rc = es_check(c, ES_EXTENSION, p->name, ext_in_txn, &x);
out:
	if (ver)
		PQfreemem(ver);
	free(id);
	free(sid);
	cJSON_Delete(w.tree);
	return rc;
}

/* Objects outside extension NAME that depend on one of its members (or
 * on it): a column of its type, an index with its operator class, ... */
static const char DEPENDENTS[] =
	"WITH ext AS (SELECT oid FROM pg_catalog.pg_extension WHERE extname = $1), "
	"members AS (SELECT d.classid, d.objid FROM pg_catalog.pg_depend d, ext "
	"  WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = ext.oid "
	"  AND d.deptype = 'e' "
	"  UNION ALL SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass::oid, ext.oid FROM ext) "
	"SELECT string_agg(DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), ', ') "
	"FROM pg_catalog.pg_depend d JOIN members m ON d.refclassid = m.classid AND d.refobjid = m.objid "
	"WHERE d.deptype IN ('n', 'a') AND NOT EXISTS (SELECT 1 FROM members x "
	"  WHERE x.classid = d.classid AND x.objid = d.objid) "
	/* Parts of a member (an operator family's entries): not users. */
	"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend y JOIN members m2 ON y.refclassid = m2.classid "
	"  AND y.refobjid = m2.objid WHERE y.classid = d.classid AND y.objid = d.objid AND y.deptype IN ('a', 'i'))";

int es_extension_remove(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	if (p->scratch || p->draft_name)
		return -ENOSYS;
	if (!ext_in(db->desired, p->name))
		return ed_fail(c, -ENOENT, "no extension %s", p->name);
	if (!ext_in(db->cat, p->name)) {
		stage_extension_drop(db->stage, p->name, false);	/* its staged creation */
		return 0;
	}
	PGconn *conn = ed_conn(c);
	PGresult *res = NULL;
	if (!conn)
		return -EIO;
	if (es_run(c, conn, DEPENDENTS, 1, (const char *const[]){ p->name }, &res))
		return -EIO;
	int rc = 0;
	if (!PQgetisnull(res, 0, 0))
		rc = ed_fail(c, -EBUSY, "extension %s is used by %s: change or remove those first", p->name,
			     PQgetvalue(res, 0, 0));
	else
		stage_extension_drop(db->stage, p->name, true);
	PQclear(res);
	return rc;
}
