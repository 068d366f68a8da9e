/* database_load.c: reading a snapshot and the migrations folder, for the
 * refresher (database.c); see database_load.h. */
#include "database_load.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "database.h"
#include "history.h"
#include "journal.h"
#include "log.h"
#include "pg.h"
#include "track.h"
#include "tree_key.h"

static int load_once(struct database *db, struct catalog **out, char *err, size_t errlen);

void database_filter(const struct db_config *cfg, struct catalog_filter *out)
{
	*out = (struct catalog_filter){
		(const char *const *)cfg->schemas, cfg->nschemas,
		cfg->migrations_schema, cfg->migrations_table, track_find(cfg->tracking),
		cfg->privileges, cfg->owners, cfg->parallel_read, false, false, false,
	};
}

/* See database_load.h. */
int database_load(struct database *db, struct catalog **out, char *err, size_t errlen)
{
	*out = NULL;
	int rc = load_once(db, out, err, errlen);
	if (rc < 0 && PQstatus(db->conn) != CONNECTION_OK)
		rc = load_once(db, out, err, errlen);
	return rc;
}

/* Rows applied by someone else (drizzle-kit migrate) get their tag and
 * text from migrations_dir: the journal entry whose "when" is the row's
 * created_at, as drizzle's migrator matches them. What an older read of
 * the folder gave is taken back first. model_lock held, or CAT not shared. */
static void annotate_from_dir(const struct history *h, struct catalog *cat)
{
	for (size_t i = 0; i < cat->nmigrations; i++) {
		struct cat_migration *m = &cat->migrations[i];
		if (m->tag_from_dir)
			m->tag = NULL;
		if (m->sql_from_dir)
			m->sql = NULL;
		m->tag_from_dir = m->sql_from_dir = false;
		const struct journal_entry *e = h && !m->tag ? journal_find_when(&h->j, m->created_at) : NULL;
		if (!e) {
			/* Drizzle 1.0's row names its folder. */
			const struct history_file *f = h && m->tag && !m->sql ? history_file_of(h, m->tag) : NULL;
			if (f) {
				m->sql = arena_strdup(cat->arena, f->data);
				m->sql_from_dir = true;
			}
			continue;
		}
		m->tag = arena_strdup(cat->arena, e->tag);
		m->tag_from_dir = true;
		const struct history_file *f = history_file_of(h, e->tag);
		if (f && !m->sql) {
			m->sql = arena_strdup(cat->arena, f->data);
			m->sql_from_dir = true;
		}
	}
}

/* Reads migrations_dir (files only: no query) and, when it changed, swaps
 * it in and matches the rows to it again. Refresher thread (or open).
 * True when it changed. */
bool database_folder_refresh(struct database *db)
{
	if (!db->cfg->migrations_dir)
		return false;
	struct history *h = calloc(1, sizeof *h);
	if (!h)
		abort();
	history_read(db->cfg->migrations_dir, db->folder, h);
	if (db->folder && history_same(h, db->folder)) {
		history_free(h);
		free(h);
		return false;
	}
	pthread_mutex_lock(&db->model_lock);
	struct history *old = db->folder;
	db->folder = h;
	if (db->cat)
		annotate_from_dir(h, db->cat);
	pthread_mutex_unlock(&db->model_lock);
	if (old) {
		history_free(old);
		free(old);
	}
	return true;
}

/* Test hook: SCHEMAFS_TEST_COPY_AHEAD=0 never copies the relations ahead
 * (catalog_copy.c), so that a test mount's refreshes go through the
 * merge's own copies. */
static bool copy_ahead_off(void)
{
	const char *v = getenv("SCHEMAFS_TEST_COPY_AHEAD");
	return v && !strcmp(v, "0");
}

/* Whether T (zero: never) is less than S seconds ago. */
static bool within(const struct timespec *t, double s)
{
	return t->tv_sec && ms_since(t) / 1e3 < s;
}

