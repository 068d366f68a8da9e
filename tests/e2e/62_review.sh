#!/usr/bin/env bash
# 62_review: every hand-written file in migrations/pending/ is reviewed by
# PostgreSQL's parser: status names each hazard (squawk's rule names) with
# the statement's number and line under the file; a clean file shows none;
# a file the parser cannot read shows its message and line, and can still
# be applied. Files are never changed by the review.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TABLE public.booking (id integer PRIMARY KEY, nights integer);
INSERT INTO public.booking SELECT g, g % 3 FROM generate_series(1, 20) g;
EOF

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/app
M=$D/migrations
P=$M/pending

# section NAME: the lines status shows under pending file NAME.
# The review's lines under a file (the shadow's dry run lines, 63_shadow's
# subject, left out).
section() {
	awk -v f="  $1 (" 'index($0, f) == 1 { on = 1; next } on && /^    (dry run|  statement)/ { next }
		on && /^    / { print; next } { on = 0 }' "$M/status"
}

# --- the hand-written file of issue 13 ---
printf 'ALTER TABLE booking ADD COLUMN foo int NOT NULL;\nCREATE INDEX booking_foo ON booking(foo);\n' >"$T_TMP/hand.sql"
check "cp a hand-written file into pending/" cp "$T_TMP/hand.sql" "$P/0002_hand.sql"
check "status lists it" grep -qF '  0002_hand.sql (hand-written)' "$M/status"
eq "status: its hazards, by rule, statement and line" \
"    hazard adding-not-nullable-field: statement 1 of 2 (line 1), booking: a NOT NULL column without a default fails on a table with rows; add it nullable, backfill, then SET NOT NULL (or add a default)
    hazard require-concurrent-index-creation: statement 2 of 2 (line 2), booking: CREATE INDEX blocks writes to the table while it builds; CREATE INDEX CONCURRENTLY, alone in its file" \
	"$(section 0002_hand.sql)"
check "the file is not modified" cmp "$T_TMP/hand.sql" "$P/0002_hand.sql"

# --- comments and blank lines before the statements: lines of the statements ---
cat >"$T_TMP/later.sql" <<'EOF'
-- a hand-written migration
-- that says what it does

/* first the column */
ALTER TABLE public.booking
    ALTER COLUMN nights TYPE bigint;

  -- then the table
  DROP TABLE public.booking;
EOF
check "cp a file with comments" cp "$T_TMP/later.sql" "$P/0003_later.sql"
eq "status: statement numbers and lines past comments" \
"    hazard changing-column-type: statement 1 of 2 (line 5), public.booking
    hazard ban-drop-table: statement 2 of 2 (line 9), public.booking" \
	"$(section 0003_later.sql | sed 's/: [^:]*$//')"
check "the first file's hazards are still there" grep -qF 'hazard require-concurrent-index-creation: statement 2 of 2 (line 2)' "$M/status"

# --- a clean file: no hazard ---
printf -- '-- index, without blocking writes\nCREATE INDEX CONCURRENTLY booking_nights ON booking (nights);\n' >"$T_TMP/clean.sql"
check "cp a clean file" cp "$T_TMP/clean.sql" "$P/0004_clean.sql"
check "status lists the clean file" grep -qF '  0004_clean.sql (hand-written)' "$M/status"
eq "a clean file: nothing under it" "" "$(section 0004_clean.sql)"

# --- editing a file in place: reviewed again ---
check "sed -i makes the clean file unsafe" sed -i 's/CONCURRENTLY //' "$P/0004_clean.sql"
check "status: the edited file's hazard" grep -qF 'hazard require-concurrent-index-creation: statement 1 of 1 (line 2), booking:' "$M/status"
check "rm of a reviewed file" rm "$P/0003_later.sql"
check "its hazards leave status" sh -c "! grep -q 'changing-column-type' '$M/status'"

# --- a file the parser cannot read (PostgreSQL 18's VIRTUAL) ---
printf -- '-- a virtual column\nALTER TABLE public.booking ADD COLUMN twice integer GENERATED ALWAYS AS (nights * 2) VIRTUAL;\n' >"$T_TMP/virtual.sql"
check "cp a file of newer syntax" cp "$T_TMP/virtual.sql" "$P/0005_virtual.sql"
eq "status: the parser's message and line, not reviewed" \
	"    not reviewed: PostgreSQL 15's parser cannot read it: syntax error at or near \"VIRTUAL\" (line 2); it can still be applied" \
	"$(section 0005_virtual.sql)"
check "the unreadable file is not modified" cmp "$T_TMP/virtual.sql" "$P/0005_virtual.sql"
rm "$P/0002_hand.sql" "$P/0004_clean.sql"
if [ "$T_PG_MAJOR" -ge 18 ]; then
	# Only 18 has VIRTUAL: there, the file the parser could not read applies.
	check "the unreadable file applies (18)" mv "$P/0005_virtual.sql" "$M/apply/"
	eq "its column exists (18)" "twice" \
		"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'twice'")"
else
	check "rm the unreadable file (VIRTUAL is 18's)" rm "$P/0005_virtual.sql"
fi
check "status: nothing pending" grep -qx 'pending: none' "$M/status"

# --- row estimates: the snapshot's reltuples, once the table is analyzed ---
sql app -c "INSERT INTO public.booking (id) SELECT g FROM generate_series(21, 1200) g" >/dev/null
printf 'ALTER TABLE booking ADD COLUMN bar int NOT NULL;\nDROP TABLE public.booking;\n' >"$T_TMP/est.sql"
check "cp a file about a table never analyzed" cp "$T_TMP/est.sql" "$P/0006_est.sql"
eq "never analyzed: no estimate (rows are not counted)" \
"    hazard adding-not-nullable-field: statement 1 of 2 (line 1), booking
    hazard ban-drop-table: statement 2 of 2 (line 2), public.booking" \
	"$(section 0006_est.sql | sed 's/: [^:]*$//')"
# ANALYZE alone changes no catalog row's version: the comment makes the
# next refresh read a new snapshot.
sql app -c "ANALYZE public.booking" -c "COMMENT ON TABLE public.booking IS 'analyzed'" >/dev/null
est_shown() {
	test "$(section 0006_est.sql | sed 's/: [^:]*$//')" == \
"    hazard adding-not-nullable-field: statement 1 of 2 (line 1), booking (~1200 rows)
    hazard ban-drop-table: statement 2 of 2 (line 2), public.booking (~1200 rows)"
}
check "analyzed: the estimate on each hazard line, unqualified and qualified" poll 30 est_shown
check "rm the file" rm "$P/0006_est.sql"

umount_fs "$MNT"
done_testing
