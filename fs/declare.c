/* declare.c: a declarative file's catalog against the live one, as staged
 * edits; see include/declare.h. */
#include "declare.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "enumdiff.h"
#include "objkind.h"
#include "render.h"
#include "stage.h"
#include "stage_struct.h"
#include "strbuf.h"

/* What the stage cannot express yet, by kind: each kind's objects that
 * differ, named in the refusal. */
enum unsup_kind {
	U_VIEWS, U_MATVIEWS, U_FUNCTIONS, U_SEQUENCES, U_TYPES, U_ENUMS, U_SCHEMAS, U_EXTENSIONS,
	U_TRIGGERS, U_POLICIES, U_COMMENTS, U_TABLE_OPTIONS, U_NKINDS
};

static const char *const UNSUP_WHAT[U_NKINDS] = {
	[U_VIEWS] = "views", [U_MATVIEWS] = "materialized views", [U_FUNCTIONS] = "functions",
	[U_SEQUENCES] = "sequences", [U_TYPES] = "types", [U_ENUMS] = "enums", [U_SCHEMAS] = "schemas",
	[U_EXTENSIONS] = "extensions", [U_TRIGGERS] = "triggers", [U_POLICIES] = "policies",
	[U_COMMENTS] = "comments", [U_TABLE_OPTIONS] = "table options",
};

static const char *const UNSUP_HOW[U_NKINDS] = {
	[U_TRIGGERS] = "a trigger's ENABLE or DISABLE state is not staged yet",
	[U_ENUMS] = "enum labels can only be added or renamed",
	[U_TYPES] = "a range or base type changed in place, or a type changed into another kind, is not "
		    "staged from here yet: write its types/ file, or the migration",
	[U_COMMENTS] = "declarative files stage the comments of tables, columns, indexes, constraints, "
		       "schemas, types and extensions, and a trigger's with the trigger",
	[U_TABLE_OPTIONS] = "storage options, partitioning, inheritance, rules and statistics are not "
			    "staged yet",
};

struct diff {
	const struct catalog *live, *want;
	const struct declare_scope *scope;
	struct stage *st;
	struct declare_objs *objs;
	struct strbuf unsup[U_NKINDS];	/* ", "-joined names */
};

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void unsupported(struct diff *d, enum unsup_kind k, const char *schema, const char *name)
{
	struct strbuf *sb = &d->unsup[k];
	if (sb->len)
		sb_add(sb, ", ");
	if (schema)
		sb_addf(sb, "%s.", schema);
	sb_add(sb, name);
}

/* An object file's (or a schema's, an extension's) difference, for the
 * caller to stage with the object-file code. */
static void obj_differs(struct diff *d, const char *dir, const char *schema, const char *table, const char *name,
			bool drop)
{
	struct declare_objs *o = d->objs;
	struct declare_obj *v = realloc(o->v, (o->n + 1) * sizeof *v);
	if (!v)
		abort();
	o->v = v;
	v[o->n] = (struct declare_obj){ strdup(dir), schema ? strdup(schema) : NULL, table ? strdup(table) : NULL,
					 strdup(name), drop };
	if (!v[o->n].dir || !v[o->n].name || (schema && !v[o->n].schema) || (table && !v[o->n].table))
		abort();
	o->n++;
}

void declare_objs_free(struct declare_objs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].dir);
		free(o->v[i].schema);
		free(o->v[i].table);
		free(o->v[i].name);
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

/* ---- objects compared by their rendered text ---- */

struct item {
	char *key;		/* the object's name (and signature) */
	char *text;		/* its file's text */
};

struct items {
	struct item *v;
	size_t n;
};

static void item_add(struct items *it, const char *key, struct strbuf *text)
{
	struct item *v = realloc(it->v, (it->n + 1) * sizeof *v);
	if (!v)
		abort();
	it->v = v;
	it->v[it->n].key = strdup(key);
	it->v[it->n].text = strbuf_detach(text, NULL);
	if (!it->v[it->n].key || !it->v[it->n].text)
		abort();
	it->n++;
}

