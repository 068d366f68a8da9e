/*
 * depsort: a topological sort with stable tie-breaking. Pure: no I/O, no
 * globals; unit-tested without a server (tests/unit/test_depsort.c).
 *
 * Nodes are 0..n-1; an edge {from, to} says FROM depends on TO, so TO comes
 * first. Among the nodes whose dependencies are all placed, the least by
 * CMP comes next (Kahn's algorithm with a heap): the same input always
 * gives the same order, and nodes no edge constrains keep CMP's order.
 * Self-edges and duplicate edges are allowed (a self-edge is ignored).
 *
 * The caller owns every array; depsort() allocates only scratch memory,
 * freed before it returns.
 */
#ifndef SCHEMAFS_DEPSORT_H
#define SCHEMAFS_DEPSORT_H

#include <stddef.h>

struct depsort_edge {
	size_t from, to;
};

/* Returns 0 with ORDER[0..n) the nodes in order. When the edges hold a
 * cycle: -ELOOP, with ORDER[0..*placed) the nodes placed before the sort
 * stalled, and CYCLE[0..*ncycle) (room for n) the nodes of one cycle, each
 * depending on the next and the last on the first. -ENOMEM when out of
 * memory. PLACED and the cycle outputs may be NULL. */
int depsort(size_t n, const struct depsort_edge *edges, size_t nedges,
	    int (*cmp)(size_t a, size_t b, void *ctx), void *ctx,
	    size_t *order, size_t *placed, size_t *cycle, size_t *ncycle);

#endif
