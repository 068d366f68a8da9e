/*
 * catalog_foreign.c: the loaders of foreign data (wrappers, servers with
 * their user mappings, foreign tables' servers and options), one query
 * each whatever their number; catalog.c runs them in the snapshot's
 * transaction. Wrappers and servers belong to no schema, so the schema
 * filter does not apply to them; foreign tables are relations of the
 * included schemas (SQL_RELATIONS, SQL_COLUMNS read the rest of them).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"

static int cmp_fdw(const void *a, const void *b)
{
	return by_name(((const struct cat_fdw *)a)->name, ((const struct cat_fdw *)b)->name);
}

static int cmp_server(const void *a, const void *b)
{
	return by_name(((const struct cat_server *)a)->name, ((const struct cat_server *)b)->name);
}

int load_fdws(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run(ld, SQL_FDWS, 0, NULL);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->fdws = arena_alloc(cat->arena, (size_t)n * sizeof *cat->fdws);
	for (int i = 0; i < n; i++) {
		struct cat_fdw *w = &cat->fdws[cat->nfdws++];
		w->name = col_str(ld, res, i, 0);
		w->qname = col_str(ld, res, i, 1);
		w->handler = col_str(ld, res, i, 2);
		w->validator = col_str(ld, res, i, 3);
		w->options = col_str(ld, res, i, 4);
		w->comment = col_str(ld, res, i, 5);
	}
	PQclear(res);
	qsort(cat->fdws, cat->nfdws, sizeof *cat->fdws, cmp_fdw);
	return 0;
}

/* [[user, options|null], ...] (sorted by the query) into S's mappings. */
static void user_mappings(struct loader *ld, struct cat_server *s, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int len = cJSON_GetArraySize(arr);
	s->mappings = len ? arena_alloc(ld->cat->arena, (size_t)len * sizeof *s->mappings) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const char *user = cJSON_GetStringValue(cJSON_GetArrayItem(it, 0));
		const char *opts = cJSON_GetStringValue(cJSON_GetArrayItem(it, 1));
		if (!user)
			continue;
		struct cat_user_mapping *m = &s->mappings[s->nmappings++];
		m->user = arena_strdup(ld->cat->arena, user);
		m->options = opts ? arena_strdup(ld->cat->arena, opts) : NULL;
	}
	cJSON_Delete(arr);
}

int load_servers(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run(ld, SQL_SERVERS, 0, NULL);
	if (!res)
		return -1;
	int n = PQntuples(res);
	cat->servers = arena_alloc(cat->arena, (size_t)n * sizeof *cat->servers);
	for (int i = 0; i < n; i++) {
		struct cat_server *s = &cat->servers[cat->nservers++];
		s->name = col_str(ld, res, i, 0);
		s->qname = col_str(ld, res, i, 1);
		s->fdw = col_str(ld, res, i, 2);
		s->type = col_str(ld, res, i, 3);
		s->version = col_str(ld, res, i, 4);
		s->options = col_str(ld, res, i, 5);
		s->comment = col_str(ld, res, i, 6);
		user_mappings(ld, s, pg_val(res, i, 7));
	}
	PQclear(res);
	qsort(cat->servers, cat->nservers, sizeof *cat->servers, cmp_server);
	return 0;
}

/* [[attnum, options], ...] onto R's columns. */
static void column_options(struct loader *ld, struct cat_relation *r, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const cJSON *num = cJSON_GetArrayItem(it, 0);
		const char *opts = cJSON_GetStringValue(cJSON_GetArrayItem(it, 1));
		struct cat_column *c = cJSON_IsNumber(num) && opts ?
			(struct cat_column *)catalog_column(r, num->valueint, NULL) : NULL;
		if (c)
			c->fdw_options = arena_strdup(ld->cat->arena, opts);
	}
	cJSON_Delete(arr);
}

/* After SQL_RELATIONS and SQL_COLUMNS: each foreign table's server and
 * options, and its columns'. */
int load_foreign_tables(struct loader *ld)
{
	PGresult *res = run_per_schema(ld, SQL_FOREIGN_TABLES);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct cat_relation *r = rel_by_oid(ld->cat, (unsigned)col_ll(res, i, 0));
		if (!r)
			continue;
		r->ft_server = col_str(ld, res, i, 1);
		r->ft_options = col_str(ld, res, i, 2);
		column_options(ld, r, pg_val(res, i, 3));
	}
	PQclear(res);
	return 0;
}
