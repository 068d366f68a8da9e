/* Unit tests: the dependency map's rows as the loader reads them
 * (fs/catalog_deps.c): one text a row, sorted and made unique here since
 * the query sends them in no order and with repeats. */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "tap.h"

static bool same(const struct cat_dep *a, const struct cat_dep *b)
{
	return a->fkind == b->fkind && a->foid == b->foid && a->fsub == b->fsub && a->tkind == b->tkind &&
	       a->toid == b->toid && a->tsub == b->tsub && a->frel == b->frel;
}

int main(void)
{
	struct cat_dep d;
	ok(catalog_dep_parse("r 16389 0 n 16384 0 16389", &d) &&
	   same(&d, &(struct cat_dep){ 'r', 'n', 16389, 16384, 0, 0, 16389 }),
	   "a row's seven fields");
	ok(catalog_dep_parse("d 4294967295 7 t 2147483648 -1 0", &d) && d.foid == 4294967295u &&
	   d.toid == 2147483648u && d.fsub == 7 && d.tsub == -1,
	   "OIDs above 2^31 and negative subs");
	ok(catalog_dep_parse("A 5  r 6 0 ", &d) && d.fsub == 0 && d.frel == 0, "an empty field (a NULL) reads as 0");
	ok(!catalog_dep_parse("r 1 0 n 2 0", &d), "six fields: refused");
	ok(!catalog_dep_parse("r 1 0 n 2 0 3 4", &d), "eight: refused");
	ok(!catalog_dep_parse("r x 0 n 2 0 3", &d), "a field that is no number: refused");
	ok(!catalog_dep_parse("rr 1 0 n 2 0 3", &d), "a kind of two letters: refused");
	ok(!catalog_dep_parse("", &d), "nothing: refused");

	struct cat_dep v[] = {
		{ 'r', 'n', 20, 1, 0, 0, 20 },
		{ 'c', 'r', 30, 20, 0, 0, 20 },
		{ 'r', 'n', 20, 1, 0, 0, 20 },
		{ 'c', 'r', 30, 20, 0, 0, 20 },
		{ 'c', 'r', 30, 20, 0, 0, 21 },
		{ 'c', 'r', 30, 20, 0, 0, 20 },
		{ 'A', 'r', 40, 20, 0, 0, 40 },
	};
	size_t n = catalog_deps_sort_unique(v, sizeof v / sizeof v[0]);
	ok(n == 4, "repeats dropped (%zu kept of 7)", n);
	ok(v[0].fkind == 'A' && v[1].fkind == 'c' && v[1].frel == 20 && v[2].fkind == 'c' && v[2].frel == 21 &&
	   v[3].fkind == 'r',
	   "kinds by byte ('A' before 'c' before 'r'), then by relation");
	ok(catalog_deps_sort_unique(v, 1) == 1 && catalog_deps_sort_unique(v, 0) == 0, "one edge, and none");
	return done_testing();
}
