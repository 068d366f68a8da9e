/* config.c: JSON configuration; see include/config.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "track.h"

#define DEFAULT_TTL 2.0
/* Below this many relations a full read is short: a second connection
 * (catalog_aux.c) would cost about what it saves. */
#define DEFAULT_PARALLEL_READ 1000

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

/* Line and column (1-based) of POS in TEXT. */
static void line_col(const char *text, const char *pos, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < pos && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int want_type(const cJSON *item, int ok, const char *where, const char *type,
		     char *err, size_t errlen)
{
	if (ok)
		return 0;
	snprintf(err, errlen, "\"%s\" must be %s", where, type);
	(void)item;
	return -1;
}

/* A key given twice would be read as one of its values and leak the
 * other: refused, naming it (WHERE: the object, "" at the top). */
static int twice(const cJSON *obj, const char *where, char *err, size_t errlen)
{
	for (const cJSON *it = obj->child; it; it = it->next) {
		for (const cJSON *o = obj->child; o != it; o = o->next) {
			if (!strcmp(o->string, it->string)) {
				snprintf(err, errlen, "\"%s%s%s\" given twice", where, *where ? "." : "", it->string);
				return -1;
			}
		}
	}
	return 0;
}

/* Numbers not given are -1 until config_apply_defaults(). */
static void db_unset(struct db_config *db)
{
	db->connect_timeout = -1;
	db->ttl = -1;
	db->lock_timeout_ms = -1;
	db->statement_timeout_ms = -1;
	db->lock_wait_ms = -1;
	db->parallel_read = -1;
}

static int parse_db(const cJSON *obj, struct db_config *db, char *err, size_t errlen)
{
	const char *name = obj->string;
	char where[512];
	if (!cJSON_IsObject(obj)) {
		snprintf(err, errlen, "databases.\"%s\" must be an object", name);
		return -1;
	}
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, "\"%s\" cannot be a directory name", name);
		return -1;
	}
	db_unset(db);
	db->name = xstrdup(name);
	snprintf(where, sizeof where, "databases.%s", name);
	if (twice(obj, where, err, errlen))
		return -1;
	const cJSON *it;
	cJSON_ArrayForEach(it, obj) {
		const char *k = it->string;
		snprintf(where, sizeof where, "databases.%s.%s", name, k);
		if (!strcmp(k, "conninfo")) {
			if (want_type(it, cJSON_IsString(it), where, "a string", err, errlen))
				return -1;
			db->conninfo = xstrdup(it->valuestring);
		} else if (!strcmp(k, "schemas")) {
			if (want_type(it, cJSON_IsArray(it), where, "an array of strings", err, errlen))
				return -1;
			int n = cJSON_GetArraySize(it);
			db->schemas = calloc((size_t)n + 1, sizeof(char *));
			const cJSON *s;
			cJSON_ArrayForEach(s, it) {
				if (want_type(s, cJSON_IsString(s), where, "an array of strings", err, errlen))
					return -1;
				db->schemas[db->nschemas++] = xstrdup(s->valuestring);
			}
		} else if (!strcmp(k, "read_only") || !strcmp(k, "privileges") || !strcmp(k, "owners")) {
			if (want_type(it, cJSON_IsBool(it), where, "true or false", err, errlen))
				return -1;
			bool *dst = k[0] == 'r' ? &db->read_only : k[0] == 'p' ? &db->privileges : &db->owners;
			*dst = cJSON_IsTrue(it);
		} else if (!strcmp(k, "migrations_dir") || !strcmp(k, "migrations_table") ||
			   !strcmp(k, "migrations_schema")) {
			if (want_type(it, cJSON_IsString(it) && *it->valuestring, where,
				      "a non-empty string", err, errlen))
				return -1;
			char **dst = k[11] == 'd' ? &db->migrations_dir :
				     k[11] == 't' ? &db->migrations_table : &db->migrations_schema;
			*dst = xstrdup(it->valuestring);
		} else if (!strcmp(k, "connect_timeout") || !strcmp(k, "lock_timeout") ||
			   !strcmp(k, "statement_timeout") || !strcmp(k, "lock_wait")) {
			if (want_type(it, cJSON_IsNumber(it) && it->valuedouble >= 0 &&
				      it->valuedouble <= 86400000, where,
				      "a non-negative number", err, errlen))
				return -1;
			int v = (int)it->valuedouble;
			if (k[0] == 'c')
				db->connect_timeout = v;
			else if (!strcmp(k, "lock_wait"))
				db->lock_wait_ms = v;
			else if (k[0] == 'l')
				db->lock_timeout_ms = v;
			else
				db->statement_timeout_ms = v;
		} else if (!strcmp(k, "parallel_read")) {
			if (want_type(it, cJSON_IsNumber(it) && it->valuedouble >= 0 &&
				      it->valuedouble <= 1e9 && it->valuedouble == (long)it->valuedouble, where,
				      "a number of relations (0: never)", err, errlen))
				return -1;
			db->parallel_read = (long)it->valuedouble;
		} else if (!strcmp(k, "ttl")) {
			if (want_type(it, cJSON_IsNumber(it) && it->valuedouble >= 0 &&
				      it->valuedouble <= 86400, where,
				      "a number of seconds from 0 to 86400", err, errlen))
				return -1;
			db->ttl = it->valuedouble;
		} else if (!strcmp(k, "live")) {
			snprintf(err, errlen, "\"%s\": \"live\" is for the whole mount (its kernel mount "
				 "is read-only as a whole): put it at the top level", where);
			return -1;
		} else if (!strcmp(k, "shadow")) {
			if (want_type(it, cJSON_IsBool(it), where, "true or false", err, errlen))
				return -1;
			db->shadow_off = cJSON_IsFalse(it);
		} else if (!strcmp(k, "shadow_conninfo")) {
			if (want_type(it, cJSON_IsString(it) && *it->valuestring, where,
				      "a non-empty string", err, errlen))
				return -1;
			free(db->shadow_conninfo);
			db->shadow_conninfo = xstrdup(it->valuestring);
		} else if (!strcmp(k, "writers_group")) {
			if (want_type(it, cJSON_IsString(it) && *it->valuestring, where,
				      "a group name or a numeric gid", err, errlen))
				return -1;
			free(db->writers_group);
			db->writers_group = xstrdup(it->valuestring);
		} else if (!strcmp(k, "tracking")) {
			if (want_type(it, cJSON_IsString(it) && track_find(it->valuestring), where,
				      "\"drizzle\" or \"typeorm\"", err, errlen))
				return -1;
			free(db->tracking);
			db->tracking = xstrdup(it->valuestring);
		} else {
			snprintf(err, errlen, "unknown key \"%s\" (known: conninfo, schemas, "
				 "read_only, migrations_dir, migrations_table, migrations_schema, "
				 "connect_timeout, ttl, lock_timeout, statement_timeout, lock_wait, "
				 "writers_group, privileges, owners, tracking, shadow, shadow_conninfo, parallel_read)", where);
			return -1;
		}
	}
	if (!db->conninfo) {
		snprintf(err, errlen, "databases.%s has no \"conninfo\"", name);
		return -1;
	}
	if (db->migrations_dir && !track_find(db->tracking)->has_folder) {
		snprintf(err, errlen, "databases.%s: \"migrations_dir\" is a drizzle-kit folder; tracking \"%s\" "
			 "keeps no folder (remove one of them)", name, db->tracking);
		return -1;
	}
	return 0;
}

