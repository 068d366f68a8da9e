/*
 * database_refresh.c: the refresher thread (database_refresher()) and what
 * it does besides reading snapshots (database_load.c) and installing them
 * (database.c): the wait an apply makes for it, the mtimes file, the
 * shadow's schema.sql, a running migration's status. See
 * database_refresh.h for who calls what, and database.h for the locks.
 */
#include "database_refresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "atomicfile.h"
#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "database.h"
#include "database_load.h"
#include "log.h"
#include "memlog.h"
#include "mtimes.h"
#include "pg.h"
#include "progress.h"
#include "render.h"
#include "sha256.h"
#include "shadow.h"
#include "strbuf.h"
#include "tree.h"

/* mtimes_format()'s FLUSH: the records so far go to the file. */
static void mtimes_out(void *ctx, struct strbuf *out)
{
	atomic_add(ctx, out->buf, out->len);
	sb_reset(out);
}

/* Table directories are rendered one by one as a walk reaches them: their
 * new records are written with the next publish's, or after this long,
 * not after each (the file is 19 MB at 10,000 tables). */
#define MTIMES_RENDERS_SECONDS 10.0

static bool renders_due(const struct database *db, bool final)
{
	if (!db->mtimes_file || tree_renders() == db->mtimes_renders)
		return false;
	return final || ms_since(&db->mtimes_at) / 1e3 >= MTIMES_RENDERS_SECONDS;
}

bool database_mtimes_wanted(const struct database *db)
{
	return db->mtimes_due || renders_due(db, false);
}

/* Refresher thread, no lock held: writes the current tree's mtimes when a
 * publish asked for it (mtimes_due) or renders added records. From a
 * reference on the tree, with no
 * lock held: a publish or an edit meanwhile does not wait for it (it was
 * formatted under model_lock), and 1 MiB at a time, so the file (19 MB at
 * 10,000 tables) is never in memory whole. */
void database_mtimes_flush(struct database *db, bool final)
{
	pthread_mutex_lock(&db->lock);
	bool due = db->mtimes_due || renders_due(db, final);
	db->mtimes_due = false;
	if (due) {
		/* Before the walk: a render during it is written next time. */
		db->mtimes_renders = tree_renders();
		clock_gettime(CLOCK_MONOTONIC, &db->mtimes_at);
	}
	struct tree *t = due && db->mtimes_file ? tree_ref(db->tree) : NULL;
	pthread_mutex_unlock(&db->lock);
	if (!t)
		return;
	struct strbuf sb = STRBUF_INIT;
	struct atomic_file af;
	if (!atomic_begin(&af, db->mtimes_file)) {
		mtimes_format(t, &sb, mtimes_out, &af);
		mtimes_out(&af, &sb);
	}
	tree_unref(t);
	int rc = atomic_commit(&af);
	if (rc)
		log_warn("%s: cannot write %s: %s", db->cfg->name, db->mtimes_file, strerror(-rc));
	strbuf_free(&sb);
}

/* Refresher thread, no lock held: hands the shadow the live catalog's
 * schema.sql once per snapshot installed. Rendered here, from a reference
 * on the catalog, once the cycle's tree is published and its waiters
 * woken, rather than in publish() under model_lock: ordering a whole
 * schema.sql was the largest part of an install with a shadow (the
 * default), and nothing but the shadow needs it then. Also called once
 * by database_start(), for the shadow's first load. */
