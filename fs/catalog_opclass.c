/*
 * catalog_opclass.c: the loaders of operator classes and operator families
 * of the included schemas, one query each whatever their number; catalog.c
 * runs them in the snapshot's transaction. A family that CREATE OPERATOR
 * CLASS made implicitly (SQL_OPF_IMPLICIT) is not read as a family: its
 * class stands for it.
 */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"

static int cmp_opcp(const void *a, const void *b)
{
	const struct cat_opclass *x = *(struct cat_opclass *const *)a, *y = *(struct cat_opclass *const *)b;
	int c = by_name(x->name, y->name);
	return c ? c : by_name(x->am, y->am);
}

/* A JSON array of member lines into O. */
static void members(struct loader *ld, struct cat_opclass *o, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int len = cJSON_GetArraySize(arr);
	o->members = len ? arena_alloc(ld->cat->arena, (size_t)len * sizeof *o->members) : NULL;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it))
			o->members[o->nmembers++] = arena_strdup(ld->cat->arena, it->valuestring);
	cJSON_Delete(arr);
}

/* Rows of SQL (classes, or families with KIND 'f') into each schema's list
 * at LIST_OFF / COUNT_OFF, sorted by name, then access method. */
static int load_kind(struct loader *ld, const char *sql, char kind, size_t list_off, size_t count_off)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_schema(ld, sql);
	if (!res)
		return -1;
	int n = PQntuples(res);
	struct cat_opclass *all = arena_alloc(cat->arena, (size_t)n * sizeof *all);
	for (int i = 0; i < n; i++) {
		struct cat_opclass *o = &all[i];
		struct cat_schema *s = schema_by_oid(cat, (unsigned)col_ll(res, i, 0));
		o->schema = s;
		o->kind = kind;
		o->name = col_str(ld, res, i, 1);
		o->qname = col_str(ld, res, i, 2);
		o->am = col_str(ld, res, i, 3);
		members(ld, o, pg_val(res, i, 4));
		o->comment = col_str(ld, res, i, 5);
		if (kind == 'c') {
			o->is_default = col_bool(res, i, 6);
			o->type = col_str(ld, res, i, 7);
			o->storage = col_str(ld, res, i, 8);
			o->family = col_bool(res, i, 10) ? NULL : col_str(ld, res, i, 9);
		}
		(*(size_t *)((char *)s + count_off))++;
	}
	PQclear(res);
	for (size_t i = 0; i < cat->nschemas; i++) {
		size_t *cnt = (size_t *)((char *)&cat->schemas[i] + count_off);
		*(struct cat_opclass ***)((char *)&cat->schemas[i] + list_off) =
			arena_alloc(cat->arena, *cnt * sizeof(void *));
		*cnt = 0;
	}
	for (int i = 0; i < n; i++) {
		char *s = (char *)all[i].schema;
		struct cat_opclass **list = *(struct cat_opclass ***)(s + list_off);
		list[(*(size_t *)(s + count_off))++] = &all[i];
	}
	for (size_t i = 0; i < cat->nschemas; i++)
		qsort(*(struct cat_opclass ***)((char *)&cat->schemas[i] + list_off),
		      *(size_t *)((char *)&cat->schemas[i] + count_off), sizeof(void *), cmp_opcp);
	return 0;
}

int load_opclasses(struct loader *ld)
{
	return load_kind(ld, SQL_OPCLASSES, 'c', offsetof(struct cat_schema, opclasses),
			 offsetof(struct cat_schema, nopclasses));
}

int load_opfamilies(struct loader *ld)
{
	return load_kind(ld, SQL_OPFAMILIES, 'f', offsetof(struct cat_schema, opfamilies),
			 offsetof(struct cat_schema, nopfamilies));
}