int config_parse(const char *json, struct config *cfg, char *err, size_t errlen)
{
	int ret = -1;
	memset(cfg, 0, sizeof *cfg);
	cfg->ttl = -1;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
	if (!root) {
		int line, col;
		line_col(json, end ? end : json, &line, &col);
		snprintf(err, errlen, "invalid JSON at line %d, column %d", line, col);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "the top level must be an object");
		goto out;
	}
	const cJSON *dbs = NULL, *it;
	if (twice(root, "", err, errlen))
		goto out;
	cJSON_ArrayForEach(it, root) {
		if (!strcmp(it->string, "databases")) {
			dbs = it;
		} else if (!strcmp(it->string, "state_dir")) {
			if (want_type(it, cJSON_IsString(it) && *it->valuestring, "state_dir",
				      "a non-empty string", err, errlen))
				goto out;
			cfg->state_dir = xstrdup(it->valuestring);
		} else if (!strcmp(it->string, "ttl")) {
			if (want_type(it, cJSON_IsNumber(it) && it->valuedouble >= 0 &&
				      it->valuedouble <= 86400, "ttl",
				      "a number of seconds from 0 to 86400", err, errlen))
				goto out;
			cfg->ttl = it->valuedouble;
		} else if (!strcmp(it->string, "live")) {
			if (want_type(it, cJSON_IsBool(it), "live", "true or false", err, errlen))
				goto out;
			cfg->live = cJSON_IsTrue(it);
		} else if (!strcmp(it->string, "max_memory")) {
			if (want_type(it, cJSON_IsString(it) && !config_parse_size(it->valuestring, &cfg->max_memory),
				      "max_memory", "a size such as \"512M\" or \"2G\"", err, errlen))
				goto out;
		} else {
			snprintf(err, errlen, "unknown key \"%s\" (known: databases, "
				 "state_dir, ttl, live, max_memory)", it->string);
			goto out;
		}
	}
	if (!dbs || !cJSON_IsObject(dbs) || !cJSON_GetArraySize(dbs)) {
		snprintf(err, errlen, "\"databases\" must be an object naming at least one database");
		goto out;
	}
	cfg->dbs = calloc((size_t)cJSON_GetArraySize(dbs), sizeof *cfg->dbs);
	cJSON_ArrayForEach(it, dbs) {
		for (size_t i = 0; i < cfg->ndbs; i++) {
			if (!strcmp(cfg->dbs[i].name, it->string)) {
				snprintf(err, errlen, "database \"%s\" named twice", it->string);
				goto out;
			}
		}
		if (parse_db(it, &cfg->dbs[cfg->ndbs++], err, errlen))
			goto out;
	}
	ret = 0;
