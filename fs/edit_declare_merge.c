/* edit_declare_merge.c: what a declarative file asks for (declare_diff's
 * stage), merged into the database's stage; see fs/edit_declare.h. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "database.h"
#include "declare.h"
#include "edit_declare.h"
#include "objkind.h"
#include "stage.h"
#include "stage_json.h"
#include "stage_struct.h"
#include "strbuf.h"
#include "tableopt.h"

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An entry as text to compare: without the row estimates and the probe's
 * rewrite guess (not the user's intent) nor empty lists, keys and arrays
 * in a fixed order. */
static char *normal_text(const cJSON *e)
{
	if (cJSON_IsArray(e)) {
		size_t n = (size_t)cJSON_GetArraySize(e), i = 0;
		char **v = calloc(n + 1, sizeof *v);
		const cJSON *x;
		if (!v)
			abort();
		cJSON_ArrayForEach(x, e)
			v[i++] = normal_text(x);
		qsort(v, n, sizeof *v, by_text);
		struct strbuf sb = STRBUF_INIT;
		sb_addc(&sb, '[');
		for (i = 0; i < n; i++) {
			sb_addf(&sb, "%s,", v[i]);
			free(v[i]);
		}
		free(v);
		sb_addc(&sb, ']');
		return strbuf_detach(&sb, NULL);
	}
	if (cJSON_IsObject(e)) {
		size_t n = (size_t)cJSON_GetArraySize(e), k = 0;
		char **v = calloc(n + 1, sizeof *v);
		const cJSON *x;
		if (!v)
			abort();
		cJSON_ArrayForEach(x, e) {
			if (!strcmp(x->string, "rows") || !strcmp(x->string, "rewrite") ||
			    (cJSON_IsArray(x) && !cJSON_GetArraySize(x)))
				continue;
			char *t = normal_text(x);
			struct strbuf kv = STRBUF_INIT;
			sb_addf(&kv, "%s:%s", x->string, t);
			free(t);
			v[k++] = strbuf_detach(&kv, NULL);
		}
		qsort(v, k, sizeof *v, by_text);
		struct strbuf sb = STRBUF_INIT;
		sb_addc(&sb, '{');
		for (size_t i = 0; i < k; i++) {
			sb_addf(&sb, "%s,", v[i]);
			free(v[i]);
		}
		free(v);
		sb_addc(&sb, '}');
		return strbuf_detach(&sb, NULL);
	}
	char *t = cJSON_PrintUnformatted(e);
	if (!t)
		abort();
	return t;
}

static bool same_entry(const cJSON *a, const cJSON *b)
{
	char *ta = normal_text(a), *tb = normal_text(b);
	bool eq = !strcmp(ta, tb);
	free(ta);
	free(tb);
	return eq;
}

static unsigned joid(const cJSON *o)
{
	return (unsigned)num_of(o, "oid", 0);
}

/* The table entry's schema and current name (raw). */
static void entry_names(const struct catalog *live, const cJSON *e, const char **schema, const char **name)
{
	const struct cat_relation *r = joid(e) ? catalog_rel(live, joid(e)) : NULL;
	*schema = r ? r->schema->name : str_of(e, "schema");
	*name = r ? r->name : str_of(e, "name");
}

static bool table_entry_in(const struct catalog *live, const cJSON *e, const struct declare_scope *sc)
{
	const char *s, *n;
	entry_names(live, e, &s, &n);
	return (!sc->schema || (s && !strcmp(s, sc->schema))) && (!sc->table || (n && !strcmp(n, sc->table)));
}

static bool same_table(const cJSON *a, const cJSON *b)
{
	unsigned oa = joid(a), ob = joid(b);
	if (oa || ob)
		return oa == ob;
	const char *sa = str_of(a, "schema"), *sb = str_of(b, "schema"), *na = str_of(a, "name"), *nb = str_of(b, "name");
	return sa && sb && na && nb && !strcmp(sa, sb) && !strcmp(na, nb);
}

/* The staged edits of entry E, in words: "comment, column note dropped". */
static void describe(struct strbuf *sb, const cJSON *e, bool table)
{
	const cJSON *x, *o;
	size_t n = 0;
#define ITEM(...) (sb_add(sb, n++ ? ", " : ""), sb_addf(sb, __VA_ARGS__))
	if (!table) {
		ITEM("its labels");
		return;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "drop")))
		ITEM("DROP TABLE");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "new")))
		ITEM("CREATE TABLE");
	else if (str_of(e, "name"))
		ITEM("renamed to %s", str_of(e, "name"));
	if (str_of(e, "comment"))
		ITEM("comment");
	for (int k = 0; k < TO_N; k++)
		if (cJSON_GetObjectItemCaseSensitive(e, TABLE_OPTS[k].key))
			ITEM("%s %s", TABLE_OPTS[k].what,
			     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, TABLE_OPTS[k].key)) ? "on" : "off");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "columns"))
		ITEM("column %s %s", str_of(x, "name") ? str_of(x, "name") : "?",
		     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "drop")) ? "dropped" :
		     !cJSON_GetObjectItemCaseSensitive(x, "def") ? "renamed" :
		     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "attnum")) > 0 ? "changed" : "added");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "comments"))
		ITEM("comment of %s %s", str_of(x, "kind") ? str_of(x, "kind") : "?", str_of(x, "name") ? str_of(x, "name") : "?");
	static const char *const kinds[] = { "indexes", "constraints", "triggers", "policies" };
	static const char *const one[] = { "index", "constraint", "trigger", "policy" };
	for (size_t k = 0; k < 4; k++)
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(e, kinds[k]))
			ITEM("%s %s %s", one[k], str_of(o, "name") ? str_of(o, "name") : "?",
			     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "drop")) ? "dropped" : "set");
