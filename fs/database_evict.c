/*
 * database_evict.c: max_memory (config.h). Over it, the refresher lets go
 * of the rendered table directories of its database that were looked into
 * least recently (tree_evict), and publishes the tree again without them:
 * they render again, with the same content and mtimes, when next looked
 * into. The catalog itself is not let go: it is what a refresh compares
 * with, and what every file renders from.
 */
#include "database_refresh.h"

#include <pthread.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "database.h"
#include "log.h"
#include "memlog.h"
#include "tree.h"

#define MB(x) ((double)(x) / (1024.0 * 1024.0))
/* A publish costs a tree without its tables: not for less than an eighth
 * of the limit, nor (a large limit) for less than this. */
#define EVICT_LEAST ((size_t)1 << 20)
#define EVICT_PAUSE_MS 2000.0

void database_evict(struct database *db)
{
	unsigned long long max = db->cfg->max_memory;
	if (!max)
		return;
	size_t rss = memlog_resident();
	if (!rss || rss <= max) {
		db->evict_warned = false;
		return;
	}
	/* What was let go comes back to the system in steps: the old tree,
	 * and the directories only it held, go with its last reader (an
	 * open file, a listing in progress). Not again before that had
	 * time; meanwhile what came back is handed to the system at every
	 * look over the limit. */
	if (db->evicted_at.tv_sec && ms_since(&db->evicted_at) < EVICT_PAUSE_MS)
		return;
	clock_gettime(CLOCK_MONOTONIC, &db->evicted_at);
	/* An eighth below the limit: one walk's next tables do not put it
	 * over again at once. */
	size_t want = (size_t)(rss - max + max / 8), bytes = 0, n = 0;
	pthread_mutex_lock(&db->model_lock);
	if (db->tree)
		n = tree_evict(db->tree, want, max / 8 < EVICT_LEAST ? (size_t)(max / 8) : EVICT_LEAST, &bytes);
	pthread_mutex_unlock(&db->model_lock);
	if (!n) {
		memlog_tidy();
		/* What is left is the catalog, libfuse's nodes for the names
		 * the kernel caches (they go when it lets go of them), and what
		 * renders without tables: said once per spell over the limit. */
		if (!db->evict_warned && memlog_resident() > max)
			log_warn("%s: resident %.0f MB, over max_memory (%.0f MB), with no rendered table "
				 "directory left to let go", db->cfg->name, MB(memlog_resident()), MB(max));
		db->evict_warned = true;
		return;
	}
	database_republish(db);
	/* The old tree, and the directories only it held, went with the
	 * publish unless a reader still holds it (then with that reader). */
	memlog_tidy();
	log_info("%s: resident %.0f MB, over max_memory (%.0f MB): let go of %zu rendered table "
		 "directories (%.1f MB), rendered again when looked into; now %.0f MB", db->cfg->name,
		 MB(rss), MB(max), n, MB(bytes), MB(memlog_resident()));
}
