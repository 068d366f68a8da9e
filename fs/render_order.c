/*
 * render_order.c: schema.sql, each statement after what it needs.
 *
 * Every piece of schema.sql is one item (a type, a function, a table's
 * CREATE, one of its constraints, ...). The edges between items are
 * PostgreSQL's own dependencies (struct cat_dep, read from pg_depend), and
 * a few this file knows by construction (a partition after its parent, an
 * ATTACH after the indexes it joins, comments after what they name). The
 * items are sorted topologically (depsort.h); where nothing constrains
 * two items, they come in the order of a priority per kind, then of their
 * names, as pg_dump does: the same schema always gives the same file.
 *
 * A cycle through a table is split as pg_dump splits it: a column default
 * that needs a function that needs the table (its row type, or a BEGIN
 * ATOMIC body that reads it) is set after, by ALTER TABLE ... SET DEFAULT;
 * a view in a cycle is made first as a stand-in with the same columns, and
 * replaced by CREATE OR REPLACE VIEW once what it uses exists. (Constraints,
 * foreign keys, triggers and policies are separate statements already.)
 * A cycle that cannot be split loses one edge, so the sort always ends.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depsort.h"
#include "render.h"
#include "render_internal.h"
#include "render_order_internal.h"

/* Ties between items no dependency orders: the order of the kinds as
 * pg_dump (and schemafs before this file) writes them. */
enum prio {
	P_SCHEMA, P_EXTENSION, P_COLLATION, P_TYPE, P_FUNC0, P_OPERATOR, P_CAST0, P_OPFAMILY,
	P_OPCLASS, P_CONVERSION, P_TS, P_FDW, P_SERVER, P_SEQUENCE, P_TABLE, P_DEFAULT, P_FUNC1,
	P_CAST1, P_OWNED, P_PARTKEYS, P_CONSTRAINT, P_INDEX, P_ATTACH, P_FKEY, P_VIEW, P_FUNC2,
	P_CAST2, P_TRIGGER, P_RLS, P_SETTINGS, P_COMMENTS, P_SEQCOMMENTS, P_PRIVS, P_PUBLICATION,
	P_EVTRIGGER,
};

static int cmp_relpos(const void *a, const void *b)
{
	const struct relpos *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The first entry of V (N, sorted) with KEY; N when none. Entries with
 * KEY follow it in position order, as a scan of o->all meets them. */
size_t relpos_first(const struct relpos *v, size_t n, uintptr_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].key == key ? lo : n;
}

static int relpos_build(struct order *o)
{
	o->by_ptr = malloc((o->nall ? o->nall : 1) * sizeof *o->by_ptr);
	o->by_oid = malloc((o->nall ? o->nall : 1) * sizeof *o->by_oid);
	if (!o->by_ptr || !o->by_oid)
		return -ENOMEM;
	for (size_t t = 0; t < o->nall; t++) {
		o->by_ptr[t] = (struct relpos){ (uintptr_t)o->all[t], t };
		o->by_oid[t] = (struct relpos){ o->all[t]->oid, t };
	}
	qsort(o->by_ptr, o->nall, sizeof *o->by_ptr, cmp_relpos);
	qsort(o->by_oid, o->nall, sizeof *o->by_oid, cmp_relpos);
	return 0;
}

/* ---- building the items and their edges ---- */

static long add(struct order *o, emit_fn *emit, int prio, int k0, int k1, int k2, const void *obj,
		const void *aux)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct item *v = realloc(o->v, cap * sizeof *v);
		if (!v) {
			o->err = -ENOMEM;
			return -1;
		}
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n] = (struct item){ .emit = emit, .prio = prio, .k = { k0, k1, k2 }, .obj = obj,
				    .aux = aux, .owner = -1, .shell = -1 };
	return (long)o->n++;
}

static void key(struct order *o, long i, char kind, unsigned oid, int sub)
{
	if (i < 0)
		return;
	o->v[i].kind = kind;
	o->v[i].oid = oid;
	o->v[i].sub = sub;
}

