/* tree_sub.c: table directories shared between trees, rendered on first
 * look and let go of over max_memory; see include/tree.h (Ownership, Lazy
 * table directories) and tree_sub.h. */
#include "tree_sub.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "log.h"
#include "mtimes.h"
#include "names.h"

/* Renders every subtree. One lock, not one per table: a table renders in
 * tens of microseconds, and a subtree stays small. Lock order: a
 * database's model_lock, a tree's lazy_lock, then this; a render takes
 * nothing else. */
static pthread_mutex_t sub_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long renders;	/* atomic: tree_renders() */
static size_t rendered_bytes;	/* atomic: what every rendered subtree of the
				 * process holds, those let go left out
				 * (tree_evict's shares) */

/* What a table's directory lists, whatever is in the table (a foreign
 * table's has no indexes/ nor policies/), sorted: its root's nsubdirs and
 * listing hash are known before it is rendered, so that its attributes
 * are (render_sub() checks that render_table_dir() agrees). */
static const struct {
	const char *name;
	bool is_dir, not_foreign;
} table_dir_entries[] = {
	{ "columns", true, false },	{ "comment", false, false }, { "constraints", true, false },
	{ "indexes", true, true },	{ "policies", true, true },  { "table.sql", false, false },
	{ "triggers", true, false },
};

static void table_dir_listing(bool foreign, size_t *nsubdirs, unsigned long long *hash)
{
	*nsubdirs = 0;
	*hash = listing_hash_seed();
	for (size_t i = 0; i < sizeof table_dir_entries / sizeof *table_dir_entries; i++) {
		if (foreign && table_dir_entries[i].not_foreign)
			continue;
		*nsubdirs += table_dir_entries[i].is_dir;
		*hash = listing_hash_add(*hash, table_dir_entries[i].name);
	}
}

struct subtree *tree_sub_new(const char *name, size_t len, unsigned long long key, bool foreign,
			     struct timespec now)
{
	struct subtree *st = calloc(1, sizeof *st + len + 1);
	if (!st)
		abort();
	memcpy(st + 1, name, len);
	st->root.name = (char *)(st + 1);
	st->root.is_dir = true;
	st->root.shared = true;
	st->root.sub = st;
	st->root.mtime = now;
	table_dir_listing(foreign, &st->root.nsubdirs, &st->root.hash);
	st->key = key;
	st->fresh = now;
	st->refs = 1;
	return st;
}

void tree_sub_ref(struct subtree *st)
{
	__atomic_add_fetch(&st->refs, 1, __ATOMIC_RELAXED);
}

