/*
 * erd.c: erd.md, a Mermaid erDiagram of one schema (pure; see render.h).
 *
 *     # Schema public
 *
 *     ```mermaid
 *     erDiagram
 *         customer {
 *             bigint id PK "not null"
 *             character_varying(32) Full_Name UK "column Full Name"
 *         }
 *         Order_Items_["Order 'Items'"] {
 *             _Mixed_Case_._Colour_ colour "type 'Mixed Case'.'Colour'"
 *         }
 *         customer |o--o{ booking : "booking_customer_id_fkey"
 *     ```
 *
 * The text is checked by the real Mermaid parser in tests/e2e/60_erd.sh
 * (mermaid 11, see tests/erd/install.sh). Its erDiagram lexer is the reason
 * for most of what follows:
 *
 * - Identifiers (entity ids, attribute names) are restricted to ASCII
 *   [A-Za-z0-9_], not starting with a digit: other characters become "_".
 *   Mermaid 11 would take some non-ASCII and punctuation, older renderers
 *   (and keyword rules) would not, and a plain identifier is safe everywhere.
 *   Words the lexer would take for keywords (an entity "end", "one", "to",
 *   "class", ...; an attribute "pk", "fk", "uk", case-insensitive) get a "_"
 *   appended. A name that had to change keeps its real text visible: an
 *   entity through Mermaid's alias syntax id["real name"] (mermaid >= 10.5),
 *   a column in its attribute comment ("column real name").
 * - Changed names stay unique: names that needed no change are kept first
 *   (they are distinct already), then each changed one, in catalog (name)
 *   order, takes the first of X, X_2, X_3, ... not yet used. Deterministic,
 *   so the same catalog gives the same file.
 * - Types are PostgreSQL's format_type() text. Spaces become "_"
 *   (character_varying(32), timestamp(3)_with_time_zone); parentheses,
 *   brackets, commas and dots are kept (numeric(12,2), text[],
 *   billing.status), which Mermaid 11 accepts. Anything else (quotes of a
 *   quoted type name, non-ASCII) becomes "_" and the real type is added to
 *   the comment ("type ...").
 * - Quoted text (entity labels, comments, relationship labels) cannot hold
 *   a double quote: it becomes "'". Entity labels also refuse "%" and "\",
 *   written as the full-width "％" and "＼"; elsewhere only a "%%" pair is
 *   broken ("%％"), since "%%{...}%%" anywhere is read as a directive.
 *   Control characters become spaces. "direction" followed by a blank
 *   (case-insensitive) outside a { } block would be read as a direction
 *   statement, so that blank becomes "_".
 *
 * Content: every table of the schema with every column (type, PK/FK/UK
 * markers for columns in a primary key, foreign key or unique constraint,
 * and "not null" in the comment), and every foreign key whose two ends are
 * both in this schema as a relationship, parent on the left:
 *
 *     parent ||--o{ child : "fk name"     FK columns all NOT NULL
 *     parent |o--o{ child : "fk name"     some FK column nullable
 *
 * i.e. a child row has exactly one parent (zero or one when the key can be
 * NULL), a parent has zero or more children. Foreign keys to other schemas
 * only show as FK markers (the other schema's erd.md has that table).
 *
 * Partitions are left out: a partition repeats its parent's columns and
 * carries no keys of its own (they are inherited, and the catalog keeps
 * only the parent's), so on a diagram it is noise; the partitioned table
 * stands for all of them. The exception is a partition that a foreign key
 * of this schema starts or ends at (declared on the partition itself, or
 * referencing it): it is drawn, so that no relationship loses an end.
 */
#include "render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- names */

static bool ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Words the erDiagram lexer matches before an entity name (outside a block);
 * each one, as a table name, makes mermaid 11 reject the diagram. */
static const char *const entity_keywords[] = {
	"erDiagram", "style", "classDef", "class", "subgraph", "end", "one", "many", "to",
	"accTitle", "accDescr", NULL,
};
/* Words it matches before an attribute name (inside a block). */
static const char *const attr_keywords[] = { "PK", "FK", "UK", NULL };

static bool is_keyword(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/* A malloc'd identifier for NAME; *changed tells whether it differs. */
static char *make_ident(const char *name, const char *const *keywords, bool *changed)
{
	struct strbuf sb = STRBUF_INIT;
	*changed = false;
	if (!*name || (*name >= '0' && *name <= '9')) {
		sb_addc(&sb, '_');
		*changed = true;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (ident_char(*p)) {
			sb_addc(&sb, (char)*p);
		} else {
			/* one "_" per UTF-8 character, not per byte */
			if ((*p & 0xC0) != 0x80)
				sb_addc(&sb, '_');
			*changed = true;
		}
	}
	if (is_keyword(sb_str(&sb), keywords)) {
		sb_addc(&sb, '_');
		*changed = true;
	}
	size_t len;
	return strbuf_detach(&sb, &len);
}

static bool used(char *const *ids, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] && !strcmp(ids[i], s))
			return true;
	return false;
}

