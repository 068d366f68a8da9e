/*
 * render_opclass.c: operator classes and families -> SQL text; see
 * include/render.h. Pure, as render.c.
 */
#include "render.h"

static void comment(struct strbuf *sb, const char *what, const struct cat_opclass *o, const char *name)
{
	if (!o->comment)
		return;
	sb_addf(sb, "COMMENT ON %s %s USING %s IS ", what, name, o->am);
	render_literal(sb, o->comment);
	sb_add(sb, ";\n");
}

void render_opclass_name(struct strbuf *sb, const struct cat_opclass *o)
{
	sb_addf(sb, "%s USING %s", o->name, o->am);
}

void render_opclass(struct strbuf *sb, const struct cat_opclass *o)
{
	struct strbuf name = STRBUF_INIT;
	sb_add_qual(&name, o->schema->qname, o->qname);
	if (o->kind == 'f') {
		sb_addf(sb, "CREATE OPERATOR FAMILY %s USING %s;\n", sb_str(&name), o->am);
		/* Its members that belong to no class of it. */
		if (o->nmembers)
			sb_addf(sb, "ALTER OPERATOR FAMILY %s USING %s ADD", sb_str(&name), o->am);
		for (size_t i = 0; i < o->nmembers; i++)
			sb_addf(sb, "%s\n    %s", i ? "," : "", o->members[i]);
		if (o->nmembers)
			sb_add(sb, ";\n");
		comment(sb, "OPERATOR FAMILY", o, sb_str(&name));
		strbuf_free(&name);
		return;
	}
	sb_addf(sb, "CREATE OPERATOR CLASS %s %sFOR TYPE %s USING %s", sb_str(&name),
		o->is_default ? "DEFAULT " : "", o->type ? o->type : "", o->am);
	/* Without FAMILY, CREATE OPERATOR CLASS makes one of its own name. */
	if (o->family)
		sb_addf(sb, " FAMILY %s", o->family);
	sb_add(sb, " AS");
	for (size_t i = 0; i < o->nmembers; i++)
		sb_addf(sb, "%s\n    %s", i ? "," : "", o->members[i]);
	/* STORAGE of the input type itself is not stored: it is the way to
	 * write a class without members of its own. */
	if (o->storage || !o->nmembers)
		sb_addf(sb, "%s\n    STORAGE %s", o->nmembers ? "," : "", o->storage ? o->storage : o->type);
	sb_add(sb, ";\n");
	comment(sb, "OPERATOR CLASS", o, sb_str(&name));
	strbuf_free(&name);
}