const struct tree_sub *tree_sub_find(const struct tree *t, unsigned long long key)
{
	size_t lo = 0, hi = t ? t->nsubs : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		unsigned long long k = t->subs[mid].st->key;
		if (k == key)
			return &t->subs[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void tree_sub_unref(struct subtree *st)
{
	if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (st->arena && !st->evict)	/* one let go is out of the count already */
		__atomic_sub_fetch(&rendered_bytes, st->bytes, __ATOMIC_RELAXED);
	arena_free(st->arena);
	free(st->carry);
	free(st);
}

/* Renders ST, reached through T, whose catalog has its relation; sub_lock
 * held. The root's fields are written before the release store of done,
 * which tree_dir() and tree_dir_pending() read with acquire. */
static void render_sub(const struct tree *t, struct subtree *st)
{
	const struct tree_sub *ts = tree_sub_find(t, st->key);
	if (!ts)	/* not T's: a bug; an empty directory beats a crash */
		log_warn("tree: table directory %s not found in its tree", st->root.name);
	struct table_render out;
	tree_render_table(t->cat, ts ? ts->rel : NULL, st->fresh, &out);
	/* The root's nsubdirs, hash and mtime were set when it was made
	 * (readers may be reading them): a listing other than the one
	 * table_dir_listing() gave is a bug, which only costs an mtime. */
	unsigned long long h = listing_hash_seed();
	for (size_t i = 0; i < out.nkids; i++)
		h = listing_hash_add(h, out.kids[i]->name);
	if (ts && (h != st->root.hash || out.nsubdirs != st->root.nsubdirs))
		log_warn("tree: table directory %s lists other entries than table_dir_entries", st->root.name);
	st->root.kids = out.kids;
	st->root.nkids = out.nkids;
	st->arena = out.arena;
	st->bytes = out.bytes;
	if (st->carry) {
		mtimes_apply_carried(&st->root, st->carry, st->ncarry);
		free(st->carry);
		st->carry = NULL;
		st->ncarry = 0;
	}
	/* Counted before done is published: a tree_evict() that sees this
	 * one rendered has its bytes in the total too. */
	__atomic_add_fetch(&rendered_bytes, st->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&st->done, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&renders, 1, __ATOMIC_RELAXED);
}

unsigned long tree_renders(void)
{
	return __atomic_load_n(&renders, __ATOMIC_RELAXED);
}

static struct subtree *pending_sub(const struct node *n)
{
	if (!n || !n->is_dir || !n->shared || __atomic_load_n(&n->sub->done, __ATOMIC_ACQUIRE))
		return NULL;
	return n->sub;
}

/* Marks a table's directory N as looked into now, for tree_evict(). A
 * coarse clock, and a store only when the second changed: a walk's
 * lookups do not all write the same line. */
static void touch(const struct node *n)
{
	if (!n || !n->is_dir || !n->shared)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if (__atomic_load_n(&n->sub->used, __ATOMIC_RELAXED) != (long)ts.tv_sec)
		__atomic_store_n(&n->sub->used, (long)ts.tv_sec, __ATOMIC_RELAXED);
}

const struct node *tree_dir(const struct tree *t, const struct node *n)
{
	touch(n);
	struct subtree *st = pending_sub(n);
	if (!st)
		return n;
	pthread_mutex_lock(&sub_lock);
	if (!__atomic_load_n(&st->done, __ATOMIC_ACQUIRE))
		render_sub(t, st);
	pthread_mutex_unlock(&sub_lock);
	return n;
}

bool tree_dir_pending(const struct node *n)
{
	return pending_sub(n) != NULL;
}

void tree_dir_carry(struct node *n, char *blob, size_t len)
{
	struct subtree *st = pending_sub(n);
	if (!st) {
		free(blob);
		return;
	}
	free(st->carry);
	st->carry = blob;
	st->ncarry = len;
}

bool tree_dir_carried(const struct node *n, void (*fn)(void *ctx, const char *blob, size_t len), void *ctx)
{
	struct subtree *st = pending_sub(n);
	if (!st)
		return false;
	pthread_mutex_lock(&sub_lock);
	bool pending = !__atomic_load_n(&st->done, __ATOMIC_ACQUIRE);
	if (pending && st->carry)
		fn(ctx, st->carry, st->ncarry);
	pthread_mutex_unlock(&sub_lock);
	return pending;
}

struct evictable {
	long used;
	struct subtree *st;
};

static int cmp_evictable(const void *a, const void *b)
{
	long x = ((const struct evictable *)a)->used, y = ((const struct evictable *)b)->used;
	return x < y ? -1 : x > y;
}

size_t tree_evict(const struct tree *t, size_t want, size_t least, size_t *bytes)
{
	*bytes = 0;
	struct evictable *v = malloc((t->nsubs ? t->nsubs : 1) * sizeof *v);
	if (!v)
		return 0;
	size_t n = 0, k = 0;
	for (size_t i = 0; i < t->nsubs; i++) {
		struct subtree *st = t->subs[i].st;
		if (__atomic_load_n(&st->done, __ATOMIC_ACQUIRE) && !st->evict)
			v[n++] = (struct evictable){ __atomic_load_n(&st->used, __ATOMIC_RELAXED), st };
	}
	qsort(v, n, sizeof *v, cmp_evictable);
	size_t total = 0, mine = 0;
	for (size_t i = 0; i < n; i++)
		mine += v[i].st->bytes;
	/* This tree's share of WANT: each database's refresher lets go of
	 * its own, and the excess is the process's. */
	size_t all = __atomic_load_n(&rendered_bytes, __ATOMIC_RELAXED);
	if (want && mine < all)
		want = (size_t)((double)want * (double)mine / (double)all) + 1;
	for (size_t i = 0; i < n && total < least; i++)
		total += v[i].st->bytes;
	for (; total >= least && k < n && *bytes < want; k++) {
		v[k].st->evict = true;
		*bytes += v[k].st->bytes;
		/* Out of the shares at once: an old tree a reader still holds
		 * keeps it a while, but no database counts it any more. */
		__atomic_sub_fetch(&rendered_bytes, v[k].st->bytes, __ATOMIC_RELAXED);
	}
	free(v);
	return k;
}

bool tree_dir_inherit(struct node *n, const struct node *o)
{
	if (!n->is_dir || !o->is_dir || !n->shared || !o->shared || n->sub->key != o->sub->key ||
	    !tree_dir_pending(n))
		return false;
	struct subtree *ns = n->sub, *os = o->sub;
	n->mtime = o->mtime;
	ns->fresh = os->fresh;
	char *blob = NULL;
	size_t len = 0;
	pthread_mutex_lock(&sub_lock);
	if (__atomic_load_n(&os->done, __ATOMIC_ACQUIRE)) {
		/* Rendered: its nodes are read only from now on. */
		pthread_mutex_unlock(&sub_lock);
		blob = mtimes_records_below(&os->root, &len);
	} else {
		if (os->carry && (blob = malloc(os->ncarry)))
			memcpy(blob, os->carry, len = os->ncarry);
		pthread_mutex_unlock(&sub_lock);
	}
	free(ns->carry);
	ns->carry = blob;
	ns->ncarry = blob ? len : 0;
	return true;
}
