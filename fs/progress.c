/* progress.c: a running migration's step and waits, for status; see
 * include/progress.h. */
#include "progress.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"

static double since(const struct timespec *t, const struct timespec *now)
{
	return (double)(now->tv_sec - t->tv_sec) + (now->tv_nsec - t->tv_nsec) / 1e9;
}

void progress_first_line(char *out, size_t outlen, const char *text, size_t len, size_t max)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	size_t end = i;
	while (end < len && text[end] != '\n' && text[end] != '\r' && text[end] != '\0')
		end++;
	while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t'))
		end--;
	bool cut = end - i > max;
	if (cut) {
		end = i + max;
		/* Not inside a character: back to the start of the one cut. */
		while (end > i && ((unsigned char)text[end] & 0xC0) == 0x80)
			end--;
	}
	if (outlen < 4) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	size_t n = end - i;
	if (n > outlen - 4)
		n = outlen - 4;
	memcpy(out, text + i, n);
	/* Control bytes would break the line status shows it on. */
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)out[k] < 0x20)
			out[k] = ' ';
	strcpy(out + n, cut ? "..." : "");
}

void progress_init(struct progress *p, void (*wake)(void *ctx), void *ctx)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	p->wake = wake;
	p->wake_ctx = ctx;
}

void progress_destroy(struct progress *p)
{
	pthread_mutex_destroy(&p->lock);
}

void progress_begin(struct progress *p, const char *file, int backend_pid)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	memset(&p->f, 0, sizeof p->f);
	snprintf(p->f.file, sizeof p->f.file, "%s", file);
	p->f.backend_pid = backend_pid;
	snprintf(p->f.text, sizeof p->f.text, "taking the migration lock");
	clock_gettime(CLOCK_MONOTONIC, &p->began);
	p->step_began = p->began;
	p->step++;
	p->running = true;
	pthread_mutex_unlock(&p->lock);
	if (p->wake)
		p->wake(p->wake_ctx);
}

void progress_step(struct progress *p, int k, int n, const char *sql, size_t len)
{
	if (!p)
		return;
	char text[sizeof p->f.text];
	progress_first_line(text, sizeof text, sql, len, PROGRESS_LINE_MAX);
	pthread_mutex_lock(&p->lock);
	p->f.stmt = k;
	p->f.nstmts = n;
	memcpy(p->f.text, text, sizeof text);
	p->f.waits_known = p->f.index = false;
	p->f.nblockers = p->f.nblockers_all = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->step_began);
	p->step++;
	pthread_mutex_unlock(&p->lock);
}

void progress_end(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->running = false;
	p->step++;
	pthread_mutex_unlock(&p->lock);
}

bool progress_watch(struct progress *p, int *backend_pid, unsigned long *step, double *seconds)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&p->lock);
	bool running = p->running;
	*backend_pid = p->f.backend_pid;
	*step = p->step;
	*seconds = since(&p->began, &now);
	pthread_mutex_unlock(&p->lock);
	return running;
}

void progress_set_waits(struct progress *p, unsigned long step, const struct progress_facts *f)
{
	pthread_mutex_lock(&p->lock);
	if (p->running && p->step == step) {
		p->f.waits_known = true;
		memcpy(p->f.blockers, f->blockers, sizeof p->f.blockers);
		p->f.nblockers = f->nblockers;
		p->f.nblockers_all = f->nblockers_all;
		p->f.index = f->index;
		memcpy(p->f.phase, f->phase, sizeof p->f.phase);
		p->f.blocks_done = f->blocks_done;
		p->f.blocks_total = f->blocks_total;
		p->f.tuples_done = f->tuples_done;
		p->f.tuples_total = f->tuples_total;
	}
	pthread_mutex_unlock(&p->lock);
}

bool progress_snapshot(struct progress *p, struct progress_facts *out)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&p->lock);
	bool running = p->running;
	if (running) {
		*out = p->f;
		out->seconds = since(&p->began, &now);
		out->stmt_seconds = since(&p->step_began, &now);
	}
	pthread_mutex_unlock(&p->lock);
	return running;
}

void progress_render(struct strbuf *sb, const struct progress_facts *f)
{
	/* Whole seconds: status changes (and its mtime moves) once a second. */
	sb_addf(sb, "migration running: %s (backend pid %d), for %.0f s\n", f->file, f->backend_pid,
		f->seconds < 0 ? 0 : f->seconds);
	if (f->stmt > 0)
		sb_addf(sb, "  statement %d of %d, for %.0f s: %s\n", f->stmt, f->nstmts,
			f->stmt_seconds < 0 ? 0 : f->stmt_seconds, f->text);
	else
		sb_addf(sb, "  %s, for %.0f s\n", f->text, f->stmt_seconds < 0 ? 0 : f->stmt_seconds);
	for (size_t i = 0; i < f->nblockers; i++) {
		const struct progress_blocker *b = &f->blockers[i];
		sb_addf(sb, "  waiting for: pid %d (%s, %s): %s\n", b->pid, b->app, b->state, b->query);
	}
	if (f->nblockers_all > f->nblockers)
		sb_addf(sb, "  waiting for: %zu more backends\n", f->nblockers_all - f->nblockers);
	if (!f->index)
		return;
	sb_addf(sb, "  phase: %s", f->phase);
	/* Whichever count the phase advances: blocks while scanning, tuples
	 * while sorting and loading. */
	if (f->blocks_total > 0)
		sb_addf(sb, ", %lld%% (blocks %lld of %lld)", f->blocks_done * 100 / f->blocks_total,
			f->blocks_done, f->blocks_total);
	else if (f->tuples_total > 0)
		sb_addf(sb, ", %lld%% (tuples %lld of %lld)", f->tuples_done * 100 / f->tuples_total,
			f->tuples_done, f->tuples_total);
	sb_addc(sb, '\n');
}
