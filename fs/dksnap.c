/* dksnap.c: drizzle-kit's snapshot for schemafs's migrations; see
 * include/dksnap.h. */
#include "dksnap.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "atomicfile.h"
#include "pg.h"
#include "strbuf.h"

#define USER_NS(n) n ".nspname !~ '^pg_' AND " n ".nspname <> 'information_schema'"

/* Every column of every table, sorted as strcmp() compares: the merge in
 * diff() walks both lists at once. "plain": a built-in scalar type, no
 * identity, not generated (what dksnap models). */
static const char COLUMNS_SQL[] =
	"SELECT n.nspname COLLATE \"C\", c.relname COLLATE \"C\", a.attname COLLATE \"C\","
	" pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
	" pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
	" t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace AND t.typcategory <> 'A'"
	" AND a.attidentity = '' AND a.attgenerated = ''"
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	" WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND " USER_NS("n")
	" ORDER BY 1, 2, 3";

/* Everything but columns that a drizzle snapshot holds, or that a column
 * change drags along (an index or constraint on it, a view over it). */
static const char FINGERPRINT_SQL[] =
	"SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(x, E'\\n' ORDER BY x), '')) FROM ("
	" SELECT 'r ' || c.oid || ' ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || c.relrowsecurity::text AS x"
	"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NS("n")
	" UNION ALL SELECT 'k ' || co.oid || ' ' || co.conname || ' ' || pg_catalog.pg_get_constraintdef(co.oid)"
	"  FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace"
	"  WHERE co.contype <> 'n' AND " USER_NS("n")
	" UNION ALL SELECT 'i ' || i.indexrelid || ' ' || pg_catalog.pg_get_indexdef(i.indexrelid)"
	"  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NS("n")
	" UNION ALL SELECT 'v ' || c.oid || ' ' || pg_catalog.pg_get_viewdef(c.oid)"
	"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  WHERE c.relkind IN ('v', 'm') AND " USER_NS("n")
	" UNION ALL SELECT 'n ' || n.nspname FROM pg_catalog.pg_namespace n WHERE " USER_NS("n")
	" UNION ALL SELECT 't ' || t.oid || ' ' || t.typname || t.typtype::text FROM pg_catalog.pg_type t"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype <> 'c' AND " USER_NS("n")
	" UNION ALL SELECT 'e ' || e.enumtypid || ' ' || e.enumlabel FROM pg_catalog.pg_enum e"
	" UNION ALL SELECT 'p ' || p.polrelid || ' ' || p.polname FROM pg_catalog.pg_policy p"
	") s";

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static cJSON *set(cJSON *obj, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
	return v;
}

struct dksnap {
	bool v1;
	char *dir;
	cJSON *prev;		/* the latest snapshot */
	cJSON *state;		/* 1.0: {"ddl": [...]}, the base snapshot's entities with
				 * every later snapshot's deltas applied; 0.x: prev */
	PGresult *cols;		/* COLUMNS_SQL before the file ran */
	char fp[64];		/* FINGERPRINT_SQL before */
	char *made;		/* the file dksnap_write wrote */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in DIR of the snapshots, sorted: 0.x the files NNNN_snapshot.json
 * of DIR/meta, 1.0 the folders of DIR that hold snapshot.json. */
static size_t snapshots(const char *dir, bool v1, char ***out)
{
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, v1 ? "%s" : "%s/meta", dir);
	DIR *d = opendir(sb_str(&p));
	size_t n = 0;
	*out = NULL;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		bool is;
		if (e->d_name[0] == '.')
			continue;
		if (v1) {
			struct strbuf f = STRBUF_INIT;
			sb_addf(&f, "%s/%s/snapshot.json", sb_str(&p), e->d_name);
			is = !access(sb_str(&f), R_OK);
			strbuf_free(&f);
		} else {
			is = len > 14 && !strcmp(e->d_name + len - 14, "_snapshot.json");
		}
		if (!is)
			continue;
		if (!(*out = realloc(*out, (n + 1) * sizeof **out)) || !((*out)[n++] = strdup(e->d_name)))
			abort();
	}
	if (d)
		closedir(d);
	strbuf_free(&p);
	if (n)
		qsort(*out, n, sizeof **out, by_name);
	return n;
}

static cJSON *read_json(const char *dir, bool v1, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, v1 ? "%s/%s/snapshot.json" : "%s/meta/%s", dir, name);
	size_t len;
	char *text = file_read_all(sb_str(&p), &len);
	strbuf_free(&p);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}

/* A 1.0 delta's key: "<entityType>\0<JSON array of its names>" (cJSON
 * keeps the bytes after the NUL of \u0000). Does entity E have it? */
