/* Unit tests: who may change a database (access.c). */
#include <grp.h>
#include <stdlib.h>

#include "access.h"
#include "tap.h"

int main(void)
{
	const gid_t supp[] = { 27, 1001, 4242 };
	struct access_rule owner_only = { .owner = 1000 };
	struct access_rule writers = { .owner = 1000, .has_writers = true, .writers = 4242 };
	struct access_caller owner = { 1000, 1000, NULL, 0 };
	struct access_caller other = { 65534, 65534, NULL, 0 };
	struct access_caller root = { 0, 0, NULL, 0 };
	struct access_caller primary = { 2000, 4242, NULL, 0 };
	struct access_caller member = { 2001, 2001, supp, 3 };
	struct access_caller outsider = { 2002, 2002, supp, 2 };

	ok(access_may_change(&owner_only, &owner), "the owner may change");
	ok(!access_may_change(&owner_only, &other), "another user may not");
	ok(!access_may_change(&owner_only, &root), "root is not the owner");
	ok(!access_may_change(&owner_only, &primary), "no writers group: a group does not help");
	ok(access_may_change(&writers, &owner), "the owner still may with a writers group");
	ok(access_may_change(&writers, &primary), "writers group as primary group");
	ok(access_may_change(&writers, &member), "writers group as a supplementary group");
	ok(!access_may_change(&writers, &outsider), "other supplementary groups do not count");
	ok(!access_may_change(&writers, &other), "a user in no group of it may not");
	struct access_rule root_owner = { .owner = 0 };
	ok(access_may_change(&root_owner, &root), "root owning the mount may");
	ok(!access_may_change(&root_owner, &other), "others may not change root's mount");

	gid_t g = 1;
	ok(access_group_gid("4242", &g) == 0 && g == 4242, "a numeric gid is taken as it is");
	ok(access_group_gid("0", &g) == 0 && g == 0, "gid 0");
	ok(access_group_gid("", &g) < 0, "an empty name is refused");
	ok(access_group_gid("no-such-group-schemafs", &g) < 0, "an unknown name is refused");
	ok(access_group_gid("99999999999999999999", &g) < 0, "a gid out of range is refused");
	struct group *gr = getgrgid(0);
	ok(gr && access_group_gid(gr->gr_name, &g) == 0 && g == 0, "a group name is looked up");
	return done_testing();
}
