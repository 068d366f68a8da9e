/* tableopt.c: the table options a stage can change; see include/tableopt.h. */
#include "tableopt.h"

#include "catalog.h"

const struct table_opt_kind TABLE_OPTS[TO_N] = {
	[TO_RLS] = { "rls", "row level security", "ENABLE ROW LEVEL SECURITY", "DISABLE ROW LEVEL SECURITY",
		     NULL, NULL },
	[TO_RLS_FORCE] = { "rls_force", "forced row level security", "FORCE ROW LEVEL SECURITY",
			   "NO FORCE ROW LEVEL SECURITY", NULL, NULL },
	/* Both rewrite the whole table (SET LOGGED writes it all to the WAL
	 * too); an unlogged table is emptied after a crash. A new table is
	 * made logged, then set: it is empty. */
	[TO_UNLOGGED] = { "unlogged", "UNLOGGED", "SET UNLOGGED", "SET LOGGED",
			  "rewrites the table under an ACCESS EXCLUSIVE lock; an unlogged table loses its "
			  "rows after a crash and is not replicated",
			  "rewrites the table under an ACCESS EXCLUSIVE lock and writes all of it to the WAL" },
};

bool tableopt_get(const struct cat_relation *r, enum table_opt o)
{
	switch (o) {
	case TO_RLS:
		return r->rls;
	case TO_RLS_FORCE:
		return r->rls_force;
	case TO_UNLOGGED:
		return r->persistence == 'u';
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
	case TO_UNLOGGED:
		r->persistence = on ? 'u' : 'p';
		break;
	case TO_N:
		break;
	}
}
