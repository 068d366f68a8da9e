/*
 * edit_schema.c: mkdir, rmdir (rm -r) and mv of schemas/<s>, staged as
 * CREATE, DROP and ALTER SCHEMA ... RENAME (edit_struct.h). PostgreSQL
 * takes each one first (es_check: on the shadow database; a reserved name,
 * a missing privilege are its refusals), and spells the new name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "edit_struct.h"
#include "probe.h"
#include "stage_struct.h"
#include "strbuf.h"
#include "tree.h"

static const struct cat_schema *live_schema(const struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; oid && i < cat->nschemas; i++)
		if (cat->schemas[i].oid == oid)
			return &cat->schemas[i];
	return NULL;
}

struct try_schema {
	const char *sql, *name;
	char *q;	/* out */
};

static int try_schema_in(struct change *c, PGconn *conn, void *ctx)
{
	struct try_schema *t = ctx;
	PGresult *res = NULL;
	if (es_run(c, conn, t->sql, 0, NULL, NULL) ||
	    es_run(c, conn, "SELECT pg_catalog.quote_ident($1)", 1, (const char *const[]){ t->name }, &res))
		return -EINVAL;
	t->q = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!t->q)
		abort();
	return 0;
}

/* Runs SQL (an identifier or two already quoted) through es_check (SELF:
 * the schema's own staged entry, not replayed) and reads back
 * quote_ident(NAME): the staged spelling, malloc'd, or NULL with the
 * reason (EINVAL: PostgreSQL's refusal, EIO). */
static char *try_schema(struct change *c, int *rc, const char *sql, const char *name, const char *self)
{
	struct try_schema t = { sql, name, NULL };
	*rc = es_check(c, self ? ES_SCHEMA : ES_NONE, self, try_schema_in, &t);
	return t.q;
}

int es_schema_create(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	int rc = ed_check_names(c, p);
	if (rc)
		return rc;
	if (p->scratch)
		return ed_fail(c, -EPERM, "a schema's name cannot begin with \".\" or end with \"~\" here");
	if (catalog_schema(db->desired, p->schema))
		return -EEXIST;
	if (catalog_schema(db->cat, p->schema))
		return ed_fail(c, -EBUSY, "schema %s is staged to be dropped or renamed: discard that first "
			       "(rm migrations/pending/*.sql)", p->schema);
	PGconn *conn = ed_conn(c);
	char *id = conn ? es_ident(c, conn, p->schema) : NULL;
	if (!id)
		return conn ? -EINVAL : -EIO;
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "CREATE SCHEMA %s", id);
	char *q = try_schema(c, &rc, sb_str(&sql), p->schema, NULL);
	if (q)
		stage_schema_new(db->stage, p->schema, q);
	free(q);
	free(id);
	strbuf_free(&sql);
	return rc;
}

/* What the schema still holds in the desired tree, or "". */
static void still_held(struct strbuf *sb, const struct catalog *cat, const struct cat_schema *s)
{
	const struct { const char *what; size_t n; } kinds[] = {
		{ "tables", s->ntables }, { "foreign tables", s->nforeign_tables }, { "views", s->nviews },
		{ "materialized views", s->nmatviews }, { "sequences", s->nsequences },
		{ "functions", s->nfunctions }, { "types", s->ntypes }, { "collations", s->ncollations },
		{ "operators", s->noperators }, { "text search objects", s->nts },
		{ "operator classes", s->nopclasses }, { "operator families", s->nopfamilies },
		{ "conversions", s->nconversions },
	};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		if (!kinds[k].n)
			continue;
		sb_addf(sb, "%s%zu %s", sb->len ? ", " : "", kinds[k].n, kinds[k].what);
		if (k != 0)
			continue;
		sb_add(sb, " (");
		for (size_t i = 0; i < s->ntables; i++)
			sb_addf(sb, "%s%s", i ? ", " : "", s->tables[i]->name);
		sb_addc(sb, ')');
	}
	for (size_t i = 0; i < cat->nexts; i++)
		if (s->qname && !strcmp(cat->exts[i].qschema, s->qname))
			sb_addf(sb, "%sextension %s (rm extensions/%s.sql)", sb->len ? ", " : "", cat->exts[i].name,
				cat->exts[i].name);
}

int es_schema_remove(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	const struct cat_schema *s = catalog_schema(db->desired, p->schema);
	if (!s)
		return ed_fail(c, -ENOENT, "no schema %s", p->schema);
	struct strbuf held = STRBUF_INIT;
	still_held(&held, db->desired, s);
	int rc = 0;
	if (held.len)
		rc = ed_fail(c, -ENOTEMPTY, "schema %s is not empty: it holds %s (rm -r removes its tables)",
			     p->schema, sb_str(&held));
	else
		stage_schema_drop(db->stage, s->oid, s->name);
	strbuf_free(&held);
	return rc;
}

int es_schema_rename(struct change *c, const struct epath *from, const struct epath *to)
{
	struct database *db = c->db;
	int rc = ed_check_names(c, to);
	if (rc)
		return rc;
	if (to->scratch)
		return ed_fail(c, -EPERM, "a schema's name cannot begin with \".\" or end with \"~\" here");
	const struct cat_schema *s = catalog_schema(db->desired, from->schema);
	if (!s)
		return ed_fail(c, -ENOENT, "no schema %s", from->schema);
	if (catalog_schema(db->desired, to->schema))
		return ed_fail(c, -EEXIST, "schema %s exists: remove it first", to->schema);
	const struct cat_schema *ls = live_schema(db->cat, s->oid);
	if (catalog_schema(db->cat, to->schema) && (!ls || strcmp(ls->name, to->schema)))
		return ed_fail(c, -EBUSY, "schema %s is staged to be dropped or renamed: discard that first "
			       "(rm migrations/pending/*.sql)", to->schema);
	PGconn *conn = ed_conn(c);
	if (!conn)
		return -EIO;
	char *id = es_ident(c, conn, to->schema), *old = ls ? es_ident(c, conn, ls->name) : NULL;
	struct strbuf sql = STRBUF_INIT;
	if (ls)
		sb_addf(&sql, "ALTER SCHEMA %s RENAME TO %s", old, id);
	else
		sb_addf(&sql, "CREATE SCHEMA %s", id);
	char *q = id && (old || !ls) ? try_schema(c, &rc, sb_str(&sql), to->schema, from->schema) : NULL;
	if (q)
		stage_schema_rename(db->stage, s->oid, s->name, to->schema, q);
	else if (!rc)
		rc = -EINVAL;
	free(q);
	free(id);
	free(old);
	strbuf_free(&sql);
	return rc;
}

static size_t files_below(const struct tree *t, const struct node *n)
{
	/* A table's directory always holds comment and table.sql: not
	 * rendered to be counted (tree.h: Lazy table directories). */
	if (n->is_dir && n->shared)
		return 2;
	n = tree_dir(t, n);
	size_t k = 0;
	for (size_t i = 0; i < n->nkids; i++)
		k += n->kids[i]->is_dir ? files_below(t, n->kids[i]) : 1;
	return k;
}

int es_schema_part_remove(struct change *c, const struct epath *p)
{
	const struct node *n = tree_lookup(c->db->tree, c->path);
	if (!n)
		return -ENOSYS;
	if (n->is_dir)	/* always there: the schema's rmdir decides */
		return files_below(c->db->tree, n) ? ed_fail(c, -ENOTEMPTY, "the directory is not empty") : 0;
	/* Generated from the schema: lets rm -r of the schema through. */
	if (!strcmp(p->file, "schema.sql") || !strcmp(p->file, "erd.md"))
		return 0;
	return -ENOSYS;
}
