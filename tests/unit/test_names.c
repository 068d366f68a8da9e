/* Unit tests: reversible file names (names.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

	char marked[] = "%41b%2F%~0123";
	ok(name_unescape(marked) == -1 && !strcmp(marked, "%41b%2F%~0123"),
	   "a shortened name is refused and left as it was [%s]", marked);

	/* UTF-8 validity, in bytes. */
	ok(name_utf8_valid("größe ✓", strlen("größe ✓")) == strlen("größe ✓"), "valid UTF-8 is valid throughout");
	ok(name_utf8_valid("ab\xff", 3) == 2, "a 0xFF byte stops it");
	ok(name_utf8_valid("a\xc3", 2) == 1, "a sequence cut at the end is invalid");
	ok(name_utf8_valid("\xc3\x28", 2) == 0, "a lead byte without its continuation is invalid");
	ok(name_utf8_valid("\xc0\xaf", 2) == 0, "an overlong form is invalid");
	ok(name_utf8_valid("\xed\xa0\x80", 3) == 0, "a surrogate is invalid");
	ok(name_utf8_valid("\xf4\x90\x80\x80", 4) == 0, "past U+10FFFF is invalid");
	ok(name_utf8_valid("\xf0\x9f\x98\x80", 4) == 4, "a 4-byte character is valid");
	ok(name_utf8_valid("", 0) == 0, "the empty name is valid (0 of 0)");

	/* Display: bad bytes and control characters as \xNN, the rest as is. */
	struct strbuf d = STRBUF_INIT;
	name_display(&d, "col\xff\xfeé", 7);
	is_str(sb_str(&d), "col\\xFF\\xFEé", "invalid bytes shown as \\xNN");
	sb_reset(&d);
	name_display(&d, "a\nb\tc\x7f", 6);
	is_str(sb_str(&d), "a\\x0Ab\\x09c\\x7F", "control characters shown as \\xNN (one line)");
	sb_reset(&d);
	name_display(&d, "a\xc3", 2);
	is_str(sb_str(&d), "a\\xC3", "a cut sequence shown byte by byte");
	sb_reset(&d);
	name_display(&d, "Order \"Items\" ✓", strlen("Order \"Items\" ✓"));
	is_str(sb_str(&d), "Order \"Items\" ✓", "a valid name is unchanged");
	strbuf_free(&d);
	return done_testing();
}
