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
