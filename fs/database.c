/* database.c: connection, snapshot refresh and tree swap; see database.h. */
#include "database.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "thread.h"
#include "memlog.h"
#include "arena.h"
#include "invalq.h"
#include "listen.h"
#include "lint.h"
#include "shadow.h"
#include "migrate.h"
#include "mtimes.h"
#include "names.h"
#include "pg.h"
#include "pgversion.h"
#include "database_load.h"
#include "database_refresh.h"
#include "database_stage.h"
#include "database_status.h"
#include "history.h"
#include "plan.h"
#include "progress.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

/* After cat or stage changed (model_lock held): drops edits that are now
 * live and rebuilds the desired catalog. */
static void model_update(struct database *db)
{
	if (!db->stage)
		return;
	if (stage_prune(db->stage, db->cat) && db->stage_file) {
		int rc = stage_save(db->stage, db->stage_file);
		if (rc)
			log_warn("%s: cannot write %s: %s", db->cfg->name, db->stage_file, strerror(-rc));
	}
	catalog_free(db->desired);
	db->desired = stage_desired(db->cat, db->stage);
}

/* Collects changed paths, NUL-separated, to report after the swap. */
static void collect_changed(void *ctx, const char *path)
{
	struct strbuf *paths = ctx;
	sb_addn(paths, path, strlen(path) + 1);
}

static size_t count_paths(const struct strbuf *paths)
{
	size_t n = 0;
	for (size_t i = 0; i < paths->len; i++)
		n += paths->buf[i] == '\0';
	return n;
}

/* The number the next generated migration gets: the tag migrate.c gives
 * it (after every applied migration and journal entry), and after any
 * hand-written NNNN_ file in pending/. */
static int next_number(const struct database *db)
{
	const struct catalog *cat = db->cat;
	const char **tags = calloc(cat->nmigrations + 1, sizeof *tags);
	if (!tags)
		abort();
	for (size_t i = 0; i < cat->nmigrations; i++)
		tags[i] = cat->migrations[i].tag;
	long long n = history_next_number(db->folder ? &db->folder->j : NULL, tags, cat->nmigrations,
					  cat->nmigrations);
	free(tags);
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files")) {
		long long k = history_tag_number(cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")));
		if (k >= 0 && k + 1 > n)
			n = k + 1;
	}
	return n > 9999999 ? 9999999 : (int)n;
}

/* Hands the shadow (shadow.h) every pending file as the apply would run
 * it (the live schema goes in database_shadow_flush()). model_lock held;
 * only the shadow's leaf lock taken. */
static void shadow_feed(struct database *db, const struct plan *plan, const struct unapplied *u)
{
	if (!db->shadow)
		return;
	/* Not current until the new snapshot's schema.sql is in: status
	 * and declarative writes must not take the old one for it. */
	if (db->shadow_gen != db->cat_gen)
		shadow_schema_due(db->shadow);
	size_t n = plan->nfiles + u->n, k = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files"))
		n++;
	struct shadow_file *v = calloc(n ? n : 1, sizeof *v);
	struct strbuf names = STRBUF_INIT;
	if (!v)
		abort();
	for (size_t i = 0; i < plan->nfiles; i++)
		v[k++] = (struct shadow_file){ plan->files[i].name, plan->files[i].sql, strlen(plan->files[i].sql), true };
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files")) {
		const char *sql = cJSON_GetStringValue(cJSON_GetObjectItem(f, "sql"));
		v[k++] = (struct shadow_file){ cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")), sql ? sql : "",
					       sql ? strlen(sql) : 0, false };
	}
	/* Names first (the strbuf may move while it grows), then pointers. */
	for (size_t i = 0; i < u->n; i++)
		if (history_file_of(db->folder, u->v[i]->tag))
			sb_addf(&names, "%s.sql%c", u->v[i]->tag, '\0');
	const char *p = names.buf;
	for (size_t i = 0; i < u->n; i++) {
		const struct history_file *hf = history_file_of(db->folder, u->v[i]->tag);
		if (!hf)
			continue;
		v[k++] = (struct shadow_file){ p, hf->data, hf->len, false };
		p += strlen(p) + 1;
	}
	shadow_set_pending(db->shadow, v, k);
	free(v);
	strbuf_free(&names);
}

/* Builds the tree from db->desired (with STATUS, the pending migrations,
 * drafts and scratch files) and swaps it in. model_lock held. */
