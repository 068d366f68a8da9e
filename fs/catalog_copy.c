/*
 * catalog_copy.c: deep copies of a previous catalog's relations, for an
 * incremental load (incr_merge(), catalog_incr.c), which keeps every
 * relation that did not change as it was.
 *
 * Why ahead, on a thread: at 10,000 tables the copies (every column,
 * index and constraint string of 10,000 relations) took 90 ms of a refresh
 * that showed one external ALTER in 650, all of it after the change query
 * had said which relations to keep. The fingerprint, which comes before
 * that query, is 270 to 400 ms of the server's time in which the daemon
 * only waits; rel_copy_start() copies every relation meanwhile, into an
 * arena of its own, and the merge takes the copies it keeps (those read
 * again were copied for nothing: a few). When the fingerprint finds
 * nothing changed, or the read becomes a full one, the copies are freed
 * unused: catalog_refresh() asks for them only when a change is likely
 * (catalog_filter.copy_ahead).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "thread.h"

#define DUP(field) (d->field = arena_strdup(a, s->field))

static void copy_privs(struct arena *a, struct cat_privs *d, const struct cat_privs *s)
{
	DUP(owner);
	DUP(acl);
}

static void copy_constraints(struct arena *a, struct cat_constraint **dst, const struct cat_constraint *src, size_t n)
{
	struct cat_constraint *v = arena_alloc(a, n * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		struct cat_constraint *d = &v[i];
		const struct cat_constraint *s = &src[i];
		*d = *s;
		DUP(name);
		DUP(qname);
		DUP(def);
		DUP(comment);
		DUP(index_qname);
		DUP(index_parent);
		int *keys = arena_alloc(a, (s->nkeys + 1) * sizeof *keys);
		if (s->nkeys)
			memcpy(keys, s->keys, s->nkeys * sizeof *keys);
		d->keys = keys;
	}
	*dst = v;
}

/* A deep copy of S into arena A; pointers to other relations and to
 * the schema still name PREV's (relink() fixes them once all are in). */
