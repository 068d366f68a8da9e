/*
 * history: a migrations_dir (drizzle-kit's migrations folder) against the
 * tracking rows. history_read() reads the folder (files only, no SQL: the
 * refresher calls it every cycle, at no query's cost); everything else is
 * pure: which journal entries drizzle's migrator would still run (they are
 * listed in migrations/pending/), the number the next migration's tag gets,
 * and migrations/check, one line per problem with the history.
 *
 * Drizzle's migrator matches a tracking row to a journal entry by
 * created_at = "when", and runs the entries whose "when" is after the last
 * row's created_at; history follows the same rules. Drizzle 1.0 runs each
 * folder whose name no row has (a row without a name: matched by
 * created_at to the second or by hash, as its table upgrade does).
 *
 * A struct history owns everything in it (history_free).
 */
#ifndef SCHEMAFS_HISTORY_H
#define SCHEMAFS_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "sha256.h"
#include "strbuf.h"

struct cat_migration;

struct history_file {
	char *name;			/* "0001_add_b.sql", as in the folder */
	char *data;			/* the bytes, NUL-terminated */
	size_t len;
	char hash[SHA256_HEX_LEN + 1];	/* drizzle's hash of them */
	unsigned long long ino, size;	/* as stat(2) saw them: an unchanged */
	long long mtime_ns;		/* file is not read again */
};

struct history {
	char *dir;			/* the migrations_dir */
	char *dir_error;		/* the folder cannot be read: why; else NULL */
	char *journal_text;		/* meta/_journal.json as read; NULL: none */
	char *journal_error;		/* it is not a journal: why; else NULL */
	struct journal j;		/* empty without a (valid) journal; for drizzle 1.0,
					 * one entry per folder (tag: its name, when: its
					 * name's timestamp), in the order of the names */
	bool v1;			/* drizzle 1.0's layout: <name>/migration.sql, each
					 * shown as the file "<name>.sql" */
	bool *snap;			/* per journal entry: drizzle-kit's snapshot of it is
					 * there (0.x meta/NNNN_snapshot.json, 1.0
					 * <tag>/snapshot.json); NULL when j is empty */
	bool any_snap;			/* some entry has one: drizzle-kit generate is used */
	struct history_file *files;	/* the *.sql files at the top, sorted by name */
	size_t nfiles;
};

/* The layout of DIR: 0 drizzle-kit 0.x (meta/_journal.json or *.sql at
 * its top), 1 drizzle 1.0 (<YYYYMMDDHHMMSS>_<name>/migration.sql and no
 * journal: drizzle 1.0 refuses a folder with one), -1 neither (empty). */
int history_layout(const char *dir);
/* Drizzle 1.0's folderMillis: the UTC time of the name's first 14 digits
 * (YYYYMMDDHHMMSS), in ms; 0 when it has none. */
long long history_folder_millis(const char *name);

/* Reads DIR (meta/_journal.json and every *.sql at its top; or, in drizzle
 * 1.0's layout, every <name>/migration.sql) into H. A
 * problem with the folder or the journal is recorded in H, not returned.
 * A file PREV (may be NULL) read with the same inode, size and mtime is
 * taken from it instead of being read and hashed again. */
void history_read(const char *dir, const struct history *prev, struct history *h);
void history_free(struct history *h);
/* Same journal text and same files (names and hashes)? */
bool history_same(const struct history *a, const struct history *b);

/* The file of journal entry TAG (TAG.sql), or NULL. Pointers returned
 * here and below point into H (or its journal) and live as long as it. */
const struct history_file *history_file_of(const struct history *h, const char *tag);

/* The largest created_at of ROWS, or 0. */
long long history_last_created_at(const struct cat_migration *rows, size_t nrows);

/* Journal entries drizzle's migrator would still run ("when" after every
 * row's created_at), in journal order: calls FN for each. */
void history_each_unapplied(const struct history *h, const struct cat_migration *rows, size_t nrows,
			    void (*fn)(void *ctx, const struct journal_entry *e), void *ctx);
/* The unapplied journal entry whose file is NAME ("<tag>.sql"), or NULL. */
const struct journal_entry *history_unapplied_named(const struct history *h, const struct cat_migration *rows,
						    size_t nrows, const char *name);

/* The number in front of a tag ("0007_x" -> 7), or -1 when it has none. */
long long history_tag_number(const char *tag);
/* The number the next migration's tag gets: after every applied one
 * (NROWS of them, TAGS their known tags) and every journal entry of J
 * (may be NULL), by count and by the numbers in their tags. */
long long history_next_number(const struct journal *j, const char *const *tags, size_t ntags, size_t nrows);

/* The entries drizzle-kit generate would write again (no snapshot after
 * them): a line each with what the team must run. Also in status. */
void history_snapshot_advice(struct strbuf *out, const struct history *h);
/* migrations/check: appends one line per problem, nothing when healthy. */
void history_check(struct strbuf *out, const struct history *h, const struct cat_migration *rows, size_t nrows);

#endif
