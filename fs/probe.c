/* probe.c: validation by PostgreSQL in rolled-back transactions; see probe.h. */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "pg.h"
#include "pgversion.h"
#include "render.h"
#include "sqlpos.h"
#include "strbuf.h"

/* A probe's queries are bounded by PROBE_BOUND_MS (also set by the edit
 * layer for the whole check, so it is kept after the ROLLBACK). */
static int begin(PGconn *conn, char *err, size_t errlen)
{
	pg_bound_set(PROBE_BOUND_MS);
	if (pg_command(conn, "BEGIN", err, errlen))
		return -1;
	return probe_settings(conn, err, errlen);
}

int probe_settings(PGconn *conn, char *err, size_t errlen)
{
	PGresult *res = pg_exec(conn,
		"SELECT pg_catalog.set_config('lock_timeout', '" PROBE_LOCK_TIMEOUT "', true),"
		" pg_catalog.set_config('statement_timeout', '" PROBE_STATEMENT_TIMEOUT "', true),"
		" pg_catalog.set_config('search_path', 'public, pg_temp', true)", 0, NULL, err, errlen);
	PQclear(res);
	return res ? 0 : -1;
}

static void rollback(PGconn *conn)
{
	char ignored[256];
	pg_command(conn, "ROLLBACK", ignored, sizeof ignored);
}

/* No position: the statement is schemafs's own, not the user's text. */
#define OURS ((size_t)-1)

/*
 * Runs SQL (one statement, extended protocol). On failure, ERR gets
 * PostgreSQL's primary message, detail and hint, never the statement
 * (schemafs's own text around the user's would show through); a position
 * is given when it falls in the user's text, which starts at byte USER of
 * SQL, as the line and character of that text.
 */
static int run_with(PGconn *conn, bool simple, const char *sql, size_t user, char *err, size_t errlen)
{
	PGresult *res = pg_run(conn, simple, sql, 0, NULL, NULL, NULL);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || (simple && st == PGRES_EMPTY_QUERY)) {
		PQclear(res);
		return 0;
	}
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, msg ? msg : pg_error(conn));
	size_t len = strlen(sql);
	if (pos && user != OURS) {
		size_t at = sqlpos_char_offset(sql, 0, len, strtol(pos, NULL, 10));
		if (at >= user && at < len) {
			int line, chr;
			sqlpos_line_char(sql + user, at - user, &line, &chr);
			if (line > 1)
				sb_addf(&sb, " (line %d, character %d)", line, chr);
			else
				sb_addf(&sb, " (character %d)", chr);
		}
	}
	if (detail)
		sb_addf(&sb, "; %s", detail);
	if (hint)
		sb_addf(&sb, "; hint: %s", hint);
	snprintf(err, errlen, "%s", sb_str(&sb));
	/* One line in status, whatever the server's message holds. */
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	strbuf_free(&sb);
	PQclear(res);
	return -1;
}

static int run_at(PGconn *conn, const char *sql, size_t user, char *err, size_t errlen)
{
	return run_with(conn, false, sql, user, err, errlen);
}

static int run(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	return run_at(conn, sql, OURS, err, errlen);
}

int probe_begin(PGconn *conn, char *err, size_t errlen)
{
	return begin(conn, err, errlen);
}

void probe_rollback(PGconn *conn)
{
	rollback(conn);
}

int probe_run(PGconn *conn, const char *sql, bool user, char *err, size_t errlen)
{
	return run_with(conn, true, sql, user ? 0 : OURS, err, errlen);
}

static void qual_of(struct strbuf *sb, const struct cat_relation *r)
{
	sb_add_qual(sb, r->schema->qname, r->qname);
}

/* Puts the table in the transaction as the staged state wants it (for
 * indexes and constraints): created when it is new; else renamed, with its
 * staged columns added and renamed. Only names and types matter here. */
