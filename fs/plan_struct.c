/* plan_struct.c: statements for schemas, extensions and renames; see plan_struct.h. */
#include "plan_struct.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "render.h"
#include "stage.h"
#include "stage_json.h"
#include "stage_struct.h"
#include "strbuf.h"

static const struct cat_schema *schema_by_oid(const struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->nschemas; i++)
		if (cat->schemas[i].oid == oid)
			return &cat->schemas[i];
	return NULL;
}

const char *plan_struct_schema_qname(const struct stage *st, const struct cat_schema *s)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "schemas"))
		if ((unsigned)num_of(e, "oid", 0) == s->oid && s->oid && !bool_of(e, "drop") && str_of(e, "qname"))
			return str_of(e, "qname");
	return s->qname;
}

const char *plan_struct_schema_name(const struct stage *st, const struct cat_schema *s)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "schemas"))
		if ((unsigned)num_of(e, "oid", 0) == s->oid && s->oid && !bool_of(e, "drop") && str_of(e, "name"))
			return str_of(e, "name");
	return s->name;
}

/* "tables a, b; views v" : what DROP SCHEMA takes with it. */
static void holdings(struct strbuf *sb, const struct cat_schema *s)
{
	const struct { const char *what; size_t n; } kinds[] = {
		{ "tables", s->ntables }, { "foreign tables", s->nforeign_tables },
		{ "views", s->nviews }, { "materialized views", s->nmatviews },
		{ "sequences", s->nsequences }, { "functions", s->nfunctions },
		{ "types", s->ntypes },
	};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		if (!kinds[k].n)
			continue;
		sb_addf(sb, "%s%s ", sb->len ? "; " : "", kinds[k].what);
		for (size_t i = 0; i < kinds[k].n; i++) {
			const char *name = k == 0 ? s->tables[i]->name : k == 1 ? s->foreign_tables[i]->name :
					   k == 2 ? s->views[i]->name : k == 3 ? s->matviews[i]->name :
					   k == 4 ? s->sequences[i]->name : k == 5 ? s->functions[i]->name :
					   s->types[i]->name;
			sb_addf(sb, "%s%s", i ? ", " : "", name);
		}
	}
	size_t other = s->ncollations + s->noperators + s->nts + s->nopclasses + s->nopfamilies + s->nconversions;
	if (other)
		sb_addf(sb, "%s%zu other objects", sb->len ? "; " : "", other);
}

/* DROPS: the drops only, else the rest (a new schema comes before the
 * extensions created in it, a dropped one after those dropped). */
static void comment_value(struct strbuf *sql, const char *comment);

static void plan_schemas(const struct catalog *live, const struct stage *st, bool drops, plan_struct_add_fn add,
			 void *ctx)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT, held = STRBUF_INIT;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "schemas")) {
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		const struct cat_schema *s = oid ? schema_by_oid(live, oid) : NULL;
		const char *name = str_of(e, "name"), *qname = str_of(e, "qname");
		sb_reset(&tag);
		if (drops != bool_of(e, "drop"))
			continue;
		if (!oid) {
			if (!qname)
				continue;
			sb_addf(&sql, "CREATE SCHEMA %s;", qname);
			sb_addf(&tag, "create_schema_%s", name);
			add(ctx, SP_CREATE, &sql, sb_str(&tag), name, NULL);
		} else if (s && bool_of(e, "drop")) {
			sb_addf(&sql, "DROP SCHEMA %s;", s->qname);
			sb_addf(&tag, "drop_schema_%s", s->name);
			sb_reset(&held);
			holdings(&held, s);
			if (held.len)
				sb_addf(&hz, "DROP SCHEMA %s drops what it holds: %s", s->name, sb_str(&held));
			add(ctx, SP_DROP, &sql, sb_str(&tag), s->name, &hz);
		} else if (s && qname && strcmp(s->name, name)) {
			sb_addf(&sql, "ALTER SCHEMA %s RENAME TO %s;", s->qname, qname);
			sb_addf(&tag, "rename_schema_%s", name);
			sb_addf(&hz, "RENAME SCHEMA %s to %s: running code that uses the old name breaks", s->name, name);
			add(ctx, SP_RENAME, &sql, sb_str(&tag), name, &hz);
		}
		const char *cm = str_of(e, "comment");
		if (!drops && cm && (qname || s) && (!s || !same(*cm ? cm : NULL, s->comment))) {
			sb_addf(&sql, "COMMENT ON SCHEMA %s IS ", qname ? qname : s->qname);
			comment_value(&sql, cm);
			sb_reset(&tag);
			sb_addf(&tag, "comment_schema_%s", name ? name : s->name);
			add(ctx, SP_CREATE, &sql, sb_str(&tag), name ? name : s->name, NULL);
		}
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
	strbuf_free(&held);
}

