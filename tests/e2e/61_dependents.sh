#!/usr/bin/env bash
# 61_dependents: changes under dependent objects (issue 14, item 1). A
# column type change under views is planned with the views dropped first and
# re-created after, in dependency order, with a hazard line naming each; the
# shadow's dry run passes and the apply works. A column drop takes its
# indexes and constraints out of the desired tree at once, each named in a
# hazard; a drop PostgreSQL would refuse without CASCADE (a column a view
# uses) is refused with EBUSY, nothing staged. After a staged column or
# table rename, index and view files show the new names, as PostgreSQL
# deparses them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TABLE public.customer (id integer PRIMARY KEY, full_name text NOT NULL, email text);
CREATE INDEX customer_email_idx ON public.customer (email);
CREATE VIEW public.active_customer AS SELECT id, full_name FROM public.customer WHERE email IS NOT NULL;
COMMENT ON VIEW public.active_customer IS 'customers with mail';
CREATE VIEW public.active_names AS SELECT full_name FROM public.active_customer;
INSERT INTO public.customer VALUES (1, 'Ann', 'ann@example.org'), (2, 'Bob', NULL);
CREATE TABLE public.booking (id integer PRIMARY KEY, status text, cancellation_reason text,
	CONSTRAINT booking_cancellation_check CHECK (status <> 'cancelled' OR cancellation_reason IS NOT NULL));
