/*
 * stage_shape.c: what a stage document may hold (include/stage.h), checked
 * when it is loaded. desired.c and plan.c read the document trusting its
 * shape (a new table has a name, an OID fits in 32 bits, a column to add
 * has a type), so a stage file damaged by hand or by a crash of something
 * else is refused here, naming the entry, rather than read in part or
 * crashing later. One table of fields per kind of entry; keys are exact
 * (cJSON_GetObjectItem would match "Columns" too), never given twice, and
 * numbers are what the code converts them to.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stage_json.h"

enum value {
	V_STR,		/* a string */
	V_NAME,		/* a non-empty string */
	V_BOOL,
	V_NUM,		/* a finite number */
	V_OID,		/* a whole number from 0 to 2^32 - 1 */
	V_ATTNUM,	/* a whole number from 0 to 32767 */
	V_VERSION,	/* 1 */
	V_IDENTITY,	/* "", "a" or "d" (pg_attribute.attidentity) */
	V_GENERATED,	/* "", "s" or "v" (pg_attribute.attgenerated) */
	V_CONTYPE,	/* one of pg_constraint.contype */
	V_LABELS,	/* an array of strings */
	V_OBJECT,	/* an object of shape SUB */
	V_ENTRIES,	/* an array of objects of shape SUB */
};

struct shape;

struct field {
	const char *key;
	enum value value;
	bool required;
	const struct shape *sub;
};

/* Rules across fields (an entry's identity, what a kind of entry needs);
 * NULL when the entry is sound, else why not. */
typedef const char *(*entry_rule)(const cJSON *entry);

struct shape {
	const char *what;	/* "table", "column", ... */
	const struct field *fields;
	size_t nfields;
	entry_rule rule;
	/* Two entries of an array of this shape are the same one. */
	bool (*same_entry)(const cJSON *a, const cJSON *b);
};

#define SHAPE(what, fields, rule, same) { what, fields, sizeof fields / sizeof *fields, rule, same }

/* ---- rules ---- */

static const char *column_rule(const cJSON *c)
{
	if (!has(c, "name"))
		return "has no \"name\"";
	if (!bool_of(c, "drop") && !has(c, "qname"))
		return "has no \"qname\"";
	return NULL;
}

static const char *object_rule(const cJSON *o)
{
	if (has(o, "def") && !has(o, "qname"))
		return "has a \"def\" but no \"qname\"";
	return NULL;
}

static const char *table_rule(const cJSON *e)
{
	if (has(e, "name") && !has(e, "qname"))
		return "has a \"name\" but no \"qname\"";
	if (num_of(e, "oid", 0) != 0)
		return NULL;
	if (!has(e, "schema") || !has(e, "name"))
		return "is a new table without a \"schema\" and a \"name\"";
	if (bool_of(e, "drop"))
		return "is a new table marked \"drop\" (a new table is dropped by removing its entry)";
	return NULL;
}

static bool same_column(const cJSON *a, const cJSON *b)
{
	double na = num_of(a, "attnum", 0), nb = num_of(b, "attnum", 0);
	return na != 0 ? na == nb : nb == 0 && same(str_of(a, "name"), str_of(b, "name"));
}

static bool same_named(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "name"), str_of(b, "name"));
}

static bool same_table(const cJSON *a, const cJSON *b)
{
	double oa = num_of(a, "oid", 0), ob = num_of(b, "oid", 0);
	return oa != 0 ? oa == ob :
	       ob == 0 && same(str_of(a, "schema"), str_of(b, "schema")) && same_named(a, b);
}

static bool same_oid(const cJSON *a, const cJSON *b)
{
	return num_of(a, "oid", 0) == num_of(b, "oid", 0);
}

/* Renames compose (a -> b, then b -> c is a -> c): one per live label. */
static bool same_rename(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "from"), str_of(b, "from"));
}

/* ---- the shapes ---- */

