/*
 * catalog_deps.c: the dependencies between the objects of a snapshot, read
 * in one query from pg_depend (see struct cat_dep in include/catalog.h).
 * render_order.c sorts schema.sql by them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "log.h"
#include "memlog.h"
#include "pg.h"
#include "pgversion.h"

/*
 * m maps each object of the included schemas, by (classid, objid), to the
 * object that creates it (struct cat_dep's keys). A type follows its
 * internal dependency (an array to its element, a multirange to its range),
 * then a row type goes to its relation. An identity sequence is its table's
 * (internal dependency); an index behind a key is the key. Edges: normal,
 * automatic and internal ones between two mapped objects, where the
 * referenced object, when an extension's member, is the extension; a
 * sequence's automatic dependency on a table column is its OWNED BY; a
 * partition index's on its parent index (P) is its table's ATTACH.
 *
 * Cost at 10,000 tables (280,000 edges): m carries what the edges need of
 * a relation (q: a sequence; ir: an index's table) instead of a lookup of
 * pg_class and pg_index per edge; the extension members (a few rows) are
 * read once into xm, MATERIALIZED so that it is hashed, not probed through
 * pg_depend per edge; a type's owner is a join, not a subquery per type (a
 * type has at most one internal dependency on a type: an array's on its
 * element or a multirange's on its range).
 */
#define CLS(c) "'pg_catalog." c "'::pg_catalog.regclass"

/*
 * The objects, as m's rows, in one of two sizes: every object of the
 * included schemas (a full load: M_ALL), or only those in the CTE cand
 * (an incremental load: M_CAND), so that an incremental load builds a few
 * hundred rows where the full one builds 210,000 at 10,000 tables (290 of
 * the 300 ms the query took for a one-column ALTER). IN(catalog, oid) says
 * which objects of a catalog a branch takes; the CTE ns names the schemas.
 */
