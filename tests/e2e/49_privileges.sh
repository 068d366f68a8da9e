#!/usr/bin/env bash
# 49_privileges: the "privileges" and "owners" keys (per database). With
# them on, each object's file ends with its ALTER ... OWNER TO and the
# GRANT/REVOKE statements that make its ACL from the default one (as
# pg_dump writes them), schema.sql has them all and the default privileges,
# and it round-trips them: loaded into an empty database (the roles are
# the cluster's) it gives the same owners and ACLs (pg_dump with owners and
# privileges where Debian's pg_dump can read the server; else
# scripts/catalog-acl-summary.sql and catalog-summary.sql, and diff -r of
# both mounted trees). With the keys off the tree is what it was.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE ROLE schemafs_owner NOLOGIN" -c "CREATE ROLE schemafs_reader NOLOGIN" \
	-c 'CREATE ROLE "Schemafs Writer" NOLOGIN' \
	-c "CREATE DATABASE src" -c "CREATE DATABASE dst" >/dev/null
sql src >/dev/null <<'SQL'
CREATE SCHEMA app;
CREATE TABLE app.items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text, secret text);
CREATE TABLE app.notes (id serial PRIMARY KEY, item int REFERENCES app.items, body text);
CREATE TABLE public.plain (id int);
CREATE SEQUENCE app.tickets;
CREATE VIEW app.item_names AS SELECT id, name FROM app.items;
CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
CREATE PROCEDURE app.touch() LANGUAGE sql AS 'SELECT 1';
CREATE TYPE app.mood AS ENUM ('sad', 'happy');
CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);
CREATE TYPE app.pair AS (l int, r int);
CREATE TYPE app.span AS RANGE (subtype = int4);
CREATE MATERIALIZED VIEW app.totals AS SELECT count(*) AS n FROM app.items WITH NO DATA;
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int);
CREATE TABLE app.parted (k int) PARTITION BY RANGE (k);
CREATE TABLE app.parted_1 PARTITION OF app.parted FOR VALUES FROM (0) TO (10);
-- Owners first: the grants below are then made as the owner.
ALTER SCHEMA app OWNER TO schemafs_owner;
ALTER TABLE app.items OWNER TO schemafs_owner;
ALTER TABLE app.notes OWNER TO schemafs_owner;
ALTER SEQUENCE app.tickets OWNER TO schemafs_owner;
ALTER VIEW app.item_names OWNER TO schemafs_owner;
ALTER FUNCTION app.add(int, int) OWNER TO schemafs_owner;
ALTER TYPE app.mood OWNER TO schemafs_owner;
ALTER DOMAIN app.posint OWNER TO schemafs_owner;
ALTER TYPE app.span OWNER TO schemafs_owner;
ALTER MATERIALIZED VIEW app.totals OWNER TO schemafs_owner;
ALTER AGGREGATE app.total(int) OWNER TO schemafs_owner;
ALTER TABLE app.parted OWNER TO schemafs_owner;
GRANT SELECT ON app.totals TO schemafs_reader;
GRANT EXECUTE ON FUNCTION app.total(int) TO schemafs_reader;
GRANT SELECT ON app.parted TO schemafs_reader;
GRANT INSERT ON app.parted_1 TO "Schemafs Writer";
REVOKE USAGE ON TYPE app.span FROM PUBLIC;
GRANT SELECT ON app.items TO schemafs_reader;
GRANT INSERT, UPDATE ON app.items TO "Schemafs Writer" WITH GRANT OPTION;
GRANT SELECT (name), UPDATE (name, secret) ON app.items TO schemafs_reader;
REVOKE TRUNCATE ON app.items FROM schemafs_owner;
GRANT USAGE, SELECT ON SEQUENCE app.notes_id_seq TO "Schemafs Writer";
GRANT USAGE ON SEQUENCE app.tickets TO schemafs_reader;
GRANT SELECT ON app.item_names TO PUBLIC;
REVOKE EXECUTE ON FUNCTION app.add(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.add(int, int) TO schemafs_reader;
REVOKE EXECUTE ON PROCEDURE app.touch() FROM PUBLIC;
GRANT USAGE ON SCHEMA app TO schemafs_reader;
REVOKE USAGE ON DOMAIN app.posint FROM PUBLIC;
GRANT USAGE ON TYPE app.mood TO schemafs_reader WITH GRANT OPTION;
REVOKE ALL ON TABLE public.plain FROM postgres;
ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers ON app.items FOR SELECT TO schemafs_reader USING (name IS NOT NULL);
ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner IN SCHEMA app GRANT SELECT ON TABLES TO schemafs_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner GRANT USAGE ON TYPES TO "Schemafs Writer";
SQL

cat >"$T_TMP/on.json" <<EOF
{ "databases": {
    "src": { "conninfo": "dbname=src", "privileges": true, "owners": true },
    "plain": { "conninfo": "dbname=src" },
    "empty": { "conninfo": "dbname=dst", "privileges": true, "owners": true } } }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o "config=$T_TMP/on.json" || { not_ok "mount"; done_testing; }
S=$MNT/src/schemas/app

eq "table.sql: owner, then REVOKE and GRANTs (WITH GRANT OPTION) in the ACL's order, then column privileges, after the DDL and RLS" \
"$(cat "$S/tables/items/table.sql")" "CREATE TABLE app.items (
    id integer GENERATED ALWAYS AS IDENTITY,
    name text,
    secret text
);
ALTER TABLE app.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);
ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers ON app.items FOR SELECT TO schemafs_reader USING ((name IS NOT NULL));
ALTER TABLE app.items OWNER TO schemafs_owner;
REVOKE TRUNCATE ON TABLE app.items FROM schemafs_owner;
GRANT SELECT ON TABLE app.items TO schemafs_reader;
GRANT INSERT, UPDATE ON TABLE app.items TO \"Schemafs Writer\" WITH GRANT OPTION;
GRANT SELECT(name), UPDATE(name) ON TABLE app.items TO schemafs_reader;
GRANT UPDATE(secret) ON TABLE app.items TO schemafs_reader;"
eq "a function's REVOKE EXECUTE FROM PUBLIC and its GRANT" \
"$(tail -n 3 "$S/functions/add(a integer, b integer).sql")" \
"ALTER FUNCTION app.add(a integer, b integer) OWNER TO schemafs_owner;
REVOKE EXECUTE ON FUNCTION app.add(a integer, b integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.add(a integer, b integer) TO schemafs_reader;"
eq "a view's grant to PUBLIC" "$(tail -n 2 "$S/views/item_names.sql")" \
"ALTER VIEW app.item_names OWNER TO schemafs_owner;
GRANT SELECT ON TABLE app.item_names TO PUBLIC;"
eq "a sequence's" "$(tail -n 2 "$S/sequences/tickets.sql")" \
"ALTER SEQUENCE app.tickets OWNER TO schemafs_owner;
GRANT USAGE ON SEQUENCE app.tickets TO schemafs_reader;"
eq "a domain's REVOKE USAGE" "$(tail -n 2 "$S/types/posint.sql")" \
"ALTER DOMAIN app.posint OWNER TO schemafs_owner;
REVOKE USAGE ON DOMAIN app.posint FROM PUBLIC;"
eq "an object left as created: only its owner" "$(tail -n 1 "$S/types/pair.sql")" "ALTER TYPE app.pair OWNER TO postgres;"
eq "the schema's schema.sql ends with its owners, privileges and default privileges" \
"$(tail -n 18 "$S/schema.sql")" \
"ALTER SCHEMA app OWNER TO schemafs_owner;
GRANT USAGE ON SCHEMA app TO schemafs_reader;
ALTER TABLE app.items OWNER TO schemafs_owner;
REVOKE TRUNCATE ON TABLE app.items FROM schemafs_owner;
GRANT SELECT ON TABLE app.items TO schemafs_reader;
GRANT INSERT, UPDATE ON TABLE app.items TO \"Schemafs Writer\" WITH GRANT OPTION;
GRANT SELECT(name), UPDATE(name) ON TABLE app.items TO schemafs_reader;
GRANT UPDATE(secret) ON TABLE app.items TO schemafs_reader;
ALTER TABLE app.notes OWNER TO schemafs_owner;
ALTER TABLE app.parted OWNER TO schemafs_owner;
GRANT SELECT ON TABLE app.parted TO schemafs_reader;
ALTER TABLE app.parted_1 OWNER TO postgres;
GRANT INSERT ON TABLE app.parted_1 TO \"Schemafs Writer\";
ALTER SEQUENCE app.notes_id_seq OWNER TO schemafs_owner;
GRANT SELECT, USAGE ON SEQUENCE app.notes_id_seq TO \"Schemafs Writer\";
ALTER SEQUENCE app.tickets OWNER TO schemafs_owner;
GRANT USAGE ON SEQUENCE app.tickets TO schemafs_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner IN SCHEMA app GRANT SELECT ON TABLES TO schemafs_reader;"
eq "the database's schema.sql ends with the database-wide default privileges" \
"$(tail -n 2 "$MNT/src/schema.sql")" \
"ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner GRANT USAGE ON TYPES TO \"Schemafs Writer\";
ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"
check "an enum's privileges are in schema.sql (its file holds only labels)" \
	grep -qx 'GRANT USAGE ON TYPE app.mood TO schemafs_reader WITH GRANT OPTION;' "$MNT/src/schema.sql"
eq "a materialized view's" "$(tail -n 2 "$S/materialized_views/totals.sql")" \
"ALTER MATERIALIZED VIEW app.totals OWNER TO schemafs_owner;
GRANT SELECT ON TABLE app.totals TO schemafs_reader;"
eq "an aggregate's" "$(tail -n 2 "$S/functions/total(integer).sql")" \
"ALTER AGGREGATE app.total(integer) OWNER TO schemafs_owner;
GRANT EXECUTE ON FUNCTION app.total(integer) TO schemafs_reader;"
eq "a partition's own, not its parent's" "$(tail -n 2 "$S/tables/parted_1/table.sql")" \
"ALTER TABLE app.parted_1 OWNER TO postgres;
GRANT INSERT ON TABLE app.parted_1 TO \"Schemafs Writer\";"
check "a procedure's REVOKE EXECUTE" \
	grep -qx 'REVOKE EXECUTE ON PROCEDURE app.touch() FROM PUBLIC;' "$MNT/src/schema.sql"

# As many catalog queries for this database as for an empty one (one more
# than with the keys off: the default privileges').
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/migrations/status"; }
q_empty=$(queries "$MNT/empty")
check "the number of catalog queries is known ($q_empty)" test -n "$q_empty"
eq "as many catalog queries with all these objects as with none" "$q_empty" "$(queries "$MNT/src")"
eq "one more than with the keys off" "$((q_empty - 1))" "$(queries "$MNT/plain")"

# The same database with both keys off: not one owner or privilege line.
check "keys off: no OWNER TO, GRANT, REVOKE or DEFAULT PRIVILEGES anywhere in the tree" \
	bash -c '! grep -rqE "OWNER TO|^GRANT|^REVOKE|DEFAULT PRIVILEGES" "$1"' _ "$MNT/plain"
check "keys off: table.sql is the keys-on one without those lines" \
	diff <(grep -vE "OWNER TO|^GRANT|^REVOKE" "$S/tables/items/table.sql") "$MNT/plain/schemas/app/tables/items/table.sql"

# A change of privileges, owner or default privileges changes the catalog:
# seen at a later refresh.
sql src -c "GRANT DELETE ON app.notes TO schemafs_reader" -c "ALTER TABLE public.plain OWNER TO schemafs_owner" \
	-c "ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner IN SCHEMA app GRANT USAGE ON SEQUENCES TO schemafs_reader"
check "a new GRANT shows up" poll 30 grep -qx 'GRANT DELETE ON TABLE app.notes TO schemafs_reader;' "$S/tables/notes/table.sql"
check "a new owner shows up" poll 30 grep -qx 'ALTER TABLE public.plain OWNER TO schemafs_owner;' \
	"$MNT/src/schemas/public/tables/plain/table.sql"
check "a new default privilege shows up" poll 30 grep -qx \
	'ALTER DEFAULT PRIVILEGES FOR ROLE schemafs_owner IN SCHEMA app GRANT USAGE ON SEQUENCES TO schemafs_reader;' "$S/schema.sql"

# --- round trip: schema.sql into an empty database of the same cluster -----
cp "$MNT/src/schema.sql" "$T_TMP/schema.sql"
check "schema.sql with owners and privileges loads into an empty database" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
acls() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -f "$T_ROOT/scripts/catalog-acl-summary.sql"; }
acls src >"$T_TMP/src.acl"
acls dst >"$T_TMP/dst.acl"
check "the owner and privilege summary is not trivial" grep -qF \
	'relation|app.items|schemafs_owner|Schemafs Writer=INSERT*,Schemafs Writer=UPDATE*,schemafs_owner=DELETE,' "$T_TMP/src.acl"
