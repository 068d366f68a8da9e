/*
 * declare: what a whole declarative file (a table's table.sql, a schema's
 * schema.sql, the database's schema.sql) asks for, as staged edits. The
 * file has been loaded elsewhere (on the shadow database) and read back by
 * catalog_load(): here the two catalogs are compared object by object and
 * each difference becomes the edit a user would make file by file (stage.h),
 * so the planner, its hazards and the dry run see nothing new.
 *
 * Compared: tables added and dropped; columns (type, collation, default,
 * NOT NULL, identity, generated), indexes, constraints, triggers and
 * policies (dropped: staged; added or changed: refused, see below), the
 * table's comment, enum labels. Differences the stage cannot express yet
 * (views, materialized views, functions, sequences, types other than enums,
 * schemas, extensions, column and object comments, table options) are
 * never ignored: the whole file is refused with EPERM naming them.
 *
 * A column dropped and one added in the same table stays a drop and an
 * add: nothing here guesses renames (the planner's hazard names mv).
 *
 * Pure: no server, no FUSE, no locks. Memory: everything staged is copied
 * into the caller's stage.
 */
#ifndef SCHEMAFS_DECLARE_H
#define SCHEMAFS_DECLARE_H

#include <stddef.h>

struct catalog;
struct stage;

/* Where the file applies: the whole database (SCHEMA NULL), one schema
 * (TABLE NULL) or one table. Names are raw. */
struct declare_scope {
	const char *schema, *table;
};

/*
 * Stages into ST (normally a new, empty stage) the edits that turn LIVE
 * into WANT within SCOPE. Returns 0; -EPERM when a difference cannot be
 * staged, with ERR naming the objects ("views differ: public.v;
 * declarative files cannot change views yet"); -EINVAL when the file does
 * not define what it stands for (a table.sql that creates no such table).
 * On error ST may hold part of the edits: the caller discards it.
 */
int declare_diff(const struct catalog *live, const struct catalog *want, const struct declare_scope *scope,
		 struct stage *st, char *err, size_t errlen);

#endif
