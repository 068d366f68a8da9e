/* edit_apply.c: files moved or copied into apply/ run as migrations; see
 * edit_internal.h and migrate.h. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "database.h"
#include "edit_internal.h"
#include "history.h"
#include "log.h"
#include "migrate.h"
#include "names.h"
#include "pg.h"
#include "probe.h"
#include "render.h"
#include "sha256.h"
#include "shadow.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

/* Is DATA the migration schemafs generated as pending/NAME? Its text was
 * deparsed with search_path = public (catalog.c), so it runs under that
 * path, whatever the database's or role's own. */
static bool is_generated(struct database *db, const char *name, const char *data, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	sb_addf(&path, "migrations/pending/%s", name);
	pthread_mutex_lock(&db->model_lock);
	const struct node *n = tree_file(db->tree, tree_lookup(db->tree, sb_str(&path)));
	bool gen = n && !n->is_dir && n->size == len && !memcmp(n->data, data, len) &&
		   !stage_file_get(db->stage, name, &(size_t){ 0 }) &&
		   !history_unapplied_named(db->folder, db->cat->migrations, db->cat->nmigrations, name);
	pthread_mutex_unlock(&db->model_lock);
	strbuf_free(&path);
	return gen;
}

/* Was the file applied meanwhile (by another mount, or by the tool
 * itself: TypeORM and drizzle 1.0 know a migration by its name)? The
 * tracker answers, as it would before running it. */
static bool applied_now(PGconn *conn, const struct migrate_opts *o, const char *name, const char *hash)
{
	char err[512];
	long long id;
	return migrate_is_recorded(conn, o, name, hash, &id, err, sizeof err) > 0;
}

/* The dry run of DATA on the shadow, before anything runs on the database:
 * -ECANCELED (said in R) when it fails there. From the shadow's cache, or
 * run by the shadow's thread while this waits (holding work_lock, so that
 * no other change starts; the talking is that thread's, on its own
 * connection). No shadow, or one that cannot be reached: 0. */
static int shadow_refuses(struct database *db, PGconn *conn, const struct migrate_opts *o, const char *name,
			  const char *data, size_t len, bool gen, struct migrate_result *r)
{
	char hash[SHA256_HEX_LEN + 1];
	sha256_hex(data, len, hash);
	pthread_mutex_lock(&db->model_lock);
	struct shadow *sh = db->shadow;
	/* Applied already: migrate.c says so and runs nothing. */
	for (size_t i = 0; sh && i < db->cat->nmigrations; i++)
		if (db->cat->migrations[i].hash && !strcmp(db->cat->migrations[i].hash, hash))
			sh = NULL;
	pthread_mutex_unlock(&db->model_lock);
	if (!sh)
		return 0;
	/* A dry run on an empty twin is quick; the wait may include a reload. */
	int timeout = db->cfg->statement_timeout_ms > 60000 ? db->cfg->statement_timeout_ms : 60000;
	struct shadow_file f = { name, data, len, gen };
	char *why = NULL;
	int rc = shadow_check(sh, &f, timeout, &why);
	if (rc == -ECANCELED && applied_now(conn, o, name, hash))
		rc = 0;		/* another mount applied it meanwhile: migrate.c says so */
	if (rc)
		snprintf(r->message, sizeof r->message, "%s refused: %s%s", name, why ? why : "its dry run failed",
			 rc == -ETIMEDOUT ? "; nothing was run" : "");
	free(why);
	return rc;
}

/* One line per apply: where its time went (README "What an apply costs"). */
static void log_phases(struct database *db, const char *name, const struct migrate_result *r, double conn,
		       double dry, double total, double book, double refresh)
{
	log_info("%s: %s took %.1f ms: connection %.1f, dry run %.1f, lock %.1f, checks %.1f, statements %.1f, "
		 "recording and COMMIT %.1f, unlock %.1f, bookkeeping %.1f, refresh %.1f", db->cfg->name, name,
		 total, conn, dry, r->ms_lock, r->ms_checks, r->ms_run, r->ms_record, r->ms_unlock, book, refresh);
}

/* Runs DATA as migration NAME, with work_lock held and model_lock not
 * (a migration can take long; staging waits, reading does not). On
 * success the hand-written PENDING file, if any, is gone; on failure a
 * file copied into apply/ (BACK) goes to pending/ so that nothing is lost.
 * Returns after the refresh that shows the result. */
