/*
 * edit_object.c: writes and removals of object files (a schema's views,
 * materialized views, functions and sequences; a table's triggers and
 * policies), the handlers objkind.c's table names.
 *
 * A written file is checked in three steps. PostgreSQL's parser (libpg_query)
 * says whether it holds exactly one CREATE of the file's kind and name, with
 * only COMMENT, GRANT, ALTER and the like beside it. The server then runs it
 * in a transaction that is rolled back, with the object as it is dropped
 * first, and the object is read back through the catalog loader and
 * rendered as the read side renders it: that rendering is what is staged,
 * and what the tree shows. Last, the staged statement is chosen: ALTER
 * for policies and sequences, built from the catalog read back; CREATE OR
 * REPLACE when the server takes it over the live object (tried as well);
 * else DROP + CREATE, refused (EBUSY) while other objects depend on it and
 * are not dropped in the same stage.
 *
 * The checks run on the shadow database when it is loaded (shadow.h:
 * production takes no lock), else on the work connection (ed_conn), in
 * rolled-back transactions with the probe's lock_timeout (probe.h). What
 * depends on an object is read from the work connection's catalogs. The
 * parser's step is edit_objcheck.c; the live object, its dependents and
 * the rolled-back transactions, edit_objlive.c (edit_object.h).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "edit_internal.h"
#include "edit_object.h"
#include "objkind.h"
#include "pg.h"
#include "probe.h"
#include "render.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

/* What each kind's file must create. */
static const struct spec SPECS[] = {
	{ "views", "ViewStmt", "view", "VIEW", false, NULL, false },
	{ "materialized_views", "CreateTableAsStmt", "materialized view", "MATERIALIZED VIEW", true,
	  "its data is recomputed (REFRESH) from scratch, and it is locked meanwhile", false },
	{ "functions", "CreateFunctionStmt", "function", NULL, false, NULL, false },
	{ "triggers", "CreateTrigStmt", "trigger", "TRIGGER", false, NULL, true },
	{ "policies", "CreatePolicyStmt", "policy", "POLICY", false, NULL, true },
	{ "sequences", "CreateSeqStmt", "sequence", "SEQUENCE", false, NULL, false },
};

const struct spec *ed_obj_spec(const struct epath *p)
{
	for (size_t i = 0; i < sizeof SPECS / sizeof SPECS[0]; i++)
		if (!strcmp(SPECS[i].dir, p->obj->dir))
			return &SPECS[i];
	return NULL;
}

/* One check of a written file (try_file, takes). */
struct try {
	struct change *c;
	const struct spec *k;
	const struct epath *p;
	const char *drop;	/* the live object, as DROP names it, or NULL */
	bool qualified;
	const char *text;	/* the user's */
	struct strbuf *file;	/* out: the object, as the tree renders it */
	struct strbuf *alter;	/* out, policies: ALTER POLICY to the new one, when it can */
	const char *sql;	/* takes(): the statement to try */
	bool ok;		/* takes(): the server took it */
	char why[1024];		/* takes(): or its message */
};

static const struct cat_policy *policy_named(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->npolicies; i++)
		if (!strcmp(r->policies[i].name, name))
			return &r->policies[i];
	return NULL;
}

/* ALTER POLICY from the live policy to the one NEW holds, into OUT, when
 * ALTER can get there: the same command and permissive kind, and no USING
 * or WITH CHECK taken away (ALTER POLICY can only set them). */
