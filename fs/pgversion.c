/* pgversion.c: the server's major and the SQL of each major; see
 * include/pgversion.h. */
#include "pgversion.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint_sql.h"
#include "strbuf.h"

/*
 * Every SQL difference between the supported majors, one entry each.
 * forms[] lists the SQL from the oldest major it applies to: a server gets
 * the last form whose major is not above its own. Table aliases are the
 * ones of the queries that use the placeholder (named in "used by").
 */
struct form {
	int since;
	const char *sql;
};

struct placeholder {
	const char *name;
	const char *what;	/* what it yields, and the queries that use it */
	struct form forms[4];
};

#define LIBC_LOCALE \
	"'provider = libc, lc_collate = ' || pg_catalog.quote_literal(c.collcollate)" \
	" || ', lc_ctype = ' || pg_catalog.quote_literal(c.collctype)"
#define ICU_RULES \
	" || CASE WHEN c.collicurules IS NOT NULL THEN ', rules = ' || pg_catalog.quote_literal(c.collicurules)" \
	" ELSE '' END"

static const struct placeholder placeholders[] = {
	{ "ATTCOMPRESSION", "pg_attribute a's compression method, '' for the default (SQL_SETTINGS)",
	  { { 13, "''::pg_catalog.\"char\"" },	/* 14 added per-column compression */
	    { 14, "a.attcompression" } } },
	{ "PROSQLBODY", "whether pg_proc p has a BEGIN ATOMIC body (SQL_FUNCTIONS)",
	  { { 13, "false" },			/* 14 added SQL-standard bodies */
	    { 14, "p.prosqlbody IS NOT NULL" } } },
	{ "MULTIRANGE_NAME", "the multirange clause of a range pg_range r (SQL_TYPES)",
	  { { 13, "''" },			/* 14 added multiranges */
	    { 14, "', multirange_type_name = ' || pg_catalog.format_type(r.rngmultitypid, NULL)" } } },
	{ "COLLATION_LOCALE", "the provider and locale options of pg_collation c (SQL_COLLATIONS)",
	  { /* Before 15 an ICU collation keeps its locale in collcollate. */
	    { 13, "CASE c.collprovider WHEN 'i' THEN 'provider = icu, locale = ' || pg_catalog.quote_literal(c.collcollate)"
		  " ELSE " LIBC_LOCALE " END" },
	    { 15, "CASE c.collprovider WHEN 'i' THEN 'provider = icu, locale = ' || pg_catalog.quote_literal(c.colliculocale)"
		  " ELSE " LIBC_LOCALE " END" },
	    /* 16 added ICU tailoring rules. */
	    { 16, "CASE c.collprovider WHEN 'i' THEN 'provider = icu, locale = ' || pg_catalog.quote_literal(c.colliculocale)"
		  ICU_RULES " ELSE " LIBC_LOCALE " END" },
	    /* 17 renamed colliculocale to colllocale and added the builtin provider. */
	    { 17, "CASE c.collprovider WHEN 'i' THEN 'provider = icu, locale = ' || pg_catalog.quote_literal(c.colllocale)"
		  ICU_RULES " WHEN 'b' THEN 'provider = builtin, locale = ' || pg_catalog.quote_literal(c.colllocale)"
		  " ELSE " LIBC_LOCALE " END" } } },
	/*
	 * 18 keeps NOT NULL as named pg_constraint rows (contype 'n'), and
	 * attnotnull is also true while such a constraint is NOT VALID. A
	 * column file says NOT NULL only when it holds; a NOT VALID one is a
	 * constraint file of its own (SQL_CONSTRAINTS). The name appears in
	 * the column file only when the table chose it itself and it is not
	 * the one PostgreSQL would choose (catalog_notnull_is_default(), in C,
	 * so that the tree and the desired tree use one rule), so unchanged
	 * files stay byte-identical from 13 to 18.
	 */
	{ "NOTNULL_JOIN", "the NOT NULL constraint nn of column a of relation c (SQL_COLUMNS, probes)",
	  { { 13, "" },
	    { 18, " LEFT JOIN pg_catalog.pg_constraint nn ON nn.conrelid = a.attrelid AND nn.contype = 'n'"
		  " AND nn.conkey[1] = a.attnum" } } },
	{ "NOTNULL", "whether column a is NOT NULL, validated (SQL_COLUMNS, probes)",
	  { { 13, "a.attnotnull" },
	    { 18, "a.attnotnull AND coalesce(nn.convalidated, true)" } } },
	{ "NOTNULL_LOCAL", "whether column a's NOT NULL is the table's own, not only inherited (SQL_COLUMNS)",
	  { { 13, "false" },
	    { 18, "coalesce(nn.conislocal, false)" } } },
	{ "NOTNULL_CONNAME", "the name of column a's valid NOT NULL, whatever it is (SQL_COLUMNS)",
	  { { 13, "NULL::text" },
	    { 18, "CASE WHEN nn.convalidated THEN nn.conname END" } } },
	{ "NOTNULL_QCONNAME", "the same, quoted (SQL_COLUMNS)",
	  { { 13, "NULL::text" },
	    { 18, "CASE WHEN nn.convalidated THEN pg_catalog.quote_ident(nn.conname) END" } } },
	/*
	 * A partition made with PARTITION OF takes its parent's NOT NULL
	 * names; one made as a table of its own and then attached keeps its
	 * own. schema.sql makes the latter the way it was made (render.c).
	 */
	{ "PARTITION_OWN_NOTNULL", "whether partition c has NOT NULL names other than its parent's (SQL_RELATIONS)",
	  { { 13, "false" },
	    { 18, "c.relispartition AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
		  " JOIN pg_catalog.pg_inherits i ON i.inhrelid = k.conrelid"
		  " JOIN pg_catalog.pg_attribute ka ON ka.attrelid = k.conrelid AND ka.attnum = k.conkey[1]"
		  " JOIN pg_catalog.pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = ka.attname"
		  " JOIN pg_catalog.pg_constraint pk ON pk.conrelid = i.inhparent AND pk.contype = 'n'"
		  "  AND pk.conkey[1] = pa.attnum"
		  " WHERE k.conrelid = c.oid AND k.contype = 'n' AND k.conname <> pk.conname)" } } },
	{ "NOTNULL_NOINHERIT", "whether column a's NOT NULL is NO INHERIT (SQL_COLUMNS, probes)",
	  { { 13, "false" },
	    { 18, "coalesce(nn.connoinherit AND nn.convalidated, false)" } } },
	/* 17 keeps a domain's NOT NULL as a named pg_constraint row too: one
	 * named otherwise than <domain>_not_null is written as a constraint. */
	{ "DOMAIN_NOTNULL", "whether domain t is NOT NULL under PostgreSQL's name (SQL_TYPES)",
	  { { 13, "t.typnotnull" },
	    { 17, "t.typnotnull AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid"
		  " AND k.contype = 'n' AND k.conname <> t.typname || '_not_null')" } } },
	{ "DOMAIN_CONSTRAINT", "which constraints k of a domain t are written as CONSTRAINT name ... (SQL_TYPES)",
	  { { 13, "k.contype = 'c'" },
	    { 17, "(k.contype = 'c' OR (k.contype = 'n' AND k.conname <> t.typname || '_not_null'))" } } },
	/* 15 added unlogged sequences: before, a sequence's persistence says
	 * nothing (every one is logged, even an unlogged table's), so it is
	 * NULL, never told apart from its table's. */
	{ "RELPERSISTENCE", "the persistence of relation c, NULL for a sequence before 15 (SQL_RELATIONS)",
	  { { 13, "CASE WHEN c.relkind <> 'S' THEN c.relpersistence END" },
	    { 15, "c.relpersistence" } } },
	/* 15 added publication column lists, row filters and TABLES IN SCHEMA. */
	{ "PUBREL_COLUMNS", "the column list of pg_publication_rel pr, quoted, NULL for all (SQL_PUBLICATIONS)",
	  { { 13, "NULL::text" },
	    { 15, "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)"
		  " FROM pg_catalog.pg_attribute a WHERE a.attrelid = pr.prrelid"
		  " AND a.attnum = ANY (pr.prattrs::pg_catalog.int2[]))" } } },
	{ "PUBREL_FILTER", "the row filter of pg_publication_rel pr, or NULL (SQL_PUBLICATIONS)",
	  { { 13, "NULL::text" },
	    { 15, "pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)" } } },
	{ "PUB_SCHEMAS", "the schemas publication p publishes every table of, a JSON array (SQL_PUBLICATIONS)",
	  { { 13, "NULL::text" },
	    { 15, "(SELECT pg_catalog.json_agg(pg_catalog.quote_ident(n.nspname) ORDER BY"
		  " pg_catalog.quote_ident(n.nspname) COLLATE \"C\") FROM pg_catalog.pg_publication_namespace pn"
		  " JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid)::text" } } },
	{ "PUB_NAMESPACE_FINGERPRINT", "pg_publication_namespace's part of the fingerprint, with its comma (SQL_FINGERPRINT)",
	  { { 13, "" },
	    { 15, "(SELECT " FP_SUM("xmin")
		  " FROM pg_catalog.pg_publication_namespace)," } } },
	{ "CONNECTION_CHECK", "the server's check that the client is still there, in set_config() calls (migrate.c)",
	  { { 13, "" },				/* 14 added client_connection_check_interval */
	    { 14, ", pg_catalog.set_config('client_connection_check_interval', '1000', $3::bool)" } } },
};

