/* test_plan: the stage (edits, desired catalog, pruning, persistence) and
 * the planner (order, file splitting, hazards, names), without a server. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "fixture.h"
#include "plan.h"
#include "stage.h"
#include "stage_struct.h"
#include "tap.h"

static struct catalog *live;

static void plan_of(struct stage *st, struct plan *p)
{
	struct catalog *want = stage_desired(live, st);
	plan_build(p, live, want, st, 3);
	catalog_free(want);
}

static const struct stage_coldef TEXT = { .type = "text" };
static const struct stage_coldef INT_NN = { .type = "integer", .notnull = true };
static const struct stage_coldef BIGINT_RW = { .type = "bigint", .rewrite = true };
static const struct stage_coldef INT_RW = { .type = "integer", .rewrite = true };

/* The position of NEEDLE in HAY, or -1. */
static long pos(const char *hay, const char *needle)
{
	const char *p = hay ? strstr(hay, needle) : NULL;
	return p ? p - hay : -1;
}

static void test_empty(void)
{
	struct stage *st = stage_new();
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 0, "an empty stage plans nothing");
	ok(stage_empty(st), "stage_empty");
	plan_free(&p);
	stage_free(st);
}

static void test_add_column(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	stage_column_set(st, &b, 0, "notes", "notes", "notes", &TEXT);
	stage_table_rows(st, &b, 10);
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 1, "one file");
	is_str(p.files[0].name, "0003_booking_add_notes.sql", "numbered from FIRST, tag from the change");
	ok(pos(p.files[0].sql, "ALTER TABLE public.booking ADD COLUMN notes text;\n") >= 0, "ADD COLUMN");
	is_str(p.files[0].hazards, "", "a nullable column has no hazard");
	plan_free(&p);

	stage_column_set(st, &b, 0, "notes", "notes", "notes", &INT_NN);
	plan_of(st, &p);
	ok(pos(p.files[0].hazards, "NOT NULL without a default fails if booking has rows (~10 rows)") >= 0,
	   "NOT NULL without default on a table with rows: hazard");
	ok(pos(p.files[0].sql, "-- HAZARD: ADD COLUMN notes NOT NULL") == pos(p.files[0].sql, "\n") + 1,
	   "hazards are comments at the top");

	struct catalog *want = stage_desired(live, st);
	const struct cat_relation *wb = catalog_table(want, "public", "booking");
	ok(wb && wb->ncols == 4 && !strcmp(wb->cols[3].name, "notes") && wb->cols[3].attnum == 0,
	   "desired: the new column comes last");
	catalog_free(want);
	plan_free(&p);
	stage_free(st);
}

static void test_order(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	/* rename status -> state and change customer_id's type, drop nothing else */
	stage_column_set(st, &b, 3, "status", "state", "state", NULL);
	stage_column_set(st, &b, 2, "customer_id", "customer_id", "customer_id", &INT_RW);
	stage_object_drop(st, &b, "constraints", "booking_customer_id_fkey", true);
	stage_table_rename(st, &b, "bookings", "bookings");
	stage_table_rows(st, &b, 5);
	struct plan p;
	plan_of(st, &p);
	const char *sql = p.files[0].sql;
	long drop_fk = pos(sql, "ALTER TABLE public.booking DROP CONSTRAINT booking_customer_id_fkey;");
	long ren_t = pos(sql, "ALTER TABLE public.booking RENAME TO bookings;");
	long ren_c = pos(sql, "ALTER TABLE public.bookings RENAME COLUMN status TO state;");
	long type = pos(sql, "ALTER TABLE public.bookings ALTER COLUMN customer_id TYPE integer;");
	ok(drop_fk >= 0 && ren_t > drop_fk, "drops (under the old name) before the table rename");
	ok(ren_c > ren_t, "column rename uses the new table name, after the table rename");
	ok(type > ren_c, "type change after renames");
	ok(pos(p.files[0].hazards, "rewrites the table under an ACCESS EXCLUSIVE lock (~5 rows)") >= 0,
	   "rewrite hazard with the row estimate");
	ok(pos(p.files[0].hazards, "RENAME TABLE booking to bookings") >= 0 &&
	   pos(p.files[0].hazards, "RENAME COLUMN booking") >= 0, "rename hazards");
	ok(pos(sql, "--> statement-breakpoint\n") > 0, "statements separated as Drizzle does");

	/* What the edit keeps after a rename: PostgreSQL's deparse of the
	 * table's objects with the renames done (edit_deps.c), never a text
	 * replacement. */
	cJSON *dp = cJSON_AddArrayToObject(st->doc, "deparsed"), *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "kind", "indexes");
	cJSON_AddStringToObject(d, "schema", "public");
	cJSON_AddStringToObject(d, "rel", "bookings");
	cJSON_AddStringToObject(d, "name", "booking_status_idx");
	cJSON_AddStringToObject(d, "def", "CREATE INDEX booking_status_idx ON public.bookings USING btree (state)");
	cJSON_AddItemToArray(dp, d);
	struct catalog *want = stage_desired(live, st);
	const struct cat_relation *wb = catalog_table(want, "public", "bookings");
	ok(wb && wb->oid == 11, "desired: the renamed table keeps its oid");
	ok(wb && wb->ncols == 3 && wb->cols[2].attnum == 3 && !strcmp(wb->cols[2].name, "state"),
	   "desired: the renamed column keeps its attnum");
	ok(wb && wb->ncons == 1, "desired: the dropped constraint is gone");
	ok(wb && pos(wb->indexes[0].def, " ON public.bookings ") > 0 && pos(wb->indexes[0].def, "(state)") > 0,
	   "desired: index definitions as deparsed after the renames");
	ok(wb && catalog_table(live, "public", "booking")->indexes[0].def != wb->indexes[0].def,
	   "... the live catalog's untouched");
	catalog_free(want);
	plan_free(&p);
	stage_free(st);
}

