/*
 * stage: the desired state of one database, kept as edits over the live
 * catalog. Edits are keyed by identity, not by name: a live table by its
 * OID, a live column by its attnum, so a rename stays a rename. A table
 * created by the user (mkdir) has OID 0 and is known by schema + name.
 *
 * Every definition stored here is PostgreSQL's canonical spelling, as read
 * back from a probe (probe.h): never the user's raw text. The edits are a
 * JSON document (doc), persisted as is (stage_save) so that staged changes
 * survive a crash; plan.c reads it. Knows no FUSE and no SQL server.
 *
 * Memory and locking: a stage and everything its functions return belong to
 * the struct database that owns it, and are protected by its model_lock.
 * stage_desired() returns a catalog the caller frees (catalog_free); it
 * holds a reference on the live catalog it was built from (catalog.h: base),
 * so the two may be freed in either order.
 */
#ifndef SCHEMAFS_STAGE_H
#define SCHEMAFS_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "tableopt.h"

struct catalog;
struct cat_relation;
struct cat_column;
struct cJSON;

struct stage {
	struct cJSON *doc;	/* {"version":1,"tables":[],"enums":[],"files":[]} */
};

/* The table an edit is about: a live one (oid) or a new one (schema, name). */
struct stage_ref {
	unsigned oid;
	const char *schema;	/* raw schema name */
	const char *name;	/* new tables: their (desired) raw name */
};

/* A column definition in canonical pieces (the fields of cat_column). */
struct stage_coldef {
	const char *type, *collation, *defexpr;
	bool notnull;
	const char *notnull_name;	/* 18: quoted, when the file names its NOT NULL */
	bool notnull_noinherit;	/* 18: NOT NULL NO INHERIT */
	char identity, generated;
	bool rewrite;		/* changing to this type rewrites the table */
};

struct stage *stage_new(void);
void stage_free(struct stage *st);
/* Reads FILE (a missing file is an empty stage). NULL with ERR on a file
 * that cannot be read or parsed. */
struct stage *stage_load(const char *file, char *err, size_t errlen);
/* Reads a stage document, TEXT of LEN bytes: NULL with ERR (naming the
 * damaged entry) unless it is one, whole and well formed. */
struct stage *stage_parse(const char *text, size_t len, char *err, size_t errlen);
/* Writes the stage atomically. 0 or -errno. */
int stage_save(const struct stage *st, const char *file);

/* The database a stage belongs to, "<system identifier>/<database oid>"
 * (database.h), or NULL for one saved before schemafs recorded it. Its
 * edits name OIDs and attnums of that database only. */
const char *stage_database(const struct stage *st);
void stage_set_database(struct stage *st, const char *identity);

/* True when no schema change is staged (user pending files aside). */
bool stage_empty(const struct stage *st);
/* True when the stage holds hand-written pending files. */
bool stage_has_files(const struct stage *st);
/* Drops every staged schema change; user pending files stay. */
void stage_discard(struct stage *st);

/* Drops edits that no longer change anything against LIVE (applied, or
 * made by someone else), and edits of objects that are gone. A new table
 * that now exists live becomes an edit of it. True when anything changed
 * (the stage is to be saved). */
bool stage_prune(struct stage *st, const struct catalog *live);

/* The desired catalog: LIVE with the edits applied. Strings come from LIVE
 * or are copied into the returned catalog's arena. */
struct catalog *stage_desired(const struct catalog *live, const struct stage *st);

/* Tables. ROWS is the row estimate taken when the edit was probed (-1:
 * unknown). */
void stage_table_new(struct stage *st, const char *schema, const char *name, const char *qname);
/* New table SCHEMA.NAME is meant to have no columns (a declarative
 * file's CREATE TABLE t ()): created as such, not taken for a mkdir draft. */
void stage_table_columnless(struct stage *st, const char *schema, const char *name);
void stage_table_drop(struct stage *st, const struct stage_ref *t);
void stage_table_rename(struct stage *st, const struct stage_ref *t, const char *name, const char *qname);
void stage_table_rows(struct stage *st, const struct stage_ref *t, double rows);
void stage_table_comment(struct stage *st, const struct stage_ref *t, const char *comment);
/* The comment of table T's column, index or constraint NAME (KIND
 * "column", "index", "constraint"; "" or NULL: none): COMMENT ON, after
 * the part is made; pruned once live has it and the part has no other
 * edit left. */
void stage_part_comment(struct stage *st, const struct stage_ref *t, const char *kind, const char *name,
			const char *comment);
/* A table option (tableopt.h) turned on or off: ALTER TABLE ... ENABLE ROW
 * LEVEL SECURITY and the like; pruned once the live table has it so. */
void stage_table_option(struct stage *st, const struct stage_ref *t, enum table_opt o, bool on);

/* Columns: ATTNUM > 0 is a live column, 0 a new one known by OLDNAME. */
void stage_column_set(struct stage *st, const struct stage_ref *t, int attnum, const char *oldname,
		      const char *name, const char *qname, const struct stage_coldef *def);
