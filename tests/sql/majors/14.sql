-- PostgreSQL 14: multiranges, per-column compression, CREATE OR REPLACE
-- TRIGGER, SQL-standard function bodies.
CREATE TYPE floatrange AS RANGE (subtype = float8, multirange_type_name = floatranges);
CREATE TABLE docs (id int PRIMARY KEY, body text COMPRESSION pglz, spans floatranges);
CREATE FUNCTION doc_len(d docs) RETURNS int LANGUAGE sql
    BEGIN ATOMIC SELECT length(d.body); END;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE OR REPLACE TRIGGER docs_touch BEFORE UPDATE ON docs FOR EACH ROW EXECUTE FUNCTION touch();
