#!/usr/bin/env bash
# 53_conversion: encoding conversions (issue 12): schemas/<s>/conversions/
# <name>.sql, CREATE [DEFAULT] CONVERSION and its comment. tests/sql/
# conversion.sql has names that need quoting. schema.sql names nothing as
# left out, loads into an empty database and gives the same conversions
# (scripts/roundtrip: pg_dump where it accepts the server, else the catalog
# summary and diff -r of both trees). Read-only, live, there when empty; the
# number of catalog queries does not depend on them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" -c "CREATE DATABASE bare" >/dev/null
sql src -f "$T_ROOT/tests/sql/conversion.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading conversion.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/src
C=$D/schemas/Conv\ Ω/conversions
cp "$D/schema.sql" "$T_TMP/schema.sql"

eq "a schema's directory has conversions/" \
	"$(printf '%s\n' conversions erd.md foreign_tables functions materialized_views operator_classes operator_families \
		schema.sql sequences tables text_search types views)" "$(ls -U -A "$D/schemas/Conv Ω")"
eq "conversions/, sorted" "$(printf '%s\n' def_conv.sql 'my "conv".sql')" "$(ls -U -A "$C")"
eq "public's" "back.sql" "$(ls -U -A "$D/schemas/public/conversions")"
eq "a conversion with its comment" \
	"CREATE CONVERSION \"Conv Ω\".\"my \"\"conv\"\"\" FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;
COMMENT ON CONVERSION \"Conv Ω\".\"my \"\"conv\"\"\" IS 'latin; it''s old';" "$(cat "$C/my \"conv\".sql")"
eq "a DEFAULT conversion" \
	"CREATE DEFAULT CONVERSION \"Conv Ω\".def_conv FOR 'LATIN2' TO 'UTF8' FROM pg_catalog.iso8859_to_utf8;" \
	"$(cat "$C/def_conv.sql")"
sizes_exact "$C"/* "$D"/schemas/public/conversions/*

eq "schema.sql leaves nothing out" "" "$(grep '^-- left out' "$T_TMP/schema.sql")"
check "a schema's schema.sql has its conversions" grep -qF 'CREATE DEFAULT CONVERSION "Conv Ω".def_conv' "$D/schemas/Conv Ω/schema.sql"
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
conv() { summary "$1" '^conversion\|'; }
conv src >"$T_TMP/src.conv"
conv dst >"$T_TMP/dst.conv"
eq "the same conversions in the copy" "$(cat "$T_TMP/src.conv")" "$(cat "$T_TMP/dst.conv")"
eq "... all 3 of them" 3 "$(wc -l <"$T_TMP/src.conv")"
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30

before=$(cat "$C/def_conv.sql")
eq "conversions/ is read-only: writing a file is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$C/def_conv.sql'")"
eq "... creating one is EPERM" "Operation not permitted" "$(errno_of bash -c "echo x >'$C/new.sql'")"
eq "... removing one is EPERM" "Operation not permitted" "$(errno_of rm "$C/def_conv.sql")"
eq "... the file is unchanged" "$before" "$(cat "$C/def_conv.sql")"
eq "... nothing staged" "" "$(ls -A "$D/migrations/pending")"
eq "... nothing run: the same conversions" "$(cat "$T_TMP/src.conv")" "$(conv src)"

sql src -c "COMMENT ON CONVERSION public.back IS 'changed live'" >/dev/null
check "a comment added live shows" poll 20 grep -qxF "COMMENT ON CONVERSION public.back IS 'changed live';" \
	"$D/schemas/public/conversions/back.sql"
sql src -c "DROP CONVERSION \"Conv Ω\".def_conv" >/dev/null
check "a conversion dropped live goes" poll 20 test ! -e "$C/def_conv.sql"

M2=$T_TMP/mnt2
mount_fs "$M2" -o conninfo=dbname=bare || not_ok "mount of a database without any"
check "a database without any: conversions/ is there" test -d "$M2/bare/schemas/public/conversions"
eq "... empty" "" "$(ls -A "$M2/bare/schemas/public/conversions")"
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/migrations/status"; }
q_bare=$(queries "$M2/bare")
eq "the same number of catalog queries with and without them ($q_bare)" "$q_bare" "$(queries "$D")"
# 27: one query reads the dependency edges (catalog_deps.c), and one (SQL_REL_CHANGES) says which
# relations changed, in every load, full or not (catalog_incr.c).
eq "... 27 of them" 27 "$q_bare"
umount_fs "$M2"

umount_fs "$MNT"
done_testing