static const struct field DEF_FIELDS[] = {
	{ "type", V_NAME, true, NULL },
	{ "collation", V_STR, false, NULL },
	{ "default", V_STR, false, NULL },
	{ "notnull", V_BOOL, false, NULL },
	{ "notnull_name", V_NAME, false, NULL },
	{ "notnull_noinherit", V_BOOL, false, NULL },
	{ "identity", V_IDENTITY, false, NULL },
	{ "generated", V_GENERATED, false, NULL },
	{ "rewrite", V_BOOL, false, NULL },
};
static const struct shape DEF = SHAPE("column definition", DEF_FIELDS, NULL, NULL);

/* A dependent taken by a drop (deps.h): named in a hazard, gone from the
 * desired tree. */
static bool same_take(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "kind"), str_of(b, "kind")) && same(str_of(a, "rel"), str_of(b, "rel")) &&
	       same(str_of(a, "name"), str_of(b, "name"));
}

static const struct field TAKE_FIELDS[] = {
	{ "kind", V_NAME, true, NULL },
	{ "schema", V_NAME, true, NULL },
	{ "rel", V_NAME, true, NULL },
	{ "name", V_NAME, true, NULL },
	{ "shown", V_NAME, true, NULL },
};
static const struct shape TAKE = SHAPE("dependent taken", TAKE_FIELDS, NULL, same_take);

/* A dependent dropped before a column's type change and created again
 * after it (deps.h). */
static bool same_dependent(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "shown"), str_of(b, "shown"));
}

static const struct field DEPENDENT_FIELDS[] = {
	{ "shown", V_NAME, true, NULL },
	{ "drop", V_NAME, true, NULL },
	{ "create", V_NAME, true, NULL },
	{ "depth", V_NUM, true, NULL },
};
static const struct shape DEPENDENT = SHAPE("dependent", DEPENDENT_FIELDS, NULL, same_dependent);

static const struct field COLUMN_FIELDS[] = {
	{ "takes", V_ENTRIES, false, &TAKE },
	{ "dependents", V_ENTRIES, false, &DEPENDENT },
	{ "attnum", V_ATTNUM, true, NULL },
	{ "name", V_NAME, false, NULL },
	{ "qname", V_NAME, false, NULL },
	{ "drop", V_BOOL, false, NULL },
	{ "def", V_OBJECT, false, &DEF },
};
static const struct shape COLUMN = SHAPE("column", COLUMN_FIELDS, column_rule, same_column);

static const struct field OBJECT_FIELDS[] = {
	{ "name", V_NAME, true, NULL },
	{ "qname", V_NAME, false, NULL },
	{ "def", V_NAME, false, NULL },
	{ "type", V_CONTYPE, false, NULL },
	{ "concurrently", V_BOOL, false, NULL },
	{ "drop", V_BOOL, false, NULL },
};
static const struct shape OBJECT = SHAPE("object", OBJECT_FIELDS, object_rule, same_named);

/* A column's, index's or constraint's comment ("" for none). */
static const char *comment_rule(const cJSON *e)
{
	const char *k = str_of(e, "kind");
	return k && (!strcmp(k, "column") || !strcmp(k, "index") || !strcmp(k, "constraint")) ? NULL :
	       "has a \"kind\" other than column, index or constraint";
}

static bool same_comment(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "kind"), str_of(b, "kind")) && same(str_of(a, "name"), str_of(b, "name"));
}

static const struct field COMMENT_FIELDS[] = {
	{ "kind", V_STR, true, NULL },
	{ "name", V_NAME, true, NULL },
	{ "comment", V_STR, true, NULL },
};
static const struct shape COMMENT = SHAPE("comment", COMMENT_FIELDS, comment_rule, same_comment);

