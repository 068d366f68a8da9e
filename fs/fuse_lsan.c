/*
 * fuse_lsan.c: see fuse_lsan.h. libfuse never hands opendir the handle
 * it allocates (only readdir sees it, as its buffer, and a directory that
 * is opened and never read gets no readdir), so a malloc hook notes, per
 * thread, the last block of struct fuse_dh's size. In libfuse's opendir
 * handler (lib/fuse.c, fuse_lib_opendir: 3.14.0 lines 3328-3378, the same
 * up to master) the handle is that block: it is allocated, its `fuse` set,
 * and then only get_path() allocates (its 256-byte path buffer) before
 * the filesystem's opendir runs on the same thread. The block is marked
 * only when it is still allocated, has that size and points to our struct
 * fuse, which none of our own blocks does: our leaks are still reported.
 */
#include "fuse_lsan.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sanitizer/lsan_interface.h>

/* From compiler-rt's sanitizer/allocator_interface.h, which GCC does not
 * install; libasan exports them. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					      void (*free_hook)(const volatile void *));
int __sanitizer_get_ownership(const volatile void *p);
size_t __sanitizer_get_allocated_size(const volatile void *p);

/* libfuse's private struct fuse_dh (lib/fuse.c, 3.14.0 lines 174-188,
 * unchanged up to 3.17 and master). */
struct lsan_fuse_dh {
	pthread_mutex_t lock;
	struct fuse *fuse;
	void *req;
	char *contents;
	void *first;
	void **last;
	unsigned len, size, needlen;
	int filled;
	uint64_t fh;
	int error;
	uint64_t nodeid;
};

/* This thread's last live block of that size; the hooks run on the
 * allocating (freeing) thread, so no lock. */
static __thread const volatile void *last_dh;

static void on_malloc(const volatile void *p, size_t size)
{
	if (size == sizeof(struct lsan_fuse_dh))
		last_dh = p;
}

static void on_free(const volatile void *p)
{
	if (p == last_dh)
		last_dh = NULL;
}

__attribute__((constructor)) static void fuse_lsan_init(void)
{
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}

void fuse_lsan_opendir(const struct fuse *fuse)
{
	const volatile void *p = last_dh;
	last_dh = NULL;
	if (!p || !__sanitizer_get_ownership(p) ||
	    __sanitizer_get_allocated_size(p) != sizeof(struct lsan_fuse_dh))
		return;
	const struct lsan_fuse_dh *dh = (const struct lsan_fuse_dh *)(uintptr_t)p;
	if (dh->fuse == fuse)
		__lsan_ignore_object(dh);
}

#else

void fuse_lsan_opendir(const struct fuse *fuse)
{
	(void)fuse;
}

#endif
