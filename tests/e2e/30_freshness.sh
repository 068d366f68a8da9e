#!/usr/bin/env bash
# 30_freshness: DDL made by others with psql shows up in the mounted tree
# within about TTL seconds, without remounting; st_size follows the new
# content; a file's mtime changes when its content changes and only then.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TABLE public.accounts (id integer PRIMARY KEY, name text, note varchar(10));
CREATE TABLE public.doomed (x integer);
CREATE VIEW public.v AS SELECT id FROM public.accounts;
EOF

TTL=1
WAIT=$((TTL + 4))   # the contract allows TTL + 3 s; one more for a loaded machine
MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=$TTL || { not_ok "mount"; done_testing; }
P=$MNT/app/schemas/public
A=$P/tables/accounts

# has_content FILE TEXT: FILE reads as TEXT (plus the final newline).
has_content() { [ "$(cat "$1")" == "$2" ] || { echo "read: $(cat "$1")"; return 1; }; }
# size_matches FILE: st_size equals the bytes read.
size_matches() { [ "$(stat -c %s "$1")" == "$(wc -c <"$1")" ]; }

check "initial tree: accounts has its columns" test -f "$A/columns/note"
eq "initial content of note" "character varying(10)" "$(cat "$A/columns/note")"
check "initial tree: doomed is there" test -d "$P/tables/doomed"
# Warm the kernel's caches: listings, lookups and page cache.
ls -lR "$MNT" >/dev/null; cat "$A/columns/note" "$A/columns/name" >/dev/null
ls "$A/indexes" "$A/columns" >/dev/null

mt_name=$(stat -c %Y "$A/columns/name")
mt_note=$(stat -c %Y "$A/columns/note")
sleep 1.5   # so that a new mtime is a different second

# Unrelated DDL: name's file must keep its mtime once the refresh is seen.
sql app -c "CREATE TABLE public.unrelated (y integer)"
check "CREATE TABLE shows up within $WAIT s" poll $WAIT test -d "$P/tables/unrelated"
check "new table's column file is there" test -f "$P/tables/unrelated/columns/y"
eq "mtime of an unchanged file stays after a refresh" "$mt_name" "$(stat -c %Y "$A/columns/name")"
eq "mtime of another unchanged file stays" "$mt_note" "$(stat -c %Y "$A/columns/note")"

# ALTER TABLE ADD COLUMN
sql app -c "ALTER TABLE public.accounts ADD COLUMN email text NOT NULL DEFAULT 'none'"
check "ADD COLUMN shows up within $WAIT s" poll $WAIT test -f "$A/columns/email"
eq "new column's content" "text NOT NULL DEFAULT 'none'::text" "$(cat "$A/columns/email")"
check "ls of columns/ lists it" bash -c 'ls "$1" | grep -qx email' _ "$A/columns"

# A column's content changes: new content, new size, new mtime.
sql app -c "ALTER TABLE public.accounts ALTER COLUMN note TYPE varchar(200), ALTER COLUMN note SET NOT NULL"
check "ALTER COLUMN TYPE is seen within $WAIT s (content read before)" \
	poll $WAIT has_content "$A/columns/note" "character varying(200) NOT NULL"
check "st_size follows the new content" size_matches "$A/columns/note"
mt_note2=$(stat -c %Y "$A/columns/note")
check "mtime of the changed file moved forward ($mt_note -> $mt_note2)" test "$mt_note2" -gt "$mt_note"
eq "mtime of the untouched column still the same" "$mt_name" "$(stat -c %Y "$A/columns/name")"

# DROP TABLE
sql app -c "DROP TABLE public.doomed"
check "DROP TABLE disappears within $WAIT s" poll $WAIT bash -c '! test -e "$1"' _ "$P/tables/doomed"
check_fails "ls tables/ no longer lists it" bash -c 'ls "$1" | grep -qx doomed' _ "$P/tables"
eq "dropped table: ENOENT" "No such file or directory" "$(errno_of ls "$P/tables/doomed")"

# CREATE INDEX
sql app -c "CREATE INDEX accounts_name_idx ON public.accounts (lower(name))"
check "CREATE INDEX shows up within $WAIT s" poll $WAIT test -f "$A/indexes/accounts_name_idx.sql"
eq "index file content" "$(val app "SELECT pg_get_indexdef('public.accounts_name_idx'::regclass)");" \
	"$(cat "$A/indexes/accounts_name_idx.sql")"
