/* edit_declare.c: a whole table.sql or schema.sql written: loaded into the
 * shadow database, read back, compared (declare.h) and merged into the
 * stage; see edit_internal.h. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "declare.h"
#include "edit_internal.h"
#include "migrate.h"
#include "names.h"
#include "pg.h"
#include "shadow.h"
#include "stage.h"
#include "strbuf.h"
#include "track.h"

/* How long loading the file and reading it back may take on the shadow. */
#define DECLARE_TIMEOUT_MS 60000

struct load {
	const struct db_config *cfg;
	const struct declare_scope *scope;
	const char *name, *sql;
	size_t len;
	struct catalog *want;	/* out */
	char err[2048];
};

/* Empties what the file stands for, runs it, reads the catalog back; all
 * in the caller's transaction, which is rolled back. */
static int load_file(PGconn *conn, void *arg)
{
	struct load *ld = arg;
	struct strbuf sql = STRBUF_INIT;
	int rc = -EIO;
	if (!ld->scope->schema) {
		PGresult *res = pg_exec(conn, "SELECT pg_catalog.quote_ident(nspname) FROM pg_catalog.pg_namespace"
					" WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'", 0, NULL,
					ld->err, sizeof ld->err);
		for (int i = 0; res && i < PQntuples(res); i++)
			sb_addf(&sql, "DROP SCHEMA %s CASCADE;", PQgetvalue(res, i, 0));
		PQclear(res);
		if (!res)
			goto out;
		sb_add(&sql, "CREATE SCHEMA IF NOT EXISTS public;");
	} else {
		char *qs = PQescapeIdentifier(conn, ld->scope->schema, strlen(ld->scope->schema));
		char *qt = ld->scope->table ? PQescapeIdentifier(conn, ld->scope->table, strlen(ld->scope->table)) : NULL;
		if (!qs || (ld->scope->table && !qt)) {
			snprintf(ld->err, sizeof ld->err, "%s", PQerrorMessage(conn));
			PQfreemem(qs);
			PQfreemem(qt);
			goto out;
		}
		if (qt)
			sb_addf(&sql, "DROP TABLE IF EXISTS %s.%s CASCADE;", qs, qt);
		else
			sb_addf(&sql, "DROP SCHEMA IF EXISTS %s CASCADE;", qs);
		PQfreemem(qs);
		PQfreemem(qt);
	}
	if (pg_command(conn, sb_str(&sql), ld->err, sizeof ld->err))
		goto out;
	struct migrate_opts o = { .lock_timeout_ms = ld->cfg->lock_timeout_ms };
	struct migrate_dry d;
	rc = migrate_dry_run(conn, &o, ld->name, ld->sql, ld->len, NULL, NULL, &d);
	if (rc == -ENOTSUP) {
		snprintf(ld->err, sizeof ld->err, "%s", d.message);
		rc = -EINVAL;
		goto out;
	}
	if (rc) {
		/* A lost connection or a timeout is no fault of the file. */
		snprintf(ld->err, sizeof ld->err, "PostgreSQL refused it at statement %zu of %zu (line %d): %s",
			 d.failed, d.nstmts, d.line, d.message);
		rc = rc == -ECANCELED && PQstatus(conn) == CONNECTION_OK ? -EINVAL : -EIO;
		goto out;
	}
	const struct catalog_filter filter = {
		(const char *const *)ld->cfg->schemas, ld->cfg->nschemas, ld->cfg->migrations_schema,
		ld->cfg->migrations_table, track_find(ld->cfg->tracking), ld->cfg->privileges, ld->cfg->owners,
	};
	char err[1024];
	ld->want = catalog_load(conn, &filter, true, err, sizeof err);
	if (!ld->want) {
		snprintf(ld->err, sizeof ld->err, "cannot read it back from the shadow database: %s", err);
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	strbuf_free(&sql);
	return rc;
}

/* ---- merging into the stage ---- */

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An entry as text to compare: without the row estimates and the probe's
 * rewrite guess (not the user's intent), arrays in a fixed order. */
static char *normal_text(const cJSON *e)
{
	if (cJSON_IsArray(e)) {
		size_t n = (size_t)cJSON_GetArraySize(e), i = 0;
		char **v = calloc(n + 1, sizeof *v);
		const cJSON *x;
		if (!v)
			abort();
		cJSON_ArrayForEach(x, e)
			v[i++] = normal_text(x);
		qsort(v, n, sizeof *v, by_text);
		struct strbuf sb = STRBUF_INIT;
		sb_addc(&sb, '[');
		for (i = 0; i < n; i++) {
			sb_addf(&sb, "%s,", v[i]);
			free(v[i]);
		}
		free(v);
		sb_addc(&sb, ']');
		return strbuf_detach(&sb, NULL);
	}
	if (cJSON_IsObject(e)) {
		struct strbuf sb = STRBUF_INIT;
		const cJSON *x;
		sb_addc(&sb, '{');
		cJSON_ArrayForEach(x, e) {
			if (!strcmp(x->string, "rows") || !strcmp(x->string, "rewrite"))
				continue;
			char *t = normal_text(x);
			sb_addf(&sb, "%s:%s,", x->string, t);
			free(t);
		}
		sb_addc(&sb, '}');
		return strbuf_detach(&sb, NULL);
	}
	char *t = cJSON_PrintUnformatted(e);
	if (!t)
		abort();
	return t;
}

static bool same_entry(const cJSON *a, const cJSON *b)
{
	char *ta = normal_text(a), *tb = normal_text(b);
	bool eq = !strcmp(ta, tb);
	free(ta);
	free(tb);
	return eq;
}

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static unsigned joid(const cJSON *o)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "oid");
	return cJSON_IsNumber(n) ? (unsigned)n->valuedouble : 0;
}

