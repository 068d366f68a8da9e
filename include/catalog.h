/*
 * catalog: an immutable snapshot of one database's schema objects.
 *
 * catalog_load() reads it with a constant number of batched queries inside
 * one REPEATABLE READ READ ONLY transaction (one consistent view), whatever
 * the number of tables. Definitions are taken from PostgreSQL's own
 * deparsers (format_type, pg_get_expr, pg_get_indexdef, ...), read with
 * search_path = public, so text is canonical and stable. Names come both raw
 * (for file names) and quoted by quote_ident (for SQL text).
 *
 * Every string and array belongs to the catalog's arena: catalog_free()
 * releases all of it. Once loaded a catalog is never modified, so any number
 * of threads may read it without a lock. Lists are sorted (byte order of the
 * name) so that output never depends on OIDs or creation order.
 *
 * Unit tests build catalogs by hand with catalog_new() and the arena.
 */
#ifndef SCHEMAFS_CATALOG_H
#define SCHEMAFS_CATALOG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct cat_schema;

/*
 * An object's owner and privileges, as statements (catalog_sql.h's
 * OWNER_STMT and ACL_STMTS), each ending in ";", "\n"-separated, without a
 * final newline. owner is NULL unless the database's "owners" key is on;
 * acl is NULL unless "privileges" is on and the ACL differs from the one
 * the object starts with.
 */
struct cat_privs {
	const char *owner;	/* "ALTER TABLE s.t OWNER TO r;" */
	const char *acl;	/* "REVOKE ...;\nGRANT ...;" */
};

struct cat_column {
	const char *name, *qname;
	int attnum;
	const char *type;	/* format_type(atttypid, atttypmod) */
	const char *collation;	/* quoted collation when not the type's default, else NULL */
	bool notnull;		/* a NOT NULL that holds (18: not NOT VALID) */
	const char *notnull_name;	/* 18: quoted name of the NOT NULL when the table chose
					 * one other than PostgreSQL's default, else NULL */
	bool notnull_noinherit;	/* 18: NOT NULL ... NO INHERIT */
	const char *notnull_conname, *notnull_qconname;	/* 18: its name, raw and quoted,
					 * default or not (NULL before 18) */
	const char *defexpr;	/* pg_get_expr(adbin), NULL when none (or generated expr) */
	char identity;		/* 0, 'a' (ALWAYS), 'd' (BY DEFAULT) */
	char generated;		/* 0, 's' (STORED) or 'v' (18: VIRTUAL); defexpr holds the expression */
	bool islocal;		/* false for columns inherited from a parent */
	const char *comment;
	const struct cat_relation *identity_seq;	/* its options, for identity columns */
	const char *identity_seqname;	/* qualified, when not <table>_<column>_seq */
	const char *acl;	/* column privileges, as in struct cat_privs */
	const char *fdw_options;	/* foreign tables: "name 'value', ..." (no password), or NULL */
};

struct cat_index {
	unsigned oid;
	const char *name, *qname;
	const char *def;	/* pg_get_indexdef() */
	const char *parent;	/* qualified parent index for partitions, or NULL */
	const char *comment;
};

struct cat_constraint {
	unsigned oid;
	const char *name, *qname;
	char type;		/* p, f, u, c, x, t */
	const char *def;	/* pg_get_constraintdef() */
	const char *comment;
	const int *keys;	/* attnums of the constrained columns */
	size_t nkeys;
	const struct cat_relation *ref;	/* foreign keys: the referenced table, if in scope */
	const char *index_qname;	/* p, u, x: the index behind it, quoted */
	const char *index_parent;	/* that index's parent index, qualified, when it is
					 * attached to one (partitions), else NULL */
};

struct cat_trigger {
	unsigned oid;
	const char *name, *qname;
	const char *def;	/* pg_get_triggerdef() */
	char enabled;		/* O, D, R, A */
	const char *comment;
};

struct cat_policy {
	unsigned oid;
	const char *name, *qname;
	bool permissive;
	char cmd;		/* r, a, w, d, * */
	const char *roles;	/* "PUBLIC" or quoted role list */
	const char *qual, *check;	/* NULL when absent */
};

enum rel_kind {
	REL_TABLE = 'r', REL_PARTITIONED = 'p', REL_VIEW = 'v', REL_MATVIEW = 'm',
	REL_SEQUENCE = 'S', REL_FOREIGN = 'f', REL_COMPOSITE = 'c',
};

