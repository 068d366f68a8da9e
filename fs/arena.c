/* arena.c: bump allocator; see include/arena.h. */
#include "arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

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
		free(c);
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
	return p;
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

size_t arena_bytes(const struct arena *a)
{
	return a->total;
}
