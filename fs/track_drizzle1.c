/* track_drizzle1.c: drizzle 1.0's tracking (rows (id, hash, created_at,
 * name, applied_at), folders <YYYYMMDDHHMMSS>_<name>/migration.sql); see
 * include/track.h.
 *
 * Drizzle 1.0's migrator (drizzle-orm 1.0.0-rc: migrator.js, pg-core's
 * migrate()) runs every folder whose name no row has, in the order of the
 * names, and records (hash, created_at = the name's timestamp in ms,
 * name). A 0.x table (no "name") it upgrades itself before migrating
 * (up-migrations/pg.js: adds name and applied_at, and names each row by
 * created_at to the second, or by hash). schemafs leaves that upgrade to
 * drizzle and works with both shapes: into a 0.x table it writes
 * (hash, created_at) with created_at the folder's timestamp, which that
 * upgrade matches to the folder. */
#include "track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "dksnap.h"
#include "history.h"
#include "migrate.h"
#include "pg.h"

struct v1_state {
	bool has_name;		/* the table has 1.0's "name" column */
	char *made_dir, *made_file;	/* what write_folder created: undone */
	struct dksnap *snap;	/* drizzle-kit's latest snapshot and the catalog before */
};

static struct v1_state *state(struct track_run *t)
{
	if (!t->folder && !(t->folder = calloc(1, sizeof(struct v1_state))))
		abort();
	return t->folder;
}

static int ensure_tables(struct track_run *t)
{
	/* As drizzle 1.0 creates it for a new database. */
	int rc = track_create_tables(t, true, "\n\t\t\t\tid SERIAL PRIMARY KEY,\n\t\t\t\thash text NOT NULL,"
				     "\n\t\t\t\tcreated_at bigint,\n\t\t\t\tname text,\n\t\t\t\tapplied_at timestamp"
				     " with time zone DEFAULT now()\n\t\t\t");
	if (rc)
		return rc;
	struct strbuf name = STRBUF_INIT;
	sb_addf(&name, "%s.%s", t->qs, t->qt);
	const char *params[] = { sb_str(&name) };
	int v = track_query_bool(t, TRACK_HAS_NAME_SQL, 1, params);
	strbuf_free(&name);
	if (v < 0)
		return v;
	state(t)->has_name = v;
	return 0;
}

/* The file's name without ".sql": a folder's name when it is one. */
static void stem(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%.*s", (int)track_stem_len(name), name);
}

/* By hash, as schemafs does for every tool, or by name, as drizzle 1.0
 * does: a file named as a recorded folder ("<name>.sql") is that one. */
static int is_recorded(struct track_run *t, const char *hash, long long *id)
{
	char name[256];
	stem(t->name, name, sizeof name);
	struct strbuf q = STRBUF_INIT;
	sb_addf(&q, "SELECT m.id FROM %s.%s m WHERE m.hash = $1 OR pg_catalog.to_jsonb(m)->>'name' = $2"
		" ORDER BY m.id LIMIT 1", t->qs, t->qt);
	const char *params[] = { hash, name };
	int rc = track_find_row(t, sb_str(&q), 2, params, id);
	strbuf_free(&q);
	return rc;
}

/* YYYYMMDDHHMMSS of SECS (UTC). */
static void stamp_of(long long secs, char *out, size_t outlen)
{
	time_t tt = (time_t)secs;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, outlen, "%Y%m%d%H%M%S", &tm);
}

/* A new folder's name: <now, after every folder's timestamp>_<name>, so
 * that it sorts after them (drizzle runs them in the order of names). */
static void new_tag(struct track_run *t, const struct history *h)
{
	long long secs = track_now_ms() / 1000;
	for (size_t i = 0; i < h->j.n; i++)
		if (h->j.v[i].when / 1000 >= secs)
			secs = h->j.v[i].when / 1000 + 1;
	char stamp[32];
	stamp_of(secs, stamp, sizeof stamp);
	size_t len;
	const char *base = track_base(t->name, &len);
	snprintf(t->r->tag, sizeof t->r->tag, "%s_%.*s", stamp, (int)len, base);
	track_safe_tag(t->r->tag);
	t->when = secs * 1000;
}

