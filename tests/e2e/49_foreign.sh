#!/usr/bin/env bash
# 49_foreign: foreign data (issue 12): foreign_data/wrappers/ and
# foreign_data/servers/ (with their user mappings) at the top of a
# database's tree, schemas/<s>/foreign_tables/<t>/ shaped as a table's
# directory (columns/, constraints/, triggers/, comment, table.sql; no
# indexes/ nor policies/). tests/sql/foreign.sql has names that need
# quoting. A `password` option shows nowhere: not in the tree, not in
# schema.sql, not in the log. schema.sql names nothing as left out, loads
# into an empty database and gives the same objects (scripts/roundtrip:
# pg_dump where it accepts the server, else the catalog summary and diff
# -r of both trees). Read-only, live, there when empty; the number of
# catalog queries does not depend on them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" -c "CREATE DATABASE bare" >/dev/null
sql src -f "$T_ROOT/tests/sql/foreign.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading foreign.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/src
F=$D/schemas/Far\ Ω/foreign_tables
cp "$D/schema.sql" "$T_TMP/schema.sql"

# ------------------------------------------------------------------ listings
eq "the database directory" \
	"$(printf '%s\n' casts event_triggers extensions foreign_data migrations publications schema.sql schemas)" \
	"$(ls -U -A "$D")"
eq "foreign_data/" "$(printf '%s\n' servers wrappers)" "$(ls -U -A "$D/foreign_data")"
eq "foreign_data/wrappers/ lists every wrapper, sorted" "$(printf '%s\n' 'Wrap "w".sql' checked.sql)" \
	"$(ls -U -A "$D/foreign_data/wrappers")"
eq "foreign_data/servers/ lists every server, sorted" "$(printf '%s\n' 'Srv one.sql' plain_srv.sql)" \
	"$(ls -U -A "$D/foreign_data/servers")"
eq "a schema's directory has foreign_tables/" \
	"$(printf '%s\n' conversions erd.md foreign_tables functions materialized_views operator_classes operator_families schema.sql sequences tables text_search types views)" \
	"$(ls -U -A "$D/schemas/Far Ω")"
eq "foreign_tables/ lists the schema's foreign tables, sorted" "$(printf '%s\n' 'Remote "T"' remote_us)" "$(ls -U -A "$F")"
eq "public's" "bare" "$(ls -U -A "$D/schemas/public/foreign_tables")"
eq "a foreign table's directory" "$(printf '%s\n' columns comment constraints table.sql triggers)" \
	"$(ls -U -A "$F/Remote \"T\"")"
eq "its columns, sorted" "$(printf '%s\n' 'Na me' id note)" "$(ls -U -A "$F/Remote \"T\"/columns")"
eq "a column file, as a table's" "text COLLATE \"C\" DEFAULT 'none'::text" "$(cat "$F/Remote \"T\"/columns/Na me")"
eq "... NOT NULL" "integer NOT NULL" "$(cat "$F/Remote \"T\"/columns/id")"
eq "its comment" "far away; it's remote" "$(cat "$F/Remote \"T\"/comment")"
eq "its check constraint" "positive id.sql" "$(ls -A "$F/Remote \"T\"/constraints")"
eq "its trigger" "on insert.sql" "$(ls -A "$F/Remote \"T\"/triggers")"
check_fails "foreign tables are not under tables/" test -e "$D/schemas/Far Ω/tables/Remote \"T\""

# ---------------------------------------------------------------- the files
eq "a wrapper with options and a comment" \
	"CREATE FOREIGN DATA WRAPPER \"Wrap \"\"w\"\"\" OPTIONS (mode 'it''s; raw', \"Odd Key\" 'x');
COMMENT ON FOREIGN DATA WRAPPER \"Wrap \"\"w\"\"\" IS 'a wrapper; it''s bare';" \
	"$(cat "$D/foreign_data/wrappers/Wrap \"w\".sql")"
eq "a wrapper with a validator" "CREATE FOREIGN DATA WRAPPER checked VALIDATOR pg_catalog.postgresql_fdw_validator;" \
	"$(cat "$D/foreign_data/wrappers/checked.sql")"
eq "a server with a type, a version, options, a comment, its user mapping" \
	"CREATE SERVER \"Srv one\" TYPE 'kind ''a''' VERSION '1.0' FOREIGN DATA WRAPPER \"Wrap \"\"w\"\"\" OPTIONS (host 'db.example', port '5433');
COMMENT ON SERVER \"Srv one\" IS 'the first; it''s far';
CREATE USER MAPPING FOR PUBLIC SERVER \"Srv one\";" "$(cat "$D/foreign_data/servers/Srv one.sql")"
eq "a server's user mappings, sorted, with their options" \
	"CREATE SERVER plain_srv FOREIGN DATA WRAPPER checked OPTIONS (dbname 'elsewhere');
