/*
 * fsops.c: the FUSE operations. Every path is "/<db>/<path in its tree>".
 * A read never waits on the server: it is served from the tree the
 * database holds at that moment. An open file pins its tree, so a refresh
 * in the middle of a read cannot change the bytes under it.
 */
#include "fsops.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "config.h"
#include "database.h"
#include "tree.h"

struct open_file {
	struct tree *tree;		/* reference held while open */
	const struct node *node;
	struct open_file *prev, *next;	/* open_lock: every open file */
};

/* Files still open when the loop ends (a signal, a lazy unmount) get no
 * release(): schemafs_release_all() frees them. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct open_file *open_files;	/* open_lock */

static void sfs_track(struct open_file *of)
{
	pthread_mutex_lock(&open_lock);
	of->prev = NULL;
	of->next = open_files;
	if (open_files)
		open_files->prev = of;
	open_files = of;
	pthread_mutex_unlock(&open_lock);
}

static void sfs_untrack(struct open_file *of)
{
	pthread_mutex_lock(&open_lock);
	if (of->prev)
		of->prev->next = of->next;
	else
		open_files = of->next;
	if (of->next)
		of->next->prev = of->prev;
	pthread_mutex_unlock(&open_lock);
}

void schemafs_release_all(void)
{
	pthread_mutex_lock(&open_lock);
	while (open_files) {
		struct open_file *of = open_files;
		open_files = of->next;
		tree_unref(of->tree);
		free(of);
	}
	pthread_mutex_unlock(&open_lock);
}

static struct schemafs *sfs_ctx(void)
{
	return fuse_get_context()->private_data;
}

/* The database a path starts with; *rest points after its name. */
static struct database *sfs_db(struct schemafs *fs, const char *path, const char **rest)
{
	const char *p = path + (*path == '/');
	size_t len = strcspn(p, "/");
	for (size_t i = 0; i < fs->ndbs; i++) {
		const char *name = fs->dbs[i].cfg->name;
		if (strlen(name) == len && !memcmp(name, p, len)) {
			*rest = p + len;
			return &fs->dbs[i];
		}
	}
	return NULL;
}

/*
 * Resolves PATH. Returns 0 with *tree referenced (caller unrefs) and *node
 * set, 1 for the mount's root, or -ENOENT.
 */
static int sfs_resolve(const char *path, struct tree **tree, const struct node **node)
{
	struct schemafs *fs = sfs_ctx();
	if (!strcmp(path, "/"))
		return 1;
	const char *rest;
	struct database *db = sfs_db(fs, path, &rest);
	if (!db)
		return -ENOENT;
	struct tree *t = database_tree(db);
	const struct node *n = tree_lookup(t, rest);
	if (!n) {
		tree_unref(t);
		return -ENOENT;
	}
	*tree = t;
	*node = n;
	return 0;
}

static void sfs_fill_stat(const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (n->is_dir) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2 + n->nsubdirs;
	} else {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = (off_t)n->size;
		st->st_blocks = (blkcnt_t)((n->size + 511) / 512);
	}
	st->st_blksize = 4096;
	st->st_mtim = st->st_ctim = st->st_atim = n->mtime;
}

static void sfs_root_stat(struct stat *st)
{
	struct schemafs *fs = sfs_ctx();
	memset(st, 0, sizeof *st);
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2 + fs->ndbs;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_blksize = 4096;
}

static void *sfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct schemafs *fs = sfs_ctx();
	(void)conn;
	/* The refreshers tell the kernel what changed (schemafs_invalidate),
	 * and check by themselves while the mount is in use, so names and
	 * attributes may be cached for longer than the TTL; auto_cache
	 * re-checks size and mtime on every open. */
	double keep = fs->ttl > DB_KERNEL_CACHE_SECONDS ? fs->ttl : DB_KERNEL_CACHE_SECONDS;
	cfg->entry_timeout = keep;
	cfg->attr_timeout = keep;
	cfg->negative_timeout = 0;
	cfg->auto_cache = 1;
	cfg->use_ino = 0;
	return fs;
}

static int sfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct tree *t;
	const struct node *n;
	(void)fi;
	int rc = sfs_resolve(path, &t, &n);
	if (rc == 1) {
		sfs_root_stat(st);
		return 0;
	}
	if (rc < 0)
		return rc;
	sfs_fill_stat(n, st);
	tree_unref(t);
	return 0;
}