static int setup_table(PGconn *conn, const struct probe_table *t, char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT, cur = STRBUF_INIT;
	int rc = 0;
	const struct cat_relation *w = t->want;
	if (!t->live) {
		sb_add(&sql, "CREATE TABLE ");
		qual_of(&sql, w);
		sb_add(&sql, " (");
		for (size_t i = 0; i < w->ncols; i++)
			sb_addf(&sql, "%s%s %s", i ? ", " : "", w->cols[i].qname, w->cols[i].type);
		sb_add(&sql, ")");
		rc = run(conn, sb_str(&sql), err, errlen);
		goto out;
	}
	qual_of(&cur, t->live);
	if (strcmp(t->live->name, w->name)) {
		sb_addf(&sql, "ALTER TABLE %s RENAME TO %s", sb_str(&cur), w->qname);
		if ((rc = run(conn, sb_str(&sql), err, errlen)))
			goto out;
		sb_reset(&cur);
		qual_of(&cur, w);
	}
	for (size_t i = 0; i < w->ncols && !rc; i++) {
		const struct cat_column *c = &w->cols[i];
		const struct cat_column *lc = c->attnum ? catalog_column(t->live, c->attnum, NULL) : NULL;
		sb_reset(&sql);
		if (!lc)
			sb_addf(&sql, "ALTER TABLE %s ADD COLUMN %s %s", sb_str(&cur), c->qname, c->type);
		else if (strcmp(lc->name, c->name))
			sb_addf(&sql, "ALTER TABLE %s RENAME COLUMN %s TO %s", sb_str(&cur), lc->qname, c->qname);
		else
			continue;
		rc = run(conn, sb_str(&sql), err, errlen);
	}
out:
	strbuf_free(&sql);
	strbuf_free(&cur);
	return rc;
}

static char *xstrdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char SQL_PROBE_COLUMN[] =
	"SELECT pg_catalog.format_type(a.atttypid, a.atttypmod),"
	" CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN"
	"  CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN pg_catalog.quote_ident(co.collname)"
	"  ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END END,"
	" a.attnotnull, CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0)"
	"  ELSE pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, a.attidentity, a.attgenerated,"
	" (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute x WHERE x.attrelid = a.attrelid"
	"  AND x.attnum > 0 AND NOT x.attisdropped),"
	" (SELECT pg_catalog.count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = a.attrelid"
	"  AND k.contype <> 'n')"
	" + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid),"
	" {{NOTNULL_CONNAME}}, {{NOTNULL_NOINHERIT}}, {{NOTNULL_QCONNAME}}"
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	"{{NOTNULL_JOIN}}"
	" LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" WHERE a.attrelid = $1::pg_catalog.regclass AND a.attname = $2";

/* The probe's temporary table carries the user's table and column names,
 * so that what PostgreSQL says about it names them. pg_temp comes last in
 * the probe's search_path: the temp table's row type never hides a type
 * of the same name; the table itself is always named with pg_temp. */
struct probe_names {
	const char *table;		/* raw */
	char *qtable, *qcol;		/* quoted (PQfreemem) */
	struct strbuf rel;		/* "pg_temp.<qtable>" */
};

static int names_of(PGconn *conn, const struct probe_table *t, const char *col, struct probe_names *pn,
		    char *err, size_t errlen)
{
	memset(pn, 0, sizeof *pn);
	pn->table = t->want ? t->want->name : "probe";
	pn->qtable = PQescapeIdentifier(conn, pn->table, strlen(pn->table));
	pn->qcol = PQescapeIdentifier(conn, col, strlen(col));
	if (!pn->qtable || !pn->qcol) {
		snprintf(err, errlen, "%s", PQerrorMessage(conn));
		return -1;
	}
	sb_addf(&pn->rel, "pg_temp.%s", pn->qtable);
	return 0;
}

static void names_free(struct probe_names *pn)
{
	PQfreemem(pn->qtable);
	PQfreemem(pn->qcol);
	strbuf_free(&pn->rel);
}

