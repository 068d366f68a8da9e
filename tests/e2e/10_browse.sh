#!/usr/bin/env bash
# 10_browse: the read-only tree of tests/sql/tricky.sql. Layout, names
# (escaping included), and file contents compared byte for byte with what
# PostgreSQL itself reports (format_type, pg_get_expr, pg_get_indexdef,
# pg_get_constraintdef, pg_get_triggerdef, pg_get_viewdef,
# pg_get_functiondef, enum order); st_size, sorted listings, grep -r, and
# extension-owned objects left out.
. "$(dirname "$0")/../lib.sh"

pg_start
createdb tricky
sql tricky -f "$T_ROOT/tests/sql/tricky.sql" >/dev/null || { echo "not ok - loading tricky.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=tricky" || { not_ok "mount"; done_testing; }
DB=$MNT/tricky

# Directory listing in readdir order (ls -U: unsorted), one name a line.
lsu() { ls -U -A "$1"; }
nl_join() { printf '%s\n' "$@"; }

# ---------------------------------------------------------------- layout

eq "mount root holds one directory named after the database" "tricky" "$(lsu "$MNT")"
eq "database directory" "$(nl_join casts event_triggers extensions foreign_data migrations publications schema.sql schemas)" "$(lsu "$DB")"
eq "migrations directory" "$(nl_join applied apply check journal.json pending status)" "$(lsu "$DB/migrations")"
check "database schema.sql is a regular file" test -f "$DB/schema.sql"

# Schemas: everything but the system ones, sorted in C byte order.
exp_schemas=$(val tricky "SELECT nspname FROM pg_namespace
	WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle')
	  AND nspname !~ '^pg_(toast|temp)' ORDER BY nspname COLLATE \"C\"")
eq "schemas/ lists exactly the user schemas, sorted" "$exp_schemas" "$(lsu "$DB/schemas")"
eq "schemas/ is exactly Mixed Case and public" "$(nl_join 'Mixed Case' public)" "$(lsu "$DB/schemas")"

schema_entries=$(nl_join conversions erd.md foreign_tables functions materialized_views operator_classes operator_families schema.sql sequences tables text_search types views)
table_entries=$(nl_join columns comment constraints indexes policies table.sql triggers)
while IFS= read -r s; do
	eq "schemas/$s has every entry, sorted" "$schema_entries" "$(lsu "$DB/schemas/$s")"
	for d in functions materialized_views sequences tables types views; do
		check "schemas/$s/$d is a directory" test -d "$DB/schemas/$s/$d"
	done
	for t in "$DB/schemas/$s/tables"/*; do
		eq "tables/$(basename "$t") in $s has every entry" "$table_entries" "$(lsu "$t")"
	done
done <<<"$exp_schemas"

# --------------------------------------------------------------- names

P=$DB/schemas/public
M="$DB/schemas/Mixed Case"
check 'table Order "Items" in schema Mixed Case, named as is' test -d "$M/tables/Order \"Items\""
check 'column "Unit Price" named as is' test -f "$M/tables/Order \"Items\"/columns/Unit Price"
check 'non-ASCII table größe' test -d "$P/tables/größe"
check 'non-ASCII column naïve' test -f "$P/tables/größe/columns/naïve"
long=t23456789_123456789_123456789_123456789_123456789_123456789_123
eq "63-byte table name kept whole" 63 "${#long}"
check "63-byte table name appears whole" test -f "$P/tables/$long/columns/c23456789_123456789_123456789_123456789_123456789_123456789_123"
check 'table "a/b" appears as a%2Fb' test -d "$P/tables/a%2Fb"
eq 'columns of "a/b": ., .., %zz, 100%, 50%2F, x/y/z escaped' \
	"$(nl_join %2E %2E%2E %zz 100% 50%252F x%2Fy%2Fz)" "$(lsu "$P/tables/a%2Fb/columns")"
eq "partitioned table and both partitions are table directories" \
	"$(nl_join events events_2024 events_2025)" "$(lsu "$P/tables" | grep '^events')"
eq 'overloads of add() are separate files' \
	"$(nl_join 'add(a integer, b integer).sql' 'add(a numeric, b numeric, VARIADIC rest numeric[]).sql' 'add(a text, b text).sql')" \
	"$(lsu "$P/functions" | grep '^add(')"
# The file is named by pg_get_function_identity_arguments(), which writes IN
# from PostgreSQL 14 on.
if [ "$T_PG_MAJOR" -ge 14 ]; then bump="bump_prices(IN pct numeric, INOUT changed integer)"
else bump="bump_prices(pct numeric, INOUT changed integer)"; fi
check "procedure bump_prices is listed" test -f "$P/functions/$bump.sql"
eq "enum mood: labels in enumsortorder" "$(nl_join sad meh ok happy ecstatic)" "$(cat "$P/types/mood")"

# A function whose "name(args)" is longer than 255 bytes is cut and ends in
# %~ plus 16 hex digits.
lname=$(lsu "$P/functions" | grep '^long_signature(')
eq "one file for long_signature()" 1 "$(printf '%s' "$lname" | grep -c .)"
check "long name fits in NAME_MAX (${#lname} chars)" test "$(printf '%s' "$lname" | wc -c)" -le 255
check "long name ends in %~ and 16 hex digits: $lname" \
	grep -Eq '%~[0-9a-fA-F]{16}(\.sql)?$' <<<"$lname"
full=$(val tricky "SELECT proname || '(' || pg_get_function_identity_arguments(oid) || ')'
	FROM pg_proc WHERE proname = 'long_signature'")
check "long name is a prefix of the full name plus the hash" \
	test "${full#"${lname%%\%~*}"}" != "$full"

# ---------------------------------------------- contents vs the catalog

# Escaping of one name, as SQL: the contract's rules.
esc() {
	printf "(CASE WHEN %s = '.' THEN '%%2E' WHEN %s = '..' THEN '%%2E%%2E' ELSE
	replace(regexp_replace(%s, '%%([0-9A-Fa-f]{2})', '%%25\\\\1', 'g'), '/', '%%2F') END)" "$1" "$1" "$1"
}
# Rows: kind ("file": exact content, "exists": only listed), path under DB,
# content. The session uses search_path = public, like schemafs. psql -z -0
# ends every field and every row with a NUL.
read -r -d '' EXPECTED_SQL <<EOF
WITH ns AS (
	SELECT oid, nspname FROM pg_namespace
	WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle')
	  AND nspname !~ '^pg_(toast|temp)'
), ext AS (
	SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), tbl AS (
	SELECT c.oid, c.relname, n.nspname,
	       'schemas/' || $(esc n.nspname) || '/tables/' || $(esc c.relname) AS dir
	FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p')
	  AND (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM ext)
), rel AS (
	SELECT c.oid, c.relname, c.relkind, c.reloptions, n.nspname, 'schemas/' || $(esc n.nspname) AS dir
	FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
	WHERE (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM ext)
), fn AS (
	SELECT p.oid, 'schemas/' || $(esc n.nspname) || '/functions/'
	       || $(esc "(p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')')") || '.sql' AS path
	FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
	WHERE (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM ext)
	  -- not the constructors PostgreSQL makes for a range type
	  AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE classid = 'pg_proc'::regclass
	                  AND objid = p.oid AND deptype = 'i')
), typ AS (
	SELECT t.oid, t.typname, t.typtype, 'schemas/' || $(esc n.nspname) || '/types/' || $(esc t.typname) AS path
	FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
	WHERE (t.oid, 'pg_type'::regclass) NOT IN (SELECT objid, classid FROM ext)
	  AND (t.typtype IN ('e', 'd', 'r')
	       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
)
SELECT 'file', tbl.dir || '/columns/' || $(esc a.attname),
	format_type(a.atttypid, a.atttypmod)
	|| CASE WHEN a.attcollation <> ty.typcollation THEN ' COLLATE ' ||
		CASE WHEN pg_collation_is_visible(co.oid) THEN quote_ident(co.collname)
		     ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
	   ELSE '' END
	|| CASE WHEN a.attnotnull AND a.attidentity = '' THEN ' NOT NULL' ELSE '' END
	|| CASE WHEN a.atthasdef AND a.attgenerated = '' THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
	|| CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
	                      WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
	-- sequence options that differ from the defaults (tricky.sql's only one: START WITH 10)
	|| coalesce((SELECT ' (START WITH ' || s.seqstart || ')' FROM pg_sequence s
	        WHERE a.attidentity <> '' AND s.seqstart <> s.seqmin AND s.seqrelid =
	        pg_get_serial_sequence(format('%I.%I', tbl.nspname, tbl.relname), a.attname)::regclass), '')
	|| CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED' ELSE '' END
	|| E'\n'
FROM tbl
JOIN pg_attribute a ON a.attrelid = tbl.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
UNION ALL
SELECT 'file', tbl.dir || '/indexes/' || $(esc ic.relname) || '.sql', pg_get_indexdef(i.indexrelid) || E';\n'
FROM tbl JOIN pg_index i ON i.indrelid = tbl.oid JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT 'file', tbl.dir || '/constraints/' || $(esc k.conname) || '.sql',
	format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', tbl.nspname, tbl.relname, k.conname,
	       pg_get_constraintdef(k.oid)) || E'\n'
FROM tbl JOIN pg_constraint k ON k.conrelid = tbl.oid AND k.conislocal
-- 18's NOT NULL rows belong to the column files (unless NOT VALID).
	AND (k.contype <> 'n' OR NOT k.convalidated)
UNION ALL
SELECT 'file', tbl.dir || '/triggers/' || $(esc g.tgname) || '.sql', pg_get_triggerdef(g.oid) || E';\n'
FROM tbl JOIN pg_trigger g ON g.tgrelid = tbl.oid AND NOT g.tgisinternal AND g.tgparentid = 0
UNION ALL
SELECT 'exists', tbl.dir || '/policies/' || $(esc pol.polname) || '.sql', ''
FROM tbl JOIN pg_policy pol ON pol.polrelid = tbl.oid
UNION ALL
SELECT 'file', tbl.dir || '/comment', coalesce(obj_description(tbl.oid, 'pg_class') || E'\n', '')
FROM tbl
UNION ALL
SELECT 'exists', tbl.dir || '/table.sql', '' FROM tbl
UNION ALL
-- views: the contract's text, plus WITH (reloptions) when the view has any
-- (check_option, security_barrier): leaving them out would lose them.
SELECT 'file', rel.dir || '/views/' || $(esc rel.relname) || '.sql',
	format('CREATE VIEW %I.%I', rel.nspname, rel.relname)
	|| coalesce(' WITH (' || array_to_string(rel.reloptions, ', ') || ')', '')
	|| E' AS\n' || pg_get_viewdef(rel.oid) || E'\n'
	|| coalesce(format('COMMENT ON VIEW %I.%I IS ', rel.nspname, rel.relname)
		|| quote_literal(obj_description(rel.oid, 'pg_class')) || E';\n', '')
FROM rel WHERE rel.relkind = 'v'
UNION ALL
SELECT 'file', rel.dir || '/materialized_views/' || $(esc rel.relname) || '.sql',
	format('CREATE MATERIALIZED VIEW %I.%I AS', rel.nspname, rel.relname) || E'\n'
	|| regexp_replace(pg_get_viewdef(rel.oid), ';\$', '') || E'\n  WITH NO DATA;\n'
	-- its indexes have no directory of their own: they follow the
	-- definition in the same file, by name; then its comment
	|| coalesce((SELECT string_agg(pg_get_indexdef(i.indexrelid) || E';\n', '' ORDER BY ic.relname COLLATE "C")
		FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = rel.oid), '')
	|| coalesce(format('COMMENT ON MATERIALIZED VIEW %I.%I IS ', rel.nspname, rel.relname)
		|| quote_literal(obj_description(rel.oid, 'pg_class')) || E';\n', '')
FROM rel WHERE rel.relkind = 'm'
UNION ALL
SELECT CASE WHEN octet_length(regexp_replace(path, '.*/', '')) > 255 THEN 'long' ELSE 'file' END,
	path, regexp_replace(pg_get_functiondef(fn.oid), E'\n\$', E';\n')
	-- the comment, if any, follows the definition in the same file
	|| coalesce(format('COMMENT ON %s %I.%I(%s) IS ',
		CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname,
		pg_get_function_identity_arguments(p.oid)) || quote_literal(obj_description(p.oid, 'pg_proc')) || E';\n', '')
FROM fn JOIN pg_proc p ON p.oid = fn.oid JOIN pg_namespace n ON n.oid = p.pronamespace
UNION ALL
SELECT 'file', typ.path,
	(SELECT string_agg(enumlabel, E'\n' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = typ.oid) || E'\n'
FROM typ WHERE typ.typtype = 'e'
UNION ALL
SELECT 'exists', typ.path || '.sql', '' FROM typ WHERE typ.typtype <> 'e'
EOF

{ PGOPTIONS="-c search_path=public" psql -X -qAt -z -0 -v ON_ERROR_STOP=1 -d tricky \
	-c "$EXPECTED_SQL"; } >"$T_TMP/expected.bin" ||
	{ not_ok "expected-content query"; done_testing; }

declare -A exp_names   # dir -> newline-separated expected entries
declare -A bad         # category -> failure report
declare -A nfiles      # category -> files compared
long_content=""
while IFS= read -r -d '' kind && IFS= read -r -d '' path && IFS= read -r -d '' content; do
	[ -n "$kind" ] || continue
	if [ "$kind" == long ]; then long_content=$content; continue; fi
	dir=${path%/*}
	base=${path##*/}
	exp_names[$dir]+="$base"$'\n'
	case $base in comment|table.sql) kat=$base ;; *) kat=${dir##*/} ;; esac
	nfiles[$kat]=$(( ${nfiles[$kat]:-0} + 1 ))
	f=$DB/$path
	if [ ! -f "$f" ]; then
		bad[$kat]+="missing: $path"$'\n'; continue
	fi
	[ "$kind" == file ] || continue
	printf '%s' "$content" >"$T_TMP/exp.txt"
	if ! cmp -s "$T_TMP/exp.txt" "$f"; then
		bad[$kat]+="differs: $path"$'\n'"$(diff "$T_TMP/exp.txt" "$f" | head -n 8)"$'\n'
	fi
done <"$T_TMP/expected.bin"

for kat in columns indexes constraints triggers policies comment table.sql views \
	materialized_views functions types; do
	n=${nfiles[$kat]:-0}
	if [ "$n" == 0 ]; then not_ok "$kat: the catalog query found nothing to compare"; continue; fi
	what="as PostgreSQL reports them"
	case $kat in policies|table.sql) what="present where the catalog has them" ;; esac
	if [ -z "${bad[$kat]:-}" ]; then ok "$kat: $n files $what"
	else not_ok "$kat: files differ from PostgreSQL's own rendering"
		printf '%s' "${bad[$kat]}" | head -n 40 | sed 's/^/#   /'; fi
