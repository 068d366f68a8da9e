/* shadow_dry.c: dry runs of pending files on the shadow, in a rolled-back
 * transaction, with the locks and rewrites each statement takes; see
 * shadow_internal.h. The thread only. */
#include "shadow_internal.h"

#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "log.h"
#include "migrate.h"
#include "pg.h"
#include "strbuf.h"

/* Which tables each statement of a dry run locks and rewrites. */
struct track {
	PGconn *conn;
	PGresult *before;	/* oid, relfilenode of every user table before the file */
	struct strbuf seen;	/* "\n<oid>/<mode>\n..." reported already */
	struct strbuf *lines;
};

static const char SQL_LOCKS[] =
	"SELECT c.oid::text, c.oid::pg_catalog.regclass::text, l.mode, c.relfilenode::text"
	" FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation"
	" WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted"
	" AND c.relkind IN ('r', 'm', 'p') AND c.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace"
	" ORDER BY 2, 3";

static const char *before_of(const struct track *t, const char *oid)
{
	for (int i = 0; t->before && i < PQntuples(t->before); i++)
		if (!strcmp(PQgetvalue(t->before, i, 0), oid))
			return PQgetvalue(t->before, i, 1);
	return NULL;
}

/* After statement K: the locks it added, on tables that existed before
 * the file (a table it creates has no readers yet), and the rewrites. */
static void track_statement(void *ctx, size_t k)
{
	struct track *t = ctx;
	char err[256];
	PGresult *res = pg_exec(t->conn, SQL_LOCKS, 0, NULL, err, sizeof err);
	struct strbuf locks = STRBUF_INIT, rewrites = STRBUF_INIT;
	for (int i = 0; res && i < PQntuples(res); i++) {
		const char *oid = PQgetvalue(res, i, 0), *rel = PQgetvalue(res, i, 1), *mode = PQgetvalue(res, i, 2);
		const char *old = before_of(t, oid);
		if (!old)
			continue;
		struct strbuf key = STRBUF_INIT;
		sb_addf(&key, "\n%s/%s\n", oid, mode);
		if (!strstr(sb_str(&t->seen), sb_str(&key))) {
			sb_addf(&locks, "%s%s on %s", locks.len ? ", " : "", mode, rel);
			sb_addf(&t->seen, "%s/%s\n", oid, mode);
		}
		sb_reset(&key);
		sb_addf(&key, "\n%s/rewrite\n", oid);
		if (strcmp(old, PQgetvalue(res, i, 3)) && strcmp(old, "0") && !strstr(sb_str(&t->seen), sb_str(&key))) {
			sb_addf(&rewrites, "%s%s", rewrites.len ? ", " : "", rel);
			sb_addf(&t->seen, "%s/rewrite\n", oid);
		}
		strbuf_free(&key);
	}
	PQclear(res);
	if (locks.len || rewrites.len)
		sb_addf(t->lines, "      statement %zu: %s%s%s%s\n", k, locks.len ? "takes " : "", sb_str(&locks),
			rewrites.len ? (locks.len ? "; rewrites " : "rewrites ") : "", sb_str(&rewrites));
	strbuf_free(&locks);
	strbuf_free(&rewrites);
}

/* The locks held already (by the earlier files): not the file's own. */
static void track_start(struct track *t)
{
	char err[256];
	t->before = pg_exec(t->conn, "SELECT oid::text, relfilenode::text FROM pg_catalog.pg_class"
			    " WHERE relkind IN ('r', 'm', 'p') AND relnamespace <> 'pg_catalog'::pg_catalog.regnamespace",
			    0, NULL, err, sizeof err);
	sb_add(&t->seen, "\n");
	PGresult *res = pg_exec(t->conn, SQL_LOCKS, 0, NULL, err, sizeof err);
	for (int i = 0; res && i < PQntuples(res); i++)
		sb_addf(&t->seen, "%s/%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 2));
	PQclear(res);
}

struct migrate_opts shadow_migrate_opts(const struct shadow *s, const struct file *f)
{
	return (struct migrate_opts){ .lock_timeout_ms = s->cfg->lock_timeout_ms,
				      .statement_timeout_ms = s->cfg->statement_timeout_ms,
				      .search_path = f->generated ? "public" : NULL,
				      .generated = f->generated };
}

static void fails_line(struct result *r, const struct migrate_dry *d, const char *note)
{
	struct strbuf why = STRBUF_INIT, lines = STRBUF_INIT;
	sb_addf(&why, "fails at statement %zu of %zu (line %d): %s", d->failed, d->nstmts, d->line, d->message);
	sb_addf(&lines, "    dry run: %s%s\n", sb_str(&why), note);
	r->why = strbuf_detach(&why, NULL);
	r->lines = strbuf_detach(&lines, NULL);
	sb_addf(&why, "fails at statement %zu of %zu (line %d): %s", d->failed, d->nstmts, d->line,
		d->full[0] ? d->full : d->message);
	r->full = strbuf_detach(&why, NULL);
}

/* The shadow is to be reloaded before its next dry run. */
static void mark_dirty(struct shadow *s)
{
	pthread_mutex_lock(&s->lock);
	s->dirty = true;
	pthread_mutex_unlock(&s->lock);
}

/* A file PostgreSQL refuses to run in a transaction: alone, outside one,
 * as migrate.c runs it; the shadow is reloaded afterwards to undo it. */
static void run_alone(struct shadow *s, PGconn *c, const struct file *f, const struct migrate_dry *in_tx,
		      struct result *r)
{
	struct migrate_opts o = shadow_migrate_opts(s, f);
	struct migrate_dry d;
	if (in_tx->nstmts > 1) {
		/* migrate.c refuses it with its own words before anything runs. */
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "    dry run: not run: statement %zu of %zu cannot run in a transaction, and the apply runs "
			"such a statement only alone in its file (it refuses this one)\n", in_tx->failed, in_tx->nstmts);
		r->lines = strbuf_detach(&sb, NULL);
		return;
	}
	char err[256];
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_lock_shared(" SHADOW_LOCK_KEY ")", 0, NULL, err,
				sizeof err);
	PQclear(res);
	int rc = migrate_dry_run(c, &o, f->name, f->sql, f->len, NULL, NULL, &d);
	res = pg_exec(c, "SELECT pg_catalog.pg_advisory_unlock_shared(" SHADOW_LOCK_KEY ")", 0, NULL, err, sizeof err);
	PQclear(res);
	mark_dirty(s);
	r->rc = rc == -ECANCELED ? rc : 0;
	if (rc)
		fails_line(r, &d, " (run alone, outside a transaction, as the apply runs it)");
	else
		r->lines = strdup("    dry run: passes (run alone, outside a transaction, as the apply runs it; "
				  "the shadow is reloaded to undo it)\n");
}

