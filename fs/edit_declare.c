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
#include "edit_declare.h"
#include "edit_internal.h"
#include "edit_struct.h"
#include "migrate.h"
#include "names.h"
#include "objkind.h"
#include "pg.h"
#include "render.h"
#include "shadow.h"
#include "stage.h"
#include "stage_json.h"
#include "stage_struct.h"
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

/* The statements that empty schema $1 of what its schema.sql creates, but
 * for extension members (the database's schema.sql makes extensions) and
 * what PostgreSQL makes along with something else (a range's
 * constructors, an identity's sequence, a table's row type). The schema
 * stays: its schema.sql says CREATE SCHEMA IF NOT EXISTS. */
static const char SQL_EMPTY_SCHEMA[] =
	"WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1),"
	" own(classid, objid, deptype) AS (SELECT classid, objid, deptype FROM pg_catalog.pg_depend WHERE deptype IN ('e', 'i'))"
	" SELECT q FROM ("
	" SELECT CASE c.relkind WHEN 'S' THEN 1.5 ELSE 1 END AS o,"
	"  pg_catalog.format('DROP %s IF EXISTS %s CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW'"
	"  WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,"
	"  c.oid::pg_catalog.regclass) AS q FROM pg_catalog.pg_class c"
	"  WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
	"  AND c.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"   AND (deptype = 'e' OR c.relkind = 'S'))"
	" UNION ALL SELECT 2, pg_catalog.format('DROP %s IF EXISTS %s CASCADE', CASE p.prokind WHEN 'a' THEN 'AGGREGATE'"
	"  WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::pg_catalog.regprocedure) FROM pg_catalog.pg_proc p"
	"  WHERE p.pronamespace = (SELECT oid FROM ns)"
	"  AND p.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_proc'::pg_catalog.regclass)"
	" UNION ALL SELECT 3, pg_catalog.format('DROP TYPE IF EXISTS %s CASCADE', t.oid::pg_catalog.regtype)"
	"  FROM pg_catalog.pg_type t WHERE t.typnamespace = (SELECT oid FROM ns)"
	"  AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND"
	"   (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c'))"
	"  AND t.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_type'::pg_catalog.regclass)"
	" UNION ALL SELECT 4, pg_catalog.format('DROP COLLATION IF EXISTS %I.%I CASCADE', $1, collname)"
	"  FROM pg_catalog.pg_collation k WHERE collnamespace = (SELECT oid FROM ns)"
	"  AND k.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_collation'::pg_catalog.regclass)"
	" UNION ALL SELECT 5, pg_catalog.format('DROP OPERATOR IF EXISTS %s CASCADE', p.oid::pg_catalog.regoperator)"
	"  FROM pg_catalog.pg_operator p WHERE oprnamespace = (SELECT oid FROM ns)"
	"  AND p.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_operator'::pg_catalog.regclass)"
	" UNION ALL SELECT 6, pg_catalog.format('DROP OPERATOR FAMILY IF EXISTS %I.%I USING %I CASCADE', $1, f.opfname,"
	"  a.amname) FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod"
	"  WHERE opfnamespace = (SELECT oid FROM ns)"
	"  AND f.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass)"
	" UNION ALL SELECT 7, pg_catalog.format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %I.%I CASCADE', $1, cfgname)"
	"  FROM pg_catalog.pg_ts_config x WHERE cfgnamespace = (SELECT oid FROM ns)"
	"  AND x.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass)"
	" UNION ALL SELECT 8, pg_catalog.format('DROP TEXT SEARCH DICTIONARY IF EXISTS %I.%I CASCADE', $1, dictname)"
	"  FROM pg_catalog.pg_ts_dict x WHERE dictnamespace = (SELECT oid FROM ns)"
	"  AND x.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_ts_dict'::pg_catalog.regclass)"
	" UNION ALL SELECT 9, pg_catalog.format('DROP TEXT SEARCH PARSER IF EXISTS %I.%I CASCADE', $1, prsname)"
	"  FROM pg_catalog.pg_ts_parser x WHERE prsnamespace = (SELECT oid FROM ns)"
	"  AND x.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_ts_parser'::pg_catalog.regclass)"
	" UNION ALL SELECT 10, pg_catalog.format('DROP TEXT SEARCH TEMPLATE IF EXISTS %I.%I CASCADE', $1, tmplname)"
	"  FROM pg_catalog.pg_ts_template x WHERE tmplnamespace = (SELECT oid FROM ns)"
	"  AND x.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_ts_template'::pg_catalog.regclass)"
	" UNION ALL SELECT 11, pg_catalog.format('DROP CONVERSION IF EXISTS %I.%I', $1, conname)"
	"  FROM pg_catalog.pg_conversion x WHERE connamespace = (SELECT oid FROM ns)"
	"  AND x.oid NOT IN (SELECT objid FROM own WHERE classid = 'pg_catalog.pg_conversion'::pg_catalog.regclass)"
	" ) x ORDER BY o, q";

