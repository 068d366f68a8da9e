/*
 * plan: staged edits -> ordered migration files with hazards. Pure: no
 * server, no I/O; unit-tested with hand-built catalogs.
 *
 * Statements are ordered by phase so that every statement finds what it
 * needs: drops of dependents (foreign keys, constraints, indexes) before
 * drops of columns and tables, renames before anything that uses the new
 * names, tables before the columns, keys and indexes on them, and foreign
 * keys last. Two kinds of statement never share a file with anything else:
 * ALTER TYPE ... ADD VALUE (a new enum value cannot be used in the
 * transaction that adds it) comes first in a file of its own, and each
 * CREATE INDEX CONCURRENTLY (which cannot run in a transaction) gets its own
 * file after the main one.
 *
 * Everything in a struct plan is malloc'd and owned by it (plan_free).
 */
#ifndef SCHEMAFS_PLAN_H
#define SCHEMAFS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

struct catalog;
struct stage;

struct plan_file {
	char *name;		/* "0007_booking_add_notes.sql" */
	char *sql;		/* hazard comments, then the statements */
	char *hazards;		/* one hazard per line, "" when none */
};

struct plan {
	struct plan_file *files;
	size_t nfiles;
};

/* Plans the edits of ST against LIVE (DESIRED = stage_desired(LIVE, ST)).
 * Files are numbered from FIRST (0007 for 7). An empty stage gives no file. */
void plan_build(struct plan *p, const struct catalog *live, const struct catalog *desired,
		const struct stage *st, int first);
void plan_free(struct plan *p);

/* Does changing a column from type FROM to TO (format_type's text) go
 * through text, ALTER COLUMN ... TYPE TO USING col::text::TO? Yes when TO
 * is one of DESIRED's enums (or an array of one) and FROM another type:
 * PostgreSQL has no assignment cast into an enum, and every value that is
 * one of its labels converts through its text. Other pairs without an
 * assignment cast (text to integer, ...) are a decision about the data:
 * planned without USING, the dry run refuses them with PostgreSQL's hint. */
bool plan_type_via_text(const struct catalog *desired, const char *from, const char *to);

#endif
