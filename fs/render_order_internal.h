/*
 * render_order_internal.h: what fs/render_order.c (the items of schema.sql
 * and their order) and fs/render_emit.c (the text of each item) share.
 * Private to those two files.
 *
 * An order and its items are built and used by one thread, within one
 * render_schema_sql() call; items point into the catalog being rendered,
 * which outlives the call. The order owns its vectors (malloc'd).
 */
#ifndef SCHEMAFS_RENDER_ORDER_INTERNAL_H
#define SCHEMAFS_RENDER_ORDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "strbuf.h"

struct order;
struct item;
typedef void emit_fn(struct strbuf *sb, const struct item *it, const struct order *o);

struct item {
	emit_fn *emit;
	int prio;
	int k[3];		/* ties after prio: schema, position in its sorted list, part */
	char kind;		/* struct cat_dep's key; 0: none */
	unsigned oid;
	int sub;
	const void *obj, *aux;
	size_t col;		/* defaults: the column's index */
	long owner;		/* a default still inside its table's CREATE: that item; else -1 */
	bool *nodefault;	/* tables: the columns whose default is set after */
	bool split;		/* views: made as a stand-in first */
	long shell;		/* base types: the item of its shell (CREATE TYPE t;), else -1 */
};

struct raw_edge {
	size_t from, to;
};

struct order {
	struct item *v;
	size_t n, cap;
	struct raw_edge *e;
	size_t ne, ecap;
	const struct catalog *cat;
	const struct cat_schema *const *schemas;
	size_t nschemas;
	const struct cat_relation **all;	/* tables and foreign tables in scope */
	size_t nall;
	struct relpos *by_ptr, *by_oid;	/* all's positions, sorted by (key,
					 * position): a foreign key's table and a
					 * parent are found without a scan of all
					 * (one per key made schema.sql quadratic) */
	bool whole_db;
	int err;
};

/* A relation of o->all: its pointer or its oid, and its position. */
struct relpos {
	uintptr_t key;
	size_t pos;
};

/* The first entry of V (N, sorted by key then position) with KEY; N when
 * none. */
size_t relpos_first(const struct relpos *v, size_t n, uintptr_t key);

/* The emitters: one per kind of item (render_emit.c). Each appends its
 * item's statements to SB. */
emit_fn emit_schema;
emit_fn emit_extension;
emit_fn emit_collations;
emit_fn emit_operators;
emit_fn emit_type;
emit_fn emit_shell;
emit_fn emit_function;
emit_fn emit_cast;
emit_fn emit_opclass;
emit_fn emit_conversion;
emit_fn emit_ts;
emit_fn emit_fdw;
emit_fn emit_server;
emit_fn emit_sequence;
emit_fn emit_owned;
emit_fn emit_table;
emit_fn emit_default;
emit_fn emit_partkeys;
emit_fn emit_constraint;
emit_fn emit_index;
emit_fn emit_attach;
emit_fn emit_view;
emit_fn emit_view_replace;
emit_fn emit_trigger;
emit_fn emit_rls;
emit_fn emit_policy;
emit_fn emit_settings;
emit_fn emit_comments;
emit_fn emit_seqcomment;
emit_fn emit_privs;
emit_fn emit_publication;
emit_fn emit_evtrigger;

#endif
