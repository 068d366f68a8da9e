/* tree.c: catalog -> rendered file tree; see include/tree.h. The
 * builder's nodes and a table's directory are here; every other kind's
 * directory is built by tree_kinds.c. What a new tree takes over from the
 * old one (mtimes, invalidations) is in tree_inherit.c. */
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "catalog.h"
#include "log.h"
#include "mtimes.h"
#include "names.h"
#include "render.h"
#include "strbuf.h"
#include "tree_build.h"
#include "tree_key.h"
#include "tree_lazy.h"
#include "tree_sub.h"

static void add_kid(struct node *dir, struct node *n);

struct node *tb_node(struct builder *b, struct node *dir, bool is_dir)
{
	struct node *n = arena_alloc(b->arena, sizeof *n);
	n->name = arena_memdup(b->arena, b->name.buf ? b->name.buf : "", b->name.len);
	n->is_dir = is_dir;
	n->mtime = b->now;
	if (dir)
		add_kid(dir, n);
	b->t->nnodes++;
	return n;
}

/* A directory named RAW (escaped here) + SUFFIX. */
struct node *tb_mkdir(struct builder *b, struct node *dir, const char *raw)
{
	sb_reset(&b->name);
	name_escape(&b->name, raw, "");
	return tb_node(b, dir, true);
}

/* A file from what was rendered into b->body, which is then reset. */
void tb_file(struct builder *b, struct node *dir, const char *raw, const char *suffix)
{
	sb_reset(&b->name);
	name_escape(&b->name, raw, suffix);
	struct node *n = tb_node(b, dir, false);
	n->size = b->body.len;
	n->data = arena_memdup(b->arena, b->body.buf ? b->body.buf : "", b->body.len);
	n->hash = name_hash(n->data, n->size);
	b->t->bytes += n->size;
	sb_reset(&b->body);
}

/* Grows a vector of pointers V holding N by one slot (powers of two). */
static void *grow(void *v, size_t n, size_t size)
{
	if (n & (n - 1))
		return v;
	void *w = realloc(v, (n ? 2 * n : 4) * size);
	if (!w)
		abort();
	return w;
}

/* A lazy file NAME (a literal: no escaping needed) in DIR, rendered by
 * tree_file(). */
void tb_lazy(struct builder *b, struct node *dir, const char *name, const struct cat_schema *s, bool erd)
{
	sb_reset(&b->name);
	sb_add(&b->name, name);
	struct node *n = tb_node(b, dir, false);
	struct lazy *z = tree_lazy_new(b->arena, s, erd, b->now);
	n->lazy = z;
	b->lazies = grow(b->lazies, b->nlazies, sizeof *b->lazies);
	b->lazies[b->nlazies++] = z;
}

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;
	int c = strcmp(x->name, y->name);
	if (c || x->is_dir != y->is_dir)
		return c ? c : x->is_dir - y->is_dir;
	if (!x->is_dir && (x->lazy || y->lazy))	/* no content yet: it wins */
		return (y->lazy != NULL) - (x->lazy != NULL);
	/* Same name twice (two objects escaping alike): order by content so
	 * the one kept is always the same. */
	return x->is_dir ? 0 : strcmp(x->data, y->data);
}

static const struct node *find_kid(const struct node *dir, const char *name, size_t len);

/* A directory listed in the order its kids were added: those kept (one
 * of each name) in that order. */
static void keep_listing(struct builder *b, struct node *dir, struct node **added, size_t n)
{
	dir->listing = arena_alloc(b->arena, dir->nkids * sizeof *dir->listing);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (find_kid(dir, added[i]->name, strlen(added[i]->name)) == added[i])
			dir->listing[k++] = added[i];
}

static void finish(struct builder *b, struct node *dir)
{
	struct node **tmp = dir->kids, **added = NULL;
	size_t n = dir->nkids;
	if (!n) {
		dir->kids = NULL;
		return;
	}
	if (dir->in_order) {
		if (!(added = malloc(n * sizeof *added)))
			abort();
		memcpy(added, tmp, n * sizeof *tmp);
	}
	qsort(tmp, n, sizeof *tmp, cmp_node);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (!kept || strcmp(tmp[kept - 1]->name, tmp[i]->name))
			tmp[kept++] = tmp[i];
	dir->kids = arena_alloc(b->arena, kept * sizeof *dir->kids);
	memcpy(dir->kids, tmp, kept * sizeof *tmp);
	dir->nkids = kept;
	free(tmp);
	if (added)
		keep_listing(b, dir, added, n);
	free(added);
	for (size_t i = 0; i < kept; i++) {
		if (dir->kids[i]->is_dir) {
			dir->nsubdirs++;
			if (!dir->kids[i]->shared)	/* finished when rendered */
				finish(b, dir->kids[i]);
		}
	}
}

