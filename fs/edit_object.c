/*
 * edit_object.c: writes and removals of object files (a schema's views,
 * materialized views, functions and sequences; a table's triggers and
 * policies), the handlers objkind.c's table names.
 *
 * A written file is checked in three steps. PostgreSQL's parser (libpg_query)
 * says whether it holds exactly one CREATE of the file's kind and name, with
 * only COMMENT, GRANT, ALTER and the like beside it. The server then runs it
 * in a transaction that is rolled back, with the object as it is dropped
 * first, and the object is read back through the catalog loader and
 * rendered as the read side renders it: that rendering is what is staged,
 * and what the tree shows. Last, the staged statement is chosen: ALTER
 * for policies and sequences, built from the catalog read back; CREATE OR
 * REPLACE when the server takes it over the live object (tried as well);
 * else DROP + CREATE, refused (EBUSY) while other objects depend on it and
 * are not dropped in the same stage.
 *
 * The checks run on the shadow database when it is loaded (shadow.h:
 * production takes no lock), else on the work connection (ed_conn), in
 * rolled-back transactions with the probe's lock_timeout (probe.h). What
 * depends on an object is read from the work connection's catalogs.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "edit_internal.h"
#include "objkind.h"
#include "pg.h"
#include "probe.h"
#include "render.h"
#include "shadow.h"
#include "sqlparse.h"
#include "stage.h"
#include "strbuf.h"
#include "track.h"
#include "tree.h"

/* A check's statement_timeout on the shadow: PROBE_STATEMENT_TIMEOUT's. */
#define CHECK_TIMEOUT_MS 15000

/* What each kind's file must create. */
struct spec {
	const char *dir;
	const char *node;	/* libpg_query's node of its CREATE */
	const char *what;	/* for messages */
	const char *drop_kw;	/* DROP <drop_kw> (functions: by prokind) */
	bool recreate;		/* never CREATE OR REPLACE (materialized views) */
	const char *recreate_hazard;
	bool in_table;		/* triggers, policies: named per table, dropped and
				 * created in one transaction (no hazard, no dependents) */
};

static const struct spec SPECS[] = {
	{ "views", "ViewStmt", "view", "VIEW", false, NULL, false },
	{ "materialized_views", "CreateTableAsStmt", "materialized view", "MATERIALIZED VIEW", true,
	  "its data is recomputed (REFRESH) from scratch, and it is locked meanwhile", false },
	{ "functions", "CreateFunctionStmt", "function", NULL, false, NULL, false },
	{ "triggers", "CreateTrigStmt", "trigger", "TRIGGER", false, NULL, true },
	{ "policies", "CreatePolicyStmt", "policy", "POLICY", false, NULL, true },
	{ "sequences", "CreateSeqStmt", "sequence", "SEQUENCE", false, NULL, false },
};

static const struct spec *spec_of(const struct epath *p)
{
	for (size_t i = 0; i < sizeof SPECS / sizeof SPECS[0]; i++)
		if (!strcmp(SPECS[i].dir, p->obj->dir))
			return &SPECS[i];
	return NULL;
}

/* Statements a file may hold beside its CREATE: what the read side
 * renders there (comments, privileges, owners, settings, a materialized
 * view's indexes, a view's INSTEAD OF triggers). */
static const char *const BESIDE[] = {
	"CommentStmt", "GrantStmt", "AlterOwnerStmt", "AlterTableStmt", "IndexStmt", "CreateTrigStmt",
	"AlterFunctionStmt", "AlterObjectSchemaStmt", "RuleStmt", "CreateStatsStmt", "AlterSeqStmt",
};

/* How a statement node reads in a message. */
static const char *stmt_words(const char *node, const cJSON *st)
{
	static const struct { const char *node, *words; } W[] = {
		{ "CreateStmt", "CREATE TABLE" }, { "ViewStmt", "CREATE VIEW" },
		{ "CreateFunctionStmt", "CREATE FUNCTION" }, { "CreateSeqStmt", "CREATE SEQUENCE" },
		{ "CreateTrigStmt", "CREATE TRIGGER" }, { "CreatePolicyStmt", "CREATE POLICY" },
		{ "IndexStmt", "CREATE INDEX" }, { "DropStmt", "DROP" }, { "CreateSchemaStmt", "CREATE SCHEMA" },
		{ "CreateEnumStmt", "CREATE TYPE" }, { "CompositeTypeStmt", "CREATE TYPE" },
		{ "CreateDomainStmt", "CREATE DOMAIN" }, { "InsertStmt", "INSERT" }, { "UpdateStmt", "UPDATE" },
		{ "DeleteStmt", "DELETE" }, { "SelectStmt", "SELECT" }, { "TransactionStmt", "transaction control" },
		{ "DefineStmt", "CREATE AGGREGATE (or another DEFINE)" }, { "DoStmt", "DO" },
	};
	if (!strcmp(node, "CreateTableAsStmt")) {
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "objtype"));
		return k && !strcmp(k, "OBJECT_MATVIEW") ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
	}
	for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
		if (!strcmp(W[i].node, node))
			return W[i].words;
	return node;
}

