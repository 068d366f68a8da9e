/*
 * config: the mount's configuration, from a JSON file (cJSON) or from a
 * single -o conninfo=... option.
 *
 *   { "databases": { "<dir>": { "conninfo": "...", "schemas": [...],
 *                               "read_only": false, "migrations_dir": "...",
 *                               "migrations_table": "__drizzle_migrations",
 *                               "migrations_schema": "drizzle",
 *                               "connect_timeout": 10, "ttl": 2,
 *                               "lock_timeout": 5000, "statement_timeout": 0,
 *                               "lock_wait": 30000,
 *                               "writers_group": "dbadmins",
 *                               "privileges": false, "owners": false,
 *                               "shadow": true, "shadow_conninfo": "..." } },
 *     "state_dir": "...", "ttl": 2, "live": false }
 *
 * "live" (or -o live) is for the whole mount, never one database: the
 * kernel mount is read-only as a whole. It shows the live catalog, without
 * the stage (see database.h).
 *
 * A struct config owns every string in it; config_free() releases them.
 * Read-only after loading, so shared by all threads without a lock.
 */
#ifndef SCHEMAFS_CONFIG_H
#define SCHEMAFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct db_config {
	char *name;		/* top-level directory; NULL until known for -o conninfo */
	char *conninfo;		/* libpq conninfo or URI; may hold a password: never log */
	char **schemas;		/* include filter; NULL = every user schema */
	size_t nschemas;
	bool read_only;
	bool privileges;	/* render GRANT/REVOKE and default privileges */
	bool owners;		/* render ALTER ... OWNER TO */
	char *migrations_dir;	/* NULL when not configured */
	char *migrations_table;
	char *migrations_schema;
	char *tracking;		/* "drizzle" or "typeorm" (track.h); NULL: drizzle */
	int connect_timeout;	/* seconds */
	double ttl;		/* seconds a snapshot stays fresh */
	int lock_timeout_ms;	/* migrations: SET lock_timeout (default 5000) */
	int statement_timeout_ms;	/* migrations: SET statement_timeout (default 0: none) */
	int lock_wait_ms;	/* migrations: wait for the advisory lock (default 30000) */
	long parallel_read;	/* a full read of this many relations or more also
				 * uses a second connection (catalog.h); 0: never */
	bool live;		/* the mount's "live", copied by config_apply_defaults()
				 * (which then sets read_only too) */
	unsigned long long max_memory;	/* the mount's "max_memory" (bytes; 0: none),
					 * copied by config_apply_defaults() */
	char *writers_group;	/* group allowed to change it besides the owner; NULL: none */
	bool has_writers;	/* config_resolve_groups(): writers_group found */
	gid_t writers_gid;    	/* config_resolve_groups(): its gid */
	bool shadow_off;	/* "shadow": false: no shadow database (shadow.h) */
	char *shadow_conninfo;	/* the shadow database's conninfo, or NULL: <db>_schemafs_shadow
				 * on the same server; may hold a password: never log */
};

struct config {
	struct db_config *dbs;
	size_t ndbs;
	char *state_dir;	/* NULL: default chosen by the caller */
	double ttl;
	bool live;		/* a live view: no stage, read-only (-o live or "live") */
	unsigned long long max_memory;	/* bytes; 0: no limit ("max_memory" or
					 * -o max_memory; database_evict.c) */
};

/* A size: a whole number of bytes with an optional suffix K, M, G or T
 * (powers of 1024; "512M"), and no sign, space or fraction. Returns 0 and
 * sets *OUT, or -1. */
int config_parse_size(const char *text, unsigned long long *out);

/* Parses JSON text. On error returns -1 and writes one line (with line and
 * column for syntax errors) to ERR. */
int config_parse(const char *json, struct config *cfg, char *err, size_t errlen);
/* Also refuses (one line in ERR, without the password) a file that holds a
 * password and that group or others can read: libpq ignores such a .pgpass
 * for the same reason. */
int config_load_file(const char *path, struct config *cfg, char *err, size_t errlen);
/* Looks up each writers_group. On error returns -1 with one line in ERR. */
int config_resolve_groups(struct config *cfg, char *err, size_t errlen);
/* Does a conninfo string or URI carry a password? (Never logs it.) */
bool config_conninfo_has_password(const char *conninfo);
/* One database from a conninfo string; its name is filled in on connect. */
int config_from_conninfo(const char *conninfo, struct config *cfg);
/* Defaults for fields not given (ttl from the mount's -o ttl when set);
 * copies cfg->live into every database (set it first for -o live). */
void config_apply_defaults(struct config *cfg, double ttl_override);
void config_free(struct config *cfg);

#endif
