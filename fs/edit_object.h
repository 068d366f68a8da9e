/*
 * edit_object.h: private to the object-file handlers (edit_object.c, which
 * stages; edit_objcheck.c, the parser's word on a file; edit_objlive.c, the
 * live object, what depends on it, and the rolled-back transactions the
 * checks run in). What other edit modules call is in edit_internal.h.
 */
#ifndef SCHEMAFS_EDIT_OBJECT_H
#define SCHEMAFS_EDIT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "edit_internal.h"

struct catalog;
struct catalog_filter;
struct cat_relation;
struct strbuf;

/* What each kind's file must create. */
struct spec {
	const char *dir;
	const char *node;	/* libpg_query's node of its CREATE */
	const char *what;	/* for messages */
	const char *drop_kw;	/* DROP <drop_kw> (functions: by prokind) */
	bool recreate;		/* never CREATE OR REPLACE (materialized views) */
	const char *recreate_hazard;
	bool in_table;		/* triggers, policies: named per table, dropped and
				 * created in one transaction (no hazard, no dependents) */
};

/* The kind of P's file (edit_object.c's table), or NULL. Static. */
const struct spec *ed_obj_spec(const struct epath *p);

/* edit_objcheck.c: the parser's word on DATA (LEN bytes), P's new text:
 * one CREATE of K's kind and P's name, with only COMMENT, GRANT, ALTER and
 * the like beside it. *QUALIFIED: the CREATE names its schema. 0, or
 * -EINVAL with the reason in C. Text the parser cannot read is left to
 * the server (0). */
int ed_obj_check_text(struct change *c, const struct epath *p, const struct spec *k, const char *data,
		      size_t len, bool *qualified);

/* edit_objlive.c: the view, materialized view or sequence (K's kind)
 * SCHEMA.NAME of CAT, or NULL. CAT's. */
const struct cat_relation *ed_obj_live_rel(const struct catalog *cat, const struct spec *k, const char *schema,
					   const char *name);

/* The live object's OID and catalog, for pg_depend (edit_objlive.c). */
struct live_obj {
	unsigned oid;
	const char *refclass;	/* pg_class, pg_proc; NULL: a trigger or policy */
};

/* edit_objlive.c: the live object of P as DROP names it ("VIEW public.v",
 * "FUNCTION public.f(integer)"), appended to OUT, and its OID and catalog
 * in LO: false when it is not live. */
bool ed_obj_live_object(struct database *db, const struct spec *k, const struct epath *p, struct strbuf *out,
			struct live_obj *lo);

/* edit_objlive.c: what depends on LO and is not dropped in the same stage,
 * ", "-joined into WHO, and those of them that DROP + CREATE of the object
 * cannot take along (all but views, rules, policies and triggers) into
 * FIXED (may be NULL). 0, or -EIO with the reason in C. */
int ed_obj_dependents(struct change *c, PGconn *conn, const struct live_obj *lo, struct strbuf *who,
		      struct strbuf *fixed);

/* edit_objlive.c: the catalog filter a check reads DB's objects back
 * with: the schemas SCHEMA (an array the caller keeps), its first one only
 * unless the caller sets .nschemas. */
struct catalog_filter ed_obj_filter(struct database *db, const char *const *schema);

#endif
