/*
 * pg: the thin layer over libpq. Connecting (with the password kept out of
 * every message), running queries with parameters, and reporting errors.
 *
 * A PGconn is used by one thread at a time: its owner (struct database's
 * refresher) is the only caller. Nothing here keeps global state.
 */
#ifndef SCHEMAFS_PG_H
#define SCHEMAFS_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* Connects; on failure returns NULL and writes libpq's message, password
 * removed, as one line to ERR. The caller owns the connection (PQfinish). */
PGconn *pg_connect(const char *conninfo, int connect_timeout, char *err, size_t errlen);

/* Settings of schemafs's own session (JIT off, lock and statement
 * timeouts for catalog reads); run after every (re)connect.
 * 0, or -1 with ERR. */
int pg_session_setup(PGconn *conn, char *err, size_t errlen);

/* Back to a fresh session, but for session-level advisory locks (which
 * DISCARD ALL would release), then pg_session_setup(). For use between
 * migrations, outside a transaction. 0, or -1 with ERR. */
int pg_session_reset(PGconn *conn, char *err, size_t errlen);

/* Replaces each occurrence of CONNINFO's password in MSG (a buffer of
 * MSGLEN bytes) with "***", and folds the message onto one line. When
 * CONNINFO cannot be parsed, the whole message is replaced. */
void pg_redact(const char *conninfo, char *msg, size_t msglen);

/* Runs SQL with text parameters. Returns the result (caller PQclear()s it)
 * when its status is COMMAND_OK or TUPLES_OK; otherwise NULL, with the
 * server's message in ERR. */
PGresult *pg_exec(PGconn *conn, const char *sql, int nparams,
		  const char *const *params, char *err, size_t errlen);

/* Runs a statement without result rows; 0 or -1 with ERR. */
int pg_command(PGconn *conn, const char *sql, char *err, size_t errlen);

/* What the server takes as a name. A longer name is not refused by
 * PostgreSQL but cut, so schemafs refuses it itself. */
struct pg_name_rules {
	int max_bytes;		/* max_identifier_length (NAMEDATALEN - 1) */
	bool utf8;		/* names travel as UTF-8 (client_encoding UTF8) */
};

/* Reads CONN's rules into R (63 bytes and UTF-8 are kept when the server
 * does not say). 0, or -1 with ERR. */
int pg_name_rules(PGconn *conn, struct pg_name_rules *r, char *err, size_t errlen);

/* Value at (row, col); NULL for SQL NULL. */
const char *pg_val(const PGresult *res, int row, int col);

#endif
