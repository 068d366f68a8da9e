/* stage_prune.c: stage_prune() (include/stage.h), which drops the edits
 * the live catalog already shows: applied here, or made by someone else. */
#include "stage.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "catalog.h"
#include "deps_stage.h"
#include "stage_json.h"
#include "stage_struct.h"
#include "tableopt.h"

static const char *const OBJECT_KINDS[] = { "indexes", "constraints", "triggers", "policies" };

/* Does the staged definition D (a column entry's "def") say what live
 * column C is? */
static bool def_equal(const cJSON *d, const struct cat_column *c)
{
	const char *id = str_of(d, "identity"), *gen = str_of(d, "generated");
	return same(str_of(d, "type"), c->type) && same(str_of(d, "collation"), c->collation) &&
	       same(str_of(d, "default"), c->defexpr) && bool_of(d, "notnull") == c->notnull &&
	       (id ? *id : 0) == c->identity && (gen ? *gen : 0) == c->generated;
}

static bool live_object(const struct cat_relation *r, const char *kind, const char *name,
			const char **def)
{
	*def = NULL;
	if (!strcmp(kind, "indexes")) {
		for (size_t i = 0; i < r->nindexes; i++)
			if (!strcmp(r->indexes[i].name, name))
				return *def = r->indexes[i].def, true;
	} else if (!strcmp(kind, "constraints")) {
		for (size_t i = 0; i < r->ncons; i++)
			if (!strcmp(r->cons[i].name, name))
				return *def = r->cons[i].def, true;
	} else if (!strcmp(kind, "triggers")) {
		for (size_t i = 0; i < r->ntriggers; i++)
			if (!strcmp(r->triggers[i].name, name))
				return true;
	} else {
		for (size_t i = 0; i < r->npolicies; i++)
			if (!strcmp(r->policies[i].name, name))
				return true;
	}
	return false;
}

/* Is the live column ATTNUM already another column entry's? */
static bool claimed_attnum(const cJSON *cols, int attnum)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cols)
		if ((int)num_of(c, "attnum", 0) == attnum)
			return true;
	return false;
}

static bool claimed_oid(const cJSON *tables, unsigned oid)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, tables)
		if ((unsigned)num_of(e, "oid", 0) == oid)
			return true;
	return false;
}

/* Does live table R show comment entry C of table entry E, with no other
 * edit of that column, index or constraint left in E (one made again
 * loses its comment: the entry stays until then)? */
static bool part_comment_live(const struct cat_relation *r, const cJSON *e, const cJSON *c)
{
	const char *kind = str_of(c, "kind"), *name = str_of(c, "name"), *live = NULL;
	const char *arr = NULL;
	bool found = false;
	if (!kind || !name)
		return false;
	if (!strcmp(kind, "column")) {
		const struct cat_column *lc = catalog_column(r, 0, name);
		found = lc != NULL;
		live = lc ? lc->comment : NULL;
		arr = "columns";
	} else if (!strcmp(kind, "index")) {
		for (size_t i = 0; i < r->nindexes && !found; i++)
			if ((found = !strcmp(r->indexes[i].name, name)))
				live = r->indexes[i].comment;
		arr = "indexes";
	} else {
		for (size_t i = 0; i < r->ncons && !found; i++)
			if ((found = !strcmp(r->cons[i].name, name)))
				live = r->cons[i].comment;
		arr = "constraints";
	}
	if (!found || !same(live ? live : "", str_of(c, "comment")))
		return false;
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(e, arr))
		if (same(str_of(o, "name"), name))
			return false;
	return true;
}

/* Drops the parts of table entry E that LIVE already shows. Returns true
 * when nothing is left. */
