/*
 * fuzz_plan: the planner (fs/plan.c, fs/desired.c) fed random lists of
 * edits, made with the stage API as the tree's handlers make them, against
 * the unit tests' catalog. Every stage so built loads again after a save
 * (stage_parse accepts all that schemafs writes), plans the same files
 * twice and after the reload, each one well formed, with no NULL printed;
 * pruning never grows it (plan_check.h).
 */
#include "plan_check.h"
#include "../../fs/stage_json.h"

struct reader {
	const uint8_t *p;
	size_t n;
};

static unsigned next(struct reader *r, unsigned choices)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++ % choices;
}

#define PICK(r, v) (v[next(r, sizeof v / sizeof *v)])

static const char *const NAMES[] = { "booking", "customer", "notes", "id", "status", "Full Name",
				     "customer_id", "x", "a/b", "é", "%41", "booking_pkey",
				     "booking_status_idx", "booking_customer_id_fkey", "upcoming" };
static const char *const SCHEMAS[] = { "public", "other" };
static const unsigned OIDS[] = { 0, 0, 10, 11, 11, 12, 14, 99 };
static const char *const COMMENTS[] = { NULL, "", "c", "it's\nhere" };
static const double ROWS[] = { -1, 0, 10, 1e6 };
static const struct stage_coldef DEFS[] = {
	{ .type = "text" },
	{ .type = "integer", .notnull = true },
	{ .type = "bigint", .rewrite = true },
	{ .type = "bigint", .notnull = true, .identity = 'a' },
	{ .type = "bigint", .notnull = true, .identity = 'd' },
	{ .type = "integer", .defexpr = "(1 + 1)", .generated = 's' },
	{ .type = "text", .collation = "\"C\"", .defexpr = "'x'::text" },
	{ .type = "booking_status", .notnull = true, .defexpr = "'pending'::booking_status" },
	{ .type = "uuid", .notnull = true, .defexpr = "gen_random_uuid()" },
	{ .type = "integer", .notnull = true, .notnull_name = "\"nn\"", .notnull_noinherit = true },
};
static const char *const INDEX_DEFS[] = { NULL, "CREATE INDEX i ON public.booking USING btree (status)",
					  "CREATE UNIQUE INDEX u ON public.customer USING btree (id)" };
static const char *const CON_DEFS[] = { NULL, "PRIMARY KEY (id)", "CHECK ((id > 0))", "UNIQUE (id)",
					"FOREIGN KEY (customer_id) REFERENCES customer(id)" };
static const char CON_TYPES[] = { 'p', 'c', 'u', 'f' };
static const char *const KINDS[] = { "indexes", "constraints", "triggers", "policies" };
static const char *const LABELS[] = { "pending", "confirmed", "cancelled", "new", "Odd 'one'" };
static const char *const FILES[] = { "0001_mine.sql", "0002_other.sql" };

static char *quoted(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "\"%s\"", name);
	return strbuf_detach(&sb, NULL);
}

/* Is the new table T staged? The tree shows a new table's directory, and
 * so takes edits of it, only once mkdir has staged it. */
static bool staged(const struct stage *st, const struct stage_ref *t)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "tables"))
		if (!num_of(e, "oid", 0) && same(str_of(e, "schema"), t->schema) && same(str_of(e, "name"), t->name))
			return true;
	return false;
}

static void one_edit(struct stage *st, struct reader *r)
{
	struct stage_ref t = { PICK(r, OIDS), PICK(r, SCHEMAS), NULL };
	t.name = t.oid ? NULL : PICK(r, NAMES);
	const char *name = PICK(r, NAMES);
	unsigned op = next(r, 15);
	if (!t.oid && op >= 1 && op <= 9 && !staged(st, &t))
		return;
	char *qname = quoted(name);
	switch (op) {
	case 0:
		stage_table_new(st, t.schema, name, qname);
		break;
	case 1:
		stage_table_drop(st, &t);
		break;
	case 2: {
		/* Renamed only onto a free name, as mv(1) onto a table is refused. */
		struct stage_ref to = { 0, t.schema, name };
		if (!staged(st, &to))
			stage_table_rename(st, &t, name, qname);
		break;
	}
	case 3:
		stage_table_rows(st, &t, PICK(r, ROWS));
		break;
	case 4:
		stage_table_comment(st, &t, PICK(r, COMMENTS));
		break;
	case 5: {
		/* A new column is known by its name: the tree's handlers
		 * rename one only onto a free name (a draft is replaced). */
		int attnum = (int)next(r, 5);
		const char *old = name;
		unsigned d = next(r, sizeof DEFS / sizeof *DEFS + 1);
		stage_column_set(st, &t, attnum, old, name, qname, d ? &DEFS[d - 1] : NULL);
		break;
	}
	case 6:
		stage_column_drop(st, &t, (int)next(r, 5), name);
		break;
	case 7:
		stage_index_set(st, &t, name, qname, PICK(r, INDEX_DEFS), next(r, 2));
		break;
	case 8:
		stage_constraint_set(st, &t, name, qname, PICK(r, CON_TYPES), PICK(r, CON_DEFS));
		break;
	case 9:
		stage_object_drop(st, &t, PICK(r, KINDS), name, next(r, 2));
		break;
	case 10: {
		const char *labels[5];
		size_t n = next(r, 6);
		for (size_t i = 0; i < n; i++)
			labels[i] = PICK(r, LABELS);
		stage_enum_set(st, next(r, 2) ? 20 : 5, labels, n);
		break;
	}
	case 11:
		stage_file_put(st, PICK(r, FILES), name, strlen(name));
		break;
	case 12:
		stage_file_remove(st, PICK(r, FILES));
		break;
	case 13:
		stage_prune(st, fuzz_live());
		break;
	case 14:
		stage_discard(st);
		break;
	}
	free(qname);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct stage *st = stage_new();
	for (int i = 0; r.n && i < 64; i++)
		one_edit(st, &r);
	check_stage(st, true);
	stage_free(st);
	return 0;
}
