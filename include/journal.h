/*
 * journal: Drizzle's meta/_journal.json, read and written (cJSON for
 * reading). The format is drizzle-kit's:
 *   {"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7",
 *    "when":<epoch ms>,"tag":"0000_name","breakpoints":true}, ...]}
 * written with two-space indentation as drizzle-kit writes it. Pure: no
 * I/O. A struct journal owns its strings (journal_free).
 */
#ifndef SCHEMAFS_JOURNAL_H
#define SCHEMAFS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct journal_entry {
	char *tag;
	long long when;
	bool breakpoints;
};

struct journal {
	struct journal_entry *v;
	size_t n;
};

/* Parses TEXT; -1 with ERR when it is not a Drizzle journal. */
int journal_parse(const char *text, struct journal *j, char *err, size_t errlen);
void journal_add(struct journal *j, const char *tag, long long when);
/* The largest "when", or 0. */
long long journal_max_when(const struct journal *j);
/* The entry whose "when" is WHEN, or NULL. */
const struct journal_entry *journal_find_when(const struct journal *j, long long when);
void journal_render(struct strbuf *sb, const struct journal *j);
void journal_free(struct journal *j);

#endif
