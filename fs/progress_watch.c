/* progress_watch.c: what a running migration's backend waits for, asked
 * over another connection (the refresher's); see include/progress.h. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* Who blocks PID: its lock's holders and those queued before it. */
static const char SQL_BLOCKERS[] =
	"SELECT b.pid, coalesce(nullif(a.application_name, ''), '(no application_name)'),"
	" coalesce(a.state, 'unknown'), coalesce(a.query, '')"
	" FROM pg_catalog.unnest(pg_catalog.pg_blocking_pids($1::int)) AS b(pid)"
	" LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = b.pid ORDER BY b.pid";

static const char SQL_INDEX[] =
	"SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total"
	" FROM pg_catalog.pg_stat_progress_create_index WHERE pid = $1::int";

int progress_query_waits(PGconn *conn, int pid, struct progress_facts *f, char *err, size_t errlen)
{
	char p[16];
	snprintf(p, sizeof p, "%d", pid);
	const char *params[] = { p };
	PGresult *res = pg_exec(conn, SQL_BLOCKERS, 1, params, err, errlen);
	if (!res)
		return -1;
	int n = PQntuples(res);
	f->nblockers_all = (size_t)n;
	for (int i = 0; i < n && f->nblockers < PROGRESS_MAX_BLOCKERS; i++) {
		struct progress_blocker *b = &f->blockers[f->nblockers++];
		b->pid = atoi(PQgetvalue(res, i, 0));
		progress_first_line(b->app, sizeof b->app, PQgetvalue(res, i, 1), strlen(PQgetvalue(res, i, 1)),
				    sizeof b->app - 4);
		snprintf(b->state, sizeof b->state, "%s", PQgetvalue(res, i, 2));
		const char *q = PQgetvalue(res, i, 3);
		progress_first_line(b->query, sizeof b->query, q, strlen(q), PROGRESS_LINE_MAX);
	}
	PQclear(res);
	res = pg_exec(conn, SQL_INDEX, 1, params, err, errlen);
	if (!res)
		return -1;
	if (PQntuples(res)) {
		f->index = true;
		snprintf(f->phase, sizeof f->phase, "%s", PQgetvalue(res, 0, 0));
		f->blocks_done = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		f->blocks_total = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		f->tuples_done = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
		f->tuples_total = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	}
	PQclear(res);
	return 0;
}