#define M_ALL(cls, oid) ""
#define M_CAND(cls, oid) " AND " oid " IN (SELECT cd.objid FROM cand cd WHERE cd.classid = " CLS(cls) ")"
#define M_CTES(IN) \
	" ty AS (SELECT t.oid, COALESCE(d.refobjid, t.oid) AS owner FROM pg_catalog.pg_type t" \
	"  LEFT JOIN pg_catalog.pg_depend d ON d.classid = " CLS("pg_type") " AND d.objid = t.oid" \
	"   AND d.refclassid = " CLS("pg_type") " AND d.deptype = 'i'" \
	"  WHERE t.typnamespace IN (SELECT oid FROM ns)" IN("pg_type", "t.oid") ")," \
	" m(classid, objid, k, o, s, r, q, ir) AS (" \
	"  SELECT " CLS("pg_namespace") ", ns.oid, 'n', ns.oid, 0, 0::pg_catalog.oid, false, NULL::pg_catalog.oid FROM ns" \
	"  UNION ALL SELECT " CLS("pg_class") ", c.oid," \
	"   CASE WHEN c.relkind = 'c' THEN 't' WHEN ik.oid IS NOT NULL THEN 'c'" \
	"    WHEN c.relkind IN ('i', 'I') THEN 'i' ELSE 'r' END," \
	"   CASE WHEN c.relkind = 'c' THEN c.reltype WHEN ik.oid IS NOT NULL THEN ik.oid" \
	"    WHEN idn.refobjid IS NOT NULL THEN idn.refobjid ELSE c.oid END, 0," \
	"   CASE WHEN ix.indrelid IS NOT NULL THEN ix.indrelid WHEN idn.refobjid IS NOT NULL THEN idn.refobjid" \
	"    ELSE c.oid END, c.relkind = 'S', ix.indrelid" \
	"  FROM pg_catalog.pg_class c" \
	"  LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.oid" \
	"  LEFT JOIN pg_catalog.pg_constraint ik ON ik.conindid = c.oid AND ik.conrelid = ix.indrelid" \
	"   AND ik.contype IN ('p', 'u', 'x')" \
	"  LEFT JOIN pg_catalog.pg_depend idn ON c.relkind = 'S' AND idn.classid = " CLS("pg_class") \
	"   AND idn.objid = c.oid AND idn.refclassid = " CLS("pg_class") " AND idn.deptype = 'i'" \
	"  WHERE c.relnamespace IN (SELECT oid FROM ns)" IN("pg_class", "c.oid") \
	"  UNION ALL SELECT " CLS("pg_type") ", ty.oid," \
	"   CASE WHEN oc.relkind IS NOT NULL AND oc.relkind <> 'c' THEN 'r' ELSE 't' END," \
	"   CASE WHEN oc.relkind IS NOT NULL AND oc.relkind <> 'c' THEN oc.oid ELSE ty.owner END, 0," \
	"   COALESCE(oc.oid, 0), false, NULL" \
	"  FROM ty JOIN pg_catalog.pg_type ot ON ot.oid = ty.owner" \
	"  LEFT JOIN pg_catalog.pg_class oc ON oc.oid = ot.typrelid" \
	"  UNION ALL SELECT " CLS("pg_proc") ", p.oid, 'f', p.oid, 0, 0, false, NULL FROM pg_catalog.pg_proc p" \
	"  WHERE p.pronamespace IN (SELECT oid FROM ns)" IN("pg_proc", "p.oid") \
	"  UNION ALL SELECT " CLS("pg_constraint") ", k.oid, CASE WHEN k.contypid <> 0 THEN 't' ELSE 'c' END," \
	"   CASE WHEN k.contypid <> 0 THEN k.contypid ELSE k.oid END, 0, k.conrelid, false, NULL" \
	"  FROM pg_catalog.pg_constraint k WHERE k.connamespace IN (SELECT oid FROM ns)" IN("pg_constraint", "k.oid") \
	"  UNION ALL SELECT " CLS("pg_attrdef") ", a.oid, 'd', a.adrelid, a.adnum::pg_catalog.int4, a.adrelid, false, NULL" \
	"  FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_class c ON c.oid = a.adrelid" \
	"  WHERE c.relnamespace IN (SELECT oid FROM ns)" IN("pg_attrdef", "a.oid") \
	"  UNION ALL SELECT " CLS("pg_trigger") ", g.oid, 'g', g.oid, 0, g.tgrelid, false, NULL" \
	"  FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid" \
	"  WHERE c.relnamespace IN (SELECT oid FROM ns)" IN("pg_trigger", "g.oid") \
	"  UNION ALL SELECT " CLS("pg_policy") ", p.oid, 'p', p.oid, 0, p.polrelid, false, NULL" \
	"  FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid" \
	"  WHERE c.relnamespace IN (SELECT oid FROM ns)" IN("pg_policy", "p.oid") \
	"  UNION ALL SELECT " CLS("pg_rewrite") ", w.oid, CASE WHEN w.rulename = '_RETURN' THEN 'r' ELSE 'x' END," \
	"   w.ev_class, 0, w.ev_class, false, NULL" \
	"  FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class" \
	"  WHERE c.relnamespace IN (SELECT oid FROM ns)" IN("pg_rewrite", "w.oid") \
	"  UNION ALL SELECT " CLS("pg_statistic_ext") ", x.oid, 'x', x.stxrelid, 0, x.stxrelid, false, NULL" \
	"  FROM pg_catalog.pg_statistic_ext x JOIN pg_catalog.pg_class c ON c.oid = x.stxrelid" \
	"  WHERE c.relnamespace IN (SELECT oid FROM ns)" IN("pg_statistic_ext", "x.oid") \
	"  UNION ALL SELECT " CLS("pg_extension") ", x.oid, 'e', x.oid, 0, 0, false, NULL FROM pg_catalog.pg_extension x)," \
	/* an extension dependency always names pg_extension: the reference \
	 * index finds the few, where deptype alone scanned pg_depend */ \
	" xm AS MATERIALIZED (SELECT x.classid, x.objid, x.refobjid FROM pg_catalog.pg_depend x" \
	"  WHERE x.refclassid = " CLS("pg_extension") " AND x.deptype = 'e'),"

/* The edges from the objects in mf, their targets mapped through m: one
 * text a row, "fkind foid fsub tkind toid tsub frel" (catalog_dep_parse()).
 * Seven columns made a result three times the size, libpq keeping a
 * pointer and a length for each value (43 against 14 MB at 10,000 tables,
 * in the read's peak). In no order and with repeats (a constraint on four
 * columns of one table): sorted and made unique by load_deps(), where the
 * server's DISTINCT and ORDER BY on six columns, text among them, were a
 * quarter of the query at 10,000 tables (about 200 of 800 ms). */
