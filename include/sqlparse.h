/*
 * sqlparse: what PostgreSQL's own parser (libpg_query, PostgreSQL 15's
 * grammar) says about a migration file: where its top-level statements
 * are, and which file of the tree a generated statement comes from.
 *
 * Pure (no server, no FUSE). libpg_query swaps file descriptor 2 while it
 * parses: every call into it, here or in sqltx.c, holds sqlparse_lock().
 */
#ifndef SCHEMAFS_SQLPARSE_H
#define SCHEMAFS_SQLPARSE_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* One statement: bytes [off, off + len) of the text that was split, with
 * the comments and blanks before it, without its ';'. */
struct sql_stmt {
	size_t off, len;
};

/* The top-level statements of SQL (LEN bytes, no NUL), split by the
 * parser (which knows function bodies and BEGIN ATOMIC). Returns their
 * number (0: only comments and blanks) with *OUT malloc'd (caller frees),
 * or -1 when the parser cannot read the text (syntax newer than its own):
 * the caller then sends it whole. */
int sqlparse_split(const char *sql, size_t len, struct sql_stmt **out);

/*
 * The file of the tree (relative to the database directory, names
 * escaped as the tree shows them) that the one statement STMT of a
 * generated migration comes from: "schemas/public/tables/booking/columns/
 * note" for ALTER TABLE public.booking ALTER COLUMN note ..., an index's
 * or constraint's .sql file, an enum type's file, a table's comment or
 * its directory. Unqualified names are in public (generated migrations
 * run with search_path = public). Appends it to PATH and returns 0, or -1
 * when the statement names none of these.
 */
int sqlparse_subject(const char *stmt, struct strbuf *path);

/* Does the column definition COLDEF (a column file: type and options)
 * hold a REFERENCES clause? false too when the parser cannot read it. */
bool sqlparse_column_references(const char *coldef);

/* SQL (LEN bytes) as PostgreSQL's parse tree, libpg_query's JSON
 * ({"stmts": [{"stmt": {"ViewStmt": {...}}, ...}]}): a cJSON the caller
 * deletes, or NULL with the parser's message (and line) in ERR. */
struct cJSON *sqlparse_tree(const char *sql, size_t len, char *err, size_t errlen);

/* The I'th String of a parse tree's name list ([schema, name] or [name])
 * from its end: 0 the name, 1 the schema. NULL when the list is shorter.
 * Points into LIST. */
const char *sqlparse_name_from_end(const struct cJSON *list, int i);

/* Serializes calls into libpg_query (see above). */
void sqlparse_lock(void);
void sqlparse_unlock(void);

#endif