static void edge(struct order *o, long from, long to)
{
	if (from < 0 || to < 0 || from == to)
		return;
	if (o->ne == o->ecap) {
		size_t cap = o->ecap ? 2 * o->ecap : 256;
		struct raw_edge *e = realloc(o->e, cap * sizeof *e);
		if (!e) {
			o->err = -ENOMEM;
			return;
		}
		o->e = e;
		o->ecap = cap;
	}
	o->e[o->ne++] = (struct raw_edge){ (size_t)from, (size_t)to };
}

static int late_prio(int late, int p0, int p1, int p2)
{
	return late == 2 ? p2 : late == 1 ? p1 : p0;
}

/* Whether the CREATE TABLE of R writes column I (a partition made by
 * PARTITION OF writes none; an inherited column is its parent's). */
static bool column_in_create(const struct cat_relation *r, size_t i)
{
	if (r->is_partition && r->parents)
		return r->attach_partition;
	return r->cols[i].islocal;
}

/* The items of table (or foreign table) number T of o->all. PARTKEYS is
 * the item of every partition's own keys. */
static void add_table(struct order *o, size_t t, long partkeys, long *creates)
{
	const struct cat_relation *r = o->all[t];
	int ti = (int)t;
	long c = creates[t];
	for (size_t p = 0; p < r->nparents; p++)
		for (size_t i = relpos_first(o->by_oid, o->nall, r->parent_oids[p]);
		     i < o->nall && o->by_oid[i].key == r->parent_oids[p]; i++)
			edge(o, c, creates[o->by_oid[i].pos]);
	if (r->ninh_keys)
		edge(o, partkeys, c);
	for (size_t i = 0; i < r->ncols; i++) {
		const struct cat_column *col = &r->cols[i];
		if (!col->defexpr || col->generated || !column_in_create(r, i))
			continue;
		if (!o->v[c].nodefault) {
			o->v[c].nodefault = calloc(r->ncols, sizeof(bool));
			if (!o->v[c].nodefault) {
				o->err = -ENOMEM;
				return;
			}
		}
		long d = add(o, emit_default, P_DEFAULT, ti, (int)i, 0, r, NULL);
		if (d < 0)
			return;
		key(o, d, 'd', r->oid, col->attnum);
		o->v[d].col = i;
		o->v[d].owner = c;	/* inside CREATE TABLE until a cycle says otherwise */
		edge(o, d, c);
	}
	long attach = add(o, emit_attach, P_ATTACH, ti, 0, 0, r, NULL);
	key(o, attach, 'A', r->oid, 0);
	edge(o, attach, c);
	edge(o, attach, partkeys);
	long comments = add(o, emit_comments, P_COMMENTS, ti, 0, 0, r, NULL);
	edge(o, comments, c);
	edge(o, comments, partkeys);
	for (size_t i = 0; i < r->ncons; i++) {
		const struct cat_constraint *k = &r->cons[i];
		long x = add(o, emit_constraint, k->type == 'f' ? P_FKEY : P_CONSTRAINT, ti, (int)i, 0, r, k);
		key(o, x, 'c', k->oid, 0);
		edge(o, x, c);
		if (k->type != 'f')
			edge(o, x, partkeys);
		for (size_t i = k->ref ? relpos_first(o->by_ptr, o->nall, (uintptr_t)k->ref) : o->nall;
		     i < o->nall && o->by_ptr[i].key == (uintptr_t)k->ref; i++)
			edge(o, x, creates[o->by_ptr[i].pos]);
		edge(o, attach, x);
		edge(o, comments, x);
	}
	for (size_t i = 0; i < r->nindexes; i++) {
		long x = add(o, emit_index, P_INDEX, ti, (int)i, 0, r, &r->indexes[i]);
		key(o, x, 'i', r->indexes[i].oid, 0);
		edge(o, x, c);
		edge(o, attach, x);
		edge(o, comments, x);
	}
	for (size_t i = 0; i < r->ntriggers; i++) {
		long x = add(o, emit_trigger, P_TRIGGER, ti, (int)i, 0, r, &r->triggers[i]);
		key(o, x, 'g', r->triggers[i].oid, 0);
		edge(o, x, c);
		edge(o, comments, x);
	}
	long rls = add(o, emit_rls, P_RLS, ti, 0, 0, r, NULL);
	edge(o, rls, c);
	for (size_t i = 0; i < r->npolicies; i++) {
		long x = add(o, emit_policy, P_RLS, ti, 1 + (int)i, 0, r, &r->policies[i]);
		key(o, x, 'p', r->policies[i].oid, 0);
		edge(o, x, c);
	}
	long set = add(o, emit_settings, P_SETTINGS, ti, 0, 0, r, NULL);
	key(o, set, 'x', r->oid, 0);
	edge(o, set, c);
	edge(o, set, attach);
}

