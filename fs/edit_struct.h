/*
 * edit_struct.h: schemas, extensions and index and constraint renames as
 * file operations (issue 14): one table of handlers, one entry per kind
 * of object file, consulted by edit.c in one place per operation. Each
 * handler runs inside a change (edit_internal.h: work_lock and model_lock
 * held) and returns 0 or -errno with the reason recorded (ed_fail).
 * PostgreSQL checks each one through es_check (on the shadow database).
 * Internal to the core.
 */
#ifndef SCHEMAFS_EDIT_STRUCT_H
#define SCHEMAFS_EDIT_STRUCT_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "edit_internal.h"

/* Where a kind's files are: the database's directory, a schema's, a table's. */
enum struct_scope { SS_DATABASE, SS_SCHEMA, SS_TABLE };

/* The shape of objkind.h's struct objkind (branch objs), for the lead to
 * fold in: a directory's object files and what each operation on one
 * means. create is also mkdir, remove also rmdir, for kinds whose object
 * is a directory. NULL: the operation is not the kind's (edit.c's own
 * handling, or EPERM, applies). */
struct objkind_struct {
	const char *dir;
	enum struct_scope scope;
	int (*write)(struct change *c, const struct epath *p, const char *data, size_t len);
	int (*create)(struct change *c, const struct epath *p);
	int (*remove)(struct change *c, const struct epath *p);
	int (*rename)(struct change *c, const struct epath *from, const struct epath *to);
};

/* Operations edit.c hands over. */
enum struct_op { SO_WRITE, SO_CREATE, SO_REMOVE, SO_RENAME };

/* Runs OP on PATH (TO: the rename's target; DATA, LEN: the write's) when
 * one of the kinds takes it: its result; -ENOSYS when none does (edit.c
 * goes on as before). */
int edit_struct(struct change *c, enum struct_op op, const char *path, const char *to, const char *data,
		size_t len);
/* Is DATA, written so far to PATH, a whole definition of one of these
 * kinds (ending in ";"), to be checked at write() already, as
 * edit_early_check() does (the shell does not report close()'s error)? */
bool edit_struct_early(const char *path, const char *data, size_t len);
/* May PATH be created or written (an extension's file)? */
bool edit_struct_writable(const char *path);

/* The handlers (edit_schema.c, edit_extension.c, edit_objrename.c, edit_type.c). */
int es_schema_create(struct change *c, const struct epath *p);
int es_schema_remove(struct change *c, const struct epath *p);
int es_schema_rename(struct change *c, const struct epath *from, const struct epath *to);
int es_schema_part_remove(struct change *c, const struct epath *p);
int es_extension_write(struct change *c, const struct epath *p, const char *data, size_t len);
int es_extension_remove(struct change *c, const struct epath *p);
int es_object_rename(struct change *c, const struct epath *from, const struct epath *to);
int es_type_write(struct change *c, const struct epath *p, const char *data, size_t len);
int es_type_remove(struct change *c, const struct epath *p);
/* Type OID (text) read back as the catalog reads it: a domain's base,
 * collation, default, NOT NULL and checks (one row); a composite's
 * attributes (name, quoted name, type, collation; a row each). */
int es_read_domain(struct change *c, PGconn *conn, const char *oid, PGresult **res);
int es_read_attrs(struct change *c, PGconn *conn, const char *oid, PGresult **res);
/* A live composite T's file rewritten (edit_composite.c). */
int es_composite_write(struct change *c, const struct epath *p, const struct cat_type *t, const char *data,
		       size_t len);
/* A live domain T's file rewritten (edit_domain.c). */
int es_domain_write(struct change *c, const struct epath *p, const struct cat_type *t, const char *data,
		    size_t len);