static bool has_key(const cJSON *e, const char *key)
{
	const char *et = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "entityType"));
	if (!et || strcmp(et, key))
		return false;
	cJSON *names = cJSON_Parse(key + strlen(key) + 1);
	int n = cJSON_GetArraySize(names);
	static const char *const two[] = { "schema", "name" }, *const three[] = { "schema", "table", "name" };
	const char *const *fields = n == 2 ? two : three;
	bool same = n == 2 || n == 3;
	for (int i = 0; same && i < n; i++)
		same = same_str(cJSON_GetStringValue(cJSON_GetArrayItem(names, i)),
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, fields[i])));
	cJSON_Delete(names);
	return same;
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
static void apply_snapshot(cJSON *state, const cJSON *s)
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
				set(e, f->string, cJSON_Duplicate(f, true));
	}
}

static int fingerprint(PGconn *conn, char *out, size_t outlen, char *err, size_t errlen)
{
	PGresult *res = pg_exec(conn, FINGERPRINT_SQL, 0, NULL, err, errlen);
	if (!res)
		return -EIO;
	snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int dksnap_begin(PGconn *conn, const char *dir, bool v1, struct dksnap **out, char *err, size_t errlen)
{
	*out = NULL;
	char **names;
	size_t n = snapshots(dir, v1, &names);
	struct dksnap *s = calloc(1, sizeof *s);
	if (!s || !(s->dir = strdup(dir)))
		abort();
	s->v1 = v1;
	if (v1) {
		s->state = cJSON_CreateObject();
		cJSON_AddItemToObject(s->state, "ddl", cJSON_CreateArray());
	}
	/* 0.x: the last is drizzle-kit's previous; 1.0: each one builds on the others. */
	for (size_t i = v1 ? 0 : n ? n - 1 : 0; i < n; i++) {
		cJSON_Delete(s->prev);
		if ((s->prev = read_json(dir, v1, names[i])) && v1)
			apply_snapshot(s->state, s->prev);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	int rc = 0;
	if (!s->prev)
		goto out;	/* none: drizzle-kit generate is not used here */
	rc = -EIO;
	if (!(s->cols = pg_exec(conn, COLUMNS_SQL, 0, NULL, err, errlen)) ||
	    fingerprint(conn, s->fp, sizeof s->fp, err, errlen))
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	dksnap_free(s);
	return rc;
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
static cJSON *json_default(const char *expr, bool v1)
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

/* The row I of R as a column. */
struct col {
	const char *nsp, *rel, *name, *type, *def;
	bool notnull, plain;
};

static struct col col_at(PGresult *r, int i)
{
	return (struct col){ PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
			     PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5), PQgetvalue(r, i, 4)[0] == 't',
			     PQgetvalue(r, i, 6)[0] == 't' };
}

static int col_cmp(const struct col *a, const struct col *b)
{
	int c = strcmp(a->nsp, b->nsp);
	if (!c)
		c = strcmp(a->rel, b->rel);
	return c ? c : strcmp(a->name, b->name);
}

/* One snapshot format: where a table's columns are and how a change of
 * one is written. DOC is what find() reads (0.x: the new snapshot, 1.0:
 * the schema state); OUT the new snapshot (1.0: its deltas). */
struct format {
	/* The table's column C (with TABLE, the table) in DOC: non-NULL
	 * when drizzle-kit's schema has it. */
	cJSON *(*find)(cJSON *doc, const struct col *c, bool table);
	void (*add)(cJSON *doc, cJSON *out, const struct col *c);
	void (*drop)(cJSON *doc, cJSON *out, const struct col *c);
	/* SET: the changed fields (type, notNull, default; null: none). */
	void (*alter)(cJSON *doc, cJSON *out, const struct col *c, cJSON *set);
	/* The new snapshot after PREV: its id and the chain. */
	cJSON *(*start)(const cJSON *prev, const char *id);
};

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
		cJSON_AddItemToObject(j, "default", json_default(c->def, false));
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
			set(j, f->string, cJSON_Duplicate(f, true));
	}
}

static cJSON *start0(const cJSON *prev, const char *id)
{
	cJSON *doc = cJSON_Duplicate(prev, true);
	const char *was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(prev, "id"));
	set(doc, "prevId", cJSON_CreateString(was ? was : "00000000-0000-0000-0000-000000000000"));
	set(doc, "id", cJSON_CreateString(id));
	/* _meta holds the renames of the generate that wrote it: none here. */
	cJSON *meta = set(doc, "_meta", cJSON_CreateObject());
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
		    same_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name")), c->name))
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
	cJSON_AddItemToObject(j, "default", c->def ? json_default(c->def, true) : cJSON_CreateNull());
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