static cJSON *dependent(const char *shown, const char *drop, const char *create, int depth)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "shown", shown);
	cJSON_AddStringToObject(o, "drop", drop);
	cJSON_AddStringToObject(o, "create", create);
	cJSON_AddNumberToObject(o, "depth", depth);
	return o;
}

/* A type change's dependents (deps_stage.h): dropped outermost first after
 * the renames, created again innermost first after everything, each once,
 * with a hazard; a drop's dependents gone from the desired tree, named. */
static void test_dependents(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	stage_column_set(st, &b, 2, "customer_id", "customer_id", "customer_id", &INT_RW);
	cJSON *deps = cJSON_AddArrayToObject(stage_column_entry(st, &b, 2, NULL), "dependents");
	cJSON_AddItemToArray(deps, dependent("view public.v1", "DROP VIEW public.v1;", "CREATE VIEW public.v1 AS SELECT 1;", 1));
	cJSON_AddItemToArray(deps, dependent("view public.v2", "DROP VIEW public.v2;", "CREATE VIEW public.v2 AS SELECT 2;", 2));
	stage_column_drop(st, &b, 3, "status");
	cJSON *takes = cJSON_AddArrayToObject(stage_column_entry(st, &b, 3, NULL), "takes"), *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "kind", "indexes");
	cJSON_AddStringToObject(t, "schema", "public");
	cJSON_AddStringToObject(t, "rel", "booking");
	cJSON_AddStringToObject(t, "name", "booking_status_idx");
	cJSON_AddStringToObject(t, "shown", "index booking_status_idx on public.booking");
	cJSON_AddItemToArray(takes, t);
	char err[256], *text = cJSON_Print(st->doc);
	struct stage *again = stage_parse(text, strlen(text), err, sizeof err);
	ok(again != NULL, "the stage with dependents has a sound shape");
	stage_free(again);
	free(text);
	struct plan p;
	plan_of(st, &p);
	const char *sql = p.nfiles ? p.files[0].sql : "";
	long d2 = pos(sql, "DROP VIEW public.v2;"), d1 = pos(sql, "DROP VIEW public.v1;");
	long alter = pos(sql, "ALTER COLUMN customer_id TYPE integer;");
	long c1 = pos(sql, "CREATE VIEW public.v1"), c2 = pos(sql, "CREATE VIEW public.v2");
	ok(d2 >= 0 && d1 > d2 && alter > d1 && c1 > alter && c2 > c1,
	   "outer view dropped first, the type changed, inner view created first");
	ok(pos(p.nfiles ? p.files[0].hazards : "", "view public.v2 is dropped and re-created (it uses booking.customer_id)") >= 0,
	   "a hazard names each dependent");
	ok(pos(p.nfiles ? p.files[0].hazards : "",
	       "index booking_status_idx on public.booking is dropped with column booking.status") >= 0,
	   "a hazard names what the drop takes");
	struct catalog *want = stage_desired(live, st);
	const struct cat_relation *wb = catalog_table(want, "public", "booking");
	bool gone = true;
	for (size_t i = 0; wb && i < wb->nindexes; i++)
		gone &= strcmp(wb->indexes[i].name, "booking_status_idx") != 0;
	ok(wb && gone, "desired: the index the drop takes is gone");
	catalog_free(want);
	plan_free(&p);
	stage_free(st);
}

static void test_split(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	static const char *labels[] = { "held", "pending", "confirmed", "cancelled", "refunded" };
	stage_enum_set(st, 20, labels, 5);
	stage_column_set(st, &b, 0, "notes", "notes", "notes", &TEXT);
	stage_index_set(st, &b, "booking_notes_idx", "booking_notes_idx",
			"CREATE INDEX booking_notes_idx ON public.booking USING btree (notes)", true);
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 3, "enum values, the rest, the concurrent index: three files");
	if (p.nfiles == 3) {
		ok(pos(p.files[0].sql, "ADD VALUE 'held' BEFORE 'pending';") > 0, "a first label goes BEFORE");
		ok(pos(p.files[0].sql, "ADD VALUE 'refunded' AFTER 'cancelled';") > 0, "a last label goes AFTER");
		ok(pos(p.files[0].sql, "ADD COLUMN") < 0, "nothing else in the enum file");
		is_str(p.files[0].name, "0003_booking_status_changes.sql", "enum file first");
		ok(pos(p.files[1].sql, "ADD COLUMN notes text;") > 0, "then the main file");
		ok(pos(p.files[2].sql, "CREATE INDEX CONCURRENTLY booking_notes_idx ON public.booking") > 0,
		   "CONCURRENTLY in its own, last file");
		ok(pos(p.files[2].sql, "breakpoint") < 0, "alone");
		is_str(p.files[2].name, "0005_booking_index_booking_notes_idx.sql", "numbers follow");
	}
	plan_free(&p);
	stage_free(st);
}

