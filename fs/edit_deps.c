/*
 * edit_deps.c: the dependents of what an edit changes (deps.h), read by
 * PostgreSQL in a transaction that is rolled back: on the shadow database
 * when there is a usable one (production takes no lock), else on the work
 * connection. See edit_internal.h.
 *
 *   retype   a column type change: the views, rules, policies and triggers
 *            that use the column are kept in its entry, dropped before the
 *            ALTER and created again after it; the whole sequence is tried
 *            first on the shadow, so what cannot be re-created is refused at
 *            the write (not on the work connection: the ALTER would rewrite
 *            the real table; the dry run tells then).
 *   drop     a column or table drop: what PostgreSQL would refuse to drop
 *            without CASCADE refuses it (EBUSY, naming them); what it drops
 *            with it (indexes, constraints, ...) is kept in the entry.
 *   rename   after a staged table or column rename, the definitions of
 *            every object on or using the renamed table, as PostgreSQL
 *            deparses them with the renames done.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "deps.h"
#include "deps_stage.h"
#include "edit_internal.h"
#include "log.h"
#include "pg.h"
#include "shadow.h"
#include "stage.h"
#include "stage_json.h"
#include "strbuf.h"

#define DEPS_TIMEOUT_MS 15000

/* Runs FN in a rolled-back transaction: on the shadow, else on the work
 * connection (with the probes' timeouts). *ON_SHADOW (may be NULL) says
 * which, for FN to read. */
static int in_txn(struct change *c, int (*fn)(PGconn *conn, void *ctx), void *ctx, bool *on_shadow)
{
	char *why = NULL, err[1024];
	if (on_shadow)
		*on_shadow = true;
	int rc = shadow_run_txn(c->db->shadow, DEPS_TIMEOUT_MS, fn, ctx, &why);
	if (rc != -ENOENT && !(rc == -EIO && why)) {
		free(why);
		return rc;
	}
	if (why)
		log_info("%s: dependents read on the database itself: %s", c->db->cfg->name, why);
	free(why);
	if (on_shadow)
		*on_shadow = false;
	PGconn *conn = ed_conn(c);
	if (!conn)
		return -EIO;
	PGresult *res = NULL;
	if (pg_command(conn, "BEGIN", err, sizeof err) ||
	    !(res = pg_exec(conn, "SELECT pg_catalog.set_config('lock_timeout', '" PROBE_LOCK_TIMEOUT "', true),"
			    " pg_catalog.set_config('statement_timeout', '" PROBE_STATEMENT_TIMEOUT "', true)",
			    0, NULL, err, sizeof err))) {
		rc = ed_fail(c, pg_fault_errno(conn, -EIO), "the server cannot be reached to check the change: %s",
			     err);
		pg_command(conn, "ROLLBACK", err, sizeof err);
		return rc;
	}
	PQclear(res);
	rc = fn(conn, ctx);
	pg_command(conn, "ROLLBACK", err, sizeof err);
	return rc;
}

static char *ident(PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	if (!q)
		abort();
	return q;
}

/* The staged renames of DOC (columns first, by their table's live name,
 * then tables), with search_path = public as the catalog reads use. */
static int apply_renames(PGconn *conn, const cJSON *doc, const struct catalog *live, char *err, size_t errlen)
{
	if (pg_command(conn, "SELECT pg_catalog.set_config('search_path', 'public', true)", err, errlen))
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		const cJSON *e, *c;
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "tables")) {
			const struct cat_relation *r = catalog_rel(live, (unsigned)num_of(e, "oid", 0));
			if (!r || bool_of(e, "drop"))
				continue;
			char *s = ident(conn, r->schema->name), *t = ident(conn, r->name);
			struct strbuf sql = STRBUF_INIT;
			if (pass == 1 && has(e, "name") && !same(str_of(e, "name"), r->name)) {
				char *to = ident(conn, str_of(e, "name"));
				sb_addf(&sql, "ALTER TABLE %s.%s RENAME TO %s;", s, t, to);
				PQfreemem(to);
			}
			const cJSON *cols = pass == 0 ? cJSON_GetObjectItem(e, "columns") : NULL;
			cJSON_ArrayForEach(c, cols) {
				const struct cat_column *lc = (num_of(c, "attnum", 0) ? catalog_column(r, (int)num_of(c, "attnum", 0), NULL) : NULL);
				if (!num_of(c, "attnum", 0) || !lc || bool_of(c, "drop") || same(str_of(c, "name"), lc->name))
					continue;
				char *from = ident(conn, lc->name), *to = ident(conn, str_of(c, "name"));
				sb_addf(&sql, "ALTER TABLE %s.%s RENAME COLUMN %s TO %s;", s, t, from, to);
				PQfreemem(from);
				PQfreemem(to);
			}
			PQfreemem(s);
			PQfreemem(t);
			PGresult *res = sql.len ? pg_run(conn, true, sb_str(&sql), 0, NULL, NULL, NULL) : NULL;
			int bad = res && PQresultStatus(res) != PGRES_COMMAND_OK;
			if (bad)
				snprintf(err, errlen, "the staged renames cannot be done: %s", pg_error(conn));
			PQclear(res);
			strbuf_free(&sql);
			if (bad)
				return -1;
		}
	}
	return 0;
}

