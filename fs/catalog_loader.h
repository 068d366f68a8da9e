/*
 * catalog_loader.h: private to catalog.c, catalog_parts.c,
 * catalog_global.c, catalog_foreign.c,
 * catalog_textsearch.c, catalog_opclass.c and catalog_conversion.c, the parts of one snapshot load. Every string a helper
 * returns belongs to the catalog's arena. Used by one thread, the one loading.
 */
#ifndef SCHEMAFS_CATALOG_LOADER_H
#define SCHEMAFS_CATALOG_LOADER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"

struct loader {
	PGconn *conn;
	struct catalog *cat;
	char *err;
	size_t errlen;
	const char *schema_oids;	/* "{1,2,3}": $1 of the per-kind queries */
	bool privileges, owners;	/* the filter's: which of cat_privs to keep */
	const char *rel_oids;	/* "{1,2}": $2 of the per-relation queries, the
				 * relations read again; NULL: all of them */
	const struct catalog *prev;	/* an incremental load's previous catalog */
	PGresult *changes;	/* SQL_REL_CHANGES' rows, by OID (row 0: the snapshot) */
	unsigned *change_oids;	/* their OIDs, parsed once (arena; [0] unused) */
	const struct catalog *count_from;	/* PREV when the change query's
				 * answer is slim (rows only for the relations
				 * read again: one without a row is PREV's as it
				 * was), kept once a full read is chosen: the
				 * counts of the relations without a row; NULL
				 * otherwise */
	const char *fp;		/* the fingerprint taken in this snapshot before the
				 * load (catalog_refresh), or NULL: what incr_plan()
				 * compares with PREV's */
	const struct cat_fresh *fresh;	/* the new rows it listed (or NULL) */
	struct aux *aux;	/* a full load's second connection, or NULL */
	struct rel_copy *copy;	/* PREV's relations copied ahead (catalog_refresh()
				 * owns it), or NULL */
	bool by_kind;		/* may plan by kind (run_planned(); the catalog's
				 * plans say CAT_PLANS_BY_KIND once it switched) */
	bool one_now;		/* the last query kept one plan (SET LOCAL in
				 * effect) */
};

/* A full load's longest queries on a second connection in the same
 * snapshot (catalog_aux.c). aux_start() exports the loader's snapshot
 * (two round trips, not counted in cat->queries) and starts a thread that runs WANT (templates as
 * run() gets them, with their parameters, which must stay valid until
 * aux_end()); NULL: not started, with the reason logged (when the export
 * failed, the loader's transaction is aborted). run() calls aux_take():
 * true when the query was sent there, with its result in *RES (the
 * caller's), NULL when the caller must run it (failed there, or not
 * started yet: it is not waited for); false when there is no A, A was not
 * given that query, or it is running there but this thread gives up
 * (pg_giving_up(): the caller's own query then fails at once, and
 * aux_end() cancels the one there). aux_end() stops and joins the
 * thread, clears what was not taken and logs what happened (NULL: nothing
 * to do); true when something failed there (the connection, the
 * snapshot's import, a query: not a stop it asked for). Used by the
 * loading thread only. */
struct aux;
struct aux_want {
	const char *tmpl;
	int nparams;
	const char *params[2];
	bool later;	/* the read goes on without it (catalog_finish_deps()) */
};
struct aux *aux_start(struct loader *ld, const struct aux_want *want, size_t n);
/* The same on CONN (in a REPEATABLE READ transaction) outside a load (the
 * fingerprint's second part): of the test hooks, SCHEMAFS_TEST_AUX_WAIT
 * only gives it its query before it starts (no wait for the file), and
 * aux_end() logs nothing unless something failed. */
struct aux *aux_start_on(PGconn *conn, const struct aux_want *want, size_t n);
bool aux_take(struct aux *a, const char *tmpl, int nparams, const char *const *params, PGresult **res);
/* Whether the second connection has finished the query of TMPL (its
 * result, or its failure, is there): taking it now does not wait. False
 * without A. */
bool aux_ready(struct aux *a, const char *tmpl);
/* Whether the result of TMPL taken by aux_take() came from the second
 * connection (its thread allocated it). False without A. */