out:
	cJSON_Delete(root);
	if (ret)
		config_free(cfg);
	return ret;
}

bool config_conninfo_has_password(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	bool has = false;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			has = true;
	PQconninfoFree(opts);
	return has;
}

/* A "password" key anywhere, or a conninfo that carries one. */
static bool json_has_password(const cJSON *node)
{
	for (const cJSON *it = node ? node->child : NULL; it; it = it->next) {
		if (it->string && !strcmp(it->string, "password"))
			return true;
		if (it->string && (!strcmp(it->string, "conninfo") || !strcmp(it->string, "shadow_conninfo")) &&
		    cJSON_IsString(it) &&
		    config_conninfo_has_password(it->valuestring))
			return true;
		if (json_has_password(it))
			return true;
	}
	return false;
}

int config_load_file(const char *path, struct config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	mode_t shared = fstat(fileno(f), &st) == 0 ? st.st_mode & 077 : 0;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char buf[8192];
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			text = realloc(text, cap);
			if (!text)
				abort();
		}
		memcpy(text + len, buf, n);
		len += n;
	}
	fclose(f);
	if (!text) {
		snprintf(err, errlen, "empty file");
		return -1;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		free(text);
		snprintf(err, errlen, "contains a NUL byte");
		return -1;
	}
	if (shared) {
		cJSON *root = cJSON_Parse(text);
		bool secret = json_has_password(root);
		cJSON_Delete(root);
		if (secret) {
			free(text);
			snprintf(err, errlen, "holds a password and can be read by %s (mode %03o): "
				 "chmod 600 it, as libpq ignores such a .pgpass", st.st_mode & 007 ?
				 "others" : "its group", (unsigned)(st.st_mode & 0777));
			return -1;
		}
	}
	int ret = config_parse(text, cfg, err, errlen);
	free(text);
	return ret;
}