static void test_new_table(void)
{
	struct stage *st = stage_new();
	struct stage_ref g = { 0, "public", "guest" };
	stage_table_new(st, "public", "guest", "guest");
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 0, "a new table without columns is a draft");
	plan_free(&p);
	stage_column_set(st, &g, 0, "id", "id", "id", &INT_NN);
	stage_column_set(st, &g, 0, "customer_id", "customer_id", "customer_id", &BIGINT_RW);
	stage_constraint_set(st, &g, "guest_customer_fk", "guest_customer_fk", 'f',
			     "FOREIGN KEY (customer_id) REFERENCES customer(id)");
	stage_constraint_set(st, &g, "guest_pkey", "guest_pkey", 'p', "PRIMARY KEY (id)");
	plan_of(st, &p);
	const char *sql = p.nfiles ? p.files[0].sql : "";
	ok(pos(sql, "CREATE TABLE public.guest (\n    id integer NOT NULL,\n    customer_id bigint\n);") > 0,
	   "CREATE TABLE with its columns in order");
	long pk = pos(sql, "ADD CONSTRAINT guest_pkey PRIMARY KEY (id);");
	long fk = pos(sql, "ADD CONSTRAINT guest_customer_fk FOREIGN KEY");
	ok(pk > 0 && fk > pk, "keys after the table, foreign keys last");
	is_str(p.nfiles ? p.files[0].hazards : NULL, "", "no lock hazards on a new table");
	is_str(p.nfiles ? p.files[0].name : NULL, "0003_guest_changes.sql", "tag");
	plan_free(&p);
	stage_table_drop(st, &g);
	ok(stage_empty(st), "dropping a new table forgets it");
	stage_free(st);
}

static void test_drop_table(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	stage_column_drop(st, &b, 2, "customer_id");	/* rm -r removes files first */
	stage_object_drop(st, &b, "indexes", "booking_status_idx", true);
	stage_table_drop(st, &b);
	stage_table_rows(st, &b, 1234);
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 1 && pos(p.files[0].sql, "DROP TABLE public.booking;\n") > 0, "DROP TABLE");
	ok(p.nfiles == 1 && pos(p.files[0].sql, "DROP COLUMN") < 0 && pos(p.files[0].sql, "DROP INDEX") < 0,
	   "nothing but DROP TABLE for a dropped table");
	ok(p.nfiles == 1 && pos(p.files[0].hazards, "DROP TABLE booking loses its data (~1234 rows)") >= 0,
	   "data loss hazard");
	plan_free(&p);
	stage_free(st);
}

static void test_prune_and_persist(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	/* Same as live: pruned. */
	struct stage_coldef same = { .type = "bigint" };
	stage_column_set(st, &b, 2, "customer_id", "customer_id", "customer_id", &same);
	stage_table_comment(st, &b, "Bookings");
	ok(stage_prune(st, live), "prune says it changed the stage");
	ok(stage_empty(st), "edits equal to the live catalog are pruned");
	ok(!stage_prune(st, live), "and says so only when it did");
	/* A drop of something live is kept; of something gone, pruned. */
	stage_column_drop(st, &b, 2, "customer_id");
	stage_column_drop(st, &b, 9, "ghost");
	stage_prune(st, live);
	ok(!stage_empty(st), "a live column's drop stays");
	ok(stage_column_dropped(st, &b, "customer_id") == 2, "and can be found by name (revival)");
	ok(stage_column_dropped(st, &b, "ghost") == 0, "a column already gone is pruned");

	char file[] = "/tmp/schemafs-test-stage-XXXXXX";
	int fd = mkstemp(file);
	close(fd);
	stage_file_put(st, "0009_mine.sql", "SELECT 1;\n", 10);
	ok(stage_save(st, file) == 0, "stage_save");
	char err[256];
	struct stage *back = stage_load(file, err, sizeof err);
	ok(back && cJSON_Compare(back->doc, st->doc, true), "stage_load reads back the same edits");
	size_t len = 0;
	const char *sql = back ? stage_file_get(back, "0009_mine.sql", &len) : NULL;
	ok(sql && len == 10 && !strcmp(sql, "SELECT 1;\n"), "hand-written files too");
	stage_free(back);
	FILE *f = fopen(file, "w");
	fputs("{\"version\": 99}", f);
	fclose(f);
	ok(stage_load(file, err, sizeof err) == NULL && strstr(err, "version 1"), "another version is refused");
	unlink(file);
	struct stage *none = stage_load("/nonexistent/stage.json", err, sizeof err);
	ok(none && stage_empty(none), "a missing file is an empty stage");
	stage_free(none);
	stage_discard(st);
	ok(stage_empty(st) && stage_file_get(st, "0009_mine.sql", &len), "discard keeps hand-written files");
	stage_free(st);
}

