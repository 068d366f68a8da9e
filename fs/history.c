/* history.c: migrations_dir against the tracking rows; see include/history.h. */
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "catalog.h"

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct history_file *)a)->name, ((const struct history_file *)b)->name);
}

static bool is_sql(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".sql") && name[0] != '.';
}

/* PREV's copy of file NAME when stat says it is unchanged, or NULL. */
static const struct history_file *unchanged(const struct history *prev, const char *name, const struct stat *st)
{
	for (size_t i = 0; prev && i < prev->nfiles; i++) {
		const struct history_file *f = &prev->files[i];
		if (!strcmp(f->name, name))
			return f->ino == (unsigned long long)st->st_ino && f->size == (unsigned long long)st->st_size &&
			       f->mtime_ns == (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec ? f : NULL;
	}
	return NULL;
}

/* Adds NAME (read from PATH, whose stat is ST) to H's files, growing them
 * (CAP: their capacity). Its bytes and hash come from PREV when the file
 * is unchanged there (same inode, size and mtime), so an unchanged folder
 * is not read again. A file gone meanwhile is left out: the next refresh
 * sees it. */
static void add_file(struct history *h, size_t *cap, const struct history *prev, const char *name,
		     const char *path, const struct stat *st)
{
	const struct history_file *same = unchanged(prev, name, st);
	size_t len = same ? same->len : 0;
	char *data = same ? malloc(len + 1) : file_read_all(path, &len);
	if (!data)
		return;
	if (h->nfiles == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if (!(h->files = realloc(h->files, *cap * sizeof *h->files)))
			abort();
	}
	struct history_file *f = &h->files[h->nfiles++];
	f->name = dup_or_die(name);
	f->data = data;
	f->len = len;
	f->ino = (unsigned long long)st->st_ino;
	f->size = (unsigned long long)st->st_size;
	f->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	if (same) {
		memcpy(data, same->data, len + 1);
		memcpy(f->hash, same->hash, sizeof f->hash);
	} else {
		sha256_hex(data, len, f->hash);
	}
}

/* DIR opened, or NULL with h->dir_error set. */
static DIR *open_folder(const char *dir, struct history *h)
{
	DIR *d = opendir(dir);
	if (!d) {
		char msg[512];
		snprintf(msg, sizeof msg, "migrations_dir %s cannot be read: %s", dir, strerror(errno));
		h->dir_error = dup_or_die(msg);
	}
	return d;
}

static void read_files(const char *dir, const struct history *prev, struct history *h)
{
	DIR *d = open_folder(dir, h);
	if (!d)
		return;
	size_t cap = 0;
	struct dirent *e;
	struct stat st;
	char path[4096];
	while ((e = readdir(d))) {
		if (!is_sql(e->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		add_file(h, &cap, prev, e->d_name, path, &st);
	}
	closedir(d);
	if (h->nfiles)
		qsort(h->files, h->nfiles, sizeof *h->files, cmp_file);
}

long long history_folder_millis(const char *name)
{
	if (!name || strspn(name, "0123456789") < 14)
		return 0;
	struct tm tm = { 0 };
	int v[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	for (int i = 0, at = 0; i < 6; at += w[i], i++) {
		v[i] = 0;
		for (int k = 0; k < w[i]; k++)
			v[i] = v[i] * 10 + (name[at + k] - '0');
	}
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	return (long long)timegm(&tm) * 1000;	/* Date.UTC normalizes as timegm does */
}

static bool exists(const char *path)
{
	struct stat st;
	return !stat(path, &st);
}

/* A drizzle 1.0 folder: DIR/<name>/migration.sql, no meta/_journal.json. */
static bool has_v1_entry(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	bool found = false;
	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/migration.sql", dir, e->d_name);
		found = exists(path);
	}
	if (d)
		closedir(d);
	return found;
}

int history_layout(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/meta/_journal.json", dir);
	if (exists(path))
		return 0;
	if (has_v1_entry(dir))
		return 1;
	DIR *d = opendir(dir);
	struct dirent *e;
	bool sql = false;
	while (d && !sql && (e = readdir(d)))
		sql = is_sql(e->d_name);
	if (d)
		closedir(d);
	return sql ? 0 : -1;
}

/* Drizzle 1.0's folders as if each were an entry and a file: the entry's
 * tag the folder's name, its "when" the name's timestamp (as drizzle's
 * readMigrationFiles computes folderMillis); the file "<name>.sql" with
 * migration.sql's bytes. In the order of the names, as drizzle sorts. */
static void read_v1(const char *dir, const struct history *prev, struct history *h)
{
	DIR *d = open_folder(dir, h);
	if (!d)
		return;
	size_t cap = 0;
	struct dirent *e;
	struct stat st;
	char path[4096], name[1024];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) + 5 > sizeof name)
			continue;
		snprintf(path, sizeof path, "%s/%s/migration.sql", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		snprintf(name, sizeof name, "%s.sql", e->d_name);
		add_file(h, &cap, prev, name, path, &st);
	}
	closedir(d);
	if (h->nfiles)
		qsort(h->files, h->nfiles, sizeof *h->files, cmp_file);
	for (size_t i = 0; i < h->nfiles; i++) {
		size_t n = strlen(h->files[i].name) - 4;
		snprintf(name, sizeof name, "%.*s", (int)n, h->files[i].name);
		journal_add(&h->j, name, history_folder_millis(name));
	}
}

/* Which entries have drizzle-kit's snapshot (a stat each). */
static void mark_snapshots(struct history *h)
{
	if (!h->j.n)
		return;
	if (!(h->snap = calloc(h->j.n, sizeof *h->snap)))
		abort();
	char path[4096];
	for (size_t i = 0; i < h->j.n; i++) {
		const char *tag = h->j.v[i].tag;
		if (h->v1)
			snprintf(path, sizeof path, "%s/%s/snapshot.json", h->dir, tag);
		else
			snprintf(path, sizeof path, "%s/meta/%.*s_snapshot.json", h->dir, (int)strspn(tag, "0123456789"),
				 tag);
		h->snap[i] = !access(path, F_OK);
		h->any_snap |= h->snap[i];
	}
}

static void read_v0(const char *dir, const struct history *prev, struct history *h)
{
	read_files(dir, prev, h);
	if (h->dir_error)
		return;
	char path[4096], err[512];
	snprintf(path, sizeof path, "%s/meta/_journal.json", dir);
	size_t len;
	h->journal_text = file_read_all(path, &len);
	if (!h->journal_text && errno != ENOENT) {
		snprintf(err, sizeof err, "meta/_journal.json cannot be read: %s", strerror(errno));
		h->journal_error = dup_or_die(err);
	} else if (h->journal_text && journal_parse(h->journal_text, &h->j, err, sizeof err)) {
		char msg[600];
		snprintf(msg, sizeof msg, "meta/_journal.json: %s", err);
		h->journal_error = dup_or_die(msg);
	}
}

void history_read(const char *dir, const struct history *prev, struct history *h)
{
	memset(h, 0, sizeof *h);
	h->dir = dup_or_die(dir);
	h->v1 = history_layout(dir) == 1;
	if (h->v1)
		read_v1(dir, prev, h);
	else
		read_v0(dir, prev, h);
	mark_snapshots(h);
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->nfiles; i++) {
		free(h->files[i].name);
		free(h->files[i].data);
	}
	free(h->files);
	free(h->dir);
	free(h->dir_error);
	free(h->journal_text);
	free(h->journal_error);
	free(h->snap);
	journal_free(&h->j);
	memset(h, 0, sizeof *h);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool history_same(const struct history *a, const struct history *b)
{
	if (a->v1 != b->v1 || !same_str(a->dir, b->dir) || !same_str(a->dir_error, b->dir_error) ||
	    !same_str(a->journal_text, b->journal_text) || a->nfiles != b->nfiles || a->j.n != b->j.n ||
	    (a->j.n && memcmp(a->snap, b->snap, a->j.n * sizeof *a->snap)))
		return false;
	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i].name, b->files[i].name) || strcmp(a->files[i].hash, b->files[i].hash))
			return false;
	return true;
}