struct cat_relation {
	unsigned oid;
	const struct cat_schema *schema;
	const char *name, *qname;
	char kind;		/* enum rel_kind */
	char persistence;	/* p, u; 0 for a sequence before 15 (every sequence is
				 * logged there, whatever its table is) */
	bool rls, rls_force, is_partition;
	bool attach_partition;	/* 18: has NOT NULL names of its own, so schema.sql
				 * creates it as a table, then attaches it */
	const char *partkey;	/* pg_get_partkeydef(), or NULL */
	const char *partbound;	/* FOR VALUES ..., or NULL */
	const char *parents;	/* qualified parents, ", "-joined, or NULL */
	const unsigned *parent_oids;	/* the same parents, in order */
	size_t nparents;
	const char *reloptions;	/* "a=1, b=2", or NULL */
	const char *comment;
	double reltuples;	/* estimated rows (pg_class.reltuples) as of this
				 * snapshot; negative when unknown (never analyzed).
				 * ANALYZE alone does not make a new snapshot */
	/* A partition's keys (p, u, x) that it made itself before it was
	 * attached, now part of its parent's (conparentid set): no files of
	 * their own (the parent's key file stands for them), but schema.sql
	 * makes them under their own names before the parent's, which then
	 * takes them as they are. */
	struct cat_constraint *inh_keys;
	size_t ninh_keys;
	const char *viewdef;	/* views and materialized views */
	int view_depth;		/* 0: uses no other view; else 1 + the deepest it uses */
	/* sequences */
	const char *seq_type;
	long long seq_start, seq_inc, seq_min, seq_max, seq_cache;
	bool seq_cycle;
	const char *seq_owned_by;	/* qualified table.column, or NULL */
	/* foreign tables (catalog_foreign.c) */
	const char *ft_server;		/* quoted server name */
	const char *ft_options;		/* "name 'value', ..." (no password), or NULL */

	struct cat_column *cols;
	size_t ncols;
	struct cat_index *indexes;
	size_t nindexes;
	struct cat_constraint *cons;
	size_t ncons;
	struct cat_trigger *triggers;
	size_t ntriggers;
	struct cat_policy *policies;
	size_t npolicies;
	/* ALTER / CREATE RULE / CREATE STATISTICS statements for settings that
	 * have no file of their own (see SQL_SETTINGS), in a stable order. */
	const char **settings;
	size_t nsettings;
	struct cat_privs privs;
	/* Incremental loads (catalog_incr.c): how many catalog rows behind
	 * this relation a DROP or COMMENT can delete alone (its indexes,
	 * constraints, comments, ...), as of this snapshot. */
	long long rowcount;
	/* tree_key_memoize()'s digest of this relation's own fields
	 * (tree_key.h), valid while key_self is this very struct: a copy
	 * made by assignment (desired.c, then edited) has another address
	 * and computes its own; copy_rel() carries it over (catalog_copy.c).
	 * Written before the catalog is shared, never after. */
	unsigned long long key_memo;
	const struct cat_relation *key_self;
};

struct cat_function {
	unsigned oid;
	const struct cat_schema *schema;
	const char *name, *qname;
	const char *args;	/* pg_get_function_identity_arguments() */
	char kind;		/* f, p, a, w */
	const char *def;	/* CREATE statement without the final ";" */
	int late;		/* 0: before tables, 1: after tables, 2: after views */
	const char *comment;
	struct cat_privs privs;
};

struct cat_type {
	unsigned oid;
	const struct cat_schema *schema;
	const char *name, *qname;
	char kind;		/* e (enum), d (domain), c (composite), r (range), b (base) */
	const char **labels;	/* enum, in sort order */
	size_t nlabels;
	/* domain */
	const char *base, *collation, *defexpr, *checks;	/* checks: "\n    CONSTRAINT ..." */
	bool notnull;
	/* composite */
	const struct cat_relation *composite;
	/* range: "subtype = int4, ..." ready to go between the parentheses */
	const char *range_opts;
	/* base: "INPUT = f, OUTPUT = g, ..." (",\n    "-separated), ready to go
	 * between the parentheses of CREATE TYPE */
	const char *base_opts;
	const char *comment;
	int depth;		/* 0: uses no other type, else 1 + the deepest it uses */
	struct cat_privs privs;
};

