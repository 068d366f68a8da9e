/*
 * desired.c: stage_desired(), the live catalog with the staged edits
 * applied, for the renderer (see include/stage.h). Objects that no edit
 * touches are shared with the live catalog; edited ones are copied into the
 * new catalog's arena, keeping their identity (oid, attnum).
 */
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "deps_stage.h"
#include "stage_json.h"
#include "stage_struct.h"
#include "tableopt.h"

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static void apply_def(struct arena *a, struct cat_column *c, const cJSON *d)
{
	const char *id = str_of(d, "identity"), *gen = str_of(d, "generated");
	char identity = id ? *id : 0;
	if (identity != c->identity)
		c->identity_seq = NULL, c->identity_seqname = NULL;
	c->type = dup_or_null(a, str_of(d, "type"));
	c->collation = dup_or_null(a, str_of(d, "collation"));
	c->defexpr = dup_or_null(a, str_of(d, "default"));
	c->notnull = bool_of(d, "notnull");
	c->identity = identity;
	c->generated = gen ? *gen : 0;
}

static const cJSON *column_edit(const cJSON *e, int attnum)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns"))
		if ((int)num_of(c, "attnum", 0) == attnum)
			return c;
	return NULL;
}

static const cJSON *named_edit(const cJSON *e, const char *kind, const char *name)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, kind))
		if (same(str_of(o, "name"), name))
			return o;
	return NULL;
}

static int cmp_index(const void *a, const void *b)
{
	return strcmp(((const struct cat_index *)a)->name, ((const struct cat_index *)b)->name);
}

static int cmp_con(const void *a, const void *b)
{
	return strcmp(((const struct cat_constraint *)a)->name, ((const struct cat_constraint *)b)->name);
}

/*
 * PostgreSQL 18 names each NOT NULL, <table>_<column>_not_null by default,
 * and a rename of the table or the column keeps the old name. The column
 * file then names it (catalog.h, notnull_name): so does the desired tree,
 * as the database will show it once the rename is applied.
 */
static void kept_notnull_name(struct arena *a, const struct cat_relation *r, const struct cat_relation *live,
			      struct cat_column *c, const struct cat_column *was)
{
	(void)a;
	/* An inherited column's NOT NULL is its parent's: not named here. */
	if (!c->notnull || c->notnull_name || !c->notnull_conname || !c->islocal ||
	    (!strcmp(r->name, live->name) && !strcmp(c->name, was->name)))
		return;
	if (!catalog_notnull_is_default(r->name, c->name, c->notnull_conname))
		c->notnull_name = c->notnull_qconname;
}

static void edit_columns(struct arena *a, struct cat_relation *r, const struct cat_relation *live,
			 const cJSON *e)
{
	size_t cap = (live ? live->ncols : 0) + (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(e, "columns"));
	struct cat_column *cols = arena_alloc(a, (cap ? cap : 1) * sizeof *cols);
	size_t n = 0;
	for (size_t i = 0; live && i < live->ncols; i++) {
		const cJSON *c = column_edit(e, live->cols[i].attnum);
		if (c && bool_of(c, "drop"))
			continue;
		cols[n] = live->cols[i];
		if (c) {
			cols[n].name = dup_or_null(a, str_of(c, "name"));
			cols[n].qname = dup_or_null(a, str_of(c, "qname"));
			if (has(c, "def"))
				apply_def(a, &cols[n], cJSON_GetObjectItem(c, "def"));
		}
		kept_notnull_name(a, r, live, &cols[n], &live->cols[i]);
		n++;
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns")) {
		if (num_of(c, "attnum", 0) != 0 || bool_of(c, "drop") || !has(c, "def"))
			continue;
		struct cat_column *nc = &cols[n++];
		memset(nc, 0, sizeof *nc);
		nc->name = dup_or_null(a, str_of(c, "name"));
		nc->qname = dup_or_null(a, str_of(c, "qname"));
		nc->islocal = true;
		apply_def(a, nc, cJSON_GetObjectItem(c, "def"));
		/* A new column's NOT NULL is named as its file says (18); a
		 * live one keeps its name (a rename is not staged). */
		nc->notnull_name = dup_or_null(a, str_of(cJSON_GetObjectItem(c, "def"), "notnull_name"));
		nc->notnull_noinherit = bool_of(cJSON_GetObjectItem(c, "def"), "notnull_noinherit");
	}
	r->cols = cols;
	r->ncols = n;
}

static void edit_indexes(struct arena *a, struct cat_relation *r, const struct cat_relation *live,
			 const cJSON *e)
{
	size_t cap = (live ? live->nindexes : 0) + (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(e, "indexes"));
	struct cat_index *v = arena_alloc(a, (cap ? cap : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; live && i < live->nindexes; i++)
		if (!named_edit(e, "indexes", live->indexes[i].name))
			v[n++] = live->indexes[i];
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, "indexes")) {
		if (bool_of(o, "drop") || !str_of(o, "def"))
			continue;
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = dup_or_null(a, str_of(o, "name"));
		v[n].qname = dup_or_null(a, str_of(o, "qname"));
		v[n].def = dup_or_null(a, str_of(o, "def"));
		n++;
	}
	qsort(v, n, sizeof *v, cmp_index);
	r->indexes = v;
	r->nindexes = n;
}