/* The database's schema.sql: every extension but those initdb made, and
 * every user schema but public, which is emptied as a schema's schema.sql
 * empties it (it keeps its comment and privileges, as the database's
 * schema.sql expects it to be there). */
static const char SQL_EMPTY_DB[] =
	"SELECT 'DROP EXTENSION IF EXISTS ' || pg_catalog.quote_ident(extname) || ' CASCADE'"
	" FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql'"
	" UNION ALL SELECT 'DROP SCHEMA IF EXISTS ' || pg_catalog.quote_ident(nspname) || ' CASCADE'"
	" FROM pg_catalog.pg_namespace"
	" WHERE nspname !~ '^pg_' AND nspname NOT IN ('information_schema', 'public')"
	" UNION ALL SELECT 'CREATE SCHEMA IF NOT EXISTS public'";

/* A table.sql: its serial columns' sequences (not in table.sql) are kept
 * out of the DROP TABLE and given back to the columns afterwards. */
static const char SQL_OWNED_SEQS[] =
	"SELECT s.oid::pg_catalog.regclass::text, pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_depend d"
	" JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
	" JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
	" WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'a'"
	" AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = pg_catalog.to_regclass($1)";

/* Runs each first column of RES as a statement. */
static int run_each(PGconn *conn, PGresult *res, char *err, size_t errlen)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (pg_command(conn, PQgetvalue(res, i, 0), err, errlen))
			return -1;
	return 0;
}

/* Empties what the file stands for, runs it, reads the catalog back; all
 * in the caller's transaction, which is rolled back. */