static void add_schema_items(struct order *o, int si, const struct cat_schema *s)
{
	key(o, add(o, emit_schema, P_SCHEMA, si, 0, 0, s, NULL), 'n', s->oid, 0);
	if (s->ncollations)
		add(o, emit_collations, P_COLLATION, si, 0, 0, s, NULL);
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cat_type *t = s->types[i];
		const char *kinds = "erdc", *kp = strchr(kinds, t->kind);
		int rank = t->depth * 4 + (kp ? (int)(kp - kinds) : 3);
		long x = add(o, emit_type, P_TYPE, rank, si, (int)i, t, NULL);
		key(o, x, 't', t->oid, 0);
		if (x >= 0 && t->kind == 'b') {
			long sh = add(o, emit_shell, P_TYPE, -1, si, (int)i, t, NULL);
			o->v[x].shell = sh;
			edge(o, x, sh);
		}
	}
	for (size_t i = 0; i < s->nfunctions; i++) {
		const struct cat_function *f = s->functions[i];
		key(o, add(o, emit_function, late_prio(f->late, P_FUNC0, P_FUNC1, P_FUNC2), si, (int)i, 0, f, NULL),
		    'f', f->oid, 0);
	}
	if (s->noperators)
		add(o, emit_operators, P_OPERATOR, si, 0, 0, s, NULL);
	for (size_t i = 0; i < s->nopfamilies; i++)
		add(o, emit_opclass, P_OPFAMILY, si, (int)i, 0, s->opfamilies[i], NULL);
	for (size_t i = 0; i < s->nopclasses; i++)
		add(o, emit_opclass, P_OPCLASS, si, (int)i, 0, s->opclasses[i], NULL);
	for (size_t i = 0; i < s->nconversions; i++)
		add(o, emit_conversion, P_CONVERSION, si, (int)i, 0, s->conversions[i], NULL);
	/* Each schema's text search objects are sorted by kind in dependency
	 * order: the kinds go one at a time over every schema. */
	for (size_t i = 0; i < s->nts; i++) {
		const char *kp = strchr("tpdc", s->ts[i]->kind);
		add(o, emit_ts, P_TS, kp ? (int)(kp - "tpdc") : 4, si, (int)i, s->ts[i], NULL);
	}
	for (size_t i = 0; i < s->nsequences; i++) {
		const struct cat_relation *q = s->sequences[i];
		long c = add(o, emit_sequence, P_SEQUENCE, si, (int)i, 0, q, NULL);
		key(o, c, 'r', q->oid, 0);
		if (q->seq_owned_by) {
			long w = add(o, emit_owned, P_OWNED, si, (int)i, 0, q, NULL);
			key(o, w, 'o', q->oid, 0);
			edge(o, w, c);
		}
		if (q->comment)
			edge(o, add(o, emit_seqcomment, P_SEQCOMMENTS, si, (int)i, 0, q, NULL), c);
	}
	for (size_t i = 0; i < s->nviews; i++)
		key(o, add(o, emit_view, P_VIEW, s->views[i]->view_depth, si, (int)i, s->views[i], NULL),
		    'r', s->views[i]->oid, 0);
	for (size_t i = 0; i < s->nmatviews; i++)
		key(o, add(o, emit_view, P_VIEW, s->matviews[i]->view_depth, si, (int)(s->nviews + i),
			   s->matviews[i], NULL), 'r', s->matviews[i]->oid, 0);
}

