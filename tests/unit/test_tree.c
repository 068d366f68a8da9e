/* Unit tests: the rendered tree (tree.c): layout, lookups, mtimes. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "mtimes.h"
#include "names.h"
#include "strbuf.h"
#include "tap.h"
#include "tree.h"
#include "tree_key.h"

struct seen {
	char paths[32][256];
	int n;
};

static void record(void *ctx, const char *path)
{
	struct seen *s = ctx;
	if (s->n < 32)
		snprintf(s->paths[s->n++], 256, "%s", path);
}

static bool saw(const struct seen *s, const char *path)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->paths[i], path))
			return true;
	return false;
}

/* mtimes_format()'s flush for the test: appends OUT to CTX's strbuf. */
static int joins;
static void join_piece(void *ctx, struct strbuf *out)
{
	if (out->len >= 1024 * 1024)
		joins++;
	sb_addn(ctx, out->buf ? out->buf : "", out->len);
	sb_reset(out);
}

struct reader {
	struct tree *t;
	const struct node *n;
};

/* Renders every table directory of T below N (as a walk would). */
static void render_all(const struct tree *t, const struct node *n)
{
	n = tree_dir(t, n);
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->is_dir)
			render_all(t, n->kids[i]);
}

/* Whether OUT's records hold one for PATH, with mtime SEC. */
static bool has_record(const struct strbuf *out, const char *path, long long sec)
{
	for (size_t off = 0; off < out->len; off += strlen(out->buf + off) + 1) {
		unsigned long long h;
		long long s;
		long ns;
		int at = 0;
		if (sscanf(out->buf + off, "%16llx %lld %ld %n", &h, &s, &ns, &at) == 3 && at &&
		    !strcmp(out->buf + off + at, path) && s == sec)
			return true;
	}
	return false;
}

/* OUT's record of PATH, whole (malloc'd), or NULL. */
static char *record_of(const struct strbuf *out, const char *path)
{
	for (size_t off = 0; off < out->len; off += strlen(out->buf + off) + 1) {
		const char *sp = strchr(out->buf + off, ' ');
		sp = sp ? strchr(sp + 1, ' ') : NULL;
		sp = sp ? strchr(sp + 1, ' ') : NULL;
		if (sp && !strcmp(sp + 1, path))
			return strdup(out->buf + off);
	}
	return NULL;
}

static void *read_whole(void *arg)
{
	struct reader *r = arg;
	r->n = tree_file(r->t, tree_lookup(r->t, "schema.sql"));
	return NULL;
}