static void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].key);
		free(it->v[i].text);
	}
	free(it->v);
}

static void rels_items(struct items *it, struct cat_relation *const *v, size_t n,
		       void (*render)(struct strbuf *, const struct cat_relation *))
{
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		render(&sb, v[i]);
		item_add(it, v[i]->name, &sb);
	}
}

static void views_items(struct items *it, const struct cat_schema *s)
{
	rels_items(it, s->views, s->nviews, render_view);
}

static void matviews_items(struct items *it, const struct cat_schema *s)
{
	rels_items(it, s->matviews, s->nmatviews, render_view);
}

static void sequences_items(struct items *it, const struct cat_schema *s)
{
	rels_items(it, s->sequences, s->nsequences, render_sequence);
}

static void functions_items(struct items *it, const struct cat_schema *s)
{
	for (size_t i = 0; i < s->nfunctions; i++) {
		const struct cat_function *f = s->functions[i];
		struct strbuf key = STRBUF_INIT, sb = STRBUF_INIT;
		sb_addf(&key, "%s(%s)", f->name, f->args ? f->args : "");	/* objfile_render's key */
		render_function(&sb, f);
		item_add(it, sb_str(&key), &sb);
		strbuf_free(&key);
	}
}

static void types_items(struct items *it, const struct cat_schema *s)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		if (s->types[i]->kind == 'e')
			continue;	/* enum_diff's */
		struct strbuf sb = STRBUF_INIT;
		render_type(&sb, s->types[i]);
		item_add(it, s->types[i]->name, &sb);
	}
}

/* One table of the schema-level kinds: DIR, an object file directory
 * (staged as its file's write or rm would be), or NULL: the stage cannot
 * change that kind here yet (KIND names it in the refusal). */
static const struct {
	enum unsup_kind kind;
	const char *dir;
	void (*collect)(struct items *it, const struct cat_schema *s);
} SCHEMA_KINDS[] = {
	{ U_VIEWS, "views", views_items },
	{ U_MATVIEWS, "materialized_views", matviews_items },
	{ U_SEQUENCES, "sequences", sequences_items },
	{ U_FUNCTIONS, "functions", functions_items },
	{ U_TYPES, "types", types_items },	/* created, dropped; changed: refused */
};

static const struct item *item_find(const struct items *it, const char *key)
{
	for (size_t i = 0; i < it->n; i++)
		if (!strcmp(it->v[i].key, key))
			return &it->v[i];
	return NULL;
}

/* OWNER ("schema.table.column", quoted, as seq_owned_by) is a column of
 * CAT's tables. */
static bool column_in(const struct catalog *cat, const char *owner)
{
	for (size_t i = 0; i < cat->nschemas; i++) {
		const struct cat_schema *s = &cat->schemas[i];
		size_t sl = strlen(s->qname);
		if (strncmp(owner, s->qname, sl) || owner[sl] != '.')
			continue;
		for (size_t j = 0; j < s->ntables; j++) {
			const struct cat_relation *r = s->tables[j];
			const char *t = owner + sl + 1;
			size_t tl = strlen(r->qname);
			if (strncmp(t, r->qname, tl) || t[tl] != '.')
				continue;
			for (size_t k = 0; k < r->ncols; k++)
				if (!strcmp(t + tl + 1, r->cols[k].qname))
					return true;
		}
	}
	return false;
}

/* A live sequence owned by a column the file drops too: it goes with that
 * column (DROP COLUMN, DROP TABLE). One whose column the file keeps (a
 * serial made a plain integer) is dropped on its own, after the column's
 * DROP DEFAULT (the planner's P_DROP_SEQUENCE). */
static bool goes_with_column(const struct diff *d, const char *schema, const char *name)
{
	const struct cat_schema *s = catalog_schema(d->live, schema);
	for (size_t i = 0; s && i < s->nsequences; i++)
		if (!strcmp(s->sequences[i]->name, name))
			return s->sequences[i]->seq_owned_by && !column_in(d->want, s->sequences[i]->seq_owned_by);
	return false;
}

