/*
 * plan_struct: the statements of the staged schemas, extensions and index
 * and constraint renames (include/stage_struct.h), handed to plan.c's
 * planner by phase. Pure, as plan.h. Internal to the core.
 */
#ifndef SCHEMAFS_PLAN_STRUCT_H
#define SCHEMAFS_PLAN_STRUCT_H

#include <stddef.h>

struct catalog;
struct cat_schema;
struct stage;
struct strbuf;

enum struct_phase {
	SP_RENAME,	/* ALTER SCHEMA ... RENAME: first, so every later statement uses the new name */
	SP_CREATE,	/* CREATE SCHEMA, CREATE / ALTER EXTENSION: before the tables */
	SP_DROP,	/* DROP EXTENSION, DROP SCHEMA: after the tables are dropped */
	SP_RENAME_OBJ,	/* ALTER INDEX / TABLE ... RENAME: after the tables are renamed */
};

/* Takes SQL and HAZARD (may be NULL; both are reset) for phase PH. */
typedef void (*plan_struct_add_fn)(void *ctx, enum struct_phase ph, struct strbuf *sql, const char *tag,
				   const char *subject, struct strbuf *hazard);

void plan_struct(const struct catalog *live, const struct catalog *desired, const struct stage *st,
		 plan_struct_add_fn add, void *ctx);

/* The ALTER TYPE QUAL statement (appended to OUT, without ";") that
 * turns attributes HAVE into WANT, by name: DROP ATTRIBUTE, ALTER
 * ATTRIBUTE ... TYPE, ADD ATTRIBUTE, in that order. Returns the number of
 * actions (0: nothing appended). */
struct stage_attr;
size_t plan_attrs_alter(struct strbuf *out, const char *qual, const struct stage_attr *have, size_t nh,
			const struct stage_attr *want, size_t nw);

/* Live schema S's quoted name once the staged renames ran (they come
 * first). Belongs to ST or S. */
const char *plan_struct_schema_qname(const struct stage *st, const struct cat_schema *s);
/* The same, raw: its name in the desired catalog. */
const char *plan_struct_schema_name(const struct stage *st, const struct cat_schema *s);

#endif