static const struct format formats[2] = {
	{ find0, add0, drop0, alter0, start0 },
	{ find1, add1, drop1, alter1, start1 },
};

/* Writes the columns' change from BEFORE to AFTER, on the tables drizzle-kit
 * knows (in DOC), into OUT. 0, or 1 with WHY for one it cannot model. */
static int diff(const struct format *f, bool v1, cJSON *doc, cJSON *out, PGresult *before, PGresult *after,
		char *why, size_t whylen)
{
	int nb = PQntuples(before), na = PQntuples(after), i = 0, k = 0;
	while (i < nb || k < na) {
		struct col b = i < nb ? col_at(before, i) : (struct col){ 0 };
		struct col a = k < na ? col_at(after, k) : (struct col){ 0 };
		int c = i >= nb ? 1 : k >= na ? -1 : col_cmp(&b, &a);
		const struct col *which = c < 0 ? &b : &a;
		bool changed = c || strcmp(b.type, a.type) || b.notnull != a.notnull || !same_str(b.def, a.def);
		i += c <= 0;
		k += c >= 0;
		if (!changed || !f->find(doc, which, true))
			continue;	/* not a table drizzle-kit knows */
		if (c >= 0 && !a.plain) {
			snprintf(why, whylen, "column %s.%s.%s has a type, identity or generation schemafs does "
				 "not write into drizzle-kit's snapshot", a.nsp, a.rel, a.name);
			return 1;
		}
		if (c < 0 || c > 0) {
			if (c > 0)
				f->add(doc, out, &a);
			else if (f->find(doc, &b, false))
				f->drop(doc, out, &b);
			continue;
		}
		if (!f->find(doc, &a, false))
			continue;	/* a column schema.ts does not have */
		/* Only what changed: the rest stays as schema.ts wrote it. */
		cJSON *changes = cJSON_CreateObject();
		char type[256];
		dksnap_type(a.type, v1, type, sizeof type);
		if (strcmp(b.type, a.type))
			cJSON_AddItemToObject(changes, "type", cJSON_CreateString(type));
		if (b.notnull != a.notnull)
			cJSON_AddItemToObject(changes, "notNull", cJSON_CreateBool(a.notnull));
		if (!same_str(b.def, a.def))
			cJSON_AddItemToObject(changes, "default", a.def ? json_default(a.def, v1) : cJSON_CreateNull());
		f->alter(doc, out, &a, changes);
		cJSON_Delete(changes);
	}
	return 0;
}

static void new_uuid(char *out, size_t outlen)
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		abort();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, outlen, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int dksnap_write(PGconn *conn, struct dksnap *s, const char *tag, char *why, size_t whylen)
{
	char fp[64], id[40];
	cJSON *out = NULL;
	char *text = NULL;
	struct strbuf path = STRBUF_INIT;
	PGresult *after = NULL;
	int rc = -EIO;
	if (fingerprint(conn, fp, sizeof fp, why, whylen) ||
	    !(after = pg_exec(conn, COLUMNS_SQL, 0, NULL, why, whylen)))
		goto out;
	rc = 1;
	if (strcmp(fp, s->fp)) {
		snprintf(why, whylen, "it changes more than columns (a table, index, constraint, sequence, type, view "
			 "or policy), which schemafs does not write into drizzle-kit's snapshot");
		goto out;
	}
	const struct format *f = &formats[s->v1];
	new_uuid(id, sizeof id);
	out = f->start(s->prev, id);
	if ((rc = diff(f, s->v1, s->v1 ? s->state : out, out, s->cols, after, why, whylen)))
		goto out;
	if (s->v1)
		sb_addf(&path, "%s/%s/snapshot.json", s->dir, tag);
	else
		sb_addf(&path, "%s/meta/%.*s_snapshot.json", s->dir, (int)strspn(tag, "0123456789"), tag);
	if (!(text = cJSON_Print(out)))
		abort();
	if ((rc = atomic_write(sb_str(&path), text, strlen(text)))) {
		snprintf(why, whylen, "cannot write %s: %s", sb_str(&path), strerror(-rc));
		goto out;
	}
	s->made = strbuf_detach(&path, NULL);
out:
	free(text);
	cJSON_Delete(out);
	PQclear(after);
	strbuf_free(&path);
	return rc;
}

void dksnap_undo(struct dksnap *s)
{
	if (s && s->made)
		unlink(s->made);
}

void dksnap_free(struct dksnap *s)
{
	if (!s)
		return;
	free(s->dir);
	cJSON_Delete(s->prev);
	cJSON_Delete(s->state);
	PQclear(s->cols);
	free(s->made);
	free(s);
}