static int load_once(struct database *db, struct catalog **out, char *err, size_t errlen)
{
	/* Reset also when the last reset's session was not set up: it would
	 * read without its lock_timeout (a read could wait 120 s behind a
	 * migration's lock), with JIT on and without
	 * standard_conforming_strings. */
	if (PQstatus(db->conn) != CONNECTION_OK || db->conn_unset) {
		PQreset(db->conn);
		pg_stmt_forget(db->conn);	/* a new session */
		db->conn_unset = true;
		if (PQstatus(db->conn) != CONNECTION_OK) {
			snprintf(err, errlen, "%s", PQerrorMessage(db->conn));
			pg_redact(db->cfg->conninfo, err, errlen);
			return -1;
		}
		if (pg_session_setup(db->conn, err, errlen))
			return -1;
		pg_stmt_keep(db->conn);
		db->conn_unset = false;
		log_info("%s: reconnected", db->cfg->name);
	}
	struct catalog_filter filter;
	database_filter(db->cfg, &filter);
	/* The first load, before the mount is up, leaves its transaction
	 * open for the refresher to take the fingerprint in (refresher()). */
	bool first = !db->cat && !db->thread_started;
	filter.map_later = first && db->map_later;
	struct catalog *cat;
	if (db->cat && db->cat->fingerprint) {
		/* A change found in the last DB_CHANGE_LIKELY_SECONDS, or one
		 * of the last two fingerprints compared found one (or fewer
		 * were compared): the next is likely to find one too, worth
		 * copying the relations for while it runs, and its second
		 * query on a second connection. Not on a database whose
		 * commits have been DML only for a while: each would cost a
		 * copy (90 ms at 10,000 tables) and a connection for nothing. */
		bool likely = within(&db->fp_changed_at, DB_CHANGE_LIKELY_SECONDS) || db->fp_same_run < 2;
		filter.copy_ahead = likely && !copy_ahead_off();
		filter.fp_two = likely && !within(&db->fp_second_failed_at, DB_SECOND_RETRY_SECONDS);
		db->quiet = false;
		db->read_last = false;
		/* Nothing committed since the last fingerprint (the same
		 * snapshot: every commit moves its xmax or its list of
		 * running transactions), nothing changed: one tiny query. */
		/* Not on a hot standby: its snapshots list no running
		 * transaction (they are all in subxip, which the text leaves
		 * out), so a commit that moves neither xmin nor xmax would
		 * look quiet. Not with SCHEMAFS_FULL_REFRESH either: every
		 * refresh reads everything. */
		if (db->probe_snap && !db->full_refresh) {
			PGresult *res = pg_exec(db->conn, "SELECT pg_catalog.txid_current_snapshot()::text,"
						" pg_catalog.pg_is_in_recovery()", 0, NULL, err, errlen);
			if (!res)
				return -1;
			db->quiet = !strcmp(PQgetvalue(res, 0, 0), db->probe_snap) &&
				    strcmp(PQgetvalue(res, 0, 1), "t");
			PQclear(res);
			if (db->quiet)
				return 1;
		}
		/* Else one fingerprint, in the transaction a read would use
		 * (catalog_refresh). */
		bool same, second_failed;
		char *snap;
		cat = catalog_refresh(db->conn, &filter, db->cat, db->full_refresh, &same, &snap, &second_failed,
				      err, errlen);
		if (second_failed)
			clock_gettime(CLOCK_MONOTONIC, &db->fp_second_failed_at);
		free(db->probe_snap);
		db->probe_snap = NULL;
		/* A failed read (a lock timeout, a table dropped meanwhile)
		 * leaves no probe: the next look reads again. */
		if (same || cat)
			db->probe_snap = snap;
		else
			free(snap);
		if (same) {
			db->fp_same_run++;
		} else if (cat) {
			db->fp_same_run = 0;
			clock_gettime(CLOCK_MONOTONIC, &db->fp_changed_at);
		}
		if (same)
			return 1;	/* a commit, not DDL: next look one TTL on */
		/* Read: the next look is soon, and costs a probe only if
		 * nothing else was committed meanwhile. */
		db->quiet = cat != NULL;
		db->read_last = cat != NULL;
	} else {
		cat = catalog_load_since(db->conn, &filter, NULL, first, err, errlen);
	}
	if (!cat)
		return -1;
	db->tx_open = first;
	annotate_from_dir(db->folder, cat);
	tree_key_memoize(cat);	/* not shared yet */
	*out = cat;
	return 0;
}