static void add_database_items(struct order *o)
{
	const struct catalog *cat = o->cat;
	for (size_t i = 0; i < cat->nexts; i++)
		if (!cat->exts[i].builtin)
			key(o, add(o, emit_extension, P_EXTENSION, (int)i, 0, 0, &cat->exts[i], NULL), 'e',
			    cat->exts[i].oid, 0);
	for (size_t i = 0; i < cat->ncasts; i++)
		add(o, emit_cast, late_prio(cat->casts[i].late, P_CAST0, P_CAST1, P_CAST2), (int)i, 0, 0,
		    &cat->casts[i], NULL);
	for (size_t i = 0; i < cat->nfdws; i++)
		add(o, emit_fdw, P_FDW, (int)i, 0, 0, &cat->fdws[i], NULL);
	for (size_t i = 0; i < cat->nservers; i++)
		add(o, emit_server, P_SERVER, (int)i, 0, 0, &cat->servers[i], NULL);
	for (size_t i = 0; i < cat->npubs; i++)
		add(o, emit_publication, P_PUBLICATION, (int)i, 0, 0, &cat->pubs[i], NULL);
	for (size_t i = 0; i < cat->nevtrigs; i++)
		add(o, emit_evtrigger, P_EVTRIGGER, (int)i, 0, 0, &cat->evtrigs[i], NULL);
}

/* An item's key, copied so that plain qsort() can sort them. */
struct keyed {
	char kind;
	unsigned oid;
	int sub;
	size_t item;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->oid != y->oid)
		return x->oid < y->oid ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

/* The first item with key (KIND, OID, SUB) in KEYED (sorted), or -1. */
static long find(const struct keyed *keyed, size_t nkeyed, char kind, unsigned oid, int sub)
{
	struct keyed want = { kind, oid, sub, 0 };
	size_t lo = 0, hi = nkeyed;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_keyed(&keyed[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nkeyed && keyed[lo].kind == kind && keyed[lo].oid == oid && keyed[lo].sub == sub)
		return (long)keyed[lo].item;
	return -1;
}

/* pg_depend's edges between items of this file. */
static void add_catalog_edges(struct order *o)
{
	struct keyed *keyed = malloc((o->n ? o->n : 1) * sizeof *keyed);
	size_t nkeyed = 0;
	if (!keyed) {
		o->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].kind)
			keyed[nkeyed++] = (struct keyed){ o->v[i].kind, o->v[i].oid, o->v[i].sub, i };
	qsort(keyed, nkeyed, sizeof *keyed, cmp_keyed);
	size_t ndeps;
	const struct cat_dep *deps = catalog_deps(o->cat, &ndeps);
	for (size_t i = 0; i < ndeps; i++) {
		const struct cat_dep *d = &deps[i];
		long from = find(keyed, nkeyed, d->fkind, d->foid, d->fsub);
		long to = find(keyed, nkeyed, d->tkind, d->toid, d->tsub);
		edge(o, from, to);
	}
	free(keyed);
}

/* A base type and its I/O functions need each other: the functions it
 * names need only its shell, as pg_dump makes them. */
static void shell_edges(struct order *o)
{
	for (size_t j = 0; j < o->ne; j++) {
		size_t from = o->e[j].from, to = o->e[j].to;
		if (o->v[to].shell < 0 || o->v[from].emit != emit_function)
			continue;
		for (size_t k = 0; k < o->ne; k++)
			if (o->e[k].from == to && o->e[k].to == from) {
				o->e[j].to = (size_t)o->v[to].shell;
				break;
			}
	}
}

