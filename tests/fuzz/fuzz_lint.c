/*
 * fuzz_lint: the review of a migration file (fs/lint.c), which reads any
 * file put in pending/ (hand-written, drizzle-kit's) through libpg_query's
 * parse tree. Whatever the bytes: a file the parser cannot read has an
 * error and no hazards; otherwise every hazard names a rule of lint_rules,
 * a statement of the file and a line of it, in statement order; the same
 * bytes give the same review, rendered the same way, and the cache gives
 * what lint_file gives.
 */
#include "fuzz.h"
#include "lint.h"
#include "strbuf.h"

static double rows(void *ctx, const char *table)
{
	(void)ctx;
	return table && *table ? 42 : -1;
}

static bool is_rule(const struct lint_rule *r)
{
	for (const struct lint_rule *x = lint_rules; x->name; x++)
		if (x == r)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sql = fuzz_str(data, size);
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += sql[i] == '\n';
	struct lint_result a, b;
	CHECK(lint_file(sql, size, &a) == 0);
	CHECK(lint_file(sql, size, &b) == 0);
	if (a.error) {
		CHECK(a.nhazards == 0 && !a.hazards);
		CHECK(a.error_line >= 0 && a.error_line <= lines);
	}
	CHECK(a.nstmts >= 0);
	for (size_t i = 0; i < a.nhazards; i++) {
		const struct lint_hazard *h = &a.hazards[i];
		CHECK(is_rule(h->rule));
		CHECK(h->stmt >= 1 && h->stmt <= a.nstmts);
		CHECK(h->line >= 1 && h->line <= lines);
		CHECK(i == 0 || h->stmt >= a.hazards[i - 1].stmt);
	}
	struct strbuf ra = STRBUF_INIT, rb = STRBUF_INIT, rc = STRBUF_INIT;
	lint_render(&ra, &a, rows, NULL);
	lint_render(&rb, &b, NULL, NULL);
	CHECK(a.nstmts == b.nstmts && a.nhazards == b.nhazards && !a.error == !b.error);
	struct lint_cache *c = lint_cache_new();
	CHECK(c);
	const struct lint_result *cached = lint_cache_get(c, sql, size);
	CHECK(cached && lint_cache_get(c, sql, size) == cached);
	lint_render(&rc, cached, rows, NULL);
	CHECK(!strcmp(sb_str(&ra), sb_str(&rc)));
	lint_cache_sweep(c);
	lint_cache_free(c);
	/* A hazard's line in status says where it is: each rendered line
	 * is one "hazard" or "not reviewed" line. */
	for (const char *p = sb_str(&ra); *p; p = strchr(p, '\n') + 1) {
		CHECK(strchr(p, '\n'));
		CHECK(!strncmp(p, "    hazard ", 11) || !strncmp(p, "    not reviewed", 16));
	}
	strbuf_free(&ra);
	strbuf_free(&rb);
	strbuf_free(&rc);
	lint_result_free(&a);
	lint_result_free(&b);
	free(sql);
	return 0;
}
