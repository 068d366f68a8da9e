#!/usr/bin/env bash
# 45_roundtrip: a database's schema.sql round-trips. Loaded into an empty
# database it gives a schema that pg_dump --schema-only shows identical to
# the original's (DESIGN.md, "The tree").
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" >/dev/null
sql src -f "$T_ROOT/tests/sql/tricky.sql" >/dev/null || { echo "not ok - loading tricky.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src || { not_ok "mount"; done_testing; }

cp "$MNT/src/schema.sql" "$T_TMP/schema.sql"
check "schema.sql is not empty" test -s "$T_TMP/schema.sql"
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
pg_dump --schema-only -d src >"$T_TMP/src.dump"
pg_dump --schema-only -d dst >"$T_TMP/dst.dump"
check "pg_dump --schema-only of the copy is identical to the original's" \
	diff "$T_TMP/src.dump" "$T_TMP/dst.dump"

umount_fs "$MNT"
done_testing
