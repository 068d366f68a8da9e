/* tree_kinds.c: the directories of every kind of object but tables (which
 * tree.c builds, shared and rendered on first look), and migrations/; see
 * fs/tree_build.h. Each kind's files are rendered here, at build time. */
#include <string.h>

#include "catalog.h"
#include "journal.h"
#include "render.h"
#include "strbuf.h"
#include "tree_build.h"

/* DIR ("views", "materialized_views") of schema SCHEMA: its N VIEWS,
 * each replaced by its staged file if it has one, and the staged new
 * ones. */
static void views_dir(struct builder *b, struct node *sd, const struct catalog *cat, const char *schema,
		      const char *dir, struct cat_relation *const *views, size_t n)
{
	struct node *d = tb_mkdir(b, sd, dir);
	for (size_t i = 0; i < n; i++) {
		if (tb_staged_file(cat, dir, schema, NULL, views[i]->name))
			continue;
		render_view(&b->body, views[i]);
		tb_file(b, d, views[i]->name, ".sql");
	}
	tb_staged_files(b, d, cat, dir, schema, NULL);
}

void tb_schema(struct builder *b, struct node *schemas, const struct catalog *cat, const struct cat_schema *s)
{
	struct node *sd = tb_mkdir(b, schemas, s->name);
	tb_lazy(b, sd, "schema.sql", s, false);
	tb_lazy(b, sd, "erd.md", s, true);

	struct node *tables = tb_mkdir(b, sd, "tables");
	for (size_t i = 0; i < s->ntables; i++)
		tb_table(b, tables, s->name, "tables", s->tables[i]);
	struct node *convs = tb_mkdir(b, sd, "conversions");
	for (size_t i = 0; i < s->nconversions; i++) {
		render_conversion(&b->body, s->conversions[i]);
		tb_file(b, convs, s->conversions[i]->name, ".sql");
	}
	struct strbuf oname = STRBUF_INIT;
	struct node *opc = tb_mkdir(b, sd, "operator_classes");
	for (size_t i = 0; i < s->nopclasses; i++) {
		sb_reset(&oname);
		render_opclass_name(&oname, s->opclasses[i]);
		render_opclass(&b->body, s->opclasses[i]);
		tb_file(b, opc, sb_str(&oname), ".sql");
	}
	struct node *opf = tb_mkdir(b, sd, "operator_families");
	for (size_t i = 0; i < s->nopfamilies; i++) {
		sb_reset(&oname);
		render_opclass_name(&oname, s->opfamilies[i]);
		render_opclass(&b->body, s->opfamilies[i]);
		tb_file(b, opf, sb_str(&oname), ".sql");
	}
	strbuf_free(&oname);
	struct node *ts = tb_mkdir(b, sd, "text_search");
	static const char ts_kinds[] = { TS_CONFIG, TS_DICT, TS_PARSER, TS_TEMPLATE };
	for (size_t k = 0; k < sizeof ts_kinds; k++) {
		struct node *kd = tb_mkdir(b, ts, render_ts_dir(ts_kinds[k]));
		for (size_t i = 0; i < s->nts; i++) {
			if (s->ts[i]->kind != ts_kinds[k])
				continue;
			render_ts(&b->body, s->ts[i]);
			tb_file(b, kd, s->ts[i]->name, ".sql");
		}
	}
	struct node *ftables = tb_mkdir(b, sd, "foreign_tables");
	for (size_t i = 0; i < s->nforeign_tables; i++)
		tb_table(b, ftables, s->name, "foreign_tables", s->foreign_tables[i]);
	views_dir(b, sd, cat, s->name, "views", s->views, s->nviews);
	views_dir(b, sd, cat, s->name, "materialized_views", s->matviews, s->nmatviews);
	struct node *funcs = tb_mkdir(b, sd, "functions");
	struct strbuf fname = STRBUF_INIT;
	for (size_t i = 0; i < s->nfunctions; i++) {
		const struct cat_function *f = s->functions[i];
		sb_reset(&fname);
		sb_addf(&fname, "%s(%s)", f->name, f->args ? f->args : "");
		if (tb_staged_file(cat, "functions", s->name, NULL, sb_str(&fname)))
			continue;
		render_function(&b->body, f);
		tb_file(b, funcs, sb_str(&fname), ".sql");
	}
	strbuf_free(&fname);
	tb_staged_files(b, funcs, cat, "functions", s->name, NULL);
	struct node *seqs = tb_mkdir(b, sd, "sequences");
	for (size_t i = 0; i < s->nsequences; i++) {
		if (tb_staged_file(cat, "sequences", s->name, NULL, s->sequences[i]->name))
			continue;
		render_sequence(&b->body, s->sequences[i]);
		tb_file(b, seqs, s->sequences[i]->name, ".sql");
	}
	tb_staged_files(b, seqs, cat, "sequences", s->name, NULL);
	struct node *types = tb_mkdir(b, sd, "types");
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cat_type *t = s->types[i];
		if (t->kind == 'e') {
			render_enum_labels(&b->body, t);
			tb_file(b, types, t->name, "");
		} else {
			render_type(&b->body, t);
			tb_file(b, types, t->name, ".sql");
		}
	}
}

