/*
 * edit_objlive.c: an object file's live object (edit_object.h): how DROP
 * names it, what depends on it (pg_depend, on the work connection), and
 * the rolled-back transactions the checks run in, on the shadow database
 * when it is loaded (production takes no lock), else on the work
 * connection with the probe's timeouts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "edit_object.h"
#include "pg.h"
#include "probe.h"
#include "shadow.h"
#include "stage.h"
#include "strbuf.h"
#include "track.h"

/* A check's statement_timeout on the shadow: PROBE_STATEMENT_TIMEOUT's. */
#define CHECK_TIMEOUT_MS 15000

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

const struct cat_relation *ed_obj_live_rel(const struct catalog *cat, const struct spec *k, const char *schema,
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

bool ed_obj_live_object(struct database *db, const struct spec *k, const struct epath *p, struct strbuf *out,
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
		const struct cat_relation *r = ed_obj_live_rel(db->cat, k, p->schema, p->name);
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
	const struct spec *k = ed_obj_spec(p);
	struct live_obj lo;
	bool live = k && ed_obj_live_object(db, k, p, drop, &lo);
	*oid = live ? lo.oid : 0;
	return live;
}

int ed_obj_dependents(struct change *c, PGconn *conn, const struct live_obj *lo, struct strbuf *who,
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

struct catalog_filter ed_obj_filter(struct database *db, const char *const *schema)
{
	return (struct catalog_filter){
		schema, 1, db->cfg->migrations_schema, db->cfg->migrations_table, track_find(db->cfg->tracking),
		db->cfg->privileges, db->cfg->owners, 0, false, false, false,
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
	struct catalog_filter f = ed_obj_filter(c->db, names);
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
