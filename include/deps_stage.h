/*
 * deps_stage: dependents (deps.h) as the stage document keeps them, and
 * what the desired tree and the plan make of them. Pure: no server.
 *
 *   "takes"       on a dropped column's entry (and a dropped table's):
 *                 the objects PostgreSQL drops with it (automatic
 *                 dependencies: indexes, constraints, ...), each
 *                 {kind, schema, rel, name, shown}. They vanish from the
 *                 desired tree and each is named in a hazard line.
 *   "dependents"  on a column entry whose type changes: the views, rules,
 *                 policies and triggers that use it, {shown, drop, create,
 *                 depth}, dropped before the change and created again after
 *                 it, as deparsed with the staged renames done.
 *   "deparsed"    at the top of the document: the definitions of the
 *                 objects on (or using) a renamed table or column, as
 *                 PostgreSQL deparses them once the staged renames are
 *                 done, {kind, schema, rel, name, def, qual, check}, by
 *                 desired names. The desired tree shows them.
 *
 * Locking: the callers' (the stage's and the desired catalog's owner, under
 * model_lock). Memory: strings put into a catalog are copied into its arena.
 */
#ifndef SCHEMAFS_DEPS_STAGE_H
#define SCHEMAFS_DEPS_STAGE_H

#include <stdbool.h>

struct catalog;
struct stage;
struct cJSON;
struct strbuf;

/* The stage kind ("indexes", "constraints", "triggers", "policies",
 * "rules", "sequences", "views") of a dep_kind. */
const char *deps_stage_kind(char kind);

/* Applies "deparsed" and "takes" of ST to DESIRED (built from LIVE by
 * stage_desired), copying what it changes into DESIRED's arena. */
void deps_desired(struct catalog *desired, const struct catalog *live, const struct stage *st);

/* Is any table or column rename staged in DOC against LIVE? */
bool deps_has_renames(const struct cJSON *doc, const struct catalog *live);
/* Forgets "deparsed" once no rename is staged. The number of changes. */
int deps_prune(struct cJSON *doc, const struct catalog *live);

/* Appends to HZ one line per dependent ENTRY's "takes" names: "<shown> is
 * dropped with WHAT". */
void deps_plan_takes(struct strbuf *hz, const struct cJSON *entry, const char *what);

/* The drops and re-creations of every column type change's dependents in
 * DOC, and of the dependents of every object file staged as DROP + CREATE
 * ("objects" entries' "dependents"), each dependent once: ADD(CTX, false,
 * ...) for the drops, outermost first, then ADD(CTX, true, ...) for the
 * creations in the reverse order. OBJECT: around an object's DROP + CREATE
 * (so dropped before it, created after it). SUBJECT is the table whose
 * column is changed, or the object (for the file's tag). */
typedef void (*deps_plan_add)(void *ctx, bool create, bool object, const char *sql, const char *subject,
			      const char *tag, const char *hazard);
void deps_plan_retype(const struct cJSON *doc, const struct catalog *live, deps_plan_add add, void *ctx);

#endif
