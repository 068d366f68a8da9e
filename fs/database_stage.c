/* database_stage.c: the stage that belongs to the mounted database; see
 * database_stage.h. */
#include "database_stage.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "database.h"
#include "log.h"
#include "pg.h"
#include "stage.h"
#include "strbuf.h"

int database_identity(PGconn *conn, char *out, size_t outlen, char *err, size_t errlen)
{
	/* pg_control_system() is executable by every role (9.6 and newer),
	 * unless a managed service revoked it: then the database OID alone,
	 * which cannot tell two servers apart, and the log says so. */
	PGresult *res = pg_exec(conn, "SELECT s.system_identifier::pg_catalog.text || '/' || d.oid::pg_catalog.text"
				" FROM pg_catalog.pg_control_system() s, pg_catalog.pg_database d"
				" WHERE d.datname = pg_catalog.current_database()", 0, NULL, err, errlen);
	if (!res) {
		log_warn("%s: cannot read the server's system identifier (%s): staged changes are told apart "
			 "by database OID only", PQdb(conn), err);
		res = pg_exec(conn, "SELECT 'unknown/' || d.oid::pg_catalog.text FROM pg_catalog.pg_database d"
			      " WHERE d.datname = pg_catalog.current_database()", 0, NULL, err, errlen);
	}
	if (!res)
		return -1;
	int rc = PQntuples(res) == 1 ? 0 : -1;
	if (rc)
		snprintf(err, errlen, "cannot tell which database this is (pg_control_system)");
	else
		snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/* "a/b" -> "a-b", for a file name. */
static void file_part(char *dst, size_t len, const char *identity)
{
	snprintf(dst, len, "%s", identity);
	for (char *p = dst; *p; p++)
		if (*p == '/')
			*p = '-';
}

static void set_aside(struct database *db, const char *file, const char *whose)
{
	struct strbuf sb = STRBUF_INIT;
	if (db->stage_aside)	/* several: one line, each named */
		sb_addf(&sb, "%s; ", db->stage_aside);
	free(db->stage_aside);
	if (whose)
		sb_addf(&sb, "%s holds changes staged on another database (%s; this one is %s): "
			"kept aside, not applied, no migration from it", file, whose, db->identity);
	else
		sb_addf(&sb, "%s holds changes staged before schemafs recorded which database they belong "
			"to: kept aside, not applied, no migration from it (this database is %s)",
			file, db->identity);
	db->stage_aside = strbuf_detach(&sb, NULL);
	log_warn("%s: %s", db->cfg->name, db->stage_aside);
}

/* Stages of other databases of the same name in DIR (another server's
 * "app"), and a stage.json of a schemafs from before stages were bound
 * (it cannot say whose it is): named in status, never used. */
static void others(struct database *db, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	const char *mine = strrchr(db->stage_file, '/') + 1;
	struct dirent *e;
	struct strbuf path = STRBUF_INIT;
	char msg[256];
	/* Sorted by name would be nicer; there are one or two. */
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		bool bound = !strncmp(e->d_name, "stage-", 6) && n > 11 && !strcmp(e->d_name + n - 5, ".json");
		if ((!bound && strcmp(e->d_name, "stage.json")) || !strcmp(e->d_name, mine))
			continue;
		sb_reset(&path);
		sb_addf(&path, "%s/%s", dir, e->d_name);
		struct stage *st = stage_load(sb_str(&path), msg, sizeof msg);
		if (st && !(stage_empty(st) && !stage_has_files(st)))
			set_aside(db, sb_str(&path), bound ? stage_database(st) : NULL);
		stage_free(st);
	}
	closedir(d);
	strbuf_free(&path);
}

int database_stage_open(struct database *db, const char *dir, char *err, size_t errlen)
{
	char msg[1024], part[64];
	if (db->cfg->live) {
		/* A live view shows the catalog as it is: an empty stage in
		 * memory, no stage file read or written, nothing kept aside. */
		db->stage = stage_new();
		stage_set_database(db->stage, db->identity);
		return 0;
	}
	if (!dir) {
		db->stage = stage_new();
		stage_set_database(db->stage, db->identity);
		log_warn("%s: no state directory: staged changes will not survive a restart", db->cfg->name);
		return 0;
	}
	file_part(part, sizeof part, db->identity);
	struct strbuf path = STRBUF_INIT;
	sb_addf(&path, "%s/stage-%s.json", dir, part);
	db->stage_file = strbuf_detach(&path, NULL);
	db->stage = stage_load(db->stage_file, msg, sizeof msg);
	if (!db->stage) {
		snprintf(err, errlen, "%s (staged changes are kept there: fix or move the file)", msg);
		return -1;
	}
	const char *whose = stage_database(db->stage);
	if (whose && strcmp(whose, db->identity)) {
		/* Copied here by hand: move it out of the way, never use it. */
		struct strbuf moved = STRBUF_INIT;
		sb_addf(&moved, "%s.foreign", db->stage_file);
		if (rename(db->stage_file, sb_str(&moved))) {
			/* Never overwrite it: this mount keeps its stage in memory. */
			log_warn("%s: cannot move %s aside: %s; staged changes will not survive a restart",
				 db->cfg->name, db->stage_file, strerror(errno));
			free(db->stage_file);
			db->stage_file = NULL;
		}
		set_aside(db, sb_str(&moved), whose);
		strbuf_free(&moved);
		stage_free(db->stage);
		db->stage = stage_new();
	}
	others(db, dir);
	stage_set_database(db->stage, db->identity);
	return 0;
}
