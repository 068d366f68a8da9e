/*
 * catalog_textsearch.c: the loader of text search objects (templates,
 * parsers, dictionaries, configurations with their mappings) of the
 * included schemas, all four kinds in one query whatever their number;
 * catalog.c runs it in the snapshot's transaction.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"

/* schema.sql's order: templates and parsers (which need only functions),
 * then dictionaries (which need templates), then configurations. */
static int kind_rank(char kind)
{
	return kind == TS_TEMPLATE ? 0 : kind == TS_PARSER ? 1 : kind == TS_DICT ? 2 : 3;
}

static int cmp_tsp(const void *a, const void *b)
{
	const struct cat_ts *x = *(struct cat_ts *const *)a, *y = *(struct cat_ts *const *)b;
	int c = kind_rank(x->kind) - kind_rank(y->kind);
	return c ? c : by_name(x->name, y->name);
}

/* [[alias, dicts], ...] into T's mappings. */
static void mappings(struct loader *ld, struct cat_ts *t, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int len = cJSON_GetArraySize(arr);
	t->maps = len ? arena_alloc(ld->cat->arena, (size_t)len * sizeof *t->maps) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const char *token = cJSON_GetStringValue(cJSON_GetArrayItem(it, 0));
		const char *dicts = cJSON_GetStringValue(cJSON_GetArrayItem(it, 1));
		if (!token || !dicts)
			continue;
		t->maps[t->nmaps].token = arena_strdup(ld->cat->arena, token);
		t->maps[t->nmaps++].dicts = arena_strdup(ld->cat->arena, dicts);
	}
	cJSON_Delete(arr);
}

int load_text_search(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_schema(ld, SQL_TEXT_SEARCH);
	if (!res)
		return -1;
	int n = PQntuples(res);
	struct cat_ts *all = arena_alloc(cat->arena, (size_t)n * sizeof *all);
	for (int i = 0; i < n; i++) {
		struct cat_ts *t = &all[i];
		struct cat_schema *s = schema_by_oid(cat, (unsigned)col_ll(res, i, 0));
		t->schema = s;
		t->kind = col_char(res, i, 1);
		t->name = col_str(ld, res, i, 2);
		t->qname = col_str(ld, res, i, 3);
		for (int k = 0; k < 5; k++)
			t->f[k] = col_str(ld, res, i, 4 + k);
		mappings(ld, t, pg_val(res, i, 9));
		t->comment = col_str(ld, res, i, 10);
		s->nts++;
	}
	PQclear(res);
	for (size_t i = 0; i < cat->nschemas; i++) {
		cat->schemas[i].ts = arena_alloc(cat->arena, cat->schemas[i].nts * sizeof(void *));
		cat->schemas[i].nts = 0;
	}
	for (int i = 0; i < n; i++) {
		struct cat_schema *s = (struct cat_schema *)all[i].schema;
		s->ts[s->nts++] = &all[i];
	}
	for (size_t i = 0; i < cat->nschemas; i++)
		qsort(cat->schemas[i].ts, cat->schemas[i].nts, sizeof(void *), cmp_tsp);
	return 0;
}
