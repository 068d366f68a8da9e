/* history.c: migrations_dir against the tracking rows; see include/history.h. */
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void read_files(const char *dir, const struct history *prev, struct history *h)
{
	DIR *d = opendir(dir);
	if (!d) {
		char msg[512];
		snprintf(msg, sizeof msg, "migrations_dir %s cannot be read: %s", dir, strerror(errno));
		h->dir_error = dup_or_die(msg);
		return;
	}
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
		const struct history_file *same = unchanged(prev, e->d_name, &st);
		size_t len = same ? same->len : 0;
		char *data = same ? malloc(len + 1) : file_read_all(path, &len);
		if (!data)
			continue;	/* gone meanwhile: the next refresh sees it */
		if (h->nfiles == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(h->files = realloc(h->files, cap * sizeof *h->files)))
				abort();
		}
		struct history_file *f = &h->files[h->nfiles++];
		f->name = dup_or_die(e->d_name);
		f->data = data;
		f->len = len;
		f->ino = (unsigned long long)st.st_ino;
		f->size = (unsigned long long)st.st_size;
		f->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (same) {
			memcpy(data, same->data, len + 1);
			memcpy(f->hash, same->hash, sizeof f->hash);
		} else {
			sha256_hex(data, len, f->hash);
		}
	}
	closedir(d);
	if (h->nfiles)
		qsort(h->files, h->nfiles, sizeof *h->files, cmp_file);
}

void history_read(const char *dir, const struct history *prev, struct history *h)
{
	memset(h, 0, sizeof *h);
	h->dir = dup_or_die(dir);
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
	journal_free(&h->j);
	memset(h, 0, sizeof *h);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool history_same(const struct history *a, const struct history *b)
{
	if (!same_str(a->dir, b->dir) || !same_str(a->dir_error, b->dir_error) ||
	    !same_str(a->journal_text, b->journal_text) || a->nfiles != b->nfiles)
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

void history_each_unapplied(const struct history *h, const struct cat_migration *rows, size_t nrows,
			    void (*fn)(void *ctx, const struct journal_entry *e), void *ctx)
{
	long long last = history_last_created_at(rows, nrows);
	for (size_t i = 0; h && i < h->j.n; i++)
		if (h->j.v[i].when > last)
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
		if (h->j.v[i].when > last && strlen(h->j.v[i].tag) == n - 4 && !strncmp(h->j.v[i].tag, name, n - 4))
			return &h->j.v[i];
	return NULL;
}

long long history_tag_number(const char *tag)
{
	size_t d = tag ? strspn(tag, "0123456789") : 0;
	if (!d || d > 18 || tag[d] != '_')
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

void history_check(struct strbuf *out, const struct history *h, const struct cat_migration *rows, size_t nrows)
{
	if (!h)
		return;
	if (h->dir_error) {
		sb_addf(out, "%s\n", h->dir_error);
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
