/* deps.c: the dependents of a column, a table or a view; see include/deps.h. */
#include "deps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "strbuf.h"

/* The ACL macros the catalog reads use, for a view's grants: the same
 * statements the tree shows. The header's queries are not used here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include "catalog_sql.h"
#pragma GCC diagnostic pop


/*
 * $1 schema, $2 table or view, $3 column or NULL (the whole relation), $4
 * whether to add a view's grants. d walks pg_depend from the object, then
 * from each view found (through its _RETURN rule) to the rules that use it;
 * g keeps each object once, at its deepest. Each kind's part of the union
 * gives: kind, schema, rel, name, drop, create, def, qual, check, depth,
 * normal.
 */
static const char SQL_DEPS[] =
	"WITH RECURSIVE base AS ("
	" SELECT " RC("pg_class") " AS classid, c.oid AS relid, a.attnum FROM pg_catalog.pg_class c"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = $3::pg_catalog.name"
	"  AND NOT a.attisdropped"
	" WHERE $5::text IS NULL AND n.nspname = $1::pg_catalog.name AND c.relname = $2::pg_catalog.name"
	"  AND ($3::pg_catalog.name IS NULL OR a.attnum IS NOT NULL)"
	/* a function, by its identity arguments (names in them do not cast to regprocedure) */
	" UNION ALL SELECT " RC("pg_proc") ", p.oid, NULL::pg_catalog.int2 FROM pg_catalog.pg_proc p"
	" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	" WHERE $5::text IS NOT NULL AND n.nspname = $1::pg_catalog.name AND p.proname = $2::pg_catalog.name"
	"  AND pg_catalog.pg_get_function_identity_arguments(p.oid) = $5::text),"
	" d(classid, objid, deptype, depth) AS ("
	" SELECT dp.classid, dp.objid, dp.deptype, 1 FROM pg_catalog.pg_depend dp, base"
	" WHERE dp.refclassid = base.classid AND dp.refobjid = base.relid"
	"  AND ($3::pg_catalog.name IS NULL OR dp.refobjsubid = base.attnum) AND dp.deptype IN ('n', 'a')"
	"  AND NOT (dp.classid = base.classid AND dp.objid = base.relid)"
	/* a whole table's indexes, those behind its keys too (those depend on the key) */
	" UNION ALL SELECT " RC("pg_class") ", i.indexrelid, 'a', 1 FROM pg_catalog.pg_index i, base"
	" WHERE $3::pg_catalog.name IS NULL AND base.classid = " RC("pg_class") " AND i.indrelid = base.relid"
	" UNION ALL"
	" SELECT dp.classid, dp.objid, dp.deptype, d.depth + 1 FROM d"
	" JOIN pg_catalog.pg_rewrite r ON d.classid = " RC("pg_rewrite") " AND r.oid = d.objid"
	" JOIN pg_catalog.pg_depend dp ON dp.refclassid = " RC("pg_class") " AND dp.refobjid = r.ev_class"
	"  AND dp.classid = " RC("pg_rewrite") " AND dp.deptype = 'n' AND dp.objid <> r.oid"
	" WHERE d.depth < 64),"
	" g AS (SELECT classid, objid, max(depth) AS depth, NOT bool_or(deptype = 'a') AS normal FROM d GROUP BY 1, 2)"
	" SELECT * FROM ("
	/* views, materialized views, rules */
	" SELECT CASE WHEN r.rulename = '_RETURN' AND v.relkind IN ('v', 'm') THEN v.relkind::text ELSE 'r' END AS kind,"
	"  vn.nspname::text AS schema, v.relname::text AS rel,"
	"  CASE WHEN r.rulename = '_RETURN' AND v.relkind IN ('v', 'm') THEN v.relname ELSE r.rulename END::text AS name,"
	"  CASE WHEN r.rulename = '_RETURN' AND v.relkind IN ('v', 'm') THEN"
	"   pg_catalog.format('DROP %sVIEW %I.%I;', CASE v.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END, vn.nspname, v.relname)"
	"  ELSE pg_catalog.format('DROP RULE %I ON %I.%I;', r.rulename, vn.nspname, v.relname) END AS drop_sql,"
	"  CASE WHEN r.rulename = '_RETURN' AND v.relkind IN ('v', 'm') THEN"
	"   pg_catalog.format('CREATE %sVIEW %I.%I%s AS' || E'\\n' || '%s%s;',"
	"    CASE v.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END, vn.nspname, v.relname,"
	"    CASE WHEN v.reloptions IS NOT NULL THEN ' WITH (' || pg_catalog.array_to_string(v.reloptions, ', ') || ')' ELSE '' END,"
	"    pg_catalog.rtrim(pg_catalog.pg_get_viewdef(v.oid), ';'),"
	"    CASE WHEN v.relkind = 'm' AND NOT v.relispopulated THEN E'\\n  WITH NO DATA' ELSE '' END)"
	"   || COALESCE((SELECT pg_catalog.string_agg(E'\\n' || pg_catalog.pg_get_indexdef(i.indexrelid) || ';', ''"
	"     ORDER BY ic.relname) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	"     WHERE i.indrelid = v.oid), '')"
	"   || COALESCE((SELECT pg_catalog.string_agg(E'\\n' || pg_catalog.pg_get_triggerdef(t.oid) || ';', ''"
	"     ORDER BY t.tgname) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = v.oid AND NOT t.tgisinternal), '')"
	"   || COALESCE(E'\\n' || pg_catalog.format('COMMENT ON %sVIEW %I.%I IS %L;',"
	"     CASE v.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END, vn.nspname, v.relname,"
	"     pg_catalog.obj_description(v.oid, 'pg_class')), '')"
	"   || CASE WHEN $4::bool THEN COALESCE(E'\\n' || "
	ACL_STMTS("v.relacl", "pg_catalog.acldefault('r', v.relowner)", "''",
		  "'TABLE ' || pg_catalog.quote_ident(vn.nspname) || '.' || pg_catalog.quote_ident(v.relname)", "''")
	"    , '') ELSE '' END"
	"  ELSE pg_catalog.pg_get_ruledef(r.oid) END AS create_sql,"
	"  CASE WHEN r.rulename = '_RETURN' AND v.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(v.oid)"
	"  ELSE pg_catalog.pg_get_ruledef(r.oid) END AS def, NULL::text AS qual, NULL::text AS chk, g.depth, g.normal"
	" FROM g JOIN pg_catalog.pg_rewrite r ON g.classid = " RC("pg_rewrite") " AND r.oid = g.objid"
	" JOIN pg_catalog.pg_class v ON v.oid = r.ev_class JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
	/* indexes and owned sequences */
	" UNION ALL"
	" SELECT CASE WHEN c.relkind = 'S' THEN 'S' ELSE 'i' END, cn.nspname::text,"
	"  COALESCE(t.relname, c.relname)::text, c.relname::text,"
	"  pg_catalog.format(CASE WHEN c.relkind = 'S' THEN 'DROP SEQUENCE %I.%I;' ELSE 'DROP INDEX %I.%I;' END,"
	"   cn.nspname, c.relname),"
	"  CASE WHEN c.relkind = 'S' THEN '' ELSE pg_catalog.pg_get_indexdef(c.oid) || ';' END,"
	"  CASE WHEN c.relkind = 'S' THEN NULL ELSE pg_catalog.pg_get_indexdef(c.oid) END, NULL, NULL, g.depth, g.normal"
	" FROM g JOIN pg_catalog.pg_class c ON g.classid = " RC("pg_class") " AND c.oid = g.objid"
	"  AND c.relkind IN ('i', 'I', 'S')"
	" JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace"
	" LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
	/* constraints (NOT NULL ones are part of their column's file) */
	" UNION ALL"
	" SELECT 'c', tn.nspname::text, t.relname::text, k.conname::text,"
	"  pg_catalog.format('ALTER TABLE %I.%I DROP CONSTRAINT %I;', tn.nspname, t.relname, k.conname),"
	"  pg_catalog.format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', tn.nspname, t.relname, k.conname,"
	"   pg_catalog.pg_get_constraintdef(k.oid)),"
	"  pg_catalog.pg_get_constraintdef(k.oid), NULL, NULL, g.depth, g.normal"
	" FROM g JOIN pg_catalog.pg_constraint k ON g.classid = " RC("pg_constraint") " AND k.oid = g.objid"
	"  AND k.conrelid <> 0 AND k.contype <> 'n'"
	" JOIN pg_catalog.pg_class t ON t.oid = k.conrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	/* triggers */
	" UNION ALL"
	" SELECT 't', tn.nspname::text, t.relname::text, tg.tgname::text,"
	"  pg_catalog.format('DROP TRIGGER %I ON %I.%I;', tg.tgname, tn.nspname, t.relname),"
	"  pg_catalog.pg_get_triggerdef(tg.oid) || ';' || CASE tg.tgenabled"
	"   WHEN 'D' THEN pg_catalog.format(E'\\nALTER TABLE %I.%I DISABLE TRIGGER %I;', tn.nspname, t.relname, tg.tgname)"
	"   WHEN 'R' THEN pg_catalog.format(E'\\nALTER TABLE %I.%I ENABLE REPLICA TRIGGER %I;', tn.nspname, t.relname, tg.tgname)"
	"   WHEN 'A' THEN pg_catalog.format(E'\\nALTER TABLE %I.%I ENABLE ALWAYS TRIGGER %I;', tn.nspname, t.relname, tg.tgname)"
	"   ELSE '' END,"
	"  pg_catalog.pg_get_triggerdef(tg.oid), NULL, NULL, g.depth, g.normal"
	" FROM g JOIN pg_catalog.pg_trigger tg ON g.classid = " RC("pg_trigger") " AND tg.oid = g.objid"
	"  AND NOT tg.tgisinternal"
	" JOIN pg_catalog.pg_class t ON t.oid = tg.tgrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	/* policies */
	" UNION ALL"
	" SELECT 'p', tn.nspname::text, t.relname::text, p.polname::text,"
	"  pg_catalog.format('DROP POLICY %I ON %I.%I;', p.polname, tn.nspname, t.relname),"
	"  pg_catalog.format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s', p.polname, tn.nspname, t.relname,"
	"   CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,"
	"   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE'"
	"    ELSE 'ALL' END,"
	"   CASE WHEN p.polroles = '{0}' THEN 'PUBLIC' ELSE (SELECT pg_catalog.string_agg("
	"    pg_catalog.quote_ident(ro.rolname), ', ' ORDER BY ro.rolname) FROM pg_catalog.pg_roles ro"
	"    WHERE ro.oid = ANY (p.polroles)) END)"
	"   || COALESCE(' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')"
	"   || COALESCE(' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') || ';',"
	"  NULL, pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),"
	"  g.depth, g.normal"
	" FROM g JOIN pg_catalog.pg_policy p ON g.classid = " RC("pg_policy") " AND p.oid = g.objid"
	" JOIN pg_catalog.pg_class t ON t.oid = p.polrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	/* column defaults, of a function only (a relation's columns have none that use it) */
	" UNION ALL"
	" SELECT 'd', tn.nspname::text, t.relname::text, a.attname::text,"
	"  pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I DROP DEFAULT;', tn.nspname, t.relname, a.attname),"
	"  pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT %s;', tn.nspname, t.relname, a.attname,"
	"   pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)),"
	"  pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), NULL, NULL, g.depth, g.normal"
	" FROM g JOIN pg_catalog.pg_attrdef ad ON g.classid = " RC("pg_attrdef") " AND ad.oid = g.objid"
	"  AND $5::text IS NOT NULL"
	" JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
	" JOIN pg_catalog.pg_class t ON t.oid = ad.adrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	" ) x ORDER BY depth DESC, kind COLLATE \"C\", schema COLLATE \"C\", rel COLLATE \"C\", name COLLATE \"C\"";

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static const char *kind_word(char kind)
{
	switch (kind) {
	case DEP_VIEW: return "view";
	case DEP_MATVIEW: return "materialized view";
	case DEP_RULE: return "rule";
	case DEP_POLICY: return "policy";
	case DEP_TRIGGER: return "trigger";
	case DEP_INDEX: return "index";
	case DEP_CONSTRAINT: return "constraint";
	case DEP_DEFAULT: return "default of column";
	default: return "sequence";
	}
}

