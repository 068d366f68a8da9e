/*
 * probe: PostgreSQL validates what the user wrote, and says how it spells
 * it. Every probe runs in a transaction that is always rolled back, with a
 * short lock_timeout (PROBE_LOCK_TIMEOUT) so that it never queues behind,
 * or blocks, production traffic for long, and with search_path = public as
 * the catalog reads use, so canonical text matches the tree's (then
 * pg_temp, last: see below).
 *
 * A column is tried on a temporary table named like the user's table,
 * with the user's column name, so that PostgreSQL's messages and hints
 * name them; the temp table is always named with pg_temp, and pg_temp is
 * searched last so that its row type never hides a type of that name.
 * Errors are PostgreSQL's primary message, detail and hint (never
 * schemafs's own statement), with a position only when it falls in the
 * user's text, counted in that text.
 *
 * The user's text is sent as one statement of the extended protocol
 * (PQexecParams): a second statement, or a COMMIT, is refused by the server.
 * What is staged afterwards is read back from the catalogs, never the raw
 * text.
 *
 * The connection is the caller's (struct database's work connection, under
 * its work_lock). Strings in results are malloc'd: probe_column_free().
 */
#ifndef SCHEMAFS_PROBE_H
#define SCHEMAFS_PROBE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "pg.h"
#include "stage.h"

#define PROBE_LOCK_TIMEOUT "1s"
#define PROBE_STATEMENT_TIMEOUT "15s"
/* Each query of a probe gets no more than this from the client side
 * (pg_bound_set): PROBE_STATEMENT_TIMEOUT plus a margin. */
#define PROBE_BOUND_MS (15000 + PG_BOUND_MARGIN_MS)
/* Indexes and constraints are tried on the live table: only up to this
 * many rows (row estimate); bigger tables get a hand-written migration. */
#define PROBE_MAX_ROWS 100000

struct cat_relation;
struct cat_column;

/* Where the probed object lives: the table as it is live (NULL for a table
 * that is only staged) and as it is desired. */
struct probe_table {
	const struct cat_relation *live;
	const struct cat_relation *want;
};

/* A column definition (one line, without the name) for column NAME. OLD
 * is the live column being rewritten (NULL for a new one): a type change is
 * then tried too, and DEF->rewrite says whether it rewrites the table. */
int probe_column(PGconn *conn, const struct probe_table *t, const char *name,
		 const struct cat_column *old, const char *text, struct stage_coldef *def,
		 char *err, size_t errlen);
void probe_column_free(struct stage_coldef *def);

/* A CREATE INDEX statement that must create index NAME on the table
 * (CONCURRENTLY already removed by the caller). *DEF: pg_get_indexdef,
 * malloc'd. */
int probe_index(PGconn *conn, const struct probe_table *t, const char *name, const char *text,
		char **def, char *err, size_t errlen);

/* An ALTER TABLE ... ADD CONSTRAINT statement that must add constraint NAME
 * to the table. *DEF: pg_get_constraintdef (malloc'd), *TYPE: contype. */
int probe_constraint(PGconn *conn, const struct probe_table *t, const char *name, const char *text,
		     char **def, char *type, char *err, size_t errlen);

/* Enum labels of type QUAL (schema-qualified, quoted): NREN renames
 * (FROM[i] to TO[i], live labels), then N new LABELS, run in that order. */
int probe_enum_labels(PGconn *conn, const char *qual, const char *const *from, const char *const *to,
		      size_t nren, const char *const *labels, size_t n, char *err, size_t errlen);

/* The frame of a probe for other callers (objkind.h): BEGIN with the
 * probe's timeouts and search_path (0 or -1 with ERR), and its ROLLBACK. */
int probe_begin(PGconn *conn, char *err, size_t errlen);
/* The same settings inside a transaction the caller began (the shadow's,
 * shadow_run_txn): 0 or -1 with ERR. */
int probe_settings(PGconn *conn, char *err, size_t errlen);
void probe_rollback(PGconn *conn);
/* Runs SQL (the simple protocol: it may hold several statements) inside
 * the probe; on failure ERR gets PostgreSQL's message, detail and hint,
 * and a position counted in SQL when USER (the text is the user's). */
int probe_run(PGconn *conn, const char *sql, bool user, char *err, size_t errlen);

/* quote_ident(NAME), malloc'd, or NULL with ERR. */
char *probe_quote_ident(PGconn *conn, const char *name, char *err, size_t errlen);

/* The planner's row estimate for a live table: reltuples, or a bounded
 * count when the table was never analyzed. -1 when unknown. */
double probe_rows(PGconn *conn, const struct cat_relation *live);

#endif