static int load_file(PGconn *conn, void *arg)
{
	struct load *ld = arg;
	struct strbuf sql = STRBUF_INIT, qual = STRBUF_INIT;
	PGresult *seqs = NULL, *res = NULL;
	int rc = -EIO;
	if (!ld->scope->table) {
		const char *params[] = { ld->scope->schema ? ld->scope->schema : "public" };
		if (!ld->scope->schema) {
			res = pg_exec(conn, SQL_EMPTY_DB, 0, NULL, ld->err, sizeof ld->err);
			if (!res || run_each(conn, res, ld->err, sizeof ld->err))
				goto out;
			PQclear(res);
		}
		res = pg_exec(conn, SQL_EMPTY_SCHEMA, 1, params, ld->err, sizeof ld->err);
		if (!res || run_each(conn, res, ld->err, sizeof ld->err))
			goto out;
	} else {
		char *qs = PQescapeIdentifier(conn, ld->scope->schema, strlen(ld->scope->schema));
		char *qt = PQescapeIdentifier(conn, ld->scope->table, strlen(ld->scope->table));
		if (qs && qt)
			sb_addf(&qual, "%s.%s", qs, qt);
		PQfreemem(qs);
		PQfreemem(qt);
		if (!qual.len) {
			snprintf(ld->err, sizeof ld->err, "%s", PQerrorMessage(conn));
			goto out;
		}
		const char *params[] = { sb_str(&qual) };
		if (!(seqs = pg_exec(conn, SQL_OWNED_SEQS, 1, params, ld->err, sizeof ld->err)))
			goto out;
		for (int i = 0; i < PQntuples(seqs); i++)
			sb_addf(&sql, "ALTER SEQUENCE %s OWNED BY NONE;", PQgetvalue(seqs, i, 0));
		sb_addf(&sql, "DROP TABLE IF EXISTS %s CASCADE", sb_str(&qual));
		if (PQntuples(seqs)) {
			/* Several statements: no parameters, one round trip. */
			PGresult *r = PQexec(conn, sb_str(&sql));
			bool bad = PQresultStatus(r) != PGRES_COMMAND_OK;
			if (bad)
				snprintf(ld->err, sizeof ld->err, "%s", PQresultErrorMessage(r));
			PQclear(r);
			if (bad)
				goto out;
		} else if (pg_command(conn, sb_str(&sql), ld->err, sizeof ld->err)) {
			goto out;
		}
	}
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
	rc = -EIO;
	for (int i = 0; seqs && i < PQntuples(seqs); i++) {
		/* Given back when the file still has the column. */
		char msg[256];
		sb_reset(&sql);
		sb_addf(&sql, "ALTER SEQUENCE %s OWNED BY %s.%s", PQgetvalue(seqs, i, 0), sb_str(&qual),
			PQgetvalue(seqs, i, 1));
		if (pg_command(conn, "SAVEPOINT schemafs_declare", ld->err, sizeof ld->err))
			goto out;
		if (pg_command(conn, sb_str(&sql), msg, sizeof msg) &&
		    pg_command(conn, "ROLLBACK TO SAVEPOINT schemafs_declare", ld->err, sizeof ld->err))
			goto out;
	}
	const struct catalog_filter filter = {
		(const char *const *)ld->cfg->schemas, ld->cfg->nschemas, ld->cfg->migrations_schema,
		ld->cfg->migrations_table, track_find(ld->cfg->tracking), ld->cfg->privileges, ld->cfg->owners, 0, false, false, false,
	};
	char err[1024];
	ld->want = catalog_load_here(conn, &filter, err, sizeof err);
	if (!ld->want) {
		snprintf(ld->err, sizeof ld->err, "cannot read it back from the shadow database: %s", err);
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	PQclear(seqs);
	strbuf_free(&sql);
	strbuf_free(&qual);
	return rc;
}

static const struct cat_type *type_named(const struct catalog *cat, const char *schema, const char *name)
{
	const struct cat_schema *s = catalog_schema(cat, schema);
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (!strcmp(s->types[i]->name, name))
			return s->types[i];
	return NULL;
}

/* A type created or dropped, as a types/ file's write or rm stages it,
 * from the file's catalog as PostgreSQL read it back. */
static int stage_type(struct change *c, const struct declare_obj *o, const struct catalog *want)
{
	struct database *db = c->db;
	const struct cat_type *l = type_named(db->cat, o->schema, o->name);
	const struct cat_type *w = o->drop ? NULL : type_named(want, o->schema, o->name);
	if ((w && !strchr("ecdr", w->kind)) || (l && !strchr("ecdr", l->kind)))
		return ed_fail(c, -EPERM, "types differ: %s.%s (a base type is not staged: write the migration by "
			       "hand)", o->schema, o->name);
	if (l && w && l->kind == w->kind && (w->kind == 'd' || w->kind == 'c')) {
		/* Changed in place: as its types/<t>.sql written with the
		 * file's type, as the tree renders it (ALTER DOMAIN, ALTER
		 * TYPE ... ATTRIBUTE). */
		struct strbuf text = STRBUF_INIT, file = STRBUF_INIT;
		render_type(&text, w);
		sb_addf(&file, "%s.sql", w->name);
		struct epath p = { .kind = E_TYPE, .schema = o->schema, .name = file.buf, .file = file.buf };
		int rc = es_type_write(c, &p, sb_str(&text), text.len);
		strbuf_free(&text);
		strbuf_free(&file);
		return rc;
	}
	if (o->drop || (l && w && l->kind != w->kind)) {
		if (l)
			stage_type_drop(db->stage, l->oid, l->kind);
		if (o->drop)
			return 0;
	}
	if (!w)
		return 0;
	if (w->kind == 'e') {
		stage_type_new_enum(db->stage, o->schema, w->name, w->qname, w->labels, w->nlabels);
	} else if (w->kind == 'c' && w->composite) {
		const struct cat_relation *r = w->composite;
		struct stage_attr *v = calloc(r->ncols + 1, sizeof *v);
		if (!v)
			abort();
		for (size_t i = 0; i < r->ncols; i++)
			v[i] = (struct stage_attr){ r->cols[i].name, r->cols[i].qname, r->cols[i].type,
						    r->cols[i].collation };
		stage_type_new(db->stage, o->schema, w->name, w->qname, 'c', NULL, NULL, NULL, false, NULL, v,
			       r->ncols, NULL);
		free(v);
	} else {
		stage_type_new(db->stage, o->schema, w->name, w->qname, w->kind, w->base, w->collation, w->defexpr,
			       w->notnull, w->checks, NULL, 0, w->range_opts);
	}
	if (w->comment)	/* as its types/ file's COMMENT line */
		stage_type_comment(db->stage, 0, o->schema, w->name, w->comment);
	return 0;
}

static const struct cat_relation *rel_in(struct cat_relation *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, name))
			return v[i];
	return NULL;
}

