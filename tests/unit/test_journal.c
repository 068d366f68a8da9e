/* Unit tests: Drizzle's _journal.json (journal.c). */
#include <stdlib.h>

#include "journal.h"
#include "tap.h"

static int parse(const char *text, char *err)
{
	struct journal j;
	int rc = journal_parse(text, &j, err, 256);
	journal_free(&j);
	return rc;
}

int main(void)
{
	char err[256];
	struct journal j;
	ok(journal_parse("{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,\"version\":\"7\","
			 "\"when\":1733300000000,\"tag\":\"0000_init\",\"breakpoints\":false}]}", &j, err, sizeof err) == 0 &&
	   j.n == 1 && j.v[0].when == 1733300000000LL && !j.v[0].breakpoints, "a journal is read");
	struct strbuf sb = STRBUF_INIT;
	journal_render(&sb, &j);
	struct journal back;
	ok(journal_parse(sb_str(&sb), &back, err, sizeof err) == 0 && back.n == 1 &&
	   !strcmp(back.v[0].tag, "0000_init") && back.v[0].when == j.v[0].when, "rendered, it reads the same");
	journal_free(&back);
	journal_free(&j);
	strbuf_free(&sb);

	/* Found by tests/fuzz: a "when" beyond long long was undefined
	 * behaviour; only whole milliseconds a JavaScript number holds. */
	ok(parse("{\"entries\":[{\"tag\":\"a\",\"when\":1e300}]}", err) == -1 && strstr(err, "entry 0"),
	   "a when too large is refused: %s", err);
	ok(parse("{\"entries\":[{\"tag\":\"a\",\"when\":1.5}]}", err) == -1, "a fraction of a millisecond is refused");
	ok(parse("{\"entries\":[{\"tag\":\"a\",\"when\":-1}]}", err) == -1, "a negative when is refused");
	ok(parse("{\"entries\":[{\"tag\":\"a\",\"when\":9007199254740992}]}", err) == 0, "2^53 is a when");
	ok(parse("{\"entries\":[{\"tag\":\"a\",\"when\":9007199254740994}]}", err) == -1, "2^53 + 2 is not");
	ok(parse("{\"entries\":[{\"tag\":\"a\"}]}", err) == -1, "an entry without when is refused");
	return done_testing();
}
