/*
 * tree: the rendered file tree of one database, built from a catalog.
 *
 * A tree is immutable once built and shared by reference count: readers take
 * a reference (tree_ref) for as long as they use a node, so a refresh can
 * swap in a new tree while old readers finish on the old one. Knows nothing
 * of FUSE.
 *
 * Ownership. Each table's (and foreign table's) directory is a subtree with
 * an arena and a reference count of its own; everything else (the other
 * directories and files, the listing of tables/) is in the tree's arena.
 * A tree holds one reference on each of its subtrees (tree->subs). A tree
 * built from a previous one (tree_build_from) takes another reference on
 * the previous tree's subtree of every table whose inputs are unchanged
 * (tree_key.h: same key), instead of rendering it again: the two trees
 * then point at the same nodes. tree_unref() of a tree's last reference
 * drops its subtrees' references and frees its arena; a subtree's arena is
 * freed with its last reference. No tree references another tree, so
 * there is no chain: an unchanged table is rendered once, however many
 * refreshes follow, and at a refresh's peak only the changed tables exist
 * twice. Reference counts are atomic (trees are released by FUSE threads).
 *
 * Nodes are written only while their tree or subtree is built, and by
 * tree_inherit()/mtimes_apply() on the new tree before it is published
 * (under the database's model_lock); tree_inherit() never writes a node
 * shared with the old tree (it is the same node: same content and mtime),
 * and mtimes_apply() runs on a first tree, which shares nothing.
 *
 * Lazy files. The whole-schema files (the database's schema.sql, each
 * schema's schema.sql and erd.md) are rendered the first time something
 * needs them, not at every build: the node is there (name, listing) from
 * the start, but its data, size, hash and mtime are valid only once
 * tree_file() returned it. Every reader of a file's content, size or mtime
 * goes through tree_file() (or tree_file_record() for mtimes.c, which must
 * not render). A lazy node is never in a shared table directory. Rendering
 * is done under the tree's lazy_lock, once; its completion is published by
 * a release store that tree_file() reads with acquire, so readers without
 * the lock see the whole node or render it themselves. The rendered bytes
 * are malloc'd (not in the arena, which readers use meanwhile) and freed
 * with the tree; the tree holds a reference on the catalog it renders from
 * (catalog_ref()), which a refresh may meanwhile have replaced.
 *
 * Their mtime keeps the rules of the others (the time the content was
 * first seen): a lazy node carries the last known (hash, mtime) of its
 * path, from tree_inherit() (the old node's, or what the old one carried)
 * or mtimes_apply() (the record kept on disk); rendered with that hash it
 * takes that mtime, else the time its tree was built (or, when the old
 * tree was built from the very same catalog, the old node's own).
 *
 * Lazy table directories. A table's directory (its subtree) is rendered
 * the first time tree_lookup() reaches it or anything inside it, or
 * tree_dir() is asked for it; until then it is a node with its name and no
 * kids (tree_dir_pending), which readdir lists by name alone. Rendering
 * reads the relation of the same key in the catalog of the tree it is
 * reached through: any tree that holds the subtree renders the same bytes
 * (tree_key.h). It is done once, under a lock of its own (tree_sub.c:
 * sub_lock), into the subtree's arena; the root's kids are published by a
 * release store that tree_dir_pending() and tree_dir() read with acquire,
 * so a reader reads a subtree root's kids only after one of those said it
 * is rendered. Its attributes are known before: every table's directory
 * lists the same entries (tree_sub.c: table_dir_entries), so the root's
 * nsubdirs, mtime and hash (for a shared root, its listing's, as mtimes.c
 * hashes a directory) are set when it is made, and only tree_inherit()
 * (before the tree is published) changes its mtime. Its mtimes follow the rules of the
 * others: the build's time (of the tree that made the subtree), or the
 * record kept on disk for the same path and content, which mtimes_apply()
 * hands a first tree's unrendered subtrees (tree_dir_carry) and
 * mtimes_format() writes back for those still unrendered. A subtree never
 * rendered, and carrying no record, has no record written: its files were
 * never seen, so their first-seen time is when they are.
 *
 * Paths are relative to the database directory: "" is that directory,
 * "schemas/public/tables/booking/table.sql" a file in it.
 */
