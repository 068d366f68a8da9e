#!/usr/bin/env bash
# 52_opclass: operator classes and families (issue 12):
# schemas/<s>/operator_classes/<name> USING <am>.sql and
# operator_families/<name> USING <am>.sql. A family that CREATE OPERATOR
# CLASS made for its one class, with nothing else in it, has no file: the
# class (without FAMILY) makes it, as pg_dump's output does. A family's
# file adds its members that belong to no class. tests/sql/opclass.sql has
# names that need quoting and indexes using the classes. schema.sql names
# nothing as left out, makes them before the tables, loads into an empty
# database and gives the same objects (scripts/roundtrip: pg_dump where it
# accepts the server, else the catalog summary and diff -r of both trees).
# Which members a class keeps and which go to its family is the access
# method's choice, and changed across majors (amadjustmembers): exact file
# text is checked only where it does not. Read-only, live, there when
# empty; the number of catalog queries does not depend on them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" -c "CREATE DATABASE bare" >/dev/null
sql src -f "$T_ROOT/tests/sql/opclass.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading opclass.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/src
O=$D/schemas/Op\ Ω
P=$D/schemas/public
cp "$D/schema.sql" "$T_TMP/schema.sql"

# ------------------------------------------------------------------ listings
eq "a schema's directory has operator_classes/ and operator_families/" \
	"$(printf '%s\n' conversions erd.md foreign_tables functions materialized_views operator_classes operator_families schema.sql \
		sequences tables text_search types views)" "$(ls -U -A "$O")"
eq "operator_classes/, sorted, '<name> USING <am>.sql'" \
	"$(printf '%s\n' 'color_ops USING btree.sql' 'int4_ops2 USING btree.sql' 'int8_ops2 USING btree.sql' \
		'rev int USING btree.sql')" "$(ls -U -A "$O/operator_classes")"
# 14 and newer move a btree class's polymorphic members and a gist class's
# optional ones to its family (amadjustmembers); 13 keeps them in the class,
# whose family is then the implicit one, without a file.
if [ "$T_PG_MAJOR" -ge 14 ]; then
	eq "operator_families/: not the one 'rev int' made for itself" \
		"$(printf '%s\n' 'Fam f USING btree.sql' 'color_ops USING btree.sql')" "$(ls -U -A "$O/operator_families")"
	eq "public's families: the gist ones have members of their own" \
		"$(printf '%s\n' 'box_ops2 USING gist.sql' 'point_ops2 USING gist.sql')" "$(ls -U -A "$P/operator_families")"
else
	eq "13: operator_families/: only the one with members of its own" \
		'Fam f USING btree.sql' "$(ls -U -A "$O/operator_families")"
	eq "13: public's families: none (each class keeps its members)" "" "$(ls -U -A "$P/operator_families")"
fi
eq "public's classes" "$(printf '%s\n' 'box_ops2 USING gist.sql' 'point_ops2 USING gist.sql' 'text_hash2 USING hash.sql')" \
	"$(ls -U -A "$P/operator_classes")"

# ---------------------------------------------------------------- the files
eq "a class that made its family: no FAMILY; its comment" \
	"CREATE OPERATOR CLASS \"Op Ω\".\"rev int\" FOR TYPE integer USING btree AS
    OPERATOR 1 >(integer,integer),
    OPERATOR 2 >=(integer,integer),
    OPERATOR 3 =(integer,integer),
    OPERATOR 4 <=(integer,integer),
    OPERATOR 5 <(integer,integer),
    FUNCTION 1 (integer, integer) btint4cmp(integer,integer);
COMMENT ON OPERATOR CLASS \"Op Ω\".\"rev int\" USING btree IS 'reversed; it''s odd';" \
	"$(cat "$O/operator_classes/rev int USING btree.sql")"
eq "a class in a family of its own" \
	"CREATE OPERATOR CLASS \"Op Ω\".int8_ops2 FOR TYPE bigint USING btree FAMILY \"Op Ω\".\"Fam f\" AS
    OPERATOR 1 <(bigint,bigint),
    OPERATOR 2 <=(bigint,bigint),
    OPERATOR 3 =(bigint,bigint),
    OPERATOR 4 >=(bigint,bigint),
    OPERATOR 5 >(bigint,bigint),
    FUNCTION 1 (bigint, bigint) btint8cmp(bigint,bigint);" "$(cat "$O/operator_classes/int8_ops2 USING btree.sql")"
eq "a family with the members of no class, and its comment" \
	"CREATE OPERATOR FAMILY \"Op Ω\".\"Fam f\" USING btree;
ALTER OPERATOR FAMILY \"Op Ω\".\"Fam f\" USING btree ADD
    OPERATOR 1 <(integer,bigint),
    OPERATOR 3 =(integer,bigint),
    FUNCTION 1 (integer, bigint) btint48cmp(integer,bigint);
COMMENT ON OPERATOR FAMILY \"Op Ω\".\"Fam f\" USING btree IS 'a family';" \
	"$(cat "$O/operator_families/Fam f USING btree.sql")"
eq "a hash class" "CREATE OPERATOR CLASS public.text_hash2 FOR TYPE text USING hash AS
    OPERATOR 1 =(text,text),
    FUNCTION 1 (text, text) hashtext(text);" "$(cat "$P/operator_classes/text_hash2 USING hash.sql")"
