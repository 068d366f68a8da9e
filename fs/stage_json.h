/*
 * stage_json.h: small readers of the stage document (include/stage.h),
 * and writers, shared by the stage's, the desired catalog's and the
 * planner's files. Internal to the core.
 */
#ifndef SCHEMAFS_STAGE_JSON_H
#define SCHEMAFS_STAGE_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <string.h>

static inline const char *str_of(const cJSON *obj, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static inline double num_of(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static inline bool bool_of(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static inline bool has(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

static inline bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* OBJ's array KEY, made (replacing whatever else KEY held) if missing.
 * Owned by OBJ. */
static inline cJSON *array_of(cJSON *obj, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		a = cJSON_AddArrayToObject(obj, key);
	}
	return a;
}

/* Sets OBJ's KEY to VAL, which OBJ then owns. */
static inline void put(cJSON *obj, const char *key, cJSON *val)
{
	if (has(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

/* Removes ITEM from ARRAY and frees it. */
static inline void remove_item(cJSON *array, cJSON *item)
{
	cJSON_Delete(cJSON_DetachItemViaPointer(array, item));
}

/* Checks the shape of a stage document (stage_shape.c): 0, or -1 with
 * ERR naming the entry that is wrong. */
int stage_check(const cJSON *doc, char *err, size_t errlen);

struct stage;
struct catalog;
/* stage_prune() of the object files (stage_objects.c): how many entries
 * were dropped. */
int stage_objects_prune(struct stage *st, const struct catalog *live);

#endif