bool aux_used(struct aux *a, const char *tmpl);
/* Whether A was given TMPL's query (false without A). */
bool aux_has(struct aux *a, const char *tmpl);
bool aux_end(struct aux *a, const char *dbname);
/* The relations' parts a full read of many relations gives the second
 * connection: the columns', indexes' and constraints' (aux_parts). */
#define AUX_PARTS 3
/* With DEPS_LATER (a mount's first read): the indexes, the dependency
 * map, which the read leaves to that connection (catalog_finish_deps()),
 * and the constraints; the columns stay on the loader's. */
struct aux *aux_start_parts(struct loader *ld, bool deps_later);
/* Loads those parts not DONE yet (DONE: AUX_PARTS flags) that the second
 * connection has finished, and the first WAIT ones whatever (run on this
 * connection when there is none): 0, or -1 with ld->err. */
int load_aux_parts(struct loader *ld, bool *done, size_t wait);

/* Incremental loads (catalog_incr.c). incr_plan() runs SQL_REL_CHANGES
 * and sets ld->rel_oids (arena) and ld->changes (the caller PQclears it):
 * 0, 1 when PREV must not be used after all (a view changed, or most
 * relations did: ld->rel_oids stays NULL), -1 on error. */
int incr_plan(struct loader *ld);
/* After the relations read again are in cat->rels (by OID): merges
 * copies of the unchanged ones from ld->prev into them in OID order (the
 * ones made ahead, catalog_copy.c, or made here; cat->rels must have
 * room: incr_count()) and points the copies at this catalog's schemas and
 * relations. Sets every relation's rowcount, then frees ld->changes
 * (NULL after). */
size_t incr_count(const struct loader *ld);
void incr_merge(struct loader *ld);
/* Copies of a previous catalog's relations (catalog_copy.c). copy_rel()
 * copies S deep into A; pointers to other relations and to the schema
 * still name S's catalog's (incr_merge() relinks them). rel_copy_start()
 * starts a thread that copies all of PREV's relations into an arena of its
 * own (NULL: not started; the merge copies them itself); PREV must stay
 * alive and unmodified until rel_copy_end(). rel_copy_take() waits for it
 * and returns the copies, PREV's nrels of them in its order, moving what
 * they hold into arena INTO (which then owns it); the array itself stays
 * C's (valid until rel_copy_drop() or rel_copy_end(): copy the structs
 * out). NULL without C, when C copied another catalog than PREV, or
 * taken or dropped already. rel_copy_drop() waits for the thread and
 * frees what was not taken (a full read follows: not held through it).
 * rel_copy_end() does that and frees C (NULL: nothing). The loading
 * thread alone calls them. */
void copy_rel(struct arena *a, struct cat_relation *d, const struct cat_relation *s);
struct rel_copy;
struct rel_copy *rel_copy_start(const struct catalog *prev);
const struct cat_relation *rel_copy_take(struct rel_copy *c, const struct catalog *prev, struct arena *into);
void rel_copy_drop(struct rel_copy *c);
void rel_copy_end(struct rel_copy *c);

/* Why catalog_load_one() failed in a way that reading again mends (RETRY). */
enum { RETRY_FULL = 1,		/* PREV cannot be used after all */
       RETRY_ONE_CONN = 2 };	/* the snapshot's export failed (catalog_aux.c) */

/* One load; PREV, when not NULL, makes it incremental. *RETRY is set when
 * it must be done again: RETRY_FULL in full (the catalogs outside the
 * relations changed after the caller looked), RETRY_ONE_CONN without a
 * second connection. HERE: in the caller's open
 * transaction, which it neither begins nor ends (catalog_load_here). FP:
 * the fingerprint catalog_refresh() took in this transaction (it began
 * it), kept instead of taking another at the end; NULL otherwise. FRESH:
 * the new rows it listed since PREV's snapshot, or NULL. COPY: PREV's
 * relations being copied ahead (catalog_copy.c; the caller ends it), or
 * NULL. */
struct catalog *catalog_load_one(PGconn *conn, const struct catalog_filter *filter, const struct catalog *prev,
				 bool leave_open, bool here, const char *fp, const struct cat_fresh *fresh,
				 struct rel_copy *copy, char *err, size_t errlen, int *retry);

/* The per-relation queries: $1 the schemas, $2 ld->rel_oids. */
PGresult *run_per_rel(struct loader *ld, const char *sql);

