/* stage_struct.c: staged schemas, extensions and renames; see include/stage_struct.h. */
#include "stage_struct.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "stage.h"
#include "stage_json.h"

static const char *const SECTIONS[] = { "schemas", "extensions", "types", "renames" };

static cJSON *section(const struct stage *st, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(st->doc, key);
	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st->doc, key);
		a = cJSON_AddArrayToObject(st->doc, key);
	}
	return a;
}

static void set(cJSON *obj, const char *key, cJSON *val)
{
	if (has(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

static void set_str(cJSON *obj, const char *key, const char *s)
{
	if (s)
		set(obj, key, cJSON_CreateString(s));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
}

static void drop_item(cJSON *array, cJSON *item)
{
	cJSON_Delete(cJSON_DetachItemViaPointer(array, item));
}

/* ---- schemas ---- */

static cJSON *find_schema(const struct stage *st, unsigned oid, const char *name, bool create)
{
	cJSON *a = section(st, "schemas"), *e;
	cJSON_ArrayForEach(e, a) {
		unsigned o = (unsigned)num_of(e, "oid", 0);
		if (oid ? o == oid : !o && same(str_of(e, "name"), name))
			return e;
	}
	if (!create)
		return NULL;
	e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "oid", oid);
	cJSON_AddItemToArray(a, e);
	return e;
}

void stage_schema_new(struct stage *st, const char *name, const char *qname)
{
	cJSON *e = find_schema(st, 0, name, true);
	set_str(e, "name", name);
	set_str(e, "qname", qname);
	set(e, "new", cJSON_CreateTrue());
}

void stage_schema_drop(struct stage *st, unsigned oid, const char *name)
{
	cJSON *e = find_schema(st, oid, name, oid != 0);
	if (!e)
		return;
	if (!oid) {
		drop_item(section(st, "schemas"), e);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(e, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "qname");
	set(e, "drop", cJSON_CreateTrue());
}

void stage_schema_rename(struct stage *st, unsigned oid, const char *from, const char *name,
			 const char *qname)
{
	cJSON *e = find_schema(st, oid, from, true);
	set_str(e, "name", name);
	set_str(e, "qname", qname);
	/* Staged tables name their schema: they move with it. */
	cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(st->doc, "tables"))
		if (same(str_of(t, "schema"), from))
			set_str(t, "schema", name);
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(st->doc, "types"))
		if (same(str_of(t, "schema"), from))
			set_str(t, "schema", name);
}

void stage_schema_comment(struct stage *st, unsigned oid, const char *name, const char *comment)
{
	cJSON *e = find_schema(st, oid, name, oid != 0 && comment);
	if (!e)
		return;
	set_str(e, "comment", comment);
	if (oid && cJSON_GetArraySize(e) == 1)	/* only its oid: nothing staged */
		drop_item(section(st, "schemas"), e);
}

/* ---- extensions ---- */

static cJSON *find_ext(const struct stage *st, const char *name, bool create)
{
	cJSON *a = section(st, "extensions"), *e;
	cJSON_ArrayForEach(e, a)
		if (same(str_of(e, "name"), name))
			return e;
	if (!create)
		return NULL;
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddItemToArray(a, e);
	return e;
}

void stage_extension_set(struct stage *st, const char *name, const char *qname, const char *qschema,
			 const char *version, bool is_new)
{
	cJSON *e = find_ext(st, name, true);
	set_str(e, "qname", qname);
	set_str(e, "schema", qschema);
	set_str(e, "version", version);
	cJSON_DeleteItemFromObjectCaseSensitive(e, "drop");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "new");
	if (is_new)
		cJSON_AddTrueToObject(e, "new");
}

void stage_extension_drop(struct stage *st, const char *name, bool live)
{
	cJSON *e = find_ext(st, name, live);
	if (!e)
		return;
	if (!live) {
		drop_item(section(st, "extensions"), e);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(e, "schema");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "version");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "new");
	set(e, "drop", cJSON_CreateTrue());
}

void stage_extension_forget(struct stage *st, const char *name)
{
	cJSON *e = find_ext(st, name, false);
	if (e)
		drop_item(section(st, "extensions"), e);
}

