#!/usr/bin/env bash
# 71_declarative: a whole table.sql, a schema's schema.sql or the
# database's schema.sql written stages the edits that make the database
# match it (loaded into the shadow database, read back and compared).
# Written back as read, it stages nothing; a column dropped and one added
# stay a drop and an add, with a hazard that names mv; cp of one database's
# schema.sql over another's stages the whole migration, and after it is
# applied diff -r of both schemas/ is empty. A file PostgreSQL refuses is
# EINVAL with its message and line, and the stage is unchanged byte for
# byte; one that contradicts staged edits is EBUSY. Views, functions and
# sequences are staged as their object files' writes would stage them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE prod" -c "CREATE DATABASE stg" -c "CREATE DATABASE sample" >/dev/null
sql prod >/dev/null <<'EOF'
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE TABLE public.customer (id integer PRIMARY KEY, name text NOT NULL);
COMMENT ON TABLE public.customer IS 'Who books';
CREATE TABLE public.booking (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES public.customer,
	nights integer, note text, m public.mood, CONSTRAINT booking_nights_check CHECK (nights > 0));
CREATE INDEX booking_nights_idx ON public.booking (nights);
CREATE TABLE public.legacy (id integer);
CREATE FUNCTION public.twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
CREATE SCHEMA attic;
CREATE TABLE attic.box (id integer);
CREATE VIEW attic.boxes AS SELECT id FROM attic.box;
INSERT INTO public.customer VALUES (1, 'Ann');
INSERT INTO public.booking VALUES (1, 1, 2, 'x', 'happy');
EOF
sql stg >/dev/null <<'EOF'
CREATE TYPE public.mood AS ENUM ('happy', 'meh', 'sad');
CREATE TABLE public.customer (id integer PRIMARY KEY, name text NOT NULL, email text);
COMMENT ON TABLE public.customer IS 'Who books, and how to reach them';
CREATE TABLE public.booking (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES public.customer,
	nights integer DEFAULT 1, m public.mood, memo text,
	CONSTRAINT booking_nights_check CHECK (nights > 0 AND nights < 100));
CREATE INDEX booking_nights_idx ON public.booking (nights, id);
CREATE UNIQUE INDEX booking_memo_key ON public.booking (memo);
CREATE TABLE public.invoice (id serial PRIMARY KEY, booking_id integer REFERENCES public.booking,
	total numeric(10,2) NOT NULL DEFAULT 0);
COMMENT ON TABLE public.invoice IS 'Money';
CREATE FUNCTION public.twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x * 3';
CREATE VIEW public.long_stay AS SELECT id, nights, public.twice(nights) AS doubled FROM public.booking WHERE nights > 5;
CREATE SEQUENCE public.ticket_no START 100 INCREMENT 5;
CREATE TYPE public.level AS ENUM ('low', 'high');
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id integer PRIMARY KEY, lvl public.level);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER booking_touch BEFORE UPDATE ON public.booking FOR EACH ROW EXECUTE FUNCTION public.touch();
COMMENT ON TRIGGER booking_touch ON public.booking IS 'kept up to date';
CREATE DOMAIN public.posint AS integer CONSTRAINT posint_check CHECK (VALUE > 0);
EOF
sql sample -f "$T_ROOT/tests/sql/tricky.sql" >/dev/null || not_ok "loading tricky.sql"
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "prod": { "conninfo": "dbname=prod" }, "stg": { "conninfo": "dbname=stg" },
                 "sample": { "conninfo": "dbname=sample" },
                 "noshadow": { "conninfo": "dbname=stg", "shadow": false } },
  "ttl": 1 }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
P=$MNT/prod
T=$P/schemas/public/tables
for d in prod stg sample; do
	check "status: $d's shadow is loaded" poll 60 grep -q "^shadow: ${d}_schemafs_shadow, loaded in" "$MNT/$d/migrations/status"
