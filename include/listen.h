/*
 * listen: a connection of its own that LISTENs on a channel and calls back
 * at each notification, so that DDL from elsewhere is seen at once where an
 * event trigger NOTIFYs it (README "Seeing DDL at once: NOTIFY"). No FUSE
 * here, and nothing about what the callback does.
 *
 * A listener is a thread with its own connection. It connects, runs
 * LISTEN, calls back once (whatever happened while it was not listening
 * is then looked at too), and then calls back at every notification that
 * arrives, however many a commit sent (one call for all that are waiting).
 * A lost connection is opened again at once, and while that fails, after
 * 5 s, then 10, 20 ... up to 60;
 * a LISTEN the server refuses (a hot standby, a pooler that forbids it)
 * is not tried again: the listener stays idle until it is stopped.
 * Failures are logged once each until the listener works again; the
 * password never appears in them (pg_connect).
 */
#ifndef SCHEMAFS_LISTEN_H
#define SCHEMAFS_LISTEN_H

#include <stdbool.h>

struct listener;

/* What a listener calls back for. */
enum listen_event {
	LISTEN_CONNECTED,	/* listening (again): what committed meanwhile is unseen */
	LISTEN_NOTIFIED,	/* one or more notifications arrived */
	LISTEN_LOST,		/* the connection went (it is opened again) */
};

/* Starts listening on CHANNEL (a plain lowercase name: it goes into the
 * LISTEN as it is) of the database CONNINFO names; NAME is for the log.
 * FN(CTX, EVENT) is called from the listener's thread, which holds no lock
 * then. The strings are copied. NULL when the thread cannot be started
 * (logged). The caller owns the result: listener_stop(). */
struct listener *listener_start(const char *name, const char *conninfo, int connect_timeout,
				const char *channel, void (*fn)(void *ctx, enum listen_event ev), void *ctx);

/* Stops L's thread, closes its connection and frees it; NULL: nothing.
 * Its thread waits on a pipe as well as the socket, so this is at once,
 * but for a callback in progress and a connect in progress: against a
 * stalled server, connect_timeout (for each host of a conninfo that lists
 * several), then at most PG_BOUND_MARGIN_MS (10 s) for each statement of
 * the session's setup and for the LISTEN. No lock that FN takes may be
 * held. */
void listener_stop(struct listener *l);

/* How many notifications L took (atomic read). One LISTEN_NOTIFIED call
 * covers those that arrived together; each is counted before it. */
unsigned long listener_notified(const struct listener *l);

/* Whether L is connected and listening now (atomic read). */
bool listener_listening(const struct listener *l);

#endif
