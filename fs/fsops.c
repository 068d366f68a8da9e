/*
 * fsops.c: the FUSE operations. Every path is "/<db>/<path in its tree>".
 * A read never waits on the server: it is served from the tree the
 * database holds at that moment. An open file pins its tree, so a refresh
 * in the middle of a read cannot change the bytes under it. The
 * operations that change the tree (create, rename, truncate, ...) are in
 * fsops_change.c, the directories' in fsops_dir.c; what they share is
 * declared in fsops_int.h.
 */
#include "fsops.h"
#include "fsops_int.h"

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
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "config.h"
#include "database.h"
#include "edit.h"
#include "gone.h"
#include "strbuf.h"
#include "tree.h"

#define STR_(x) #x
#define STR(x) STR_(x)

void sfs_free_open(struct open_file *of)
{
	tree_unref(of->tree);
	free(of->path);
	strbuf_free(&of->buf);
	free(of);
}

/* Files still open when the loop ends (a signal, a lazy unmount) get no
 * release(): schemafs_release_all() frees them. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct open_file *open_files;	/* open_lock */

void sfs_track(struct open_file *of)
{
	pthread_mutex_lock(&open_lock);
	of->prev = NULL;
	of->next = open_files;
	if (open_files)
		open_files->prev = of;
	open_files = of;
	pthread_mutex_unlock(&open_lock);
}

void sfs_untrack(struct open_file *of)
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
		sfs_free_open(of);
	}
	pthread_mutex_unlock(&open_lock);
	gone_clear();
}

struct schemafs *sfs_ctx(void)
{
	return fuse_get_context()->private_data;
}

/* The database a path starts with; *rest points after its name. */
struct database *sfs_db(struct schemafs *fs, const char *path, const char **rest)
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
	*rest = "";
	return NULL;
}

/*
 * Resolves PATH. Returns 0 with *tree referenced (caller unrefs) and *node
 * set, 1 for the mount's root, or -ENOENT.
 */
int sfs_resolve(const char *path, struct tree **tree, const struct node **node)
{
	struct schemafs *fs = sfs_ctx();
	*tree = NULL;
	*node = NULL;
	if (!strcmp(path, "/"))
		return 1;
	const char *rest = "";
	struct database *db = sfs_db(fs, path, &rest);
	if (!db)
		return -ENOENT;
	struct tree *t = database_tree(db);
	/* Its kids are not read: a table's directory is not rendered for a
	 * stat (tree.h: Lazy table directories). */
	const struct node *n = tree_find(t, rest);
	if (!n) {
		tree_unref(t);
		return -ENOENT;
	}
	/* Every caller reads its size or content. */
	if (!(*node = tree_file(t, n))) {
		tree_unref(t);
		*tree = NULL;
		return -EIO;	/* logged: the refresher's "dependency map" */
	}
	*tree = t;
	return 0;
}

/* May the caller of this request change DB (NULL: the mount's root)? Only
 * the mount's owner and members of the database's writers_group may
 * (access.h); with allow_other everybody else only reads. */
static bool sfs_caller_may_change(const struct database *db)
{
	struct fuse_context *ctx = fuse_get_context();
	struct access_rule rule = { .owner = getuid() };
	if (db && db->cfg->has_writers) {
		rule.has_writers = true;
		rule.writers = db->cfg->writers_gid;
	}
	gid_t groups[256];
	struct access_caller who = { ctx->uid, ctx->gid, groups, 0 };
	if (ctx->uid != rule.owner && rule.has_writers) {
		int n = fuse_getgroups((int)(sizeof groups / sizeof *groups), groups);
		/* More groups than fit: the first ones are checked. */
		who.ngroups = n < 0 ? 0 : (size_t)n > sizeof groups / sizeof *groups ?
			      sizeof groups / sizeof *groups : (size_t)n;
	}
	return access_may_change(&rule, &who);
}

/* Called first by every operation that changes something: 0, or -EACCES
 * (recorded in status and the log) for a caller who may not. Read-only
 * databases are left to the operation, which answers EROFS to everyone. */
int sfs_may_change(const char *path)
{
	const char *rest = "";
	struct database *db = strcmp(path, "/") ? sfs_db(sfs_ctx(), path, &rest) : NULL;
	if (db && db->cfg->read_only)
		return 0;
	if (sfs_caller_may_change(db))
		return 0;
	if (!db)
		return -EACCES;
	struct fuse_context *ctx = fuse_get_context();
	return edit_deny(db, rest + (*rest == '/'), (unsigned)ctx->uid, (int)ctx->pid);
}