#define NPLACEHOLDERS (sizeof placeholders / sizeof placeholders[0])

int pgv_server_major(const PGconn *conn)
{
	int v = conn ? PQserverVersion(conn) : 0;
	return v / 10000;
}

int pgv_major(const PGconn *conn)
{
	int m = pgv_server_major(conn);
	return m > PGV_NEWEST ? PGV_NEWEST : m;
}

int pgv_check(const PGconn *conn, char *err, size_t errlen, char *note, size_t notelen)
{
	return pgv_check_major(pgv_server_major(conn), err, errlen, note, notelen);
}

int pgv_check_major(int m, char *err, size_t errlen, char *note, size_t notelen)
{
	if (note && notelen)
		note[0] = '\0';
	if (m < PGV_OLDEST) {
		snprintf(err, errlen, "PostgreSQL %d is not supported (%d or newer)", m, PGV_OLDEST);
		return -1;
	}
	if (m > PGV_NEWEST && note)
		snprintf(note, notelen, "PostgreSQL %d is newer than schemafs knows: read as PostgreSQL %d",
			 m, PGV_NEWEST);
	return 0;
}

static const char *form_of(const struct placeholder *p, int major)
{
	const char *sql = p->forms[0].sql;
	for (size_t i = 0; i < sizeof p->forms / sizeof p->forms[0] && p->forms[i].sql; i++)
		if (p->forms[i].since <= major)
			sql = p->forms[i].sql;
	return sql;
}