static const struct cat_type *type_in(const struct catalog *cat, const char *schema, const char *name)
{
	const struct cat_schema *s = catalog_schema(cat, schema);
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (!strcmp(s->types[i]->name, name))
			return s->types[i];
	return NULL;
}

/* A domain or composite the file changes in place: staged as its types/
 * file's write (ALTER DOMAIN, ALTER TYPE ... ATTRIBUTE), by the caller. */
static bool domain_in_place(const struct diff *d, const char *schema, const char *name)
{
	const struct cat_type *l = type_in(d->live, schema, name), *w = type_in(d->want, schema, name);
	return l && w && l->kind == w->kind && (l->kind == 'd' || l->kind == 'c');
}

/* A type the file changes in its comment only (COMMENT ON TYPE / DOMAIN):
 * the file's type rendered with the live comment reads as the live one. */
static bool type_comment_only(const struct diff *d, const char *schema, const char *name)
{
	const struct cat_type *l = type_in(d->live, schema, name), *w = type_in(d->want, schema, name);
	if (!l || !w || same(l->comment, w->comment))
		return false;
	struct cat_type t = *w;
	t.comment = l->comment;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	render_type(&a, l);
	render_type(&b, &t);
	bool only = !strcmp(sb_str(&a), sb_str(&b));
	strbuf_free(&a);
	strbuf_free(&b);
	if (only)
		stage_type_comment(d->st, l->oid, NULL, NULL, w->comment ? w->comment : "");
	return only;
}

/* Live items A against wanted B: each difference is an object of DIR
 * (dropped when B lacks it), or unsupported as K when DIR is NULL. */
static void compare_items(struct diff *d, enum unsup_kind k, const char *dir, const char *schema,
			  const struct items *a, const struct items *b)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct item *o = item_find(b, a->v[i].key);
		if (o && !strcmp(o->text, a->v[i].text))
			continue;
		if (!o && dir && !strcmp(dir, "sequences") && goes_with_column(d, schema, a->v[i].key))
			continue;	/* it goes with its column (DROP COLUMN, DROP TABLE) */
		if (o && dir && !strcmp(dir, "types") && type_comment_only(d, schema, a->v[i].key))
			continue;
		if (dir && (!o || strcmp(dir, "types") || domain_in_place(d, schema, a->v[i].key)))
			obj_differs(d, dir, schema, NULL, a->v[i].key, !o);
		else
			unsupported(d, k, schema, a->v[i].key);
	}
	for (size_t i = 0; i < b->n; i++) {
		if (item_find(a, b->v[i].key))
			continue;
		if (dir)
			obj_differs(d, dir, schema, NULL, b->v[i].key, false);
		else
			unsupported(d, k, schema, b->v[i].key);
	}
}

static void schema_objects(struct diff *d, const char *name, const struct cat_schema *ls,
			   const struct cat_schema *ws)
{
	for (size_t k = 0; k < sizeof SCHEMA_KINDS / sizeof *SCHEMA_KINDS; k++) {
		struct items a = { 0 }, b = { 0 };
		if (ls)
			SCHEMA_KINDS[k].collect(&a, ls);
		if (ws)
			SCHEMA_KINDS[k].collect(&b, ws);
		compare_items(d, SCHEMA_KINDS[k].kind, SCHEMA_KINDS[k].dir, name, &a, &b);
		items_free(&a);
		items_free(&b);
	}
}

/* ---- enums ---- */

static const struct cat_type *enum_named(const struct cat_schema *s, const char *name)
{
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (s->types[i]->kind == 'e' && !strcmp(s->types[i]->name, name))
			return s->types[i];
	return NULL;
}

