#!/usr/bin/env bash
# 32_incr_slim: when the fingerprint shows that no catalog row a relation
# could lose alone was deleted, and that pg_class lost none (it gained as
# many rows as it has fresh ones that are not the previous snapshot's
# relations), the change query answers for the relations read again only,
# and every other relation is the previous catalog's (catalog_incr.c,
# "slim"). A relation that stays but leaves the listed schemas (SET SCHEMA
# to one left out) must still go, and come back when moved back; renames,
# new tables and a drop (pg_class lost a row: the full answer) between.
# After each step the tree must show the change, and at the end it must
# equal a fresh mount's, byte for byte.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE slim" >/dev/null
sql slim >/dev/null <<'EOF'
CREATE SCHEMA side;
CREATE SCHEMA hidden;
CREATE TABLE public.keep (id integer PRIMARY KEY, c text);
CREATE TABLE public.m (id integer PRIMARY KEY, k integer REFERENCES public.keep (id));
CREATE TABLE side.s1 (id integer PRIMARY KEY);
EOF
# Filler: a refresh that would read half the relations again reads all.
for i in $(seq 20); do echo "CREATE TABLE public.f$i (id integer PRIMARY KEY);"; done | sql slim >/dev/null
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
nincr() { grep -c 'relations again (incremental)' "$LOG" || true; }
before=$(nincr)

gone() { [ ! -e "$1" ]; }
# step SQL LABEL TEST...: runs SQL, then waits for TEST to hold.
step() {
	local q=$1 label=$2; shift 2
	sql slim -c "$q"
	check "$label" poll 30 "$@"
}
step "ALTER TABLE public.keep ADD COLUMN x integer" "a column added to keep shows" test -f "$S/public/tables/keep/columns/x"
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
n=$(nincr)
check "the refreshes were incremental ($((n - before)) of at least 8)" test "$n" -ge $((before + 8))
[ "$n" -ge $((before + 8)) ] || grep 'refresh read' "$LOG" | sed 's/^/#   /'

mount_fs "$T_TMP/fresh" -o "config=$CFG" || { not_ok "fresh mount"; done_testing; }
if diff -r -x status "$MNT/slim" "$T_TMP/fresh/slim" >"$T_TMP/diff.out" 2>&1; then
	ok "the mount in use equals a fresh mount (diff -r)"
else
	not_ok "the mount in use equals a fresh mount (diff -r)"
	sed 's/^/#   /' "$T_TMP/diff.out" | head -n 20
fi
umount_fs "$T_TMP/fresh"
umount_fs "$MNT"
done_testing