/* The staged object file (cat_objfile) of NAME in DIR of SCHEMA, or NULL:
 * it replaces the object's own rendering. */
const struct cat_objfile *tb_staged_file(const struct catalog *cat, const char *dir, const char *schema,
					 const char *table, const char *name)
{
	for (size_t i = 0; i < cat->nobjfiles; i++) {
		const struct cat_objfile *o = &cat->objfiles[i];
		if (!strcmp(o->dir, dir) && !strcmp(o->schema, schema) && !strcmp(o->name, name) &&
		    (table ? o->table && !strcmp(o->table, table) : !o->table))
			return o;
	}
	return NULL;
}

/* The staged files of DIR in SCHEMA that are not removals. */
void tb_staged_files(struct builder *b, struct node *d, const struct catalog *cat, const char *dir,
		     const char *schema, const char *table)
{
	for (size_t i = 0; i < cat->nobjfiles; i++) {
		const struct cat_objfile *o = &cat->objfiles[i];
		if (!o->content || strcmp(o->dir, dir) || strcmp(o->schema, schema) ||
		    (table ? !o->table || strcmp(o->table, table) : o->table != NULL))
			continue;
		sb_add(&b->body, o->content);
		tb_file(b, d, o->name, ".sql");
	}
}

static void add_kid(struct node *dir, struct node *n)
{
	size_t k = dir->nkids;
	if ((k & (k - 1)) == 0) {
		struct node **kids = realloc(dir->kids, (k ? 2 * k : 4) * sizeof *kids);
		if (!kids)
			abort();
		dir->kids = kids;
	}
	dir->kids[dir->nkids++] = n;
}

static void keep_sub(struct builder *b, struct subtree *st, const struct cat_relation *r)
{
	size_t k = b->nsubs;
	if ((k & (k - 1)) == 0) {
		struct tree_sub *v = realloc(b->subs, (k ? 2 * k : 4) * sizeof *v);
		if (!v)
			abort();
		b->subs = v;
	}
	b->subs[b->nsubs++] = (struct tree_sub){ st, r };
}

static void render_table_dir(struct builder *b, struct node *td, const struct cat_relation *r);

/* What pack() takes of arena space for N and what it holds (arena_alloc
 * rounds every block to 16 bytes). */
#define ROUND16(x) (((x) + 15) & ~(size_t)15)
static size_t pack_size(const struct node *n)
{
	size_t sz = ROUND16(sizeof *n) + ROUND16(strlen(n->name) + 1);
	if (!n->is_dir)
		return sz + ROUND16(n->size + 1);
	sz += ROUND16(n->nkids * sizeof *n->kids);
	for (size_t i = 0; i < n->nkids; i++)
		sz += pack_size(n->kids[i]);
	return sz;
}

/* A deep copy of N (finished: kids sorted, no listing) into A. */
static struct node *pack(struct arena *a, const struct node *n)
{
	struct node *c = arena_alloc(a, sizeof *c);
	*c = *n;
	c->name = arena_strdup(a, n->name);
	if (!n->is_dir) {
		c->data = arena_memdup(a, n->data, n->size);
		return c;
	}
	c->kids = n->nkids ? arena_alloc(a, n->nkids * sizeof *c->kids) : NULL;
	for (size_t i = 0; i < n->nkids; i++)
		c->kids[i] = pack(a, n->kids[i]);
	return c;
}

/* Rendered in a scratch arena, then copied into one block of its exact
 * size: thousands of small arenas would each waste the end of their last
 * chunk. */
void tree_render_table(const struct catalog *cat, const struct cat_relation *r, struct timespec now,
		       struct table_render *out)
{
	struct tree counts = { 0 };
	struct builder b = { .t = &counts, .cat = cat, .now = now, .name = STRBUF_INIT, .body = STRBUF_INIT };
	if (!(b.arena = arena_new_small()))
		abort();
	sb_reset(&b.name);
	struct node *root = tb_node(&b, NULL, true);
	if (r)
		render_table_dir(&b, root, r);
	finish(&b, root);
	out->bytes = pack_size(root);
	if (!(out->arena = arena_new_sized(out->bytes)))
		abort();
	out->kids = root->nkids ? arena_alloc(out->arena, root->nkids * sizeof *out->kids) : NULL;
	for (size_t i = 0; i < root->nkids; i++)
		out->kids[i] = pack(out->arena, root->kids[i]);
	out->nkids = root->nkids;
	out->nsubdirs = root->nsubdirs;
	arena_free(b.arena);
	strbuf_free(&b.name);
	strbuf_free(&b.body);
}