int main(void)
{
	struct catalog *cat = fixture_catalog("'pending'::booking_status");
	struct timespec t1 = { 1000, 0 }, t2 = { 2000, 0 };
	struct tree *a = tree_build(cat, NULL, t1);

	const struct node *n = tree_lookup(a, "schemas/public/tables/booking/columns/status");
	ok(n && !n->is_dir, "column file found");
	ok(n && n->size == strlen(n->data), "size matches content");
	ok(tree_lookup(a, "schemas/public/tables/booking/nope") == NULL, "missing path: NULL");
	ok(tree_lookup(a, "schemas/public/tables/booking/table.sql/x") == NULL, "path below a file: NULL");
	ok(tree_lookup(a, "") == a->root && a->root->is_dir, "empty path is the database directory");
	ok(a->root->nsubdirs == 7, "root counts its subdirectories (casts, event_triggers, extensions, foreign_data, "
	   "migrations, publications, schemas): %zu", a->root->nsubdirs);
	ok(tree_lookup(a, "foreign_data/wrappers") && tree_lookup(a, "foreign_data/wrappers")->nkids == 0 &&
	   tree_lookup(a, "foreign_data/servers") && tree_lookup(a, "foreign_data")->nsubdirs == 2,
	   "foreign_data/wrappers/ and foreign_data/servers/ are there, empty");
	ok(tree_lookup(a, "schemas/public/foreign_tables") && tree_lookup(a, "schemas/public/foreign_tables")->is_dir,
	   "a schema has foreign_tables/");
	ok(tree_lookup(a, "casts") && tree_lookup(a, "casts")->nkids == 0 && tree_lookup(a, "event_triggers") &&
	   tree_lookup(a, "publications"), "casts/, event_triggers/, publications/ are there, empty");
	ok(tree_lookup(a, "schemas/public/tables/booking")->nsubdirs == 5, "a table directory has 5 subdirectories");
	static const char *const dirs[] = { "schema.sql", "extensions", "migrations", "schemas" };
	for (size_t i = 0; i < 4; i++)
		ok(tree_lookup(a, dirs[i]) != NULL, "%s present", dirs[i]);
	const struct node *tdir = tree_lookup(a, "schemas/public/tables/booking");
	static const char *const want[] = { "columns", "comment", "constraints", "indexes",
					    "policies", "table.sql", "triggers" };
	ok(tdir && tdir->nkids == 7, "table directory has 7 entries");
	for (size_t i = 0; tdir && i < tdir->nkids && i < 7; i++)
		is_str(tdir->kids[i]->name, want[i], "table entry %zu sorted", i);
	const struct node *sdir = tree_lookup(a, "schemas/public");
	bool sorted = true;
	for (size_t i = 1; sdir && i < sdir->nkids; i++)
		sorted &= strcmp(sdir->kids[i - 1]->name, sdir->kids[i]->name) < 0;
	ok(sorted && sdir->nkids == 13, "schema directory sorted, 13 entries (conversions/, foreign_tables/, "
	   "operator_classes/, operator_families/, text_search/ among them)");
	ok(tree_lookup(a, "schemas/public/text_search/configurations") && tree_lookup(a, "schemas/public/text_search")->nsubdirs == 4,
	   "text_search/ has its four directories");
	ok(tree_lookup(a, "schemas/public/functions/add(a integer, b integer).sql") != NULL,
	   "function file named name(args).sql");
	ok(tree_lookup(a, "schemas/public/types/booking_status") != NULL, "enum file without suffix");
	const struct node *comment = tree_lookup(a, "schemas/public/tables/customer/comment");
	ok(comment && comment->size == 0, "no comment: empty file");

	/* erd.md read in A only: its record travels through B unread. */
	ok(tree_file(a, tree_lookup(a, "schemas/public/erd.md"))->mtime.tv_sec == 1000, "erd.md rendered in A");

	/* Same catalog again: every mtime inherited, nothing reported. */
	struct tree *b = tree_build(cat, NULL, t2);
	struct seen s1 = { .n = 0 };
	tree_inherit(b, a, record, &s1);
	ok(s1.n == 0, "identical trees: no change reported (%d)", s1.n);
	ok(tree_file_pending(tree_lookup(b, "schema.sql")) && tree_file_pending(tree_lookup(b, "schemas/public/erd.md")),
	   "whole-schema files are not rendered at build");
	ok(tree_file(b, tree_lookup(b, "schema.sql"))->mtime.tv_sec == 1000,
	   "identical content keeps its mtime (same catalog, the old one never rendered)");
	ok(!tree_file_pending(tree_lookup(b, "schema.sql")) && tree_lookup(b, "schema.sql")->size > 0 &&
	   tree_lookup(b, "schema.sql")->size == strlen(tree_lookup(b, "schema.sql")->data),
	   "rendered on first use, its size that of its content");


	/* One default changes: that column, table.sql and schema.sql change. */
	struct catalog *cat2 = fixture_catalog("'confirmed'::booking_status");
	struct tree *c = tree_build(cat2, NULL, t2);
	struct seen s2 = { .n = 0 };
	tree_inherit(c, b, record, &s2);
	ok(saw(&s2, "schemas/public/tables/booking/columns/status"), "changed column reported");
	ok(saw(&s2, "schema.sql") && saw(&s2, "schemas/public/erd.md") && saw(&s2, "schemas/public/schema.sql"),
	   "whole-schema files of another catalog reported, unrendered");
	ok(tree_file_pending(tree_lookup(c, "schemas/public/erd.md")), "inherit renders none of them");
	ok(tree_file(c, tree_lookup(c, "schema.sql"))->mtime.tv_sec == 2000, "changed schema.sql: the new mtime");
	ok(tree_file(c, tree_lookup(c, "schemas/public/erd.md"))->mtime.tv_sec == 1000,
	   "erd.md unchanged (a default is not in it): the mtime it had when last read, two trees ago");
	ok(saw(&s2, "schemas/public/tables/booking/table.sql"), "changed table.sql reported");
	ok(!saw(&s2, "schemas/public/tables/customer/table.sql"), "unchanged table not reported");
	ok(tree_lookup(c, "schemas/public/tables/booking/columns/status")->mtime.tv_sec == 2000,
	   "changed file gets the new mtime");
	ok(tree_lookup(c, "schemas/public/tables/customer/table.sql")->mtime.tv_sec == 1000,
	   "unchanged file keeps the old mtime");
	ok(tree_lookup(c, "schemas/public/tables/booking/columns")->mtime.tv_sec == 1000,
	   "directory with the same listing keeps its mtime");

	/* Built from B: the unchanged table's directory is B's own (shared),
	 * the changed one's is new; the files are those of C, and inherit
	 * reports and dates them as for C. */
	struct timespec t3 = { 3000, 0 };
	struct tree *d = tree_build_from(cat2, NULL, t3, b);
	ok(tree_lookup(d, "schemas/public/tables/customer") == tree_lookup(b, "schemas/public/tables/customer"),
	   "unchanged table: the previous tree's directory");
	ok(tree_lookup(d, "schemas/public/tables/booking") != tree_lookup(b, "schemas/public/tables/booking"),
	   "changed table: a directory of its own");
	ok(d->nnodes == c->nnodes && d->bytes == c->bytes, "same node and byte counts as a tree built afresh");
	const char *const files[] = { "schemas/public/tables/booking/table.sql", "schemas/public/tables/booking/columns/status",
				      "schemas/public/tables/customer/table.sql", "schema.sql" };
	for (size_t i = 0; i < 4; i++) {
		const struct node *x = tree_file(d, tree_lookup(d, files[i])), *y = tree_file(c, tree_lookup(c, files[i]));
		ok(x && y && x->size == y->size && !memcmp(x->data, y->data, x->size), "%s as built afresh", files[i]);
	}
	struct seen s3 = { .n = 0 };
	tree_inherit(d, b, record, &s3);
	ok(saw(&s3, "schemas/public/tables/booking/columns/status") && !saw(&s3, "schemas/public/tables/customer"),
	   "inherit reports the changed table, not the shared one");
	ok(tree_lookup(d, "schemas/public/tables/customer/table.sql")->mtime.tv_sec == 1000 &&
	   tree_lookup(d, "schemas/public/tables/booking/columns/status")->mtime.tv_sec == 3000,
	   "shared files keep their mtime, changed ones get the new");
	/* An extra file in the customer's directory: that directory is the
	 * new tree's alone, and the previous tree does not see the file. */
	struct tree_file scratch = { "schemas/public/tables/customer/columns/.x.swp", "x", 1 };
	struct tree_extras with = { "", &scratch, 1, false, NULL };
	struct tree *e = tree_build_from(cat2, &with, t3, d);
	ok(tree_lookup(e, "schemas/public/tables/customer/columns/.x.swp") != NULL, "extra file in a table directory");
	ok(tree_lookup(e, "schemas/public/tables/customer") != tree_lookup(d, "schemas/public/tables/customer") &&
	   tree_lookup(d, "schemas/public/tables/customer/columns/.x.swp") == NULL,
	   "its directory is not shared: the previous tree is unchanged");
	ok(tree_lookup(e, "schemas/public/tables/booking") == tree_lookup(d, "schemas/public/tables/booking"),
	   "the other tables' directories still are");
	/* Shared directories outlive the tree they were built for. */
	tree_unref(d);
	const struct node *kept = tree_lookup(e, "schemas/public/tables/booking/table.sql");
	ok(kept && kept->size == tree_lookup(c, "schemas/public/tables/booking/table.sql")->size,
	   "a shared directory stays valid once the tree it came from is freed");
	tree_unref(e);

	/* Let go (max_memory): the next tree gets the chosen directories
	 * unrendered and the same; nothing is reported; a file's mtime
	 * survives the render that follows. */
	{
		struct tree *x = tree_build(cat, NULL, t1);
		render_all(x, x->root);
		struct node *xf = (struct node *)tree_lookup(x, "schemas/public/tables/customer/table.sql");
		xf->mtime = (struct timespec){ 4242, 7 };
		size_t bytes = 0;
		ok(tree_evict(x, 0, 0, &bytes) == 0 && bytes == 0, "nothing wanted: nothing let go");
		ok(tree_evict(x, 1, (size_t)1 << 30, &bytes) == 0 && bytes == 0,
		   "less rendered than worth a publish: nothing let go");
		size_t one = tree_evict(x, 1, 0, &bytes);
		ok(one == 1 && bytes > 0, "one byte wanted: one directory let go (%zu, %zu bytes)", one, bytes);
		size_t all = tree_evict(x, (size_t)-1, 0, &bytes);
		ok(all >= 1 && bytes > 0, "the rest let go (%zu more)", all);
		struct tree *y = tree_build_from(cat, NULL, t2, x);
		struct seen sy = { .n = 0 };
		tree_inherit(y, x, record, &sy);
		const struct node *yc = tree_find(y, "schemas/public/tables/customer");
		ok(yc && tree_dir_pending(yc) && yc != tree_find(x, "schemas/public/tables/customer"),
		   "the next tree: the directory made again, unrendered");
		ok(sy.n == 0, "nothing reported: the same content (%d)", sy.n);
		const struct node *yf = tree_lookup(y, "schemas/public/tables/customer/table.sql");
		ok(yf && yf->mtime.tv_sec == 4242 && yf->mtime.tv_nsec == 7 && yf->size == xf->size &&
		   !memcmp(yf->data, xf->data, yf->size), "rendered again: the same content and mtime");
		ok(yc->mtime.tv_sec == tree_find(x, "schemas/public/tables/customer")->mtime.tv_sec,
		   "the directory's own mtime too");
		tree_unref(x);
		tree_unref(y);

		/* A tree's share: with nine other trees holding as much
		 * rendered (x0's let go no longer count), a want of all this
		 * tree holds is about a tenth of it, which its least recent
		 * directory covers. */
		struct tree *x0 = tree_build(cat, NULL, t1), *many[10];
		render_all(x0, x0->root);
		size_t x0_bytes = 0;
		ok(tree_evict(x0, (size_t)-1, 0, &x0_bytes) == 2 && x0_bytes > 0, "all of a tree's directories (%zu bytes)",
		   x0_bytes);
		for (int i = 0; i < 10; i++) {
			many[i] = tree_build(cat, NULL, t1);
			render_all(many[i], many[i]->root);
		}
		size_t share = 0;
		ok(tree_evict(many[0], x0_bytes, 0, &share) == 1 && share < x0_bytes,
		   "a want of all it holds, with nine more trees as large: one directory (%zu bytes)", share);
		for (int i = 0; i < 10; i++)
			tree_unref(many[i]);
		tree_unref(x0);
	}

	/* A live view: history and status, nothing to stage or apply into. */
	struct tree_extras live = { "view: live\n", NULL, 0, true, "0001_x: journal entry without its file\n" };
	struct tree *l = tree_build(cat, &live, t1);
	const struct node *md = tree_lookup(l, "migrations");
	ok(md && md->nkids == 4 && tree_lookup(l, "migrations/applied") && tree_lookup(l, "migrations/journal.json") &&
	   tree_lookup(l, "migrations/status") && tree_lookup(l, "migrations/check"),
	   "live view: migrations/ holds applied/, check, journal.json, status");
	const struct node *ck = tree_lookup(l, "migrations/check");
	ok(ck && ck->size == strlen(live.check) && !memcmp(ck->data, live.check, ck->size),
	   "check: its text, its exact size");
	ok(tree_lookup(a, "migrations/check") && tree_lookup(a, "migrations/check")->size == 0,
	   "no check text: an empty check");
	ok(!tree_lookup(l, "migrations/pending") && !tree_lookup(l, "migrations/apply"),
	   "live view: no pending/ nor apply/");
	ok(tree_lookup(a, "migrations/pending") && tree_lookup(a, "migrations/apply"),
	   "a normal tree has pending/ and apply/");
	tree_unref(l);

	/* applied/ lists in the order applied, even when the tags of an
	 * older history do not sort that way; lookups still work. */
	struct cat_migration rows[3] = {
		{ .id = 1, .hash = "aa", .created_at = 10, .tag = "0000_booking", .sql = "a" },
		{ .id = 2, .hash = "bb", .created_at = 20, .tag = "0000_staff", .sql = "b" },
		{ .id = 3, .hash = "cc", .created_at = 30, .tag = "0000_ack", .sql = "c" },
	};
	struct cat_migration *saved = cat->migrations;
	size_t nsaved = cat->nmigrations;
	cat->migrations = rows;
	cat->nmigrations = 3;
	struct tree *o = tree_build(cat, NULL, t1);
	const struct node *ap = tree_lookup(o, "migrations/applied");
	ok(ap && ap->nkids == 3 && ap->listing && !strcmp(ap->listing[0]->name, "0000_booking.sql") &&
	   !strcmp(ap->listing[1]->name, "0000_staff.sql") && !strcmp(ap->listing[2]->name, "0000_ack.sql"),
	   "applied/ listed in the order applied");
	ok(tree_lookup(o, "migrations/applied/0000_ack.sql") && tree_lookup(o, "migrations/applied/0000_staff.sql"),
	   "applied/ files found by name");
	ok(!tree_lookup(o, "migrations")->listing, "other directories: listed by name");
	tree_unref(o);
	cat->migrations = saved;
	cat->nmigrations = nsaved;

	tree_ref(c);
	tree_unref(c);
	ok(c->refs == 1, "reference counting");
	tree_unref(a);
	tree_unref(b);
	tree_unref(c);
	catalog_free(cat);
	catalog_free(cat2);

	/* extensions/: one file per extension, sorted, names escaped. */
	struct catalog *xc = fixture_catalog("'pending'::booking_status");
	struct cat_extension xs[] = {
		{ .name = "plpgsql", .qname = "plpgsql", .qschema = "pg_catalog", .version = "1.0", .builtin = true },
		{ .name = "a/b", .qname = "\"a/b\"", .qschema = "public", .version = "2" },
		{ .name = "citext", .qname = "citext", .qschema = "public", .version = "1.6", .comment = "mine" },
	};
	xc->exts = xs;
	xc->nexts = 3;
	struct tree *xt = tree_build(xc, NULL, t1);
	const struct node *xd = tree_lookup(xt, "extensions");
	ok(xd && xd->is_dir && xd->nkids == 3, "extensions/ lists every extension, initdb's too");
	static const char *const xwant[] = { "a%2Fb.sql", "citext.sql", "plpgsql.sql" };
	for (size_t i = 0; xd && i < xd->nkids && i < 3; i++)
		is_str(xd->kids[i]->name, xwant[i], "extensions/ entry %zu sorted, escaped", i);
	const struct node *xf = tree_lookup(xt, "extensions/citext.sql");
	is_str(xf ? xf->data : "", "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public VERSION '1.6';\n"
	       "COMMENT ON EXTENSION citext IS 'mine';\n", "extensions/citext.sql");
	ok(xf && xf->size == strlen(xf->data), "its size is its content's");
	const struct node *xs_sql = tree_file(xt, tree_lookup(xt, "schema.sql"));
	ok(xs_sql && !strstr(xs_sql->data, "plpgsql") && strstr(xs_sql->data, "EXTENSION IF NOT EXISTS citext"),
	   "schema.sql leaves initdb's plpgsql out, as pg_dump does");
	tree_unref(xt);
	catalog_free(xc);

	/* Many first readers at once: one rendering, all see it whole. The
	 * tree outlives the caller's catalog reference. */
	struct catalog *rc = fixture_catalog("'pending'::booking_status");
	struct tree *rt = tree_build(rc, NULL, t1);
	catalog_free(rc);
	pthread_t th[8];
	struct reader rd[8];
	for (int i = 0; i < 8; i++) {
		rd[i] = (struct reader){ rt, NULL };
		pthread_create(&th[i], NULL, read_whole, &rd[i]);
	}
	bool alike = true;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		alike &= rd[i].n == rd[0].n && rd[i].n && rd[i].n->size > 0;
	}
	ok(alike, "eight concurrent first readers get the same rendered node");
	tree_unref(rt);
	/* mtimes: the records are "%016llx %lld %ld <path>", NUL-ended (the
	 * file a remount reads, written without printf), and a tree built
	 * later takes the mtimes back from them. */
	{
		struct catalog *mc = fixture_catalog("'pending'::booking_status");
		struct timespec old = { 1234567890, 987654321 }, later = { 2000000000, 5 };
		struct tree *mt = tree_build(mc, NULL, old);
		struct strbuf out = STRBUF_INIT;
		/* A table directory never rendered has no record: its files
		 * were never seen. */
		mtimes_format(mt, &out, NULL, NULL);
		const struct node *tabs = tree_lookup(mt, "schemas/public/tables");
		ok(tabs && tabs->nkids && tree_dir_pending(tabs->kids[0]),
		   "a table directory is not rendered before something looks into it");
		ok(!has_record(&out, "schemas/public/tables/booking/table.sql", old.tv_sec) &&
		   has_record(&out, "schemas/public/tables", old.tv_sec),
		   "before a walk: the tables/ directory's record, none for the files of a table never looked into");
		/* Its attributes are known unrendered, and rendering does not
		 * change them: the same nlink, and the same record (its
		 * listing's hash and mtime). */
		char *before = record_of(&out, "schemas/public/tables/booking");
		const struct node *bk = tree_find(mt, "schemas/public/tables/booking");
		size_t sub_before = bk ? bk->nsubdirs : 0;
		ok(bk && tree_dir_pending(bk) && sub_before == 5 && before,
		   "an unrendered table directory has its attributes (5 subdirectories) and its record");
		sb_reset(&out);
		render_all(mt, mt->root);
		mtimes_format(mt, &out, NULL, NULL);
		char *after = record_of(&out, "schemas/public/tables/booking");
		unsigned long long lh = listing_hash_seed();
		for (size_t i = 0; bk && i < bk->nkids; i++)
			lh = listing_hash_add(lh, bk->kids[i]->name);
		ok(bk && lh == bk->hash, "the hash known unrendered is its rendered listing's");
		ok(bk && !tree_dir_pending(bk) && bk->nsubdirs == sub_before && bk->nkids == 7 && after && before &&
		   !strcmp(after, before), "rendered: the same attributes and record (%s)", after ? after : "none");
		free(before);
		free(after);
		size_t nrec = 0, bad = 0;
		bool root = false;
		for (size_t off = 0; off < out.len; off += strlen(out.buf + off) + 1, nrec++) {
			const char *rec = out.buf + off;
			unsigned long long h;
			long long sec;
			long nsec;
			int at = 0;
			char again[4096];
			if (sscanf(rec, "%16llx %lld %ld %n", &h, &sec, &nsec, &at) != 3 || !at) {
				bad++;
				continue;
			}
			snprintf(again, sizeof again, "%016llx %lld %ld %s", h, sec, nsec, rec + at);
			bad += strcmp(again, rec) != 0 || (sec == old.tv_sec && nsec != old.tv_nsec);
			root |= !rec[at];
		}
		ok(nrec > 50 && !bad && root, "mtimes records as printf would write them (%zu records, %zu differ), "
		   "the database directory's with an empty path", nrec, bad);
		/* Zero and negative times as printf writes them; the records
		 * flushed 1 MiB at a time are the same bytes. */
		struct node *neg = (struct node *)tree_lookup(mt, "schemas/public/tables/booking/columns/status");
		struct node *zero = (struct node *)tree_lookup(mt, "schemas/public/tables/booking/table.sql");
		neg->mtime = (struct timespec){ -1, 0 };
		zero->mtime = (struct timespec){ 0, 0 };
		struct strbuf odd = STRBUF_INIT;
		mtimes_format(mt, &odd, NULL, NULL);
		char want_neg[128], want_zero[128];
		snprintf(want_neg, sizeof want_neg, "%016llx %lld %ld %s", neg->hash, -1LL, 0L,
			 "schemas/public/tables/booking/columns/status");
		snprintf(want_zero, sizeof want_zero, "%016llx %lld %ld %s", zero->hash, 0LL, 0L,
			 "schemas/public/tables/booking/table.sql");
		bool has_neg = false, has_zero = false;
		for (size_t off = 0; off < odd.len; off += strlen(odd.buf + off) + 1) {
			has_neg |= !strcmp(odd.buf + off, want_neg);
			has_zero |= !strcmp(odd.buf + off, want_zero);
		}
		ok(has_neg && has_zero, "a negative and a zero mtime written as printf would");
		/* The fixture's records are far below 1 MiB: the buffer starts
		 * with 1 MiB already in it, so the first record flushes. */
		struct strbuf joined = STRBUF_INIT;
		struct strbuf piece = STRBUF_INIT;
		for (int i = 0; i < 1024; i++)
			sb_addn(&piece, odd.buf, 1024 < odd.len ? 1024 : odd.len);
		size_t prefix = piece.len;
		mtimes_format(mt, &piece, join_piece, &joined);
		join_piece(&joined, &piece);
		ok(joins == 1 && joined.len == prefix + odd.len && !memcmp(joined.buf + prefix, odd.buf, odd.len),
		   "flushed once 1 MiB is buffered (%d flushes): the same bytes", joins);
		strbuf_free(&odd);
		strbuf_free(&joined);
		strbuf_free(&piece);
		neg->mtime = zero->mtime = old;

		char file[] = "/tmp/test_tree_mtimes.XXXXXX";
		int fd = mkstemp(file);
		ok(fd >= 0 && write(fd, out.buf, out.len) == (ssize_t)out.len, "records written");
		close(fd);
		struct tree *mt2 = tree_build(mc, NULL, later);
		long set = mtimes_apply(mt2, file);
		const struct node *col = tree_lookup(mt2, "schemas/public/tables/booking/columns/status");
		/* Before col's lookup rendered booking/, its records were
		 * carried, not lost: a save writes them back as they were. */
		struct strbuf back = STRBUF_INIT;
		struct tree *mt3 = tree_build(mc, NULL, later);
		ok(mtimes_apply(mt3, file) > 50 && tree_dir_pending(tree_lookup(mt3, "schemas/public/tables")->kids[0]),
		   "records applied to a tree whose tables are not rendered yet");
		mtimes_format(mt3, &back, NULL, NULL);
		ok(has_record(&back, "schemas/public/tables/booking/columns/status", old.tv_sec) &&
		   has_record(&back, "schemas/public/tables/booking", old.tv_sec),
		   "an unrendered table directory's records are written back with their paths");
		const struct node *col3 = tree_lookup(mt3, "schemas/public/tables/booking/columns/status");
		const struct node *bk3 = tree_lookup(mt3, "schemas/public/tables/booking");
		ok(col3 && col3->mtime.tv_sec == old.tv_sec && bk3->mtime.tv_sec == old.tv_sec,
		   "rendered later, the table directory and its files take the carried mtimes");
		tree_unref(mt3);
		strbuf_free(&back);
		ok(set > 50 && col && col->mtime.tv_sec == old.tv_sec && col->mtime.tv_nsec == old.tv_nsec,
		   "a new tree takes its mtimes back from the records (%ld set)", set);
		unlink(file);
		strbuf_free(&out);
		tree_unref(mt2);
		tree_unref(mt);
		catalog_free(mc);
	}
	{
		/* A table's key (tree_key.c): the same content in other memory
		 * hashes the same; any field changed, and a string's bytes
		 * moved across its frame, do not. */
		struct catalog *k1 = fixture_catalog("'pending'::booking_status");
		struct catalog *k2 = fixture_catalog("'pending'::booking_status");
		struct cat_relation *b1 = &k1->rels[1], *b2 = &k2->rels[1];
		unsigned long long base = tree_table_key(k1, b1);
		ok(base == tree_table_key(k2, b2), "the same table in two catalogs has one key");
		ok(tree_table_key(k1, &k1->rels[0]) != base, "two tables have two keys");
		const char *name = b2->cols[1].name;
		b2->cols[1].name = "customer_iD";
		ok(tree_table_key(k2, b2) != base, "a column's name changed changes the key");
		b2->cols[1].name = name;
		const char *comment = b2->comment;
		b2->comment = NULL;
		unsigned long long null_comment = tree_table_key(k2, b2);
		b2->comment = "";
		ok(null_comment != base && tree_table_key(k2, b2) != null_comment,
		   "a NULL comment and an empty one differ");
		b2->comment = comment;
		/* name and qname, hashed one after the other: "booking" +
		 * "booking" against "bookingb" + "ooking" */
		const char *tname = b2->name, *qname = b2->qname;
		b2->name = "bookingb";
		b2->qname = "ooking";
		unsigned long long moved = tree_table_key(k2, b2);
		b2->name = tname;
		b2->qname = qname;
		ok(moved != base, "bytes moved from one string to the next change the key");
		b2->cols[2].defexpr = "'confirmed'::booking_status";
		ok(tree_table_key(k2, b2) != base, "a default changed changes the key");
		ok(tree_table_key(k1, b1) == base, "and the other catalog's key is as it was");
		/* The memo (tree_key_memoize): the same key, and a copy made
		 * by assignment, then edited, does not take the original's. */
		tree_key_memoize(k1);
		ok(b1->key_self == b1 && tree_table_key_memo(k1, b1) == base, "a memoized key is the key");
		struct cat_relation copy = *b1;
		copy.comment = "edited";
		ok(tree_table_key_memo(k1, &copy) == tree_table_key(k1, &copy) &&
		   tree_table_key_memo(k1, &copy) != base, "an edited copy computes its own key");
		ok(tree_table_key_memo(k2, b2) == tree_table_key(k2, b2), "no memo: the key is computed");
		/* Staged trigger and policy files: only the table's own move
		 * its key, so a tree with a file staged elsewhere reuses it. */
		const struct cat_relation *other = &k1->rels[0];
		struct cat_objfile of[] = {
			{ "triggers", other->schema->name, other->name, "t1", "CREATE TRIGGER t1 ..." },
		};
		k1->objfiles = of;
		k1->nobjfiles = 1;
		ok(tree_table_key_memo(k1, b1) == base && tree_table_key(k1, b1) == base,
		   "a file staged for another table leaves the key as it was");
		of[0].schema = b1->schema->name;
		of[0].table = b1->name;
		ok(tree_table_key_memo(k1, b1) != base && tree_table_key_memo(k1, b1) == tree_table_key(k1, b1),
		   "a file staged for the table changes its key");
		k1->objfiles = NULL;
		k1->nobjfiles = 0;
		catalog_free(k1);
		catalog_free(k2);
	}
	return done_testing();
}
