#!/usr/bin/env bash
# 45_roundtrip: a database's schema.sql round-trips. Loaded into an empty
# database it gives a schema that pg_dump --schema-only shows identical to
# the original's (DESIGN.md, "The tree"). Where Debian's pg_dump (15)
# refuses the server (16 and newer), just as strictly without it: the
# catalog summary (scripts/catalog-summary.sql, every object with
# PostgreSQL's deparsed definition) of both is identical, and so are both
# mounted trees (diff -r).
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" >/dev/null
sql src -f "$T_ROOT/tests/sql/tricky.sql" >/dev/null || { echo "not ok - loading tricky.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src || { not_ok "mount"; done_testing; }

cp "$MNT/src/schema.sql" "$T_TMP/schema.sql"
check "schema.sql is not empty" test -s "$T_TMP/schema.sql"
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
# pg_dump 15.14+ brackets its output with \restrict KEY / \unrestrict KEY, a
# random key: those two lines are left out of the comparison.
if pg_dump_usable; then
	dump() { pg_dump --schema-only -d "$1" | grep -v '^\\\(un\)\?restrict '; }
	what="pg_dump --schema-only"
	dump src >"$T_TMP/src.dump"
	dump dst >"$T_TMP/dst.dump"
	check "the dump is not trivial" grep -q 'CREATE TABLE public.customers' "$T_TMP/src.dump"
else
	what="the catalog summary"
	dump() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -f "$T_ROOT/scripts/catalog-summary.sql"; }
	dump src >"$T_TMP/src.dump"
	dump dst >"$T_TMP/dst.dump"
	check "the summary is not trivial" grep -q '^relation|customers|' "$T_TMP/src.dump"
	MNT2=$T_TMP/mnt2
	mount_fs "$MNT2" -o conninfo=dbname=dst || not_ok "mount of the copy"
	check "diff -r of both mounted trees (migrations/ aside) is empty" \
		diff -r --exclude=migrations "$MNT/src" "$MNT2/dst"
	umount_fs "$MNT2"
fi
# Compared whole; on failure the changed lines are shown without pg_dump's
# "--" separators and blank lines, so the real differences fit in the report.
diff "$T_TMP/src.dump" "$T_TMP/dst.dump" >"$T_TMP/dump.diff"
check "$what of the copy is identical to the original's" \
	bash -c '! grep -q . "$1" || { grep -E "^[<>]" "$1" | grep -vE "^[<>] *(--)?\$"; false; }' _ "$T_TMP/dump.diff"

# Two focused checks, so that each difference is named on its own.
q_start="SELECT seqstart FROM pg_sequence WHERE seqrelid =
	pg_get_serial_sequence('\"Mixed Case\".\"Order \"\"Items\"\"\"', 'line_no')::regclass"
eq "identity column keeps START WITH 10" "$(val src "$q_start")" "$(val dst "$q_start")"
q_fn="SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype IN ('e', 'i'))
	ORDER BY p.oid::regprocedure::text"
eq "the same user functions, no more (range constructors stay internal)" "$(val src "$q_fn")" "$(val dst "$q_fn")"

umount_fs "$MNT"
done_testing
