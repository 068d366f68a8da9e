/*
 * render_global.c: the database-wide kinds (casts, event triggers,
 * publications) -> SQL text; see include/render.h. Pure, as render.c.
 */
#include "render.h"

/* COMMENT ON <WHAT> <NAME> IS '...'; when there is a comment. */
static void comment(struct strbuf *sb, const char *what, const char *name, const char *text)
{
	if (!text)
		return;
	sb_addf(sb, "COMMENT ON %s %s IS ", what, name);
	render_literal(sb, text);
	sb_add(sb, ";\n");
}

void render_cast(struct strbuf *sb, const struct cat_cast *c)
{
	struct strbuf sig = STRBUF_INIT;
	sb_addf(&sig, "(%s AS %s)", c->source, c->target);
	sb_addf(sb, "CREATE CAST %s", sb_str(&sig));
	if (c->method == 'b')
		sb_add(sb, " WITHOUT FUNCTION");
	else if (c->method == 'i')
		sb_add(sb, " WITH INOUT");
	else
		sb_addf(sb, " WITH FUNCTION %s", c->func ? c->func : "");
	if (c->context == 'a')
		sb_add(sb, " AS ASSIGNMENT");
	else if (c->context == 'i')
		sb_add(sb, " AS IMPLICIT");
	sb_add(sb, ";\n");
	comment(sb, "CAST", sb_str(&sig), c->comment);
	strbuf_free(&sig);
}

void render_cast_name(struct strbuf *sb, const struct cat_cast *c)
{
	sb_addf(sb, "%s AS %s", c->source, c->target);
}

void render_event_trigger(struct strbuf *sb, const struct cat_event_trigger *e)
{
	sb_addf(sb, "CREATE EVENT TRIGGER %s ON %s", e->qname, e->event);
	for (size_t i = 0; i < e->ntags; i++) {
		sb_add(sb, i ? ", " : " WHEN TAG IN (");
		render_literal(sb, e->tags[i]);
	}
	sb_addf(sb, "%s EXECUTE FUNCTION %s;\n", e->ntags ? ")" : "", e->func ? e->func : "");
	/* Made enabled ('O'): any other state is set again. */
	const char *state = e->enabled == 'D' ? "DISABLE" : e->enabled == 'R' ? "ENABLE REPLICA" :
			    e->enabled == 'A' ? "ENABLE ALWAYS" : NULL;
	if (state)
		sb_addf(sb, "ALTER EVENT TRIGGER %s %s;\n", e->qname, state);
	comment(sb, "EVENT TRIGGER", e->qname, e->comment);
}

void render_publication(struct strbuf *sb, const struct cat_publication *p)
{
	static const char *const ops[] = { "insert", "update", "delete", "truncate" };
	const bool on[] = { p->insert, p->update, p->delete_, p->truncate };
	sb_addf(sb, "CREATE PUBLICATION %s%s WITH (publish = '", p->qname, p->all_tables ? " FOR ALL TABLES" : "");
	for (size_t i = 0, n = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (on[i])
			sb_addf(sb, "%s%s", n++ ? ", " : "", ops[i]);
	sb_addf(sb, "', publish_via_partition_root = %s);\n", p->via_root ? "true" : "false");
	/* ONLY, as pg_dump writes it: a child that inherits from a table is
	 * published on its own, or not at all. */
	for (size_t i = 0; i < p->ntables; i++) {
		const struct cat_pub_table *t = &p->tables[i];
		sb_addf(sb, "ALTER PUBLICATION %s ADD TABLE ONLY %s", p->qname, t->qname);
		if (t->columns)
			sb_addf(sb, " (%s)", t->columns);
		/* Parenthesized: pg_get_expr() gives "true" bare, e.g. */
		if (t->filter)
			sb_addf(sb, " WHERE (%s)", t->filter);
		sb_add(sb, ";\n");
	}
	for (size_t i = 0; i < p->nschemas; i++)
		sb_addf(sb, "ALTER PUBLICATION %s ADD TABLES IN SCHEMA %s;\n", p->qname, p->schemas[i]);
	comment(sb, "PUBLICATION", p->qname, p->comment);
}
