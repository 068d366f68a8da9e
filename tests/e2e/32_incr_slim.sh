#!/usr/bin/env bash
# 32_incr_slim: when the fingerprint shows that no catalog row a relation
# could lose alone was deleted, and that pg_class lost none (it gained as
# many rows as it has fresh ones that are not the previous snapshot's
# relations), the change query answers for the relations read again only,
# and every other relation keeps the previous catalog's copy and count
# (catalog_incr.c, "slim"). ADD COLUMN, RENAME and CREATE TABLE take that
# answer (the log says so, counted); SET SCHEMA (its pg_depend row
# updated) and DROP do not, and are checked around them: moves out of and
# back into the listed schemas, between them, a drop. A view renamed
# makes a slim answer's plan a full read: the relations without a row
# must keep their counts then too, or the drop of a table's only foreign
# key right after would not show. After each step the tree must show the
# change, and at the end it must equal a fresh mount's, byte for byte.
. "$(dirname "$0")/../lib.sh"

pg_start
# A slim answer needs every row new since the previous snapshot's xmin to
# be the step's own: an autoanalyze running while a snapshot is taken
# holds its xmin back, and the next step's answer is not slim (right, but
# the count of slim answers below would miss one).
sql postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
sql postgres -c "CREATE DATABASE slim" >/dev/null
sql slim >/dev/null <<'EOF'
CREATE SCHEMA side;
CREATE SCHEMA hidden;
CREATE TABLE public.keep (id integer PRIMARY KEY, c text);
CREATE TABLE public.m (id integer PRIMARY KEY, k integer REFERENCES public.keep (id));
CREATE TABLE side.s1 (id integer PRIMARY KEY);
-- no primary key: its foreign key is its only deletable row (count 1)
CREATE TABLE public.nopk (k integer CONSTRAINT nopk_k_fkey REFERENCES public.keep (id));
CREATE VIEW public.v AS SELECT id FROM public.keep;
EOF
# Filler: a refresh that would read half the relations again reads all.
# No primary keys: no deletable rows, a count of 0 (which a count lost
# after a full read, left at 0, would match).
for i in $(seq 20); do echo "CREATE TABLE public.f$i (id integer);"; done | sql slim >/dev/null
# f1's comment is its only deletable row, and removing it touches no other row.
sql slim -c "COMMENT ON TABLE public.f1 IS 'f1 note'" >/dev/null
# hidden is left out of the mount
CFG=$T_TMP/slim.json
printf '{ "databases": { "slim": { "conninfo": "host=%s port=%s dbname=slim", "schemas": ["public", "side"] } } }\n' \
	"$PGHOST" "$PGPORT" >"$CFG"

MNT=$T_TMP/mnt
LOG=$T_TMP/daemon.log
mount_fs "$MNT" -o "config=$CFG" -o ttl=1 || { not_ok "mount"; done_testing; }
S=$MNT/slim/schemas
check "m shows in public" test -f "$S/public/tables/m/table.sql"
check "schema.sql has m" grep -q 'public\.m\b' "$MNT/slim/schema.sql"
check "hidden is left out" test ! -e "$S/hidden"
check "nopk's foreign key shows" test -f "$S/public/tables/nopk/constraints/nopk_k_fkey.sql"
check "v shows" test -f "$S/public/views/v.sql"
check "f1's comment shows" grep -rq 'f1 note' "$S/public/tables/f1"
nincr() { grep -c 'relations again (incremental)' "$LOG" || true; }
nslim() { grep -c 'slim change answer' "$LOG" || true; }
before=$(nincr) slim0=$(nslim)

gone() { [ ! -e "$1" ]; }
# step SQL LABEL TEST...: runs SQL, then waits for TEST to hold.
step() {
	local q=$1 label=$2; shift 2
	sql slim -c "$q"
	check "$label" poll 30 "$@"
}
step "ALTER TABLE public.keep ADD COLUMN x integer" "a column added to keep shows" test -f "$S/public/tables/keep/columns/x"
# A slim answer whose plan becomes a full read (a view changed): the
# relations it has no row for keep their counts, so dropping nopk's only
# foreign key right after still shows (with a count of 0 kept, it would
# not: the deletion would look like no change).
step "ALTER VIEW public.v RENAME TO v2" "a renamed view shows" test -f "$S/public/views/v2.sql"
step "ALTER TABLE public.nopk DROP CONSTRAINT nopk_k_fkey" "nopk's only foreign key, dropped, is gone" \
	gone "$S/public/tables/nopk/constraints/nopk_k_fkey.sql"
no_f1_note() { ! grep -rq 'f1 note' "$S/public/tables/f1"; }
step "COMMENT ON TABLE public.f1 IS NULL" "f1's only comment, removed, is gone" no_f1_note
step "ALTER TABLE public.m SET SCHEMA hidden" "m moved to a schema left out is gone" gone "$S/public/tables/m"
no_m_in_sql() { ! grep -q 'public\.m\b' "$MNT/slim/schema.sql"; }
check "schema.sql no longer has m" no_m_in_sql
step "ALTER TABLE hidden.m SET SCHEMA side" "m moved back into a listed schema shows" test -f "$S/side/tables/m/table.sql"
step "ALTER TABLE side.m SET SCHEMA public" "m moved between listed schemas shows there" test -f "$S/public/tables/m/table.sql"
check "and is gone from the other" test ! -e "$S/side/tables/m"
step "ALTER TABLE public.m RENAME TO m2" "a renamed table shows under its new name" test -f "$S/public/tables/m2/table.sql"
check "and not under its old one" test ! -e "$S/public/tables/m"
step "CREATE TABLE side.s2 (id serial PRIMARY KEY)" "a new table with an owned sequence shows" test -f "$S/side/tables/s2/table.sql"
step "DROP TABLE side.s1" "a dropped table is gone" gone "$S/side/tables/s1"
step "ALTER TABLE public.m2 SET SCHEMA hidden" "m2 moved out again is gone" gone "$S/public/tables/m2"
n=$(nincr) ns=$(nslim)
check "the refreshes were incremental ($((n - before)) of at least 8)" test "$n" -ge $((before + 8))
# ADD COLUMN, RENAME and CREATE TABLE take the slim answer; SET SCHEMA
# (its pg_depend row updated) and DROP (rows deleted) do not.
check "the slim answer was taken ($((ns - slim0)) of at least 3)" test "$ns" -ge $((slim0 + 3))
[ "$n" -ge $((before + 8)) ] && [ "$ns" -ge $((slim0 + 3)) ] || grep 'refresh read' "$LOG" | sed 's/^/#   /'

equals_fresh_mount "$MNT/slim" slim -o "config=$CFG"
umount_fs "$MNT"
done_testing
