/* dksnap_format.c: drizzle-kit's two snapshot formats, 0.x (one JSON of
 * every table) and 1.0 (a base "ddl" of entities, then "deltas"), and its
 * spelling of types and defaults; see include/dksnap.h. */
#include "dksnap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dksnap_internal.h"
#include "strbuf.h"

bool dksnap_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

cJSON *dksnap_set(cJSON *obj, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
	return v;
}

/* A 1.0 delta's key: "<entityType>\0<JSON array of its names>", read
 * with \u0001 for the NUL (dksnap_read_json: a C string cannot hold it).
 * Does entity E have it? */
static bool has_key(const cJSON *e, const char *key)
{
	const char *et = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "entityType"));
	const char *sep = strchr(key, '\x01');
	if (!et || !sep || strlen(et) != (size_t)(sep - key) || strncmp(et, key, (size_t)(sep - key)))
		return false;
	cJSON *names = cJSON_Parse(sep + 1);
	int n = cJSON_GetArraySize(names);
	static const char *const two[] = { "schema", "name" }, *const three[] = { "schema", "table", "name" };
	const char *const *fields = n == 2 ? two : three;
	bool same = n == 2 || n == 3;
	for (int i = 0; same && i < n; i++)
		same = dksnap_same(cJSON_GetStringValue(cJSON_GetArrayItem(names, i)),
				   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, fields[i])));
	cJSON_Delete(names);
	return same;
}

void dksnap_unnul(char *text)
{
	for (char *p = text; *p; p++) {
		if (*p != '\\' || !p[1])
			continue;
		if (!strncmp(p + 1, "u0000", 5))
			p[5] = '1';
		p++;	/* the escaped character */
	}
}

static cJSON *entity_of(cJSON *ddl, const char *key)
{
	cJSON *e;
	cJSON_ArrayForEach(e, ddl)
		if (has_key(e, key))
			return e;
	return NULL;
}

/* Drizzle 1.0's schema after snapshot S: a base holds it ("ddl"), a diff
 * changes it ("deltas": create a row, drop or alter the entity of a key). */
void dksnap_apply(cJSON *state, const cJSON *s)
{
	cJSON *ddl = cJSON_GetObjectItemCaseSensitive(state, "ddl"), *d;
	const cJSON *base = cJSON_GetObjectItemCaseSensitive(s, "ddl");
	if (cJSON_IsArray(base)) {
		cJSON_ReplaceItemInObjectCaseSensitive(state, "ddl", cJSON_Duplicate(base, true));
		return;
	}
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(s, "deltas")) {
		const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "op"));
		const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "key"));
		cJSON *e = key ? entity_of(ddl, key) : NULL, *f;
		if (op && !strcmp(op, "create"))
			cJSON_AddItemToArray(ddl, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "row"), true));
		else if (op && !strcmp(op, "drop") && e)
			cJSON_Delete(cJSON_DetachItemViaPointer(ddl, e));
		else if (op && !strcmp(op, "alter") && e)
			cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(d, "set"))
				dksnap_set(e, f->string, cJSON_Duplicate(f, true));
	}
}

void dksnap_type(const char *type, bool v1, char *out, size_t outlen)
{
	static const char *const without[] = { " without time zone" };
	static const struct { const char *pg, *dk; } alias[] = {
		{ "character varying", "varchar" }, { "character", "char" }, { "bit varying", "varbit" },
	};
	char buf[256];
	snprintf(buf, sizeof buf, "%s", type);
	size_t n = strlen(buf), wl = strlen(without[0]);
	if (n > wl && !strcmp(buf + n - wl, without[0]))
		buf[n - wl] = '\0';
	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++) {
		size_t al = strlen(alias[i].pg);
		if (!strncmp(buf, alias[i].pg, al) && (buf[al] == '\0' || buf[al] == '(')) {
			snprintf(out, outlen, "%s%s", alias[i].dk, buf + al);
			return;
		}
	}
	/* numeric(10,2): drizzle-kit 0.x writes "numeric(10, 2)". */
	const char *comma = strchr(buf, ',');
	if (!v1 && !strncmp(buf, "numeric(", 8) && comma && comma[1] != ' ')
		snprintf(out, outlen, "%.*s, %s", (int)(comma - buf), buf, comma + 1);
	else
		snprintf(out, outlen, "%s", buf);
}

static bool numeric_type(const char *t)
{
	static const char *const nums[] = { "integer", "bigint", "smallint", "numeric", "real", "double precision" };
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
		if (!strncmp(t, nums[i], strlen(nums[i])))
			return true;
	return false;
}

