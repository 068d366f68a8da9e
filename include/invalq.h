/*
 * invalq: a queue of paths whose kernel caches must be dropped, drained by
 * a thread of its own.
 *
 * Why: dropping a kernel cache (fuse_lowlevel_notify_inval_*) can wait on
 * the kernel, and the kernel on a FUSE request (a reader's page, a rename)
 * that waits on one of our locks. So whoever changes the tree only queues
 * the paths (cheap, under any lock) and the drain thread delivers them
 * holding none of ours. A change that wants its invalidations delivered
 * before it returns waits for them with invalq_wait(), with no lock held and
 * with a bound, so that such a cycle costs a delay, never a deadlock.
 *
 * Thread-safe; every field of struct invalq is protected by its `lock`,
 * which is a leaf: nothing else is locked while it is held, and FN is called
 * without it.
 */
#ifndef SCHEMAFS_INVALQ_H
#define SCHEMAFS_INVALQ_H

#include <pthread.h>
#include <stdbool.h>

#include "strbuf.h"

typedef void (*invalq_fn)(void *ctx, const char *path);

struct invalq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct strbuf paths;		/* lock: NUL-separated, not taken by the drain yet */
	unsigned long queued;		/* lock: batches pushed */
	unsigned long done;		/* lock: batches delivered (or dropped at stop) */
	bool stopping;			/* lock */
	bool started;			/* set by invalq_start, cleared by invalq_stop */
	unsigned delay_ms;		/* set before invalq_start: a test hook's wait
					 * before each batch is delivered */
	invalq_fn fn;
	void *ctx;
	pthread_t thread;
};

void invalq_init(struct invalq *q);
/* Starts the drain thread, which calls FN(CTX, path) once per path pushed,
 * in order. 0 or -errno. Paths pushed before are delivered then. */
int invalq_start(struct invalq *q, invalq_fn fn, void *ctx);
/* Queues PATHS (NUL-separated, LEN bytes; copied). Never blocks on the drain.
 * Returns the batch's ticket for invalq_wait (0 when LEN is 0). */
unsigned long invalq_push(struct invalq *q, const char *paths, size_t len);
/* The ticket of the last batch pushed. */
unsigned long invalq_last(struct invalq *q);
/* True when batch TICKET (and those before it) was delivered, or when the
 * drain is not running (nothing will be). Never blocks on the drain. */
bool invalq_delivered(struct invalq *q, unsigned long ticket);
/* Waits until batch TICKET (and those before it) was delivered, at most
 * SECONDS. True when it was; true at once when the drain is not running. */
bool invalq_wait(struct invalq *q, unsigned long ticket, double seconds);
/* Stops the drain thread; paths not delivered yet are dropped (the session
 * they were for is ending). Then frees the queue. */
void invalq_stop(struct invalq *q);

#endif
