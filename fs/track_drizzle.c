/* track_drizzle.c: drizzle-kit 0.x's tracking (rows (id, hash, created_at),
 * NNNN_tag.sql files and meta/_journal.json); see include/track.h. */
#include "track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "dksnap.h"
#include "history.h"
#include "journal.h"
#include "migrate.h"
#include "pg.h"

/* "0007_booking_add_notes" from the file name and the first free number
 * MIN: the name's own number when it is not below MIN (pending/ shows the
 * generated file under the tag it gets), else MIN. */
static void make_tag(struct track_run *u, long long min)
{
	size_t len;
	const char *base = track_base(u->name, &len);
	long long own = history_tag_number(u->name);
	snprintf(u->r->tag, sizeof u->r->tag, "%04lld_%.*s", own > min ? own : min, (int)len, base);
	track_safe_tag(u->r->tag);
}

/* The first free number: after every row (COUNT), every tag schemafs
 * recorded and every journal entry of J (may be NULL). */
static int first_free_number(struct track_run *u, const struct journal *j, long long count, long long *min)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "SELECT tag FROM %s", u->qsql);
	PGresult *res = pg_exec(u->conn, sb_str(&sql), 0, NULL, err, sizeof err);
	strbuf_free(&sql);
	if (!res) {
		track_say(u, "%s; nothing was applied", err);
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
	struct dksnap *snap;	/* drizzle-kit's latest snapshot and the catalog before */
};

static int read_journal(struct track_run *u, struct dir_state *d)
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
		track_say(u, "cannot read %s: %s", d->journal_file, strerror(errno));
		return -EIO;
	}
	if (d->old_journal && journal_parse(d->old_journal, &d->j, err, sizeof err)) {
		track_say(u, "%s: %s; nothing was applied", d->journal_file, err);
		return -EIO;
	}
	return 0;
}

static int write_dir(struct track_run *u, struct dir_state *d, long long when)
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
		track_say(u, "cannot write to migrations_dir %s: %s; nothing was applied", u->o->migrations_dir,
		    strerror(-rc));
	strbuf_free(&text);
	return rc ? rc : track_write_snapshot(u, d->snap);
}

static void undo_dir(struct dir_state *d)
{
	if (d->sql_file)
		unlink(d->sql_file);
	if (d->old_journal)
		atomic_write(d->journal_file, d->old_journal, strlen(d->old_journal));
	else if (d->journal_file)
		unlink(d->journal_file);
	dksnap_undo(d->snap);
}

static void free_dir(struct dir_state *d)
{
	free(d->journal_file);
	free(d->sql_file);
	free(d->old_journal);
	journal_free(&d->j);
	dksnap_free(d->snap);
}

/* In the open transaction: drizzle's row, then our text. */
static int record_row(struct track_run *u, const char *hash)
{
	char whenbuf[32];
	snprintf(whenbuf, sizeof whenbuf, "%lld", u->when);
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "INSERT INTO %s.%s (\"hash\", \"created_at\") VALUES ($1, $2) RETURNING id", u->qs, u->qt);
	const char *p[] = { hash, whenbuf };
	int rc = track_insert_row(u, sb_str(&sql), 2, p, hash);
	strbuf_free(&sql);
	return rc;
}

/* The tracking table exactly as drizzle creates its own. */
static int ensure_tables(struct track_run *u)
{
	return track_create_tables(u, true, "\n\t\t\tid SERIAL PRIMARY KEY,\n\t\t\thash text NOT NULL,"
				   "\n\t\t\tcreated_at bigint\n\t\t");
}

/* created_at for the new row: now, but after every row and journal entry. */
static int next_when(struct track_run *u, const struct journal *j, long long *when, long long *count,
		     long long *max_row)
{
	char err[1024];
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "SELECT coalesce(max(created_at), 0), count(*) FROM %s.%s", u->qs, u->qt);
	PGresult *res = pg_exec(u->conn, sb_str(&sql), 0, NULL, err, sizeof err);
	strbuf_free(&sql);
	if (!res) {
		track_say(u, "%s", err);
		return -EIO;
	}
	long long max = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*max_row = max;
	*count = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	long long now = track_now_ms();
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
static int prepare_record(struct track_run *u, struct dir_state *d, const char *hash, long long *when)
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
		if (text && (rc = track_hash(u, text, len, hex, sizeof hex))) {
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
		track_say(u, "migrations_dir has %s, which drizzle has not applied yet (its \"when\" %lld is after every "
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


static int is_recorded(struct track_run *u, const char *hash, long long *id)
{
	struct strbuf q = STRBUF_INIT;
	sb_addf(&q, "SELECT id FROM %s.%s WHERE hash = $1 ORDER BY id LIMIT 1", u->qs, u->qt);
	const char *params[] = { hash };
	int rc = track_find_row(u, sb_str(&q), 1, params, id);
	strbuf_free(&q);
	return rc;
}

static int prepare(struct track_run *u, const char *hash)
{
	struct dir_state *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	u->folder = d;
	int rc = prepare_record(u, d, hash, &u->when);
	u->reused = d->reused;
	if (!rc && u->o->migrations_dir && !u->reused)
		rc = track_begin_snapshot(u, false, &d->snap);
	return rc;
}

static int write_folder(struct track_run *u)
{
	struct dir_state *d = u->folder;
	return u->o->migrations_dir && !d->reused ? write_dir(u, d, u->when) : 0;
}

static void undo_folder(struct track_run *u)
{
	struct dir_state *d = u->folder;
	if (d && d->sql_file)
		undo_dir(d);
}

static void done(struct track_run *u)
{
	if (u->folder) {
		free_dir(u->folder);
		free(u->folder);
		u->folder = NULL;
	}
}

/* Both shapes of the table: drizzle 1.0's "name" (read through to_jsonb,
 * which does not fail when a 0.x table has no such column) is the tag. */
void track_drizzle_rows_sql(struct strbuf *q, const char *table, const char *ours)
{
	if (ours)
		sb_addf(q, "SELECT m.id, m.hash, m.created_at, coalesce(pg_catalog.to_jsonb(m)->>'name', s.tag),"
			" s.sql FROM %s m LEFT JOIN %s s ON s.hash = m.hash ORDER BY m.id", table, ours);
	else
		sb_addf(q, "SELECT m.id, m.hash, m.created_at, pg_catalog.to_jsonb(m)->>'name', NULL FROM %s m"
			" ORDER BY m.id", table);
}

const struct tracker track_drizzle = {
	.name = "drizzle",
	.default_schema = "drizzle",
	.default_table = "__drizzle_migrations",
	.hides_schema = true,
	.has_folder = true,
	.exists_sql = TRACK_DRIZZLE_EXISTS,
	.rows_sql = track_drizzle_rows_sql,
	.ensure_tables = ensure_tables,
	.is_recorded = is_recorded,
	.prepare = prepare,
	.record = record_row,
	.write_folder = write_folder,
	.undo_folder = undo_folder,
	.done = done,
};
