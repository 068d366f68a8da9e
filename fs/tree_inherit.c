/*
 * tree_inherit.c: tree_inherit() (tree.h): a new tree takes the mtimes of
 * the old tree's files and directories whose content is the same, and
 * every path whose content changed, was added or was removed is reported
 * (the refresher tells the kernel to drop what it cached for it).
 */
#include "tree.h"

#include <string.h>

#include "mtimes.h"
#include "strbuf.h"
#include "tree_lazy.h"

static void report(void (*changed)(void *, const char *), void *ctx, const struct strbuf *path)
{
	if (changed)
		changed(ctx, sb_str(path));
}

struct carried_paths {
	void (*changed)(void *, const char *);
	void *ctx;
	struct strbuf *path;	/* the directory's; restored after each */
};

static void report_one(void *arg, const char *rel)
{
	struct carried_paths *cp = arg;
	size_t keep = cp->path->len;
	sb_addf(cp->path, "/%s", rel);
	report(cp->changed, cp->ctx, cp->path);
	cp->path->len = keep;
	cp->path->buf[keep] = '\0';
}

/* tree_dir_carried()'s FN: every path the records name. */
static void report_carried(void *arg, const char *blob, size_t len)
{
	mtimes_each_path(blob, len, report_one, arg);
}

static void report_all(void (*changed)(void *, const char *), void *ctx, struct strbuf *path,
		       const struct node *o)
{
	report(changed, ctx, path);
	/* A table's directory not rendered in this tree: the kernel may hold
	 * what it cached below it while an earlier one was (one let go by
	 * tree_evict, whose records it carries): each of those paths is
	 * reported too. One never rendered on this mount carries none or
	 * the last mount's, which cost an invalidation each. */
	if (tree_dir_pending(o)) {
		struct carried_paths cp = { changed, ctx, path };
		tree_dir_carried(o, report_carried, &cp);
		return;
	}
	for (size_t i = 0; i < o->nkids; i++) {
		size_t keep = path->len;
		sb_addf(path, "%s%s", keep ? "/" : "", o->kids[i]->name);
		report_all(changed, ctx, path, o->kids[i]);
		path->len = keep;
		path->buf[keep] = '\0';
	}
}

struct inheritance {
	struct tree *nt;
	const struct tree *ot;
	void (*changed)(void *, const char *);
	void *ctx;
};

/* Lazy N (unrendered) after lazy O: the same catalog renders the same
 * content; another may, which is known only when N is rendered: the path
 * is reported (the kernel drops what it cached) and N carries O's record
 * (tree_lazy_inherit). */
static bool inherit_lazy(struct inheritance *x, struct node *n, const struct node *o, struct strbuf *path)
{
	bool same = x->nt->cat == x->ot->cat && n->lazy->schema == o->lazy->schema && n->lazy->erd == o->lazy->erd;
	tree_lazy_inherit(n->lazy, o, x->ot, same);
	if (!same)
		report(x->changed, x->ctx, path);
	return same;
}

/* Returns true when N has the same content (or listing) as O. */
static bool inherit(struct inheritance *x, struct node *n, const struct node *o, struct strbuf *path)
{
	void (*changed)(void *, const char *) = x->changed;
	void *ctx = x->ctx;
	if (n == o)	/* a shared table directory: the same files, mtimes and all */
		return true;
	/* The same table's directory made again (let go by tree_evict):
	 * the same content, neither rendered to be compared, nothing to
	 * report. What the kernel cached below it stays valid (and, with
	 * libfuse's nodes for it, goes when the kernel lets go of it:
	 * fuse_invalidate_path could not drop the names below anyway). */
	if (tree_dir_inherit(n, o))
		return true;
	if (n->is_dir != o->is_dir) {
		report_all(changed, ctx, path, o);
		return false;
	}
	if (!n->is_dir && n->lazy && o->lazy && !__atomic_load_n(&n->lazy->done, __ATOMIC_ACQUIRE))
		return inherit_lazy(x, n, o, path);
	if (!n->is_dir) {
		/* Not both lazy (an extra file of the same name): compared
		 * rendered, as any file. */
		bool same = tree_file(x->nt, n) && tree_file(x->ot, o) && n->size == o->size &&
			    !memcmp(n->data, o->data, n->size);
		if (same)
			n->mtime = o->mtime;
		else
			report(changed, ctx, path);
		return same;
	}
	/* Table directories of different keys (a changed table): both are
	 * rendered to be compared, the old one with the records it carries,
	 * so that its unchanged files keep their mtimes. Only changed tables
	 * get here: an unchanged one is the same node. */
	tree_dir(x->nt, n);
	tree_dir(x->ot, o);
	bool same = n->nkids == o->nkids;
	size_t i = 0, j = 0;
	while (i < n->nkids || j < o->nkids) {
		int c = i == n->nkids ? 1 : j == o->nkids ? -1 : strcmp(n->kids[i]->name, o->kids[j]->name);
		size_t keep = path->len;
		if (c <= 0)
			sb_addf(path, "%s%s", keep ? "/" : "", n->kids[i]->name);
		else
			sb_addf(path, "%s%s", keep ? "/" : "", o->kids[j]->name);
		if (c == 0) {
			inherit(x, n->kids[i++], o->kids[j++], path);
		} else if (c < 0) {
			same = false;	/* added: the kernel has nothing cached for it */
			i++;
		} else {
			same = false;
			report_all(changed, ctx, path, o->kids[j++]);
		}
		path->len = keep;
		path->buf[keep] = '\0';
	}
	if (same) {
		n->mtime = o->mtime;
		/* The same listing: what the kernel keeps of it stays as
		 * fresh (fsops_dir.c). O is published: readdir may stamp it. */
		n->listed = __atomic_load_n(&o->listed, __ATOMIC_RELAXED);
	} else {
		report(changed, ctx, path);
	}
	return same;
}

void tree_inherit(struct tree *new_tree, const struct tree *old_tree,
		  void (*changed)(void *ctx, const char *path), void *ctx)
{
	struct strbuf path = STRBUF_INIT;
	struct inheritance x = { new_tree, old_tree, changed, ctx };
	sb_reset(&path);
	sb_add(&path, "");
	inherit(&x, new_tree->root, old_tree->root, &path);
	strbuf_free(&path);
}
