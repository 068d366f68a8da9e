/*
 * fsops_change.c: the FUSE operations that change something: create,
 * mkdir, unlink, rmdir, rename, truncate, the attribute setters and the
 * refusals (links, special files, extended attributes). Each checks the
 * caller first (sfs_may_change) and hands the change to edit.h; the
 * operations table is in fsops.c.
 */
#include "fsops_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "database.h"
#include "edit.h"
#include "gone.h"
#include "strbuf.h"
#include "tree.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Where a new file or directory PATH goes: its database and the path
 * inside it, or an -errno (the caller may not change anything; the root
 * or a database's directory, which exist; nothing outside a database
 * can be made). */
static int new_entry(const char *path, struct database **db, const char **rest)
{
	int denied = sfs_may_change(path);
	if (denied)
		return denied;
	*rest = "";
	*db = sfs_db_path(path, rest);
	if (!*db || !**rest)
		return *db ? -EEXIST : -EROFS;
	return 0;
}

int sfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct database *db;
	const char *rest;
	(void)mode;
	int rc = new_entry(path, &db, &rest);
	if (!rc)
		rc = edit_create(db, rest);
	if (!rc)
		rc = sfs_open_writer(db, rest, NULL, fi);
	return rc;
}

int sfs_mkdir(const char *path, mode_t mode)
{
	struct database *db;
	const char *rest;
	(void)mode;
	int rc = new_entry(path, &db, &rest);
	return rc ? rc : edit_mkdir(db, rest);
}

int sfs_unlink(const char *path)
{
	int denied = sfs_may_change(path);
	if (denied)
		return denied;
	const char *rest = "";
	struct database *db = sfs_db_path(path, &rest);
	if (!db || !*rest)
		return -EROFS;
	int rc = edit_unlink(db, rest);
	gone_forget(path);
	return rc;
}

int sfs_rmdir(const char *path)
{
	int denied = sfs_may_change(path);
	if (denied)
		return denied;
	const char *rest = "";
	struct database *db = sfs_db_path(path, &rest);
	if (!db || !*rest)
		return db && db->cfg->read_only ? -EROFS : -EPERM;
	int rc = edit_rmdir(db, rest);
	gone_forget(path);
	return rc;
}

int sfs_rename(const char *from, const char *to, unsigned int flags)
{
	int denied = sfs_may_change(from);
	if (!denied)
		denied = sfs_may_change(to);
	if (denied)
		return denied;
	const char *rf, *rt;
	struct database *df = sfs_db_path(from, &rf), *dt = sfs_db_path(to, &rt);
	if (!df || !*rf || !dt || !*rt)
		return -EROFS;
	/* Not EXDEV: mv would copy and remove, staging a drop here. */
	if (df != dt)
		return edit_refuse(df, rf, -EPERM, "files cannot be moved to another database: the move would "
				   "drop what they define here (copy a migration with cp instead)");
	if (flags & RENAME_EXCHANGE)
		return -EINVAL;
	if (flags & RENAME_NOREPLACE) {
		struct tree *t;
		const struct node *n;
		if (sfs_resolve(to, &t, &n) == 0) {
			tree_unref(t);
			return -EEXIST;
		}
	}
	int rc = edit_rename(df, rf, rt);
	gone_forget(from);
	return rc;
}

int sfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct open_file *of = fi ? (struct open_file *)(uintptr_t)fi->fh : NULL;
	/* No path: removed while open (hard_remove); a writer's handle goes
	 * on collecting, as a write() to it does, and was checked at open. */
	if (!path && !(of && of->path))
		return -ENOENT;
	int denied = path ? sfs_may_change(path) : 0;
	if (denied)
		return denied;
	if (size < 0)
		return -EINVAL;
	if ((size_t)size > EDIT_MAX_FILE) {
		const char *rest = "";
		struct database *db = of && of->path ? of->db : sfs_db_path(path, &rest);
		if (!db)
			return -EFBIG;
		return edit_refuse(db, of && of->path ? of->path : rest, -EFBIG,
				   "larger than " STR(EDIT_MAX_FILE) " bytes");
	}
	if (of && of->path) {
		/* ftruncate() is a write of the content it leaves. */
		if (of->refused)
			return of->refused;
		while (of->buf.len < (size_t)size)
			sb_addc(&of->buf, '\0');
		of->buf.len = (size_t)size;
		if (of->buf.buf)
			of->buf.buf[size] = '\0';
		of->dirty = true;
		of->written = true;
		of->truncated = true;
		return memchr(sb_str(&of->buf), '\n', of->buf.len) ? sfs_check_so_far(of) : 0;
	}
	/* truncate(2) on a path: the whole change at once. */
	const char *rest = "";
	struct database *db = sfs_db_path(path, &rest);
	struct tree *t;
	const struct node *n;
	if (!db || !*rest)
		return -EROFS;
	int rc = edit_check(db, rest);
	if (rc)
		return rc;
	if ((rc = sfs_resolve(path, &t, &n)) < 0)
		return rc;
	struct strbuf buf = STRBUF_INIT;
	sb_addn(&buf, n->data, (size_t)size < n->size ? (size_t)size : n->size);
	while (buf.len < (size_t)size)
		sb_addc(&buf, '\0');
	tree_unref(t);
	rc = edit_write(db, rest, sb_str(&buf), buf.len);
	strbuf_free(&buf);
	return rc;
}

/* Modes, owners and times are not part of a schema: tools that set them
 * (sed -i, cp -p, editors) are let through on files that can change. */
static int sfs_setattr_ok(const char *path)
{
	const char *rest = "";
	struct database *db = sfs_db_path(path, &rest);
	struct tree *t;
	const struct node *n;
	if (!db || db->cfg->read_only)
		return -EROFS;
	int rc = sfs_resolve(path, &t, &n);
	if (rc < 0)
		return rc;
	tree_unref(t);
	return 0;
}

/* No path: a file removed while open (hard_remove); nothing to set. */
int sfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode; (void)fi;
	return !path ? -ENOENT : sfs_may_change(path) ?: sfs_setattr_ok(path);
}

int sfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	(void)uid; (void)gid; (void)fi;
	return !path ? -ENOENT : sfs_may_change(path) ?: sfs_setattr_ok(path);
}

int sfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	(void)tv; (void)fi;
	return !path ? -ENOENT : sfs_may_change(path) ?: sfs_setattr_ok(path);
}

/* Links and special files have no meaning in a schema: EPERM, recorded. */
static int sfs_refuse_at(const char *path, const char *why)
{
	int denied = sfs_may_change(path);
	if (denied)
		return denied;
	const char *rest = "";
	struct database *db = sfs_db_path(path, &rest);
	return !db ? -EROFS : edit_refuse(db, rest, -EPERM, why);
}

int sfs_symlink(const char *target, const char *path)
{
	(void)target;
	return sfs_refuse_at(path, "symbolic links cannot be created here");
}

int sfs_link(const char *from, const char *to)
{
	(void)from;
	return sfs_refuse_at(to, "hard links cannot be created here");
}

int sfs_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)mode; (void)dev;
	return sfs_refuse_at(path, "only files and directories can be created here (no devices, FIFOs or sockets)");
}

int sfs_setxattr(const char *path, const char *name, const char *value, size_t size, int flags)
{
	(void)name; (void)value; (void)size; (void)flags;
	return sfs_may_change(path) ?: -ENOTSUP;
}

int sfs_removexattr(const char *path, const char *name)
{
	(void)name;
	return sfs_may_change(path) ?: -ENOTSUP;
}
