/*
 * fsops_dir.c: the directory operations (opendir, readdir, releasedir),
 * and how long the kernel keeps a directory's listing. A listing comes
 * from one tree, pinned by its first chunk; see fsops_int.h for what the
 * FUSE glue shares.
 */
#include "fsops.h"
#include "fsops_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "database.h"
#include "fuse_io.h"
#include "fuse_lsan.h"
#include "tree.h"

/*
 * A directory's listing is kept in the kernel's cache across opens only
 * while the names it brought are still cached too: a walk of a kept
 * listing looks none of them up, but once their entry timeout
 * (DB_KERNEL_CACHE_SECONDS, 300 s) is past, each one costs a LOOKUP of its
 * own, where a listing sent again (readdirplus) renews them all in a few
 * requests. So a listing is kept for half that timeout (of the shortest:
 * the TTL makes it longer when over 300 s) after the daemon last sent all
 * of it with attributes; after that, the next open drops it and
 * the kernel asks again.
 */
#define LISTING_KEEP_SECONDS (DB_KERNEL_CACHE_SECONDS / 2)
/* Set once by sfs_dir_init, before any request: LISTING_KEEP_SECONDS, or
 * the test hook SCHEMAFS_TEST_LISTING_KEEP_S (seconds; a test cannot wait
 * 150). */
static uint32_t listing_keep = (uint32_t)LISTING_KEEP_SECONDS;

void sfs_dir_init(void)
{
	const char *keep_s = getenv("SCHEMAFS_TEST_LISTING_KEEP_S");
	if (keep_s && *keep_s)
		listing_keep = (uint32_t)atoi(keep_s);
}

static uint32_t monotonic_seconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)now.tv_sec + 1;	/* never 0: 0 is "never listed" */
}

static bool listing_fresh(const struct node *dir)
{
	uint32_t listed = __atomic_load_n(&dir->listed, __ATOMIC_RELAXED);
	return listed && monotonic_seconds() - listed < listing_keep;
}

/* A directory's entry I of its listing (after "." and ".."); its
 * readdir offset is I + 3. */
static const struct node *sfs_kid(const struct node *dir, size_t i)
{
	return (dir->listing ? dir->listing : dir->kids)[i];
}

/*
 * The kernel asks for readdirplus (names with their attributes, so a walk
 * needs no lookup per entry) and libfuse hands each "plus" entry to the
 * kernel with the stat given here, without asking getattr again (lib/fuse.c
 * of 3.14: fill_dir_plus, do_lookup). A listing comes in chunks, each a
 * readdir call with the offset to go on from: the handle pins the tree its
 * first chunk (offset 0) was read from, so that every chunk's names come
 * from one published tree (and attributes too, while it is the current one).
 */
int sfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct schemafs *fs = sfs_ctx();
	struct open_file *dh = (struct open_file *)(uintptr_t)fi->fh;
	if (off < 0)
		return -EINVAL;
	if (!path)	/* removed while open (rm -r elsewhere): nothing more */
		return -ENOENT;
	if (!strcmp(path, "/")) {
		/* Names only: the databases' directories are few. */
		for (size_t i = (size_t)off; i < fs->ndbs + 2; i++) {
			const char *name = i == 0 ? "." : i == 1 ? ".." : fs->dbs[i - 2].cfg->name;
			if (fill(buf, name, NULL, (off_t)i + 1, 0))
				break;
		}
		return 0;
	}
	const char *rest = "";
	struct database *db = sfs_db(fs, path, &rest);
	if (!db)
		return -ENOENT;
	if (off == 0 || !dh->tree) {
		struct tree *t = database_tree(db);
		const struct node *n = tree_lookup(t, rest);
		if (!n) {
			tree_unref(t);
			return -ENOENT;
		}
		if (!n->is_dir) {
			tree_unref(t);
			return -ENOTDIR;
		}
		tree_unref(dh->tree);
		dh->tree = t;
		dh->node = n;
	}
	const struct node *dir = dh->node;
	bool plus = flags & FUSE_READDIR_PLUS;
	if (plus && off > 0) {
		/* The kernel drops attributes that a reply brings when an
		 * invalidation came after the request was sent (attr_version),
		 * not when it came before: a later chunk of a listing whose
		 * tree is no longer the current one gives names only. */
		struct tree *now = database_tree(db);
		plus = now == dh->tree;
		tree_unref(now);
	}
	/* Whether every name of this listing went with its attributes: with
	 * readdirplus_auto (libfuse's default) the kernel asks for them in
	 * the first chunk only, unless a name was looked up meanwhile. */
	if (off == 0)
		dh->all_plus = plus;
	bool in_migrations = !strcmp(rest, "/migrations");
	bool more = false;	/* the buffer is full before the listing's end */
	struct stat st;
	for (size_t i = (size_t)off; i < dir->nkids + 2; i++) {
		if (i < 2) {
			if ((more = fill(buf, i ? ".." : ".", NULL, (off_t)i + 1, 0)))
				break;
			continue;
		}
		if (!plus)
			dh->all_plus = false;
		const struct node *kid = sfs_kid(dir, i - 2);
		/* A whole-schema file not rendered yet has no size to give:
		 * its name alone, so that a listing or a walk does not render
		 * it (the kernel looks it up, getattr renders, when asked).
		 * A table's directory not rendered yet has its attributes
		 * (tree.h: Lazy table directories). */
		bool kid_plus = plus && !tree_file_pending(kid);
		if (kid_plus)
			sfs_fill_stat(db, kid, &st, in_migrations && sfs_is_private_name(kid->name));
		if ((more = fill(buf, kid->name, kid_plus ? &st : NULL, (off_t)i + 1,
				 kid_plus ? FUSE_FILL_DIR_PLUS : 0)))
			break;
	}
	/* A whole listing sent with attributes renewed every name the kernel
	 * caches from it (listing_fresh). The node is shared and otherwise
	 * read only: the stamp is a relaxed atomic hint. */
	if (!more && dh->all_plus)
		__atomic_store_n(&((struct node *)dir)->listed, monotonic_seconds(), __ATOMIC_RELAXED);
	return 0;
}

/* A directory's handle: its listing's tree is pinned by the first readdir
 * (not here: a listing read after a refresh must come from the new tree,
 * whose invalidation the kernel may already have taken). libfuse keeps a
 * handle of its own too (fuse_lsan.h). */
int sfs_opendir(const char *path, struct fuse_file_info *fi)
{
	/* A listing the kernel kept reaches no readdir: its open still marks
	 * the database in use and asks for a refresh once the TTL is past,
	 * as reading it did (database_tree). */
	const char *rest = "";
	struct database *db = path ? sfs_db(sfs_ctx(), path, &rest) : NULL;
	bool keep = false;
	if (db) {
		struct tree *t = database_tree(db);
		const struct node *n = tree_find(t, rest);
		keep = n && n->is_dir && listing_fresh(n);
		tree_unref(t);
	}
	fuse_lsan_opendir(fuse_get_context()->fuse);
	struct open_file *dh = calloc(1, sizeof *dh);
	if (!dh)
		return -ENOMEM;
	sfs_track(dh);
	fi->fh = (uint64_t)(uintptr_t)dh;
	/* The listing may stay in the kernel's cache while it is fresh
	 * (listing_fresh), or until the directory is invalidated. libfuse
	 * before 3.16 drops these two: fuse_io.c sets them on the wire. */
	fi->cache_readdir = 1;
	fi->keep_cache = keep;
	fuse_io_keep_listing(keep);
	return 0;
}

int sfs_releasedir(const char *path, struct fuse_file_info *fi)
{
	struct open_file *dh = (struct open_file *)(uintptr_t)fi->fh;
	(void)path;
	sfs_untrack(dh);
	sfs_free_open(dh);
	return 0;
}
