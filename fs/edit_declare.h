/*
 * edit_declare.h: merging what a declarative file (table.sql, schema.sql,
 * the database's schema.sql) asks for into the stage, shared by
 * fs/edit_declare.c (which loads the file on the shadow and compares it
 * with the live catalog) and fs/edit_declare_merge.c. Private to those.
 *
 * Every function runs inside a change (edit_internal.h): work_lock and
 * model_lock held, so db->stage and db->cat are stable.
 */
#ifndef SCHEMAFS_EDIT_DECLARE_H
#define SCHEMAFS_EDIT_DECLARE_H

#include <stdbool.h>

struct cJSON;
struct catalog;
struct database;
struct declare_scope;
struct stage;
struct strbuf;

/* The stage's array KEY ("tables" or "enums") against FRESH, the same
 * array of what the file asks for, within scope SC. APPLY false: each
 * staged entry in scope that FRESH does not repeat exactly is named in
 * CONFLICTS ("table app.t (staged: comment, column a dropped)"), and
 * nothing changes. APPLY true: FRESH's entries not staged yet are added
 * (copies; FRESH keeps its own), CONFLICTS unused. */
void ed_decl_merge(struct database *db, const struct declare_scope *sc, const char *key, struct cJSON *fresh,
		   struct strbuf *conflicts, bool apply);

/* Names in CONFLICTS the staged object files in SC (db->stage's
 * "objects") that the file's catalog WANT disagrees with: a staged drop
 * of an object it has, a staged file it renders otherwise. */
void ed_decl_objects_conflict(struct database *db, const struct declare_scope *sc, const struct catalog *want,
			      struct strbuf *conflicts);

/* The comments declare_diff staged in FRESH on live schemas and types
 * (COMMENT ON SCHEMA / TYPE / DOMAIN), into ST's entries of them, as
 * mkdir's and types/ files' COMMENT lines stage them. */
void ed_decl_merge_comments(struct stage *st, const struct stage *fresh);

#endif
