/*
 * catalog_global.c: the loaders of the database-wide kinds (casts, event
 * triggers, publications), one query each whatever their number; catalog.c
 * runs them in the snapshot's transaction. They belong to no schema, so
 * the schema filter does not apply to them.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"
#include "strbuf.h"

static int cmp_cast(const void *a, const void *b)
{
	const struct cat_cast *x = a, *y = b;
	int c = by_name(x->source, y->source);
	return c ? c : by_name(x->target, y->target);
}

static int cmp_evtrig(const void *a, const void *b)
{
	return by_name(((const struct cat_event_trigger *)a)->name, ((const struct cat_event_trigger *)b)->name);
}

static int cmp_pub(const void *a, const void *b)
{
	return by_name(((const struct cat_publication *)a)->name, ((const struct cat_publication *)b)->name);
}

int load_casts(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run(ld, SQL_CASTS, 0, NULL);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->casts = arena_alloc(cat->arena, (size_t)n * sizeof *cat->casts);
	for (int i = 0; i < n; i++) {
		struct cat_cast *c = &cat->casts[cat->ncasts++];
		c->source = col_str(ld, res, i, 0);
		c->target = col_str(ld, res, i, 1);
		c->func = col_str(ld, res, i, 2);
		c->method = col_char(res, i, 3);
		c->context = col_char(res, i, 4);
		c->comment = col_str(ld, res, i, 5);
		c->late = (int)col_ll(res, i, 6);
	}
	PQclear(res);
	/* The file name is "<source> AS <target>": sorting by source, then
	 * target, gives the same order unless a type name holds " AS ". */
	qsort(cat->casts, cat->ncasts, sizeof *cat->casts, cmp_cast);
	return 0;
}

/* A JSON array of strings into the arena; NULL (and 0) for SQL NULL. */
static const char **json_strings(struct loader *ld, const char *json, size_t *n)
{
	*n = 0;
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int len = cJSON_GetArraySize(arr);
	const char **v = len ? arena_alloc(ld->cat->arena, (size_t)len * sizeof *v) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it))
			v[(*n)++] = arena_strdup(ld->cat->arena, it->valuestring);
	cJSON_Delete(arr);
	return v;
}

int load_event_triggers(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run(ld, SQL_EVENT_TRIGGERS, 0, NULL);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->evtrigs = arena_alloc(cat->arena, (size_t)n * sizeof *cat->evtrigs);
	for (int i = 0; i < n; i++) {
		struct cat_event_trigger *e = &cat->evtrigs[cat->nevtrigs++];
		e->name = col_str(ld, res, i, 0);
		e->qname = col_str(ld, res, i, 1);
		e->event = col_str(ld, res, i, 2);
		e->tags = json_strings(ld, pg_val(res, i, 3), &e->ntags);
		e->func = col_str(ld, res, i, 4);
		e->enabled = col_char(res, i, 5);
		e->comment = col_str(ld, res, i, 6);
	}
	PQclear(res);
	qsort(cat->evtrigs, cat->nevtrigs, sizeof *cat->evtrigs, cmp_evtrig);
	return 0;
}

/* [[qname, columns|null, filter|null], ...] into P's tables. */
static void pub_tables(struct loader *ld, struct cat_publication *p, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int len = cJSON_GetArraySize(arr);
	p->tables = len ? arena_alloc(ld->cat->arena, (size_t)len * sizeof *p->tables) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const char *qname = cJSON_GetStringValue(cJSON_GetArrayItem(it, 0));
		if (!qname)
			continue;
		const char *cols = cJSON_GetStringValue(cJSON_GetArrayItem(it, 1));
		const char *filter = cJSON_GetStringValue(cJSON_GetArrayItem(it, 2));
		struct cat_pub_table *t = &p->tables[p->ntables++];
		t->qname = arena_strdup(ld->cat->arena, qname);
		t->columns = cols ? arena_strdup(ld->cat->arena, cols) : NULL;
		t->filter = filter ? arena_strdup(ld->cat->arena, filter) : NULL;
	}
	cJSON_Delete(arr);
}

int load_publications(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run(ld, SQL_PUBLICATIONS, 0, NULL);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->pubs = arena_alloc(cat->arena, (size_t)n * sizeof *cat->pubs);
	for (int i = 0; i < n; i++) {
		struct cat_publication *p = &cat->pubs[cat->npubs++];
		p->name = col_str(ld, res, i, 0);
		p->qname = col_str(ld, res, i, 1);
		p->all_tables = col_bool(res, i, 2);
		p->insert = col_bool(res, i, 3);
		p->update = col_bool(res, i, 4);
		p->delete_ = col_bool(res, i, 5);
		p->truncate = col_bool(res, i, 6);
		p->via_root = col_bool(res, i, 7);
		p->comment = col_str(ld, res, i, 8);
		pub_tables(ld, p, pg_val(res, i, 9));
		p->schemas = json_strings(ld, pg_val(res, i, 10), &p->nschemas);
	}
	PQclear(res);
	qsort(cat->pubs, cat->npubs, sizeof *cat->pubs, cmp_pub);
	return 0;
}
