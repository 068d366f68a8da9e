-- tests/sql/erd_edge.sql: names and shapes that Mermaid's erDiagram grammar
-- does not take as they are, for tests/e2e/60_erd.sh (erd.md): lexer
-- keywords as table, column and type names, names that collide once made
-- identifiers, quotes, percent signs, backslashes, "direction TB" in a
-- label, an empty table, an empty schema, self and composite foreign keys,
-- foreign keys at partitions, and each word the lexer takes for a keyword
-- as a table name (schema keywords).
CREATE SCHEMA empty;
CREATE SCHEMA "we""ird %% schema";

CREATE TYPE public.pk AS ENUM ('x');
CREATE TYPE public."My ""Type""" AS ENUM ('a', 'b');

CREATE TABLE public."end" (
	id integer PRIMARY KEY,
	pk integer,
	"FK" integer,
	uk text UNIQUE,
	"class" public.pk,
	"quoted" public."My ""Type""",
	ch "char",
	iv interval year to month,
	bv bit varying(5),
	ts timestamp(3) without time zone NOT NULL,
	dp double precision[],
	"%%{init: {'theme':'dark'}}%%" text,
	"back\slash" text
);
CREATE TABLE public.one ();
CREATE TABLE public."a b" (x integer);
CREATE TABLE public.a_b (x integer);
CREATE TABLE public."a-b" (x integer);
CREATE TABLE public."a_b_2" (x integer);
CREATE TABLE public."123" ("1st" integer, "a b" integer, a_b integer, "a-b" integer, "a b_2" integer);
CREATE TABLE public."100%\x" (id integer PRIMARY KEY);
CREATE TABLE public."to" (id integer PRIMARY KEY, parent integer REFERENCES public."to" (id));
CREATE TABLE public.pair (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE public.child (
	a integer,
	b integer NOT NULL,
	c integer NOT NULL,
	CONSTRAINT "fk direction TB %%{x}%% ""q""" FOREIGN KEY (a, b) REFERENCES public.pair (a, b),
	CONSTRAINT child_c_fkey FOREIGN KEY (c, b) REFERENCES public.pair (a, b),
	CONSTRAINT child_pct FOREIGN KEY (c) REFERENCES public."100%\x" (id)
);
CREATE TABLE public.direction (id integer PRIMARY KEY);
CREATE TABLE public."Ärger ✓" ("Größe" integer PRIMARY KEY, "ärger" integer REFERENCES public.direction (id));

-- partitions: log_2024 is referenced, log_2025 has its own foreign key,
-- log_2026 has neither (so it stays out of the diagram).
CREATE TABLE public.log (id integer, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.log_2024 PARTITION OF public.log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.log_2025 PARTITION OF public.log FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.log_2026 PARTITION OF public.log FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE public.log_note (id integer NOT NULL, d date NOT NULL, note text,
	CONSTRAINT note_log FOREIGN KEY (id, d) REFERENCES public.log_2024 (id, d),
	CONSTRAINT note_all FOREIGN KEY (id, d) REFERENCES public.log (id, d));
ALTER TABLE public.log_2025 ADD CONSTRAINT log_2025_dir FOREIGN KEY (id) REFERENCES public.direction (id);

CREATE TABLE "we""ird %% schema"."x""y" (id integer PRIMARY KEY, "z""w" integer REFERENCES "we""ird %% schema"."x""y" (id));
CREATE TABLE "we""ird %% schema".cross (id integer REFERENCES public.direction (id));

-- every word the lexer takes for a keyword, as a table name
CREATE SCHEMA keywords;
CREATE TABLE keywords."erDiagram" (id integer PRIMARY KEY);
CREATE TABLE keywords.style (id integer PRIMARY KEY, "erDiagram" integer REFERENCES keywords."erDiagram" (id));
CREATE TABLE keywords."classDef" (id integer PRIMARY KEY, style integer NOT NULL REFERENCES keywords.style (id));
CREATE TABLE keywords.class (id integer PRIMARY KEY REFERENCES keywords."classDef" (id));
CREATE TABLE keywords.subgraph (id integer REFERENCES keywords.class (id) ON DELETE CASCADE);
CREATE TABLE keywords.many (id integer PRIMARY KEY);
CREATE TABLE keywords.one (id integer PRIMARY KEY REFERENCES keywords.many (id));
CREATE TABLE keywords."to" (id integer REFERENCES keywords.one (id));
CREATE TABLE keywords."accTitle" (id integer PRIMARY KEY);
CREATE TABLE keywords."accDescr" (id integer REFERENCES keywords."accTitle" (id));
CREATE TABLE keywords."END" (id integer PRIMARY KEY);
CREATE TABLE keywords.direction (id integer PRIMARY KEY REFERENCES keywords."END" (id));
CREATE TABLE keywords.u (id integer REFERENCES keywords.direction (id));
