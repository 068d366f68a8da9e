/* migrate.c: lock, transaction, tracking row, journal; see include/migrate.h. */
#include "migrate.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "history.h"
#include "journal.h"
#include "log.h"
#include "pg.h"
#include "pgversion.h"
#include "sqlparse.h"
#include "sqlpos.h"
#include "sqltx.h"
#include "strbuf.h"

struct run {
	PGconn *conn;
	const struct migrate_opts *o;
	struct migrate_result *r;
	char qs[256], qt[256], qsql[300];	/* quoted schema, table, our SQL table */
	char key[32];				/* the advisory lock key */
	const char *file, *name;
	size_t len;
	size_t fail_off, fail_len;		/* the statement that failed */
	size_t fail_k;				/* its number (1-based), 0: none */
	int fail_line;
	char fail_msg[1024];			/* PostgreSQL's message, detail, hint */
	migrate_each_fn each;			/* migrate_dry_run's: after each statement */
	void *each_ctx;
};

static void say(struct run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct run *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->r->message, sizeof u->r->message, fmt, ap);
	va_end(ap);
}

static int quote(PGconn *conn, const char *raw, char *out, size_t outlen)
{
	char *q = PQescapeIdentifier(conn, raw, strlen(raw));
	if (!q)
		return -1;
	snprintf(out, outlen, "%s", q);
	PQfreemem(q);
	return 0;
}