const struct history_file *history_file_of(const struct history *h, const char *tag)
{
	size_t n = strlen(tag);
	for (size_t i = 0; i < h->nfiles; i++)
		if (!strncmp(h->files[i].name, tag, n) && !strcmp(h->files[i].name + n, ".sql"))
			return &h->files[i];
	return NULL;
}

long long history_last_created_at(const struct cat_migration *rows, size_t nrows)
{
	long long m = 0;
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].created_at > m)
			m = rows[i].created_at;
	return m;
}

/* Drizzle 1.0 runs a folder whose name no row has. A row without a name
 * (a 0.x table, before drizzle's own upgrade names its rows) is matched
 * as that upgrade matches it: by created_at to the second, or by hash. */
static bool v1_applied(const struct history *h, const struct journal_entry *e, const struct cat_migration *rows,
		       size_t nrows)
{
	const struct history_file *f = history_file_of(h, e->tag);
	for (size_t i = 0; i < nrows; i++) {
		const struct cat_migration *m = &rows[i];
		if (m->tag && !m->tag_from_dir) {
			if (!strcmp(m->tag, e->tag))
				return true;
			continue;
		}
		if (m->created_at / 1000 * 1000 == e->when || (f && m->hash && !strcmp(m->hash, f->hash)))
			return true;
	}
	return false;
}