static const struct field TABLE_FIELDS[] = {
	{ "oid", V_OID, true, NULL },
	{ "schema", V_NAME, false, NULL },
	{ "name", V_NAME, false, NULL },
	{ "qname", V_NAME, false, NULL },
	{ "new", V_BOOL, false, NULL },
	{ "columnless", V_BOOL, false, NULL },
	{ "drop", V_BOOL, false, NULL },
	{ "rows", V_NUM, false, NULL },
	{ "comment", V_STR, false, NULL },
	{ "rls", V_BOOL, false, NULL },		/* tableopt.h's keys */
	{ "rls_force", V_BOOL, false, NULL },
	{ "unlogged", V_BOOL, false, NULL },
	{ "columns", V_ENTRIES, false, &COLUMN },
	{ "indexes", V_ENTRIES, false, &OBJECT },
	{ "constraints", V_ENTRIES, false, &OBJECT },
	{ "triggers", V_ENTRIES, false, &OBJECT },
	{ "policies", V_ENTRIES, false, &OBJECT },
	{ "takes", V_ENTRIES, false, &TAKE },
	{ "comments", V_ENTRIES, false, &COMMENT },
};
static const struct shape TABLE = SHAPE("table", TABLE_FIELDS, table_rule, same_table);

/* A staged RENAME VALUE: the live label and its new name. */
static const struct field RENAME_FIELDS[] = {
	{ "from", V_NAME, true, NULL },
	{ "to", V_NAME, true, NULL },
};
static const struct shape RENAME = SHAPE("label rename", RENAME_FIELDS, NULL, same_rename);

static const struct field ENUM_FIELDS[] = {
	{ "oid", V_OID, true, NULL },
	{ "labels", V_LABELS, true, NULL },
	{ "renames", V_ENTRIES, false, &RENAME },
};
static const struct shape ENUM = SHAPE("enum", ENUM_FIELDS, NULL, same_oid);

static const struct field FILE_FIELDS[] = {
	{ "name", V_NAME, true, NULL },
	{ "sql", V_STR, false, NULL },
};
static const struct shape FILE_ = SHAPE("file", FILE_FIELDS, NULL, same_named);

/* A definition as PostgreSQL deparses it once the staged renames are done
 * (deps.h): what the desired tree shows. */
static bool same_deparsed(const cJSON *a, const cJSON *b)
{
	return same_take(a, b) && same(str_of(a, "schema"), str_of(b, "schema"));
}

static const struct field DEPARSED_FIELDS[] = {
	{ "kind", V_NAME, true, NULL },
	{ "schema", V_NAME, true, NULL },
	{ "rel", V_NAME, true, NULL },
	{ "name", V_NAME, true, NULL },
	{ "def", V_STR, false, NULL },
	{ "qual", V_STR, false, NULL },
	{ "check", V_STR, false, NULL },
};
static const struct shape DEPARSED = SHAPE("deparsed definition", DEPARSED_FIELDS, NULL, same_deparsed);
static bool same_objfile(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "kind"), str_of(b, "kind")) && same(str_of(a, "schema"), str_of(b, "schema")) &&
	       same(str_of(a, "table"), str_of(b, "table")) && same_named(a, b);
}

static const char *objfile_rule(const cJSON *o)
{
	if (!bool_of(o, "drop") && !has(o, "file"))
		return "is not a drop and has no \"file\"";
	return NULL;
}

/* Another object file as PostgreSQL deparses it after a staged change. */
static bool same_shown(const cJSON *a, const cJSON *b)
{
	return same(str_of(a, "kind"), str_of(b, "kind")) && same(str_of(a, "schema"), str_of(b, "schema")) &&
	       same(str_of(a, "table"), str_of(b, "table")) && same_named(a, b);
}

static const struct field SHOWN_FIELDS[] = {
	{ "kind", V_NAME, true, NULL },
	{ "schema", V_NAME, true, NULL },
	{ "table", V_NAME, false, NULL },
	{ "name", V_NAME, true, NULL },
	{ "file", V_STR, true, NULL },
};
static const struct shape SHOWN = SHAPE("object shown", SHOWN_FIELDS, NULL, same_shown);