static int sfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct schemafs *fs = sfs_ctx();
	struct tree *t;
	const struct node *n;
	(void)off;
	(void)fi;
	int rc = sfs_resolve(path, &t, &n);
	if (rc < 0)
		return rc;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	if (rc == 1) {
		for (size_t i = 0; i < fs->ndbs; i++)
			fill(buf, fs->dbs[i].cfg->name, NULL, 0, 0);
		return 0;
	}
	if (!n->is_dir) {
		tree_unref(t);
		return -ENOTDIR;
	}
	/* Names only, no readdirplus: libfuse looks each "plus" entry up
	 * again when it sends a later chunk, in whatever tree is current by
	 * then, and one entry dropped by a refresh would fail the whole
	 * listing. Plain entries vanish one by one, like removed files. */
	(void)flags;
	for (size_t i = 0; i < n->nkids; i++)
		if (fill(buf, n->kids[i]->name, NULL, 0, 0))
			break;
	tree_unref(t);
	return 0;
}

static int sfs_open(const char *path, struct fuse_file_info *fi)
{
	struct tree *t;
	const struct node *n;
	int rc = sfs_resolve(path, &t, &n);
	if (rc == 1)
		return -EISDIR;
	if (rc < 0)
		return rc;
	if (n->is_dir) {
		rc = -EISDIR;
		goto fail;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		rc = -EROFS;
		goto fail;
	}
	struct open_file *of = malloc(sizeof *of);
	if (!of) {
		rc = -ENOMEM;
		goto fail;
	}
	of->tree = t;
	of->node = n;
	sfs_track(of);
	fi->fh = (uint64_t)(uintptr_t)of;
	return 0;
fail:
	tree_unref(t);
	return rc;
}

static int sfs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	(void)path;
	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= of->node->size)
		return 0;
	if (size > of->node->size - (size_t)off)
		size = of->node->size - (size_t)off;
	memcpy(buf, of->node->data + off, size);
	return (int)size;
}

static int sfs_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	(void)path;
	sfs_untrack(of);
	tree_unref(of->tree);
	free(of);
	return 0;
}

static int sfs_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	memset(sv, 0, sizeof *sv);
	sv->f_bsize = sv->f_frsize = 4096;
	sv->f_namemax = 255;
	sv->f_flag = ST_RDONLY;
	return 0;
}

/* Changes arrive with staging; until then every change is refused. */
static int sfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path; (void)mode; (void)fi;
	return -EROFS;
}

static int sfs_mkdir(const char *path, mode_t mode)
{
	(void)path; (void)mode;
	return -EROFS;
}

static int sfs_unlink(const char *path)
{
	(void)path;
	return -EROFS;
}

static int sfs_rename(const char *from, const char *to, unsigned int flags)
{
	(void)from; (void)to; (void)flags;
	return -EROFS;
}

static int sfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)path; (void)size; (void)fi;
	return -EROFS;
}

static int sfs_write(const char *path, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	(void)path; (void)buf; (void)size; (void)off; (void)fi;
	return -EROFS;
}

static int sfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path; (void)mode; (void)fi;
	return -EROFS;
}

static int sfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	(void)path; (void)uid; (void)gid; (void)fi;
	return -EROFS;
}

static int sfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	(void)path; (void)tv; (void)fi;
	return -EROFS;
}

static int sfs_link(const char *from, const char *to)
{
	(void)from; (void)to;
	return -EROFS;
}

static int sfs_setxattr(const char *path, const char *name, const char *value, size_t size, int flags)
{
	(void)path; (void)name; (void)value; (void)size; (void)flags;
	return -EROFS;
}

static int sfs_removexattr(const char *path, const char *name)
{
	(void)path; (void)name;
	return -EROFS;
}

const struct fuse_operations schemafs_ops = {
	.init = sfs_init,
	.getattr = sfs_getattr,
	.readdir = sfs_readdir,
	.open = sfs_open,
	.read = sfs_read,
	.release = sfs_release,
	.statfs = sfs_statfs,
	.create = sfs_create,
	.mkdir = sfs_mkdir,
	.unlink = sfs_unlink,
	.rmdir = sfs_unlink,
	.rename = sfs_rename,
	.truncate = sfs_truncate,
	.write = sfs_write,
	.chmod = sfs_chmod,
	.chown = sfs_chown,
	.utimens = sfs_utimens,
	.symlink = sfs_link,
	.link = sfs_link,
	.setxattr = sfs_setxattr,
	.removexattr = sfs_removexattr,
};

void schemafs_invalidate(void *ctx, const char *dbname, const char *path)
{
	struct schemafs *fs = ctx;
	char full[4096];
	if (!fs->fuse)
		return;
	snprintf(full, sizeof full, "/%s%s%s", dbname, *path ? "/" : "", path);
	/* -ENOENT just means the kernel never looked at it: nothing cached. */
	fuse_invalidate_path(fs->fuse, full);
}