static int setup(struct run *u)
{
	char err[1024];
	if (quote(u->conn, u->o->tracking_schema, u->qs, sizeof u->qs) ||
	    quote(u->conn, u->o->tracking_table, u->qt, sizeof u->qt)) {
		say(u, "%s", PQerrorMessage(u->conn));
		return -EIO;
	}
	snprintf(u->qsql, sizeof u->qsql, "%s.schemafs_migrations", u->qs);
	struct strbuf name = STRBUF_INIT;
	sb_addf(&name, "%s.%s", u->o->tracking_schema, u->o->tracking_table);
	const char *params[] = { sb_str(&name) };
	PGresult *res = pg_exec(u->conn, "SELECT pg_catalog.hashtextextended($1, 0)", 1, params, err, sizeof err);
	strbuf_free(&name);
	if (!res) {
		say(u, "%s", err);
		return -EIO;
	}
	snprintf(u->key, sizeof u->key, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* $1: the tracking table's unquoted "<schema>.<table>" (the lock's key is
 * derived from it in the same query). */
static const char SQL_HOLDER[] =
	"WITH k AS (SELECT pg_catalog.hashtextextended($1, 0) AS key)"
	" SELECT a.pid, coalesce(nullif(a.application_name, ''), '(no application_name)'),"
	" coalesce(a.client_addr::text, 'local'), a.state"
	" FROM k, pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
	" WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
	" AND l.classid = ((k.key >> 32) & 4294967295)::text::oid"
	" AND l.objid = (k.key & 4294967295)::text::oid"
	" AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())";

/* "free" or "held by ...", malloc'd; NULL with ERR. One query. */
char *migrate_lock_holder(PGconn *conn, const struct migrate_opts *o, char *err, size_t errlen)
{
	struct strbuf name = STRBUF_INIT, sb = STRBUF_INIT;
	sb_addf(&name, "%s.%s", o->tracking_schema, o->tracking_table);
	const char *params[] = { sb_str(&name) };
	PGresult *res = pg_exec(conn, SQL_HOLDER, 1, params, err, errlen);
	strbuf_free(&name);
	if (!res)
		return NULL;
	if (!PQntuples(res))
		sb_add(&sb, "free");
	else
		sb_addf(&sb, "held by pid %s (%s, from %s, %s)", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	PQclear(res);
	return strbuf_detach(&sb, NULL);
}

/* Also makes the server check, while a statement runs, that we are still
 * there: when the daemon dies in the middle of a migration, the server
 * rolls it back within a second instead of at the end of the statement. */
static int set_timeouts(struct run *u, int lock_ms, int stmt_ms, bool local, char *err, size_t errlen)
{
	char l[32], s[32];
	snprintf(l, sizeof l, "%d", lock_ms);
	snprintf(s, sizeof s, "%d", stmt_ms);
	const char *params[] = { l, s, local ? "true" : "false" };
	PGresult *res = pg_exec(u->conn, pgv_sql_for(u->conn,
				"SELECT pg_catalog.set_config('lock_timeout', $1, $3::bool),"
				" pg_catalog.set_config('statement_timeout', $2, $3::bool),"
				" pg_catalog.set_config('standard_conforming_strings', 'on', $3::bool)"
				"{{CONNECTION_CHECK}}"),
				3, params, err, errlen);
	PQclear(res);
	return res ? 0 : -1;
}

static int take_lock(struct run *u)
{
	char err[1024];
	const char *params[] = { u->key };
	/* lock_timeout 0 would mean "wait forever": 0 means "do not wait". */
	if (set_timeouts(u, u->o->lock_wait_ms > 0 ? u->o->lock_wait_ms : 1, 0, false, err, sizeof err)) {
		say(u, "%s", err);
		return -EIO;
	}
	PGresult *res = PQexecParams(u->conn, "SELECT pg_catalog.pg_advisory_lock($1::bigint)", 1, NULL,
				     params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && !strcmp(state, "55P03")) {
			char *h = migrate_lock_holder(u->conn, u->o, err, sizeof err);
			say(u, "the migration lock (advisory lock %s) was not free within %d ms: %s; another "
			    "deploy is migrating this database. Try again when it is done.", u->key,
			    u->o->lock_wait_ms, h ? h : err);
			free(h);
			rc = -EBUSY;
		} else {
			say(u, "cannot take the migration lock: %s", PQresultErrorMessage(res));
			rc = -EIO;
		}
	}
	PQclear(res);
	/* The session's own timeouts again (pg_session_setup's). */
	set_timeouts(u, 5000, 120000, false, err, sizeof err);
	return rc;
}

static void release_lock(struct run *u)
{
	char err[256];
	const char *params[] = { u->key };
	/* What the file SET lasts for the session: reset before the next
	 * migration or probe, the lock kept until released here. */
	if (PQtransactionStatus(u->conn) == PQTRANS_IDLE && pg_session_reset(u->conn, err, sizeof err))
		log_warn("cannot reset the session after %s: %s", u->name, err);
	PQclear(pg_exec(u->conn, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)", 1, params, err, sizeof err));
}

/* A file schemafs generated runs under the search_path its text was
 * deparsed with (o->search_path); others under the session's own. */
static int set_search_path(struct run *u, bool local, char *err, size_t errlen)
{
	if (!u->o->search_path)
		return 0;
	const char *params[] = { u->o->search_path, local ? "true" : "false" };
	PGresult *res = pg_exec(u->conn, "SELECT pg_catalog.set_config('search_path', $1, $2::bool)", 2, params,
				err, errlen);
	PQclear(res);
	return res ? 0 : -1;
}

/* SHA-256 of LEN bytes, computed by the server (binary parameter). */
static int hash_bytes(struct run *u, const char *data, size_t len, char *hex, size_t hexlen)
{
	const char *values[] = { data };
	int lengths[] = { (int)len }, formats[] = { 1 };
	PGresult *res = PQexecParams(u->conn, "SELECT pg_catalog.encode(pg_catalog.sha256($1::bytea), 'hex')",
				     1, NULL, values, lengths, formats, 0);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
	if (rc)
		say(u, "cannot hash the file: %s", PQresultErrorMessage(res));
	else
		snprintf(hex, hexlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc ? -EIO : 0;
}

static int file_hash(struct run *u, char *hex, size_t hexlen)
{
	return hash_bytes(u, u->file, u->len, hex, hexlen);
}

/* errno for a failed statement. */
static int errno_of(PGconn *conn, const char *state)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return -EIO;
	if (!state)
		return -EIO;
	if (!strcmp(state, "55P03"))
		return -EAGAIN;
	if (!strcmp(state, "57014"))
		return -ETIMEDOUT;
	if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3))
		return -EIO;
	/* Not EINVAL: mv(1) reads that from rename() as "a subdirectory of
	 * itself". The migration was rolled back: canceled. */
	return -ECANCELED;
}

/* A piece of the file between Drizzle's breakpoints, and its statements
 * (split by PostgreSQL's parser; NULL when the parser cannot read it:
 * then it is sent whole and counts as one). */
struct chunk {
	size_t off, len;
	struct sql_stmt *stmts;	/* offsets within the chunk */
	int nstmts;
};

