-- tests/sql/kinds_15.sql: what PostgreSQL 15 added to publications (column
-- lists, row filters, TABLES IN SCHEMA), loaded after kinds.sql on 15 and
-- newer.
CREATE PUBLICATION "cols & rows" FOR TABLE "Kind Ω"."Tab le" (id, "Na me") WHERE (id > 10),
    ONLY public.plain WHERE (note IS NOT NULL), public.kid;
CREATE PUBLICATION "per schema" FOR TABLES IN SCHEMA "Kind Ω", public;