/* Found by tests/fuzz: damaged stage files crashed the planner or were
 * read in part. Each is refused at load, naming the entry. */
static void test_damaged_stage(void)
{
	static const struct { const char *text, *why, *what; } BAD[] = {
		{ "{\"version\":1,\"tables\":[{\"oid\":0,\"schema\":\"public\"}]}", "tables[0]",
		  "a new table without a name" },
		{ "{\"version\":1,\"tables\":[{\"oid\":0,\"schema\":\"public\",\"name\":\"t\",\"qname\":\"t\",\"drop\":true}]}",
		  "tables[0]", "a dropped new table" },
		{ "{\"version\":1,\"tables\":[],\"tables\":[{\"oid\":11,\"drop\":true}]}", "given twice",
		  "a key given twice" },
		{ "{\"version\":1,\"tables\":[]} {}", "after the end", "bytes after the document" },
		{ "{\"version\":1,\"tables\":[{\"oid\":11,\"Columns\":[]}]}", "\"Columns\"",
		  "a key in the wrong case" },
		{ "{\"version\":1,\"tables\":[{\"oid\":4294967306,\"drop\":true}]}", "OID", "an OID beyond 32 bits" },
		{ "{\"version\":1,\"tables\":[{\"oid\":11,\"columns\":[{\"attnum\":0,\"qname\":\"n\",\"def\":{\"type\":\"text\"}}]}]}",
		  "columns[0]", "a column without a name" },
		{ "{\"version\":1,\"tables\":[{\"oid\":11,\"drop\":true},{\"oid\":11,\"rows\":1}]}",
		  "the same table as stage.tables[0]", "two entries of one table" },
	};
	for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
		char err[512] = "";
		struct stage *st = stage_parse(BAD[i].text, strlen(BAD[i].text), err, sizeof err);
		ok(!st && strstr(err, BAD[i].why), "%s is refused: %s", BAD[i].what, err);
		stage_free(st);
	}
}

/* Found by tests/fuzz: a new table named as a live table whose own entry
 * was pruned later in the same pass took it over only at the next prune. */
static void test_prune_once(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	stage_table_new(st, "public", "booking", "booking");
	stage_table_rename(st, &b, "booking", "booking");
	ok(stage_prune(st, live), "prune changes the stage");
	ok(stage_empty(st), "the new booking is the live one, with nothing to change");
	ok(!stage_prune(st, live), "a second prune finds nothing left");
	stage_free(st);

	/* The same with columns: a new column named as a live one whose own
	 * entry is pruned after it. */
	struct stage_ref cu = { 10, "public", NULL };
	struct stage_coldef integer = { .type = "integer" };
	st = stage_new();
	stage_column_set(st, &cu, 0, "Full Name", "Full Name", "\"Full Name\"", &integer);
	stage_column_set(st, &cu, 2, "Full Name", "Full Name", "\"Full Name\"", NULL);
	stage_prune(st, live);
	ok(!stage_prune(st, live), "columns: a second prune finds nothing left");
	ok(stage_column_dropped(st, &cu, "Full Name") == 0 && !stage_empty(st), "the new column is the live one, retyped");
	stage_free(st);
}

static void test_identity_and_enum_order(void)
{
	struct stage *st = stage_new();
	struct stage_ref cu = { 10, "public", NULL }, b = { 11, "public", NULL };
	struct stage_coldef plain = { .type = "bigint" };
	struct stage_coldef ident = { .type = "bigint", .notnull = true, .identity = 'd' };
	stage_column_set(st, &cu, 1, "id", "id", "id", &plain);
	stage_column_set(st, &b, 2, "customer_id", "customer_id", "customer_id", &ident);
	static const char *labels[] = { "early", "earlier", "pending", "confirmed", "cancelled" };
	stage_enum_set(st, 20, labels, 5);
	struct plan p;
	plan_of(st, &p);
	const char *sql = p.nfiles == 2 ? p.files[1].sql : "";
	long drop_id = pos(sql, "ALTER TABLE public.customer ALTER COLUMN id DROP IDENTITY;");
	long drop_nn = pos(sql, "ALTER TABLE public.customer ALTER COLUMN id DROP NOT NULL;");
	ok(drop_id > 0 && drop_nn > drop_id, "identity to nullable: DROP IDENTITY, then DROP NOT NULL");
	long set_nn = pos(sql, "ALTER TABLE public.booking ALTER COLUMN customer_id SET NOT NULL;");
	long add_id = pos(sql, "ALTER TABLE public.booking ALTER COLUMN customer_id ADD GENERATED BY DEFAULT AS IDENTITY;");
	ok(set_nn > 0 && add_id > set_nn, "nullable to identity: SET NOT NULL, then ADD GENERATED");
	const char *e = p.nfiles == 2 ? p.files[0].sql : "";
	long first = pos(e, "ADD VALUE 'early' BEFORE 'pending';");
	long second = pos(e, "ADD VALUE 'earlier' AFTER 'early';");
	ok(first > 0 && second > first, "new first labels: anchored on a live label, then on each other");
	plan_free(&p);
	stage_free(st);
}