/* Text search objects (catalog_textsearch.c). Functions, templates, parsers
 * and dictionaries are named qualified and quoted. */
struct cat_ts_mapping {
	const char *token;		/* the parser's alias of the token type */
	const char *dicts;		/* "s.d1, s.d2", in the order consulted */
};

enum ts_kind { TS_CONFIG = 'c', TS_DICT = 'd', TS_PARSER = 'p', TS_TEMPLATE = 't' };

struct cat_ts {
	const struct cat_schema *schema;
	const char *name, *qname;
	char kind;			/* enum ts_kind */
	/* t: init (or NULL), lexize. p: start, gettoken, end, lextypes,
	 * headline (or NULL). d: template, options (dictinitoption, or NULL).
	 * c: parser. */
	const char *f[5];
	struct cat_ts_mapping *maps;	/* c: ADD MAPPING, by token type number */
	size_t nmaps;
	const char *comment;
};

/* An operator class ('c') or family ('f') (catalog_opclass.c). A family
 * that CREATE OPERATOR CLASS made for its one class, with nothing else
 * in it nor a comment, is not read: the class, without FAMILY, makes it. */
struct cat_opclass {
	const struct cat_schema *schema;
	const char *name, *qname;
	const char *am;			/* access method name */
	char kind;			/* c, f */
	/* The class's own members, or the family's that belong to no class:
	 * "OPERATOR n op(l,r) [FOR ORDER BY f]", then "FUNCTION n (l, r) f(args)". */
	const char **members;
	size_t nmembers;
	/* classes */
	bool is_default;
	const char *type;		/* format_type of the input type */
	const char *storage;		/* STORAGE type, or NULL (the input type) */
	const char *family;		/* qualified, or NULL when the class made it */
	const char *comment;
};

/* An encoding conversion (catalog_conversion.c). */
struct cat_conversion {
	const struct cat_schema *schema;
	const char *name, *qname;
	const char *from, *to;		/* encoding names */
	const char *func;		/* qualified, quoted */
	bool is_default;
	const char *comment;
};

struct cat_schema {
	unsigned oid;
	const char *name, *qname;
	const char *comment;
	struct cat_relation **tables;	/* r, p */
	size_t ntables;
	struct cat_relation **foreign_tables;	/* f */
	size_t nforeign_tables;
	struct cat_relation **views;
	size_t nviews;
	struct cat_relation **matviews;
	size_t nmatviews;
	struct cat_relation **sequences;
	size_t nsequences;
	struct cat_function **functions;
	size_t nfunctions;
	struct cat_type **types;
	size_t ntypes;
	const char **collations;	/* CREATE COLLATION statements, by name */
	size_t ncollations;
	const char **operators;		/* CREATE OPERATOR statements, by signature */
	size_t noperators;
	struct cat_privs privs;
	const char *default_acl;	/* its ALTER DEFAULT PRIVILEGES ... IN SCHEMA, as
					 * struct cat_privs' acl */
	struct cat_ts **ts;		/* text search objects, by kind (enum ts_kind order), then name */
	size_t nts;
	struct cat_opclass **opclasses;	/* by name, then access method */
	size_t nopclasses;
	struct cat_opclass **opfamilies;	/* the same */
	size_t nopfamilies;
	struct cat_conversion **conversions;	/* by name */
	size_t nconversions;
};

struct cat_extension {
	unsigned oid;
	const char *name, *qname, *qschema, *version;
	bool builtin;			/* made by initdb (plpgsql): not in schema.sql, as in pg_dump */
	const char *comment;		/* its comment, or NULL */
	const char *control_comment;	/* the one CREATE EXTENSION gives it (the control
					 * file's, on this server), or NULL */
};

/* Database-wide objects (catalog_global.c). */
struct cat_cast {
	const char *source, *target;	/* format_type() of each; the file is "<source> AS <target>.sql" */
	const char *func;		/* method 'f': the function, regprocedure text ("f(integer)") */
	char method;			/* f (WITH FUNCTION), b (WITHOUT FUNCTION), i (WITH INOUT) */
	char context;			/* e (explicit), a (AS ASSIGNMENT), i (AS IMPLICIT) */
	int late;			/* as cat_function's: 1 or 2 when its function or one of its
					 * types needs a table's (1) or a view's (2) row type */
	const char *comment;
};

