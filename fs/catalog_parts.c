/*
 * catalog_parts.c: the per-kind loaders of a snapshot (columns, indexes,
 * constraints, triggers, policies, settings, functions, types, collations,
 * operators, what is left out); catalog.c runs them in one transaction.
 */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"
#include "strbuf.h"

#define DEFINE_CMP_BY_NAME(fn, type) \
	static int fn(const void *a, const void *b) \
	{ return by_name(((const type *)a)->name, ((const type *)b)->name); }
DEFINE_CMP_BY_NAME(cmp_index, struct cat_index)
DEFINE_CMP_BY_NAME(cmp_con, struct cat_constraint)
DEFINE_CMP_BY_NAME(cmp_trigger, struct cat_trigger)
DEFINE_CMP_BY_NAME(cmp_policy, struct cat_policy)

static int cmp_funcp(const void *a, const void *b)
{
	const struct cat_function *x = *(struct cat_function *const *)a;
	const struct cat_function *y = *(struct cat_function *const *)b;
	int c = by_name(x->name, y->name);
	return c ? c : by_name(x->args, y->args);
}

static int cmp_typep(const void *a, const void *b)
{
	return by_name((*(struct cat_type *const *)a)->name, (*(struct cat_type *const *)b)->name);
}

/* A named statement of a schema, while sorting. */
struct named_text {
	struct cat_schema *schema;
	const char *name, *text;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named_text *x = a, *y = b;
	int c = by_name(x->name, y->name);
	return c ? c : by_name(x->text, y->text);
}

/* Rows (schema oid, name, statement) into each schema's list at OFFSET
 * (collations or operators), sorted by name. */
int load_schema_texts(struct loader *ld, const char *sql, size_t list_off, size_t count_off)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_schema(ld, sql);
	if (!res)
		return -1;
	int n = PQntuples(res);
	struct named_text *rows = calloc((size_t)n + 1, sizeof *rows);
	if (!rows)
		abort();
	for (int i = 0; i < n; i++) {
		rows[i].schema = schema_by_oid(cat, (unsigned)col_ll(res, i, 0));
		rows[i].name = col_str(ld, res, i, 1);
		rows[i].text = col_str(ld, res, i, 2);
		(*(size_t *)((char *)rows[i].schema + count_off))++;
	}
	PQclear(res);
	qsort(rows, (size_t)n, sizeof *rows, cmp_named);
	for (size_t i = 0; i < cat->nschemas; i++) {
		size_t *cnt = (size_t *)((char *)&cat->schemas[i] + count_off);
		*(const char ***)((char *)&cat->schemas[i] + list_off) =
			arena_alloc(cat->arena, *cnt * sizeof(char *));
		*cnt = 0;
	}
	for (int i = 0; i < n; i++) {
		size_t *cnt = (size_t *)((char *)rows[i].schema + count_off);
		const char **list = *(const char ***)((char *)rows[i].schema + list_off);
		list[(*cnt)++] = rows[i].text;
	}
	free(rows);
	return 0;
}

int load_omitted(struct loader *ld)
{
	PGresult *res = run_per_schema(ld, SQL_OMITTED);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s %s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		const char **list = arena_alloc(ld->cat->arena, (ld->cat->nomitted + 1) * sizeof *list);
		if (ld->cat->nomitted)
			memcpy(list, ld->cat->omitted, ld->cat->nomitted * sizeof *list);
		list[ld->cat->nomitted++] = arena_strdup(ld->cat->arena, sb_str(&sb));
		ld->cat->omitted = list;
		strbuf_free(&sb);
	}
	PQclear(res);
	return 0;
}

int load_default_acls(struct loader *ld)
{
	if (!ld->privileges)
		return 0;	/* the query count stays what it was with the key off */
	PGresult *res = run_per_schema(ld, SQL_DEFAULT_ACLS);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		unsigned oid = (unsigned)col_ll(res, i, 0);
		struct cat_schema *s = oid ? schema_by_oid(ld->cat, oid) : NULL;
		if (s)
			s->default_acl = col_str(ld, res, i, 1);
		else if (!oid)
			ld->cat->default_acl = col_str(ld, res, i, 1);
	}
	PQclear(res);
	return 0;
}

/*
 * Rows of RES are ordered by relation OID (column 0). Calls FILL for each
 * run of rows that belongs to one known relation, with the row range.
 */
static void for_each_rel_rows(struct loader *ld, PGresult *res,
			      void (*fill)(struct loader *, PGresult *, struct cat_relation *, int, int))
{
	int n = PQntuples(res);
	for (int i = 0, j; i < n; i = j) {
		unsigned oid = (unsigned)col_ll(res, i, 0);
		for (j = i + 1; j < n && (unsigned)col_ll(res, j, 0) == oid; j++)
			;
		struct cat_relation *r = rel_by_oid(ld->cat, oid);
		if (r)
			fill(ld, res, r, i, j);
	}
}

