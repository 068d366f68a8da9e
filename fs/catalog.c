/* catalog.c: batched loading of a schema snapshot; see include/catalog.h. */
#include "catalog.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_sql.h"
#include "pg.h"
#include "strbuf.h"

struct loader {
	PGconn *conn;
	struct catalog *cat;
	char *err;
	size_t errlen;
	const char *schema_oids;	/* "{1,2,3}": $1 of the per-kind queries */
};

static struct cat_schema *schema_by_oid(struct catalog *cat, unsigned oid);

struct catalog *catalog_new(void)
{
	struct arena *a = arena_new();
	if (!a)
		return NULL;
	struct catalog *cat = arena_alloc(a, sizeof *cat);
	cat->arena = a;
	return cat;
}

void catalog_free(struct catalog *cat)
{
	if (cat)
		arena_free(cat->arena);	/* the catalog itself lives in its arena */
}

/* Copies of result values into the catalog's arena. */
static const char *col_str(struct loader *ld, PGresult *res, int row, int col)
{
	return arena_strdup(ld->cat->arena, pg_val(res, row, col));
}

static bool col_bool(PGresult *res, int row, int col)
{
	const char *v = pg_val(res, row, col);
	return v && v[0] == 't';
}

static char col_char(PGresult *res, int row, int col)
{
	const char *v = pg_val(res, row, col);
	return v ? v[0] : 0;
}

static long long col_ll(PGresult *res, int row, int col)
{
	const char *v = pg_val(res, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

static PGresult *run(struct loader *ld, const char *sql, int nparams, const char *const *params)
{
	ld->cat->queries++;
	return pg_exec(ld->conn, sql, nparams, params, ld->err, ld->errlen);
}

static PGresult *run_per_schema(struct loader *ld, const char *sql)
{
	const char *params[] = { ld->schema_oids };
	return run(ld, sql, 1, params);
}

static int by_name(const char *a, const char *b)
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

/* "{1,2}" (an oid[] as text) into an array in the arena. */
static const unsigned *parse_oids(struct loader *ld, const char *text, size_t *n)
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
static int load_schema_texts(struct loader *ld, const char *sql, size_t list_off, size_t count_off)
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

static int load_omitted(struct loader *ld)
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

#define DEFINE_CMP_BY_NAME(fn, type) \
	static int fn(const void *a, const void *b) \
	{ return by_name(((const type *)a)->name, ((const type *)b)->name); }
DEFINE_CMP_BY_NAME(cmp_index, struct cat_index)
DEFINE_CMP_BY_NAME(cmp_con, struct cat_constraint)
DEFINE_CMP_BY_NAME(cmp_trigger, struct cat_trigger)
DEFINE_CMP_BY_NAME(cmp_policy, struct cat_policy)
DEFINE_CMP_BY_NAME(cmp_ext, struct cat_extension)

static struct cat_schema *schema_by_oid(struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->nschemas; i++)
		if (cat->schemas[i].oid == oid)
			return &cat->schemas[i];
	return NULL;
}

static struct cat_relation *rel_by_oid(struct catalog *cat, unsigned oid)
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

static void omit(struct catalog *cat, const char *what, const struct cat_schema *s, const char *qname)
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
	const char *params[] = { f->tracking_schema ? f->tracking_schema : "",
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
	PGresult *res = run_per_schema(ld, SQL_RELATIONS);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->rels = arena_alloc(cat->arena, (size_t)n * sizeof *cat->rels);
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
	}
	PQclear(res);

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
			}
			s->ntables = s->nviews = s->nmatviews = s->nsequences = 0;
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
				if (pass) omit(cat, "foreign table", s, r->qname);
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
	}
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

static void fill_columns(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
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
	}
}

static void fill_indexes(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->indexes = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->indexes);
	for (int i = from; i < to; i++) {
		struct cat_index *x = &r->indexes[r->nindexes++];
		x->name = col_str(ld, res, i, 1);
		x->qname = col_str(ld, res, i, 2);
		x->def = col_str(ld, res, i, 3);
		x->parent = col_str(ld, res, i, 4);
		x->comment = col_str(ld, res, i, 5);
	}
	qsort(r->indexes, r->nindexes, sizeof *r->indexes, cmp_index);
}

static void fill_constraints(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->cons = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->cons);
	for (int i = from; i < to; i++) {
		struct cat_constraint *k = &r->cons[r->ncons++];
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
	}
	qsort(r->cons, r->ncons, sizeof *r->cons, cmp_con);
}

static void fill_triggers(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->triggers = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof *r->triggers);
	for (int i = from; i < to; i++) {
		struct cat_trigger *t = &r->triggers[r->ntriggers++];
		t->name = col_str(ld, res, i, 1);
		t->qname = col_str(ld, res, i, 2);
		t->def = col_str(ld, res, i, 3);
		t->enabled = col_char(res, i, 4);
		t->comment = col_str(ld, res, i, 5);
	}
	qsort(r->triggers, r->ntriggers, sizeof *r->triggers, cmp_trigger);
}

static void fill_policies(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
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
	}
	qsort(r->policies, r->npolicies, sizeof *r->policies, cmp_policy);
}

static void fill_settings(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to)
{
	r->settings = arena_alloc(ld->cat->arena, (size_t)(to - from) * sizeof(char *));
	for (int i = from; i < to; i++)
		r->settings[r->nsettings++] = col_str(ld, res, i, 1);
}

static int load_rel_parts(struct loader *ld, const char *sql,
			  void (*fill)(struct loader *, PGresult *, struct cat_relation *, int, int))
{
	PGresult *res = run_per_schema(ld, sql);
	if (!res)
		return -1;
	for_each_rel_rows(ld, res, fill);
	PQclear(res);
	return 0;
}