/* Renames are recorded against the live label, composed, planned first
 * (with the ADD VALUEs when there are), and pruned once applied. An old
 * stage entry (labels only) still plans its adds. */
static void test_enum_rename(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	static const char *step1[] = { "pending", "ok", "cancelled" };
	stage_enum_set(st, 20, step1, 3);
	stage_enum_rename(st, 20, "confirmed", "ok");
	is_str(stage_enum_origin(st, 20, "ok"), "confirmed", "the rename is recorded against the live label");
	static const char *step2[] = { "pending", "okay", "cancelled" };
	stage_enum_set(st, 20, step2, 3);
	stage_enum_rename(st, 20, "ok", "okay");
	is_str(stage_enum_origin(st, 20, "okay"), "confirmed", "a rename of a renamed label composes");
	ok(!stage_enum_origin(st, 20, "ok"), "... the middle name is gone");
	stage_column_set(st, &b, 0, "notes", "notes", "notes", &TEXT);
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 1, "renames only: one file");
	if (p.nfiles == 1) {
		long ren = pos(p.files[0].sql, "ALTER TYPE public.booking_status RENAME VALUE 'confirmed' TO 'okay';");
		ok(ren > 0 && ren < pos(p.files[0].sql, "ADD COLUMN notes"), "RENAME VALUE first, in the main file");
		ok(pos(p.files[0].hazards, "RENAME VALUE booking_status 'confirmed' to 'okay'") >= 0, "a rename is a hazard");
	}
	plan_free(&p);
	static const char *step3[] = { "pending", "okay", "new", "cancelled" };
	stage_enum_set(st, 20, step3, 4);
	plan_of(st, &p);
	ok(p.nfiles == 2, "with an ADD VALUE: the enum file, then the main one");
	if (p.nfiles == 2) {
		long ren = pos(p.files[0].sql, "RENAME VALUE 'confirmed' TO 'okay';");
		long add = pos(p.files[0].sql, "ADD VALUE 'new' AFTER 'okay';");
		ok(ren > 0 && add > ren, "the rename, then the add after the new name");
		ok(pos(p.files[1].sql, "RENAME") < 0, "not in the main file");
	}
	plan_free(&p);
	stage_enum_set(st, 20, step1, 3);
	stage_enum_rename(st, 20, "okay", "confirmed");
	ok(!stage_enum_origin(st, 20, "confirmed") && !stage_enum_origin(st, 20, "okay"),
	   "renamed back: nothing recorded");
	stage_free(st);

	/* A stage file written before renames existed. */
	char file[] = "/tmp/schemafs-test-stage-XXXXXX", err[256];
	int fd = mkstemp(file);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		fputs("{\"version\":1,\"tables\":[],\"enums\":[{\"oid\":20,\"labels\":"
		      "[\"pending\",\"confirmed\",\"x\",\"cancelled\"]}],\"files\":[]}\n", f);
		fclose(f);
	}
	st = stage_load(file, err, sizeof err);
	unlink(file);
	ok(st != NULL, "an old stage file loads");
	if (!st)
		return;
	ok(!stage_enum_origin(st, 20, "x"), "... with no renames");
	plan_of(st, &p);
	ok(p.nfiles == 1 && pos(p.files[0].sql, "ADD VALUE 'x' AFTER 'confirmed';") > 0,
	   "... and plans as before");
	plan_free(&p);
	static const char *step4[] = { "pending", "confirmed", "y", "cancelled" };
	stage_enum_set(st, 20, step4, 4);	/* x is not live: the edit records no rename */
	plan_of(st, &p);
	ok(p.nfiles == 1 && pos(p.files[0].sql, "ADD VALUE 'y' AFTER 'confirmed';") > 0 &&
	   pos(p.files[0].sql, "RENAME") < 0, "a label still to be added, renamed: added under its new name");
	plan_free(&p);
	stage_free(st);
}

/* A column dropped and one of its type added (as a declarative file
 * stages a rename): drop + add, the hazard naming mv. One of another
 * type, or of a live name, is no rename. */