check "owners and privileges of the copy are the original's (catalog-acl-summary.sql)" \
	diff "$T_TMP/src.acl" "$T_TMP/dst.acl"
if pg_dump_usable; then
	what="pg_dump --schema-only (owners and privileges included)"
	dump() { pg_dump --schema-only -d "$1" | grep -v -e '^\\\(un\)\?restrict ' -e '^--' -e '^$'; }
else
	what="the catalog summary"
	dump() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -f "$T_ROOT/scripts/catalog-summary.sql"; }
fi
dump src >"$T_TMP/src.dump"
dump dst >"$T_TMP/dst.dump"
check "$what of the copy is identical to the original's" diff "$T_TMP/src.dump" "$T_TMP/dst.dump"
cat >"$T_TMP/dst.json" <<EOF
{ "databases": { "src": { "conninfo": "dbname=dst", "privileges": true, "owners": true } } }
EOF
MNT2=$T_TMP/mnt2
mount_fs "$MNT2" -o "config=$T_TMP/dst.json" || not_ok "mount of the copy"
check "diff -r of both mounted trees, keys on (migrations/ aside), is empty" \
	diff -r --exclude=migrations "$MNT/src" "$MNT2/src"
umount_fs "$MNT2"
umount_fs "$MNT"
done_testing
