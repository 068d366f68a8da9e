/* shadow.c: the shadow's thread (what to load or dry-run next) and the
 * callers' side (handing work in, status, the apply's check); the talking
 * to the shadow is shadow_conn.c's, shadow_load.c's and shadow_dry.c's.
 * See include/shadow.h. */
#include "shadow_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "database_stage.h"
#include "log.h"
#include "thread.h"
#include "migrate.h"
#include "pg.h"
#include "sha256.h"
#include "sqlparse.h"
#include "strbuf.h"

static void file_copy(struct file *dst, const struct shadow_file *src)
{
	dst->name = shadow_strndup(src->name, strlen(src->name));
	dst->sql = shadow_strndup(src->sql, src->len);
	dst->len = src->len;
	dst->generated = src->generated;
	sha256_hex(src->sql, src->len, dst->sha);
}

static void file_free(struct file *f)
{
	free(f->name);
	free(f->sql);
}

/* The key of a dry run of FILES[0..n) in order on the schema HASH. */
static void chain_key(const char *hash, const struct file *files, size_t n, char key[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s|", hash);
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%c%s|", files[i].generated ? 'g' : 'h', files[i].sha);
	sha256_hex(sb.buf, sb.len, key);
	strbuf_free(&sb);
}

static struct result *find_result(struct shadow *s, const char *key)
{
	for (struct result *r = s->results; r; r = r->next)
		if (!strcmp(r->key, key))
			return r;
	return NULL;
}

static void add_result(struct shadow *s, struct result *r)
{
	r->next = s->results;
	s->results = r;
	size_t n = 0;
	for (struct result **p = &s->results; *p; p = &(*p)->next)
		if (++n == SHADOW_MAX_RESULTS) {
			struct result *x = (*p)->next;
			(*p)->next = NULL;
			while (x) {
				struct result *next = x->next;
				free(x->lines);
				free(x->why);
				free(x->full);
				free(x);
				x = next;
			}
			break;
		}
}

/* ---- the thread ---- */

static bool need_reload(struct shadow *s, const struct timespec *now)
{
	if (!s->schema)
		return false;
	if (s->ahead_of[0]) {
		/* Replayed before the refresh after the commit handed the new
		 * schema in: wait for it (bounded, in case the live text does
		 * not change), then compare. */
		if (!strcmp(s->schema_hash, s->ahead_of) && now->tv_sec < s->ahead_until.tv_sec)
			return false;
		s->ahead_of[0] = '\0';
	}
	if (s->state == SH_NONE && now->tv_sec < s->retry_at.tv_sec)
		return false;
	return s->dirty || strcmp(s->loaded_hash, s->schema_hash);
}

static bool ready(const struct shadow *s)
{
	return s->state == SH_READY && !s->dirty && !s->schema_due && !strcmp(s->loaded_hash, s->schema_hash);
}

static void do_reload(struct shadow *s)
{
	char *schema = shadow_strndup(s->schema, strlen(s->schema));
	char hash[sizeof s->schema_hash], err[1024] = "";
	memcpy(hash, s->schema_hash, sizeof hash);
	if (s->state != SH_READY)
		s->state = SH_LOADING;
	s->dirty = false;
	s->ahead_of[0] = '\0';
	pthread_mutex_unlock(&s->lock);
	/* The reload reads the shadow's catalog back in full. */
	catalog_free(s->cat);
	s->cat = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = shadow_reload(s, schema, hash, err, sizeof err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	free(schema);
	if (!rc)
		log_info("%s: shadow: reloaded %s in %.0f ms", s->cfg->name, s->name, ms);
	pthread_mutex_lock(&s->lock);
	if (rc && strcmp(s->why, err))	/* once, not at every retry */
		log_warn("%s: no shadow database: %s", s->cfg->name, err);
	if (rc) {
		s->state = SH_NONE;
		snprintf(s->why, sizeof s->why, "%s", err);
		s->loaded_hash[0] = '\0';
		clock_gettime(CLOCK_MONOTONIC, &s->retry_at);
		s->retry_at.tv_sec += SHADOW_RETRY_SECONDS;
	} else {
		s->state = SH_READY;
		s->why[0] = '\0';
		s->load_ms = ms;
		memcpy(s->loaded_hash, hash, sizeof hash);
	}
}

static void drop_replays(struct shadow *s)
{
	for (size_t i = 0; i < s->nreplays; i++)
		file_free(&s->replays[i]);
	free(s->replays);
	s->replays = NULL;
	s->nreplays = 0;
}

/* Can the queued replays run? On a shadow that is loaded and clean (a
 * dirty one was changed by a file run alone, or could not be reached),
 * once their apply has ended. */
static bool can_replay(const struct shadow *s)
{
	return s->nreplays && !s->applying && s->state == SH_READY && !s->dirty && s->loaded_hash[0];
}

/*
 * Replays the committed migrations on the shadow at once, while the live
 * refresh after their commit runs: the shadow then holds what its own
 * schema.sql hashes to, and is current when that is the live hash the
 * refresh hands in (else need_reload). On failure it is reloaded. True
 * when status changes: not when the replay ended before that refresh
 * (status shows the shadow current once the refresh publishes), which
 * spares the apply after it a publish of the whole tree to wait for.
 */
static bool do_replay(struct shadow *s)
{
	struct file *files = s->replays;
	size_t n = s->nreplays;
	s->replays = NULL;
	s->nreplays = 0;
	char from[sizeof s->loaded_hash], live[sizeof s->schema_hash], got[sizeof s->loaded_hash] = "",
		err[1024] = "";
	memcpy(from, s->loaded_hash, sizeof from);
	memcpy(live, s->schema_hash, sizeof live);
	pthread_mutex_unlock(&s->lock);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = shadow_replay(s, files, n, from, got, err, sizeof err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (!rc)
		log_info("%s: shadow: replayed %s%s in %.0f ms", s->cfg->name, files[0].name,
			 n > 1 ? " and the migrations after it" : "", ms);
	else
		log_info("%s: shadow: replay of %s not used (%s); reloading", s->cfg->name, files[0].name, err);
	for (size_t i = 0; i < n; i++)
		file_free(&files[i]);
	free(files);
	pthread_mutex_lock(&s->lock);
	if (rc) {
		/* The shadow may hold half of it: start again from scratch. */
		s->dirty = true;
		do_reload(s);
		return true;
	}
	memcpy(s->loaded_hash, got, sizeof got);
	if (!strcmp(s->schema_hash, live) && strcmp(got, live)) {
		memcpy(s->ahead_of, live, sizeof live);
		s->ahead_until = clock_after(CLOCK_MONOTONIC, SHADOW_RETRY_SECONDS);
		return false;
	}
	return true;
}

/* Answers the first apply check; true when there was one. */
static bool serve_request(struct shadow *s)
{
	struct request *q = s->requests;
	while (q && q->done)
		q = q->next;
	if (!q)
		return false;
	if (s->state == SH_NONE) {
		q->done = true;
		q->rc = 0;
		return true;
	}
	char key[SHA256_HEX_LEN + 1];
	chain_key(s->schema_hash, &q->f, 1, key);
	struct result *r = find_result(s, key);
	if (!r) {
		/* The waiter may give up meanwhile: work on a copy, and find
		 * it again by id afterwards. */
		unsigned long id = q->id;
		struct file f = q->f;
		f.name = shadow_strndup(q->f.name, strlen(q->f.name));
		f.sql = shadow_strndup(q->f.sql, q->f.len);
		r = calloc(1, sizeof *r);
		if (!r)
			abort();
		memcpy(r->key, key, sizeof key);
		char hash[sizeof s->schema_hash];
		memcpy(hash, s->schema_hash, sizeof hash);
		pthread_mutex_unlock(&s->lock);
		bool done = shadow_dry_run(s, hash, &f, 1, r);
		file_free(&f);
		pthread_mutex_lock(&s->lock);
		if (!done) {
			free(r);
			return true;	/* reloaded first, then again */
		}
		add_result(s, r);
		for (q = s->requests; q && q->id != id; q = q->next)
			;
		if (!q)
			return true;
		if (!ready(s))
			return true;	/* the schema changed meanwhile: again */
	}
	q->done = true;
	q->rc = r->rc;
	q->why = r->full ? shadow_strndup(r->full, strlen(r->full)) : NULL;
	return true;
}

/* Dry-runs the first pending file without a result; true when there was one. */
static bool serve_pending(struct shadow *s)
{
	char key[SHA256_HEX_LEN + 1];
	for (size_t k = 1; k <= s->nfiles; k++) {
		chain_key(s->schema_hash, s->files, k, key);
		if (find_result(s, key))
			continue;
		struct file *copy = calloc(k, sizeof *copy);
		if (!copy)
			abort();
		for (size_t i = 0; i < k; i++) {
			copy[i] = s->files[i];
			copy[i].name = shadow_strndup(s->files[i].name, strlen(s->files[i].name));
			copy[i].sql = shadow_strndup(s->files[i].sql, s->files[i].len);
		}
		struct result *r = calloc(1, sizeof *r);
		if (!r)
			abort();
		memcpy(r->key, key, sizeof key);
		char hash[sizeof s->schema_hash];
		memcpy(hash, s->schema_hash, sizeof hash);
		pthread_mutex_unlock(&s->lock);
		bool done = shadow_dry_run(s, hash, copy, k, r);
		for (size_t i = 0; i < k; i++)
			file_free(&copy[i]);
		free(copy);
		pthread_mutex_lock(&s->lock);
		if (!done) {
			free(r);
			return true;
		}
		add_result(s, r);
		return true;
	}
	return false;
}

static void *thread_main(void *arg)
{
	struct shadow *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		bool changed = false;
		bool want = need_reload(s, &now);
		if (can_replay(s)) {
			changed = do_replay(s);
		} else if (want && s->applying) {
			/* The new schema may be that apply's: wait for its end
			 * (shadow_apply_end wakes us) and replay it then. */
			struct timespec until = clock_after(CLOCK_REALTIME, SHADOW_RETRY_SECONDS);
			pthread_cond_timedwait(&s->cond, &s->lock, &until);
			continue;
		} else if (want) {
			drop_replays(s);
			do_reload(s);
			changed = true;
		} else if ((ready(s) || s->state == SH_NONE) && serve_request(s)) {
			pthread_cond_broadcast(&s->cond);
		} else if (ready(s) && serve_pending(s)) {
			changed = true;
		} else {
			struct timespec until = clock_after(CLOCK_REALTIME, SHADOW_RETRY_SECONDS);
			pthread_cond_timedwait(&s->cond, &s->lock, &until);
			continue;
		}
		if (changed && s->changed) {
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
			s->changed(s->ctx);
			pthread_mutex_lock(&s->lock);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- the callers' side ---- */

struct shadow *shadow_new(const struct db_config *cfg, const char *dbname, const char *identity,
			  shadow_changed_fn changed, void *ctx)
{
	if (cfg->shadow_off || cfg->read_only || cfg->live)
		return NULL;
	struct shadow *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->cfg = cfg;
	s->changed = changed;
	s->ctx = ctx;
	snprintf(s->identity, sizeof s->identity, "%s", identity);
	snprintf(s->dbname, sizeof s->dbname, "%s", dbname);
	if (cfg->shadow_conninfo)
		snprintf(s->name, sizeof s->name, "the database of shadow_conninfo");
	else
		snprintf(s->name, sizeof s->name, "%s_schemafs_shadow", dbname);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	return s;
}

int shadow_start(struct shadow *s)
{
	int rc = thread_start(&s->thread, thread_main, s);
	if (rc)
		return -rc;
	s->started = true;
	return 0;
}

void shadow_free(struct shadow *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->thread, NULL);
	pg_finish(s->conn);
	pg_finish(s->reader);
	free(s->reader_settings);
	PQclear(s->settings);
	catalog_free(s->cat);
	drop_replays(s);
	if (s->applying)
		file_free(&s->applying_file);
	free(s->schema);
	for (size_t i = 0; i < s->nfiles; i++)
		file_free(&s->files[i]);
	free(s->files);
	while (s->results) {
		struct result *r = s->results;
		s->results = r->next;
		free(r->lines);
		free(r->why);
		free(r->full);
		free(r);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

void shadow_schema_due(struct shadow *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->schema_due = true;
	pthread_mutex_unlock(&s->lock);
}

bool shadow_set_schema(struct shadow *s, const char *hash, const char *schema)
{
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	bool was_due = s->schema_due;
	s->schema_due = false;
	if (!s->schema || strcmp(s->schema_hash, hash)) {
		free(s->schema);
		s->schema = shadow_strndup(schema, strlen(schema));
		snprintf(s->schema_hash, sizeof s->schema_hash, "%s", hash);
		/* A new schema is worth trying at once, even after a
		 * failure. */
		s->retry_at.tv_sec = 0;
	}
	/* Current now without any thread saying so: the same text as
	 * before, or a replay that ended before it came (do_replay()'s
	 * "ahead"). */
	bool now_ready = was_due && ready(s);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return now_ready;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name, ((const struct file *)b)->name);
}

void shadow_set_pending(struct shadow *s, const struct shadow_file *files, size_t n)
{
	if (!s)
		return;
	struct file *v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		file_copy(&v[i], &files[i]);
	qsort(v, n, sizeof *v, by_name);
	pthread_mutex_lock(&s->lock);
	struct file *old = s->files;
	size_t nold = s->nfiles;
	s->files = v;
	s->nfiles = n;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < nold; i++)
		file_free(&old[i]);
	free(old);
}

void shadow_apply_begin(struct shadow *s, const struct shadow_file *file)
{
	if (!s)
		return;
	struct file f;
	file_copy(&f, file);
	pthread_mutex_lock(&s->lock);
	if (s->applying)
		file_free(&s->applying_file);
	s->applying_file = f;
	s->applying = true;
	pthread_mutex_unlock(&s->lock);
}

void shadow_apply_end(struct shadow *s, bool committed)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->applying && committed) {
		struct file *v = realloc(s->replays, (s->nreplays + 1) * sizeof *v);
		if (!v)
			abort();
		s->replays = v;
		s->replays[s->nreplays++] = s->applying_file;
	} else if (s->applying) {
		file_free(&s->applying_file);
	}
	s->applying = false;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void shadow_render(struct strbuf *sb, struct shadow *s, const struct db_config *cfg)
{
	if (!s) {
		if (cfg->shadow_off)
			sb_add(sb, "shadow: off (\"shadow\": false): pending files are not dry-run\n");
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (s->state == SH_NONE)
		sb_addf(sb, "shadow: none (%s): pending files are not dry-run\n", s->why);
	else if (s->state == SH_LOADING)
		sb_addf(sb, "shadow: %s, loading\n", s->name);
	else
		sb_addf(sb, "shadow: %s, loaded in %.0f ms%s\n", s->name, s->load_ms,
			ready(s) ? "" : " (reloading: the schema changed)");
	pthread_mutex_unlock(&s->lock);
}

void shadow_render_file(struct strbuf *sb, struct shadow *s, const char *name)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (size_t k = 1; s->state != SH_NONE && k <= s->nfiles; k++) {
		if (strcmp(s->files[k - 1].name, name))
			continue;
		char key[SHA256_HEX_LEN + 1];
		chain_key(s->schema_hash, s->files, k, key);
		const struct result *r = ready(s) ? find_result(s, key) : NULL;
		sb_add(sb, r ? r->lines : "    dry run: running\n");
		break;
	}
	pthread_mutex_unlock(&s->lock);
}

int shadow_check(struct shadow *s, const struct shadow_file *file, int timeout_ms, char **why)
{
	*why = NULL;
	if (!s || !s->started)
		return 0;
	struct request q = { .done = false };
	file_copy(&q.f, file);
	struct timespec until = clock_after(CLOCK_REALTIME, timeout_ms / 1e3);
	pthread_mutex_lock(&s->lock);
	q.id = ++s->next_id;
	q.next = s->requests;
	s->requests = &q;
	pthread_cond_broadcast(&s->cond);
	int rc = 0;
	while (!q.done && !s->stopping && !rc)
		rc = pthread_cond_timedwait(&s->cond, &s->lock, &until);
	for (struct request **p = &s->requests; *p; p = &(*p)->next)
		if (*p == &q) {
			*p = q.next;
			break;
		}
	pthread_mutex_unlock(&s->lock);
	/* The thread is done with q once it is unlinked under the lock. */
	file_free(&q.f);
	if (!q.done) {
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "its dry run on the shadow did not finish within %d s; try again", timeout_ms / 1000);
		*why = strbuf_detach(&sb, NULL);
		return -ETIMEDOUT;
	}
	if (q.rc && q.why) {
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "its dry run on the shadow %s", q.why);
		*why = strbuf_detach(&sb, NULL);
	}
	free(q.why);
	return q.rc;
}

int shadow_run_txn(struct shadow *s, int timeout_ms, int (*fn)(PGconn *conn, void *ctx), void *ctx,
		   char **why)
{
	*why = NULL;
	if (!s || !s->started)
		return -ENOENT;
	char hash[SHA256_HEX_LEN + 1];
	pthread_mutex_lock(&s->lock);
	bool usable = ready(s);
	if (!usable) {
		struct strbuf nb = STRBUF_INIT;
		sb_addf(&nb, "%s", s->state == SH_NONE && s->why[0] ? s->why : "the shadow database is still loading");
		*why = strbuf_detach(&nb, NULL);
	}
	memcpy(hash, s->loaded_hash, sizeof hash);
	pthread_mutex_unlock(&s->lock);
	if (!usable)
		return -ENOENT;
	/* A connection of the caller's own: the thread's is the thread's.
	 * The shared advisory lock keeps a reload (exclusive) out until the
	 * ROLLBACK, in this daemon and in any other on the same shadow. */
	char err[1024] = "";
	struct strbuf sb = STRBUF_INIT;
	PGconn *c = shadow_connect_new(s, err, sizeof err);
	int rc = -EIO;
	if (!c)
		goto out;
	sb_addf(&sb, "SELECT pg_catalog.pg_advisory_xact_lock_shared(" SHADOW_LOCK_KEY "),"
		" pg_catalog.set_config('statement_timeout', '%d', true)", timeout_ms);
	PGresult *res = NULL;
	if (pg_command(c, "BEGIN", err, sizeof err) || !(res = pg_exec(c, sb_str(&sb), 0, NULL, err, sizeof err)))
		goto out;
	PQclear(res);
	if (!shadow_holds(c, hash)) {
		rc = -ENOENT;	/* reloaded meanwhile, or by another mount */
		snprintf(err, sizeof err, "the shadow holds another schema");
		goto out;
	}
	rc = fn(c, ctx);
out:
	if (c) {
		char ignored[256];
		if (PQtransactionStatus(c) != PQTRANS_IDLE)
			pg_command(c, "ROLLBACK", ignored, sizeof ignored);
		pg_finish(c);
	}
	if ((rc == -EIO || rc == -ENOENT) && !c) {
		sb_reset(&sb);
		sb_addf(&sb, "the shadow cannot be reached: %s", err);
		*why = strbuf_detach(&sb, NULL);
	} else if (rc == -EIO && err[0]) {
		sb_reset(&sb);
		sb_addf(&sb, "%s", err);
		*why = strbuf_detach(&sb, NULL);
	}
	strbuf_free(&sb);
	return rc;
}
