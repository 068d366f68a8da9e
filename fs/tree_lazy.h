/*
 * tree_lazy.h: the whole-schema files a tree renders on first use
 * (tree.h: Lazy files), shared by fs/tree.c (which builds and inherits
 * them) and fs/tree_lazy.c (which renders them). Private to those two.
 *
 * A struct lazy is in its tree's arena. Its carried record and fresh time
 * are written only before the tree is published (tree_lazy_new,
 * tree_lazy_inherit, tree_file_carry), under the database's model_lock;
 * done, and the node's data, size, hash and mtime, once, under the tree's
 * lazy_lock (published by a release store of done); buf is freed with the
 * tree (tree_lazy_free).
 */
#ifndef SCHEMAFS_TREE_LAZY_H
#define SCHEMAFS_TREE_LAZY_H

#include <stdbool.h>
#include <time.h>

#include "tree.h"

struct arena;
struct cat_schema;

/* A whole-schema file rendered on first use (tree.h: Lazy files). */
struct lazy {
	const struct cat_schema *schema;	/* NULL: the database's schema.sql */
	bool erd;				/* erd.md, else schema.sql */
	int done;				/* atomic: the node's data, size, hash
						 * and mtime are set (release/acquire) */
	/* Set before the tree is published, read only afterwards: */
	bool carried;				/* the path's last known record: */
	unsigned long long carry_hash;
	struct timespec carry_mtime;
	struct timespec fresh;			/* the mtime when the hash is another */
	char *buf;				/* malloc'd: the rendered bytes */
};

/* A lazy record in A for schema S's erd.md (ERD) or schema.sql (S NULL:
 * the database's); NOW is its mtime when no record says otherwise. */
struct lazy *tree_lazy_new(struct arena *a, const struct cat_schema *s, bool erd, struct timespec now);

/* Z (unrendered, of a tree not yet published) after file O of OT: takes
 * O's record, rendered or carried; SAME (both built from the same catalog)
 * also O's fresh time. Waits for a render of O in progress. */
void tree_lazy_inherit(struct lazy *z, const struct node *o, const struct tree *ot, bool same);

/* Frees what T's lazy files rendered, and T's lazy_lock (tree_unref). */
void tree_lazy_free(struct tree *t);

#endif
