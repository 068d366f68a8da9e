#!/usr/bin/env bash
# 59_refusals: no silent success (issue 10, items 5 and 8). rmdir of a
# table directory that still has files, or of one of its non-empty
# subdirectories, is ENOTEMPTY, as on every filesystem, and stages nothing;
# a file with a NUL byte copied into apply/ is refused whole: nothing runs,
# nothing is recorded. The write() that makes a column or enum file invalid
# carries the refusal (item 11; bash ignores close()'s); an enum label
# replaced in place is a RENAME VALUE, a removed one named (item 13).
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE booking (id int PRIMARY KEY, note text)" -c "CREATE TABLE victim (id int)" \
	-c "CREATE TABLE guest (id int PRIMARY KEY, name text, memo text)" \
	-c "CREATE TYPE bstatus AS ENUM ('pending', 'confirmed', 'no_show', 'refunded')" \
	-c "CREATE TABLE lodging (id int, two text, status bstatus)" >/dev/null
# For the messages (item 12): an enum, a table with a column to retype and
# one to point at another table, and a table named like a type of public.
sql app >/dev/null <<'EOF'
CREATE TYPE public.pay AS ENUM ('pending', 'paid', 'refunded');
CREATE TABLE public.room (id int PRIMARY KEY);
CREATE TABLE public.stay (id int, rid int, note text);
CREATE SCHEMA app;
CREATE TYPE public.visit_state AS ENUM ('booked', 'seen');
CREATE TABLE app.visit_state (id int, state visit_state);
EOF
M=$T_TMP/mnt
mount_fs "$M" -o conninfo=dbname=app || { not_ok "mount"; done_testing; }
MG=$M/app/migrations
B=$M/app/schemas/public/tables/booking