void stage_extension_comment(struct stage *st, const char *name, const char *comment)
{
	cJSON *e = find_ext(st, name, false);
	if (e)
		set_str(e, "comment", comment);
}

/* ---- types ---- */

static cJSON *find_type(const struct stage *st, unsigned oid, const char *schema, const char *name)
{
	cJSON *e;
	cJSON_ArrayForEach(e, section(st, "types")) {
		unsigned o = (unsigned)num_of(e, "oid", 0);
		if (oid ? o == oid : !o && same(str_of(e, "schema"), schema) && same(str_of(e, "name"), name))
			return e;
	}
	return NULL;
}

void stage_type_new_enum(struct stage *st, const char *schema, const char *name, const char *qname,
			 const char *const *labels, size_t n)
{
	cJSON *e = find_type(st, 0, schema, name);
	if (!e) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "oid", 0);
		cJSON_AddStringToObject(e, "schema", schema);
		cJSON_AddStringToObject(e, "name", name);
		cJSON_AddItemToArray(section(st, "types"), e);
	}
	set_str(e, "qname", qname);
	set_str(e, "kind", "e");
	set(e, "labels", cJSON_CreateStringArray(labels, (int)n));
}

void stage_type_drop(struct stage *st, unsigned oid, char kind)
{
	cJSON *e = find_type(st, oid, NULL, NULL);
	char k[2] = { kind, 0 };
	if (!e) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "oid", oid);
		cJSON_AddItemToArray(section(st, "types"), e);
	}
	set_str(e, "kind", k);
	set(e, "drop", cJSON_CreateTrue());
}

void stage_type_forget(struct stage *st, const char *schema, const char *name)
{
	cJSON *e = find_type(st, 0, schema, name);
	if (e)
		drop_item(section(st, "types"), e);
}

static cJSON *cons_json(const struct stage_domain_con *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", v[i].name);
		cJSON_AddStringToObject(o, "qname", v[i].qname);
		cJSON_AddStringToObject(o, "def", v[i].def);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

void stage_domain_set(struct stage *st, unsigned oid, const struct stage_domain *d)
{
	cJSON *e = find_type(st, oid, NULL, NULL);
	if (!e) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "oid", oid);
		cJSON_AddItemToArray(section(st, "types"), e);
	}
	set_str(e, "kind", "d");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "drop");
	set_str(e, "default", d->defexpr);
	set(e, "notnull", cJSON_CreateBool(d->notnull));
	set_str(e, "checks", d->checks);
	set(e, "cons", cons_json(d->cons, d->ncons));
	set(e, "live_cons", cons_json(d->live_cons, d->nlive_cons));
}

/* Removes KEYS from live type OID's entry; drops the entry when no
 * edit is left in it. */
static void forget_keys(struct stage *st, unsigned oid, const char *const *keys)
{
	cJSON *e = find_type(st, oid, NULL, NULL);
	if (!e || bool_of(e, "drop"))
		return;
	for (; *keys; keys++)
		cJSON_DeleteItemFromObjectCaseSensitive(e, *keys);
	if (!has(e, "notnull") && !has(e, "attrs") && !has(e, "comment"))
		drop_item(section(st, "types"), e);
}

void stage_domain_forget(struct stage *st, unsigned oid)
{
	static const char *const KEYS[] = { "default", "notnull", "checks", "cons", "live_cons", NULL };
	forget_keys(st, oid, KEYS);
}

void stage_type_comment(struct stage *st, unsigned oid, const char *schema, const char *name,
			const char *comment)
{
	cJSON *e = find_type(st, oid, schema, name);
	if (!comment) {
		static const char *const KEYS[] = { "comment", NULL };
		if (e)
			oid ? forget_keys(st, oid, KEYS) : cJSON_DeleteItemFromObjectCaseSensitive(e, "comment");
		return;
	}
	if (!e && !oid)
		return;
	if (!e) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "oid", oid);
		cJSON_AddItemToArray(section(st, "types"), e);
	}
	set_str(e, "comment", comment);
}