#ifndef SCHEMAFS_TREE_H
#define SCHEMAFS_TREE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

struct catalog;
struct arena;
struct subtree;
struct tree_sub;
struct lazy;

struct node {
	const char *name;		/* file name, escaped (see names.h) */
	struct node **kids;		/* directories: sorted by name (strcmp) */
	size_t nkids;
	size_t nsubdirs;		/* directories among kids (st_nlink - 2) */
	union {
		struct lazy *lazy;	/* files: a lazy file (see above), else NULL */
		struct subtree *sub;	/* directories: a table's (shared), else NULL */
	};
	const char *data;		/* files: the content (lazy: see tree_file) */
	size_t size;
	unsigned long long hash;	/* files: name_hash() of the content, set with
					 * it (mtimes.c keys its records by it: a
					 * shared table directory is not hashed again
					 * at every save); a table's directory (shared):
					 * its listing's (Lazy table directories) */
	bool is_dir;
	bool in_order;			/* while building: list kids as added */
	bool shared;			/* the root of a table's subtree: may be
					 * in other trees too (read only) */
	uint32_t listed;		/* directories: when a listing with
					 * attributes was last sent to the kernel
					 * (CLOCK_MONOTONIC seconds, 0: never; a hint
					 * written and read with relaxed atomics in a
					 * published tree, fsops_dir.c) */
	struct node **listing;		/* directories listed otherwise than by name
					 * (applied/: in the order applied); NULL: kids */
	struct timespec mtime;		/* when this content was first seen */
};

struct tree {
	struct arena *arena;
	struct node *root;
	size_t nnodes;			/* rendered when built: lazy tables left out */
	size_t bytes;			/* sum of file sizes, lazy files and tables
					 * left out */
	int refs;			/* atomic */
	struct tree_sub *subs;		/* its table directories, by key; one
					 * reference each, with the relation of this
					 * tree's catalog they render from */
	size_t nsubs;
	struct catalog *cat;		/* what the lazy files render: one reference */
	struct lazy **lazies;		/* in the arena; their buffers malloc'd */
	size_t nlazies;
	pthread_mutex_t lazy_lock;	/* renders a lazy file (once) */
};

/* A file the tree shows that is not in the catalog (a generated
 * migration, a draft, ...). PATH's components are file names (escaped). */
struct tree_file {
	const char *path;
	const char *data;
	size_t len;
};

/* Extra text the tree shows that is not in the catalog. */
struct tree_extras {
	const char *status;		/* migrations/status */
	const struct tree_file *files;	/* added where their directory exists */
	size_t nfiles;
	bool live;			/* a live view: no migrations/pending/ nor
					 * apply/ (nothing is staged or applied there) */
	const char *check;		/* migrations/check (history.h); NULL: empty */
};

/* Renders every file of CAT. All mtimes are NOW until tree_inherit(). The
 * caller owns the one reference returned. */
struct tree *tree_build(const struct catalog *cat, const struct tree_extras *extras,
			struct timespec now);
/* The same, reusing PREV's directory of every table whose inputs are
 * unchanged (see Ownership above; PREV may be NULL). PREV must stay alive
 * while this runs; the result does not need it afterwards. A reused
 * directory keeps PREV's mtimes, which tree_inherit(new, PREV) leaves. */
struct tree *tree_build_from(const struct catalog *cat, const struct tree_extras *extras,
			     struct timespec now, const struct tree *prev);

/*
 * Keeps OLD's mtime on every node of NEW whose content (files) or listing
 * (directories) is unchanged, so mtimes change only with content. Calls
 * CHANGED (if not NULL) with the path of every node that was added, changed
 * or removed, for the caller to drop kernel caches.
 */
void tree_inherit(struct tree *new_tree, const struct tree *old_tree,
		  void (*changed)(void *ctx, const char *path), void *ctx);

