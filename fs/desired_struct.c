/*
 * desired_struct.c: schemas, extensions and index and constraint renames
 * in the desired catalog (include/stage_struct.h). As in desired.c, what
 * no edit touches is shared with the live catalog, and what is edited is
 * copied into the desired catalog's arena.
 */
#include "stage_struct.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "stage.h"
#include "stage_json.h"

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int cmp_schema(const void *a, const void *b)
{
	return strcmp(((const struct cat_schema *)a)->name, ((const struct cat_schema *)b)->name);
}

static const char *comment_of(struct arena *a, const cJSON *e);

static const cJSON *schema_edit(const struct stage *st, unsigned oid)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "schemas"))
		if ((unsigned)num_of(e, "oid", 0) == oid)
			return e;
	return NULL;
}

void stage_desired_schemas(struct catalog *cat, const struct stage *st)
{
	const cJSON *edits = cJSON_GetObjectItemCaseSensitive(st->doc, "schemas"), *e;
	if (!cJSON_GetArraySize(edits))
		return;
	struct arena *a = cat->arena;
	size_t cap = cat->nschemas + (size_t)cJSON_GetArraySize(edits), n = 0;
	struct cat_schema *v = arena_alloc(a, cap * sizeof *v);
	for (size_t i = 0; i < cat->nschemas; i++) {
		e = schema_edit(st, cat->schemas[i].oid);
		if (e && bool_of(e, "drop"))
			continue;
		v[n] = cat->schemas[i];
		if (e && has(e, "name")) {
			v[n].name = dup_or_null(a, str_of(e, "name"));
			v[n].qname = dup_or_null(a, str_of(e, "qname"));
		}
		if (e && has(e, "comment"))	/* COMMENT ON SCHEMA */
			v[n].comment = comment_of(a, e);
		n++;
	}
	cJSON_ArrayForEach(e, edits) {
		if (num_of(e, "oid", 0) != 0 || !str_of(e, "name") || catalog_schema(cat, str_of(e, "name")))
			continue;
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = dup_or_null(a, str_of(e, "name"));
		v[n].qname = dup_or_null(a, str_of(e, "qname"));
		v[n].comment = comment_of(a, e);
		n++;
	}
	qsort(v, n, sizeof *v, cmp_schema);
	cat->schemas = v;
	cat->nschemas = n;
}

static int cmp_ext(const void *a, const void *b)
{
	return strcmp(((const struct cat_extension *)a)->name, ((const struct cat_extension *)b)->name);
}

/* A staged comment ("": none), in A. */
static const char *comment_of(struct arena *a, const cJSON *e)
{
	const char *c = str_of(e, "comment");
	return c && *c ? arena_strdup(a, c) : NULL;
}

static void desired_extensions(struct catalog *cat, const struct stage *st)
{
	const cJSON *edits = cJSON_GetObjectItemCaseSensitive(st->doc, "extensions"), *e;
	if (!cJSON_GetArraySize(edits))
		return;
	struct arena *a = cat->arena;
	size_t n = 0;
	struct cat_extension *v = arena_alloc(a, (cat->nexts + (size_t)cJSON_GetArraySize(edits)) * sizeof *v);
	for (size_t i = 0; i < cat->nexts; i++) {
		const cJSON *x = NULL;
		cJSON_ArrayForEach(e, edits)
			if (same(str_of(e, "name"), cat->exts[i].name))
				x = e;
		if (x && bool_of(x, "drop"))
			continue;
		v[n] = cat->exts[i];
		if (x) {
			v[n].qschema = dup_or_null(a, str_of(x, "schema"));
			v[n].version = dup_or_null(a, str_of(x, "version"));
			if (has(x, "comment"))
				v[n].comment = comment_of(a, x);
		}
		n++;
	}
	cJSON_ArrayForEach(e, edits) {
		if (!bool_of(e, "new"))
			continue;
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = dup_or_null(a, str_of(e, "name"));
		v[n].qname = dup_or_null(a, str_of(e, "qname"));
		v[n].qschema = dup_or_null(a, str_of(e, "schema"));
		v[n].version = dup_or_null(a, str_of(e, "version"));
		v[n].comment = comment_of(a, e);
		n++;
	}
	qsort(v, n, sizeof *v, cmp_ext);
	cat->exts = v;
	cat->nexts = n;
}

