/*
 * fingerprint_sql.h: one catalog's part of the fingerprint (SQL_FINGERPRINT
 * in catalog_sql.h, the per-major parts in pgversion.c, the tracking
 * table's in catalog_fingerprint.c).
 */
#ifndef SCHEMAFS_FINGERPRINT_SQL_H
#define SCHEMAFS_FINGERPRINT_SQL_H

/* The snapshot's xmin as a 64-bit txid plus its age(): BASE - age(x) is
 * x's own 64-bit txid, whatever transaction age() counts from (the
 * fingerprints compared are taken in different transactions). An
 * initplan: evaluated once per query. */
#define FP_BASE \
	"(SELECT pg_catalog.txid_snapshot_xmin(s) + pg_catalog.age(((pg_catalog.txid_snapshot_xmin(s)" \
	" & 4294967295)::text)::xid) FROM pg_catalog.txid_current_snapshot() s)"

/* "count:sum": the rows of a FROM clause that follows, and the sum of
 * their xmins (X, e.g. "xmin" or "t.xmin") as 64-bit txids; a frozen row
 * (age() says 2147483647 for xids 1 and 2) counts and adds nothing. From
 * age(), an int4, rather than X::text::bigint: the text round trip per
 * row made the scan twice as long (pg_attribute's 400,000 rows at 10,000
 * tables, PostgreSQL 15: 68 ms against 115 to 170 ms). The multiplication
 * is numeric, once per catalog: it cannot overflow. */
#define FP_SUM(x) \
	"count(*) || ':' || (pg_catalog.count(*) FILTER (WHERE pg_catalog.age(" x ") <> 2147483647)" \
	"::numeric * " FP_BASE " - coalesce(pg_catalog.sum(pg_catalog.age(" x "))" \
	" FILTER (WHERE pg_catalog.age(" x ") <> 2147483647), 0))"

#endif