struct cat_event_trigger {
	const char *name, *qname;
	const char *event;		/* ddl_command_start, ddl_command_end, sql_drop, ... */
	const char **tags;		/* WHEN TAG IN (...), as stored; none: every tag */
	size_t ntags;
	const char *func;		/* regprocedure text ("f()"), qualified when not visible */
	char enabled;			/* O (the default), D, R, A */
	const char *comment;
};

struct cat_pub_table {
	const char *qname;		/* schema-qualified, quoted */
	const char *columns;		/* 15+: "a, b" (quoted), or NULL for every column */
	const char *filter;		/* 15+: pg_get_expr() of the row filter, or NULL */
};

struct cat_publication {
	const char *name, *qname;
	bool all_tables;
	bool insert, update, delete_, truncate;	/* publish = '...' */
	bool via_root;			/* publish_via_partition_root */
	struct cat_pub_table *tables;	/* sorted by qname (byte order) */
	size_t ntables;
	const char **schemas;		/* 15+: TABLES IN SCHEMA, quoted, sorted */
	size_t nschemas;
	const char *comment;
};

/* Foreign data (catalog_foreign.c). Options are "name 'value', ..." as
 * OPTIONS (...) takes them, in the order stored, never with a `password`
 * option (left out wherever options are read); NULL when there are none. */
struct cat_fdw {
	const char *name, *qname;
	const char *handler, *validator;	/* qualified, quoted; NULL when none */
	const char *options;
	const char *comment;
};

struct cat_user_mapping {
	const char *user;		/* quoted role name, or PUBLIC */
	const char *options;
};

struct cat_server {
	const char *name, *qname;
	const char *fdw;		/* quoted wrapper name */
	const char *type, *version;	/* raw, NULL when not given */
	const char *options;
	const char *comment;
	struct cat_user_mapping *mappings;	/* sorted by user (byte order) */
	size_t nmappings;
};

/*
 * One dependency between two objects schema.sql creates (catalog_deps.c):
 * pg_depend's edges (normal, automatic and internal, and a partition
 * index's on its parent index), each end mapped to the object that creates
 * it, as pg_dump maps them: an array type to its element, a row type or a
 * view's rule to its relation, an index behind a key to the key, an
 * extension's member to the extension. Keys (KIND, OID, SUB):
 *   n schema, e extension, t type (and domain), f function, r relation
 *   (table, view, sequence; an identity sequence is its table's),
 *   c constraint, i index, g trigger, p policy, d column default (OID the
 *   table, SUB the column), x a relation's other settings (rules,
 *   statistics), o a sequence's OWNED BY, A a relation's index ATTACHes.
 * FROM depends on TO: TO is created first.
 */
struct cat_dep {
	char fkind, tkind;
	unsigned foid, toid;
	int fsub, tsub;
	unsigned frel;		/* the relation FROM belongs to, 0 for none: an
				 * incremental load copies the edges of the
				 * relations it does not read again */
};

/* One row of the dependency map's query, "fkind foid fsub tkind toid
 * tsub frel" (fs/catalog_deps.c), into D: false when TEXT does not have
 * those seven fields (an empty one, a NULL, reads as 0). */
bool catalog_dep_parse(const char *text, struct cat_dep *d);
/* Sorts the N edges at D (kinds by byte, then OIDs and subs by number,
 * then by relation) and drops repeats, which that query sends: the count
 * kept, at the start of D. */
size_t catalog_deps_sort_unique(struct cat_dep *d, size_t n);

struct cat_migration {
	long long id;
	const char *hash;
	long long created_at;
	const char *tag;	/* "0007_name": from schemafs's table or the journal; may be NULL */
	const char *sql;	/* the file as applied, when known; may be NULL */
	bool tag_from_dir;	/* tag (and sql) from migrations_dir: redone when it changes */
	bool sql_from_dir;
};

/* A catalog's lifetime, apart from the catalog so that copying a
 * catalog's fields (stage_desired) never reads a count other threads
 * change. In the catalog's arena. */
