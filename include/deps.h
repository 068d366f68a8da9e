/*
 * deps: the objects that depend on a column, a table or a view, read from
 * PostgreSQL's own dependency records (pg_depend, pg_rewrite) in one
 * batched query, with what it takes to drop each and to create it again.
 * Core: no FUSE, no stage.
 *
 *   kinds      views and materialized views (their _RETURN rule), rules on
 *              tables, policies, triggers, indexes, constraints (a foreign
 *              key on another table that references the column too), and
 *              sequences owned by a column.
 *   closure    a view on a view on the column is a dependent too: the
 *              query follows views through their rules, and DEPTH says how
 *              far from the object a dependent is (1: uses it directly,
 *              else 1 + the depth of the view it uses, the deepest way).
 *   order      deps_of() returns them by DEPTH descending, then by name:
 *              the order to drop them in (the outermost view first); the
 *              reverse is the order to create them in.
 *   text       every definition is deparsed by the server (pg_get_viewdef,
 *              pg_get_indexdef, pg_get_constraintdef, pg_get_triggerdef,
 *              pg_get_ruledef, a policy's parts) with search_path = public,
 *              as the catalog reads them; a view's WITH options, its
 *              INSTEAD OF triggers, a materialized view's indexes, the
 *              view's comment and, with PRIVILEGES, its grants go into its
 *              CREATE text, since dropping the view drops them.
 *
 * Objects are named by (schema, table/view, column) names, never by OID:
 * the same call works on the shadow database, whose OIDs are its own.
 *
 * Memory: a struct deps and its strings are malloc'd and owned by it
 * (deps_free). Connections are the caller's, used by one thread, inside a
 * transaction of the caller's when the caller changes anything first.
 */
#ifndef SCHEMAFS_DEPS_H
#define SCHEMAFS_DEPS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

enum dep_kind {
	DEP_VIEW = 'v', DEP_MATVIEW = 'm', DEP_RULE = 'r', DEP_POLICY = 'p', DEP_TRIGGER = 't',
	DEP_INDEX = 'i', DEP_CONSTRAINT = 'c', DEP_SEQUENCE = 'S',
	DEP_DEFAULT = 'd',	/* a column default that uses a function (deps_recreate only) */
};

struct dep {
	char kind;		/* enum dep_kind */
	char *schema;		/* raw schema of the object (of its table for i, c, t, p, r) */
	char *rel;		/* raw name: the view itself, or the table it is on */
	char *name;		/* raw: the view's, the index's, the constraint's, ... */
	char *shown;		/* "view public.active_customer", "constraint booking_check on public.booking" */
	char *drop_sql;		/* "DROP VIEW public.active_customer;" */
	char *create_sql;	/* one or more statements, each ending in ";", "\n"-separated */
	char *def;		/* i, c, t, r: its deparsed definition as the tree shows it;
				 * v, m: pg_get_viewdef; p: NULL (qual and check below) */
	char *qual, *check;	/* p: pg_get_expr of USING and WITH CHECK, NULL when absent */
	int depth;
	bool normal;		/* normal dependencies only: DROP without CASCADE refuses while
				 * it exists (one automatic dependency, as a CHECK has on its
				 * columns besides its expression's, and it is dropped with the
				 * object, as PostgreSQL's findDependentObjects decides) */
};

struct deps {
	struct dep *v;
	size_t n;
};

/* What depends on SCHEMA.REL (a table or a view), or on its column COLUMN
 * when COLUMN is not NULL. PRIVILEGES: put a view's grants into its CREATE
 * text. 0, or -1 with the server's message in ERR (OUT then empty). */
int deps_of(PGconn *conn, const char *schema, const char *rel, const char *column, bool privileges,
	    struct deps *out, char *err, size_t errlen);

/*
 * For an object whose new definition needs DROP + CREATE (edit_objdeps.c):
 * drops every view, materialized view, rule, policy and trigger that
 * depends on relation SCHEMA.NAME, or on function SCHEMA.NAME(ARGS) when
 * ARGS (its identity arguments) is not NULL (then column defaults too), outermost first; runs
 * REPLACE (the object's DROP and new definition: statements, or NULL to
 * only drop them), then creates the dependents again, innermost first, all
 * on CONN in the caller's transaction (roll it back to only try). Those on
 * the object itself (a view's INSTEAD OF triggers) go with it and are not
 * counted. OUT (may be NULL) gets the dependents, for hazards and for a
 * plan's drop and create statements. 0, or -1 with ERR naming the
 * statement's object ("view public.v2 cannot be created again after the
 * change: ...").
 */
int deps_recreate(PGconn *conn, const char *schema, const char *name, const char *args, const char *replace,
		  bool privileges, struct deps *out, char *err, size_t errlen);

/* The dependents that must be dropped before a column's type can change and
 * created again after: views, materialized views, rules, policies and
 * triggers (PostgreSQL rebuilds indexes and constraints itself). Keeps them
 * in D, in D's order; frees the others. */
void deps_keep_retype(struct deps *d);

/* Runs every drop_sql of D in order, then SQL (NULL: none), then every
 * create_sql in reverse order, on CONN in the caller's transaction. 0, or
 * -1 with ERR naming what failed. */
int deps_run_around(PGconn *conn, const struct deps *d, const char *sql, char *err, size_t errlen);

void deps_free(struct deps *d);

#endif