static void test_drop_add_like_rename(void)
{
	static const struct stage_coldef BIGINT = { .type = "bigint" };
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	stage_column_drop(st, &b, 2, "customer_id");
	stage_column_set(st, &b, 0, "client_id", "client_id", "client_id", &BIGINT);
	struct plan p;
	plan_of(st, &p);
	ok(pos(p.files[0].sql, "DROP COLUMN customer_id;") >= 0 && pos(p.files[0].sql, "ADD COLUMN client_id bigint;") >= 0,
	   "drop + add, not a rename");
	ok(pos(p.files[0].hazards, "DROP COLUMN booking.customer_id loses its data (row count unknown); if customer_id "
	       "was renamed to client_id, rename it with mv columns/customer_id columns/client_id instead") >= 0,
	   "the hazard names mv: %s", p.files[0].hazards);
	plan_free(&p);
	stage_free(st);
	st = stage_new();
	stage_column_drop(st, &b, 2, "customer_id");
	stage_column_set(st, &b, 0, "client_id", "client_id", "client_id", &TEXT);
	plan_of(st, &p);
	ok(pos(p.files[0].hazards, "mv columns") < 0, "another type: no mv advice");
	plan_free(&p);
	stage_free(st);
	/* A table dropped and one created with its column types. */
	st = stage_new();
	struct stage_ref c = { 10, "public", NULL }, n = { 0, "public", "client" };
	static const struct stage_coldef ID = { .type = "bigint", .notnull = true, .identity = 'a' };
	static const struct stage_coldef NAME = { .type = "text", .collation = "\"C\"" };
	stage_table_drop(st, &c);
	stage_table_new(st, "public", "client", "client");
	stage_column_set(st, &n, 0, "id", "id", "id", &ID);
	stage_column_set(st, &n, 0, "name", "name", "name", &NAME);
	plan_of(st, &p);
	ok(p.nfiles && pos(p.files[0].hazards, "DROP TABLE customer loses its data (row count unknown); if customer was "
			   "renamed to client, rename it with mv tables/customer tables/client instead") >= 0,
	   "DROP TABLE + CREATE TABLE alike: the hazard names mv: %s", p.nfiles ? p.files[0].hazards : "");
	plan_free(&p);
	stage_free(st);
}

/* Object files: a drop before the column drops, a create after the new
 * columns; the desired catalog carries the staged content; an entry the
 * live catalog does not have is kept, a staged drop of what is gone is
 * pruned; the stage round-trips through its JSON. */
static void test_objects(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", NULL };
	stage_column_drop(st, &b, 3, "status");
	stage_column_set(st, &b, 0, "notes", "notes", "notes", &TEXT);
	struct stage_obj v = { "views", "public", NULL, "notes_v", 0, "CREATE VIEW public.notes_v AS\n SELECT 1;\n",
			       "CREATE VIEW public.notes_v AS\n SELECT 1;\n", NULL, false };
	struct stage_obj d = { "views", "public", NULL, "old_v", 99, NULL, "DROP VIEW public.old_v;", NULL, true };
	stage_obj_set(st, &v);
	stage_obj_set(st, &d);
	ok(!stage_empty(st), "object entries are staged changes");
	struct plan p;
	plan_of(st, &p);
	const char *sql = p.nfiles ? p.files[0].sql : NULL;
	ok(p.nfiles == 1, "one file");
	ok(pos(sql, "DROP VIEW public.old_v;") >= 0 && pos(sql, "DROP VIEW public.old_v;") < pos(sql, "DROP COLUMN status"),
	   "a view's drop comes before the column drops");
	ok(pos(sql, "CREATE VIEW public.notes_v") > pos(sql, "ADD COLUMN notes"), "a view's create after the new columns");
	plan_free(&p);
	/* A new sequence: its CREATE before the columns (a default may use
	 * it), its OWNED BY after them. */
	struct stage_obj q = { "sequences", "public", NULL, "n_seq", 0, "CREATE SEQUENCE public.n_seq;\n"
			       "ALTER SEQUENCE public.n_seq OWNED BY public.booking.notes;\n",
			       "CREATE SEQUENCE public.n_seq;\nALTER SEQUENCE public.n_seq OWNED BY public.booking.notes;\n",
			       NULL, false };
	stage_obj_set(st, &q);
	plan_of(st, &p);
	sql = p.nfiles ? p.files[0].sql : NULL;
	ok(pos(sql, "CREATE SEQUENCE public.n_seq;") >= 0 && pos(sql, "CREATE SEQUENCE public.n_seq;") < pos(sql, "ADD COLUMN notes") &&
	   pos(sql, "OWNED BY public.booking.notes;") > pos(sql, "ADD COLUMN notes"),
	   "a new sequence is created before the new columns, owned after them");
	plan_free(&p);
	stage_obj_remove(st, "sequences", "public", NULL, "n_seq");
	struct catalog *want = stage_desired(live, st);
	ok(want->nobjfiles == 2, "the desired catalog carries both files");
	ok(want->nobjfiles == 2 && !strcmp(want->objfiles[0].name, "notes_v") && want->objfiles[0].content &&
	   !want->objfiles[1].content, "... the new one with its content, the dropped one without");
	catalog_free(want);
	struct stage_obj got;
	ok(stage_obj_get(st, "views", "public", NULL, "notes_v", &got) && !got.drop && got.oid == 0,
	   "stage_obj_get finds it by identity");
	ok(!stage_obj_get(st, "views", "public", "booking", "notes_v", &got), "... a table's object is another one");
	char *text = cJSON_PrintUnformatted(st->doc), err[256];
	struct stage *back = stage_parse(text, strlen(text), err, sizeof err);
	ok(back != NULL, "the stage with objects parses back");
	stage_free(back);
	free(text);
	stage_prune(st, live);
	ok(stage_obj_get(st, "views", "public", NULL, "notes_v", &got), "prune keeps a view the live catalog lacks");
	ok(!stage_obj_get(st, "views", "public", NULL, "old_v", &got), "prune drops a staged drop of a view already gone");
	ok(stage_obj_remove(st, "views", "public", NULL, "notes_v"), "stage_obj_remove");
	stage_discard(st);
	ok(stage_empty(st), "a discard empties the objects too");
	stage_free(st);
}