struct cat_life {
	int refs;			/* atomic: catalog_new()'s and catalog_ref()'s,
					 * released by catalog_free() */
	struct catalog *base;		/* desired catalogs (stage_desired): the live
					 * catalog whose objects they share; one
					 * reference */
	/* A mount's first read shows the tree before its dependency map is
	 * in: the second connection goes on reading it, in the same
	 * snapshot, and catalog_finish_deps() puts it here, not in the
	 * catalog's deps, which stage_desired() copies meanwhile. Its readers
	 * go through catalog_deps_wait() and catalog_deps(). */
	pthread_mutex_t deps_lock;
	pthread_cond_t deps_cond;
	int deps_state;			/* under deps_lock: CAT_DEPS_* */
	struct cat_dep *late_deps;	/* set under deps_lock with deps_state (malloc'd:
					 * the arena is not this thread's then;
					 * freed with the catalog), then read only */
	size_t nlate_deps;
	struct aux *deps_aux;		/* the second connection reading the map
					 * (owned: catalog_finish_deps() or
					 * catalog_free() ends it); NULL when none */
	const char *deps_params;	/* its $1, the schemas' OIDs (arena) */
};

enum cat_deps_state {
	CAT_DEPS_IN,		/* read, or not needed */
	CAT_DEPS_LATER,		/* still being read (catalog_finish_deps()) */
	CAT_DEPS_LOST,		/* could not be read: schema.sql cannot be ordered */
};

/* How a read planned its prepared queries (fs/catalog.c load()). */
enum cat_plans {
	CAT_PLANS_PER_RUN,	/* each for its values at every run: a read in a
				 * transaction the caller goes on with, or on a
				 * connection that does not prepare */
	CAT_PLANS_BY_KIND,	/* one plan for the queries of the schemas and the
				 * incremental dependency query, a plan per run
				 * for those of the relations read */
	CAT_PLANS_ONE,		/* one plan per query: a small database
				 * (GENERIC_PLANS_BELOW) */
};

struct catalog {
	struct arena *arena;
	struct cat_life *life;		/* set by catalog_new(); never shared */
	const char *dbname;
	struct cat_schema *schemas;
	size_t nschemas;
	struct cat_extension *exts;
	size_t nexts;
	struct cat_relation *rels;	/* sorted by oid */
	size_t nrels;
	struct cat_function *funcs;
	size_t nfuncs;
	struct cat_type *types;
	size_t ntypes;
	struct cat_cast *casts;		/* sorted by "<source> AS <target>" */
	size_t ncasts;
	struct cat_event_trigger *evtrigs;	/* sorted by name */
	size_t nevtrigs;
	struct cat_publication *pubs;	/* sorted by name */
	size_t npubs;
	const char *default_acl;	/* ALTER DEFAULT PRIVILEGES without IN SCHEMA, as
					 * struct cat_privs' acl */
	struct cat_fdw *fdws;		/* sorted by name */
	size_t nfdws;
	struct cat_server *servers;	/* sorted by name */
	size_t nservers;
	struct cat_dep *deps;		/* sorted by from, then to; an edge repeats
					 * only with another frel */
	size_t ndeps;
	const char **omitted;		/* "foreign table s.t", ... */
	size_t nomitted;
	bool has_tracking;		/* the migrations table exists */
	struct cat_migration *migrations;
	size_t nmigrations;
	int queries;			/* catalog queries this load ran */
	/* Desired catalogs only (stage_desired): object files whose staged
	 * content replaces what the objects above render (objkind.h); none
	 * in a loaded catalog. */
	const struct cat_objfile *objfiles;
	size_t nobjfiles;
	const char *fingerprint;	/* catalog_fingerprint() in the same snapshot;
					 * NULL until catalog_finish() (refresher only) */
	const char *snapshot;		/* txid_current_snapshot() it was read in, or NULL */
	long long ext_members;		/* pg_depend's extension members, at SNAPSHOT */
	long reread;			/* relations read from the server; the others were
					 * copied from the previous catalog (-1: none was,
					 * a full load) */
	bool slim_answer;		/* the change query answered for the relations
					 * read again alone (catalog_incr.c) */
	bool fresh_listed;		/* ... and was given the new rows the
					 * fingerprint listed (struct cat_fresh) */
	bool copied_ahead;		/* the kept relations were copied while the
					 * fingerprint ran (catalog_copy.c) */
	bool fp_split;			/* the refresh's fingerprint ran on two
					 * connections (catalog_fingerprint()) */
	enum cat_plans plans;		/* how its prepared queries were planned */
};

