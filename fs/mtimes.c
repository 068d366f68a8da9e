/* mtimes.c: persisted first-seen times of file contents; see mtimes.h. */
#include "mtimes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "strbuf.h"
#include "tree.h"

/* A directory's "content" is its listing. A table's directory has its
 * listing's hash from the start, rendered or not (tree.h: Lazy table
 * directories). */
static unsigned long long node_hash(const struct node *n)
{
	if (!n->is_dir || n->shared)
		return n->hash;
	unsigned long long h = listing_hash_seed();
	for (size_t i = 0; i < n->nkids; i++)
		h = listing_hash_add(h, n->kids[i]->name);
	return h;
}

/* Paths are kept as 64-bit hashes: the table costs 32 bytes a slot, not
 * the file's size, when a large tree is mounted again. */
struct record {
	unsigned long long path;	/* 0: empty slot */
	unsigned long long hash;
	struct timespec mtime;
};

struct table {
	struct record *slots;
	size_t mask;
};

static unsigned long long path_key_n(const char *path, size_t len)
{
	unsigned long long h = name_hash(path, len);
	return h ? h : 1;
}

static unsigned long long path_key(const char *path)
{
	return path_key_n(path, strlen(path));
}

/* Parses record LINE: its hash and mtime into R, and *OFF the offset of
 * its path. False: a damaged record, which only costs its mtime. */
static bool parse_record(const char *line, struct record *r, int *off)
{
	long long sec;
	long nsec;
	*off = 0;
	if (sscanf(line, "%16llx %lld %ld %n", &r->hash, &sec, &nsec, off) != 3 || !*off)
		return false;
	r->mtime.tv_sec = (time_t)sec;
	r->mtime.tv_nsec = nsec;
	return true;
}

static bool table_init(struct table *tb, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 16)
		cap *= 2;
	tb->mask = cap - 1;
	tb->slots = calloc(cap, sizeof *tb->slots);
	return tb->slots != NULL;
}

static struct record *slot_for(const struct table *tb, unsigned long long key)
{
	size_t i = (size_t)key & tb->mask;
	while (tb->slots[i].path && tb->slots[i].path != key)
		i = (i + 1) & tb->mask;
	return &tb->slots[i];
}

/* Keeps R in TB, which holds *USED of its slots: at most half of them
 * (when full, the rest keep the mount's time). */
static void table_put(struct table *tb, size_t *used, const struct record *r)
{
	struct record *slot = slot_for(tb, r->path);
	if (!slot->path) {
		if (*used + 1 > (tb->mask + 1) / 2)
			return;
		(*used)++;
	}
	*slot = *r;
}

static long apply_walk(struct node *n, struct strbuf *path, const struct table *tb)
{
	long set = 0;
	if (tree_dir_pending(n))	/* its records are carried (mtimes_apply) */
		return 0;
	const struct record *r = slot_for(tb, path_key(sb_str(path)));
	if (!n->is_dir && n->lazy) {
		/* Not rendered: whether the hash matches is known when it is. */
		if (r->path) {
			tree_file_carry(n, r->hash, r->mtime);
			set++;
		}
	} else if (r->path && r->hash == node_hash(n)) {
		n->mtime = r->mtime;
		set++;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		size_t keep = path->len;
		sb_addf(path, "%s%s", keep ? "/" : "", n->kids[i]->name);
		set += apply_walk(n->kids[i], path, tb);
		path->len = keep;
		path->buf[keep] = '\0';
	}
	return set;
}

/* The tree's table directories not rendered yet, by path: the records
 * of the paths in one are handed to it (tree_dir_carry) rather than kept
 * in the table, as its nodes do not exist yet. */
struct pending_dir {
	unsigned long long path;	/* 0: empty slot */
	struct node *n;
	struct strbuf blob;
};

struct pending_dirs {
	struct pending_dir *slots;
	size_t mask, n;
};

static struct pending_dir *pending_slot(const struct pending_dirs *pd, unsigned long long key)
{
	size_t i = (size_t)key & pd->mask;
	while (pd->slots[i].path && pd->slots[i].path != key)
		i = (i + 1) & pd->mask;
	return &pd->slots[i];
}

static void count_pending(const struct node *n, size_t *count)
{
	if (tree_dir_pending(n)) {
		(*count)++;
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->is_dir)
			count_pending(n->kids[i], count);
}

