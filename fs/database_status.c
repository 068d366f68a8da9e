/* database_status.c: migrations/status of one database; see database_status.h. */
#include "database_status.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "database_refresh.h"
#include "history.h"
#include "journal.h"
#include "lint.h"
#include "plan.h"
#include "progress.h"
#include "shadow.h"
#include "stage.h"
#include "strbuf.h"

void collect_unapplied(void *ctx, const struct journal_entry *e)
{
	struct unapplied *u = ctx;
	if (!(u->v = realloc(u->v, (u->n + 1) * sizeof *u->v)))
		abort();
	u->v[u->n++] = e;
}

static void render_folder_status(struct strbuf *sb, const struct database *db, const struct unapplied *u)
{
	const struct history *h = db->folder;
	if (!h)
		return;
	sb_addf(sb, "migrations_dir: %s\n", h->dir);
	if (h->dir_error || h->journal_error) {
		sb_addf(sb, "  %s\n", h->dir_error ? h->dir_error : h->journal_error);
		return;
	}
	if (h->j.n)
		sb_addf(sb, "  last journal entry: %s (when %lld)\n", h->j.v[h->j.n - 1].tag, h->j.v[h->j.n - 1].when);
	else
		sb_add(sb, "  last journal entry: none\n");
	sb_addf(sb, "  unapplied journal entries: %zu\n", u->n);
	for (size_t i = 0; i < u->n; i++)
		sb_addf(sb, "    %s\n", u->v[i]->tag);
	struct strbuf advice = STRBUF_INIT;
	history_snapshot_advice(&advice, h);
	if (advice.len)
		sb_addf(sb, "  drizzle-kit snapshots missing (drizzle-kit generate would repeat these):\n    %s",
			sb_str(&advice));
	strbuf_free(&advice);
}

/* lint_rows_fn over the snapshot (CTX, a struct catalog): TABLE as the
 * file writes it, "s.t" or "t". Unqualified, it is public's, else the one
 * schema that has it (the session's search_path is not known here).
 * Negative when unknown: no such table, several, or never analyzed. */
static double rows_of(void *ctx, const char *table)
{
	const struct catalog *cat = ctx;
	const char *dot = strchr(table, '.');
	if (dot) {
		char *schema = strndup(table, (size_t)(dot - table));
		if (!schema)
			abort();
		const struct cat_relation *r = catalog_table(cat, schema, dot + 1);
		free(schema);
		return r ? r->reltuples : -1;
	}
	const struct cat_relation *r = catalog_table(cat, "public", table);
	if (r)
		return r->reltuples;
	for (size_t i = 0; i < cat->nschemas; i++) {
		const struct cat_relation *t = catalog_table(cat, cat->schemas[i].name, table);
		if (t && r)
			return -1;	/* in several schemas: which one is not known */
		if (t)
			r = t;
	}
	return r ? r->reltuples : -1;
}

