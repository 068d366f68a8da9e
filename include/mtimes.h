/*
 * mtimes: the time each file's current content was first seen, kept on disk
 * (state_dir/<db>/mtimes) so that a remount or restart shows the same mtime
 * for unchanged content; rsync, make and git then see only real changes.
 *
 * The file holds one NUL-terminated record per node:
 *   "<content hash, 16 hex> <seconds> <nanoseconds> <path>"
 * and is replaced atomically (temp file, fsync, rename). A whole-schema file
 * not rendered yet (tree.h: Lazy files) is neither rendered nor hashed here:
 * mtimes_apply() hands it its path's record (tree_file_carry()), and
 * mtimes_format() writes the record it carries, if any. So is a table's
 * directory not rendered yet (tree.h: Lazy table directories): it carries
 * the records of the paths in it (tree_dir_carry), applied when it is
 * rendered and written back while it is not. Knows no FUSE and
 * no SQL. The tree is read through a reference (tree_ref), with no lock
 * held, as FUSE readers read it; the file is written by the database's
 * refresher thread alone (database_refresh.c: mtimes_due,
 * database_mtimes_flush), and by database_close after it stopped.
 */
#ifndef SCHEMAFS_MTIMES_H
#define SCHEMAFS_MTIMES_H

#include <stddef.h>

struct node;
struct strbuf;
struct tree;

/* Sets the mtime of every node of T whose path and content match a record
 * of FILE. Returns the number of nodes set, or -errno (-ENOENT: no file). */
long mtimes_apply(struct tree *t, const char *file);

/* The records BLOB (LEN bytes: NUL-terminated records as in the file, with
 * paths relative to ROOT) applied to the nodes of ROOT, a table's
 * directory being rendered (tree_sub.c, under its lock, before it is
 * published): the mtime of each whose path and content match. */
void mtimes_apply_carried(struct node *root, const char *blob, size_t len);

/* The records of the paths below ROOT, a rendered table's directory, with
 * paths relative to it: what tree_dir_carry() takes. malloc'd (the
 * caller frees it), *LEN its length; NULL when there is none or no
 * memory. */
char *mtimes_records_below(const struct node *root, size_t *len);

/* Calls FN with the path (relative, as written) of every record of BLOB
 * (LEN bytes, as tree_dir_carry() takes them). */
void mtimes_each_path(const char *blob, size_t len, void (*fn)(void *ctx, const char *path), void *ctx);

/* T's records appended to OUT (no I/O; the caller owns OUT). With FLUSH,
 * FLUSH(CTX, OUT) is called whenever OUT holds 1 MiB or more, to write and
 * empty it (the caller writes what is left at the end): the records of a
 * large tree (19 MB at 10,000 tables) are then never in memory at once.
 * T must be held by a reference (tree_ref) or a lock. */
void mtimes_format(const struct tree *t, struct strbuf *out, void (*flush)(void *ctx, struct strbuf *out),
		   void *ctx);

/* mkdir -p. Returns 0 or -errno. */
int mtimes_mkdirs(const char *dir);

#endif