static const char *sval(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The I'th name of a [schema, name] list, from its end. */
static const char *list_name(const cJSON *list, int i)
{
	int n = cJSON_GetArraySize(list);
	const cJSON *s = n > i ? cJSON_GetArrayItem(list, n - 1 - i) : NULL;
	return sval(cJSON_GetObjectItemCaseSensitive(s, "String"), "sval") ?
	       sval(cJSON_GetObjectItemCaseSensitive(s, "String"), "sval") :
	       sval(cJSON_GetObjectItemCaseSensitive(s, "String"), "str");
}

/* The schema and name the CREATE node ST names (NULL schema: unqualified). */
static void created_name(const struct spec *k, const cJSON *st, const char **schema, const char **name,
			 const char **table)
{
	const cJSON *rel = NULL;
	*schema = *name = *table = NULL;
	if (k->in_table) {
		bool trg = !strcmp(k->node, "CreateTrigStmt");
		rel = cJSON_GetObjectItemCaseSensitive(st, trg ? "relation" : "table");
		*name = sval(st, trg ? "trigname" : "policy_name");
		*schema = sval(rel, "schemaname");
		*table = sval(rel, "relname");
		return;
	}
	if (!strcmp(k->node, "ViewStmt"))
		rel = cJSON_GetObjectItemCaseSensitive(st, "view");
	else if (!strcmp(k->node, "CreateTableAsStmt"))
		rel = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "into"), "rel");
	else if (!strcmp(k->node, "CreateSeqStmt"))
		rel = cJSON_GetObjectItemCaseSensitive(st, "sequence");
	if (rel) {
		*schema = sval(rel, "schemaname");
		*name = sval(rel, "relname");
		return;
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(st, "funcname");
	*name = list_name(list, 0);
	*schema = cJSON_GetArraySize(list) > 1 ? list_name(list, 1) : NULL;
}

/* The name part of a function file's identity "name(args)". */
static bool name_matches(const struct spec *k, const struct epath *p, const char *name)
{
	if (!name)
		return false;
	if (k->drop_kw)	/* not a function */
		return !strcmp(name, p->name);
	size_t n = strlen(name);
	return !strncmp(p->name, name, n) && p->name[n] == '(';
}

/* The parser's word on the file: one CREATE of the right kind and name. */
static int check_text(struct change *c, const struct epath *p, const struct spec *k, const char *data,
		      size_t len, bool *qualified)
{
	char perr[512];
	cJSON *tree = sqlparse_tree(data, len, perr, sizeof perr);
	/* Syntax newer than libpg_query's (PostgreSQL 15) grammar, or an
	 * error: the server judges it, and the read-back still says whether
	 * the file made the object it names. */
	*qualified = false;
	if (!tree)
		return 0;
	int rc = 0, mains = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(tree, "stmts")) {
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(item, "stmt");
		node = node ? node->child : NULL;
		if (!node || !node->string)
			continue;
		bool main = !strcmp(node->string, k->node);
		if (main && !strcmp(k->node, "CreateTableAsStmt"))
			main = !strcmp(stmt_words(node->string, node), "CREATE MATERIALIZED VIEW");
		if (main) {
			const char *schema, *name, *table;
			created_name(k, node, &schema, &name, &table);
			if (k->in_table && (!table || strcmp(table, p->table) || (schema && strcmp(schema, p->schema)))) {
				rc = ed_fail(c, -EINVAL, "this file is %s %s of table %s.%s, but its %s is on table %s%s%s",
					     k->what, p->name, p->schema, p->table, stmt_words(node->string, node),
					     schema ? schema : "", schema ? "." : "", table ? table : "?");
				goto out;
			}
			if (k->in_table)
				schema = NULL;	/* the table's, checked above */
			if (!name_matches(k, p, name) || (schema && strcmp(schema, p->schema))) {
				rc = ed_fail(c, -EINVAL, "this file is %s %s.%s, but its %s creates %s%s%s: a file "
					     "creates the object it names (rename the file to create another one)",
					     k->what, p->schema, p->name, stmt_words(node->string, node),
					     schema ? schema : "", schema ? "." : "", name ? name : "?");
				goto out;
			}
			*qualified = schema != NULL;
			mains++;
			continue;
		}
		bool beside = false;
		for (size_t i = 0; i < sizeof BESIDE / sizeof BESIDE[0]; i++)
			beside |= !strcmp(node->string, BESIDE[i]);
		if (!beside || mains == 0) {
			rc = ed_fail(c, -EINVAL, "a %s file holds one CREATE of its %s (then its COMMENT, GRANT or "
				     "ALTER statements): this one holds %s", k->what, k->what,
				     stmt_words(node->string, node));
			goto out;
		}
	}
	if (mains != 1)
		rc = ed_fail(c, -EINVAL, "a %s file holds exactly one CREATE of its %s: this one holds %d",
			     k->what, k->what, mains);
out:
	cJSON_Delete(tree);
	return rc;
}

