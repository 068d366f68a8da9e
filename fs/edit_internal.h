/*
 * edit_internal.h: what the parts of edit (edit.c: dispatch and the
 * public calls; edit_change.c: paths, the frame of one change, drafts;
 * edit_define.c: definitions checked by PostgreSQL; edit_apply.c:
 * migrations run from apply/) share. Internal to the core: see edit.h.
 *
 * Every ed_ function that takes a struct change runs with the database's
 * work_lock and model_lock held (ed_begin takes them, ed_end drops them);
 * ed_apply_* run with work_lock only.
 */
#ifndef SCHEMAFS_EDIT_INTERNAL_H
#define SCHEMAFS_EDIT_INTERNAL_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "probe.h"
#include "stage.h"

struct database;
struct extra_file;
struct cat_type;
struct catalog;

enum ekind {
	E_OTHER, E_TABLE, E_TABLE_SUBDIR, E_COLUMN, E_INDEX, E_CONSTRAINT, E_TRIGGER, E_POLICY,
	E_COMMENT, E_TABLE_SQL, E_TYPE, E_PENDING, E_APPLY,
	E_SCHEMA_SQL,		/* schemas/<s>/schema.sql */
	E_DB_SQL,		/* schema.sql of the database */
	E_OBJECT,		/* an object file: see obj (objkind.h) */
};

struct objkind;

/* A path taken apart. Names are raw (unescaped); all owned. */
struct epath {
	enum ekind kind;
	char *schema, *table, *name;
	const char *file;	/* last component, as in the path */
	const struct objkind *obj;	/* E_OBJECT: its kind's handlers */
	bool scratch;		/* ".x.swp", "x~": never staged */
	bool draft_name;	/* a name that cannot be a definition ("sedAb12", no .sql) */
	bool sed_temp;		/* named like GNU sed -i's temp file ("sed" and 6 letters or
				 * digits): an invalid definition there stays a draft, judged
				 * under the target's name when sed renames it over it */
	bool in_table;		/* somewhere inside a table's directory */
	bool shortened;		/* a name holds "%~" (name_unescape: a shortened name) */
};

struct change {
	struct database *db;
	const char *path;
	cJSON *backup;
	bool dry;		/* check only: nothing is staged, even when valid */
	bool prefix;		/* the data is what was written so far (edit_early_check) */
	char err[2048];
};

struct target {
	const struct cat_relation *want, *live;
	struct stage_ref ref;
	struct probe_table pt;
};

/* Takes PATH apart (names unescaped, owned: ed_epath_free). */
void ed_parse(const char *path, struct epath *p);
void ed_epath_free(struct epath *p);

/* The names P would create or rename to, held to the server's rules
 * (db->names): ENAMETOOLONG past max_identifier_length bytes (PostgreSQL
 * would cut the name, and the staged object would never match the applied
 * one), EINVAL when not valid UTF-8 (also for migration file names). 0,
 * or -errno with the reason in ERR. Scratch files and drafts are never
 * staged: they are not held to them. No lock needed. */
int ed_names_ok(const struct database *db, const struct epath *p, char *err, size_t errlen);
/* ed_names_ok() as a change's reason. */
int ed_check_names(struct change *c, const struct epath *p);

/* One change: locks and a backup of the stage (ed_begin), then the
 * stage saved, or restored with the reason in status (ed_end, which
 * returns RC and publishes). ed_fail records REASON and returns RC. */