void database_shadow_flush(struct database *db)
{
	pthread_mutex_lock(&db->shadow_flush_lock);
	pthread_mutex_lock(&db->model_lock);
	unsigned long gen = db->cat_gen;
	struct shadow *sh = db->shadow;
	struct catalog *cat = sh && db->shadow_gen != gen && db->cat ? catalog_ref(db->cat) : NULL;
	pthread_mutex_unlock(&db->model_lock);
	if (!cat) {
		pthread_mutex_unlock(&db->shadow_flush_lock);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	/* A map that could not be read: the next refresh, which reads
	 * everything, hands its schema in. */
	if (!render_schema_sql(&sb, cat, NULL)) {
		catalog_free(cat);
		pthread_mutex_unlock(&db->shadow_flush_lock);
		return;
	}
	char hash[SHA256_HEX_LEN + 1];
	sha256_hex(sb.buf ? sb.buf : "", sb.len, hash);
	catalog_free(cat);
	/* Marked handed in before it is: a publish in between (an edit's)
	 * must not mark it due again, as nothing would hand it in before the
	 * next snapshot. Not at all when a newer snapshot came meanwhile
	 * (database_start's flush): its own flush follows. */
	pthread_mutex_lock(&db->model_lock);
	bool current = db->cat_gen == gen;
	if (current)
		db->shadow_gen = gen;
	pthread_mutex_unlock(&db->model_lock);
	bool now_ready = current && shadow_set_schema(sh, hash, sb_str(&sb));
	strbuf_free(&sb);
	/* The tree went out while status said the shadow was reloading
	 * (shadow_schema_due); when it holds this schema already (the same
	 * text, or a replay got there first), status says so now. */
	if (now_ready)
		database_republish(db);
	pthread_mutex_unlock(&db->shadow_flush_lock);
}

/* Refresher thread, no lock held, while a migration runs: what it waits
 * for, over the refresher's own connection (the work connection is busy
 * with it), then status again. Once it ended, its apply publishes status
 * without it. */
static void watch_migration(struct database *db)
{
	int pid;
	unsigned long step;
	double ran;
	clock_gettime(CLOCK_MONOTONIC, &db->watched);
	if (!progress_watch(db->progress, &pid, &step, &ran))
		return;
	struct progress_facts *f = calloc(1, sizeof *f);
	char err[512];
	if (!f)
		abort();
	if (PQstatus(db->conn) == CONNECTION_OK && !db->conn_unset &&
	    !progress_query_waits(db->conn, pid, f, err, sizeof err))
		progress_set_waits(db->progress, step, f);
	free(f);
	database_republish(db);
}

bool database_refresh_wait(struct database *db, double seconds, bool give_up)
{
	struct timespec until = clock_after(CLOCK_REALTIME, seconds);
	pthread_mutex_lock(&db->lock);
	unsigned long want = db->cycles_started + 1;
	/* A cycle in flight may have taken its snapshot before the caller's
	 * commit: it gives up at its next query rather than be read, shown
	 * and then read again. */
	if (give_up && db->cycles_started > db->cycles_done)
		db->stale = true;
	db->refresh_wanted = true;
	pthread_cond_broadcast(&db->wake);
	while (db->thread_started && !db->stopping && db->cycles_done < want)
		if (pthread_cond_timedwait(&db->wake, &db->lock, &until))
			break;
	/* Published only when that refresh read a new snapshot. */
	bool done = db->cycles_done >= want && db->reachable;
	pthread_mutex_unlock(&db->lock);
	return done;
}

/* The refresh log's note of how the read planned its queries. */
static const char *plans_note(const struct catalog *cat)
{
	switch (cat->plans) {
	case CAT_PLANS_ONE:
		return ", one plan per query";
	case CAT_PLANS_BY_KIND:
		return ", one plan per query of the schemas";
	case CAT_PLANS_PER_RUN:
		break;
	}
	return "";
}

/* The test hook's hold of cycle CYCLE, lock held, before its read (WHEN
 * 1) or after it (2), until an apply's database_refresh_wait makes it
 * stale (it broadcasts). */
static void test_hold(struct database *db, unsigned long cycle, int when)
{
	if (db->test_hold != when)
		return;
	db->test_hold = 0;
	log_info("%s: test: refresh cycle %lu held %s its read until an apply makes it stale", db->cfg->name,
		 cycle, when == 1 ? "before" : "after");
	struct timespec until = clock_after(CLOCK_REALTIME, 30);
	while (!db->stale && !db->stopping)
		if (pthread_cond_timedwait(&db->wake, &db->lock, &until))
			break;
}

void *database_refresher(void *arg)
{
	struct database *db = arg;
	char err[1024];
	if (db->tx_open) {
		struct catalog_filter filter;
		database_filter(db->cfg, &filter);
		/* The first read's dependency map, which schema.sql waits
		 * for (its second connection's, else read here); then the
		 * shadow's first schema, which database_start() left. A map
		 * that could not be read makes schema.sql fail with EIO until
		 * the next refresh, which reads everything: no fingerprint. */
		char *fp = NULL;
		bool deps_in = !catalog_finish_deps(db->conn, db->cat, err, sizeof err);
		if (!deps_in)
			log_warn("%s: the first read's dependency map: %s; schema.sql cannot be read until the next "
				 "refresh", db->cfg->name, err);
		else
			fp = catalog_finish_take(db->conn, &filter, err, sizeof err);
		database_shadow_flush(db);
		/* db->cat is shared by now (edits copy it under model_lock):
		 * its fingerprint is set under that lock. */
		if (fp) {
			pthread_mutex_lock(&db->model_lock);
			db->cat->fingerprint = arena_strdup(db->cat->arena, fp);
			pthread_mutex_unlock(&db->model_lock);
			free(fp);
			/* Taken in the load's transaction: the probe starts from
			 * its snapshot (the refresher alone writes db->cat). */
			if (db->cat->snapshot && !(db->probe_snap = strdup(db->cat->snapshot)))
				abort();
			db->quiet = db->probe_snap != NULL;
		} else if (deps_in) {
			log_warn("%s: %s (the next refresh reads everything)", db->cfg->name, err);
		}
		db->tx_open = false;
	}
	database_listen_update(db);
	/* Its catalog reads give up when an apply makes the cycle stale. */
	pg_give_up_set(&db->stale);
	bool carried = false;	/* a folder change a cycle that gave up read */
	pthread_mutex_lock(&db->lock);
	db->mtimes_due = true;		/* the first tree's, off the mount's way up */
	for (;;) {
		bool watch = false;
		while (!db->refresh_wanted && !db->stopping) {
			if (database_mtimes_wanted(db)) {
				/* After the cycle or change that published them. */
				pthread_mutex_unlock(&db->lock);
				database_mtimes_flush(db, false);
				pthread_mutex_lock(&db->lock);
				continue;
			}
			/* At every look, as a walk renders tables between
			 * them (database_evict.c); takes model_lock. */
			if (db->cfg->max_memory) {
				pthread_mutex_unlock(&db->lock);
				database_evict(db);
				pthread_mutex_lock(&db->lock);
				if (db->refresh_wanted || db->stopping)
					break;
			}
			int pid;
			unsigned long step;
			double ran;
			bool running = progress_watch(db->progress, &pid, &step, &ran);
			/* In use: look again one TTL after the last look (ttl=0,
			 * "always fresh", polls often rather than in a loop).
			 * Idle: look now and then, so an idle spell ends on a
			 * recent snapshot. */
			double period = ms_since(&db->used) / 1e3 < DB_ACTIVE_SECONDS ?
				(db->cfg->ttl < 0.25 ? 0.25 : db->cfg->ttl) : DB_IDLE_CHECK_SECONDS;
			/* A quiet database is looked at often: it costs the
			 * server next to nothing (DB_PROBE_SECONDS). Not while
			 * this mount's migration runs: its apply asks for a
			 * refresh once it committed, and a probe meanwhile that
			 * sees another transaction end takes a fingerprint that
			 * cannot see the migration yet, for nothing, and makes
			 * that refresh wait for it. */
			double soon = db->read_last ? DB_PROBE_AFTER_READ_SECONDS : DB_PROBE_SECONDS;
			if (db->quiet && !running && ms_since(&db->used) / 1e3 < DB_ACTIVE_SECONDS && period > soon)
				period = soon;
			double wait = period - ms_since(&db->loaded) / 1e3;
			if (wait <= 0)
				break;
			if (wait > DB_IDLE_CHECK_SECONDS)
				wait = DB_IDLE_CHECK_SECONDS;
			if (running) {
				/* The first look once it has run that long: most
				 * migrations are over sooner, and each look renders
				 * the whole tree again (and holds model_lock, which
				 * the apply takes once it committed). */
				double since = ms_since(&db->watched) / 1e3;
				double w = DB_PROGRESS_SECONDS - (ran < since ? ran : since);
				if ((watch = w <= 0))
					break;
				if (w < wait)
					wait = w;
			}
			struct timespec until = clock_after(CLOCK_REALTIME, wait);
			pthread_cond_timedwait(&db->wake, &db->lock, &until);
		}
		if (db->stopping)
			break;
		if (watch) {
			pthread_mutex_unlock(&db->lock);
			watch_migration(db);
			pthread_mutex_lock(&db->lock);
			continue;
		}
		/* A cycle of the quiet look (DB_PROBE_SECONDS) that nobody
		 * asked for is the probe alone: migrations_dir and the lock's
		 * holder are looked at once a TTL, as before. */
		double ttl = db->cfg->ttl < 0.25 ? 0.25 : db->cfg->ttl;
		bool slow = db->refresh_wanted || !db->quiet || ms_since(&db->lock_looked) / 1e3 >= ttl;
		/* Requests made from here on are for the next cycle. */
		db->refresh_wanted = false;
		db->stale = false;
		unsigned long cycle = ++db->cycles_started;
		test_hold(db, cycle, 1);
		pthread_mutex_unlock(&db->lock);

		bool folder_changed = (slow && database_folder_refresh(db)) || carried;
		carried = false;
		struct catalog *cat;
		struct timespec t0, t1, t2;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = database_load(db, &cat, err, sizeof err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc < 0 && db->stale) {
			/* Gave up (database_refresh_wait): nothing shown, not
			 * done; the next cycle follows at once, as asked. Its
			 * transaction is rolled back once the flag is down. */
			pthread_mutex_lock(&db->lock);
			db->stale = false;
			pthread_mutex_unlock(&db->lock);
			if (PQstatus(db->conn) == CONNECTION_OK && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
				pg_command(db->conn, "ROLLBACK", err, sizeof err);
			log_info("%s: a refresh gave up after %.0f ms: an apply committed after it began",
				  db->cfg->name, ms_between(&t0, &t1));
			carried = folder_changed;
			pthread_mutex_lock(&db->lock);
			continue;
		}
		if (db->test_hold) {
			pthread_mutex_lock(&db->lock);
			test_hold(db, cycle, 2);
			pthread_mutex_unlock(&db->lock);
		}
		/* Who holds the migration lock changes without a commit. */
		char *holder = NULL;
		if (rc >= 0 && (rc == 0 || slow)) {
			holder = database_lock_holder(db);
			clock_gettime(CLOCK_MONOTONIC, &db->lock_looked);
		}
		pthread_mutex_lock(&db->lock);
		bool was_ok = db->reachable && !db->last_error[0];
		bool same_error = rc < 0 && !strcmp(err, db->last_error);
		bool new_holder = holder && (!db->lock_holder || strcmp(holder, db->lock_holder));
		if (new_holder) {
			free(db->lock_holder);
			db->lock_holder = holder;
			holder = NULL;
		}
		pthread_mutex_unlock(&db->lock);
		free(holder);
		if (rc > 0 && (new_holder || folder_changed))
			rc = 0;		/* status (or pending/, check) must change; the
					 * folder's files show also while the server is down */
		/* Unchanged catalogs: the tree stays, unless status must change.
		 * The same failure again (server still down) changes nothing
		 * either: no re-render, no new log line. */
		if (rc < 0 && !same_error)
			log_warn("%s: refresh failed: %s", db->cfg->name, err);
		if (rc == 0 || (rc < 0 && !same_error) || (rc > 0 && !was_ok) || folder_changed) {
			if (cat)
				database_mem_point(db, cat, "refresh read");
			database_install(db, cat, rc >= 0, rc < 0 ? err : NULL);
			clock_gettime(CLOCK_MONOTONIC, &t2);
			if (cat) {
				/* The old catalog and what only the old tree held
				 * went back to malloc: back to the system too. */
				database_mem_point(db, cat, "refresh installed");
				memlog_tidy();
				database_mem_point(db, cat, "refresh, trimmed");
			}
			/* Only a catalog read now: a re-render for status or
			 * the folder (cat NULL) read nothing. */
			if (cat && rc == 0 && db->cat->reread >= 0)
				log_info("%s: refresh read %ld relations again (incremental) in %.0f ms, "
					 "installed in %.0f ms%s%s%s%s%s", db->cfg->name, db->cat->reread,
					 ms_between(&t0, &t1), ms_between(&t1, &t2),
					 db->cat->slim_answer ? ", slim change answer" : "",
					 db->cat->fresh_listed ? ", new rows from the fingerprint" : "",
					 db->cat->copied_ahead ? ", relations copied ahead" : "",
					 db->cat->fp_split ? ", fingerprint on two connections" : "",
					 plans_note(db->cat));
			else if (cat && rc == 0)
				log_info("%s: refresh read everything in %.0f ms, installed in %.0f ms%s",
					 db->cfg->name, ms_between(&t0, &t1), ms_between(&t1, &t2),
					 plans_note(db->cat));
		}
		if (cat)
			database_listen_update(db);

		pthread_mutex_lock(&db->lock);
		clock_gettime(CLOCK_MONOTONIC, &db->loaded);
		db->cycles_done = cycle;
		pthread_cond_broadcast(&db->wake);
		pthread_mutex_unlock(&db->lock);
		database_shadow_flush(db);
		pthread_mutex_lock(&db->lock);
		/* After the waiters were woken, and before a next cycle that
		 * may follow at once (ttl=0, a busy mount): mtimes are not
		 * put off for as long as the mount stays busy. */
		if (database_mtimes_wanted(db)) {
			pthread_mutex_unlock(&db->lock);
			database_mtimes_flush(db, false);
			pthread_mutex_lock(&db->lock);
		}
	}
	pthread_mutex_unlock(&db->lock);
	/* What the last changes published or renders added, before
	 * unmounting. */
	database_mtimes_flush(db, true);
	return NULL;
}