/* A staged object file: DIR ("views", ...) of SCHEMA (and TABLE for
 * triggers and policies, else NULL), the object NAME (the file's name
 * without ".sql", unescaped), its CONTENT (NULL: removed). */
struct cat_objfile {
	const char *dir, *schema, *table, *name, *content;
};

struct tracker;

struct catalog_filter {
	const char *const *schemas;	/* NULL: all user schemas */
	size_t nschemas;
	const char *tracking_schema;	/* left out of the tree when the tracker hides it */
	const char *tracking_table;
	const struct tracker *tracker;	/* how its rows read (track.h); NULL: drizzle */
	bool privileges;		/* read ACLs and default privileges into cat_privs */
	bool owners;			/* read owners into cat_privs */
	long parallel_from;		/* a full read of this many relations or more
					 * runs its longest queries on a second
					 * connection too; 0: never (catalog_aux.c) */
	bool map_later;			/* a read with LEAVE_OPEN on two connections
					 * may leave its dependency map to the second
					 * (catalog_finish_deps()) */
	bool copy_ahead;		/* catalog_refresh() copies PREV's relations on a
					 * thread of their own while the server takes
					 * the fingerprint (catalog_copy.c): a change
					 * is likely */
	bool fp_two;			/* with parallel_from relations or more, the
					 * fingerprint's second query runs on a second
					 * connection: a change is likely, and no second
					 * connection failed lately (database_load.c) */
};

/* An empty catalog with its arena and one reference, the caller's.
 * A catalog is never copied by value but by stage_desired(), which makes
 * a new one and keeps its own arena and life. */
struct catalog *catalog_new(void);
/* Another reference on CAT (a tree that renders its whole-schema files
 * later, tree.h, holds one). Atomic: references are dropped by FUSE
 * threads. CAT is not changed through the result: the count alone is. */
struct catalog *catalog_ref(const struct catalog *cat);
/* Drops one reference (the caller's); the last frees the arena and drops
 * the base's. NULL is ignored. */
void catalog_free(struct catalog *cat);
/* Waits until CAT's dependency map is in (a mount's first read reads it
 * after showing the tree): true, or false when it could not be read (deps
 * stay empty). Any thread. */
bool catalog_deps_wait(const struct catalog *cat);
/* CAT's dependency map, once catalog_deps_wait() returned true: its deps,
 * or those a first read put in later; a desired catalog's are its live
 * catalog's. Owned by the catalog. */
const struct cat_dep *catalog_deps(const struct catalog *cat, size_t *n);
/* Whether CAT's dependency map is still being read (does not wait). */
bool catalog_deps_later(const struct catalog *cat);
/* A first read's dependency map (catalog_load() with LEAVE_OPEN on two
 * connections leaves it to the second one), put into CAT, a catalog
 * already shared: before catalog_finish(), in the load's transaction,
 * still open (the refresher thread). 0 (also when there is nothing to
 * do), or -1 with ERR: the transaction is rolled back, and CAT's map
 * stays empty for good (catalog_deps_wait() says so). */
int catalog_finish_deps(PGconn *conn, struct catalog *cat, char *err, size_t errlen);

/* Reads a snapshot. Returns NULL with the reason in ERR on failure; the
 * connection is left outside any transaction either way. */
struct catalog *catalog_load(PGconn *conn, const struct catalog_filter *filter, bool leave_open,
			     char *err, size_t errlen);

/* catalog_load() inside the caller's transaction, which it neither begins
 * nor ends (an edit reads back what it just ran, before its ROLLBACK): no
 * fingerprint, no tracking rows needed. NULL with ERR. */
struct catalog *catalog_load_here(PGconn *conn, const struct catalog_filter *filter, char *err, size_t errlen);
/* The same, reading again only the relations that changed since PREV (a
 * catalog of the same filter, not modified while this runs) and copying
 * the others from it (catalog_incr.c): the result is the one catalog_load()
 * would read. Everything but the relations is read in full. Falls back to
 * a full load when PREV is NULL, has no fingerprint, or anything outside
 * the relations changed (schemas, types, functions, roles, a view). The
 * result owns every byte it holds (nothing points into PREV). */
struct catalog *catalog_load_since(PGconn *conn, const struct catalog_filter *filter,
				   const struct catalog *prev, bool leave_open, char *err, size_t errlen);
