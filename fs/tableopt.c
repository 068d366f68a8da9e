/* tableopt.c: the table options a stage can change; see include/tableopt.h. */
#include "tableopt.h"

#include "catalog.h"

const struct table_opt_kind TABLE_OPTS[TO_N] = {
	[TO_RLS] = { "rls", "row level security", "ENABLE ROW LEVEL SECURITY", "DISABLE ROW LEVEL SECURITY",
		     NULL, NULL },
	[TO_RLS_FORCE] = { "rls_force", "forced row level security", "FORCE ROW LEVEL SECURITY",
			   "NO FORCE ROW LEVEL SECURITY", NULL, NULL },
};

bool tableopt_get(const struct cat_relation *r, enum table_opt o)
{
	switch (o) {
	case TO_RLS:
		return r->rls;
	case TO_RLS_FORCE:
		return r->rls_force;
	case TO_N:
		break;
	}
	return false;
}

void tableopt_set(struct cat_relation *r, enum table_opt o, bool on)
{
	switch (o) {
	case TO_RLS:
		r->rls = on;
		break;
	case TO_RLS_FORCE:
		r->rls_force = on;
		break;
	case TO_N:
		break;
	}
}