/* The file cut at Drizzle's breakpoints, each piece split into its
 * statements; chunks of only white space and comments hold none. */
static size_t chunks_of(const char *file, size_t len, struct chunk **out)
{
	struct sqltx_span *cut;
	size_t n = sqltx_chunks(file, len, &cut);
	struct chunk *v = malloc(n * sizeof *v);
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++) {
		v[i] = (struct chunk){ cut[i].off, cut[i].len, NULL, 0 };
		v[i].nstmts = sqlparse_split(file + cut[i].off, cut[i].len, &v[i].stmts);
	}
	free(cut);
	*out = v;
	return n;
}

static void free_chunks(struct chunk *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].stmts);
	free(c);
}

/* Statements of the file in all: what "statement K of N" counts. */
static size_t count_statements(const struct chunk *c, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += c[i].stmts ? (size_t)c[i].nstmts : 1;
	return total;
}

/* Sends bytes [off, off + len) of the file as one query (statement K of
 * N, 1-based); on failure describes it (which statement, where in the
 * file as an editor counts, what PostgreSQL said) and returns -errno.
 * *STATE gets the SQLSTATE. */
static int run_one(struct run *u, size_t off, size_t len, size_t k, size_t n, char *state, size_t statelen)
{
	char *text = strndup(u->file + off, len);
	if (!text)
		abort();
	PGresult *res = PQexec(u->conn, text);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;
	state[0] = '\0';
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		snprintf(state, statelen, "%s", s ? s : "");
		/* PostgreSQL's position counts characters of what was sent;
		 * without one, the statement's first keyword. */
		size_t at = pos ? sqlpos_char_offset(u->file, off, off + len, strtol(pos, NULL, 10)) :
				  sqlpos_first_token(u->file, off, off + len);
		int line, chr;
		sqlpos_line_char(u->file, at, &line, &chr);
		rc = errno_of(u->conn, s);
		say(u, "%s failed at statement %zu of %zu (line %d, character %d): %s%s%s%s%s [SQLSTATE %s]",
		    u->name, k, n, line, chr, msg ? msg : PQerrorMessage(u->conn), detail ? "; " : "",
		    detail ? detail : "", hint ? "; hint: " : "", hint ? hint : "", s ? s : "none");
		snprintf(u->fail_msg, sizeof u->fail_msg, "%s%s%s%s%s [SQLSTATE %s]",
			 msg ? msg : PQerrorMessage(u->conn), detail ? "; " : "", detail ? detail : "",
			 hint ? "; hint: " : "", hint ? hint : "", s ? s : "none");
		u->fail_off = off;
		u->fail_len = len;
		u->fail_k = k;
		u->fail_line = line;
	}
	PQclear(res);
	free(text);
	return rc;
}

/* Runs chunk C statement by statement, as psql does; *K counts the
 * file's statements run so far. Stops after a statement that ends the
 * transaction when IN_TX (said, -ECANCELED). */
static int run_chunk(struct run *u, const struct chunk *c, size_t *k, size_t n, bool in_tx,
		     char *state, size_t statelen)
{
	int m = c->stmts ? c->nstmts : 1, rc = 0;
	for (int j = 0; j < m && !rc; j++) {
		size_t off = c->stmts ? c->off + c->stmts[j].off : c->off;
		size_t len = c->stmts ? c->stmts[j].len : c->len;
		rc = run_one(u, off, len, ++*k, n, state, statelen);
		if (!rc && u->each)
			u->each(u->each_ctx, *k);
		/* A COMMIT or ROLLBACK in the file ended our transaction: what
		 * ran before it is committed (or gone) outside our control. */
		if (!rc && in_tx && PQtransactionStatus(u->conn) != PQTRANS_INTRANS) {
			say(u, "%s ends the transaction itself (COMMIT or ROLLBACK at statement %zu of %zu): what "
			    "ran before it may be committed and is not recorded; check the database. Remove "
			    "transaction control from migration files: schemafs runs each in a transaction.",
			    u->name, *k, n);
			rc = -ECANCELED;
		}
	}
	return rc;
}

static void rollback(struct run *u)
{
	char err[256];
	pg_command(u->conn, "ROLLBACK", err, sizeof err);
}

/* "0007_booking_add_notes" from the file name and the first free number
 * MIN: the name's own number when it is not below MIN (pending/ shows the
 * generated file under the tag it gets), else MIN. */
