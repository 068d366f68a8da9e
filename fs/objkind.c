/* objkind.c: the table of object-file handlers, and how each kind's file
 * renders; see include/objkind.h. */
#include "objkind.h"

#include <errno.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "edit_internal.h"
#include "render.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

static const struct cat_relation *rel_named(struct cat_relation *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->name, name))
			return v[i];
	return NULL;
}

bool objfile_render(const struct catalog *cat, const char *dir, const char *schema, const char *table,
		    const char *name, struct strbuf *out)
{
	const struct cat_schema *s = dir && schema && name ? catalog_schema(cat, schema) : NULL;
	if (!s)
		return false;
	const struct cat_relation *r = NULL;
	if (table) {
		r = catalog_table(cat, schema, table);
		for (size_t i = 0; r && !strcmp(dir, "triggers") && i < r->ntriggers; i++)
			if (!strcmp(r->triggers[i].name, name)) {
				render_trigger(out, &r->triggers[i]);
				return true;
			}
		for (size_t i = 0; r && !strcmp(dir, "policies") && i < r->npolicies; i++)
			if (!strcmp(r->policies[i].name, name)) {
				render_policy(out, r, &r->policies[i]);
				return true;
			}
		return false;
	}
	if (!strcmp(dir, "views") && (r = rel_named(s->views, s->nviews, name)))
		render_view(out, r);
	else if (!strcmp(dir, "materialized_views") && (r = rel_named(s->matviews, s->nmatviews, name)))
		render_view(out, r);
	else if (!strcmp(dir, "sequences") && (r = rel_named(s->sequences, s->nsequences, name)))
		render_sequence(out, r);
	if (r)
		return true;
	if (strcmp(dir, "functions"))
		return false;
	struct strbuf sig = STRBUF_INIT;
	bool found = false;
	for (size_t i = 0; i < s->nfunctions && !found; i++) {
		const struct cat_function *f = s->functions[i];
		sb_reset(&sig);
		sb_addf(&sig, "%s(%s)", f->name, f->args ? f->args : "");
		if ((found = !strcmp(sb_str(&sig), name)))
			render_function(out, f);
	}
	strbuf_free(&sig);
	return found;
}

/* ---- triggers and policies: dropped by rm, as they were ---- */

static int table_object_remove(struct change *c, const struct epath *p)
{
	struct target t;
	int rc = ed_find_table(c, p, &t);
	if (rc)
		return rc;
	if (!tree_lookup(c->db->tree, c->path))
		return ed_fail(c, -ENOENT, "no such file");
	/* A written one is forgotten; a live one is dropped. */
	bool staged = stage_obj_remove(c->db->stage, p->obj->dir, p->schema, p->table, p->name);
	bool live = false;
	bool trg = !strcmp(p->obj->dir, "triggers");
	for (size_t i = 0; t.live && i < (trg ? t.live->ntriggers : t.live->npolicies); i++)
		live |= !strcmp(trg ? t.live->triggers[i].name : t.live->policies[i].name, p->name);
	if (live || !staged)
		stage_object_drop(c->db->stage, &t.ref, p->obj->dir, p->name, live);
	return 0;
}

static const struct objkind KINDS[] = {
	{ "views", OBJ_IN_SCHEMA, ed_obj_write, ed_obj_create, ed_obj_remove, ed_obj_rename },
	{ "materialized_views", OBJ_IN_SCHEMA, ed_obj_write, ed_obj_create, ed_obj_remove, ed_obj_rename },
	{ "functions", OBJ_IN_SCHEMA, ed_obj_write, ed_obj_create, ed_obj_remove, ed_obj_rename },
	{ "sequences", OBJ_IN_SCHEMA, ed_obj_write, ed_obj_create, ed_obj_remove, ed_obj_rename },
	{ "triggers", OBJ_IN_TABLE, ed_obj_write, ed_obj_create, table_object_remove, ed_obj_rename },
	{ "policies", OBJ_IN_TABLE, ed_obj_write, ed_obj_create, table_object_remove, ed_obj_rename },
};

const struct objkind *objkind_find(const char *dir, size_t dirlen, enum objscope scope)
{
	for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
		if (KINDS[i].scope == scope && strlen(KINDS[i].dir) == dirlen && !memcmp(KINDS[i].dir, dir, dirlen))
			return &KINDS[i];
	return NULL;
}