check "a DEFAULT class" grep -qF 'CREATE OPERATOR CLASS "Op Ω".color_ops DEFAULT FOR TYPE "Op Ω".color USING btree' \
	"$O/operator_classes/color_ops USING btree.sql"
check "STORAGE" grep -qxF '    STORAGE box;' "$P/operator_classes/point_ops2 USING gist.sql"
check "an ordering operator" bash -c "cat '$P/operator_classes/point_ops2 USING gist.sql' '$P'/operator_families/* |
	grep -qF 'OPERATOR 15 <->(point,point) FOR ORDER BY pg_catalog.float_ops'"
sizes_exact "$O"/operator_*/* "$P"/operator_*/*

# --------------------------------------------------------------- schema.sql
eq "schema.sql leaves nothing out" "" "$(grep '^-- left out' "$T_TMP/schema.sql")"
n_f=$(sql_line 'CREATE OPERATOR FAMILY "Op Ω"."Fam f"')
n_c=$(sql_line 'CREATE OPERATOR CLASS "Op Ω".int4_ops2')
n_ty=$(sql_line 'CREATE TYPE "Op Ω".color')
n_cc=$(sql_line 'CREATE OPERATOR CLASS "Op Ω".color_ops')
n_tab=$(sql_line 'CREATE TABLE "Op Ω".t')
n_idx=$(sql_line 'CREATE INDEX t_rev')
check "type < families < classes < tables < indexes" \
	test "${n_ty:-0}" -gt 0 -a "${n_f:-0}" -gt "${n_ty:-0}" -a "${n_c:-0}" -gt "${n_f:-0}" -a "${n_cc:-0}" -gt "${n_f:-0}" \
	-a "${n_tab:-0}" -gt "${n_cc:-0}" -a "${n_idx:-0}" -gt "${n_tab:-0}"
check "a schema's schema.sql has its classes" \
	grep -qF 'CREATE OPERATOR CLASS "Op Ω"."rev int"' "$O/schema.sql"

# ------------------------------------------------------------- round trip
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
opc() { summary "$1" '^operator (class|family|member)'; }
opc src >"$T_TMP/src.opc"
opc dst >"$T_TMP/dst.opc"
eq "classes, families and every member (whose it is) are the same in the copy" \
	"$(cat "$T_TMP/src.opc")" "$(cat "$T_TMP/dst.opc")"
check "... 7 classes, 6 families, their members" \
	test "$(grep -c '^operator class|' "$T_TMP/src.opc")" -eq 7 -a "$(grep -c '^operator family|' "$T_TMP/src.opc")" -eq 6 \
	-a "$(grep -c '^operator member|' "$T_TMP/src.opc")" -gt 30
eq "the copy's index uses the class" "$(val src "SELECT pg_get_indexdef('\"Op Ω\".t_rev'::regclass)")" \
	"$(val dst "SELECT pg_get_indexdef('\"Op Ω\".t_rev'::regclass)")"
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30

# ---------------------------------------------------------------- read-only
before=$(cat "$O/operator_classes/rev int USING btree.sql")
eq "operator_classes/ is read-only: writing a file is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$O/operator_classes/rev int USING btree.sql'")"
eq "... creating one is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$O/operator_families/new USING btree.sql'")"
eq "... removing one is EPERM" "Operation not permitted" "$(errno_of rm "$O/operator_families/Fam f USING btree.sql")"
eq "... the file is unchanged" "$before" "$(cat "$O/operator_classes/rev int USING btree.sql")"
eq "... nothing staged" "" "$(ls -A "$D/migrations/pending")"
eq "... nothing run: the same objects" "$(cat "$T_TMP/src.opc")" "$(opc src)"

# --------------------------------------------------------------------- live
sql src -c "ALTER OPERATOR FAMILY \"Op Ω\".\"Fam f\" USING btree ADD OPERATOR 5 >(int4, int8)" >/dev/null
check "a member added live shows" poll 20 grep -qxF "    OPERATOR 5 >(integer,bigint)," \
	"$O/operator_families/Fam f USING btree.sql"
eq "... and its st_size follows" "$(wc -c <"$O/operator_families/Fam f USING btree.sql")" \
	"$(stat -c %s "$O/operator_families/Fam f USING btree.sql")"
sql src -c "COMMENT ON OPERATOR FAMILY \"Op Ω\".\"rev int\" USING btree IS 'now'" >/dev/null
check "an implicit family given a comment live gets its file" poll 20 test -f "$O/operator_families/rev int USING btree.sql"
check "... and the class names it" grep -qF 'USING btree FAMILY "Op Ω"."rev int" AS' "$O/operator_classes/rev int USING btree.sql"

# ---------------------------------------------- none of them, and the queries
M2=$T_TMP/mnt2
mount_fs "$M2" -o conninfo=dbname=bare || not_ok "mount of a database without any"
B=$M2/bare/schemas/public
eq "a database without any: the directories are there, empty" "" \
	"$(ls -A "$B/operator_classes"; ls -A "$B/operator_families")"
check "... both" test -d "$B/operator_classes" -a -d "$B/operator_families"
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/migrations/status"; }
q_bare=$(queries "$M2/bare")
eq "the same number of catalog queries with and without them ($q_bare)" "$q_bare" "$(queries "$D")"
# 27: one query reads the dependency edges (catalog_deps.c), and one (SQL_REL_CHANGES) says which
# relations changed, in every load, full or not (catalog_incr.c).
eq "... 27 of them" 27 "$q_bare"
umount_fs "$M2"

umount_fs "$MNT"
done_testing