static int cmp_index(const void *a, const void *b)
{
	return strcmp(((const struct cat_index *)a)->name, ((const struct cat_index *)b)->name);
}

static int cmp_con(const void *a, const void *b)
{
	return strcmp(((const struct cat_constraint *)a)->name, ((const struct cat_constraint *)b)->name);
}

/* The desired table OID, made the catalog's own copy (its slot in its
 * schema's list, which desired.c always allocates, points to the copy). */
static struct cat_relation *own_table(struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->nschemas; i++) {
		struct cat_schema *s = &cat->schemas[i];
		for (size_t j = 0; j < s->ntables; j++) {
			if (s->tables[j]->oid != oid)
				continue;
			struct cat_relation *r = arena_alloc(cat->arena, sizeof *r);
			*r = *s->tables[j];
			struct cat_index *iv = arena_alloc(cat->arena, (r->nindexes + 1) * sizeof *iv);
			memcpy(iv, r->indexes, r->nindexes * sizeof *iv);
			r->indexes = iv;
			struct cat_constraint *cv = arena_alloc(cat->arena, (r->ncons + 1) * sizeof *cv);
			memcpy(cv, r->cons, r->ncons * sizeof *cv);
			r->cons = cv;
			s->tables[j] = r;
			return r;
		}
	}
	return NULL;
}

static void desired_renames(struct catalog *cat, const struct stage *st)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "renames")) {
		struct cat_relation *r = own_table(cat, (unsigned)num_of(e, "table", 0));
		const char *kind = str_of(e, "kind"), *from = str_of(e, "from");
		if (!r || !kind || !from || !str_of(e, "to"))
			continue;
		if (!strcmp(kind, "indexes")) {
			for (size_t i = 0; i < r->nindexes; i++) {
				if (strcmp(r->indexes[i].name, from))
					continue;
				r->indexes[i].name = arena_strdup(cat->arena, str_of(e, "to"));
				r->indexes[i].qname = dup_or_null(cat->arena, str_of(e, "qto"));
				if (str_of(e, "def"))
					r->indexes[i].def = arena_strdup(cat->arena, str_of(e, "def"));
			}
			qsort(r->indexes, r->nindexes, sizeof *r->indexes, cmp_index);
		} else {
			for (size_t i = 0; i < r->ncons; i++) {
				if (strcmp(r->cons[i].name, from))
					continue;
				r->cons[i].name = arena_strdup(cat->arena, str_of(e, "to"));
				r->cons[i].qname = dup_or_null(cat->arena, str_of(e, "qto"));
			}
			qsort(r->cons, r->ncons, sizeof *r->cons, cmp_con);
		}
	}
}

static int cmp_typep(const void *a, const void *b)
{
	return strcmp((*(struct cat_type *const *)a)->name, (*(struct cat_type *const *)b)->name);
}

/* ALTER TYPE ... ATTRIBUTE: the type with its relation's columns as staged. */
static struct cat_type *edited_composite(struct arena *a, const struct cat_type *live, const cJSON *attrs)
{
	struct cat_type *t = arena_alloc(a, sizeof *t);
	*t = *live;
	struct cat_relation *r = arena_alloc(a, sizeof *r);
	if (live->composite)
		*r = *live->composite;
	else
		memset(r, 0, sizeof *r);
	r->ncols = (size_t)cJSON_GetArraySize(attrs);
	struct cat_column *cols = arena_alloc(a, (r->ncols + 1) * sizeof *cols);
	memset(cols, 0, (r->ncols + 1) * sizeof *cols);
	for (size_t i = 0; i < r->ncols; i++) {
		const cJSON *o = cJSON_GetArrayItem(attrs, (int)i);
		cols[i].name = dup_or_null(a, str_of(o, "name"));
		cols[i].qname = dup_or_null(a, str_of(o, "qname"));
		cols[i].type = dup_or_null(a, str_of(o, "type"));
		cols[i].collation = dup_or_null(a, str_of(o, "collation"));
		cols[i].attnum = (int)i + 1;
		cols[i].islocal = true;
		/* A kept attribute keeps its comment. */
		for (size_t j = 0; live->composite && j < live->composite->ncols; j++)
			if (!strcmp(live->composite->cols[j].name, cols[i].name))
				cols[i].comment = live->composite->cols[j].comment;
	}
	r->cols = cols;
	t->composite = r;
	return t;
}