static void edit_constraints(struct arena *a, struct cat_relation *r, const struct cat_relation *live,
			     const cJSON *e)
{
	size_t cap = (live ? live->ncons : 0) + (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(e, "constraints"));
	struct cat_constraint *v = arena_alloc(a, (cap ? cap : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; live && i < live->ncons; i++)
		if (!named_edit(e, "constraints", live->cons[i].name))
			v[n++] = live->cons[i];
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, "constraints")) {
		if (bool_of(o, "drop") || !str_of(o, "def"))
			continue;
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = dup_or_null(a, str_of(o, "name"));
		v[n].qname = dup_or_null(a, str_of(o, "qname"));
		v[n].def = dup_or_null(a, str_of(o, "def"));
		const char *ty = str_of(o, "type");
		v[n].type = ty ? *ty : 'c';
		n++;
	}
	qsort(v, n, sizeof *v, cmp_con);
	r->cons = v;
	r->ncons = n;
}

/* Triggers and policies can only be dropped. */
static void edit_drops(struct cat_relation *r, struct arena *a, const cJSON *e)
{
	struct cat_trigger *tv = arena_alloc(a, (r->ntriggers ? r->ntriggers : 1) * sizeof *tv);
	size_t n = 0;
	for (size_t i = 0; i < r->ntriggers; i++)
		if (!named_edit(e, "triggers", r->triggers[i].name))
			tv[n++] = r->triggers[i];
	r->triggers = tv;
	r->ntriggers = n;
	struct cat_policy *pv = arena_alloc(a, (r->npolicies ? r->npolicies : 1) * sizeof *pv);
	n = 0;
	for (size_t i = 0; i < r->npolicies; i++)
		if (!named_edit(e, "policies", r->policies[i].name))
			pv[n++] = r->policies[i];
	r->policies = pv;
	r->npolicies = n;
}

/* The staged comments of R's columns, indexes and constraints (R's
 * arrays are the arena's copies by now). */
static void edit_comments(struct arena *a, struct cat_relation *r, const cJSON *e)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "comments")) {
		const char *kind = str_of(c, "kind"), *name = str_of(c, "name"), *text = str_of(c, "comment");
		const char *v = text && *text ? arena_strdup(a, text) : NULL;
		if (!kind || !name)
			continue;
		if (!strcmp(kind, "column")) {
			for (size_t i = 0; i < r->ncols; i++)
				if (!strcmp(r->cols[i].name, name))
					r->cols[i].comment = v;
		} else if (!strcmp(kind, "index")) {
			for (size_t i = 0; i < r->nindexes; i++)
				if (!strcmp(r->indexes[i].name, name))
					r->indexes[i].comment = v;
		} else {
			for (size_t i = 0; i < r->ncons; i++)
				if (!strcmp(r->cons[i].name, name))
					r->cons[i].comment = v;
		}
	}
}

static struct cat_relation *edited_table(struct arena *a, const struct cat_schema *s,
					 const struct cat_relation *live, const cJSON *e)
{
	struct cat_relation *r = arena_alloc(a, sizeof *r);
	if (live) {
		*r = *live;
	} else {
		memset(r, 0, sizeof *r);
		r->kind = REL_TABLE;
		r->persistence = 'p';
	}
	r->schema = s;
	if (has(e, "name")) {
		r->name = dup_or_null(a, str_of(e, "name"));
		r->qname = dup_or_null(a, str_of(e, "qname"));
	}
	if (has(e, "comment")) {
		const char *c = str_of(e, "comment");
		r->comment = c && *c ? arena_strdup(a, c) : NULL;
	}
	for (int o = 0; o < TO_N; o++)
		if (has(e, TABLE_OPTS[o].key))
			tableopt_set(r, o, bool_of(e, TABLE_OPTS[o].key));
	edit_columns(a, r, live, e);
	edit_indexes(a, r, live, e);
	edit_constraints(a, r, live, e);
	edit_drops(r, a, e);
	edit_comments(a, r, e);
	return r;
}

static int cmp_relp(const void *a, const void *b)
{
	return strcmp((*(struct cat_relation *const *)a)->name, (*(struct cat_relation *const *)b)->name);
}

static const cJSON *table_edit(const struct stage *st, unsigned oid)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "tables"))
		if ((unsigned)num_of(e, "oid", 0) == oid)
			return e;
	return NULL;
}

static void edit_schema_tables(struct arena *a, struct cat_schema *s, const struct stage *st)
{
	size_t cap = s->ntables + (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(st->doc, "tables"));
	struct cat_relation **v = arena_alloc(a, (cap ? cap : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < s->ntables; i++) {
		const cJSON *e = table_edit(st, s->tables[i]->oid);
		if (!e)
			v[n++] = s->tables[i];
		else if (!bool_of(e, "drop"))
			v[n++] = edited_table(a, s, s->tables[i], e);
	}
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "tables"))
		if (num_of(e, "oid", 0) == 0 && same(str_of(e, "schema"), s->name))
			v[n++] = edited_table(a, s, NULL, e);
	qsort(v, n, sizeof *v, cmp_relp);
	s->tables = v;
	s->ntables = n;
}