static void policy_alter(struct database *db, const struct epath *p, const struct catalog *new_cat,
			 struct strbuf *out)
{
	const struct cat_relation *want = catalog_table(db->desired, p->schema, p->table);
	const struct cat_relation *lr = want && want->oid ? catalog_rel(db->cat, want->oid) : NULL;
	const struct cat_relation *nr = catalog_table(new_cat, p->schema, p->table);
	const struct cat_policy *lp = policy_named(lr, p->name), *np = policy_named(nr, p->name);
	if (!lp || !np || lp->cmd != np->cmd || lp->permissive != np->permissive || (lp->qual && !np->qual) ||
	    (lp->check && !np->check))
		return;
	sb_addf(out, "ALTER POLICY %s ON ", lp->qname);
	sb_add_qual(out, lr->schema->qname, lr->qname);
	sb_addf(out, " TO %s", np->roles ? np->roles : "PUBLIC");
	if (np->qual)
		sb_addf(out, " USING (%s)", np->qual);
	if (np->check)
		sb_addf(out, " WITH CHECK (%s)", np->check);
	sb_add(out, ";\n");
}

/* ALTER SEQUENCE from the live sequence to the one NEW holds, into OUT:
 * its options, its owner column, its persistence (15+). */
static void sequence_alter(struct database *db, const struct epath *p, const struct catalog *new_cat,
			   struct strbuf *out)
{
	static const struct spec SEQ = { "sequences", NULL, NULL, NULL, false, NULL, false };
	const struct cat_relation *l = ed_obj_live_rel(db->cat, &SEQ, p->schema, p->name);
	const struct cat_relation *n = ed_obj_live_rel(new_cat, &SEQ, p->schema, p->name);
	if (!l || !n)
		return;
	struct strbuf q = STRBUF_INIT, opts = STRBUF_INIT;
	sb_add_qual(&q, l->schema->qname, l->qname);
	const char *lt = l->seq_type ? l->seq_type : "bigint", *nt = n->seq_type ? n->seq_type : "bigint";
	if (strcmp(lt, nt))
		sb_addf(&opts, " AS %s", nt);
	if (l->seq_start != n->seq_start)
		sb_addf(&opts, " START WITH %lld", n->seq_start);
	if (l->seq_inc != n->seq_inc)
		sb_addf(&opts, " INCREMENT BY %lld", n->seq_inc);
	if (l->seq_min != n->seq_min)
		sb_addf(&opts, " MINVALUE %lld", n->seq_min);
	if (l->seq_max != n->seq_max)
		sb_addf(&opts, " MAXVALUE %lld", n->seq_max);
	if (l->seq_cache != n->seq_cache)
		sb_addf(&opts, " CACHE %lld", n->seq_cache);
	if (l->seq_cycle != n->seq_cycle)
		sb_add(&opts, n->seq_cycle ? " CYCLE" : " NO CYCLE");
	if (opts.len)
		sb_addf(out, "ALTER SEQUENCE %s%s;\n", sb_str(&q), sb_str(&opts));
	if (!(l->seq_owned_by ? n->seq_owned_by && !strcmp(l->seq_owned_by, n->seq_owned_by) : !n->seq_owned_by))
		sb_addf(out, "ALTER SEQUENCE %s OWNED BY %s;\n", sb_str(&q), n->seq_owned_by ? n->seq_owned_by : "NONE");
	if (l->persistence && n->persistence && l->persistence != n->persistence)
		sb_addf(out, "ALTER SEQUENCE %s SET %s;\n", sb_str(&q), n->persistence == 'u' ? "UNLOGGED" : "LOGGED");
	strbuf_free(&q);
	strbuf_free(&opts);
}

/* Runs the file (with the live object dropped first) and renders what it
 * made into FILE. 0, -EINVAL with PostgreSQL's message, -EIO. */