int ed_begin(struct change *c, struct database *db, const char *path);
int ed_end(struct change *c, int rc);
int ed_fail(struct change *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "YYYY-MM-DD HH:MM:SS", local time. */
void ed_stamp(char *buf, size_t len);

/* Drafts and scratch files, kept in memory (model_lock). */
struct extra_file *ed_extra_find(struct database *db, const char *path);
void ed_extra_put(struct database *db, const char *path, const char *data, size_t len);
bool ed_extra_remove(struct database *db, const char *path);
/* PATH's content as the tree shows it (malloc'd, NUL-terminated), or NULL. */
char *ed_content_of(struct database *db, const char *path, size_t *len);

/* The table a path is in (desired and live), or -ENOENT with the reason. */
int ed_find_table(struct change *c, const struct epath *p, struct target *t);
/* The work connection, or NULL with the reason recorded (EIO). */
PGconn *ed_conn(struct change *c);
/* Stages the table's row estimate (for hazards). */
void ed_note_rows(struct change *c, PGconn *conn, const struct target *t);

/* Definitions, checked by PostgreSQL (edit_define.c). */
int ed_write_column(struct change *c, const struct epath *p, const char *data, size_t len);
int ed_write_definition(struct change *c, const struct epath *p, const char *data, size_t len);
int ed_write_comment(struct change *c, const struct epath *p, const char *data, size_t len);
int ed_write_enum(struct change *c, const struct epath *p, const char *data, size_t len);
const struct cat_type *ed_desired_enum(struct database *db, const struct epath *p);

/* A whole table.sql or schema.sql (edit_declare.c): loaded into the shadow
 * database, read back and compared with the live catalog (declare.h); the
 * differences merged into the stage, EBUSY when they contradict staged
 * edits of the same objects, EOPNOTSUPP without a usable shadow. Releases
 * model_lock while the shadow works (work_lock stays held). */
int ed_write_declarative(struct change *c, const struct epath *p, const char *data, size_t len);
/* Dependents (edit_deps.c), after the edit is staged: a column type change
 * keeps what must be dropped and re-created around it (EINVAL when one
 * cannot be); a drop keeps what it takes, or is refused with EBUSY while
 * something PostgreSQL would not drop without CASCADE uses it; a rename
 * keeps the definitions PostgreSQL deparses with the renames done (never
 * refused: logged when they cannot be read). */
int ed_deps_retype(struct change *c, const struct stage_ref *ref, int attnum);
int ed_deps_drop_column(struct change *c, const struct stage_ref *ref, int attnum);
int ed_deps_drop_table(struct change *c, const struct stage_ref *ref);
void ed_deps_renamed(struct change *c);
/* Object files of a schema (edit_object.c): the handlers of objkind.c's
 * views, materialized views and functions. */
int ed_obj_write(struct change *c, const struct epath *p, const char *data, size_t len);
int ed_obj_create(struct change *c, const struct epath *p);
int ed_obj_remove(struct change *c, const struct epath *p);
/* The same entries for a declarative file (edit_declare.c): object P as
 * WANT (the file's catalog, read back from the shadow) has it, staged as
 * its file's write would stage that rendering (no second check of the
 * text: PostgreSQL made it already); the drop of P as rm stages it, P's
 * own path not needed. */
int ed_obj_declared(struct change *c, const struct epath *p, const struct catalog *want);
int ed_obj_drop(struct change *c, const struct epath *p);
/* mv of an object file (edit_objmove.c): ALTER ... RENAME TO, or SET
 * SCHEMA into another schema's folder under the same name. */
int ed_obj_rename(struct change *c, const struct epath *from, const struct epath *to);

/* What edit_object.c shares with edit_objdeps.c and edit_objmove.c. */
struct strbuf;
struct catalog_filter;
/* Runs FN(conn, CTX) in a transaction that is rolled back, on the shadow
 * database when it is loaded, else on the work connection with the
 * probe's timeouts; FN records its reason in the change. */
int ed_obj_rolled_back(struct change *c, int (*fn)(PGconn *conn, void *ctx), void *ctx);
/* search_path SCHEMA (NULL: public), public, pg_temp, and the probe's
 * lock_timeout, for the transaction. 0, or -1 with ERR. */
int ed_obj_set_path(PGconn *conn, const char *schema, char *err, size_t errlen);
/* Object P as it is live, as DROP names it ("VIEW public.v", "TRIGGER t
 * ON public.b") into DROP, and its OID (0 for triggers and policies):
 * false when P is not live. */
bool ed_obj_live(struct database *db, const struct epath *p, struct strbuf *drop, unsigned *oid);
/* The catalog of every live schema, read in CONN's transaction (NULL with
 * the reason in the change). Caller frees (catalog_free). */
struct catalog *ed_obj_load(struct change *c, PGconn *conn);
/* Into OUT (an array), the view and materialized view files of CAT that
 * render otherwise than live, but DIR's NAME in SCHEMA (the object the
 * change is about): {kind, schema, name, file}, for "shows". */
void ed_obj_shows(struct database *db, const struct catalog *cat, const char *dir, const char *schema,
		  const char *name, cJSON *out);
/* Object P must be dropped and created again with FILE (DROP names the
 * live one; WHAT: why, for messages): its dependents (views, rules,
 * policies, triggers) are dropped and created again around it, tried in a
 * rolled-back transaction (edit_objdeps.c), and a function's column
 * defaults. FIXED: those PostgreSQL cannot create again the same way
 * (indexes, constraints, ...): then EBUSY naming them. *DEPS gets the "dependents" entries, *SHOWS the "shows" ones
 * (caller's). 0, or -errno with the reason in the change. */
int ed_obj_recreate(struct change *c, const struct epath *p, const char *drop, const char *file,
		    const char *what, const char *fixed, cJSON **deps, cJSON **shows);

/* Migrations (edit_apply.c), work_lock held, model_lock not. */
int ed_apply_now(struct database *db, const char *name, const char *data, size_t len,
		 const char *pending, bool back);
int ed_apply_renamed(struct database *db, const char *from, const struct epath *pf,
		     const struct epath *pt);

#endif
