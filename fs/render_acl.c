/*
 * render_acl.c: owners and privileges (the "owners" and "privileges"
 * keys); see include/render.h. The statements come ready from the catalog
 * (PostgreSQL compares each ACL with its default, catalog_sql.h): here
 * they are only placed. A catalog loaded with both keys off has none, and
 * nothing is written.
 */
#include "render.h"

void render_privs(struct strbuf *sb, const struct cat_privs *p)
{
	if (p->owner)
		sb_addf(sb, "%s\n", p->owner);
	if (p->acl)
		sb_addf(sb, "%s\n", p->acl);
}

void render_rel_privs(struct strbuf *sb, const struct cat_relation *r)
{
	render_privs(sb, &r->privs);
	for (size_t i = 0; i < r->ncols; i++)
		if (r->cols[i].acl)
			sb_addf(sb, "%s\n", r->cols[i].acl);
}

/*
 * Views, functions and types have theirs after their CREATE (the renderers
 * of their own files, also used by schema.sql). Schemas, tables and
 * sequences come here, once everything exists: a table's owner before its
 * sequences' (an owned sequence can only have its table's owner), and
 * default privileges last, so that none applies to an object of the file.
 */
void render_privs_scope(struct strbuf *sb, const struct catalog *cat, const struct cat_schema *const *schemas,
			size_t n, bool whole_db)
{
	for (size_t i = 0; i < n; i++)
		render_privs(sb, &schemas[i]->privs);
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < schemas[i]->ntables; t++)
			render_rel_privs(sb, schemas[i]->tables[t]);
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < schemas[i]->nsequences; t++)
			render_rel_privs(sb, schemas[i]->sequences[t]);
	for (size_t i = 0; i < n; i++)
		if (schemas[i]->default_acl)
			sb_addf(sb, "%s\n", schemas[i]->default_acl);
	if (whole_db && cat->default_acl)
		sb_addf(sb, "%s\n", cat->default_acl);
}
