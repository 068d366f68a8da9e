/* deps_stage.c: dependents in the stage document, for the desired tree and
 * the plan; see include/deps_stage.h. */
#include "deps_stage.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "deps.h"
#include "stage.h"
#include "stage_json.h"
#include "strbuf.h"

const char *deps_stage_kind(char kind)
{
	switch (kind) {
	case DEP_INDEX: return "indexes";
	case DEP_CONSTRAINT: return "constraints";
	case DEP_TRIGGER: return "triggers";
	case DEP_POLICY: return "policies";
	case DEP_RULE: return "rules";
	case DEP_SEQUENCE: return "sequences";
	default: return "views";
	}
}

/* ---- the desired tree ---- */

static struct cat_schema *schema_of(struct catalog *cat, const char *name)
{
	for (size_t i = 0; name && i < cat->nschemas; i++)
		if (!strcmp(cat->schemas[i].name, name))
			return &cat->schemas[i];
	return NULL;
}

/* The desired table NAME of S, as a copy of its own in A (the desired
 * catalog shares unedited tables with the live one). */
static struct cat_relation *own_table(struct arena *a, struct cat_schema *s, const char *name)
{
	for (size_t i = 0; s && i < s->ntables; i++) {
		if (strcmp(s->tables[i]->name, name))
			continue;
		struct cat_relation *r = arena_alloc(a, sizeof *r);
		*r = *s->tables[i];
		s->tables[i] = r;
		return r;
	}
	return NULL;
}

/* The same for a view or materialized view: the arrays are the live
 * catalog's, so they are copied first. */
static struct cat_relation *own_view(struct arena *a, struct cat_schema *s, const char *name)
{
	struct cat_relation ***arrays[] = { &s->views, &s->matviews };
	size_t counts[] = { s->nviews, s->nmatviews };
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < counts[k]; i++) {
			if (strcmp((*arrays[k])[i]->name, name))
				continue;
			struct cat_relation **v = arena_alloc(a, counts[k] * sizeof *v);
			memcpy(v, *arrays[k], counts[k] * sizeof *v);
			struct cat_relation *r = arena_alloc(a, sizeof *r);
			*r = *v[i];
			v[i] = r;
			*arrays[k] = v;
			return r;
		}
	}
	return NULL;
}

/* A staged edit of object NAME of KIND in table entry E: its own definition wins. */
static bool staged_object(const cJSON *e, const char *kind, const char *name)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, kind))
		if (same(str_of(o, "name"), name))
			return true;
	return false;
}

static const cJSON *table_entry(const struct stage *st, unsigned oid)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "tables"))
		if (oid && (unsigned)num_of(e, "oid", 0) == oid)
			return e;
	return NULL;
}

#define REPLACE_DEF(arr, n, field, value) do { \
	__typeof__(arr) v_ = arena_alloc(a, ((n) ? (n) : 1) * sizeof *v_); \
	memcpy(v_, arr, (n) * sizeof *v_); \
	for (size_t i_ = 0; i_ < (n); i_++) \
		if (!strcmp(v_[i_].name, name)) \
			v_[i_].field = (value); \
	arr = v_; \
} while (0)

static void apply_deparsed(struct arena *a, struct catalog *cat, const struct stage *st, const cJSON *d)
{
	const char *kind = str_of(d, "kind"), *name = str_of(d, "name"), *def = str_of(d, "def");
	struct cat_schema *s = schema_of(cat, str_of(d, "schema"));
	if (!s || !kind || !name)
		return;
	if (!strcmp(kind, "views")) {
		struct cat_relation *v = own_view(a, s, str_of(d, "rel"));
		if (v && def)
			v->viewdef = arena_strdup(a, def);
		return;
	}
	const struct cat_relation *want = catalog_table(cat, s->name, str_of(d, "rel"));
	if (!want || staged_object(table_entry(st, want->oid), kind, name))
		return;
	struct cat_relation *r = own_table(a, s, want->name);
	const char *text = def ? arena_strdup(a, def) : NULL;
	if (!strcmp(kind, "indexes") && text)
		REPLACE_DEF(r->indexes, r->nindexes, def, text);
	else if (!strcmp(kind, "constraints") && text)
		REPLACE_DEF(r->cons, r->ncons, def, text);
	else if (!strcmp(kind, "triggers") && text)
		REPLACE_DEF(r->triggers, r->ntriggers, def, text);
	else if (!strcmp(kind, "policies")) {
		const char *q = str_of(d, "qual"), *c = str_of(d, "check");
		REPLACE_DEF(r->policies, r->npolicies, qual, q ? arena_strdup(a, q) : NULL);
		REPLACE_DEF(r->policies, r->npolicies, check, c ? arena_strdup(a, c) : NULL);
	}
}

#define DROP_NAMED(arr, n) do { \
	__typeof__(arr) v_ = arena_alloc(a, ((n) ? (n) : 1) * sizeof *v_); \
	size_t k_ = 0; \
	for (size_t i_ = 0; i_ < (n); i_++) \
		if (strcmp((arr)[i_].name, name)) \
			v_[k_++] = (arr)[i_]; \
	arr = v_; \
	n = k_; \
} while (0)

