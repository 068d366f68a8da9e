/*
 * tree_build.h: the tree builder, shared by fs/tree.c (which owns it:
 * nodes, table directories, the tree's assembly) and fs/tree_kinds.c
 * (which builds each schema's and the database's object directories and
 * migrations/). Private to those two.
 *
 * Single-threaded: a builder belongs to the one call of tree_build_from()
 * or tree_render_table() that made it. Nodes it makes live in b->arena.
 */
#ifndef SCHEMAFS_TREE_BUILD_H
#define SCHEMAFS_TREE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "strbuf.h"
#include "tree.h"

struct arena;
struct catalog;
struct cat_objfile;
struct cat_relation;
struct cat_schema;
struct lazy;
struct tree_sub;

/* While building, a directory's kids are a malloc'd vector grown in powers
 * of two; tree.c's finish() sorts them and moves them into the arena. */
struct builder {
	struct tree *t;
	struct arena *arena;	/* where nodes go: the tree's, or a table's own */
	const struct catalog *cat;	/* what is being built */
	const struct tree *prev;	/* whose table directories may be reused */
	const struct tree_extras *extras;
	struct tree_sub *subs;	/* the tree's, as they are added (malloc'd) */
	size_t nsubs;
	struct lazy **lazies;	/* the tree's lazy files (malloc'd vector) */
	size_t nlazies;
	struct timespec now;
	struct strbuf name;	/* scratch: escaped names */
	struct strbuf body;	/* scratch: rendered files */
};

/* A node named b->name in DIR (NULL: none, for a root). */
struct node *tb_node(struct builder *b, struct node *dir, bool is_dir);

/* A directory named RAW (escaped here) in DIR. */
struct node *tb_mkdir(struct builder *b, struct node *dir, const char *raw);

/* A file named RAW (escaped) + SUFFIX in DIR, holding what was rendered
 * into b->body, which is then reset. */
void tb_file(struct builder *b, struct node *dir, const char *raw, const char *suffix);

/* A lazy file NAME (a literal: no escaping needed) in DIR, rendered by
 * tree_file() from schema S (NULL: the whole database); ERD: erd.md. */
void tb_lazy(struct builder *b, struct node *dir, const char *name, const struct cat_schema *s, bool erd);

/* The staged object file of NAME in DIR ("views", "triggers" ...) of
 * SCHEMA (and TABLE, or NULL), or NULL: it replaces the object's own
 * rendering. Points into CAT. */
const struct cat_objfile *tb_staged_file(const struct catalog *cat, const char *dir, const char *schema,
					 const char *table, const char *name);

/* Files in D for the staged object files of DIR in SCHEMA (and TABLE)
 * that are not removals. */
void tb_staged_files(struct builder *b, struct node *d, const struct catalog *cat, const char *dir,
		     const char *schema, const char *table);

/* R's directory in TABLES, listed under DIR ("tables", "foreign_tables")
 * of the schema directory SCHEMA: shared with the previous tree when R is
 * unchanged, rendered on first look (tree.h: Lazy table directories). */
void tb_table(struct builder *b, struct node *tables, const char *schema, const char *dir,
	      const struct cat_relation *r);

/* tree_kinds.c: schemas/<S>/ with every kind's directory, in SCHEMAS. */
void tb_schema(struct builder *b, struct node *schemas, const struct catalog *cat,
	       const struct cat_schema *s);

/* tree_kinds.c: casts/, event_triggers/, publications/ and
 * foreign_data/{wrappers,servers}/ in the root: always present. */
void tb_global(struct builder *b, const struct catalog *cat);

/* tree_kinds.c: migrations/ in ROOT: status, journal.json, check,
 * pending/ and apply/ (not on a live-only mount), applied/. */
void tb_migrations(struct builder *b, struct node *root, const struct catalog *cat,
		   const struct tree_extras *ex);

#endif
