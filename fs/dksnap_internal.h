/* dksnap_internal.h: what dksnap.c (the catalog and the files) and
 * dksnap_format.c (drizzle-kit's two snapshot formats) share. Private to
 * them. */
#ifndef SCHEMAFS_DKSNAP_INTERNAL_H
#define SCHEMAFS_DKSNAP_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* A table column as the catalog has it; the strings are a PGresult's. */
struct col {
	const char *nsp, *rel, *name, *type, *def;	/* def NULL: no default */
	bool notnull, plain;	/* plain: built-in scalar type, no identity, not generated */
};

/* One snapshot format: where a table's columns are and how a change of
 * one is written. DOC is what find() reads (0.x: the new snapshot, 1.0:
 * the schema state); OUT the new snapshot (1.0: its deltas). */
struct format {
	/* The table's column C (with TABLE, the table) in DOC: non-NULL
	 * when drizzle-kit's schema has it. */
	cJSON *(*find)(cJSON *doc, const struct col *c, bool table);
	void (*add)(cJSON *doc, cJSON *out, const struct col *c);
	void (*drop)(cJSON *doc, cJSON *out, const struct col *c);
	/* SET: the changed fields (type, notNull, default; null: none). */
	void (*alter)(cJSON *doc, cJSON *out, const struct col *c, cJSON *set);
	/* The new snapshot after PREV: its id and the chain. */
	cJSON *(*start)(const cJSON *prev, const char *id);
};

/* [0] drizzle-kit 0.x, [1] 1.0. */
extern const struct format dksnap_formats[2];

/* Drizzle 1.0's schema STATE ({"ddl": [...]}) after snapshot S: a base
 * holds it ("ddl"), a diff changes it ("deltas"). */
void dksnap_apply(cJSON *state, const cJSON *s);
/* A 1.0 snapshot's TEXT, its \u0000 (in delta keys) made \u0001, in place. */
void dksnap_unnul(char *text);
/* A default (pg_get_expr()'s EXPR) as drizzle-kit writes it; NULL: none. */
cJSON *dksnap_default(const char *expr, bool v1);
/* OBJ.KEY = V (replaced when there), V returned. */
cJSON *dksnap_set(cJSON *obj, const char *key, cJSON *v);
bool dksnap_same(const char *a, const char *b);

#endif
