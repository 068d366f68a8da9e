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
/* Replaces each occurrence of PASSWORD (NULL or empty: none) in MSG. */
void pg_redact_password(const char *password, char *msg, size_t msglen);

/*
 * Bounds. libpq has no query timeout, and a stalled peer's kernel answers
 * TCP keepalives, so every query below is sent without blocking and its
 * reply waited for with poll() up to the calling thread's bound. When the
 * bound passes, the socket is shut down: libpq then sees the connection as
 * lost (CONNECTION_BAD, the owner reconnects), the server ends the backend
 * and rolls its transaction back when it notices. PQcancel is not used: it
 * would open a connection of its own, with no bound, through the same
 * stalled path. The bound is per thread (the refresher, each FUSE worker):
 *   default   PG_BOUND_DEFAULT_MS: the session's statement_timeout (120 s,
 *             pg_session_setup) plus a margin, for catalog reads;
 *   probes    PROBE_BOUND_MS (probe.h), migrations migrate_bound_ms()
 *             (migrate.h), set with pg_bound_set() around their queries.
 */
#define PG_BOUND_MARGIN_MS 10000
#define PG_BOUND_DEFAULT_MS (120000 + PG_BOUND_MARGIN_MS)

/* Sets this thread's bound for one query (MS <= 0: the default); returns
 * the previous one. */
int pg_bound_set(int ms);

/* Whether the last query of this thread ran out of its bound (the
 * connection was then closed). */
bool pg_timed_out(void);

/* -ETIMEDOUT when CONN was closed because a query ran out of its bound,
 * -EIO when it is lost otherwise, else OTHERWISE (what the caller makes of
 * the server's refusal). */
int pg_fault_errno(PGconn *conn, int otherwise);

/* How many queries of this thread ran out of their bound, ever: a caller
 * compares two readings to learn whether any of its queries did. */
unsigned pg_timeouts(void);

/* Makes this thread's queries inside a transaction fail at once, without
 * reaching the server, while *FLAG is true (NULL: never); returns the
 * previous flag. For a reader another thread may tell to give up between
 * two queries (the refresher's cycle that an apply made stale,
 * database.c). A "ROLLBACK" always runs: whatever path the reader takes
 * after the give-up (an error, or a result it had already), its
 * transaction ends. */
const _Atomic bool *pg_give_up_set(const _Atomic bool *flag);
/* Whether this thread's give-up flag (pg_give_up_set) is set now: for a
 * wait of its own that no query of it would end (catalog_aux.c). */
bool pg_giving_up(void);

/* The last error of CONN as one line, or the bound's message when the last
 * query of this thread ran out of it. Owned by libpq or thread-local:
 * valid until the next query. */
const char *pg_error(PGconn *conn);

/* PQexecParams (LENGTHS and FORMATS may be NULL), or PQexec when SIMPLE
 * (several statements in SQL; NPARAMS must be 0), within this thread's
 * bound. The result is the caller's (PQclear); NULL when the bound passed
 * (pg_timed_out(), pg_error()); a failure otherwise is a result with
 * PGRES_FATAL_ERROR, as libpq's own functions return. */
PGresult *pg_run(PGconn *conn, bool simple, const char *sql, int nparams, const char *const *params,
		 const int *lengths, const int *formats);

/* A Prepare of SQL as statement NAME (NPARAMS parameters, types as the
 * server infers them), and an Execute of NAME (SQL: its text, for the
 * give-up rule above), each as pg_run: within this thread's bound. */
PGresult *pg_run_prepare(PGconn *conn, const char *name, const char *sql, int nparams);
PGresult *pg_run_prepared(PGconn *conn, const char *name, const char *sql, int nparams, const char *const *params);

/* As pg_exec, but on a connection marked by pg_stmt_keep(), SQL runs as a
 * statement prepared once on CONN, named after its text (fs/pg_stmt.c says
 * why). For fixed texts only, such as the catalog queries (pgv_sql): each
 * distinct text is kept for the process's life (past 256 of them, a new
 * one runs as pg_exec). Any thread; CONN is its caller's, as everywhere
 * here. */
PGresult *pg_exec_static(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
			 size_t errlen);

/* Until CONN's transaction ends, or the next call: ONE, every statement
 * pg_exec_static prepared keeps one plan (plan_cache_mode
 * force_generic_plan, SET LOCAL), for queries that cost less to run, with
 * any plan, than to plan for their values; not ONE, each is planned for
 * its values again (force_custom_plan, as pg_stmt_keep set it for the
 * session). Unnamed queries (pg_exec) gain nothing: their generic plan is
 * made again at every run. A later pg_exec_static_generic in the same
 * transaction ends it. One round trip: 1 when it was sent, 0 on a
 * connection not marked by pg_stmt_keep (nothing sent: its queries are
 * unnamed), -1 with ERR set. */
int pg_stmt_plans_local(PGconn *conn, bool one, char *err, size_t errlen);

/* The same for a query whose one plan serves every value of its
 * parameters: on a marked connection it is planned once per session
 * (plan_cache_mode force_generic_plan around it, two more round trips),
 * not at every run. */
PGresult *pg_exec_static_generic(PGconn *conn, const char *sql, int nparams, const char *const *params, char *err,
				 size_t errlen);

/* PQfinish, after forgetting what was prepared on CONN (NULL: nothing).
 * Every connection of schemafs ends here. */
void pg_finish(PGconn *conn);

/* Forgets the statements prepared on CONN, and its mark (after a
 * DEALLOCATE ALL, a PQreset, or a new connection libpq gave an address an
 * old one had). */
void pg_stmt_forget(const PGconn *conn);

/* Marks CONN, a connection that lives long and runs nothing but the same
 * catalog queries again (the refresher's, the shadow's reader), as one that
 * prepares them, and sets its plan_cache_mode to force_custom_plan (a
 * generic plan of a lookup by a list of OIDs scans the whole catalog:
 * measured at 10,000 tables, 20 ms each for the columns', constraints' and
 * relations' queries of a 4-relation refresh, against under 1 ms). Outside
 * a transaction. Again after pg_stmt_forget() or a new session for it to
 * go on; when the SET fails, CONN stays unmarked. */
void pg_stmt_keep(PGconn *conn);

/* Runs SQL with text parameters. Returns the result (caller PQclear()s it)
 * when its status is COMMAND_OK or TUPLES_OK; otherwise NULL, with the
 * server's message in ERR. */
PGresult *pg_exec(PGconn *conn, const char *sql, int nparams,
		  const char *const *params, char *err, size_t errlen);

/* RES (from pg_run and the like, which may be NULL) when its status is
 * COMMAND_OK or TUPLES_OK; otherwise NULL, RES cleared, and the server's
 * message (or pg_error's) as one line in ERR. */
PGresult *pg_checked(PGconn *conn, PGresult *res, char *err, size_t errlen);

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