static void make_tag(struct run *u, long long min)
{
	const char *base = u->name;
	size_t len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".sql"))
		len -= 4;
	long long own = history_tag_number(base);
	size_t digits = strspn(base, "0123456789");
	if (digits && digits < len && base[digits] == '_') {
		base += digits + 1;
		len -= digits + 1;
	}
	snprintf(u->r->tag, sizeof u->r->tag, "%04lld_%.*s", own > min ? own : min, (int)len, base);
	/* It names a file in migrations_dir: no "/" and no control bytes. */
	for (char *t = u->r->tag; *t; t++)
		if (*t == '/' || (unsigned char)*t < 0x20)
			*t = '_';
}

/* The first free number: after every row (COUNT), every tag schemafs
 * recorded and every journal entry of J (may be NULL). */
static int first_free_number(struct run *u, const struct journal *j, long long count, long long *min)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "SELECT tag FROM %s", u->qsql);
	PGresult *res = pg_exec(u->conn, sb_str(&sql), 0, NULL, err, sizeof err);
	strbuf_free(&sql);
	if (!res) {
		say(u, "%s; nothing was applied", err);
		return -EIO;
	}
	size_t n = (size_t)PQntuples(res);
	const char **tags = calloc(n + 1, sizeof *tags);
	if (!tags)
		abort();
	for (size_t i = 0; i < n; i++)
		tags[i] = PQgetvalue(res, (int)i, 0);
	*min = history_next_number(j, tags, n, (size_t)count);
	free(tags);
	PQclear(res);
	return 0;
}

struct dir_state {
	char *journal_file, *sql_file;
	char *old_journal;	/* to put back when the COMMIT fails; NULL: there was none */
	struct journal j;
	bool reused;		/* the file is a journal entry already: nothing to write */
};

static int read_journal(struct run *u, struct dir_state *d)
{
	char err[512];
	memset(d, 0, sizeof *d);
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, "%s/meta", u->o->migrations_dir);
	/* The folder itself exists (checked at mount): a typo is not made. */
	mkdir(sb_str(&p), 0755);
	sb_add(&p, "/_journal.json");
	d->journal_file = strbuf_detach(&p, NULL);
	size_t len;
	d->old_journal = file_read_all(d->journal_file, &len);
	if (!d->old_journal && errno != ENOENT) {
		say(u, "cannot read %s: %s", d->journal_file, strerror(errno));
		return -EIO;
	}
	if (d->old_journal && journal_parse(d->old_journal, &d->j, err, sizeof err)) {
		say(u, "%s: %s; nothing was applied", d->journal_file, err);
		return -EIO;
	}
	return 0;
}

static int write_dir(struct run *u, struct dir_state *d, long long when)
{
	struct strbuf p = STRBUF_INIT, text = STRBUF_INIT;
	sb_addf(&p, "%s/%s.sql", u->o->migrations_dir, u->r->tag);
	d->sql_file = strbuf_detach(&p, NULL);
	int rc = atomic_write(d->sql_file, u->file, u->len);
	if (!rc) {
		journal_add(&d->j, u->r->tag, when);
		journal_render(&text, &d->j);
		rc = atomic_write(d->journal_file, text.buf, text.len);
	}
	if (rc)
		say(u, "cannot write to migrations_dir %s: %s; nothing was applied", u->o->migrations_dir,
		    strerror(-rc));
	strbuf_free(&text);
	return rc;
}

static void undo_dir(struct dir_state *d)
{
	if (d->sql_file)
		unlink(d->sql_file);
	if (d->old_journal)
		atomic_write(d->journal_file, d->old_journal, strlen(d->old_journal));
	else if (d->journal_file)
		unlink(d->journal_file);
}

static void free_dir(struct dir_state *d)
{
	free(d->journal_file);
	free(d->sql_file);
	free(d->old_journal);
	journal_free(&d->j);
}

/* In the open transaction: the tracking tables, exactly as drizzle creates
 * its own, and the rows. */