/* The table entry's schema and current name (raw). */
static void entry_names(const struct catalog *live, const cJSON *e, const char **schema, const char **name)
{
	const struct cat_relation *r = joid(e) ? catalog_rel(live, joid(e)) : NULL;
	*schema = r ? r->schema->name : jstr(e, "schema");
	*name = r ? r->name : jstr(e, "name");
}

static bool table_entry_in(const struct catalog *live, const cJSON *e, const struct declare_scope *sc)
{
	const char *s, *n;
	entry_names(live, e, &s, &n);
	return (!sc->schema || (s && !strcmp(s, sc->schema))) && (!sc->table || (n && !strcmp(n, sc->table)));
}

static bool same_table(const cJSON *a, const cJSON *b)
{
	unsigned oa = joid(a), ob = joid(b);
	if (oa || ob)
		return oa == ob;
	const char *sa = jstr(a, "schema"), *sb = jstr(b, "schema"), *na = jstr(a, "name"), *nb = jstr(b, "name");
	return sa && sb && na && nb && !strcmp(sa, sb) && !strcmp(na, nb);
}

static void conflict(struct strbuf *sb, const char *what, const char *schema, const char *name)
{
	sb_addf(sb, "%s%s %s.%s", sb->len ? ", " : "", what, schema ? schema : "?", name ? name : "?");
}

/* ARRAY of the stage (tables or enums): FRESH's entries merged in, unless
 * one contradicts a staged entry in scope (named in CONFLICTS). */
