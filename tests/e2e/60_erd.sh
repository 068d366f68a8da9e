#!/usr/bin/env bash
# 60_erd: schemas/<s>/erd.md. Every file is parsed by the real Mermaid
# parser (the npm package, under node with jsdom; tests/erd/install.sh puts
# it in a cache folder, and this test FAILS when it cannot), and compared
# with the catalog (tests/erd/compare.mjs): every table (relkind r, p, not
# an extension member; partitions only when a foreign key of the schema
# starts or ends at them, see fs/erd.c) is an entity with every column in
# order, its type and PK/FK/UK markers; every foreign key with both ends in
# the schema is a relationship, parent end exactly-one (zero-or-one when a
# key column is nullable), child end zero-or-more. Databases:
# scripts/sample/scheduler.sql, tests/sql/tricky.sql, tests/sql/erd_edge.sql.
. "$(dirname "$0")/../lib.sh"

ERD=$T_ROOT/tests/erd
if ! NODE_PATH=$(bash "$ERD/install.sh" 2>"$T_TMP/install.log"); then
	not_ok "install mermaid and jsdom with npm (tests/erd/install.sh)"
	sed 's/^/#   /' "$T_TMP/install.log" | tail -n 30
	done_testing
fi
export NODE_PATH
ok "mermaid and jsdom installed in $(dirname "$NODE_PATH")"

# The validator itself must reject what Mermaid rejects.
printf '# x\n\n```mermaid\nerDiagram\n    a {\n        character varying(32) name\n    }\n```\n' >"$T_TMP/bad.md"
check_fails "validate.mjs rejects a type with a space (real parser)" node "$ERD/validate.mjs" "$T_TMP/bad.md"
printf '# x\n\n```mermaid\nerDiagram\n    a {\n        text pk\n    }\n```\n' >"$T_TMP/bad2.md"
check_fails "validate.mjs rejects an attribute named pk (real parser)" node "$ERD/validate.mjs" "$T_TMP/bad2.md"

pg_start
for db in scheduler tricky erd_edge; do createdb "$db"; done
sql scheduler -f "$T_ROOT/scripts/sample/scheduler.sql" >/dev/null || { not_ok "loading scheduler.sql"; done_testing; }
sql tricky -f "$T_ROOT/tests/sql/tricky.sql" >/dev/null || { not_ok "loading tricky.sql"; done_testing; }
sql erd_edge -f "$T_ROOT/tests/sql/erd_edge.sql" >/dev/null || { not_ok "loading erd_edge.sql"; done_testing; }

# expected DB SCHEMA: the catalog's view of SCHEMA as compare.mjs's JSON.
# Keys and foreign keys are the ones declared on the table itself
# (conparentid = 0), as schemafs shows them; format_type under
# search_path = public, as the catalog reads it.
expected() {
	psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -v schema="$2" <<'SQL'
SET search_path = public;
WITH t AS (
	SELECT c.oid, c.relname, c.relispartition FROM pg_class c
	WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = :'schema')
	  AND c.relkind IN ('r', 'p')
	  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
			  AND d.objid = c.oid AND d.deptype = 'e')
), fk AS (
	SELECT k.conname, k.conrelid, k.confrelid,
	       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.conrelid
		       AND a.attnum = ANY (k.conkey) AND NOT a.attnotnull) AS nullable
	FROM pg_constraint k
	WHERE k.contype = 'f' AND k.conparentid = 0
	  AND k.conrelid IN (SELECT oid FROM t) AND k.confrelid IN (SELECT oid FROM t)
)
SELECT json_build_object(
	'tables', (SELECT coalesce(json_agg(json_build_object(
		'name', t.relname,
		'columns', (SELECT coalesce(json_agg(json_build_object(
			'name', a.attname,
			'type', format_type(a.atttypid, a.atttypmod),
			'notnull', a.attnotnull,
			'keys', ARRAY(SELECT v.m FROM (VALUES (1, 'PK', 'p'), (2, 'FK', 'f'), (3, 'UK', 'u')) v(o, m, ct)
				WHERE EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = t.oid
					AND k.contype = v.ct::"char" AND k.conparentid = 0 AND a.attnum = ANY (k.conkey))
				ORDER BY v.o)) ORDER BY a.attnum), '[]')
			FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped))
		ORDER BY t.relname COLLATE "C"), '[]')
		FROM t WHERE NOT t.relispartition
		   OR EXISTS (SELECT 1 FROM fk WHERE t.oid IN (fk.conrelid, fk.confrelid))),
	'fks', (SELECT coalesce(json_agg(json_build_object(
		'name', fk.conname, 'child', c.relname, 'parent', p.relname, 'nullable', fk.nullable)), '[]')
		FROM fk JOIN pg_class c ON c.oid = fk.conrelid JOIN pg_class p ON p.oid = fk.confrelid));