static int record(struct run *u, const char *hash, long long when)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	int rc = -EIO;
	char whenbuf[32];
	snprintf(whenbuf, sizeof whenbuf, "%lld", when);
	sb_addf(&sql, "INSERT INTO %s.%s (\"hash\", \"created_at\") VALUES ($1, $2) RETURNING id", u->qs, u->qt);
	const char *p1[] = { hash, whenbuf };
	PGresult *res = pg_exec(u->conn, sb_str(&sql), 2, p1, err, sizeof err);
	if (!res)
		goto fail;
	u->r->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	sb_reset(&sql);
	sb_addf(&sql, "INSERT INTO %s (hash, tag, sql) VALUES ($1, $2, $3) ON CONFLICT (hash) DO UPDATE"
		" SET tag = EXCLUDED.tag, sql = EXCLUDED.sql", u->qsql);
	char *text = strndup(u->file, u->len);
	const char *p2[] = { hash, u->r->tag, text };
	res = pg_exec(u->conn, sb_str(&sql), 3, p2, err, sizeof err);
	free(text);
	if (!res)
		goto fail;
	PQclear(res);
	rc = 0;
	goto out;
fail:
	say(u, "cannot record the migration: %s; nothing was applied", err);
out:
	strbuf_free(&sql);
	return rc;
}

static int ensure_tables(struct run *u)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "CREATE SCHEMA IF NOT EXISTS %s", u->qs);
	int rc = pg_command(u->conn, sb_str(&sql), err, sizeof err);
	sb_reset(&sql);
	sb_addf(&sql, "CREATE TABLE IF NOT EXISTS %s.%s (\n\t\t\tid SERIAL PRIMARY KEY,\n\t\t\thash text NOT NULL,"
		"\n\t\t\tcreated_at bigint\n\t\t)", u->qs, u->qt);
	if (!rc)
		rc = pg_command(u->conn, sb_str(&sql), err, sizeof err);
	sb_reset(&sql);
	sb_addf(&sql, "CREATE TABLE IF NOT EXISTS %s (hash text PRIMARY KEY, tag text NOT NULL,"
		" sql text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", u->qsql);
	if (!rc)
		rc = pg_command(u->conn, sb_str(&sql), err, sizeof err);
	strbuf_free(&sql);
	if (rc)
		say(u, "cannot create the migrations table: %s; nothing was applied", err);
	return rc ? -EIO : 0;
}

/* created_at for the new row: now, but after every row and journal entry. */
static int next_when(struct run *u, const struct journal *j, long long *when, long long *count,
		     long long *max_row)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "SELECT coalesce(max(created_at), 0), count(*) FROM %s.%s", u->qs, u->qt);
	PGresult *res = pg_exec(u->conn, sb_str(&sql), 0, NULL, err, sizeof err);
	strbuf_free(&sql);
	if (!res) {
		say(u, "%s", err);
		return -EIO;
	}
	long long max = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*max_row = max;
	*count = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (j && journal_max_when(j) > max)
		max = journal_max_when(j);
	*when = now > max ? now : max + 1;
	return 0;
}

/*
 * The tag and created_at of the row to write. With migrations_dir, journal
 * entries whose "when" is after every row are what drizzle's migrator would
 * still run. When the file is the first of them (drizzle-kit generated it,
 * nobody applied it), it keeps that entry's tag and "when". Otherwise such
 * entries must be applied first: a later created_at would make drizzle
 * skip them for ever.
 */
static int prepare_record(struct run *u, struct dir_state *d, const char *hash, long long *when)
{
	long long count, max_row;
	int rc;
	if ((u->o->migrations_dir && (rc = read_journal(u, d))) ||
	    (rc = next_when(u, u->o->migrations_dir ? &d->j : NULL, when, &count, &max_row)))
		return rc;
	for (size_t i = 0; u->o->migrations_dir && i < d->j.n; i++) {
		const struct journal_entry *e = &d->j.v[i];
		if (e->when <= max_row)
			continue;
		struct strbuf path = STRBUF_INIT;
		sb_addf(&path, "%s/%s.sql", u->o->migrations_dir, e->tag);
		size_t len;
		char *text = file_read_all(sb_str(&path), &len), hex[80] = "";
		strbuf_free(&path);
		if (text && (rc = hash_bytes(u, text, len, hex, sizeof hex))) {
			free(text);
			return rc;
		}
		free(text);
		if (!strcmp(hex, hash)) {
			snprintf(u->r->tag, sizeof u->r->tag, "%s", e->tag);
			*when = e->when;
			d->reused = true;
			return 0;
		}
		say(u, "migrations_dir has %s, which drizzle has not applied yet (its \"when\" %lld is after every "
		    "applied migration); applied after it, this one would make drizzle skip it for ever. Apply "
		    "it first (cp %s/%s.sql into apply/, or drizzle-kit migrate), then this one; nothing was "
		    "applied", e->tag, e->when, u->o->migrations_dir, e->tag);
		return -ECANCELED;
	}
	long long min;
	if ((rc = first_free_number(u, u->o->migrations_dir ? &d->j : NULL, count, &min)))
		return rc;
	make_tag(u, min);
	return 0;
}