static void publish(struct database *db, bool ok, const char *error, bool edit)
{
	struct plan plan;
	plan_build(&plan, db->cat, db->desired, db->stage, next_number(db));
	struct strbuf status = STRBUF_INIT, paths = STRBUF_INIT;
	pthread_mutex_lock(&db->lock);
	char *lock = db->lock_holder ? strdup(db->lock_holder) : NULL;
	pthread_mutex_unlock(&db->lock);
	struct unapplied u = { NULL, 0 };
	if (db->folder && !db->folder->dir_error)
		history_each_unapplied(db->folder, db->cat->migrations, db->cat->nmigrations, collect_unapplied, &u);
	shadow_feed(db, &plan, &u);
	/* A refresh's own snapshot counts already; any other publish (an
	 * edit, the shadow's news, a migration's progress) shows the count
	 * as it is, so it does not jump by one meanwhile. Written under
	 * model_lock too, which is held here. */
	database_render_status(&status, db, db->cat, ok, error, &plan, lock, &u, db->refreshes + (ok && !edit ? 1 : 0));
	free(lock);
	struct strbuf check = STRBUF_INIT;
	history_check(&check, db->folder, db->cat->migrations, db->cat->nmigrations);
	/* drizzle-kit's entries whose file is there (check names the others). */
	size_t nfiles = plan.nfiles, nentries = 0;
	for (size_t i = 0; i < u.n; i++)
		if (history_file_of(db->folder, u.v[i]->tag))
			u.v[nentries++] = u.v[i];
	u.n = nentries;
	nfiles += u.n;
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files"))
		nfiles++;
	for (const struct extra_file *x = db->extras; x; x = x->next)
		nfiles++;
	struct tree_file *files = calloc(nfiles ? nfiles : 1, sizeof *files);
	if (!files)
		abort();
	/* Paths first (the strbuf may move while it grows), then pointers. */
	size_t k = 0;
	for (size_t i = 0; i < plan.nfiles; i++, k++) {
		sb_add(&paths, "migrations/pending/");
		name_escape(&paths, plan.files[i].name, "");
		sb_addc(&paths, '\0');
		files[k].data = plan.files[i].sql;
		files[k].len = strlen(plan.files[i].sql);
	}
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files")) {
		sb_add(&paths, "migrations/pending/");
		name_escape(&paths, cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")), "");
		sb_addc(&paths, '\0');
		const char *sql = cJSON_GetStringValue(cJSON_GetObjectItem(f, "sql"));
		files[k].data = sql ? sql : "";
		files[k++].len = sql ? strlen(sql) : 0;
	}
	for (size_t i = 0; i < u.n; i++, k++) {
		const struct history_file *hf = history_file_of(db->folder, u.v[i]->tag);
		sb_add(&paths, "migrations/pending/");
		name_escape(&paths, hf->name, "");
		sb_addc(&paths, '\0');
		files[k].data = hf->data;
		files[k].len = hf->len;
	}
	for (const struct extra_file *x = db->extras; x; x = x->next, k++) {
		sb_addn(&paths, x->path, strlen(x->path) + 1);
		files[k].data = x->data ? x->data : "";
		files[k].len = x->len;
	}
	const char *p = paths.buf;
	for (size_t i = 0; i < nfiles; i++, p += strlen(p) + 1)
		files[i].path = p;
	struct tree_extras extras = { sb_str(&status), files, nfiles, db->cfg->live, sb_str(&check) };
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tree *t = tree_build_from(db->desired, &extras, now, db->tree);
	strbuf_free(&status);
	strbuf_free(&check);
	strbuf_free(&paths);
	free(files);
	free(u.v);
	plan_free(&plan);

	/* Only the holder of model_lock replaces db->tree: OLD stays valid
	 * without `lock`. mtimes are settled before anyone can see the new tree. */
	struct tree *old = db->tree;
	struct strbuf changed = STRBUF_INIT;
	bool save = true;
	if (old) {
		tree_inherit(t, old, collect_changed, &changed);
		save = changed.len > 0;
	} else if (db->mtimes_file) {
		/* First tree of this mount: unchanged content keeps the mtime
		 * it had before the remount. */
		long rc = mtimes_apply(t, db->mtimes_file);
		if (rc < 0 && rc != -ENOENT)
			log_warn("%s: cannot read %s: %s", db->cfg->name, db->mtimes_file, strerror((int)-rc));
	}

	/* The kernel is told of CHANGED once the drain runs (db->changed
	 * is set with it); before that the first trees count as shown. */
	bool to_kernel = db->changed && changed.len;
	pthread_mutex_lock(&db->lock);
	db->tree = t;
	if (to_kernel)
		db->tree_ticket = DB_TICKET_UNQUEUED;
	db->reachable = ok;
	snprintf(db->last_error, sizeof db->last_error, "%s", error ? error : "");
	if (ok && !edit) {
		db->refreshes++;
		db->queries = db->cat->queries;
	}
	pthread_mutex_unlock(&db->lock);
	tree_unref(old);
	/* The first tree's mtimes are written by the refresher once it runs,
	 * off the path to the mount appearing (database_open). */
	if (!old)
		save = false;
	if (save && db->mtimes_file) {
		/* Written by the refresher (mtimes_flush): an apply waiting
		 * for this refresh, or a cp into apply/ creating its file,
		 * does not wait for an fsync of every path. */
		pthread_mutex_lock(&db->lock);
		db->mtimes_due = true;
		pthread_cond_broadcast(&db->wake);
		pthread_mutex_unlock(&db->lock);
	}
	if (old && ok && !edit)
		log_info("%s: new snapshot, %zu paths changed", db->cfg->name, count_paths(&changed));
	/* Queued, not delivered here: see invalq.h for the deadlock that
	 * delivering under model_lock made possible. */
	if (to_kernel) {
		unsigned long ticket = invalq_push(&db->inval, changed.buf, changed.len);
		pthread_mutex_lock(&db->lock);
		db->tree_ticket = ticket;	/* db->tree is still t: model_lock */
		pthread_mutex_unlock(&db->lock);
	}
	strbuf_free(&changed);
}

