/* fixture.h: a small catalog built by hand, for the pure-module tests. */
#ifndef SCHEMAFS_FIXTURE_H
#define SCHEMAFS_FIXTURE_H

#include "arena.h"
#include "catalog.h"

/* public: enum booking_status; tables customer, booking (FK to customer);
 * view upcoming (depth 1) on view active (depth 0); a function; a sequence. */
static struct catalog *fixture_catalog(const char *status_default)
{
	struct catalog *cat = catalog_new();
	struct arena *a = cat->arena;
	cat->dbname = "scheduler";
	cat->nschemas = 1;
	struct cat_schema *s = cat->schemas = arena_alloc(a, sizeof *s);
	s->name = "public";
	s->qname = "public";

	static const char *labels[] = { "pending", "confirmed", "cancelled" };
	struct cat_type *t = arena_alloc(a, sizeof *t);
	*t = (struct cat_type){ .schema = s, .name = "booking_status", .qname = "booking_status",
				.kind = 'e', .labels = labels, .nlabels = 3 };
	s->types = arena_alloc(a, sizeof(void *));
	s->types[0] = t;
	s->ntypes = 1;

	cat->nrels = 5;
	struct cat_relation *r = cat->rels = arena_alloc(a, 5 * sizeof *r);
	/* customer */
	r[0] = (struct cat_relation){ .oid = 10, .schema = s, .name = "customer", .qname = "customer",
				      .kind = 'r', .persistence = 'p', .ncols = 2, .ncons = 1 };
	struct cat_column *cc = r[0].cols = arena_alloc(a, 2 * sizeof *cc);
	cc[0] = (struct cat_column){ .name = "id", .qname = "id", .attnum = 1, .type = "bigint",
				     .notnull = true, .identity = 'a', .islocal = true };
	cc[1] = (struct cat_column){ .name = "Full Name", .qname = "\"Full Name\"", .attnum = 2,
				     .type = "text", .collation = "\"C\"", .islocal = true,
				     .comment = "it's the name" };
	static const int k1[] = { 1 };
	struct cat_constraint *c0 = r[0].cons = arena_alloc(a, sizeof *c0);
	*c0 = (struct cat_constraint){ .name = "customer_pkey", .qname = "customer_pkey", .type = 'p',
				       .def = "PRIMARY KEY (id)", .keys = k1, .nkeys = 1 };
	/* booking */
	r[1] = (struct cat_relation){ .oid = 11, .schema = s, .name = "booking", .qname = "booking",
				      .kind = 'r', .persistence = 'p', .ncols = 3, .ncons = 2,
				      .nindexes = 1, .comment = "Bookings" };
	struct cat_column *bc = r[1].cols = arena_alloc(a, 3 * sizeof *bc);
	bc[0] = (struct cat_column){ .name = "id", .qname = "id", .attnum = 1, .type = "uuid",
				     .notnull = true, .defexpr = "gen_random_uuid()", .islocal = true };
	bc[1] = (struct cat_column){ .name = "customer_id", .qname = "customer_id", .attnum = 2,
				     .type = "bigint", .islocal = true };
	bc[2] = (struct cat_column){ .name = "status", .qname = "status", .attnum = 3,
				     .type = "booking_status", .notnull = true,
				     .defexpr = status_default, .islocal = true };
	static const int k2[] = { 2 };
	struct cat_constraint *c1 = r[1].cons = arena_alloc(a, 2 * sizeof *c1);
	c1[0] = (struct cat_constraint){ .name = "booking_customer_id_fkey", .qname = "booking_customer_id_fkey",
					 .type = 'f', .def = "FOREIGN KEY (customer_id) REFERENCES customer(id)",
					 .keys = k2, .nkeys = 1, .ref = &r[0] };
	c1[1] = (struct cat_constraint){ .name = "booking_pkey", .qname = "booking_pkey", .type = 'p',
					 .def = "PRIMARY KEY (id)", .keys = k1, .nkeys = 1 };
	struct cat_index *x = r[1].indexes = arena_alloc(a, sizeof *x);
	*x = (struct cat_index){ .name = "booking_status_idx", .qname = "booking_status_idx",
				 .def = "CREATE INDEX booking_status_idx ON public.booking USING btree (status)" };
	/* views: "upcoming" uses "active" */
	r[2] = (struct cat_relation){ .oid = 12, .schema = s, .name = "upcoming", .qname = "upcoming",
				      .kind = 'v', .view_depth = 1,
				      .viewdef = " SELECT active.id\n   FROM active;" };
	r[3] = (struct cat_relation){ .oid = 13, .schema = s, .name = "active", .qname = "active",
				      .kind = 'v', .view_depth = 0,
				      .viewdef = " SELECT booking.id\n   FROM booking;" };
	r[4] = (struct cat_relation){ .oid = 14, .schema = s, .name = "invoice_no", .qname = "invoice_no",
				      .kind = 'S', .seq_type = "bigint", .seq_start = 1000, .seq_inc = 1,
				      .seq_min = 1, .seq_max = 9223372036854775807LL, .seq_cache = 1 };
	s->ntables = 2;
	s->tables = arena_alloc(a, 2 * sizeof(void *));
	s->tables[0] = &r[1];	/* sorted by name: booking, customer */
	s->tables[1] = &r[0];
	s->nviews = 2;
	s->views = arena_alloc(a, 2 * sizeof(void *));
	s->views[0] = &r[3];
	s->views[1] = &r[2];
	s->nsequences = 1;
	s->sequences = arena_alloc(a, sizeof(void *));
	s->sequences[0] = &r[4];

	struct cat_function *f = cat->funcs = arena_alloc(a, sizeof *f);
	*f = (struct cat_function){ .schema = s, .name = "add", .qname = "add", .args = "a integer, b integer",
				    .kind = 'f',
				    .def = "CREATE OR REPLACE FUNCTION public.add(a integer, b integer)\n"
					   " RETURNS integer\n LANGUAGE sql\nAS $function$select a + b$function$" };
	cat->nfuncs = 1;
	s->nfunctions = 1;
	s->functions = arena_alloc(a, sizeof(void *));
	s->functions[0] = f;
	return cat;
}

#endif
