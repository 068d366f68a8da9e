/* Unit tests: rendering (render.c, erd.c) from a hand-made catalog. */
#include <stdlib.h>

#include "fixture.h"
#include "render.h"
#include "tap.h"

/* Position of NEEDLE in HAY, or -1. */
static long pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	return p ? p - hay : -1;
}

int main(void)
{
	struct catalog *cat = fixture_catalog("'pending'::booking_status");
	const struct cat_schema *s = &cat->schemas[0];
	const struct cat_relation *booking = s->tables[0], *customer = s->tables[1];
	struct strbuf sb = STRBUF_INIT;

	render_column(&sb, &booking->cols[2]);
	is_str(sb_str(&sb), "booking_status NOT NULL DEFAULT 'pending'::booking_status\n", "enum column line");
	sb_reset(&sb);
	render_column(&sb, &customer->cols[0]);
	is_str(sb_str(&sb), "bigint GENERATED ALWAYS AS IDENTITY\n", "identity column: NOT NULL implied");
	sb_reset(&sb);
	render_column(&sb, &customer->cols[1]);
	is_str(sb_str(&sb), "text COLLATE \"C\"\n", "collation shown");
	sb_reset(&sb);
	struct cat_column gen = { .type = "integer", .defexpr = "(a * 2)", .generated = 's' };
	render_column(&sb, &gen);
	is_str(sb_str(&sb), "integer GENERATED ALWAYS AS ((a * 2)) STORED\n", "generated column");
	sb_reset(&sb);

	render_constraint(&sb, booking, &booking->cons[0]);
	is_str(sb_str(&sb), "ALTER TABLE public.booking ADD CONSTRAINT booking_customer_id_fkey "
	       "FOREIGN KEY (customer_id) REFERENCES customer(id);\n", "constraint file");
	sb_reset(&sb);
	render_index(&sb, &booking->indexes[0]);
	is_str(sb_str(&sb), "CREATE INDEX booking_status_idx ON public.booking USING btree (status);\n", "index file");
	sb_reset(&sb);

	render_table(&sb, customer);
	is_str(sb_str(&sb),
	       "CREATE TABLE public.customer (\n"
	       "    id bigint GENERATED ALWAYS AS IDENTITY,\n"
	       "    \"Full Name\" text COLLATE \"C\"\n"
	       ");\n"
	       "ALTER TABLE public.customer ADD CONSTRAINT customer_pkey PRIMARY KEY (id);\n"
	       "COMMENT ON COLUMN public.customer.\"Full Name\" IS 'it''s the name';\n",
	       "table.sql: columns, constraints, quoted comment");
	sb_reset(&sb);

	render_enum_labels(&sb, s->types[0]);
	is_str(sb_str(&sb), "pending\nconfirmed\ncancelled\n", "enum labels one per line");
	sb_reset(&sb);
	render_type(&sb, s->types[0]);
	is_str(sb_str(&sb), "CREATE TYPE public.booking_status AS ENUM (\n    'pending',\n"
	       "    'confirmed',\n    'cancelled'\n);\n", "enum CREATE TYPE");
	sb_reset(&sb);

	render_view(&sb, s->views[1]);
	is_str(sb_str(&sb), "CREATE VIEW public.upcoming AS\n SELECT active.id\n   FROM active;\n", "view file");
	sb_reset(&sb);
	render_function(&sb, s->functions[0]);
	ok(sb.len > 2 && !strcmp(sb_str(&sb) + sb.len - 12, "$function$;\n"), "function ends with ;\\n");
	sb_reset(&sb);
	render_sequence(&sb, s->sequences[0]);
	ok(pos(sb_str(&sb), "START WITH 1000") > 0 && !strcmp(sb_str(&sb) + sb.len - 2, ";\n"),
	   "sequence file");
	sb_reset(&sb);

	render_schema_sql(&sb, cat, NULL);
	const char *all = sb_str(&sb);
	ok(pos(all, "CREATE TYPE public.booking_status") < pos(all, "CREATE TABLE public.booking"),
	   "schema.sql: types before tables");
	ok(pos(all, "CREATE FUNCTION") < 0 && pos(all, "CREATE OR REPLACE FUNCTION public.add") <
	   pos(all, "CREATE TABLE public.booking"), "schema.sql: functions before tables");
	ok(pos(all, "CREATE TABLE public.customer") < pos(all, "FOREIGN KEY"),
	   "schema.sql: foreign keys after every table");
	ok(pos(all, "PRIMARY KEY") < pos(all, "FOREIGN KEY"), "schema.sql: keys before foreign keys");
	ok(pos(all, "CREATE VIEW public.active") < pos(all, "CREATE VIEW public.upcoming"),
	   "schema.sql: a view after the view it uses");
	ok(pos(all, "COMMENT ON TABLE public.booking IS 'Bookings';") > 0, "schema.sql: table comment");
	struct strbuf again = STRBUF_INIT;
	render_schema_sql(&again, cat, NULL);
	is_str(sb_str(&again), all, "schema.sql renders byte-identical twice");
	strbuf_free(&again);
	sb_reset(&sb);

	render_erd(&sb, s);
	const char *erd = sb_str(&sb);
	ok(pos(erd, "```mermaid\nerDiagram\n") >= 0 && !strcmp(erd + sb.len - 4, "```\n"), "erd: fenced mermaid");
	ok(pos(erd, "customer |o--o{ booking : \"booking_customer_id_fkey\"") > 0,
	   "erd: nullable FK is zero-or-one");
	ok(pos(erd, "uuid id PK") > 0 && pos(erd, "bigint customer_id FK") > 0, "erd: PK and FK markers");
	ok(pos(erd, "text Full_Name \"column Full Name\"") > 0, "erd: unsafe names replaced, real one noted");
	sb_reset(&sb);

	render_literal(&sb, "a'b\\c");
	is_str(sb_str(&sb), "'a''b\\c'", "literal: quotes doubled, backslash kept");
	strbuf_free(&sb);
	catalog_free(cat);
	return done_testing();
}
