/*
 * stage_struct: the staged edits of schemas, extensions and index and
 * constraint renames, in sections of their own of the stage document
 * (stage.h): "schemas", "extensions" and "renames". Keyed by identity: a
 * live schema by its OID (a rename stays a rename), a new one by name; an
 * extension by its name (unique in a database); a rename by the table's
 * OID and the object's live name.
 *
 * Definitions stored here are PostgreSQL's canonical spelling, read back
 * from a rolled-back transaction (edit_struct.c), never the user's text.
 *
 * Memory and locking: as stage.h (the owning database's model_lock).
 * Returned strings belong to the stage.
 */
#ifndef SCHEMAFS_STAGE_STRUCT_H
#define SCHEMAFS_STAGE_STRUCT_H

#include <stdbool.h>
#include <stddef.h>

struct stage;
struct catalog;
struct cat_schema;
struct cJSON;

/* Schemas. OID 0: a schema created here, known by NAME. */
void stage_schema_new(struct stage *st, const char *name, const char *qname);
/* Drops live schema OID (its entry says so), or forgets new schema NAME. */
void stage_schema_drop(struct stage *st, unsigned oid, const char *name);
/* Renames schema OID (0: the new schema FROM) to NAME; staged tables of
 * the schema follow it. */
void stage_schema_rename(struct stage *st, unsigned oid, const char *from, const char *name,
			 const char *qname);

/* The comment schema OID (0: the new schema NAME) will have: COMMENT (""
 * none), or NULL: as it is (a live schema's entry left with nothing else
 * staged is dropped). */
void stage_schema_comment(struct stage *st, unsigned oid, const char *name, const char *comment);

/* Extensions: the desired state of extension NAME (QSCHEMA quoted,
 * VERSION as pg_extension has it); NEW when it is not live. */
void stage_extension_set(struct stage *st, const char *name, const char *qname, const char *qschema,
			 const char *version, bool is_new);
void stage_extension_drop(struct stage *st, const char *name, bool live);
/* Forgets any edit of extension NAME (written back as it is live). */
void stage_extension_forget(struct stage *st, const char *name);
/* The comment extension NAME (staged by stage_extension_set) will have:
 * COMMENT ("" none), or NULL: the live one is kept. */
void stage_extension_comment(struct stage *st, const char *name, const char *comment);

/* A composite type's attribute, as the catalog reads columns. */
struct stage_attr {
	const char *name, *qname, *type, *collation;
};

/* Types: a new enum NAME in SCHEMA (LABELS as pg_enum has them, in
 * order), known by schema and name; a live type OID dropped (KIND: its
 * typtype, 'd' is dropped as a DOMAIN). */
void stage_type_new_enum(struct stage *st, const char *schema, const char *name, const char *qname,
			 const char *const *labels, size_t n);
void stage_type_drop(struct stage *st, unsigned oid, char kind);
/* The comment of type OID (0: the new type NAME in SCHEMA, staged
 * already) as it will be: COMMENT ("" none), or NULL: as it is (an entry
 * left with nothing else staged is dropped). */
void stage_type_comment(struct stage *st, unsigned oid, const char *schema, const char *name,
			const char *comment);
/* Forgets the staged creation of type NAME in SCHEMA. */
void stage_type_forget(struct stage *st, const char *schema, const char *name);

/* A new domain ('d'), composite ('c') or range ('r') type NAME in SCHEMA,
 * as the catalog reads one: D (domains), ATTRS (composites), RANGE
 * (cat_type's range_opts). */
void stage_type_new(struct stage *st, const char *schema, const char *name, const char *qname, char kind,
		    const char *base, const char *collation, const char *defexpr, bool notnull,
		    const char *checks, const struct stage_attr *attrs, size_t nattrs, const char *range);

/* A live domain's desired state: DEFAULT (NULL: none), NOT NULL and
 * CHECKS as the catalog reads them (cat_type's defexpr, notnull, checks),
 * and its constraints one by one, desired (CONS) and as they were live
 * when staged (LIVE_CONS), for the planner. */
struct stage_domain_con {
	const char *name, *qname, *def;
};
struct stage_domain {
	const char *defexpr;
	bool notnull;
	const char *checks;
	const struct stage_domain_con *cons;
	size_t ncons;
	const struct stage_domain_con *live_cons;
	size_t nlive_cons;
};
void stage_domain_set(struct stage *st, unsigned oid, const struct stage_domain *d);
/* Forgets the ALTER DOMAIN (resp. ALTER TYPE) of live type OID; a staged
 * comment stays. */
void stage_domain_forget(struct stage *st, unsigned oid);

/* A live composite type's attributes as they will be (kept ones in
 * their order, new ones after): stage_attr as above. */
void stage_composite_set(struct stage *st, unsigned oid, const struct stage_attr *attrs, size_t n);
void stage_composite_forget(struct stage *st, unsigned oid);

/* Index ("indexes") or constraint ("constraints") FROM of live table OID
 * renamed TO (QTO quoted); DEF: an index's definition under its new name. */
void stage_object_rename(struct stage *st, unsigned table_oid, const char *kind, const char *from,
			 const char *to, const char *qto, const char *def);
/* The live name of the object that desired NAME of table OID is renamed
 * from, or NULL. */
const char *stage_object_origin(const struct stage *st, unsigned table_oid, const char *kind,
				const char *name);

/* For stage.c: no edit in these sections; drop them all; drop what LIVE
 * shows done (true when anything changed). */
bool stage_struct_empty(const struct stage *st);
void stage_struct_discard(struct stage *st);
bool stage_struct_prune(struct stage *st, const struct catalog *live);

/* For desired.c: the schema list of DESIRED (a copy of LIVE's, in
 * DESIRED's arena) with schemas created, renamed and dropped; called
 * before its tables are edited. */
void stage_desired_schemas(struct catalog *desired, const struct stage *st);
/* After the tables: extensions, types and renamed indexes and constraints. */
void stage_desired_struct(struct catalog *desired, const struct stage *st);

#endif
