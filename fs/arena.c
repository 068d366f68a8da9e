/* arena.c: bump allocator; see include/arena.h. */
#include "arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	bool dirty;		/* from the pool: zeroed as it is handed out */
	_Alignas(16) unsigned char data[];
};

/*
 * Freed chunks of the standard size, kept for the next arena instead of
 * given back to the system. Why: an incremental refresh copies the
 * previous catalog's relations into a new arena and frees the old one;
 * with every chunk a fresh mapping (memlog.c keeps them mapped apart),
 * each refresh page-faulted its whole catalog in again, a large part of
 * its time in a VM (README "Latest figures: the daemon's own time in a
 * refresh"). Capped: the pool is the whole process's (every database's),
 * kept resident (malloc_trim cannot give it back), at most pool_max chunks
 * more than before. Measured at 10,000 tables, the peak (old and new
 * snapshot alive together) moved by a few MB, as the next snapshot takes
 * the chunks the last one freed. pool_lock protects the three; an arena is
 * freed by whichever thread drops the last reference.
 *
 * None under AddressSanitizer: a pooled chunk is never freed, so a read
 * of a freed snapshot would go unreported, which is what the ASan runs
 * of the refresh races are there to catch (test_arena turns it on).
 */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_DEFAULT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_DEFAULT 0
#endif
#endif
#ifndef POOL_DEFAULT
#define POOL_DEFAULT 256	/* chunks: 64 MiB */
#endif
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk *pool;	/* pool_lock */
static size_t pool_n;		/* pool_lock */
static size_t pool_max = POOL_DEFAULT;	/* pool_lock */

static struct chunk *pool_take(void)
{
	pthread_mutex_lock(&pool_lock);
	struct chunk *c = pool;
	if (c) {
		pool = c->next;
		pool_n--;
	}
	pthread_mutex_unlock(&pool_lock);
	if (c) {
		c->next = NULL;
		c->used = 0;
		c->dirty = true;
	}
	return c;
}

/* Keeps C when it is a standard chunk and the pool has room; else frees it. */
static void pool_put(struct chunk *c)
{
	if (c->size == ARENA_CHUNK) {
		pthread_mutex_lock(&pool_lock);
		bool kept = pool_n < pool_max;
		if (kept) {
			c->next = pool;
			pool = c;
			pool_n++;
		}
		pthread_mutex_unlock(&pool_lock);
		if (kept)
			return;
	}
	free(c);
}

struct arena {
	struct chunk *head;
	size_t total;
	size_t chunk;		/* size of the next chunk: doubles up to ARENA_CHUNK */
};

struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof(struct arena));
	if (a)
		a->chunk = ARENA_CHUNK;
	return a;
}

static struct arena *arena_new_chunk(size_t first)
{
	struct arena *a = calloc(1, sizeof(struct arena));
	if (a)
		a->chunk = first;
	return a;
}

struct arena *arena_new_small(void)
{
	return arena_new_chunk(512);
}

struct arena *arena_new_sized(size_t size)
{
	return arena_new_chunk(((size + 15) & ~(size_t)15) ? ((size + 15) & ~(size_t)15) : 16);
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		pool_put(c);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		bool big = size > a->chunk / 4;
		size_t want = big ? size : a->chunk;
		c = want == ARENA_CHUNK ? pool_take() : NULL;
		if (!c)
			c = calloc(1, sizeof(*c) + want);
		if (!c) {
			fprintf(stderr, "schemafs: out of memory\n");
			abort();
		}
		c->size = want;
		/* A large block goes behind the current chunk, so the
		 * current chunk's free space is not wasted. */
		if (big && a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
			if (a->chunk < ARENA_CHUNK)
				a->chunk *= 2;
		}
		a->total += sizeof(*c) + want;
	}
	void *p = c->data + c->used;
	c->used += size;
	/* Only what is handed out: zeroing the whole chunk would make its
	 * unused end resident too. */
	if (c->dirty)
		memset(p, 0, size);
	return p;
}

void arena_adopt(struct arena *dst, struct arena *src)
{
	struct chunk *tail = src->head;
	while (tail && tail->next)
		tail = tail->next;
	if (tail) {
		/* Behind DST's current chunk, whose free space stays in use. */
		struct chunk **at = dst->head ? &dst->head->next : &dst->head;
		tail->next = *at;
		*at = src->head;
	}
	dst->total += src->total;
	free(src);
}

char *arena_memdup(struct arena *a, const void *p, size_t len)
{
	char *s = arena_alloc(a, len + 1);
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_memdup(a, s, strlen(s)) : NULL;
}

void arena_pool_limit(size_t chunks)
{
	pthread_mutex_lock(&pool_lock);
	pool_max = chunks;
	while (pool_n > pool_max) {
		struct chunk *c = pool;
		pool = c->next;
		pool_n--;
		free(c);
	}
	pthread_mutex_unlock(&pool_lock);
}

size_t arena_pooled_bytes(void)
{
	pthread_mutex_lock(&pool_lock);
	size_t n = pool_n;
	pthread_mutex_unlock(&pool_lock);
	return n * (sizeof(struct chunk) + ARENA_CHUNK);
}

size_t arena_bytes(const struct arena *a)
{
	return a->total;
}
