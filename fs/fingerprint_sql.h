/*
 * fingerprint_sql.h: one catalog's part of the fingerprint (SQL_FINGERPRINT
 * in catalog_sql.h, the per-major parts in pgversion.c, the tracking
 * table's in catalog_fingerprint.c).
 */
#ifndef SCHEMAFS_FINGERPRINT_SQL_H
#define SCHEMAFS_FINGERPRINT_SQL_H

/* The snapshot's xmin as a 64-bit txid plus its age(): congruent modulo
 * 2^32 with the xid age() counts from, whatever transaction takes it (the
 * fingerprints compared are taken in different transactions). An
 * initplan: evaluated once per query. */
#define FP_BASE \
	"(SELECT pg_catalog.txid_snapshot_xmin(s) + pg_catalog.age(((pg_catalog.txid_snapshot_xmin(s)" \
	" & 4294967295)::text)::xid) FROM pg_catalog.txid_current_snapshot() s)"

/* "count:sum": the rows of a FROM clause that follows, and the sum of
 * their xmins (X, e.g. "xmin" or "t.xmin") as the 32-bit values the xmin
 * column shows, as X::text::bigint summed them but for xids 1 and 2
 * (below): BASE - age(X) is X modulo 2^32. Not the 64-bit txid it stands for: a row frozen by VACUUM keeps
 * its raw xmin, whose age() grows past 2^31 and wraps, and a sum that
 * depended on it would move without a change. Xids 1 and 2 (bootstrap,
 * frozen), whose age() is 2147483647, count and add nothing. From age(),
 * an int4, rather than the text round trip per row, which made the scan
 * twice as long (pg_attribute's 400,000 rows at 10,000 tables,
 * PostgreSQL 15: 68 ms against 115 to 170 ms). */
#define FP_SUM(x) \
	"count(*) || ':' || coalesce(pg_catalog.sum((" FP_BASE " - pg_catalog.age(" x ")) & 4294967295)" \
	" FILTER (WHERE NOT (" x " = '1'::xid OR " x " = '2'::xid)), 0)"

#endif