void database_render_status(struct strbuf *sb, const struct database *db, const struct catalog *cat,
			    bool reachable, const char *error, const struct plan *plan, const char *lock,
			    const struct unapplied *u, unsigned long reads)
{
	const struct db_config *cfg = db->cfg;
	size_t ntables = 0;
	for (size_t i = 0; i < cat->nschemas; i++)
		ntables += cat->schemas[i].ntables;
	/* First: tools (scripts/snapshot) tell the two views apart by it. */
	if (cfg->live)
		sb_add(sb, "view: live (the catalog as it is, read-only: nothing staged shows here)\n");
	else
		sb_add(sb, "view: desired (the live catalog with the staged changes; -o live shows it without)\n");
	sb_addf(sb, "database: %s\n", cfg->name);
	sb_addf(sb, "server: %s\n", reachable ? "reachable" : "unreachable (showing the last snapshot)");
	sb_addf(sb, "mode: %s\n", db->standby ? "read-only (the server is a hot standby)" :
		cfg->read_only ? "read-only" : "read-write");
	sb_addf(sb, "snapshot: %zu schemas, %zu tables, %d catalog queries\n",
		cat->nschemas, ntables, cat->queries);
	/* Counts reads, full or incremental: a refresh that finds the catalogs unchanged
	 * (same fingerprint) costs one query and does not count. */
	sb_addf(sb, "snapshots read: %lu\n", reads);
	sb_addf(sb, "migrations table: %s.%s", cfg->migrations_schema, cfg->migrations_table);
	if (cat->has_tracking)
		sb_addf(sb, " (%zu applied)\n", cat->nmigrations);
	else
		sb_add(sb, " (not created yet)\n");
	if (cat->nmigrations) {
		const struct cat_migration *m = &cat->migrations[cat->nmigrations - 1];
		sb_add(sb, "last applied: ");
		if (m->tag)
			sb_addf(sb, "%s, ", m->tag);
		sb_addf(sb, "#%lld, created_at %lld, hash %s\n", m->id, m->created_at, m->hash ? m->hash : "");
	}
	render_folder_status(sb, db, u);
	size_t nfiles = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files"))
		nfiles++;
	/* A live view has no pending/ (its stage is empty): no line for it. */
	if (!cfg->live)
		shadow_render(sb, db->shadow, cfg);
	if (!cfg->live)
		sb_add(sb, !plan->nfiles && !nfiles && !u->n ? "pending: none\n" : "pending:\n");
	for (size_t i = 0; !cfg->live && i < u->n; i++) {
		sb_addf(sb, "  %s.sql (drizzle-kit's, in migrations_dir, not applied yet: mv it to apply/ to apply it "
			"as that journal entry)\n", u->v[i]->tag);
		struct strbuf name = STRBUF_INIT;
		sb_addf(&name, "%s.sql", u->v[i]->tag);
		shadow_render_file(sb, db->shadow, sb_str(&name));
		strbuf_free(&name);
	}
	for (size_t i = 0; i < plan->nfiles; i++) {
		sb_addf(sb, "  %s (generated from the staged changes; rm it to discard them)\n", plan->files[i].name);
		shadow_render_file(sb, db->shadow, plan->files[i].name);
		for (const char *h = plan->files[i].hazards; *h;) {
			size_t len = strcspn(h, "\n");
			sb_addf(sb, "    hazard: %.*s\n", (int)len, h);
			h += len + (h[len] == '\n');
		}
	}
	/* Generated files keep the planner's hazards (above: the same ones,
	 * with row estimates probed at staging); hand-written ones get the
	 * lint's, from a cache by content, with the snapshot's reltuples. */
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(db->stage->doc, "files")) {
		sb_addf(sb, "  %s (hand-written)\n", cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")));
		shadow_render_file(sb, db->shadow, cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")));
		const char *sql = cJSON_GetStringValue(cJSON_GetObjectItem(f, "sql"));
		const struct lint_result *r = db->lint_cache && sql ? lint_cache_get(db->lint_cache, sql, strlen(sql)) : NULL;
		if (r)
			lint_render(sb, r, rows_of, (void *)cat);
	}
	if (db->lint_cache)
		lint_cache_sweep(db->lint_cache);
	size_t ndrafts = 0;
	for (const struct extra_file *x = db->extras; x; x = x->next)
		ndrafts++;
	if (ndrafts) {
		sb_addf(sb, "not staged (drafts and scratch files, kept in memory): %zu\n", ndrafts);
		for (const struct extra_file *x = db->extras; x; x = x->next)
			sb_addf(sb, "  %s\n", x->path);
	}
	database_listen_status(sb, db);
	sb_addf(sb, "migration lock: %s\n", lock ? lock : "unknown");
	struct progress_facts running;
	if (db->progress && progress_snapshot(db->progress, &running))
		progress_render(sb, &running);
	sb_addf(sb, "last apply: %s\n", db->apply_result[0] ? db->apply_result : "none");
	sb_addf(sb, "last refused change: %s\n", db->change_error[0] ? db->change_error : "none");
	if (db->stage_aside)
		sb_addf(sb, "staged changes kept aside: %s\n", db->stage_aside);
	sb_addf(sb, "last error: %s\n", error && *error ? error : "none");
}
