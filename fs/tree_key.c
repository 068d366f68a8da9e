/* tree_key.c: digest of a table directory's inputs; see include/tree_key.h. */
#include "tree_key.h"

#include <stdbool.h>
#include <string.h>

#include "catalog.h"

/* A field added to one of these structs changes its size: hash it below,
 * then update the size here. (x86-64 sizes; other ABIs are not checked.)
 * cat_relation's key_memo and key_self are the memo, never hashed. */
#if defined(__x86_64__)
_Static_assert(sizeof(struct cat_relation) == 352, "hash the new cat_relation field in tree_key.c");
_Static_assert(sizeof(struct cat_column) == 136, "hash the new cat_column field in tree_key.c");
_Static_assert(sizeof(struct cat_index) == 48, "hash the new cat_index field in tree_key.c");
_Static_assert(sizeof(struct cat_constraint) == 88, "hash the new cat_constraint field in tree_key.c");
_Static_assert(sizeof(struct cat_trigger) == 48, "hash the new cat_trigger field in tree_key.c");
_Static_assert(sizeof(struct cat_policy) == 56, "hash the new cat_policy field in tree_key.c");
_Static_assert(sizeof(struct cat_privs) == 16, "hash the new cat_privs field in tree_key.c");
_Static_assert(sizeof(struct cat_objfile) == 40, "hash the new cat_objfile field in tree_key.c");
#endif

/* A stream of fields hashed eight bytes at a time, each word mixed in as
 * MurmurHash3's 64-bit body mixes one lane, the whole finished as its
 * fmix64 does. Byte by byte (FNV-1a) it took 17% of the daemon's time in
 * a refresh at 10,000 tables, every table's key computed at every
 * install. Each field is framed (a tag byte, and a string's length), so
 * "ab"+"c" and "a"+"bc", or NULL and "", differ. A short piece's length
 * is mixed into its word's top byte (zero there on little-endian; the
 * callers' framing keeps it unambiguous either way). */
struct hasher {
	unsigned long long h;
};

static unsigned long long rotl64(unsigned long long v, int r)
{
	return (v << r) | (v >> (64 - r));
}

static void h_word(struct hasher *x, unsigned long long k)
{
	k *= 0x87c37b91114253d5ULL;
	k = rotl64(k, 31);
	k *= 0x4cf5ad432745937fULL;
	x->h ^= k;
	x->h = rotl64(x->h, 27) * 5 + 0x52dce729;
}

static void h_bytes(struct hasher *x, const void *p, size_t len)
{
	const unsigned char *s = p;
	for (; len >= 8; s += 8, len -= 8) {
		unsigned long long w;
		memcpy(&w, s, 8);
		h_word(x, w);
	}
	if (len) {
		unsigned long long w = 0;
		memcpy(&w, s, len);
		h_word(x, w ^ ((unsigned long long)len << 56));
	}
}