static cJSON *attrs_json(const struct stage_attr *attrs, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", attrs[i].name);
		cJSON_AddStringToObject(o, "qname", attrs[i].qname);
		cJSON_AddStringToObject(o, "type", attrs[i].type);
		if (attrs[i].collation)
			cJSON_AddStringToObject(o, "collation", attrs[i].collation);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

void stage_composite_set(struct stage *st, unsigned oid, const struct stage_attr *attrs, size_t n)
{
	cJSON *e = find_type(st, oid, NULL, NULL);
	if (!e) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "oid", oid);
		cJSON_AddItemToArray(section(st, "types"), e);
	}
	set_str(e, "kind", "c");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "drop");
	set(e, "attrs", attrs_json(attrs, n));
}

void stage_type_new(struct stage *st, const char *schema, const char *name, const char *qname, char kind,
		    const char *base, const char *collation, const char *defexpr, bool notnull,
		    const char *checks, const struct stage_attr *attrs, size_t nattrs, const char *range)
{
	cJSON *e = find_type(st, 0, schema, name);
	if (e)
		drop_item(section(st, "types"), e);	/* written anew */
	e = cJSON_CreateObject();
	char k[2] = { kind, 0 };
	cJSON_AddNumberToObject(e, "oid", 0);
	cJSON_AddStringToObject(e, "schema", schema);
	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddStringToObject(e, "qname", qname);
	cJSON_AddStringToObject(e, "kind", k);
	set_str(e, "base", base);
	set_str(e, "collation", collation);
	set_str(e, "default", defexpr);
	if (kind == 'd')
		set(e, "notnull", cJSON_CreateBool(notnull));
	set_str(e, "checks", checks);
	if (kind == 'c')
		set(e, "attrs", attrs_json(attrs, nattrs));
	set_str(e, "range", range);
	cJSON_AddItemToArray(section(st, "types"), e);
}

void stage_composite_forget(struct stage *st, unsigned oid)
{
	static const char *const KEYS[] = { "attrs", NULL };
	forget_keys(st, oid, KEYS);
}

/* ---- index and constraint renames ---- */

static cJSON *find_rename(const struct stage *st, unsigned oid, const char *kind, const char *key,
			  const char *name)
{
	cJSON *e;
	cJSON_ArrayForEach(e, section(st, "renames"))
		if ((unsigned)num_of(e, "table", 0) == oid && same(str_of(e, "kind"), kind) &&
		    same(str_of(e, key), name))
			return e;
	return NULL;
}

void stage_object_rename(struct stage *st, unsigned table_oid, const char *kind, const char *from,
			 const char *to, const char *qto, const char *def)
{
	/* FROM may already be the new name of a live one: renames compose. */
	cJSON *e = find_rename(st, table_oid, kind, "to", from);
	if (e && same(str_of(e, "from"), to)) {
		drop_item(section(st, "renames"), e);	/* renamed back */
		return;
	}
	if (!e) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "table", table_oid);
		cJSON_AddStringToObject(e, "kind", kind);
		cJSON_AddStringToObject(e, "from", from);
		cJSON_AddItemToArray(section(st, "renames"), e);
	}
	set_str(e, "to", to);
	set_str(e, "qto", qto);
	set_str(e, "def", def);
}

const char *stage_object_origin(const struct stage *st, unsigned table_oid, const char *kind,
				const char *name)
{
	const cJSON *e = find_rename(st, table_oid, kind, "to", name);
	return e ? str_of(e, "from") : NULL;
}

/* ---- for stage.c ---- */

bool stage_struct_empty(const struct stage *st)
{
	for (size_t i = 0; i < sizeof SECTIONS / sizeof *SECTIONS; i++)
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st->doc, SECTIONS[i])) > 0)
			return false;
	return true;
}

void stage_struct_discard(struct stage *st)
{
	for (size_t i = 0; i < sizeof SECTIONS / sizeof *SECTIONS; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(st->doc, SECTIONS[i]);
}

static const struct cat_schema *schema_by_oid(const struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->nschemas; i++)
		if (cat->schemas[i].oid == oid)
			return &cat->schemas[i];
	return NULL;
}

