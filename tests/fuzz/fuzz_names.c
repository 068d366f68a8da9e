/*
 * fuzz_names: file name escaping (fs/names.c) both ways.
 *   - every name X: its file name holds no '/', is not "." or "..", fits
 *     NAME_MAX with its suffix kept, and decodes back to X unless shortened;
 *   - every file name Y that decodes: the name it gives encodes to a file
 *     name that decodes to the same name (and is its own encoding again);
 *   - a file name that does not decode is left as it was.
 */
#include <limits.h>
#include <stdbool.h>

#include "fuzz.h"
#include "names.h"
#include "strbuf.h"

static void check_name(const char *x, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;
	name_escape(&sb, x, suffix);
	const char *y = sb_str(&sb);
	size_t ylen = strlen(y), slen = strlen(suffix);
	CHECK(ylen == sb.len);
	CHECK(ylen <= NAME_MAX);
	CHECK(ylen >= slen && !strcmp(y + ylen - slen, suffix));
	CHECK(!strchr(y, '/'));
	CHECK(strcmp(y, ".") && strcmp(y, ".."));
	CHECK(!*x || ylen > slen);
	char *back = strndup(y, ylen - slen);
	CHECK(back);
	bool shortened = strstr(back, "%~") != NULL;
	if (name_unescape(back) == 0) {
		CHECK(!shortened);
		CHECK(!strcmp(back, x));
	} else {
		CHECK(shortened);
		CHECK(!strncmp(back, y, ylen - slen));	/* left as it was */
	}
	free(back);
	strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Names never hold a NUL: the bytes up to the first one. */
	char *x = fuzz_str(data, size);
	check_name(x, "");
	check_name(x, ".sql");

	char *y = strdup(x);
	CHECK(y);
	if (name_unescape(y) == 0) {
		struct strbuf sb = STRBUF_INIT;
		name_escape(&sb, y, "");
		char *again = strdup(sb_str(&sb));
		CHECK(again);
		if (name_unescape(again) == 0) {
			CHECK(!strcmp(again, y));
			struct strbuf sb2 = STRBUF_INIT;
			name_escape(&sb2, again, "");
			CHECK(!strcmp(sb_str(&sb2), sb_str(&sb)));
			strbuf_free(&sb2);
		} else {
			/* Only a shortened name: its full file name would not
			 * fit (escaping at most triples a name, "." is 3). */
			CHECK(3 * strlen(y) + 6 > NAME_MAX);
		}
		free(again);
		strbuf_free(&sb);
	} else {
		CHECK(!strcmp(y, x));	/* refused: left as it was */
	}
	free(y);
	free(x);
	return 0;
}