#define DEPS_SELECT \
	" SELECT pg_catalog.format('%s %s %s %s %s %s %s'," \
	"  CASE WHEN d.deptype = 'P' THEN 'A' WHEN f.q AND d.deptype = 'a' THEN 'o' ELSE f.k END," \
	"  CASE WHEN d.deptype = 'P' THEN f.ir WHEN f.q AND d.deptype = 'a' THEN d.objid" \
	"   ELSE f.o END," \
	"  CASE WHEN d.deptype = 'P' OR (f.q AND d.deptype = 'a') THEN 0 ELSE f.s END," \
	"  CASE WHEN xe.refobjid IS NOT NULL THEN 'e' ELSE t.k END," \
	"  COALESCE(xe.refobjid, t.o), CASE WHEN xe.refobjid IS NOT NULL THEN 0 ELSE t.s END, f.r)" \
	" FROM mf f JOIN pg_catalog.pg_depend d ON f.classid = d.classid AND f.objid = d.objid" \
	" LEFT JOIN m t ON t.classid = d.refclassid AND t.objid = d.refobjid" \
	" LEFT JOIN xm xe ON xe.classid = d.refclassid AND xe.objid = d.refobjid" \
	" WHERE d.deptype IN ('n', 'a', 'i', 'P') AND (t.k IS NOT NULL OR xe.refobjid IS NOT NULL)" \
	" AND (d.deptype <> 'P' OR (f.ir IS NOT NULL AND d.refclassid = " CLS("pg_class") "))"

/* $1: the schemas' OIDs. */
static const char SQL_DEPENDS[] =
	"WITH ns AS (SELECT pg_catalog.unnest($1::pg_catalog.oid[]) AS oid),"
	M_CTES(M_ALL)
	" mf AS (SELECT * FROM m)"
	DEPS_SELECT;

/*
 * An incremental load ($2: the relations it reads again) reads the edges
 * from the objects of those relations and from every object no relation
 * owns (m.r = 0: schemas, types other than row types and their arrays,
 * functions, domain constraints, extensions); the others are copied
 * (load_deps()). fcand lists them by index lookups: a relation's own
 * objects are found from its OID ($2, its indexes, its internal
 * sequences, its row type and that type's array, its constraints,
 * defaults, triggers, policies, rules, statistics), the rest by scans of
 * pg_type and pg_proc in the schemas. A type is left out when it is a
 * row type's array (its typarray): the types with an internal dependency
 * on a row type, which m gives that relation, are exactly those, as
 * PostgreSQL makes that dependency internal only for an implicit array
 * (GenerateTypeDependencies); a base type declared with a row type as
 * ELEMENT has a normal one, and stays.
 * m then maps those and the targets of their edges (cand) only; mf keeps
 * the rows m says belong to $2 or to no relation, exactly those the full
 * query's m would have kept.
 */