static const struct cat_extension *live_ext(const struct catalog *cat, const char *name)
{
	for (size_t i = 0; name && i < cat->nexts; i++)
		if (!strcmp(cat->exts[i].name, name))
			return &cat->exts[i];
	return NULL;
}

static bool live_type(const struct catalog *cat, const char *schema, const char *name)
{
	const struct cat_schema *s = schema ? catalog_schema(cat, schema) : NULL;
	for (size_t i = 0; s && name && i < s->ntypes; i++)
		if (!strcmp(s->types[i]->name, name))
			return true;
	return false;
}

/* A staged comment (NULL: none staged; "": none) is the live one. */
static bool same_comment(const char *staged, const char *live)
{
	return !staged || (*staged ? same(staged, live) : !live || !*live);
}

static bool attrs_equal(const cJSON *attrs, const struct cat_relation *r)
{
	if ((size_t)cJSON_GetArraySize(attrs) != r->ncols)
		return false;
	for (size_t i = 0; i < r->ncols; i++) {
		const cJSON *o = cJSON_GetArrayItem(attrs, (int)i);
		if (!same(str_of(o, "name"), r->cols[i].name) || !same(str_of(o, "type"), r->cols[i].type) ||
		    !same(str_of(o, "collation"), r->cols[i].collation))
			return false;
	}
	return true;
}

static bool has_object(const struct cat_relation *r, const char *kind, const char *name)
{
	bool idx = !strcmp(kind, "indexes");
	for (size_t i = 0; name && i < (idx ? r->nindexes : r->ncons); i++)
		if (!strcmp(idx ? r->indexes[i].name : r->cons[i].name, name))
			return true;
	return false;
}

bool stage_struct_prune(struct stage *st, const struct catalog *live)
{
	int n = 0;
	cJSON *a = section(st, "schemas"), *e, *next;
	for (e = a->child; e; e = next) {
		next = e->next;
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		const struct cat_schema *s = oid ? schema_by_oid(live, oid) : catalog_schema(live, str_of(e, "name"));
		bool done = oid ? !s || (!bool_of(e, "drop") && same(str_of(e, "name"), s->name)) : s != NULL;
		if (done) {
			drop_item(a, e);
			n++;
		}
	}
	a = section(st, "extensions");
	for (e = a->child; e; e = next) {
		next = e->next;
		const struct cat_extension *x = live_ext(live, str_of(e, "name"));
		bool done = bool_of(e, "drop") ? !x :
			    x && same(str_of(e, "version"), x->version) && same(str_of(e, "schema"), x->qschema) &&
			    same_comment(str_of(e, "comment"), x->comment);
		if (done) {
			drop_item(a, e);
			n++;
		}
	}
	a = section(st, "types");
	for (e = a->child; e; e = next) {
		next = e->next;
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		const struct cat_type *t = oid ? catalog_type(live, oid) : NULL;
		bool done = oid ? !t : live_type(live, str_of(e, "schema"), str_of(e, "name"));
		/* A domain or composite that now reads as staged (the catalog's
		 * own text), in each part staged. */
		if (t && !bool_of(e, "drop"))
			done = (!has(e, "notnull") || (t->kind == 'd' && same(str_of(e, "default"), t->defexpr) &&
						       bool_of(e, "notnull") == t->notnull &&
						       same(str_of(e, "checks"), t->checks))) &&
			       (!has(e, "attrs") || (t->kind == 'c' && t->composite &&
						     attrs_equal(cJSON_GetObjectItemCaseSensitive(e, "attrs"), t->composite))) &&
			       same_comment(str_of(e, "comment"), t->comment);
		if (done) {
			drop_item(a, e);
			n++;
		}
	}
	a = section(st, "renames");
	for (e = a->child; e; e = next) {
		next = e->next;
		const struct cat_relation *r = catalog_rel(live, (unsigned)num_of(e, "table", 0));
		const char *kind = str_of(e, "kind");
		if (!r || !kind || !has_object(r, kind, str_of(e, "from"))) {
			drop_item(a, e);	/* applied, or gone */
			n++;
		}
	}
	return n > 0;
}