static const struct cat_function *live_function(const struct catalog *cat, const char *schema, const char *sig)
{
	const struct cat_schema *s = catalog_schema(cat, schema);
	struct strbuf b = STRBUF_INIT;
	const struct cat_function *f = NULL;
	for (size_t i = 0; s && i < s->nfunctions && !f; i++) {
		sb_reset(&b);
		sb_addf(&b, "%s(%s)", s->functions[i]->name, s->functions[i]->args ? s->functions[i]->args : "");
		if (!strcmp(sb_str(&b), sig))
			f = s->functions[i];
	}
	strbuf_free(&b);
	return f;
}

static const struct cat_relation *live_rel(const struct catalog *cat, const struct spec *k, const char *schema,
					   const char *name)
{
	const struct cat_schema *s = catalog_schema(cat, schema);
	struct cat_relation *const *v = !s ? NULL : !strcmp(k->dir, "views") ? s->views :
					!strcmp(k->dir, "sequences") ? s->sequences : s->matviews;
	size_t n = !s ? 0 : !strcmp(k->dir, "views") ? s->nviews :
		   !strcmp(k->dir, "sequences") ? s->nsequences : s->nmatviews;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, name))
			return v[i];
	return NULL;
}

/* The live object as DROP names it ("VIEW public.v", "FUNCTION
 * public.f(integer)") into OUT, and its OID and catalog (for pg_depend):
 * false when it is not live. */
struct live_obj {
	unsigned oid;
	const char *refclass;	/* pg_class, pg_proc */
};

static bool live_object(struct database *db, const struct spec *k, const struct epath *p, struct strbuf *out,
			struct live_obj *lo)
{
	memset(lo, 0, sizeof *lo);
	if (k->in_table) {
		const struct cat_relation *want = catalog_table(db->desired, p->schema, p->table);
		const struct cat_relation *r = want && want->oid ? catalog_rel(db->cat, want->oid) : NULL;
		bool trg = !strcmp(k->dir, "triggers");
		const char *q = NULL;
		for (size_t i = 0; r && !q && i < (trg ? r->ntriggers : r->npolicies); i++)
			if (!strcmp(trg ? r->triggers[i].name : r->policies[i].name, p->name))
				q = trg ? r->triggers[i].qname : r->policies[i].qname;
		if (!q)
			return false;
		sb_addf(out, "%s %s ON ", k->drop_kw, q);
		sb_add_qual(out, r->schema->qname, r->qname);
		return true;
	}
	if (k->drop_kw) {
		const struct cat_relation *r = live_rel(db->cat, k, p->schema, p->name);
		if (!r)
			return false;
		sb_addf(out, "%s ", k->drop_kw);
		sb_add_qual(out, r->schema->qname, r->qname);
		lo->oid = r->oid;
		lo->refclass = "pg_catalog.pg_class";
		return true;
	}
	const struct cat_function *f = live_function(db->cat, p->schema, p->name);
	if (!f)
		return false;
	sb_add(out, f->kind == 'p' ? "PROCEDURE " : f->kind == 'a' ? "AGGREGATE " : "FUNCTION ");
	sb_add_qual(out, f->schema->qname, f->qname);
	sb_addf(out, "(%s)", f->args ? f->args : "");
	/* By OID: the identity arguments may carry names, which
	 * ::regprocedure does not read. */
	lo->oid = f->oid;
	lo->refclass = "pg_catalog.pg_proc";
	return true;
}

bool ed_obj_live(struct database *db, const struct epath *p, struct strbuf *drop, unsigned *oid)
{
	const struct spec *k = spec_of(p);
	struct live_obj lo;
	bool live = k && live_object(db, k, p, drop, &lo);
	*oid = live ? lo.oid : 0;
	return live;
}

/* What depends on the live object and is not dropped in the same stage,
 * ", "-joined into WHO, and those of them that DROP + CREATE of the object
 * cannot take along (all but views, rules, policies and triggers) into
 * FIXED (may be NULL). 0, or -EIO with the reason. */
