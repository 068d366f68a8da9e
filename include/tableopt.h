/*
 * tableopt: the table options a stage can change, as one table: row level
 * security (ENABLE, FORCE) and UNLOGGED. Each has its key in a stage's
 * table entry (a bool: on or off), its place in struct cat_relation, and
 * the ALTER TABLE clauses that turn it on and off. The stage, the desired
 * catalog, the planner and the declarative comparison all go through it,
 * so an option added here is added everywhere.
 *
 * Pure: no server, no FUSE, no locks. Everything returned is static.
 */
#ifndef SCHEMAFS_TABLEOPT_H
#define SCHEMAFS_TABLEOPT_H

#include <stdbool.h>

struct cat_relation;

enum table_opt { TO_RLS, TO_RLS_FORCE, TO_UNLOGGED, TO_N };

struct table_opt_kind {
	const char *key;	/* in a stage's table entry: "rls" */
	const char *what;	/* in words: "row level security" */
	const char *on, *off;	/* ALTER TABLE t <on>;  */
	/* Whether turning it on (off) rewrites the table, and what else a
	 * hazard line says (NULL: no hazard). */
	const char *hazard_on, *hazard_off;
};

extern const struct table_opt_kind TABLE_OPTS[TO_N];

bool tableopt_get(const struct cat_relation *r, enum table_opt o);
void tableopt_set(struct cat_relation *r, enum table_opt o, bool on);

#endif