static const char SQL_DEPENDS_INCR[] =
	"WITH ns AS (SELECT pg_catalog.unnest($1::pg_catalog.oid[]) AS oid),"
	" fcls(oid) AS (SELECT pg_catalog.unnest($2::pg_catalog.oid[])"
	"  UNION SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE i.indrelid = ANY ($2::pg_catalog.oid[])"
	"  UNION SELECT d.objid FROM pg_catalog.pg_depend d WHERE d.refclassid = " CLS("pg_class")
	"   AND d.refobjid = ANY ($2::pg_catalog.oid[]) AND d.classid = " CLS("pg_class") " AND d.deptype = 'i'),"
	" fcand(classid, objid) AS MATERIALIZED (SELECT " CLS("pg_class") ", oid FROM fcls"
	"  UNION ALL SELECT " CLS("pg_type") ", c.reltype FROM pg_catalog.pg_class c"
	"   WHERE c.oid IN (SELECT oid FROM fcls) AND c.reltype <> 0"
	"  UNION ALL SELECT " CLS("pg_type") ", t.typarray FROM pg_catalog.pg_class c"
	"   JOIN pg_catalog.pg_type t ON t.oid = c.reltype WHERE c.oid IN (SELECT oid FROM fcls) AND t.typarray <> 0"
	"  UNION ALL SELECT " CLS("pg_type") ", t.oid FROM pg_catalog.pg_type t"
	"   WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typrelid = 0"
	"   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid AND e.typrelid <> 0)"
	"  UNION ALL SELECT " CLS("pg_proc") ", p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)"
	"  UNION ALL SELECT " CLS("pg_constraint") ", k.oid FROM pg_catalog.pg_constraint k"
	"   WHERE k.conrelid = ANY ($2::pg_catalog.oid[]) OR k.conrelid = 0"
	"  UNION ALL SELECT " CLS("pg_attrdef") ", a.oid FROM pg_catalog.pg_attrdef a WHERE a.adrelid = ANY ($2::pg_catalog.oid[])"
	"  UNION ALL SELECT " CLS("pg_trigger") ", g.oid FROM pg_catalog.pg_trigger g WHERE g.tgrelid = ANY ($2::pg_catalog.oid[])"
	"  UNION ALL SELECT " CLS("pg_policy") ", p.oid FROM pg_catalog.pg_policy p WHERE p.polrelid = ANY ($2::pg_catalog.oid[])"
	"  UNION ALL SELECT " CLS("pg_rewrite") ", w.oid FROM pg_catalog.pg_rewrite w WHERE w.ev_class = ANY ($2::pg_catalog.oid[])"
	"  UNION ALL SELECT " CLS("pg_statistic_ext") ", x.oid FROM pg_catalog.pg_statistic_ext x"
	"   WHERE x.stxrelid = ANY ($2::pg_catalog.oid[])),"
	/* one index lookup of pg_depend per candidate (OFFSET 0 keeps it one) */
	" cand(classid, objid) AS MATERIALIZED (SELECT classid, objid FROM fcand"
	"  UNION SELECT d.refclassid, d.refobjid FROM fcand f,"
	"   LATERAL (SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_depend d WHERE d.classid = f.classid"
	"   AND d.objid = f.objid OFFSET 0) d),"
	M_CTES(M_CAND)
	" mf AS (SELECT * FROM m WHERE m.r = 0 OR m.r = ANY ($2::pg_catalog.oid[]))"
	DEPS_SELECT;

bool catalog_dep_parse(const char *p, struct cat_dep *d)
{
	long long v[7] = { 0 };
	for (int k = 0; k < 7; k++) {
		if (*p == ' ' || !*p) {
			/* empty (a NULL): 0 */
		} else if (k == 0 || k == 3) {
			v[k] = (unsigned char)*p++;
		} else {
			char *end;
			v[k] = strtoll(p, &end, 10);
			if (end == p)
				return false;
			p = end;
		}
		if (k < 6 && *p++ != ' ')
			return false;
	}
	*d = (struct cat_dep){ .fkind = (char)v[0], .foid = (unsigned)v[1], .fsub = (int)v[2],
			       .tkind = (char)v[3], .toid = (unsigned)v[4], .tsub = (int)v[5],
			       .frel = (unsigned)v[6] };
	return !*p;
}

/* struct cat_dep's order: kinds by byte, then OIDs and subs by number. */
static int cmp_dep(const void *a, const void *b)
{
	const struct cat_dep *x = a, *y = b;
	if (x->fkind != y->fkind)
		return (unsigned char)x->fkind < (unsigned char)y->fkind ? -1 : 1;
	if (x->foid != y->foid)
		return x->foid < y->foid ? -1 : 1;
	if (x->fsub != y->fsub)
		return x->fsub < y->fsub ? -1 : 1;
	if (x->tkind != y->tkind)
		return (unsigned char)x->tkind < (unsigned char)y->tkind ? -1 : 1;
	if (x->toid != y->toid)
		return x->toid < y->toid ? -1 : 1;
	return x->tsub < y->tsub ? -1 : x->tsub > y->tsub;
}