/* Is the dependent D (live names) still in the desired tree? A view
 * always is here; an object on a table is not when its drop is staged. */
static bool still_wanted(const struct database *db, const struct dep *d)
{
	if (d->kind == DEP_VIEW || d->kind == DEP_MATVIEW || d->kind == DEP_RULE || d->kind == DEP_SEQUENCE)
		return true;
	const struct cat_relation *lr = catalog_table(db->cat, d->schema, d->rel);
	const struct cat_schema *s = lr ? catalog_schema(db->desired, lr->schema->name) : NULL;
	const struct cat_relation *r = NULL;
	for (size_t i = 0; s && i < s->ntables && !r; i++)
		if (s->tables[i]->oid == lr->oid)
			r = s->tables[i];
	if (!r)
		return lr == NULL;	/* a table staged for drop takes its objects */
	for (size_t i = 0; d->kind == DEP_INDEX && i < r->nindexes; i++)
		if (!strcmp(r->indexes[i].name, d->name))
			return true;
	for (size_t i = 0; d->kind == DEP_CONSTRAINT && i < r->ncons; i++)
		if (!strcmp(r->cons[i].name, d->name))
			return true;
	for (size_t i = 0; d->kind == DEP_TRIGGER && i < r->ntriggers; i++)
		if (!strcmp(r->triggers[i].name, d->name))
			return true;
	for (size_t i = 0; d->kind == DEP_POLICY && i < r->npolicies; i++)
		if (!strcmp(r->policies[i].name, d->name))
			return true;
	return false;
}

/* ---- a column type change ---- */

struct retype {
	const struct database *db;
	const char *schema, *table, *column;	/* desired names */
	const char *type, *collation;
	bool on_shadow;		/* else the change is not tried: it would rewrite the real table */
	struct deps deps;
	char err[1024];
};

static int retype_fn(PGconn *conn, void *ctx)
{
	struct retype *x = ctx;
	if (apply_renames(conn, x->db->stage->doc, x->db->cat, x->err, sizeof x->err))
		return -EINVAL;
	if (deps_of(conn, x->schema, x->table, x->column, x->db->cfg->privileges, &x->deps, x->err, sizeof x->err))
		return -EINVAL;
	deps_keep_retype(&x->deps);
	if (!x->deps.n || !x->on_shadow)
		return 0;
	char *s = ident(conn, x->schema), *t = ident(conn, x->table), *col = ident(conn, x->column);
	struct strbuf alter = STRBUF_INIT;
	sb_addf(&alter, "ALTER TABLE %s.%s ALTER COLUMN %s TYPE %s", s, t, col, x->type);
	if (x->collation)
		sb_addf(&alter, " COLLATE %s", x->collation);
	sb_addc(&alter, ';');
	PQfreemem(s);
	PQfreemem(t);
	PQfreemem(col);
	int rc = deps_run_around(conn, &x->deps, sb_str(&alter), x->err, sizeof x->err) ? -EINVAL : 0;
	strbuf_free(&alter);
	return rc;
}

