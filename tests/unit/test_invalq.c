/* Unit tests: the invalidation queue (invalq.c): order, tickets, the bound,
 * what counts as delivered. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "invalq.h"
#include "strbuf.h"
#include "tap.h"

struct sink {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct strbuf got;	/* lock */
	bool hold;		/* lock: the callback blocks while set */
};

static void collect(void *ctx, const char *path)
{
	struct sink *s = ctx;
	pthread_mutex_lock(&s->lock);
	while (s->hold)
		pthread_cond_wait(&s->cond, &s->lock);
	sb_add(&s->got, path);
	sb_addc(&s->got, ';');
	pthread_mutex_unlock(&s->lock);
}

static void set_hold(struct sink *s, bool hold)
{
	pthread_mutex_lock(&s->lock);
	s->hold = hold;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static char *got(struct sink *s)
{
	pthread_mutex_lock(&s->lock);
	char *r = strdup(sb_str(&s->got));
	pthread_mutex_unlock(&s->lock);
	return r;
}

int main(void)
{
	struct sink s = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, STRBUF_INIT, false };
	struct invalq q;
	invalq_init(&q);
	ok(invalq_push(&q, "", 0) == 0, "an empty batch gets no ticket");
	ok(invalq_wait(&q, 5, 0.1), "no drain running: nothing to wait for");
	unsigned long t1 = invalq_push(&q, "a\0b", 4);
	ok(t1 == 1, "a batch pushed before the start is queued (ticket 1)");
	ok(invalq_delivered(&q, t1), "no drain running: delivered counts as true (nothing will be)");
	ok(invalq_start(&q, collect, &s) == 0, "the drain starts");
	ok(invalq_wait(&q, t1, 30), "the early batch is delivered");
	unsigned long t2 = invalq_push(&q, "c", 2);
	ok(invalq_wait(&q, t2, 30), "a later batch is delivered");
	char *g = got(&s);
	is_str(g, "a;b;c;", "every path once, in order");
	free(g);

	/* The kernel not taking an invalidation: the waiter gives up at the
	 * bound instead of waiting for ever. */
	set_hold(&s, true);
	unsigned long t3 = invalq_push(&q, "d", 2);
	ok(!invalq_wait(&q, t3, 0.2), "a blocked delivery: the wait returns false at its bound");
	ok(!invalq_delivered(&q, t3), "a blocked delivery: not delivered");
	ok(invalq_delivered(&q, t2), "the batch before it: delivered");
	ok(invalq_delivered(&q, 0), "ticket 0 (no batch): delivered");
	ok(invalq_last(&q) == t3, "invalq_last is the last ticket");
	set_hold(&s, false);
	ok(invalq_wait(&q, t3, 30), "once unblocked, it is delivered");
	ok(invalq_delivered(&q, t3), "and counts as delivered");
	invalq_stop(&q);
	g = got(&s);
	is_str(g, "a;b;c;d;", "nothing lost, nothing twice");
	free(g);
	strbuf_free(&s.got);
	return done_testing();
}
