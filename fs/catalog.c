/* catalog.c: batched loading of a schema snapshot (catalog_load_one());
 * see include/catalog.h. The ways in (a load, a refresh) are in
 * catalog_refresh.c; the fingerprint a refresh compares is taken in
 * catalog_fingerprint.c; lookups in a loaded catalog are in
 * catalog_lookup.c. */
#include "catalog.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"
#include "pgversion.h"
#include "strbuf.h"
#include "track.h"


struct cat_schema *schema_by_oid(struct catalog *cat, unsigned oid);

struct catalog *catalog_new(void)
{
	struct arena *a = arena_new();
	if (!a)
		return NULL;
	struct catalog *cat = arena_alloc(a, sizeof *cat);
	cat->arena = a;
	cat->life = arena_alloc(a, sizeof *cat->life);
	cat->life->refs = 1;
	pthread_mutex_init(&cat->life->deps_lock, NULL);
	pthread_cond_init(&cat->life->deps_cond, NULL);
	return cat;
}

struct catalog *catalog_ref(const struct catalog *cat)
{
	struct catalog *c = (struct catalog *)cat;
	__atomic_add_fetch(&c->life->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void catalog_free(struct catalog *cat)
{
	if (!cat || __atomic_sub_fetch(&cat->life->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	struct cat_life *life = cat->life;
	struct catalog *base = life->base;
	/* A first read's map still on its way (a mount given up before its
	 * refresher started): cancelled there. */
	aux_end(life->deps_aux, cat->dbname);
	free(life->late_deps);
	pthread_cond_destroy(&life->deps_cond);
	pthread_mutex_destroy(&life->deps_lock);
	arena_free(cat->arena);	/* the catalog itself lives in its arena */
	catalog_free(base);
}

/* Copies of result values into the catalog's arena. */
const char *col_str(struct loader *ld, PGresult *res, int row, int col)
{
	return arena_strdup(ld->cat->arena, pg_val(res, row, col));
}

struct cat_privs col_privs(struct loader *ld, PGresult *res, int row, int col)
{
	return (struct cat_privs){ ld->owners ? col_str(ld, res, row, col) : NULL,
				   ld->privileges ? col_str(ld, res, row, col + 1) : NULL };
}

bool col_bool(PGresult *res, int row, int col)
{
	const char *v = pg_val(res, row, col);
	return v && v[0] == 't';
}

char col_char(PGresult *res, int row, int col)
{
	const char *v = pg_val(res, row, col);
	return v ? v[0] : 0;
}

long long col_ll(PGresult *res, int row, int col)
{
	const char *v = pg_val(res, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

PGresult *run_text(struct loader *ld, const char *sql, int nparams, const char *const *params)
{
	ld->cat->queries++;
	return pg_exec(ld->conn, sql, nparams, params, ld->err, ld->errlen);
}

static PGresult *run_as(struct loader *ld, const char *tmpl, int nparams, const char *const *params, bool generic);

PGresult *run(struct loader *ld, const char *tmpl, int nparams, const char *const *params)
{
	return run_as(ld, tmpl, nparams, params, false);
}

PGresult *run_generic(struct loader *ld, const char *tmpl, int nparams, const char *const *params)
{
	return run_as(ld, tmpl, nparams, params, true);
}

static PGresult *run_as(struct loader *ld, const char *tmpl, int nparams, const char *const *params, bool generic)
{
	PGresult *res;
	if (aux_take(ld->aux, tmpl, nparams, params, &res) && res) {
		ld->cat->queries++;
		return res;
	}
	const char *text = pgv_sql_for(ld->conn, tmpl);
	if (!text) {
		snprintf(ld->err, ld->errlen, "no query text for PostgreSQL %d (out of memory, or an unknown "
			 "placeholder)", pgv_major(ld->conn));
		return NULL;
	}
	ld->cat->queries++;
	return (generic ? pg_exec_static_generic : pg_exec_static)(ld->conn, text, nparams, params, ld->err,
								   ld->errlen);
}

PGresult *run_planned(struct loader *ld, const char *tmpl, int nparams, const char *const *params, bool one)
{
	if (ld->by_kind && ld->one_now != one) {
		int sent = pg_stmt_plans_local(ld->conn, one, ld->err, ld->errlen);
		if (sent < 0)
			return NULL;
		ld->by_kind = sent > 0;	/* else a connection that does not prepare */
		ld->one_now = sent > 0 && one;
		if (sent > 0)
			ld->cat->plans = CAT_PLANS_BY_KIND;
	}
	return run(ld, tmpl, nparams, params);
}

PGresult *run_per_schema(struct loader *ld, const char *sql)
{
	const char *params[] = { ld->schema_oids };
	return run_planned(ld, sql, 1, params, true);
}

int by_name(const char *a, const char *b)
{
	return strcmp(a, b);
}

static int cmp_schema(const void *a, const void *b)
{
	return by_name(((const struct cat_schema *)a)->name, ((const struct cat_schema *)b)->name);
}

static int cmp_relp(const void *a, const void *b)
{
	return by_name((*(struct cat_relation *const *)a)->name, (*(struct cat_relation *const *)b)->name);
}

/* "{1,2}" (an oid[] as text) into an array in the arena. */
const unsigned *parse_oids(struct loader *ld, const char *text, size_t *n)
{
	*n = 0;
	if (!text)
		return NULL;
	size_t cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == ',';
	unsigned *oids = arena_alloc(ld->cat->arena, cap * sizeof *oids);
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		char *end;
		oids[(*n)++] = (unsigned)strtoul(p, &end, 10);
		p = end - 1;
	}
	return oids;
}

#define DEFINE_CMP_BY_NAME(fn, type) \
	static int fn(const void *a, const void *b) \
	{ return by_name(((const type *)a)->name, ((const type *)b)->name); }
DEFINE_CMP_BY_NAME(cmp_ext, struct cat_extension)

struct cat_schema *schema_by_oid(struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->nschemas; i++)
		if (cat->schemas[i].oid == oid)
			return &cat->schemas[i];
	return NULL;
}

/* Like strchr(), a const catalog in, a pointer that may change it out:
 * the loader fills what it finds. */
struct cat_relation *rel_by_oid(const struct catalog *cat, unsigned oid)
{
	size_t lo = 0, hi = cat->nrels;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cat->rels[mid].oid == oid)
			return &cat->rels[mid];
		if (cat->rels[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void omit(struct catalog *cat, const char *what, const struct cat_schema *s, const char *qname)
{
	/* Grows by one each time: omissions are rare. */
	const char **list = arena_alloc(cat->arena, (cat->nomitted + 1) * sizeof *list);
	if (cat->nomitted)
		memcpy(list, cat->omitted, cat->nomitted * sizeof *list);
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s %s.%s", what, s->qname, qname);
	list[cat->nomitted++] = arena_strdup(cat->arena, sb_str(&sb));
	strbuf_free(&sb);
	cat->omitted = list;
}

static int load_schemas(struct loader *ld, const struct catalog_filter *f)
{
	struct catalog *cat = ld->cat;
	struct strbuf filter = STRBUF_INIT;
	if (f->schemas) {
		/* A text[] literal: each name double-quoted, with " and \ escaped. */
		sb_addc(&filter, '{');
		for (size_t i = 0; i < f->nschemas; i++) {
			sb_add(&filter, i ? ",\"" : "\"");
			for (const char *p = f->schemas[i]; *p; p++) {
				if (*p == '"' || *p == '\\')
					sb_addc(&filter, '\\');
				sb_addc(&filter, *p);
			}
			sb_addc(&filter, '"');
		}
		sb_addc(&filter, '}');
	}
	const struct tracker *tk = f->tracker ? f->tracker : track_find(NULL);
	const char *params[] = { f->tracking_schema && tk->hides_schema ? f->tracking_schema : "",
				 f->schemas ? sb_str(&filter) : NULL };
	PGresult *res = run(ld, SQL_SCHEMAS, 2, params);
	strbuf_free(&filter);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->schemas = arena_alloc(cat->arena, (size_t)n * sizeof *cat->schemas);
	struct strbuf oids = STRBUF_INIT;
	sb_addc(&oids, '{');
	for (int i = 0; i < n; i++) {
		struct cat_schema *s = &cat->schemas[cat->nschemas++];
		s->oid = (unsigned)col_ll(res, i, 0);
		s->name = col_str(ld, res, i, 1);
		s->qname = col_str(ld, res, i, 2);
		s->comment = col_str(ld, res, i, 3);
		s->privs = col_privs(ld, res, i, 4);
		sb_addf(&oids, "%s%u", i ? "," : "", s->oid);
	}
	sb_addc(&oids, '}');
	ld->schema_oids = arena_strdup(cat->arena, sb_str(&oids));
	strbuf_free(&oids);
	PQclear(res);
	qsort(cat->schemas, cat->nschemas, sizeof *cat->schemas, cmp_schema);
	return 0;
}

static int load_extensions(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run(ld, SQL_EXTENSIONS, 0, NULL);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->exts = arena_alloc(cat->arena, (size_t)n * sizeof *cat->exts);
	for (int i = 0; i < n; i++) {
		struct cat_extension *x = &cat->exts[cat->nexts++];
		x->name = col_str(ld, res, i, 0);
		x->qname = col_str(ld, res, i, 1);
		x->qschema = col_str(ld, res, i, 2);
		x->version = col_str(ld, res, i, 3);
		x->builtin = col_bool(res, i, 4);
		x->comment = col_str(ld, res, i, 5);
		x->control_comment = col_str(ld, res, i, 6);
		x->oid = (unsigned)col_ll(res, i, 7);
	}
	PQclear(res);
	qsort(cat->exts, cat->nexts, sizeof *cat->exts, cmp_ext);
	return 0;
}

/* Appends REL to one of its schema's lists (sized in a first pass). */
#define PUSH(s, list, n, item) ((s)->list[(s)->n++] = (item))

static int load_relations(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_rel(ld, SQL_RELATIONS);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->rels = arena_alloc(cat->arena, ((size_t)n + incr_count(ld)) * sizeof *cat->rels);
	for (int i = 0; i < n; i++) {
		struct cat_relation *r = &cat->rels[cat->nrels++];
		r->oid = (unsigned)col_ll(res, i, 0);
		r->schema = schema_by_oid(cat, (unsigned)col_ll(res, i, 1));
		r->name = col_str(ld, res, i, 2);
		r->qname = col_str(ld, res, i, 3);
		r->kind = col_char(res, i, 4);
		r->persistence = col_char(res, i, 5);
		r->rls = col_bool(res, i, 6);
		r->rls_force = col_bool(res, i, 7);
		r->is_partition = col_bool(res, i, 8);
		r->partkey = col_str(ld, res, i, 9);
		r->partbound = col_str(ld, res, i, 10);
		r->parents = col_str(ld, res, i, 11);
		r->reloptions = col_str(ld, res, i, 12);
		if (r->reloptions && !*r->reloptions)
			r->reloptions = NULL;
		r->comment = col_str(ld, res, i, 13);
		r->viewdef = col_str(ld, res, i, 14);
		r->view_depth = (int)col_ll(res, i, 15);
		r->seq_type = col_str(ld, res, i, 16);
		r->seq_start = col_ll(res, i, 17);
		r->seq_inc = col_ll(res, i, 18);
		r->seq_min = col_ll(res, i, 19);
		r->seq_max = col_ll(res, i, 20);
		r->seq_cache = col_ll(res, i, 21);
		r->seq_cycle = col_bool(res, i, 22);
		r->seq_owned_by = col_str(ld, res, i, 23);
		if (col_bool(res, i, 24))
			r->kind = 0;	/* an identity column's sequence: part of the column */
		r->parent_oids = parse_oids(ld, pg_val(res, i, 25), &r->nparents);
		r->attach_partition = col_bool(res, i, 26);
		/* Never analyzed nor vacuumed: -1 from 14 on, 0 before (which
		 * also means empty there): unknown either way, not counted. */
		const char *rt = pg_val(res, i, 27);
		r->reltuples = rt ? strtod(rt, NULL) : -1;
		if (r->reltuples < 0 || (r->reltuples == 0 && pgv_major(ld->conn) < 14))
			r->reltuples = -1;
		r->privs = col_privs(ld, res, i, 28);
	}
	PQclear(res);
	incr_merge(ld);

	/* Two passes over the relations: count per schema, then fill. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < cat->nschemas; i++) {
			struct cat_schema *s = &cat->schemas[i];
			if (pass == 1) {
				struct arena *a = cat->arena;
				s->tables = arena_alloc(a, s->ntables * sizeof(void *));
				s->views = arena_alloc(a, s->nviews * sizeof(void *));
				s->matviews = arena_alloc(a, s->nmatviews * sizeof(void *));
				s->sequences = arena_alloc(a, s->nsequences * sizeof(void *));
				s->foreign_tables = arena_alloc(a, s->nforeign_tables * sizeof(void *));
			}
			s->ntables = s->nviews = s->nmatviews = s->nsequences = s->nforeign_tables = 0;
		}
		for (size_t i = 0; i < cat->nrels; i++) {
			struct cat_relation *r = &cat->rels[i];
			struct cat_schema *s = (struct cat_schema *)r->schema;
			switch (r->kind) {
			case REL_TABLE:
			case REL_PARTITIONED:
				if (pass) PUSH(s, tables, ntables, r); else s->ntables++;
				break;
			case REL_VIEW:
				if (pass) PUSH(s, views, nviews, r); else s->nviews++;
				break;
			case REL_MATVIEW:
				if (pass) PUSH(s, matviews, nmatviews, r); else s->nmatviews++;
				break;
			case REL_SEQUENCE:
				if (pass) PUSH(s, sequences, nsequences, r); else s->nsequences++;
				break;
			case REL_FOREIGN:
				if (pass) PUSH(s, foreign_tables, nforeign_tables, r); else s->nforeign_tables++;
				break;
			default:
				break;
			}
		}
	}
	for (size_t i = 0; i < cat->nschemas; i++) {
		struct cat_schema *s = &cat->schemas[i];
		qsort(s->tables, s->ntables, sizeof(void *), cmp_relp);
		qsort(s->views, s->nviews, sizeof(void *), cmp_relp);
		qsort(s->matviews, s->nmatviews, sizeof(void *), cmp_relp);
		qsort(s->sequences, s->nsequences, sizeof(void *), cmp_relp);
		qsort(s->foreign_tables, s->nforeign_tables, sizeof(void *), cmp_relp);
	}
	return 0;
}

/*
 * The deparsers (pg_get_indexdef, ...) read the newest catalog state, not
 * the transaction's snapshot: an object dropped while the load ran comes
 * back as NULL. Such a load is refused and the next refresh reads again.
 */
static int check_complete(const struct catalog *cat, char *err, size_t errlen)
{
	const char *what = NULL;
	for (size_t i = 0; i < cat->nrels && !what; i++) {
		const struct cat_relation *r = &cat->rels[i];
		if ((r->kind == REL_VIEW || r->kind == REL_MATVIEW) && !r->viewdef)
			what = r->name;
		if (r->kind == REL_FOREIGN && !r->ft_server)
			what = r->name;
		for (size_t k = 0; k < r->nindexes && !what; k++)
			if (!r->indexes[k].def)
				what = r->indexes[k].name;
		for (size_t k = 0; k < r->ncons && !what; k++)
			if (!r->cons[k].def)
				what = r->cons[k].name;
		for (size_t k = 0; k < r->ninh_keys && !what; k++)
			if (!r->inh_keys[k].def)
				what = r->inh_keys[k].name;
		for (size_t k = 0; k < r->ntriggers && !what; k++)
			if (!r->triggers[k].def)
				what = r->triggers[k].name;
		for (size_t k = 0; k < r->ncols && !what; k++)
			if (!r->cols[k].type)
				what = r->cols[k].name;
	}
	for (size_t i = 0; i < cat->nfuncs && !what; i++)
		if (!cat->funcs[i].def)
			what = cat->funcs[i].name;
	/* format_type() says "???" for a type gone, regprocedure the bare OID
	 * for a function gone. */
	for (size_t i = 0; i < cat->ncasts && !what; i++) {
		const struct cat_cast *c = &cat->casts[i];
		if (!c->source || !c->target || !strcmp(c->source, "???") || !strcmp(c->target, "???") ||
		    (c->method == 'f' && (!c->func || (*c->func >= '0' && *c->func <= '9'))))
			what = "a cast";
	}
	for (size_t i = 0; i < cat->nevtrigs && !what; i++)
		if (!cat->evtrigs[i].func || (*cat->evtrigs[i].func >= '0' && *cat->evtrigs[i].func <= '9'))
			what = cat->evtrigs[i].name;
	if (!what)
		return 0;
	snprintf(err, errlen, "the catalog changed while it was read (%s was dropped); reading again", what);
	return -1;
}

/* Below this size of pg_class (the whole database's: about 2,200 rows, 230
 * bytes each; some 200 tables with an identity column and three indexes
 * each), planning a catalog query for its parameters costs more than
 * running it with one plan made for any values: at one table, binding the
 * refresh's queries took 14.4 ms of the server's 19.7 (PostgreSQL 15,
 * log_min_duration_statement = 0). Above, the plan of a relations' query
 * made for its values matters: one made for any list of OIDs scans whole
 * catalogs, whichever schemas are mounted (fs/pg_stmt.c); only the
 * schemas' queries and the incremental dependency query keep one plan
 * there (run_planned: at 1,000 tables, an incremental refresh's binding
 * went from 17.3 to 9.4 ms, and its execution did not grow). The file's size, not
 * reltuples: an estimate lags (a database restored, or the shadow loaded,
 * says about 400 rows until ANALYZE), and a bloated file only errs towards
 * planning by kind. */
#define GENERIC_PLANS_BELOW (512 * 1024)

/* Test hook: SCHEMAFS_TEST_ONE_PLAN_BELOW=BYTES replaces the threshold (0:
 * plans by kind whatever the size, as in a large database), so that the
 * tests' small databases go through both ways. */
static double generic_plans_below(void)
{
	const char *v = getenv("SCHEMAFS_TEST_ONE_PLAN_BELOW");
	return v && *v ? strtod(v, NULL) : GENERIC_PLANS_BELOW;
}

/* See catalog_loader.h. */
struct catalog *catalog_load_one(PGconn *conn, const struct catalog_filter *filter, const struct catalog *prev,
				 bool leave_open, bool here, const char *fp, const struct cat_fresh *fresh,
				 struct rel_copy *copy, char *err, size_t errlen, int *retry)
{
	struct catalog *cat = catalog_new();
	struct loader ld = { .conn = conn, .cat = cat, .err = err, .errlen = errlen, .privileges = filter->privileges,
			     .owners = filter->owners, .prev = prev, .fp = fp,
			     .fresh = fresh, .copy = copy };
	bool in_tx = false;
	*retry = 0;
	if (!cat) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cat->reread = -1;
	/* One snapshot for every query; search_path fixed so that deparsed
	 * names are qualified the same way whoever mounts. */
	if (!here && !fp && pg_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen))
		goto fail;
	in_tx = !here;
	/* With pg_class's size in bytes (GENERIC_PLANS_BELOW). No earlier
	 * snapshot for a fingerprint to list new rows since (FP_SINCE_GUC):
	 * catalog_refresh's, taken already, named its own; any other reads
	 * none, whatever the session's default. */
	PGresult *res = pg_exec(conn, "SELECT pg_catalog.set_config('search_path', 'public', true),"
				" pg_catalog.pg_relation_size('pg_catalog.pg_class'),"
				" pg_catalog.set_config('" FP_SINCE_GUC "', '', true)", 0, NULL, err, errlen);
	if (!res)
		goto fail;
	double class_bytes = strtod(PQgetvalue(res, 0, 1), NULL);
	PQclear(res);
	cat->dbname = arena_strdup(cat->arena, PQdb(conn));
	if (load_schemas(&ld, filter))
		goto fail;
	int plan = incr_plan(&ld);
	if (plan < 0)
		goto fail;
	if (plan > 0) {
		ld.prev = NULL;	/* read it all; the rows still give the counts */
		rel_copy_drop(ld.copy);	/* not held through the full read */
	}
	/* The relations: the change query has a row for each, or, in a slim
	 * answer, for the changed and new ones only, which with the previous
	 * count is at most this many (a bulk CREATE makes them many). */
	long nrels = PQntuples(ld.changes) - 1 + (ld.count_from ? (long)ld.count_from->nrels : 0);
	/* How the prepared queries are planned (fs/pg_stmt.c). A small
	 * database: the rest of this read keeps one plan per query
	 * (pg_stmt_plans_local). A larger one: by kind (run_planned()). Not
	 * in a transaction the caller goes on with, which a SET LOCAL would
	 * outlive: there each is planned for its values. Nothing after this
	 * point may use run_generic(), whose SET would end the LOCAL one. */
	if (!here && !leave_open && class_bytes < generic_plans_below()) {
		int sent = pg_stmt_plans_local(conn, true, err, errlen);
		if (sent < 0)
			goto fail;
		cat->plans = sent > 0 ? CAT_PLANS_ONE : CAT_PLANS_PER_RUN;
	} else {
		ld.by_kind = !here && !leave_open;
	}
	/* A full read of many relations: the columns', indexes' and
	 * constraints' queries on a second connection (catalog_aux.c), while
	 * this one reads the rest (load_aux_parts()). The deparsers of the
	 * last two open each table's relation cache entry (an expression
	 * index, a CHECK): on one backend, the second finds them built (at
	 * 10,000 tables, PostgreSQL 15: 590 + 235 ms there, against 590 + 417
	 * apart). A mount's first read (LEAVE_OPEN: the refresher finishes it
	 * in this transaction), in a process that does not fork after it
	 * (MAP_LATER: the thread would not survive), leaves the map, which only
	 * schema.sql's order needs, to that connection too, and shows the
	 * tree without waiting for it (catalog_finish_deps()). */
	if (!ld.prev && !here && filter->parallel_from > 0 && nrels >= filter->parallel_from) {
		ld.aux = aux_start_parts(&ld, leave_open && filter->map_later);
		if (!ld.aux && PQtransactionStatus(conn) == PQTRANS_INERROR) {
			/* The export failed (a full disk: pg_snapshots/) and took
			 * the transaction with it: read again on one connection. */
			*retry = RETRY_ONE_CONN;
			snprintf(err, errlen, "the snapshot's export failed (logged); to be read on one connection");
			goto fail;
		}
	}
	bool parts_done[AUX_PARTS] = { false };
	/* On one connection, the three parts right after the relations; on
	 * two, each as soon as it is there, the columns by the foreign tables
	 * at the latest (they set their columns' options). */
	if (load_extensions(&ld) || load_relations(&ld) ||
	    load_aux_parts(&ld, parts_done, ld.aux ? 0 : AUX_PARTS) ||
	    load_rel_parts(&ld, SQL_TRIGGERS, fill_triggers) ||
	    load_rel_parts(&ld, SQL_POLICIES, fill_policies) ||
	    load_rel_parts(&ld, SQL_SETTINGS, fill_settings) ||
	    load_aux_parts(&ld, parts_done, 0) ||
	    load_functions(&ld) || load_types(&ld) ||
	    load_schema_texts(&ld, SQL_COLLATIONS, offsetof(struct cat_schema, collations),
			      offsetof(struct cat_schema, ncollations)) ||
	    load_schema_texts(&ld, SQL_OPERATORS, offsetof(struct cat_schema, operators),
			      offsetof(struct cat_schema, noperators)) ||
	    load_casts(&ld) || load_event_triggers(&ld) || load_publications(&ld) ||
	    load_default_acls(&ld) || load_fdws(&ld) || load_servers(&ld) ||
	    load_aux_parts(&ld, parts_done, 1) || load_foreign_tables(&ld) || load_text_search(&ld) ||
	    load_opclasses(&ld) || load_opfamilies(&ld) || load_conversions(&ld) ||
	    load_aux_parts(&ld, parts_done, 0) || load_deps(&ld) ||
	    load_aux_parts(&ld, parts_done, 0) || load_omitted(&ld) || load_tracking(&ld, filter) ||
	    load_aux_parts(&ld, parts_done, AUX_PARTS))
		goto fail;
	/* Still reading the map: the catalog keeps the connection. */
	if (catalog_deps_later(cat))
		cat->life->deps_aux = ld.aux;
	else
		aux_end(ld.aux, cat->dbname);
	ld.aux = NULL;
	if (check_complete(cat, err, errlen))
		goto fail;
	if (fp) {
		if (pg_command(conn, "COMMIT", err, errlen))
			goto fail;
		cat->fingerprint = arena_strdup(cat->arena, fp);
	} else if (!leave_open && catalog_finish(conn, cat, filter, err, errlen)) {
		goto fail;
	}
	/* Taken in this snapshot: what the relations were not checked for
	 * (types, functions, schemas, roles) must be as PREV saw it. */
	if (ld.prev && ld.rel_oids && !catalog_fingerprint_local(prev->fingerprint, cat->fingerprint)) {
		*retry = RETRY_FULL;
		catalog_free(cat);
		PQclear(ld.changes);
		return NULL;
	}
	PQclear(ld.changes);
	return cat;
fail:
	aux_end(ld.aux, cat->dbname);
	PQclear(ld.changes);
	if (in_tx && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		PGresult *r = pg_run(conn, true, "ROLLBACK", 0, NULL, NULL, NULL);
		PQclear(r);
	}
	catalog_free(cat);
	return NULL;
}