int ed_deps_retype(struct change *c, const struct stage_ref *ref, int attnum)
{
	struct database *db = c->db;
	cJSON *entry = attnum ? stage_column_entry(db->stage, ref, attnum, NULL) : NULL;
	const struct cat_relation *live = catalog_rel(db->cat, ref->oid);
	const struct cat_column *lc = live && attnum ? catalog_column(live, attnum, NULL) : NULL;
	const cJSON *def = cJSON_GetObjectItem(entry, "def");
	if (entry)
		cJSON_DeleteItemFromObjectCaseSensitive(entry, "dependents");
	if (!entry || !lc || !def || (same(str_of(def, "type"), lc->type) && same(str_of(def, "collation"), lc->collation)))
		return 0;
	const char *tname = has(stage_table_entry(db->stage, ref), "name") ?
			    str_of(stage_table_entry(db->stage, ref), "name") : live->name;
	struct retype x = { db, live->schema->name, tname, str_of(entry, "name"), str_of(def, "type"),
			    str_of(def, "collation"), false, { NULL, 0 }, "" };
	int rc = in_txn(c, retype_fn, &x, &x.on_shadow);
	if (rc == -EINVAL)
		rc = ed_fail(c, -EINVAL, "the type of %s.%s cannot change under its dependents: %s", tname,
			     x.column, x.err);
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; !rc && i < x.deps.n; i++) {
		const struct dep *d = &x.deps.v[i];
		if (!still_wanted(db, d))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "shown", d->shown);
		cJSON_AddStringToObject(o, "drop", d->drop_sql);
		cJSON_AddStringToObject(o, "create", d->create_sql);
		cJSON_AddNumberToObject(o, "depth", d->depth);
		cJSON_AddItemToArray(arr, o);
	}
	if (!rc && cJSON_GetArraySize(arr))
		cJSON_AddItemToObject(entry, "dependents", arr);
	else
		cJSON_Delete(arr);
	deps_free(&x.deps);
	return rc;
}

/* ---- drops ---- */

struct dropping {
	const struct database *db;
	const char *schema, *table, *column;	/* live names; COLUMN NULL: the table */
	struct deps deps;
	char err[1024];
};

static int drop_fn(PGconn *conn, void *ctx)
{
	struct dropping *x = ctx;
	if (pg_command(conn, "SELECT pg_catalog.set_config('search_path', 'public', true)", x->err, sizeof x->err) ||
	    deps_of(conn, x->schema, x->table, x->column, false, &x->deps, x->err, sizeof x->err))
		return -EINVAL;
	return 0;
}

/* A normal dependency blocks a drop without CASCADE, but for the table's
 * own objects when the whole table goes. */
static bool blocks(const struct dropping *x, const struct dep *d)
{
	if (!d->normal || d->depth != 1 || !still_wanted(x->db, d))
		return false;
	return x->column || d->kind == DEP_VIEW || d->kind == DEP_MATVIEW || strcmp(d->schema, x->schema) ||
	       strcmp(d->rel, x->table);
}

static int drop_with_deps(struct change *c, cJSON *entry, const char *schema, const char *table,
			  const char *column)
{
	struct dropping x = { c->db, schema, table, column, { NULL, 0 }, "" };
	int rc = in_txn(c, drop_fn, &x, NULL);
	if (rc == -EINVAL)
		rc = ed_fail(c, -EIO, "the dependents of %s%s%s cannot be read: %s", table, column ? "." : "",
			     column ? column : "", x.err);
	if (rc)
		goto out;
	struct strbuf who = STRBUF_INIT;
	for (size_t i = 0; i < x.deps.n; i++)
		if (blocks(&x, &x.deps.v[i]))
			sb_addf(&who, "%s%s", who.len ? ", " : "", x.deps.v[i].shown);
	if (who.len) {
		/* EBUSY, not EPERM: PostgreSQL can drop it, once what uses it
		 * is gone (dropped in the same stage, or changed). */
		if (column)
			rc = ed_fail(c, -EBUSY, "column %s of table %s.%s is used by %s: PostgreSQL refuses to drop it "
				     "without CASCADE; drop or change them first (nothing staged)", column, schema,
				     table, sb_str(&who));
		else
			rc = ed_fail(c, -EBUSY, "table %s.%s is used by %s: PostgreSQL refuses to drop it without "
				     "CASCADE; drop or change them first (nothing staged)", schema, table, sb_str(&who));
		strbuf_free(&who);
		goto out;
	}
	strbuf_free(&who);
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < x.deps.n; i++) {
		const struct dep *d = &x.deps.v[i];
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = x.deps.v[j].kind == d->kind && !strcmp(x.deps.v[j].name, d->name) &&
			      !strcmp(x.deps.v[j].rel, d->rel);
		/* A table's own objects all go with it, their drops staged or not. */
		if (d->normal || dup || (column && !still_wanted(c->db, d)))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", deps_stage_kind(d->kind));
		cJSON_AddStringToObject(o, "schema", d->schema);
		cJSON_AddStringToObject(o, "rel", d->rel);
		cJSON_AddStringToObject(o, "name", d->name);
		cJSON_AddStringToObject(o, "shown", d->shown);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(entry, "takes");
	if (cJSON_GetArraySize(arr))
		cJSON_AddItemToObject(entry, "takes", arr);
	else
		cJSON_Delete(arr);
out:
	deps_free(&x.deps);
	return rc;
}