/* Schemas and enum types (stage_struct.h): the order of the statements,
 * the desired tree, the document's shape, pruning once applied. */
static void test_struct(void)
{
	struct stage *st = stage_new();
	live->schemas[0].oid = 2200;
	stage_schema_new(st, "sales", "sales");
	stage_table_new(st, "sales", "orders", "orders");
	struct stage_ref o = { 0, "sales", "orders" };
	stage_column_set(st, &o, 0, "id", "id", "id", &INT_NN);
	const char *labels[] = { "low", "high" };
	stage_type_new_enum(st, "sales", "level", "level", labels, 2);
	stage_schema_rename(st, 2200, "public", "main", "main");
	struct stage_ref b = { 11, "main", NULL };
	stage_column_drop(st, &b, 3, "status");
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 1, "one file");
	const char *sql = p.nfiles ? p.files[0].sql : "";
	long ren = pos(sql, "ALTER SCHEMA public RENAME TO main;"), mk = pos(sql, "CREATE SCHEMA sales;");
	long ty = pos(sql, "CREATE TYPE sales.level AS ENUM ('low', 'high');");
	long tab = pos(sql, "CREATE TABLE sales.orders ("), drop = pos(sql, "ALTER TABLE main.booking DROP COLUMN status;");
	ok(ren >= 0 && mk > ren && ty > mk && tab > ty, "rename first, then the new schema, its type, its table");
	ok(drop > ren, "a live table's statements name the schema by its new name");
	ok(pos(p.files[0].hazards, "RENAME SCHEMA public to main") >= 0, "a rename has a hazard");
	plan_free(&p);
	struct catalog *want = stage_desired(live, st);
	ok(want->nschemas == 2 && !strcmp(want->schemas[0].name, "main") && !strcmp(want->schemas[1].name, "sales"),
	   "desired: the renamed schema and the new one, sorted");
	ok(want->nschemas == 2 && want->schemas[1].ntables == 1 && want->schemas[1].ntypes == 1,
	   "desired: the new schema holds its table and type");
	catalog_free(want);
	char *text = cJSON_Print(st->doc), err[256];
	struct stage *back = stage_parse(text, strlen(text), err, sizeof err);
	ok(back != NULL, "the document with its new sections is well formed");
	stage_free(back);
	free(text);
	stage_discard(st);
	ok(stage_empty(st), "discard empties the new sections too");
	stage_schema_drop(st, 2200, "public");
	ok(!stage_empty(st), "a staged DROP SCHEMA is a change");
	ok(!stage_prune(st, live), "prune keeps it while the schema is live");
	live->schemas[0].oid = 0;
	stage_free(st);
}

/* A column into another enum: through text, its default dropped first and
 * set again after (neither casts automatically); out of an enum into text,
 * or between types with a cast: no USING. */
static void test_enum_retype(void)
{
	struct stage *st = stage_new();
	static const char *const labels[] = { "pending", "done" };
	stage_type_new_enum(st, "public", "state", "state", labels, 2);
	struct stage_ref b = { 11, "public", "booking" };
	const struct stage_coldef to_state = { .type = "state", .notnull = true, .defexpr = "'pending'::state",
					       .rewrite = true };
	stage_column_set(st, &b, 3, "status", "status", "status", &to_state);
	struct plan p;
	plan_of(st, &p);
	const char *sql = p.nfiles ? p.files[p.nfiles - 1].sql : NULL;
	long drop = pos(sql, "ALTER TABLE public.booking ALTER COLUMN status DROP DEFAULT;");
	long type = pos(sql, "ALTER TABLE public.booking ALTER COLUMN status TYPE state USING status::text::state;");
	long set = pos(sql, "ALTER TABLE public.booking ALTER COLUMN status SET DEFAULT 'pending'::state;");
	ok(drop >= 0 && type > drop && set > type, "enum to enum: DROP DEFAULT, TYPE ... USING through text, "
	   "SET DEFAULT");
	ok(pos(sql, "rewrites the table") >= 0, "... with the rewrite hazard");
	plan_free(&p);

	const struct stage_coldef to_text = { .type = "text", .notnull = true, .defexpr = "'pending'::text",
					      .rewrite = true };
	stage_column_set(st, &b, 3, "status", "status", "status", &to_text);
	plan_of(st, &p);
	sql = p.nfiles ? p.files[p.nfiles - 1].sql : NULL;
	ok(pos(sql, "ALTER COLUMN status TYPE text;") >= 0 && pos(sql, "USING") < 0 &&
	   pos(sql, "DROP DEFAULT") < 0, "enum to text: an assignment cast, no USING, the default kept");
	plan_free(&p);
	stage_free(st);

	ok(plan_type_via_text(live, "text", "booking_status"), "text to an enum: through text");
	ok(plan_type_via_text(live, "text[]", "booking_status[]"), "... an array of it too");
	ok(!plan_type_via_text(live, "booking_status", "booking_status"), "the same type: no");
	ok(!plan_type_via_text(live, "text", "public.booking_status"), "a public type is shown unqualified");
	ok(!plan_type_via_text(live, "text", "integer"), "text to integer: not guessed");
}

