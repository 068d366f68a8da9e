#!/usr/bin/env bash
# 67_drizzle_kit_after: the real drizzle-kit CLI (0.x and 1.0 rc, from npm:
# tests/drizzle/install-kit.sh, install-kit1.sh) after schemafs applied
# migrations into its folder. schemafs writes drizzle-kit's snapshot of
# each, so that: drizzle-kit check passes; drizzle-kit generate with
# schema.ts updated to the same change writes nothing (no duplicate); with
# schema.ts not updated it writes the migration that reverts the change
# (schema.ts is drizzle-kit's source of truth). A change schemafs does not
# model (an index) gets no snapshot: check and status name the entry and
# the commands, and following them gives no duplicate either.
. "$(dirname "$0")/../lib.sh"

K0=$("$T_ROOT/tests/drizzle/install-kit.sh") || { not_ok "npm install of drizzle-kit 0.x"; done_testing; }
K1=$("$T_ROOT/tests/drizzle/install-kit1.sh") || { not_ok "npm install of drizzle-kit 1.0"; done_testing; }
ok "drizzle-kit 0.x and 1.0 installed"

pg_start
for v in 0 1; do
	sql postgres -c "CREATE DATABASE app$v" >/dev/null
	mkdir -p "$T_TMP/w$v/mig"
done
cat >"$T_TMP/cfg.json" <<EOF2
{ "databases": { "app0": { "conninfo": "dbname=app0", "migrations_dir": "$T_TMP/w0/mig" },
                 "app1": { "conninfo": "dbname=app1", "migrations_dir": "$T_TMP/w1/mig" } }, "ttl": 1 }
EOF2

# schema V [COLUMNS [EXTRA]]: schema.ts of workspace V, table booking with
# these columns (drizzle pg-core builders) after id, and EXTRA config.
schema() {
	cat >"$T_TMP/w$1/schema.ts" <<EOF2
import { index, pgTable, integer, text, varchar } from 'drizzle-orm/pg-core';
export const booking = pgTable('booking', { id: integer().primaryKey()${2:-} }${3:-});
EOF2
}
# kit V ARGS...: drizzle-kit of version V, in its workspace.
kit() {
	local v=$1; shift
	local nm; [ "$v" = 0 ] && nm=$K0 || nm=$K1
	(cd "$T_TMP/w$v" && NODE_PATH=$nm "$nm/.bin/drizzle-kit" "$@" --dialect postgresql) >"$T_TMP/kit.out" 2>&1
	local rc=$?
	cat "$T_TMP/kit.out" >>"$T_TMP/kit.log"
	return $rc
}
generate() { local v=$1; shift; kit "$v" generate --schema ./schema.ts "$@"; }
generate_to() { local v=$1 out=$2; shift 2; kit "$v" generate --schema ./schema.ts --out "$out" "$@"; }
kit_check() { kit "$1" check --out ./mig && grep -q "Everything's fine" "$T_TMP/kit.out" || { cat "$T_TMP/kit.out"; return 1; }; }
nothing_to_generate() {
	local before; before=$(files "$1")
	generate "$1" --out ./mig || { cat "$T_TMP/kit.out"; return 1; }
	grep -q 'No schema changes, nothing to migrate' "$T_TMP/kit.out" || { cat "$T_TMP/kit.out"; return 1; }
	[ "$before" == "$(files "$1")" ] || { echo "the folder changed:"; diff <(echo "$before") <(files "$1"); return 1; }
}
files() { (cd "$T_TMP/w$1/mig" && find . -type f | sort); }
migrate() {
	local v=$1 nm; [ "$v" = 0 ] && nm=$K0 || nm=$K1
	local js=migrate.mjs; [ "$v" = 1 ] && js=migrate1.mjs
	PGDATABASE=app$v NODE_PATH=$nm node "$T_ROOT/tests/drizzle/$js" "$T_TMP/w$v/mig" >"$T_TMP/migrate.out" 2>&1 ||
		{ cat "$T_TMP/migrate.out"; return 1; }
}
rows() { val "app$1" "SELECT count(*) FROM drizzle.__drizzle_migrations"; }
# The snapshot file of the newest entry (0.x by journal number, 1.0 folder).
newest_snapshot() {
	if [ "$1" = 0 ]; then ls "$T_TMP/w0/mig/meta/"*_snapshot.json | tail -n 1
	else ls -d "$T_TMP/w1/mig/"*/ | tail -n 1 | sed 's|/$|/snapshot.json|'; fi
}
json() { node -e "const s=JSON.parse(require('fs').readFileSync(process.argv[1]));console.log($2)" "$1"; }

for v in 0 1; do
	schema $v
	check "[$v] drizzle-kit generate writes the first migration" generate $v --out ./mig --name init
	check "[$v] drizzle migrate applies it" migrate $v
done
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }

