/*
 * fuzz_sqlparse: what fs/sqlparse.c reads of users' text through
 * libpg_query: a column file's definition (does it hold REFERENCES?), a
 * migration file cut into statements, and the tree file a failed
 * statement of a generated migration names. Whatever the bytes: the
 * statements lie inside the text, in order, apart; the same answers each
 * time; a subject is a path under schemas/ with no empty, "." or ".."
 * component.
 */
#include "fuzz.h"
#include "sqlparse.h"
#include "strbuf.h"

static void check_path(const char *p)
{
	CHECK(!strncmp(p, "schemas/", 8));
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");
		CHECK(n > 0);
		CHECK(!(n == 1 && c[0] == '.') && !(n == 2 && c[0] == '.' && c[1] == '.'));
		c += n;
		if (*c == '/') {
			c++;
			CHECK(*c);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memchr(data, 0, size))
		return 0;	/* files holding a NUL are refused before */
	char *text = fuzz_str(data, size);
	CHECK(sqlparse_column_references(text) == sqlparse_column_references(text));
	struct sql_stmt *v = NULL;
	int n = sqlparse_split(text, size, &v);
	CHECK(n >= -1);
	size_t at = 0;
	for (int i = 0; i < n; i++) {
		CHECK(v[i].off >= at && v[i].off <= size && v[i].len <= size - v[i].off);
		at = v[i].off + v[i].len;
		char *stmt = strndup(text + v[i].off, v[i].len);
		CHECK(stmt);
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		int ra = sqlparse_subject(stmt, &a), rb = sqlparse_subject(stmt, &b);
		CHECK(ra == rb && (ra == 0 || ra == -1));
		if (ra == 0) {
			CHECK(!strcmp(sb_str(&a), sb_str(&b)));
			check_path(sb_str(&a));
		}
		strbuf_free(&a);
		strbuf_free(&b);
		free(stmt);
	}
	free(v);
	free(text);
	return 0;
}