void fill_columns(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->cols = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->cols);
	for (int i = from; i < to; i++) {
		struct cat_column *c = &r->cols[r->ncols++];
		c->attnum = (int)col_ll(res, i, 1);
		c->name = col_str(ld, res, i, 2);
		c->qname = col_str(ld, res, i, 3);
		c->type = col_str(ld, res, i, 4);
		c->collation = col_str(ld, res, i, 5);
		c->notnull = col_bool(res, i, 6);
		c->defexpr = col_str(ld, res, i, 7);
		c->identity = col_char(res, i, 8);
		c->generated = col_char(res, i, 9);
		c->islocal = col_bool(res, i, 10);
		c->comment = col_str(ld, res, i, 11);
		if (c->identity) {
			c->identity_seq = rel_by_oid(ld->cat, (unsigned)col_ll(res, i, 12));
			c->identity_seqname = col_str(ld, res, i, 13);
		}
		c->notnull_noinherit = col_bool(res, i, 15);
		c->notnull_conname = col_str(ld, res, i, 16);
		c->notnull_qconname = col_str(ld, res, i, 17);
		if (c->notnull && col_bool(res, i, 14) && c->notnull_conname &&
		    !catalog_notnull_is_default(r->name, c->name, c->notnull_conname))
			c->notnull_name = c->notnull_qconname;
		c->acl = ld->privileges ? col_str(ld, res, i, 18) : NULL;
	}
}

void fill_indexes(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->indexes = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->indexes);
	for (int i = from; i < to; i++) {
		struct cat_index *x = &r->indexes[r->nindexes++];
		x->name = col_str(ld, res, i, 1);
		x->qname = col_str(ld, res, i, 2);
		x->def = col_str(ld, res, i, 3);
		x->parent = col_str(ld, res, i, 4);
		x->comment = col_str(ld, res, i, 5);
		x->oid = (unsigned)col_ll(res, i, 6);
	}
	qsort(r->indexes, r->nindexes, sizeof *r->indexes, cmp_index);
}

void fill_constraints(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	size_t ninh = 0;
	for (int i = from; i < to; i++)
		ninh += col_bool(res, i, 10);
	r->cons = arena_alloc(ld->cat->arena, ((size_t)(to - from) - ninh) * sizeof *r->cons);
	r->inh_keys = arena_alloc(ld->cat->arena, ninh * sizeof *r->inh_keys);
	for (int i = from; i < to; i++) {
		struct cat_constraint *k = col_bool(res, i, 10) ? &r->inh_keys[r->ninh_keys++] :
								  &r->cons[r->ncons++];
		k->name = col_str(ld, res, i, 1);
		k->qname = col_str(ld, res, i, 2);
		k->type = col_char(res, i, 3);
		k->def = col_str(ld, res, i, 4);
		k->comment = col_str(ld, res, i, 5);
		const char *keys = pg_val(res, i, 6);
		size_t n = 0;
		for (const char *p = keys; p && *p; p++)
			n += *p == ',';
		int *attnums = arena_alloc(ld->cat->arena, (n + 1) * sizeof(int));
		for (char *p = (char *)keys, *end; p && *p; p = *end ? end + 1 : end) {
			attnums[k->nkeys++] = (int)strtol(p, &end, 10);
			if (end == p)
				break;
		}
		k->keys = attnums;
		k->ref = rel_by_oid(ld->cat, (unsigned)col_ll(res, i, 7));
		k->index_qname = col_str(ld, res, i, 8);
		k->index_parent = col_str(ld, res, i, 9);
		k->oid = (unsigned)col_ll(res, i, 11);
	}
	qsort(r->cons, r->ncons, sizeof *r->cons, cmp_con);
	qsort(r->inh_keys, r->ninh_keys, sizeof *r->inh_keys, cmp_con);
}

void fill_triggers(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->triggers = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->triggers);
	for (int i = from; i < to; i++) {
		struct cat_trigger *t = &r->triggers[r->ntriggers++];
		t->name = col_str(ld, res, i, 1);
		t->qname = col_str(ld, res, i, 2);
		t->def = col_str(ld, res, i, 3);
		t->enabled = col_char(res, i, 4);
		t->comment = col_str(ld, res, i, 5);
		t->oid = (unsigned)col_ll(res, i, 6);
	}
	qsort(r->triggers, r->ntriggers, sizeof *r->triggers, cmp_trigger);
}

void fill_policies(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->policies = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->policies);
	for (int i = from; i < to; i++) {
		struct cat_policy *p = &r->policies[r->npolicies++];
		p->name = col_str(ld, res, i, 1);
		p->qname = col_str(ld, res, i, 2);
		p->permissive = col_bool(res, i, 3);
		p->cmd = col_char(res, i, 4);
		p->roles = col_str(ld, res, i, 5);
		p->qual = col_str(ld, res, i, 6);
		p->check = col_str(ld, res, i, 7);
		p->oid = (unsigned)col_ll(res, i, 8);
	}
	qsort(r->policies, r->npolicies, sizeof *r->policies, cmp_policy);
}