int ed_apply_now(struct database *db, const char *name, const char *data, size_t len,
		     const char *pending, bool back)
{
	char err[1024], when[32];
	struct migrate_result r;
	memset(&r, 0, sizeof r);
	int rc;
	struct timespec t0, t1;
	double ms_conn, ms_dry = 0, ms_book, ms_refresh = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const char *nul = memchr(data, '\0', len);
	PGconn *conn = nul ? NULL : database_work_conn(db, err, sizeof err);
	ms_conn = ms_since(&t0);
	if (nul) {
		/* libpq sends a C string: only the text before the NUL would
		 * run, while the hash and the tracking row cover all of it. */
		snprintf(r.message, sizeof r.message, "%s holds a NUL byte (at byte %zu): nothing was run or "
			 "recorded; a migration is text", name, (size_t)(nul - data));
		rc = -ECANCELED;
		back = false;	/* pending/ cannot hold it either; the source is the caller's */
	} else if (!conn) {
		snprintf(r.message, sizeof r.message, "the server cannot be reached: %s; nothing was applied", err);
		rc = -EIO;
	} else {
		const struct db_config *cfg = db->cfg;
		bool gen = is_generated(db, name, data, len);
		struct migrate_opts o = { cfg->migrations_schema, cfg->migrations_table, cfg->migrations_dir,
					  cfg->lock_wait_ms, cfg->lock_timeout_ms, cfg->statement_timeout_ms,
					  gen ? "public" : NULL, gen, db->progress, cfg->conninfo, cfg->connect_timeout,
					  cfg->tracking };
		clock_gettime(CLOCK_MONOTONIC, &t1);
		rc = shadow_refuses(db, conn, &o, name, data, len, gen, &r);
		ms_dry = ms_since(&t1);
		if (!rc) {
			/* The shadow replays what commits instead of reloading
			 * (shadow.h); it holds its reload until we say. */
			pthread_mutex_lock(&db->model_lock);
			struct shadow *sh = db->shadow;
			pthread_mutex_unlock(&db->model_lock);
			shadow_apply_begin(sh, &(struct shadow_file){ name, data, len, gen });
			rc = migrate_apply(conn, &o, name, data, len, &r);
			shadow_apply_end(sh, !rc && !r.already);
		}
	}
	ed_stamp(when, sizeof when);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_lock(&db->model_lock);
	snprintf(db->apply_result, sizeof db->apply_result, "%s (%s, at %s)", r.message,
		 rc ? strerror(-rc) : "ok", when);
	if (rc)
		log_warn("%s: apply failed: %s", db->cfg->name, db->apply_result);
	else
		log_info("%s: %s", db->cfg->name, db->apply_result);
	bool save = false;
	if (!rc && pending)
		save = stage_file_remove(db->stage, pending);
	if (rc && back) {
		/* Into pending/ under its name, or a free one next to it. */
		struct strbuf free_name = STRBUF_INIT;
		sb_add(&free_name, name);
		for (int k = 2; stage_file_get(db->stage, sb_str(&free_name), &(size_t){ 0 }); k++) {
			sb_reset(&free_name);
			size_t stem = strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".sql") ? strlen(name) - 4 : strlen(name);
			sb_addf(&free_name, "%.*s-%d.sql", (int)stem, name, k);
		}
		stage_file_put(db->stage, sb_str(&free_name), data, len);
		strbuf_free(&free_name);
		save = true;
	}
	if (save && db->stage_file) {
		int w = stage_save(db->stage, db->stage_file);
		if (w)
			log_warn("%s: cannot write %s: %s", db->cfg->name, db->stage_file, strerror(-w));
	}
	pthread_mutex_unlock(&db->model_lock);
	ms_book = ms_since(&t1);
	/* The refresh publishes the new tree (with this result in status);
	 * otherwise status alone changed. */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	bool shown = !rc && !r.already && database_refresh_wait(db, 30, true);
	if (!shown) {
		pthread_mutex_lock(&db->model_lock);
		database_publish(db);
		pthread_mutex_unlock(&db->model_lock);
	}
	ms_refresh = ms_since(&t1);
	log_phases(db, name, &r, ms_conn, ms_dry, ms_since(&t0), ms_book, ms_refresh);
	return rc;
}

/* mv pending/X apply/, or a temp file renamed into apply/ (rsync, editors) */
int ed_apply_renamed(struct database *db, const char *from, const struct epath *pf, const struct epath *pt)
{
	size_t len = 0;
	pthread_mutex_lock(&db->work_lock);
	pthread_mutex_lock(&db->model_lock);
	char *data = ed_content_of(db, from, &len);
	bool user = pf->kind == E_PENDING && stage_file_get(db->stage, pf->name, &(size_t){ 0 }) != NULL;
	/* A temp file is gone once renamed: on failure it goes to pending/. */
	bool temp = ed_extra_remove(db, from);
	pthread_mutex_unlock(&db->model_lock);
	int rc = data ? ed_apply_now(db, pt->name, data, len, user ? pf->name : NULL, temp) : -ENOENT;
	pthread_mutex_unlock(&db->work_lock);
	database_settle(db);
	free(data);
	return rc;
}
