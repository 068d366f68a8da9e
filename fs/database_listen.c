/* database_listen.c: a database's listener for its event trigger's NOTIFY
 * (DB_NOTIFY_TRIGGER, README "Seeing DDL at once: NOTIFY"); see
 * database_refresh.h and listen.h. */
#include <pthread.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "database_refresh.h"
#include "listen.h"
#include "log.h"
#include "strbuf.h"

/* The listener's callback, from its thread. A notification, or a
 * (re)connect after which one may have been missed: a refresh now, as an
 * apply asks for one, without waiting for it. A connect or a loss: status
 * says so. */
static void notified(void *ctx, enum listen_event ev)
{
	struct database *db = ctx;
	if (ev != LISTEN_LOST) {
		pthread_mutex_lock(&db->lock);
		db->refresh_wanted = true;
		pthread_cond_broadcast(&db->wake);
		pthread_mutex_unlock(&db->lock);
	}
	if (ev != LISTEN_NOTIFIED)
		database_republish(db);
}

/* Whether CAT has the event trigger, firing in ordinary sessions: enabled
 * (O) or ALWAYS (A); one enabled for REPLICA only, or disabled, fires in
 * none of them. */
static bool has_trigger(const struct catalog *cat)
{
	for (size_t i = 0; cat && i < cat->nevtrigs; i++)
		if (!strcmp(cat->evtrigs[i].name, DB_NOTIFY_TRIGGER))
			return cat->evtrigs[i].enabled == 'O' || cat->evtrigs[i].enabled == 'A';
	return false;
}

void database_listen_update(struct database *db)
{
	/* A hot standby refuses LISTEN (and sends no notification). */
	bool want = !db->standby && has_trigger(db->cat);
	if (want == (db->listener != NULL))
		return;
	struct listener *l = NULL;
	if (want) {
		l = listener_start(db->cfg->name, db->cfg->conninfo, db->cfg->connect_timeout, DB_NOTIFY_CHANNEL,
				   notified, db);
		if (!l)
			return;	/* logged; tried again at the next install */
	} else {
		log_info("%s: notifications: the event trigger %s is gone or disabled: not listening any more",
			 db->cfg->name, DB_NOTIFY_TRIGGER);
	}
	pthread_mutex_lock(&db->model_lock);
	struct listener *old = db->listener;
	db->listener = l;
	pthread_mutex_unlock(&db->model_lock);
	/* Out of model_lock: its thread may be taking db->lock to call back. */
	listener_stop(old);
	database_republish(db);	/* status's line */
}

void database_listen_status(struct strbuf *sb, const struct database *db)
{
	if (!db->listener)
		return;
	sb_addf(sb, "notifications: %s on channel %s (event trigger %s), %lu received\n",
		listener_listening(db->listener) ? "listening" : "not connected", DB_NOTIFY_CHANNEL,
		DB_NOTIFY_TRIGGER, listener_notified(db->listener));
}
