/*
 * plan_table.c: a staged table's entry -> its statements: renames,
 * columns (added, dropped, altered, with their hazards), indexes,
 * constraints, storage options and partitions' comments. Called by
 * plan_build() (plan.c) for each table entry of the stage. Also
 * plan_type_via_text() (plan.h), the rule for a column type change that
 * goes through text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "deps_stage.h"
#include "plan.h"
#include "plan_int.h"
#include "plan_struct.h"
#include "render.h"
#include "stage.h"
#include "stage_json.h"
#include "strbuf.h"
#include "tableopt.h"

static void rows_text(struct strbuf *sb, double rows)
{
	if (rows >= 0)
		sb_addf(sb, "~%.0f rows", rows);
	else
		sb_add(sb, "row count unknown");
}

/* The names a table has before and after the renames. */
struct names {
	struct strbuf old, cur;	/* qualified */
	const char *name;	/* raw, desired: for tags */
	double rows;
	bool is_new;
	const char *schema_qname;	/* live tables: their schema's, once renamed */
};

/* A column added in the same table with the type of dropped column LC may
 * be a rename that was written as a drop and an add (a declarative file
 * cannot tell them apart): the hazard says how to keep the data. */
static void added_like(struct strbuf *hz, const cJSON *e, const struct cat_relation *live,
		       const struct cat_relation *want, const struct cat_column *lc)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns")) {
		const struct cat_column *wc = num_of(c, "attnum", 0) || bool_of(c, "drop") || !want ? NULL :
					      catalog_column(want, 0, str_of(c, "name"));
		/* Not a column of a live name: that one is re-made (a
		 * generated column's new expression), not renamed to. */
		if (wc && !wc->attnum && same(wc->type, lc->type) && !catalog_column(live, 0, wc->name)) {
			sb_addf(hz, "; if %s was renamed to %s, rename it with mv columns/%s columns/%s instead, "
				"which keeps the data", lc->name, wc->name, lc->name, wc->name);
			return;
		}
	}
}

/* Is TYPE (format_type's text under search_path public, maybe an array of
 * it) one of CAT's enums? */
static bool enum_type(const struct catalog *cat, const char *type)
{
	size_t len = strlen(type);
	while (len > 2 && !strncmp(type + len - 2, "[]", 2))
		len -= 2;
	for (size_t i = 0; cat && i < cat->nschemas; i++) {
		const struct cat_schema *s = &cat->schemas[i];
		size_t sl = strcmp(s->name, "public") ? strlen(s->qname) : 0;
		if (sl && (len <= sl || strncmp(type, s->qname, sl) || type[sl] != '.'))
			continue;
		const char *rest = type + (sl ? sl + 1 : 0);
		size_t rl = len - (size_t)(rest - type);
		for (size_t j = 0; j < s->ntypes; j++)
			if (s->types[j]->kind == 'e' && strlen(s->types[j]->qname) == rl &&
			    !strncmp(rest, s->types[j]->qname, rl))
				return true;
	}
	return false;
}

bool plan_type_via_text(const struct catalog *desired, const char *from, const char *to)
{
	return strcmp(from, to) && enum_type(desired, to);
}