#undef ITEM
}

static void conflict(struct strbuf *sb, const char *what, const char *schema, const char *name, const cJSON *e)
{
	sb_addf(sb, "%s%s %s.%s (staged: ", sb->len ? "; " : "", what, schema ? schema : "?", name ? name : "?");
	describe(sb, e, !strcmp(what, "table"));
	sb_addc(sb, ')');
}

/* ARRAY of the stage (tables or enums): FRESH's entries merged in, unless
 * one contradicts a staged entry in scope (named in CONFLICTS). */
void ed_decl_merge(struct database *db, const struct declare_scope *sc, const char *key, cJSON *fresh,
		   struct strbuf *conflicts, bool apply)
{
	cJSON *have = cJSON_GetObjectItemCaseSensitive(db->stage->doc, key), *e, *f;
	bool tables = !strcmp(key, "tables");
	cJSON_ArrayForEach(e, have) {
		bool in;
		const char *s = NULL, *n = NULL;
		if (tables) {
			in = table_entry_in(db->cat, e, sc);
			entry_names(db->cat, e, &s, &n);
		} else {
			const struct cat_type *t = catalog_type(db->cat, joid(e));
			in = !sc->table && t && (!sc->schema || !strcmp(t->schema->name, sc->schema));
			if (t)
				s = t->schema->name, n = t->name;
		}
		if (!in)
			continue;
		bool matched = false;
		cJSON_ArrayForEach(f, fresh)
			if (tables ? same_table(e, f) : joid(e) == joid(f))
				matched = same_entry(e, f);
		if (!matched && !apply)
			conflict(conflicts, tables ? "table" : "type", s, n, e);
	}
	cJSON_ArrayForEach(f, fresh) {
		cJSON *found = NULL;
		cJSON_ArrayForEach(e, have)
			if (tables ? same_table(e, f) : joid(e) == joid(f))
				found = e;
		if (found && !same_entry(found, f) && !apply) {
			const char *s = NULL, *n = NULL;
			if (tables) {
				entry_names(db->cat, found, &s, &n);
			} else if (catalog_type(db->cat, joid(found))) {
				s = catalog_type(db->cat, joid(found))->schema->name;
				n = catalog_type(db->cat, joid(found))->name;
			}
			if (!strstr(sb_str(conflicts), n ? n : "?"))
				conflict(conflicts, tables ? "table" : "type", s, n, found);
		}
		if (!found && apply)
			cJSON_AddItemToArray(have, cJSON_Duplicate(f, true));
	}
}

/* The staged object entries in SC that the file's catalog WANT does not
 * agree with (a staged drop of what it has, a staged file it renders
 * otherwise), named in CONFLICTS. */
void ed_decl_objects_conflict(struct database *db, const struct declare_scope *sc, const struct catalog *want,
			      struct strbuf *conflicts)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(db->stage->doc, "objects")) {
		const char *kind = str_of(e, "kind"), *s = str_of(e, "schema"), *t = str_of(e, "table"), *n = str_of(e, "name");
		if (!kind || !s || !n || (sc->schema && strcmp(s, sc->schema)) ||
		    (sc->table && (!t || strcmp(t, sc->table))))
			continue;
		struct strbuf f = STRBUF_INIT;
		bool has = objfile_render(want, kind, s, t, n, &f);
		bool drop = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "drop"));
		if (drop ? has : !has || !str_of(e, "file") || strcmp(str_of(e, "file"), sb_str(&f)))
			sb_addf(conflicts, "%s%s %s.%s%s%s (staged: %s)", conflicts->len ? "; " : "", kind, s,
				t ? t : "", t ? "." : "", n, drop ? "dropped" : "written");
		strbuf_free(&f);
	}
}

/* The comments declare_diff staged in FRESH of live schemas and types
 * (COMMENT ON SCHEMA / TYPE / DOMAIN), into ST's entries of them, as
 * mkdir's and types/ files' COMMENT lines stage them. */
void ed_decl_merge_comments(struct stage *st, const struct stage *fresh)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(fresh->doc, "schemas"))
		if (num_of(e, "oid", 0) && str_of(e, "comment"))
			stage_schema_comment(st, (unsigned)num_of(e, "oid", 0), NULL, str_of(e, "comment"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(fresh->doc, "types"))
		if (num_of(e, "oid", 0) && str_of(e, "comment"))
			stage_type_comment(st, (unsigned)num_of(e, "oid", 0), NULL, NULL, str_of(e, "comment"));
}