/* A folder of migrations_dir nobody applied, named as the file or holding
 * the same bytes, is recorded as that folder; else a new one. */
static int prepare(struct track_run *t, const char *hash)
{
	char name[256];
	stem(t->name, name, sizeof name);
	struct history h;
	history_read(t->o->migrations_dir, NULL, &h);
	int rc = 0;
	if (h.dir_error) {
		track_say(t, "%s; nothing was applied", h.dir_error);
		rc = -EIO;
		goto out;
	}
	for (size_t i = 0; i < h.j.n; i++) {
		const struct journal_entry *e = &h.j.v[i];
		const struct history_file *f = history_file_of(&h, e->tag);
		if (strcmp(e->tag, name) && !(f && !strcmp(f->hash, hash)))
			continue;
		struct strbuf q = STRBUF_INIT;
		sb_addf(&q, "SELECT count(*) > 0 FROM %s.%s m WHERE pg_catalog.to_jsonb(m)->>'name' = $1", t->qs, t->qt);
		const char *params[] = { e->tag };
		int applied = track_query_bool(t, sb_str(&q), 1, params);
		strbuf_free(&q);
		if (applied < 0) {
			rc = -EIO;
			goto out;
		}
		if (applied)
			continue;
		snprintf(t->r->tag, sizeof t->r->tag, "%s", e->tag);
		t->when = e->when;
		t->reused = true;
		goto out;
	}
	new_tag(t, &h);
	rc = track_begin_snapshot(t, true, &state(t)->snap);
out:
	history_free(&h);
	return rc;
}

static int record(struct track_run *t, const char *hash)
{
	char when[32];
	snprintf(when, sizeof when, "%lld", t->when);
	bool named = state(t)->has_name;
	struct strbuf q = STRBUF_INIT;
	if (named)
		sb_addf(&q, "INSERT INTO %s.%s (\"hash\", \"created_at\", \"name\") VALUES ($1, $2, $3) RETURNING id",
			t->qs, t->qt);
	else
		sb_addf(&q, "INSERT INTO %s.%s (\"hash\", \"created_at\") VALUES ($1, $2) RETURNING id", t->qs, t->qt);
	const char *params[] = { hash, when, t->r->tag };
	int rc = track_insert_row(t, sb_str(&q), named ? 3 : 2, params, hash);
	strbuf_free(&q);
	return rc;
}

/* <dir>/<tag>/migration.sql and snapshot.json, as drizzle-kit 1.0 lays a
 * migration out (the snapshot when the folder has one to build on). */
static int write_folder(struct track_run *t)
{
	if (t->reused)
		return 0;
	struct v1_state *s = state(t);
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, "%s/%s", t->o->migrations_dir, t->r->tag);
	int rc = mkdir(sb_str(&p), 0755) ? -errno : 0;
	if (!rc) {
		s->made_dir = strdup(sb_str(&p));
		sb_add(&p, "/migration.sql");
		s->made_file = strdup(sb_str(&p));
		if (!s->made_dir || !s->made_file)
			abort();
		rc = atomic_write(s->made_file, t->file, t->len);
	}
	if (rc)
		track_say(t, "cannot write %s in migrations_dir %s: %s; nothing was applied", t->r->tag,
			  t->o->migrations_dir, strerror(-rc));
	strbuf_free(&p);
	return rc ? rc : track_write_snapshot(t, s->snap);
}

static void undo_folder(struct track_run *t)
{
	struct v1_state *s = t->folder;
	if (!s || !s->made_dir)
		return;
	dksnap_undo(s->snap);
	unlink(s->made_file);
	rmdir(s->made_dir);
}

static void done(struct track_run *t)
{
	struct v1_state *s = t->folder;
	if (s) {
		free(s->made_dir);
		free(s->made_file);
		dksnap_free(s->snap);
		free(s);
		t->folder = NULL;
	}
}

const struct tracker track_drizzle1 = {
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
	.record = record,
	.write_folder = write_folder,
	.undo_folder = undo_folder,
	.done = done,
};
