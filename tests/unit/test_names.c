/* Unit tests: reversible file names (names.c). */
#include <limits.h>
#include <stdlib.h>

#include "names.h"
#include "tap.h"

static void roundtrip(const char *name, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	name_escape(&sb, name, "");
	is_str(sb_str(&sb), want, "escape [%s]", name);
	char *back = strbuf_detach(&sb, NULL);
	ok(name_unescape(back) == 0 && !strcmp(back, name), "unescape gives [%s] back", name);
	free(back);
}

int main(void)
{
	roundtrip("booking", "booking");
	roundtrip("Order \"Items\"", "Order \"Items\"");
	roundtrip("größe naïve", "größe naïve");
	roundtrip("a/b", "a%2Fb");
	roundtrip("50%", "50%");
	roundtrip("50%2F", "50%252F");
	roundtrip("%/", "%%2F");
	roundtrip("%A/", "%A%2F");
	roundtrip(".", "%2E");
	roundtrip("..", "%2E%2E");
	roundtrip("...", "...");
	roundtrip(".hidden", ".hidden");
	roundtrip("50%~", "50%25~");
	roundtrip("%~0123456789abcdef", "%25~0123456789abcdef");

	/* A shortened name does not decode, and is left as it was (found by
	 * tests/fuzz: it was half decoded in place). */
	char shortened[] = "a%41b%~0123456789abcdef";
	ok(name_unescape(shortened) == -1 && !strcmp(shortened, "a%41b%~0123456789abcdef"),
	   "a shortened name is refused and left as it was");

	/* Two different names never share a file name. */
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	name_escape(&a, "x/y", "");
	name_escape(&b, "x%2Fy", "");
	ok(strcmp(sb_str(&a), sb_str(&b)) != 0, "a/b and a%%2Fb map apart");
	strbuf_free(&a);
	strbuf_free(&b);

	/* Over-long names are cut to NAME_MAX with a hash, suffix kept. */
	char longname[400];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	struct strbuf l1 = STRBUF_INIT, l2 = STRBUF_INIT;
	name_escape(&l1, longname, ".sql");
	longname[300] = 'y';
	name_escape(&l2, longname, ".sql");
	ok(l1.len == NAME_MAX, "long name is NAME_MAX bytes (%zu)", l1.len);
	ok(!strcmp(sb_str(&l1) + l1.len - 4, ".sql"), "long name keeps its suffix");
	ok(strcmp(sb_str(&l1), sb_str(&l2)) != 0, "long names differing at the end stay apart");
	ok(name_unescape(l1.buf) == -1, "a shortened name does not claim to decode");
	strbuf_free(&l1);
	strbuf_free(&l2);

	/* Multi-byte characters are never cut in half. */
	char utf[400] = "";
	for (int i = 0; i < 130; i++)
		strcat(utf, "é");
	struct strbuf u = STRBUF_INIT;
	name_escape(&u, utf, "");
	size_t cut = u.len - 18;
	ok((((unsigned char)u.buf[cut - 1]) & 0xC0) != 0xC0 && cut % 2 == 0,
	   "UTF-8 name cut on a character boundary");
	strbuf_free(&u);
	return done_testing();
}