SQL
}

nfiles=0
for db in scheduler tricky erd_edge; do
	MNT=$T_TMP/mnt-$db
	mount_fs "$MNT" -o conninfo="dbname=$db" || { not_ok "mount $db"; continue; }
	schemas=$(val "$db" "SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle')
		  AND nspname !~ '^pg_(toast|temp)' ORDER BY nspname COLLATE \"C\"")
	while IFS= read -r s; do
		f=$MNT/$db/schemas/$s/erd.md
		what="$db/schemas/$s/erd.md"
		if ! [ -f "$f" ]; then not_ok "$what exists"; continue; fi
		nfiles=$((nfiles + 1))
		cp "$f" "$T_TMP/erd.md"
		eq "$what: st_size is the bytes read" "$(wc -c <"$T_TMP/erd.md")" "$(stat -c %s "$f")"
		check "$what: one fenced mermaid erDiagram block" \
			grep -qxF -- '```mermaid' "$T_TMP/erd.md"
		if node "$ERD/validate.mjs" "$T_TMP/erd.md" >"$T_TMP/summary.json" 2>"$T_TMP/parse.err"; then
			ok "$what: the Mermaid parser accepts it"
		else
			not_ok "$what: the Mermaid parser accepts it"
			sed 's/^/#   /' "$T_TMP/parse.err" | head -n 20
			sed 's/^/#   | /' "$T_TMP/erd.md" | head -n 60
			continue
		fi
		expected "$db" "$s" >"$T_TMP/expected.json" || { not_ok "$what: catalog query"; continue; }
		check "$what: every table, column, key and foreign key, with the right cardinality" \
			node "$ERD/compare.mjs" "$T_TMP/summary.json" "$T_TMP/expected.json"
	done <<<"$schemas"
done
eq "erd.md files checked" 8 "$nfiles"

# A few exact lines, to pin the notation itself (compare.mjs reads it back
# through mermaid, these read the text).
P=$T_TMP/mnt-scheduler/scheduler/schemas/public/erd.md
check "scheduler: booking -> customer, NOT NULL key: exactly one" \
	grep -qE '^    customer \|\|--o\{ booking : "booking_customer_id_[a-z_]+"$' "$P"
E=$T_TMP/mnt-erd_edge/erd_edge/schemas/public/erd.md
check 'edge: table "end" keeps its name in a label' grep -qxF '    end_["end"] {' "$E"
check 'edge: "a b" and a_b and "a-b" stay distinct' \
	bash -c "grep -c '^    a_b' '$E' | grep -qx 4"
check 'edge: column pk renamed, real name in the comment' grep -qF 'integer pk_ "column pk"' "$E"
check 'edge: type with spaces' grep -qF 'interval_year_to_month iv' "$E"
check 'edge: partition without a foreign key left out' bash -c "! grep -q 'log_2026' '$E'"
check 'edge: nullable composite key: zero or one' \
	grep -qF '    pair |o--o{ child : "fk direction_TB %％{x}%％ '"'q'"'"' "$E"
W=$T_TMP/mnt-tricky/tricky/schemas
check 'tricky: table Order "Items" with its real name as label' \
	grep -qF "[\"Order 'Items'\"] {" "$W/Mixed Case/erd.md"
check 'tricky: numeric(12,2) kept' grep -qF 'numeric(12,2) balance' "$W/public/erd.md"
check 'tricky: partitions events_2024/2025 left out' bash -c "! grep -q 'events_20' '$W/public/erd.md'"

done_testing
