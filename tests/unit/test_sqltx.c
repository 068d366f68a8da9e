/* Unit tests: transaction control in migration files (sqltx.c), with
 * PostgreSQL's parser and no server. */
#include <string.h>

#include "sqltx.h"
#include "tap.h"

static int find(const char *sql, char *what, int *line)
{
	what[0] = '\0';
	*line = 0;
	return sqltx_find(sql, strlen(sql), what, 32, line);
}

int main(void)
{
	char what[32];
	int line;
	ok(find("CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b text;\n", what, &line) == 0,
	   "plain DDL: no transaction control");
	ok(find("BEGIN; CREATE TABLE part_a(id int); COMMIT; BEGIN; CREATE TABLE part_b(id no_such_type); COMMIT;",
		what, &line) == 1 && !strcmp(what, "BEGIN") && line == 1, "BEGIN ... COMMIT twice: the first BEGIN");
	ok(find("CREATE TABLE a (id int);\n\n-- done\n  commit;\n", what, &line) == 2 && !strcmp(what, "COMMIT") &&
	   line == 4, "a lone COMMIT: statement 2, line 4 (got %d, line %d)", find("CREATE TABLE a (id int);\n\n-- done\n  commit;\n", what, &line), line);
	ok(find("CREATE TABLE a (id int);\nEND;\n", what, &line) == 2 && !strcmp(what, "COMMIT"), "END is COMMIT");
	ok(find("ABORT;", what, &line) == 1 && !strcmp(what, "ROLLBACK"), "ABORT is ROLLBACK");
	ok(find("PREPARE TRANSACTION 'x';", what, &line) == 1 && !strcmp(what, "PREPARE TRANSACTION"),
	   "PREPARE TRANSACTION");
	ok(find("SAVEPOINT s; CREATE TABLE a (id int); ROLLBACK TO SAVEPOINT s; RELEASE s;", what, &line) == 0,
	   "savepoints stay inside the transaction");
	ok(find("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN COMMIT; END$$;\n"
		"CREATE PROCEDURE p() LANGUAGE plpgsql AS 'BEGIN ROLLBACK; END';\n"
		"DO $$BEGIN PERFORM 1; END$$;\n", what, &line) == 0, "COMMIT inside a body is not top-level");
	ok(find("SELECT 'COMMIT; BEGIN;'; -- COMMIT;\n/* ROLLBACK; */", what, &line) == 0,
	   "COMMIT in a literal or a comment is not a statement");
	/* Syntax newer than the parser's (18's VIRTUAL): found up to it; what
	 * follows is the server's to judge (it may be inside a body). */
	ok(find("COMMIT;\nALTER TABLE t ADD COLUMN v int GENERATED ALWAYS AS (1) VIRTUAL;\n", what, &line) == 1,
	   "a COMMIT before a statement of newer syntax is found");
	ok(find("ALTER TABLE t ADD COLUMN v int GENERATED ALWAYS AS (1) VIRTUAL;\n"
		"CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n", what, &line) == 0,
	   "after newer syntax, a BEGIN ATOMIC body's END is not taken for a COMMIT");
	ok(find("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
		"CREATE TABLE a (id int);\n", what, &line) == 0, "a BEGIN ATOMIC body is not transaction control");
	ok(find("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOMMIT;\n", what, &line) == 2 &&
	   line == 2, "a COMMIT after a BEGIN ATOMIC body is found");
	ok(find("ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT ENFORCED;", what, &line) == 0,
	   "newer syntax alone: nothing found, the server judges it");
	ok(find("--> statement-breakpoint\nCREATE TABLE a (id int);\n--> statement-breakpoint\nROLLBACK;", what, &line) == 2,
	   "drizzle breakpoints are comments");
	ok(find("", what, &line) == 0 && find("   \n-- nothing\n", what, &line) == 0, "empty files");
	ok(find("SELECT 'unterminated", what, &line) == 0, "an unterminated literal: nothing found, the server judges it");
	return done_testing();
}