static void collect_pending(struct node *n, struct strbuf *path, struct pending_dirs *pd)
{
	if (tree_dir_pending(n)) {
		struct pending_dir *d = pending_slot(pd, path_key(sb_str(path)));
		d->path = path_key(sb_str(path));
		d->n = n;
		d->blob = (struct strbuf)STRBUF_INIT;
		return;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		if (!n->kids[i]->is_dir)
			continue;
		size_t keep = path->len;
		sb_addf(path, "%s%s", keep ? "/" : "", n->kids[i]->name);
		collect_pending(n->kids[i], path, pd);
		path->len = keep;
		path->buf[keep] = '\0';
	}
}

/* Record R, LINE (its path at OFF), of a pending directory or of a path
 * in one: the directory's own is applied (its listing's hash is known),
 * the others are added to its blob with their paths made relative to it.
 * False: in none. */
static bool carry_record(const struct pending_dirs *pd, const struct record *r, const char *line, int off)
{
	const char *path = line + off;
	for (size_t i = 0;; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		struct pending_dir *d = pending_slot(pd, path_key_n(path, i));
		if (d->path && !path[i]) {
			if (r->hash == d->n->hash)
				d->n->mtime = r->mtime;
			return true;
		}
		if (d->path) {
			sb_addn(&d->blob, line, (size_t)off);
			sb_add(&d->blob, path[i] ? path + i + 1 : "");
			sb_addc(&d->blob, '\0');
			return true;
		}
		if (!path[i])
			return false;
	}
}

long mtimes_apply(struct tree *t, const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return -errno;
	struct table tb;
	/* records beyond the tree's size cannot match */
	if (!table_init(&tb, t->nnodes)) {
		fclose(f);
		return -ENOMEM;
	}
	struct pending_dirs pd = { 0 };
	count_pending(t->root, &pd.n);
	struct strbuf path = STRBUF_INIT;
	sb_add(&path, "");
	if (pd.n) {
		size_t cap = 16;
		while (cap < 2 * pd.n)
			cap *= 2;
		pd.mask = cap - 1;
		if (!(pd.slots = calloc(cap, sizeof *pd.slots))) {
			fclose(f);
			free(tb.slots);
			strbuf_free(&path);
			return -ENOMEM;
		}
		collect_pending(t->root, &path, &pd);
	}
	size_t used = 0;
	long set = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	while ((len = getdelim(&line, &linecap, '\0', f)) > 0) {
		struct record r;
		int off;
		if (!parse_record(line, &r, &off))
			continue;
		if (pd.n && carry_record(&pd, &r, line, off)) {
			set++;
			continue;
		}
		r.path = path_key(line + off);
		table_put(&tb, &used, &r);
	}
	free(line);
	fclose(f);
	set += apply_walk(t->root, &path, &tb);
	strbuf_free(&path);
	free(tb.slots);
	for (size_t i = 0; pd.slots && i <= pd.mask; i++) {
		struct pending_dir *d = &pd.slots[i];
		if (d->path && d->blob.len) {
			size_t n;
			char *blob = strbuf_detach(&d->blob, &n);
			tree_dir_carry(d->n, blob, n);
		}
	}
	free(pd.slots);
	return set;
}

void mtimes_apply_carried(struct node *root, const char *blob, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += blob[i] == '\0';
	struct table tb;
	if (!table_init(&tb, n))
		return;	/* no memory: the build's time, as with no record */
	size_t used = 0;
	for (const char *p = blob; p < blob + len; p += strlen(p) + 1) {
		struct record r;
		int off;
		if (!parse_record(p, &r, &off))
			continue;
		r.path = path_key(p + off);
		table_put(&tb, &used, &r);
	}
	/* Not the root: its own record was applied with the others. */
	struct strbuf path = STRBUF_INIT;
	for (size_t i = 0; i < root->nkids; i++) {
		sb_reset(&path);
		sb_add(&path, root->kids[i]->name);
		apply_walk(root->kids[i], &path, &tb);
	}
	strbuf_free(&path);
	free(tb.slots);
}

/* Appends "<hash, 16 hex> <seconds> <nanoseconds> " to OUT: the same text
 * as "%016llx %lld %ld ", without printf's parsing per record (230,000
 * records at 10,000 tables, written after every refresh). */
static char *put_dec(char *end, long long v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--end = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--end = '-';
	return end;
}

