/* Unit tests: names the daemon removed by itself (gone.c). */
#include <stdio.h>

#include "gone.h"
#include "tap.h"

int main(void)
{
	gone_add("/app/schemas/public/tables/t/columns/a", 60);
	ok(gone_take("/app/schemas/public/tables/t/columns/a"), "a name the daemon removed answers once");
	ok(!gone_take("/app/schemas/public/tables/t/columns/a"), "... and only once");
	ok(!gone_take("/app/other"), "a name never removed is not gone");

	gone_add("/app/x", 60);
	gone_add("/app/x", 60);
	ok(gone_take("/app/x") && !gone_take("/app/x"), "a name added twice is kept once");

	gone_add("/app/schemas/public/tables/t", 60);
	gone_add("/app/schemas/public/tables/t/columns/a", 60);
	gone_add("/app/schemas/public/tables/tt", 60);
	gone_forget("/app/schemas/public/tables/t");
	ok(!gone_take("/app/schemas/public/tables/t") && !gone_take("/app/schemas/public/tables/t/columns/a"),
	   "a caller's removal forgets the name and what is below it");
	ok(gone_take("/app/schemas/public/tables/tt"), "... but not a name it is a prefix of");

	char p[64];
	for (int i = 0; i < GONE_MAX + 10; i++) {
		snprintf(p, sizeof p, "/app/n%d", i);
		gone_add(p, 60);
	}
	ok(!gone_take("/app/n0"), "at most GONE_MAX names: the oldest go first");
	snprintf(p, sizeof p, "/app/n%d", GONE_MAX + 9);
	ok(gone_take(p), "the newest stays");
	gone_clear();
	snprintf(p, sizeof p, "/app/n%d", GONE_MAX + 8);
	ok(!gone_take(p), "cleared");
	return done_testing();
}