done
check "long_signature(): content is its pg_get_functiondef" \
	cmp <(printf '%s' "$long_content") "$P/functions/$lname"

# Listings hold exactly the expected entries (nothing more: no dropped
# column, no constraint index, no trigger clone, no extension object).
listing_bad=""
nlist=0
for sdir in "$DB"/schemas/*; do
	s=${sdir#"$DB/"}
	for d in views materialized_views functions types; do
		exp=$(printf '%s' "${exp_names[$s/$d]:-}" | LC_ALL=C sort)
		act=$(lsu "$sdir/$d" | grep -v '^long_signature(')
		nlist=$((nlist + 1))
		[ "$exp" == "$act" ] || listing_bad+="$s/$d:"$'\n'"$(diff <(echo "$exp") <(echo "$act"))"$'\n'
	done
	exp=$(val tricky "SELECT f FROM (SELECT $(esc relname) AS f FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = '$(basename "$s" | sed "s/'/''/g")' AND relkind IN ('r', 'p')) x
		ORDER BY f COLLATE \"C\"")
	nlist=$((nlist + 1))
	act=$(lsu "$sdir/tables")
	[ "$exp" == "$act" ] || listing_bad+="$s/tables:"$'\n'"$(diff <(echo "$exp") <(echo "$act"))"$'\n'
	for tdir in "$sdir"/tables/*; do
		t=${tdir#"$DB/"}
		for d in columns indexes constraints triggers policies; do
			exp=$(printf '%s' "${exp_names[$t/$d]:-}" | LC_ALL=C sort)
			act=$(lsu "$tdir/$d")
			nlist=$((nlist + 1))
			[ "$exp" == "$act" ] || listing_bad+="$t/$d:"$'\n'"$(diff <(echo "$exp") <(echo "$act"))"$'\n'
		done
	done
done
if [ -z "$listing_bad" ]; then ok "$nlist listings hold exactly the catalog's objects"
else not_ok "listings differ from the catalog"; printf '%s' "$listing_bad" | head -n 40 | sed 's/^/#   /'; fi

# A few spelled-out expectations, independent of the query above.
OI="$M/tables/Order \"Items\""
eq "identity ALWAYS column" "bigint GENERATED ALWAYS AS IDENTITY" "$(cat "$OI/columns/id")"
eq "identity BY DEFAULT column keeps START WITH" "integer GENERATED BY DEFAULT AS IDENTITY (START WITH 10)" "$(cat "$OI/columns/line_no")"
eq "generated STORED column" 'numeric GENERATED ALWAYS AS (("Unit Price" * (2)::numeric)) STORED' "$(cat "$OI/columns/total")"
eq "COLLATE \"C\" column" "text COLLATE \"C\" NOT NULL DEFAULT ''::text" "$(cat "$OI/columns/code")"
eq "enum from another schema is qualified" "\"Mixed Case\".\"Colour\" DEFAULT 'Green'::\"Mixed Case\".\"Colour\"" "$(cat "$OI/columns/colour")"
eq "public types are unqualified" "mood DEFAULT 'meh'::mood" "$(cat "$OI/columns/feeling")"
eq "extension type column" "citext" "$(cat "$OI/columns/name")"
check_fails "dropped column is not listed" test -e "$OI/columns/legacy"
eq "comment with quotes and a newline" "$(printf 'Items of an order; "quoted" words and\na second line')" "$(cat "$OI/comment")"
eq "no comment: empty file" 0 "$(stat -c %s "$P/tables/bookings/comment")"
eq "constraint with a quoted name" \
	"ALTER TABLE \"Mixed Case\".\"Order \"\"Items\"\"\" ADD CONSTRAINT \"Price >= 0\" CHECK ((\"Unit Price\" >= (0)::numeric));" \
	"$(cat "$OI/constraints/Price >= 0.sql")"
check_fails "primary-key index is not under indexes/" test -e "$OI/indexes/Order \"Items\"_pkey.sql"
check "exclusion constraint file" test -f "$P/tables/bookings/constraints/no_double_booking.sql"
check_fails "exclusion constraint's index is not under indexes/" test -e "$P/tables/bookings/indexes/no_double_booking.sql"
check "trigger on the partitioned table is listed" test -f "$P/tables/events/triggers/events_audit.sql"
check_fails "its clone on a partition is not" test -e "$P/tables/events_2024/triggers/events_audit.sql"
check "view on a view" test -f "$M/views/Very \"expensive\" items.sql"
check "a view's CHECK OPTION is kept" grep -q "check_option=local" "$M/views/Very \"expensive\" items.sql"
check "materialized view" test -f "$P/materialized_views/customer_totals.sql"
for f in "$P/tables/customers/policies/own rows.sql" "$P/tables/customers/policies/admins_all.sql"; do
	check "policy $(basename "$f") is a CREATE POLICY statement" grep -q '^CREATE POLICY' "$f"
done
while IFS='|' read -r pol qual; do
	check "policy $pol carries its USING ($qual)" grep -qF "$qual" "$P/tables/customers/policies/$pol.sql"
done < <(val tricky "SELECT policyname, qual FROM pg_policies WHERE tablename = 'customers' ORDER BY 1")
eq "policy with CHECK carries it" 1 "$(grep -cF "$(val tricky "SELECT with_check FROM pg_policies WHERE policyname = 'admins_all'")" "$P/tables/customers/policies/admins_all.sql")"
check "sequence ticket_seq is a CREATE SEQUENCE statement" grep -q 'CREATE SEQUENCE' "$P/sequences/ticket_seq.sql"
for t in positive_int address floatrange; do
	check "types/$t.sql exists" test -f "$P/types/$t.sql"
done
check "domain: CREATE DOMAIN" grep -q '^CREATE DOMAIN' "$P/types/positive_int.sql"
check "domain keeps its CHECK" grep -q 'CHECK' "$P/types/positive_int.sql"
check "composite: CREATE TYPE ... AS (" grep -q 'CREATE TYPE .* AS (' "$P/types/address.sql"
check "range: CREATE TYPE ... AS RANGE" grep -q 'CREATE TYPE .* AS RANGE' "$P/types/floatrange.sql"

# ------------------------------------------------------------ extensions/

eq "extensions/ lists every extension, initdb's plpgsql too, sorted" \
	"$(val tricky "SELECT extname || '.sql' FROM pg_extension ORDER BY extname COLLATE \"C\"")" "$(lsu "$DB/extensions")"
eq "... plpgsql and tricky.sql's three" "$(nl_join btree_gist.sql citext.sql pg_trgm.sql plpgsql.sql)" "$(lsu "$DB/extensions")"
ext_bad="" next=0
while IFS='|' read -r name want; do
	next=$((next + 1))
	[ "$want" == "$(cat "$DB/extensions/$name.sql")" ] || ext_bad+="$name: $(cat "$DB/extensions/$name.sql")"$'\n'
done < <(val tricky "SELECT extname, format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L;',
	extname, n.nspname, extversion) FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace")
check "$next extension files compared" test "$next" -eq 4
eq "each is CREATE EXTENSION with its schema and version; default comments are not written" "" "$ext_bad"
eq "a second CREATE EXTENSION appended to an extension file is refused (EINVAL)" "Invalid argument" \
	"$(errno_of bash -c "echo 'CREATE EXTENSION citext;' >>'$DB/extensions/citext.sql'")"
eq "... nothing staged" "" "$(ls -A "$DB/migrations/pending")"

# -------------------------------------------- extension objects left out

for pat in 'similarity(*' 'gtrgm*' 'gbt*' 'gbtreekey*' 'citext*' 'regexp_matches(citext*'; do
	eq "no extension object named $pat in the tree" "" "$(find "$DB/schemas" -name "$pat")"
done

# ---------------------------------------------------- whole-tree checks

find "$MNT" >"$T_TMP/find.out" 2>"$T_TMP/find.err"
check "find walks the whole tree without errors" test ! -s "$T_TMP/find.err"
nf=$(find "$MNT" -type f | wc -l)
check "the tree has many files ($nf)" test "$nf" -gt 100

size_bad=""
while IFS= read -r -d '' f; do
	s=$(stat -c %s "$f"); n=$(wc -c <"$f")
	[ "$s" == "$n" ] || size_bad+="${f#"$MNT/"}: st_size $s, read $n bytes"$'\n'
done < <(find "$MNT" -type f -print0)
eq "st_size equals the bytes read, for all $nf files" "" "$size_bad"

sort_bad=""
while IFS= read -r -d '' d; do
	a=$(lsu "$d"); s=$(LC_ALL=C sort <<<"$a")
	[ "$a" == "$s" ] || sort_bad+="${d#"$MNT/"}"$'\n'
	[ "$a" == "$(lsu "$d")" ] || sort_bad+="${d#"$MNT/"} (not stable)"$'\n'
done < <(find "$MNT" -type d -print0)
eq "every directory listing is sorted in C order and stable" "" "$sort_bad"

semi_bad=""
nsql=0
while IFS= read -r -d '' f; do
	nsql=$((nsql + 1))
	[ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" == ';\n' ] || semi_bad+="${f#"$MNT/"}"$'\n'
done < <(find "$MNT" -type f -name '*.sql' -print0)
check "there are .sql files ($nsql)" test "$nsql" -gt 40
eq "every .sql file ends with ;\\n" "" "$semi_bad"

col_bad=""
while IFS= read -r -d '' f; do
	[ "$(wc -l <"$f")" == 1 ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" == '\n' ] ||
		col_bad+="${f#"$MNT/"}"$'\n'
done < <(find "$DB/schemas" -path '*/columns/*' -type f -print0)
eq "every column file is exactly one line" "" "$col_bad"

grep -rl 'numeric(10,2) NOT NULL DEFAULT' "$DB/schemas" >"$T_TMP/grep.out" 2>"$T_TMP/grep.err"
check "grep -r finds the numeric(10,2) column file" \
	grep -qxF "$DB/schemas/Mixed Case/tables/Order \"Items\"/columns/Unit Price" "$T_TMP/grep.out"
eq "grep -r finds it in no other column file" 1 "$(grep -c '/columns/' "$T_TMP/grep.out")"
grep -rq 'no-such-string-anywhere' "$MNT" 2>"$T_TMP/grep.err"
eq "grep -r over the whole mount reports no read error" "" "$(cat "$T_TMP/grep.err")"
eq "grep -r finds the 63-byte name in schema.sql" "$DB/schema.sql" \
	"$(grep -rlF "$long" "$DB/schema.sql")"
check "cat of every file succeeds" bash -c 'find "$1" -type f -print0 | xargs -0 cat >/dev/null' _ "$MNT"

umount_fs "$MNT"
done_testing
