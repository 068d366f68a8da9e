#!/usr/bin/env bash
# tests/drizzle/install.sh: installs the real Drizzle client (drizzle-orm and
# pg from the npm registry) for tests/drizzle/migrate.mjs into a cache
# folder, once, and prints the node_modules directory to use as NODE_PATH.
#
#   NODE_PATH=$(tests/drizzle/install.sh) node tests/drizzle/migrate.mjs DIR
#
# Cache: $SCHEMAFS_NPM_CACHE-drizzle, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/schemafs/npm-drizzle (its own folder: an
# npm install --no-save elsewhere would prune these). Versions are pinned.
set -euo pipefail
DRIZZLE_VERSION=0.45.4
PG_VERSION=8.23.1
dir=${SCHEMAFS_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schemafs/npm}-drizzle
stamp="$dir/.installed-drizzle-orm@$DRIZZLE_VERSION-pg@$PG_VERSION"

command -v node >/dev/null || { echo "install.sh: node not found (scripts/deps installs nodejs)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: npm not found (scripts/deps installs npm)" >&2; exit 1; }

if [ ! -f "$stamp" ] || [ ! -f "$dir/node_modules/drizzle-orm/package.json" ]; then
	mkdir -p "$dir"
	exec 9>"$dir/.lock"
	flock 9
	if [ ! -f "$stamp" ]; then
		rm -f "$dir"/.installed-*
		[ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
		log=$(mktemp)
		if ! (cd "$dir" && npm install --no-audit --no-fund --no-save --prefer-offline --loglevel=error \
			--cache "$dir/.npm-cache" "drizzle-orm@$DRIZZLE_VERSION" "pg@$PG_VERSION") >"$log" 2>&1; then
			echo "install.sh: npm install of drizzle-orm@$DRIZZLE_VERSION pg@$PG_VERSION into $dir failed:" >&2
			cat "$log" >&2
			rm -f "$log"
			exit 1
		fi
		rm -f "$log"
		touch "$stamp"
	fi
fi
echo "$dir/node_modules"