static bool unapplied(const struct history *h, const struct journal_entry *e, const struct cat_migration *rows,
		      size_t nrows, long long last)
{
	return h->v1 ? !v1_applied(h, e, rows, nrows) : e->when > last;
}

void history_each_unapplied(const struct history *h, const struct cat_migration *rows, size_t nrows,
			    void (*fn)(void *ctx, const struct journal_entry *e), void *ctx)
{
	long long last = history_last_created_at(rows, nrows);
	for (size_t i = 0; h && i < h->j.n; i++)
		if (unapplied(h, &h->j.v[i], rows, nrows, last))
			fn(ctx, &h->j.v[i]);
}

const struct journal_entry *history_unapplied_named(const struct history *h, const struct cat_migration *rows,
						    size_t nrows, const char *name)
{
	long long last = history_last_created_at(rows, nrows);
	size_t n = strlen(name);
	if (!h || n < 5 || strcmp(name + n - 4, ".sql"))
		return NULL;
	for (size_t i = 0; i < h->j.n; i++)
		if (strlen(h->j.v[i].tag) == n - 4 && !strncmp(h->j.v[i].tag, name, n - 4) &&
		    unapplied(h, &h->j.v[i], rows, nrows, last))
			return &h->j.v[i];
	return NULL;
}

long long history_tag_number(const char *tag)
{
	size_t d = tag ? strspn(tag, "0123456789") : 0;
	/* 14 digits: drizzle 1.0's timestamp, not a number in a sequence. */
	if (!d || d > 18 || d == 14 || tag[d] != '_')
		return -1;
	return strtoll(tag, NULL, 10);
}

long long history_next_number(const struct journal *j, const char *const *tags, size_t ntags, size_t nrows)
{
	long long next = (long long)nrows;
	for (size_t i = 0; j && i < j->n; i++) {
		long long k = history_tag_number(j->v[i].tag);
		if (k + 1 > next)
			next = k + 1;
	}
	if (j && (long long)j->n > next)
		next = (long long)j->n;
	for (size_t i = 0; i < ntags; i++) {
		long long k = history_tag_number(tags[i]);
		if (k + 1 > next)
			next = k + 1;
	}
	return next;
}

