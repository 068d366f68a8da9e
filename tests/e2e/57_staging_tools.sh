#!/usr/bin/env bash
# 57_staging_tools: editors and file tools on the tree. vim and ex scripted
# edits (swap, backup and "4913" probe files), cp, mv, truncate and touch
# stage exactly the change meant, with no stray column; scratch files stay
# in memory. Staged changes survive kill -9 of the daemon byte for byte.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF2'
CREATE TABLE public.booking (id integer PRIMARY KEY, full_name varchar(100) NOT NULL, note text,
    nights integer);
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
EOF2
MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/app
B=$D/schemas/public/tables/booking
PENDING=$D/migrations/pending
body() { grep -hv '^--' "$PENDING"/*.sql 2>/dev/null; }
columns() { ls "$B/columns" | tr '\n' ' '; }
has() { body | grep -qF -- "$1" || { body; return 1; }; }
lacks() { ! body | grep -qE -- "$1"; }

# vim with its defaults: swap file, backup on write, the 4913 probe.
check "vim -es: substitute and write" vim -Nu NONE -i NONE -es -c 'set backup writebackup' \
	-c '%s/character varying(100)/text/' -c 'wq' "$B/columns/full_name"
eq "vim: exactly one ALTER COLUMN TYPE" "ALTER TABLE public.booking ALTER COLUMN full_name TYPE text;" "$(body)"
eq "vim: no stray column (swap, backup, 4913)" "full_name id nights note " "$(columns)"
check "vim: nothing staged for its backup file" lacks '~'
rm -f "$B/columns/full_name~"
check "ex: scripted edit" sh -c "printf '%%s/text/character varying(20)/\nwq\n' | ex -Nu NONE -i NONE -s '$B/columns/note'"
check "ex: note becomes varchar(20)" has 'ALTER TABLE public.booking ALTER COLUMN note TYPE character varying(20);'
check "ex: still exactly two statements" test "$(body | grep -vc breakpoint)" == 2
eq "ex: no stray column" "full_name id nights note " "$(columns)"

# Scratch files: in memory, listed, never staged, removable.
check "scratch: a dot file can be written" sh -c "echo hello > '$B/columns/.scratch'"
eq "scratch: reads back" "hello" "$(cat "$B/columns/.scratch")"
check "scratch: a ~ file too" cp "$B/columns/note" "$B/columns/note~"
check "scratch: nothing staged for them" lacks 'scratch|note~'
check "scratch: rm" rm "$B/columns/.scratch" "$B/columns/note~"

# Drafts: touch makes a file that stages nothing until it holds a definition.
check "draft: touch" touch "$B/columns/later"
check "draft: listed" test -e "$B/columns/later"
check "draft: nothing staged" lacks later
check "draft: status lists it" grep -q 'columns/later' "$D/migrations/status"
check "draft: then written" sh -c "echo 'date' > '$B/columns/later'"
check "draft: staged once written" has 'ADD COLUMN later date;'

# cp of a column file: a new column with the same definition.
check "cp: a column file to a new name" cp "$B/columns/nights" "$B/columns/nights_planned"
check "cp: ADD COLUMN" has 'ADD COLUMN nights_planned integer;'
# mv onto an existing column: that one is dropped, the moved one renamed.
check "mv over an existing column" mv -f "$B/columns/nights_planned" "$B/columns/later"
check "mv over: the moved column takes the name" has 'ADD COLUMN later integer;'
check "mv over: the staged one it replaced is gone" lacks 'nights_planned|later date'
rm "$B/columns/later"
# truncate of the comment file empties the comment.
sql app -c "COMMENT ON TABLE public.booking IS 'x'" >/dev/null
check "the live comment shows" poll 5 grep -qx x "$B/comment"
check "truncate -s 0 comment" truncate -s 0 "$B/comment"
check "truncate: COMMENT ... IS NULL" has 'COMMENT ON TABLE public.booking IS NULL;'
# A hand-written migration edited with sed -i stays hand-written.
printf 'SELECT 1;\n' > "$T_TMP/m.sql"
cp "$T_TMP/m.sql" "$PENDING/0001_mine.sql"
check "sed -i on a hand-written migration" sed -i 's/SELECT 1/SELECT 2/' "$PENDING/0001_mine.sql"
eq "sed -i: the hand-written file changed" "SELECT 2;" "$(cat "$PENDING/0001_mine.sql")"
check "sed -i: no temp file left in pending/" test "$(ls "$PENDING" | grep -c sed)" == 0
# An enum label added with vim.
check "vim: append an enum label" vim -Nu NONE -i NONE -es -c '$put =\"meh\"' -c 'wq' "$D/schemas/public/types/mood"
check "vim: ADD VALUE" sh -c "cat '$PENDING'/*.sql | grep -qF \"ALTER TYPE public.mood ADD VALUE 'meh' AFTER 'sad';\""

# Renames of drafts keep their content and go where they are meant to.
check "draft renamed into a hand-written migration" sh -c "printf 'SELECT 3;\n' > '$PENDING/draft' && mv '$PENDING/draft' '$PENDING/0009_fix.sql'"
eq "draft renamed: the new name has the content" "SELECT 3;" "$(cat "$PENDING/0009_fix.sql")"
rm "$PENDING/0009_fix.sql"
check "an empty index draft renamed" sh -c "touch '$B/indexes/a' && mv '$B/indexes/a' '$B/indexes/b'"
check "an empty index draft renamed: it is there under its new name" test -e "$B/indexes/b"
rm -f "$B/indexes/b"
# A name freed by a rename or a drop can be used again at once.
check "mv a column away, then a new column with its old name" sh -c "mv '$B/columns/nights' '$B/columns/nights_old' && echo 'text' > '$B/columns/nights'"
has 'RENAME COLUMN nights TO nights_old;' && has 'ADD COLUMN nights text;' && ok "both staged" || not_ok "both staged"
check "the new column stays after a refresh" poll 3 sh -c "sleep 1.5; test -f '$B/columns/nights' && test -f '$B/columns/nights_old'"
sql app -c "CREATE TABLE public.spare (a integer)" >/dev/null
check "the new table shows" poll 5 test -d "$D/schemas/public/tables/spare"
check "rm -r a table, then mkdir it again" sh -c "rm -r '$D/schemas/public/tables/spare' && mkdir '$D/schemas/public/tables/spare' && echo 'text' > '$D/schemas/public/tables/spare/columns/b'"
check "the new table stays after a refresh" poll 3 sh -c "sleep 1.5; test -f '$D/schemas/public/tables/spare/columns/b'"
has 'DROP TABLE public.spare;' && has 'CREATE TABLE public.spare (' && ok "drop then create staged" || not_ok "drop then create staged"
rm -r "$D/schemas/public/tables/spare"
mv "$B/columns/nights_old" "$B/columns/nights_keep" 2>/dev/null
# A generated column cannot change in place: dropped and added.
sql app -c "ALTER TABLE public.booking ADD COLUMN twice integer GENERATED ALWAYS AS (id * 2) STORED" >/dev/null
check "the generated column shows" poll 5 test -f "$B/columns/twice"
check "a generated column rewritten" sh -c "echo 'integer GENERATED ALWAYS AS (id * 3) STORED' > '$B/columns/twice'"
check "a generated column: DROP COLUMN then ADD COLUMN" sh -c "cat '$PENDING'/*.sql | grep -A2 -F 'DROP COLUMN twice;' >/dev/null && cat '$PENDING'/*.sql | grep -qF 'ADD COLUMN twice integer GENERATED ALWAYS AS ((id * 3)) STORED;'"
# Emptying an existing index file is not a draft beside it.
sql app -c "CREATE INDEX booking_nights_idx ON public.booking (nights)" >/dev/null
check "the index shows" poll 5 test -f "$B/indexes/booking_nights_idx.sql"
eq "emptying an index file: EINVAL" "Invalid argument" "$(errno_of truncate -s 0 "$B/indexes/booking_nights_idx.sql")"
eq "still one file of that name" "1" "$(ls "$B/indexes" | grep -c booking_nights_idx)"
# On a big table, indexes are not tried on the live table.
sql app -c "INSERT INTO public.booking (id, full_name) SELECT g, 'x' FROM generate_series(1000, 151000) g; ANALYZE public.booking" >/dev/null
check "a big table's index file: refused, EPERM" sh -c "! echo 'CREATE INDEX booking_x ON booking (note)' | tee '$B/indexes/booking_x.sql' 2>'$T_TMP/tee.err' && grep -q 'Operation not permitted' '$T_TMP/tee.err'"
check "a big table: the reason says to write the migration by hand" grep -q 'write this migration by hand' "$D/migrations/status"
sql app -c "DELETE FROM public.booking WHERE id >= 1000; ANALYZE public.booking" >/dev/null

# Crash: kill -9, the stale mount cleared, remount: the same pending files.
for f in "$PENDING"/*; do cp "$f" "$T_TMP/before.$(basename "$f")"; done
ls "$PENDING" >"$T_TMP/before.list"
pid=${T_DAEMONS[0]}
kill -9 "$pid"; wait "$pid" 2>/dev/null
fusermount3 -uz "$MNT"
T_MOUNTS=(); T_DAEMONS=()
ok "daemon killed with -9"
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || not_ok "remount"
eq "after kill -9: the same pending files" "$(cat "$T_TMP/before.list")" "$(ls "$PENDING")"
for f in "$PENDING"/*; do
	check "after kill -9: $(basename "$f") byte for byte" cmp "$f" "$T_TMP/before.$(basename "$f")"
done

done_testing
