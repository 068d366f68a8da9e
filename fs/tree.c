/* tree.c: catalog -> rendered file tree; see include/tree.h. What a new
 * tree takes over from the old one (mtimes, invalidations) is in
 * tree_inherit.c. */
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "catalog.h"
#include "journal.h"
#include "log.h"
#include "mtimes.h"
#include "names.h"
#include "render.h"
#include "strbuf.h"
#include "tree_key.h"
#include "tree_lazy.h"
#include "tree_sub.h"

/* While building, a directory's kids are a malloc'd vector grown in powers
 * of two; finish() sorts them and moves them into the arena. */
struct builder {
	struct tree *t;
	struct arena *arena;	/* where nodes go: the tree's, or a table's own */
	const struct catalog *cat;	/* what is being built */
	const struct tree *prev;	/* whose table directories may be reused */
	const struct tree_extras *extras;
	struct tree_sub *subs;	/* the tree's, as they are added (malloc'd) */
	size_t nsubs;
	struct lazy **lazies;	/* the tree's lazy files (malloc'd vector) */
	size_t nlazies;
	struct timespec now;
	struct strbuf name;	/* scratch: escaped names */
	struct strbuf body;	/* scratch: rendered files */
};

static void add_kid(struct node *dir, struct node *n);

static struct node *add_node(struct builder *b, struct node *dir, bool is_dir)
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
static struct node *mkdir_node(struct builder *b, struct node *dir, const char *raw)
{
	sb_reset(&b->name);
	name_escape(&b->name, raw, "");
	return add_node(b, dir, true);
}