static PGresult *filenode(PGconn *conn, const struct probe_names *pn, char *err, size_t errlen)
{
	const char *params[] = { sb_str(&pn->rel) };
	return pg_exec(conn, "SELECT pg_catalog.pg_relation_filenode($1::pg_catalog.regclass)", 1, params, err, errlen);
}

/* Does changing OLD's type to DEF's rewrite the table, and is there a cast
 * at all? Tried on an empty temp table of the column alone (the probe's
 * first one dropped): the decision does not depend on the rows. */
static int probe_type_change(PGconn *conn, const struct probe_names *pn, const struct cat_column *old,
			     struct stage_coldef *def, char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT;
	int rc = -1;
	PGresult *before = NULL, *after = NULL;
	sb_addf(&sql, "DROP TABLE %s", sb_str(&pn->rel));
	if (run(conn, sb_str(&sql), err, errlen))
		goto out;
	sb_reset(&sql);
	sb_addf(&sql, "CREATE TEMP TABLE %s (%s %s%s%s)", pn->qtable, pn->qcol, old->type,
		old->collation ? " COLLATE " : "", old->collation ? old->collation : "");
	if (run(conn, sb_str(&sql), err, errlen) || !(before = filenode(conn, pn, err, errlen)))
		goto out;
	sb_reset(&sql);
	sb_addf(&sql, "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s", sb_str(&pn->rel), pn->qcol, def->type,
		def->collation ? " COLLATE " : "", def->collation ? def->collation : "");
	if (run(conn, sb_str(&sql), err, errlen)) {
		size_t len = strlen(err);
		snprintf(err + len, errlen - len, " (changing %s to %s needs a USING expression: write that "
			 "migration by hand in migrations/pending/)", old->type, def->type);
		goto out;
	}
	if ((after = filenode(conn, pn, err, errlen))) {
		def->rewrite = strcmp(PQgetvalue(before, 0, 0), PQgetvalue(after, 0, 0)) != 0;
		rc = 0;
	}
out:
	PQclear(before);
	PQclear(after);
	strbuf_free(&sql);
	return rc;
}

int probe_column(PGconn *conn, const struct probe_table *t, const char *name,
		 const struct cat_column *old, const char *text, struct stage_coldef *def,
		 char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT;
	struct probe_names pn;
	PGresult *res = NULL;
	int rc = -1;
	memset(def, 0, sizeof *def);
	if (names_of(conn, t, name, &pn, err, errlen) || begin(conn, err, errlen))
		goto out;
	/* The table's other columns, so a generated column can use them. */
	sb_addf(&sql, "CREATE TEMP TABLE %s (", pn.qtable);
	size_t n = 0;
	for (size_t i = 0; t->want && i < t->want->ncols; i++) {
		const struct cat_column *c = &t->want->cols[i];
		if (!strcmp(c->name, name) || (old && c->attnum == old->attnum))
			continue;
		sb_addf(&sql, "%s%s %s", n++ ? ", " : "", c->qname, c->type);
	}
	sb_add(&sql, ")");
	if (run(conn, sb_str(&sql), err, errlen))
		goto out;
	sb_reset(&sql);
	sb_addf(&sql, "ALTER TABLE %s ADD COLUMN %s ", sb_str(&pn.rel), pn.qcol);
	size_t user = sql.len;
	sb_add(&sql, text);
	if (run_at(conn, sb_str(&sql), user, err, errlen))
		goto out;
	const char *params[] = { sb_str(&pn.rel), name };
	res = pg_exec(conn, pgv_sql_for(conn, SQL_PROBE_COLUMN), 2, params, err, errlen);
	if (!res)
		goto out;
	if (PQntuples(res) != 1 || strtoul(PQgetvalue(res, 0, 6), NULL, 10) != n + 1) {
		snprintf(err, errlen, "a column file holds one column definition (type, then options such as "
			 "NOT NULL or DEFAULT), not more");
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 7), "0")) {
		snprintf(err, errlen, "keys, checks and references are not part of a column file: write them "
			 "as constraints/<name>.sql (or indexes/<name>.sql)");
		goto out;
	}
	def->type = strdup(PQgetvalue(res, 0, 0));
	def->collation = xstrdup_or_null(pg_val(res, 0, 1));
	def->notnull = PQgetvalue(res, 0, 2)[0] == 't';
	def->defexpr = xstrdup_or_null(pg_val(res, 0, 3));
	def->identity = PQgetvalue(res, 0, 4)[0];
	def->generated = PQgetvalue(res, 0, 5)[0];
	/* 18: the name the file gave its NOT NULL (the temp table's own
	 * default name means none was given). */
	if (def->notnull && pg_val(res, 0, 8) && !catalog_notnull_is_default(pn.table, name, pg_val(res, 0, 8)))
		def->notnull_name = xstrdup_or_null(pg_val(res, 0, 10));
	def->notnull_noinherit = PQgetvalue(res, 0, 9)[0] == 't';
	if (old && (strcmp(old->type, def->type) || (old->collation ? !def->collation ||
		    strcmp(old->collation, def->collation) : def->collation != NULL)))
		if (probe_type_change(conn, &pn, old, def, err, errlen))
			goto out;
	rc = 0;