static int dependents(struct change *c, PGconn *conn, const struct live_obj *lo, struct strbuf *who,
		      struct strbuf *fixed)
{
	if (!lo->refclass)
		return 0;	/* a trigger or policy: nothing depends on it */
	char oid[16];
	snprintf(oid, sizeof oid, "%u", lo->oid);
	const char *params[] = { oid, lo->refclass };
	static const char *const SQL =
		"WITH o AS (SELECT $1::pg_catalog.oid AS oid)"
		" SELECT DISTINCT x.label, x.nspname, x.relname, x.dir, x.recreatable FROM ("
		"  SELECT CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN"
		"    (SELECT CASE cl.relkind WHEN 'm' THEN 'materialized view ' WHEN 'v' THEN 'view '"
		"             ELSE 'rule ' || pg_catalog.quote_ident(r.rulename) || ' on table ' END"
		"            || cl.oid::pg_catalog.regclass::text"
		"       FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class cl ON cl.oid = r.ev_class"
		"      WHERE r.oid = d.objid AND r.ev_class <> (SELECT oid FROM o))"
		"   ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END AS label,"
		"   n.nspname, cl.relname, CASE cl.relkind WHEN 'm' THEN 'materialized_views' WHEN 'v' THEN 'views' END AS dir,"
		"   d.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass, 'pg_catalog.pg_trigger'::pg_catalog.regclass,"
		"                 'pg_catalog.pg_policy'::pg_catalog.regclass)"
		"   OR (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
		"       AND $2::pg_catalog.regclass = 'pg_catalog.pg_proc'::pg_catalog.regclass) AS recreatable"
		"  FROM pg_catalog.pg_depend d"
		"  LEFT JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
		"       AND r.oid = d.objid"
		"  LEFT JOIN pg_catalog.pg_class cl ON cl.oid = r.ev_class"
		"  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace"
		"  WHERE d.refclassid = $2::pg_catalog.regclass AND d.refobjid = (SELECT oid FROM o)"
		"    AND d.deptype = 'n') x WHERE x.label IS NOT NULL ORDER BY 1";
	char err[512];
	PGresult *res = pg_exec(conn, SQL, 2, params, err, sizeof err);
	if (!res)
		return ed_fail(c, -EIO, "cannot read what depends on it: %s", err);
	for (int i = 0; i < PQntuples(res); i++) {
		struct stage_obj o;
		if (!PQgetisnull(res, i, 3) &&
		    stage_obj_get(c->db->stage, PQgetvalue(res, i, 3), PQgetvalue(res, i, 1), NULL, PQgetvalue(res, i, 2),
				  &o) &&
		    o.drop)
			continue;
		sb_addf(who, "%s%s", who->len ? ", " : "", PQgetvalue(res, i, 0));
		if (fixed && *PQgetvalue(res, i, 4) != 't')
			sb_addf(fixed, "%s%s", fixed->len ? ", " : "", PQgetvalue(res, i, 0));
	}
	PQclear(res);
	return 0;
}

static struct catalog_filter filter_of(struct database *db, const char *const *schema)
{
	return (struct catalog_filter){
		schema, 1, db->cfg->migrations_schema, db->cfg->migrations_table, track_find(db->cfg->tracking),
		db->cfg->privileges, db->cfg->owners, 0,
	};
}

struct catalog *ed_obj_load(struct change *c, PGconn *conn)
{
	const struct catalog *live = c->db->cat;
	const char **names = calloc(live->nschemas ? live->nschemas : 1, sizeof *names);
	if (!names)
		abort();
	for (size_t i = 0; i < live->nschemas; i++)
		names[i] = live->schemas[i].name;
	struct catalog_filter f = filter_of(c->db, names);
	f.nschemas = live->nschemas;
	struct catalog *cat = catalog_load_here(conn, &f, c->err, sizeof c->err);
	free(names);
	return cat;
}

/* Runs FN(conn, CTX) in a transaction that is rolled back: on the shadow
 * database when there is one to use (production takes no lock), else on
 * the work connection with the probe's timeouts. FN records its reason in
 * the change. */
int ed_obj_rolled_back(struct change *c, int (*fn)(PGconn *conn, void *ctx), void *ctx)
{
	char *why = NULL;
	pg_bound_set(PROBE_BOUND_MS);
	int rc = shadow_run_txn(c->db->shadow, CHECK_TIMEOUT_MS, fn, ctx, &why);
	if (rc == -ENOENT) {
		PGconn *conn = ed_conn(c);
		if (!conn)
			rc = -EIO;
		else if (probe_begin(conn, c->err, sizeof c->err))
			rc = ed_fail(c, -EIO, "the server cannot be reached to check the change: %s", c->err);
		else {
			rc = fn(conn, ctx);
			probe_rollback(conn);
		}
	} else if (rc == -EIO && why && !c->err[0]) {
		ed_fail(c, -EIO, "%s", why);
	}
	free(why);
	return rc;
}

struct try {
	struct change *c;
	const struct spec *k;
	const struct epath *p;
	const char *drop;	/* the live object, as DROP names it, or NULL */
	bool qualified;
	const char *text;	/* the user's */
	struct strbuf *file;	/* out: the object, as the tree renders it */
	struct strbuf *alter;	/* out, policies: ALTER POLICY to the new one, when it can */
	const char *sql;	/* takes(): the statement to try */
	bool ok;		/* takes(): the server took it */
	char why[1024];		/* takes(): or its message */
};

int ed_obj_set_path(PGconn *conn, const char *schema, char *err, size_t errlen)
{
	const char *params[] = { schema ? schema : "public" };
	PGresult *res = pg_exec(conn, "SELECT pg_catalog.set_config('search_path',"
				" pg_catalog.quote_ident($1) || ', public, pg_temp', true),"
				" pg_catalog.set_config('lock_timeout', '" PROBE_LOCK_TIMEOUT "', true)",
				1, params, err, errlen);
	PQclear(res);
	return res ? 0 : -1;
}

static const struct cat_policy *policy_named(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->npolicies; i++)
		if (!strcmp(r->policies[i].name, name))
			return &r->policies[i];
	return NULL;
}