static const struct field OBJFILE_FIELDS[] = {
	{ "dependents", V_ENTRIES, false, &DEPENDENT },
	{ "shows", V_ENTRIES, false, &SHOWN },
	{ "shown", V_NAME, false, NULL },
	{ "from", V_NAME, false, NULL },
	{ "from_schema", V_NAME, false, NULL },
	{ "kind", V_NAME, true, NULL },
	{ "schema", V_NAME, true, NULL },
	{ "table", V_NAME, false, NULL },
	{ "name", V_NAME, true, NULL },
	{ "oid", V_OID, true, NULL },
	{ "file", V_STR, false, NULL },
	{ "sql", V_STR, true, NULL },
	{ "hazard", V_STR, false, NULL },
	{ "drop", V_BOOL, false, NULL },
};
static const struct shape OBJFILE = SHAPE("object file", OBJFILE_FIELDS, objfile_rule, same_objfile);

/* Sections of stage_struct.c: schemas, extensions, index and constraint renames. */
static bool same_schema(const cJSON *a, const cJSON *b)
{
	unsigned x = (unsigned)num_of(a, "oid", 0), y = (unsigned)num_of(b, "oid", 0);
	return x == y && (x || same(str_of(a, "name"), str_of(b, "name")));
}

static bool same_obj_rename(const cJSON *a, const cJSON *b)
{
	return num_of(a, "table", 0) == num_of(b, "table", 0) && same(str_of(a, "kind"), str_of(b, "kind")) &&
	       same(str_of(a, "from"), str_of(b, "from"));
}

static const struct field SCHEMA_FIELDS[] = {
	{ "oid", V_OID, true, NULL },
	{ "name", V_NAME, false, NULL },
	{ "qname", V_NAME, false, NULL },
	{ "new", V_BOOL, false, NULL },
	{ "drop", V_BOOL, false, NULL },
};
static const struct shape SCHEMA = SHAPE("schema", SCHEMA_FIELDS, NULL, same_schema);

static const struct field EXTENSION_FIELDS[] = {
	{ "name", V_NAME, true, NULL },
	{ "qname", V_NAME, false, NULL },
	{ "schema", V_NAME, false, NULL },
	{ "version", V_NAME, false, NULL },
	{ "new", V_BOOL, false, NULL },
	{ "drop", V_BOOL, false, NULL },
	{ "comment", V_STR, false, NULL },
};
static const struct shape EXTENSION = SHAPE("extension", EXTENSION_FIELDS, NULL, same_named);

static bool same_type(const cJSON *a, const cJSON *b)
{
	unsigned x = (unsigned)num_of(a, "oid", 0), y = (unsigned)num_of(b, "oid", 0);
	return x == y && (x || (same(str_of(a, "schema"), str_of(b, "schema")) &&
				same(str_of(a, "name"), str_of(b, "name"))));
}

static const char *type_rule(const cJSON *e)
{
	const char *kind = str_of(e, "kind");
	if (num_of(e, "oid", 0) == 0 && (!str_of(e, "schema") || !str_of(e, "name") || !str_of(e, "qname") ||
					 (!has(e, "labels") && !(kind && strchr("dcr", *kind) && *kind))))
		return "to create has no schema, name, qname, labels or kind";
	return NULL;
}

static const struct field DOMAIN_CON_FIELDS[] = {
	{ "name", V_NAME, true, NULL },
	{ "qname", V_NAME, true, NULL },
	{ "def", V_NAME, true, NULL },
};
static const struct shape DOMAIN_CON = SHAPE("domain constraint", DOMAIN_CON_FIELDS, NULL, same_named);

static const struct field ATTR_FIELDS[] = {
	{ "name", V_NAME, true, NULL },
	{ "qname", V_NAME, true, NULL },
	{ "type", V_NAME, true, NULL },
	{ "collation", V_NAME, false, NULL },
};
static const struct shape ATTR = SHAPE("attribute", ATTR_FIELDS, NULL, same_named);