/* A dependent a staged drop takes: gone from the table it is on. */
static void apply_take(struct arena *a, struct catalog *cat, const struct catalog *live, const cJSON *t)
{
	const char *kind = str_of(t, "kind"), *name = str_of(t, "name");
	const struct cat_relation *lr = catalog_table(live, str_of(t, "schema"), str_of(t, "rel"));
	struct cat_schema *s = lr ? schema_of(cat, lr->schema->name) : NULL;
	for (size_t i = 0; s && i < s->ntables; i++) {
		if (s->tables[i]->oid != lr->oid)
			continue;
		struct cat_relation *r = own_table(a, s, s->tables[i]->name);
		if (!strcmp(kind, "indexes"))
			DROP_NAMED(r->indexes, r->nindexes);
		else if (!strcmp(kind, "constraints"))
			DROP_NAMED(r->cons, r->ncons);
		else if (!strcmp(kind, "triggers"))
			DROP_NAMED(r->triggers, r->ntriggers);
		else if (!strcmp(kind, "policies"))
			DROP_NAMED(r->policies, r->npolicies);
		return;
	}
}

void deps_desired(struct catalog *desired, const struct catalog *live, const struct stage *st)
{
	const cJSON *d, *e, *c, *t;
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(st->doc, "deparsed"))
		apply_deparsed(desired->arena, desired, st, d);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "tables")) {
		if (bool_of(e, "drop"))
			continue;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns"))
			if (bool_of(c, "drop"))
				cJSON_ArrayForEach(t, cJSON_GetObjectItem(c, "takes"))
					apply_take(desired->arena, desired, live, t);
	}
}

/* ---- renames ---- */

bool deps_has_renames(const cJSON *doc, const struct catalog *live)
{
	const cJSON *e, *c;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "tables")) {
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		const struct cat_relation *r = oid ? catalog_rel(live, oid) : NULL;
		if (!r || bool_of(e, "drop"))
			continue;
		if (has(e, "name") && !same(str_of(e, "name"), r->name))
			return true;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns")) {
			int attnum = (int)num_of(c, "attnum", 0);
			const struct cat_column *lc = attnum ? catalog_column(r, attnum, NULL) : NULL;
			if (lc && !bool_of(c, "drop") && !same(str_of(c, "name"), lc->name))
				return true;
		}
	}
	return false;
}

int deps_prune(cJSON *doc, const struct catalog *live)
{
	if (!has(doc, "deparsed") || deps_has_renames(doc, live))
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "deparsed");
	return 1;
}

/* ---- the plan ---- */

void deps_plan_takes(struct strbuf *hz, const cJSON *entry, const char *what)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(entry, "takes"))
		sb_addf(hz, "%s%s is dropped with %s", hz->len ? "\n" : "", str_of(t, "shown"), what);
}

struct retyped {
	const cJSON *dep;
	const char *subject;	/* the table, or the object */
	char *uses;		/* "customer.full_name", "view public.base" */
	size_t order;
	bool object;		/* around an object's DROP + CREATE */
};

/* Adds dependent D of SUBJECT (using USES) to V, once: one that is around
 * an object's DROP + CREATE too is planned around it (earlier drop, later
 * creation), which covers a column's change as well. */
static void collect(struct retyped **v, size_t *n, size_t *cap, const cJSON *d, const char *subject,
		    const char *uses, bool object)
{
	for (size_t i = 0; i < *n; i++) {
		if (same(str_of((*v)[i].dep, "shown"), str_of(d, "shown"))) {
			(*v)[i].object |= object;
			return;
		}
	}
	if (*n == *cap && !(*v = realloc(*v, (*cap = *cap ? 2 * *cap : 8) * sizeof **v)))
		abort();
	char *u = strdup(uses);
	if (!u)
		abort();
	(*v)[*n] = (struct retyped){ d, subject, u, *n, object };
	(*n)++;
}

static int by_depth(const void *x, const void *y)
{
	const struct retyped *a = x, *b = y;
	double da = num_of(a->dep, "depth", 1), db = num_of(b->dep, "depth", 1);
	if (da != db)
		return da > db ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

void deps_plan_retype(const cJSON *doc, const struct catalog *live, deps_plan_add add, void *ctx)
{
	struct retyped *v = NULL;
	size_t n = 0, cap = 0;
	const cJSON *e, *c, *d;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "tables")) {
		const struct cat_relation *r = catalog_rel(live, (unsigned)num_of(e, "oid", 0));
		if (!r || bool_of(e, "drop"))
			continue;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns")) {
			const struct cat_column *lc = (num_of(c, "attnum", 0) ? catalog_column(r, (int)num_of(c, "attnum", 0), NULL) : NULL);
			if (!lc || bool_of(c, "drop"))
				continue;
			struct strbuf uses = STRBUF_INIT;
			sb_addf(&uses, "%s.%s", r->name, lc->name);
			cJSON_ArrayForEach(d, cJSON_GetObjectItem(c, "dependents"))
				collect(&v, &n, &cap, d, r->name, sb_str(&uses), false);
			strbuf_free(&uses);
		}
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "objects"))
		cJSON_ArrayForEach(d, cJSON_GetObjectItem(e, "dependents"))
			collect(&v, &n, &cap, d, str_of(e, "name"), str_of(e, "shown") ? str_of(e, "shown") : "it", true);
	if (n)
		qsort(v, n, sizeof *v, by_depth);
	struct strbuf hz = STRBUF_INIT, tag = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sb_reset(&hz);
		sb_reset(&tag);
		sb_addf(&hz, "%s is dropped and re-created (it uses %s)", str_of(v[i].dep, "shown"), v[i].uses);
		sb_addf(&tag, "%s_dependents", v[i].subject);
		add(ctx, false, v[i].object, str_of(v[i].dep, "drop"), v[i].subject, sb_str(&tag), sb_str(&hz));
	}
	for (size_t i = n; i-- > 0;) {
		sb_reset(&tag);
		sb_addf(&tag, "%s_dependents", v[i].subject);
		add(ctx, true, v[i].object, str_of(v[i].dep, "create"), v[i].subject, sb_str(&tag), NULL);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].uses);
	free(v);
	strbuf_free(&hz);
	strbuf_free(&tag);
}
