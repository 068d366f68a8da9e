/*
 * edit_type.c: types/<name> written as a new file (one label a line)
 * staged as CREATE TYPE ... AS ENUM, and rm of a type's file as DROP TYPE
 * or DROP DOMAIN (edit_struct.h). A live enum's labels stay edit_define.c's
 * (ADD VALUE, RENAME VALUE). PostgreSQL creates the type first (es_check:
 * on the shadow database) and the labels are read back from pg_enum; a drop is refused
 * while pg_depend shows anything using the type.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
/* For SQL_RANGE_OPTS alone: the header's queries are not used here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include "catalog_sql.h"
#pragma GCC diagnostic pop
#include "database.h"
#include "edit_struct.h"
#include "pgversion.h"
#include "stage_struct.h"
#include "strbuf.h"

/* The type's name: the file name without ".sql". Malloc'd. */
static char *type_name(const struct epath *p, bool *sql)
{
	size_t n = strlen(p->name);
	*sql = n > 4 && !strcmp(p->name + n - 4, ".sql");
	char *r = strndup(p->name, *sql ? n - 4 : n);
	if (!r)
		abort();
	return r;
}

static const struct cat_type *desired_type(struct database *db, const char *schema, const char *name)
{
	const struct cat_schema *s = catalog_schema(db->desired, schema);
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (!strcmp(s->types[i]->name, name))
			return s->types[i];
	return NULL;
}

/* DATA's lines, one label each (a last line without a newline counts),
 * into *OUT (malloc'd, pointing into TEXT). 0 or -EINVAL. */
static int labels_of(struct change *c, char *text, size_t len, const char ***out, size_t *n)
{
	const char **v = calloc(len + 1, sizeof *v);
	if (!v)
		abort();
	*n = 0;
	for (char *s = text, *nl; s < text + len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(text + len - s));
		if (nl)
			*nl = '\0';
		if (!*s) {
			free(v);
			return ed_fail(c, -EINVAL, "line %zu is empty: an enum's file holds one label a line", *n + 1);
		}
		v[(*n)++] = s;
		if (!nl)
			break;
	}
	*out = v;
	return 0;
}

/* A range type $1's options as SQL_TYPES reads them (cat_type's range_opts). */
static const char READ_RANGE[] =
	"SELECT " SQL_RANGE_OPTS
	" FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype"
	" WHERE r.rngtypid = $1::pg_catalog.oid";

struct new_type {
	const struct epath *p;
	const char *name;
	const struct es_text *text;
};

static int create_sql_type_in(struct change *c, PGconn *conn, void *ctx)
{
	struct new_type *nt = ctx;
	const struct epath *p = nt->p;
	const char *name = nt->name;
	struct database *db = c->db;
	PGresult *found = NULL, *res = NULL;
	int rc = -EINVAL;
	if (es_run(c, conn, nt->text->create, 0, NULL, NULL) ||
	    es_run(c, conn, "SELECT t.oid, t.typtype, pg_catalog.quote_ident(t.typname) FROM pg_catalog.pg_type t "
		   "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2 "
		   "AND t.typtype IN ('d', 'c', 'r') AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_catalog.pg_class "
		   "WHERE oid = t.typrelid) = 'c')", 2, (const char *const[]){ p->schema, name }, &found))
		goto out;
	if (PQntuples(found) != 1) {
		rc = ed_fail(c, -EINVAL, "this file is type %s.%s's: its statement must create that type (a domain, "
			     "a composite or a range; an enum is a file of labels without .sql)", p->schema, name);
		goto out;
	}
	const char *oid = PQgetvalue(found, 0, 0), *q = PQgetvalue(found, 0, 2);
	char kind = PQgetvalue(found, 0, 1)[0];
	char *sid = es_ident(c, conn, p->schema);
	struct strbuf qual = STRBUF_INIT;
	if (sid)
		sb_addf(&qual, "%s.%s", sid, q);
	free(sid);
	bool bad = !qual.len || es_run_comment(c, conn, nt->text, sb_str(&qual));
	strbuf_free(&qual);
	if (bad)
		goto out;
	if (kind == 'd') {
		if (es_read_domain(c, conn, oid, &res))
			goto out;
		stage_type_new(db->stage, p->schema, name, q, 'd', PQgetvalue(res, 0, 0),
			       PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1),
			       PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2), !strcmp(PQgetvalue(res, 0, 3), "t"),
			       PQgetisnull(res, 0, 4) ? NULL : PQgetvalue(res, 0, 4), NULL, 0, NULL);
	} else if (kind == 'c') {
		if (es_read_attrs(c, conn, oid, &res))
			goto out;
		size_t n = (size_t)PQntuples(res);
		struct stage_attr *v = calloc(n + 1, sizeof *v);
		if (!v)
			abort();
		for (size_t i = 0; i < n; i++)
			v[i] = (struct stage_attr){ PQgetvalue(res, (int)i, 0), PQgetvalue(res, (int)i, 1),
						    PQgetvalue(res, (int)i, 2),
						    PQgetisnull(res, (int)i, 3) ? NULL : PQgetvalue(res, (int)i, 3) };
		stage_type_new(db->stage, p->schema, name, q, 'c', NULL, NULL, NULL, false, NULL, v, n, NULL);
		free(v);
	} else {
		const char *rq = pgv_sql_for(conn, READ_RANGE);
		if (!rq || es_run(c, conn, rq, 1, (const char *const[]){ oid }, &res) || PQntuples(res) != 1)
			goto out;
		stage_type_new(db->stage, p->schema, name, q, 'r', NULL, NULL, NULL, false, NULL, NULL, 0,
			       PQgetvalue(res, 0, 0));
	}
	es_stage_type_comment(c, 0, p->schema, name, nt->text);
	rc = 0;
