/*
 * edit_objdeps.c: a view, materialized view or function whose new text
 * needs DROP + CREATE while other objects use it. The views, materialized
 * views, rules, policies and triggers that use it are dropped before it
 * and created again after it, as PostgreSQL deparses them (deps.h), the
 * whole sequence tried in a transaction that is rolled back (on the
 * shadow database when it is loaded), and so are the column defaults
 * that use a function (DROP DEFAULT, SET DEFAULT); what PostgreSQL cannot
 * create again the same way (an index, a constraint, another function's
 * body) keeps the change refused with EBUSY, naming it. The
 * plan drops and re-creates them around the object (deps_stage.h), and
 * the desired tree shows them as PostgreSQL deparses them afterwards.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "deps.h"
#include "edit_internal.h"
#include "objkind.h"
#include "stage.h"
#include "strbuf.h"

void ed_obj_shows(struct database *db, const struct catalog *cat, const char *dir, const char *schema,
		  const char *name, cJSON *out)
{
	static const char *const DIRS[] = { "views", "materialized_views" };
	struct strbuf now = STRBUF_INIT, then = STRBUF_INIT;
	for (size_t i = 0; i < cat->nschemas; i++) {
		const struct cat_schema *s = &cat->schemas[i];
		for (size_t k = 0; k < 2; k++) {
			struct cat_relation *const *v = k ? s->matviews : s->views;
			for (size_t j = 0; j < (k ? s->nmatviews : s->nviews); j++) {
				if (!strcmp(DIRS[k], dir) && !strcmp(s->name, schema) && !strcmp(v[j]->name, name))
					continue;
				sb_reset(&now);
				sb_reset(&then);
				if (!objfile_render(db->cat, DIRS[k], s->name, NULL, v[j]->name, &now) ||
				    !objfile_render(cat, DIRS[k], s->name, NULL, v[j]->name, &then) ||
				    !strcmp(sb_str(&now), sb_str(&then)))
					continue;
				cJSON *e = cJSON_CreateObject();
				if (!e)
					abort();
				cJSON_AddStringToObject(e, "kind", DIRS[k]);
				cJSON_AddStringToObject(e, "schema", s->name);
				cJSON_AddStringToObject(e, "name", v[j]->name);
				cJSON_AddStringToObject(e, "file", sb_str(&then));
				cJSON_AddItemToArray(out, e);
			}
		}
	}
	strbuf_free(&now);
	strbuf_free(&then);
}

struct recreate {
	struct change *c;
	const struct epath *p;
	const char *replace;	/* DROP of the live object, then its new file */
	struct deps deps;	/* out */
	cJSON *shows;		/* out */
	char err[1024];
};

static int try_recreate(PGconn *conn, void *ctx)
{
	struct recreate *r = ctx;
	struct change *c = r->c;
	const struct epath *p = r->p;
	if (ed_obj_set_path(conn, NULL, c->err, sizeof c->err))
		return -EIO;
	/* A function by its name and identity arguments: its file's name. */
	bool fn = !strcmp(p->obj->dir, "functions");
	const char *open = fn ? strchr(p->name, '(') : NULL;
	const char *close = open ? strrchr(open, ')') : NULL;
	char *name = strndup(p->name, open ? (size_t)(open - p->name) : strlen(p->name));
	char *args = close ? strndup(open + 1, (size_t)(close - open - 1)) : NULL;
	if (!name || (open && !args))
		abort();
	int rc = 0;
	if (deps_recreate(conn, p->schema, name, args, r->replace, c->db->cfg->privileges, &r->deps, r->err,
			  sizeof r->err)) {
		rc = -EBUSY;
		goto out;
	}
	struct catalog *cat = ed_obj_load(c, conn);
	if (!cat) {
		rc = -EIO;
		goto out;
	}
	ed_obj_shows(c->db, cat, p->obj->dir, p->schema, p->name, r->shows);
	catalog_free(cat);
out:
	free(name);
	free(args);
	return rc;
}

int ed_obj_recreate(struct change *c, const struct epath *p, const char *drop, const char *file,
		    const char *what, const char *fixed, cJSON **deps, cJSON **shows)
{
	*deps = *shows = NULL;
	if (fixed && *fixed)
		return ed_fail(c, -EBUSY, "%s.%s must be dropped and created again (%s), and %s depend%s on it, "
			       "which cannot be created again the same way: drop them in the same stage first, or "
			       "write the migration by hand", p->schema, p->name, what, fixed,
			       strchr(fixed, ',') ? "" : "s");
	struct strbuf replace = STRBUF_INIT;
	sb_addf(&replace, "DROP %s;\n%s", drop, file);
	struct recreate r = { c, p, sb_str(&replace), { NULL, 0 }, cJSON_CreateArray(), "" };
	if (!r.shows)
		abort();
	int rc = ed_obj_rolled_back(c, try_recreate, &r);
	if (rc == -EBUSY)
		ed_fail(c, -EBUSY, "%s.%s must be dropped and created again (%s), and what depends on it cannot "
			"be created again on the new definition: %s (nothing staged)", p->schema, p->name, what, r.err);
	if (rc)
		goto out;
	*deps = cJSON_CreateArray();
	if (!*deps)
		abort();
	for (size_t i = 0; i < r.deps.n; i++) {
		const struct dep *d = &r.deps.v[i];
		struct stage_obj own;
		/* One whose own drop is staged goes with that. */
		if ((d->kind == DEP_VIEW || d->kind == DEP_MATVIEW) &&
		    stage_obj_get(c->db->stage, d->kind == DEP_VIEW ? "views" : "materialized_views", d->schema, NULL,
				  d->name, &own) &&
		    own.drop)
			continue;
		cJSON *e = cJSON_CreateObject();
		if (!e)
			abort();
		cJSON_AddStringToObject(e, "shown", d->shown);
		cJSON_AddStringToObject(e, "drop", d->drop_sql);
		cJSON_AddStringToObject(e, "create", d->create_sql);
		cJSON_AddNumberToObject(e, "depth", d->depth);
		cJSON_AddItemToArray(*deps, e);
	}
	*shows = r.shows;
	r.shows = NULL;
out:
	cJSON_Delete(r.shows);
	deps_free(&r.deps);
	strbuf_free(&replace);
	return rc;
}