static int try_file(PGconn *conn, void *ctx)
{
	struct try *t = ctx;
	struct change *c = t->c;
	struct strbuf sql = STRBUF_INIT;
	int rc = 0;
	if (ed_obj_set_path(conn, NULL, c->err, sizeof c->err)) {
		rc = -EIO;
		goto out;
	}
	if (t->drop) {
		sb_addf(&sql, "DROP %s CASCADE", t->drop);
		if (probe_run(conn, sb_str(&sql), false, c->err, sizeof c->err)) {
			rc = -EIO;
			goto out;
		}
	}
	/* An unqualified name is created in the file's schema. */
	if (!t->qualified && ed_obj_set_path(conn, t->p->schema, c->err, sizeof c->err)) {
		rc = -EIO;
		goto out;
	}
	if (probe_run(conn, t->text, true, c->err, sizeof c->err)) {
		rc = -EINVAL;
		goto out;
	}
	const char *schemas[] = { t->p->schema };
	struct catalog_filter f = ed_obj_filter(c->db, schemas);
	struct catalog *cat = catalog_load_here(conn, &f, c->err, sizeof c->err);
	if (!cat) {
		rc = -EIO;
		goto out;
	}
	if (!objfile_render(cat, t->k->dir, t->p->schema, t->p->table, t->p->name, t->file))
		rc = ed_fail(c, -EINVAL, "the file does not create %s %s.%s%s", t->k->what, t->p->schema,
			     t->p->name, t->k->drop_kw ? "" : ": a function's file name is its signature (name "
			     "and argument types); its text declares another one");
	else if (t->drop && !strcmp(t->k->dir, "policies"))
		policy_alter(c->db, t->p, cat, t->alter);
	else if (t->drop && !strcmp(t->k->dir, "sequences"))
		sequence_alter(c->db, t->p, cat, t->alter);
	catalog_free(cat);
out:
	strbuf_free(&sql);
	return rc;
}

/* Does the server take T->sql over the live object? */
static int takes(PGconn *conn, void *ctx)
{
	struct try *t = ctx;
	if (ed_obj_set_path(conn, NULL, t->c->err, sizeof t->c->err))
		return -EIO;
	t->ok = !probe_run(conn, t->sql, false, t->why, sizeof t->why);
	return 0;
}

/* "CREATE VIEW" -> "CREATE OR REPLACE VIEW" in FILE's first statement,
 * which schemafs rendered (never the user's text). */
static void or_replace(struct strbuf *out, const char *file)
{
	static const char create[] = "CREATE ";
	if (!strncmp(file, create, sizeof create - 1) && strncmp(file, "CREATE OR REPLACE ", 18)) {
		sb_add(out, "CREATE OR REPLACE ");
		sb_add(out, file + sizeof create - 1);
	} else {
		sb_add(out, file);
	}
}

/* A staged DROP of this trigger or policy (rm) is undone. */
static void undo_table_drop(struct change *c, const struct epath *p)
{
	struct target t;
	char keep[sizeof c->err];
	memcpy(keep, c->err, sizeof keep);
	if (!ed_find_table(c, p, &t))
		stage_object_drop(c->db->stage, &t.ref, p->obj->dir, p->name, false);
	memcpy(c->err, keep, sizeof keep);
}

/* CREATE OR REPLACE keeps the object's comment: one the live file has and
 * FILE no longer has is removed (both are schemafs's renderings, whose
 * COMMENT lines name the object as DROP does: "COMMENT ON VIEW public.v"). */
static void comment_gone(struct strbuf *sql, const char *drop, const char *live, const char *file)
{
	struct strbuf line = STRBUF_INIT;
	sb_addf(&line, "\nCOMMENT ON %s IS ", drop);
	if (strstr(live, sb_str(&line)) && !strstr(file, sb_str(&line)))
		sb_addf(sql, "COMMENT ON %s IS NULL;\n", drop);
	strbuf_free(&line);
}

/* What a checked object stages: FILE (its file as the tree will render
 * it), over the live object when LIVE (DROP naming it, LO, LIVE_FILE: its
 * file now; ALTER: the ALTER statement a policy or sequence needs, or
 * empty): nothing when it reads as it does live, else the ALTER, CREATE OR
 * REPLACE (when the server takes it: tried), or DROP + CREATE (EBUSY while
 * something depends on it), or the CREATE of a new one. Shared by a file's
 * write and a declarative file (ed_obj_declared), which may give EXTRA
 * statements to run after it (a trigger's comment, not in its file). */