/* What to do after a statement failed: a hand-written file is fixed; a
 * generated one cannot be edited, so the advice names the tree's file its
 * failed statement comes from. */
static void advise(struct run *u)
{
	size_t l = strlen(u->r->message);
	char *m = u->r->message + l;
	size_t room = sizeof u->r->message - l;
	if (!u->o->generated) {
		snprintf(m, room, " Nothing was applied; the file stays in pending/: fix it and move it to apply/ "
			 "again.");
		return;
	}
	struct strbuf subject = STRBUF_INIT;
	char *stmt = strndup(u->file + u->fail_off, u->fail_len);
	if (!stmt)
		abort();
	if (!u->fail_len || sqlparse_subject(stmt, &subject))
		sb_add(&subject, "the tree");
	snprintf(m, room, " Nothing was applied. It is generated from the staged changes: change %s (the migration "
		 "follows), or rm it to discard them all.", sb_str(&subject));
	free(stmt);
	strbuf_free(&subject);
}

static const char ENUM_RULE[] =
	" A value added by ALTER TYPE ... ADD VALUE cannot be used in the transaction that adds it:"
	" put the ADD VALUE in a migration of its own, apply it, then apply the rest.";

/* Outside a transaction, for a file PostgreSQL refuses to run in one. */
static int run_alone(struct run *u, const char *hash, struct chunk *c, size_t n, size_t nstmts)
{
	char err[1024], state[8];
	/* Sent one by one, each statement would commit apart. */
	if (nstmts > 1) {
		say(u, "%s mixes a statement that cannot run in a transaction (such as CREATE INDEX "
		    "CONCURRENTLY) with others; nothing was run. Put that statement in a migration file of "
		    "its own.", u->name);
		return -ECANCELED;
	}
	/* Indexes already invalid before, so only ours are cleaned up. */
	PGresult *res = pg_exec(u->conn, "SELECT coalesce(pg_catalog.array_agg(indexrelid), '{}')"
				" FROM pg_catalog.pg_index WHERE NOT indisvalid", 0, NULL, err, sizeof err);
	if (!res) {
		say(u, "%s", err);
		return -EIO;
	}
	char *before = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	set_timeouts(u, u->o->lock_timeout_ms, u->o->statement_timeout_ms, false, err, sizeof err);
	set_search_path(u, false, err, sizeof err);	/* reset with the session (release_lock) */
	int rc = 0;
	size_t k = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = run_chunk(u, &c[i], &k, nstmts, false, state, sizeof state);
	set_timeouts(u, 5000, 120000, false, err, sizeof err);
	if (rc && !strcmp(state, "25001")) {
		say(u, "%s mixes a statement that cannot run in a transaction (such as CREATE INDEX "
		    "CONCURRENTLY) with others; nothing was run. Put that statement in a migration file "
		    "of its own.", u->name);
	} else if (rc && PQstatus(u->conn) == CONNECTION_OK) {
		const char *params[] = { before };
		res = pg_exec(u->conn, "SELECT indexrelid::pg_catalog.regclass::text FROM pg_catalog.pg_index"
			      " WHERE NOT indisvalid AND NOT indexrelid = ANY ($1::oid[])", 1, params, err, sizeof err);
		for (int i = 0; res && i < PQntuples(res); i++) {
			struct strbuf drop = STRBUF_INIT;
			sb_addf(&drop, "DROP INDEX CONCURRENTLY IF EXISTS %s", PQgetvalue(res, i, 0));
			pg_command(u->conn, sb_str(&drop), err, sizeof err);
			size_t l = strlen(u->r->message);
			snprintf(u->r->message + l, sizeof u->r->message - l, " The INVALID index %s it left was dropped.",
				 PQgetvalue(res, i, 0));
			strbuf_free(&drop);
		}
		PQclear(res);
	}
	free(before);
	if (rc)
		return rc;
	/* It ran: record it in a transaction of its own. */
	struct dir_state d = { 0 };
	long long when;
	if ((rc = pg_command(u->conn, "BEGIN", err, sizeof err) ? -EIO : 0) ||
	    (rc = ensure_tables(u)) || (rc = prepare_record(u, &d, hash, &when)))
		goto out;
	if ((rc = record(u, hash, when)) ||
	    (u->o->migrations_dir && !d.reused && (rc = write_dir(u, &d, when))))
		goto out;
	if (pg_command(u->conn, "COMMIT", err, sizeof err)) {
		undo_dir(&d);
		say(u, "%s ran, but recording it failed: %s", u->name, err);
		rc = -EIO;
	} else {
		say(u, "%s applied outside a transaction (it cannot run in one) as %s (tracking row #%lld, "
		    "created_at %lld)", u->name, u->r->tag, u->r->id, when);
	}
out:
	if (rc)
		rollback(u);
	free_dir(&d);
	return rc;
}