static void plan_columns(struct planner *pl, const cJSON *e, const struct cat_relation *live,
			 const struct cat_relation *want, struct names *nm, const struct catalog *desired)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "columns")) {
		int attnum = (int)num_of(c, "attnum", 0);
		const char *name = str_of(c, "name"), *qname = str_of(c, "qname");
		const struct cat_column *lc = attnum ? catalog_column(live, attnum, NULL) : NULL;
		const struct cat_column *wc = catalog_column(want, 0, name);
		sb_reset(&tag);
		if (bool_of(c, "drop")) {
			if (!lc)
				continue;
			sb_addf(&sql, "ALTER TABLE %s DROP COLUMN %s;", sb_str(&nm->old), lc->qname);
			sb_addf(&tag, "%s_drop_%s", nm->name, lc->name);
			sb_addf(&hz, "DROP COLUMN %s.%s loses its data (", nm->name, lc->name);
			rows_text(&hz, nm->rows);
			sb_add(&hz, ")");
			added_like(&hz, e, live, want, lc);
			sb_reset(&tag);
			sb_addf(&tag, "column %s.%s", nm->name, lc->name);
			deps_plan_takes(&hz, c, sb_str(&tag));
			sb_reset(&tag);
			sb_addf(&tag, "%s_drop_%s", nm->name, lc->name);
			plan_add(pl, P_DROP_COLUMN, &sql, sb_str(&tag), &hz);
			continue;
		}
		if (!wc)
			continue;
		if (!lc) {
			sb_addf(&sql, "ALTER TABLE %s ADD COLUMN %s ", sb_str(&nm->cur), qname);
			render_column_def(&sql, wc);
			sb_addc(&sql, ';');
			sb_addf(&tag, "%s_add_%s", nm->name, name);
			if (wc->notnull && !wc->defexpr && !wc->identity && nm->rows != 0) {
				sb_addf(&hz, "ADD COLUMN %s NOT NULL without a default fails if %s has rows (",
					name, nm->name);
				rows_text(&hz, nm->rows);
				sb_add(&hz, "): add a DEFAULT, or add it nullable, backfill, then SET NOT NULL");
			}
			plan_add(pl, P_ADD_COLUMN, &sql, sb_str(&tag), &hz);
			continue;
		}
		if (strcmp(lc->name, wc->name)) {
			sb_addf(&sql, "ALTER TABLE %s RENAME COLUMN %s TO %s;", sb_str(&nm->cur), lc->qname, wc->qname);
			sb_addf(&tag, "%s_rename_%s", nm->name, wc->name);
			sb_addf(&hz, "RENAME COLUMN %s.%s to %s: running code that uses the old name breaks",
				nm->name, lc->name, wc->name);
			plan_add(pl, P_RENAME_COLUMN, &sql, sb_str(&tag), &hz);
		}
		sb_reset(&tag);
		sb_addf(&tag, "%s_alter_%s", nm->name, wc->name);
		const char *tbl = sb_str(&nm->cur);
		/* No assignment cast into an enum: through text, as users
		 * write it; the live default would not cast either, so it is
		 * dropped first and set again after. */
		bool via_text = plan_type_via_text(desired, lc->type, wc->type);
		bool default_changes = !same(lc->defexpr, wc->defexpr) && !wc->generated;
		if (via_text && lc->defexpr && !lc->generated) {
			sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", tbl, wc->qname);
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), NULL);
			default_changes = !wc->generated;
		}
		if (!same(lc->type, wc->type) || !same(lc->collation, wc->collation)) {
			sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s TYPE %s", tbl, wc->qname, wc->type);
			if (wc->collation)
				sb_addf(&sql, " COLLATE %s", wc->collation);
			if (via_text)
				sb_addf(&sql, " USING %s::text::%s", wc->qname, wc->type);
			sb_addc(&sql, ';');
			const cJSON *d = cJSON_GetObjectItem(c, "def");
			if (via_text || bool_of(d, "rewrite")) {
				sb_addf(&hz, "ALTER COLUMN %s.%s TYPE %s rewrites the table under an ACCESS EXCLUSIVE lock (",
					nm->name, wc->name, wc->type);
				rows_text(&hz, nm->rows);
				sb_add(&hz, ")");
			}
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), &hz);
		}
		/* In the order PostgreSQL accepts: an identity goes before its
		 * NOT NULL can be dropped; a default goes before an identity
		 * comes, and NOT NULL before it. */
		if (lc->identity && !wc->identity) {
			sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY;", tbl, wc->qname);
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), NULL);
		}
		if (default_changes && !wc->defexpr && !(via_text && lc->defexpr)) {
			sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", tbl, wc->qname);
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), NULL);
		}
		if (lc->notnull != wc->notnull) {
			sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL;", tbl, wc->qname,
				wc->notnull ? "SET" : "DROP");
			if (wc->notnull) {
				sb_addf(&hz, "SET NOT NULL on %s.%s scans the whole table under an ACCESS EXCLUSIVE lock (",
					nm->name, wc->name);
				rows_text(&hz, nm->rows);
				sb_add(&hz, ")");
			}
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), &hz);
		}
		if (wc->identity && wc->identity != lc->identity) {
			if (!lc->identity)
				sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY;", tbl,
					wc->qname, wc->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
			else
				sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s;", tbl, wc->qname,
					wc->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), NULL);
		}
		if (default_changes && wc->defexpr) {
			sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", tbl, wc->qname, wc->defexpr);
			plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), NULL);
		}
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