static bool is_number(const char *s)
{
	char *end;
	if (!*s)
		return false;
	strtod(s, &end);
	return !*end;
}

/* A default as drizzle-kit writes it: 0.x a JSON number or boolean for
 * those, else the SQL text ('x' without its ::text cast, now()); 1.0 the
 * text always. EXPR is pg_get_expr()'s text; NULL: no default. */
cJSON *dksnap_default(const char *expr, bool v1)
{
	if (!expr)
		return NULL;
	char lit[1024] = "";
	const char *cast = expr[0] == '\'' ? strstr(expr, "'::") : NULL;
	if (cast && (size_t)(cast - expr) < sizeof lit)
		snprintf(lit, sizeof lit, "%.*s", (int)(cast - expr - 1), expr + 1);
	if (cast && !(numeric_type(cast + 3) && is_number(lit))) {
		struct strbuf q = STRBUF_INIT;
		sb_addf(&q, "'%s'", lit);
		cJSON *j = cJSON_CreateString(sb_str(&q));
		strbuf_free(&q);
		return j;
	}
	const char *bare = cast ? lit : expr;
	if (v1)
		return cJSON_CreateString(bare);
	if (is_number(bare))
		return cJSON_CreateRaw(bare);
	if (!strcmp(bare, "true") || !strcmp(bare, "false"))
		return cJSON_CreateBool(bare[0] == 't');
	return cJSON_CreateString(bare);
}

/* 0.x: tables."schema.table" (schema "" for public), columns by name. */
static cJSON *find0(cJSON *doc, const struct col *c, bool table)
{
	cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(doc, "tables")) {
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "schema"));
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"));
		if (!n || strcmp(n, c->rel) || strcmp(s && *s ? s : "public", c->nsp))
			continue;
		return table ? t : cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "columns"), c->name);
	}
	return NULL;
}

static void add0(cJSON *doc, cJSON *out, const struct col *c)
{
	(void)out;
	cJSON *cols = cJSON_GetObjectItemCaseSensitive(find0(doc, c, true), "columns");
	char type[256];
	dksnap_type(c->type, false, type, sizeof type);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "name", cJSON_CreateString(c->name));
	cJSON_AddItemToObject(j, "type", cJSON_CreateString(type));
	cJSON_AddItemToObject(j, "primaryKey", cJSON_CreateFalse());
	cJSON_AddItemToObject(j, "notNull", cJSON_CreateBool(c->notnull));
	if (c->def)
		cJSON_AddItemToObject(j, "default", dksnap_default(c->def, false));
	if (cols)
		cJSON_AddItemToObject(cols, c->name, j);
	else
		cJSON_Delete(j);
}

static void drop0(cJSON *doc, cJSON *out, const struct col *c)
{
	(void)out;
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(find0(doc, c, true), "columns"),
						c->name);
}

static void alter0(cJSON *doc, cJSON *out, const struct col *c, cJSON *changes)
{
	(void)out;
	cJSON *j = find0(doc, c, false), *f;
	cJSON_ArrayForEach(f, changes) {
		if (cJSON_IsNull(f))
			cJSON_DeleteItemFromObjectCaseSensitive(j, f->string);
		else
			dksnap_set(j, f->string, cJSON_Duplicate(f, true));
	}
}

static cJSON *start0(const cJSON *prev, const char *id)
{
	cJSON *doc = cJSON_Duplicate(prev, true);
	const char *was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(prev, "id"));
	dksnap_set(doc, "prevId", cJSON_CreateString(was ? was : "00000000-0000-0000-0000-000000000000"));
	dksnap_set(doc, "id", cJSON_CreateString(id));
	/* _meta holds the renames of the generate that wrote it: none here. */
	cJSON *meta = dksnap_set(doc, "_meta", cJSON_CreateObject());
	cJSON_AddItemToObject(meta, "columns", cJSON_CreateObject());
	cJSON_AddItemToObject(meta, "schemas", cJSON_CreateObject());
	cJSON_AddItemToObject(meta, "tables", cJSON_CreateObject());
	return doc;
}

/* 1.0: entities in a flat "ddl" array; a snapshot after the first holds
 * deltas keyed "<entityType>\0<JSON array of names>". */
static bool is_entity(const cJSON *e, const char *type, const struct col *c, const char *tablekey)
{
	const char *et = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "entityType"));
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "schema"));
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, tablekey));
	return et && s && t && !strcmp(et, type) && !strcmp(s, c->nsp) && !strcmp(t, c->rel);
}