void copy_rel(struct arena *a, struct cat_relation *d, const struct cat_relation *s)
{
	*d = *s;
	/* The same fields, so the same key (tree_key.h), if S has one:
	 * marked here, made valid once D is where it stays (incr_merge). */
	d->key_self = s->key_self == s ? s : NULL;
	DUP(name);
	DUP(qname);
	DUP(partkey);
	DUP(partbound);
	DUP(parents);
	DUP(reloptions);
	DUP(comment);
	DUP(viewdef);
	DUP(seq_type);
	DUP(seq_owned_by);
	DUP(ft_server);
	DUP(ft_options);
	copy_privs(a, &d->privs, &s->privs);
	unsigned *po = arena_alloc(a, (s->nparents + 1) * sizeof *po);
	if (s->nparents)
		memcpy(po, s->parent_oids, s->nparents * sizeof *po);
	d->parent_oids = s->parent_oids ? po : NULL;

	d->cols = arena_alloc(a, s->ncols * sizeof *d->cols);
	for (size_t i = 0; i < s->ncols; i++) {
		struct cat_column *dc = &d->cols[i];
		const struct cat_column *sc = &s->cols[i];
		*dc = *sc;
		dc->name = arena_strdup(a, sc->name);
		dc->qname = arena_strdup(a, sc->qname);
		dc->type = arena_strdup(a, sc->type);
		dc->collation = arena_strdup(a, sc->collation);
		dc->notnull_conname = arena_strdup(a, sc->notnull_conname);
		dc->notnull_qconname = arena_strdup(a, sc->notnull_qconname);
		/* fill_columns() points it at the quoted name, when set */
		dc->notnull_name = sc->notnull_name == sc->notnull_qconname ? dc->notnull_qconname :
				   arena_strdup(a, sc->notnull_name);
		dc->defexpr = arena_strdup(a, sc->defexpr);
		dc->comment = arena_strdup(a, sc->comment);
		dc->identity_seqname = arena_strdup(a, sc->identity_seqname);
		dc->acl = arena_strdup(a, sc->acl);
		dc->fdw_options = arena_strdup(a, sc->fdw_options);
	}
	d->indexes = arena_alloc(a, s->nindexes * sizeof *d->indexes);
	for (size_t i = 0; i < s->nindexes; i++) {
		struct cat_index *dx = &d->indexes[i];
		const struct cat_index *sx = &s->indexes[i];
		*dx = *sx;
		dx->name = arena_strdup(a, sx->name);
		dx->qname = arena_strdup(a, sx->qname);
		dx->def = arena_strdup(a, sx->def);
		dx->parent = arena_strdup(a, sx->parent);
		dx->comment = arena_strdup(a, sx->comment);
	}
	copy_constraints(a, &d->cons, s->cons, s->ncons);
	copy_constraints(a, &d->inh_keys, s->inh_keys, s->ninh_keys);
	d->triggers = arena_alloc(a, s->ntriggers * sizeof *d->triggers);
	for (size_t i = 0; i < s->ntriggers; i++) {
		struct cat_trigger *dt = &d->triggers[i];
		const struct cat_trigger *st = &s->triggers[i];
		*dt = *st;
		dt->name = arena_strdup(a, st->name);
		dt->qname = arena_strdup(a, st->qname);
		dt->def = arena_strdup(a, st->def);
		dt->comment = arena_strdup(a, st->comment);
	}
	d->policies = arena_alloc(a, s->npolicies * sizeof *d->policies);
	for (size_t i = 0; i < s->npolicies; i++) {
		struct cat_policy *dp = &d->policies[i];
		const struct cat_policy *sp = &s->policies[i];
		*dp = *sp;
		dp->name = arena_strdup(a, sp->name);
		dp->qname = arena_strdup(a, sp->qname);
		dp->roles = arena_strdup(a, sp->roles);
		dp->qual = arena_strdup(a, sp->qual);
		dp->check = arena_strdup(a, sp->check);
	}
	const char **set = arena_alloc(a, s->nsettings * sizeof *set);
	for (size_t i = 0; i < s->nsettings; i++)
		set[i] = arena_strdup(a, s->settings[i]);
	d->settings = set;
}

struct rel_copy {
	pthread_t thread;
	const struct catalog *prev;	/* read by the thread, not modified */
	struct arena *arena;	/* what the copies hold, until rel_copy_take()
				 * moves it */
	struct cat_relation *rels;	/* prev->nrels copies, in PREV's order
				 * (malloc'd: the merge copies the structs out,
				 * so the array is not kept with the catalog) */
	bool joined;
};

static void *copy_all(void *arg)
{
	struct rel_copy *c = arg;
	c->rels = malloc((c->prev->nrels + 1) * sizeof *c->rels);
	if (!c->rels)
		abort();	/* as arena_alloc() does */
	for (size_t i = 0; i < c->prev->nrels; i++)
		copy_rel(c->arena, &c->rels[i], &c->prev->rels[i]);
	return NULL;
}

struct rel_copy *rel_copy_start(const struct catalog *prev)
{
	struct rel_copy *c = calloc(1, sizeof *c);
	if (!c || !prev || !(c->arena = arena_new()))
		goto fail;
	c->prev = prev;
	if (thread_start(&c->thread, copy_all, c))
		goto fail;
	return c;
fail:
	if (c)
		arena_free(c->arena);
	free(c);
	return NULL;
}

static void join(struct rel_copy *c)
{
	if (!c->joined)
		pthread_join(c->thread, NULL);
	c->joined = true;
}

const struct cat_relation *rel_copy_take(struct rel_copy *c, const struct catalog *prev, struct arena *into)
{
	if (!c || c->prev != prev || !c->arena)
		return NULL;
	join(c);
	arena_adopt(into, c->arena);
	c->arena = NULL;
	return c->rels;
}

void rel_copy_drop(struct rel_copy *c)
{
	if (!c)
		return;
	join(c);
	arena_free(c->arena);
	c->arena = NULL;
	free(c->rels);
	c->rels = NULL;
}

void rel_copy_end(struct rel_copy *c)
{
	rel_copy_drop(c);
	free(c);
}