CREATE INDEX booking_reason_idx ON public.booking (cancellation_reason);
CREATE TABLE public.audit (id integer, note text CONSTRAINT audit_note_check CHECK (note <> ''));
CREATE INDEX audit_note_idx ON public.audit (note);
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=app || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
P=$M/pending
S=$MNT/app/schemas/public
C=$S/tables/customer
B=$S/tables/booking
check "the shadow is loaded" poll 60 grep -q '^shadow: app_schemafs_shadow, loaded in' "$M/status"
pending() { cat "$P"/*.sql 2>/dev/null; }
nothing_pending() { test -z "$(ls "$P")"; }
line_of() { pending | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }
coltype() { val app "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
	WHERE attrelid = 'public.$1'::regclass AND attname = '$2'"; }

# --- a type change under two views (one on the other) ---
def0=$(val app "SELECT pg_get_viewdef('public.active_customer')")
check "sed -i of customer/columns/full_name to character varying(500)" \
	sed -i 's/^text/character varying(500)/' "$C/columns/full_name"
eq "... the column file shows it" "character varying(500) NOT NULL" "$(cat "$C/columns/full_name")"
check "... a hazard names view active_customer" grep -qF -e \
	'-- HAZARD: view public.active_customer is dropped and re-created (it uses customer.full_name)' <(pending)
check "... and view active_names, which uses it" grep -qF -e \
	'-- HAZARD: view public.active_names is dropped and re-created (it uses customer.full_name)' <(pending)
dn=$(line_of 'DROP VIEW public.active_names;'); dc=$(line_of 'DROP VIEW public.active_customer;')
al=$(line_of 'ALTER COLUMN full_name TYPE character varying(500)')
cc=$(line_of 'CREATE VIEW public.active_customer AS'); cn=$(line_of 'CREATE VIEW public.active_names AS')
check "... in dependency order: outer view dropped first, inner created first ($dn<$dc<$al<$cc<$cn)" \
	test -n "$dn" -a -n "$dc" -a -n "$al" -a -n "$cc" -a -n "$cn" -a "${dn:-0}" -lt "${dc:-0}" -a \
	"${dc:-0}" -lt "${al:-0}" -a "${al:-0}" -lt "${cc:-0}" -a "${cc:-0}" -lt "${cn:-0}"
check "... the view's comment is made again" grep -qF "COMMENT ON VIEW public.active_customer IS 'customers with mail';" <(pending)
check "... the shadow's dry run passes" poll 60 grep -q 'dry run: passes' "$M/status"
gen=$(basename "$(ls "$P"/*.sql)")
check "mv of it into apply/ succeeds" mv "$P/$gen" "$M/apply/"
eq "the column type changed" "character varying(500)" "$(coltype customer full_name)"
eq "view active_customer exists, with its definition" "$def0" \
	"$(val app "SELECT pg_get_viewdef('public.active_customer')")"
eq "... and its comment" "customers with mail" "$(val app "SELECT obj_description('public.active_customer'::regclass)")"
eq "view active_names exists" "2" "$(val app "SELECT count(*) FROM pg_views WHERE viewname IN ('active_customer', 'active_names')")"
check "nothing pending" poll 30 nothing_pending

# --- rm of a column a view uses: refused, nothing staged ---
before=$(ls "$P")
eq "rm customer/columns/full_name (views use it): EBUSY" "Device or resource busy" "$(errno_of rm "$C/columns/full_name")"
eq "... nothing staged: pending/ unchanged" "$before" "$(ls "$P")"
check "... the column file is still there" test -f "$C/columns/full_name"
check "... status names the views" grep -q 'column full_name of table public.customer is used by view public.active_customer' "$M/status"

# --- a drop takes its constraint and index, visibly ---
check "CHECK booking_cancellation_check is listed" test -f "$B/constraints/booking_cancellation_check.sql"
check "rm booking/columns/cancellation_reason" rm "$B/columns/cancellation_reason"
lists() { ls "$1" | grep -q "$2"; }
unlisted() { ! lists "$@"; }
check "... constraints/ no longer lists booking_cancellation_check" \
	poll 30 unlisted "$B/constraints" booking_cancellation_check
check "... indexes/ no longer lists booking_reason_idx" poll 30 unlisted "$B/indexes" booking_reason_idx
check "... table.sql has no such constraint" test -z "$(grep booking_cancellation_check "$B/table.sql")"
check "... a hazard names the constraint" grep -qF -e \
	'-- HAZARD: constraint booking_cancellation_check on public.booking is dropped with column booking.cancellation_reason' <(pending)
check "... and the index" grep -qF -e \
	'-- HAZARD: index booking_reason_idx on public.booking is dropped with column booking.cancellation_reason' <(pending)
check "... the dry run passes" poll 60 grep -q 'dry run: passes' "$M/status"
echo 'text' >"$B/columns/cancellation_reason"
check "writing the column back: the constraint is listed again" \
	poll 30 lists "$B/constraints" booking_cancellation_check
check "... nothing staged" poll 30 nothing_pending

# --- names after a staged rename ---
check "mv customer/columns/email customer/columns/mail" mv "$C/columns/email" "$C/columns/mail"
# Each file follows at once; its page cache as soon as the kernel takes the invalidation.
reads() { [ "$(cat "$1")" == "$2" ]; }
check "the index file shows the new column name" poll 30 reads "$C/indexes/customer_email_idx.sql" \
	"CREATE INDEX customer_email_idx ON public.customer USING btree (mail);"
check "the view's file shows it" poll 30 grep -qw 'mail IS NOT NULL' "$S/views/active_customer.sql"
check_fails "... and not the old one" grep -q 'email' "$S/views/active_customer.sql"
check "mv tables/customer tables/client" mv "$C" "$S/tables/client"
check "the index file shows the new table and column names" poll 30 reads \
	"$S/tables/client/indexes/customer_email_idx.sql" "CREATE INDEX customer_email_idx ON public.client USING btree (mail);"
check "the view's file shows the new table name" poll 30 grep -q 'FROM client' "$S/views/active_customer.sql"
check "the dry run passes" poll 60 grep -q 'dry run: passes' "$M/status"
staged_view=$(cat "$S/views/active_customer.sql")
staged_index=$(cat "$S/tables/client/indexes/customer_email_idx.sql")
gen=$(basename "$(ls "$P"/*.sql)")
check "it applies" mv "$P/$gen" "$M/apply/"
view_is() { [ "$(cat "$S/views/active_customer.sql")" == "$staged_view" ]; }
check "once applied, the live view's file reads as the staged one did" poll 30 view_is
check "... the index file too" poll 30 reads "$S/tables/client/indexes/customer_email_idx.sql" "$staged_index"
check "nothing pending" poll 30 nothing_pending

# --- a table drop names what it takes (left staged) ---
check "rm -r tables/audit" rm -r "$S/tables/audit"
check "... a hazard names its index" grep -qF -e \
	'-- HAZARD: index audit_note_idx on public.audit is dropped with table audit' <(pending)
check "... and its check" grep -qF -e \
	'-- HAZARD: constraint audit_note_check on public.audit is dropped with table audit' <(pending)

umount_fs "$MNT"

# --- without a shadow: read on the database itself, the same answers ---
sql postgres -c "CREATE DATABASE noshadow" >/dev/null
sql noshadow >/dev/null <<'EOF'
CREATE TABLE public.customer (id integer PRIMARY KEY, full_name text);
CREATE VIEW public.names AS SELECT full_name FROM public.customer;
EOF
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "noshadow": { "conninfo": "dbname=noshadow", "shadow": false } } }
EOF
MNT2=$T_TMP/mnt2
mount_fs "$MNT2" -o config="$T_TMP/cfg.json" || { not_ok "mount without a shadow"; done_testing; }
C2=$MNT2/noshadow/schemas/public/tables/customer
check "no shadow: a type change under a view is staged" sed -i 's/^text/character varying(50)/' "$C2/columns/full_name"
check "... with its hazard" grep -qF -e '-- HAZARD: view public.names is dropped and re-created (it uses customer.full_name)' \
	<(cat "$MNT2"/noshadow/migrations/pending/*.sql)
echo 'text' >"$C2/columns/full_name"
P2=$MNT2/noshadow/migrations/pending
empty2() { test -z "$(ls "$P2")"; }
check "... writing it back stages nothing" poll 30 empty2
eq "... rm of the column: EBUSY" "Device or resource busy" "$(errno_of rm "$C2/columns/full_name")"
eq "... nothing staged" "" "$(ls "$P2")"
umount_fs "$MNT2"
done_testing