/* Row ROW's owner and ACL statements from columns COL and COL + 1, each
 * kept only when its key is on. */
struct cat_privs col_privs(struct loader *ld, PGresult *res, int row, int col);

/* Result values copied into the arena (NULL for SQL NULL). */
const char *col_str(struct loader *ld, PGresult *res, int row, int col);
bool col_bool(PGresult *res, int row, int col);
char col_char(PGresult *res, int row, int col);
long long col_ll(PGresult *res, int row, int col);
/* Queries, counted in cat->queries; NULL with ld->err on failure. run()
 * takes a static template (catalog_sql.h) and expands its placeholders for
 * the server's major (pgversion.h); run_text() sends SQL as it is, for
 * text built at run time (which may hold "{{" in a name). */
PGresult *run(struct loader *ld, const char *tmpl, int nparams, const char *const *params);
/* run() for a query planned once for every value of its parameters
 * (pg_exec_static_generic). */
PGresult *run_generic(struct loader *ld, const char *tmpl, int nparams, const char *const *params);
PGresult *run_text(struct loader *ld, const char *sql, int nparams, const char *const *params);
/* run() in a read that plans by kind (ld->by_kind): a query whose one
 * plan, made once per session, serves every run when ONE, else planned for
 * its values at every run; a SET LOCAL switches between the two when the
 * last query's differs. In any other read ONE changes nothing. The
 * queries of the relations read again (run_per_rel) are planned for their
 * values: a plan made for any list of OIDs scans whole catalogs.
 * run_per_schema's keep one: their only parameter, the schemas, is the
 * same at every run, and no catalog they scan has an index that leads
 * with the schema. A query with parameters run through run() alone (the
 * tracking table's lookups by name) gets whichever the last switch set:
 * they are single-row lookups either way. */
PGresult *run_planned(struct loader *ld, const char *tmpl, int nparams, const char *const *params, bool one);
PGresult *run_per_schema(struct loader *ld, const char *sql);

int by_name(const char *a, const char *b);
struct cat_schema *schema_by_oid(struct catalog *cat, unsigned oid);
struct cat_relation *rel_by_oid(const struct catalog *cat, unsigned oid);
const unsigned *parse_oids(struct loader *ld, const char *text, size_t *n);
void omit(struct catalog *cat, const char *what, const struct cat_schema *s, const char *qname);

/* The per-kind loaders (catalog_parts.c); each returns 0 or -1. */
void fill_columns(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to);
void fill_indexes(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to);
void fill_constraints(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to);
void fill_triggers(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to);
void fill_policies(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to);
void fill_settings(struct loader *ld, PGresult *res, struct cat_relation *r, int from, int to);
int load_rel_parts(struct loader *ld, const char *sql,
		   void (*fill)(struct loader *, PGresult *, struct cat_relation *, int, int));
int load_functions(struct loader *ld);
int load_types(struct loader *ld);
int load_schema_texts(struct loader *ld, const char *sql, size_t list_off, size_t count_off);
int load_omitted(struct loader *ld);
/* ALTER DEFAULT PRIVILEGES: one query, only when ld->privileges. */
int load_default_acls(struct loader *ld);
/* The database-wide kinds (catalog_global.c), whatever the schema filter. */
int load_casts(struct loader *ld);
int load_event_triggers(struct loader *ld);
int load_publications(struct loader *ld);
/* Foreign data (catalog_foreign.c); load_foreign_tables() after the
 * relations and their columns. */
int load_fdws(struct loader *ld);
int load_servers(struct loader *ld);
int load_foreign_tables(struct loader *ld);
/* Text search objects (catalog_textsearch.c), after the schemas. */
int load_text_search(struct loader *ld);
/* Operator classes and families (catalog_opclass.c), after the schemas. */
int load_opclasses(struct loader *ld);
int load_opfamilies(struct loader *ld);
/* The dependencies between the objects read (catalog_deps.c): one query. */
int load_deps(struct loader *ld);
/* The full dependency map's query, as the second connection is given it. */
struct aux_want deps_aux_want(const struct loader *ld);

/* The tracking table's rows when it exists (catalog_tracking.c): three
 * queries at most. */
int load_tracking(struct loader *ld, const struct catalog_filter *f);
/* Encoding conversions (catalog_conversion.c), after the schemas. */
int load_conversions(struct loader *ld);

#endif
