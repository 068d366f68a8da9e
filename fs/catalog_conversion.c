/*
 * catalog_conversion.c: the loader of encoding conversions of the included
 * schemas, one query whatever their number; catalog.c runs it in the
 * snapshot's transaction.
 */
#include <stdlib.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"

static int cmp_convp(const void *a, const void *b)
{
	return by_name((*(struct cat_conversion *const *)a)->name, (*(struct cat_conversion *const *)b)->name);
}

int load_conversions(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	PGresult *res = run_per_schema(ld, SQL_CONVERSIONS);
	if (!res)
		return -1;
	int n = PQntuples(res);
	struct cat_conversion *all = arena_alloc(cat->arena, (size_t)n * sizeof *all);
	for (int i = 0; i < n; i++) {
		struct cat_conversion *c = &all[i];
		struct cat_schema *s = schema_by_oid(cat, (unsigned)col_ll(res, i, 0));
		c->schema = s;
		c->name = col_str(ld, res, i, 1);
		c->qname = col_str(ld, res, i, 2);
		c->from = col_str(ld, res, i, 3);
		c->to = col_str(ld, res, i, 4);
		c->func = col_str(ld, res, i, 5);
		c->is_default = col_bool(res, i, 6);
		c->comment = col_str(ld, res, i, 7);
		s->nconversions++;
	}
	PQclear(res);
	for (size_t i = 0; i < cat->nschemas; i++) {
		cat->schemas[i].conversions = arena_alloc(cat->arena, cat->schemas[i].nconversions * sizeof(void *));
		cat->schemas[i].nconversions = 0;
	}
	for (int i = 0; i < n; i++) {
		struct cat_schema *s = (struct cat_schema *)all[i].schema;
		s->conversions[s->nconversions++] = &all[i];
	}
	for (size_t i = 0; i < cat->nschemas; i++)
		qsort(cat->schemas[i].conversions, cat->schemas[i].nconversions, sizeof(void *), cmp_convp);
	return 0;
}
