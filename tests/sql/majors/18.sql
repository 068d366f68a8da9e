-- PostgreSQL 18: NOT NULL constraints as named catalog rows (named, NO
-- INHERIT, NOT VALID), virtual generated columns, NOT ENFORCED
-- constraints, WITHOUT OVERLAPS and PERIOD keys.
CREATE EXTENSION btree_gist;
CREATE TABLE nn (
    a integer NOT NULL,
    b integer CONSTRAINT b_required NOT NULL,
    c integer NOT NULL NO INHERIT,
    d integer,
    twice integer GENERATED ALWAYS AS (a * 2) VIRTUAL,
    CONSTRAINT a_positive CHECK (a > 0) NOT ENFORCED
);
ALTER TABLE nn ADD CONSTRAINT d_not_null NOT NULL d NOT VALID;
CREATE TABLE rooms (id int, valid tstzrange, PRIMARY KEY (id, valid WITHOUT OVERLAPS));
CREATE TABLE stays (id int PRIMARY KEY, room int, during tstzrange,
    CONSTRAINT stays_room_fk FOREIGN KEY (room, PERIOD during) REFERENCES rooms (id, PERIOD valid),
    CONSTRAINT stays_room_plain FOREIGN KEY (id) REFERENCES stays (id) NOT ENFORCED);
-- A partition made as a table and attached keeps NOT NULL names of its
-- own; its parent's identity comes with ATTACH. One made with PARTITION OF
-- gets a named NOT NULL its parent does not have.
CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL, note text) PARTITION BY RANGE (at);
CREATE TABLE ledger_2026 (id bigint NOT NULL, at date NOT NULL, note text CONSTRAINT ledger_2026_note_required NOT NULL);
ALTER TABLE ledger ATTACH PARTITION ledger_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE ledger_2027 PARTITION OF ledger FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
ALTER TABLE ledger_2027 ADD CONSTRAINT ledger_2027_note_set NOT NULL note;