/* A refresh after PREV (NULL: a full load): one transaction that takes
 * the fingerprint first, in the snapshot it reads. Unchanged since PREV:
 * NULL with *SAME set, nothing read. Else the catalog, read incrementally
 * when only the relations' catalogs changed and FULL is false, or NULL
 * with ERR. *SNAPSHOT (malloc'd, the caller frees; NULL on error): the
 * transaction's txid_current_snapshot(). *SECOND_FAILED (may be NULL):
 * the fingerprint asked for a second connection, and it failed (logged).
 * The connection is left outside any transaction. */
struct catalog *catalog_refresh(PGconn *conn, const struct catalog_filter *filter, const struct catalog *prev,
				bool full, bool *same, char **snapshot, bool *second_failed, char *err,
				size_t errlen);
/* Whether fingerprint CUR, taken after OLD, differs from it only in the
 * rows that relations' change checks cover and in new schemas (an
 * incremental load may follow). */
bool catalog_fingerprint_local(const char *old, const char *cur);

/* With LEAVE_OPEN, catalog_load() returns with its transaction still open
 * and without a fingerprint: catalog_finish() takes it in that same
 * snapshot and commits (used to get the mount up sooner). 0, or -1 with
 * ERR and the transaction rolled back (cat->fingerprint stays NULL). */
int catalog_finish(PGconn *conn, struct catalog *cat, const struct catalog_filter *filter,
		   char *err, size_t errlen);
/* The same for a catalog already shared: returns the fingerprint
 * (malloc'd, the caller frees) for the caller to set under its own lock,
 * or NULL as above. */
char *catalog_finish_take(PGconn *conn, const struct catalog_filter *filter, char *err, size_t errlen);

/* The rows of the relations' catalogs new to an earlier snapshot, as the
 * fingerprint's own scans found them (SQL_REL_CHANGES' $8 and $9: KEYS an
 * int4[], OBJS an oid[], in text). Both NULL: not listed (no earlier
 * snapshot, or more than FP_FRESH_MAX rows). Owned by whoever holds the
 * struct: cat_fresh_clear() frees them. */
struct cat_fresh {
	char *keys;
	char *objs;
};
void cat_fresh_clear(struct cat_fresh *fresh);

/* A fingerprint of the catalogs and of the tracking table's rows: equal
 * fingerprints mean catalog_load() would read the same snapshot. Returns a
 * malloc'd string (caller frees), or NULL with ERR. SINCE: the earlier
 * snapshot the transaction named in FP_SINCE_GUC (catalog_refresh()), ""
 * for none. With FRESH, it also gives there the rows new to it (none
 * when it names none; FRESH is cleared first). TWO: CONN is in a
 * REPEATABLE READ transaction whose snapshot may be exported, and the
 * fingerprint's second query runs on a second connection meanwhile
 * (catalog_aux.c; on CONN after the first when that fails). *SPLIT (may
 * be NULL): 1 when it did, 0 when it did not (not asked, or not started
 * there in time), -2 when it failed there (logged), -1 when the
 * snapshot's export failed and aborted CONN's transaction (NULL
 * returned). The text is the same either way. */
char *catalog_fingerprint(PGconn *conn, const struct catalog_filter *filter, const char *since, bool two,
			  struct cat_fresh *fresh, int *split, char *err, size_t errlen);

/* Lookups in a loaded catalog; NULL when absent. CAT->rels is sorted by oid.
 * catalog_column() matches ATTNUM when it is not 0, else NAME. */
const struct cat_relation *catalog_rel(const struct catalog *cat, unsigned oid);
const struct cat_schema *catalog_schema(const struct catalog *cat, const char *name);
const struct cat_relation *catalog_table(const struct catalog *cat, const char *schema, const char *name);
const struct cat_column *catalog_column(const struct cat_relation *r, int attnum, const char *name);
const struct cat_type *catalog_type(const struct catalog *cat, unsigned oid);

/* The name PostgreSQL 18 gives a NOT NULL of column COL of table REL when
 * none is given (ChooseConstraintName: makeObjectName(REL, COL,
 * "not_null"), cut to 63 bytes at a UTF-8 character boundary), into OUT. A
 * name with a digit added (chosen when the default was taken) is not the
 * default: it is written out, so a copy gets the same one. */
void catalog_notnull_default(char out[64], const char *rel, const char *col);
bool catalog_notnull_is_default(const char *rel, const char *col, const char *conname);

#endif
