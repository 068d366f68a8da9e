/*
 * atomicfile: replace a file's content so that a crash at any moment leaves
 * either the old or the new content (temp file in the same directory, fsync,
 * rename, fsync of the directory). Knows no FUSE and no SQL.
 */
#ifndef SCHEMAFS_ATOMICFILE_H
#define SCHEMAFS_ATOMICFILE_H

#include <stddef.h>

/* Writes LEN bytes of DATA to FILE (mode 0600). Returns 0 or -errno. */
int atomic_write(const char *file, const char *data, size_t len);

/* The same, for content made piece by piece (mtimes: tens of MB that need
 * not be in memory at once). atomic_begin() opens the temp file;
 * atomic_add() appends; atomic_commit() syncs and renames it over FILE,
 * or, after any failure, removes it and returns the first error. Each
 * returns 0 or -errno; after a failed begin, add and commit do nothing
 * but return its error. The struct is the caller's; commit frees what it
 * holds. */
struct atomic_file {
	char *tmp;
	const char *file;	/* the caller's, until commit */
	int fd;
	int err;
};
int atomic_begin(struct atomic_file *af, const char *file);
int atomic_add(struct atomic_file *af, const char *data, size_t len);
int atomic_commit(struct atomic_file *af);

/* Reads the whole of FILE into a malloc'd, NUL-terminated buffer (caller
 * frees) and its length into *LEN. Returns NULL with errno set. */
char *file_read_all(const char *file, size_t *len);

#endif