static void enums_diff(struct diff *d, const char *schema, const struct cat_schema *ls,
		       const struct cat_schema *ws)
{
	for (size_t i = 0; ls && i < ls->ntypes; i++) {
		const struct cat_type *lt = ls->types[i];
		if (lt->kind != 'e')
			continue;
		const struct cat_type *wt = enum_named(ws, lt->name);
		if (!wt) {
			obj_differs(d, "types", schema, NULL, lt->name, true);	/* a types/ file's rm */
			continue;
		}
		if (!same(lt->comment, wt->comment))	/* COMMENT ON TYPE */
			stage_type_comment(d->st, lt->oid, NULL, NULL, wt->comment ? wt->comment : "");
		bool equal = lt->nlabels == wt->nlabels;
		for (size_t j = 0; equal && j < lt->nlabels; j++)
			equal = !strcmp(lt->labels[j], wt->labels[j]);
		if (equal)
			continue;
		struct enumdiff ed;
		if (enumdiff(lt->labels, lt->nlabels, wt->labels, wt->nlabels, &ed)) {
			unsupported(d, U_ENUMS, schema, lt->name);
			continue;
		}
		stage_enum_set(d->st, lt->oid, wt->labels, wt->nlabels);
		for (size_t k = 0; k < ed.nops; k++)
			if (ed.ops[k].kind == ENUMDIFF_RENAME)
				stage_enum_rename(d->st, lt->oid, ed.ops[k].old, ed.ops[k].label);
		enumdiff_free(&ed);
	}
	for (size_t i = 0; ws && i < ws->ntypes; i++)
		if (ws->types[i]->kind == 'e' && !enum_named(ls, ws->types[i]->name))
			obj_differs(d, "types", schema, NULL, ws->types[i]->name, false);	/* a new types/ file */
}

/* ---- tables ---- */

static struct stage_coldef coldef(const struct cat_column *w, const struct cat_column *l)
{
	return (struct stage_coldef){
		.type = w->type, .collation = w->collation, .defexpr = w->defexpr, .notnull = w->notnull,
		.notnull_name = w->notnull_name, .notnull_noinherit = w->notnull_noinherit,
		.identity = w->identity, .generated = w->generated,
		/* Without the probe's answer, a type change is taken to
		 * rewrite the table: a hazard too many, never one too few. */
		.rewrite = l && !same(l->type, w->type),
	};
}

static bool coldef_equal(const struct cat_column *a, const struct cat_column *b)
{
	return same(a->type, b->type) && same(a->collation, b->collation) && same(a->defexpr, b->defexpr) &&
	       a->notnull == b->notnull && a->identity == b->identity && a->generated == b->generated;
}

/* What the stage does not change on a table (tableopt.h's options aside),
 * as one text to compare. */
static void table_options(struct strbuf *sb, const struct cat_relation *r)
{
	sb_addf(sb, "%c|%s|%s|%s|%s|", r->kind, r->partkey ? r->partkey : "", r->partbound ? r->partbound : "", r->parents ? r->parents : "",
		r->reloptions ? r->reloptions : "");
	for (size_t i = 0; i < r->nsettings; i++)
		sb_addf(sb, "%s|", r->settings[i]);
}

static const struct cat_column *col_named(const struct cat_relation *r, const char *name)
{
	return r ? catalog_column(r, 0, name) : NULL;
}

static void columns_diff(struct diff *d, const struct stage_ref *ref, const struct cat_relation *l,
			 const struct cat_relation *w)
{
	for (size_t i = 0; l && i < l->ncols; i++)
		if (!col_named(w, l->cols[i].name))
			stage_column_drop(d->st, ref, l->cols[i].attnum, l->cols[i].name);
	for (size_t i = 0; i < w->ncols; i++) {
		const struct cat_column *wc = &w->cols[i], *lc = col_named(l, wc->name);
		if (!same(wc->comment, lc ? lc->comment : NULL))
			stage_part_comment(d->st, ref, "column", wc->name, wc->comment);
		if (lc && coldef_equal(lc, wc))
			continue;
		struct stage_coldef def = coldef(wc, lc);
		int attnum = lc ? lc->attnum : 0;
		if (lc && (lc->generated || wc->generated) &&
		    (lc->generated != wc->generated || !same(lc->defexpr, wc->defexpr))) {
			/* As a column file's write: PostgreSQL cannot change a
			 * generated column in place. */
			stage_column_drop(d->st, ref, lc->attnum, lc->name);
			attnum = 0;
			if (wc->comment)	/* the new column has none yet */
				stage_part_comment(d->st, ref, "column", wc->name, wc->comment);
		}
		stage_column_set(d->st, ref, attnum, wc->name, wc->name, wc->qname, &def);
	}
}

