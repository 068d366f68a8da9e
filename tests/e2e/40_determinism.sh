#!/usr/bin/env bash
# 40_determinism: the same schema always gives a byte-identical tree. Two
# databases built from the same SQL with objects created in different orders
# (so different OIDs and catalog order), two mounts of one database, and a
# remount compared with a cp -r copy: diff -r shows nothing.
. "$(dirname "$0")/../lib.sh"

pg_start

# Objects independent of each other, one statement a line: run in order for
# one database, reversed (tac) for the other.
cat >"$T_TMP/block1.sql" <<'EOF'
CREATE SCHEMA ord_b;
CREATE SCHEMA ord_a;
CREATE TABLE public.ord_zeta (id integer PRIMARY KEY, alpha_id integer, v text DEFAULT 'z');
CREATE TABLE public.ord_alpha (id integer PRIMARY KEY, zeta_id integer, n numeric(8,3));
CREATE TABLE public.ord_mid (a integer, b integer, c integer, UNIQUE (a, b));
CREATE FUNCTION public.ord_f(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION public.ord_f(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION public.ord_f(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE TYPE public.ord_e AS ENUM ('x', 'y', 'z');
CREATE TYPE public.ord_c AS (p integer, q text);
CREATE DOMAIN public.ord_d AS text CHECK (VALUE <> '');
CREATE SEQUENCE public.ord_s START 7;
CREATE VIEW public.ord_v1 AS SELECT 1 AS one;
CREATE VIEW public.ord_v2 AS SELECT 2 AS two;
CREATE MATERIALIZED VIEW public.ord_mv AS SELECT 3 AS three WITH NO DATA;
EOF
# Objects that depend only on block 1, independent of each other.
cat >"$T_TMP/block2.sql" <<'EOF'
CREATE TABLE ord_a.t (k integer PRIMARY KEY, e public.ord_e, c public.ord_c, d public.ord_d);
CREATE TABLE ord_b.t (k integer PRIMARY KEY, s bigint DEFAULT nextval('public.ord_s'));
ALTER TABLE public.ord_zeta ADD CONSTRAINT ord_zeta_alpha_fk FOREIGN KEY (alpha_id) REFERENCES public.ord_alpha (id);
ALTER TABLE public.ord_alpha ADD CONSTRAINT ord_alpha_zeta_fk FOREIGN KEY (zeta_id) REFERENCES public.ord_zeta (id);
ALTER TABLE public.ord_mid ADD CONSTRAINT ord_mid_c_check CHECK (c > 0);
ALTER TABLE public.ord_mid ADD CONSTRAINT ord_mid_b_check CHECK (b > 0);
CREATE INDEX ord_mid_c ON public.ord_mid (c);
CREATE INDEX ord_mid_b ON public.ord_mid (b DESC);
CREATE INDEX ord_zeta_v ON public.ord_zeta (v);
CREATE VIEW public.ord_v3 AS SELECT one FROM public.ord_v1;
CREATE VIEW public.ord_v0 AS SELECT two FROM public.ord_v2;
COMMENT ON TABLE public.ord_mid IS 'middle';
COMMENT ON TABLE public.ord_zeta IS 'last';
EOF

sql postgres -c "CREATE DATABASE deta" -c "CREATE DATABASE detb" >/dev/null
# deta: tricky.sql, then the blocks in order.
sql deta -f "$T_ROOT/tests/sql/tricky.sql" -f "$T_TMP/block1.sql" -f "$T_TMP/block2.sql" >/dev/null ||
	{ echo "not ok - building deta"; exit 1; }
# detb: burn OIDs first, then the blocks reversed, then tricky.sql.
sql detb >/dev/null <<'EOF' || { echo "not ok - burning OIDs in detb"; exit 1; }
DO $$ BEGIN
	FOR i IN 1..50 LOOP
		EXECUTE format('CREATE TABLE public.burn%s (x integer PRIMARY KEY)', i);
		EXECUTE format('DROP TABLE public.burn%s', i);
	END LOOP;
END $$;
EOF
sql detb -f <(tac "$T_TMP/block1.sql") -f <(tac "$T_TMP/block2.sql") \
	-f "$T_ROOT/tests/sql/tricky.sql" >/dev/null || { echo "not ok - building detb"; exit 1; }
check "the two databases really differ in OIDs" \
	test "$(val deta "SELECT 'public.ord_zeta'::regclass::oid")" != "$(val detb "SELECT 'public.ord_zeta'::regclass::oid")"

# Both under the same top-level name "db", so whole mounts can be compared.
for d in deta detb; do
	printf '{ "databases": { "db": { "conninfo": "dbname=%s" } }, "ttl": 1 }\n' "$d" >"$T_TMP/$d.json"
done
MA=$T_TMP/ma
MB=$T_TMP/mb
mount_fs "$MA" -o "config=$T_TMP/deta.json" || { not_ok "mount deta"; done_testing; }
mount_fs "$MB" -o "config=$T_TMP/detb.json" || { not_ok "mount detb"; done_testing; }

nf=$(find "$MA" -type f | wc -l)
check "the tree is not trivial ($nf files)" test "$nf" -gt 150
eq "both trees have the same file list" "$(cd "$MA" && find . | LC_ALL=C sort)" "$(cd "$MB" && find . | LC_ALL=C sort)"
# migrations/status is a live report (it may name the database): left out here.
check "diff -r of two databases built in different orders is empty" \
	diff -r -x status "$MA" "$MB"
check "their schema.sql files are byte-identical" cmp "$MA/db/schema.sql" "$MB/db/schema.sql"

# Two mounts of the same database at once.
M1=$T_TMP/m1
M2=$T_TMP/m2
mount_fs "$M1" -o conninfo=dbname=deta || { not_ok "first mount of deta"; done_testing; }
mount_fs "$M2" -o conninfo=dbname=deta || { not_ok "second mount of deta"; done_testing; }
check "diff -r of two mounts of one database is empty" diff -r "$M1" "$M2"

# Unmount and remount: byte-identical to a cp -r copy made before.
cp -r "$M1" "$T_TMP/copy" 2>"$T_TMP/cp.err"
eq "cp -r of the mount succeeds without errors" "" "$(cat "$T_TMP/cp.err")"
eq "the copy has every file" "$(cd "$M1" && find . | LC_ALL=C sort)" "$(cd "$T_TMP/copy" && find . | LC_ALL=C sort)"
umount_fs "$M1"
mount_fs "$M1" -o conninfo=dbname=deta || { not_ok "remount of deta"; done_testing; }
check "diff -r of the remounted tree and the copy is empty" diff -r "$T_TMP/copy" "$M1"

# Control: diff -r does see a change, so the empty diffs above mean something.
sql detb -c "ALTER TABLE public.ord_mid ADD COLUMN extra text"
check "a column added to detb shows up" poll 5 test -f "$MB/db/schemas/public/tables/ord_mid/columns/extra"
diff -r -x status "$MA" "$MB" >"$T_TMP/diff.out" 2>&1
check "now diff -r reports the new column" grep -q "Only in $MB/db/schemas/public/tables/ord_mid/columns: extra" "$T_TMP/diff.out"

umount_fs "$M1"
umount_fs "$M2"
umount_fs "$MA"
umount_fs "$MB"
done_testing
