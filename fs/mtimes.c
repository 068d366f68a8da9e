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

/* A directory's "content" is its listing. */
static unsigned long long node_hash(const struct node *n)
{
	if (!n->is_dir)
		return n->hash;
	unsigned long long h = name_hash("/", 1);
	for (size_t i = 0; i < n->nkids; i++)
		h = h * 31 + name_hash(n->kids[i]->name, strlen(n->kids[i]->name));
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

static unsigned long long path_key(const char *path)
{
	unsigned long long h = name_hash(path, strlen(path));
	return h ? h : 1;
}

static struct record *slot_for(const struct table *tb, unsigned long long key)
{
	size_t i = (size_t)key & tb->mask;
	while (tb->slots[i].path && tb->slots[i].path != key)
		i = (i + 1) & tb->mask;
	return &tb->slots[i];
}

static long apply_walk(struct node *n, struct strbuf *path, const struct table *tb)
{
	long set = 0;
	const struct record *r = slot_for(tb, path_key(sb_str(path)));
	if (n->lazy) {
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

long mtimes_apply(struct tree *t, const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return -errno;
	struct table tb;
	size_t cap = 16;
	while (cap < 2 * t->nnodes + 16)	/* records beyond the tree's size cannot match */
		cap *= 2;
	tb.mask = cap - 1;
	tb.slots = calloc(cap, sizeof *tb.slots);
	if (!tb.slots) {
		fclose(f);
		return -ENOMEM;
	}
	size_t used = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	while ((len = getdelim(&line, &linecap, '\0', f)) > 0) {
		struct record r;
		long long sec;
		long nsec;
		int off = 0;
		if (sscanf(line, "%16llx %lld %ld %n", &r.hash, &sec, &nsec, &off) != 3 || !off)
			continue;	/* a damaged record only costs its mtime */
		r.path = path_key(line + off);
		r.mtime.tv_sec = (time_t)sec;
		r.mtime.tv_nsec = nsec;
		struct record *slot = slot_for(&tb, r.path);
		if (!slot->path) {
			if (used + 1 > cap / 2)
				continue;	/* full: the rest keep the mount's time */
			used++;
		}
		*slot = r;
	}
	free(line);
	fclose(f);
	struct strbuf path = STRBUF_INIT;
	sb_add(&path, "");
	long set = apply_walk(t->root, &path, &tb);
	strbuf_free(&path);
	free(tb.slots);
	return set;
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
