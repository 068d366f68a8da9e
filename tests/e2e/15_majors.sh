#!/usr/bin/env bash
# 15_majors: what each PostgreSQL major adds is rendered, and round-trips,
# on that major and every later one (tests/sql/majors/N.sql is loaded for
# every N up to the server's major). Column files that every major can
# express are the same bytes on every major, so a snapshot does not churn
# when a team upgrades its server.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE feat" >/dev/null
for n in 13 14 15 16 17 18; do
	[ "$n" -le "$T_PG_MAJOR" ] || break
	sql feat -f "$T_ROOT/tests/sql/majors/$n.sql" >/dev/null ||
		{ not_ok "tests/sql/majors/$n.sql loads on PostgreSQL $T_PG_MAJOR"; done_testing; }
done
ok "tests/sql/majors/13..$T_PG_MAJOR.sql load on PostgreSQL $T_PG_MAJOR"

M=$T_TMP/mnt
mount_fs "$M" -o conninfo=dbname=feat || { not_ok "mount on PostgreSQL $T_PG_MAJOR"; done_testing; }
ok "mount on PostgreSQL $T_PG_MAJOR"
P=$M/feat/schemas/public
S=$M/feat/schema.sql

# --- the same bytes on every major ---
eq "plain/columns/id" "integer GENERATED ALWAYS AS IDENTITY" "$(cat "$P/tables/plain/columns/id")"
eq "plain/columns/name" "text NOT NULL DEFAULT 'x'::text" "$(cat "$P/tables/plain/columns/name")"
eq "plain/columns/amount" "numeric(10,2)" "$(cat "$P/tables/plain/columns/amount")"
eq "plain/columns/total" "numeric GENERATED ALWAYS AS ((amount * (2)::numeric)) STORED" "$(cat "$P/tables/plain/columns/total")"
eq "plain/columns/note" 'character varying(20) COLLATE "C"' "$(cat "$P/tables/plain/columns/note")"
eq "kid/columns/name (inherited)" "text NOT NULL DEFAULT 'x'::text" "$(cat "$P/tables/kid/columns/name")"
eq "part_2026/columns/at (partition)" "date NOT NULL" "$(cat "$P/tables/part_2026/columns/at")"
eq "plain's constraints: the key only" "plain_pkey.sql" "$(ls "$P/tables/plain/constraints")"
eq "kid has no constraint files" "" "$(ls "$P/tables/kid/constraints")"
eq "types/positive.sql (a domain)" "CREATE DOMAIN public.positive AS integer NOT NULL
    CONSTRAINT positive_check CHECK ((VALUE > 0));" "$(cat "$P/types/positive.sql")"
check "SET STATISTICS in table.sql" grep -qF 'ALTER TABLE ONLY public.plain ALTER COLUMN name SET STATISTICS 500;' "$P/tables/plain/table.sql"

if [ "$T_PG_MAJOR" -ge 14 ]; then
	check "14: multirange_type_name" grep -qF 'multirange_type_name = floatranges' "$P/types/floatrange.sql"
	check "14: the multirange's cast is not 'left out'" bash -c "test -f '$S' && ! grep -q 'left out.*cast' '$S'"
	check "14: SET COMPRESSION in table.sql" grep -qF 'ALTER COLUMN body SET COMPRESSION pglz;' "$P/tables/docs/table.sql"
	check "14: BEGIN ATOMIC body" grep -q 'BEGIN ATOMIC' "$P/functions/doc_len(d docs).sql"
	check "14: trigger file" grep -qF 'CREATE TRIGGER docs_touch BEFORE UPDATE ON public.docs' "$P/tables/docs/triggers/docs_touch.sql"
fi
if [ "$T_PG_MAJOR" -ge 15 ]; then
	check "15: UNIQUE NULLS NOT DISTINCT" grep -qF 'UNIQUE NULLS NOT DISTINCT (handle)' "$P/tables/handles/constraints/handles_handle_key.sql"
	check "15: index NULLS NOT DISTINCT" grep -qF 'NULLS NOT DISTINCT' "$P/tables/handles/indexes/handles_lower.sql"
	check "15: security_invoker view" grep -qF 'CREATE VIEW public.handle_names WITH (security_invoker=true) AS' "$P/views/handle_names.sql"
	check "15: ICU collation" grep -qF "CREATE COLLATION public.german_icu (provider = icu, locale = 'de-DE');" "$S"
	check "15: UNLOGGED sequence" grep -qx 'CREATE UNLOGGED SEQUENCE public.scratch_seq' "$P/sequences/scratch_seq.sql"
