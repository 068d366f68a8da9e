/*
 * arena: bump allocator for data that lives and dies together (one catalog
 * snapshot, one rendered tree). Nothing is freed individually; arena_free()
 * releases everything at once.
 *
 * Not thread-safe: an arena is filled by one thread, then only read.
 * Freeing is: freed chunks go to a process-wide pool under its own lock.
 */
#ifndef SCHEMAFS_ARENA_H
#define SCHEMAFS_ARENA_H

#include <stddef.h>

struct arena;

/* Returns a new arena (caller frees with arena_free), or NULL on ENOMEM. */
struct arena *arena_new(void);
void arena_free(struct arena *a);
/* The same for an arena expected to stay small (one table's rendered
 * files): its chunks start at 512 bytes and double, so thousands of them
 * do not each reserve a full chunk. */
struct arena *arena_new_small(void);
/* The same for contents known in advance to take SIZE bytes of
 * allocations (each rounded up to 16): one chunk of that size holds them
 * all, with nothing to spare. */
struct arena *arena_new_sized(size_t size);

/* Memory owned by the arena, 16-byte aligned, zeroed. Aborts on ENOMEM:
 * a half-built snapshot is worse than a clear crash. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies owned by the arena; NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_memdup(struct arena *a, const void *p, size_t len);	/* NUL-terminated */
/* Moves everything SRC holds into DST, which then owns it (and frees it
 * with its own); frees SRC. DST goes on allocating from its own current
 * chunk (from SRC's when it had none). */
void arena_adopt(struct arena *dst, struct arena *src);
/* Bytes reserved from the system, for memory reports. */
size_t arena_bytes(const struct arena *a);
/* Bytes of freed chunks kept for the next arenas (at most 64 MiB; see
 * arena.c), for memory reports. Any thread. */
size_t arena_pooled_bytes(void);
/* Keep at most CHUNKS freed 256 KiB chunks (default 256; 0 under
 * AddressSanitizer); frees any beyond. For tests. Any thread. */
void arena_pool_limit(size_t chunks);

#endif