/* A row's name in check: its tag when known, else its hash's start. */
static void row_name(struct strbuf *out, const struct cat_migration *m)
{
	if (m->tag)
		sb_addf(out, "tracking row #%lld (%s", m->id, m->tag);
	else
		sb_addf(out, "tracking row #%lld (SHA-256 %.12s...", m->id, m->hash ? m->hash : "");
	sb_addf(out, ", created_at %lld)", m->created_at);
}

static const struct cat_migration *row_with_when(const struct cat_migration *rows, size_t n, long long when)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].created_at == when)
			return &rows[i];
	return NULL;
}

static bool row_with_hash(const struct cat_migration *rows, size_t n, const char *hash)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].hash && !strcmp(rows[i].hash, hash))
			return true;
	return false;
}

static bool entry_named(const struct journal *j, const char *file)
{
	size_t n = strlen(file) - 4;	/* without ".sql" */
	for (size_t i = 0; i < j->n; i++)
		if (strlen(j->v[i].tag) == n && !strncmp(j->v[i].tag, file, n))
			return true;
	return false;
}

/* The journal's entries, one by one. */
static void check_entries(struct strbuf *out, const struct history *h, const struct cat_migration *rows,
			  size_t nrows)
{
	long long last = history_last_created_at(rows, nrows);
	for (size_t i = 0; i < h->j.n; i++) {
		const struct journal_entry *e = &h->j.v[i];
		const struct history_file *f = history_file_of(h, e->tag);
		/* A row belongs to the first entry of its "when". */
		const struct cat_migration *r = journal_find_when(&h->j, e->when) == e ?
			row_with_when(rows, nrows, e->when) : NULL;
		if (i && e->when <= h->j.v[i - 1].when)
			sb_addf(out, "%s: its \"when\" %lld is not after the previous entry's (%s, %lld): drizzle "
				"runs entries in the order of \"when\"\n", e->tag, e->when, h->j.v[i - 1].tag,
				h->j.v[i - 1].when);
		if (!f) {
			sb_addf(out, "%s: journal entry without its file %s.sql\n", e->tag, e->tag);
			continue;
		}
		if (r && r->hash && strcmp(r->hash, f->hash))
			sb_addf(out, "%s: %s.sql was edited after it was applied: its SHA-256 %.12s... is not the "
				"hash %.12s... of tracking row #%lld (created_at %lld)\n", e->tag, e->tag, f->hash,
				r->hash, r->id, r->created_at);
		else if (!r && e->when <= last && !row_with_hash(rows, nrows, f->hash))
			sb_addf(out, "%s: drizzle's migrator will never run it: its \"when\" %lld is not after the "
				"last applied migration's created_at %lld, and it was not applied\n", e->tag, e->when,
				last);
	}
}

/* Drizzle 1.0's folders: no order to keep (it runs every folder whose
 * name no row has); a folder edited after it was applied, and a row no
 * folder matches, are what can go wrong. */