/* A new domain, composite or range type as its entry has it. */
static void new_sql_type(struct arena *a, struct cat_type *t, const cJSON *e)
{
	t->base = dup_or_null(a, str_of(e, "base"));
	t->collation = dup_or_null(a, str_of(e, "collation"));
	t->defexpr = dup_or_null(a, str_of(e, "default"));
	t->notnull = bool_of(e, "notnull");
	t->checks = dup_or_null(a, str_of(e, "checks"));
	t->range_opts = dup_or_null(a, str_of(e, "range"));
	t->comment = comment_of(a, e);
	if (t->kind == 'c') {
		const struct cat_type *made = edited_composite(a, t, cJSON_GetObjectItemCaseSensitive(e, "attrs"));
		t->composite = made->composite;
	}
}

static void desired_types(struct catalog *cat, const struct stage *st)
{
	const cJSON *edits = cJSON_GetObjectItemCaseSensitive(st->doc, "types"), *e;
	if (!cJSON_GetArraySize(edits))
		return;
	struct arena *a = cat->arena;
	for (size_t i = 0; i < cat->nschemas; i++) {
		struct cat_schema *s = &cat->schemas[i];
		size_t n = 0;
		struct cat_type **v = arena_alloc(a, (s->ntypes + (size_t)cJSON_GetArraySize(edits) + 1) * sizeof *v);
		for (size_t j = 0; j < s->ntypes; j++) {
			const cJSON *x = NULL;
			cJSON_ArrayForEach(e, edits)
				if (s->types[j]->oid && (unsigned)num_of(e, "oid", 0) == s->types[j]->oid)
					x = e;
			if (x && bool_of(x, "drop"))
				continue;
			v[n] = s->types[j];
			if (x && s->types[j]->kind == 'd' && has(x, "notnull")) {	/* ALTER DOMAIN */
				struct cat_type *t = arena_alloc(a, sizeof *t);
				*t = *s->types[j];
				t->defexpr = dup_or_null(a, str_of(x, "default"));
				t->notnull = bool_of(x, "notnull");
				t->checks = dup_or_null(a, str_of(x, "checks"));
				v[n] = t;
			}
			if (x && s->types[j]->kind == 'c' && has(x, "attrs"))
				v[n] = edited_composite(a, s->types[j], cJSON_GetObjectItemCaseSensitive(x, "attrs"));
			if (x && has(x, "comment")) {	/* COMMENT ON */
				struct cat_type *t = arena_alloc(a, sizeof *t);
				*t = *v[n];
				t->comment = comment_of(a, x);
				v[n] = t;
			}
			n++;
		}
		cJSON_ArrayForEach(e, edits) {
			if (num_of(e, "oid", 0) != 0 || !same(str_of(e, "schema"), s->name))
				continue;
			struct cat_type *t = arena_alloc(a, sizeof *t);
			memset(t, 0, sizeof *t);
			t->schema = s;
			t->name = arena_strdup(a, str_of(e, "name"));
			t->qname = arena_strdup(a, str_of(e, "qname"));
			const char *kind = str_of(e, "kind");
			t->kind = kind && *kind ? *kind : 'e';
			if (t->kind != 'e') {
				new_sql_type(a, t, e);
				v[n++] = t;
				continue;
			}
			const cJSON *labels = cJSON_GetObjectItemCaseSensitive(e, "labels");
			t->nlabels = (size_t)cJSON_GetArraySize(labels);
			const char **lv = arena_alloc(a, (t->nlabels + 1) * sizeof *lv);
			for (size_t j = 0; j < t->nlabels; j++)
				lv[j] = arena_strdup(a, cJSON_GetStringValue(cJSON_GetArrayItem(labels, (int)j)));
			t->labels = lv;
			v[n++] = t;
		}
		qsort(v, n, sizeof *v, cmp_typep);
		s->types = v;
		s->ntypes = n;
	}
}

void stage_desired_struct(struct catalog *cat, const struct stage *st)
{
	desired_extensions(cat, st);
	desired_types(cat, st);
	desired_renames(cat, st);
}
