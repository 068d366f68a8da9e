/*
 * render_conversion.c: encoding conversions -> SQL text; see
 * include/render.h. Pure, as render.c.
 */
#include "render.h"

void render_conversion(struct strbuf *sb, const struct cat_conversion *c)
{
	struct strbuf name = STRBUF_INIT;
	sb_add_qual(&name, c->schema->qname, c->qname);
	sb_addf(sb, "CREATE %sCONVERSION %s FOR ", c->is_default ? "DEFAULT " : "", sb_str(&name));
	render_literal(sb, c->from ? c->from : "");
	sb_add(sb, " TO ");
	render_literal(sb, c->to ? c->to : "");
	sb_addf(sb, " FROM %s;\n", c->func ? c->func : "");
	if (c->comment) {
		sb_addf(sb, "COMMENT ON CONVERSION %s IS ", sb_str(&name));
		render_literal(sb, c->comment);
		sb_add(sb, ";\n");
	}
	strbuf_free(&name);
}