CREATE USER MAPPING FOR PUBLIC SERVER plain_srv OPTIONS (\"user\" 'anyone');
CREATE USER MAPPING FOR postgres SERVER plain_srv;" "$(cat "$D/foreign_data/servers/plain_srv.sql")"
eq "a foreign table's table.sql" \
	"CREATE FOREIGN TABLE \"Far Ω\".\"Remote \"\"T\"\"\" (
    id integer NOT NULL,
    \"Na me\" text COLLATE \"C\" DEFAULT 'none'::text,
    note character varying(20)
)
SERVER \"Srv one\"
OPTIONS (schema_name 'remote', table_name 'T x');
ALTER FOREIGN TABLE ONLY \"Far Ω\".\"Remote \"\"T\"\"\" ALTER COLUMN id OPTIONS (column_name 'ident');
ALTER FOREIGN TABLE ONLY \"Far Ω\".\"Remote \"\"T\"\"\" ALTER COLUMN \"Na me\" OPTIONS (column_name 'name', \"Odd\" 'it''s');
ALTER TABLE \"Far Ω\".\"Remote \"\"T\"\"\" ADD CONSTRAINT \"positive id\" CHECK ((id > 0));
CREATE TRIGGER \"on insert\" BEFORE INSERT ON \"Far Ω\".\"Remote \"\"T\"\"\" FOR EACH ROW EXECUTE FUNCTION \"Far Ω\".noop();
COMMENT ON FOREIGN TABLE \"Far Ω\".\"Remote \"\"T\"\"\" IS 'far away; it''s remote';
COMMENT ON COLUMN \"Far Ω\".\"Remote \"\"T\"\"\".note IS 'a note';" "$(cat "$F/Remote \"T\"/table.sql")"
eq "a foreign partition" "CREATE FOREIGN TABLE \"Far Ω\".remote_us PARTITION OF \"Far Ω\".local_parent
FOR VALUES IN ('us')
SERVER \"Srv one\"
OPTIONS (table_name 'us');" "$(cat "$F/remote_us/table.sql")"
eq "a foreign table without columns" "CREATE FOREIGN TABLE public.bare ()
SERVER plain_srv;" "$(cat "$D/schemas/public/foreign_tables/bare/table.sql")"
sizes_exact "$D"/foreign_data/*/* "$F"/*/table.sql "$F/Remote \"T\"/columns/"*

# --------------------------------------------------------------- schema.sql
eq "schema.sql leaves nothing out" "" "$(grep '^-- left out' "$T_TMP/schema.sql")"
n_w=$(sql_line 'CREATE FOREIGN DATA WRAPPER "Wrap ""w"""')
n_s=$(sql_line 'CREATE SERVER "Srv one"')
n_um=$(sql_line 'CREATE USER MAPPING FOR PUBLIC SERVER "Srv one"')
n_parent=$(sql_line 'CREATE TABLE "Far Ω".local_parent')
n_ft=$(sql_line 'CREATE FOREIGN TABLE "Far Ω".remote_us')
check "wrapper < server < its user mapping < the partitioned table < its foreign partition" \
	test "${n_w:-0}" -gt 0 -a "${n_s:-0}" -gt "${n_w:-0}" -a "${n_um:-0}" -gt "${n_s:-0}" \
	-a "${n_parent:-0}" -gt "${n_um:-0}" -a "${n_ft:-0}" -gt "${n_parent:-0}"
check_fails "a schema's schema.sql has no wrappers nor servers" \
	grep -qE 'DATA WRAPPER|CREATE SERVER|USER MAPPING' "$D/schemas/Far Ω/schema.sql"
check "... but its foreign tables" grep -qF 'CREATE FOREIGN TABLE "Far Ω"."Remote ""T"""' "$D/schemas/Far Ω/schema.sql"

# ------------------------------------------------------------- round trip
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
fdata() { summary "$1" '^(foreign-data wrapper|foreign server|user mapping|foreign table|foreign column)\|'; }
fdata src >"$T_TMP/src.fd"
fdata dst >"$T_TMP/dst.fd"
eq "wrappers, servers, user mappings, foreign tables and their columns are the same in the copy" \
	"$(cat "$T_TMP/src.fd")" "$(cat "$T_TMP/dst.fd")"
check "... 2 wrappers, 2 servers, 3 user mappings, 3 foreign tables, 2 column option sets" \
	test "$(grep -c '^foreign-data wrapper|' "$T_TMP/src.fd")" -eq 2 -a "$(grep -c '^foreign server|' "$T_TMP/src.fd")" -eq 2 \
	-a "$(grep -c '^user mapping|' "$T_TMP/src.fd")" -eq 3 -a "$(grep -c '^foreign table|' "$T_TMP/src.fd")" -eq 3 \
	-a "$(grep -c '^foreign column|' "$T_TMP/src.fd")" -eq 2
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30

# ---------------------------------------------------------------- read-only
before=$(cat "$D/foreign_data/servers/plain_srv.sql")
eq "foreign_data/servers/ is read-only: writing a file is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo 'CREATE SERVER x FOREIGN DATA WRAPPER checked;' >'$D/foreign_data/servers/plain_srv.sql'")"
eq "... creating one is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$D/foreign_data/servers/new.sql'")"
eq "foreign_data/wrappers/: removing one is EPERM" "Operation not permitted" \
	"$(errno_of rm "$D/foreign_data/wrappers/checked.sql")"