check "index file st_size equals bytes read" size_matches "$A/indexes/accounts_name_idx.sql"

# A view redefined: the file's content follows.
sql app -c "CREATE OR REPLACE VIEW public.v AS SELECT id, name FROM public.accounts"
check "CREATE OR REPLACE VIEW is seen within $WAIT s" \
	poll $WAIT grep -qE '^ +(accounts\.)?name$' "$P/views/v.sql"	# 16+ write no table prefix
# The kernel hears of a refresh's changes just after its tree is published
# (fs/invalq.c): a size it cached converges within the same WAIT.
check "view file st_size equals bytes read" poll $WAIT size_matches "$P/views/v.sql"

# COMMENT ON: an empty comment file becomes non-empty.
eq "comment empty before" 0 "$(stat -c %s "$A/comment")"
sql app -c "COMMENT ON TABLE public.accounts IS 'customer accounts'"
check "COMMENT ON is seen within $WAIT s" poll $WAIT has_content "$A/comment" "customer accounts"
check "comment st_size follows" size_matches "$A/comment"

# DROP COLUMN and a new schema
sql app -c "ALTER TABLE public.accounts DROP COLUMN email; CREATE SCHEMA later; CREATE TABLE later.t (z integer)"
check "DROP COLUMN disappears within $WAIT s" poll $WAIT bash -c '! test -e "$1"' _ "$A/columns/email"
check "CREATE SCHEMA shows up within $WAIT s" poll $WAIT test -f "$MNT/app/schemas/later/tables/t/columns/z"

# Quiet period: nothing changes, several TTLs pass, mtimes stay. (The live
# migrations/status report is left out: its content is not schema.)
snap() { find "$MNT" -type f ! -path '*/migrations/status' -print0 | sort -z | xargs -0 stat -c '%n %Y %s'; }
mt_all=$(snap)
sleep $((TTL * 3))
eq "no DDL: every file keeps its mtime and size over 3 TTLs" "$mt_all" "$(snap)"

# Changes only other catalogs carry: enum labels, functions, role names in
# policies. Each must defeat the "catalogs unchanged" shortcut.
sql app -c "CREATE TYPE public.mood AS ENUM ('ok')"
check "CREATE TYPE is seen within $WAIT s" poll $WAIT test -f "$P/types/mood"
sql app -c "ALTER TYPE public.mood ADD VALUE 'meh'"
check "ALTER TYPE ... ADD VALUE is seen within $WAIT s" poll $WAIT grep -qx meh "$P/types/mood"
sql app -c "CREATE FUNCTION public.two() RETURNS int LANGUAGE sql AS 'SELECT 2'"
check "CREATE FUNCTION is seen within $WAIT s" poll $WAIT test -f "$P/functions/two().sql"
sql app -c "CREATE ROLE auditor; CREATE POLICY audit ON public.accounts TO auditor USING (true)"
check "CREATE POLICY is seen within $WAIT s" poll $WAIT grep -q 'TO auditor' "$A/policies/audit.sql"
sql app -c "ALTER ROLE auditor RENAME TO inspector"
check "a renamed role shows in the policy within $WAIT s" poll $WAIT grep -q 'TO inspector' "$A/policies/audit.sql"

# Plain DML, VACUUM and ANALYZE change no catalog row the snapshot reads:
# they cost no full reload (status counts full reads).
reads() { sed -n 's/^snapshots read: //p' "$MNT/app/migrations/status"; }
sleep $((TTL * 2))
before=$(reads)
sql app -c "INSERT INTO public.accounts (id, name) SELECT g, 'n' || g FROM generate_series(1000, 1999) g" \
	-c "UPDATE public.accounts SET name = name || '!'" -c "VACUUM ANALYZE public.accounts" >/dev/null
sleep $((TTL * 3))
ls -R "$MNT/app" >/dev/null
sleep $((TTL * 2))
eq "DML, VACUUM, ANALYZE: no full catalog reload" "$before" "$(reads)"
sql app -c "COMMENT ON TABLE public.accounts IS 'changed'"
check "and the next DDL is read again" poll $WAIT has_content "$A/comment" "changed"
check "which counts as a full read" poll $WAIT bash -c '[ "$(sed -n "s/^snapshots read: //p" "$1")" -gt "$2" ]' \
	_ "$MNT/app/migrations/status" "$before"

umount_fs "$MNT"
done_testing