static const struct field TYPE_FIELDS[] = {
	{ "oid", V_OID, true, NULL },
	{ "schema", V_NAME, false, NULL },
	{ "name", V_NAME, false, NULL },
	{ "qname", V_NAME, false, NULL },
	{ "kind", V_NAME, false, NULL },
	{ "labels", V_LABELS, false, NULL },
	{ "drop", V_BOOL, false, NULL },
	{ "default", V_STR, false, NULL },
	{ "notnull", V_BOOL, false, NULL },
	{ "checks", V_STR, false, NULL },
	{ "cons", V_ENTRIES, false, &DOMAIN_CON },
	{ "live_cons", V_ENTRIES, false, &DOMAIN_CON },
	{ "attrs", V_ENTRIES, false, &ATTR },
	{ "base", V_NAME, false, NULL },
	{ "collation", V_NAME, false, NULL },
	{ "range", V_STR, false, NULL },
	{ "comment", V_STR, false, NULL },
};
static const struct shape TYPE = SHAPE("type", TYPE_FIELDS, type_rule, same_type);

static const struct field OBJ_RENAME_FIELDS[] = {
	{ "table", V_OID, true, NULL },
	{ "kind", V_NAME, true, NULL },
	{ "from", V_NAME, true, NULL },
	{ "to", V_NAME, true, NULL },
	{ "qto", V_NAME, false, NULL },
	{ "def", V_NAME, false, NULL },
};
static const struct shape OBJ_RENAME = SHAPE("rename", OBJ_RENAME_FIELDS, NULL, same_obj_rename);

static const struct field DOC_FIELDS[] = {
	{ "deparsed", V_ENTRIES, false, &DEPARSED },
	{ "version", V_VERSION, true, NULL },
	{ "database", V_STR, false, NULL },
	{ "tables", V_ENTRIES, false, &TABLE },
	{ "enums", V_ENTRIES, false, &ENUM },
	{ "files", V_ENTRIES, false, &FILE_ },
	{ "objects", V_ENTRIES, false, &OBJFILE },
	{ "schemas", V_ENTRIES, false, &SCHEMA },
	{ "extensions", V_ENTRIES, false, &EXTENSION },
	{ "types", V_ENTRIES, false, &TYPE },
	{ "renames", V_ENTRIES, false, &OBJ_RENAME },
};
static const struct shape DOC = SHAPE("stage", DOC_FIELDS, NULL, NULL);

/* ---- checking ---- */

static bool whole(const cJSON *v, double max)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0 &&
	       v->valuedouble <= max && v->valuedouble == floor(v->valuedouble);
}

static bool one_of(const cJSON *v, const char *chars)
{
	const char *s = cJSON_GetStringValue(v);
	return s && (!*s || (!s[1] && strchr(chars, *s)));
}

static int check_object(const cJSON *obj, const struct shape *sh, const char *where,
			char *err, size_t errlen);