static void indexes_diff(struct diff *d, const struct stage_ref *ref, const struct cat_relation *l,
			 const struct cat_relation *w)
{
	for (size_t i = 0; l && i < l->nindexes; i++) {
		bool kept = false;
		for (size_t j = 0; j < w->nindexes && !kept; j++)
			kept = !strcmp(w->indexes[j].name, l->indexes[i].name);
		if (!kept)
			stage_object_drop(d->st, ref, "indexes", l->indexes[i].name, true);
	}
	for (size_t j = 0; j < w->nindexes; j++) {
		const struct cat_index *wi = &w->indexes[j], *li = NULL;
		for (size_t i = 0; l && i < l->nindexes && !li; i++)
			if (!strcmp(l->indexes[i].name, wi->name))
				li = &l->indexes[i];
		bool made = !li || !same(li->def, wi->def);
		if (made)
			stage_index_set(d->st, ref, wi->name, wi->qname, wi->def, false);
		if (!same(wi->comment, li ? li->comment : NULL) || (made && wi->comment))
			stage_part_comment(d->st, ref, "index", wi->name, wi->comment);
	}
}

static void constraints_diff(struct diff *d, const struct stage_ref *ref, const struct cat_relation *l,
			     const struct cat_relation *w)
{
	for (size_t i = 0; l && i < l->ncons; i++) {
		bool kept = false;
		for (size_t j = 0; j < w->ncons && !kept; j++)
			kept = !strcmp(w->cons[j].name, l->cons[i].name);
		if (!kept && l->cons[i].type != 'n')
			stage_object_drop(d->st, ref, "constraints", l->cons[i].name, true);
	}
	for (size_t j = 0; j < w->ncons; j++) {
		const struct cat_constraint *wk = &w->cons[j], *lk = NULL;
		if (wk->type == 'n')
			continue;	/* 18: a column's NOT NULL, compared with it */
		for (size_t i = 0; l && i < l->ncons && !lk; i++)
			if (!strcmp(l->cons[i].name, wk->name))
				lk = &l->cons[i];
		bool made = !lk || lk->type != wk->type || !same(lk->def, wk->def);
		if (made)
			stage_constraint_set(d->st, ref, wk->name, wk->qname, wk->type, wk->def);
		if (!same(wk->comment, lk ? lk->comment : NULL) || (made && wk->comment))
			stage_part_comment(d->st, ref, "constraint", wk->name, wk->comment);
	}
}

static const struct cat_trigger *trigger_named(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->ntriggers; i++)
		if (!strcmp(r->triggers[i].name, name))
			return &r->triggers[i];
	return NULL;
}

/* What a trigger's file does not hold: its ENABLE/DISABLE state, never
 * staged, so refused rather than ignored; its comment, staged with the
 * trigger when the trigger is (STAGED), else refused too. L NULL: a new
 * trigger; W NULL: dropped. */
static void trigger_outside_file(struct diff *d, const char *schema, const struct cat_trigger *l,
				 const struct cat_trigger *w, bool staged)
{
	if (!w)
		return;
	if (!staged && !same(l ? l->comment : NULL, w->comment))
		unsupported(d, U_COMMENTS, schema, w->name);
	if ((l ? l->enabled : 'O') != w->enabled)
		unsupported(d, U_TRIGGERS, schema, w->name);
}