done
pending() { ls "$P/migrations/pending"; }
# Declarative files need the shadow as the database is now, not while it
# reloads after the schema changed (EOPNOTSUPP then): after DDL run here
# directly, tests wait for it.
shadow_ready() { grep -qE '^shadow: prod_schemafs_shadow, loaded in [0-9]+ ms$' "$P/migrations/status"; }
stage_state() { ls -l --time-style=+ "$P/migrations/pending"; cat "$P/migrations/pending"/* 2>/dev/null; }

# --- written back as read: nothing staged ---
# As is (the text the tree shows), and with a comment added: the same
# schema, loaded into the shadow and compared object by object.
for f in "$T/booking/table.sql" "$T/customer/table.sql" "$P/schemas/public/schema.sql" "$P/schema.sql"; do
	cp "$f" "$T_TMP/back.sql"
	check "write back ${f#$MNT/}" bash -c 'cat "$1" >"$2"' _ "$T_TMP/back.sql" "$f"
	eq "... stages nothing" "" "$(pending)"
	echo "-- written back" >>"$T_TMP/back.sql"
	check "write back ${f#$MNT/} with a comment added" bash -c 'cat "$1" >"$2"' _ "$T_TMP/back.sql" "$f"
	eq "... stages nothing" "" "$(pending)"
done
S=$MNT/sample
# Not its partitions' table.sql (their indexes are made by the parent's
# when they are created: the file's CREATE INDEX then finds the name
# taken) nor the schema.sql of "Mixed Case" (a view there uses a view of
# public that uses a table there: neither schema's file loads alone). The
# database's schema.sql covers them; both limits are in the README.
for f in "$S/schema.sql" "$S"/schemas/*/schema.sql "$S"/schemas/*/tables/*/table.sql; do
	case $f in */events_202?/table.sql|*"/Mixed Case/schema.sql") continue ;; esac
	cp "$f" "$T_TMP/back.sql"
	echo "-- written back" >>"$T_TMP/back.sql"
	if ! bash -c 'cat "$1" >"$2"' _ "$T_TMP/back.sql" "$f" 2>"$T_TMP/err"; then
		not_ok "tricky.sql: write back ${f#$MNT/}: $(cat "$T_TMP/err") $(grep 'last refused' "$S/migrations/status")"
	fi
done
eq "tricky.sql: every schema.sql and table.sql written back stages nothing" "" "$(ls "$S/migrations/pending")"

# --- a column added in table.sql: ADD COLUMN staged, applied ---
sed 's/^    note text,$/    note text,\n    extra text DEFAULT '"'x'"'::text,/' "$T/booking/table.sql" >"$T_TMP/add.sql"
check "the edited table.sql has the new column" grep -q "extra text" "$T_TMP/add.sql"
check "write table.sql with a new column" bash -c 'cat "$1" >"$2"' _ "$T_TMP/add.sql" "$T/booking/table.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
check "... ADD COLUMN extra" grep -qF "ALTER TABLE public.booking ADD COLUMN extra text DEFAULT 'x'::text;" "$P/migrations/pending/$gen"
eq "... and nothing else" "1" "$(grep -c 'ALTER\|CREATE\|DROP' "$P/migrations/pending/$gen")"
eq "the column file shows it" "text DEFAULT 'x'::text" "$(cat "$T/booking/columns/extra")"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
eq "the column exists" "x" "$(val prod "SELECT extra FROM public.booking")"
check "pending/ is empty again" poll 30 test -z "$(pending)"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- sed -i on table.sql (a temp file renamed over it) ---
check "sed -i on table.sql: NOT NULL dropped from customer.name" \
	sed -i 's/^    name text NOT NULL/    name text/' "$T/customer/table.sql"