eq "a foreign table's column: writing is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo 'bigint' >'$F/Remote \"T\"/columns/id'")"
eq "... adding a column is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo 'bigint' >'$F/Remote \"T\"/columns/more'")"
eq "... making a foreign table directory is EPERM" "Operation not permitted" "$(errno_of mkdir "$F/new")"
eq "... the file is unchanged" "$before" "$(cat "$D/foreign_data/servers/plain_srv.sql")"
eq "... nothing staged" "" "$(ls -A "$D/migrations/pending")"
eq "... nothing run: the same foreign data" "$(cat "$T_TMP/src.fd")" "$(fdata src)"

# ----------------------------------------------------------------- password
# A password in a user mapping, a server and a wrapper; the comment made
# last tells when the tree shows all of them.
sql src -c "CREATE USER MAPPING FOR CURRENT_USER SERVER \"Srv one\" OPTIONS (\"user\" 'me', password 'Sekr1t-pw')" \
	-c "ALTER SERVER \"Srv one\" OPTIONS (ADD password 'Sekr1t-pw')" \
	-c "ALTER FOREIGN DATA WRAPPER \"Wrap \"\"w\"\"\" OPTIONS (ADD password 'Sekr1t-pw')" \
	-c "COMMENT ON SERVER plain_srv IS 'after'" >/dev/null 2>"$T_TMP/pw.err" ||
	{ sed 's/^/#   /' "$T_TMP/pw.err"; not_ok "adding a password"; }
eq "the passwords are in the catalog" 3 "$(val src "SELECT (SELECT count(*) FROM pg_user_mappings WHERE
	array_to_string(umoptions, ',') LIKE '%Sekr1t%') + (SELECT count(*) FROM pg_foreign_server WHERE
	array_to_string(srvoptions, ',') LIKE '%Sekr1t%') + (SELECT count(*) FROM pg_foreign_data_wrapper
	WHERE array_to_string(fdwoptions, ',') LIKE '%Sekr1t%')")"
check "the tree shows the changes" poll 20 grep -qF "COMMENT ON SERVER plain_srv IS 'after';" \
	"$D/foreign_data/servers/plain_srv.sql"
check "... a user mapping, without its password" \
	grep -qxF "CREATE USER MAPPING FOR postgres SERVER \"Srv one\" OPTIONS (\"user\" 'me');" "$D/foreign_data/servers/Srv one.sql"
check "... a server's options, without the password" grep -qF "OPTIONS (host 'db.example', port '5433');" \
	"$D/foreign_data/servers/Srv one.sql"
check "... a wrapper's, without it" grep -qF "OPTIONS (mode 'it''s; raw', \"Odd Key\" 'x');" \
	"$D/foreign_data/wrappers/Wrap \"w\".sql"
check_fails "the password is nowhere in the tree" grep -rq Sekr1t "$D"
check_fails "... nor in the daemon's log" grep -q Sekr1t "$T_TMP/daemon.log"

# --------------------------------------------------------------------- live
sql src -c "ALTER FOREIGN TABLE \"Far Ω\".remote_us OPTIONS (ADD k 'v')" >/dev/null
check "a foreign table's options changed live show" poll 20 grep -qxF "OPTIONS (table_name 'us', k 'v');" \
	"$F/remote_us/table.sql"
eq "... and its st_size follows" "$(wc -c <"$F/remote_us/table.sql")" "$(stat -c %s "$F/remote_us/table.sql")"
sql src -c "DROP FOREIGN TABLE public.bare" >/dev/null
check "a foreign table dropped live goes" poll 20 test ! -e "$D/schemas/public/foreign_tables/bare"

# ---------------------------------------------- none of them, and the queries
M2=$T_TMP/mnt2
mount_fs "$M2" -o conninfo=dbname=bare || not_ok "mount of a database without any"
eq "a database without any: the directories are there, empty" "" \
	"$(ls -A "$M2/bare/foreign_data/wrappers"; ls -A "$M2/bare/foreign_data/servers"; ls -A "$M2/bare/schemas/public/foreign_tables")"
check "... all three" test -d "$M2/bare/foreign_data/wrappers" -a -d "$M2/bare/foreign_data/servers" \
	-a -d "$M2/bare/schemas/public/foreign_tables"
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/migrations/status"; }
q_bare=$(queries "$M2/bare")
eq "the same number of catalog queries with and without them ($q_bare)" "$q_bare" "$(queries "$D")"
# 27: one query reads the dependency edges (catalog_deps.c), and one (SQL_REL_CHANGES) says which
# relations changed, in every load, full or not (catalog_incr.c).
eq "... 27 of them" 27 "$q_bare"
umount_fs "$M2"

umount_fs "$MNT"
done_testing
