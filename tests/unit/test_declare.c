/* test_declare: a declarative file's catalog against the live one, as
 * staged edits, without a server. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "declare.h"
#include "fixture.h"
#include "stage.h"
#include "tap.h"

/* The stage's tables and enums, as compact JSON. */
static char *edits(const struct stage *st)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "tables", cJSON_Duplicate(cJSON_GetObjectItem(st->doc, "tables"), true));
	cJSON_AddItemToObject(o, "enums", cJSON_Duplicate(cJSON_GetObjectItem(st->doc, "enums"), true));
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static struct cat_relation *booking(struct catalog *c)
{
	return c->schemas[0].tables[0];
}

/* The objects listed for the caller, "dir schema.table.name drop|set;". */
static char objs_text[1024];

static int run(const struct catalog *live, const struct catalog *want, const char *schema, const char *table,
	       struct stage *st, char *err)
{
	struct declare_scope sc = { schema, table };
	struct declare_objs objs = { 0 };
	int rc = declare_diff(live, want, &sc, st, &objs, err, 1024);
	size_t at = 0;
	objs_text[0] = '\0';
	for (size_t i = 0; i < objs.n && at < sizeof objs_text; i++)
		at += (size_t)snprintf(objs_text + at, sizeof objs_text - at, "%s %s.%s.%s %s;", objs.v[i].dir,
				       objs.v[i].schema ? objs.v[i].schema : "", objs.v[i].table ? objs.v[i].table : "",
				       objs.v[i].name, objs.v[i].drop ? "drop" : "set");
	declare_objs_free(&objs);
	return rc;
}