static cJSON *find1(cJSON *doc, const struct col *c, bool table)
{
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "ddl")) {
		if (table ? is_entity(e, "tables", c, "name") :
		    is_entity(e, "columns", c, "table") &&
		    dksnap_same(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name")), c->name))
			return e;
	}
	return NULL;
}

/* The delta of OP on column C, with its key as raw JSON: a cJSON string
 * cannot hold the NUL. */
static cJSON *delta(cJSON *out, const char *op, const struct col *c)
{
	cJSON *names = cJSON_CreateArray();
	cJSON_AddItemToArray(names, cJSON_CreateString(c->nsp));
	cJSON_AddItemToArray(names, cJSON_CreateString(c->rel));
	cJSON_AddItemToArray(names, cJSON_CreateString(c->name));
	char *inner = cJSON_PrintUnformatted(names);
	if (!inner)
		abort();
	struct strbuf key = STRBUF_INIT;
	sb_add(&key, "\"columns\\u0000");
	for (const char *p = inner; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addc(&key, '\\');
		sb_addc(&key, *p);
	}
	sb_addc(&key, '"');
	cJSON *d = cJSON_CreateObject();
	cJSON_AddItemToObject(d, "op", cJSON_CreateString(op));
	cJSON_AddItemToObject(d, "key", cJSON_CreateRaw(sb_str(&key)));
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(out, "deltas"), d);
	free(inner);
	cJSON_Delete(names);
	strbuf_free(&key);
	return d;
}

static void add1(cJSON *doc, cJSON *out, const struct col *c)
{
	(void)doc;
	char type[256];
	dksnap_type(c->type, true, type, sizeof type);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "schema", cJSON_CreateString(c->nsp));
	cJSON_AddItemToObject(j, "table", cJSON_CreateString(c->rel));
	cJSON_AddItemToObject(j, "name", cJSON_CreateString(c->name));
	cJSON_AddItemToObject(j, "type", cJSON_CreateString(type));
	cJSON_AddItemToObject(j, "typeSchema", cJSON_CreateNull());
	cJSON_AddItemToObject(j, "notNull", cJSON_CreateBool(c->notnull));
	cJSON_AddItemToObject(j, "dimensions", cJSON_CreateNumber(0));
	cJSON_AddItemToObject(j, "default", c->def ? dksnap_default(c->def, true) : cJSON_CreateNull());
	cJSON_AddItemToObject(j, "generated", cJSON_CreateNull());
	cJSON_AddItemToObject(j, "identity", cJSON_CreateNull());
	cJSON_AddItemToObject(j, "entityType", cJSON_CreateString("columns"));
	cJSON *d = cJSON_CreateObject();
	cJSON_AddItemToObject(d, "op", cJSON_CreateString("create"));
	cJSON_AddItemToObject(d, "row", j);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(out, "deltas"), d);
}

static void drop1(cJSON *doc, cJSON *out, const struct col *c)
{
	(void)doc;
	delta(out, "drop", c);
}

static void alter1(cJSON *doc, cJSON *out, const struct col *c, cJSON *changes)
{
	(void)doc;
	cJSON_AddItemToObject(delta(out, "alter", c), "set", cJSON_Duplicate(changes, true));
}

static cJSON *start1(const cJSON *prev, const char *id)
{
	cJSON *doc = cJSON_CreateObject(), *prevs = cJSON_CreateArray();
	const char *was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(prev, "id"));
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(prev, "version");
	const cJSON *dialect = cJSON_GetObjectItemCaseSensitive(prev, "dialect");
	cJSON_AddItemToArray(prevs, cJSON_CreateString(was ? was : "00000000-0000-0000-0000-000000000000"));
	cJSON_AddItemToObject(doc, "type", cJSON_CreateString("diff"));
	cJSON_AddItemToObject(doc, "version", version ? cJSON_Duplicate(version, true) : cJSON_CreateString("9"));
	cJSON_AddItemToObject(doc, "dialect", dialect ? cJSON_Duplicate(dialect, true) : cJSON_CreateString("postgres"));
	cJSON_AddItemToObject(doc, "id", cJSON_CreateString(id));
	cJSON_AddItemToObject(doc, "prevIds", prevs);
	/* What its statements wrote and read, for drizzle-kit's check of
	 * branches made in parallel: none recorded. */
	cJSON_AddItemToObject(doc, "footprints", cJSON_CreateArray());
	cJSON_AddItemToObject(doc, "deltas", cJSON_CreateArray());
	return doc;
}

const struct format dksnap_formats[2] = {
	{ find0, add0, drop0, alter0, start0 },
	{ find1, add1, drop1, alter1, start1 },
};