/* The test hook's pause inside install_snapshot(). */
static void test_pause(const struct database *db, const char *what)
{
	if (db->test_delay_ms <= 0)
		return;
	log_info("%s: test: refresh window %s", db->cfg->name, what);
	if (strcmp(what, "open"))
		return;
	sleep_ms(db->test_delay_ms);
}

/* A SCHEMAFS_MEMLOG checkpoint (memlog.h), with CAT's arena. */
void database_mem_point(const struct database *db, const struct catalog *cat, const char *what)
{
	if (!memlog_on())
		return;
	char extra[96];
	snprintf(extra, sizeof extra, "catalog arena %.1f MB, freed chunks kept %.1f MB",
		 cat ? (double)arena_bytes(cat->arena) / (1024.0 * 1024.0) : 0.0,
		 (double)arena_pooled_bytes() / (1024.0 * 1024.0));
	memlog(db->cfg->name, what, extra);
}

/* Puts CAT (a new snapshot, or NULL to keep the current one) in place and
 * publishes the tree built from it, as one step under model_lock: an edit
 * sees either the old catalog with the old tree or the new with the new,
 * never a catalog the tree it looked names up in does not show. */
void database_install(struct database *db, struct catalog *cat, bool ok, const char *error)
{
	bool replaced = false;
	pthread_mutex_lock(&db->model_lock);
	if (cat) {
		struct catalog *old = db->cat;
		db->cat = cat;
		db->cat_gen++;
		model_update(db);
		/* Test hook (not on the first snapshot, which the mount waits
		 * for): edits arriving now wait for model_lock. */
		if ((replaced = old != NULL))
			test_pause(db, "open");
		/* The database's reference on the old catalog goes before
		 * the new tree is rendered (db->desired was made again from
		 * the new one). The old tree holds its own until its last
		 * reader is done, for its whole-schema files (tree.h), so it
		 * is freed here only once nothing shows it: with those files
		 * rendered on first read, the new tree's render is small
		 * (README "Memory: where the peak is"). */
		catalog_free(old);
	}
	publish(db, ok, error, false);
	if (replaced)
		test_pause(db, "closed");
	pthread_mutex_unlock(&db->model_lock);
}

/* A migration began: the refresher starts looking at it (refresher()). */
static void wake_refresher(void *ctx)
{
	struct database *db = ctx;
	pthread_mutex_lock(&db->lock);
	pthread_cond_broadcast(&db->wake);
	pthread_mutex_unlock(&db->lock);
}

/* Who holds the migration lock, for status (refresher's connection). */
char *database_lock_holder(struct database *db)
{
	char err[512];
	struct migrate_opts o = { .tracking_schema = db->cfg->migrations_schema,
				  .tracking_table = db->cfg->migrations_table };
	char *h = migrate_lock_holder(db->conn, &o, err, sizeof err);
	return h;
}