/* FILES[0..n) in one transaction, rolled back, on the schema HASH; the
 * result is the last's. False (no result) when the shadow holds another
 * schema now: it is reloaded first. */
bool shadow_dry_run(struct shadow *s, const char *hash, const struct file *files, size_t n, struct result *r)
{
	char err[1024];
	struct strbuf lines = STRBUF_INIT, note = STRBUF_INIT;
	const struct file *f = &files[n - 1];
	PGconn *c = shadow_session(s, err, sizeof err);
	r->rc = 0;
	if (!c || pg_command(c, "BEGIN", err, sizeof err)) {
		/* No result: the shadow is reloaded (recreated if dropped), or
		 * said to be gone, and the real apply decides meanwhile. */
		log_warn("%s: the shadow cannot be reached: %s", s->cfg->name, err);
		goto reload;
	}
	PGresult *res = pg_exec(c, "SELECT pg_catalog.pg_advisory_xact_lock_shared(" SHADOW_LOCK_KEY ")", 0, NULL,
				err, sizeof err);
	PQclear(res);
	if (!res) {
		sb_addf(&lines, "    dry run: not run: %s\n", err);
		goto rollback;
	}
	if (!shadow_holds(c, hash)) {
		pg_command(c, "ROLLBACK", err, sizeof err);
		goto reload;
	}
	struct migrate_dry d;
	for (size_t i = 0; i + 1 < n; i++) {
		struct migrate_opts o = shadow_migrate_opts(s, &files[i]);
		pg_command(c, "SAVEPOINT schemafs_dry", err, sizeof err);
		int rc = migrate_dry_run(c, &o, files[i].name, files[i].sql, files[i].len, NULL, NULL, &d);
		if (rc && !strcmp(d.state, "25001")) {
			pg_command(c, "ROLLBACK TO SAVEPOINT schemafs_dry", err, sizeof err);
			sb_addf(&note, " (without %s, which cannot run in a transaction)", files[i].name);
		} else if (rc && rc != -ENOTSUP) {
			sb_addf(&lines, "    dry run: not run: the earlier pending file %s fails its own\n",
				files[i].name);
			goto rollback;
		}
	}
	struct track t = { .conn = c, .seen = STRBUF_INIT, .lines = &lines };
	track_start(&t);
	struct strbuf locks = STRBUF_INIT;
	t.lines = &locks;
	struct migrate_opts o = shadow_migrate_opts(s, f);
	int rc = migrate_dry_run(c, &o, f->name, f->sql, f->len, track_statement, &t, &d);
	PQclear(t.before);
	strbuf_free(&t.seen);
	pg_command(c, "ROLLBACK", err, sizeof err);
	if (rc == -ENOTSUP) {
		sb_addf(&lines, "    dry run: not run: %s\n", d.message);
	} else if (rc && !strcmp(d.state, "25001")) {
		run_alone(s, c, f, &d, r);
		strbuf_free(&locks);
		goto out;
	} else if (rc) {
		/* A timeout on an empty twin says nothing about the real one;
		 * a lost connection neither; nor a privilege: the twin's
		 * objects are the loading role's, with the grants schema.sql
		 * shows. The apply decides then. */
		bool refuse = rc == -ECANCELED && strcmp(d.state, "42501");
		r->rc = refuse ? rc : 0;
		fails_line(r, &d, refuse ? sb_str(&note) : " (not a reason to refuse the apply)");
		sb_add(&lines, r->lines);
		free(r->lines);
		r->lines = NULL;
		sb_add(&lines, sb_str(&locks));
	} else {
		sb_addf(&lines, "    dry run: passes%s\n%s", sb_str(&note), sb_str(&locks));
	}
	strbuf_free(&locks);
	goto out;
rollback:
	pg_command(c, "ROLLBACK", err, sizeof err);
out:
	if (!r->lines)
		r->lines = strbuf_detach(&lines, NULL);
	strbuf_free(&lines);
	strbuf_free(&note);
	return true;
reload:
	mark_dirty(s);
	strbuf_free(&lines);
	strbuf_free(&note);
	return false;
}
