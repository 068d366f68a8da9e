-- Loaded on every major: what every supported major has. The column files
-- of this table are checked byte for byte on each major (15_majors.sh).
CREATE TABLE plain (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL DEFAULT 'x',
    amount numeric(10,2),
    total numeric GENERATED ALWAYS AS (amount * 2) STORED,
    note character varying(20) COLLATE "C"
);
CREATE TABLE kid (extra int) INHERITS (plain);
CREATE TABLE part (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE part_2026 PARTITION OF part FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE plain ALTER COLUMN name SET STATISTICS 500;
CREATE DOMAIN positive AS integer NOT NULL CHECK (VALUE > 0);
