/*
 * fuzz_journal: Drizzle's meta/_journal.json (fs/journal.c). A journal
 * accepted renders to a text that parses to the same entries and renders
 * to the same text again; every "when" is a whole number of milliseconds
 * a JavaScript number holds exactly (what drizzle-kit reads it as).
 */
#include "fuzz.h"
#include "journal.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), err[256] = "";
	struct journal j;
	if (journal_parse(text, &j, err, sizeof err)) {
		CHECK(*err && j.n == 0 && !j.v);
		free(text);
		return 0;
	}
	for (size_t i = 0; i < j.n; i++)
		CHECK(j.v[i].tag && j.v[i].when >= 0 && j.v[i].when <= (1LL << 53));
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
	journal_render(&once, &j);
	struct journal back;
	CHECK(journal_parse(sb_str(&once), &back, err, sizeof err) == 0);
	CHECK(back.n == j.n);
	for (size_t i = 0; i < j.n; i++) {
		CHECK(!strcmp(back.v[i].tag, j.v[i].tag));
		CHECK(back.v[i].when == j.v[i].when);
		CHECK(back.v[i].breakpoints == j.v[i].breakpoints);
	}
	journal_render(&twice, &back);
	CHECK(!strcmp(sb_str(&once), sb_str(&twice)));
	CHECK(journal_max_when(&j) == journal_max_when(&back));
	for (size_t i = 0; i < j.n; i++)
		CHECK(journal_find_when(&back, j.v[i].when) != NULL);
	journal_free(&back);
	journal_free(&j);
	strbuf_free(&once);
	strbuf_free(&twice);
	free(text);
	return 0;
}