static int load_functions(struct loader *ld)
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

static int load_types(struct loader *ld)
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
		if (kind == 'b') {
			omit(cat, "base type", s, PQgetvalue(res, i, 2));
			continue;
		}
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

/* The Drizzle tracking rows, when the table exists (two queries at most). */
static int load_tracking(struct loader *ld, const struct catalog_filter *f)
{
	struct catalog *cat = ld->cat;
	if (!f->tracking_schema || !f->tracking_table)
		return 0;
	char *qs = PQescapeIdentifier(ld->conn, f->tracking_schema, strlen(f->tracking_schema));
	char *qt = PQescapeIdentifier(ld->conn, f->tracking_table, strlen(f->tracking_table));
	int ret = -1;
	struct strbuf sb = STRBUF_INIT;
	PGresult *res = NULL;
	if (!qs || !qt) {
		snprintf(ld->err, ld->errlen, "%s", PQerrorMessage(ld->conn));
		goto out;
	}
	sb_add_qual(&sb, qs, qt);
	const char *params[] = { sb_str(&sb) };
	res = run(ld, SQL_TRACKING_EXISTS, 1, params);
	if (!res)
		goto out;
	cat->has_tracking = col_bool(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (cat->has_tracking) {
		struct strbuf q = STRBUF_INIT;
		sb_addf(&q, "SELECT id, hash, created_at FROM %s ORDER BY id", sb_str(&sb));
		res = run(ld, sb_str(&q), 0, NULL);
		strbuf_free(&q);
		if (!res)
			goto out;
		int n = PQntuples(res);
		cat->migrations = arena_alloc(cat->arena, (size_t)n * sizeof *cat->migrations);
		for (int i = 0; i < n; i++) {
			struct cat_migration *m = &cat->migrations[cat->nmigrations++];
			m->id = col_ll(res, i, 0);
			m->hash = col_str(ld, res, i, 1);
			m->created_at = col_ll(res, i, 2);
		}
	}
	ret = 0;
out:
	PQclear(res);
	PQfreemem(qs);
	PQfreemem(qt);
	strbuf_free(&sb);
	return ret;
}

char *catalog_fingerprint(PGconn *conn, const struct catalog_filter *filter, bool with_tracking,
			  char *err, size_t errlen)
{
	struct strbuf fp = STRBUF_INIT, q = STRBUF_INIT;
	char *qs = NULL, *qt = NULL, *ret = NULL;
	PGresult *res = pg_exec(conn, SQL_FINGERPRINT, 0, NULL, err, errlen);
	if (!res)
		goto out;
	sb_add(&fp, PQgetvalue(res, 0, 0));
	PQclear(res);
	if (with_tracking && filter->tracking_schema && filter->tracking_table) {
		qs = PQescapeIdentifier(conn, filter->tracking_schema, strlen(filter->tracking_schema));
		qt = PQescapeIdentifier(conn, filter->tracking_table, strlen(filter->tracking_table));
		if (!qs || !qt) {
			snprintf(err, errlen, "%s", PQerrorMessage(conn));
			goto out;
		}
		sb_addf(&q, "SELECT count(*) || ':' || coalesce(max(id), 0) FROM %s.%s", qs, qt);
		res = pg_exec(conn, sb_str(&q), 0, NULL, err, errlen);
		if (!res)
			goto out;
		sb_addf(&fp, ",%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	ret = strbuf_detach(&fp, NULL);
out:
	PQfreemem(qs);
	PQfreemem(qt);
	strbuf_free(&fp);
	strbuf_free(&q);
	return ret;
}

struct catalog *catalog_load(PGconn *conn, const struct catalog_filter *filter,
			     char *err, size_t errlen)
{
	struct catalog *cat = catalog_new();
	struct loader ld = { conn, cat, err, errlen, NULL };
	bool in_tx = false;
	if (!cat) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* One snapshot for every query; search_path fixed so that deparsed
	 * names are qualified the same way whoever mounts. */
	if (pg_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen))
		goto fail;
	in_tx = true;
	if (pg_command(conn, "SELECT pg_catalog.set_config('search_path', 'public', true)", err, errlen))
		goto fail;
	cat->dbname = arena_strdup(cat->arena, PQdb(conn));
	if (load_schemas(&ld, filter) || load_extensions(&ld) || load_relations(&ld) ||
	    load_rel_parts(&ld, SQL_COLUMNS, fill_columns) ||
	    load_rel_parts(&ld, SQL_INDEXES, fill_indexes) ||
	    load_rel_parts(&ld, SQL_CONSTRAINTS, fill_constraints) ||
	    load_rel_parts(&ld, SQL_TRIGGERS, fill_triggers) ||
	    load_rel_parts(&ld, SQL_POLICIES, fill_policies) ||
	    load_rel_parts(&ld, SQL_SETTINGS, fill_settings) ||
	    load_functions(&ld) || load_types(&ld) ||
	    load_schema_texts(&ld, SQL_COLLATIONS, offsetof(struct cat_schema, collations),
			      offsetof(struct cat_schema, ncollations)) ||
	    load_schema_texts(&ld, SQL_OPERATORS, offsetof(struct cat_schema, operators),
			      offsetof(struct cat_schema, noperators)) ||
	    load_omitted(&ld) || load_tracking(&ld, filter))
		goto fail;
	if (pg_command(conn, "COMMIT", err, errlen))
		goto fail;
	return cat;
fail:
	if (in_tx && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		PGresult *r = PQexec(conn, "ROLLBACK");
		PQclear(r);
	}
	catalog_free(cat);
	return NULL;
}
