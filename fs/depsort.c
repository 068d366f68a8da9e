/* depsort.c: topological sort with stable ties; see include/depsort.h. */
#include "depsort.h"

#include <errno.h>
#include <stdlib.h>

struct heap {
	size_t *v, n;
	int (*cmp)(size_t, size_t, void *);
	void *ctx;
};

static void heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;
	while (i && h->cmp(x, h->v[(i - 1) / 2], h->ctx) < 0) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static size_t heap_pop(struct heap *h)
{
	size_t top = h->v[0], x = h->v[--h->n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->cmp(h->v[c + 1], h->v[c], h->ctx) < 0)
			c++;
		if (h->cmp(h->v[c], x, h->ctx) >= 0)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

/* Edges grouped by one end (compressed rows): START[k]..START[k+1] index
 * LIST, which holds the other ends, in edge order (so stable). */
static int group(size_t n, const struct depsort_edge *e, size_t ne, int by_to, size_t **start, size_t **list)
{
	*start = calloc(n + 1, sizeof **start);
	*list = malloc((ne ? ne : 1) * sizeof **list);
	if (!*start || !*list)
		return -ENOMEM;
	for (size_t i = 0; i < ne; i++)
		if (e[i].from != e[i].to)
			(*start)[(by_to ? e[i].to : e[i].from) + 1]++;
	for (size_t k = 0; k < n; k++)
		(*start)[k + 1] += (*start)[k];
	size_t *fill = calloc(n + 1, sizeof *fill);
	if (!fill)
		return -ENOMEM;
	for (size_t i = 0; i < ne; i++) {
		if (e[i].from == e[i].to)
			continue;
		size_t k = by_to ? e[i].to : e[i].from;
		(*list)[(*start)[k] + fill[k]++] = by_to ? e[i].from : e[i].to;
	}
	free(fill);
	return 0;
}

/* One cycle among the nodes not placed (each has a dependency among them):
 * from the least such node, follow the first unplaced dependency until a
 * node repeats. */
static void find_cycle(size_t n, const size_t *dstart, const size_t *dlist, const size_t *indeg,
		       int (*cmp)(size_t, size_t, void *), void *ctx, size_t *cycle, size_t *ncycle,
		       size_t *seen_at)
{
	size_t start = n;
	for (size_t k = 0; k < n; k++)
		if (indeg[k] && (start == n || cmp(k, start, ctx) < 0))
			start = k;
	for (size_t k = 0; k < n; k++)
		seen_at[k] = (size_t)-1;
	size_t len = 0, cur = start;
	while (seen_at[cur] == (size_t)-1) {
		seen_at[cur] = len;
		cycle[len++] = cur;
		size_t next = cur;
		for (size_t j = dstart[cur]; j < dstart[cur + 1]; j++)
			if (indeg[dlist[j]]) {
				next = dlist[j];
				break;
			}
		if (next == cur)	/* cannot happen: an unplaced node waits on one */
			break;
		cur = next;
	}
	size_t from = seen_at[cur] == (size_t)-1 ? 0 : seen_at[cur];
	*ncycle = len - from;
	for (size_t k = 0; k < *ncycle; k++)
		cycle[k] = cycle[from + k];
}

int depsort(size_t n, const struct depsort_edge *edges, size_t nedges,
	    int (*cmp)(size_t a, size_t b, void *ctx), void *ctx,
	    size_t *order, size_t *placed, size_t *cycle, size_t *ncycle)
{
	size_t *rstart = NULL, *rlist = NULL, *dstart = NULL, *dlist = NULL;
	size_t *indeg = calloc(n + 1, sizeof *indeg);
	struct heap h = { malloc((n + 1) * sizeof *h.v), 0, cmp, ctx };
	size_t done = 0;
	int ret = -ENOMEM;
	if (!indeg || !h.v || group(n, edges, nedges, 1, &rstart, &rlist) ||
	    group(n, edges, nedges, 0, &dstart, &dlist))
		goto out;
	for (size_t i = 0; i < nedges; i++)
		if (edges[i].from != edges[i].to)
			indeg[edges[i].from]++;
	for (size_t k = 0; k < n; k++)
		if (!indeg[k])
			heap_push(&h, k);
	while (h.n) {
		size_t k = heap_pop(&h);
		order[done++] = k;
		for (size_t j = rstart[k]; j < rstart[k + 1]; j++)
			if (--indeg[rlist[j]] == 0)
				heap_push(&h, rlist[j]);
	}
	ret = 0;
	if (done < n) {
		ret = -ELOOP;
		if (cycle && ncycle)
			find_cycle(n, dstart, dlist, indeg, cmp, ctx, cycle, ncycle, h.v);
	}
	if (placed)
		*placed = done;
out:
	free(indeg);
	free(h.v);
	free(rstart);
	free(rlist);
	free(dstart);
	free(dlist);
	return ret;
}
