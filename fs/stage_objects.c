/* stage_objects.c: the stage's object files ("objects"); see include/stage.h. */
#include "stage.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "objkind.h"
#include "stage_json.h"
#include "strbuf.h"

static cJSON *objects(cJSON *doc)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "objects");
	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "objects");
		a = cJSON_AddArrayToObject(doc, "objects");
	}
	return a;
}

static cJSON *find(const cJSON *doc, const char *kind, const char *schema, const char *table, const char *name)
{
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "objects"))
		if (same(str_of(e, "kind"), kind) && same(str_of(e, "schema"), schema) &&
		    same(str_of(e, "table"), table) && same(str_of(e, "name"), name))
			return e;
	return NULL;
}

static void add_str(cJSON *e, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(e, key, s);
}

void stage_obj_set(struct stage *st, const struct stage_obj *o)
{
	cJSON *arr = objects(st->doc), *old = find(st->doc, o->kind, o->schema, o->table, o->name);
	cJSON *e = cJSON_CreateObject();
	if (!e)
		abort();
	add_str(e, "kind", o->kind);
	add_str(e, "schema", o->schema);
	add_str(e, "table", o->table);
	add_str(e, "name", o->name);
	cJSON_AddNumberToObject(e, "oid", o->oid);
	add_str(e, "file", o->drop ? NULL : o->file);
	add_str(e, "sql", o->sql);
	add_str(e, "hazard", o->hazard);
	cJSON_AddBoolToObject(e, "drop", o->drop);
	if (old)
		cJSON_ReplaceItemViaPointer(arr, old, e);
	else
		cJSON_AddItemToArray(arr, e);
}

bool stage_obj_remove(struct stage *st, const char *kind, const char *schema, const char *table,
		      const char *name)
{
	cJSON *e = find(st->doc, kind, schema, table, name);
	if (!e)
		return false;
	cJSON_Delete(cJSON_DetachItemViaPointer(objects(st->doc), e));
	return true;
}

bool stage_obj_get(const struct stage *st, const char *kind, const char *schema, const char *table,
		   const char *name, struct stage_obj *o)
{
	const cJSON *e = find(st->doc, kind, schema, table, name);
	if (!e)
		return false;
	*o = (struct stage_obj){
		str_of(e, "kind"), str_of(e, "schema"), str_of(e, "table"), str_of(e, "name"),
		(unsigned)num_of(e, "oid", 0), str_of(e, "file"), str_of(e, "sql"), str_of(e, "hazard"),
		bool_of(e, "drop"),
	};
	return true;
}

void stage_obj_attach(struct stage *st, const char *kind, const char *schema, const char *table,
		      const char *name, const char *key, cJSON *item)
{
	cJSON *e = find(st->doc, kind, schema, table, name);
	if (!e) {
		cJSON_Delete(item);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(e, key);
	cJSON_AddItemToObject(e, key, item);
}

const char *stage_obj_origin(const struct stage *st, const char *kind, const char *schema, const char *table,
			     const char *name, const char **schema_out)
{
	const cJSON *e = find(st->doc, kind, schema, table, name);
	const char *from = e ? str_of(e, "from") : NULL;
	if (schema_out)
		*schema_out = from && str_of(e, "from_schema") ? str_of(e, "from_schema") : schema;
	return from;
}

bool stage_obj_renamed_away(const struct stage *st, const char *kind, const char *schema, const char *table,
			    const char *name)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "objects")) {
		const char *fs = str_of(e, "from_schema") ? str_of(e, "from_schema") : str_of(e, "schema");
		if (str_of(e, "from") && same(str_of(e, "kind"), kind) && same(fs, schema) &&
		    same(str_of(e, "table"), table) && same(str_of(e, "from"), name))
			return true;
	}
	return false;
}

int stage_objects_prune(struct stage *st, const struct catalog *live)
{
	int n = 0;
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(st->doc, "objects"), *e, *next;
	struct strbuf sb = STRBUF_INIT;
	for (e = arr ? arr->child : NULL; e; e = next) {
		next = e->next;
		sb_reset(&sb);
		bool found = objfile_render(live, str_of(e, "kind"), str_of(e, "schema"), str_of(e, "table"),
					    str_of(e, "name"), &sb);
		bool done = bool_of(e, "drop") ? !found : found && same(sb_str(&sb), str_of(e, "file"));
		if (done) {
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, e));
			n++;
		}
	}
	strbuf_free(&sb);
	return n;
}
