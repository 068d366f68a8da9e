/*
 * tree_sub.h: table directories shared between trees and rendered on
 * first look (tree.h: Ownership, Lazy table directories), shared by
 * fs/tree.c (which builds trees that hold them, and renders a table's
 * files) and fs/tree_sub.c (which makes, renders, lets go of and frees
 * them). Private to those two.
 */
#ifndef SCHEMAFS_TREE_SUB_H
#define SCHEMAFS_TREE_SUB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "tree.h"

struct arena;
struct catalog;
struct cat_relation;

/* One table's directory, shared by every tree whose catalog has the same
 * table (tree.h). malloc'd with its name; rendered once, on first use
 * (tree.h: Lazy table directories), into an arena of its own.
 *
 * Written before any tree holding it is published: the root's name,
 * nsubdirs, hash and mtime (tree_inherit() may set the mtime of a new
 * one), key, fresh, and carry (tree_dir_carry). Under sub_lock, once: the
 * root's kids and nkids, arena and bytes, and carry (freed), then done by
 * a release store. used, refs: atomic; evict: model_lock. */
struct subtree {
	struct node root;		/* the table's directory; root.sub is this */
	struct arena *arena;		/* its rendered nodes; NULL before */
	unsigned long long key;		/* tree_table_key() */
	struct timespec fresh;		/* mtime of what no record says otherwise */
	char *carry;			/* records kept for it (tree_dir_carry) */
	size_t ncarry;
	size_t bytes;			/* its arena's size, once rendered */
	long used;			/* atomic (relaxed): when last looked into,
					 * seconds of CLOCK_MONOTONIC_COARSE */
	bool evict;			/* model_lock: tree_evict() chose it */
	int refs;			/* atomic */
	int done;			/* atomic: rendered (release/acquire) */
};

/* A tree's subtree, with the relation of that tree's catalog it is
 * rendered from when reached through the tree. */
struct tree_sub {
	struct subtree *st;
	const struct cat_relation *rel;
};

/* A new, unrendered directory for the table of KEY, named NAME (escaped,
 * LEN bytes; copied), made at NOW; FOREIGN: a foreign table's, which has
 * no indexes/ nor policies/. Its root's nsubdirs and listing hash are set
 * here. One reference, the caller's; malloc'd, freed by tree_sub_unref(). */
struct subtree *tree_sub_new(const char *name, size_t len, unsigned long long key, bool foreign,
			     struct timespec now);

/* T's entry of the subtree of KEY (T's subs are sorted by key), or NULL;
 * T may be NULL. The entry is T's. */
const struct tree_sub *tree_sub_find(const struct tree *t, unsigned long long key);

void tree_sub_ref(struct subtree *st);

/* Drops a reference; the last frees ST and what it rendered. */
void tree_sub_unref(struct subtree *st);

/* A table's directory as rendered (tree_render_table). */
struct table_render {
	struct arena *arena;	/* holds kids and all below: the caller's */
	struct node **kids;	/* sorted; NULL when none */
	size_t nkids, nsubdirs;
	size_t bytes;		/* the arena's size */
};

/* In tree.c: the files of R's directory, rendered from CAT (R's catalog)
 * with mtime NOW, into OUT->arena, new, of its exact size. R NULL: an
 * empty directory. */
void tree_render_table(const struct catalog *cat, const struct cat_relation *r, struct timespec now,
		       struct table_render *out);

#endif
