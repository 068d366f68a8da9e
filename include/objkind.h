/*
 * objkind: the object files of a schema (views/, materialized_views/,
 * functions/, sequences/) and of a table (triggers/, policies/), one entry
 * of handlers per kind. edit.c's dispatch calls an entry's handlers for a
 * path that ed_parse() found in its directory (struct epath's obj); a
 * handler left NULL refuses that change with EPERM.
 *
 * Handlers run as every ed_ function does: with the database's work_lock
 * and model_lock held (edit_internal.h), 0 or -errno with the reason in the
 * change (ed_fail).
 *
 * What a write stages is an entry of the stage's "objects" (stage.h):
 * PostgreSQL validates the file in a rolled-back transaction, and the
 * object is read back through the catalog loader and rendered as the read
 * side renders it (objfile_render), so the staged content is what the tree
 * will show after the apply.
 */
#ifndef SCHEMAFS_OBJKIND_H
#define SCHEMAFS_OBJKIND_H

#include <stdbool.h>
#include <stddef.h>

struct change;
struct epath;
struct catalog;
struct strbuf;

enum objscope {
	OBJ_IN_SCHEMA,		/* schemas/<s>/<dir>/<file> */
	OBJ_IN_TABLE,		/* schemas/<s>/tables/<t>/<dir>/<file> */
};

struct objkind {
	const char *dir;
	enum objscope scope;
	int (*write)(struct change *, const struct epath *, const char *data, size_t len);
	int (*create)(struct change *, const struct epath *);
	int (*remove)(struct change *, const struct epath *);
	int (*rename)(struct change *, const struct epath *from, const struct epath *to);
};

/* The entry for directory DIR in SCOPE, or NULL. Static: never freed. */
const struct objkind *objkind_find(const char *dir, size_t dirlen, enum objscope scope);

/* Renders object NAME (a view's name, a function's "name(args)") of
 * directory DIR in SCHEMA (and TABLE, for triggers and policies; else
 * NULL) of CAT as the tree shows its file, into OUT. false when CAT has no
 * such object. Pure. */
bool objfile_render(const struct catalog *cat, const char *dir, const char *schema, const char *table,
		    const char *name, struct strbuf *out);

#endif