/* deps_of(), or of function SCHEMA.REL(ARGS) when ARGS is not NULL. */
static int deps_query(PGconn *conn, const char *schema, const char *rel, const char *column, const char *args,
		      bool privileges, struct deps *out, char *err, size_t errlen)
{
	out->v = NULL;
	out->n = 0;
	const char *params[] = { schema, rel, column, privileges ? "true" : "false", args };
	PGresult *res = pg_exec(conn, SQL_DEPS, 5, params, err, errlen);
	if (!res)
		return -1;
	int n = PQntuples(res);
	out->v = calloc(n ? (size_t)n : 1, sizeof *out->v);
	if (!out->v)
		abort();
	for (int i = 0; i < n; i++) {
		struct dep *d = &out->v[out->n++];
		d->kind = *pg_val(res, i, 0);
		d->schema = dup_or_null(pg_val(res, i, 1));
		d->rel = dup_or_null(pg_val(res, i, 2));
		d->name = dup_or_null(pg_val(res, i, 3));
		d->drop_sql = dup_or_null(pg_val(res, i, 4));
		d->create_sql = dup_or_null(pg_val(res, i, 5));
		d->def = dup_or_null(pg_val(res, i, 6));
		d->qual = dup_or_null(pg_val(res, i, 7));
		d->check = dup_or_null(pg_val(res, i, 8));
		d->depth = atoi(pg_val(res, i, 9));
		d->normal = *pg_val(res, i, 10) == 't';
		struct strbuf sb = STRBUF_INIT;
		if (d->kind == DEP_VIEW || d->kind == DEP_MATVIEW || d->kind == DEP_SEQUENCE)
			sb_addf(&sb, "%s %s.%s", kind_word(d->kind), d->schema, d->name);
		else
			sb_addf(&sb, "%s %s on %s.%s", kind_word(d->kind), d->name, d->schema, d->rel);
		d->shown = strbuf_detach(&sb, NULL);
	}
	PQclear(res);
	return 0;
}

