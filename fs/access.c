/* access.c: who may change a database; see include/access.h. */
#include "access.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

bool access_may_change(const struct access_rule *rule, const struct access_caller *who)
{
	if (who->uid == rule->owner)
		return true;
	if (!rule->has_writers)
		return false;
	if (who->gid == rule->writers)
		return true;
	for (size_t i = 0; i < who->ngroups; i++)
		if (who->groups[i] == rule->writers)
			return true;
	return false;
}

int access_group_gid(const char *group, gid_t *gid)
{
	if (!group || !*group)
		return -ENOENT;
	char *end;
	errno = 0;
	unsigned long n = strtoul(group, &end, 10);
	if (!*end && group[0] >= '0' && group[0] <= '9') {
		if (errno || n >= (unsigned long)(gid_t)-1)
			return -ENOENT;
		*gid = (gid_t)n;
		return 0;
	}
	long size = sysconf(_SC_GETGR_R_SIZE_MAX);
	if (size <= 0)
		size = 16384;
	for (;;) {
		char *buf = malloc((size_t)size);
		if (!buf)
			return -ENOMEM;
		struct group gr, *res = NULL;
		int rc = getgrnam_r(group, &gr, buf, (size_t)size, &res);
		if (rc == ERANGE && size < (1L << 24)) {
			free(buf);
			size *= 2;
			continue;
		}
		if (!rc && res)
			*gid = res->gr_gid;
		free(buf);
		return !rc && res ? 0 : -ENOENT;
	}
}