/* A new table without columns: a draft (mkdir), unless staged as meant
 * to have none (a declarative file's CREATE TABLE t ()). */
static void test_columnless(void)
{
	struct stage *st = stage_new();
	stage_table_new(st, "public", "nothing", "nothing");
	struct plan p;
	plan_of(st, &p);
	ok(p.nfiles == 0, "a new table without columns is a draft");
	plan_free(&p);
	stage_table_columnless(st, "public", "nothing");
	plan_of(st, &p);
	ok(p.nfiles == 1 && pos(p.files[0].sql, "CREATE TABLE public.nothing (\n);") >= 0, "... columnless: created");
	plan_free(&p);
	stage_free(st);
}

/* Table options (tableopt.h): one ALTER TABLE each, turned on or off. */
static void test_options(void)
{
	struct stage *st = stage_new();
	struct stage_ref b = { 11, "public", "booking" };
	stage_table_option(st, &b, TO_RLS, true);
	stage_table_option(st, &b, TO_RLS_FORCE, true);
	struct plan p;
	plan_of(st, &p);
	const char *sql = p.nfiles ? p.files[0].sql : NULL;
	ok(pos(sql, "ALTER TABLE public.booking ENABLE ROW LEVEL SECURITY;") >= 0 &&
	   pos(sql, "ALTER TABLE public.booking FORCE ROW LEVEL SECURITY;") >= 0, "ENABLE, FORCE ROW LEVEL SECURITY");
	is_str(p.files[0].hazards, "", "... without a hazard");
	plan_free(&p);
	stage_table_option(st, &b, TO_RLS, false);
	stage_table_option(st, &b, TO_RLS_FORCE, false);
	ok(stage_prune(st, live) && stage_empty(st), "turned off as live: pruned");
	stage_table_rows(st, &b, 10);
	stage_table_option(st, &b, TO_UNLOGGED, true);
	plan_of(st, &p);
	sql = p.nfiles ? p.files[0].sql : NULL;
	ok(pos(sql, "ALTER TABLE public.booking SET UNLOGGED;") >= 0, "SET UNLOGGED");
	ok(pos(p.files[0].hazards, "ALTER TABLE booking SET UNLOGGED rewrites the table") >= 0 &&
	   pos(p.files[0].hazards, "loses its rows after a crash") >= 0 && pos(p.files[0].hazards, "~10 rows") >= 0,
	   "... with its hazard: %s", p.files[0].hazards);
	struct catalog *want = stage_desired(live, st);
	ok(catalog_table(want, "public", "booking")->persistence == 'u', "the desired table is unlogged");
	catalog_free(want);
	plan_free(&p);
	stage_free(st);

	/* Comments of a column, an index, a constraint: COMMENT ON each. */
	st = stage_new();
	stage_part_comment(st, &b, "column", "status", "where it stands");
	stage_part_comment(st, &b, "index", "booking_status_idx", "by status");
	stage_part_comment(st, &b, "constraint", "booking_pkey", "");
	plan_of(st, &p);
	sql = p.nfiles ? p.files[0].sql : NULL;
	ok(pos(sql, "COMMENT ON COLUMN public.booking.status IS 'where it stands';") >= 0 &&
	   pos(sql, "COMMENT ON INDEX public.booking_status_idx IS 'by status';") >= 0 &&
	   pos(sql, "COMMENT ON CONSTRAINT booking_pkey ON public.booking IS NULL;") >= 0, "COMMENT ON each: %s", sql);
	plan_free(&p);
	ok(stage_prune(st, live) && !stage_empty(st), "pruned: the constraint's (none, as live), not the others");
	stage_free(st);
}

int main(void)
{
	live = fixture_catalog("'pending'::booking_status");
	((struct cat_type *)live->schemas[0].types[0])->oid = 20;
	live->types = (struct cat_type *)live->schemas[0].types[0];
	live->ntypes = 1;
	test_empty();
	test_add_column();
	test_order();
	test_split();
	test_dependents();
	test_new_table();
	test_drop_table();
	test_prune_and_persist();
	test_identity_and_enum_order();
	test_enum_rename();
	test_damaged_stage();
	test_prune_once();
	test_drop_add_like_rename();
	test_objects();
	test_struct();
	test_enum_retype();
	test_options();
	test_columnless();
	catalog_free(live);
	return done_testing();
}