static const struct cat_extension *live_ext(const struct catalog *cat, const char *name)
{
	for (size_t i = 0; name && i < cat->nexts; i++)
		if (!strcmp(cat->exts[i].name, name))
			return &cat->exts[i];
	return NULL;
}

/* 'text'; (NULL for "": none). */
static void comment_value(struct strbuf *sql, const char *comment)
{
	if (*comment)
		render_literal(sql, comment);
	else
		sb_add(sql, "NULL");
	sb_addc(sql, ';');
}

static void plan_extensions(const struct catalog *live, const struct stage *st, plan_struct_add_fn add,
			    void *ctx)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "extensions")) {
		const char *name = str_of(e, "name"), *schema = str_of(e, "schema"), *version = str_of(e, "version");
		const struct cat_extension *x = live_ext(live, name);
		sb_reset(&tag);
		if (bool_of(e, "drop")) {
			if (!x)
				continue;
			sb_addf(&sql, "DROP EXTENSION %s;", x->qname);
			sb_addf(&tag, "drop_extension_%s", name);
			sb_addf(&hz, "DROP EXTENSION %s drops the functions, types and operators it made", name);
			add(ctx, SP_DROP, &sql, sb_str(&tag), name, &hz);
			continue;
		}
		if (!x) {
			if (!schema || !str_of(e, "qname"))
				continue;
			sb_addf(&sql, "CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s", str_of(e, "qname"), schema);
			if (version) {
				sb_add(&sql, " VERSION ");
				render_literal(&sql, version);
			}
			sb_addc(&sql, ';');
			sb_addf(&tag, "create_extension_%s", name);
			add(ctx, SP_CREATE, &sql, sb_str(&tag), name, NULL);
		}
		if (x && version && !same(version, x->version)) {
			sb_addf(&sql, "ALTER EXTENSION %s UPDATE TO ", x->qname);
			render_literal(&sql, version);
			sb_addc(&sql, ';');
			sb_addf(&tag, "update_extension_%s", name);
			add(ctx, SP_CREATE, &sql, sb_str(&tag), name, NULL);
		}
		if (x && schema && !same(schema, x->qschema)) {
			sb_addf(&sql, "ALTER EXTENSION %s SET SCHEMA %s;", x->qname, schema);
			sb_reset(&tag);
			sb_addf(&tag, "extension_%s_set_schema", name);
			sb_addf(&hz, "ALTER EXTENSION %s SET SCHEMA %s: code that names its objects with the old "
				"schema breaks", name, schema);
			add(ctx, SP_CREATE, &sql, sb_str(&tag), name, &hz);
		}
		const char *cm = str_of(e, "comment");
		if (cm && (!x || !same(*cm ? cm : NULL, x->comment))) {
			sb_addf(&sql, "COMMENT ON EXTENSION %s IS ", x ? x->qname : str_of(e, "qname"));
			comment_value(&sql, cm);
			sb_reset(&tag);
			sb_addf(&tag, "comment_extension_%s", name);
			add(ctx, SP_CREATE, &sql, sb_str(&tag), name, NULL);
		}
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

static const struct stage_attr *attr_named(const struct stage_attr *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static void attr_def(struct strbuf *out, const struct stage_attr *a)
{
	sb_add(out, a->type);
	if (a->collation)
		sb_addf(out, " COLLATE %s", a->collation);
}

size_t plan_attrs_alter(struct strbuf *out, const char *qual, const struct stage_attr *have, size_t nh,
			const struct stage_attr *want, size_t nw)
{
	size_t n = 0;
	struct strbuf acts = STRBUF_INIT;
	for (size_t i = 0; i < nh; i++) {
		const struct stage_attr *w = attr_named(want, nw, have[i].name);
		if (!w) {
			sb_addf(&acts, "%s\n    DROP ATTRIBUTE %s", n++ ? "," : "", have[i].qname);
		} else if (!same(w->type, have[i].type) || !same(w->collation, have[i].collation)) {
			sb_addf(&acts, "%s\n    ALTER ATTRIBUTE %s TYPE ", n++ ? "," : "", w->qname);
			attr_def(&acts, w);
		}
	}
	for (size_t i = 0; i < nw; i++) {
		if (attr_named(have, nh, want[i].name))
			continue;
		sb_addf(&acts, "%s\n    ADD ATTRIBUTE %s ", n++ ? "," : "", want[i].qname);
		attr_def(&acts, &want[i]);
	}
	if (n)
		sb_addf(out, "ALTER TYPE %s%s", qual, sb_str(&acts));
	strbuf_free(&acts);
	return n;
}

static void plan_composite(const struct stage *st, const struct cat_type *t, const cJSON *e,
			   plan_struct_add_fn add, void *ctx)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(e, "attrs");
	size_t nh = t->composite ? t->composite->ncols : 0, nw = (size_t)cJSON_GetArraySize(attrs);
	struct stage_attr *have = calloc(nh + 1, sizeof *have), *want = calloc(nw + 1, sizeof *want);
	if (!have || !want)
		abort();
	for (size_t i = 0; i < nh; i++) {
		const struct cat_column *c = &t->composite->cols[i];
		have[i] = (struct stage_attr){ c->name, c->qname, c->type, c->collation };
	}
	for (size_t i = 0; i < nw; i++) {
		const cJSON *o = cJSON_GetArrayItem(attrs, (int)i);
		want[i] = (struct stage_attr){ str_of(o, "name"), str_of(o, "qname"), str_of(o, "type"),
					       str_of(o, "collation") };
	}
	struct strbuf sql = STRBUF_INIT, qual = STRBUF_INIT, tag = STRBUF_INIT;
	sb_add_qual(&qual, plan_struct_schema_qname(st, t->schema), t->qname);
	if (plan_attrs_alter(&sql, sb_str(&qual), have, nh, want, nw)) {
		sb_addc(&sql, ';');
		sb_addf(&tag, "alter_type_%s", t->name);
		add(ctx, SP_CREATE, &sql, sb_str(&tag), t->name, NULL);
	}
	strbuf_free(&sql);
	strbuf_free(&qual);
	strbuf_free(&tag);
	free(have);
	free(want);
}

static const cJSON *con_named(const cJSON *list, const char *name)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, list)
		if (same(str_of(o, "name"), name))
			return o;
	return NULL;
}

