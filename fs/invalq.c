/* invalq.c: kernel cache invalidations, delivered off our locks; see invalq.h. */
#include "invalq.h"
#include "clock.h"
#include "log.h"
#include "thread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void invalq_init(struct invalq *q)
{
	memset(q, 0, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
}

static void *drain(void *arg)
{
	struct invalq *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->paths.len && !q->stopping)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->stopping)
			break;
		/* Everything queued so far, delivered without the lock. */
		struct strbuf batch = q->paths;
		unsigned long upto = q->queued;
		q->paths = (struct strbuf)STRBUF_INIT;
		pthread_mutex_unlock(&q->lock);
		if (q->delay_ms) {
			log_info("test: holding invalidations for %u ms", q->delay_ms);
			sleep_ms(q->delay_ms);
			pthread_mutex_lock(&q->lock);
			if (q->stopping) {
				strbuf_free(&batch);	/* dropped, as invalq_stop() says */
				break;
			}
			pthread_mutex_unlock(&q->lock);
		}
		for (size_t off = 0; off < batch.len; off += strlen(batch.buf + off) + 1)
			q->fn(q->ctx, batch.buf + off);
		strbuf_free(&batch);
		pthread_mutex_lock(&q->lock);
		q->done = upto;
		pthread_cond_broadcast(&q->cond);
		if (q->delay_ms) {
			/* Once the batch counts as delivered (a test that sees
			 * the line sees the tree shown), and not under the leaf
			 * lock: a log line can block on its pipe or syslog. */
			pthread_mutex_unlock(&q->lock);
			log_info("test: invalidations delivered after a %u ms hold", q->delay_ms);
			pthread_mutex_lock(&q->lock);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int invalq_start(struct invalq *q, invalq_fn fn, void *ctx)
{
	q->fn = fn;
	q->ctx = ctx;
	int rc = thread_start(&q->thread, drain, q);
	if (rc)
		return -rc;
	q->started = true;
	return 0;
}

unsigned long invalq_push(struct invalq *q, const char *paths, size_t len)
{
	if (!len)
		return 0;
	pthread_mutex_lock(&q->lock);
	sb_addn(&q->paths, paths, len);
	unsigned long ticket = ++q->queued;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return ticket;
}

unsigned long invalq_last(struct invalq *q)
{
	pthread_mutex_lock(&q->lock);
	unsigned long t = q->queued;
	pthread_mutex_unlock(&q->lock);
	return t;
}

/* Whether TICKET needs no more waiting. q->lock held. */
static bool delivered_locked(const struct invalq *q, unsigned long ticket)
{
	return !q->started || q->stopping || q->done >= ticket;
}

bool invalq_delivered(struct invalq *q, unsigned long ticket)
{
	pthread_mutex_lock(&q->lock);
	bool delivered = delivered_locked(q, ticket);
	pthread_mutex_unlock(&q->lock);
	return delivered;
}

bool invalq_wait(struct invalq *q, unsigned long ticket, double seconds)
{
	struct timespec until = clock_after(CLOCK_MONOTONIC, seconds);
	pthread_mutex_lock(&q->lock);
	while (q->started && !q->stopping && q->done < ticket)
		if (pthread_cond_timedwait(&q->cond, &q->lock, &until) == ETIMEDOUT)
			break;
	bool delivered = delivered_locked(q, ticket);
	pthread_mutex_unlock(&q->lock);
	return delivered;
}

void invalq_stop(struct invalq *q)
{
	if (q->started) {
		pthread_mutex_lock(&q->lock);
		q->stopping = true;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
		q->started = false;
	}
	strbuf_free(&q->paths);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
}