out:
	PQclear(found);
	PQclear(res);
	return rc;
}

/* A new types/<t>.sql: the file's CREATE DOMAIN or CREATE TYPE ... AS
 * (...) / AS RANGE is run (es_check), and the type of that name is read
 * back as the catalog reads it. */
static int create_sql_type(struct change *c, const struct epath *p, const char *name, const char *data,
			   size_t len)
{
	struct es_text text;
	int rc = es_split_type(c, data, len, p->schema, name, &text);
	if (!rc && (rc = es_attr_comments(c, &text, NULL)))
		es_text_free(&text);
	if (rc)
		return rc;
	struct new_type nt = { p, name, &text };
	rc = es_check(c, ES_TYPE, name, create_sql_type_in, &nt);
	es_text_free(&text);
	return rc;
}

struct new_enum {
	const struct epath *p;
	const char *name, *sql;
};

static int create_enum_in(struct change *c, PGconn *conn, void *ctx)
{
	struct new_enum *ne = ctx;
	PGresult *res = NULL;
	int rc = -EINVAL;
	if (!es_run(c, conn, ne->sql, 0, NULL, NULL) &&
	    !es_run(c, conn, "SELECT pg_catalog.quote_ident($2), e.enumlabel FROM pg_catalog.pg_enum e "
		    "JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid JOIN pg_catalog.pg_namespace n "
		    "ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2 ORDER BY e.enumsortorder",
		    2, (const char *const[]){ ne->p->schema, ne->name }, &res) && PQntuples(res) > 0) {
		int rows = PQntuples(res);
		const char **got = calloc((size_t)rows, sizeof *got);
		if (!got)
			abort();
		for (int i = 0; i < rows; i++)
			got[i] = PQgetvalue(res, i, 1);
		stage_type_new_enum(c->db->stage, ne->p->schema, ne->name, PQgetvalue(res, 0, 0), got, (size_t)rows);
		free(got);
		rc = 0;
	}
	PQclear(res);
	return rc;
}

