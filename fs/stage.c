/* stage.c: the desired state as identity-keyed edits; see include/stage.h. */
#include "stage.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "stage_json.h"
#include "stage_struct.h"
#include "tableopt.h"

/* ---- JSON helpers ---- */

static void put_str(cJSON *obj, const char *key, const char *s)
{
	if (s)
		put(obj, key, cJSON_CreateString(s));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
}

/* ---- life cycle ---- */

static cJSON *empty_doc(void)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "version", 1);
	cJSON_AddArrayToObject(doc, "tables");
	cJSON_AddArrayToObject(doc, "enums");
	cJSON_AddArrayToObject(doc, "files");
	return doc;
}

struct stage *stage_new(void)
{
	struct stage *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	st->doc = empty_doc();
	return st;
}

void stage_free(struct stage *st)
{
	if (!st)
		return;
	cJSON_Delete(st->doc);
	free(st);
}

struct stage *stage_parse(const char *text, size_t len, char *err, size_t errlen)
{
	const char *end = NULL;
	char why[512];
	cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (doc && end)
		while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
			end++;
	if (!cJSON_IsObject(doc) || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "version")) ||
	    num_of(doc, "version", 0) != 1) {
		cJSON_Delete(doc);
		snprintf(err, errlen, "not a schemafs stage file (version 1)");
		return NULL;
	}
	if (end != text + len) {
		cJSON_Delete(doc);
		snprintf(err, errlen, "damaged: bytes after the end of the document");
		return NULL;
	}
	if (stage_check(doc, why, sizeof why)) {
		cJSON_Delete(doc);
		snprintf(err, errlen, "damaged: %s", why);
		return NULL;
	}
	struct stage *st = calloc(1, sizeof *st);
	if (!st)
		abort();
	st->doc = doc;
	array_of(doc, "tables");
	array_of(doc, "enums");
	array_of(doc, "files");
	return st;
}

struct stage *stage_load(const char *file, char *err, size_t errlen)
{
	size_t len;
	char why[640];
	char *text = file_read_all(file, &len);
	if (!text) {
		if (errno == ENOENT)
			return stage_new();
		snprintf(err, errlen, "cannot read %s: %s", file, strerror(errno));
		return NULL;
	}
	struct stage *st = stage_parse(text, len, why, sizeof why);
	free(text);
	if (!st)
		snprintf(err, errlen, "%s: %s", file, why);
	return st;
}

int stage_save(const struct stage *st, const char *file)
{
	char *text = cJSON_Print(st->doc);
	if (!text)
		return -ENOMEM;
	int rc = atomic_write(file, text, strlen(text));
	free(text);
	return rc;
}

const char *stage_database(const struct stage *st)
{
	return str_of(st->doc, "database");
}

void stage_set_database(struct stage *st, const char *identity)
{
	put(st->doc, "database", cJSON_CreateString(identity));
}

bool stage_empty(const struct stage *st)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(st->doc, "tables")) == 0 &&
	       cJSON_GetArraySize(cJSON_GetObjectItem(st->doc, "enums")) == 0 &&
	       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st->doc, "objects")) == 0 &&
	       stage_struct_empty(st);
}

bool stage_has_files(const struct stage *st)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(st->doc, "files")) > 0;
}

void stage_discard(struct stage *st)
{
	put(st->doc, "tables", cJSON_CreateArray());
	put(st->doc, "enums", cJSON_CreateArray());
	cJSON_DeleteItemFromObjectCaseSensitive(st->doc, "deparsed");
	cJSON_DeleteItemFromObjectCaseSensitive(st->doc, "objects");
	stage_struct_discard(st);
}

/* ---- finding entries ---- */

static cJSON *find_table(const struct stage *st, const struct stage_ref *t, bool create)
{
	cJSON *tables = array_of(st->doc, "tables"), *e;
	cJSON_ArrayForEach(e, tables) {
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		if (t->oid ? oid == t->oid :
		    !oid && same(str_of(e, "schema"), t->schema) && same(str_of(e, "name"), t->name))
			return e;
	}
	if (!create)
		return NULL;
	e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "oid", t->oid);
	cJSON_AddStringToObject(e, "schema", t->schema);
	cJSON_AddItemToArray(tables, e);
	return e;
}

static cJSON *find_column(cJSON *table, int attnum, const char *name, bool create)
{
	cJSON *cols = array_of(table, "columns"), *c;
	cJSON_ArrayForEach(c, cols) {
		int n = (int)num_of(c, "attnum", 0);
		if (attnum ? n == attnum : !n && same(str_of(c, "name"), name))
			return c;
	}
	if (!create)
		return NULL;
	c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "attnum", attnum);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddItemToArray(cols, c);
	return c;
}