int migrate_apply(PGconn *conn, const struct migrate_opts *o, const char *name, const char *sql,
		  size_t len, struct migrate_result *r)
{
	struct run u = { .conn = conn, .o = o, .r = r, .file = sql, .name = name, .len = len };
	char err[1024], hash[80], state[8];
	struct chunk *c = NULL;
	size_t n = 0, nstmts;
	struct dir_state d = { 0 };
	memset(r, 0, sizeof *r);
	char what[32];
	int line, at = sqltx_find(sql, len, what, sizeof what, &line);
	if (at) {
		/* Refused before anything runs: ending our transaction would
		 * commit part of the file with no tracking row. */
		say(&u, "%s controls its own transaction (%s, statement %d, line %d): nothing was run. schemafs "
		    "runs each migration in one transaction of its own, with its tracking row: remove BEGIN, "
		    "COMMIT and ROLLBACK from the file (split it into several migration files if its parts "
		    "must commit apart)", name, what, at, line);
		return -ECANCELED;
	}
	int rc = setup(&u);
	if (rc)
		return rc;
	if ((rc = take_lock(&u)))
		return rc;
	if ((rc = file_hash(&u, hash, sizeof hash)))
		goto unlock;
	if (pg_command(conn, "BEGIN", err, sizeof err)) {
		say(&u, "%s", err);
		rc = -EIO;
		goto unlock;
	}
	if ((rc = ensure_tables(&u)))
		goto abort;
	struct strbuf q = STRBUF_INIT;
	sb_addf(&q, "SELECT id FROM %s.%s WHERE hash = $1 ORDER BY id LIMIT 1", u.qs, u.qt);
	const char *params[] = { hash };
	PGresult *res = pg_exec(conn, sb_str(&q), 1, params, err, sizeof err);
	strbuf_free(&q);
	if (!res) {
		say(&u, "%s", err);
		rc = -EIO;
		goto abort;
	}
	if (PQntuples(res)) {
		r->already = true;
		r->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		say(&u, "%s was already applied (tracking row #%lld, same SHA-256 %.12s...): nothing was run",
		    name, r->id, hash);
		PQclear(res);
		rc = 0;
		goto abort;
	}
	PQclear(res);
	if (set_timeouts(&u, o->lock_timeout_ms, o->statement_timeout_ms, true, err, sizeof err) ||
	    set_search_path(&u, true, err, sizeof err)) {
		say(&u, "%s", err);
		rc = -EIO;
		goto abort;
	}
	n = chunks_of(sql, len, &c);
	nstmts = count_statements(c, n);
	if (!nstmts) {
		say(&u, "%s holds no statement: nothing was run or recorded", name);
		rc = -ECANCELED;
		goto abort;
	}
	/* Before anything runs: a file that must wait for drizzle's is refused. */
	long long when;
	if ((rc = prepare_record(&u, &d, hash, &when)))
		goto abort;
	size_t k = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = run_chunk(&u, &c[i], &k, nstmts, true, state, sizeof state);
	if (rc && !strcmp(state, "25001")) {
		rollback(&u);
		rc = run_alone(&u, hash, c, n, nstmts);
		goto unlock;
	}
	if (rc && PQtransactionStatus(conn) != PQTRANS_INTRANS && PQtransactionStatus(conn) != PQTRANS_INERROR)
		goto abort;	/* said above: the file ended the transaction */
	if (rc) {
		if (!strcmp(state, "55P04")) {
			size_t l = strlen(r->message);
			snprintf(r->message + l, sizeof r->message - l, "%s", ENUM_RULE);
		}
		advise(&u);
		goto abort;
	}
	/* The tracking row is written as the session's own user, whatever
	 * role the file switched to (it may not reach the tracking table). */
	if (pg_command(conn, "RESET SESSION AUTHORIZATION", err, sizeof err) ||
	    pg_command(conn, "RESET ROLE", err, sizeof err)) {
		say(&u, "%s: %s; nothing was applied", name, err);
		rc = -ECANCELED;
		goto abort;
	}
	if ((rc = record(&u, hash, when)) || (o->migrations_dir && !d.reused && (rc = write_dir(&u, &d, when))))
		goto abort;
	if (pg_command(conn, "COMMIT", err, sizeof err)) {
		if (PQstatus(conn) != CONNECTION_OK) {
			/* The server may have committed before the line broke:
			 * the next refresh shows whether the row is there. */
			say(&u, "the connection was lost during the COMMIT of %s: it may or may not be applied; "
			    "migrations/applied/ shows which after the next refresh (%s)", name, err);
			rc = -EIO;
		} else {
			undo_dir(&d);
			say(&u, "COMMIT of %s failed: %s; nothing was applied", name, err);
			rc = -ECANCELED;	/* a deferred constraint, a serialization failure */
		}
		goto unlock;
	}
	say(&u, "%s applied as %s (tracking row #%lld, created_at %lld)", name, r->tag, r->id, when);
	goto unlock;
abort:
	rollback(&u);
	if (d.sql_file)
		undo_dir(&d);
unlock:
	if (PQstatus(conn) == CONNECTION_OK)
		release_lock(&u);
	free_chunks(c, n);
	free_dir(&d);
	return rc;
}