int database_open(struct database *db, struct db_config *cfg, const char *state_dir, bool map_later,
		  char *err, size_t errlen)
{
	memset(db, 0, sizeof *db);
	db->cfg = cfg;
	db->map_later = map_later;
	db->lint_cache = lint_cache_new();	/* NULL: status names no hazards */
	if (!(db->progress = malloc(sizeof *db->progress)))
		abort();
	progress_init(db->progress, wake_refresher, db);
	pthread_mutex_init(&db->lock, NULL);
	pthread_mutex_init(&db->work_lock, NULL);
	pthread_mutex_init(&db->model_lock, NULL);
	pthread_mutex_init(&db->shadow_flush_lock, NULL);
	pthread_cond_init(&db->wake, NULL);
	invalq_init(&db->inval);
	const char *full = getenv("SCHEMAFS_FULL_REFRESH");
	db->full_refresh = full && *full && strcmp(full, "0");
	const char *delay = getenv("SCHEMAFS_TEST_REFRESH_DELAY_MS");
	db->test_delay_ms = delay ? atol(delay) : 0;
	const char *inval_delay = getenv("SCHEMAFS_TEST_INVAL_DELAY_MS");
	db->inval.delay_ms = inval_delay ? (unsigned)atol(inval_delay) : 0;
	const char *hold = getenv("SCHEMAFS_TEST_HOLD_CYCLE");
	db->test_hold = !hold ? 0 : !strcmp(hold, "before") ? 1 : !strcmp(hold, "after") ? 2 : 0;
	char msg[1024];
	db->conn = pg_connect(cfg->conninfo, cfg->connect_timeout, msg, sizeof msg);
	if (!db->conn) {
		snprintf(err, errlen, "cannot connect to database%s%s: %s", cfg->name ? " " : "",
			 cfg->name ? cfg->name : "", msg);
		return -1;
	}
	/* The refresher's: it runs the catalog queries again and again, and
	 * nothing but schemafs's own queries. */
	pg_stmt_keep(db->conn);
	char note[256];
	if (pgv_check(db->conn, err, errlen, note, sizeof note))
		return -1;
	if (database_identity(db->conn, db->identity, sizeof db->identity, msg, sizeof msg)) {
		snprintf(err, errlen, "database %s: %s", cfg->name ? cfg->name : PQdb(db->conn), msg);
		return -1;
	}
	if (pg_name_rules(db->conn, &db->names, msg, sizeof msg))
		log_warn("%s: max_identifier_length unknown (%s): names are held to %d bytes",
			 cfg->name ? cfg->name : PQdb(db->conn), msg, db->names.max_bytes);
	/* A hot standby refuses every write: say so with EROFS, as for a
	 * read_only database, rather than with each refused statement's
	 * errno (EINVAL for a change, EIO for an apply). Promotion is not
	 * followed: a remount makes the mount writable. */
	PGresult *rec = pg_exec(db->conn, "SELECT pg_catalog.pg_is_in_recovery()", 0, NULL, msg, sizeof msg);
	if (!rec) {
		snprintf(err, errlen, "database %s: %s", cfg->name ? cfg->name : PQdb(db->conn), msg);
		return -1;
	}
	db->standby = !strcmp(PQgetvalue(rec, 0, 0), "t");
	PQclear(rec);
	if (db->standby)
		cfg->read_only = true;
	if (!cfg->name) {
		/* Named after the database, escaped like every other name. */
		struct strbuf name = STRBUF_INIT;
		name_escape(&name, PQdb(db->conn), "");
		cfg->name = strbuf_detach(&name, NULL);
	}
	if (note[0])
		log_warn("%s: %s", cfg->name, note);
	if (db->standby)
		log_info("%s: the server is a hot standby: read-only, every change fails with EROFS", cfg->name);
	if (state_dir) {
		struct strbuf dir = STRBUF_INIT;
		sb_addf(&dir, "%s/%s", state_dir, cfg->name);
		int rc = mtimes_mkdirs(sb_str(&dir));
		if (rc)
			log_warn("%s: state directory %s: %s; mtimes will not survive a remount",
				 cfg->name, sb_str(&dir), strerror(-rc));
		int src = 0;
		if (!rc) {
			struct strbuf file = STRBUF_INIT;
			/* The live view's files differ from the normal mount's
			 * (status, pending/): each keeps its own mtimes. */
			sb_addf(&file, "%s/%s", sb_str(&dir), cfg->live ? "mtimes-live" : "mtimes");
			db->mtimes_file = strbuf_detach(&file, NULL);
			src = database_stage_open(db, sb_str(&dir), err, errlen);
		}
		strbuf_free(&dir);
		if (src)
			return -1;
	}
	if (!db->stage && database_stage_open(db, NULL, err, errlen))
		return -1;
	if (cfg->migrations_dir) {
		/* A typo must not become a new folder on the first apply. */
		struct stat st;
		int e = stat(cfg->migrations_dir, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e) {
			snprintf(err, errlen, "database %s: migrations_dir %s: %s (create it, or fix the path)",
				 cfg->name, cfg->migrations_dir, strerror(e));
			return -1;
		}
		database_folder_refresh(db);
	}
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct catalog *cat;
	if (database_load(db, &cat, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "cannot read the catalog of %s: %s", cfg->name, msg);
		return -1;
	}
	/* Known before the first tree: a change of it alone re-renders. */
	db->lock_holder = database_lock_holder(db);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	database_mem_point(db, cat, "first snapshot read");
	database_install(db, cat, true, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	database_mem_point(db, cat, "first tree installed");
	/* The catalog read's results and the render's scratch are freed. */
	memlog_tidy();
	database_mem_point(db, cat, "first tree, trimmed");
	log_info("%s: first snapshot read in %.0f ms (%d queries), rendered and its mtimes kept in "
		 "%.0f ms (%zu files and directories; %zu table directories rendered on first look)",
		 cfg->name, ms_between(&t0, &t1), db->cat->queries, ms_between(&t1, &t2), db->tree->nnodes,
		 db->tree->nsubs);
	clock_gettime(CLOCK_MONOTONIC, &db->loaded);
	db->used = db->loaded;
	return 0;
}

/* The drain thread's callback: one path, none of our locks held. */
static void deliver(void *ctx, const char *path)
{
	struct database *db = ctx;
	db->changed(db->changed_ctx, db->cfg->name, path);
}

/* The shadow's thread, when a load or dry run finished: status again.
 * Its kernel caches are dropped by inval's thread, not waited for here. */
void database_republish(struct database *db)
{
	/* model_lock first: the reachability read is then the one an
	 * install in between left, not one from before it. */
	pthread_mutex_lock(&db->model_lock);
	pthread_mutex_lock(&db->lock);
	bool ok = db->reachable;
	char error[sizeof db->last_error];
	memcpy(error, db->last_error, sizeof error);
	pthread_mutex_unlock(&db->lock);
	publish(db, ok, error, true);
	pthread_mutex_unlock(&db->model_lock);
}

/* The shadow's callback (shadow.h): its results changed. */
static void shadow_changed(void *ctx)
{
	database_republish(ctx);
}

int database_start(struct database *db, db_changed_fn changed, void *ctx)
{
	db->changed_ctx = ctx;
	int qrc = invalq_start(&db->inval, deliver, db);
	if (qrc)
		return qrc;
	db->changed = changed;
	/* Named while db->conn is still ours alone. */
	struct shadow *sh = shadow_new(db->cfg, PQdb(db->conn), db->identity, shadow_changed, db);
	int rc = thread_start(&db->thread, database_refresher, db);
	if (rc) {
		shadow_free(sh);
		return -rc;
	}
	db->thread_started = true;
	/* After the fork, like the refresher: its first schema comes now. */
	if (sh && (rc = shadow_start(sh))) {
		log_warn("%s: no shadow database: cannot start its thread: %s", db->cfg->name, strerror(rc));
		shadow_free(sh);
		sh = NULL;
	}
	if (sh) {
		/* Its first schema, then status with its line. Not while the
		 * first read's dependency map is still on its way: the
		 * refresher hands the schema in once it has it (it checks
		 * db->shadow after; one of the two flushes). db->cat read
		 * under the lock: the refresher may be replacing it. */
		pthread_mutex_lock(&db->model_lock);
		db->shadow = sh;
		bool map_later = catalog_deps_later(db->cat);
		pthread_mutex_unlock(&db->model_lock);
		if (!map_later)
			database_shadow_flush(db);
		database_republish(db);
	}
	return 0;
}

struct tree *database_tree(struct database *db)
{
	pthread_mutex_lock(&db->lock);
	struct tree *t = tree_ref(db->tree);
	clock_gettime(CLOCK_MONOTONIC, &db->used);
	if (!db->refresh_wanted && db->thread_started && ms_since(&db->loaded) / 1e3 >= db->cfg->ttl) {
		db->refresh_wanted = true;
		pthread_cond_broadcast(&db->wake);
	}
	pthread_mutex_unlock(&db->lock);
	return t;
}

void database_close(struct database *db)
{
	if (db->thread_started) {
		pthread_mutex_lock(&db->lock);
		db->stopping = true;
		pthread_cond_broadcast(&db->wake);
		pthread_mutex_unlock(&db->lock);
		pthread_join(db->thread, NULL);
		db->thread_started = false;
	}
	/* Out of status first (the shadow's thread still republishes it),
	 * then stopped: its callback takes db->lock and model_lock. */
	pthread_mutex_lock(&db->model_lock);
	struct listener *listener = db->listener;
	db->listener = NULL;
	pthread_mutex_unlock(&db->model_lock);
	listener_stop(listener);
	/* Its thread republishes status: stopped while the tree and inval live. */
	shadow_free(db->shadow);
	db->shadow = NULL;
	invalq_stop(&db->inval);
	/* A shadow publish after the refresher's last write (status). */
	if (db->tree)
		database_mtimes_flush(db, true);
	if (db->conn)
		pg_finish(db->conn);
	db->conn = NULL;
	if (db->work)
		pg_finish(db->work);
	db->work = NULL;
	catalog_free(db->desired);
	db->desired = NULL;
	catalog_free(db->cat);
	db->cat = NULL;
	stage_free(db->stage);
	db->stage = NULL;
	while (db->extras) {
		struct extra_file *x = db->extras;
		db->extras = x->next;
		free(x->path);
		free(x->data);
		free(x);
	}
	free(db->stage_file);
	db->stage_file = NULL;
	free(db->stage_aside);
	db->stage_aside = NULL;
	free(db->lock_holder);
	db->lock_holder = NULL;
	free(db->probe_snap);
	db->probe_snap = NULL;
	if (db->folder) {
		history_free(db->folder);
		free(db->folder);
		db->folder = NULL;
	}
	lint_cache_free(db->lint_cache);
	db->lint_cache = NULL;
	tree_unref(db->tree);
	db->tree = NULL;
	free(db->mtimes_file);
	db->mtimes_file = NULL;

	if (db->progress)
		progress_destroy(db->progress);
	free(db->progress);
	db->progress = NULL;
	pthread_mutex_destroy(&db->lock);
	pthread_mutex_destroy(&db->work_lock);
	pthread_mutex_destroy(&db->model_lock);
	pthread_mutex_destroy(&db->shadow_flush_lock);
	pthread_cond_destroy(&db->wake);
}

bool database_tree_shown(struct database *db, const struct tree *t)
{
	pthread_mutex_lock(&db->lock);
	bool current = t == db->tree;
	unsigned long ticket = db->tree_ticket;
	pthread_mutex_unlock(&db->lock);
	return current && ticket != DB_TICKET_UNQUEUED && invalq_delivered(&db->inval, ticket);
}

void database_publish(struct database *db)
{
	pthread_mutex_lock(&db->lock);
	bool ok = db->reachable;
	char error[sizeof db->last_error];
	memcpy(error, db->last_error, sizeof error);
	pthread_mutex_unlock(&db->lock);
	model_update(db);
	publish(db, ok, error, true);
}

void database_settle(struct database *db)
{
	if (!invalq_wait(&db->inval, invalq_last(&db->inval), DB_INVAL_WAIT_SECONDS))
		log_warn("%s: the kernel has not taken the cache invalidations after %.0f s; going on (it "
			 "may show the old content for a while)", db->cfg->name, DB_INVAL_WAIT_SECONDS);
}

PGconn *database_work_conn(struct database *db, char *err, size_t errlen)
{
	/* A connection killed by the server (restart, pg_terminate_backend)
	 * still says CONNECTION_OK until it is used: try it first. */
	char ignored[256];
	int bound = pg_bound_set(PG_BOUND_MARGIN_MS);	/* a SELECT 1: longer is a stalled line */
	if (db->work && PQstatus(db->work) == CONNECTION_OK &&
	    PQtransactionStatus(db->work) == PQTRANS_IDLE)
		pg_command(db->work, "SELECT 1", ignored, sizeof ignored);
	pg_bound_set(bound);
	if (db->work && PQstatus(db->work) != CONNECTION_OK) {
		pg_finish(db->work);
		db->work = NULL;
	}
	if (!db->work) {
		db->work = pg_connect(db->cfg->conninfo, db->cfg->connect_timeout, err, errlen);
		if (!db->work)
			return NULL;
		if (pg_session_setup(db->work, err, errlen)) {
			pg_finish(db->work);
			db->work = NULL;
			return NULL;
		}
	}
	return db->work;
}