static int stage_checked(struct change *c, const struct spec *k, const struct epath *p, bool live,
			 const char *drop, const struct live_obj *lo, const char *live_file, const char *file,
			 const char *alter, const char *extra)
{
	struct database *db = c->db;
	struct strbuf sql = STRBUF_INIT, who = STRBUF_INIT, hz = STRBUF_INIT, fixed = STRBUF_INIT;
	cJSON *deps = NULL, *shows = NULL;
	int rc = 0;
	if (k->in_table)
		undo_table_drop(c, p);	/* rm, then written again: this write says what it is */
	if (live && !strcmp(file, live_file)) {
		stage_obj_remove(db->stage, k->dir, p->schema, p->table, p->name);	/* back as it is live */
		ed_extra_remove(db, c->path);
		goto out;
	}
	bool replace = false;
	struct try t = { c, k, p, drop, false, NULL, NULL, NULL, NULL, false, "" };
	const char *why = t.why;
	if (live && !strcmp(k->dir, "sequences") && !alter[0]) {
		rc = ed_fail(c, -EINVAL, "only a sequence's options (AS, START, INCREMENT, MINVALUE, MAXVALUE, CACHE, "
			     "CYCLE), its OWNED BY and its persistence are changed here: write the rest (comments, "
			     "privileges) as a migration by hand");
		goto out;
	}
	if (live && alter[0]) {
		sb_add(&sql, alter);
		replace = true;
	} else if (live && !k->recreate && strcmp(k->dir, "policies")) {
		or_replace(&sql, file);
		t.sql = sb_str(&sql);
		if ((rc = ed_obj_rolled_back(c, takes, &t)))
			goto out;
		replace = t.ok;
		if (replace)
			comment_gone(&sql, drop, live_file, file);
	}
	if (live && !replace) {
		/* What depends on it live: the work connection's catalogs. */
		PGconn *conn = ed_conn(c);
		if (!conn) {
			rc = -EIO;
			goto out;
		}
		if ((rc = ed_obj_dependents(c, conn, lo, &who, &fixed)))
			goto out;
		if (who.len && (rc = ed_obj_recreate(c, p, drop, file, k->recreate ? k->recreate_hazard : why,
						     sb_str(&fixed), &deps, &shows)))
			goto out;
		sb_reset(&sql);
		sb_addf(&sql, "DROP %s;\n%s", drop, file);
		if (!k->in_table)	/* a trigger or policy is back in the same transaction */
			sb_addf(&hz, "%s %s.%s is dropped and created again: %s", k->what, p->schema, p->name,
				k->recreate ? k->recreate_hazard : why);
	} else if (!live) {
		sb_add(&sql, file);
	}
	sb_add(&sql, extra);
	struct stage_obj o = {
		k->dir, p->schema, p->table, p->name, lo->oid, file, sb_str(&sql), hz.len ? sb_str(&hz) : NULL, false,
	};
	stage_obj_set(db->stage, &o);
	if (deps) {
		struct strbuf shown = STRBUF_INIT;
		sb_addf(&shown, "%s %s.%s", k->what, p->schema, p->name);
		stage_obj_attach(db->stage, k->dir, p->schema, p->table, p->name, "shown",
				 cJSON_CreateString(sb_str(&shown)));
		strbuf_free(&shown);
		stage_obj_attach(db->stage, k->dir, p->schema, p->table, p->name, "dependents", deps);
		deps = NULL;
	}
	if (shows && cJSON_GetArraySize(shows)) {
		stage_obj_attach(db->stage, k->dir, p->schema, p->table, p->name, "shows", shows);
		shows = NULL;
	}
	ed_extra_remove(db, c->path);
out:
	cJSON_Delete(deps);
	cJSON_Delete(shows);
	strbuf_free(&sql);
	strbuf_free(&who);
	strbuf_free(&hz);
	strbuf_free(&fixed);
	return rc;
}

