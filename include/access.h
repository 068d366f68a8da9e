/*
 * access: who may change a mounted database. The rule alone, without FUSE:
 * the glue (fsops.c) asks the kernel who the caller is and applies it to
 * every operation that changes something.
 *
 * Only the mount's owner (the daemon's uid) and members of the database's
 * writers_group (primary or supplementary group) may change it; with
 * allow_other everybody else may only read.
 */
#ifndef SCHEMAFS_ACCESS_H
#define SCHEMAFS_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct access_rule {
	uid_t owner;
	bool has_writers;	/* false: nobody but the owner */
	gid_t writers;
};

struct access_caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* supplementary groups; borrowed */
	size_t ngroups;
};

bool access_may_change(const struct access_rule *rule, const struct access_caller *who);

/* A group name or a numeric gid ("1234") -> *GID. 0, or -ENOENT when there
 * is no such group (a number is taken as it is: a gid needs no name). */
int access_group_gid(const char *group, gid_t *gid);

#endif