int es_type_write(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	bool sql;
	char *name = type_name(p, &sql), *text = NULL, *sid = NULL, *id = NULL;
	const char **labels = NULL;
	size_t n = 0;
	struct strbuf q = STRBUF_INIT;
	PGconn *conn = NULL;
	const struct cat_type *t = desired_type(db, p->schema, name);
	int rc = -ENOSYS;
	/* A live type: an enum's labels are edit_define.c's; other kinds'
	 * files are not written here yet. */
	if (sql && t && t->oid && (t->kind == 'd' || t->kind == 'c')) {
		rc = t->kind == 'd' ? es_domain_write(c, p, t, data, len) : es_composite_write(c, p, t, data, len);
		goto out;
	}
	if (t && !t->oid && (t->kind == 'e') == sql) {
		rc = ed_fail(c, -EEXIST, "type %s is staged to be created already, as %s", name,
			     sql ? "an enum (types/<name>)" : "a .sql file");
		goto out;
	}
	if (sql && (!t || !t->oid) && catalog_schema(db->desired, p->schema) && len) {
		rc = create_sql_type(c, p, name, data, len);
		goto out;
	}
	if (sql || (t && t->oid))
		goto out;
	if (!catalog_schema(db->desired, p->schema)) {
		rc = ed_fail(c, -ENOENT, "no schema %s", p->schema);
		goto out;
	}
	if (!len) {	/* touch: a draft until it holds labels */
		ed_extra_put(db, c->path, data, len);
		rc = 0;
		goto out;
	}
	if (memchr(data, '\0', len)) {
		rc = ed_fail(c, -EINVAL, "an enum label cannot hold a NUL byte");
		goto out;
	}
	text = strndup(data, len);
	if (!text)
		abort();
	if ((rc = labels_of(c, text, len, &labels, &n)))
		goto out;
	rc = -EIO;
	if (!(conn = ed_conn(c)))
		goto out;
	rc = -EINVAL;
	if (!(sid = es_ident(c, conn, p->schema)) || !(id = es_ident(c, conn, name)))
		goto out;
	sb_addf(&q, "CREATE TYPE %s.%s AS ENUM (", sid, id);
	for (size_t i = 0; i < n; i++) {
		char *lit = PQescapeLiteral(conn, labels[i], strlen(labels[i]));
		if (!lit) {
			rc = ed_fail(c, -EINVAL, "cannot quote label %zu: %s", i + 1, PQerrorMessage(conn));
			goto out;
		}
		sb_addf(&q, "%s%s", i ? ", " : "", lit);
		PQfreemem(lit);
	}
	sb_addc(&q, ')');
	struct new_enum ne = { p, name, sb_str(&q) };
	rc = es_check(c, ES_TYPE, name, create_enum_in, &ne);
out:
	strbuf_free(&q);
	free(labels);
	free(text);
	free(sid);
	free(id);
	free(name);
	return rc;
}

/* What uses type $1, but the type's own parts (its array type, a range's
 * multirange and constructors, a composite's relation: internal or auto
 * dependencies of it, and theirs). A column of its array type counts. */
static const char USERS[] =
	"WITH RECURSIVE parts(classid, objid) AS ("
	"  SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::oid, $1::pg_catalog.oid"
	"  UNION SELECT d.classid, d.objid FROM pg_catalog.pg_depend d JOIN parts p"
	"  ON d.refclassid = p.classid AND d.refobjid = p.objid AND d.deptype IN ('i', 'a')) "
	"SELECT string_agg(DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), ', ') "
	"FROM pg_catalog.pg_depend d JOIN parts p ON d.refclassid = p.classid AND d.refobjid = p.objid "
	"WHERE d.deptype = 'n' AND (d.classid, d.objid) NOT IN (SELECT classid, objid FROM parts)";

int es_type_remove(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	bool sql;
	char *name = type_name(p, &sql);
	const struct cat_type *t = desired_type(db, p->schema, name);
	int rc = 0;
	if (!t || (t->kind == 'e') == sql) {
		rc = ed_fail(c, -ENOENT, "no such type file");
	} else if (!t->oid) {
		stage_type_forget(db->stage, p->schema, name);	/* its staged creation */
	} else {
		PGconn *conn = ed_conn(c);
		PGresult *res = NULL;
		char oid[16];
		snprintf(oid, sizeof oid, "%u", t->oid);
		if (!conn || es_run(c, conn, USERS, 1, (const char *const[]){ oid }, &res))
			rc = -EIO;
		else if (!PQgetisnull(res, 0, 0))
			rc = ed_fail(c, -EBUSY, "type %s is used by %s: change or remove those first", name,
				     PQgetvalue(res, 0, 0));
		else
			stage_type_drop(db->stage, t->oid, t->kind);
		PQclear(res);
	}
	free(name);
	return rc;
}