/* ALTER POLICY from the live policy to the one NEW holds, into OUT, when
 * ALTER can get there: the same command and permissive kind, and no USING
 * or WITH CHECK taken away (ALTER POLICY can only set them). */
static void policy_alter(struct database *db, const struct epath *p, const struct catalog *new_cat,
			 struct strbuf *out)
{
	const struct cat_relation *want = catalog_table(db->desired, p->schema, p->table);
	const struct cat_relation *lr = want && want->oid ? catalog_rel(db->cat, want->oid) : NULL;
	const struct cat_relation *nr = catalog_table(new_cat, p->schema, p->table);
	const struct cat_policy *lp = policy_named(lr, p->name), *np = policy_named(nr, p->name);
	if (!lp || !np || lp->cmd != np->cmd || lp->permissive != np->permissive || (lp->qual && !np->qual) ||
	    (lp->check && !np->check))
		return;
	sb_addf(out, "ALTER POLICY %s ON ", lp->qname);
	sb_add_qual(out, lr->schema->qname, lr->qname);
	sb_addf(out, " TO %s", np->roles ? np->roles : "PUBLIC");
	if (np->qual)
		sb_addf(out, " USING (%s)", np->qual);
	if (np->check)
		sb_addf(out, " WITH CHECK (%s)", np->check);
	sb_add(out, ";\n");
}

/* ALTER SEQUENCE from the live sequence to the one NEW holds, into OUT:
 * its options, its owner column, its persistence (15+). */
static void sequence_alter(struct database *db, const struct epath *p, const struct catalog *new_cat,
			   struct strbuf *out)
{
	static const struct spec SEQ = { "sequences", NULL, NULL, NULL, false, NULL, false };
	const struct cat_relation *l = live_rel(db->cat, &SEQ, p->schema, p->name);
	const struct cat_relation *n = live_rel(new_cat, &SEQ, p->schema, p->name);
	if (!l || !n)
		return;
	struct strbuf q = STRBUF_INIT, opts = STRBUF_INIT;
	sb_add_qual(&q, l->schema->qname, l->qname);
	const char *lt = l->seq_type ? l->seq_type : "bigint", *nt = n->seq_type ? n->seq_type : "bigint";
	if (strcmp(lt, nt))
		sb_addf(&opts, " AS %s", nt);
	if (l->seq_start != n->seq_start)
		sb_addf(&opts, " START WITH %lld", n->seq_start);
	if (l->seq_inc != n->seq_inc)
		sb_addf(&opts, " INCREMENT BY %lld", n->seq_inc);
	if (l->seq_min != n->seq_min)
		sb_addf(&opts, " MINVALUE %lld", n->seq_min);
	if (l->seq_max != n->seq_max)
		sb_addf(&opts, " MAXVALUE %lld", n->seq_max);
	if (l->seq_cache != n->seq_cache)
		sb_addf(&opts, " CACHE %lld", n->seq_cache);
	if (l->seq_cycle != n->seq_cycle)
		sb_add(&opts, n->seq_cycle ? " CYCLE" : " NO CYCLE");
	if (opts.len)
		sb_addf(out, "ALTER SEQUENCE %s%s;\n", sb_str(&q), sb_str(&opts));
	if (!(l->seq_owned_by ? n->seq_owned_by && !strcmp(l->seq_owned_by, n->seq_owned_by) : !n->seq_owned_by))
		sb_addf(out, "ALTER SEQUENCE %s OWNED BY %s;\n", sb_str(&q), n->seq_owned_by ? n->seq_owned_by : "NONE");
	if (l->persistence && n->persistence && l->persistence != n->persistence)
		sb_addf(out, "ALTER SEQUENCE %s SET %s;\n", sb_str(&q), n->persistence == 'u' ? "UNLOGGED" : "LOGGED");
	strbuf_free(&q);
	strbuf_free(&opts);
}

/* Runs the file (with the live object dropped first) and renders what it
 * made into FILE. 0, -EINVAL with PostgreSQL's message, -EIO. */