int deps_of(PGconn *conn, const char *schema, const char *rel, const char *column, bool privileges,
	    struct deps *out, char *err, size_t errlen)
{
	return deps_query(conn, schema, rel, column, NULL, privileges, out, err, errlen);
}

static void dep_free(struct dep *d)
{
	free(d->schema);
	free(d->rel);
	free(d->name);
	free(d->shown);
	free(d->drop_sql);
	free(d->create_sql);
	free(d->def);
	free(d->qual);
	free(d->check);
}

void deps_free(struct deps *d)
{
	for (size_t i = 0; i < d->n; i++)
		dep_free(&d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

void deps_keep_retype(struct deps *d)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		char kind = d->v[i].kind;
		if (kind == DEP_VIEW || kind == DEP_MATVIEW || kind == DEP_RULE || kind == DEP_POLICY ||
		    kind == DEP_TRIGGER)
			d->v[k++] = d->v[i];
		else
			dep_free(&d->v[i]);
	}
	d->n = k;
}

/* Several statements (a view with its comment and grants): the simple
 * protocol, in the caller's transaction. */
static int run_text(PGconn *conn, const char *sql, const char *what, const char *shown, char *err, size_t errlen)
{
	PGresult *res = pg_run(conn, true, sql, 0, NULL, NULL, NULL);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ? 0 : -1;
	if (rc) {
		const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		snprintf(err, errlen, "%s%s%s: %s", shown ? shown : "", shown ? " " : "", what,
			 msg ? msg : pg_error(conn));
	}
	PQclear(res);
	return rc;
}

