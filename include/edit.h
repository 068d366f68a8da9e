/*
 * edit: what a change to a file or directory of a database's tree means.
 * The FUSE glue calls these with a path relative to the database directory
 * ("schemas/public/tables/booking/columns/notes") and the whole new content
 * of a file; they turn it into staged edits (stage.h), validated by
 * PostgreSQL (probe.h), persisted before they return, and publish the new
 * desired tree. Knows no FUSE.
 *
 * Every function returns 0 or -errno:
 *   EROFS   the database is configured read_only
 *   EINVAL  PostgreSQL refused the definition, or it is not one line, or
 *           a name or a migration's text is not UTF-8
 *   EPERM   PostgreSQL cannot do it (remove an enum label), or the file is
 *           generated (erd.md, the generated migration), or a declarative
 *           file (table.sql, schema.sql) differs in what cannot be staged
 *   EBUSY   a declarative file contradicts staged edits of its objects
 *   EOPNOTSUPP  a declarative file without a usable shadow database
 *   ENOENT  no such object; EEXIST: it exists already
 *   ENAMETOOLONG  a new name over the server's max_identifier_length, or
 *           a file name over NAME_MAX
 *   EPERM   also: a move to another directory (a column to another table,
 *           a table to another schema), which would drop and re-create;
 *           EXDEV for drafts and scratch files, which mv may copy
 *   EBUSY   an object file's drop (rm, or DROP + CREATE) while other
 *           objects depend on it (objkind.h)
 *   EIO     the server cannot be reached for the probe, or the stage file
 *           cannot be written (nothing is staged then)
 * and leaves the reason in migrations/status ("last refused change") and
 * the log.
 *
 * Files that are not definitions are kept in memory and never staged:
 * scratch files (a name beginning with "." or ending with "~": editor swap
 * and backup files) anywhere a change can be made, and drafts (a new file
 * that holds no definition yet, e.g. after touch, or a temp file such as
 * vim's "4913").
 *
 * Locking: each call takes the database's work_lock (one change at a time,
 * and the work connection), then its model_lock.
 */
#ifndef SCHEMAFS_EDIT_H
#define SCHEMAFS_EDIT_H

#include <stdbool.h>
#include <stddef.h>

struct database;

/* Largest file content accepted (EFBIG beyond), and largest column file. */
#define EDIT_MAX_FILE 1048576
#define EDIT_MAX_COLUMN 65536

/* May PATH be opened for writing or created? 0 or -errno. */
int edit_check(struct database *db, const char *path);
int edit_create(struct database *db, const char *path);
int edit_write(struct database *db, const char *path, const char *data, size_t len);
/* What has been written so far to a column file (one line: a second one
 * is refused) or an enum file (its complete lines, as the start of the
 * file: a label dropped, moved or repeated is refused), checked at once so
 * that write() carries a refusal (the shell does not report close()'s).
 * Nothing is staged; 0 for other files. */
int edit_early_check(struct database *db, const char *path, const char *data, size_t len);
/* Records a refusal the glue decided (REASON for RC) as the others are;
 * returns RC. */
int edit_refuse(struct database *db, const char *path, int rc, const char *reason);
/* Records that UID (process PID) may not change the database (access.h)
 * and returns -EACCES. At most one record a second; takes model_lock only. */
int edit_deny(struct database *db, const char *path, unsigned uid, int pid);
int edit_unlink(struct database *db, const char *path);
int edit_rename(struct database *db, const char *from, const char *to);
int edit_mkdir(struct database *db, const char *path);
int edit_rmdir(struct database *db, const char *path);

#endif
