/* Unit tests: the arena (arena.c), and the pool its freed chunks go to. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tap.h"

/* Whether LEN bytes at P are all zero. */
static int zeroed(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	/* The pool is off by default under AddressSanitizer (the unit tests'
	 * build): on here, with its usual cap. */
	arena_pool_limit(256);

	/* Dirty many standard chunks, free them: they go to the pool. */
	struct arena *a = arena_new();
	for (int i = 0; i < 4000; i++)
		memset(arena_alloc(a, 1000), 0xff, 1000);
	ok(arena_bytes(a) >= 4000 * 1000, "4,000 allocations of 1,000 bytes take several chunks (%zu bytes)",
	   arena_bytes(a));
	size_t before = arena_pooled_bytes();
	arena_free(a);
	ok(arena_pooled_bytes() > before, "freed chunks are kept (%zu bytes)", arena_pooled_bytes());

	/* A new arena takes them back, and what it hands out is zeroed, as
	 * calloc's was, whatever the chunk held. */
	struct arena *b = arena_new();
	int all_zero = 1;
	for (int i = 0; i < 4000; i++) {
		size_t n = 16 + (size_t)(i * 37) % 2000;
		unsigned char *p = arena_alloc(b, n);
		all_zero &= zeroed(p, n);
		all_zero &= ((uintptr_t)p % 16) == 0;
		memset(p, 0xee, n);
	}
	ok(all_zero, "memory from reused chunks is zeroed and 16-byte aligned");
	ok(arena_pooled_bytes() < before + 4000 * 1000, "the new arena took chunks from the pool");
	char *s = arena_strdup(b, "schemafs");
	is_str(s, "schemafs", "strdup from a reused chunk");
	ok(arena_strdup(b, NULL) == NULL, "strdup of NULL is NULL");
	char *m = arena_memdup(b, "abc", 2);
	is_str(m, "ab", "memdup is NUL-terminated");

	/* A large block is not a standard chunk: not kept. */
	struct arena *c = arena_new();
	size_t pooled = arena_pooled_bytes();
	unsigned char *big = arena_alloc(c, 1 << 20);
	ok(zeroed(big, 1 << 20), "a large block is zeroed");
	arena_free(c);
	ok(arena_pooled_bytes() == pooled, "a large block is given back, not kept");
	arena_free(b);

	/* The pool is capped: 100 MiB freed at once keeps at most 64 MiB. */
	struct arena *d = arena_new();
	for (int i = 0; i < 100 * 1024; i++)
		arena_alloc(d, 1024);
	arena_free(d);
	ok(arena_pooled_bytes() <= 64u * 1024 * 1024 + 256 * 64,
	   "the pool stays within its cap (%zu bytes kept)", arena_pooled_bytes());

	/* A pooled chunk handed out whole, as a block of exactly its size. */
	struct arena *f = arena_new();
	for (int i = 0; i < 300; i++)
		memset(arena_alloc(f, 200 * 1024), 0xab, 200 * 1024);
	arena_free(f);
	struct arena *g = arena_new();
	arena_alloc(g, 16);
	unsigned char *whole = arena_alloc(g, 256 * 1024);
	ok(zeroed(whole, 256 * 1024), "a block of exactly a chunk's size, from the pool, is zeroed");
	arena_free(g);

	/* Turned off: the kept chunks are freed, none is kept after. */
	arena_pool_limit(0);
	ok(arena_pooled_bytes() == 0, "a limit of 0 frees what the pool kept");
	struct arena *h = arena_new();
	for (int i = 0; i < 1000; i++)
		arena_alloc(h, 1000);
	arena_free(h);
	ok(arena_pooled_bytes() == 0, "with a limit of 0 nothing is kept");

	/* Small arenas (one table's files) grow from 512 bytes: their chunks
	 * are not standard ones until they reach the standard size. */
	struct arena *e = arena_new_small();
	void *p = arena_alloc(e, 100);
	ok(p && zeroed(p, 100), "a small arena's first allocation is zeroed");
	ok(arena_bytes(e) < 4096, "a small arena reserves little (%zu bytes)", arena_bytes(e));
	arena_free(e);

	/* Adopted (catalog_copy.c's copies): what SRC handed out stays, DST
	 * counts its bytes and frees it; DST goes on from its own chunk. */
	struct arena *dst = arena_new(), *src = arena_new();
	char *mine = arena_strdup(dst, "mine");
	char *theirs[3000];
	for (int i = 0; i < 3000; i++)
		theirs[i] = arena_strdup(src, "a string from the copying thread's arena, long enough for chunks");
	size_t sum = arena_bytes(dst) + arena_bytes(src);
	arena_adopt(dst, src);
	ok(arena_bytes(dst) == sum, "the adopting arena counts both (%zu bytes)", arena_bytes(dst));
	char *next = arena_strdup(dst, "next");
	ok(next == mine + 16, "it goes on allocating right after its own last block");
	int same = 1;
	for (int i = 0; i < 3000; i++)
		same &= !strcmp(theirs[i], "a string from the copying thread's arena, long enough for chunks");
	ok(same && !strcmp(mine, "mine"), "what both handed out is intact");
	struct arena *empty = arena_new(), *into = arena_new();
	arena_adopt(into, empty);
	ok(arena_bytes(into) == 0, "adopting an empty arena adds nothing");
	arena_adopt(into, dst);
	ok(arena_bytes(into) == sum + 0 && !strcmp(theirs[2999], "a string from the copying thread's arena, long enough for chunks"),
	   "an empty arena adopts another whole");
	arena_free(into);
	return done_testing();
}
