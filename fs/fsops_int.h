/*
 * fsops_int.h: what fsops.c (reads, open files, the operations table),
 * fsops_dir.c (directories) and fsops_change.c (the operations that
 * change something) share. Internal
 * to the FUSE glue; nothing outside fs/fsops*.c includes it.
 */
#ifndef SCHEMAFS_FSOPS_INT_H
#define SCHEMAFS_FSOPS_INT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fsops.h"
#include "strbuf.h"

struct database;
struct node;
struct tree;

/* A file open for reading pins its tree; one open for writing collects the
 * new content in BUF and hands all of it to edit_write() at flush (close):
 * a definition is only complete, and checked, as a whole. A flush before
 * anything was written (a shell opens, dup2()s and closes the first
 * descriptor before the command writes) hands nothing over: what O_TRUNC
 * alone left is handed over at release. */
struct open_file {
	struct tree *tree;		/* reference held while open (readers, and
					 * directories from their first readdir) */
	const struct node *node;
	struct database *db;		/* writers */
	char *path;			/* writers: relative to the database; owned */
	struct strbuf buf;		/* writers: the new content */
	bool dirty;			/* writers: BUF not handed over yet */
	bool written;			/* writers: write() or ftruncate() since open */
	bool truncated;			/* writers: ftruncate() since the last flush */
	int refused;			/* writers: -errno once a write was refused */
	bool all_plus;			/* directories: every name listed so far
					 * went with its attributes (fsops_dir.c) */
	struct open_file *prev, *next;	/* open_lock: every open file */
};

/* The mount's context (fuse_get_context()->private_data). */
struct schemafs *sfs_ctx(void);

/* The database PATH ("/<db>/...") starts with, with *REST pointing after
 * its name (at "/..." or ""); NULL (and REST "") for none. */
struct database *sfs_db(struct schemafs *fs, const char *path, const char **rest);

/* The database PATH is in, and the path inside it ("" for its directory);
 * NULL for the mount's root or an unknown database. */
struct database *sfs_db_path(const char *path, const char **rest);

/* Resolves PATH. Returns 0 with *tree referenced (caller unrefs) and *node
 * set, 1 for the mount's root, or -ENOENT. */
int sfs_resolve(const char *path, struct tree **tree, const struct node **node);

/* Called first by every operation that changes something: 0, or -EACCES
 * (recorded in status and the log, as edit_deny() does) for a caller who
 * may not. Read-only databases answer 0 here and EROFS in the operation,
 * to everyone; the mount's root answers -EACCES unrecorded. */
int sfs_may_change(const char *path);

/* A handle in FI that collects a new content for REST in DB (N: its
 * current node, or NULL). 0 or -ENOMEM. */
int sfs_open_writer(struct database *db, const char *rest, const struct node *n, struct fuse_file_info *fi);

/* The early check of a writer's content so far; 0 or -errno (then kept). */
int sfs_check_so_far(struct open_file *of);

/* Open files, every one of them listed (open_lock) so that those the
 * kernel never released are freed at the end (schemafs_release_all). */
void sfs_track(struct open_file *of);
void sfs_untrack(struct open_file *of);
/* Frees OF: its tree reference, path and buffer. */
void sfs_free_open(struct open_file *of);

/* NODE's attributes in DB for stat (PRIVATE: migrations/status, the
 * owner's only). */
void sfs_fill_stat(const struct database *db, const struct node *n, struct stat *st, bool private);
/* Whether NAME inside migrations/ is private (status). */
bool sfs_is_private_name(const char *name);

/* fsops_dir.c: the directory operations. sfs_dir_init() once, from init. */
void sfs_dir_init(void);
int sfs_opendir(const char *path, struct fuse_file_info *fi);
int sfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
		enum fuse_readdir_flags flags);
int sfs_releasedir(const char *path, struct fuse_file_info *fi);

/* fsops_change.c: the operations that change something. */
int sfs_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int sfs_mkdir(const char *path, mode_t mode);
int sfs_unlink(const char *path);
int sfs_rmdir(const char *path);
int sfs_rename(const char *from, const char *to, unsigned int flags);
int sfs_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int sfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int sfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi);
int sfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi);
int sfs_symlink(const char *target, const char *path);
int sfs_link(const char *from, const char *to);
int sfs_mknod(const char *path, mode_t mode, dev_t dev);
int sfs_setxattr(const char *path, const char *name, const char *value, size_t size, int flags);
int sfs_removexattr(const char *path, const char *name);

#endif