static void add_record(struct strbuf *out, unsigned long long hash, struct timespec mtime)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16 + 1 + 21 + 1 + 21 + 1];
	for (int i = 15; i >= 0; i--, hash >>= 4)
		buf[i] = hex[hash & 15];
	buf[16] = ' ';
	char num[24];
	char *b = put_dec(num + sizeof num, (long long)mtime.tv_sec);
	size_t len = 17, n = (size_t)(num + sizeof num - b);
	memcpy(buf + len, b, n);
	len += n;
	buf[len++] = ' ';
	b = put_dec(num + sizeof num, (long long)mtime.tv_nsec);
	n = (size_t)(num + sizeof num - b);
	memcpy(buf + len, b, n);
	len += n;
	buf[len++] = ' ';
	sb_addn(out, buf, len);
}

struct saver {
	struct strbuf path, *out;
	void (*flush)(void *ctx, struct strbuf *out);
	void *ctx;
};

/* The records an unrendered table directory carries, at its path. */
static void save_carried(void *ctx, const char *blob, size_t len)
{
	struct saver *sv = ctx;
	for (const char *p = blob; p < blob + len; p += strlen(p) + 1) {
		struct record r;
		int off;
		if (!parse_record(p, &r, &off))
			continue;
		sb_addn(sv->out, p, (size_t)off);
		sb_addn(sv->out, sv->path.buf ? sv->path.buf : "", sv->path.len);
		if (p[off])
			sb_addc(sv->out, '/');
		sb_add(sv->out, p + off);
		sb_addc(sv->out, '\0');
	}
	/* Not flushed here, under the render's lock: by the next record. */
}

static void save_walk(const struct node *n, struct saver *sv)
{
	struct strbuf *path = &sv->path, *out = sv->out;
	/* A lazy file that was never rendered keeps the record it carries. */
	unsigned long long hash = 0;
	struct timespec mtime = { 0, 0 };
	bool known = true;
	if (n->is_dir) {
		hash = node_hash(n);
		mtime = n->mtime;
	} else {	/* a file being rendered meanwhile: read as published */
		known = tree_file_record(n, &hash, &mtime);
	}
	if (known) {
		add_record(out, hash, mtime);
		sb_addn(out, path->buf ? path->buf : "", path->len);
		sb_addc(out, '\0');
		if (sv->flush && out->len >= 1024 * 1024)
			sv->flush(sv->ctx, out);
	}
	/* Never rendered: the records it carries for the paths in it, if
	 * any (tree.h: Lazy table directories); rendered meanwhile: walked
	 * as any other. */
	if (tree_dir_carried(n, save_carried, sv))
		return;
	for (size_t i = 0; i < n->nkids; i++) {
		size_t keep = path->len;
		if (keep)
			sb_addc(path, '/');
		sb_add(path, n->kids[i]->name);
		save_walk(n->kids[i], sv);
		path->len = keep;
		path->buf[keep] = '\0';
	}
}

char *mtimes_records_below(const struct node *root, size_t *len)
{
	struct strbuf out = STRBUF_INIT;
	struct saver sv = { STRBUF_INIT, &out, NULL, NULL };
	for (size_t i = 0; i < root->nkids; i++) {
		sb_reset(&sv.path);
		sb_add(&sv.path, root->kids[i]->name);
		save_walk(root->kids[i], &sv);
	}
	strbuf_free(&sv.path);
	*len = 0;
	if (!out.len) {
		strbuf_free(&out);
		return NULL;
	}
	return strbuf_detach(&out, len);
}

void mtimes_each_path(const char *blob, size_t len, void (*fn)(void *ctx, const char *path), void *ctx)
{
	for (const char *p = blob; p < blob + len; p += strlen(p) + 1) {
		struct record r;
		int off;
		if (parse_record(p, &r, &off))
			fn(ctx, p + off);
	}
}

void mtimes_format(const struct tree *t, struct strbuf *out, void (*flush)(void *ctx, struct strbuf *out),
		   void *ctx)
{
	struct saver sv = { STRBUF_INIT, out, flush, ctx };
	sb_add(&sv.path, "");
	save_walk(t->root, &sv);
	strbuf_free(&sv.path);
}

int mtimes_mkdirs(const char *dir)
{
	char *p = strdup(dir);
	int ret = 0;
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}