static int try_file(PGconn *conn, void *ctx)
{
	struct try *t = ctx;
	struct change *c = t->c;
	struct strbuf sql = STRBUF_INIT;
	int rc = 0;
	if (ed_obj_set_path(conn, NULL, c->err, sizeof c->err)) {
		rc = -EIO;
		goto out;
	}
	if (t->drop) {
		sb_addf(&sql, "DROP %s CASCADE", t->drop);
		if (probe_run(conn, sb_str(&sql), false, c->err, sizeof c->err)) {
			rc = -EIO;
			goto out;
		}
	}
	/* An unqualified name is created in the file's schema. */
	if (!t->qualified && ed_obj_set_path(conn, t->p->schema, c->err, sizeof c->err)) {
		rc = -EIO;
		goto out;
	}
	if (probe_run(conn, t->text, true, c->err, sizeof c->err)) {
		rc = -EINVAL;
		goto out;
	}
	const char *schemas[] = { t->p->schema };
	struct catalog_filter f = filter_of(c->db, schemas);
	struct catalog *cat = catalog_load_here(conn, &f, c->err, sizeof c->err);
	if (!cat) {
		rc = -EIO;
		goto out;
	}
	if (!objfile_render(cat, t->k->dir, t->p->schema, t->p->table, t->p->name, t->file))
		rc = ed_fail(c, -EINVAL, "the file does not create %s %s.%s%s", t->k->what, t->p->schema,
			     t->p->name, t->k->drop_kw ? "" : ": a function's file name is its signature (name "
			     "and argument types); its text declares another one");
	else if (t->drop && !strcmp(t->k->dir, "policies"))
		policy_alter(c->db, t->p, cat, t->alter);
	else if (t->drop && !strcmp(t->k->dir, "sequences"))
		sequence_alter(c->db, t->p, cat, t->alter);
	catalog_free(cat);
out:
	strbuf_free(&sql);
	return rc;
}

/* Does the server take T->sql over the live object? */
static int takes(PGconn *conn, void *ctx)
{
	struct try *t = ctx;
	if (ed_obj_set_path(conn, NULL, t->c->err, sizeof t->c->err))
		return -EIO;
	t->ok = !probe_run(conn, t->sql, false, t->why, sizeof t->why);
	return 0;
}

/* "CREATE VIEW" -> "CREATE OR REPLACE VIEW" in FILE's first statement,
 * which schemafs rendered (never the user's text). */
static void or_replace(struct strbuf *out, const char *file)
{
	static const char create[] = "CREATE ";
	if (!strncmp(file, create, sizeof create - 1) && strncmp(file, "CREATE OR REPLACE ", 18)) {
		sb_add(out, "CREATE OR REPLACE ");
		sb_add(out, file + sizeof create - 1);
	} else {
		sb_add(out, file);
	}
}

/* A staged DROP of this trigger or policy (rm) is undone. */
static void undo_table_drop(struct change *c, const struct epath *p)
{
	struct target t;
	char keep[sizeof c->err];
	memcpy(keep, c->err, sizeof keep);
	if (!ed_find_table(c, p, &t))
		stage_object_drop(c->db->stage, &t.ref, p->obj->dir, p->name, false);
	memcpy(c->err, keep, sizeof keep);
}

/* CREATE OR REPLACE keeps the object's comment: one the live file has and
 * FILE no longer has is removed (both are schemafs's renderings, whose
 * COMMENT lines name the object as DROP does: "COMMENT ON VIEW public.v"). */
static void comment_gone(struct strbuf *sql, const char *drop, const char *live, const char *file)
{
	struct strbuf line = STRBUF_INIT;
	sb_addf(&line, "\nCOMMENT ON %s IS ", drop);
	if (strstr(live, sb_str(&line)) && !strstr(file, sb_str(&line)))
		sb_addf(sql, "COMMENT ON %s IS NULL;\n", drop);
	strbuf_free(&line);
}

/* What a checked object stages: FILE (its file as the tree will render
 * it), over the live object when LIVE (DROP naming it, LO, LIVE_FILE: its
 * file now; ALTER: the ALTER statement a policy or sequence needs, or
 * empty): nothing when it reads as it does live, else the ALTER, CREATE OR
 * REPLACE (when the server takes it: tried), or DROP + CREATE (EBUSY while
 * something depends on it), or the CREATE of a new one. Shared by a file's
 * write and a declarative file (ed_obj_declared), which may give EXTRA
 * statements to run after it (a trigger's comment, not in its file). */
