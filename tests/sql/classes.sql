-- tests/sql/classes.sql: one example of each class of round-trip bug that
-- real schemas showed (issue 12), on every major; tests/sql/classes_15.sql
-- adds what needs PostgreSQL 15. Names need quoting on purpose. Loaded by
-- tests/e2e/46_classes.sh, which checks that schema.sql round-trips.

-- Extension comments: CREATE EXTENSION sets the control file's comment;
-- one changed, one removed, one left as it is (in a schema to quote).
CREATE SCHEMA "Part Ω";
CREATE EXTENSION citext;
COMMENT ON EXTENSION citext IS 'case-insensitive text, as "we" use it; it''s ours';
CREATE EXTENSION pg_trgm;
COMMENT ON EXTENSION pg_trgm IS NULL;
CREATE EXTENSION hstore WITH SCHEMA "Part Ω";

-- Partitioned index attach order: a partition whose name sorts before its
-- parent's (epic_notes before notes), or whose schema does ("Part Ω"
-- before public), has its index attached to the parent's index.
CREATE TABLE notes (id bigint NOT NULL, author_id bigint, kind text NOT NULL) PARTITION BY LIST (kind);
CREATE TABLE epic_notes PARTITION OF notes FOR VALUES IN ('epic');
CREATE TABLE "Part Ω"."saga notes" PARTITION OF notes FOR VALUES IN ('saga');
CREATE INDEX index_notes_on_author_id ON notes (author_id);

-- The same with names to quote, keys, and two levels: partitions made as
-- tables of their own (their own index and key names), then attached.
CREATE TABLE "Part Ω"."Z ""Notes""" (
    id int NOT NULL, kind text NOT NULL, body text,
    CONSTRAINT "Z pk" PRIMARY KEY (id, kind),
    CONSTRAINT "Z uniq" UNIQUE (body, id, kind)
) PARTITION BY LIST (kind);
CREATE INDEX "Z body idx" ON "Part Ω"."Z ""Notes""" (body);
CREATE TABLE "Part Ω"."A ""part""" (
    id int NOT NULL, kind text NOT NULL, body text,
    CONSTRAINT "own pk" PRIMARY KEY (id, kind)
);
CREATE INDEX "A body idx" ON "Part Ω"."A ""part""" (body);
ALTER TABLE "Part Ω"."Z ""Notes""" ATTACH PARTITION "Part Ω"."A ""part""" FOR VALUES IN ('a');
COMMENT ON CONSTRAINT "own pk" ON "Part Ω"."A ""part""" IS 'the partition''s own';
CREATE TABLE "Part Ω"."B mid" PARTITION OF "Part Ω"."Z ""Notes""" FOR VALUES IN ('b') PARTITION BY RANGE (id);
CREATE TABLE "Part Ω"."B1" (
    id int NOT NULL, kind text NOT NULL, body text,
    CONSTRAINT "B1 own pk" PRIMARY KEY (id, kind)
);
ALTER TABLE "Part Ω"."B mid" ATTACH PARTITION "Part Ω"."B1" FOR VALUES FROM (0) TO (100);

-- A partition's primary key index attached to a plain unique index of
-- its parent (made after the partition was attached).
CREATE TABLE events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE "events 2024" (id int NOT NULL, at date NOT NULL, CONSTRAINT "events 2024 key" PRIMARY KEY (id, at));
ALTER TABLE events ATTACH PARTITION "events 2024" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNIQUE INDEX events_id_at ON events (id, at);

-- An unlogged table's identity and serial sequences: unlogged too from 15
-- on (its own choice there), logged before (no such choice).
CREATE UNLOGGED TABLE "Part Ω"."scratch ""pad""" (
    id bigint GENERATED ALWAYS AS IDENTITY,
    n serial,
    note text
);
