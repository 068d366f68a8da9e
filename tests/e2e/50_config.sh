#!/usr/bin/env bash
# 50_config: a JSON config with several databases. One top-level directory
# per key (sorted), the schemas filter, read_only, the tracking schema left
# out (default drizzle, or migrations_schema), every documented key accepted.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE scheduler" -c "CREATE DATABASE vendure" -c "CREATE DATABASE directus" >/dev/null

# scheduler: several namespaces plus Drizzle's tracking schema.
sql scheduler >/dev/null <<'EOF'
CREATE SCHEMA auth;
CREATE SCHEMA credits;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text NOT NULL);
CREATE TABLE credits.ledger (id bigint GENERATED ALWAYS AS IDENTITY, user_id uuid REFERENCES auth.users (id), amount integer NOT NULL);
CREATE TABLE public.jobs (id serial PRIMARY KEY, run_at timestamptz);
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);
EOF
# vendure: read-only; its tracking schema is "ops" (migrations_schema).
sql vendure >/dev/null <<'EOF'
CREATE SCHEMA sale;
CREATE TABLE sale.orders (id integer PRIMARY KEY, total numeric(12,2));
CREATE SCHEMA ops;
CREATE TABLE ops.migrations_log (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);
EOF
# directus: three schemas, only two of them included by the filter.
sql directus >/dev/null <<'EOF'
CREATE SCHEMA reports;
CREATE SCHEMA staging;
CREATE TABLE public.files (id integer);
CREATE TABLE reports.daily (day date);
CREATE TABLE staging.raw (payload jsonb);
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);
EOF

mkdir -p "$T_TMP/state" "$T_TMP/drizzle"
cat >"$T_TMP/nexus.json" <<EOF
{
  "databases": {
    "zeta_scheduler": { "conninfo": "postgresql://postgres@/scheduler?host=$PGHOST&port=$PGPORT",
                        "migrations_dir": "$T_TMP/drizzle",
                        "connect_timeout": 5 },
    "alpha_vendure":  { "conninfo": "host=$PGHOST port=$PGPORT dbname=vendure",
                        "read_only": true,
                        "migrations_schema": "ops",
                        "migrations_table": "migrations_log" },
    "Mid Directus":   { "conninfo": "dbname=directus", "schemas": ["reports", "public"],
                        "read_only": false }
  },
  "state_dir": "$T_TMP/state",
  "ttl": 1
}
EOF

MNT=$T_TMP/mnt
mount_fs "$MNT" -o "config=$T_TMP/nexus.json" || { not_ok "mount with a 3-database config"; done_testing; }

eq "one top-level directory per key, sorted in C order" \
	"$(printf '%s\n' 'Mid Directus' alpha_vendure zeta_scheduler)" "$(ls -U -A "$MNT")"
for k in zeta_scheduler alpha_vendure "Mid Directus"; do
	eq "$k: the database directory" "$(printf '%s\n' casts event_triggers extensions foreign_data migrations publications schema.sql schemas)" "$(ls -U -A "$MNT/$k")"
done

eq "scheduler: every schema but drizzle" "$(printf '%s\n' auth credits public)" \
	"$(ls -U -A "$MNT/zeta_scheduler/schemas")"
check "scheduler: tables are there" test -f "$MNT/zeta_scheduler/schemas/credits/tables/ledger/columns/amount"
eq "scheduler: column content" "integer NOT NULL" "$(cat "$MNT/zeta_scheduler/schemas/credits/tables/ledger/columns/amount")"
eq "scheduler: no drizzle anywhere in the tree" "" "$(find "$MNT/zeta_scheduler" -name 'drizzle' -o -name '__drizzle_migrations')"
check_fails "scheduler: no drizzle schema in schema.sql" grep -q '__drizzle_migrations' "$MNT/zeta_scheduler/schema.sql"

eq "vendure: migrations_schema ops is the tracking schema, left out" "$(printf '%s\n' public sale)" \
	"$(ls -U -A "$MNT/alpha_vendure/schemas")"
eq "vendure (read_only): mounted and readable" "numeric(12,2)" \
	"$(cat "$MNT/alpha_vendure/schemas/sale/tables/orders/columns/total")"
eq "vendure (read_only): writes give EROFS" "Read-only file system" \
	"$(errno_of bash -c 'echo "text" >"$1"' _ "$MNT/alpha_vendure/schemas/sale/tables/orders/columns/note")"
eq "vendure (read_only): mkdir gives EROFS" "Read-only file system" \
	"$(errno_of mkdir "$MNT/alpha_vendure/schemas/sale/tables/newtable")"

eq "directus: only the schemas in the filter" "$(printf '%s\n' public reports)" \
	"$(ls -U -A "$MNT/Mid Directus/schemas")"
eq "directus: staging is not reachable" "No such file or directory" "$(errno_of ls "$MNT/Mid Directus/schemas/staging")"
check_fails "directus: staging's table is not in schema.sql" grep -q 'staging' "$MNT/Mid Directus/schema.sql"
check "directus: schema.sql has the included tables" grep -q 'daily' "$MNT/Mid Directus/schema.sql"

# The config's ttl applies: DDL in one database shows up, the others stay.
sql scheduler -c "CREATE TABLE auth.sessions (id uuid)"
check "config ttl: new table seen within 5 s" poll 5 test -d "$MNT/zeta_scheduler/schemas/auth/tables/sessions"
sql directus -c "CREATE TABLE staging.more (x integer); CREATE TABLE reports.weekly (w integer)"
check "directus: new table in an included schema seen" poll 5 test -d "$MNT/Mid Directus/schemas/reports/tables/weekly"
eq "directus: still only the schemas in the filter" "$(printf '%s\n' public reports)" \
	"$(ls -U -A "$MNT/Mid Directus/schemas")"

umount_fs "$MNT"

# A single -o conninfo mount is named after the database (PQdb), even when
# the conninfo does not spell dbname out.
M2=$T_TMP/m2
PGDATABASE=vendure mount_fs "$M2" -o "conninfo=host=$PGHOST" || { not_ok "mount with dbname from PGDATABASE"; done_testing; }
eq "-o conninfo: the directory is named after PQdb" "vendure" "$(ls -U -A "$M2")"
umount_fs "$M2"

done_testing