void fill_settings(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->settings = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof(char *));
	for (int i = from; i < to; i++)
		r->settings[r->nsettings++] = col_str(ld, res, i, 1);
}

int load_rel_parts(struct loader *ld, const char *sql,
			  void (*fill)(struct loader *, PGresult *, struct cat_relation *, int, int))
{
	PGresult *res = run_per_rel(ld, sql);
	if (!res)
		return -1;
	for_each_rel_rows(ld, res, fill);
	PQclear(res);
	return 0;
}

int load_functions(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_schema(ld, SQL_FUNCTIONS);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->funcs = arena_alloc(cat->arena, (size_t)n * sizeof *cat->funcs);
	for (int i = 0; i < n; i++) {
		struct cat_function *f = &cat->funcs[cat->nfuncs++];
		f->schema = schema_by_oid(cat, (unsigned)col_ll(res, i, 0));
		f->name = col_str(ld, res, i, 1);
		f->qname = col_str(ld, res, i, 2);
		f->args = col_str(ld, res, i, 3);
		f->kind = col_char(res, i, 4);
		f->def = col_str(ld, res, i, 5);
		f->comment = col_str(ld, res, i, 6);
		f->late = (int)col_ll(res, i, 7);
		if (f->late < 1 && col_bool(res, i, 8))
			f->late = 1;
		f->privs = col_privs(ld, res, i, 9);
		f->oid = (unsigned)col_ll(res, i, 11);
		/* pg_get_functiondef() ends in a newline; the renderer adds ";\n". */
		size_t len = f->def ? strlen(f->def) : 0;
		while (len && f->def[len - 1] == '\n')
			((char *)f->def)[--len] = '\0';
		((struct cat_schema *)f->schema)->nfunctions++;
	}
	PQclear(res);
	for (size_t i = 0; i < cat->nschemas; i++) {
		cat->schemas[i].functions = arena_alloc(cat->arena, cat->schemas[i].nfunctions * sizeof(void *));
		cat->schemas[i].nfunctions = 0;
	}
	for (size_t i = 0; i < cat->nfuncs; i++) {
		struct cat_schema *s = (struct cat_schema *)cat->funcs[i].schema;
		s->functions[s->nfunctions++] = &cat->funcs[i];
	}
	for (size_t i = 0; i < cat->nschemas; i++)
		qsort(cat->schemas[i].functions, cat->schemas[i].nfunctions, sizeof(void *), cmp_funcp);
	return 0;
}

static void parse_labels(struct loader *ld, struct cat_type *t, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int n = cJSON_GetArraySize(arr);
	t->labels = arena_alloc(ld->cat->arena, (size_t)n * sizeof(char *));
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it))
			t->labels[t->nlabels++] = arena_strdup(ld->cat->arena, it->valuestring);
	cJSON_Delete(arr);
}

int load_types(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_schema(ld, SQL_TYPES);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->types = arena_alloc(cat->arena, (size_t)n * sizeof *cat->types);
	for (int i = 0; i < n; i++) {
		struct cat_schema *s = schema_by_oid(cat, (unsigned)col_ll(res, i, 0));
		char kind = col_char(res, i, 3);
		struct cat_type *t = &cat->types[cat->ntypes++];
		t->schema = s;
		t->name = col_str(ld, res, i, 1);
		t->qname = col_str(ld, res, i, 2);
		t->kind = kind;
		if (kind == 'e')
			parse_labels(ld, t, pg_val(res, i, 4));
		t->base = col_str(ld, res, i, 5);
		t->collation = col_str(ld, res, i, 6);
		t->defexpr = col_str(ld, res, i, 7);
		t->notnull = col_bool(res, i, 8);
		t->checks = col_str(ld, res, i, 9);
		if (kind == 'c')
			t->composite = rel_by_oid(cat, (unsigned)col_ll(res, i, 10));
		t->range_opts = col_str(ld, res, i, 11);
		t->comment = col_str(ld, res, i, 12);
		t->depth = (int)col_ll(res, i, 13);
		t->oid = (unsigned)col_ll(res, i, 14);
		t->privs = col_privs(ld, res, i, 15);
		t->base_opts = col_str(ld, res, i, 17);
		s->ntypes++;
	}
	PQclear(res);
	for (size_t i = 0; i < cat->nschemas; i++) {
		cat->schemas[i].types = arena_alloc(cat->arena, cat->schemas[i].ntypes * sizeof(void *));
		cat->schemas[i].ntypes = 0;
	}
	for (size_t i = 0; i < cat->ntypes; i++) {
		struct cat_schema *s = (struct cat_schema *)cat->types[i].schema;
		s->types[s->ntypes++] = &cat->types[i];
	}
	for (size_t i = 0; i < cat->nschemas; i++)
		qsort(cat->schemas[i].types, cat->schemas[i].ntypes, sizeof(void *), cmp_typep);
	return 0;
}