int migrate_dry_run(PGconn *conn, const struct migrate_opts *o, const char *name, const char *sql, size_t len,
		    migrate_each_fn each, void *ctx, struct migrate_dry *d)
{
	struct migrate_result r;
	struct run u = { .conn = conn, .o = o, .r = &r, .file = sql, .name = name, .len = len,
			 .each = each, .each_ctx = ctx };
	char err[1024], what[32];
	struct chunk *c = NULL;
	int line, rc = 0;
	bool in_tx = PQtransactionStatus(conn) == PQTRANS_INTRANS;
	memset(d, 0, sizeof *d);
	memset(&r, 0, sizeof r);
	int at = sqltx_find(sql, len, what, sizeof what, &line);
	size_t n = chunks_of(sql, len, &c), k = 0;
	d->nstmts = count_statements(c, n);
	if (at) {
		snprintf(d->message, sizeof d->message, "it controls its own transaction (%s, statement %d, line %d): "
			 "the apply refuses it", what, at, line);
		rc = -ENOTSUP;
	} else if (set_timeouts(&u, o->lock_timeout_ms, o->statement_timeout_ms, in_tx, err, sizeof err) ||
		   set_search_path(&u, in_tx, err, sizeof err)) {
		snprintf(d->message, sizeof d->message, "%s", err);
		rc = -EIO;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = run_chunk(&u, &c[i], &k, d->nstmts, in_tx, d->state, sizeof d->state);
	if (!in_tx && !at) {
		/* Outside a transaction the settings last for the session. */
		set_timeouts(&u, 5000, 120000, false, err, sizeof err);
		if (o->search_path)
			pg_command(conn, "RESET search_path", err, sizeof err);
	}
	if (rc && u.fail_k) {
		d->failed = u.fail_k;
		d->line = u.fail_line;
		snprintf(d->message, sizeof d->message, "%s", u.fail_msg);
		if (!strcmp(d->state, "55P04")) {
			size_t l = strlen(r.message);
			snprintf(r.message + l, sizeof r.message - l, "%s", ENUM_RULE);
		}
		advise(&u);
		snprintf(d->full, sizeof d->full, "%s", r.message);
	} else if (rc && !d->message[0]) {
		d->failed = k;
		snprintf(d->message, sizeof d->message, "%.1100s", r.message);
	}
	free_chunks(c, n);
	return rc;
}
