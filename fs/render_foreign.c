/*
 * render_foreign.c: foreign data (wrappers, servers and their user
 * mappings, what a foreign table adds to a table) -> SQL text; see
 * include/render.h. Pure, as render.c.
 */
#include "render.h"

static void comment(struct strbuf *sb, const char *what, const char *name, const char *text)
{
	if (!text)
		return;
	sb_addf(sb, "COMMENT ON %s %s IS ", what, name);
	render_literal(sb, text);
	sb_add(sb, ";\n");
}

static void options(struct strbuf *sb, const char *sep, const char *opts)
{
	if (opts)
		sb_addf(sb, "%sOPTIONS (%s)", sep, opts);
}

void render_fdw(struct strbuf *sb, const struct cat_fdw *w)
{
	sb_addf(sb, "CREATE FOREIGN DATA WRAPPER %s", w->qname);
	if (w->handler)
		sb_addf(sb, " HANDLER %s", w->handler);
	if (w->validator)
		sb_addf(sb, " VALIDATOR %s", w->validator);
	options(sb, " ", w->options);
	sb_add(sb, ";\n");
	comment(sb, "FOREIGN DATA WRAPPER", w->qname, w->comment);
}

void render_server(struct strbuf *sb, const struct cat_server *s)
{
	sb_addf(sb, "CREATE SERVER %s", s->qname);
	if (s->type) {
		sb_add(sb, " TYPE ");
		render_literal(sb, s->type);
	}
	if (s->version) {
		sb_add(sb, " VERSION ");
		render_literal(sb, s->version);
	}
	sb_addf(sb, " FOREIGN DATA WRAPPER %s", s->fdw);
	options(sb, " ", s->options);
	sb_add(sb, ";\n");
	comment(sb, "SERVER", s->qname, s->comment);
	for (size_t i = 0; i < s->nmappings; i++) {
		sb_addf(sb, "CREATE USER MAPPING FOR %s SERVER %s", s->mappings[i].user, s->qname);
		options(sb, " ", s->mappings[i].options);
		sb_add(sb, ";\n");
	}
}

void render_foreign_tail(struct strbuf *sb, const struct cat_relation *r)
{
	if (r->kind != REL_FOREIGN)
		return;
	sb_addf(sb, "\nSERVER %s", r->ft_server ? r->ft_server : "");
	options(sb, "\n", r->ft_options);
}

/* As pg_dump writes them: CREATE FOREIGN TABLE has no place for a
 * column's options between its type and its COLLATE. */
void render_foreign_columns(struct strbuf *sb, const struct cat_relation *r)
{
	for (size_t i = 0; r->kind == REL_FOREIGN && i < r->ncols; i++) {
		if (!r->cols[i].fdw_options)
			continue;
		sb_addf(sb, "ALTER FOREIGN TABLE ONLY %s.%s ALTER COLUMN %s OPTIONS (%s);\n", r->schema->qname,
			r->qname, r->cols[i].qname, r->cols[i].fdw_options);
	}
}