/* ALTER DOMAIN: constraints dropped first (a changed one is dropped and
 * added), then the default and NOT NULL, then new CHECKs NOT VALID, then
 * validated. */
static void plan_domain(const struct stage *st, const struct cat_type *t, const cJSON *e,
			plan_struct_add_fn add, void *ctx)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT, name = STRBUF_INIT;
	sb_add_qual(&name, plan_struct_schema_qname(st, t->schema), t->qname);
	sb_addf(&tag, "alter_domain_%s", t->name);
	const cJSON *cons = cJSON_GetObjectItemCaseSensitive(e, "cons");
	const cJSON *was = cJSON_GetObjectItemCaseSensitive(e, "live_cons"), *o;
	cJSON_ArrayForEach(o, was) {
		const cJSON *now = con_named(cons, str_of(o, "name"));
		if (now && same(str_of(now, "def"), str_of(o, "def")))
			continue;
		sb_addf(&sql, "ALTER DOMAIN %s DROP CONSTRAINT %s;", sb_str(&name), str_of(o, "qname"));
		add(ctx, SP_CREATE, &sql, sb_str(&tag), t->name, NULL);
	}
	const char *def = str_of(e, "default");
	if (!same(def, t->defexpr)) {
		if (def)
			sb_addf(&sql, "ALTER DOMAIN %s SET DEFAULT %s;", sb_str(&name), def);
		else
			sb_addf(&sql, "ALTER DOMAIN %s DROP DEFAULT;", sb_str(&name));
		add(ctx, SP_CREATE, &sql, sb_str(&tag), t->name, NULL);
	}
	if (bool_of(e, "notnull") != t->notnull) {
		sb_addf(&sql, "ALTER DOMAIN %s %s NOT NULL;", sb_str(&name), t->notnull ? "DROP" : "SET");
		if (!t->notnull)
			sb_addf(&hz, "ALTER DOMAIN %s SET NOT NULL checks every column of the domain under lock",
				t->name);
		add(ctx, SP_CREATE, &sql, sb_str(&tag), t->name, &hz);
	}
	for (int pass = 0; pass < 2; pass++) {
		cJSON_ArrayForEach(o, cons) {
			const cJSON *old = con_named(was, str_of(o, "name"));
			const char *cdef = str_of(o, "def");
			if (old && same(str_of(old, "def"), cdef))
				continue;
			bool check = cdef && !strncmp(cdef, "CHECK", 5);
			if (pass == 0)
				sb_addf(&sql, "ALTER DOMAIN %s ADD CONSTRAINT %s %s%s;", sb_str(&name), str_of(o, "qname"),
					cdef, check ? " NOT VALID" : "");
			else if (check)
				sb_addf(&sql, "ALTER DOMAIN %s VALIDATE CONSTRAINT %s;", sb_str(&name), str_of(o, "qname"));
			else
				continue;
			add(ctx, SP_CREATE, &sql, sb_str(&tag), t->name, NULL);
		}
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
	strbuf_free(&name);
}