static cJSON *find_named(cJSON *table, const char *kind, const char *name, bool create)
{
	cJSON *objs = array_of(table, kind), *o;
	cJSON_ArrayForEach(o, objs)
		if (same(str_of(o, "name"), name))
			return o;
	if (!create)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddItemToArray(objs, o);
	return o;
}

/* ---- edits ---- */

void stage_table_new(struct stage *st, const char *schema, const char *name, const char *qname)
{
	struct stage_ref t = { 0, schema, name };
	cJSON *e = find_table(st, &t, true);
	put_str(e, "name", name);
	put_str(e, "qname", qname);
	put(e, "new", cJSON_CreateTrue());
}

void stage_table_columnless(struct stage *st, const char *schema, const char *name)
{
	struct stage_ref t = { 0, schema, name };
	put(find_table(st, &t, true), "columnless", cJSON_CreateTrue());
}

void stage_table_drop(struct stage *st, const struct stage_ref *t)
{
	cJSON *e = find_table(st, t, t->oid != 0);
	if (!e)
		return;
	if (!t->oid) {
		remove_item(cJSON_GetObjectItem(st->doc, "tables"), e);
		return;
	}
	put(e, "drop", cJSON_CreateTrue());
}

void stage_table_rename(struct stage *st, const struct stage_ref *t, const char *name, const char *qname)
{
	cJSON *e = find_table(st, t, true);
	put_str(e, "name", name);
	put_str(e, "qname", qname);
}

void stage_table_rows(struct stage *st, const struct stage_ref *t, double rows)
{
	cJSON *e = find_table(st, t, true);
	put(e, "rows", cJSON_CreateNumber(rows));
}

void stage_table_comment(struct stage *st, const struct stage_ref *t, const char *comment)
{
	put_str(find_table(st, t, true), "comment", comment);
}

void stage_part_comment(struct stage *st, const struct stage_ref *t, const char *kind, const char *name,
			const char *comment)
{
	cJSON *a = array_of(find_table(st, t, true), "comments"), *c;
	cJSON_ArrayForEach(c, a)
		if (same(str_of(c, "kind"), kind) && same(str_of(c, "name"), name))
			break;
	if (!c) {
		c = cJSON_CreateObject();
		put_str(c, "kind", kind);
		put_str(c, "name", name);
		cJSON_AddItemToArray(a, c);
	}
	put_str(c, "comment", comment ? comment : "");
}

void stage_table_option(struct stage *st, const struct stage_ref *t, enum table_opt o, bool on)
{
	put(find_table(st, t, true), TABLE_OPTS[o].key, cJSON_CreateBool(on));
}

void stage_column_set(struct stage *st, const struct stage_ref *t, int attnum, const char *oldname,
		      const char *name, const char *qname, const struct stage_coldef *def)
{
	cJSON *c = find_column(find_table(st, t, true), attnum, oldname, true);
	put_str(c, "name", name);
	put_str(c, "qname", qname);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "drop");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "takes");	/* not dropped after all */
	if (!def)
		return;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "type", def->type);
	if (def->collation)
		cJSON_AddStringToObject(d, "collation", def->collation);
	if (def->defexpr)
		cJSON_AddStringToObject(d, "default", def->defexpr);
	cJSON_AddBoolToObject(d, "notnull", def->notnull);
	if (def->notnull_name)
		cJSON_AddStringToObject(d, "notnull_name", def->notnull_name);
	if (def->notnull_noinherit)
		cJSON_AddBoolToObject(d, "notnull_noinherit", true);
	char id[2] = { def->identity, 0 }, gen[2] = { def->generated, 0 };
	cJSON_AddStringToObject(d, "identity", id);
	cJSON_AddStringToObject(d, "generated", gen);
	cJSON_AddBoolToObject(d, "rewrite", def->rewrite);
	put(c, "def", d);
}

void stage_column_drop(struct stage *st, const struct stage_ref *t, int attnum, const char *name)
{
	cJSON *table = find_table(st, t, attnum != 0);
	if (!table)
		return;
	cJSON *c = find_column(table, attnum, name, attnum != 0);
	if (!c)
		return;
	if (!attnum) {
		remove_item(cJSON_GetObjectItem(table, "columns"), c);
		return;
	}
	put_str(c, "name", name);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "def");
	put(c, "drop", cJSON_CreateTrue());
}

struct cJSON *stage_table_entry(struct stage *st, const struct stage_ref *t)
{
	return find_table(st, t, false);
}

struct cJSON *stage_column_entry(struct stage *st, const struct stage_ref *t, int attnum, const char *name)
{
	cJSON *table = find_table(st, t, false);
	return table ? find_column(table, attnum, name, false) : NULL;
}