/*
 * Fills IDS[i] (malloc'd) with a unique identifier for NAMES[i] and
 * CHANGED[i] with whether it differs from the name. Unchanged names first,
 * then changed ones with a _2, _3, ... suffix where needed (see the top).
 */
static void assign_idents(const char *const *names, size_t n, const char *const *keywords,
			  char **ids, bool *changed)
{
	char **cand = calloc(n ? n : 1, sizeof *cand);
	if (!cand)
		abort();
	for (size_t i = 0; i < n; i++) {
		ids[i] = NULL;
		cand[i] = make_ident(names[i], keywords, &changed[i]);
		if (!changed[i]) {
			ids[i] = cand[i];
			cand[i] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!changed[i])
			continue;
		if (!used(ids, n, cand[i])) {
			ids[i] = cand[i];
			continue;
		}
		struct strbuf sb = STRBUF_INIT;
		for (unsigned k = 2;; k++) {
			sb_reset(&sb);
			sb_addf(&sb, "%s_%u", cand[i], k);
			if (!used(ids, n, sb_str(&sb)))
				break;
		}
		size_t len;
		ids[i] = strbuf_detach(&sb, &len);
		free(cand[i]);
	}
	free(cand);
}

static void free_idents(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
}

/* --------------------------------------------------------- quoted text */

enum text_ctx {
	TEXT_COMMENT,	/* attribute comment, inside a block */
	TEXT_LABEL,	/* relationship label, outside a block */
	TEXT_ENTITY,	/* entity alias label, outside a block */
};

/* Appends TEXT for use between double quotes (see the top for why). */
static void add_text(struct strbuf *sb, const char *text, enum text_ctx ctx)
{
	static const char dir[] = "direction";
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
		if (ctx != TEXT_COMMENT && blank && p - text >= (long)(sizeof dir - 1) &&
		    !strncasecmp(p - (sizeof dir - 1), dir, sizeof dir - 1)) {
			sb_addc(sb, '_');
		} else if (c == '"') {
			sb_addc(sb, '\'');
		} else if (c < 0x20 || c == 0x7F) {
			sb_addc(sb, ' ');
		} else if (c == '%' && (ctx == TEXT_ENTITY || (p > text && p[-1] == '%'))) {
			sb_add(sb, "\xEF\xBC\x85");	/* U+FF05 FULLWIDTH PERCENT SIGN */
		} else if (c == '\\' && ctx == TEXT_ENTITY) {
			sb_add(sb, "\xEF\xBC\xBC");	/* U+FF3C FULLWIDTH REVERSE SOLIDUS */
		} else {
			sb_addc(sb, (char)c);
		}
	}
}

/* Appends TYPE as an attribute type; returns true when more than blanks
 * had to change (the real type then goes in the comment). */
static bool add_type(struct strbuf *sb, const char *type)
{
	bool changed = false;
	const unsigned char *p = (const unsigned char *)type;
	/* must start with a letter or "_"; other unsafe characters become "_"
	 * in the loop anyway */
	if ((*p >= '0' && *p <= '9') || (*p && strchr("()[],.", *p))) {
		sb_addc(sb, '_');
		changed = true;
	}
	size_t start = sb->len;
	for (; *p; p++) {
		if (ident_char(*p) || strchr("()[],.", *p)) {
			sb_addc(sb, (char)*p);
		} else if (*p == ' ') {
			sb_addc(sb, '_');
		} else {
			if ((*p & 0xC0) != 0x80)
				sb_addc(sb, '_');
			changed = true;
		}
	}
	/* "pk", "fk", "uk" as a whole word would lex as a key marker */
	const char *w = sb_str(sb) + start;
	if (!strncasecmp(w, "PK", 2) || !strncasecmp(w, "FK", 2) || !strncasecmp(w, "UK", 2)) {
		if (!ident_char((unsigned char)w[2])) {
			sb_addc(sb, '_');
			changed = true;
		}
	}
	return changed;
}

/* ------------------------------------------------------------- catalog */

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

/* A foreign key drawn on this schema's diagram: both ends in the schema.
 * Compared by OID: a desired catalog (stage.h) copies the schemas and the
 * tables it edits, while keys still point at the live ones. */
static bool fk_drawn(const struct cat_schema *s, const struct cat_constraint *k)
{
	return k->type == 'f' && k->ref && k->ref->schema->oid == s->oid;
}

/* Whether table R is an entity of the diagram (partitions: see the top). */
static bool entity_drawn(const struct cat_schema *s, const struct cat_relation *r)
{
	if (!r->is_partition)
		return true;
	for (size_t t = 0; t < s->ntables; t++) {
		const struct cat_relation *o = s->tables[t];
		for (size_t i = 0; i < o->ncons; i++)
			if (fk_drawn(s, &o->cons[i]) && (o == r || o->cons[i].ref->oid == r->oid))
				return true;
	}
	return false;
}