static const struct cat_index *live_index(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->nindexes; i++)
		if (!strcmp(r->indexes[i].name, name))
			return &r->indexes[i];
	return NULL;
}

static const struct cat_constraint *live_con(const struct cat_relation *r, const char *name)
{
	for (size_t i = 0; r && i < r->ncons; i++)
		if (!strcmp(r->cons[i].name, name))
			return &r->cons[i];
	return NULL;
}

static void plan_indexes(struct planner *pl, const cJSON *e, const struct cat_relation *live,
			 struct names *nm)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, "indexes")) {
		const char *name = str_of(o, "name"), *def = str_of(o, "def");
		const struct cat_index *li = live_index(live, name);
		sb_reset(&tag);
		sb_addf(&tag, "%s_index_%s", nm->name, name);
		if (li) {
			sb_addf(&sql, "DROP INDEX %s.%s;", nm->schema_qname, li->qname);
			plan_add(pl, P_DROP_INDEX, &sql, sb_str(&tag), NULL);
		}
		if (bool_of(o, "drop") || !def)
			continue;
		bool conc = bool_of(o, "concurrently");
		const char *kw = strstr(def, "INDEX ");
		if (conc && kw) {
			/* Our own canonical text: "CREATE [UNIQUE] INDEX name ON ..." */
			sb_addn(&sql, def, (size_t)(kw - def) + 6);
			sb_addf(&sql, "CONCURRENTLY %s;", kw + 6);
		} else {
			sb_addf(&sql, "%s;", def);
		}
		if (!conc && !nm->is_new && nm->rows != 0) {
			sb_addf(&hz, "CREATE INDEX %s blocks writes to %s while it builds (", name, nm->name);
			rows_text(&hz, nm->rows);
			sb_add(&hz, "): write the index file as CREATE INDEX CONCURRENTLY to build it in a migration of its own");
		}
		plan_add(pl, conc ? P_CONCURRENT : P_CREATE_INDEX, &sql, sb_str(&tag), &hz);
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

static void plan_constraints(struct planner *pl, const cJSON *e, const struct cat_relation *live,
			     struct names *nm)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, "constraints")) {
		const char *name = str_of(o, "name"), *def = str_of(o, "def"), *ty = str_of(o, "type");
		const struct cat_constraint *lk = live_con(live, name);
		sb_reset(&tag);
		sb_addf(&tag, "%s_constraint_%s", nm->name, name);
		if (lk) {
			sb_addf(&sql, "ALTER TABLE %s DROP CONSTRAINT %s;", sb_str(&nm->old), lk->qname);
			plan_add(pl, lk->type == 'f' ? P_DROP_FK : P_DROP_CON, &sql, sb_str(&tag), NULL);
		}
		if (bool_of(o, "drop") || !def)
			continue;
		char type = ty ? *ty : 'c';
		sb_addf(&sql, "ALTER TABLE %s ADD CONSTRAINT %s %s;", sb_str(&nm->cur), str_of(o, "qname"), def);
		bool not_valid = strstr(def, " NOT VALID") != NULL;
		if (!nm->is_new && (type == 'f' || type == 'c') && !not_valid) {
			sb_addf(&hz, "%s %s is checked against every row of %s under lock (",
				type == 'f' ? "FOREIGN KEY" : "CHECK", name, nm->name);
			rows_text(&hz, nm->rows);
			sb_add(&hz, "): add it NOT VALID, then VALIDATE CONSTRAINT in a later migration");
		} else if (!nm->is_new && (type == 'u' || type == 'p')) {
			sb_addf(&hz, "%s %s builds its index inline, blocking writes to %s (",
				type == 'u' ? "UNIQUE" : "PRIMARY KEY", name, nm->name);
			rows_text(&hz, nm->rows);
			sb_add(&hz, "): build a unique index CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX");
		}
		plan_add(pl, type == 'f' ? P_ADD_FK : P_ADD_CON, &sql, sb_str(&tag), &hz);
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

static const char *live_qname(const struct cat_relation *r, const char *kind, const char *name)
{
	for (size_t i = 0; r && !strcmp(kind, "triggers") && i < r->ntriggers; i++)
		if (!strcmp(r->triggers[i].name, name))
			return r->triggers[i].qname;
	for (size_t i = 0; r && !strcmp(kind, "policies") && i < r->npolicies; i++)
		if (!strcmp(r->policies[i].name, name))
			return r->policies[i].qname;
	return NULL;
}

static void plan_drops(struct planner *pl, const cJSON *e, const struct cat_relation *live,
		       struct names *nm)
{
	static const struct { const char *kind, *what; } kinds[] = {
		{ "triggers", "TRIGGER" }, { "policies", "POLICY" },
	};
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT;
	for (size_t k = 0; k < 2; k++) {
		const cJSON *o;
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(e, kinds[k].kind)) {
			if (!bool_of(o, "drop"))
				continue;
			sb_reset(&tag);
			sb_addf(&tag, "%s_drop_%s", nm->name, str_of(o, "name"));
			const char *q = live_qname(live, kinds[k].kind, str_of(o, "name"));
			if (!q)
				continue;
			sb_addf(&sql, "DROP %s %s ON %s;", kinds[k].what, q, sb_str(&nm->old));
			plan_add(pl, P_DROP_CON, &sql, sb_str(&tag), NULL);
		}
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
}

/* A new table of the same schema with the dropped table LIVE's column
 * types, in order: maybe a rename written as a drop and a create. */
static void created_like(struct strbuf *hz, const struct catalog *desired, const struct cat_relation *live)
{
	const struct cat_schema *s = catalog_schema(desired, live->schema->name);
	for (size_t i = 0; s && i < s->ntables; i++) {
		const struct cat_relation *t = s->tables[i];
		bool like = !t->oid && t->ncols == live->ncols && t->ncols;
		for (size_t k = 0; like && k < t->ncols; k++)
			like = same(t->cols[k].type, live->cols[k].type);
		if (like) {
			sb_addf(hz, "; if %s was renamed to %s, rename it with mv tables/%s tables/%s instead, "
				"which keeps the data", live->name, t->name, live->name, t->name);
			return;
		}
	}
}

/* The table options (tableopt.h) WANT has otherwise than LIVE (NULL: a
 * new table, made with none). */
static void plan_options(struct planner *pl, const struct cat_relation *live, const struct cat_relation *want,
			 struct names *nm)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	const struct cat_relation plain = { .kind = REL_TABLE, .persistence = 'p' };
	for (int o = 0; o < TO_N; o++) {
		bool on = tableopt_get(want, o);
		if (on == tableopt_get(live ? live : &plain, o))
			continue;
		const struct table_opt_kind *k = &TABLE_OPTS[o];
		sb_addf(&sql, "ALTER TABLE %s %s;", sb_str(&nm->cur), on ? k->on : k->off);
		sb_reset(&tag);
		sb_addf(&tag, "%s_%s%s", nm->name, on ? "" : "no_", k->key);
		const char *why = on ? k->hazard_on : k->hazard_off;
		if (why && live) {
			sb_addf(&hz, "ALTER TABLE %s %s %s (", nm->name, on ? k->on : k->off, why);
			rows_text(&hz, nm->rows);
			sb_add(&hz, ")");
		}
		plan_add(pl, P_ALTER_COLUMN, &sql, sb_str(&tag), &hz);
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

/* COMMENT ON COLUMN / INDEX / CONSTRAINT, by the names WANT gives them. */
static void plan_part_comments(struct planner *pl, const cJSON *e, const struct cat_relation *want,
			       struct names *nm)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "comments")) {
		const char *kind = str_of(c, "kind"), *name = str_of(c, "name"), *text = str_of(c, "comment");
		if (!kind || !name)
			continue;
		if (!strcmp(kind, "column")) {
			const struct cat_column *wc = catalog_column(want, 0, name);
			if (wc)
				sb_addf(&sql, "COMMENT ON COLUMN %s.%s IS ", sb_str(&nm->cur), wc->qname);
		} else if (!strcmp(kind, "index")) {
			for (size_t i = 0; i < want->nindexes && !sql.len; i++)
				if (!strcmp(want->indexes[i].name, name))
					sb_addf(&sql, "COMMENT ON INDEX %s.%s IS ", want->schema->qname,
						want->indexes[i].qname);
		} else {
			for (size_t i = 0; i < want->ncons && !sql.len; i++)
				if (!strcmp(want->cons[i].name, name))
					sb_addf(&sql, "COMMENT ON CONSTRAINT %s ON %s IS ", want->cons[i].qname,
						sb_str(&nm->cur));
		}
		if (!sql.len)
			continue;	/* dropped meanwhile */
		if (text && *text)
			render_literal(&sql, text);
		else
			sb_add(&sql, "NULL");
		sb_addc(&sql, ';');
		sb_reset(&tag);
		sb_addf(&tag, "%s_comment_%s", nm->name, name);
		plan_add(pl, P_COMMENT, &sql, sb_str(&tag), NULL);
	}
	strbuf_free(&sql);
	strbuf_free(&tag);
}

