/*
 * gone.c: names the daemon removed by itself, for fsops.c's getattr (see
 * include/gone.h for why). Pure: no FUSE, no server.
 */
#include "gone.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gone {
	char *path;			/* "/<db>/<path>"; owned */
	struct timespec when;		/* CLOCK_MONOTONIC */
	struct gone *next;
};
static pthread_mutex_t gone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gone *gone_list;	/* gone_lock; newest first */

void gone_add(const char *path, double keep)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct gone *g = malloc(sizeof *g);
	if (!g || !(g->path = strdup(path))) {
		free(g);
		return;
	}
	g->when = now;
	pthread_mutex_lock(&gone_lock);
	g->next = gone_list;
	gone_list = g;
	/* Once per name; older ones are out of the kernel's cache by now.
	 * Bounded: a dropped schema's thousands of names cost no more. */
	size_t kept = 1;
	for (struct gone **pp = &g->next; *pp;) {
		struct gone *o = *pp;
		if (kept >= GONE_MAX || now.tv_sec - o->when.tv_sec > keep + 10 || !strcmp(o->path, path)) {
			*pp = o->next;
			free(o->path);
			free(o);
		} else {
			pp = &o->next;
			kept++;
		}
	}
	pthread_mutex_unlock(&gone_lock);
}

/* True (once) when PATH is a name the daemon removed. */
bool gone_take(const char *path)
{
	bool found = false;
	pthread_mutex_lock(&gone_lock);
	for (struct gone **pp = &gone_list; *pp; pp = &(*pp)->next) {
		struct gone *g = *pp;
		if (!strcmp(g->path, path)) {
			*pp = g->next;
			free(g->path);
			free(g);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&gone_lock);
	return found;
}

/* An unlink, rmdir or rename by a caller removed PATH: the kernel drops its
 * own entries for it and what is below it, so they are not "gone" behind
 * its back. The invalidations of that change were queued by the change
 * itself and have run by the time it returns (database_settle), so what
 * they added is here to be dropped. */
void gone_forget(const char *path)
{
	size_t len = strlen(path);
	pthread_mutex_lock(&gone_lock);
	for (struct gone **pp = &gone_list; *pp;) {
		struct gone *g = *pp;
		if (!strncmp(g->path, path, len) && (!g->path[len] || g->path[len] == '/')) {
			*pp = g->next;
			free(g->path);
			free(g);
		} else {
			pp = &g->next;
		}
	}
	pthread_mutex_unlock(&gone_lock);
}

void gone_clear(void)
{
	pthread_mutex_lock(&gone_lock);
	while (gone_list) {
		struct gone *g = gone_list;
		gone_list = g->next;
		free(g->path);
		free(g);
	}
	pthread_mutex_unlock(&gone_lock);
}