out:
	PQclear(res);
	rollback(conn);
	names_free(&pn);
	strbuf_free(&sql);
	if (rc)
		probe_column_free(def);
	return rc;
}

void probe_column_free(struct stage_coldef *def)
{
	free((char *)def->type);
	free((char *)def->collation);
	free((char *)def->defexpr);
	free((char *)def->notnull_name);
	memset(def, 0, sizeof *def);
}

/* Drops what the file replaces, so the statement can create it again. */
static int drop_existing(PGconn *conn, const struct probe_table *t, const char *what, const char *name,
			 char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT, cur = STRBUF_INIT;
	int rc = 0;
	if (!t->live)
		return 0;
	qual_of(&cur, t->want);
	if (!strcmp(what, "index")) {
		for (size_t i = 0; i < t->live->nindexes; i++)
			if (!strcmp(t->live->indexes[i].name, name))
				sb_addf(&sql, "DROP INDEX %s.%s", t->live->schema->qname, t->live->indexes[i].qname);
	} else {
		for (size_t i = 0; i < t->live->ncons; i++)
			if (!strcmp(t->live->cons[i].name, name))
				sb_addf(&sql, "ALTER TABLE %s DROP CONSTRAINT %s CASCADE", sb_str(&cur),
					t->live->cons[i].qname);
	}
	if (sql.len)
		rc = run(conn, sb_str(&sql), err, errlen);
	strbuf_free(&sql);
	strbuf_free(&cur);
	return rc;
}

/*
 * Index and constraint files: in a rolled-back transaction, the table as
 * staged, what the file replaces dropped, TEXT run, then QUERY ($1 the
 * object's name, $2 its schema, $3 the table, qualified) must find exactly
 * one row whose second column is true. *DEF gets the first column
 * (malloc'd), *TYPE (when not NULL) the third.
 */
static int probe_object(PGconn *conn, const struct probe_table *t, const char *kind, const char *name,
			const char *text, const char *query, char **def, char *type, char *err, size_t errlen)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *res = NULL;
	int rc = -1;
	*def = NULL;
	if (begin(conn, err, errlen) || setup_table(conn, t, err, errlen) ||
	    drop_existing(conn, t, kind, name, err, errlen) || run_at(conn, text, 0, err, errlen))
		goto out;
	qual_of(&q, t->want);
	const char *params[] = { name, t->want->schema->name, sb_str(&q) };
	res = pg_exec(conn, query, 3, params, err, errlen);
	if (!res)
		goto out;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 1), "t")) {
		snprintf(err, errlen, "the statement must %s the %s named like its file, \"%s\", %s %s",
			 strcmp(kind, "index") ? "add" : "create", kind, name,
			 strcmp(kind, "index") ? "to" : "on", sb_str(&q));
		goto out;
	}
	*def = strdup(PQgetvalue(res, 0, 0));
	if (type)
		*type = PQgetvalue(res, 0, 2)[0];
	rc = 0;