static int check_value(const cJSON *v, const struct field *f, const char *where,
		       char *err, size_t errlen)
{
	bool ok = false;
	const char *want = "";
	switch (f->value) {
	case V_STR:
		ok = cJSON_IsString(v), want = "a string";
		break;
	case V_NAME:
		ok = cJSON_IsString(v) && *v->valuestring, want = "a non-empty string";
		break;
	case V_BOOL:
		ok = cJSON_IsBool(v), want = "true or false";
		break;
	case V_NUM:
		ok = cJSON_IsNumber(v) && isfinite(v->valuedouble), want = "a number";
		break;
	case V_OID:
		ok = whole(v, 4294967295.0), want = "an OID (a whole number from 0 to 4294967295)";
		break;
	case V_ATTNUM:
		ok = whole(v, 32767), want = "a column number (a whole number from 0 to 32767)";
		break;
	case V_VERSION:
		ok = cJSON_IsNumber(v) && v->valuedouble == 1, want = "1";
		break;
	case V_IDENTITY:
		ok = one_of(v, "ad"), want = "\"\", \"a\" or \"d\"";
		break;
	case V_GENERATED:
		ok = one_of(v, "sv"), want = "\"\", \"s\" or \"v\"";
		break;
	case V_CONTYPE:
		ok = one_of(v, "cfnptux") && *v->valuestring, want = "a constraint type (c, f, n, p, t, u or x)";
		break;
	case V_LABELS: {
		const cJSON *s;
		ok = cJSON_IsArray(v), want = "an array of strings";
		cJSON_ArrayForEach(s, v)
			ok = ok && cJSON_IsString(s);
		break;
	}
	case V_OBJECT:
		if (!cJSON_IsObject(v))
			break;
		return check_object(v, f->sub, where, err, errlen);
	case V_ENTRIES: {
		if (!cJSON_IsArray(v)) {
			want = "an array";
			break;
		}
		int i = 0;
		const cJSON *e, *o;
		char at[512];
		cJSON_ArrayForEach(e, v) {
			/* Paths are short (stage.tables[3].columns[2]); a cut one still names the entry. */
			if (snprintf(at, sizeof at, "%s[%d]", where, i) >= (int)sizeof at)
				at[sizeof at - 2] = '~';
			if (!cJSON_IsObject(e)) {
				snprintf(err, errlen, "%s: a %s must be an object", at, f->sub->what);
				return -1;
			}
			if (check_object(e, f->sub, at, err, errlen))
				return -1;
			int j = 0;
			for (o = v->child; o != e; o = o->next, j++) {
				if (f->sub->same_entry(o, e)) {
					snprintf(err, errlen, "%s: the same %s as %s[%d]", at, f->sub->what, where, j);
					return -1;
				}
			}
			i++;
		}
		return 0;
	}
	}
	if (ok)
		return 0;
	if (f->value == V_OBJECT)
		want = "an object";
	snprintf(err, errlen, "%s: \"%s\" must be %s", where, f->key, want);
	return -1;
}

static int check_object(const cJSON *obj, const struct shape *sh, const char *where,
			char *err, size_t errlen)
{
	const cJSON *v, *w;
	char at[512];
	cJSON_ArrayForEach(v, obj) {
		const struct field *f = NULL;
		for (size_t i = 0; i < sh->nfields && !f; i++)
			if (!strcmp(sh->fields[i].key, v->string))
				f = &sh->fields[i];
		if (!f) {
			snprintf(err, errlen, "%s: unknown key \"%s\" in a %s", where, v->string, sh->what);
			return -1;
		}
		for (w = obj->child; w != v; w = w->next) {
			if (!strcmp(w->string, v->string)) {
				snprintf(err, errlen, "%s: \"%s\" given twice", where, v->string);
				return -1;
			}
		}
		if (snprintf(at, sizeof at, "%s.%s", where, v->string) >= (int)sizeof at)
			at[sizeof at - 2] = '~';
		if (check_value(v, f, f->value == V_OBJECT || f->value == V_ENTRIES ? at : where,
				err, errlen))
			return -1;
	}
	for (size_t i = 0; i < sh->nfields; i++) {
		if (sh->fields[i].required && !has(obj, sh->fields[i].key)) {
			snprintf(err, errlen, "%s: a %s without \"%s\"", where, sh->what, sh->fields[i].key);
			return -1;
		}
	}
	const char *why = sh->rule ? sh->rule(obj) : NULL;
	if (why) {
		snprintf(err, errlen, "%s: the %s %s", where, sh->what, why);
		return -1;
	}
	return 0;
}

int stage_check(const cJSON *doc, char *err, size_t errlen)
{
	if (!cJSON_IsObject(doc)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	return check_object(doc, &DOC, "stage", err, errlen);
}
