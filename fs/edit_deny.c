/*
 * edit_deny.c: recording changes refused to a caller who may not make them
 * (access.h). Anyone who can read the mount can send these as fast as the
 * kernel takes them: each costs one clock read and an atomic, and at most
 * one per second is logged and shown in status. Only model_lock is taken
 * (never work_lock, held for a whole migration), so a flood of refusals
 * neither waits behind an apply nor slows the readers (they take neither).
 */
#include "edit.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "database.h"
#include "edit_internal.h"
#include "log.h"

#define DENY_INTERVAL_MS 1000

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int edit_deny(struct database *db, const char *path, unsigned uid, int pid)
{
	long long now = now_ms(), last = atomic_load(&db->deny_last_ms);
	/* The first refusal ever, or the first after a quiet second, wins
	 * the right to record; the others are only counted. */
	if ((last && now - last < DENY_INTERVAL_MS) ||
	    !atomic_compare_exchange_strong(&db->deny_last_ms, &last, now ? now : 1)) {
		atomic_fetch_add(&db->deny_suppressed, 1);
		return -EACCES;
	}
	unsigned long more = atomic_exchange(&db->deny_suppressed, 0);
	char others[64] = "";
	if (more)
		snprintf(others, sizeof others, "; %lu more refused since", more);
	char when[32];
	ed_stamp(when, sizeof when);
	pthread_mutex_lock(&db->model_lock);
	snprintf(db->change_error, sizeof db->change_error,
		 "%s: uid %u (pid %d) may not change this database: only its owner%s may (%s, at %s%s)",
		 *path ? path : ".", uid, pid, db->cfg->has_writers ? " and the writers_group" : "",
		 strerror(EACCES), when, others);
	log_warn("%s: refused %s", db->cfg->name, db->change_error);
	database_publish(db);
	pthread_mutex_unlock(&db->model_lock);
	return -EACCES;
}
