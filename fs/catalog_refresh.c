/*
 * catalog_refresh.c: the ways in to a catalog read (include/catalog.h):
 * a full load, one in the caller's transaction, and a refresh, which
 * takes the fingerprint first and reads incrementally when it can. Each
 * runs catalog_load_one() (catalog.c), again when it asks for that.
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "catalog_loader.h"
#include "catalog_sql.h"
#include "pg.h"

struct catalog *catalog_load_since(PGconn *conn, const struct catalog_filter *filter,
				   const struct catalog *prev, bool leave_open, char *err, size_t errlen)
{
	int retry;
	if (leave_open || (prev && (!prev->fingerprint || !prev->snapshot)))
		prev = NULL;
	struct catalog_filter f = *filter;
	struct catalog *cat = catalog_load_one(conn, &f, prev, leave_open, false, NULL, NULL, NULL, err, errlen, &retry);
	/* Twice at most: PREV unusable, then the export failing. */
	for (int i = 0; !cat && retry && i < 2; i++) {
		if (retry == RETRY_ONE_CONN)
			f.parallel_from = 0;
		cat = catalog_load_one(conn, &f, NULL, leave_open, false, NULL, NULL, NULL, err, errlen, &retry);
	}
	return cat;
}

struct catalog *catalog_refresh(PGconn *conn, const struct catalog_filter *filter, const struct catalog *prev,
				bool full, bool *same, char **snapshot, bool *second_failed, char *err,
				size_t errlen)
{
	struct catalog *cat = NULL;
	int retry = 0;
	*same = false;
	*snapshot = NULL;
	if (second_failed)
		*second_failed = false;
	if (!prev || !prev->fingerprint)
		return catalog_load_since(conn, filter, NULL, false, err, errlen);
	/* The fingerprint first, in the load's own snapshot: what it says
	 * (nothing changed, only relations, more) holds for every query
	 * that follows, so it is taken once and needs no check at the end. */
	if (pg_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen))
		return NULL;
	/* The fingerprint lists the rows new to PREV's snapshot, from its
	 * own scans, for the change query (catalog_incr.c), when the read may
	 * be incremental: named here, in the same round trip. */
	const char *since[] = { !full && prev->snapshot ? prev->snapshot : "" };
	/* The kept relations' copies, made while the server takes the
	 * fingerprint (catalog_copy.c), when the read is likely to use them. */
	struct rel_copy *copy = filter->copy_ahead && !full && prev->snapshot ? rel_copy_start(prev) : NULL;
	PGresult *res = pg_exec(conn, "SELECT pg_catalog.txid_current_snapshot()::text,"
				" pg_catalog.set_config('" FP_SINCE_GUC "', $1, true)", 1, since, err, errlen);
	struct cat_fresh fresh = { 0 };
	/* Its second query on a second connection, when a change is likely
	 * and the relations are many enough for a read on two (the same
	 * threshold): a connection more per refresh that reads. */
	bool two = filter->fp_two && filter->parallel_from > 0 && (long)prev->nrels >= filter->parallel_from;
	int split = 0;
	char *fp = res ? catalog_fingerprint(conn, filter, since[0], two, &fresh, &split, err, errlen) : NULL;
	if (fp && !(*snapshot = strdup(PQgetvalue(res, 0, 0))))
		abort();
	PQclear(res);
	if (fp && !strcmp(fp, prev->fingerprint)) {
		*same = true;
	} else if (fp) {
		bool local = !full && prev->snapshot && catalog_fingerprint_local(prev->fingerprint, fp);
		if (!local)
			rel_copy_drop(copy);	/* not held through the full read */
		cat = catalog_load_one(conn, filter, local ? prev : NULL, false, false, fp, &fresh, copy, err, errlen, &retry);
		if (cat)
			cat->fp_split = split > 0;
	}
	/* The export for the fingerprint's second connection failed and took
	 * the transaction with it (a full disk: pg_snapshots/): the refresh
	 * again on one connection, now, rather than fail every time. */
	bool export_failed = split == -1;
	if (second_failed)
		*second_failed = split < 0;
	rel_copy_end(copy);
	free(fp);
	cat_fresh_clear(&fresh);
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		PGresult *r = pg_run(conn, true, "ROLLBACK", 0, NULL, NULL, NULL);
		PQclear(r);
	}
	if (export_failed) {
		struct catalog_filter one = *filter;
		one.parallel_from = 0;
		free(*snapshot);
		*snapshot = NULL;
		return catalog_refresh(conn, &one, prev, full, same, snapshot, NULL, err, errlen);
	}
	if (!cat && retry == RETRY_ONE_CONN) {
		/* Its snapshot is gone with the export that failed: a full
		 * read of its own, on one connection. */
		struct catalog_filter one = *filter;
		one.parallel_from = 0;
		free(*snapshot);
		*snapshot = NULL;
		return catalog_load_since(conn, &one, NULL, false, err, errlen);
	}
	return cat;
}

struct catalog *catalog_load_here(PGconn *conn, const struct catalog_filter *filter, char *err, size_t errlen)
{
	int retry;
	return catalog_load_one(conn, filter, NULL, true, true, NULL, NULL, NULL, err, errlen, &retry);
}

struct catalog *catalog_load(PGconn *conn, const struct catalog_filter *filter, bool leave_open,
			     char *err, size_t errlen)
{
	return catalog_load_since(conn, filter, NULL, leave_open, err, errlen);
}