fi
if [ "$T_PG_MAJOR" -ge 16 ]; then
	check "16: ICU rules" grep -qF "provider = icu, locale = 'und', rules = '&a < b'" "$S"
fi
if [ "$T_PG_MAJOR" -ge 17 ]; then
	check "17: builtin provider" grep -qF "CREATE COLLATION public.builtin_c (provider = builtin, locale = 'C');" "$S"
	eq "17: a domain's NOT NULL with a name of its own" "CREATE DOMAIN public.present AS text
    CONSTRAINT present_required NOT NULL;" "$(cat "$P/types/present.sql")"
	check "17: a statistics target reset to the default (NULL) is not rendered" \
		bash -c "test -f '$P/tables/plain/table.sql' && ! grep -q 'COLUMN amount SET STATISTICS' '$P/tables/plain/table.sql'"
fi
if [ "$T_PG_MAJOR" -ge 18 ]; then
	T=$P/tables/nn
	eq "18: NOT NULL with PostgreSQL's name" "integer NOT NULL" "$(cat "$T/columns/a")"
	eq "18: NOT NULL with a name of its own" "integer CONSTRAINT b_required NOT NULL" "$(cat "$T/columns/b")"
	eq "18: NOT NULL NO INHERIT" "integer NOT NULL NO INHERIT" "$(cat "$T/columns/c")"
	eq "18: NOT VALID NOT NULL: not in the column file" "integer" "$(cat "$T/columns/d")"
	eq "18: ... but a constraint file" "ALTER TABLE public.nn ADD CONSTRAINT d_not_null NOT NULL d NOT VALID;" \
		"$(cat "$T/constraints/d_not_null.sql")"
	eq "18: virtual generated column" "integer GENERATED ALWAYS AS ((a * 2)) VIRTUAL" "$(cat "$T/columns/twice")"
	check "18: NOT ENFORCED check" grep -qF 'CHECK ((a > 0)) NOT ENFORCED;' "$T/constraints/a_positive.sql"
	eq "18: valid NOT NULLs have no constraint files" "a_positive.sql d_not_null.sql" "$(ls "$T/constraints" | tr '\n' ' ' | sed 's/ $//')"
	check "18: WITHOUT OVERLAPS key" grep -qF 'PRIMARY KEY (id, valid WITHOUT OVERLAPS)' "$P/tables/rooms/constraints/rooms_pkey.sql"
	check "18: PERIOD foreign key" grep -qF 'FOREIGN KEY (room, PERIOD during) REFERENCES rooms(id, PERIOD valid)' "$P/tables/stays/constraints/stays_room_fk.sql"
	check "18: NOT ENFORCED foreign key" grep -qF 'NOT ENFORCED;' "$P/tables/stays/constraints/stays_room_plain.sql"
	eq "18: an attached partition's own NOT NULL name" "text CONSTRAINT ledger_2026_note_required NOT NULL" \
		"$(cat "$P/tables/ledger_2026/columns/note")"
	check "18: schema.sql makes that partition as a table, then attaches it" grep -qF \
		"ALTER TABLE ONLY public.ledger ATTACH PARTITION public.ledger_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');" "$S"
	check "18: ... without the identity its parent gives it" grep -qxF '    id bigint NOT NULL,' "$S"
	check "18: a PARTITION OF partition's own named NOT NULL" grep -qxF \
		'ALTER TABLE ONLY public.ledger_2027 ADD CONSTRAINT ledger_2027_note_set NOT NULL note;' "$S"
fi

# --- round trip: pg_dump where it accepts the server, else diff -r of both
# trees and the catalog summary (scripts/roundtrip, "compared by ...") ---
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=feat >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "schema.sql round-trips on PostgreSQL $T_PG_MAJOR ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30
if pg_dump_usable; then want="compared by pg_dump"; else want="compared by tree"; fi
check "the comparison was the strict one for this major ($want)" grep -qx "roundtrip: $want" "$T_TMP/rt.err"

