/* migrate.c: lock, transaction, tracking row, journal; see include/migrate.h.
 * A COMMIT whose connection was lost is migrate_commit.c's. */
#include "migrate.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "migrate_int.h"
#include "pg.h"
#include "pgversion.h"
#include "progress.h"
#include "sqlparse.h"
#include "sqlpos.h"
#include "sqltx.h"
#include "strbuf.h"
#include "track.h"

void migrate_say(struct run *u, const char *fmt, ...)
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
	struct track_run *t = &u->t;
	*t = (struct track_run){ .conn = u->conn, .o = u->o, .r = u->r, .file = u->file, .name = u->name,
				 .len = u->len };
	if (!(u->tk = track_choose(u->conn, u->o))) {
		migrate_say(u, "no tracker called %s", u->o->tracking);
		return -EINVAL;
	}
	if (quote(u->conn, u->o->tracking_schema, t->qs, sizeof t->qs) ||
	    quote(u->conn, u->o->tracking_table, t->qt, sizeof t->qt)) {
		migrate_say(u, "%s", PQerrorMessage(u->conn));
		return -EIO;
	}
	snprintf(t->qsql, sizeof t->qsql, "%s.schemafs_migrations", t->qs);
	struct strbuf name = STRBUF_INIT;
	sb_addf(&name, "%s.%s", u->o->tracking_schema, u->o->tracking_table);
	const char *params[] = { sb_str(&name) };
	PGresult *res = pg_exec(u->conn, "SELECT pg_catalog.hashtextextended($1, 0)", 1, params, err, sizeof err);
	strbuf_free(&name);
	if (!res) {
		migrate_say(u, "%s", err);
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
		migrate_say(u, "%s", err);
		return -EIO;
	}
	PGresult *res = pg_run(u->conn, false, "SELECT pg_catalog.pg_advisory_lock($1::bigint)", 1, params,
			       NULL, NULL);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && !strcmp(state, "55P03")) {
			char *h = migrate_lock_holder(u->conn, u->o, err, sizeof err);
			migrate_say(u, "the migration lock (advisory lock %s) was not free within %d ms: %s; another "
			    "deploy is migrating this database. Try again when it is done.", u->key,
			    u->o->lock_wait_ms, h ? h : err);
			free(h);
			rc = -EBUSY;
		} else {
			migrate_say(u, "cannot take the migration lock: %s", res ? PQresultErrorMessage(res) : pg_error(u->conn));
			rc = pg_timed_out() ? -ETIMEDOUT : -EIO;
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

static int file_hash(struct run *u, char *hex, size_t hexlen)
{
	return track_hash(&u->t, u->file, u->len, hex, hexlen);
}

/* errno for a failed statement. */
static int errno_of(PGconn *conn, const char *state)
{
	if (pg_timed_out())
		return -ETIMEDOUT;	/* schemafs's bound: the connection was closed */
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
	size_t first = sqlpos_first_token(u->file, off, off + len);
	progress_step(u->o->progress, (int)k, (int)n, u->file + first, off + len - first);
	PGresult *res = pg_run(u->conn, true, text, 0, NULL, NULL, NULL);
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
		migrate_say(u, "%s failed at statement %zu of %zu (line %d, character %d): %s%s%s%s%s [SQLSTATE %s]",
		    u->name, k, n, line, chr, msg ? msg : pg_error(u->conn), detail ? "; " : "",
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
			migrate_say(u, "%s ends the transaction itself (COMMIT or ROLLBACK at statement %zu of %zu): what "
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

int migrate_bound_ms(const struct migrate_opts *o)
{
	long long ms = (o->statement_timeout_ms > 0 ? o->statement_timeout_ms : MIGRATE_DEFAULT_STATEMENT_BOUND_MS) +
		       (long long)(o->lock_wait_ms > 0 ? o->lock_wait_ms : 0) + PG_BOUND_MARGIN_MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
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
		migrate_say(u, "%s mixes a statement that cannot run in a transaction (such as CREATE INDEX "
		    "CONCURRENTLY) with others; nothing was run. Put that statement in a migration file of "
		    "its own.", u->name);
		return -ECANCELED;
	}
	/* Indexes already invalid before, so only ours are cleaned up. */
	PGresult *res = pg_exec(u->conn, "SELECT coalesce(pg_catalog.array_agg(indexrelid), '{}')"
				" FROM pg_catalog.pg_index WHERE NOT indisvalid", 0, NULL, err, sizeof err);
	if (!res) {
		migrate_say(u, "%s", err);
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
		migrate_say(u, "%s mixes a statement that cannot run in a transaction (such as CREATE INDEX "
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
	const struct tracker *tk = u->tk;
	struct track_run *t = &u->t;
	if (tk->done)
		tk->done(t);	/* what the rolled-back attempt prepared */
	t->ran = true;
	if ((rc = pg_command(u->conn, "BEGIN", err, sizeof err) ? -EIO : 0) ||
	    (rc = tk->ensure_tables(t)) || (rc = tk->prepare(t, hash)))
		goto out;
	if ((rc = tk->record(t, hash)) || (tk->write_folder && (rc = tk->write_folder(t))))
		goto out;
	if (pg_command(u->conn, "COMMIT", err, sizeof err)) {
		if (PQstatus(u->conn) != CONNECTION_OK) {
			rc = migrate_commit_lost(u, hash, u->pid, err, true);
		} else {
			if (tk->undo_folder)
				tk->undo_folder(t);
			migrate_say(u, "%s ran, but recording it failed: %s", u->name, err);
			rc = -EIO;
		}
	} else {
		migrate_say(u, "%s applied outside a transaction (it cannot run in one) as %s (tracking row #%lld, "
		    "created_at %lld)", u->name, u->r->tag, u->r->id, t->when);
	}
out:
	if (rc)
		rollback(u);
	return rc;
}

/* *ACC gets the time since *T0, which moves on to now. */
static void lap(struct timespec *t0, double *acc)
{
	*acc += ms_since(t0);
	clock_gettime(CLOCK_MONOTONIC, t0);
}

static int apply(PGconn *conn, const struct migrate_opts *o, const char *name, const char *sql,
		 size_t len, struct migrate_result *r)
{
	struct timespec t0;
	struct run u = { .conn = conn, .o = o, .r = r, .file = sql, .name = name, .len = len };
	char err[1024], hash[80], state[8];
	struct chunk *c = NULL;
	size_t n = 0, nstmts;
	memset(r, 0, sizeof *r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char what[32];
	int line, at = sqltx_find(sql, len, what, sizeof what, &line);
	if (at) {
		/* Refused before anything runs: ending our transaction would
		 * commit part of the file with no tracking row. */
		migrate_say(&u, "%s controls its own transaction (%s, statement %d, line %d): nothing was run. schemafs "
		    "runs each migration in one transaction of its own, with its tracking row: remove BEGIN, "
		    "COMMIT and ROLLBACK from the file (split it into several migration files if its parts "
		    "must commit apart)", name, what, at, line);
		return -ECANCELED;
	}
	int rc = setup(&u);
	if (rc)
		return rc;
	int saved_bound = pg_bound_set(migrate_bound_ms(o));
	unsigned timeouts = pg_timeouts();
	u.pid = PQbackendPID(conn);
	rc = take_lock(&u);
	lap(&t0, &r->ms_lock);
	if (rc)
		goto out;
	progress_step(o->progress, 0, 0, "preparing", strlen("preparing"));
	if ((rc = file_hash(&u, hash, sizeof hash)))
		goto unlock;
	if (pg_command(conn, "BEGIN", err, sizeof err)) {
		migrate_say(&u, "%s", err);
		rc = -EIO;
		goto unlock;
	}
	if ((rc = u.tk->ensure_tables(&u.t)))
		goto abort;
	int found = u.tk->is_recorded(&u.t, hash, &r->id);
	if (found < 0) {
		rc = found;
		goto abort;
	}
	if (found) {
		r->already = true;
		migrate_say(&u, "%s was already applied (tracking row #%lld, same SHA-256 %.12s...): nothing was run",
		    name, r->id, hash);
		rc = 0;
		goto abort;
	}
	if (set_timeouts(&u, o->lock_timeout_ms, o->statement_timeout_ms, true, err, sizeof err) ||
	    set_search_path(&u, true, err, sizeof err)) {
		migrate_say(&u, "%s", err);
		rc = -EIO;
		goto abort;
	}
	n = chunks_of(sql, len, &c);
	nstmts = count_statements(c, n);
	if (!nstmts) {
		migrate_say(&u, "%s holds no statement: nothing was run or recorded", name);
		rc = -ECANCELED;
		goto abort;
	}
	/* Before anything runs: a file that must wait for drizzle's is refused. */
	if ((rc = u.tk->prepare(&u.t, hash)))
		goto abort;
	lap(&t0, &r->ms_checks);
	size_t k = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = run_chunk(&u, &c[i], &k, nstmts, true, state, sizeof state);
	lap(&t0, &r->ms_run);
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
	progress_step(o->progress, 0, 0, "recording it", strlen("recording it"));
	/* The tracking row is written as the session's own user, whatever
	 * role the file switched to (it may not reach the tracking table). */
	if (pg_command(conn, "RESET SESSION AUTHORIZATION", err, sizeof err) ||
	    pg_command(conn, "RESET ROLE", err, sizeof err)) {
		migrate_say(&u, "%s: %s; nothing was applied", name, err);
		rc = -ECANCELED;
		goto abort;
	}
	if ((rc = u.tk->record(&u.t, hash)) || (u.tk->write_folder && (rc = u.tk->write_folder(&u.t))))
		goto abort;
	if (pg_command(conn, "COMMIT", err, sizeof err)) {
		if (PQstatus(conn) != CONNECTION_OK) {
			rc = migrate_commit_lost(&u, hash, u.pid, err, false);
		} else {
			if (u.tk->undo_folder)
				u.tk->undo_folder(&u.t);
			migrate_say(&u, "COMMIT of %s failed: %s; nothing was applied", name, err);
			rc = -ECANCELED;	/* a deferred constraint, a serialization failure */
		}
		goto unlock;
	}
	migrate_say(&u, "%s applied as %s (tracking row #%lld, created_at %lld)", name, r->tag, r->id, u.t.when);
	goto unlock;
abort:
	rollback(&u);
	if (u.tk && u.tk->undo_folder)
		u.tk->undo_folder(&u.t);
unlock:
	lap(&t0, r->ms_run > 0 ? &r->ms_record : &r->ms_checks);
	if (PQstatus(conn) == CONNECTION_OK)
		release_lock(&u);
	lap(&t0, &r->ms_unlock);
out:
	/* A query that got no reply within the bound closed the connection. */
	if (rc == -EIO && !u.lost_commit && pg_timeouts() != timeouts)
		rc = -ETIMEDOUT;
	pg_bound_set(saved_bound);
	free_chunks(c, n);
	if (u.tk && u.tk->done)
		u.tk->done(&u.t);
	return rc;
}

int migrate_is_recorded(PGconn *conn, const struct migrate_opts *o, const char *name, const char *hash,
			long long *id, char *err, size_t errlen)
{
	struct migrate_result r;
	memset(&r, 0, sizeof r);
	struct run u = { .conn = conn, .o = o, .r = &r, .file = "", .name = name, .len = 0 };
	int rc = setup(&u);
	if (!rc)
		rc = u.tk->is_recorded(&u.t, hash, id);
	if (rc < 0)
		snprintf(err, errlen, "%s", r.message);
	if (u.tk && u.tk->done)
		u.tk->done(&u.t);
	return rc;
}

/* The step it is at shows in status for as long as it runs (progress.h). */
int migrate_apply(PGconn *conn, const struct migrate_opts *o, const char *name, const char *sql,
		  size_t len, struct migrate_result *r)
{
	progress_begin(o->progress, name, PQbackendPID(conn));
	int rc = apply(conn, o, name, sql, len, r);
	progress_end(o->progress);
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
