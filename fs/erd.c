/*
 * erd.c: erd.md, a Mermaid erDiagram of one schema (pure; see render.h).
 *
 * Mermaid's grammar only takes [A-Za-z0-9_-] in entity, type and attribute
 * names, so other characters become "_"; where that changed a name, the
 * real one is kept in the attribute's comment.
 */
#include "render.h"

#include <stdbool.h>
#include <string.h>

static bool erd_safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Appends NAME with unsafe characters replaced; returns true if it changed. */
static bool erd_name(struct strbuf *sb, const char *name)
{
	bool changed = false;
	if (!erd_safe_char((unsigned char)*name) || (*name >= '0' && *name <= '9') || *name == '-') {
		sb_addc(sb, '_');
		changed = true;
	}
	for (const char *p = name; *p; p++) {
		if (erd_safe_char((unsigned char)*p)) {
			sb_addc(sb, *p);
		} else {
			sb_addc(sb, '_');
			changed = true;
		}
	}
	return changed;
}

/* Mermaid comments are double-quoted and cannot hold a double quote. */
static void erd_comment(struct strbuf *sb, const char *text)
{
	for (const char *p = text; *p; p++)
		sb_addc(sb, *p == '"' ? '\'' : (*p == '\n' ? ' ' : *p));
}

static bool has_key(const struct cat_relation *r, int attnum, char type)
{
	for (size_t i = 0; i < r->ncons; i++) {
		if (r->cons[i].type != type)
			continue;
		for (size_t k = 0; k < r->cons[i].nkeys; k++)
			if (r->cons[i].keys[k] == attnum)
				return true;
	}
	return false;
}

static const struct cat_column *column_by_attnum(const struct cat_relation *r, int attnum)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (r->cols[i].attnum == attnum)
			return &r->cols[i];
	return NULL;
}

static void erd_entity(struct strbuf *sb, const struct cat_relation *r)
{
	sb_add(sb, "    ");
	erd_name(sb, r->name);
	sb_add(sb, " {\n");
	for (size_t i = 0; i < r->ncols; i++) {
		const struct cat_column *c = &r->cols[i];
		struct strbuf note = STRBUF_INIT;
		sb_add(sb, "        ");
		erd_name(sb, c->type);
		sb_addc(sb, ' ');
		if (erd_name(sb, c->name)) {
			sb_add(&note, "column ");
			erd_comment(&note, c->name);
		}
		const char *sep = " ";
		if (has_key(r, c->attnum, 'p')) {
			sb_add(sb, " PK");
			sep = ", ";
		}
		if (has_key(r, c->attnum, 'f')) {
			sb_addf(sb, "%sFK", sep);
			sep = ", ";
		}
		if (has_key(r, c->attnum, 'u'))
			sb_addf(sb, "%sUK", sep);
		if (c->notnull && !note.len)
			sb_add(&note, "not null");
		if (note.len) {
			sb_add(sb, " \"");
			sb_add(sb, sb_str(&note));
			sb_addc(sb, '"');
		}
		sb_addc(sb, '\n');
		strbuf_free(&note);
	}
	sb_add(sb, "    }\n");
}

/* child }o--|| parent: each child row has one parent row (zero or one when
 * a key column is nullable); a parent has zero or more children. */
static void erd_relationship(struct strbuf *sb, const struct cat_relation *r, const struct cat_constraint *k)
{
	bool nullable = false;
	for (size_t i = 0; i < k->nkeys; i++) {
		const struct cat_column *c = column_by_attnum(r, k->keys[i]);
		if (c && !c->notnull)
			nullable = true;
	}
	sb_add(sb, "    ");
	erd_name(sb, k->ref->name);
	sb_add(sb, nullable ? " |o--o{ " : " ||--o{ ");
	erd_name(sb, r->name);
	sb_add(sb, " : \"");
	erd_comment(sb, k->name);
	sb_add(sb, "\"\n");
}

void render_erd(struct strbuf *sb, const struct cat_schema *s)
{
	sb_addf(sb, "# Schema %s\n\n```mermaid\nerDiagram\n", s->name);
	for (size_t t = 0; t < s->ntables; t++)
		erd_entity(sb, s->tables[t]);
	for (size_t t = 0; t < s->ntables; t++) {
		const struct cat_relation *r = s->tables[t];
		for (size_t i = 0; i < r->ncons; i++)
			if (r->cons[i].type == 'f' && r->cons[i].ref && r->cons[i].ref->schema == s)
				erd_relationship(sb, r, &r->cons[i]);
	}
	sb_add(sb, "```\n");
}