/* Where O's CREATE goes among the others: the planner keeps the stage's
 * order within a phase, and one object file's CREATE may use another's
 * (a view a function, a trigger its function, a view another view). */
static int create_rank(const struct declare_obj *o, const struct catalog *want)
{
	static const char *const order[] = { "schemas", "extensions", "types", "sequences", "functions", "views",
					     "materialized_views", "triggers", "policies" };
	int rank = 0;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		if (!strcmp(o->dir, order[i]))
			rank = (int)i * 1000;
	const struct cat_schema *s = o->schema ? catalog_schema(want, o->schema) : NULL;
	const struct cat_relation *r = !s ? NULL : !strcmp(o->dir, "views") ? rel_in(s->views, s->nviews, o->name) :
				       !strcmp(o->dir, "materialized_views") ?
				       rel_in(s->matviews, s->nmatviews, o->name) : NULL;
	if (r)
		rank += r->view_depth;
	if (s && !strcmp(o->dir, "types"))
		for (size_t i = 0; i < s->ntypes; i++)
			if (!strcmp(s->types[i]->name, o->name))
				rank += s->types[i]->depth;
	for (size_t i = 0; s && !strcmp(o->dir, "functions") && i < s->nfunctions; i++) {
		const struct cat_function *f = s->functions[i];
		size_t n = strlen(f->name);
		if (!strncmp(o->name, f->name, n) && o->name[n] == '(' && f->late == 2)
			rank = 6500;	/* after the views it uses */
	}
	return rank;
}

struct ranked {
	const struct declare_obj *o;
	int rank;
	size_t seq;
};

static int by_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->o->drop != y->o->drop)
		return x->o->drop ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A sequence the file drops: as its file's rm, but for one owned by a
 * column the file keeps (a serial made a plain integer; declare.c lets
 * the others go with their column), which its rm refuses: the file drops
 * the column's default too, and the planner drops the sequence after it. */
static int stage_seq_drop(struct change *c, const struct declare_obj *o)
{
	struct database *db = c->db;
	const struct cat_schema *s = catalog_schema(db->cat, o->schema);
	const struct cat_relation *seq = s ? rel_in(s->sequences, s->nsequences, o->name) : NULL;
	if (!seq || !seq->seq_owned_by) {
		struct epath p = { .kind = E_OBJECT, .schema = o->schema, .name = o->name, .file = o->name,
				   .obj = objkind_find(o->dir, strlen(o->dir), OBJ_IN_SCHEMA) };
		return p.obj ? ed_obj_drop(c, &p) : ed_fail(c, -EPERM, "sequences cannot be dropped here yet");
	}
	struct strbuf sql = STRBUF_INIT, hz = STRBUF_INIT;
	sb_addf(&sql, "DROP SEQUENCE %s.%s;", s->qname, seq->qname);
	sb_addf(&hz, "DROP SEQUENCE %s.%s: column %s no longer takes its default from it (DROP DEFAULT first); "
		"its current value is lost", s->qname, seq->qname, seq->seq_owned_by);
	struct stage_obj so = { o->dir, o->schema, NULL, o->name, seq->oid, NULL, sb_str(&sql), sb_str(&hz), true };
	stage_obj_set(db->stage, &so);
	strbuf_free(&sql);
	strbuf_free(&hz);
	return 0;
}