out:
	PQclear(res);
	rollback(conn);
	strbuf_free(&q);
	return rc;
}

int probe_index(PGconn *conn, const struct probe_table *t, const char *name, const char *text,
		char **def, char *err, size_t errlen)
{
	return probe_object(conn, t, "index", name, text,
			    "SELECT pg_catalog.pg_get_indexdef(i.indexrelid), i.indrelid = $3::pg_catalog.regclass"
			    " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
			    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
			    " WHERE c.relname = $1 AND n.nspname = $2", def, NULL, err, errlen);
}

int probe_constraint(PGconn *conn, const struct probe_table *t, const char *name, const char *text,
		     char **def, char *type, char *err, size_t errlen)
{
	/* $2 is not needed here, but every parameter must be used. */
	return probe_object(conn, t, "constraint", name, text,
			    "SELECT pg_catalog.pg_get_constraintdef(k.oid), $2::text IS NOT NULL, k.contype"
			    " FROM pg_catalog.pg_constraint k"
			    " WHERE k.conname = $1 AND k.conrelid = $3::pg_catalog.regclass", def, type, err, errlen);
}

/* Appends the literal of S to SQL; -1 with ERR when libpq cannot. */
static int add_literal(PGconn *conn, struct strbuf *sql, const char *s, char *err, size_t errlen)
{
	char *lit = PQescapeLiteral(conn, s, strlen(s));
	if (!lit) {
		snprintf(err, errlen, "%s", PQerrorMessage(conn));
		return -1;
	}
	sb_add(sql, lit);
	PQfreemem(lit);
	return 0;
}

int probe_enum_labels(PGconn *conn, const char *qual, const char *const *from, const char *const *to,
		      size_t nren, const char *const *labels, size_t n, char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT;
	int rc = -1;
	if (begin(conn, err, errlen))
		goto out;
	for (size_t i = 0; i < nren + n; i++) {
		sb_reset(&sql);
		sb_addf(&sql, "ALTER TYPE %s %s ", qual, i < nren ? "RENAME VALUE" : "ADD VALUE");
		if (i < nren) {
			if (add_literal(conn, &sql, from[i], err, errlen))
				goto out;
			sb_add(&sql, " TO ");
		}
		if (add_literal(conn, &sql, i < nren ? to[i] : labels[i - nren], err, errlen))
			goto out;
		if (run(conn, sb_str(&sql), err, errlen))
			goto out;
	}
	rc = 0;
out:
	rollback(conn);
	strbuf_free(&sql);
	return rc;
}

char *probe_quote_ident(PGconn *conn, const char *name, char *err, size_t errlen)
{
	const char *params[] = { name };
	PGresult *res = pg_exec(conn, "SELECT pg_catalog.quote_ident($1)", 1, params, err, errlen);
	if (!res)
		return NULL;
	char *q = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return q;
}

double probe_rows(PGconn *conn, const struct cat_relation *live)
{
	char err[512], oid[16];
	snprintf(oid, sizeof oid, "%u", live->oid);
	const char *params[] = { oid };
	PGresult *res = pg_exec(conn, "SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = $1",
				1, params, err, sizeof err);
	double rows = res && PQntuples(res) ? strtod(PQgetvalue(res, 0, 0), NULL) : -1;
	PQclear(res);
	if (rows >= 0)
		return rows;
	/* Never analyzed: count, but not more than a few rows' worth. */
	struct strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ");
	qual_of(&sql, live);
	sb_add(&sql, " LIMIT 1000) s");
	res = pg_exec(conn, sb_str(&sql), 0, NULL, err, sizeof err);
	rows = res ? strtod(PQgetvalue(res, 0, 0), NULL) : -1;
	PQclear(res);
	strbuf_free(&sql);
	return rows;
}