for v in 0 1; do
	M=$MNT/app$v/migrations
	B=$MNT/app$v/schemas/public/tables/booking
	first=$(newest_snapshot $v)
	# (1) a staged ADD COLUMN through the tree.
	check "[$v] the booking table is in the tree" poll 30 test -d "$B"
	echo 'text' >"$B/columns/a"
	check "[$v] the staged change is pending" poll 30 sh -c "ls '$M/pending' | grep -q booking_add_a"
	check "[$v] schemafs applies it into the folder" mv "$M/pending/$(ls "$M/pending" | grep booking_add_a)" "$M/apply/"
	snap=$(newest_snapshot $v)
	check "[$v] with drizzle-kit's snapshot ($(basename "$(dirname "$snap")")/$(basename "$snap"))" test -f "$snap" -a "$snap" != "$first"
	if [ $v = 0 ]; then
		eq "[$v] chained: prevId = the previous snapshot's id" "$(json "$first" s.id)" "$(json "$snap" s.prevId)"
		eq "[$v] column a as drizzle-kit writes it" '{"name":"a","type":"text","primaryKey":false,"notNull":false}' \
			"$(json "$snap" "JSON.stringify(s.tables['public.booking'].columns.a)")"
	else
		eq "[$v] chained: prevIds = [the previous snapshot's id]" "$(json "$first" s.id)" "$(json "$snap" "s.prevIds.join()")"
	fi
	check "[$v] drizzle-kit check passes" kit_check $v
	# schema.ts not updated: drizzle-kit reverts the column (on a copy).
	rm -rf "$T_TMP/copy" && cp -a "$T_TMP/w$v/mig" "$T_TMP/copy"
	check "[$v] schema.ts not updated: generate writes a migration" generate_to $v ../copy --name revert
	eq "[$v] that reverts the change (schema.ts is drizzle-kit's truth)" 'ALTER TABLE "booking" DROP COLUMN "a";' \
		"$(cat "$T_TMP/copy/"*revert*.sql "$T_TMP/copy/"*revert*/migration.sql 2>/dev/null)"
	schema $v ", a: text()"
	check "[$v] schema.ts updated: generate writes nothing (same files)" nothing_to_generate $v
	before=$(rows $v)
	check "[$v] drizzle migrate runs nothing" migrate $v
	eq "[$v] same tracking rows" "$before" "$(rows $v)"

	# (2) a hand-written file: NOT NULL, defaults, a varchar.
	printf 'ALTER TABLE booking ADD COLUMN b integer NOT NULL DEFAULT 5, ADD COLUMN c varchar(20) DEFAULT %s,\n  ALTER COLUMN a SET NOT NULL;\n' "'x'" >"$T_TMP/more.sql"
	check "[$v] schemafs applies a hand-written file (cp)" cp "$T_TMP/more.sql" "$M/apply/0002_more.sql"
	check "[$v] drizzle-kit check passes" kit_check $v
	cols=", a: text().notNull(), b: integer().notNull().default(5), c: varchar({ length: 20 }).default('x')"
	schema $v "$cols"
	check "[$v] schema.ts updated: generate writes nothing" nothing_to_generate $v
	check "[$v] migrations/check is empty" poll 30 test ! -s "$M/check"

	# (3) an index: not modelled, no snapshot; check and status say what to run.
	printf 'CREATE INDEX booking_b ON booking (b);\n' >"$T_TMP/idx.sql"
	check "[$v] schemafs applies an index file" cp "$T_TMP/idx.sql" "$M/apply/0003_idx.sql"
	idx=$(cd "$T_TMP/w$v/mig" && ls | grep -v meta | grep idx | sed 's/\.sql$//')
	if [ $v = 0 ]; then nosnap=$T_TMP/w0/mig/meta/0003_snapshot.json; else nosnap=$T_TMP/w1/mig/$idx/snapshot.json; fi
	check "[$v] no snapshot for $idx" test -n "$idx" -a ! -e "$nosnap"
	check "[$v] migrations/check names $idx and the commands" poll 30 grep -q "^$idx: no .*snapshot.*drizzle-kit generate --name schemafs_snapshot" "$M/check"
	check "[$v] so does status" grep -q "drizzle-kit snapshots missing" "$M/status"
	# The advice is read before following it: once the generated folder is
	# there, the newest entry has a snapshot and check no longer names $idx.
	cmd=$(grep "^$idx: " "$M/check" | sed 's/.*as [^ ]*: //')
	check "[$v] the advice has a command" test -n "$cmd"
	schema $v "$cols" ", (t) => [index('booking_b').on(t.b)]"
	check "[$v] following it: generate --name schemafs_snapshot" generate $v --out ./mig --name schemafs_snapshot
	if [ $v = 0 ]; then
		mv_cmd=$(echo "$cmd" | sed 's/, rm .*//')
		rm_file=$(echo "$cmd" | sed 's/.*, rm \([^ ]*\) and .*/\1/')
		check "[$v] mv its snapshot ($mv_cmd)" sh -c "$mv_cmd"
		check "[$v] rm its file" rm "$rm_file"
		check "[$v] and its journal entry" node -e "const f='$T_TMP/w0/mig/meta/_journal.json',fs=require('fs'),j=JSON.parse(fs.readFileSync(f));j.entries.pop();fs.writeFileSync(f,JSON.stringify(j,null,2))"
	else
		check "[$v] mv its snapshot ($cmd)" sh -c "$cmd"
	fi
	check "[$v] drizzle-kit check passes" kit_check $v
	check "[$v] generate writes nothing" nothing_to_generate $v
	check "[$v] migrations/check is empty again" poll 30 test ! -s "$M/check"
	before=$(rows $v)
	check "[$v] drizzle migrate runs nothing" migrate $v
	eq "[$v] same tracking rows" "$before" "$(rows $v)"
done

done_testing