/*
 * The check of an edit, in a transaction that is always rolled back: on
 * the shadow database when there is a usable one (shadow_run_txn:
 * production takes no lock), else on the work connection (ed_conn); with
 * the probe's settings (probe.h: lock_timeout, statement_timeout,
 * search_path = public). The staged edits of these kinds run first, as
 * the apply will run them (a schema or type staged earlier is there), but
 * the edited object's own (KIND, NAME: the schema's, extension's or
 * type's name; ES_NONE: none). Then FN(C, CONN, CTX), whose result is
 * returned; it records its reason in C (ed_fail, es_run).
 */
enum es_self { ES_NONE, ES_SCHEMA, ES_EXTENSION, ES_TYPE };
typedef int (*es_check_fn)(struct change *c, PGconn *conn, void *ctx);
int es_check(struct change *c, enum es_self kind, const char *name, es_check_fn fn, void *ctx);

/* A type's file as PostgreSQL's parser (libpg_query) reads it: one
 * statement (the CREATE, checked by its handler), then at most one
 * COMMENT ON TYPE or DOMAIN of type SCHEMA.NAME (qualified, or in public
 * unqualified), and a composite's COMMENT ON COLUMN lines, as
 * render_type() writes them. 0, or -EINVAL with the reason. Attribute
 * comments are not staged: each line must say what the live attribute's
 * comment says (EPERM otherwise; a missing line keeps it). */
struct es_text {
	char *create;		/* the first statement's text, malloc'd */
	bool has_comment;
	char *comment;		/* malloc'd; NULL: IS NULL */
	bool domain;		/* COMMENT ON DOMAIN, else TYPE */
	cJSON *tree;		/* the parse tree (its COMMENT ON COLUMN nodes) */
};
int es_split_type(struct change *c, const char *data, size_t len, const char *schema, const char *name,
		  struct es_text *out);
/* Do the file's COMMENT ON COLUMN lines say what live composite LIVE's
 * attributes' comments say (LIVE NULL: a new type, where none may be)?
 * 0, or -EPERM with the reason. */
int es_attr_comments(struct change *c, const struct es_text *t, const struct cat_type *live);
/* es_split_type() of the file of type T (in P's schema), then
 * es_attr_comments() against LIVE: what a domain's or a composite's
 * rewrite reads first. 0 with *OUT filled (es_text_free), or -errno. */
int es_read_type_file(struct change *c, const struct epath *p, const struct cat_type *t, const char *data,
		      size_t len, const struct cat_type *live, struct es_text *out);
void es_text_free(struct es_text *t);
/* Inside es_check: runs the file's COMMENT (when it has one) on type
 * QUAL, for PostgreSQL to check it; 0 or -EINVAL. */
int es_run_comment(struct change *c, PGconn *conn, const struct es_text *t, const char *qual);
/* Stages the comment of type T (live: T->oid; else new type SCHEMA.NAME,
 * staged already) as the file has it: live types keep theirs only when
 * the file says the same. */
void es_stage_type_comment(struct change *c, unsigned oid, const char *schema, const char *name,
			   const struct es_text *t);

/* Runs SQL with text parameters: 0, or -1 with PostgreSQL's primary
 * message, detail and hint in C's reason. *RES (when not NULL) gets the
 * result (the caller PQclear()s it). */
/* Renames the live type QUAL out of the way (ALTER <ALTER> ... RENAME TO
 * TMPNAME), runs the file's TEXT, and finds the type of TYPTYPE it created
 * as SCHEMA.NAME: *FOUND (the caller clears it) holds its oid, and the
 * live type's (now TMPNAME: the check may run on the shadow, whose oids
 * are not the live ones). 0, or
 * -EINVAL with the reason recorded (WHAT names the kind in it). */
int es_replace_type(struct change *c, PGconn *conn, const char *alter, char typtype, const char *qual,
		    const char *tmpname, const char *schema, const char *name, const char *text, const char *what,
		    PGresult **found);
int es_run(struct change *c, PGconn *conn, const char *sql, int n, const char *const *params, PGresult **res);
/* PQescapeIdentifier of NAME, malloc'd (the caller frees), or NULL with
 * the reason. */
char *es_ident(struct change *c, PGconn *conn, const char *name);

#endif