/* Triggers and policies: a drop is a table entry's drop (as rm's), a new
 * or changed one its object file's write, compared as the files read. */
static void triggers_policies_diff(struct diff *d, const struct stage_ref *ref, const struct cat_relation *l,
				   const struct cat_relation *w)
{
	const char *s = w->schema->name;
	static const char *const dirs[] = { "triggers", "policies" };
	for (size_t k = 0; k < 2; k++) {
		bool trg = k == 0;
		size_t ln = !l ? 0 : trg ? l->ntriggers : l->npolicies, wn = trg ? w->ntriggers : w->npolicies;
		for (size_t i = 0; i < ln; i++) {
			const char *name = trg ? l->triggers[i].name : l->policies[i].name;
			struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
			objfile_render(d->live, dirs[k], s, l->name, name, &a);
			bool staged = false;
			if (!objfile_render(d->want, dirs[k], s, w->name, name, &b))
				stage_object_drop(d->st, ref, dirs[k], name, true);
			else if ((staged = strcmp(sb_str(&a), sb_str(&b)) != 0))
				obj_differs(d, dirs[k], s, w->name, name, false);
			if (trg)
				trigger_outside_file(d, s, &l->triggers[i], trigger_named(w, name), staged);
			strbuf_free(&a);
			strbuf_free(&b);
		}
		for (size_t j = 0; j < wn; j++) {
			const char *name = trg ? w->triggers[j].name : w->policies[j].name;
			struct strbuf a = STRBUF_INIT;
			if (!l || !objfile_render(d->live, dirs[k], s, l->name, name, &a)) {
				obj_differs(d, dirs[k], s, w->name, name, false);
				if (trg)
					trigger_outside_file(d, s, NULL, &w->triggers[j], true);
			}
			strbuf_free(&a);
		}
	}
}

/* Live table L (NULL: new) into W (NULL: dropped). */
static void table_diff(struct diff *d, const char *schema, const struct cat_relation *l,
		       const struct cat_relation *w)
{
	struct stage_ref ref = { l ? l->oid : 0, schema, l ? l->name : w->name };
	if (!w) {
		stage_table_drop(d->st, &ref);
		return;
	}
	if (!l)
		stage_table_new(d->st, schema, w->name, w->qname);
	if (!l && !w->ncols)
		stage_table_columnless(d->st, schema, w->name);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const struct cat_relation plain = { .kind = REL_TABLE, .persistence = 'p' };	/* what mkdir makes */
	table_options(&a, l ? l : &plain);
	table_options(&b, w);
	if (strcmp(sb_str(&a), sb_str(&b)))
		unsupported(d, U_TABLE_OPTIONS, schema, w->name);
	for (int o = 0; o < TO_N; o++)
		if (tableopt_get(l ? l : &plain, o) != tableopt_get(w, o))
			stage_table_option(d->st, &ref, o, tableopt_get(w, o));
	strbuf_free(&a);
	strbuf_free(&b);
	columns_diff(d, &ref, l, w);
	indexes_diff(d, &ref, l, w);
	constraints_diff(d, &ref, l, w);
	triggers_policies_diff(d, &ref, l, w);
	const char *lc = l && l->comment ? l->comment : "", *wc = w->comment ? w->comment : "";
	if (strcmp(lc, wc))
		stage_table_comment(d->st, &ref, wc);
}

static const struct cat_relation *table_in(const struct cat_schema *s, const char *name)
{
	for (size_t i = 0; s && i < s->ntables; i++)
		if (!strcmp(s->tables[i]->name, name))
			return s->tables[i];
	return NULL;
}

static void schema_diff(struct diff *d, const char *name, const struct cat_schema *ls,
			const struct cat_schema *ws)
{
	for (size_t i = 0; ls && i < ls->ntables; i++)
		if (!table_in(ws, ls->tables[i]->name))
			table_diff(d, name, ls->tables[i], NULL);
	for (size_t i = 0; ws && i < ws->ntables; i++)
		table_diff(d, name, table_in(ls, ws->tables[i]->name), ws->tables[i]);
	enums_diff(d, name, ls, ws);
	schema_objects(d, name, ls, ws);
	if (ls && ws && !same(ls->comment, ws->comment))	/* COMMENT ON SCHEMA */
		stage_schema_comment(d->st, ls->oid, ls->name, ws->comment ? ws->comment : "");
}

