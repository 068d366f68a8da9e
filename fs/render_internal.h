/*
 * render_internal.h: the pieces of render.c that schema.sql places one by
 * one (render_order.c). Pure, as render.h; each appends to the caller's
 * strbuf.
 */
#ifndef SCHEMAFS_RENDER_INTERNAL_H
#define SCHEMAFS_RENDER_INTERNAL_H

#include <stdbool.h>

#include "catalog.h"
#include "strbuf.h"

/* CREATE TABLE with its columns; a column whose NODEFAULT[i] is true
 * (NODEFAULT may be NULL) without its default, set after by ALTER. */
void render_create_table(struct strbuf *sb, const struct cat_relation *r, const bool *nodefault);
void render_create_sequence(struct strbuf *sb, const struct cat_relation *r);
void render_sequence_owner(struct strbuf *sb, const struct cat_relation *r);
/* COMMENT ON <what> <name> IS '...'; each nothing without a comment. */
void render_comment_on(struct strbuf *sb, const char *what, const char *name, const char *comment);
void render_comment_on_rel(struct strbuf *sb, const char *what, const struct cat_relation *r,
			   const char *sub, const char *comment);
void render_comment_on_part(struct strbuf *sb, const char *what, const struct cat_relation *r,
			    const char *qname, const char *comment);
/* Comments of a table and of its columns, keys, indexes and triggers. */
void render_table_comments(struct strbuf *sb, const struct cat_relation *r);
/* ALTER INDEX ... ATTACH PARTITION of index X; of R's keys' indexes (and,
 * with COPIES, of the keys R made before it was attached). */
void render_index_attach(struct strbuf *sb, const struct cat_relation *r, const struct cat_index *x);
void render_key_attaches(struct strbuf *sb, const struct cat_relation *r, bool copies);
/* ALTER TABLE ... DISABLE / ENABLE ... TRIGGER when not the default. */
void render_trigger_state(struct strbuf *sb, const struct cat_relation *r, const struct cat_trigger *t);
/* ENABLE / FORCE ROW LEVEL SECURITY. */
void render_rls(struct strbuf *sb, const struct cat_relation *r);
/* R's settings statements (struct cat_relation's settings). */
void render_settings(struct strbuf *sb, const struct cat_relation *r);

#endif