void stage_column_drop(struct stage *st, const struct stage_ref *t, int attnum, const char *name);
/* The stage's own entry of a table or of one of its columns (ATTNUM, or
 * NAME for a new column), or NULL: for the dependents kept in it
 * (deps_stage.h). Owned by the stage. */
struct cJSON *stage_table_entry(struct stage *st, const struct stage_ref *t);
struct cJSON *stage_column_entry(struct stage *st, const struct stage_ref *t, int attnum, const char *name);
/* A live column staged for DROP named NAME: its attnum, or 0. */
int stage_column_dropped(const struct stage *st, const struct stage_ref *t, const char *name);

/* Indexes, constraints (DEF: pg_get_constraintdef, TYPE: contype),
 * triggers and policies, by name. */
void stage_index_set(struct stage *st, const struct stage_ref *t, const char *name, const char *qname,
		     const char *def, bool concurrently);
void stage_constraint_set(struct stage *st, const struct stage_ref *t, const char *name,
			  const char *qname, char type, const char *def);
/* KIND: "indexes", "constraints", "triggers" or "policies". LIVE: the object
 * exists live (its drop is staged); else its staged creation is undone. */
void stage_object_drop(struct stage *st, const struct stage_ref *t, const char *kind,
		       const char *name, bool live);

/* Enum labels in their desired order (live labels kept or renamed, new
 * ones inserted). An entry holds {"oid", "labels", "renames": [{"from":
 * live label, "to": its new name}]}; entries written before renames
 * existed have no "renames" and load as they are. */
void stage_enum_set(struct stage *st, unsigned type_oid, const char *const *labels, size_t n);
/* LABEL (as the desired list has it: a live label, or the new name of
 * one) is renamed TO: the rename of the live label is recorded or updated
 * (renamed back: forgotten). A label still to be added is renamed in the
 * list alone: the caller, who knows the live labels, does not call this.
 * Call after stage_enum_set. */
void stage_enum_rename(struct stage *st, unsigned type_oid, const char *label, const char *to);
/* The live label that desired LABEL of TYPE_OID comes from by a staged
 * rename, or NULL (the string belongs to the stage). */
const char *stage_enum_origin(const struct stage *st, unsigned type_oid, const char *label);

/* Object files (objkind.h): views, materialized views, functions,
 * sequences, triggers and policies, by KIND (the directory: "views", ...),
 * SCHEMA, TABLE (triggers and policies; else NULL) and NAME (the
 * file's identity: a view's name, a function's "name(args)"). An entry
 * holds the object's OID (0: new), FILE (the content the tree shows once
 * applied; NULL: dropped), SQL (the statements that get there) and HAZARD
 * (NULL or one line). Kept in "objects"; pruned when the live catalog
 * renders the file so (or, for a drop, has no such object). */
struct stage_obj {
	const char *kind, *schema, *table, *name;
	unsigned oid;
	const char *file, *sql, *hazard;
	bool drop;
};
void stage_obj_set(struct stage *st, const struct stage_obj *o);
/* TABLE: the table of a trigger or policy, NULL for a schema's objects. */
bool stage_obj_remove(struct stage *st, const char *kind, const char *schema, const char *table,
		      const char *name);
/* The staged entry of that object into *O (strings belong to the stage),
 * or false. */
bool stage_obj_get(const struct stage *st, const char *kind, const char *schema, const char *table,
		   const char *name, struct stage_obj *o);
/* Adds ITEM (taken over) as KEY of that object's entry, replacing one
 * there: "dependents" (views, rules, ... dropped before its DROP + CREATE
 * and created again after, {shown, drop, create, depth}, with "shown" the
 * object as a hazard names it), "shows" (other object files as PostgreSQL
 * deparses them once the change is done, {kind, schema, table, name,
 * file}: the desired tree shows them), "from" and "from_schema" (a
 * staged rename: the live name it comes from). No entry: ITEM is freed. */
void stage_obj_attach(struct stage *st, const char *kind, const char *schema, const char *table,
		      const char *name, const char *key, struct cJSON *item);
/* The live name (and schema, into *SCHEMA_OUT when not NULL) that staged
 * object NAME is renamed from, or NULL. Strings belong to the stage. */
const char *stage_obj_origin(const struct stage *st, const char *kind, const char *schema, const char *table,
			     const char *name, const char **schema_out);
/* Is live object NAME renamed to another name in the stage? */
bool stage_obj_renamed_away(const struct stage *st, const char *kind, const char *schema, const char *table,
			    const char *name);

/* Hand-written files in migrations/pending/, kept as written. */
void stage_file_put(struct stage *st, const char *name, const char *data, size_t len);
bool stage_file_remove(struct stage *st, const char *name);
const char *stage_file_get(const struct stage *st, const char *name, size_t *len);

#endif
