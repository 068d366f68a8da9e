/*
 * fuzz_split: a migration file cut into statements, as migrate_apply cuts
 * it: at Drizzle's "--> statement-breakpoint" (sqltx_chunks), and by
 * libpg_query (sqltx_statements, sqltx_find; fs/sqltx.c serializes its
 * calls, and libpg_query swaps fd 2 while it parses). The chunks and the
 * breakpoints between them make up the file exactly, no chunk holds a
 * breakpoint; each chunk's statements lie inside it, in order, apart;
 * transaction control is found the same each time, in a statement of the
 * file, on one of its lines.
 */
#include "fuzz.h"
#include "sqltx.h"

#define BREAKPOINT "--> statement-breakpoint"

static void check_statements(const char *text, size_t len)
{
	struct sqltx_span *v;
	size_t n;
	bool by_parser;
	if (sqltx_statements(text, len, &v, &n, &by_parser)) {
		CHECK(!v && !n);
		return;
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(v[i].off <= len && v[i].len <= len - v[i].off);
		CHECK(v[i].off >= at);	/* in order, apart */
		at = v[i].off + v[i].len;
	}
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* migrate_apply is never given a NUL byte (a file holding one is
	 * refused first), and its text ends with one. */
	if (memchr(data, 0, size))
		return 0;
	char *file = fuzz_str(data, size);
	struct sqltx_span *c;
	size_t n = sqltx_chunks(file, size, &c), bl = strlen(BREAKPOINT), at = 0;
	CHECK(n >= 1);
	for (size_t i = 0; i < n; i++) {
		CHECK(c[i].off == at && c[i].len <= size - at);
		CHECK(!memmem(file + c[i].off, c[i].len, BREAKPOINT, bl));
		at += c[i].len;
		if (i + 1 < n) {
			CHECK(size - at >= bl && !memcmp(file + at, BREAKPOINT, bl));
			at += bl;
		}
	}
	CHECK(at == size);
	for (size_t i = 0; i < n; i++) {
		char *chunk = strndup(file + c[i].off, c[i].len);
		CHECK(chunk);
		check_statements(chunk, c[i].len);
		free(chunk);
	}
	free(c);

	char what[32] = "", what2[32] = "";
	int line = 0, line2 = 0;
	int k = sqltx_find(file, size, what, sizeof what, &line);
	CHECK(sqltx_find(file, size, what2, sizeof what2, &line2) == k);
	if (k) {
		struct sqltx_span *v;
		size_t ns;
		bool by_parser;
		CHECK(!strcmp(what, what2) && line == line2 && *what);
		CHECK(sqltx_statements(file, size, &v, &ns, &by_parser) == 0 && (size_t)k <= ns);
		int lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += file[i] == '\n';
		CHECK(line >= 1 && line <= lines);
		free(v);
	}
	free(file);
	return 0;
}
