/*
 * plan_int.h: what plan.c and plan_table.c share: the phases a migration's
 * statements are ordered by, and the planner that collects them. Internal
 * to the planner.
 */
#ifndef SCHEMAFS_PLAN_INT_H
#define SCHEMAFS_PLAN_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "strbuf.h"

struct catalog;
struct stage;

enum phase {
	P_ENUM_RENAME,		/* with the ADD VALUEs when there are, else in the main file */
	P_ENUM,			/* own file, first */
	P_STRUCT_RENAME, P_STRUCT_CREATE,	/* plan_struct.h */
	P_DROP_OBJECT,		/* views, functions: before what they use is dropped */
	P_DROP_FK, P_DROP_CON, P_DROP_INDEX, P_DROP_COLUMN, P_DROP_TABLE, P_STRUCT_DROP,
	P_RENAME_TABLE, P_RENAME_COLUMN, P_STRUCT_RENAME_OBJ,
	P_DROP_DEP,		/* dependents of a column whose type changes (deps_stage.h), by the
				 * names the renames give them */
	P_CREATE_SEQUENCE,	/* a new sequence's CREATE: a column default may use it */
	P_CREATE_TABLE, P_ADD_COLUMN, P_ALTER_COLUMN,
	P_DROP_SEQUENCE,	/* after the DROP DEFAULT that used it (a serial made integer) */
	P_ADD_CON, P_CREATE_INDEX, P_ADD_FK,
	P_RECREATE_DEP,		/* ... created again, after everything they may use */
	P_OBJECT,		/* views, functions: once the tables and columns they use exist */
	P_RECREATE_OBJDEP,	/* dependents of a view or function dropped and created again */
	P_COMMENT,
	P_CONCURRENT,		/* one file each, last */
};

struct stmt {
	enum phase phase;
	size_t seq;		/* keeps the stage's order within a phase */
	char *sql;		/* "...;" */
	char *tag;		/* "booking_add_notes" */
	char *subject;		/* the table or type it changes */
	char *hazard;		/* NULL or one line */
};

struct planner {
	struct stmt *v;
	size_t n, cap;
	const struct catalog *live;
	const struct stage *st;
	const char *subject;	/* of the statements being added */
};

/* Appends a statement of phase PH: takes SQL's and HAZARD's text (both
 * left empty), copies TAG and the planner's subject. Aborts when the
 * statement vector cannot grow. */
void plan_add(struct planner *pl, enum phase ph, struct strbuf *sql, const char *tag, struct strbuf *hazard);

/* plan_table.c: the statements of table entry E of the stage. */
void plan_table(struct planner *pl, const cJSON *e, const struct catalog *desired);

#endif