/* One object of stage_objects. */
static int stage_one(struct change *c, const struct declare_obj *o, const struct catalog *want)
{
	struct database *db = c->db;
	if (!strcmp(o->dir, "schemas")) {
		const struct cat_schema *ws = catalog_schema(want, o->name);
		const struct cat_schema *ls = catalog_schema(db->cat, o->name);
		if (o->drop && ls)
			stage_schema_drop(db->stage, ls->oid, ls->name);
		else if (!o->drop && ws) {
			stage_schema_new(db->stage, ws->name, ws->qname);
			if (ws->comment)
				stage_schema_comment(db->stage, 0, ws->name, ws->comment);
		}
		return 0;
	}
	if (!strcmp(o->dir, "extensions")) {
		const struct cat_extension *x = NULL, *l = NULL;
		for (size_t j = 0; j < want->nexts && !x; j++)
			if (!strcmp(want->exts[j].name, o->name))
				x = &want->exts[j];
		for (size_t j = 0; j < db->cat->nexts && !l; j++)
			if (!strcmp(db->cat->exts[j].name, o->name))
				l = &db->cat->exts[j];
		if (!x) {
			stage_extension_drop(db->stage, o->name, l != NULL);
			return 0;
		}
		stage_extension_set(db->stage, x->name, x->qname, x->qschema, x->version, !l);
		/* COMMENT ON EXTENSION, as its file's COMMENT line stages it:
		 * against the live one, or a new one's control file's. */
		const char *have = l ? l->comment : x->control_comment;
		if (!(x->comment ? have && !strcmp(x->comment, have) : !have))
			stage_extension_comment(db->stage, x->name, x->comment ? x->comment : "");
		return 0;
	}
	if (!strcmp(o->dir, "types"))
		return stage_type(c, o, want);
	if (o->drop && !strcmp(o->dir, "sequences"))
		return stage_seq_drop(c, o);
	struct epath p = {
		.kind = E_OBJECT, .schema = o->schema, .table = o->table, .name = o->name, .file = o->name,
		.obj = objkind_find(o->dir, strlen(o->dir), o->table ? OBJ_IN_TABLE : OBJ_IN_SCHEMA),
	};
	if (!p.obj)
		return ed_fail(c, -EPERM, "%s differ: %s.%s (not staged here yet)", o->dir, o->schema ? o->schema : "",
			       o->name);
	return o->drop ? ed_obj_drop(c, &p) : ed_obj_declared(c, &p, want);
}

/* Stages the objects OBJS lists as their files (or the schemas/ and
 * extensions/ directories) would: the drops first, what uses others first
 * (as live: a view on a view the file drops too is dropped before it, and
 * an object the file re-creates does not count what the file drops as its
 * dependents); then the creates, what others may use first. */
static int stage_objects(struct change *c, const struct declare_objs *objs, const struct catalog *want)
{
	struct ranked *v = calloc(objs->n + 1, sizeof *v);
	if (!v)
		abort();
	for (size_t i = 0; i < objs->n; i++)
		v[i] = (struct ranked){ &objs->v[i], objs->v[i].drop ? -create_rank(&objs->v[i], c->db->cat) :
					  create_rank(&objs->v[i], want), i };
	qsort(v, objs->n, sizeof *v, by_rank);
	int rc = 0;
	for (size_t k = 0; k < objs->n && !rc; k++)
		rc = stage_one(c, v[k].o, want);
	free(v);
	return rc;
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
	/* The tree shows the desired state: the same text asks for nothing
	 * more (and needs no shadow). */
	size_t shown_len;
	char *shown = ed_content_of(db, c->path, &shown_len);
	bool unchanged = shown && shown_len == len && !memcmp(shown, data, len);
	free(shown);
	if (unchanged)
		return 0;
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
	struct declare_objs objs = { 0 };
	rc = declare_diff(db->cat, ld.want, &scope, fresh, &objs, c->err, sizeof c->err);
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(fresh->doc, "tables")) {
		/* The hazards' row estimates: the snapshot's (the column
		 * files take a fresh one; compared, they are left out). */
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		const struct cat_relation *r = oid ? catalog_rel(db->cat, oid) : NULL;
		if (r && r->reltuples >= 0)
			stage_table_rows(fresh, &(struct stage_ref){ r->oid, r->schema->name, r->name }, r->reltuples);
	}
	if (!rc && !c->dry) {
		struct strbuf conflicts = STRBUF_INIT;
		static const char *const arrays[] = { "tables", "enums" };
		for (size_t i = 0; i < 2; i++)
			ed_decl_merge(db, &scope, arrays[i], cJSON_GetObjectItemCaseSensitive(fresh->doc, arrays[i]),
				    &conflicts, false);
		ed_decl_objects_conflict(db, &scope, ld.want, &conflicts);
		if (conflicts.len) {
			rc = ed_fail(c, -EBUSY, "the file contradicts staged edits of %s: apply them, or discard "
				     "them (rm the generated file in migrations/pending/), or write the file as the "
				     "tree shows it with them", sb_str(&conflicts));
		} else {
			for (size_t i = 0; i < 2; i++)
				ed_decl_merge(db, &scope, arrays[i],
					    cJSON_GetObjectItemCaseSensitive(fresh->doc, arrays[i]), NULL, true);
			/* On a refusal, ed_end puts the whole stage back. */
			rc = stage_objects(c, &objs, ld.want);
			if (!rc)
				ed_decl_merge_comments(db->stage, fresh);
			ed_extra_remove(db, c->path);
		}
		strbuf_free(&conflicts);
	}
	declare_objs_free(&objs);
	stage_free(fresh);
out:
	free(why);
	catalog_free(ld.want);
	return rc;
}
