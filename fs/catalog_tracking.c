/* catalog_tracking.c: the migration tool's tracking rows (and the text of
 * what schemafs applied) in a snapshot: load_tracking(), catalog_loader.h. */
#include "arena.h"
#include "catalog_loader.h"
#include "strbuf.h"
#include "track.h"

/* The Drizzle tracking rows, when the table exists (three queries at most). */
int load_tracking(struct loader *ld, const struct catalog_filter *f)
{
	struct catalog *cat = ld->cat;
	if (!f->tracking_schema || !f->tracking_table)
		return 0;
	char *qs = NULL;
	int ret = -1;
	struct strbuf sb = STRBUF_INIT;
	PGresult *res = NULL;
	if (track_table_name(ld->conn, f->tracking_schema, f->tracking_table, &sb, &qs, ld->err, ld->errlen))
		goto out;
	const char *params[] = { sb_str(&sb) };
	const struct tracker *tk = f->tracker ? f->tracker : track_find(NULL);
	res = run(ld, tk->exists_sql, 1, params);
	if (!res)
		goto out;
	cat->has_tracking = col_bool(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (cat->has_tracking) {
		/* The text of what schemafs applied is kept beside the rows
		 * (migrate.h), when that table exists. */
		struct strbuf q = STRBUF_INIT, ours = STRBUF_INIT;
		sb_addf(&ours, "%s.schemafs_migrations", qs);
		const char *p2[] = { sb_str(&ours) };
		res = run(ld, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, p2);
		if (!res) {
			strbuf_free(&ours);
			goto out;
		}
		bool with_text = col_bool(res, 0, 0);
		PQclear(res);
		tk->rows_sql(&q, sb_str(&sb), with_text ? sb_str(&ours) : NULL);
		res = run_text(ld, sb_str(&q), 0, NULL);	/* names from the config: never expanded */
		strbuf_free(&q);
		strbuf_free(&ours);
		if (!res)
			goto out;
		int n = PQntuples(res);
		cat->migrations = arena_alloc(cat->arena, (size_t)n * sizeof *cat->migrations);
		for (int i = 0; i < n; i++) {
			struct cat_migration *m = &cat->migrations[cat->nmigrations++];
			m->id = col_ll(res, i, 0);
			m->hash = col_str(ld, res, i, 1);
			m->created_at = col_ll(res, i, 2);
			m->tag = col_str(ld, res, i, 3);
			m->sql = col_str(ld, res, i, 4);
		}
	}
	ret = 0;
out:
	PQclear(res);
	PQfreemem(qs);
	strbuf_free(&sb);
	return ret;
}
