/* Unit tests: hazards of migration files (lint.c), with PostgreSQL's
 * parser and no server. Every rule has a file that triggers it and a near
 * miss that does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "strbuf.h"
#include "tap.h"

static struct lint_result R;

static void lint(const char *sql)
{
	lint_result_free(&R);
	if (lint_file(sql, strlen(sql), &R))
		abort();
}

/* Hazards of RULE in the last file linted (at statement STMT, or any when 0). */
static int count(const char *rule, int stmt)
{
	int n = 0;
	for (size_t i = 0; i < R.nhazards; i++)
		n += !strcmp(R.hazards[i].rule->name, rule) && (!stmt || R.hazards[i].stmt == stmt);
	return n;
}

/* SQL on one line, for a TAP description (static buffer). */
static const char *flat(const char *sql)
{
	static char buf[512];
	snprintf(buf, sizeof buf, "%s", sql);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

/* SQL triggers RULE at statement STMT; and NEAR (a near miss) does not
 * trigger it. Leaves NEAR's result in R. */
static void rule(const char *name, const char *sql, int stmt, const char *near)
{
	lint(sql);
	ok(!R.error && count(name, stmt) == 1, "%s: triggered by [%s] at statement %d", name, flat(sql), stmt);
	lint(near);
	ok(!R.error && count(name, 0) == 0, "%s: not by [%s]", name, flat(near));
}

static double rows_of(void *ctx, const char *table)
{
	(void)ctx;
	return !strcmp(table, "booking") ? 1200 : -1;
}

int main(void)
{
	rule("adding-not-nullable-field", "ALTER TABLE booking ADD COLUMN foo int NOT NULL;", 1,
	     "ALTER TABLE booking ADD COLUMN foo int NOT NULL DEFAULT 0;");
	rule("adding-not-nullable-field", "ALTER TABLE booking ALTER COLUMN note SET NOT NULL;", 1,
	     "ALTER TABLE booking ALTER COLUMN note DROP NOT NULL;");
	rule("adding-not-nullable-field", "SELECT 1; ALTER TABLE booking ADD COLUMN foo int PRIMARY KEY;", 2,
	     "ALTER TABLE booking ADD COLUMN foo int GENERATED ALWAYS AS IDENTITY NOT NULL;");
	rule("adding-field-with-default", "ALTER TABLE booking ADD COLUMN t timestamptz DEFAULT clock_timestamp();", 1,
	     "ALTER TABLE booking ADD COLUMN t timestamptz DEFAULT now();");
	rule("adding-field-with-default", "ALTER TABLE booking ADD COLUMN u uuid NOT NULL DEFAULT gen_random_uuid();", 1,
	     "ALTER TABLE booking ADD COLUMN u text DEFAULT 'gen_random_uuid()';");
	ok(count("adding-not-nullable-field", 0) == 0, "NOT NULL with a volatile default: not adding-not-nullable-field");
	rule("adding-field-with-default", "ALTER TABLE booking ADD COLUMN n int DEFAULT (random() * 10)::int;", 1,
	     "ALTER TABLE booking ADD COLUMN n int DEFAULT 10;");
	rule("adding-field-with-default", "ALTER TABLE booking ADD COLUMN n bigserial;", 1,
	     "ALTER TABLE booking ADD COLUMN n bigint;");
	rule("adding-field-with-default", "ALTER TABLE booking ADD COLUMN g int GENERATED ALWAYS AS (nights * 2) STORED;", 1,
	     "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);");
	rule("changing-column-type", "ALTER TABLE booking ALTER COLUMN nights TYPE bigint;", 1,
	     "ALTER TABLE booking ALTER COLUMN nights SET DEFAULT 1;");
	rule("constraint-missing-not-valid", "ALTER TABLE booking ADD CONSTRAINT n_pos CHECK (nights > 0);", 1,
	     "ALTER TABLE booking ADD CONSTRAINT n_pos CHECK (nights > 0) NOT VALID;");
	rule("constraint-missing-not-valid",
	     "ALTER TABLE booking ADD CONSTRAINT fk FOREIGN KEY (room_id) REFERENCES room (id);", 1,
	     "ALTER TABLE booking VALIDATE CONSTRAINT fk;");
	/* Validated in the same file, the ADD's lock is held while it scans:
	 * squawk flags it too. In a later file, it is the safe way. */
	rule("constraint-missing-not-valid",
	     "ALTER TABLE booking ADD CONSTRAINT n_pos CHECK (nights > 0) NOT VALID;\n"
	     "ALTER TABLE booking VALIDATE CONSTRAINT n_pos;\n", 2,
	     "ALTER TABLE booking ADD CONSTRAINT n_pos CHECK (nights > 0) NOT VALID;\n"
	     "ALTER TABLE booking VALIDATE CONSTRAINT other;\n");
	rule("adding-foreign-key-constraint",
	     "ALTER TABLE booking ADD CONSTRAINT fk FOREIGN KEY (room_id) REFERENCES room (id);", 1,
	     "ALTER TABLE booking ADD CONSTRAINT fk FOREIGN KEY (room_id) REFERENCES room (id) NOT VALID;");
	rule("adding-foreign-key-constraint", "ALTER TABLE booking ADD COLUMN room2 int REFERENCES room (id);", 1,
	     "CREATE TABLE b2 (id int); ALTER TABLE b2 ADD COLUMN room2 int REFERENCES room (id);");
	rule("disallowed-unique-constraint", "ALTER TABLE booking ADD CONSTRAINT u UNIQUE (name);", 1,
	     "CREATE UNIQUE INDEX CONCURRENTLY u ON booking (name);");
	rule("disallowed-unique-constraint", "ALTER TABLE booking ADD PRIMARY KEY (id);", 1,
	     "ALTER TABLE booking ADD CONSTRAINT booking_pkey PRIMARY KEY USING INDEX u;");
	rule("require-concurrent-index-creation", "CREATE INDEX booking_foo ON booking (foo);", 1,
	     "CREATE INDEX CONCURRENTLY booking_foo ON booking (foo);");
	ok(count("ban-concurrent-index-creation-in-transaction", 0) == 0, "CREATE INDEX CONCURRENTLY alone: no hazard at all");
	ok(R.nhazards == 0, "CREATE INDEX CONCURRENTLY alone: nothing");
	rule("require-concurrent-index-deletion", "DROP INDEX public.booking_foo;", 1,
	     "DROP INDEX CONCURRENTLY booking_foo;");
	rule("ban-concurrent-index-creation-in-transaction",
	     "SELECT 1;\nCREATE INDEX CONCURRENTLY booking_foo ON booking (foo);", 2,
	     "CREATE INDEX CONCURRENTLY booking_foo ON booking (foo);");
	rule("ban-concurrent-index-creation-in-transaction",
	     "DROP INDEX CONCURRENTLY booking_foo; SELECT 1;", 1,
	     "DROP INDEX CONCURRENTLY booking_foo;");
	rule("ban-drop-column", "ALTER TABLE booking DROP COLUMN note;", 1,
	     "ALTER TABLE booking DROP CONSTRAINT note_check;");
	rule("ban-drop-table", "DROP TABLE s.doomed;", 1,
	     "DROP VIEW doomed;");
	rule("renaming-column", "ALTER TABLE booking RENAME COLUMN full_name TO name;", 1,
	     "ALTER TABLE booking RENAME CONSTRAINT c1 TO c2;");
	rule("renaming-table", "ALTER TABLE room RENAME TO rooms;", 1,
	     "ALTER INDEX room_pkey RENAME TO rooms_pkey;");
	rule("adding-serial-primary-key-field", "ALTER TABLE booking ADD COLUMN id serial PRIMARY KEY;", 1,
	     "ALTER TABLE booking ADD COLUMN id serial;");
	rule("adding-serial-primary-key-field",
	     "ALTER TABLE booking ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;", 1,
	     "CREATE TABLE t (id serial PRIMARY KEY);");
	rule("enum-value-used-in-same-transaction",
	     "ALTER TYPE booking_status ADD VALUE 'refunded';\n"
	     "UPDATE booking SET status = 'refunded' WHERE note = 'x';\n", 2,
	     "ALTER TYPE booking_status ADD VALUE 'refunded';\n"
	     "UPDATE booking SET status = 'paid' WHERE note = 'refunded?';\n");
	rule("enum-value-used-in-same-transaction",
	     "SELECT 'refunded'; ALTER TYPE booking_status ADD VALUE 'refunded'; "
	     "CREATE VIEW v AS SELECT * FROM booking WHERE status = 'refunded';", 3,
	     "ALTER TYPE booking_status RENAME VALUE 'a' TO 'refunded'; SELECT 'refunded';");
	rule("transaction-nesting", "BEGIN;\nALTER TABLE booking ADD COLUMN n int;\nCOMMIT;\n", 1,
	     "SAVEPOINT s; ALTER TABLE booking ADD COLUMN n int; RELEASE s;");
	lint("BEGIN;\nALTER TABLE booking ADD COLUMN n int;\nCOMMIT;\n");
	ok(count("transaction-nesting", 3) == 1 && R.hazards[R.nhazards - 1].line == 3, "transaction-nesting: COMMIT too, line 3");

	/* A table created in the file is exempt from the rules about existing
	 * tables, whether named with its schema or not. */
	lint("CREATE TABLE app.fresh (id int);\n"
	     "ALTER TABLE fresh ADD COLUMN a int NOT NULL;\n"
	     "CREATE INDEX fresh_a ON app.fresh (a);\n"
	     "ALTER TABLE app.fresh ADD CONSTRAINT a_pos CHECK (a > 0);\n"
	     "ALTER TABLE app.fresh ALTER COLUMN a TYPE bigint, ADD UNIQUE (a);\n"
	     "ALTER TABLE fresh RENAME COLUMN a TO b;\n"
	     "DROP TABLE fresh;\n");
	ok(!R.error && R.nhazards == 0, "a table created in the file: no hazard (got %zu)", R.nhazards);
	lint("CREATE TABLE app.fresh (id int);\nCREATE INDEX i ON other.fresh (id);\n");
	ok(count("require-concurrent-index-creation", 2) == 1, "the same name in another schema is not exempt");

	/* Statement numbers and lines: past comments and blank lines. */
	const char *hand = "-- hand-written\n\n/* two\n   lines */\n"
			   "ALTER TABLE booking ADD COLUMN foo int NOT NULL;\n"
			   "\n  -- then the index\n  CREATE INDEX booking_foo\n    ON booking(foo);\n";
	lint(hand);
	ok(R.nstmts == 2 && R.nhazards == 2, "two statements, two hazards");
	ok(R.nhazards == 2 && R.hazards[0].stmt == 1 && R.hazards[0].line == 5, "statement 1 at line 5 (got %d)",
	   R.nhazards ? R.hazards[0].line : 0);
	ok(R.nhazards == 2 && R.hazards[1].stmt == 2 && R.hazards[1].line == 8, "statement 2 at line 8 (got %d)",
	   R.nhazards == 2 ? R.hazards[1].line : 0);
	struct strbuf sb = STRBUF_INIT;
	lint_render(&sb, &R, rows_of, NULL);
	is_str(sb_str(&sb),
	       "    hazard adding-not-nullable-field: statement 1 of 2 (line 5), booking (~1200 rows): "
	       "a NOT NULL column without a default fails on a table with rows; "
	       "add it nullable, backfill, then SET NOT NULL (or add a default)\n"
	       "    hazard require-concurrent-index-creation: statement 2 of 2 (line 8), booking (~1200 rows): "
	       "CREATE INDEX blocks writes to the table while it builds; CREATE INDEX CONCURRENTLY, alone in its file\n",
	       "rendered for status, with the row estimate");
	sb_reset(&sb);
	lint("ALTER TABLE s.booking DROP COLUMN a;");
	lint_render(&sb, &R, NULL, NULL);
	ok(strstr(sb_str(&sb), "(line 1), s.booking: ") != NULL, "schema-qualified as written, no estimate: %s", sb_str(&sb));
	sb_reset(&sb);

	/* A file the parser cannot read: its message and line, no hazards. */
	lint("CREATE INDEX a ON b (c);\n-- newer syntax\nALTER TABLE t ADD COLUMN v int GENERATED ALWAYS AS (1) VIRTUAL;\n");
	ok(R.error && strstr(R.error, "VIRTUAL") && R.error_line == 3 && R.nhazards == 0,
	   "unparsable: message and line 3 (got %s, line %d)", R.error ? R.error : "-", R.error_line);
	lint_render(&sb, &R, NULL, NULL);
	is_str(sb_str(&sb), "    not reviewed: PostgreSQL 15's parser cannot read it: "
	       "syntax error at or near \"VIRTUAL\" (line 3); it can still be applied\n", "unparsable: rendered");
	sb_reset(&sb);
	/* Found by fuzz_lint: the parser's message quotes the input, newlines
	 * and all; status keeps one line per item. So does an identifier
	 * holding a newline (valid when quoted). */
	lint("ALTER TABLE \"b\" ALTER COLUMN x\"TY\nALTER TABLE s.b;\n");
	lint_render(&sb, &R, NULL, NULL);
	is_str(sb_str(&sb), "    not reviewed: PostgreSQL 15's parser cannot read it: unterminated quoted identifier "
	       "at or near \"\"TY\\nALTER TABLE s.b;\\n\" (line 1); it can still be applied\n",
	       "unparsable: the quoted input on one line");
	sb_reset(&sb);
	lint("ALTER TABLE \"two\nlines\" DROP COLUMN a;");
	lint_render(&sb, &R, NULL, NULL);
	ok(strstr(sb_str(&sb), "(line 1), two\\nlines: ") && !strchr(sb_str(&sb), '\n')[1],
	   "an object named with a newline: on one line: %s", sb_str(&sb));
	sb_reset(&sb);
	/* Found by fuzz_lint: an expression nested deeper than cJSON reads
	 * (800 unary operators) is "not reviewed", not a silent nothing. */
	{
		char deep[900] = "UPDATE t SET m = ";
		size_t at = strlen(deep);
		memset(deep + at, '+', 800);
		strcpy(deep + at + 800, "1;");
		lint(deep);
		ok(R.error && strstr(R.error, "too deeply nested") && R.nhazards == 0 && R.nstmts == 0,
		   "a parse tree nested too deeply: not reviewed, said so (got %s)", R.error ? R.error : "no error");
	}
	lint("SELECT 'é';\nSELECT 'ü' FROM;\n");
	ok(R.error && R.error_line == 2, "unparsable after multibyte text: line 2 (got %d)", R.error_line);
	lint("");
	ok(!R.error && R.nstmts == 0 && R.nhazards == 0, "empty file: nothing");

	/* The cache: same text, same result, parsed once; swept when gone. */
	struct lint_cache *c = lint_cache_new();
	const struct lint_result *a = lint_cache_get(c, hand, strlen(hand));
	const struct lint_result *b = lint_cache_get(c, hand, strlen(hand));
	ok(a && a == b && a->nhazards == 2, "cache: one result per content");
	lint_cache_sweep(c);
	const struct lint_result *d = lint_cache_get(c, "DROP TABLE x;", 13);
	ok(d && d->nhazards == 1, "cache: another content");
	lint_cache_sweep(c);
	lint_cache_sweep(c);
	d = lint_cache_get(c, "DROP TABLE x;", 13);
	ok(d && d->nhazards == 1, "cache: made again after a sweep dropped it");
	lint_cache_free(c);

	strbuf_free(&sb);
	lint_result_free(&R);
	return done_testing();
}
