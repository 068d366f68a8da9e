/*
 * catalog_lookup.c: finding things in a loaded catalog (by OID or name),
 * and the NOT NULL constraint names PostgreSQL gives by default. See
 * include/catalog.h.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

#include "catalog_loader.h"

const struct cat_relation *catalog_rel(const struct catalog *cat, unsigned oid)
{
	return rel_by_oid((struct catalog *)cat, oid);
}

const struct cat_schema *catalog_schema(const struct catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->nschemas; i++)
		if (!strcmp(cat->schemas[i].name, name))
			return &cat->schemas[i];
	return NULL;
}

const struct cat_relation *catalog_table(const struct catalog *cat, const char *schema, const char *name)
{
	const struct cat_schema *s = catalog_schema(cat, schema);
	for (size_t j = 0; s && j < s->ntables; j++)
		if (!strcmp(s->tables[j]->name, name))
			return s->tables[j];
	return NULL;
}

const struct cat_column *catalog_column(const struct cat_relation *r, int attnum, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (attnum ? r->cols[i].attnum == attnum : !strcmp(r->cols[i].name, name))
			return &r->cols[i];
	return NULL;
}

/* pg_mbcliplen for UTF-8: the longest prefix of at most LEN bytes that
 * does not end inside a character. */
static size_t utf8_clip(const char *s, size_t len)
{
	while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

void catalog_notnull_default(char out[64], const char *rel, const char *col)
{
	static const char label[] = "not_null";
	size_t n1 = strlen(rel), n2 = strlen(col);
	size_t avail = 63 - (1 + sizeof label);	/* two underscores and the label */
	while (n1 + n2 > avail) {
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	n1 = n1 < strlen(rel) ? utf8_clip(rel, n1) : n1;
	n2 = n2 < strlen(col) ? utf8_clip(col, n2) : n2;
	snprintf(out, 64, "%.*s_%.*s_%s", (int)n1, rel, (int)n2, col, label);
}

bool catalog_notnull_is_default(const char *rel, const char *col, const char *conname)
{
	char want[64];
	catalog_notnull_default(want, rel, col);
	return !strcmp(want, conname);
}

const struct cat_type *catalog_type(const struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->ntypes; i++)
		if (cat->types[i].oid == oid)
			return &cat->types[i];
	return NULL;
}
