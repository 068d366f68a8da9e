/*
 * render: catalog objects -> file text. Pure functions: no I/O, no server,
 * no globals; the same catalog always gives byte-identical text.
 *
 * Every function appends to the caller's strbuf (the caller owns it). SQL
 * text is complete statements, each ending in ";\n". Literals are written
 * for standard_conforming_strings = on (the default since 9.1): quotes
 * doubled, backslashes as is.
 */
#ifndef SCHEMAFS_RENDER_H
#define SCHEMAFS_RENDER_H

#include "catalog.h"
#include "strbuf.h"

/* A column's definition after its name, without a newline. */
void render_column_def(struct strbuf *sb, const struct cat_column *c);
/* columns/<c>: one line, e.g. "text NOT NULL DEFAULT ''::text\n". */
void render_column(struct strbuf *sb, const struct cat_column *c);
/* indexes/<i>.sql, constraints/<c>.sql, triggers/<t>.sql, policies/<p>.sql */
void render_index(struct strbuf *sb, const struct cat_index *x);
void render_constraint(struct strbuf *sb, const struct cat_relation *r, const struct cat_constraint *k);
void render_trigger(struct strbuf *sb, const struct cat_trigger *t);
void render_policy(struct strbuf *sb, const struct cat_relation *r, const struct cat_policy *p);
/* comment: the text and a newline, or nothing. */
void render_comment_file(struct strbuf *sb, const char *comment);
/* table.sql: the table, its constraints, indexes, triggers, RLS, comments. */
void render_table(struct strbuf *sb, const struct cat_relation *r);
/* views/<v>.sql and materialized_views/<v>.sql */
void render_view(struct strbuf *sb, const struct cat_relation *r);
/* functions/<name>(<args>).sql */
void render_function(struct strbuf *sb, const struct cat_function *f);
/* sequences/<s>.sql */
void render_sequence(struct strbuf *sb, const struct cat_relation *r);
/* extensions/<name>.sql: CREATE EXTENSION with its schema and version, and
 * COMMENT ON EXTENSION when the comment is not the one CREATE EXTENSION
 * gives it (IS NULL when that one was removed). */
void render_extension(struct strbuf *sb, const struct cat_extension *x);
/* types/<enum>: labels, one a line. types/<t>.sql: CREATE TYPE / DOMAIN. */
void render_enum_labels(struct strbuf *sb, const struct cat_type *t);
void render_type(struct strbuf *sb, const struct cat_type *t);
/* casts/<source> AS <target>.sql: CREATE CAST, and its comment;
 * render_cast_name() gives the file's name (before escaping and ".sql"). */
void render_cast(struct strbuf *sb, const struct cat_cast *c);
void render_cast_name(struct strbuf *sb, const struct cat_cast *c);
/* event_triggers/<name>.sql: CREATE EVENT TRIGGER, ALTER EVENT TRIGGER when
 * it is not enabled the default way, its comment. */
void render_event_trigger(struct strbuf *sb, const struct cat_event_trigger *e);
/* publications/<name>.sql: CREATE PUBLICATION with its options, then one
 * ALTER PUBLICATION ... ADD TABLE ONLY per table (column list, row
 * filter), ADD TABLES IN SCHEMA per schema, its comment. */
void render_publication(struct strbuf *sb, const struct cat_publication *p);
/* foreign_data/wrappers/<name>.sql: CREATE FOREIGN DATA WRAPPER with its
 * handler, validator and options, its comment. foreign_data/servers/<name>.sql:
 * CREATE SERVER, its comment, then CREATE USER MAPPING for each of its
 * user mappings. Options never hold a password (catalog.h). */
void render_fdw(struct strbuf *sb, const struct cat_fdw *w);
void render_server(struct strbuf *sb, const struct cat_server *s);
/* Of a foreign table's CREATE FOREIGN TABLE (render_table): what comes
 * before its ";" (SERVER, OPTIONS), and the ALTER FOREIGN TABLE ... ALTER
 * COLUMN ... OPTIONS that follow it. Nothing for other relations. */
void render_foreign_tail(struct strbuf *sb, const struct cat_relation *r);
void render_foreign_columns(struct strbuf *sb, const struct cat_relation *r);
/* text_search/{templates,parsers,dictionaries,configurations}/<name>.sql:
 * CREATE TEXT SEARCH ..., then (configurations) one ALTER TEXT SEARCH
 * CONFIGURATION ... ADD MAPPING FOR <token> WITH <dicts> per token type,
 * then the comment. render_ts_dir() names the directory of T's kind. */
void render_ts(struct strbuf *sb, const struct cat_ts *t);
const char *render_ts_dir(char kind);
/* operator_classes/<name> USING <am>.sql: CREATE OPERATOR CLASS (FAMILY
 * unless it made its family) with its own members and STORAGE, its comment.
 * operator_families/<name> USING <am>.sql: CREATE OPERATOR FAMILY, ALTER
 * OPERATOR FAMILY ... ADD its members that belong to no class, its comment.
 * render_opclass_name() gives the file's name (before escaping and ".sql"). */
void render_opclass(struct strbuf *sb, const struct cat_opclass *o);
void render_opclass_name(struct strbuf *sb, const struct cat_opclass *o);
/* conversions/<name>.sql: CREATE [DEFAULT] CONVERSION, its comment. */
void render_conversion(struct strbuf *sb, const struct cat_conversion *c);
/* schema.sql of one schema, or of the whole database (schema == NULL), in
 * dependency order. Waits for a first read's dependency map
 * (catalog_deps_wait()); false, with nothing added to SB, when it could
 * not be read. */
bool render_schema_sql(struct strbuf *sb, const struct catalog *cat, const struct cat_schema *schema);
/* Owners and privileges (render_acl.c): an object's "ALTER ... OWNER TO"
 * and GRANT/REVOKE statements, one a line (nothing when the catalog has
 * none: the "owners" and "privileges" keys are off); a relation's with its
 * columns' privileges; in schema.sql, those of the schemas, tables and
 * sequences of SCHEMAS, then their default privileges (and the
 * database-wide ones when WHOLE_DB). */
void render_privs(struct strbuf *sb, const struct cat_privs *p);
void render_rel_privs(struct strbuf *sb, const struct cat_relation *r);
void render_privs_scope(struct strbuf *sb, const struct catalog *cat, const struct cat_schema *const *schemas,
			size_t n, bool whole_db);
/* erd.md: a Mermaid erDiagram of the schema's tables and foreign keys. */
void render_erd(struct strbuf *sb, const struct cat_schema *schema);
/* A SQL string literal ('...' with quotes doubled). */
void render_literal(struct strbuf *sb, const char *s);

#endif