/* migrations/status quotes PostgreSQL's DETAIL, which can show row values:
 * only those who may change the database read it. */
static bool sfs_is_private(const char *rest)
{
	return !strcmp(rest, "/migrations/status");
}

/* The same, for NAME inside migrations/. */
bool sfs_is_private_name(const char *name)
{
	return !strcmp(name, "status");
}

/* Files show the owner and, with a writers_group, that group with write
 * permission, so that the kernel's check (default_permissions) agrees
 * with the daemon's (sfs_may_change). */
void sfs_fill_stat(const struct database *db, const struct node *n, struct stat *st,
			  bool private)
{
	bool writable = !db->cfg->read_only, group = db->cfg->has_writers;
	memset(st, 0, sizeof *st);
	st->st_uid = getuid();
	st->st_gid = group ? db->cfg->writers_gid : getgid();
	if (n->is_dir) {
		st->st_mode = S_IFDIR | (writable ? (group ? 0775 : 0755) : 0555);
		st->st_nlink = 2 + n->nsubdirs;
	} else {
		st->st_mode = S_IFREG | (writable ? (group ? 0664 : 0644) : 0444);
		if (private)
			st->st_mode &= ~(mode_t)(group ? 0007 : 0077);
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
	sfs_dir_init();
	/* O_TRUNC arrives with open(), not as a separate truncate to 0 that
	 * would look like an empty definition. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* The refreshers tell the kernel what changed (schemafs_invalidate),
	 * and check by themselves while the mount is in use, so names and
	 * attributes may be cached for longer than the TTL; auto_cache
	 * re-checks size and mtime on every open. */
	double keep = fs->ttl > DB_KERNEL_CACHE_SECONDS ? fs->ttl : DB_KERNEL_CACHE_SECONDS;
	cfg->entry_timeout = keep;
	cfg->attr_timeout = keep;
	cfg->negative_timeout = 0;
	cfg->auto_cache = 1;
	/* auto_cache compares, at every open, the size and mtime the tree
	 * has now with the ones the kernel was last given (our getattr, no
	 * round trip), and keeps the pages only when they match: a file
	 * opened between a refresh and the delivery of its invalidation is
	 * not read from the old pages. */
	cfg->ac_attr_timeout_set = 1;
	cfg->ac_attr_timeout = 0;
	cfg->use_ino = 0;
	/* rm of a file another process holds open (less, an editor, tail -f,
	 * a pipeline still reading it) is an unlink like any other. Without
	 * this, libfuse renames such a file to .fuse_hidden... instead, and
	 * unlinks that name at its last close: schemafs would take the rename
	 * for an edit (rm of a generated migration left it staged). Handles
	 * of a removed file then come with a NULL path (sfs_getattr,
	 * sfs_readdir, fsops_change.c). */
	cfg->hard_remove = 1;
	return fs;
}

/* fstat() of a file removed while open (hard_remove: no path left): what
 * its handle holds, with no link. */
static int sfs_getattr_removed(struct stat *st, struct fuse_file_info *fi)
{
	struct open_file *of = fi ? (struct open_file *)(uintptr_t)fi->fh : NULL;
	if (!of || (!of->path && !of->node))
		return -ENOENT;
	memset(st, 0, sizeof *st);
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_blksize = 4096;
	if (of->path) {
		st->st_mode = S_IFREG | 0644;
		st->st_size = (off_t)of->buf.len;
		clock_gettime(CLOCK_REALTIME, &st->st_mtim);
	} else {
		st->st_mode = of->node->is_dir ? S_IFDIR | 0555 : S_IFREG | 0444;
		st->st_size = of->node->is_dir ? 0 : (off_t)of->node->size;
		st->st_mtim = of->node->mtime;
	}
	st->st_blocks = (blkcnt_t)((st->st_size + 511) / 512);
	st->st_ctim = st->st_atim = st->st_mtim;
	return 0;
}

static int sfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (!path)
		return sfs_getattr_removed(st, fi);
	struct tree *t;
	const struct node *n;
	int rc = sfs_resolve(path, &t, &n);
	if (rc == 1) {
		sfs_root_stat(st);
		return 0;
	}
	if (rc == -ENOENT && sfs_ctx()->kernel_checks && gone_take(path))
		return -ESTALE;
	if (rc < 0)
		return rc;
	const char *rest = "";
	struct database *db = sfs_db(sfs_ctx(), path, &rest);
	sfs_fill_stat(db, n, st, sfs_is_private(rest));
	/* A file open for writing shows what has been written so far. */
	struct open_file *of = fi ? (struct open_file *)(uintptr_t)fi->fh : NULL;
	if (of && of->path) {
		st->st_size = (off_t)of->buf.len;
		st->st_blocks = (blkcnt_t)((of->buf.len + 511) / 512);
	}
	tree_unref(t);
	return 0;
}

