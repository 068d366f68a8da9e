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

/* Reads the whole of FILE into a malloc'd, NUL-terminated buffer (caller
 * frees) and its length into *LEN. Returns NULL with errno set. */
char *file_read_all(const char *file, size_t *len);

#endif