int config_from_conninfo(const char *conninfo, struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->ttl = -1;
	cfg->dbs = calloc(1, sizeof *cfg->dbs);
	cfg->ndbs = 1;
	db_unset(&cfg->dbs[0]);
	cfg->dbs[0].conninfo = xstrdup(conninfo);
	return 0;
}

void config_apply_defaults(struct config *cfg, double ttl_override)
{
	if (ttl_override >= 0)
		cfg->ttl = ttl_override;
	if (cfg->ttl < 0)
		cfg->ttl = DEFAULT_TTL;
	if (!cfg->state_dir) {
		/* $XDG_STATE_HOME/schemafs, ~/.local/state/schemafs, or
		 * /var/lib/schemafs when there is no home. */
		const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
		char buf[4096];
		if (xdg && *xdg)
			snprintf(buf, sizeof buf, "%s/schemafs", xdg);
		else if (home && *home)
			snprintf(buf, sizeof buf, "%s/.local/state/schemafs", home);
		else
			snprintf(buf, sizeof buf, "/var/lib/schemafs");
		cfg->state_dir = xstrdup(buf);
	}
	for (size_t i = 0; i < cfg->ndbs; i++) {
		struct db_config *db = &cfg->dbs[i];
		/* Defaults differ per tracker: each tool's own. */
		const struct tracker *tk = track_find(db->tracking);
		if (!db->migrations_table)
			db->migrations_table = xstrdup(tk->default_table);
		if (!db->migrations_schema)
			db->migrations_schema = xstrdup(tk->default_schema);
		if (db->connect_timeout < 0)
			db->connect_timeout = 10;
		if (ttl_override >= 0 || db->ttl < 0)
			db->ttl = cfg->ttl;
		if (db->lock_timeout_ms < 0)
			db->lock_timeout_ms = 5000;
		if (db->statement_timeout_ms < 0)
			db->statement_timeout_ms = 0;
		if (db->lock_wait_ms < 0)
			db->lock_wait_ms = 30000;
		if (db->parallel_read < 0)
			db->parallel_read = DEFAULT_PARALLEL_READ;
		/* The live view refuses every change the way read_only does. */
		db->live = cfg->live;
		db->max_memory = cfg->max_memory;
		if (cfg->live)
			db->read_only = true;
	}
}

int config_resolve_groups(struct config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->ndbs; i++) {
		struct db_config *db = &cfg->dbs[i];
		gid_t gid;
		if (!db->writers_group)
			continue;
		if (access_group_gid(db->writers_group, &gid)) {
			snprintf(err, errlen, "databases.%s.writers_group: no group \"%s\"", db->name,
				 db->writers_group);
			return -1;
		}
		db->has_writers = true;
		db->writers_gid = gid;
	}
	return 0;
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->ndbs; i++) {
		struct db_config *db = &cfg->dbs[i];
		free(db->name);
		free(db->conninfo);
		for (size_t j = 0; j < db->nschemas; j++)
			free(db->schemas[j]);
		free(db->schemas);
		free(db->migrations_dir);
		free(db->migrations_table);
		free(db->migrations_schema);
		free(db->writers_group);
		free(db->tracking);
		free(db->shadow_conninfo);
	}
	free(cfg->dbs);
	free(cfg->state_dir);
	memset(cfg, 0, sizeof *cfg);
}

int config_parse_size(const char *text, unsigned long long *out)
{
	static const char units[] = "KMGT";
	unsigned long long v = 0;
	const char *p = text;
	if (!p || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (*p) {
		const char *u = strchr(units, *p);
		if (!u || p[1])
			return -1;
		for (int i = 0; i <= u - units; i++) {
			if (v > ULLONG_MAX / 1024)
				return -1;
			v *= 1024;
		}
	}
	*out = v;
	return 0;
}