/* An object whose rename is staged (edit_objmove.c) is not edited under
 * either name until the rename is applied or moved back. */
static int renamed_here(struct change *c, const struct spec *k, const struct epath *p)
{
	const struct stage *st = c->db->stage;
	const char *from = stage_obj_origin(st, k->dir, p->schema, p->table, p->name, NULL);
	if (from)
		return ed_fail(c, -EBUSY, "%s %s.%s is renamed from %s in this stage: apply the rename first, or mv "
			       "it back", k->what, p->schema, p->name, from);
	if (stage_obj_renamed_away(st, k->dir, p->schema, p->table, p->name))
		return ed_fail(c, -EBUSY, "%s %s.%s is renamed to another name in this stage: apply the rename "
			       "first, or mv it back", k->what, p->schema, p->name);
	return 0;
}

int ed_obj_write(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	const struct spec *k = ed_obj_spec(p);
	if (!k)
		return ed_fail(c, -EPERM, "these files cannot be written here yet");
	int rc0 = renamed_here(c, k, p);
	if (rc0)
		return rc0;
	if (memchr(data, '\0', len))
		return ed_fail(c, -EINVAL, "a definition cannot hold a NUL byte");
	bool qualified = false;
	int rc = ed_obj_check_text(c, p, k, data, len, &qualified);
	if (rc)
		return rc;
	struct strbuf drop = STRBUF_INIT, live_file = STRBUF_INIT, file = STRBUF_INIT, alter = STRBUF_INIT;
	char *text = strndup(data, len);
	if (!text)
		abort();
	struct live_obj lo;
	bool live = ed_obj_live_object(db, k, p, &drop, &lo);
	if (live)
		objfile_render(db->cat, k->dir, p->schema, p->table, p->name, &live_file);
	struct try t = { c, k, p, live ? sb_str(&drop) : NULL, qualified, text, &file, &alter, NULL, false, "" };
	if (!(rc = ed_obj_rolled_back(c, try_file, &t)))
		rc = stage_checked(c, k, p, live, sb_str(&drop), &lo, sb_str(&live_file), sb_str(&file),
				   sb_str(&alter), "");
	free(text);
	strbuf_free(&drop);
	strbuf_free(&live_file);
	strbuf_free(&file);
	strbuf_free(&alter);
	return rc;
}

static const struct cat_trigger *trigger_of(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->ntriggers; i++)
		if (!strcmp(r->triggers[i].name, name))
			return &r->triggers[i];
	return NULL;
}

/* A trigger's comment as WANT has it, when it or the live one has one:
 * the trigger's file does not hold it, and CREATE OR REPLACE keeps the
 * live one. */
static void trigger_comment(struct database *db, const struct epath *p, const struct catalog *want,
			    struct strbuf *out)
{
	const struct cat_relation *wr = catalog_table(want, p->schema, p->table);
	const struct cat_relation *d = catalog_table(db->desired, p->schema, p->table);
	const struct cat_relation *lr = d && d->oid ? catalog_rel(db->cat, d->oid) : NULL;
	const struct cat_trigger *w = trigger_of(wr, p->name), *l = trigger_of(lr, p->name);
	if (!w || (!w->comment && !(l && l->comment)))
		return;
	sb_addf(out, "COMMENT ON TRIGGER %s ON ", w->qname);
	sb_add_qual(out, wr->schema->qname, wr->qname);
	sb_add(out, " IS ");
	if (w->comment)
		render_literal(out, w->comment);
	else
		sb_add(out, "NULL");
	sb_add(out, ";\n");
}

