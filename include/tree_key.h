/*
 * tree_key: a 64-bit digest of everything a table's directory is rendered
 * from (tree.c's build_table: the relation with its columns, indexes,
 * constraints, triggers, policies, settings and privileges, the identity
 * sequences it names, its schema's name, and the staged trigger and policy
 * files of the table). Two relations with the same key render the same
 * directory, byte for byte, so a new tree may reuse the old tree's one
 * (tree.h). Pure: no I/O, no globals, no allocation.
 *
 * Every field of struct cat_relation and of the structs it holds is
 * hashed, whether rendering reads it today or not (but the loader's
 * estimates, reltuples and rowcount, which no file shows): a field added to
 * catalog.h must be added here too (the size checks in tree_key.c fail
 * the build until it is).
 */
#ifndef SCHEMAFS_TREE_KEY_H
#define SCHEMAFS_TREE_KEY_H

struct catalog;
struct cat_relation;

unsigned long long tree_table_key(const struct catalog *cat, const struct cat_relation *r);

#endif