static bool prune_table(cJSON *e, const struct cat_relation *r, int *n)
{
	cJSON *cols = array_of(e, "columns"), *c, *next;
	/* Live columns first, as for tables in stage_prune. */
	for (int pass = 0; pass < 2; pass++)
	for (c = cols->child; c; c = next) {
		next = c->next;
		int attnum = (int)num_of(c, "attnum", 0);
		if ((attnum == 0) != (pass == 1))
			continue;
		const struct cat_column *lc = catalog_column(r, attnum, str_of(c, "name"));
		if (!attnum && lc && claimed_attnum(cols, lc->attnum))
			continue;	/* that name's live column is another entry's (renamed, dropped) */
		if (!attnum && lc && !bool_of(c, "drop")) {
			/* A new column that now exists: applied, or added by
			 * someone else. It is that column from now on. */
			put(c, "attnum", cJSON_CreateNumber(lc->attnum));
			attnum = lc->attnum;
			(*n)++;
		}
		bool gone = attnum && !lc;
		bool done = lc && !bool_of(c, "drop") && same(str_of(c, "name"), lc->name) &&
			    (!has(c, "def") || def_equal(cJSON_GetObjectItem(c, "def"), lc));
		if (gone || done) {
			remove_item(cols, c);
			(*n)++;
		}
	}
	for (size_t k = 0; k < sizeof OBJECT_KINDS / sizeof *OBJECT_KINDS; k++) {
		cJSON *objs = array_of(e, OBJECT_KINDS[k]), *o;
		for (o = objs->child; o; o = next) {
			next = o->next;
			const char *def;
			bool exists = live_object(r, OBJECT_KINDS[k], str_of(o, "name"), &def);
			if (bool_of(o, "drop") ? !exists : exists && same(def, str_of(o, "def"))) {
				remove_item(objs, o);
				(*n)++;
			}
		}
	}
	if (has(e, "comment") && same(str_of(e, "comment"), r->comment ? r->comment : "")) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "comment");
		(*n)++;
	}
	cJSON *coms = array_of(e, "comments");
	for (c = coms->child; c; c = next) {
		next = c->next;
		if (part_comment_live(r, e, c)) {
			remove_item(coms, c);
			(*n)++;
		}
	}
	for (int o = 0; o < TO_N; o++) {
		if (has(e, TABLE_OPTS[o].key) && bool_of(e, TABLE_OPTS[o].key) == tableopt_get(r, o)) {
			cJSON_DeleteItemFromObjectCaseSensitive(e, TABLE_OPTS[o].key);
			(*n)++;
		}
	}
	if (has(e, "name") && same(str_of(e, "name"), r->name)) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "name");
		cJSON_DeleteItemFromObjectCaseSensitive(e, "qname");
		(*n)++;
	}
	if (bool_of(e, "drop"))
		return false;
	bool empty = !has(e, "name") && !has(e, "comment");
	for (int o = 0; o < TO_N; o++)
		empty = empty && !has(e, TABLE_OPTS[o].key);
	cJSON_ArrayForEach(c, e) {
		if (cJSON_IsArray(c) && cJSON_GetArraySize(c) > 0)
			empty = false;
	}
	return empty;
}

bool stage_prune(struct stage *st, const struct catalog *live)
{
	int n = 0;
	cJSON *tables = array_of(st->doc, "tables"), *e, *next;
	/* Live tables first: a new table takes over a live one of its name
	 * only when no entry of that one is left, which is known once they
	 * are pruned (else a second prune would still change the stage). */
	for (int pass = 0; pass < 2; pass++)
	for (e = tables->child; e; e = next) {
		next = e->next;
		unsigned oid = (unsigned)num_of(e, "oid", 0);
		if ((oid == 0) != (pass == 1))
			continue;
		const struct cat_relation *r = oid ? catalog_rel(live, oid) : NULL;
		if (!oid) {
			r = catalog_table(live, str_of(e, "schema"), str_of(e, "name"));
			/* Still to be created, or the name belongs to a live table
			 * another entry drops or renames. */
			if (!r || claimed_oid(tables, r->oid))
				continue;
			put(e, "oid", cJSON_CreateNumber(r->oid));
			cJSON_DeleteItemFromObjectCaseSensitive(e, "new");
			n++;
		}
		if (!r || (r->kind != REL_TABLE && r->kind != REL_PARTITIONED) || prune_table(e, r, &n)) {
			remove_item(tables, e);
			n++;
		}
	}
	n += deps_prune(st->doc, live);
	cJSON *enums = array_of(st->doc, "enums");
	for (e = enums->child; e; e = next) {
		next = e->next;
		const struct cat_type *t = catalog_type(live, (unsigned)num_of(e, "oid", 0));
		cJSON *labels = cJSON_GetObjectItem(e, "labels"), *renames = cJSON_GetObjectItem(e, "renames"), *r, *rn;
		/* A rename whose label is no longer live has been applied. */
		for (r = renames ? renames->child : NULL; t && r; r = rn) {
			rn = r->next;
			bool is_live = false;
			for (size_t i = 0; i < t->nlabels && !is_live; i++)
				is_live = same(str_of(r, "from"), t->labels[i]);
			if (!is_live) {
				remove_item(renames, r);
				n++;
			}
		}
		bool equal = t && (size_t)cJSON_GetArraySize(labels) == t->nlabels && !cJSON_GetArraySize(renames);
		for (size_t i = 0; equal && i < t->nlabels; i++)
			equal = same(cJSON_GetStringValue(cJSON_GetArrayItem(labels, (int)i)), t->labels[i]);
		if (!t || equal) {
			remove_item(enums, e);
			n++;
		}
	}
	n += stage_objects_prune(st, live);
	n += stage_struct_prune(st, live);
	return n > 0;
}

