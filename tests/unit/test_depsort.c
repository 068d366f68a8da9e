/* test_depsort: the dependency sort of schema.sql, without a server. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "depsort.h"
#include "tap.h"

static int by_name(size_t a, size_t b, void *ctx)
{
	const char *const *names = ctx;
	return strcmp(names[a], names[b]);
}

/* Sorts NAMES with EDGES ("a<b": a depends on b); the names in order,
 * space-separated, in OUT; "! cycle x y" when a cycle stops it. */
static int sort(const char *const *names, size_t n, const char *const *deps, size_t nd, char *out, size_t outlen)
{
	struct depsort_edge e[32];
	size_t order[32], cycle[32], placed = 0, ncycle = 0;
	for (size_t i = 0; i < nd; i++)
		for (size_t k = 0; k < n; k++) {
			size_t la = strchr(deps[i], '<') - deps[i];
			if (strlen(names[k]) == la && !strncmp(names[k], deps[i], la))
				e[i].from = k;
			if (!strcmp(names[k], deps[i] + la + 1))
				e[i].to = k;
		}
	int rc = depsort(n, e, nd, by_name, (void *)names, order, &placed, cycle, &ncycle);
	out[0] = '\0';
	size_t len = 0;
	if (rc == -ELOOP) {
		len += snprintf(out + len, outlen - len, "! cycle");
		for (size_t i = 0; i < ncycle; i++)
			len += snprintf(out + len, outlen - len, " %s", names[cycle[i]]);
		return rc;
	}
	for (size_t i = 0; i < placed; i++)
		len += snprintf(out + len, outlen - len, "%s%s", i ? " " : "", names[order[i]]);
	return rc;
}

int main(void)
{
	char out[256];
	{
		/* A chain whose names sort against it. */
		const char *names[] = { "a", "b", "c", "d" };
		const char *deps[] = { "a<b", "b<c", "c<d" };
		ok(sort(names, 4, deps, 3, out, sizeof out) == 0, "chain sorts");
		is_str(out, "d c b a", "chain: each after what it uses");
	}
	{
		/* A diamond: top uses l and r, both use base. */
		const char *names[] = { "top", "r", "l", "base" };
		const char *deps[] = { "top<l", "top<r", "l<base", "r<base" };
		ok(sort(names, 4, deps, 4, out, sizeof out) == 0, "diamond sorts");
		is_str(out, "base l r top", "diamond: base first, the two sides by name, top last");
	}
	{
		/* No edges: name order; an edge moves only what it must. */
		const char *names[] = { "e", "b", "a", "d", "c" };
		ok(sort(names, 5, NULL, 0, out, sizeof out) == 0, "ties sort");
		is_str(out, "a b c d e", "ties broken by name");
		const char *deps[] = { "a<d", "a<a" };
		ok(sort(names, 5, deps, 2, out, sizeof out) == 0, "one edge and a self-edge");
		is_str(out, "b c d a e", "a waits for d, the rest keep name order; a self-edge is ignored");
		const char *dup[] = { "a<e", "a<e" };
		ok(sort(names, 5, dup, 2, out, sizeof out) == 0, "duplicate edges");
		is_str(out, "b c d e a", "a duplicate edge counts once satisfied");
	}
	{
		/* A cycle (f uses t, t's default uses f) beside a free node. */
		const char *names[] = { "f", "t", "z", "d" };
		const char *deps[] = { "f<t", "t<d", "d<f" };
		ok(sort(names, 4, deps, 3, out, sizeof out) == -ELOOP, "cycle reported");
		is_str(out, "! cycle d f t", "the cycle's nodes, from the least, each using the next");
		struct depsort_edge e[] = { { 0, 1 }, { 1, 3 }, { 3, 0 } };
		size_t order[4], placed = 9;
		ok(depsort(4, e, 3, by_name, (void *)names, order, &placed, NULL, NULL) == -ELOOP &&
		   placed == 1 && order[0] == 2, "what is free is still placed (z)");
	}
	ok(depsort(0, NULL, 0, by_name, NULL, NULL, NULL, NULL, NULL) == 0, "nothing to sort");
	return done_testing();
}