/* A file from what was rendered into b->body, which is then reset. */
static void file_node(struct builder *b, struct node *dir, const char *raw, const char *suffix)
{
	sb_reset(&b->name);
	name_escape(&b->name, raw, suffix);
	struct node *n = add_node(b, dir, false);
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
static void lazy_node(struct builder *b, struct node *dir, const char *name, const struct cat_schema *s,
		      bool erd)
{
	sb_reset(&b->name);
	sb_add(&b->name, name);
	struct node *n = add_node(b, dir, false);
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
static const struct cat_objfile *staged_file(const struct catalog *cat, const char *dir, const char *schema,
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
static void staged_files(struct builder *b, struct node *d, const struct catalog *cat, const char *dir,
			 const char *schema, const char *table)
{
	for (size_t i = 0; i < cat->nobjfiles; i++) {
		const struct cat_objfile *o = &cat->objfiles[i];
		if (!o->content || strcmp(o->dir, dir) || strcmp(o->schema, schema) ||
		    (table ? !o->table || strcmp(o->table, table) : o->table != NULL))
			continue;
		sb_add(&b->body, o->content);
		file_node(b, d, o->name, ".sql");
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
	struct node *root = add_node(&b, NULL, true);
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
static void build_table(struct builder *b, struct node *tables, const char *schema, const char *dir,
			const struct cat_relation *r)
{
	if (has_extras(b, schema, dir, r)) {
		render_table_dir(b, mkdir_node(b, tables, r->name), r);
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
	struct node *cols = mkdir_node(b, td, "columns");
	for (size_t i = 0; i < r->ncols; i++) {
		render_column(&b->body, &r->cols[i]);
		file_node(b, cols, r->cols[i].name, "");
	}
	struct node *idx = foreign ? NULL : mkdir_node(b, td, "indexes");
	for (size_t i = 0; idx && i < r->nindexes; i++) {
		render_index(&b->body, &r->indexes[i]);
		file_node(b, idx, r->indexes[i].name, ".sql");
	}
	struct node *cons = mkdir_node(b, td, "constraints");
	for (size_t i = 0; i < r->ncons; i++) {
		render_constraint(&b->body, r, &r->cons[i]);
		file_node(b, cons, r->cons[i].name, ".sql");
	}
	struct node *trg = mkdir_node(b, td, "triggers");
	const char *sn = r->schema->name;
	for (size_t i = 0; i < r->ntriggers; i++) {
		if (staged_file(b->cat, "triggers", sn, r->name, r->triggers[i].name))
			continue;
		render_trigger(&b->body, &r->triggers[i]);
		file_node(b, trg, r->triggers[i].name, ".sql");
	}
	staged_files(b, trg, b->cat, "triggers", sn, r->name);
	struct node *pol = foreign ? NULL : mkdir_node(b, td, "policies");
	for (size_t i = 0; pol && i < r->npolicies; i++) {
		if (staged_file(b->cat, "policies", sn, r->name, r->policies[i].name))
			continue;
		render_policy(&b->body, r, &r->policies[i]);
		file_node(b, pol, r->policies[i].name, ".sql");
	}
	if (pol)
		staged_files(b, pol, b->cat, "policies", sn, r->name);
	render_comment_file(&b->body, r->comment);
	file_node(b, td, "comment", "");
	render_table(&b->body, r);
	file_node(b, td, "table", ".sql");
}

static void build_schema(struct builder *b, struct node *schemas, const struct catalog *cat,
			 const struct cat_schema *s)
{
	struct node *sd = mkdir_node(b, schemas, s->name);
	lazy_node(b, sd, "schema.sql", s, false);
	lazy_node(b, sd, "erd.md", s, true);

	struct node *tables = mkdir_node(b, sd, "tables");
	for (size_t i = 0; i < s->ntables; i++)
		build_table(b, tables, s->name, "tables", s->tables[i]);
	struct node *convs = mkdir_node(b, sd, "conversions");
	for (size_t i = 0; i < s->nconversions; i++) {
		render_conversion(&b->body, s->conversions[i]);
		file_node(b, convs, s->conversions[i]->name, ".sql");
	}
	struct strbuf oname = STRBUF_INIT;
	struct node *opc = mkdir_node(b, sd, "operator_classes");
	for (size_t i = 0; i < s->nopclasses; i++) {
		sb_reset(&oname);
		render_opclass_name(&oname, s->opclasses[i]);
		render_opclass(&b->body, s->opclasses[i]);
		file_node(b, opc, sb_str(&oname), ".sql");
	}
	struct node *opf = mkdir_node(b, sd, "operator_families");
	for (size_t i = 0; i < s->nopfamilies; i++) {
		sb_reset(&oname);
		render_opclass_name(&oname, s->opfamilies[i]);
		render_opclass(&b->body, s->opfamilies[i]);
		file_node(b, opf, sb_str(&oname), ".sql");
	}
	strbuf_free(&oname);
	struct node *ts = mkdir_node(b, sd, "text_search");
	static const char ts_kinds[] = { TS_CONFIG, TS_DICT, TS_PARSER, TS_TEMPLATE };
	for (size_t k = 0; k < sizeof ts_kinds; k++) {
		struct node *kd = mkdir_node(b, ts, render_ts_dir(ts_kinds[k]));
		for (size_t i = 0; i < s->nts; i++) {
			if (s->ts[i]->kind != ts_kinds[k])
				continue;
			render_ts(&b->body, s->ts[i]);
			file_node(b, kd, s->ts[i]->name, ".sql");
		}
	}
	struct node *ftables = mkdir_node(b, sd, "foreign_tables");
	for (size_t i = 0; i < s->nforeign_tables; i++)
		build_table(b, ftables, s->name, "foreign_tables", s->foreign_tables[i]);
	struct node *views = mkdir_node(b, sd, "views");
	for (size_t i = 0; i < s->nviews; i++) {
		if (staged_file(cat, "views", s->name, NULL, s->views[i]->name))
			continue;
		render_view(&b->body, s->views[i]);
		file_node(b, views, s->views[i]->name, ".sql");
	}
	staged_files(b, views, cat, "views", s->name, NULL);
	struct node *mviews = mkdir_node(b, sd, "materialized_views");
	for (size_t i = 0; i < s->nmatviews; i++) {
		if (staged_file(cat, "materialized_views", s->name, NULL, s->matviews[i]->name))
			continue;
		render_view(&b->body, s->matviews[i]);
		file_node(b, mviews, s->matviews[i]->name, ".sql");
	}
	staged_files(b, mviews, cat, "materialized_views", s->name, NULL);
	struct node *funcs = mkdir_node(b, sd, "functions");
	struct strbuf fname = STRBUF_INIT;
	for (size_t i = 0; i < s->nfunctions; i++) {
		const struct cat_function *f = s->functions[i];
		sb_reset(&fname);
		sb_addf(&fname, "%s(%s)", f->name, f->args ? f->args : "");
		if (staged_file(cat, "functions", s->name, NULL, sb_str(&fname)))
			continue;
		render_function(&b->body, f);
		file_node(b, funcs, sb_str(&fname), ".sql");
	}
	strbuf_free(&fname);
	staged_files(b, funcs, cat, "functions", s->name, NULL);
	struct node *seqs = mkdir_node(b, sd, "sequences");
	for (size_t i = 0; i < s->nsequences; i++) {
		if (staged_file(cat, "sequences", s->name, NULL, s->sequences[i]->name))
			continue;
		render_sequence(&b->body, s->sequences[i]);
		file_node(b, seqs, s->sequences[i]->name, ".sql");
	}
	staged_files(b, seqs, cat, "sequences", s->name, NULL);
	struct node *types = mkdir_node(b, sd, "types");
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cat_type *t = s->types[i];
		if (t->kind == 'e') {
			render_enum_labels(&b->body, t);
			file_node(b, types, t->name, "");
		} else {
			render_type(&b->body, t);
			file_node(b, types, t->name, ".sql");
		}
	}
}

/* casts/, event_triggers/, publications/, foreign_data/{wrappers,servers}/:
 * the database's own objects,
 * always present, possibly empty. */
static void build_global(struct builder *b, const struct catalog *cat)
{
	struct node *casts = mkdir_node(b, b->t->root, "casts");
	struct strbuf name = STRBUF_INIT;
	for (size_t i = 0; i < cat->ncasts; i++) {
		sb_reset(&name);
		render_cast_name(&name, &cat->casts[i]);
		render_cast(&b->body, &cat->casts[i]);
		file_node(b, casts, sb_str(&name), ".sql");
	}
	strbuf_free(&name);
	struct node *evt = mkdir_node(b, b->t->root, "event_triggers");
	for (size_t i = 0; i < cat->nevtrigs; i++) {
		render_event_trigger(&b->body, &cat->evtrigs[i]);
		file_node(b, evt, cat->evtrigs[i].name, ".sql");
	}
	struct node *pubs = mkdir_node(b, b->t->root, "publications");
	for (size_t i = 0; i < cat->npubs; i++) {
		render_publication(&b->body, &cat->pubs[i]);
		file_node(b, pubs, cat->pubs[i].name, ".sql");
	}
	struct node *fd = mkdir_node(b, b->t->root, "foreign_data");
	struct node *fdws = mkdir_node(b, fd, "wrappers");
	for (size_t i = 0; i < cat->nfdws; i++) {
		render_fdw(&b->body, &cat->fdws[i]);
		file_node(b, fdws, cat->fdws[i].name, ".sql");
	}
	struct node *srvs = mkdir_node(b, fd, "servers");
	for (size_t i = 0; i < cat->nservers; i++) {
		render_server(&b->body, &cat->servers[i]);
		file_node(b, srvs, cat->servers[i].name, ".sql");
	}
}

/* A migration's tag: its own when known, else from its position and hash. */
static void migration_tag(struct strbuf *sb, const struct cat_migration *m, size_t i)
{
	if (m->tag)
		sb_add(sb, m->tag);
	else
		sb_addf(sb, "%04zu_%.8s", i, m->hash ? m->hash : "");
}

/* journal.json: the Drizzle _journal.json view of the tracking table. */
static void render_journal(struct strbuf *sb, const struct catalog *cat)
{
	struct journal j = { 0 };
	struct strbuf tag = STRBUF_INIT;
	for (size_t i = 0; i < cat->nmigrations; i++) {
		sb_reset(&tag);
		migration_tag(&tag, &cat->migrations[i], i);
		journal_add(&j, sb_str(&tag), cat->migrations[i].created_at);
	}
	journal_render(sb, &j);
	journal_free(&j);
	strbuf_free(&tag);
}

/* applied/<tag>.sql: the file as applied, when it is known; listed in the
 * order applied (tags of an older history may not sort that way). */
static void build_applied(struct builder *b, struct node *dir, const struct catalog *cat)
{
	struct strbuf tag = STRBUF_INIT;
	dir->in_order = true;
	for (size_t i = 0; i < cat->nmigrations; i++) {
		const struct cat_migration *m = &cat->migrations[i];
		sb_reset(&tag);
		migration_tag(&tag, m, i);
		if (m->sql)
			sb_add(&b->body, m->sql);
		else if (!m->hash)	/* a tool that keeps no hash (TypeORM) */
			sb_addf(&b->body, "-- Applied by its migration tool (tracking row #%lld, timestamp %lld, name %s), but its\n"
				"-- SQL is known only for what schemafs applied (schemafs_migrations).\n",
				m->id, m->created_at, m->tag ? m->tag : "");
		else
			sb_addf(&b->body, "-- Applied (tracking row #%lld, created_at %lld, SHA-256 %s), but its SQL\n"
				"-- is neither in the database's schemafs_migrations table nor in migrations_dir.\n",
				m->id, m->created_at, m->hash ? m->hash : "");
		file_node(b, dir, sb_str(&tag), ".sql");
	}
	strbuf_free(&tag);
}

static void build_migrations(struct builder *b, struct node *root, const struct catalog *cat,
			     const struct tree_extras *ex)
{
	struct node *md = mkdir_node(b, root, "migrations");
	if (ex && ex->status)
		sb_add(&b->body, ex->status);
	file_node(b, md, "status", "");
	render_journal(&b->body, cat);
	file_node(b, md, "journal", ".json");
	if (ex && ex->check)
		sb_add(&b->body, ex->check);
	file_node(b, md, "check", "");
	if (!ex || !ex->live) {
		mkdir_node(b, md, "pending");
		mkdir_node(b, md, "apply");
	}
	build_applied(b, mkdir_node(b, md, "applied"), cat);
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
	struct node *n = add_node(b, dir, false);
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
	t->root = add_node(&b, NULL, true);

	lazy_node(&b, t->root, "schema.sql", NULL, false);
	struct node *exts = mkdir_node(&b, t->root, "extensions");
	for (size_t i = 0; i < cat->nexts; i++) {
		render_extension(&b.body, &cat->exts[i]);
		file_node(&b, exts, cat->exts[i].name, ".sql");
	}
	build_global(&b, cat);
	struct node *schemas = mkdir_node(&b, t->root, "schemas");
	for (size_t i = 0; i < cat->nschemas; i++)
		build_schema(&b, schemas, cat, &cat->schemas[i]);
	build_migrations(&b, t->root, cat, extras);
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