static int stage_checked(struct change *c, const struct spec *k, const struct epath *p, bool live,
			 const char *drop, const struct live_obj *lo, const char *live_file, const char *file,
			 const char *alter, const char *extra)
{
	struct database *db = c->db;
	struct strbuf sql = STRBUF_INIT, who = STRBUF_INIT, hz = STRBUF_INIT, fixed = STRBUF_INIT;
	cJSON *deps = NULL, *shows = NULL;
	int rc = 0;
	if (k->in_table)
		undo_table_drop(c, p);	/* rm, then written again: this write says what it is */
	if (live && !strcmp(file, live_file)) {
		stage_obj_remove(db->stage, k->dir, p->schema, p->table, p->name);	/* back as it is live */
		ed_extra_remove(db, c->path);
		goto out;
	}
	bool replace = false;
	struct try t = { c, k, p, drop, false, NULL, NULL, NULL, NULL, false, "" };
	const char *why = t.why;
	if (live && !strcmp(k->dir, "sequences") && !alter[0]) {
		rc = ed_fail(c, -EINVAL, "only a sequence's options (AS, START, INCREMENT, MINVALUE, MAXVALUE, CACHE, "
			     "CYCLE), its OWNED BY and its persistence are changed here: write the rest (comments, "
			     "privileges) as a migration by hand");
		goto out;
	}
	if (live && alter[0]) {
		sb_add(&sql, alter);
		replace = true;
	} else if (live && !k->recreate && strcmp(k->dir, "policies")) {
		or_replace(&sql, file);
		t.sql = sb_str(&sql);
		if ((rc = ed_obj_rolled_back(c, takes, &t)))
			goto out;
		replace = t.ok;
		if (replace)
			comment_gone(&sql, drop, live_file, file);
	}
	if (live && !replace) {
		/* What depends on it live: the work connection's catalogs. */
		PGconn *conn = ed_conn(c);
		if (!conn) {
			rc = -EIO;
			goto out;
		}
		if ((rc = dependents(c, conn, lo, &who, &fixed)))
			goto out;
		if (who.len && (rc = ed_obj_recreate(c, p, drop, file, k->recreate ? k->recreate_hazard : why,
						     sb_str(&fixed), &deps, &shows)))
			goto out;
		sb_reset(&sql);
		sb_addf(&sql, "DROP %s;\n%s", drop, file);
		if (!k->in_table)	/* a trigger or policy is back in the same transaction */
			sb_addf(&hz, "%s %s.%s is dropped and created again: %s", k->what, p->schema, p->name,
				k->recreate ? k->recreate_hazard : why);
	} else if (!live) {
		sb_add(&sql, file);
	}
	sb_add(&sql, extra);
	struct stage_obj o = {
		k->dir, p->schema, p->table, p->name, lo->oid, file, sb_str(&sql), hz.len ? sb_str(&hz) : NULL, false,
	};
	stage_obj_set(db->stage, &o);
	if (deps) {
		struct strbuf shown = STRBUF_INIT;
		sb_addf(&shown, "%s %s.%s", k->what, p->schema, p->name);
		stage_obj_attach(db->stage, k->dir, p->schema, p->table, p->name, "shown",
				 cJSON_CreateString(sb_str(&shown)));
		strbuf_free(&shown);
		stage_obj_attach(db->stage, k->dir, p->schema, p->table, p->name, "dependents", deps);
		deps = NULL;
	}
	if (shows && cJSON_GetArraySize(shows)) {
		stage_obj_attach(db->stage, k->dir, p->schema, p->table, p->name, "shows", shows);
		shows = NULL;
	}
	ed_extra_remove(db, c->path);
out:
	cJSON_Delete(deps);
	cJSON_Delete(shows);
	strbuf_free(&sql);
	strbuf_free(&who);
	strbuf_free(&hz);
	strbuf_free(&fixed);
	return rc;
}

/* An object whose rename is staged (edit_objmove.c) is not edited under
 * either name until the rename is applied or moved back. */
static int renamed_here(struct change *c, const struct spec *k, const struct epath *p)
{
	const struct stage *st = c->db->stage;
	const char *from = stage_obj_origin(st, k->dir, p->schema, p->table, p->name, NULL);
	if (from)
		return ed_fail(c, -EBUSY, "%s %s.%s is renamed from %s in this stage: apply the rename first, or mv "
			       "it back", k->what, p->schema, p->name, from);
	if (stage_obj_renamed_away(st, k->dir, p->schema, p->table, p->name))
		return ed_fail(c, -EBUSY, "%s %s.%s is renamed to another name in this stage: apply the rename "
			       "first, or mv it back", k->what, p->schema, p->name);
	return 0;
}

int ed_obj_write(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	const struct spec *k = spec_of(p);
	if (!k)
		return ed_fail(c, -EPERM, "these files cannot be written here yet");
	int rc0 = renamed_here(c, k, p);
	if (rc0)
		return rc0;
	if (memchr(data, '\0', len))
		return ed_fail(c, -EINVAL, "a definition cannot hold a NUL byte");
	bool qualified = false;
	int rc = check_text(c, p, k, data, len, &qualified);
	if (rc)
		return rc;
	struct strbuf drop = STRBUF_INIT, live_file = STRBUF_INIT, file = STRBUF_INIT, alter = STRBUF_INIT;
	char *text = strndup(data, len);
	if (!text)
		abort();
	struct live_obj lo;
	bool live = live_object(db, k, p, &drop, &lo);
	if (live)
		objfile_render(db->cat, k->dir, p->schema, p->table, p->name, &live_file);
	struct try t = { c, k, p, live ? sb_str(&drop) : NULL, qualified, text, &file, &alter, NULL, false, "" };
	if (!(rc = ed_obj_rolled_back(c, try_file, &t)))
		rc = stage_checked(c, k, p, live, sb_str(&drop), &lo, sb_str(&live_file), sb_str(&file),
				   sb_str(&alter), "");
	free(text);
	strbuf_free(&drop);
	strbuf_free(&live_file);
	strbuf_free(&file);
	strbuf_free(&alter);
	return rc;
}

static const struct cat_trigger *trigger_of(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->ntriggers; i++)
		if (!strcmp(r->triggers[i].name, name))
			return &r->triggers[i];
	return NULL;
}

/* A trigger's comment as WANT has it, when it or the live one has one:
 * the trigger's file does not hold it, and CREATE OR REPLACE keeps the
 * live one. */