eq "rmdir of a table with columns: ENOTEMPTY" "Directory not empty" "$(errno_of rmdir "$B")"
check "... status names the directory" grep -q 'booking is not empty' "$MG/status"
eq "rmdir of its columns/: ENOTEMPTY" "Directory not empty" "$(errno_of rmdir "$B/columns")"
check "... status says so" grep -q 'tables/booking/columns: the directory is not empty' "$MG/status"
eq "... nothing staged" "" "$(ls "$MG/pending")"
check "rmdir of an empty subdirectory still succeeds (rm -r goes through it)" rmdir "$B/triggers"
# A column renamed to a scratch name (vim's backup, backupcopy=no) is not
# a silent no-op (item 9): the drop is staged, the scratch file keeps the
# text, and writing the name again makes it an edit of the same column.
G=$M/app/schemas/public/tables/guest/columns
check "mv columns/memo columns/.memo.swp" mv "$G/memo" "$G/.memo.swp"
eq "... the scratch file keeps the definition" "text" "$(cat "$G/.memo.swp")"
check "... the column file is gone" test ! -e "$G/memo"
check "... DROP COLUMN memo is staged" grep -q 'DROP COLUMN memo' <(cat "$MG"/pending/*.sql)
echo 'text' >"$G/memo"
eq "... writing it back stages nothing (the same column, unchanged)" "" "$(ls "$MG/pending")"
rm "$G/.memo.swp"
# A rename onto a draft's name replaces the draft (item 10).
touch "$G/title"
check "mv columns/name onto the draft columns/title" mv "$G/name" "$G/title"
eq "... title shows the renamed column" "text" "$(cat "$G/title")"
check "... RENAME COLUMN name TO title is staged" grep -q 'RENAME COLUMN name TO title' <(cat "$MG"/pending/*.sql)
rm "$MG"/pending/*.sql

# EPERM at open() is a refusal like any other: in status (item 11).
eq "writing erd.md: EPERM" "Operation not permitted" "$(errno_of bash -c "echo x >'$M/app/schemas/public/erd.md'")"
check "... status records it" grep -q '^last refused change: schemas/public/erd.md: this file is generated from the schema' "$MG/status"
# The generated migration's header stays true once applied (item 15); the
# discard hint is in status.
echo 'text' >"$B/columns/extra"
gen=$(ls "$MG/pending")
check "the header does not tell to rm an applied file" bash -c "! grep -q 'rm this file' '$MG/pending/$gen'"
check "status gives the discard hint" grep -qF "$gen (generated from the staged changes; rm it to discard them)" "$MG/status"
rm "$MG/pending/$gen"
check "rm -r of the table stages DROP TABLE" rm -r "$B"
check "... the migration drops it" grep -q 'DROP TABLE public.booking' <(cat "$MG"/pending/*.sql)
rm "$MG"/pending/*.sql

# --- Refusals at the write() that makes a file invalid (item 11): bash
# writes each printf on its own and ignores close()'s error, so the write
# carries it. Nothing is staged; status and the log name the file.
S=$M/app/schemas/public
TW=$S/tables/lodging/columns
EN=$S/types/bstatus
labels() { val app "SELECT string_agg(enumlabel, ' ' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'bstatus'::regtype"; }
shown() { tr '\n' ' ' <"$EN" | sed 's/ $//'; }
# refused_at_write DESC ERRNO_TEXT REASON CMD...: CMD fails with ERRNO_TEXT
# (bash's message), status and the log carry REASON, nothing is staged.
refused_at_write() {
	local desc=$1 errtext=$2 reason=$3; shift 3
	eq "$desc: errno" "$errtext" "$(errno_of "$@")"
	check_fails "$desc: the shell's exit status" "$@"
	check "$desc: status names the file and the reason" \
		bash -c 'grep "^last refused change: " "$1" | grep -qF -- "$2"' _ "$MG/status" "$reason"
	check "$desc: the log too" grep -qF -- "$reason" "$T_TMP/daemon.log"
	eq "$desc: nothing staged" "" "$(ls "$MG/pending")"
	eq "$desc: the column unchanged" "text" "$(cat "$TW/two")"
	eq "$desc: the labels unchanged" "${LIVE_LABELS:-pending confirmed no_show refunded}" "$(shown)"
}
refused_at_write "column: a second line in a second write" "Invalid argument" \
	'schemas/public/tables/lodging/columns/two: a column file holds one line' \
	bash -c "{ printf 'text\n'; printf 'NOT NULL\n'; } >'$TW/two'"
refused_at_write "column: a third write" "Invalid argument" 'columns/two: a column file holds one line' \
	bash -c "{ printf 'te'; printf 'xt\n'; printf 'NOT NULL\n'; } >'$TW/two'"
refused_at_write "enum: the write that drops a label" "Operation not permitted" \
	'schemas/public/types/bstatus: label "no_show" removed: PostgreSQL cannot remove an enum label' \
	bash -c "{ printf 'pending\n'; printf 'confirmed\n'; printf 'refunded\n'; } >'$EN'"
# One write (cat) holds the whole order: the label out of place is named.
# Written line by line, the write that shows a label missing before one
# kept is refused (as that label removed: it could only come back moved).
printf 'pending\nrefunded\nconfirmed\nno_show\n' >"$T_TMP/moved"
refused_at_write "enum: a label moved" "Operation not permitted" 'types/bstatus: label "refunded" moved' \
	bash -c "cat '$T_TMP/moved' >'$EN'"
refused_at_write "enum: a label moved, line by line" "Operation not permitted" 'types/bstatus: label "confirmed" removed' \
	bash -c "{ printf 'pending\n'; printf 'refunded\n'; printf 'confirmed\n'; } >'$EN'"
refused_at_write "enum: the write that repeats a label" "Invalid argument" 'types/bstatus: label "pending" repeated' \
	bash -c "{ printf 'pending\n'; printf 'pending\n'; } >'$EN'"
# (sed's temp file is renamed over it: which of the two status names is
# another change's business.)
refused_at_write "enum: sed -i that removes a label" "Operation not permitted" 'label "no_show" removed' \
	sed -i '/^no_show$/d' "$EN"
refused_at_write "enum: truncate(1) that drops the last label" "Operation not permitted" 'label "refunded" removed' \
	truncate -s -9 "$EN"
refused_at_write "column: truncate(1) to nothing" "Invalid argument" 'columns/two: empty definition' \
	truncate -s 0 "$TW/two"
check "enum: labels written in several writes, one added" \
	bash -c "{ printf 'pending\n'; printf 'confirmed\nno_show\n'; printf 'refunded\nlate\n'; } >'$EN'"
check "... ADD VALUE staged" grep -q "ADD VALUE 'late' AFTER 'refunded';" <(cat "$MG"/pending/*.sql)
rm "$MG"/pending/*.sql
refused_at_write "writing erd.md (EPERM at open)" "Operation not permitted" \
	'schemas/public/erd.md: this file is generated from the schema' \
	bash -c "echo x >'$S/erd.md'"
# A shell opens the file, dup2()s it and closes the first descriptor
# before cat writes: that close hands nothing over (no empty migration).
printf 'CREATE TABLE public.viacat (id int);\n' >"$T_TMP/viacat.sql"
check "sh -c 'cat f > apply/x.sql' succeeds" sh -c "cat '$T_TMP/viacat.sql' >'$MG/apply/0000_viacat.sql'"
eq "... and ran the file" "viacat" "$(val app "SELECT to_regclass('public.viacat')")"
check "sh -c 'cat f > columns/new' stages the column" sh -c "echo 'integer' | cat >'$TW/three'"
check "... ADD COLUMN three" grep -q 'ADD COLUMN three integer;' <(cat "$MG"/pending/*.sql)
rm "$MG"/pending/*.sql

# --- Enum renames (item 13): a label replaced in place is a rename.
check "sed -i s/no_show/noshow/" sed -i 's/no_show/noshow/' "$EN"
eq "... the file shows the new name" "pending confirmed noshow refunded" "$(shown)"
check "... RENAME VALUE staged" grep -qx "ALTER TYPE public.bstatus RENAME VALUE 'no_show' TO 'noshow';" <(cat "$MG"/pending/*.sql)
check "... with its hazard" grep -qx -- "-- HAZARD: RENAME VALUE bstatus 'no_show' to 'noshow': running code that uses the old label breaks" <(cat "$MG"/pending/*.sql)
eq "one label replaced by two: EINVAL" "Invalid argument" "$(errno_of sed -i 's/^noshow$/a\nb/' "$EN")"
check "... status says why" grep -qF 'ambiguous: label "noshow" replaced by more labels ("a", ...)' "$MG/status"
check "then a label added (a second write)" sh -c "echo late >>'$EN'"
gen=$(ls "$MG/pending")
eq "... one migration" "1" "$(echo "$gen" | wc -l)"
check "... the rename, then the add" grep -qz "RENAME VALUE 'no_show' TO 'noshow';.*ADD VALUE 'late' AFTER 'refunded';" "$MG/pending/$gen"
check "mv the migration into apply/" mv "$MG/pending/$gen" "$MG/apply/"
eq "psql shows the renamed label" "pending confirmed noshow refunded late" "$(labels)"
check "... nothing left staged" poll 30 test -z "$(ls "$MG/pending")"
check "... the file shows the live labels" poll 30 test "$(shown)" == "pending confirmed noshow refunded late"
check "a rename back stages it" sed -i 's/^noshow$/no_show/' "$EN"
check "... RENAME VALUE noshow TO no_show" grep -q "RENAME VALUE 'noshow' TO 'no_show';" <(cat "$MG"/pending/*.sql)
eq "the name a staged rename gives up, taken by another label: EINVAL" "Invalid argument" \
	"$(errno_of sed -i 's/^late$/noshow/' "$EN")"
check "... status says why" grep -qF 'label "noshow" is renamed in a staged change: apply that migration first' "$MG/status"
rm "$MG"/pending/*.sql
LIVE_LABELS="pending confirmed noshow refunded late" refused_at_write "enum: a label removed, after the rename" "Operation not permitted" \
	'types/bstatus: label "noshow" removed' \
	bash -c "{ printf 'pending\nconfirmed\n'; printf 'refunded\nlate\n'; } >'$EN'"

# A BEGIN ATOMIC body (14+) is not transaction control: its END is not a COMMIT.
if [ "$T_PG_MAJOR" -ge 14 ]; then
	printf 'CREATE FUNCTION public.two() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\n' >"$T_TMP/atomic.sql"
	check "a file with a BEGIN ATOMIC function applies" cp "$T_TMP/atomic.sql" "$MG/apply/0000_atomic.sql"
	eq "... the function exists" "2" "$(val app "SELECT public.two()")"
fi

tracked() { val app "SELECT CASE WHEN to_regclass('drizzle.__drizzle_migrations') IS NULL THEN 0
	ELSE (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM drizzle.__drizzle_migrations', false, true, '')))[1]::text::int END"; }
rows_before=$(tracked)
printf 'CREATE TABLE public.n1 (id int);\n\0DROP TABLE public.victim;\n' >"$T_TMP/nul.sql"
eq "a NUL byte in a file copied into apply/: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/nul.sql" "$MG/apply/0001_nul.sql")"
eq "... nothing ran (no n1)" "" "$(val app "SELECT to_regclass('public.n1')")"
eq "... victim survives" "victim" "$(val app "SELECT to_regclass('public.victim')")"
eq "... no tracking row" "$rows_before" "$(tracked)"
check "... status says why" grep -q 'holds a NUL byte (at byte 33)' "$MG/status"

# --- refusals name what the user touched (issue 10, item 12) ---
S=$M/app/schemas/public/tables/stay/columns
refused_as() { # DESC TEXT: status's last refusal is TEXT (grep -F), nothing staged
	check "$1: status says $2" grep -qF -- "last refused change: $2" "$MG/status"
	eq "$1: nothing staged" "" "$(ls "$MG/pending")"
}
# sed -i writes sedXXXXXX beside the file, then renames it over the file.
eq "sed -i with an unknown type: EINVAL (from the rename)" "Invalid argument" \
	"$(errno_of sed -i 's/text/nosuchtype/' "$S/note")"
refused_as "sed -i with an unknown type" 'schemas/public/tables/stay/columns/note: type "nosuchtype" does not exist'
eq "... the column keeps its text" "text" "$(cat "$S/note")"
eq "... no temp file is left" "id note rid" "$(ls "$S" | tr '\n' ' ' | sed 's/ $//')"
check "sed -i reordering enum labels: refused" sh -c "! sed -i 's/^paid$/x/; s/^refunded$/paid/; s/^x$/refunded/' '$M/app/schemas/public/types/pay'"
refused_as "sed -i on an enum" 'schemas/public/types/pay: label'
check "... not the temp file" sh -c "! grep -q 'types/sed' '$MG/status'"
# Editors that save atomically write a temp file, then rename(2) it over
# the file (perl's rename is that call, and prints its errno).
echo nosuchtype >"$S/.note.tmp"
eq "an editor's temp file renamed over the column: EINVAL" "Invalid argument" \
	"$(errno_of perl -e 'rename($ARGV[0], $ARGV[1]) or die "rename: $!\n"' "$S/.note.tmp" "$S/note")"
refused_as "an editor's save-over" 'schemas/public/tables/stay/columns/note: type "nosuchtype" does not exist'
rm -f "$S/.note.tmp"
# cq: when the write is refused vim stays, waiting for a next command.
check "vim writing an unknown type: refused" sh -c "! vim -Nu NONE -i NONE -es -c 'set backup writebackup' \
	-c '%s/text/nosuchtype/' -c 'wq' -c 'cq' '$S/note' </dev/null"
refused_as "vim's save" 'schemas/public/tables/stay/columns/note: type "nosuchtype" does not exist'
eq "... the column keeps its text" "text" "$(cat "$S/note")"
check "a column really named like sed's temp file is staged" sh -c "echo integer >'$S/sedab12cd'"
check "... ADD COLUMN sedab12cd" grep -q 'ADD COLUMN sedab12cd integer' <(cat "$MG"/pending/*.sql)
rm "$S/sedab12cd"
eq "... and unstaged by rm" "" "$(ls "$MG/pending")"
# PostgreSQL's own message about the user's table and column, without
# schemafs's statement; positions are the file's.
eq "a misspelt type: EINVAL" "Invalid argument" "$(errno_of bash -c "echo integr >'$S/nights'")"
refused_as "a misspelt type" 'schemas/public/tables/stay/columns/nights: type "integr" does not exist (character 1) (Invalid argument'
check "... schemafs's probe is not named" sh -c "! grep -q 'schemafs_probe' '$MG/status'"
eq "a type change with no cast: EINVAL" "Invalid argument" "$(errno_of bash -c "echo integer >'$S/note'")"
refused_as "a type change with no cast" 'schemas/public/tables/stay/columns/note: column "note" cannot be cast automatically to type integer; hint: You might need to specify "USING note::integer"'
eq "a column file with REFERENCES: EINVAL" "Invalid argument" \
	"$(errno_of bash -c "echo 'integer REFERENCES public.room (id)' >'$S/rid'")"
refused_as "REFERENCES in a column file" 'schemas/public/tables/stay/columns/rid: a column file cannot hold REFERENCES: write it as constraints/<name>.sql beside columns/rid, e.g. ALTER TABLE public.stay ADD CONSTRAINT <name> FOREIGN KEY (rid) REFERENCES ...'
check "... not the temporary table's rule" sh -c "! grep -q 'temporary' '$MG/status'"
eq "an index file with a function of the wrong type: EINVAL" "Invalid argument" \
	"$(errno_of bash -c "echo 'CREATE INDEX CONCURRENTLY stay_x ON public.stay (lower(id))' | tee '$M/app/schemas/public/tables/stay/indexes/stay_x.sql'")"
refused_as "an index file with a function of the wrong type" 'schemas/public/tables/stay/indexes/stay_x.sql: function lower(integer) does not exist (character 50); hint: No function matches'
rm -f "$M/app/schemas/public/tables/stay/indexes/stay_x.sql"
# The probe's temp table is named like the user's: a type of public with
# that name must still be the one the column gets.
V=$M/app/schemas/app/tables/visit_state/columns
check "a column of type visit_state in table app.visit_state: staged" sh -c "echo 'visit_state NOT NULL' >'$V/state2'"
eq "... the file reads back" "visit_state NOT NULL" "$(cat "$V/state2")"
check "... applies" mv "$MG/pending/"*.sql "$MG/apply/"
eq "... with public's enum" "visit_state" "$(val app "SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = 'app.visit_state'::regclass AND attname = 'state2'")"
umount_fs "$M"

# --- standard_conforming_strings (item 6): a comment that would end its
# literal early where backslashes escape, loaded into a database that
# turns them on, drops nothing.
sql app -c "COMMENT ON TABLE victim IS \$\$x\\'; DROP TABLE victim; --\$\$" >/dev/null
sql postgres -c "CREATE DATABASE copy" -c "ALTER DATABASE copy SET standard_conforming_strings = off" \
	-c "ALTER DATABASE app SET standard_conforming_strings = off" >/dev/null
mount_fs "$M" -o conninfo=dbname=app || { not_ok "remount"; done_testing; }
check "schema.sql starts by turning standard_conforming_strings on" \
	bash -c "grep -m1 '^SET' '$M/app/schema.sql' | grep -qx 'SET standard_conforming_strings = on;'"
check "schema.sql loads into a database with it off" psql -X -q -v ON_ERROR_STOP=1 -d copy -f "$M/app/schema.sql"
eq "... victim is there" "victim" "$(val copy "SELECT to_regclass('public.victim')")"
eq "... with its comment whole" "x\\'; DROP TABLE victim; --" "$(val copy "SELECT obj_description('public.victim'::regclass)")"
printf 'CREATE TABLE public.quoted (v text DEFAULT %s);\n' "'a\\b'" >"$T_TMP/q.sql"
check "a migration applies where the database turns it off" cp "$T_TMP/q.sql" "$MG/apply/0001_quoted.sql"
eq "... its literal read with standard strings (a backslash b: three characters)" 3 \
	"$(val app "INSERT INTO quoted DEFAULT VALUES RETURNING length(v)")"
umount_fs "$M"
done_testing