/* Whether an extra file (a draft, an editor's scratch file) goes into
 * R's directory, under DIR ("tables", "foreign_tables") of the schema
 * directory SCHEMA it is listed in. That is not always r->schema's name:
 * under a staged schema rename the desired schema lists the live tables. */
static bool has_extras(struct builder *b, const char *schema, const char *dir, const struct cat_relation *r)
{
	if (!b->extras || !b->extras->nfiles)
		return false;
	struct strbuf prefix = STRBUF_INIT;
	sb_add(&prefix, "schemas/");
	name_escape(&prefix, schema, "");
	sb_addf(&prefix, "/%s/", dir);
	name_escape(&prefix, r->name, "/");
	bool found = false;
	for (size_t i = 0; i < b->extras->nfiles && !found; i++)
		found = !strncmp(b->extras->files[i].path, prefix.buf, prefix.len);
	strbuf_free(&prefix);
	return found;
}

/* A table's directory: the previous tree's when the table's key is the
 * same, else a new one, rendered on first use (tree_dir). One that an
 * extra file goes into is this tree's alone (add_extra() adds to it),
 * rendered now in the tree's arena: neither reused nor offered for reuse. */
void tb_table(struct builder *b, struct node *tables, const char *schema, const char *dir,
	      const struct cat_relation *r)
{
	if (has_extras(b, schema, dir, r)) {
		render_table_dir(b, tb_mkdir(b, tables, r->name), r);
		return;
	}
	unsigned long long key = tree_table_key_memo(b->cat, r);
	const struct tree_sub *ts = tree_sub_find(b->prev, key);
	/* One tree_evict() chose is made again, unrendered: tree_inherit()
	 * hands it the old one's mtimes, and the old one goes with the last
	 * tree that holds it. */
	struct subtree *st = ts && !ts->st->evict ? ts->st : NULL;
	if (st) {
		tree_sub_ref(st);
	} else {
		sb_reset(&b->name);
		name_escape(&b->name, r->name, "");
		st = tree_sub_new(b->name.buf, b->name.len, key, r->kind == REL_FOREIGN, b->now);
	}
	add_kid(tables, &st->root);
	keep_sub(b, st, r);
}

/* What a table's directory holds; a foreign table's has no indexes/ nor
 * policies/ (it can have neither). */
static void render_table_dir(struct builder *b, struct node *td, const struct cat_relation *r)
{
	bool foreign = r->kind == REL_FOREIGN;
	struct node *cols = tb_mkdir(b, td, "columns");
	for (size_t i = 0; i < r->ncols; i++) {
		render_column(&b->body, &r->cols[i]);
		tb_file(b, cols, r->cols[i].name, "");
	}
	struct node *idx = foreign ? NULL : tb_mkdir(b, td, "indexes");
	for (size_t i = 0; idx && i < r->nindexes; i++) {
		render_index(&b->body, &r->indexes[i]);
		tb_file(b, idx, r->indexes[i].name, ".sql");
	}
	struct node *cons = tb_mkdir(b, td, "constraints");
	for (size_t i = 0; i < r->ncons; i++) {
		render_constraint(&b->body, r, &r->cons[i]);
		tb_file(b, cons, r->cons[i].name, ".sql");
	}
	struct node *trg = tb_mkdir(b, td, "triggers");
	const char *sn = r->schema->name;
	for (size_t i = 0; i < r->ntriggers; i++) {
		if (tb_staged_file(b->cat, "triggers", sn, r->name, r->triggers[i].name))
			continue;
		render_trigger(&b->body, &r->triggers[i]);
		tb_file(b, trg, r->triggers[i].name, ".sql");
	}
	tb_staged_files(b, trg, b->cat, "triggers", sn, r->name);
	struct node *pol = foreign ? NULL : tb_mkdir(b, td, "policies");
	for (size_t i = 0; pol && i < r->npolicies; i++) {
		if (tb_staged_file(b->cat, "policies", sn, r->name, r->policies[i].name))
			continue;
		render_policy(&b->body, r, &r->policies[i]);
		tb_file(b, pol, r->policies[i].name, ".sql");
	}
	if (pol)
		tb_staged_files(b, pol, b->cat, "policies", sn, r->name);
	render_comment_file(&b->body, r->comment);
	tb_file(b, td, "comment", "");
	render_table(&b->body, r);
	tb_file(b, td, "table", ".sql");
}