static void plan_types(const struct catalog *live, const struct catalog *desired, const struct stage *st,
		       plan_struct_add_fn add, void *ctx)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "types")) {
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		sb_reset(&tag);
		if (oid) {
			const struct cat_type *t = catalog_type(live, oid);
			if (t && !bool_of(e, "drop") && t->kind == 'd' && has(e, "notnull"))
				plan_domain(st, t, e, add, ctx);
			if (t && !bool_of(e, "drop") && t->kind == 'c' && has(e, "attrs"))
				plan_composite(st, t, e, add, ctx);
			const char *cm = str_of(e, "comment");
			if (t && !bool_of(e, "drop") && cm && !same(*cm ? cm : NULL, t->comment)) {
				sb_addf(&sql, "COMMENT ON %s %s.%s IS ", t->kind == 'd' ? "DOMAIN" : "TYPE",
					plan_struct_schema_qname(st, t->schema), t->qname);
				comment_value(&sql, cm);
				sb_addf(&tag, "comment_type_%s", t->name);
				add(ctx, SP_CREATE, &sql, sb_str(&tag), t->name, NULL);
			}
			if (!t || !bool_of(e, "drop"))
				continue;
			sb_addf(&sql, "DROP %s %s.%s;", t->kind == 'd' ? "DOMAIN" : "TYPE",
				plan_struct_schema_qname(st, t->schema), t->qname);
			sb_addf(&tag, "drop_type_%s", t->name);
			add(ctx, SP_DROP, &sql, sb_str(&tag), t->name, NULL);
			continue;
		}
		/* Schema renames run first: the desired name. */
		const struct cat_schema *ds = catalog_schema(desired, str_of(e, "schema"));
		const char *sq = ds ? ds->qname : NULL;
		const char *kind = str_of(e, "kind");
		if (ds && kind && *kind && *kind != 'e') {	/* as the desired tree shows it */
			for (size_t i = 0; i < ds->ntypes; i++) {
				if (ds->types[i]->oid || strcmp(ds->types[i]->name, str_of(e, "name")))
					continue;
				render_type(&sql, ds->types[i]);
				while (sql.len && sql.buf[sql.len - 1] == '\n')
					sql.buf[--sql.len] = '\0';
			}
			sb_addf(&tag, "create_type_%s", str_of(e, "name"));
			if (sql.len)
				add(ctx, SP_CREATE, &sql, sb_str(&tag), str_of(e, "name"), NULL);
			continue;
		}
		if (!sq)
			continue;
		sb_addf(&sql, "CREATE TYPE %s.%s AS ENUM (", sq, str_of(e, "qname"));
		const cJSON *l;
		int i = 0;
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(e, "labels")) {
			sb_add(&sql, i++ ? ", " : "");
			render_literal(&sql, cJSON_GetStringValue(l));
		}
		sb_add(&sql, ");");
		sb_addf(&tag, "create_type_%s", str_of(e, "name"));
		add(ctx, SP_CREATE, &sql, sb_str(&tag), str_of(e, "name"), NULL);
		const char *cm = str_of(e, "comment");
		if (cm && *cm) {	/* the others' comment is in their rendered CREATE */
			sb_addf(&sql, "COMMENT ON TYPE %s.%s IS ", sq, str_of(e, "qname"));
			comment_value(&sql, cm);
			sb_reset(&tag);
			sb_addf(&tag, "comment_type_%s", str_of(e, "name"));
			add(ctx, SP_CREATE, &sql, sb_str(&tag), str_of(e, "name"), NULL);
		}
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
}