static int cmp_oid(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* Edges and the relation each comes from: the order a load keeps them in
 * (cmp_dep's, then by relation, so that it does not depend on the order
 * the server sent them in: catalog_deps_sort_unique()). */
static int cmp_dep_rel(const void *a, const void *b)
{
	int c = cmp_dep(a, b);
	unsigned x = ((const struct cat_dep *)a)->frel, y = ((const struct cat_dep *)b)->frel;
	return c ? c : x < y ? -1 : x > y;
}

size_t catalog_deps_sort_unique(struct cat_dep *d, size_t n)
{
	if (n < 2)
		return n;
	qsort(d, n, sizeof *d, cmp_dep_rel);
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (cmp_dep_rel(&d[k - 1], &d[i]))
			d[k++] = d[i];
	return k;
}

/* Whether an edge of PREV from relation REL's objects stays as it was:
 * REL is still there and was not read again (READ: sorted). Its
 * neighbours through pg_depend were read again with it, and what no
 * relation owns (types, functions) is the same, or the load is full.
 * PREV's edges come by object, not by relation (a relation's indexes,
 * constraints and defaults have OIDs far apart), so the answers are kept
 * in a direct-mapped table: with only the last one kept, the two binary
 * searches per edge were 15% of the daemon's time in an incremental
 * refresh at 10,000 tables (280,000 edges, 20,000 relations; perf). */
#define KEPT_SLOTS_LOG2 15
struct kept_cache {
	unsigned rel;	/* 0: empty */
	bool kept;
};

static bool dep_kept(struct catalog *cat, unsigned rel, const unsigned *read, size_t nread,
		     struct kept_cache *cache)
{
	if (!rel)
		return false;
	struct kept_cache *slot = &cache[(rel * 2654435761u) >> (32 - KEPT_SLOTS_LOG2)];
	if (slot->rel == rel)
		return slot->kept;
	bool kept = !bsearch(&rel, read, nread, sizeof *read, cmp_oid) && rel_by_oid(cat, rel);
	*slot = (struct kept_cache){ rel, kept };
	return kept;
}

/* Merges the NEW edges read (sorted: catalog_deps_sort_unique()) with
 * PREV's kept ones (PD, NPD: sorted too) into CAT->deps, in one pass; a row out of
 * order in PREV falls back to a sort. */
static void merge_deps(struct catalog *cat, struct cat_dep *fresh, size_t nfresh, const struct cat_dep *pd,
		       size_t npd, const unsigned *read, size_t nread, struct kept_cache *cache)
{
	size_t i = 0, j = 0, n = 0;
	bool sorted = true;
	for (size_t k = 1; k < nfresh && sorted; k++)
		sorted = cmp_dep(&fresh[k - 1], &fresh[k]) <= 0;
	for (size_t k = 1; k < npd && sorted; k++)
		sorted = cmp_dep(&pd[k - 1], &pd[k]) <= 0;
	while (i < nfresh || j < npd) {
		const struct cat_dep *p = j < npd ? &pd[j] : NULL;
		if (p && !dep_kept(cat, p->frel, read, nread, cache)) {
			j++;
			continue;
		}
		if (i < nfresh && (!p || !sorted || cmp_dep(&fresh[i], p) <= 0))
			cat->deps[n++] = fresh[i++];
		else
			cat->deps[n++] = pd[j++];
	}
	cat->ndeps = n;
	if (!sorted)
		qsort(cat->deps, cat->ndeps, sizeof *cat->deps, cmp_dep);
}

/*
 * Test hook (SCHEMAFS_TEST_DEPS_CHECK=1, read here: the loading thread
 * alone runs it): an incremental load also runs the full query and
 * compares the edges it keeps (those from the relations read again, and
 * from no relation) with what SQL_DEPENDS_INCR read, logging "deps check:
 * N edges, same" or the first difference. Not counted in cat->queries.
 * tests/e2e/32_incremental.sh turns it on over its random DDL.
 */
static void deps_check(struct loader *ld, const struct cat_dep *fresh, size_t nfresh, const unsigned *read, size_t nread)
{
	const char *on = getenv("SCHEMAFS_TEST_DEPS_CHECK");
	if (!on || strcmp(on, "1"))
		return;
	const char *params[] = { ld->schema_oids };
	char err[256];
	PGresult *res = pg_exec_static(ld->conn, pgv_sql_for(ld->conn, SQL_DEPENDS), 1, params, err, sizeof err);
	if (!res) {
		log_warn("deps check: the full query failed: %s", err);
		return;
	}
	size_t n = 0;
	struct cat_dep *all = calloc((size_t)PQntuples(res) + 1, sizeof *all);
	if (!all)
		abort();
	for (int i = 0; i < PQntuples(res); i++) {
		struct cat_dep d;
		if (!catalog_dep_parse(PQgetvalue(res, i, 0), &d)) {
			log_warn("deps check: the full query's row %d is not what was asked for: %.80s", i,
				 PQgetvalue(res, i, 0));
			continue;
		}
		if (d.fkind == d.tkind && d.foid == d.toid && d.fsub == d.tsub)
			continue;
		if (d.frel && !bsearch(&d.frel, read, nread, sizeof *read, cmp_oid))
			continue;
		all[n++] = d;
	}
	PQclear(res);
	n = catalog_deps_sort_unique(all, n);
	size_t i = 0;
	while (i < n && i < nfresh && !cmp_dep_rel(&all[i], &fresh[i]))
		i++;
	if (i == n && i == nfresh) {
		log_info("deps check: %zu edges, same", n);
	} else {
		const struct cat_dep *d = i < n ? &all[i] : &fresh[i];
		log_warn("deps check: differs (%zu edges in full, %zu read) at %c %u.%d -> %c %u.%d (from relation "
			 "%u), only in the %s query", n, nfresh, d->fkind, d->foid, d->fsub, d->tkind, d->toid, d->tsub,
			 d->frel, i < n && (i >= nfresh || cmp_dep_rel(&all[i], &fresh[i]) < 0) ? "full" : "incremental");
	}
	free(all);
}

/* The map's rows RES (cleared here) as edges, malloc'd, sorted and made
 * unique, into *OUT (the caller frees): 0, or -1 with ERR. */
static int parse_deps(PGresult *res, struct cat_dep **out, size_t *nout, char *err, size_t errlen)
{
	int n = PQntuples(res);
	/* Read aside (the rows repeat: a full load keeps only the edges, an
	 * incremental one merges them with PREV's), freed once in place. */
	struct cat_dep *fresh = malloc(((size_t)n + 1) * sizeof *fresh);
	if (!fresh) {
		PQclear(res);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t nfresh = 0;
	for (int i = 0; i < n; i++) {
		struct cat_dep *d = &fresh[nfresh];
		if (!catalog_dep_parse(PQgetvalue(res, i, 0), d)) {
			snprintf(err, errlen, "the dependency map's row %d is not what was asked for: %.80s", i,
				 PQgetvalue(res, i, 0));
			PQclear(res);
			free(fresh);
			return -1;
		}
		/* An object's parts on itself (a rule on its view): no edge. */
		if (d->fkind == d->tkind && d->foid == d->toid && d->fsub == d->tsub)
			continue;
		nfresh++;
	}
	PQclear(res);
	*out = fresh;
	*nout = catalog_deps_sort_unique(fresh, nfresh);
	return 0;
}

int load_deps(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	/* A mount's first read on two connections: the second one reads the
	 * map after its other queries, while the tree is already shown;
	 * catalog_finish_deps() puts it in. Counted here, with the read. */
	if (!ld->prev && !ld->rel_oids && aux_has(ld->aux, SQL_DEPENDS)) {
		pthread_mutex_lock(&cat->life->deps_lock);
		cat->life->deps_state = CAT_DEPS_LATER;
		pthread_mutex_unlock(&cat->life->deps_lock);
		cat->life->deps_params = ld->schema_oids;
		cat->queries++;
		return 0;
	}
	/* The incremental query keeps one plan too, though it takes the
	 * relations: its lookups by their OIDs stay index lookups in a plan
	 * made for any list (at 10,000 tables, PostgreSQL 15: bind and
	 * execute 7.7 ms, against 9.4 planned for the values; at 1,000, 2.6
	 * against 5.2). */
	const char *params[] = { ld->schema_oids, ld->rel_oids };
	PGresult *res = ld->rel_oids ? run_planned(ld, SQL_DEPENDS_INCR, 2, params, true) :
				       run_per_schema(ld, SQL_DEPENDS);
	if (!res)
		return -1;
	size_t nread = 0, ncopy = 0, npd = 0;
	unsigned *read = NULL;
	struct kept_cache *kept = NULL;	/* the merge's answers, counted first */
	const struct cat_dep *pd = NULL;	/* PREV's map (in: it has a fingerprint) */
	if (ld->prev && ld->rel_oids) {
		pd = catalog_deps(ld->prev, &npd);
		const unsigned *v = parse_oids(ld, ld->rel_oids, &nread);
		read = arena_alloc(cat->arena, (nread ? nread : 1) * sizeof *read);
		for (size_t i = 0; i < nread; i++)
			read[i] = v[i];
		qsort(read, nread, sizeof *read, cmp_oid);
		if (!(kept = calloc((size_t)1 << KEPT_SLOTS_LOG2, sizeof *kept)))
			abort();
		for (size_t i = 0; i < npd; i++)
			ncopy += dep_kept(cat, pd[i].frel, read, nread, kept);
	}
	struct cat_dep *fresh;
	size_t nfresh;
	if (parse_deps(res, &fresh, &nfresh, ld->err, ld->errlen)) {
		free(kept);
		return -1;
	}
	if (read) {
		deps_check(ld, fresh, nfresh, read, nread);
		cat->deps = arena_alloc(cat->arena, (nfresh + ncopy + 1) * sizeof *cat->deps);
		merge_deps(cat, fresh, nfresh, pd, npd, read, nread, kept);
	} else {
		cat->deps = arena_alloc(cat->arena, (nfresh + 1) * sizeof *cat->deps);
		memcpy(cat->deps, fresh, nfresh * sizeof *fresh);
		cat->ndeps = nfresh;
	}
	free(fresh);
	free(kept);
	return 0;
}

struct aux_want deps_aux_want(const struct loader *ld)
{
	return (struct aux_want){ SQL_DEPENDS, 1, { ld->schema_oids, NULL }, true };
}

/* Whose map CAT's is: a desired catalog's (stage_desired()) is the live
 * one's, which it copied, maybe before a first read's came. */
static const struct catalog *deps_source(const struct catalog *cat)
{
	while (cat->life && cat->life->base)
		cat = cat->life->base;
	return cat;
}

const struct cat_dep *catalog_deps(const struct catalog *cat, size_t *n)
{
	const struct catalog *src = deps_source(cat);
	const struct cat_life *life = src->life;
	/* Set before deps_state, under deps_lock, which the caller's wait
	 * took after: read without it. (No life: a catalog a unit test
	 * built by hand.) */
	if (life && life->late_deps) {
		*n = life->nlate_deps;
		return life->late_deps;
	}
	*n = src->ndeps;
	return src->deps;
}

bool catalog_deps_wait(const struct catalog *cat)
{
	struct cat_life *life = deps_source(cat)->life;
	if (!life)
		return true;
	pthread_mutex_lock(&life->deps_lock);
	while (life->deps_state == CAT_DEPS_LATER)
		pthread_cond_wait(&life->deps_cond, &life->deps_lock);
	bool in = life->deps_state == CAT_DEPS_IN;
	pthread_mutex_unlock(&life->deps_lock);
	return in;
}

bool catalog_deps_later(const struct catalog *cat)
{
	struct cat_life *life = deps_source(cat)->life;
	if (!life)
		return false;
	pthread_mutex_lock(&life->deps_lock);
	bool later = life->deps_state == CAT_DEPS_LATER;
	pthread_mutex_unlock(&life->deps_lock);
	return later;
}

int catalog_finish_deps(PGconn *conn, struct catalog *cat, char *err, size_t errlen)
{
	struct cat_life *life = cat->life;
	if (!catalog_deps_later(cat))
		return 0;
	/* The second connection's result, waited for; or, when it could not
	 * run the query (it failed, or never started it), run here, in the
	 * load's transaction: the same snapshot either way. Counted by the
	 * load already: run() counts it in a scratch catalog. */
	struct catalog scratch = { .queries = 0 };
	struct loader ld = { .conn = conn, .cat = &scratch, .err = err, .errlen = errlen,
			     .schema_oids = life->deps_params, .aux = life->deps_aux };
	PGresult *res = run_per_schema(&ld, SQL_DEPENDS);
	/* Logs what ran there. Its rows were malloc'd by that connection's
	 * thread: given back to the system once freed (load_aux_parts()). */
	aux_end(life->deps_aux, cat->dbname);
	life->deps_aux = NULL;
	struct cat_dep *deps = NULL;
	size_t n = 0;
	int rc = res ? parse_deps(res, &deps, &n, err, errlen) : -1;
	memlog_tidy();
	if (rc) {
		PGresult *r = pg_run(conn, true, "ROLLBACK", 0, NULL, NULL, NULL);
		PQclear(r);
	}
	pthread_mutex_lock(&life->deps_lock);
	life->late_deps = deps;
	life->nlate_deps = n;
	life->deps_state = rc ? CAT_DEPS_LOST : CAT_DEPS_IN;
	pthread_cond_broadcast(&life->deps_cond);
	pthread_mutex_unlock(&life->deps_lock);
	return rc;
}