void plan_table(struct planner *pl, const cJSON *e, const struct catalog *desired)
{
	unsigned oid = (unsigned)num_of(e, "oid", 0);
	const struct cat_relation *live = oid ? catalog_rel(pl->live, oid) : NULL;
	const char *schema = live ? plan_struct_schema_name(pl->st, live->schema) : str_of(e, "schema");
	const char *want_name = has(e, "name") ? str_of(e, "name") : live ? live->name : NULL;
	const struct cat_relation *want = want_name && schema ? catalog_table(desired, schema, want_name) : NULL;
	if (oid && !live)
		return;
	struct names nm = { STRBUF_INIT, STRBUF_INIT, want_name, num_of(e, "rows", -1), !oid,
			    live ? plan_struct_schema_qname(pl->st, live->schema) : NULL };
	pl->subject = live ? live->name : want_name;
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	if (live)	/* a schema rename runs first */
		sb_add_qual(&nm.old, plan_struct_schema_qname(pl->st, live->schema), live->qname);
	if (bool_of(e, "drop")) {
		sb_addf(&sql, "DROP TABLE %s;", sb_str(&nm.old));
		sb_addf(&tag, "drop_%s", live->name);
		sb_addf(&hz, "DROP TABLE %s loses its data (", live->name);
		rows_text(&hz, nm.rows);
		sb_add(&hz, ")");
		created_like(&hz, desired, live);
		sb_reset(&tag);
		sb_addf(&tag, "table %s", live->name);
		deps_plan_takes(&hz, e, sb_str(&tag));
		sb_reset(&tag);
		sb_addf(&tag, "drop_%s", live->name);
		plan_add(pl, P_DROP_TABLE, &sql, sb_str(&tag), &hz);
		goto out;
	}
	if (!want || (!live && !want->ncols && !bool_of(e, "columnless")))
		goto out;	/* a new table without columns yet is a draft (mkdir's) */
	sb_add_qual(&nm.cur, want->schema->qname, want->qname);
	if (live && strcmp(live->name, want->name)) {
		sb_addf(&sql, "ALTER TABLE %s RENAME TO %s;", sb_str(&nm.old), want->qname);
		sb_addf(&tag, "rename_%s", want->name);
		sb_addf(&hz, "RENAME TABLE %s to %s: running code that uses the old name breaks",
			live->name, want->name);
		plan_add(pl, P_RENAME_TABLE, &sql, sb_str(&tag), &hz);
	}
	if (!live) {
		sb_addf(&sql, "CREATE TABLE %s (", sb_str(&nm.cur));
		for (size_t i = 0; i < want->ncols; i++) {
			sb_addf(&sql, "%s\n    %s ", i ? "," : "", want->cols[i].qname);
			render_column_def(&sql, &want->cols[i]);
		}
		sb_add(&sql, "\n);");
		sb_reset(&tag);
		sb_addf(&tag, "create_%s", want->name);
		plan_add(pl, P_CREATE_TABLE, &sql, sb_str(&tag), NULL);
	} else {
		plan_columns(pl, e, live, want, &nm, desired);
	}
	plan_options(pl, live, want, &nm);
	plan_drops(pl, e, live, &nm);
	plan_constraints(pl, e, live, &nm);
	plan_indexes(pl, e, live, &nm);
	if (has(e, "comment")) {
		const char *c = str_of(e, "comment");
		sb_addf(&sql, "COMMENT ON TABLE %s IS ", sb_str(&nm.cur));
		if (c && *c)
			render_literal(&sql, c);
		else
			sb_add(&sql, "NULL");
		sb_addc(&sql, ';');
		sb_reset(&tag);
		sb_addf(&tag, "%s_comment", want->name);
		plan_add(pl, P_COMMENT, &sql, sb_str(&tag), NULL);
	}
	plan_part_comments(pl, e, want, &nm);
out:
	strbuf_free(&nm.old);
	strbuf_free(&nm.cur);
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

/* The labels of T once the entry's renames ran (those of a label that is
 * not live are skipped: prune drops them). */