static unsigned long long h_finish(const struct hasher *x)
{
	unsigned long long h = x->h;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void h_num(struct hasher *x, long long v)
{
	h_bytes(x, "#", 1);
	h_bytes(x, &v, sizeof v);
}

static void h_str(struct hasher *x, const char *s)
{
	if (!s) {
		h_bytes(x, "0", 1);
		return;
	}
	size_t len = strlen(s);
	h_bytes(x, "s", 1);
	h_bytes(x, &len, sizeof len);
	h_bytes(x, s, len);
}

static void h_privs(struct hasher *x, const struct cat_privs *p)
{
	h_str(x, p->owner);
	h_str(x, p->acl);
}

/* Another relation a field points at: what rendering may read of it. */
static void h_relref(struct hasher *x, const struct cat_relation *r)
{
	if (!r) {
		h_bytes(x, "-", 1);
		return;
	}
	h_num(x, r->oid);
	h_str(x, r->schema ? r->schema->qname : NULL);
	h_str(x, r->qname);
	h_num(x, r->kind);
	h_num(x, r->persistence);
	h_str(x, r->seq_type);
	h_num(x, r->seq_start);
	h_num(x, r->seq_inc);
	h_num(x, r->seq_min);
	h_num(x, r->seq_max);
	h_num(x, r->seq_cache);
	h_num(x, r->seq_cycle);
	h_str(x, r->seq_owned_by);
}

static void h_column(struct hasher *x, const struct cat_column *c)
{
	h_str(x, c->name);
	h_str(x, c->qname);
	h_num(x, c->attnum);
	h_str(x, c->type);
	h_str(x, c->collation);
	h_num(x, c->notnull);
	h_str(x, c->notnull_name);
	h_num(x, c->notnull_noinherit);
	h_str(x, c->notnull_conname);
	h_str(x, c->notnull_qconname);
	h_str(x, c->defexpr);
	h_num(x, c->identity);
	h_num(x, c->generated);
	h_num(x, c->islocal);
	h_str(x, c->comment);
	h_relref(x, c->identity_seq);
	h_str(x, c->identity_seqname);
	h_str(x, c->acl);
	h_str(x, c->fdw_options);
}

static void h_constraints(struct hasher *x, const struct cat_constraint *v, size_t n)
{
	h_num(x, (long long)n);
	for (size_t i = 0; i < n; i++) {
		const struct cat_constraint *k = &v[i];
		h_num(x, k->oid);
		h_str(x, k->name);
		h_str(x, k->qname);
		h_num(x, k->type);
		h_str(x, k->def);
		h_str(x, k->comment);
		h_num(x, (long long)k->nkeys);
		for (size_t j = 0; j < k->nkeys; j++)
			h_num(x, k->keys[j]);
		h_relref(x, k->ref);
		h_str(x, k->index_qname);
		h_str(x, k->index_parent);
	}
}

/* The staged trigger and policy files of R (they replace or add files);
 * whether it has any. */
static bool h_objfiles(struct hasher *x, const struct catalog *cat, const struct cat_relation *r)
{
	bool any = false;
	for (size_t i = 0; i < cat->nobjfiles; i++) {
		const struct cat_objfile *o = &cat->objfiles[i];
		if (!o->table || strcmp(o->table, r->name) || strcmp(o->schema, r->schema->name))
			continue;
		h_bytes(x, "o", 1);
		h_str(x, o->dir);
		h_str(x, o->name);
		h_str(x, o->content);
		any = true;
	}
	return any;
}

/* Every field of R but the staged files: what the memo keeps. */
static unsigned long long rel_key(const struct cat_relation *r)
{
	struct hasher x = { 1469598103934665603ULL };
	h_num(&x, r->oid);
	h_str(&x, r->schema->name);
	h_str(&x, r->schema->qname);
	h_str(&x, r->name);
	h_str(&x, r->qname);
	h_num(&x, r->kind);
	h_num(&x, r->persistence);
	h_num(&x, r->rls);
	h_num(&x, r->rls_force);
	h_num(&x, r->is_partition);
	h_num(&x, r->attach_partition);
	h_str(&x, r->partkey);
	h_str(&x, r->partbound);
	h_str(&x, r->parents);
	h_num(&x, (long long)r->nparents);
	for (size_t i = 0; i < r->nparents && r->parent_oids; i++)
		h_num(&x, r->parent_oids[i]);
	h_str(&x, r->reloptions);
	h_str(&x, r->comment);
	/* reltuples and rowcount are the loader's estimates and bookkeeping,
	 * never rendered: they change without the files changing. */
	h_constraints(&x, r->inh_keys, r->ninh_keys);
	h_str(&x, r->viewdef);
	h_num(&x, r->view_depth);
	h_relref(&x, r);	/* its own sequence fields */
	h_str(&x, r->ft_server);
	h_str(&x, r->ft_options);
	h_num(&x, (long long)r->ncols);
	for (size_t i = 0; i < r->ncols; i++)
		h_column(&x, &r->cols[i]);
	h_num(&x, (long long)r->nindexes);
	for (size_t i = 0; i < r->nindexes; i++) {
		const struct cat_index *ix = &r->indexes[i];
		h_num(&x, ix->oid);
		h_str(&x, ix->name);
		h_str(&x, ix->qname);
		h_str(&x, ix->def);
		h_str(&x, ix->parent);
		h_str(&x, ix->comment);
	}
	h_constraints(&x, r->cons, r->ncons);
	h_num(&x, (long long)r->ntriggers);
	for (size_t i = 0; i < r->ntriggers; i++) {
		const struct cat_trigger *t = &r->triggers[i];
		h_num(&x, t->oid);
		h_str(&x, t->name);
		h_str(&x, t->qname);
		h_str(&x, t->def);
		h_num(&x, t->enabled);
		h_str(&x, t->comment);
	}
	h_num(&x, (long long)r->npolicies);
	for (size_t i = 0; i < r->npolicies; i++) {
		const struct cat_policy *p = &r->policies[i];
		h_num(&x, p->oid);
		h_str(&x, p->name);
		h_str(&x, p->qname);
		h_num(&x, p->permissive);
		h_num(&x, p->cmd);
		h_str(&x, p->roles);
		h_str(&x, p->qual);
		h_str(&x, p->check);
	}
	h_num(&x, (long long)r->nsettings);
	for (size_t i = 0; i < r->nsettings; i++)
		h_str(&x, r->settings[i]);
	h_privs(&x, &r->privs);
	return h_finish(&x);
}

/* The relation's part, then the catalog's staged files of the table (a
 * catalog-wide list, so not memoized with the relation). A table without
 * any keeps its own part as its key, whatever else is staged: the tree
 * built with a staged file elsewhere reuses its directory. */
static unsigned long long with_objfiles(const struct catalog *cat, const struct cat_relation *r,
					unsigned long long own)
{
	struct hasher x = { own };
	return h_objfiles(&x, cat, r) ? h_finish(&x) : own;
}

unsigned long long tree_table_key(const struct catalog *cat, const struct cat_relation *r)
{
	return with_objfiles(cat, r, rel_key(r));
}

unsigned long long tree_table_key_memo(const struct catalog *cat, const struct cat_relation *r)
{
	return with_objfiles(cat, r, r->key_self == r ? r->key_memo : rel_key(r));
}

void tree_key_memoize(struct catalog *cat)
{
	for (size_t i = 0; i < cat->nrels; i++) {
		struct cat_relation *r = &cat->rels[i];
		if (r->key_self != r) {
			r->key_memo = rel_key(r);
			r->key_self = r;
		}
	}
}
