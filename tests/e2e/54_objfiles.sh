#!/usr/bin/env bash
# 54_objfiles: view, materialized view and function files are writable
# (issue 14, item 1). A write is validated by PostgreSQL in a rolled-back
# transaction, read back as the read side renders it, and staged by
# identity: CREATE OR REPLACE when the server takes it, else DROP + CREATE
# with a hazard, its dependent views dropped before and created again
# after (EBUSY when one cannot be, or for what cannot be created again the
# same way). A new file creates the object, rm drops it, mv renames it
# (ALTER ... RENAME TO / SET SCHEMA); a file that creates another object
# than it names is EINVAL. Refusals stage nothing.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TABLE public.booking (id int PRIMARY KEY, nights int, note text);
CREATE VIEW public.long_stays AS SELECT id, nights FROM public.booking WHERE nights > 7;
CREATE VIEW public.base AS SELECT id, note FROM public.booking;
CREATE VIEW public.on_base AS SELECT id FROM public.base;
CREATE MATERIALIZED VIEW public.totals AS SELECT count(*) AS n FROM public.booking;
COMMENT ON VIEW public.long_stays IS 'Stays over a week';
CREATE FUNCTION public.twice(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x * 2';
CREATE FUNCTION public.unused() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER booking_touch BEFORE UPDATE ON public.booking FOR EACH ROW EXECUTE FUNCTION public.touch();
ALTER TABLE public.booking ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.booking FOR SELECT USING (id > 0);
CREATE TABLE public.elsewhere (id int);
CREATE SEQUENCE public.counter;
CREATE TABLE public.ticket (id serial, n int);
CREATE SEQUENCE public.used;
CREATE TABLE public.numbered (n bigint DEFAULT nextval('public.used'));
CREATE FUNCTION public.label(x integer) RETURNS text LANGUAGE sql AS 'SELECT x::text';
CREATE VIEW public.labels AS SELECT public.label(id) AS l FROM public.booking;
CREATE FUNCTION public.stamp() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE TABLE public.stamped (n bigint DEFAULT public.stamp());
CREATE FUNCTION public.positive(x bigint) RETURNS boolean IMMUTABLE LANGUAGE sql AS 'SELECT x > 0';
ALTER TABLE public.stamped ADD CONSTRAINT stamped_pos CHECK (public.positive(n));
CREATE SCHEMA other;
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=app || { not_ok "mount"; done_testing; }
D=$MNT/app
M=$D/migrations
V=$D/schemas/public/views
F=$D/schemas/public/functions
apply_all() { for f in $(ls "$M/pending"); do mv "$M/pending/$f" "$M/apply/" || return 1; done; }
pending() { cat "$M"/pending/*.sql 2>/dev/null; }

# --- the check runs on the shadow database: production takes no lock ---
check "the shadow is loaded" poll 60 grep -qE '^shadow: app_schemafs_shadow, loaded in [0-9]+ ms$' "$M/status"
PGAPPNAME=objs_locker psql -X -q -d app -c "BEGIN" -c "LOCK TABLE public.base IN ACCESS SHARE MODE" -c "SELECT pg_sleep(120)" \
	>/dev/null 2>&1 &
locker=$!
base_locked() { [ "$(val app "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'objs_locker' AND l.relation = 'public.base'::regclass AND l.granted")" = 1 ]; }
check "... a session reading view base holds its ACCESS SHARE lock" poll 30 base_locked
check "a view write is checked meanwhile (on the shadow)" sed -i 's/FROM booking;/FROM booking WHERE id > 0;/' "$V/base.sql"
check "... CREATE OR REPLACE VIEW is staged" grep -q 'CREATE OR REPLACE VIEW public.base' <(pending)
val app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'objs_locker'" >/dev/null
wait $locker
check "... discarded" rm "$M"/pending/*.sql
eq "... nothing pending" "" "$(ls "$M/pending")"

# --- a view: sed -i stages CREATE OR REPLACE VIEW, which applies ---
check "sed -i on a view file" sed -i 's/nights > 7/nights > 10/' "$V/long_stays.sql"
check "... CREATE OR REPLACE VIEW is staged" grep -q 'CREATE OR REPLACE VIEW public.long_stays' <(pending)
check "... the file shows the new definition" grep -q 'nights > 10' "$V/long_stays.sql"
check "... the pending migration applies" apply_all
check "... the view's definition is what was written" \
	grep -q '> 10' <<<"$(val app "SELECT pg_get_viewdef('public.long_stays'::regclass)")"
eq "... nothing pending after" "" "$(ls "$M/pending")"
check "sed -i removing the view's comment" sed -i '/^COMMENT ON VIEW/d' "$V/long_stays.sql"
check "... COMMENT ... IS NULL is staged (CREATE OR REPLACE keeps a comment)" grep -q 'COMMENT ON VIEW public.long_stays IS NULL;' <(pending)
check "... it applies" apply_all
eq "... the comment is gone" "" "$(val app "SELECT obj_description('public.long_stays'::regclass, 'pg_class')")"
eq "... nothing pending after" "" "$(ls "$M/pending")"
cp "$V/long_stays.sql" "$T_TMP/ls.sql"
check "writing it back unchanged" cp "$T_TMP/ls.sql" "$V/long_stays.sql"
eq "... stages nothing" "" "$(ls "$M/pending")"

# --- a column rename needs DROP + CREATE, with a hazard line ---
check "sed -i renaming a view's column" sed -i 's/SELECT \(booking\.\)\?id,/SELECT \1id AS booking_id,/' "$V/long_stays.sql"
check "... DROP VIEW is staged" grep -q 'DROP VIEW public.long_stays;' <(pending)
check "... then CREATE VIEW" grep -q '^CREATE VIEW public.long_stays' <(pending)
check "... with a hazard line" grep -q '^-- HAZARD: view public.long_stays is dropped and created again' <(pending)
check "... it applies" apply_all
eq "... the column is renamed" "booking_id" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.long_stays'::regclass AND attnum = 1")"

# --- new view file; rm ---
printf 'CREATE VIEW public.notes AS SELECT note FROM public.booking;\n' >"$T_TMP/notes.sql"
check "cp of a new view file" cp "$T_TMP/notes.sql" "$V/notes.sql"
check "... CREATE VIEW is staged" grep -q 'CREATE VIEW public.notes' <(pending)
check "... the file is listed" test -f "$V/notes.sql"
check "... it applies" apply_all
eq "... the view exists" "1" "$(val app "SELECT count(*) FROM pg_views WHERE viewname = 'notes'")"
check "rm of a view file" rm "$V/notes.sql"
check "... DROP VIEW is staged" grep -q 'DROP VIEW public.notes;' <(pending)
check "... the file is gone from the tree" test ! -e "$V/notes.sql"
check "... it applies" apply_all
eq "... the view is gone" "0" "$(val app "SELECT count(*) FROM pg_views WHERE viewname = 'notes'")"

# --- refusals: nothing staged ---
eq "rm of a view another view uses: EBUSY" "Device or resource busy" "$(errno_of rm "$V/base.sql")"
check "... status names the dependent" grep -q 'view on_base depends on view public.base' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"
check "... the file is still there" test -f "$V/base.sql"

# --- DROP + CREATE under a dependent view: the dependent is re-created ---
cp "$V/on_base.sql" "$T_TMP/on_base.before"
check "sed -i renaming a column of base that on_base does not use" \
	sed -i 's/\(booking\.\)\?note$/\1note AS memo/' "$V/base.sql"
check "... DROP VIEW public.base, then CREATE VIEW" grep -q '^DROP VIEW public.base;' <(pending)
check "... a hazard line names the dependent" \
	grep -qx -- '-- HAZARD: view public.on_base is dropped and re-created (it uses view public.base)' <(pending)
ob_drop=$(pending | grep -n '^DROP VIEW public.on_base;' | cut -d: -f1)
b_drop=$(pending | grep -n '^DROP VIEW public.base;' | cut -d: -f1)
b_create=$(pending | grep -n '^CREATE VIEW public.base ' | cut -d: -f1)
ob_create=$(pending | grep -n '^CREATE VIEW public.on_base ' | cut -d: -f1)
check "... on_base dropped first, created last ($ob_drop<$b_drop<$b_create<$ob_create)" \
	test -n "$ob_drop" -a -n "$ob_create" -a "${ob_drop:-0}" -lt "${b_drop:-0}" -a "${b_drop:-0}" -lt "${b_create:-0}" \
	-a "${b_create:-0}" -lt "${ob_create:-0}"
check "... the desired tree still shows on_base, as it was" cmp -s "$T_TMP/on_base.before" "$V/on_base.sql"
check "... the dry run on the shadow passes" poll 60 grep -q 'dry run: passes' "$M/status"
check "... it applies" apply_all
eq "... base's column is renamed" "memo" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.base'::regclass AND attnum = 2")"
eq "... on_base exists again" "1" "$(val app "SELECT count(*) FROM pg_views WHERE viewname = 'on_base'")"
eq "... nothing pending after" "" "$(ls "$M/pending")"
eq "a change of base that on_base cannot be created again on: EBUSY" "Device or resource busy" \
	"$(errno_of sed -i 's/SELECT \(booking\.\)\?id,/SELECT \1id AS ident,/' "$V/base.sql")"
check "... status has PostgreSQL's reason" \
	grep -qE 'view public.on_base cannot be created again after the change: column (base\.id|"id") does not exist' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"
eq "... base is unchanged" "id" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.base'::regclass AND attnum = 1")"
printf 'CREATE TABLE public.oops (id int);\n' >"$T_TMP/table.sql"
eq "a view file holding CREATE TABLE: EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/table.sql" "$V/oops.sql")"
check "... status says why" grep -q 'this one holds CREATE TABLE' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"
printf 'CREATE VIEW public.other AS SELECT 1;\n' >"$T_TMP/other.sql"
eq "a view file creating another view: EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/other.sql" "$V/mine.sql")"
eq "... nothing staged" "" "$(ls "$M/pending")"
printf 'CREATE VIEW public.bad AS SELECT nosuch FROM public.booking;\n' >"$T_TMP/bad.sql"
eq "a view PostgreSQL refuses: EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/bad.sql" "$V/bad.sql")"
check "... status has PostgreSQL's message" grep -q 'column "nosuch" does not exist' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"
eq "... nothing created" "0" "$(val app "SELECT count(*) FROM pg_class WHERE relname IN ('bad', 'oops', 'other')")"

# --- a materialized view: always DROP + CREATE ---
MV=$D/schemas/public/materialized_views
check "sed -i on a materialized view" sed -i 's/count(\*) AS n/count(*) AS total/' "$MV/totals.sql"
check "... DROP MATERIALIZED VIEW, then CREATE" grep -q 'DROP MATERIALIZED VIEW public.totals;' <(pending)
check "... the hazard says the data is recomputed" grep -q '^-- HAZARD: materialized view public.totals is dropped and created again: its data is recomputed' <(pending)
check "... it applies" apply_all
eq "... the column is renamed" "total" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.totals'::regclass AND attnum = 1")"

# --- functions ---
check "sed -i on a function's body" sed -i 's/x \* 2/x * 3/' "$F/twice(x integer).sql"
check "... CREATE OR REPLACE FUNCTION is staged" grep -q 'CREATE OR REPLACE FUNCTION public.twice' <(pending)
check "... it applies" apply_all
eq "... the function returns the new value" "21" "$(val app "SELECT public.twice(7)")"
sed 's/twice(x integer)/twice(x bigint)/' "$F/twice(x integer).sql" >"$T_TMP/sig.sql"
eq "a function file declaring another signature: EINVAL" "Invalid argument" \
	"$(errno_of cp "$T_TMP/sig.sql" "$F/twice(x integer).sql")"
check "... status says so" grep -q 'its text declares another one' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"
eq "... the function is unchanged" "integer" "$(val app "SELECT pg_get_function_identity_arguments('public.twice'::regproc)" | sed 's/x //')"
printf 'CREATE FUNCTION public.three() RETURNS integer LANGUAGE sql AS $$SELECT 3$$;\n' >"$T_TMP/three.sql"
check "a new function file" cp "$T_TMP/three.sql" "$F/three().sql"
check "... CREATE FUNCTION is staged" grep -q 'FUNCTION public.three()' <(pending)
check "... it applies" apply_all
eq "... the function exists" "3" "$(val app "SELECT public.three()")"
check "rm of a function file" rm "$F/unused().sql"
check "... DROP FUNCTION is staged" grep -q 'DROP FUNCTION public.unused();' <(pending)
check "... it applies" apply_all
eq "... the function is gone" "0" "$(val app "SELECT count(*) FROM pg_proc WHERE proname = 'unused'")"

# --- a function whose return type changes: DROP + CREATE, its views re-created ---
check "sed -i changing label's return type" \
	sed -i 's/RETURNS text/RETURNS character varying/; s/x::text/x::character varying/' "$F/label(x integer).sql"
check "... DROP FUNCTION is staged" grep -q '^DROP FUNCTION public.label(x integer);' <(pending)
check "... a hazard line names the view that uses it" \
	grep -qx -- '-- HAZARD: view public.labels is dropped and re-created (it uses function public.label(x integer))' <(pending)
check "... the view is still in the tree" test -f "$V/labels.sql"
check "... it applies" apply_all
eq "... the function returns character varying" "character varying" \
	"$(val app "SELECT pg_get_function_result('public.label'::regproc)")"
eq "... the view's column follows" "character varying" \
	"$(val app "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.labels'::regclass AND attname = 'l'")"
check "a return type change under a column default" \
	sed -i 's/RETURNS integer/RETURNS bigint/; s/SELECT 1/SELECT 1::bigint/' "$F/stamp().sql"
check "... the default is dropped and set again around it, with a hazard" \
	grep -qx -- '-- HAZARD: default of column n on public.stamped is dropped and re-created (it uses function public.stamp())' <(pending)
check "... it applies" apply_all
eq "... the function returns bigint" "bigint" "$(val app "SELECT pg_get_function_result('public.stamp'::regproc)")"
eq "... the column's default uses it again" "stamp()" \
	"$(val app "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'public.stamped'::regclass")"
eq "a return type change under a CHECK constraint: EBUSY" "Device or resource busy" \
	"$(errno_of sed -i 's/RETURNS boolean/RETURNS integer/; s/SELECT x > 0/SELECT (x > 0)::integer/' "$F/positive(x bigint).sql")"
check "... status names the constraint" grep -q 'constraint stamped_pos on table stamped depends on it' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"

# --- triggers: CREATE OR REPLACE TRIGGER on 14+, DROP + CREATE on 13 ---
T=$D/schemas/public/tables/booking
check "sed -i on a trigger file" sed -i 's/BEFORE UPDATE/BEFORE INSERT OR UPDATE/' "$T/triggers/booking_touch.sql"
if [ "$T_PG_MAJOR" -ge 14 ]; then
	check "... CREATE OR REPLACE TRIGGER is staged" grep -q 'CREATE OR REPLACE TRIGGER booking_touch BEFORE INSERT OR UPDATE' <(pending)
else
	check "... 13: DROP TRIGGER, then CREATE TRIGGER" grep -q 'DROP TRIGGER booking_touch ON public.booking;' <(pending)
fi
check "... it applies" apply_all
check "... the trigger fires on INSERT too" \
	grep -q 'BEFORE INSERT OR UPDATE' <<<"$(val app "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'booking_touch'")"
printf 'CREATE TRIGGER booking_ins AFTER INSERT ON public.booking FOR EACH ROW EXECUTE FUNCTION public.touch();\n' >"$T_TMP/trg.sql"
check "a new trigger file" cp "$T_TMP/trg.sql" "$T/triggers/booking_ins.sql"
check "... CREATE TRIGGER is staged" grep -q '^CREATE TRIGGER booking_ins AFTER INSERT' <(pending)
check "... it applies" apply_all
eq "... the trigger exists" "1" "$(val app "SELECT count(*) FROM pg_trigger WHERE tgname = 'booking_ins'")"
check "rm of a trigger file" rm "$T/triggers/booking_ins.sql"
check "... DROP TRIGGER is staged" grep -q 'DROP TRIGGER booking_ins' <(pending)
check "... it applies" apply_all
eq "... the trigger is gone" "0" "$(val app "SELECT count(*) FROM pg_trigger WHERE tgname = 'booking_ins'")"
sed 's/ON public.booking/ON public.elsewhere/' "$T_TMP/trg.sql" >"$T_TMP/trg2.sql"
eq "a trigger file of booking holding a trigger on another table: EINVAL" "Invalid argument" \
	"$(errno_of cp "$T_TMP/trg2.sql" "$T/triggers/booking_ins.sql")"
check "... status says so" grep -q 'but its CREATE TRIGGER is on table public.elsewhere' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"

# --- policies: ALTER POLICY, or DROP + CREATE when the command changes ---
check "sed -i on a policy's USING" sed -i 's/id > 0/id > 1/' "$T/policies/own.sql"
check "... ALTER POLICY is staged" grep -q 'ALTER POLICY own ON public.booking' <(pending)
check "... it applies" apply_all
check "... the policy has the new USING" grep -q 'id > 1' <<<"$(val app "SELECT qual FROM pg_policies WHERE policyname = 'own'")"
check "sed -i on a policy's command" sed -i 's/FOR SELECT/FOR UPDATE/' "$T/policies/own.sql"
check "... DROP POLICY, then CREATE POLICY" grep -q 'DROP POLICY own ON public.booking;' <(pending)
check "... it applies" apply_all
eq "... the policy is FOR UPDATE" "UPDATE" "$(val app "SELECT cmd FROM pg_policies WHERE policyname = 'own'")"

# --- sequences: ALTER SEQUENCE; create; rm, but not of an owned one ---
S=$D/schemas/public/sequences
cp "$S/counter.sql" "$T_TMP/counter.sql"
check "a sequence file written back unchanged" cp "$T_TMP/counter.sql" "$S/counter.sql"
eq "... stages nothing" "" "$(ls "$M/pending")"
check "sed -i on a sequence's INCREMENT" sed -i 's/INCREMENT BY 1$/INCREMENT BY 5/' "$S/counter.sql"
check "... ALTER SEQUENCE is staged" grep -q 'ALTER SEQUENCE public.counter INCREMENT BY 5;' <(pending)
check "... it applies" apply_all
eq "... the sequence increments by 5" "5" "$(val app "SELECT increment_by FROM pg_sequences WHERE sequencename = 'counter'")"
printf 'CREATE SEQUENCE public.fresh START WITH 10;\n' >"$T_TMP/fresh.sql"
check "a new sequence file" cp "$T_TMP/fresh.sql" "$S/fresh.sql"
check "... CREATE SEQUENCE is staged" grep -q 'CREATE SEQUENCE public.fresh' <(pending)
check "... it applies" apply_all
eq "... the sequence starts at 10" "10" "$(val app "SELECT nextval('public.fresh')")"
check "rm of a sequence file" rm "$S/fresh.sql"
check "... DROP SEQUENCE is staged" grep -q 'DROP SEQUENCE public.fresh;' <(pending)
check "... it applies" apply_all
eq "... the sequence is gone" "0" "$(val app "SELECT count(*) FROM pg_class WHERE relname = 'fresh'")"
eq "rm of a sequence owned by a column: EPERM" "Operation not permitted" "$(errno_of rm "$S/ticket_id_seq.sql")"
check "... status names the column" grep -q 'is owned by column public.ticket.id' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"
eq "rm of a sequence a default uses: EBUSY" "Device or resource busy" "$(errno_of rm "$S/used.sql")"
check "... status names the default" grep -q 'default value for column n of table numbered' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"

# --- mv: ALTER ... RENAME TO, SET SCHEMA ---
rename_() { perl -e 'rename($ARGV[0], $ARGV[1]) or die "rename: $!\n"' "$@"; }
check "mv of a view file" mv "$V/long_stays.sql" "$V/longer_stays.sql"
check "... ALTER VIEW ... RENAME TO is staged" grep -q '^ALTER VIEW public.long_stays RENAME TO longer_stays;' <(pending)
check "... the tree shows the new name" grep -q '^CREATE VIEW public.longer_stays AS' "$V/longer_stays.sql"
check "... and not the old one" test ! -e "$V/long_stays.sql"
eq "... writing the renamed file before the apply: EBUSY" "Device or resource busy" \
	"$(errno_of cp "$T_TMP/ls.sql" "$V/longer_stays.sql")"
check "... status says why" grep -q 'is renamed from long_stays in this stage' "$M/status"
check "mv back" mv "$V/longer_stays.sql" "$V/long_stays.sql"
eq "... stages nothing" "" "$(ls "$M/pending")"
eq "mv onto an existing view: EEXIST" "File exists" "$(errno_of mv "$V/long_stays.sql" "$V/labels.sql")"
eq "... nothing staged" "" "$(ls "$M/pending")"
check "mv of a view another view uses" mv "$V/base.sql" "$V/basis.sql"
check "... on_base's file names it by its new name (PostgreSQL's deparse)" grep -q 'FROM basis' "$V/on_base.sql"
check "... it applies" apply_all
eq "... the view is renamed" "1" "$(val app "SELECT count(*) FROM pg_views WHERE viewname = 'basis'")"
check "... on_base reads it" grep -q 'FROM basis' <<<"$(val app "SELECT pg_get_viewdef('public.on_base'::regclass)")"
check "mv of a materialized view file" mv "$MV/totals.sql" "$MV/sums.sql"
check "... ALTER MATERIALIZED VIEW ... RENAME TO is staged" \
	grep -q '^ALTER MATERIALIZED VIEW public.totals RENAME TO sums;' <(pending)
check "mv of a function file, same arguments" mv "$F/twice(x integer).sql" "$F/dbl(x integer).sql"
check "... ALTER FUNCTION ... RENAME TO is staged" grep -q '^ALTER FUNCTION public.twice(x integer) RENAME TO dbl;' <(pending)
check "... the tree shows it under its new name" grep -q 'FUNCTION public.dbl(x integer)' "$F/dbl(x integer).sql"
check "mv of a trigger file" mv "$D/schemas/public/tables/booking/triggers/booking_touch.sql" \
	"$D/schemas/public/tables/booking/triggers/booking_touched.sql"
check "... ALTER TRIGGER ... RENAME TO is staged" grep -q '^ALTER TRIGGER booking_touch ON public.booking RENAME TO booking_touched;' <(pending)
check "mv of a policy file" mv "$D/schemas/public/tables/booking/policies/own.sql" \
	"$D/schemas/public/tables/booking/policies/mine.sql"
check "... ALTER POLICY ... RENAME TO is staged" grep -q '^ALTER POLICY own ON public.booking RENAME TO mine;' <(pending)
check "mv of a sequence file into another schema's folder" mv "$D/schemas/public/sequences/counter.sql" \
	"$D/schemas/other/sequences/counter.sql"
check "... ALTER SEQUENCE ... SET SCHEMA is staged" grep -q '^ALTER SEQUENCE public.counter SET SCHEMA other;' <(pending)
check "... the renames apply" apply_all
eq "... every object has its new name" "sums dbl booking_touched mine other.counter" \
	"$(val app "SELECT concat_ws(' ', (SELECT relname FROM pg_class WHERE relname = 'sums'), (SELECT proname FROM pg_proc WHERE proname = 'dbl'), (SELECT tgname FROM pg_trigger WHERE tgname = 'booking_touched'), (SELECT polname FROM pg_policy WHERE polname = 'mine'), to_regclass('other.counter')::text)")"
eq "... nothing pending after" "" "$(ls "$M/pending")"
eq "a function's rename to other arguments: EINVAL" "Invalid argument" \
	"$(errno_of rename_ "$F/dbl(x integer).sql" "$F/dbl(x bigint).sql")"
eq "... nothing staged" "" "$(ls "$M/pending")"
eq "a move to another schema under another name: EXDEV" "Invalid cross-device link" \
	"$(errno_of rename_ "$V/labels.sql" "$D/schemas/other/views/tags.sql")"
check "... status says why" grep -q 'a move to another schema keeps the name here' "$M/status"
eq "... nothing staged" "" "$(ls "$M/pending")"

done_testing