int ed_obj_declared(struct change *c, const struct epath *p, const struct catalog *want)
{
	struct database *db = c->db;
	const struct spec *k = ed_obj_spec(p);
	if (!k)
		return ed_fail(c, -EPERM, "%s cannot be staged here yet", p->obj->dir);
	struct strbuf drop = STRBUF_INIT, live_file = STRBUF_INIT, file = STRBUF_INIT, alter = STRBUF_INIT,
		      extra = STRBUF_INIT;
	struct live_obj lo;
	int rc;
	bool live = ed_obj_live_object(db, k, p, &drop, &lo);
	if (live)
		objfile_render(db->cat, k->dir, p->schema, p->table, p->name, &live_file);
	/* PostgreSQL made it from the file already: its rendering is the file. */
	if (!objfile_render(want, k->dir, p->schema, p->table, p->name, &file)) {
		rc = ed_fail(c, -EIO, "%s %s.%s is not in the file's catalog", k->what, p->schema, p->name);
		goto out;
	}
	if (live && !strcmp(k->dir, "policies"))
		policy_alter(db, p, want, &alter);
	else if (live && !strcmp(k->dir, "sequences"))
		sequence_alter(db, p, want, &alter);
	if (!strcmp(k->dir, "triggers"))
		trigger_comment(db, p, want, &extra);
	rc = stage_checked(c, k, p, live, sb_str(&drop), &lo, sb_str(&live_file), sb_str(&file), sb_str(&alter),
			   sb_str(&extra));
out:
	strbuf_free(&extra);
	strbuf_free(&drop);
	strbuf_free(&live_file);
	strbuf_free(&file);
	strbuf_free(&alter);
	return rc;
}

int ed_obj_create(struct change *c, const struct epath *p)
{
	/* Nothing to stage until it holds a definition: a draft. */
	(void)p;
	ed_extra_put(c->db, c->path, "", 0);
	return 0;
}

int ed_obj_remove(struct change *c, const struct epath *p)
{
	if (!ed_obj_spec(p))
		return ed_fail(c, -EPERM, "this file cannot be removed here yet");
	if (!tree_lookup(c->db->tree, c->path))
		return ed_fail(c, -ENOENT, "no such file");
	return ed_obj_drop(c, p);
}

int ed_obj_drop(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	const struct spec *k = ed_obj_spec(p);
	if (!k)
		return ed_fail(c, -EPERM, "%s cannot be dropped here yet", p->obj->dir);
	int rc = renamed_here(c, k, p);
	if (rc)
		return rc;
	struct strbuf drop = STRBUF_INIT, who = STRBUF_INIT, sql = STRBUF_INIT;
	struct live_obj lo;
	if (!ed_obj_live_object(db, k, p, &drop, &lo)) {
		stage_obj_remove(db->stage, k->dir, p->schema, p->table, p->name);	/* only staged: forgotten */
		goto out;
	}
	const struct cat_relation *seq = !strcmp(k->dir, "sequences") ? ed_obj_live_rel(db->cat, k, p->schema, p->name) : NULL;
	if (seq && seq->seq_owned_by) {
		rc = ed_fail(c, -EPERM, "sequence %s.%s is owned by column %s and goes with it: drop the column, or "
			     "write ALTER SEQUENCE ... OWNED BY NONE first (sed on this file)", p->schema, p->name,
			     seq->seq_owned_by);
		goto out;
	}
	PGconn *conn = ed_conn(c);
	if (!conn) {
		rc = -EIO;
		goto out;
	}
	if ((rc = ed_obj_dependents(c, conn, &lo, &who, NULL)))
		goto out;
	if (who.len) {
		rc = ed_fail(c, -EBUSY, "%s depend%s on %s %s.%s: drop them in the same stage first (or write the "
			     "migration by hand)", sb_str(&who), strchr(sb_str(&who), ',') ? "" : "s", k->what,
			     p->schema, p->name);
		goto out;
	}
	sb_addf(&sql, "DROP %s;", sb_str(&drop));
	struct stage_obj o = { k->dir, p->schema, p->table, p->name, lo.oid, NULL, sb_str(&sql), NULL, true };
	stage_obj_set(db->stage, &o);
out:
	strbuf_free(&drop);
	strbuf_free(&who);
	strbuf_free(&sql);
	return rc;
}