eq "... staged as the column file shows it" "text" "$(cat "$T/customer/columns/name")"
rm -f "$P/migrations/pending"/*
eq "rm of the generated file discards it" "" "$(pending)"
# vim with its defaults: swap file, backup on write, the 4913 probe.
check "vim -es on schema.sql: customer.name NOT NULL dropped" vim -Nu NONE -i NONE -es -c 'set backup writebackup' \
	-c '%s/^    name text NOT NULL/    name text/' -c 'wq' "$P/schemas/public/schema.sql"
eq "... staged as the column file shows it" "text" "$(cat "$T/customer/columns/name")"
eq "... one migration" "1" "$(pending | wc -l)"
rm -f "$P/migrations/pending"/* "$P/schemas/public/schema.sql~"
eq "... no stray file beside schema.sql (swap, backup, 4913)" "erd.md schema.sql" \
	"$(ls -pA "$P/schemas/public" | grep -v / | tr '\n' ' ' | sed 's/ $//')"

# --- drop + add that looks like a rename: planned as such, hazard names mv ---
sed 's/^    note text,$/    remark text,/' "$T/booking/table.sql" >"$T_TMP/rename.sql"
check "write table.sql with note renamed to remark" bash -c 'cat "$1" >"$2"' _ "$T_TMP/rename.sql" "$T/booking/table.sql"
gen=$(pending)
check "DROP COLUMN note" grep -qF "ALTER TABLE public.booking DROP COLUMN note;" "$P/migrations/pending/$gen"
check "ADD COLUMN remark" grep -qF "ALTER TABLE public.booking ADD COLUMN remark text;" "$P/migrations/pending/$gen"
check "status: the drop's hazard names mv as the way to rename" \
	grep -qF "mv columns/note columns/remark" "$P/migrations/status"
rm -f "$P/migrations/pending"/*

# --- refusals: the stage unchanged byte for byte ---
check "stage a comment first" bash -c 'echo "Old rooms" >"$1"' _ "$T/legacy/comment"
before=$(stage_state)
printf 'CREATE TABLE public.booking (\n    id integer,\n    nights intger\n);\n' >"$T_TMP/bad.sql"
eq "a table.sql PostgreSQL refuses: EINVAL" "Invalid argument" \
	"$(errno_of bash -c 'cat "$1" >"$2"' _ "$T_TMP/bad.sql" "$T/booking/table.sql")"
check "status: PostgreSQL's message, the statement and the line" \
	grep -qF 'statement 1 of 1 (line 3): type "intger" does not exist' "$P/migrations/status"
eq "... the stage is unchanged" "$before" "$(stage_state)"
printf 'CREATE TABLE public.booking (id integer PRIMARY KEY;\n' >"$T_TMP/syntax.sql"
eq "a syntax error: EINVAL" "Invalid argument" \
	"$(errno_of bash -c 'cat "$1" >"$2"' _ "$T_TMP/syntax.sql" "$T/booking/table.sql")"
eq "... the stage is unchanged" "$before" "$(stage_state)"
printf 'CREATE TABLE public.legacy (id integer);\n' >"$T_TMP/conflict.sql"
eq "a table.sql contradicting the staged comment: EBUSY" "Device or resource busy" \
	"$(errno_of bash -c 'cat "$1" >"$2"' _ "$T_TMP/conflict.sql" "$T/legacy/table.sql")"
check "status: the conflicting staged edits are named" \
	grep -qF "contradicts staged edits of table public.legacy (staged: comment)" "$P/migrations/status"
eq "... the stage is unchanged" "$before" "$(stage_state)"
printf "CREATE TABLE public.legacy (id integer);\nCOMMENT ON TABLE public.legacy IS 'Old rooms';\n" >"$T_TMP/agree.sql"
check "a table.sql that agrees with the staged edit is taken" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/agree.sql" "$T/legacy/table.sql"
eq "... the stage is unchanged" "$before" "$(stage_state)"
printf 'CREATE VIEW public.v AS SELECT 1 AS one;\n' >>"$T_TMP/agree.sql"
cp "$P/schemas/public/schema.sql" "$T_TMP/colcomment.sql"
printf "ALTER TABLE public.customer SET (fillfactor = 50);\n" >>"$T_TMP/colcomment.sql"
eq "a schema.sql with a table's storage option changed: EPERM" "Operation not permitted" \
	"$(errno_of bash -c 'cat "$1" >"$2"' _ "$T_TMP/colcomment.sql" "$P/schemas/public/schema.sql")"
check "status: the table is named" grep -qF "table options differ: public.customer (" "$P/migrations/status"
eq "... the stage is unchanged" "$before" "$(stage_state)"
# A view PostgreSQL cannot replace (a column's type changed) that another
# view uses: the view using it is dropped and created again around it.
sql prod -c "CREATE VIEW public.v AS SELECT 2 AS two" -c "CREATE VIEW public.w AS SELECT two FROM public.v" >/dev/null
check "views made live meanwhile show up" poll 30 test -f "$P/schemas/public/views/w.sql"
check "... and in schema.sql" poll 30 grep -q "CREATE VIEW public.w" "$P/schemas/public/schema.sql"
check "... and the shadow has reloaded" poll 60 shadow_ready
sed 's/SELECT 2 AS two;/SELECT (2)::bigint AS two;/' "$P/schemas/public/schema.sql" >"$T_TMP/badview.sql"
check "the edited schema.sql changes v's column type" grep -qF "(2)::bigint AS two" "$T_TMP/badview.sql"
check "a view that must be dropped and created again, which a view uses: staged" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/badview.sql" "$P/schemas/public/schema.sql"
check "... w is dropped and created again around v, with a hazard" \
	grep -qF -- "-- HAZARD: view public.w is dropped and re-created (it uses view public.v)" <(cat "$P/migrations/pending"/*)
check "... discarded" rm -f "$P/migrations/pending"/*
sql prod -c "DROP VIEW public.w, public.v" >/dev/null
check "... the views are gone again" poll 30 test ! -e "$P/schemas/public/views/v.sql"
check "... and the shadow has reloaded" poll 60 shadow_ready
cp "$MNT/noshadow/schema.sql" "$T_TMP/noshadow.sql"
echo "-- written back" >>"$T_TMP/noshadow.sql"
eq "without a shadow: EOPNOTSUPP" "Operation not supported" \
	"$(errno_of bash -c 'cat "$1" >"$2"' _ "$T_TMP/noshadow.sql" "$MNT/noshadow/schema.sql")"
check "status: declarative files need the shadow database" \
	grep -qF "declarative files need the shadow database" "$MNT/noshadow/migrations/status"
rm -f "$P/migrations/pending"/*

# --- a schema.sql with a new view and a function's new body ---
# Staged as views/nights.sql and functions/twice(x integer).sql written would
# be: CREATE VIEW, CREATE OR REPLACE FUNCTION, as PostgreSQL renders them.
cp "$P/schemas/public/schema.sql" "$T_TMP/objs.sql"
sed -i 's/x \* 2/x * 4/' "$T_TMP/objs.sql"
printf 'CREATE VIEW public.nights AS SELECT id, public.twice(nights) AS n FROM public.booking;\n' >>"$T_TMP/objs.sql"
check "the edited schema.sql has the new body" grep -qF 'x * 4' "$T_TMP/objs.sql"
check "write schema.sql with a new view and a function changed" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/objs.sql" "$P/schemas/public/schema.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
check "... CREATE OR REPLACE FUNCTION" grep -qF "CREATE OR REPLACE FUNCTION public.twice(x integer)" \
	"$P/migrations/pending/$gen"
check "... CREATE VIEW" grep -qF "CREATE VIEW public.nights AS" "$P/migrations/pending/$gen"
eq "... and nothing else" "2" "$(grep -c '^CREATE\|^ALTER\|^DROP' "$P/migrations/pending/$gen")"
check "the view's file shows it" grep -qE "twice\((booking\.)?nights\) AS n" "$P/schemas/public/views/nights.sql"
check "the function's file shows the new body" grep -qF 'x * 4' "$P/schemas/public/functions/twice(x integer).sql"
check "written back as the tree shows it: nothing more" \
	bash -c 'cp "$1" "$2" && cat "$2" >"$1"' _ "$P/schemas/public/schema.sql" "$T_TMP/again.sql"
eq "... still one migration" "$gen" "$(pending)"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
eq "the function has its new body" "4" "$(val prod "SELECT public.twice(1)")"
eq "the view exists" "1" "$(val prod "SELECT count(*) FROM public.nights")"
check "pending/ is empty again" poll 30 test -z "$(pending)"

# --- a column into another enum: USING through text, its default dropped first ---
# PostgreSQL has no cast into an enum but through its text, and the
# column's default (of the old type) would not cast either: dropped before
# the ALTER COLUMN ... TYPE, set again after.
sql prod -c "CREATE TYPE public.state AS ENUM ('new', 'old')" \
	-c "CREATE TYPE public.state2 AS ENUM ('new', 'old', 'gone')" \
	-c "CREATE TABLE public.ticket (id integer, s public.state DEFAULT 'new'::public.state, t public.state)" \
	-c "INSERT INTO public.ticket VALUES (1, 'old', 'new')" >/dev/null
check "the new table shows up" poll 30 test -f "$T/ticket/table.sql"
check "the shadow has reloaded" poll 60 shadow_ready
sed -E 's/([ :])state([ ,;]|$)/\1state2\2/g' "$T/ticket/table.sql" >"$T_TMP/enum.sql"
check "the edited table.sql has the other enum" grep -qF "s state2 DEFAULT 'new'::state2" "$T_TMP/enum.sql"
check "write table.sql with both columns of another enum" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/enum.sql" "$T/ticket/table.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
eq "... the default dropped, the type changed through text, the default set again" \
	"ALTER TABLE public.ticket ALTER COLUMN s DROP DEFAULT;
ALTER TABLE public.ticket ALTER COLUMN s TYPE state2 USING s::text::state2;
ALTER TABLE public.ticket ALTER COLUMN s SET DEFAULT 'new'::state2;
ALTER TABLE public.ticket ALTER COLUMN t TYPE state2 USING t::text::state2;" \
	"$(grep '^ALTER\|^CREATE\|^DROP' "$P/migrations/pending/$gen")"
check "... with the rewrite hazard" grep -qF "ALTER COLUMN ticket.s TYPE state2 rewrites the table" \
	"$P/migrations/pending/$gen"
check "mv it to apply/ (its dry run passes)" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the rows keep their values, in the new type, with the default" "old new state2 state2 'new'::state2" \
	"$(val prod "SELECT s || ' ' || t || ' ' || pg_typeof(s) || ' ' || pg_typeof(t) || ' ' ||
		pg_get_expr(adbin, adrelid) FROM public.ticket, pg_attrdef
		WHERE adrelid = 'public.ticket'::regclass")"
# One transaction: with two, the refresher can read the first commit alone,
# the shadow load that schema, the poll below see it ready, and the next
# write meet the reload for the second (CI, [pg18]: EOPNOTSUPP, "the
# shadow database is still loading").
sql prod -c "DROP TABLE public.ticket; DROP TYPE public.state, public.state2" >/dev/null
check "... the table is gone again" poll 30 test ! -e "$T/ticket"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- row level security: ENABLE / FORCE and back, staged as table options ---
cp "$T/customer/table.sql" "$T_TMP/rls.sql"
printf 'ALTER TABLE public.customer ENABLE ROW LEVEL SECURITY;\nALTER TABLE public.customer FORCE ROW LEVEL SECURITY;\n' \
	>>"$T_TMP/rls.sql"
check "write table.sql with row level security enabled and forced" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/rls.sql" "$T/customer/table.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
eq "... ENABLE and FORCE ROW LEVEL SECURITY, nothing else" \
	"ALTER TABLE public.customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customer FORCE ROW LEVEL SECURITY;" \
	"$(grep '^ALTER\|^CREATE\|^DROP' "$P/migrations/pending/$gen")"
check "the desired table.sql shows them as the read side renders them" \
	grep -qxF "ALTER TABLE public.customer FORCE ROW LEVEL SECURITY;" "$T/customer/table.sql"
check "written back as the tree shows it: nothing more" \
	bash -c 'cp "$1" "$2" && cat "$2" >"$1"' _ "$T/customer/table.sql" "$T_TMP/again.sql"
eq "... still one migration" "$gen" "$(pending)"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "row level security is on and forced" "t t" \
	"$(val prod "SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = 'public.customer'::regclass" | sed 's/true/t/g')"
check "the shadow has reloaded" poll 60 shadow_ready
check "write the table.sql without them: DISABLE, NO FORCE" \
	bash -c 'grep -v "ROW LEVEL SECURITY" "$1" >"$2" && cat "$2" >"$1"' _ "$T/customer/table.sql" "$T_TMP/norls.sql"
gen=$(pending)
eq "... staged" "ALTER TABLE public.customer DISABLE ROW LEVEL SECURITY;
ALTER TABLE public.customer NO FORCE ROW LEVEL SECURITY;" \
	"$(grep '^ALTER\|^CREATE\|^DROP' "$P/migrations/pending/$gen" 2>/dev/null)"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "row level security is off" "f f" \
	"$(val prod "SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = 'public.customer'::regclass" | sed 's/false/f/g')"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- UNLOGGED, and a view dropped and created again around a column drop ---
# SET UNLOGGED with its hazard; the view that uses the dropped column is
# dropped before the column, created again after.
sql prod -c "ALTER TABLE public.legacy ADD COLUMN old integer" \
	-c "CREATE VIEW public.legacy_v AS SELECT id, old FROM public.legacy" >/dev/null
check "the view shows up" poll 30 test -f "$P/schemas/public/views/legacy_v.sql"
check "the shadow has reloaded" poll 60 shadow_ready
cp "$P/schemas/public/schema.sql" "$T_TMP/unlogged.sql"
cat >>"$T_TMP/unlogged.sql" <<'EOF2'
DROP VIEW public.legacy_v;
ALTER TABLE public.legacy DROP COLUMN old;
ALTER TABLE public.legacy SET UNLOGGED;
CREATE VIEW public.legacy_v AS SELECT id FROM public.legacy;
EOF2
check "write schema.sql: legacy unlogged without old, legacy_v without it" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/unlogged.sql" "$P/schemas/public/schema.sql"
gen=$(pending)
f=$P/migrations/pending/$gen
check "a migration is staged" test -n "$gen"
check "... SET UNLOGGED" grep -qxF "ALTER TABLE public.legacy SET UNLOGGED;" "$f"
check "... with its hazard" grep -qF "ALTER TABLE legacy SET UNLOGGED rewrites the table under an ACCESS EXCLUSIVE lock; an unlogged table loses its rows after a crash" "$f"
line() { grep -nF "$1" "$f" | head -n 1 | cut -d: -f1; }
check "... the view dropped before the column, created again after" \
	test "$(line 'DROP VIEW public.legacy_v;')" -lt "$(line 'DROP COLUMN old;')" -a \
	"$(line 'DROP COLUMN old;')" -lt "$(line 'CREATE VIEW public.legacy_v')"
check "mv it to apply/ (its dry run passes)" mv "$f" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "legacy is unlogged, the view has one column" "u 1" \
	"$(val prod "SELECT relpersistence::text || ' ' || (SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'legacy_v') FROM pg_class WHERE oid = 'public.legacy'::regclass")"
check "the shadow has reloaded" poll 60 shadow_ready
check "write it back LOGGED" bash -c 'sed "s/^CREATE UNLOGGED TABLE public.legacy /CREATE TABLE public.legacy /" "$1" >"$2" &&
	cat "$2" >"$1"' _ "$T/legacy/table.sql" "$T_TMP/logged.sql"
gen=$(pending)
eq "... SET LOGGED staged, alone" "ALTER TABLE public.legacy SET LOGGED;" \
	"$(grep '^ALTER\|^CREATE\|^DROP' "$P/migrations/pending/$gen" 2>/dev/null)"
check "... with its hazard" grep -qF "SET LOGGED rewrites the table under an ACCESS EXCLUSIVE lock and writes all of it to the WAL" \
	"$P/migrations/pending/$gen"
rm -f "$P/migrations/pending"/*
sql prod -c "DROP VIEW public.legacy_v" >/dev/null
check "... the view is gone again" poll 30 test ! -e "$P/schemas/public/views/legacy_v.sql"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- comments of a column, an index, a constraint: COMMENT ON ---
cp "$P/schemas/public/schema.sql" "$T_TMP/comments.sql"
cat >>"$T_TMP/comments.sql" <<'EOF2'
COMMENT ON COLUMN public.booking.note IS 'why';
COMMENT ON INDEX public.booking_nights_idx IS 'by length';
COMMENT ON CONSTRAINT booking_nights_check ON public.booking IS 'positive';
EOF2
check "write schema.sql with comments on a column, an index, a constraint" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/comments.sql" "$P/schemas/public/schema.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
eq "... COMMENT ON each, nothing else" "COMMENT ON COLUMN public.booking.note IS 'why';
COMMENT ON CONSTRAINT booking_nights_check ON public.booking IS 'positive';
COMMENT ON INDEX public.booking_nights_idx IS 'by length';" \
	"$(grep '^ALTER\|^CREATE\|^DROP\|^COMMENT' "$P/migrations/pending/$gen" | LC_ALL=C sort)"
check "the desired table.sql shows the column's" grep -qxF "COMMENT ON COLUMN public.booking.note IS 'why';" \
	"$T/booking/table.sql"
check "written back as the tree shows it: nothing more" \
	bash -c 'cp "$1" "$2" && cat "$2" >"$1"' _ "$T/booking/table.sql" "$T_TMP/again.sql"
eq "... still one migration" "$gen" "$(pending)"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the comments are live" "why|by length|positive" \
	"$(val prod "SELECT col_description('public.booking'::regclass, 4) || '|' ||
		obj_description('public.booking_nights_idx'::regclass, 'pg_class') || '|' ||
		(SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conname = 'booking_nights_check')")"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- a domain changed in place: as its types/ file's write (ALTER DOMAIN) ---
sql prod -c "CREATE DOMAIN public.rating AS integer CONSTRAINT rating_check CHECK (VALUE >= 1 AND VALUE <= 5)" >/dev/null
check "the domain shows up" poll 30 test -f "$P/schemas/public/types/rating.sql"
check "the shadow has reloaded" poll 60 shadow_ready
cp "$P/schemas/public/schema.sql" "$T_TMP/domain.sql"
cat >>"$T_TMP/domain.sql" <<'EOF2'
DROP DOMAIN public.rating;
CREATE DOMAIN public.rating AS integer DEFAULT 3 CONSTRAINT rating_check CHECK (VALUE >= 1 AND VALUE <= 10);
EOF2
check "write schema.sql with the domain's default and check changed" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/domain.sql" "$P/schemas/public/schema.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
eq "... ALTER DOMAIN: SET DEFAULT, the check dropped, added NOT VALID, validated" \
	"ALTER DOMAIN public.rating ADD CONSTRAINT rating_check CHECK (((VALUE >= 1) AND (VALUE <= 10))) NOT VALID;
ALTER DOMAIN public.rating DROP CONSTRAINT rating_check;
ALTER DOMAIN public.rating SET DEFAULT 3;
ALTER DOMAIN public.rating VALIDATE CONSTRAINT rating_check;" \
	"$(grep '^ALTER\|^CREATE\|^DROP' "$P/migrations/pending/$gen" | LC_ALL=C sort)"
check "types/rating.sql shows the new default" grep -qF "DEFAULT 3" "$P/schemas/public/types/rating.sql"
cp "$P/migrations/pending/$gen" "$T_TMP/declared.sql"
cp "$P/schemas/public/types/rating.sql" "$T_TMP/rating.sql"
rm -f "$P/migrations/pending"/*
check "the same domain written to types/rating.sql" bash -c 'cat "$1" >"$2"' _ "$T_TMP/rating.sql" \
	"$P/schemas/public/types/rating.sql"
eq "... stages the same migration" "$(grep -v '^--' "$T_TMP/declared.sql")" \
	"$(grep -v '^--' "$P/migrations/pending/$(pending)" 2>/dev/null)"
check "mv it to apply/" mv "$P/migrations/pending/$(pending)" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the domain has its default" "3" "$(val prod "SELECT typdefault FROM pg_type WHERE typname = 'rating'")"
sql prod -c "DROP DOMAIN public.rating" >/dev/null
check "... the domain is gone again" poll 30 test ! -e "$P/schemas/public/types/rating.sql"
check "... and the shadow has reloaded" poll 60 shadow_ready
# A composite likewise: ALTER TYPE ... ADD ATTRIBUTE, as its file's write.
sql prod -c "CREATE TYPE public.pair AS (a integer, b text)" >/dev/null
check "the composite shows up" poll 30 test -f "$P/schemas/public/types/pair.sql"
check "the shadow has reloaded" poll 60 shadow_ready
cp "$P/schemas/public/schema.sql" "$T_TMP/pair.sql"
printf 'DROP TYPE public.pair;\nCREATE TYPE public.pair AS (a integer, b text, c date);\n' >>"$T_TMP/pair.sql"
check "write schema.sql with an attribute added to the composite" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/pair.sql" "$P/schemas/public/schema.sql"
gen=$(pending)
check "... ADD ATTRIBUTE staged" grep -qF "ADD ATTRIBUTE c date" "$P/migrations/pending/$gen"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the composite has three attributes" "3" \
	"$(val prod "SELECT count(*) FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE typname = 'pair')")"
sql prod -c "DROP TYPE public.pair" >/dev/null
check "... the composite is gone again" poll 30 test ! -e "$P/schemas/public/types/pair.sql"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- a new table without columns: created (not taken for a mkdir draft) ---
cp "$P/schemas/public/schema.sql" "$T_TMP/bare.sql"
echo "CREATE TABLE public.bare ();" >>"$T_TMP/bare.sql"
check "write schema.sql with a table without columns" bash -c 'cat "$1" >"$2"' _ "$T_TMP/bare.sql" \
	"$P/schemas/public/schema.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
check "... CREATE TABLE public.bare" grep -qx "CREATE TABLE public.bare (" "$P/migrations/pending/$gen"
check "mv it to apply/" mv "$P/migrations/pending/$gen" "$P/migrations/apply/"
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the table exists, without columns" "0" "$(val prod "SELECT relnatts FROM pg_class WHERE oid = 'public.bare'::regclass")"
sql prod -c "DROP TABLE public.bare" >/dev/null
check "... the table is gone again" poll 30 test ! -e "$T/bare"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- a serial column made a plain integer: its sequence dropped after the default ---
# The sequence is owned by the column, which the file keeps: the column's
# DROP DEFAULT first (the default uses the sequence), then DROP SEQUENCE.
sql prod -c "CREATE TABLE public.counter (id serial, n integer)" >/dev/null
check "the serial table shows up" poll 30 test -f "$T/counter/table.sql"
check "the shadow has reloaded" poll 60 shadow_ready
cp "$P/schemas/public/schema.sql" "$T_TMP/unserial.sql"
printf 'ALTER TABLE public.counter ALTER COLUMN id DROP DEFAULT;\nDROP SEQUENCE public.counter_id_seq;\n' \
	>>"$T_TMP/unserial.sql"
check "write schema.sql: counter.id a plain integer, its sequence gone" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/unserial.sql" "$P/schemas/public/schema.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
eq "... DROP DEFAULT, then DROP SEQUENCE" "ALTER TABLE public.counter ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE public.counter_id_seq;" "$(cat "$P/migrations/pending"/* 2>/dev/null | grep '^ALTER\|^CREATE\|^DROP')"
check "... with a hazard for the sequence" grep -qF \
	"DROP SEQUENCE public.counter_id_seq: column public.counter.id no longer takes its default from it" \
	-r "$P/migrations/pending"
for f in $(pending); do
	check "$f applies (its dry run passes)" mv "$P/migrations/pending/$f" "$P/migrations/apply/"
done
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the sequence is gone, the column has no default" "0 0" \
	"$(val prod "SELECT (SELECT count(*) FROM pg_class WHERE relname = 'counter_id_seq') || ' ' ||
		(SELECT count(*) FROM pg_attrdef WHERE adrelid = 'public.counter'::regclass)")"
sql prod -c "DROP TABLE public.counter" >/dev/null
check "... the table is gone again" poll 30 test ! -e "$T/counter"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- comments of schemas, types, domains, extensions: COMMENT ON staged ---
# As mkdir, types/ and extensions/ files' COMMENT lines stage them.
sql prod -c "CREATE SCHEMA notes" -c "CREATE TYPE public.size AS ENUM ('s', 'l')" \
	-c "CREATE DOMAIN public.pos AS integer CHECK (VALUE > 0)" \
	-c "CREATE TYPE public.span AS RANGE (subtype = integer)" -c "CREATE EXTENSION pg_trgm" >/dev/null
check "the new objects show up" poll 30 test -d "$P/schemas/notes" -a -f "$P/extensions/pg_trgm.sql"
check "the shadow has reloaded" poll 60 shadow_ready
cp "$P/schema.sql" "$T_TMP/comments.sql"
cat >>"$T_TMP/comments.sql" <<'EOF2'
COMMENT ON SCHEMA notes IS 'scratch';
COMMENT ON TYPE public.size IS 'shirt sizes';
COMMENT ON DOMAIN public.pos IS 'positive';
COMMENT ON TYPE public.span IS 'a span';
COMMENT ON EXTENSION pg_trgm IS 'trigram search';
CREATE SCHEMA fresh;
COMMENT ON SCHEMA fresh IS 'new';
EOF2
check "write the database's schema.sql with the comments" \
	bash -c 'cat "$1" >"$2"' _ "$T_TMP/comments.sql" "$P/schema.sql"
check "a migration is staged" test -n "$(pending)"
stmts() { cat "$P/migrations/pending"/* 2>/dev/null | grep '^ALTER\|^CREATE\|^DROP\|^COMMENT' | sort; }
eq "... COMMENT ON each, the new schema created" "COMMENT ON DOMAIN public.pos IS 'positive';
COMMENT ON EXTENSION pg_trgm IS 'trigram search';
COMMENT ON SCHEMA fresh IS 'new';
COMMENT ON SCHEMA notes IS 'scratch';
COMMENT ON TYPE public.size IS 'shirt sizes';
COMMENT ON TYPE public.span IS 'a span';
CREATE SCHEMA fresh;" "$(stmts)"
gen=$(pending)
check "written back as the tree shows it: nothing more" \
	bash -c 'cp "$1" "$2" && cat "$2" >"$1"' _ "$P/schema.sql" "$T_TMP/again.sql"
eq "... the same migrations" "$gen" "$(pending)"
for f in $gen; do
	check "$f applies (its dry run passes)" mv "$P/migrations/pending/$f" "$P/migrations/apply/"
done
check "pending/ is empty again" poll 30 test -z "$(pending)"
eq "the comments are live" "scratch|new|shirt sizes|positive|a span|trigram search" \
	"$(val prod "SELECT obj_description('notes'::regnamespace, 'pg_namespace') || '|' ||
		obj_description('fresh'::regnamespace, 'pg_namespace') || '|' ||
		obj_description('public.size'::regtype, 'pg_type') || '|' ||
		obj_description('public.pos'::regtype, 'pg_type') || '|' ||
		obj_description('public.span'::regtype, 'pg_type') || '|' ||
		obj_description((SELECT oid FROM pg_extension WHERE extname = 'pg_trgm'), 'pg_extension')")"
sql prod -c "DROP SCHEMA notes, fresh" -c "DROP TYPE public.size, public.span" -c "DROP DOMAIN public.pos" \
	-c "DROP EXTENSION pg_trgm" >/dev/null
check "... they are gone again" poll 30 test ! -e "$P/schemas/notes" -a ! -e "$P/extensions/pg_trgm.sql"
check "... and the shadow has reloaded" poll 60 shadow_ready

# --- the headline: promote staging to production with cp ---
check "cp stg's schema.sql over prod's" cp "$MNT/stg/schema.sql" "$P/schema.sql"
gen=$(pending)
check "a migration is staged" test -n "$gen"
check "status: the drop of note names mv" grep -qF "mv columns/note columns/memo" "$P/migrations/status"
for f in $gen; do
	check "$f applies" mv "$P/migrations/pending/$f" "$P/migrations/apply/"
done
check "pending/ is empty" poll 30 test -z "$(pending)"
check "prod's tree has caught up" poll 30 test -d "$T/invoice"
eq "the view, the function's body, the sequence, the enum and the domain are live" "1 1 1 1 1" \
	"$(val prod "SELECT (SELECT count(*) FROM pg_views WHERE viewname = 'long_stay') || ' ' ||
		(SELECT count(*) FROM pg_proc WHERE proname = 'twice' AND prosrc = 'SELECT x * 3') || ' ' ||
		(SELECT count(*) FROM pg_sequences WHERE sequencename = 'ticket_no' AND increment_by = 5) || ' ' ||
		(SELECT count(*) FROM pg_type WHERE typname = 'level') || ' ' ||
		(SELECT count(*) FROM pg_type WHERE typname = 'posint')")"
eq "the trigger and its comment are live" "kept up to date" \
	"$(val prod "SELECT obj_description(oid, 'pg_trigger') FROM pg_trigger WHERE tgname = 'booking_touch'")"
eq "schema sales is created, attic dropped" "1 0" \
	"$(val prod "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'sales') || ' ' ||
		(SELECT count(*) FROM pg_namespace WHERE nspname = 'attic')")"
check "diff -r of both mounts' schemas/ is empty" diff -r "$MNT/stg/schemas" "$P/schemas"

umount_fs "$MNT"
done_testing
