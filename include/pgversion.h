/*
 * pgversion: the one place that knows which PostgreSQL major a server is,
 * and what SQL each major needs.
 *
 * The major comes from the server_version the server reports when a
 * connection starts (PQserverVersion: read once per connection, never
 * queried again). Queries that differ between majors are written once, as
 * templates with {{NAME}} placeholders; fs/pgversion.c holds the table that
 * gives each placeholder's SQL for each major, side by side, so that every
 * version difference is one entry there and nowhere else.
 *
 * Thread-safe: the expanded texts are cached behind a mutex and live until
 * the process exits.
 */
#ifndef SCHEMAFS_PGVERSION_H
#define SCHEMAFS_PGVERSION_H

#include <libpq-fe.h>
#include <stddef.h>

#define PGV_OLDEST 13	/* older servers are refused */
#define PGV_NEWEST 18	/* newer servers are treated as this major */

/* The major schemafs treats CONN's server as: its real major, or
 * PGV_NEWEST for a newer one. 0 when CONN is not connected. */
int pgv_major(const PGconn *conn);

/* The server's real major (PQserverVersion / 10000). */
int pgv_server_major(const PGconn *conn);

/* 0 when CONN's server is supported. Else -1 with one line in ERR, such
 * as "PostgreSQL 12 is not supported (13 or newer)". A newer major than
 * PGV_NEWEST is accepted: NOTE (when not NULL) then says it is tried as
 * PGV_NEWEST, for the log; otherwise NOTE is set to "". */
int pgv_check(const PGconn *conn, char *err, size_t errlen, char *note, size_t notelen);

/* pgv_check() for a server of major M. */
int pgv_check_major(int m, char *err, size_t errlen, char *note, size_t notelen);

/* TEMPLATE with every {{NAME}} replaced by that placeholder's SQL for
 * MAJOR. A template without placeholders is returned as is. The result
 * belongs to this module and stays valid until exit; NULL only when out
 * of memory or when TEMPLATE names an unknown placeholder (a bug, caught
 * by the unit tests). */
const char *pgv_sql(const char *tmpl, int major);

/* pgv_sql() for CONN's server. */
const char *pgv_sql_for(const PGconn *conn, const char *tmpl);

#endif