/* casts/, event_triggers/, publications/, foreign_data/{wrappers,servers}/:
 * the database's own objects,
 * always present, possibly empty. */
void tb_global(struct builder *b, const struct catalog *cat)
{
	struct node *casts = tb_mkdir(b, b->t->root, "casts");
	struct strbuf name = STRBUF_INIT;
	for (size_t i = 0; i < cat->ncasts; i++) {
		sb_reset(&name);
		render_cast_name(&name, &cat->casts[i]);
		render_cast(&b->body, &cat->casts[i]);
		tb_file(b, casts, sb_str(&name), ".sql");
	}
	strbuf_free(&name);
	struct node *evt = tb_mkdir(b, b->t->root, "event_triggers");
	for (size_t i = 0; i < cat->nevtrigs; i++) {
		render_event_trigger(&b->body, &cat->evtrigs[i]);
		tb_file(b, evt, cat->evtrigs[i].name, ".sql");
	}
	struct node *pubs = tb_mkdir(b, b->t->root, "publications");
	for (size_t i = 0; i < cat->npubs; i++) {
		render_publication(&b->body, &cat->pubs[i]);
		tb_file(b, pubs, cat->pubs[i].name, ".sql");
	}
	struct node *fd = tb_mkdir(b, b->t->root, "foreign_data");
	struct node *fdws = tb_mkdir(b, fd, "wrappers");
	for (size_t i = 0; i < cat->nfdws; i++) {
		render_fdw(&b->body, &cat->fdws[i]);
		tb_file(b, fdws, cat->fdws[i].name, ".sql");
	}
	struct node *srvs = tb_mkdir(b, fd, "servers");
	for (size_t i = 0; i < cat->nservers; i++) {
		render_server(&b->body, &cat->servers[i]);
		tb_file(b, srvs, cat->servers[i].name, ".sql");
	}
}

/* A migration's tag: its own when known, else from its position and hash. */
static void migration_tag(struct strbuf *sb, const struct cat_migration *m, size_t i)
{
	if (m->tag)
		sb_add(sb, m->tag);
	else
		sb_addf(sb, "%04zu_%.8s", i, m->hash ? m->hash : "");
}

/* journal.json: the Drizzle _journal.json view of the tracking table. */
static void render_journal(struct strbuf *sb, const struct catalog *cat)
{
	struct journal j = { 0 };
	struct strbuf tag = STRBUF_INIT;
	for (size_t i = 0; i < cat->nmigrations; i++) {
		sb_reset(&tag);
		migration_tag(&tag, &cat->migrations[i], i);
		journal_add(&j, sb_str(&tag), cat->migrations[i].created_at);
	}
	journal_render(sb, &j);
	journal_free(&j);
	strbuf_free(&tag);
}

/* applied/<tag>.sql: the file as applied, when it is known; listed in the
 * order applied (tags of an older history may not sort that way). */
static void build_applied(struct builder *b, struct node *dir, const struct catalog *cat)
{
	struct strbuf tag = STRBUF_INIT;
	dir->in_order = true;
	for (size_t i = 0; i < cat->nmigrations; i++) {
		const struct cat_migration *m = &cat->migrations[i];
		sb_reset(&tag);
		migration_tag(&tag, m, i);
		if (m->sql)
			sb_add(&b->body, m->sql);
		else if (!m->hash)	/* a tool that keeps no hash (TypeORM) */
			sb_addf(&b->body, "-- Applied by its migration tool (tracking row #%lld, timestamp %lld, name %s), but its\n"
				"-- SQL is known only for what schemafs applied (schemafs_migrations).\n",
				m->id, m->created_at, m->tag ? m->tag : "");
		else
			sb_addf(&b->body, "-- Applied (tracking row #%lld, created_at %lld, SHA-256 %s), but its SQL\n"
				"-- is neither in the database's schemafs_migrations table nor in migrations_dir.\n",
				m->id, m->created_at, m->hash ? m->hash : "");
		tb_file(b, dir, sb_str(&tag), ".sql");
	}
	strbuf_free(&tag);
}

void tb_migrations(struct builder *b, struct node *root, const struct catalog *cat, const struct tree_extras *ex)
{
	struct node *md = tb_mkdir(b, root, "migrations");
	if (ex && ex->status)
		sb_add(&b->body, ex->status);
	tb_file(b, md, "status", "");
	render_journal(&b->body, cat);
	tb_file(b, md, "journal", ".json");
	if (ex && ex->check)
		sb_add(&b->body, ex->check);
	tb_file(b, md, "check", "");
	if (!ex || !ex->live) {
		tb_mkdir(b, md, "pending");
		tb_mkdir(b, md, "apply");
	}
	build_applied(b, tb_mkdir(b, md, "applied"), cat);
}