static char *expand(const char *tmpl, int major)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = tmpl, *open;
	while ((open = strstr(p, "{{"))) {
		const char *close = strstr(open, "}}");
		if (!close)
			break;
		size_t n = (size_t)(close - open - 2);
		const struct placeholder *ph = NULL;
		for (size_t i = 0; i < NPLACEHOLDERS && !ph; i++)
			if (strlen(placeholders[i].name) == n && !memcmp(placeholders[i].name, open + 2, n))
				ph = &placeholders[i];
		if (!ph) {
			strbuf_free(&sb);
			return NULL;
		}
		sb_addn(&sb, p, (size_t)(open - p));
		sb_add(&sb, form_of(ph, major));
		p = close + 2;
	}
	sb_add(&sb, p);
	return strbuf_detach(&sb, NULL);
}

/* Expanded templates: a few dozen at most (templates x majors in use).
 * The template's text is kept too, so that a key pointer reused for
 * another text can never return a stale expansion. */
struct cached {
	const char *key;
	char *tmpl;
	int major;
	char *sql;
	struct cached *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache;	/* protected by cache_lock */

const char *pgv_sql(const char *tmpl, int major)
{
	if (!strstr(tmpl, "{{"))
		return tmpl;
	const char *ret = NULL;
	pthread_mutex_lock(&cache_lock);
	for (struct cached *c = cache; c && !ret; c = c->next)
		if (c->key == tmpl && c->major == major && !strcmp(c->tmpl, tmpl))
			ret = c->sql;
	if (!ret) {
		struct cached *c = calloc(1, sizeof *c);
		char *sql = expand(tmpl, major), *copy = strdup(tmpl);
		if (c && sql && copy) {
			*c = (struct cached){ tmpl, copy, major, sql, cache };
			cache = c;
			ret = sql;
		} else {
			free(c);
			free(sql);
			free(copy);
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return ret;
}

const char *pgv_sql_for(const PGconn *conn, const char *tmpl)
{
	return pgv_sql(tmpl, pgv_major(conn));
}