/* A handle that collects a new content for PATH (in DB, at REST). */
int sfs_open_writer(struct database *db, const char *rest, const struct node *n,
			   struct fuse_file_info *fi)
{
	struct open_file *of = calloc(1, sizeof *of);
	if (!of)
		return -ENOMEM;
	of->db = db;
	of->path = strdup(rest);
	if (!of->path) {
		free(of);
		return -ENOMEM;
	}
	if (fi->flags & O_TRUNC)
		of->dirty = true;
	else if (n && n->size)
		sb_addn(&of->buf, n->data, n->size);
	sfs_track(of);
	fi->fh = (uint64_t)(uintptr_t)of;
	/* The content is only known at close: no page cache for it. */
	fi->direct_io = 1;
	return 0;
}

static int sfs_open(const char *path, struct fuse_file_info *fi)
{
	struct tree *t;
	const struct node *n;
	int rc = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC) ? sfs_may_change(path) : 0;
	if (rc)
		return rc;
	rc = sfs_resolve(path, &t, &n);
	if (rc == 1)
		return -EISDIR;
	if (rc == -ENOENT && (fi->flags & O_ACCMODE) != O_RDONLY) {
		/* The kernel still caches a name that a discard or a refresh
		 * removed, and sends open() without O_CREAT for it: writing
		 * to it creates it, as the writer meant. */
		const char *rest = "";
		struct database *db = sfs_db(sfs_ctx(), path, &rest);
		rest += db && *rest == '/';
		if (db && *rest && !edit_check(db, rest) && !edit_create(db, rest))
			return sfs_open_writer(db, rest, NULL, fi);
		return -ENOENT;
	}
	if (rc < 0)
		return rc;
	if (n->is_dir) {
		rc = -EISDIR;
		goto fail;
	}
	const char *in_db = "";
	struct database *owner_db = sfs_db(sfs_ctx(), path, &in_db);
	if (sfs_is_private(in_db) && !sfs_caller_may_change(owner_db)) {
		rc = -EACCES;
		goto fail;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		const char *rest = "";
		struct database *db = sfs_db(sfs_ctx(), path, &rest);
		rc = edit_check(db, rest + (*rest == '/'));
		if (!rc)
			rc = sfs_open_writer(db, rest + (*rest == '/'), n, fi);
		goto fail;	/* the writer holds no tree */
	}
	struct open_file *of = calloc(1, sizeof *of);
	if (!of) {
		rc = -ENOMEM;
		goto fail;
	}
	of->tree = t;
	of->node = n;
	sfs_track(of);
	fi->fh = (uint64_t)(uintptr_t)of;
	/* A reader has nothing to hand over at close: the kernel sends it no
	 * flush (one synchronous round trip less per file read). Its page
	 * cache is kept across opens while size and mtime stay (auto_cache,
	 * sfs_init) and dropped by the refresher when the content changes. */
	fi->noflush = 1;
	/* Between a new tree's install and the kernel taking its
	 * invalidations, the kernel may still hold a changed file's old
	 * st_size, and a cached read stops there: cut short. This open
	 * reads straight from T instead, to its end. */
	if (owner_db && !database_tree_shown(owner_db, t))
		fi->direct_io = 1;
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
	const char *data = of->path ? sb_str(&of->buf) : of->node->data;
	size_t len = of->path ? of->buf.len : of->node->size;
	if ((size_t)off >= len)
		return 0;
	if (size > len - (size_t)off)
		size = len - (size_t)off;
	memcpy(buf, data + off, size);
	return (int)size;
}

/* The shell does not report close()'s error: what has been written so far
 * is checked at every write that ends a line (a second line in a column
 * file, a label dropped from an enum file), so that this write() carries
 * the refusal. 0 or -errno; nothing is staged either way. */
int sfs_check_so_far(struct open_file *of)
{
	int rc = edit_early_check(of->db, of->path, sb_str(&of->buf), of->buf.len);
	if (rc) {
		of->dirty = false;	/* refused: close() does not try again */
		of->refused = rc;
	}
	return rc;
}

