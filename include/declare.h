/*
 * declare: what a whole declarative file (a table's table.sql, a schema's
 * schema.sql, the database's schema.sql) asks for, as staged edits. The
 * file has been loaded elsewhere (on the shadow database) and read back by
 * catalog_load(): here the two catalogs are compared object by object and
 * each difference becomes the edit a user would make file by file (stage.h),
 * so the planner, its hazards and the dry run see nothing new.
 *
 * Compared: tables added and dropped; columns (type, collation, default,
 * NOT NULL, identity, generated), indexes, constraints, the comments of
 * the table and of its columns, indexes and constraints, the table options
 * of tableopt.h (row level security, UNLOGGED), enum labels: staged here.
 * Views, materialized views, functions, sequences, triggers and policies
 * (compared as their files read), schemas created or dropped, extensions,
 * types created or dropped, domains and composites changed in place: listed (struct
 * declare_objs) for the caller to stage as the object files, the schemas/
 * and extensions/ directories and the types/ files would, with a server at
 * hand. A sequence owned by a column is never listed as dropped: it goes
 * with its column. Differences the stage cannot express yet (a range
 * changed in place, a type changed into another kind, an enum losing a label, a schema's comment, a
 * trigger's ENABLE state, other table options) are never
 * ignored: the whole file is refused with EPERM naming them.
 *
 * A column dropped and one added in the same table stays a drop and an
 * add: nothing here guesses renames (the planner's hazard names mv).
 *
 * Pure: no server, no FUSE, no locks. Memory: everything staged is copied
 * into the caller's stage.
 */
#ifndef SCHEMAFS_DECLARE_H
#define SCHEMAFS_DECLARE_H

#include <stdbool.h>
#include <stddef.h>

struct catalog;
struct stage;

/* Where the file applies: the whole database (SCHEMA NULL), one schema
 * (TABLE NULL) or one table. Names are raw. */
struct declare_scope {
	const char *schema, *table;
};

/* An object that differs: DIR is an object file directory ("views",
 * "functions", "triggers", ...; objkind.h), "schemas" (a new schema NAME)
 * or "extensions" (extension NAME). SCHEMA (NULL for schemas and
 * extensions), TABLE (triggers and policies, else NULL) and NAME (a
 * function's "name(args)") are raw. DROP: the file does not have it. */
struct declare_obj {
	char *dir, *schema, *table, *name;
	bool drop;
};

/* Owned by the caller, strings included: declare_objs_free. */
struct declare_objs {
	struct declare_obj *v;
	size_t n;
};

void declare_objs_free(struct declare_objs *o);

/*
 * Stages into ST (normally a new, empty stage) the edits that turn LIVE
 * into WANT within SCOPE, and appends to OBJS the objects the caller stages
 * (in catalog order: the planner orders them). Returns 0; -EPERM when a difference cannot be
 * staged, with ERR naming the objects ("comments differ: public.t.c
 * (column) (...)"); -EINVAL when the file does
 * not define what it stands for (a table.sql that creates no such table).
 * On error ST may hold part of the edits: the caller discards it.
 */
int declare_diff(const struct catalog *live, const struct catalog *want, const struct declare_scope *scope,
		 struct stage *st, struct declare_objs *objs, char *err, size_t errlen);

#endif