static void database_diff(struct diff *d)
{
	for (size_t i = 0; i < d->live->nschemas; i++) {
		const struct cat_schema *ls = &d->live->schemas[i];
		const struct cat_schema *ws = catalog_schema(d->want, ls->name);
		schema_diff(d, ls->name, ls, ws);
		if (!ws)	/* rm -r's: what it holds, then DROP SCHEMA (never CASCADE) */
			obj_differs(d, "schemas", NULL, NULL, ls->name, true);
	}
	for (size_t i = 0; i < d->want->nschemas; i++) {
		const struct cat_schema *ws = &d->want->schemas[i];
		if (catalog_schema(d->live, ws->name))
			continue;
		/* A new schema (mkdir's CREATE SCHEMA), then what it holds. */
		obj_differs(d, "schemas", NULL, NULL, ws->name, false);
		schema_diff(d, ws->name, NULL, ws);	/* its comment: with its CREATE SCHEMA */
	}
	struct items a = { 0 }, b = { 0 };
	for (size_t i = 0; i < d->live->nexts; i++) {
		struct strbuf sb = STRBUF_INIT;
		render_extension(&sb, &d->live->exts[i]);
		item_add(&a, d->live->exts[i].name, &sb);
	}
	for (size_t i = 0; i < d->want->nexts; i++) {
		struct strbuf sb = STRBUF_INIT;
		render_extension(&sb, &d->want->exts[i]);
		item_add(&b, d->want->exts[i].name, &sb);
	}
	compare_items(d, U_EXTENSIONS, "extensions", NULL, &a, &b);
	items_free(&a);
	items_free(&b);
}

int declare_diff(const struct catalog *live, const struct catalog *want, const struct declare_scope *scope,
		 struct stage *st, struct declare_objs *objs, char *err, size_t errlen)
{
	struct diff d = { .live = live, .want = want, .scope = scope, .st = st, .objs = objs };
	int rc = 0;
	if (!scope->schema) {
		database_diff(&d);
	} else {
		const struct cat_schema *ls = catalog_schema(live, scope->schema);
		const struct cat_schema *ws = catalog_schema(want, scope->schema);
		if (!ws) {
			snprintf(err, errlen, "the file does not create schema %s: a schema.sql defines its schema "
				 "(to drop a schema, use rm -r)", scope->schema);
			return -EINVAL;
		}
		if (!scope->table) {
			schema_diff(&d, scope->schema, ls, ws);
		} else {
			const struct cat_relation *w = table_in(ws, scope->table);
			if (!w) {
				snprintf(err, errlen, "the file does not create table %s.%s: a table.sql defines its "
					 "table (to drop it, use rm -r)", scope->schema, scope->table);
				return -EINVAL;
			}
			table_diff(&d, scope->schema, table_in(ls, scope->table), w);
		}
	}
	struct strbuf why = STRBUF_INIT;
	for (int k = 0; k < U_NKINDS; k++) {
		if (!d.unsup[k].len)
			continue;
		if (why.len)
			sb_add(&why, "; ");
		sb_addf(&why, "%s differ: %s", UNSUP_WHAT[k], sb_str(&d.unsup[k]));
		if (UNSUP_HOW[k])
			sb_addf(&why, " (%s)", UNSUP_HOW[k]);
		else
			sb_addf(&why, " (declarative files cannot change %s yet)", UNSUP_WHAT[k]);
		strbuf_free(&d.unsup[k]);
	}
	if (why.len) {
		snprintf(err, errlen, "%s", sb_str(&why));
		rc = -EPERM;
	}
	strbuf_free(&why);
	return rc;
}