static void check_v1(struct strbuf *out, const struct history *h, const struct cat_migration *rows, size_t nrows)
{
	for (size_t i = 0; i < h->j.n; i++) {
		const struct journal_entry *e = &h->j.v[i];
		const struct history_file *f = history_file_of(h, e->tag);
		for (size_t k = 0; f && k < nrows; k++) {
			const struct cat_migration *r = &rows[k];
			if (r->tag && !strcmp(r->tag, e->tag) && r->hash && strcmp(r->hash, f->hash)) {
				sb_addf(out, "%s: %s/migration.sql was edited after it was applied: its SHA-256 %.12s... "
					"is not the hash %.12s... of tracking row #%lld\n", e->tag, e->tag, f->hash,
					r->hash, r->id);
				break;
			}
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct cat_migration *m = &rows[i];
		bool found = false;
		for (size_t k = 0; k < h->j.n && !found; k++)
			found = m->tag ? !strcmp(m->tag, h->j.v[k].tag) : m->created_at / 1000 * 1000 == h->j.v[k].when;
		for (size_t k = 0; k < h->nfiles && !found; k++)
			found = m->hash && !strcmp(m->hash, h->files[k].hash);
		if (found)
			continue;
		row_name(out, m);
		sb_addf(out, ": matches no folder in %s\n", h->dir);
	}
}

/* Entries after the last one with drizzle-kit's snapshot, in a folder
 * where drizzle-kit generate is used: its next generate diffs schema.ts
 * against that snapshot and writes their change again. schemafs writes
 * the snapshot of its own migrations (dksnap.h) where it can model the
 * change; for the others the team takes drizzle-kit's own, made from
 * schema.ts, and moves it to the entry (a generate of its own would be a
 * second migration of the same change). */
void history_snapshot_advice(struct strbuf *out, const struct history *h)
{
	if (!h || h->dir_error || h->journal_error || !h->any_snap)
		return;
	size_t last = h->j.n;
	while (last && !h->snap[last - 1])
		last--;
	if (last == h->j.n)
		return;
	const char *to = h->j.v[h->j.n - 1].tag;
	for (size_t i = last; i < h->j.n; i++) {
		const char *tag = h->j.v[i].tag;
		if (h->v1) {
			sb_addf(out, "%s: no snapshot.json: drizzle-kit generate would write its change again. Put the "
				"change into schema.ts, run drizzle-kit generate --name schemafs_snapshot, then keep only "
				"its snapshot, as %s's: mv %s/*_schemafs_snapshot/snapshot.json %s/%s/ && rm -r "
				"%s/*_schemafs_snapshot\n", tag, to, h->dir, h->dir, to, h->dir);
		} else {
			int own = (int)strspn(to, "0123456789");
			sb_addf(out, "%s: no meta/%.*s_snapshot.json: drizzle-kit generate would write its change again. "
				"Put the change into schema.ts, run drizzle-kit generate --name schemafs_snapshot, then keep "
				"only its snapshot, as %s's: mv %s/meta/%04zu_snapshot.json %s/meta/%.*s_snapshot.json, "
				"rm %s/%04zu_schemafs_snapshot.sql and its entry (the last) in meta/_journal.json\n", tag,
				(int)strspn(tag, "0123456789"), tag, to, h->dir, h->j.n, h->dir, own, to, h->dir, h->j.n);
		}
	}
}

void history_check(struct strbuf *out, const struct history *h, const struct cat_migration *rows, size_t nrows)
{
	if (!h)
		return;
	if (h->dir_error) {
		sb_addf(out, "%s\n", h->dir_error);
		return;
	}
	history_snapshot_advice(out, h);
	if (h->v1) {
		check_v1(out, h, rows, nrows);
		return;
	}
	if (h->journal_error)
		sb_addf(out, "%s (the other checks need the journal)\n", h->journal_error);
	else
		check_entries(out, h, rows, nrows);
	for (size_t i = 0; !h->journal_error && i < h->nfiles; i++)
		if (!entry_named(&h->j, h->files[i].name))
			sb_addf(out, "%s: a .sql file in the folder that is not in the journal\n", h->files[i].name);
	for (size_t i = 0; i < nrows; i++) {
		const struct cat_migration *m = &rows[i];
		bool found = false;
		/* By created_at = "when", as drizzle matches them (an edited
		 * or missing file is reported with its entry), or by hash. */
		for (size_t k = 0; !h->journal_error && k < h->j.n && !found; k++)
			found = h->j.v[k].when == m->created_at;
		for (size_t k = 0; k < h->nfiles && !found; k++)
			found = m->hash && !strcmp(m->hash, h->files[k].hash);
		if (found)
			continue;
		row_name(out, m);
		sb_addf(out, ": matches no file in %s\n", h->dir);
	}
}