# --- staging and applying what the major adds ---
MG=$M/feat/migrations
pending() { cat "$MG"/pending/*.sql 2>/dev/null; }
if [ "$T_PG_MAJOR" -ge 18 ]; then
	echo 'integer CONSTRAINT e_required NOT NULL DEFAULT 0' >"$T/columns/e"
	echo 'integer GENERATED ALWAYS AS (a * 3) VIRTUAL' >"$T/columns/thrice"
	eq "18: a named NOT NULL reads back as written" "integer CONSTRAINT e_required NOT NULL DEFAULT 0" "$(cat "$T/columns/e")"
	eq "18: a virtual column reads back" "integer GENERATED ALWAYS AS ((a * 3)) VIRTUAL" "$(cat "$T/columns/thrice")"
	check "18: the migration adds the named NOT NULL" grep -qF 'ADD COLUMN e integer CONSTRAINT e_required NOT NULL DEFAULT 0;' <(pending)
	check "18: ... and the virtual column" grep -qF 'ADD COLUMN thrice integer GENERATED ALWAYS AS ((a * 3)) VIRTUAL;' <(pending)
	check "18: mv into apply/ applies it" mv "$MG"/pending/*.sql "$MG/apply/"
	eq "18: the constraint has its name" "e_required" "$(val feat "SELECT conname FROM pg_constraint WHERE conrelid = 'nn'::regclass AND contype = 'n' AND conkey = '{6}'")"
	eq "18: the column is virtual" "v" "$(val feat "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'nn'::regclass AND attname = 'thrice'")"
	eq "18: nothing left pending" "" "$(ls "$MG/pending")"
	eq "18: the applied column file" "integer CONSTRAINT e_required NOT NULL DEFAULT 0" "$(cat "$T/columns/e")"
	# Names and NO INHERIT of a live column's NOT NULL are not staged:
	# refused, not lost.
	eq "18: renaming a live NOT NULL by its file: EINVAL" "Invalid argument" \
		"$(errno_of bash -c "echo 'integer CONSTRAINT b_other NOT NULL' >'$T/columns/b'")"
	check "18: ... status says why" grep -q 'naming a NOT NULL constraint or changing its NO INHERIT is not staged' "$MG/status"
	eq "18: ... nothing staged" "" "$(ls "$MG/pending")"
	eq "18: ... the file unchanged" "integer CONSTRAINT b_required NOT NULL" "$(cat "$T/columns/b")"
	# A rename keeps PostgreSQL's old constraint name, and the tree says so
	# before and after it is applied.
	mv "$T/columns/a" "$T/columns/alpha"
	eq "18: a staged rename names the kept NOT NULL" "integer CONSTRAINT nn_a_not_null NOT NULL" "$(cat "$T/columns/alpha")"
	check "18: the rename applies" mv "$MG"/pending/*.sql "$MG/apply/"
	eq "18: ... and the applied file is the same" "integer CONSTRAINT nn_a_not_null NOT NULL" "$(cat "$T/columns/alpha")"
fi
if [ "$T_PG_MAJOR" -ge 15 ]; then
	echo 'ALTER TABLE public.handles ADD CONSTRAINT handles_pair UNIQUE NULLS NOT DISTINCT (id, handle)' \
		>"$P/tables/handles/constraints/handles_pair.sql"
	check "15: a NULLS NOT DISTINCT constraint is staged" grep -qF 'UNIQUE NULLS NOT DISTINCT (id, handle)' <(pending)
	check "15: and applied" mv "$MG"/pending/*.sql "$MG/apply/"
	eq "15: live" "t" "$(val feat "SELECT indnullsnotdistinct FROM pg_index WHERE indexrelid = 'handles_pair'::regclass")"
fi
echo 'text' >"$P/tables/plain/columns/added"
check "a column is staged on PostgreSQL $T_PG_MAJOR" grep -qF 'ALTER TABLE public.plain ADD COLUMN added text;' <(pending)
check "and applied" mv "$MG"/pending/*.sql "$MG/apply/"
eq "applied: a tracking row per migration" "$(( T_PG_MAJOR >= 18 ? 4 : T_PG_MAJOR >= 15 ? 2 : 1 ))" \
	"$(val feat "SELECT count(*) FROM drizzle.__drizzle_migrations")"

umount_fs "$M"

done_testing
