-- PostgreSQL 15: NULLS NOT DISTINCT, security_invoker views, ICU locales
-- in collations, UNLOGGED sequences.
CREATE TABLE handles (id int PRIMARY KEY, handle text, CONSTRAINT handles_handle_key UNIQUE NULLS NOT DISTINCT (handle));
CREATE INDEX handles_lower ON handles (lower(handle)) NULLS NOT DISTINCT;
CREATE VIEW handle_names WITH (security_invoker = true) AS SELECT id, handle FROM handles;
CREATE COLLATION german_icu (provider = icu, locale = 'de-DE');
CREATE UNLOGGED SEQUENCE scratch_seq;
