/* listen.c: a LISTEN connection that calls back at each notification; see
 * include/listen.h. */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pg.h"
#include "thread.h"

#define LISTEN_RETRY_FIRST_S 5
#define LISTEN_RETRY_MAX_S 60

/* Everything but notified and listening is written before the thread
 * starts, or by the thread alone (conn). */
struct listener {
	char *name, *conninfo, *sql;	/* sql: "LISTEN <channel>" */
	int connect_timeout;
	void (*fn)(void *ctx, enum listen_event ev);
	void *ctx;
	int stop[2];			/* a byte written to stop[1] stops the thread */
	pthread_t thread;
	PGconn *conn;			/* the thread's */
	unsigned long notified;		/* atomic: notifications taken */
	int listening;			/* atomic */
};

/* Opens the connection and LISTENs. 0; -1 to try again later (ERR set);
 * -2 when the server refused the LISTEN itself (ERR set). */
static int open_listening(struct listener *l, char *err, size_t errlen)
{
	l->conn = pg_connect(l->conninfo, l->connect_timeout, err, errlen);
	if (!l->conn)
		return -1;
	if (!pg_command(l->conn, l->sql, err, errlen))
		return 0;
	int rc = PQstatus(l->conn) == CONNECTION_OK ? -2 : -1;
	pg_finish(l->conn);
	l->conn = NULL;
	return rc;
}

/* Waits up to MS (-1: no bound) for the stop pipe or, with a connection,
 * its socket. 1: stop; 0 otherwise (socket readable, or time out). */
static int wait_for(struct listener *l, int ms)
{
	struct pollfd p[2] = { { .fd = l->stop[0], .events = POLLIN },
			       { .fd = l->conn ? PQsocket(l->conn) : -1, .events = POLLIN } };
	int n = poll(p, 2, ms);
	if (n < 0 && errno != EINTR)
		log_warn("%s: notifications: poll: %s", l->name, strerror(errno));
	return n > 0 && p[0].revents ? 1 : 0;
}

/* Drains what arrived on the socket. false: the connection is lost. */
static bool take_notifications(struct listener *l)
{
	/* A backend ended by the server (pg_terminate_backend, a restart)
	 * sends its FATAL, then EOF: either ends the connection. */
	if (!PQconsumeInput(l->conn) || PQstatus(l->conn) != CONNECTION_OK)
		return false;
	unsigned long n = 0;
	PGnotify *nf;
	while ((nf = PQnotifies(l->conn))) {
		n++;
		PQfreemem(nf);
	}
	if (n) {	/* counted before the call, which may render status */
		__atomic_add_fetch(&l->notified, n, __ATOMIC_RELAXED);
		l->fn(l->ctx, LISTEN_NOTIFIED);
	}
	return true;
}

static void *run(void *arg)
{
	struct listener *l = arg;
	/* Its statements (the session's SETs, LISTEN) answer at once: a
	 * stalled server does not keep a stop waiting for long. */
	pg_bound_set(PG_BOUND_MARGIN_MS);
	char err[512];
	int retry_s = 0;
	bool warned = false, refused = false;
	for (;;) {
		if (!l->conn && !refused) {
			int rc = open_listening(l, err, sizeof err);
			if (rc == 0) {
				log_info("%s: notifications: listening (%s)", l->name, l->sql);
				warned = false;
				retry_s = 0;
				__atomic_store_n(&l->listening, 1, __ATOMIC_RELAXED);
				l->fn(l->ctx, LISTEN_CONNECTED);
			} else if (rc == -2) {
				refused = true;
				log_warn("%s: notifications: the server refused %s: %s; DDL from elsewhere "
					 "is seen at the next look instead", l->name, l->sql, err);
			} else {
				if (!warned)
					log_warn("%s: notifications: cannot connect (trying again): %s", l->name, err);
				warned = true;
				retry_s = retry_s ? retry_s * 2 : LISTEN_RETRY_FIRST_S;
				if (retry_s > LISTEN_RETRY_MAX_S)
					retry_s = LISTEN_RETRY_MAX_S;
			}
		}
		if (wait_for(l, l->conn || refused ? -1 : retry_s * 1000))
			break;
		if (l->conn && !take_notifications(l)) {
			snprintf(err, sizeof err, "%s", PQerrorMessage(l->conn));
			pg_redact(l->conninfo, err, sizeof err);
			log_warn("%s: notifications: connection lost (opening it again): %s", l->name, err);
			warned = true;
			__atomic_store_n(&l->listening, 0, __ATOMIC_RELAXED);
			pg_finish(l->conn);
			l->conn = NULL;
			retry_s = 0;
			l->fn(l->ctx, LISTEN_LOST);
		}
	}
	return NULL;
}

/* Frees L and what it owns but the thread (not started, or joined). */
static void listener_free(struct listener *l)
{
	if (l->conn)
		pg_finish(l->conn);
	if (l->stop[0] >= 0) {
		close(l->stop[0]);
		close(l->stop[1]);
	}
	free(l->name);
	free(l->conninfo);
	free(l->sql);
	free(l);
}

struct listener *listener_start(const char *name, const char *conninfo, int connect_timeout,
				const char *channel, void (*fn)(void *ctx, enum listen_event ev), void *ctx)
{
	struct listener *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->stop[0] = l->stop[1] = -1;
	size_t n = strlen(channel) + sizeof "LISTEN ";
	l->name = strdup(name);
	l->conninfo = strdup(conninfo);
	l->sql = malloc(n);
	if (!l->name || !l->conninfo || !l->sql || pipe2(l->stop, O_CLOEXEC))
		goto fail;
	snprintf(l->sql, n, "LISTEN %s", channel);
	l->connect_timeout = connect_timeout;
	l->fn = fn;
	l->ctx = ctx;
	int rc = thread_start(&l->thread, run, l);
	if (rc) {
		log_warn("%s: notifications: cannot start a thread: %s", name, strerror(rc));
		goto fail;
	}
	return l;
fail:
	listener_free(l);
	return NULL;
}

void listener_stop(struct listener *l)
{
	if (!l)
		return;
	ssize_t w;
	do
		w = write(l->stop[1], "", 1);
	while (w < 0 && errno == EINTR);
	pthread_join(l->thread, NULL);
	listener_free(l);
}

unsigned long listener_notified(const struct listener *l)
{
	return __atomic_load_n(&l->notified, __ATOMIC_RELAXED);
}

bool listener_listening(const struct listener *l)
{
	return __atomic_load_n(&l->listening, __ATOMIC_RELAXED) != 0;
}