static void trigger_comment(struct database *db, const struct epath *p, const struct catalog *want,
			    struct strbuf *out)
{
	const struct cat_relation *wr = catalog_table(want, p->schema, p->table);
	const struct cat_relation *d = catalog_table(db->desired, p->schema, p->table);
	const struct cat_relation *lr = d && d->oid ? catalog_rel(db->cat, d->oid) : NULL;
	const struct cat_trigger *w = trigger_of(wr, p->name), *l = trigger_of(lr, p->name);
	if (!w || (!w->comment && !(l && l->comment)))
		return;
	sb_addf(out, "COMMENT ON TRIGGER %s ON ", w->qname);
	sb_add_qual(out, wr->schema->qname, wr->qname);
	sb_add(out, " IS ");
	if (w->comment)
		render_literal(out, w->comment);
	else
		sb_add(out, "NULL");
	sb_add(out, ";\n");
}

int ed_obj_declared(struct change *c, const struct epath *p, const struct catalog *want)
{
	struct database *db = c->db;
	const struct spec *k = spec_of(p);
	if (!k)
		return ed_fail(c, -EPERM, "%s cannot be staged here yet", p->obj->dir);
	struct strbuf drop = STRBUF_INIT, live_file = STRBUF_INIT, file = STRBUF_INIT, alter = STRBUF_INIT,
		      extra = STRBUF_INIT;
	struct live_obj lo;
	int rc;
	bool live = live_object(db, k, p, &drop, &lo);
	if (live)
		objfile_render(db->cat, k->dir, p->schema, p->table, p->name, &live_file);
	/* PostgreSQL made it from the file already: its rendering is the file. */
	if (!objfile_render(want, k->dir, p->schema, p->table, p->name, &file)) {
		rc = ed_fail(c, -EIO, "%s %s.%s is not in the file's catalog", k->what, p->schema, p->name);
		goto out;
	}
	if (live && !strcmp(k->dir, "policies"))
		policy_alter(db, p, want, &alter);
	else if (live && !strcmp(k->dir, "sequences"))
		sequence_alter(db, p, want, &alter);
	if (!strcmp(k->dir, "triggers"))
		trigger_comment(db, p, want, &extra);
	rc = stage_checked(c, k, p, live, sb_str(&drop), &lo, sb_str(&live_file), sb_str(&file), sb_str(&alter),
			   sb_str(&extra));
out:
	strbuf_free(&extra);
	strbuf_free(&drop);
	strbuf_free(&live_file);
	strbuf_free(&file);
	strbuf_free(&alter);
	return rc;
}

int ed_obj_create(struct change *c, const struct epath *p)
{
	/* Nothing to stage until it holds a definition: a draft. */
	(void)p;
	ed_extra_put(c->db, c->path, "", 0);
	return 0;
}

int ed_obj_remove(struct change *c, const struct epath *p)
{
	if (!spec_of(p))
		return ed_fail(c, -EPERM, "this file cannot be removed here yet");
	if (!tree_lookup(c->db->tree, c->path))
		return ed_fail(c, -ENOENT, "no such file");
	return ed_obj_drop(c, p);
}

int ed_obj_drop(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	const struct spec *k = spec_of(p);
	if (!k)
		return ed_fail(c, -EPERM, "%s cannot be dropped here yet", p->obj->dir);
	int rc = renamed_here(c, k, p);
	if (rc)
		return rc;
	struct strbuf drop = STRBUF_INIT, who = STRBUF_INIT, sql = STRBUF_INIT;
	struct live_obj lo;
	if (!live_object(db, k, p, &drop, &lo)) {
		stage_obj_remove(db->stage, k->dir, p->schema, p->table, p->name);	/* only staged: forgotten */
		goto out;
	}
	const struct cat_relation *seq = !strcmp(k->dir, "sequences") ? live_rel(db->cat, k, p->schema, p->name) : NULL;
	if (seq && seq->seq_owned_by) {
		rc = ed_fail(c, -EPERM, "sequence %s.%s is owned by column %s and goes with it: drop the column, or "
			     "write ALTER SEQUENCE ... OWNED BY NONE first (sed on this file)", p->schema, p->name,
			     seq->seq_owned_by);
		goto out;
	}
	PGconn *conn = ed_conn(c);
	if (!conn) {
		rc = -EIO;
		goto out;
	}
	if ((rc = dependents(c, conn, &lo, &who, NULL)))
		goto out;
	if (who.len) {
		rc = ed_fail(c, -EBUSY, "%s depend%s on %s %s.%s: drop them in the same stage first (or write the "
			     "migration by hand)", sb_str(&who), strchr(sb_str(&who), ',') ? "" : "s", k->what,
			     p->schema, p->name);
		goto out;
	}
	sb_addf(&sql, "DROP %s;", sb_str(&drop));
	struct stage_obj o = { k->dir, p->schema, p->table, p->name, lo.oid, NULL, sb_str(&sql), NULL, true };
	stage_obj_set(db->stage, &o);
out:
	strbuf_free(&drop);
	strbuf_free(&who);
	strbuf_free(&sql);
	return rc;
}
