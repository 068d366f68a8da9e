/*
 * render_textsearch.c: text search templates, parsers, dictionaries and
 * configurations -> SQL text; see include/render.h. Pure, as render.c.
 */
#include "render.h"

/* Per kind: its SQL name, its directory, and the names of its f[] slots
 * (NULL: unused, or, for a dictionary's second, the options as they are). */
static const struct {
	char kind;
	const char *what, *dir;
	const char *params[5];
} kinds[] = {
	{ TS_TEMPLATE, "TEMPLATE", "templates", { "INIT", "LEXIZE" } },
	{ TS_PARSER, "PARSER", "parsers", { "START", "GETTOKEN", "END", "LEXTYPES", "HEADLINE" } },
	{ TS_DICT, "DICTIONARY", "dictionaries", { "TEMPLATE" } },
	{ TS_CONFIG, "CONFIGURATION", "configurations", { "PARSER" } },
};

static int kind_index(char kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return (int)i;
	return -1;
}

const char *render_ts_dir(char kind)
{
	int k = kind_index(kind);
	return k < 0 ? NULL : kinds[k].dir;
}

void render_ts(struct strbuf *sb, const struct cat_ts *t)
{
	int k = kind_index(t->kind);
	if (k < 0)
		return;
	struct strbuf name = STRBUF_INIT;
	sb_add_qual(&name, t->schema->qname, t->qname);
	sb_addf(sb, "CREATE TEXT SEARCH %s %s (", kinds[k].what, sb_str(&name));
	size_t n = 0;
	for (size_t i = 0; i < 5; i++)
		if (kinds[k].params[i] && t->f[i])
			sb_addf(sb, "%s\n    %s = %s", n++ ? "," : "", kinds[k].params[i], t->f[i]);
	/* dictinitoption is "name = value, ..." as CREATE TEXT SEARCH
	 * DICTIONARY took it. */
	if (t->kind == TS_DICT && t->f[1])
		sb_addf(sb, "%s\n    %s", n++ ? "," : "", t->f[1]);
	sb_add(sb, "\n);\n");
	for (size_t i = 0; i < t->nmaps; i++)
		sb_addf(sb, "ALTER TEXT SEARCH CONFIGURATION %s ADD MAPPING FOR %s WITH %s;\n", sb_str(&name),
			t->maps[i].token, t->maps[i].dicts);
	if (t->comment) {
		sb_addf(sb, "COMMENT ON TEXT SEARCH %s %s IS ", kinds[k].what, sb_str(&name));
		render_literal(sb, t->comment);
		sb_add(sb, ";\n");
	}
	strbuf_free(&name);
}