int stage_column_dropped(const struct stage *st, const struct stage_ref *t, const char *name)
{
	cJSON *table = find_table(st, t, false), *c;
	if (!table)
		return 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(table, "columns"))
		if (bool_of(c, "drop") && same(str_of(c, "name"), name))
			return (int)num_of(c, "attnum", 0);
	return 0;
}

void stage_index_set(struct stage *st, const struct stage_ref *t, const char *name, const char *qname,
		     const char *def, bool concurrently)
{
	cJSON *o = find_named(find_table(st, t, true), "indexes", name, true);
	put_str(o, "qname", qname);
	put_str(o, "def", def);
	put(o, "concurrently", cJSON_CreateBool(concurrently));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "drop");
}

void stage_constraint_set(struct stage *st, const struct stage_ref *t, const char *name,
			  const char *qname, char type, const char *def)
{
	cJSON *o = find_named(find_table(st, t, true), "constraints", name, true);
	char ty[2] = { type, 0 };
	put_str(o, "qname", qname);
	put_str(o, "type", ty);
	put_str(o, "def", def);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "drop");
}

void stage_object_drop(struct stage *st, const struct stage_ref *t, const char *kind,
		       const char *name, bool live)
{
	cJSON *table = find_table(st, t, live);
	if (!table)
		return;
	cJSON *o = find_named(table, kind, name, live);
	if (!o)
		return;
	if (!live) {
		remove_item(cJSON_GetObjectItem(table, kind), o);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o, "def");
	put(o, "drop", cJSON_CreateTrue());
}

void stage_enum_set(struct stage *st, unsigned type_oid, const char *const *labels, size_t n)
{
	cJSON *enums = array_of(st->doc, "enums"), *e, *found = NULL;
	cJSON_ArrayForEach(e, enums)
		if ((unsigned)num_of(e, "oid", 0) == type_oid)
			found = e;
	if (!found) {
		found = cJSON_CreateObject();
		cJSON_AddNumberToObject(found, "oid", type_oid);
		cJSON_AddItemToArray(enums, found);
	}
	put(found, "labels", cJSON_CreateStringArray(labels, (int)n));
}

static cJSON *find_enum(const struct stage *st, unsigned type_oid)
{
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "enums"))
		if ((unsigned)num_of(e, "oid", 0) == type_oid)
			return e;
	return NULL;
}

static cJSON *find_rename(const cJSON *e, const char *to)
{
	cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(e, "renames"))
		if (same(str_of(r, "to"), to))
			return r;
	return NULL;
}

void stage_enum_rename(struct stage *st, unsigned type_oid, const char *label, const char *to)
{
	cJSON *e = find_enum(st, type_oid), *r = e ? find_rename(e, label) : NULL;
	if (!e)
		return;
	if (r && same(str_of(r, "from"), to)) {
		remove_item(cJSON_GetObjectItem(e, "renames"), r);
		return;
	}
	if (r) {
		put_str(r, "to", to);
		return;
	}
	r = cJSON_CreateObject();
	put_str(r, "from", label);
	put_str(r, "to", to);
	cJSON_AddItemToArray(array_of(e, "renames"), r);
}

const char *stage_enum_origin(const struct stage *st, unsigned type_oid, const char *label)
{
	const cJSON *e = find_enum(st, type_oid), *r = e ? find_rename(e, label) : NULL;
	return r ? str_of(r, "from") : NULL;
}

void stage_file_put(struct stage *st, const char *name, const char *data, size_t len)
{
	cJSON *files = array_of(st->doc, "files"), *f, *found = NULL;
	cJSON_ArrayForEach(f, files)
		if (same(str_of(f, "name"), name))
			found = f;
	if (!found) {
		found = cJSON_CreateObject();
		cJSON_AddStringToObject(found, "name", name);
		cJSON_AddItemToArray(files, found);
	}
	/* cJSON strings stop at a NUL: keep the bytes up to the first one. */
	char *copy = strndup(data, len);
	if (!copy)
		abort();
	put_str(found, "sql", copy);
	free(copy);
}

bool stage_file_remove(struct stage *st, const char *name)
{
	cJSON *files = array_of(st->doc, "files"), *f;
	cJSON_ArrayForEach(f, files) {
		if (same(str_of(f, "name"), name)) {
			remove_item(files, f);
			return true;
		}
	}
	return false;
}

const char *stage_file_get(const struct stage *st, const char *name, size_t *len)
{
	cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(st->doc, "files")) {
		if (same(str_of(f, "name"), name)) {
			const char *s = str_of(f, "sql");
			*len = s ? strlen(s) : 0;
			return s ? s : "";
		}
	}
	return NULL;
}