static size_t resolve(const struct order *o, size_t i)
{
	while (o->v[i].owner >= 0)
		i = (size_t)o->v[i].owner;
	return i;
}

static int cmp_items(size_t a, size_t b, void *ctx)
{
	const struct order *o = ctx;
	const struct item *x = &o->v[a], *y = &o->v[b];
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	for (int i = 0; i < 3; i++)
		if (x->k[i] != y->k[i])
			return x->k[i] < y->k[i] ? -1 : 1;
	return (a > b) - (a < b);
}

/*
 * Splits the cycle C (each item needs the next, the last the first) the
 * way pg_dump does; false when no split applies.
 */
static bool split_cycle(struct order *o, const size_t *c, size_t nc)
{
	/* A table whose CREATE holds a default that needs the next item. */
	for (size_t i = 0; i < nc; i++) {
		size_t next = c[(i + 1) % nc];
		for (size_t j = 0; j < o->ne; j++) {
			size_t d = o->e[j].from;
			if (o->v[d].owner != (long)c[i] || resolve(o, o->e[j].to) != next)
				continue;
			o->v[d].owner = -1;
			o->v[c[i]].nodefault[o->v[d].col] = true;
			return true;
		}
	}
	/* A view: its stand-in is what others need; what the view itself
	 * needs moves to the CREATE OR REPLACE. */
	for (size_t i = 0; i < nc; i++) {
		struct item *v = &o->v[c[i]];
		const struct cat_relation *r = v->obj;
		if (v->emit != emit_view || v->split || r->kind != REL_VIEW)
			continue;
		long repl = add(o, emit_view_replace, P_VIEW, v->k[0], v->k[1], v->k[2] + 1, r, NULL);
		if (repl < 0)
			return false;
		v = &o->v[c[i]];
		v->split = true;
		for (size_t j = 0; j < o->ne; j++) {
			char tk = o->v[o->e[j].to].kind;
			if (o->e[j].from == c[i] && tk != 't' && tk != 'n' && tk != 'e')
				o->e[j].from = (size_t)repl;
		}
		edge(o, repl, (long)c[i]);
		return true;
	}
	return false;
}

/* The items in order into ORDER (o->n of them): 0 or -ENOMEM. */
static int sort_items(struct order *o, size_t **order_out)
{
	size_t *order = NULL, *cycle = NULL;
	struct depsort_edge *de = NULL;
	int rc = 0;
	for (;;) {
		free(order);
		free(cycle);
		free(de);
		order = malloc((o->n + 1) * sizeof *order);
		cycle = malloc((o->n + 1) * sizeof *cycle);
		de = malloc((o->ne + 1) * sizeof *de);
		if (!order || !cycle || !de) {
			rc = -ENOMEM;
			break;
		}
		size_t nde = 0, ncycle = 0;
		for (size_t j = 0; j < o->ne; j++) {
			size_t a = resolve(o, o->e[j].from), b = resolve(o, o->e[j].to);
			if (a != b)
				de[nde++] = (struct depsort_edge){ a, b };
		}
		rc = depsort(o->n, de, nde, cmp_items, o, order, NULL, cycle, &ncycle);
		if (rc != -ELOOP)
			break;
		if (split_cycle(o, cycle, ncycle))
			continue;
		if (o->err) {
			rc = o->err;
			break;
		}
		/* No split for this cycle: drop the first item's edges to the
		 * next, so the sort ends (pg_dump warns and does the same). */
		size_t dropped = 0;
		for (size_t j = 0; j < o->ne; j++)
			if (resolve(o, o->e[j].from) == cycle[0] && resolve(o, o->e[j].to) == cycle[1 % ncycle]) {
				o->e[j].to = o->e[j].from;
				dropped++;
			}
		if (!dropped) {
			rc = -ELOOP;	/* cannot happen: the cycle is made of these edges */
			break;
		}
	}
	free(cycle);
	free(de);
	if (rc) {
		free(order);
		return rc;
	}
	*order_out = order;
	return 0;
}