static void edit_schema_enums(struct arena *a, struct cat_schema *s, const struct stage *st)
{
	struct cat_type **v = NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "enums")) {
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		for (size_t i = 0; i < s->ntypes; i++) {
			if (s->types[i]->oid != oid)
				continue;
			if (!v) {
				v = arena_alloc(a, s->ntypes * sizeof *v);
				memcpy(v, s->types, s->ntypes * sizeof *v);
			}
			struct cat_type *t = arena_alloc(a, sizeof *t);
			*t = *s->types[i];
			const cJSON *labels = cJSON_GetObjectItem(e, "labels");
			t->nlabels = (size_t)cJSON_GetArraySize(labels);
			const char **lv = arena_alloc(a, (t->nlabels ? t->nlabels : 1) * sizeof *lv);
			for (size_t j = 0; j < t->nlabels; j++)
				lv[j] = arena_strdup(a, cJSON_GetStringValue(cJSON_GetArrayItem(labels, (int)j)));
			t->labels = lv;
			v[i] = t;
		}
	}
	if (v)
		s->types = v;
}

/* Staged object files: the tree shows their staged content (tree.c); a
 * staged rename hides the old name; other files an entry "shows" as
 * PostgreSQL deparses them after it (views using a renamed or re-created
 * one) follow, where they have no entry of their own. */
static void edit_objfiles(struct arena *a, struct catalog *cat, const struct stage *st)
{
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(st->doc, "objects"), *e, *o;
	size_t n = 0, k = 0;
	cJSON_ArrayForEach(e, objs)
		n += 1 + (str_of(e, "from") != NULL) + (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(e, "shows"));
	if (!n)
		return;
	struct cat_objfile *v = arena_alloc(a, n * sizeof *v);
	cJSON_ArrayForEach(e, objs) {
		v[k++] = (struct cat_objfile){ arena_strdup(a, str_of(e, "kind")), arena_strdup(a, str_of(e, "schema")),
					       dup_or_null(a, str_of(e, "table")), arena_strdup(a, str_of(e, "name")),
					       bool_of(e, "drop") ? NULL : dup_or_null(a, str_of(e, "file")) };
		if (str_of(e, "from"))
			v[k++] = (struct cat_objfile){
				arena_strdup(a, str_of(e, "kind")),
				arena_strdup(a, str_of(e, "from_schema") ? str_of(e, "from_schema") : str_of(e, "schema")),
				dup_or_null(a, str_of(e, "table")), arena_strdup(a, str_of(e, "from")), NULL };
	}
	cJSON_ArrayForEach(e, objs) {
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, "shows")) {
			struct stage_obj own;
			if (stage_obj_get(st, str_of(o, "kind"), str_of(o, "schema"), str_of(o, "table"), str_of(o, "name"),
					  &own) ||
			    stage_obj_renamed_away(st, str_of(o, "kind"), str_of(o, "schema"), str_of(o, "table"),
						   str_of(o, "name")))
				continue;
			v[k++] = (struct cat_objfile){ arena_strdup(a, str_of(o, "kind")),
						       arena_strdup(a, str_of(o, "schema")), dup_or_null(a, str_of(o, "table")),
						       arena_strdup(a, str_of(o, "name")), dup_or_null(a, str_of(o, "file")) };
		}
	}
	cat->objfiles = v;
	cat->nobjfiles = k;
}

struct catalog *stage_desired(const struct catalog *live, const struct stage *st)
{
	struct catalog *cat = catalog_new();
	struct arena *a = cat->arena;
	struct cat_life *life = cat->life;
	/* LIVE's fields but its arena and life: LIVE's reference count is
	 * changed by other threads (trees released by FUSE threads), so it
	 * is not in struct catalog, where this copy would read it. */
	*cat = *live;
	cat->arena = a;
	cat->life = life;
	/* Objects no edit touches are LIVE's: it stays while this does. */
	life->base = catalog_ref(live);
	cat->schemas = arena_alloc(a, (live->nschemas ? live->nschemas : 1) * sizeof *cat->schemas);
	memcpy(cat->schemas, live->schemas, live->nschemas * sizeof *cat->schemas);
	stage_desired_schemas(cat, st);
	for (size_t i = 0; i < cat->nschemas; i++) {
		edit_schema_tables(a, &cat->schemas[i], st);
		edit_schema_enums(a, &cat->schemas[i], st);
	}
	/* Definitions after the staged renames, as PostgreSQL deparses them,
	 * and the dependents staged drops take (deps_stage.h). */
	deps_desired(cat, live, st);
	edit_objfiles(a, cat, st);
	stage_desired_struct(cat, st);
	return cat;
}
