/*
 * render_emit.c: the text of each item of schema.sql (render_order.c
 * decides which items there are and in what order). Each emitter writes
 * one item through the renderers every object file uses (render.h), so
 * schema.sql and the object files say the same thing.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_internal.h"
#include "render_order_internal.h"

void emit_schema(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_schema *s = it->obj;
	sb_addf(sb, "CREATE SCHEMA IF NOT EXISTS %s;\n", s->qname);
	render_comment_on(sb, "SCHEMA", s->qname, s->comment);
}

void emit_extension(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_extension(sb, it->obj);
}

void emit_collations(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_schema *s = it->obj;
	for (size_t i = 0; i < s->ncollations; i++)
		sb_addf(sb, "%s\n", s->collations[i]);
}

void emit_operators(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_schema *s = it->obj;
	for (size_t i = 0; i < s->noperators; i++)
		sb_addf(sb, "%s\n", s->operators[i]);
}

void emit_type(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_type(sb, it->obj);
}

/* A base type's shell, which its I/O functions name before it is defined. */
void emit_shell(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_type *t = it->obj;
	sb_add(sb, "CREATE TYPE ");
	sb_add_qual(sb, t->schema->qname, t->qname);
	sb_add(sb, ";\n");
}

void emit_function(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_function(sb, it->obj);
}

void emit_cast(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_cast(sb, it->obj);
}

void emit_opclass(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_opclass(sb, it->obj);
}

void emit_conversion(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_conversion(sb, it->obj);
}

void emit_ts(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_ts(sb, it->obj);
}

void emit_fdw(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_fdw(sb, it->obj);
}

void emit_server(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_server(sb, it->obj);
}

void emit_sequence(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_create_sequence(sb, it->obj);
}

void emit_owned(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_sequence_owner(sb, it->obj);
}

void emit_table(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_create_table(sb, it->obj, it->nodefault);
}

/* A default split off its table's CREATE; nothing while it is inside. */
void emit_default(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_relation *r = it->obj;
	if (it->owner >= 0)
		return;
	sb_add(sb, "ALTER TABLE ");
	sb_add_qual(sb, r->schema->qname, r->qname);
	sb_addf(sb, " ALTER COLUMN %s SET DEFAULT %s;\n", r->cols[it->col].qname, r->cols[it->col].defexpr);
}

/* How many of R's ancestors are in o->all (a partition has one parent). */
static int partition_depth(const struct order *o, const struct cat_relation *r)
{
	int depth = 0;
	for (const struct cat_relation *p = r; p && p->nparents && depth <= (int)o->nall; depth++) {
		size_t i = relpos_first(o->by_oid, o->nall, p->parent_oids[0]);
		if (i == o->nall)
			break;
		p = o->all[o->by_oid[i].pos];
	}
	return depth;
}

/*
 * The keys partitions made themselves before they were attached, made
 * again the way they were (ALTER TABLE without ONLY: a partitioned one
 * gives its own partitions theirs), the deepest partitions first: each
 * parent's key then finds its partitions' keys and takes them, names and
 * all, instead of making new ones.
 */
void emit_partkeys(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)it;
	const struct cat_relation *const *all = o->all;
	size_t nall = o->nall;
	int *depth = calloc(nall ? nall : 1, sizeof *depth);
	int maxdepth = 0;
	if (!depth)
		return;
	for (size_t t = 0; t < nall; t++) {
		depth[t] = all[t]->ninh_keys ? 1 + partition_depth(o, all[t]) : 0;
		if (depth[t] > maxdepth)
			maxdepth = depth[t];
	}
	for (int d = maxdepth; d > 0; d--)
		for (size_t t = 0; t < nall; t++)
			for (size_t i = 0; depth[t] == d && i < all[t]->ninh_keys; i++)
				render_constraint(sb, all[t], &all[t]->inh_keys[i]);
	free(depth);
}

void emit_constraint(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_constraint(sb, it->obj, it->aux);
}

void emit_index(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_index(sb, it->aux);
}

void emit_attach(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_relation *r = it->obj;
	for (size_t i = 0; i < r->nindexes; i++)
		render_index_attach(sb, r, &r->indexes[i]);
	render_key_attaches(sb, r, true);
}

/* A view in a cycle, first: the same columns, of the same types, each
 * NULL (pg_dump's stand-in), so that what needs it can be made. */
void emit_view(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_relation *r = it->obj;
	if (!it->split) {
		render_view(sb, r);
		return;
	}
	sb_add(sb, "CREATE VIEW ");
	sb_add_qual(sb, r->schema->qname, r->qname);
	sb_add(sb, " AS\n SELECT");
	for (size_t i = 0; i < r->ncols; i++) {
		sb_addf(sb, "%s\n    NULL::%s", i ? "," : "", r->cols[i].type);
		if (r->cols[i].collation)	/* CREATE OR REPLACE may not change it */
			sb_addf(sb, " COLLATE %s", r->cols[i].collation);
		sb_addf(sb, " AS %s", r->cols[i].qname);
	}
	sb_add(sb, ";\n");
}

/* ... then the view itself, over the stand-in. */
void emit_view_replace(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	static const char create[] = "CREATE VIEW ";
	struct strbuf v = STRBUF_INIT;
	render_view(&v, it->obj);
	const char *text = sb_str(&v);
	if (!strncmp(text, create, sizeof create - 1)) {
		sb_add(sb, "CREATE OR REPLACE VIEW ");
		text += sizeof create - 1;
	}
	sb_add(sb, text);
	strbuf_free(&v);
}

void emit_trigger(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_trigger(sb, it->aux);
	render_trigger_state(sb, it->obj, it->aux);
}

void emit_rls(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_rls(sb, it->obj);
}

void emit_policy(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_policy(sb, it->obj, it->aux);
}

void emit_settings(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_settings(sb, it->obj);
}

void emit_comments(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_relation *r = it->obj;
	render_table_comments(sb, r);
	for (size_t i = 0; i < r->ninh_keys; i++)
		render_comment_on_part(sb, "CONSTRAINT", r, r->inh_keys[i].qname, r->inh_keys[i].comment);
}

void emit_seqcomment(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	const struct cat_relation *r = it->obj;
	render_comment_on_rel(sb, "SEQUENCE", r, NULL, r->comment);
}

void emit_privs(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)it;
	render_privs_scope(sb, o->cat, o->schemas, o->nschemas, o->whole_db);
}

void emit_publication(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_publication(sb, it->obj);
}

void emit_evtrigger(struct strbuf *sb, const struct item *it, const struct order *o)
{
	(void)o;
	render_event_trigger(sb, it->obj);
}