int ed_deps_drop_column(struct change *c, const struct stage_ref *ref, int attnum)
{
	const struct cat_relation *live = catalog_rel(c->db->cat, ref->oid);
	const struct cat_column *lc = live && attnum ? catalog_column(live, attnum, NULL) : NULL;
	cJSON *entry = lc ? stage_column_entry(c->db->stage, ref, attnum, NULL) : NULL;
	if (!entry)
		return 0;	/* a new column: nothing uses it yet */
	return drop_with_deps(c, entry, live->schema->name, live->name, lc->name);
}

int ed_deps_drop_table(struct change *c, const struct stage_ref *ref)
{
	const struct cat_relation *live = catalog_rel(c->db->cat, ref->oid);
	cJSON *entry = live ? stage_table_entry(c->db->stage, ref) : NULL;
	if (!entry)
		return 0;
	return drop_with_deps(c, entry, live->schema->name, live->name, NULL);
}

/* ---- renames ---- */

struct deparse {
	const struct database *db;
	cJSON *out;
	char err[1024];
};

static void add_deparsed(cJSON *out, const struct dep *d)
{
	const char *kind = deps_stage_kind(d->kind);
	const cJSON *o;
	if (d->kind == DEP_RULE || d->kind == DEP_SEQUENCE)
		return;
	cJSON_ArrayForEach(o, out)
		if (same(str_of(o, "kind"), kind) && same(str_of(o, "schema"), d->schema) &&
		    same(str_of(o, "rel"), d->rel) && same(str_of(o, "name"), d->name))
			return;
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "kind", kind);
	cJSON_AddStringToObject(e, "schema", d->schema);
	cJSON_AddStringToObject(e, "rel", d->rel);
	cJSON_AddStringToObject(e, "name", d->name);
	if (d->def)
		cJSON_AddStringToObject(e, "def", d->def);
	if (d->qual)
		cJSON_AddStringToObject(e, "qual", d->qual);
	if (d->check)
		cJSON_AddStringToObject(e, "check", d->check);
	cJSON_AddItemToArray(out, e);
}

static int deparse_fn(PGconn *conn, void *ctx)
{
	struct deparse *x = ctx;
	const struct catalog *live = x->db->cat;
	if (apply_renames(conn, x->db->stage->doc, live, x->err, sizeof x->err))
		return -EINVAL;
	const cJSON *e, *c;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(x->db->stage->doc, "tables")) {
		const struct cat_relation *r = catalog_rel(live, (unsigned)num_of(e, "oid", 0));
		if (!r || bool_of(e, "drop"))
			continue;
		bool renamed = has(e, "name") && !same(str_of(e, "name"), r->name);
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns")) {
			const struct cat_column *lc = (num_of(c, "attnum", 0) ? catalog_column(r, (int)num_of(c, "attnum", 0), NULL) : NULL);
			renamed |= num_of(c, "attnum", 0) && lc && !bool_of(c, "drop") && !same(str_of(c, "name"), lc->name);
		}
		if (!renamed)
			continue;
		struct deps d;
		if (deps_of(conn, r->schema->name, has(e, "name") ? str_of(e, "name") : r->name, NULL, false, &d,
			    x->err, sizeof x->err))
			return -EINVAL;
		for (size_t i = 0; i < d.n; i++)
			add_deparsed(x->out, &d.v[i]);
		deps_free(&d);
	}
	return 0;
}

void ed_deps_renamed(struct change *c)
{
	struct database *db = c->db;
	cJSON_DeleteItemFromObjectCaseSensitive(db->stage->doc, "deparsed");
	if (deps_has_renames(db->stage->doc, db->cat)) {
		struct deparse x = { db, cJSON_CreateArray(), "" };
		int rc = in_txn(c, deparse_fn, &x, NULL);
		if (rc)
			log_warn("%s: definitions after the staged renames are not shown: %s", db->cfg->name,
				 x.err[0] ? x.err : c->err);
		if (!rc && cJSON_GetArraySize(x.out))
			cJSON_AddItemToObject(db->stage->doc, "deparsed", x.out);
		else
			cJSON_Delete(x.out);
		c->err[0] = '\0';
	}
	/* A type change's dependents are created again by the new names. */
	const cJSON *e, *col;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(db->stage->doc, "tables")) {
		struct stage_ref ref = { (unsigned)num_of(e, "oid", 0), str_of(e, "schema"), NULL };
		cJSON_ArrayForEach(col, cJSON_GetObjectItem(e, "columns"))
			if (ref.oid && has(col, "dependents") && ed_deps_retype(c, &ref, (int)num_of(col, "attnum", 0)))
				log_warn("%s: %s", db->cfg->name, c->err);
	}
	c->err[0] = '\0';
}
