/*
 * lint: reviews a migration file before it runs, whoever wrote it, with
 * PostgreSQL's own parser (libpg_query: PostgreSQL 15's grammar). Each
 * top-level statement's parse tree is checked against rules named as squawk
 * names them (adding-not-nullable-field, require-concurrent-index-creation,
 * ...; the list is lint_rules). A table created in the same file is exempt
 * from the rules about existing tables: it has no rows and no readers yet.
 *
 * Pure: no server, no I/O, no FUSE. The parser is called behind sqltx's
 * lock (sqltx_parser_enter). Row estimates come from the caller through a
 * lookup (lint_rows_fn), so the module never asks the server.
 *
 * Memory: a struct lint_result owns everything in it (lint_result_free).
 * A struct lint_cache owns its results; the pointer lint_cache_get returns
 * stays valid until the next lint_cache_sweep or lint_cache_free. A cache
 * has no lock of its own: its owner serializes calls (database.c: model_lock).
 */
#ifndef SCHEMAFS_LINT_H
#define SCHEMAFS_LINT_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* One rule, and one way of breaking it: some rules have several (SET NOT
 * NULL and ADD COLUMN NOT NULL are both adding-not-nullable-field), each
 * with its own reason and remedy. */
struct lint_rule {
	const char *name;	/* squawk's name */
	const char *why;	/* why it matters, one phrase */
	const char *safe;	/* the safe way, one phrase */
};

/* Every rule entry, for the docs and tests; ends with a NULL name. */
extern const struct lint_rule lint_rules[];

struct lint_hazard {
	const struct lint_rule *rule;	/* into lint_rules */
	int stmt;			/* 1-based statement number */
	int line;			/* 1-based line the statement starts on */
	char *object;			/* as written ("s.booking", "booking"), or NULL */
	bool is_table;			/* OBJECT is a table (a row estimate applies) */
};

struct lint_result {
	int nstmts;			/* statements in the file */
	struct lint_hazard *hazards;	/* in statement order */
	size_t nhazards;
	char *error;			/* the parser's message when it cannot read
					 * the file (then no hazards), else NULL */
	int error_line;			/* its 1-based line; 0 when unknown */
};

/* Reviews SQL (LEN bytes, no NUL needed) into *OUT. 0, or -ENOMEM (then
 * *OUT is empty). A file the parser cannot read is not an error: OUT->error. */
int lint_file(const char *sql, size_t len, struct lint_result *out);
void lint_result_free(struct lint_result *r);

/* Estimated rows of TABLE (as written in the file), or a negative number
 * when unknown. */
typedef double (*lint_rows_fn)(void *ctx, const char *table);

/* Appends R for migrations/status: one "    hazard RULE: statement I of N
 * (line L), TABLE (~R rows): WHY; SAFE" line per hazard, or one "    not
 * reviewed: ..." line when the parser could not read the file. ROWS may be
 * NULL (no estimates). */
void lint_render(struct strbuf *sb, const struct lint_result *r, lint_rows_fn rows, void *ctx);

/* Results by file content, so that a file is parsed once, not on every
 * rebuild of status. */
struct lint_cache;
struct lint_cache *lint_cache_new(void);	/* NULL when out of memory */
void lint_cache_free(struct lint_cache *c);
/* The review of SQL (LEN bytes), from the cache or made now; NULL only
 * when out of memory. */
const struct lint_result *lint_cache_get(struct lint_cache *c, const char *sql, size_t len);
/* Drops the results not asked for since the previous sweep (files gone
 * from pending/ or changed). */
void lint_cache_sweep(struct lint_cache *c);

#endif