static void render_scope(struct strbuf *sb, const struct catalog *cat, const struct cat_schema *const *schemas,
			 size_t nschemas, bool whole_db)
{
	struct order o = { .cat = cat, .schemas = schemas, .nschemas = nschemas, .whole_db = whole_db };
	size_t *order = NULL;
	long *creates = NULL;
	/* The text was deparsed with search_path = public: load it so. */
	/* Literals are written for standard_conforming_strings on (a
	 * backslash is a backslash): a server or a database with it off
	 * would read 'x\'' otherwise, and run what follows the quote. */
	sb_add(sb, "SET standard_conforming_strings = on;\nSET check_function_bodies = false;\n"
		   "SET search_path = public;\n");
	size_t nall = 0;
	for (size_t i = 0; i < nschemas; i++)
		nall += schemas[i]->ntables + schemas[i]->nforeign_tables;
	o.all = calloc(nall ? nall : 1, sizeof *o.all);
	creates = calloc(nall ? nall : 1, sizeof *creates);
	if (!o.all || !creates)
		goto out;
	/* Foreign tables among the tables: they may be partitions or
	 * inheritance children of those, or parents of them. */
	for (size_t i = 0; i < nschemas; i++) {
		for (size_t t = 0; t < schemas[i]->ntables; t++)
			o.all[o.nall++] = schemas[i]->tables[t];
		for (size_t t = 0; t < schemas[i]->nforeign_tables; t++)
			o.all[o.nall++] = schemas[i]->foreign_tables[t];
	}
	if (relpos_build(&o))
		goto out;
	for (size_t i = 0; i < nschemas; i++)
		add_schema_items(&o, (int)i, schemas[i]);
	if (whole_db)
		add_database_items(&o);
	long partkeys = add(&o, emit_partkeys, P_PARTKEYS, 0, 0, 0, NULL, NULL);
	for (size_t t = 0; t < o.nall; t++) {
		creates[t] = add(&o, emit_table, P_TABLE, (int)t, 0, 0, o.all[t], NULL);
		key(&o, creates[t], 'r', o.all[t]->oid, 0);
	}
	for (size_t t = 0; t < o.nall && !o.err; t++)
		add_table(&o, t, partkeys, creates);
	add(&o, emit_privs, P_PRIVS, 0, 0, 0, NULL, NULL);
	add_catalog_edges(&o);
	shell_edges(&o);
	if (o.err || sort_items(&o, &order))
		goto out;
	for (size_t i = 0; i < o.n; i++)
		o.v[order[i]].emit(sb, &o.v[order[i]], &o);
out:
	for (size_t i = 0; i < o.n; i++)
		free(o.v[i].nodefault);
	free(o.v);
	free(o.e);
	free(order);
	free(creates);
	free(o.all);
	free(o.by_ptr);
	free(o.by_oid);
}

bool render_schema_sql(struct strbuf *sb, const struct catalog *cat, const struct cat_schema *schema)
{
	/* A mount's first read shows the tree before its dependency map is
	 * in (catalog_finish_deps()): the order waits for it. */
	if (!catalog_deps_wait(cat))
		return false;
	const struct cat_schema **list = NULL;
	if (schema) {
		sb_addf(sb, "-- schema %s, generated by schemafs\n", schema->qname);
	} else {
		list = calloc(cat->nschemas ? cat->nschemas : 1, sizeof *list);
		for (size_t i = 0; list && i < cat->nschemas; i++)
			list[i] = &cat->schemas[i];
		/* No database name: the same schema gives the same file in
		 * every environment (staging, production, a copy). */
		sb_add(sb, "-- generated by schemafs\n");
	}
	for (size_t i = 0; i < cat->nomitted; i++)
		sb_addf(sb, "-- left out (not supported yet): %s\n", cat->omitted[i]);
	if (schema)
		render_scope(sb, cat, &schema, 1, false);
	else if (list)
		render_scope(sb, cat, list, cat->nschemas, true);
	free(list);
	return true;
}