static void merge_array(struct database *db, const struct declare_scope *sc, const char *key, cJSON *fresh,
			struct strbuf *conflicts, bool apply)
{
	cJSON *have = cJSON_GetObjectItemCaseSensitive(db->stage->doc, key), *e, *f;
	bool tables = !strcmp(key, "tables");
	cJSON_ArrayForEach(e, have) {
		bool in;
		const char *s = NULL, *n = NULL;
		if (tables) {
			in = table_entry_in(db->cat, e, sc);
			entry_names(db->cat, e, &s, &n);
		} else {
			const struct cat_type *t = catalog_type(db->cat, joid(e));
			in = !sc->table && t && (!sc->schema || !strcmp(t->schema->name, sc->schema));
			if (t)
				s = t->schema->name, n = t->name;
		}
		if (!in)
			continue;
		bool matched = false;
		cJSON_ArrayForEach(f, fresh)
			if (tables ? same_table(e, f) : joid(e) == joid(f))
				matched = same_entry(e, f);
		if (!matched && !apply)
			conflict(conflicts, tables ? "table" : "type", s, n);
	}
	cJSON_ArrayForEach(f, fresh) {
		cJSON *found = NULL;
		cJSON_ArrayForEach(e, have)
			if (tables ? same_table(e, f) : joid(e) == joid(f))
				found = e;
		if (found && !same_entry(found, f) && !apply) {
			const char *s = NULL, *n = NULL;
			if (tables) {
				entry_names(db->cat, found, &s, &n);
			} else if (catalog_type(db->cat, joid(found))) {
				s = catalog_type(db->cat, joid(found))->schema->name;
				n = catalog_type(db->cat, joid(found))->name;
			}
			if (!strstr(sb_str(conflicts), n ? n : "?"))
				conflict(conflicts, tables ? "table" : "type", s, n);
		}
		if (!found && apply)
			cJSON_AddItemToArray(have, cJSON_Duplicate(f, true));
	}
}

int ed_write_declarative(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	struct declare_scope scope = { p->kind == E_DB_SQL ? NULL : p->schema,
				       p->kind == E_TABLE_SQL ? p->table : NULL };
	if (memchr(data, '\0', len))
		return ed_fail(c, -EINVAL, "the file holds a NUL byte");
	size_t good;
	if (db->names.utf8 && (good = name_utf8_valid(data, len)) < len)
		return ed_fail(c, -EINVAL, "the file is text in UTF-8: byte %zu is not", good + 1);
	if (scope.schema && !catalog_schema(db->cat, scope.schema))
		return ed_fail(c, -EPERM, "schema %s is not live yet: declarative files cannot create schemas yet",
			       scope.schema);
	struct shadow *shadow = db->shadow;
	char *sql = strndup(data, len);
	if (!sql)
		abort();
	struct load ld = { .cfg = db->cfg, .scope = &scope, .name = p->file, .sql = sql, .len = len };
	char *why = NULL;
	/* The shadow is not to be waited for with model_lock held; work_lock
	 * keeps every other change (and the stage) out meanwhile. */
	pthread_mutex_unlock(&db->model_lock);
	int rc = shadow_run_txn(shadow, DECLARE_TIMEOUT_MS, load_file, &ld, &why);
	pthread_mutex_lock(&db->model_lock);
	free(sql);
	if (rc == -ENOENT) {
		rc = ed_fail(c, -EOPNOTSUPP, "declarative files need the shadow database (%s): the file is loaded "
			     "there to be compared with the database", why ? why : "there is none: \"shadow\": false");
		goto out;
	}
	if (rc && ld.err[0]) {
		rc = ed_fail(c, rc, "%s", ld.err);
		goto out;
	}
	if (rc) {
		rc = ed_fail(c, rc, "%s", why ? why : "the shadow database cannot be reached");
		goto out;
	}
	struct stage *fresh = stage_new();
	rc = declare_diff(db->cat, ld.want, &scope, fresh, c->err, sizeof c->err);
	if (!rc && !c->dry) {
		struct strbuf conflicts = STRBUF_INIT;
		static const char *const arrays[] = { "tables", "enums" };
		for (size_t i = 0; i < 2; i++)
			merge_array(db, &scope, arrays[i], cJSON_GetObjectItemCaseSensitive(fresh->doc, arrays[i]),
				    &conflicts, false);
		if (conflicts.len) {
			rc = ed_fail(c, -EBUSY, "the file contradicts staged edits of %s: apply them, or discard "
				     "them (rm the generated file in migrations/pending/), or write the file as the "
				     "tree shows it with them", sb_str(&conflicts));
		} else {
			for (size_t i = 0; i < 2; i++)
				merge_array(db, &scope, arrays[i],
					    cJSON_GetObjectItemCaseSensitive(fresh->doc, arrays[i]), NULL, true);
			ed_extra_remove(db, c->path);
		}
		strbuf_free(&conflicts);
	}
	stage_free(fresh);
out:
	free(why);
	catalog_free(ld.want);
	return rc;
}