/* Adds F under its directory, if that exists (kids are not sorted yet). */
static void add_extra(struct builder *b, const struct tree_file *f)
{
	struct node *dir = b->t->root;
	const char *p = f->path;
	for (;;) {
		size_t len = strcspn(p, "/");
		if (!p[len])
			break;
		struct node *next = NULL;
		for (size_t i = 0; i < dir->nkids && !next; i++)
			if (dir->kids[i]->is_dir && strlen(dir->kids[i]->name) == len &&
			    !memcmp(dir->kids[i]->name, p, len))
				next = dir->kids[i];
		/* A shared table directory is read-only here (other trees
		 * hold it, and its kids are not a growable vector):
		 * has_extras() keeps one an extra goes into unshared, so this
		 * is a bug; showing the file is not worth corrupting memory. */
		if (!next || next->shared) {
			if (next)
				log_warn("tree: %s not shown: its table directory is shared", f->path);
			return;
		}
		dir = next;
		p += len + 1;
	}
	sb_reset(&b->name);
	sb_add(&b->name, p);
	sb_addn(&b->body, f->data, f->len);
	struct node *n = tb_node(b, dir, false);
	n->size = b->body.len;
	n->data = arena_memdup(b->arena, b->body.buf ? b->body.buf : "", b->body.len);
	n->hash = name_hash(n->data, n->size);
	b->t->bytes += n->size;
	sb_reset(&b->body);
}

static int cmp_sub(const void *a, const void *b)
{
	unsigned long long x = ((const struct tree_sub *)a)->st->key, y = ((const struct tree_sub *)b)->st->key;
	return x < y ? -1 : x > y;
}

struct tree *tree_build(const struct catalog *cat, const struct tree_extras *extras,
			struct timespec now)
{
	return tree_build_from(cat, extras, now, NULL);
}

struct tree *tree_build_from(const struct catalog *cat, const struct tree_extras *extras,
			     struct timespec now, const struct tree *prev)
{
	struct arena *a = arena_new();
	if (!a)
		return NULL;
	struct tree *t = arena_alloc(a, sizeof *t);
	t->arena = a;
	t->refs = 1;
	struct builder b = { .t = t, .arena = a, .cat = cat, .prev = prev, .extras = extras, .now = now,
			     .name = STRBUF_INIT, .body = STRBUF_INIT };
	sb_reset(&b.name);
	t->root = tb_node(&b, NULL, true);

	tb_lazy(&b, t->root, "schema.sql", NULL, false);
	struct node *exts = tb_mkdir(&b, t->root, "extensions");
	for (size_t i = 0; i < cat->nexts; i++) {
		render_extension(&b.body, &cat->exts[i]);
		tb_file(&b, exts, cat->exts[i].name, ".sql");
	}
	tb_global(&b, cat);
	struct node *schemas = tb_mkdir(&b, t->root, "schemas");
	for (size_t i = 0; i < cat->nschemas; i++)
		tb_schema(&b, schemas, cat, &cat->schemas[i]);
	tb_migrations(&b, t->root, cat, extras);
	for (size_t i = 0; extras && i < extras->nfiles; i++)
		add_extra(&b, &extras->files[i]);
	finish(&b, t->root);
	if (b.nsubs) {
		qsort(b.subs, b.nsubs, sizeof *b.subs, cmp_sub);
		t->subs = arena_alloc(a, b.nsubs * sizeof *t->subs);
		memcpy(t->subs, b.subs, b.nsubs * sizeof *b.subs);
		t->nsubs = b.nsubs;
	}
	free(b.subs);
	t->lazies = arena_alloc(a, (b.nlazies ? b.nlazies : 1) * sizeof *t->lazies);
	if (b.nlazies)
		memcpy(t->lazies, b.lazies, b.nlazies * sizeof *b.lazies);
	t->nlazies = b.nlazies;
	free(b.lazies);
	t->cat = catalog_ref(cat);
	pthread_mutex_init(&t->lazy_lock, NULL);
	strbuf_free(&b.name);
	strbuf_free(&b.body);
	return t;
}

static const struct node *find_kid(const struct node *dir, const char *name, size_t len)
{
	size_t lo = 0, hi = dir->nkids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *k = dir->kids[mid]->name;
		int c = strncmp(k, name, len);
		if (!c && k[len] != '\0')
			c = 1;
		if (!c)
			return dir->kids[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct node *tree_lookup(const struct tree *t, const char *path)
{
	return tree_dir(t, tree_find(t, path));
}

const struct node *tree_find(const struct tree *t, const char *path)
{
	const struct node *n = t->root;
	const char *p = path;
	while (n && *p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, "/");
		if (!n->is_dir)
			return NULL;
		n = find_kid(tree_dir(t, n), p, len);
		p += len;
	}
	return n;
}

struct tree *tree_ref(struct tree *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void tree_unref(struct tree *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < t->nsubs; i++)
		tree_sub_unref(t->subs[i].st);
	tree_lazy_free(t);
	catalog_free(t->cat);
	arena_free(t->arena);
}