/* ------------------------------------------------------------- drawing */

static void erd_entity(struct strbuf *sb, const struct cat_relation *r, const char *id, bool id_changed)
{
	sb_add(sb, "    ");
	sb_add(sb, id);
	if (id_changed) {
		sb_add(sb, "[\"");
		add_text(sb, r->name, TEXT_ENTITY);
		sb_add(sb, "\"]");
	}
	if (!r->ncols) {
		sb_add(sb, " {\n    }\n");
		return;
	}
	sb_add(sb, " {\n");

	const char **names = calloc(r->ncols, sizeof *names);
	char **ids = calloc(r->ncols, sizeof *ids);
	bool *changed = calloc(r->ncols, sizeof *changed);
	if (!names || !ids || !changed)
		abort();
	for (size_t i = 0; i < r->ncols; i++)
		names[i] = r->cols[i].name;
	assign_idents(names, r->ncols, attr_keywords, ids, changed);

	for (size_t i = 0; i < r->ncols; i++) {
		const struct cat_column *c = &r->cols[i];
		struct strbuf note = STRBUF_INIT;
		sb_add(sb, "        ");
		bool type_changed = add_type(sb, c->type);
		sb_addc(sb, ' ');
		sb_add(sb, ids[i]);
		if (changed[i]) {
			sb_add(&note, "column ");
			add_text(&note, c->name, TEXT_COMMENT);
		}
		if (type_changed) {
			sb_add(&note, note.len ? "; type " : "type ");
			add_text(&note, c->type, TEXT_COMMENT);
		}
		if (c->notnull)
			sb_add(&note, note.len ? "; not null" : "not null");
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
		if (note.len) {
			sb_add(sb, " \"");
			sb_add(sb, sb_str(&note));
			sb_addc(sb, '"');
		}
		sb_addc(sb, '\n');
		strbuf_free(&note);
	}
	sb_add(sb, "    }\n");
	free_idents(ids, r->ncols);
	free(ids);
	free(names);
	free(changed);
}

/* parent ||--o{ child: each child row has one parent row (zero or one when
 * a key column is nullable); a parent has zero or more children. */
static void erd_relationship(struct strbuf *sb, const struct cat_relation *r, const struct cat_constraint *k,
			     const char *child, const char *parent)
{
	bool nullable = false;
	for (size_t i = 0; i < k->nkeys; i++) {
		const struct cat_column *c = column_by_attnum(r, k->keys[i]);
		if (c && !c->notnull)
			nullable = true;
	}
	sb_addf(sb, "    %s %s %s : \"", parent, nullable ? "|o--o{" : "||--o{", child);
	add_text(sb, k->name, TEXT_LABEL);
	sb_add(sb, "\"\n");
}

void render_erd(struct strbuf *sb, const struct cat_schema *s)
{
	size_t n = 0;
	const struct cat_relation **rels = calloc(s->ntables ? s->ntables : 1, sizeof *rels);
	const char **names = calloc(s->ntables ? s->ntables : 1, sizeof *names);
	char **ids = calloc(s->ntables ? s->ntables : 1, sizeof *ids);
	bool *changed = calloc(s->ntables ? s->ntables : 1, sizeof *changed);
	if (!rels || !names || !ids || !changed)
		abort();
	for (size_t t = 0; t < s->ntables; t++) {
		if (!entity_drawn(s, s->tables[t]))
			continue;
		rels[n] = s->tables[t];
		names[n] = s->tables[t]->name;
		n++;
	}
	assign_idents(names, n, entity_keywords, ids, changed);

	sb_add(sb, "# Schema ");
	for (const char *p = s->name; *p; p++)
		sb_addc(sb, (unsigned char)*p < 0x20 ? ' ' : *p);
	sb_add(sb, "\n\n```mermaid\nerDiagram\n");
	for (size_t i = 0; i < n; i++)
		erd_entity(sb, rels[i], ids[i], changed[i]);
	for (size_t i = 0; i < n; i++) {
		const struct cat_relation *r = rels[i];
		for (size_t c = 0; c < r->ncons; c++) {
			const struct cat_constraint *k = &r->cons[c];
			if (!fk_drawn(s, k))
				continue;
			const char *parent = NULL;
			for (size_t j = 0; j < n; j++)
				if (rels[j]->oid == k->ref->oid)
					parent = ids[j];
			if (parent)	/* always, by entity_drawn() */
				erd_relationship(sb, r, k, ids[i], parent);
		}
	}
	sb_add(sb, "```\n");
	free_idents(ids, n);
	free(ids);
	free(names);
	free(changed);
	free(rels);
}
