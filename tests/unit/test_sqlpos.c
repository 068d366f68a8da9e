/* Unit tests: positions in migration files (sqlpos.c) and the tree file a
 * generated statement comes from (sqlparse.c), with no server. */
#include <stdlib.h>
#include <string.h>

#include "sqlparse.h"
#include "sqlpos.h"
#include "strbuf.h"
#include "tap.h"

static char *where(const char *text, size_t off)
{
	static char buf[32];
	int line, chr;
	sqlpos_line_char(text, off, &line, &chr);
	snprintf(buf, sizeof buf, "%d:%d", line, chr);
	return buf;
}

static void subject(const char *stmt, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = sqlparse_subject(stmt, &sb);
	if (want)
		is_str(rc ? NULL : sb_str(&sb), want, "subject of %s", stmt);
	else
		ok(rc == -1 && sb.len == 0, "no subject for %s", stmt);
	strbuf_free(&sb);
}

int main(void)
{
	/* Lines and UTF-8 characters, 1-based. */
	const char *f = "-- a\nCREATE TABLE \"p\xc3\xb6s\" (n nosuch);\n";
	is_str(where(f, 0), "1:1", "the first byte");
	is_str(where(f, 5), "2:1", "the start of line 2");
	const char *ns = strstr(f, "nosuch");
	is_str(where(f, (size_t)(ns - f)), "2:23", "a 2-byte character counts as one");
	/* PostgreSQL's position counts characters of what was sent. */
	size_t stmt = 5;	/* statement sent from line 2 */
	ok(sqlpos_char_offset(f, stmt, strlen(f), 23) == (size_t)(ns - f),
	   "position 23 of the statement is the byte of nosuch");
	ok(sqlpos_char_offset(f, 0, strlen(f), 1) == 0, "position 1 is the first byte");
	ok(sqlpos_char_offset(f, 0, 3, 99) == 3, "never past the end");
	/* No position: the first keyword, past comments and blanks. */
	const char *g = "ALTER TABLE a ADD b int;\n\n  -- why\n  /* nested /* c */ */ \n\tDROP TABLE x";
	size_t after = strlen("ALTER TABLE a ADD b int;");
	size_t kw = sqlpos_first_token(g, after, strlen(g));
	ok(!strncmp(g + kw, "DROP", 4), "the first keyword past comments (nested too)");
	is_str(where(g, kw), "5:2", "... on line 5, after a tab");
	ok(sqlpos_first_token("  -- only\n", 0, 10) == 10, "only a comment: the end");

	/* Statements split by the parser, comments before them included. */
	const char *two = "CREATE TABLE a (id int);\n-- next\nSELECT ';';";
	struct sql_stmt *v;
	int n = sqlparse_split(two, strlen(two), &v);
	ok(n == 2 && v[0].off == 0 && v[0].len == 23 && v[1].off == 24 && v[1].off + v[1].len == strlen(two) - 1,
	   "two statements (got %d)", n);
	free(v);
	ok(sqlparse_split("-- nothing\n", 11, &v) == 0, "only a comment: no statement");
	free(v);
	ok(sqlparse_split("ALTER TABLE t ADD COLUMN v int GENERATED ALWAYS AS (1) VIRTUAL;", 62, &v) == -1 && !v,
	   "syntax newer than the parser's: -1 (sent whole)");

	/* Statement -> the tree's file. */
	subject("ALTER TABLE public.booking ALTER COLUMN note SET NOT NULL",
		"schemas/public/tables/booking/columns/note");
	subject("ALTER TABLE public.booking ALTER COLUMN note TYPE integer USING note::integer",
		"schemas/public/tables/booking/columns/note");
	subject("\n-- generated\nALTER TABLE booking ADD COLUMN \"a/b\" text", "schemas/public/tables/booking/columns/a%2Fb");
	subject("ALTER TABLE public.booking DROP COLUMN note", "schemas/public/tables/booking/columns/note");
	subject("ALTER TABLE app.visit ADD CONSTRAINT visit_fk FOREIGN KEY (rid) REFERENCES app.room (id)",
		"schemas/app/tables/visit/constraints/visit_fk.sql");
	subject("ALTER TABLE public.booking DROP CONSTRAINT c", "schemas/public/tables/booking/constraints/c.sql");
	subject("CREATE UNIQUE INDEX CONCURRENTLY booking_code_key ON public.booking USING btree (code)",
		"schemas/public/tables/booking/indexes/booking_code_key.sql");
	subject("CREATE TABLE public.room (id integer)", "schemas/public/tables/room");
	subject("ALTER TABLE public.room RENAME TO chamber", "schemas/public/tables/chamber");
	subject("ALTER TABLE public.room RENAME COLUMN a TO b", "schemas/public/tables/room/columns/b");
	subject("ALTER TYPE public.mood ADD VALUE 'meh' AFTER 'sad'", "schemas/public/types/mood");
	subject("COMMENT ON TABLE public.room IS 'x'", "schemas/public/tables/room/comment");
	subject("DROP TABLE public.room", "schemas/public/tables/room");
	subject("ALTER TABLE public.room SET (fillfactor = 50)", "schemas/public/tables/room");
	subject("SELECT 1", NULL);
	subject("DROP INDEX public.x", NULL);
	subject("not sql at all", NULL);
	subject("SELECT 1; SELECT 2", NULL);
	return done_testing();
}