static int sfs_write(const char *path, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	(void)path;
	if (!of->path)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	if (of->refused)
		return of->refused;
	if ((size_t)off + size > EDIT_MAX_FILE) {
		/* Nothing of this file will be staged: close() stays quiet. */
		of->dirty = false;
		of->refused = edit_refuse(of->db, of->path, -EFBIG, "larger than " STR(EDIT_MAX_FILE) " bytes");
		return of->refused;
	}
	while (of->buf.len < (size_t)off)
		sb_addc(&of->buf, '\0');
	if ((size_t)off + size > of->buf.len) {
		size_t keep = (size_t)off;
		of->buf.len = keep;
		sb_addn(&of->buf, buf, size);
	} else {
		memcpy(of->buf.buf + off, buf, size);
	}
	of->dirty = true;
	of->written = true;
	int rc = memchr(buf, '\n', size) ? sfs_check_so_far(of) : 0;
	return rc ? rc : (int)size;
}

/* Hands the new content over; its verdict is close()'s return value. */
static int sfs_flush(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	(void)path;
	int rc = 0;
	if (!of->path)
		return 0;
	if (of->dirty && of->written) {
		of->dirty = false;
		rc = edit_write(of->db, of->path, sb_str(&of->buf), of->buf.len);
	}
	if (of->truncated) {
		/* The kernel keeps the size ftruncate() replied with: what the
		 * tree holds now stands again, whatever the verdict. */
		of->truncated = false;
		schemafs_invalidate(sfs_ctx(), of->db->cfg->name, of->path);
	}
	return rc;
}

static int sfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)datasync;
	return sfs_flush(path, fi);
}

static int sfs_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	(void)path;
	sfs_untrack(of);
	if (of->path && of->dirty)
		edit_write(of->db, of->path, sb_str(&of->buf), of->buf.len);
	sfs_free_open(of);
	return 0;
}

static int sfs_statfs(const char *path, struct statvfs *sv)
{
	struct schemafs *fs = sfs_ctx();
	(void)path;
	memset(sv, 0, sizeof *sv);
	sv->f_bsize = sv->f_frsize = 4096;
	sv->f_namemax = 255;
	sv->f_flag = ST_RDONLY;
	for (size_t i = 0; i < fs->ndbs; i++)
		if (!fs->dbs[i].cfg->read_only)
			sv->f_flag = 0;
	return 0;
}

/* The database PATH is in, and the path inside it ("" for its directory);
 * NULL for the mount's root or an unknown database. */
struct database *sfs_db_path(const char *path, const char **rest)
{
	if (!strcmp(path, "/"))
		return NULL;
	struct database *db = sfs_db(sfs_ctx(), path, rest);
	if (db)
		*rest += **rest == '/';
	return db;
}

const struct fuse_operations schemafs_ops = {
	.init = sfs_init,
	.getattr = sfs_getattr,
	.opendir = sfs_opendir,
	.readdir = sfs_readdir,
	.releasedir = sfs_releasedir,
	.open = sfs_open,
	.read = sfs_read,
	.release = sfs_release,
	.flush = sfs_flush,
	.fsync = sfs_fsync,
	.statfs = sfs_statfs,
	.create = sfs_create,
	.mkdir = sfs_mkdir,
	.unlink = sfs_unlink,
	.rmdir = sfs_rmdir,
	.rename = sfs_rename,
	.truncate = sfs_truncate,
	.write = sfs_write,
	.chmod = sfs_chmod,
	.chown = sfs_chown,
	.utimens = sfs_utimens,
	.symlink = sfs_symlink,
	.mknod = sfs_mknod,
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
	for (size_t i = 0; i < fs->ndbs; i++) {
		struct database *db = &fs->dbs[i];
		if (strcmp(db->cfg->name, dbname))
			continue;
		pthread_mutex_lock(&db->lock);
		/* Whether it is there, not what is in it: a table's
		 * directory let go (database_evict.c) is not rendered again
		 * for this. */
		bool removed = !tree_find(db->tree, path);
		pthread_mutex_unlock(&db->lock);
		if (removed && fs->kernel_checks)
			gone_add(full, fs->ttl > DB_KERNEL_CACHE_SECONDS ? fs->ttl : DB_KERNEL_CACHE_SECONDS);
	}
	/* -ENOENT just means the kernel never looked at it: nothing cached. */
	fuse_invalidate_path(fs->fuse, full);
}
