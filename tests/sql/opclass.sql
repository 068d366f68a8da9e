-- tests/sql/opclass.sql: operator classes and families, names that need
-- quoting: a class whose family it made itself (no family file), a family
-- of its own with loose cross-type members and two classes, a hash class,
-- gist classes whose optional members became loose (amadjustmembers), one
-- with STORAGE and an ordering operator (FOR ORDER BY), a DEFAULT class all
-- of whose members are loose (polymorphic), and indexes using them. Built
-- from PostgreSQL's own functions: every major 13 and newer. Used by
-- tests/e2e/52_opclass.sh and 47_leftout.sh.
CREATE SCHEMA "Op Ω";
-- A btree class that is its family's only member (family made implicitly).
CREATE OPERATOR CLASS "Op Ω"."rev int" FOR TYPE int4 USING btree AS
    OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <,
    FUNCTION 1 btint4cmp(int4, int4);
COMMENT ON OPERATOR CLASS "Op Ω"."rev int" USING btree IS 'reversed; it''s odd';
-- A family of its own with loose cross-type members and two classes.
CREATE OPERATOR FAMILY "Op Ω"."Fam f" USING btree;
COMMENT ON OPERATOR FAMILY "Op Ω"."Fam f" USING btree IS 'a family';
CREATE OPERATOR CLASS "Op Ω".int4_ops2 FOR TYPE int4 USING btree FAMILY "Op Ω"."Fam f" AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint4cmp(int4, int4);
CREATE OPERATOR CLASS "Op Ω".int8_ops2 FOR TYPE int8 USING btree FAMILY "Op Ω"."Fam f" AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint8cmp(int8, int8);
ALTER OPERATOR FAMILY "Op Ω"."Fam f" USING btree ADD
    OPERATOR 1 <(int4, int8), OPERATOR 3 =(int4, int8), FUNCTION 1 btint48cmp(int4, int8);
-- A hash class.
CREATE OPERATOR CLASS public.text_hash2 FOR TYPE text USING hash AS OPERATOR 1 =, FUNCTION 1 hashtext(text);
-- gist: the optional members become the family's.
CREATE OPERATOR CLASS public.box_ops2 FOR TYPE box USING gist AS
    OPERATOR 3 &&, FUNCTION 1 gist_box_consistent(internal, box, smallint, oid, internal),
    FUNCTION 2 gist_box_union(internal, internal), FUNCTION 5 gist_box_penalty(internal, internal, internal),
    FUNCTION 6 gist_box_picksplit(internal, internal), FUNCTION 7 gist_box_same(box, box, internal),
    STORAGE box;
CREATE TYPE "Op Ω".color AS ENUM ('r', 'g');
CREATE OPERATOR CLASS "Op Ω".color_ops DEFAULT FOR TYPE "Op Ω".color USING btree AS
    OPERATOR 1 <(anyenum, anyenum), OPERATOR 2 <=(anyenum, anyenum), OPERATOR 3 =(anyenum, anyenum),
    OPERATOR 4 >=(anyenum, anyenum), OPERATOR 5 >(anyenum, anyenum), FUNCTION 1 enum_cmp(anyenum, anyenum);
CREATE OPERATOR CLASS public.point_ops2 FOR TYPE point USING gist AS
    OPERATOR 1 <<, OPERATOR 15 <->(point, point) FOR ORDER BY pg_catalog.float_ops,
    FUNCTION 1 gist_point_consistent(internal, point, smallint, oid, internal),
    FUNCTION 2 gist_box_union(internal, internal), FUNCTION 3 gist_point_compress(internal),
    FUNCTION 5 gist_box_penalty(internal, internal, internal), FUNCTION 6 gist_box_picksplit(internal, internal),
    FUNCTION 7 gist_box_same(box, box, internal), FUNCTION 8 gist_point_distance(internal, point, smallint, oid, internal),
    STORAGE box;
CREATE TABLE "Op Ω".t (c "Op Ω".color, i int, p point);
CREATE INDEX t_rev ON "Op Ω".t (i "Op Ω"."rev int");
CREATE INDEX t_p ON "Op Ω".t USING gist (p public.point_ops2);