int main(void)
{
	char err[1024];
	struct catalog *live = fixture_catalog("'pending'::booking_status");

	/* The same catalog: nothing, in every scope. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		const char *scopes[][2] = { { NULL, NULL }, { "public", NULL }, { "public", "booking" } };
		for (size_t i = 0; i < 3; i++) {
			struct stage *st = stage_new();
			int rc = run(live, want, scopes[i][0], scopes[i][1], st, err);
			ok(rc == 0 && stage_empty(st), "unchanged file stages nothing (scope %zu)", i);
			stage_free(st);
		}
		catalog_free(want);
	}
	/* A default changed: an edit of live column 3, with its whole definition. */
	{
		struct catalog *want = fixture_catalog("'confirmed'::booking_status");
		struct stage *st = stage_new();
		int rc = run(live, want, "public", "booking", st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "\"oid\":11") && strstr(j, "\"attnum\":3") &&
		   strstr(j, "\"default\":\"'confirmed'::booking_status\""), "changed default: %s", j);
		ok(!strstr(j, "\"drop\""), "nothing dropped");
		free(j);
		stage_free(st);
		catalog_free(want);
	}
	/* A column dropped and another of the same type added: drop + add,
	 * never a guessed rename. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		struct cat_relation *b = booking(want);
		struct cat_column *cols = arena_alloc(want->arena, 3 * sizeof *cols);
		memcpy(cols, b->cols, 3 * sizeof *cols);
		cols[1].name = "client_id";
		cols[1].qname = "client_id";
		cols[1].attnum = 7;	/* the shadow's numbering: never used */
		b->cols = cols;
		struct stage *st = stage_new();
		int rc = run(live, want, "public", "booking", st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "{\"attnum\":2,\"name\":\"customer_id\",\"drop\":true}") &&
		   strstr(j, "{\"attnum\":0,\"name\":\"client_id\",\"qname\":\"client_id\",\"def\":{\"type\":\"bigint\""),
		   "drop + add: %s", j);
		free(j);
		stage_free(st);
		catalog_free(want);
	}
	/* A table missing from the schema's file is dropped; a new one created
	 * with its columns and keys. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		struct cat_schema *s = &want->schemas[0];
		struct cat_relation *c = s->tables[1];
		c->name = "client";
		c->qname = "client";
		c->oid = 99;
		c->cols[1].comment = NULL;	/* column comments are not staged */
		struct stage *st = stage_new();
		int rc = run(live, want, "public", NULL, st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "{\"oid\":10,\"schema\":\"public\",\"drop\":true}"), "customer dropped: %s %d %s", j, rc, err);
		ok(strstr(j, "\"oid\":0,\"schema\":\"public\",\"name\":\"client\",\"qname\":\"client\",\"new\":true") &&
		   strstr(j, "\"name\":\"customer_pkey\""), "client created with its key");
		free(j);
		stage_free(st);
		catalog_free(want);
	}
	/* An index gone, a constraint changed, the comment changed. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		struct cat_relation *b = booking(want);
		b->nindexes = 0;
		struct cat_constraint *k = arena_alloc(want->arena, 2 * sizeof *k);
		memcpy(k, b->cons, 2 * sizeof *k);
		k[0].def = "FOREIGN KEY (customer_id) REFERENCES customer(id) ON DELETE CASCADE";
		b->cons = k;
		b->comment = "All bookings";
		struct stage *st = stage_new();
		int rc = run(live, want, NULL, NULL, st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "\"indexes\":[{\"name\":\"booking_status_idx\",\"drop\":true}]"), "index dropped: %s", j);
		ok(strstr(j, "ON DELETE CASCADE") && strstr(j, "\"comment\":\"All bookings\""), "constraint, comment");
		free(j);
		stage_free(st);
		catalog_free(want);
	}
	/* An enum label added: the labels in order. One removed: refused. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		static const char *more[] = { "pending", "confirmed", "cancelled", "no_show" };
		static const char *less[] = { "pending", "confirmed" };
		want->schemas[0].types[0]->labels = more;
		want->schemas[0].types[0]->nlabels = 4;
		struct stage *st = stage_new();
		int rc = run(live, want, "public", NULL, st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "\"labels\":[\"pending\",\"confirmed\",\"cancelled\",\"no_show\"]"), "enum: %s", j);
		free(j);
		stage_free(st);
		want->schemas[0].types[0]->labels = less;
		want->schemas[0].types[0]->nlabels = 2;
		st = stage_new();
		rc = run(live, want, "public", NULL, st, err);
		ok(rc == -EPERM && strstr(err, "enums differ: public.booking_status"), "label removed: %s", err);
		stage_free(st);
		/* table.sql does not look at types. */
		st = stage_new();
		ok(run(live, want, "public", "booking", st, err) == 0 && stage_empty(st), "table scope ignores enums");
		stage_free(st);
		catalog_free(want);
	}
	/* Object files' kinds: listed for the caller, as their files' writes
	 * and rms; kinds the stage cannot change: refused, never ignored. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		want->schemas[0].views[0]->viewdef = " SELECT booking.id\n   FROM booking\n  WHERE true;";
		want->schemas[0].nsequences = 0;
		struct stage *st = stage_new();
		int rc = run(live, want, NULL, NULL, st, err);
		ok(rc == 0 && strstr(objs_text, "views public..active set;") &&
		   strstr(objs_text, "sequences public..invoice_no drop;"), "views, sequences: %d %s", rc, objs_text);
		stage_free(st);
		/* A trigger added to a table: listed; a column comment: refused. */
		struct cat_relation *b = booking(want);
		struct cat_trigger *t = arena_alloc(want->arena, sizeof *t);
		*t = (struct cat_trigger){ .name = "trg", .qname = "trg", .def = "CREATE TRIGGER trg ...", .enabled = 'O' };
		b->triggers = t;
		b->ntriggers = 1;
		b->cols[0].comment = "key";
		st = stage_new();
		rc = run(live, want, "public", "booking", st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "\"comments\":[{\"kind\":\"column\",\"name\":\"id\",\"comment\":\"key\"}]") &&
		   strstr(objs_text, "triggers public.booking.trg set;"), "trigger listed, column comment staged: %d %s %s",
		   rc, j, objs_text);
		free(j);
		struct catalog *dc = stage_desired(live, st);
		ok(!strcmp(booking(dc)->cols[0].comment, "key"), "the desired column has its comment");
		catalog_free(dc);
		stage_free(st);
		/* An index made again keeps its comment: staged with it. */
		b->cols[0].comment = NULL;
		b->ntriggers = 0;
		b->indexes[0].def = "CREATE INDEX booking_status_idx ON public.booking USING hash (status)";
		b->indexes[0].comment = "by status";
		live->schemas[0].tables[0]->indexes[0].comment = "by status";
		st = stage_new();
		rc = run(live, want, "public", "booking", st, err);
		j = edits(st);
		ok(rc == 0 && strstr(j, "\"kind\":\"index\",\"name\":\"booking_status_idx\",\"comment\":\"by status\""),
		   "index re-made: its comment staged again: %s", j);
		free(j);
		live->schemas[0].tables[0]->indexes[0].comment = NULL;
		stage_free(st);
		catalog_free(want);
	}
	/* Row level security turned on and forced: table options staged
	 * (ENABLE, FORCE), the desired table has them; storage options
	 * still refused. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		booking(want)->rls = booking(want)->rls_force = true;
		struct stage *st = stage_new();
		int rc = run(live, want, "public", "booking", st, err);
		char *j = edits(st);
		ok(rc == 0 && strstr(j, "\"rls\":true") && strstr(j, "\"rls_force\":true"), "rls: %d %s", rc, j);
		free(j);
		struct catalog *d = stage_desired(live, st);
		ok(booking(d)->rls && booking(d)->rls_force, "the desired table has them");
		catalog_free(d);
		ok(stage_prune(st, want) && stage_empty(st), "pruned once the live table has them");
		stage_free(st);
		booking(want)->rls = booking(want)->rls_force = false;
		booking(want)->persistence = 'u';
		st = stage_new();
		rc = run(live, want, "public", "booking", st, err);
		j = edits(st);
		ok(rc == 0 && strstr(j, "\"unlogged\":true") && !strstr(j, "rls"), "unlogged: %d %s", rc, j);
		free(j);
		stage_free(st);
		booking(want)->reloptions = "fillfactor=70";
		st = stage_new();
		rc = run(live, want, "public", "booking", st, err);
		ok(rc == -EPERM && strstr(err, "table options differ: public.booking") && !strstr(err, "row level"),
		   "storage options: %s", err);
		stage_free(st);
		catalog_free(want);
	}
	/* An owned sequence the file drops: with its column when the file
	 * drops that (not listed), on its own when it keeps the column (a
	 * serial made integer: listed, the planner drops it after the
	 * DROP DEFAULT). */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		want->schemas[0].nsequences = 0;
		live->schemas[0].sequences[0]->seq_owned_by = "public.booking.id";
		struct stage *st = stage_new();
		int rc = run(live, want, NULL, NULL, st, err);
		ok(rc == 0 && strstr(objs_text, "sequences public..invoice_no drop;"), "owned, column kept: %s",
		   objs_text);
		stage_free(st);
		live->schemas[0].sequences[0]->seq_owned_by = "public.booking.gone";
		st = stage_new();
		rc = run(live, want, NULL, NULL, st, err);
		ok(rc == 0 && !strstr(objs_text, "invoice_no"), "owned, column dropped: %s", objs_text);
		live->schemas[0].sequences[0]->seq_owned_by = NULL;
		stage_free(st);
		catalog_free(want);
	}
	/* Comments of a schema and an enum: staged in their entries. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		live->schemas[0].oid = 2200;
		live->schemas[0].types[0]->oid = 20;
		want->schemas[0].comment = "why";
		want->schemas[0].types[0]->comment = "states";
		struct stage *st = stage_new();
		int rc = run(live, want, NULL, NULL, st, err);
		char *j = cJSON_PrintUnformatted(st->doc);
		ok(rc == 0 && strstr(j, "\"schemas\":[{\"oid\":2200,\"comment\":\"why\"}]") &&
		   strstr(j, "\"types\":[{\"oid\":20,\"comment\":\"states\"}]"), "comments: %d %s %s", rc, j, err);
		free(j);
		struct catalog *d = stage_desired(live, st);
		ok(d->schemas[0].comment && !strcmp(d->schemas[0].comment, "why"), "the desired schema has it");
		catalog_free(d);
		stage_free(st);
		catalog_free(want);
	}
	/* A table.sql that creates another table than its own. */
	{
		struct catalog *want = fixture_catalog("'pending'::booking_status");
		booking(want)->name = "reservation";
		struct stage *st = stage_new();
		int rc = run(live, want, "public", "booking", st, err);
		ok(rc == -EINVAL && strstr(err, "does not create table public.booking"), "wrong table: %s", err);
		stage_free(st);
		catalog_free(want);
	}
	catalog_free(live);
	return done_testing();
}