/* The node at PATH, or NULL. Valid while the caller holds a reference. A
 * file's content, size and mtime are read through tree_file(). A table's
 * directory on the way, or at PATH, is rendered (tree_dir). */
const struct node *tree_lookup(const struct tree *t, const char *path);

/* The same, but a table's directory at PATH is not rendered: for its
 * attributes alone (nsubdirs, mtime and, in mtimes.c, its listing's hash
 * are known before it is rendered). */
const struct node *tree_find(const struct tree *t, const char *path);

/* N (a node of T, or NULL) with its kids, nsubdirs and mtime valid: a
 * table's directory is rendered on the first call (Lazy table
 * directories; the others wait for it). Any thread; no lock held but, in
 * the refresher, model_lock (taken before the render's own). */
const struct node *tree_dir(const struct tree *t, const struct node *n);

/* Whether N is a table's directory not rendered yet (its kids, nsubdirs
 * and mtime not to be read). */
bool tree_dir_pending(const struct node *n);

/* Unrendered table directory N of a first tree not yet published
 * (mtimes_apply): takes over BLOB (malloc'd, LEN bytes), the records kept
 * for the paths in it, as mtimes.h writes them but with paths relative to
 * N ("" is N). Its render applies them (mtimes_apply_carried). */
void tree_dir_carry(struct node *n, char *blob, size_t len);

/* While N is unrendered, calls FN with the records it carries, if any,
 * under the render's lock (a render then waits), and returns true; false
 * once N is rendered (read its kids instead). */
bool tree_dir_carried(const struct node *n, void (*fn)(void *ctx, const char *blob, size_t len), void *ctx);

/* N (a node of T, or NULL) with its content, size, hash and mtime valid:
 * a lazy file is rendered on the first call (under T's lazy_lock; the others
 * wait for it). Any thread, no lock held; the node stays T's. NULL when N
 * is a schema.sql that cannot be rendered: the first read's dependency map
 * it is ordered by could not be read (render_schema_sql(); a later tree
 * has it). */
const struct node *tree_file(const struct tree *t, const struct node *n);

/* Whether file N is rendered or still lazy. */
bool tree_file_pending(const struct node *n);

/* The (hash, mtime) record of file N without rendering it: its own once
 * rendered, else the one it carries. False: an unrendered file that
 * carries none (nothing to keep). Any thread. */
bool tree_file_record(const struct node *n, unsigned long long *hash, struct timespec *mtime);

/* Lazy file N of a tree not yet published: the record kept for its path
 * (mtimes_apply), which its rendering takes when the hash is the same. */
void tree_file_carry(struct node *n, unsigned long long hash, struct timespec mtime);

/* Chooses the rendered table directories of T least recently looked into
 * until their memory reaches T's share of WANT bytes (WANT is the
 * process's: T's share is what T's rendered directories hold of what every
 * rendered directory of the process holds) (*BYTES: what they hold), or
 * none when all of them hold less than LEAST (not worth a publish), to be
 * let go: the next tree built from T (tree_build_from) gets each of them
 * unrendered, and tree_inherit() hands it the old one's mtimes, so that
 * it renders again, when looked into, with the same content and mtimes.
 * Returns how many. The database's model_lock held (as for a build). */
size_t tree_evict(const struct tree *t, size_t want, size_t least, size_t *bytes);

/* For tree_inherit(): N, an unrendered table directory of a tree not yet
 * published, and O, the old tree's of the same key (the same content: one
 * tree_evict() let go, or a tree built without PREV): N takes O's mtime
 * and the records of the paths in O (rendered or carried), without
 * rendering either. False (nothing done) when they are not such a pair. */
bool tree_dir_inherit(struct node *n, const struct node *o);

/* How many table directories this process has rendered so far (atomic):
 * their records are new, for whoever keeps mtimes (database_refresh.c). */
unsigned long tree_renders(void);

struct tree *tree_ref(struct tree *t);
void tree_unref(struct tree *t);

#endif