static const struct cat_relation *desired_table(const struct catalog *cat, unsigned oid)
{
	for (size_t i = 0; i < cat->nschemas; i++)
		for (size_t j = 0; j < cat->schemas[i].ntables; j++)
			if (cat->schemas[i].tables[j]->oid == oid)
				return cat->schemas[i].tables[j];
	return NULL;
}

static void plan_renames(const struct catalog *live, const struct catalog *desired, const struct stage *st,
			 plan_struct_add_fn add, void *ctx)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "renames")) {
		unsigned oid = (unsigned)num_of(e, "table", 0);
		const struct cat_relation *r = catalog_rel(live, oid), *want = desired_table(desired, oid);
		const char *kind = str_of(e, "kind"), *from = str_of(e, "from"), *qto = str_of(e, "qto");
		if (!r || !want || !kind || !from || !qto)
			continue;
		sb_reset(&tag);
		sb_addf(&tag, "%s_rename_%s", want->name, str_of(e, "to"));
		if (!strcmp(kind, "indexes")) {
			for (size_t i = 0; i < r->nindexes; i++)
				if (!strcmp(r->indexes[i].name, from))
					sb_addf(&sql, "ALTER INDEX %s.%s RENAME TO %s;",
						plan_struct_schema_qname(st, r->schema), r->indexes[i].qname, qto);
		} else {
			for (size_t i = 0; i < r->ncons; i++)
				if (!strcmp(r->cons[i].name, from))
					sb_addf(&sql, "ALTER TABLE %s.%s RENAME CONSTRAINT %s TO %s;", want->schema->qname,
						want->qname, r->cons[i].qname, qto);
		}
		if (sql.len)
			add(ctx, SP_RENAME_OBJ, &sql, sb_str(&tag), want->name, NULL);
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
}

void plan_struct(const struct catalog *live, const struct catalog *desired, const struct stage *st,
		 plan_struct_add_fn add, void *ctx)
{
	plan_schemas(live, st, false, add, ctx);
	plan_extensions(live, st, add, ctx);
	plan_types(live, desired, st, add, ctx);
	plan_schemas(live, st, true, add, ctx);
	plan_renames(live, desired, st, add, ctx);
}