int deps_run_around(PGconn *conn, const struct deps *d, const char *sql, char *err, size_t errlen)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].drop_sql && *d->v[i].drop_sql &&
		    run_text(conn, d->v[i].drop_sql, "cannot be dropped", d->v[i].shown, err, errlen))
			return -1;
	if (sql && run_text(conn, sql, "the change fails once its dependents are dropped", NULL, err, errlen))
		return -1;
	for (size_t i = d->n; i-- > 0;)
		if (d->v[i].create_sql && *d->v[i].create_sql &&
		    run_text(conn, d->v[i].create_sql, "cannot be created again after the change", d->v[i].shown,
			     err, errlen))
			return -1;
	return 0;
}

/* Keeps in D what deps_recreate() drops and creates again: views,
 * materialized views, rules, policies, triggers and (of a function)
 * column defaults that use the object,
 * but not the object itself (a view's _RETURN rule references its own
 * columns) nor what is on it (INSTEAD OF triggers, rules), which go with
 * it and which its own new text holds. */
static void keep_recreated(struct deps *d, const char *schema, const char *self)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct dep *x = &d->v[i];
		bool kept = x->kind == DEP_VIEW || x->kind == DEP_MATVIEW || x->kind == DEP_RULE ||
			    x->kind == DEP_POLICY || x->kind == DEP_TRIGGER || x->kind == DEP_DEFAULT;
		bool on_self = x->schema && x->rel && !strcmp(x->schema, schema) && !strcmp(x->rel, self);
		if (on_self || !kept)
			dep_free(x);
		else
			d->v[k++] = *x;
	}
	d->n = k;
}

int deps_recreate(PGconn *conn, const char *schema, const char *name, const char *args, const char *replace,
		  bool privileges, struct deps *out, char *err, size_t errlen)
{
	struct deps d;
	if (deps_query(conn, schema, name, NULL, args, privileges, &d, err, errlen))
		return -1;
	keep_recreated(&d, schema, args ? "" : name);
	/* Without a new definition, nothing is created again. */
	int rc = replace ? deps_run_around(conn, &d, replace, err, errlen) : 0;
	for (size_t i = 0; !replace && !rc && i < d.n; i++)
		rc = run_text(conn, d.v[i].drop_sql, "cannot be dropped", d.v[i].shown, err, errlen);
	if (out && !rc)
		*out = d;
	else
		deps_free(&d);
	return rc;
}
