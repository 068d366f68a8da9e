/*
 * edit_objmove.c: mv of an object file (a view, materialized view,
 * function, sequence, trigger or policy), the rename handler of each of
 * objkind.c's entries. Identity is kept: ALTER ... RENAME TO within its
 * folder; into another schema's folder under the same name, ALTER ... SET
 * SCHEMA. PostgreSQL does it in a rolled-back transaction (on the shadow
 * database when it is loaded) and the object is read back under its new
 * name, with the views that use it as PostgreSQL deparses them then: the
 * desired tree shows both. One stage entry, at the new name, with the
 * live name it comes from ("from"), which the tree no longer lists.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "edit_internal.h"
#include "objkind.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

struct move {
	struct change *c;
	const struct epath *to;
	const char *sql;
	struct strbuf *file;	/* out: the object under its new name */
	cJSON *shows;		/* out */
};

static int try_move(PGconn *conn, void *ctx)
{
	struct move *m = ctx;
	struct change *c = m->c;
	const struct epath *to = m->to;
	if (ed_obj_set_path(conn, NULL, c->err, sizeof c->err))
		return -EIO;
	if (probe_run(conn, m->sql, false, c->err, sizeof c->err))
		return -EINVAL;
	struct catalog *cat = ed_obj_load(c, conn);
	if (!cat)
		return -EIO;
	int rc = 0;
	if (!objfile_render(cat, to->obj->dir, to->schema, to->table, to->name, m->file))
		rc = ed_fail(c, -EIO, "%s.%s cannot be read back after the rename", to->schema, to->name);
	else
		ed_obj_shows(c->db, cat, to->obj->dir, to->schema, to->name, m->shows);
	catalog_free(cat);
	return rc;
}

/* The part of a function's identity "name(args)" from its "(", or "". */
static const char *args_of(const char *name)
{
	const char *a = strchr(name, '(');
	return a ? a : "";
}

int ed_obj_rename(struct change *c, const struct epath *from, const struct epath *to)
{
	struct database *db = c->db;
	const char *dir = from->obj->dir;
	bool fn = !strcmp(dir, "functions"), in_table = from->table != NULL;
	int rc = ed_check_names(c, to);
	if (rc)
		return rc;
	if (in_table && (strcmp(from->schema, to->schema) || strcmp(from->table, to->table)))
		return ed_fail(c, -EXDEV, "a %s belongs to its table: write it in the other table's folder (and "
			       "remove this one) to move it", dir);
	bool moved = strcmp(from->schema, to->schema) != 0;
	size_t nlen = fn ? strcspn(to->name, "(") : strlen(to->name);
	if (fn && strcmp(args_of(from->name), args_of(to->name)))
		return ed_fail(c, -EINVAL, "a function's rename keeps its argument list: %s cannot become %s (a new "
			       "signature is a new function: write its file)", from->name, to->name);
	if (moved && strcmp(from->name, to->name))
		return ed_fail(c, -EXDEV, "a move to another schema keeps the name here (ALTER ... SET SCHEMA): "
			       "move it first, then rename it");
	if (moved && !catalog_schema(db->cat, to->schema))
		return ed_fail(c, -EXDEV, "schema %s is not live yet: apply its creation first, then move the file",
			       to->schema);
	if (!tree_lookup(db->tree, c->path))
		return ed_fail(c, -ENOENT, "no such file");
	/* A staged rename moved again starts from the live name. */
	const char *was_schema = from->schema;
	const char *origin = stage_obj_origin(db->stage, dir, from->schema, from->table, from->name, &was_schema);
	char *was = strdup(origin ? origin : from->name), *was_s = strdup(was_schema);
	if (!was || !was_s)
		abort();
	struct stage_obj own;
	struct epath live = *from;
	live.name = was;
	live.schema = was_s;
	struct strbuf drop = STRBUF_INIT, sql = STRBUF_INIT, file = STRBUF_INIT;
	cJSON *shows = NULL;
	unsigned oid = 0;
	if (!origin && stage_obj_get(db->stage, dir, from->schema, from->table, from->name, &own)) {
		rc = ed_fail(c, -EBUSY, "%s.%s has staged changes: apply them first (or discard them), then rename it",
			     from->schema, from->name);
		goto out;
	}
	if (origin && moved) {
		rc = ed_fail(c, -EXDEV, "%s.%s is renamed from %s in this stage: apply the rename first, then move it",
			     from->schema, from->name, origin);
		goto out;
	}
	if (!ed_obj_live(db, &live, &drop, &oid)) {
		rc = ed_fail(c, -EPERM, "%s.%s is only staged: write its definition under the new name and remove the "
			     "old file", from->schema, from->name);
		goto out;
	}
	if (!strcmp(was, to->name) && !strcmp(was_s, to->schema)) {
		/* Moved back: as it is live. */
		stage_obj_remove(db->stage, dir, from->schema, from->table, from->name);
		goto out;
	}
	PGconn *conn = ed_conn(c);
	char *bare = strndup(moved ? to->schema : to->name, moved ? strlen(to->schema) : nlen);
	char *q = conn && bare ? probe_quote_ident(conn, bare, c->err, sizeof c->err) : NULL;
	free(bare);
	if (!q) {
		char why[sizeof c->err];
		memcpy(why, c->err, sizeof why);
		rc = ed_fail(c, -EIO, "the server cannot be reached to check the rename%s%s", why[0] ? ": " : "", why);
		goto out;
	}
	sb_addf(&sql, "ALTER %s %s %s;", sb_str(&drop), moved ? "SET SCHEMA" : "RENAME TO", q);
	free(q);
	shows = cJSON_CreateArray();
	if (!shows)
		abort();
	struct move m = { c, to, sb_str(&sql), &file, shows };
	if ((rc = ed_obj_rolled_back(c, try_move, &m)))
		goto out;
	stage_obj_remove(db->stage, dir, from->schema, from->table, from->name);
	struct stage_obj o = { dir, to->schema, to->table, to->name, oid, sb_str(&file), sb_str(&sql), NULL, false };
	stage_obj_set(db->stage, &o);
	stage_obj_attach(db->stage, dir, to->schema, to->table, to->name, "from", cJSON_CreateString(was));
	if (strcmp(was_s, to->schema))
		stage_obj_attach(db->stage, dir, to->schema, to->table, to->name, "from_schema",
				 cJSON_CreateString(was_s));
	if (cJSON_GetArraySize(shows)) {
		stage_obj_attach(db->stage, dir, to->schema, to->table, to->name, "shows", shows);
		shows = NULL;
	}
out:
	cJSON_Delete(shows);
	free(was);
	free(was_s);
	strbuf_free(&drop);
	strbuf_free(&sql);
	strbuf_free(&file);
	return rc;
}
