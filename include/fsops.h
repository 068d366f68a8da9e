/*
 * fsops: the FUSE glue. Maps paths to the databases' trees and implements
 * the operations table. Knows no SQL; the backend modules know no FUSE.
 */
#ifndef SCHEMAFS_FSOPS_H
#define SCHEMAFS_FSOPS_H

#include <stdbool.h>

#include <fuse.h>
#include <stddef.h>

struct database;

/* What the operations see as fuse_get_context()->private_data. Set up by
 * main() before fuse_new(); read-only afterwards except `fuse`, which is
 * written once before the loop starts. */
struct schemafs {
	struct database *dbs;		/* sorted by directory name */
	size_t ndbs;
	double ttl;			/* kernel attribute/entry cache, seconds */
	bool kernel_checks;		/* mounted with default_permissions: the kernel
					 * checks modes too (see gone_add in fsops.c) */
	struct fuse *fuse;
};

extern const struct fuse_operations schemafs_ops;

/* Frees files left open when the loop ended (no release() came). Call
 * after the FUSE loop returns, before the databases close. */
void schemafs_release_all(void);

/* Drops the kernel's caches for PATH inside database DBNAME (a
 * db_changed_fn, called by the refresher threads). */
void schemafs_invalidate(void *ctx, const char *dbname, const char *path);

#endif
