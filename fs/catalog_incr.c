/*
 * catalog_incr.c: incremental loads (catalog_load_since(), catalog.h).
 *
 * One query (SQL_REL_CHANGES), in the load's own REPEATABLE READ snapshot,
 * says which relations changed since the previous catalog's snapshot and
 * which are their neighbours; the per-relation queries then read only
 * those ($2, REL_ONLY), and every other relation is copied, deep (ahead,
 * while the fingerprint ran, when it could: catalog_copy.c), from the
 * previous catalog into the new one's arena: the new catalog owns all it
 * holds, so the old one is freed as before, whoever still reads it. The
 * loading thread alone runs this; PREV is not modified meanwhile (the
 * refresher is the only writer of db->cat).
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"
#include "strbuf.h"

PGresult *run_per_rel(struct loader *ld, const char *sql)
{
	const char *params[] = { ld->schema_oids, ld->rel_oids };
	return run_planned(ld, sql, 2, params, false);
}

/* Row of ld->changes for OID (rows 1.. are sorted by OID), or -1. The
 * OIDs are parsed once (incr_plan()): this runs for every relation, twice,
 * and text compared at each step of the search was 20 ms at 10,000
 * tables. */
static int change_row(const struct loader *ld, unsigned oid)
{
	int lo = 1, hi = PQntuples(ld->changes);
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		unsigned v = ld->change_oids[mid];
		if (v == oid)
			return mid;
		if (v < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Whether PREV's relation R is kept as it is: its row says so (a row
 * without a kind: no longer listed), or it has none in a slim answer. */
static bool kept(const struct loader *ld, const struct cat_relation *r)
{
	int row = change_row(ld, r->oid);
	if (row < 0)
		return ld->count_from != NULL;
	return !PQgetisnull(ld->changes, row, 1) && !col_bool(ld->changes, row, 3);
}

/* The "count:sum" parts of the relations' part of fingerprint FP (its
 * third '|'-separated section, one per catalog in the order of their
 * positions, 1 to 14, as catalog_fingerprint() puts its two queries'
 * answers together) into PART[0..n-1], each LEN[i] long; 0, or -1 when FP has no
 * such part. */
static int fp_rel_parts(const char *fp, const char **part, size_t *len, size_t n)
{
	const char *p = fp ? strchr(fp, '|') : NULL;
	p = p ? strchr(p + 1, '|') : NULL;
	if (!p)
		return -1;
	p++;
	for (size_t i = 0; i < n; i++) {
		const char *end = strchr(p, ',');
		if (!end || !strchr(p, ':') || strchr(p, ':') > end)
			return -1;
		part[i] = p;
		len[i] = (size_t)(end - p);
		p = end + 1;
	}
	return 0;
}

#define FP_RELS 14	/* catalogs in the fingerprint's relations' part */

/* $5, $6 and $7 of SQL_REL_CHANGES from PREV's fingerprint OLD and this
 * snapshot's CUR: how many rows each catalog of its `gone` gained, in the
 * order of its `fresh` tags 1 to 8, which of the FP_RELS parts changed
 * (the catalogs to scan for fresh rows), and how many rows pg_class
 * gained. All NULL (count every row, scan every catalog, a row per
 * relation) without both fingerprints. */
static int fp_compare(const char *old, const char *cur, char **grown, char **changed, char **class_grown)
{
	/* pg_constraint, pg_index, pg_trigger, pg_policy, pg_description,
	 * pg_depend, pg_rewrite, pg_statistic_ext are its 5th to 10th, 12th
	 * and 14th parts */
	static const int gone_part[] = { 4, 5, 6, 7, 8, 9, 11, 13 };
	const char *a[FP_RELS], *b[FP_RELS];
	size_t alen[FP_RELS], blen[FP_RELS];
	*grown = *changed = *class_grown = NULL;
	if (fp_rel_parts(old, a, alen, FP_RELS) || fp_rel_parts(cur, b, blen, FP_RELS))
		return 0;
	struct strbuf g = STRBUF_INIT, c = STRBUF_INIT;
	sb_addc(&g, '{');
	for (size_t i = 0; i < sizeof gone_part / sizeof *gone_part; i++)
		sb_addf(&g, "%s%lld", i ? "," : "", strtoll(b[gone_part[i]], NULL, 10) -
			strtoll(a[gone_part[i]], NULL, 10));
	sb_addc(&g, '}');
	sb_addc(&c, '{');
	for (size_t i = 0; i < FP_RELS; i++)
		sb_addf(&c, "%s%s", i ? "," : "", alen[i] == blen[i] && !memcmp(a[i], b[i], alen[i]) ? "f" : "t");
	sb_addc(&c, '}');
	*grown = strbuf_detach(&g, NULL);
	*changed = strbuf_detach(&c, NULL);
	/* pg_class is the second part */
	sb_addf(&c, "%lld", strtoll(b[1], NULL, 10) - strtoll(a[1], NULL, 10));
	*class_grown = strbuf_detach(&c, NULL);
	return 0;
}

int incr_plan(struct loader *ld)
{
	const struct catalog *prev = ld->prev;
	struct strbuf oids = STRBUF_INIT, counts = STRBUF_INIT;
	char *gained = NULL, *scan = NULL, *class_gained = NULL;
	if (prev)
		fp_compare(prev->fingerprint, ld->fp, &gained, &scan, &class_gained);
	if (prev) {
		sb_addc(&oids, '{');
		sb_addc(&counts, '{');
		for (size_t i = 0; i < prev->nrels; i++) {
			sb_addf(&oids, "%s%u", i ? "," : "", prev->rels[i].oid);
			sb_addf(&counts, "%s%lld", i ? "," : "", prev->rels[i].rowcount);
		}
		sb_addc(&oids, '}');
		sb_addc(&counts, '}');
	}
	/* The new rows, when the fingerprint compared (and so taken in this
	 * snapshot, since PREV's) listed them: not scanned for again. */
	bool listed = prev && gained && ld->fresh && ld->fresh->keys;
	const char *params[] = { ld->schema_oids, prev ? prev->snapshot : NULL, prev ? sb_str(&oids) : NULL,
				 prev ? sb_str(&counts) : NULL, gained, scan, class_gained,
				 listed ? ld->fresh->keys : NULL, listed ? ld->fresh->objs : NULL };
	/* One plan for every answer: planning it was 22 ms of a refresh on a
	 * small database (48 ms on the shadow's reader), more than it runs,
	 * and at 10,000 tables the generic plan runs as fast as a custom one
	 * (PostgreSQL chose it itself there after five runs). */
	ld->changes = run_generic(ld, SQL_REL_CHANGES, 9, params);
	strbuf_free(&oids);
	strbuf_free(&counts);
	free(gained);
	free(scan);
	free(class_gained);
	if (!ld->changes)
		return -1;
	PGresult *res = ld->changes;
	int n = PQntuples(res);
	if (n < 1) {
		snprintf(ld->err, ld->errlen, "no snapshot row from the change query");
		return -1;
	}
	ld->change_oids = arena_alloc(ld->cat->arena, (size_t)n * sizeof *ld->change_oids);
	for (int i = 1; i < n; i++)
		ld->change_oids[i] = (unsigned)col_ll(res, i, 0);
	ld->cat->snapshot = col_str(ld, res, 0, 1);
	ld->cat->ext_members = col_ll(res, 0, 2);
	bool slim = prev && col_bool(res, 0, 3);
	ld->count_from = slim ? prev : NULL;
	ld->cat->slim_answer = slim;
	ld->cat->fresh_listed = listed;
	if (!prev)
		return 0;
	/* A member added to or dropped from an extension changes how the
	 * dependencies on it are named, in relations not read again too;
	 * a view not listed that changed moves the depth of every listed
	 * view above it (row 0's "changed" says either). */
	if (col_bool(res, 0, 4) || prev->ext_members != ld->cat->ext_members)
		return 1;
	/* A view's depth (schema.sql's order) follows every view it uses,
	 * however far: a changed or dropped view makes a full load. */
	size_t nreload = 0;
	for (int i = 1; i < n; i++) {
		const char *kind = pg_val(res, i, 1);
		bool changed = col_bool(res, i, 4);
		nreload += col_bool(res, i, 3);
		if (changed && kind && (kind[0] == REL_VIEW || kind[0] == REL_MATVIEW))
			return 1;
	}
	for (size_t i = 0; i < prev->nrels && !slim; i++) {
		const struct cat_relation *r = &prev->rels[i];
		if ((r->kind == REL_VIEW || r->kind == REL_MATVIEW) && change_row(ld, r->oid) < 0)
			return 1;
	}
	if (nreload * 2 > (slim ? prev->nrels : (size_t)(n - 1)))
		return 1;	/* most of it: one full read costs less */
	struct strbuf list = STRBUF_INIT;
	sb_addc(&list, '{');
	for (int i = 1, k = 0; i < n; i++)
		if (col_bool(res, i, 3))
			sb_addf(&list, "%s%s", k++ ? "," : "", pg_val(res, i, 0));
	sb_addc(&list, '}');
	ld->rel_oids = arena_strdup(ld->cat->arena, sb_str(&list));
	ld->cat->reread = (long)nreload;
	strbuf_free(&list);
	return 0;
}

size_t incr_count(const struct loader *ld)
{
	size_t n = 0;
	if (!ld->prev || !ld->rel_oids)
		return 0;
	for (size_t i = 0; i < ld->prev->nrels; i++)
		n += kept(ld, &ld->prev->rels[i]);
	return n;
}

static const struct cat_relation *same_rel(struct catalog *cat, const struct cat_relation *old)
{
	return old ? rel_by_oid(cat, old->oid) : NULL;
}

/* Points a copy at CAT's schema and relations, found by OID as the
 * loader finds them (NULL when gone: as a full load would leave it). */
static void relink(struct catalog *cat, struct cat_relation *r)
{
	r->schema = schema_by_oid(cat, r->schema->oid);
	for (size_t i = 0; i < r->ncols; i++)
		r->cols[i].identity_seq = same_rel(cat, r->cols[i].identity_seq);
	for (size_t i = 0; i < r->ncons; i++)
		r->cons[i].ref = same_rel(cat, r->cons[i].ref);
	for (size_t i = 0; i < r->ninh_keys; i++)
		r->inh_keys[i].ref = same_rel(cat, r->inh_keys[i].ref);
}

/* The count PREV kept for its relation OID, or -1 (read it again next
 * time) when it has none. */
static long long prev_count(const struct catalog *prev, unsigned oid)
{
	const struct cat_relation *r = rel_by_oid(prev, oid);
	return r ? r->rowcount : -1;
}

static int cmp_rel_oid(const void *a, const void *b)
{
	unsigned x = ((const struct cat_relation *)a)->oid, y = ((const struct cat_relation *)b)->oid;
	return x < y ? -1 : x > y;
}

void incr_merge(struct loader *ld)
{
	struct catalog *cat = ld->cat;
	if (ld->prev && ld->rel_oids) {
		size_t from = cat->nrels;
		/* Copied ahead (catalog_copy.c), or here. */
		const struct cat_relation *ahead = rel_copy_take(ld->copy, ld->prev, cat->arena);
		cat->copied_ahead = ahead != NULL;
		/* Merged in OID order with PREV's, which are (catalog.h), rather
		 * than appended and sorted: a qsort moved each of these large
		 * structs a dozen times (at 10,000 tables, most of what the
		 * merge took once the copies were made ahead). The relations
		 * read again are few; SQL_RELATIONS orders them already. */
		struct cat_relation *read = malloc((from + 1) * sizeof *read);
		if (!read)
			abort();
		memcpy(read, cat->rels, from * sizeof *read);
		for (size_t r = 1; r < from; r++)
			if (read[r - 1].oid > read[r].oid) {
				qsort(read, from, sizeof *read, cmp_rel_oid);
				break;
			}
		size_t n = 0, r = 0;
		for (size_t i = 0; i < ld->prev->nrels; i++) {
			const struct cat_relation *p = &ld->prev->rels[i];
			if (!kept(ld, p))
				continue;
			while (r < from && read[r].oid < p->oid)
				cat->rels[n++] = read[r++];
			if (ahead)
				cat->rels[n++] = ahead[i];
			else
				copy_rel(cat->arena, &cat->rels[n++], p);
		}
		while (r < from)
			cat->rels[n++] = read[r++];
		cat->nrels = n;
		free(read);
		/* Only the copies have one (the arena zeroes the others). */
		for (size_t i = 0; i < cat->nrels; i++)
			if (cat->rels[i].key_self)
				cat->rels[i].key_self = &cat->rels[i];
		/* The copies still point into PREV (which is alive until the
		 * caller frees it): their pointers are by OID. The relations
		 * read again have no columns nor constraints yet. */
		if (cat->nrels > from)
			for (size_t i = 0; i < cat->nrels; i++)
				relink(cat, &cat->rels[i]);
	}
	/* A relation without a row in a slim answer has PREV's count (no
	 * row was deleted since), also when the plan became a full read
	 * (a view changed, most relations to read again): those rows are
	 * not all there, and a count left at 0 would hide the next
	 * deletion. */
	for (size_t i = 0; i < cat->nrels; i++) {
		int row = change_row(ld, cat->rels[i].oid);
		if (row > 0)	/* a NULL count (none known): read it again next time */
			cat->rels[i].rowcount = PQgetisnull(ld->changes, row, 2) ? -1 : col_ll(ld->changes, row, 2);
		else
			cat->rels[i].rowcount = ld->count_from ? prev_count(ld->count_from, cat->rels[i].oid) : -1;
	}
	/* Consumed: not held through the rest of the load. */
	PQclear(ld->changes);
	ld->changes = NULL;
}
