/* tree_lazy.c: whole-schema files rendered on first use; see tree.h
 * (Lazy files) and tree_lazy.h. */
#include "tree_lazy.h"

#include <pthread.h>
#include <stdlib.h>

#include "arena.h"
#include "names.h"
#include "render.h"
#include "strbuf.h"

struct lazy *tree_lazy_new(struct arena *a, const struct cat_schema *s, bool erd, struct timespec now)
{
	struct lazy *z = arena_alloc(a, sizeof *z);
	z->schema = s;
	z->erd = erd;
	z->fresh = now;
	return z;
}

void tree_lazy_inherit(struct lazy *z, const struct node *o, const struct tree *ot, bool same)
{
	const struct lazy *oz = o->lazy;
	/* Under O's tree's lock: a reader rendering O right now is waited
	 * for, and its mtime carried, not lost. (One that renders O after
	 * this is not seen: README "Whole-schema files".) Lock order:
	 * model_lock, then a tree's lazy_lock; a render takes neither. */
	pthread_mutex_t *lock = (pthread_mutex_t *)&ot->lazy_lock;
	pthread_mutex_lock(lock);
	bool rendered = __atomic_load_n(&oz->done, __ATOMIC_ACQUIRE);
	pthread_mutex_unlock(lock);
	if (rendered) {
		z->carried = true;
		z->carry_hash = o->hash;
		z->carry_mtime = o->mtime;
	} else {
		z->carried = oz->carried;
		z->carry_hash = oz->carry_hash;
		z->carry_mtime = oz->carry_mtime;
		if (same)	/* what O's rendering would have taken */
			z->fresh = oz->fresh;
	}
}

void tree_lazy_free(struct tree *t)
{
	for (size_t i = 0; i < t->nlazies; i++)
		free(t->lazies[i]->buf);
	pthread_mutex_destroy(&t->lazy_lock);
}

/* Renders lazy N of T; T's lazy_lock held. The node's fields are written
 * before the release store of done: tree_file()'s acquire load sees them.
 * False, with N unchanged, when a schema.sql cannot be ordered: its
 * catalog's dependency map could not be read (catalog_deps_wait()). */
static bool render_lazy(const struct tree *t, struct node *n, struct lazy *z)
{
	struct strbuf sb = STRBUF_INIT;
	if (z->erd)
		render_erd(&sb, z->schema);
	else if (!render_schema_sql(&sb, t->cat, z->schema))
		return false;
	size_t len;
	z->buf = strbuf_detach(&sb, &len);
	n->data = z->buf;
	n->size = len;
	n->hash = name_hash(n->data, n->size);
	n->mtime = z->carried && z->carry_hash == n->hash ? z->carry_mtime : z->fresh;
	__atomic_store_n(&z->done, 1, __ATOMIC_RELEASE);
	return true;
}

const struct node *tree_file(const struct tree *t, const struct node *n)
{
	struct lazy *z = n && !n->is_dir ? n->lazy : NULL;
	if (!z || __atomic_load_n(&z->done, __ATOMIC_ACQUIRE))
		return n;
	/* A schema.sql waits for its catalog's dependency map (a mount's
	 * first read puts it in later) before it takes the lock, which the
	 * tree's other lazy files and every publish (tree_lazy_inherit())
	 * take too. */
	if (!z->erd && !catalog_deps_wait(t->cat))
		return NULL;
	/* The tree is shared read-only; its lock and its lazy records are
	 * what a first reader writes. */
	pthread_mutex_t *lock = (pthread_mutex_t *)&t->lazy_lock;
	pthread_mutex_lock(lock);
	bool ok = __atomic_load_n(&z->done, __ATOMIC_ACQUIRE) || render_lazy(t, (struct node *)n, z);
	pthread_mutex_unlock(lock);
	return ok ? n : NULL;
}

bool tree_file_pending(const struct node *n)
{
	return !n->is_dir && n->lazy && !__atomic_load_n(&n->lazy->done, __ATOMIC_ACQUIRE);
}

bool tree_file_record(const struct node *n, unsigned long long *hash, struct timespec *mtime)
{
	const struct lazy *z = n->is_dir ? NULL : n->lazy;
	if (!z || __atomic_load_n(&z->done, __ATOMIC_ACQUIRE)) {
		*hash = n->hash;
		*mtime = n->mtime;
		return true;
	}
	if (!z->carried)
		return false;
	*hash = z->carry_hash;
	*mtime = z->carry_mtime;
	return true;
}

void tree_file_carry(struct node *n, unsigned long long hash, struct timespec mtime)
{
	struct lazy *z = n->is_dir ? NULL : n->lazy;
	if (!z)
		return;
	z->carried = true;
	z->carry_hash = hash;
	z->carry_mtime = mtime;
}
