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

/* The same key, from the memo of the relation's own part (key_memo in
 * catalog.h) when R has one, else computed. */
unsigned long long tree_table_key_memo(const struct catalog *cat, const struct cat_relation *r);

/* Memoizes the own part of every relation of CAT that has no memo yet:
 * computed once per relation read, not at every install. Only for a
 * catalog no other thread sees yet and whose relations are not edited
 * after (a load's, before it is installed): the memo is never written
 * after. A relation an incremental load copies from the previous
 * snapshot keeps its memo (catalog_copy.c): the relations whose fields it
 * points at (identity sequences, referenced tables) were read again, and
 * it with them, if they changed. A desired catalog's edited copies (made
 * by assignment, at another address) compute theirs each time. */
void tree_key_memoize(struct catalog *cat);

#endif
