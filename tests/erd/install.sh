#!/usr/bin/env bash
# tests/erd/install.sh: installs the real Mermaid parser (mermaid, with jsdom
# as its DOM) for tests/erd/validate.mjs into a cache folder, once, and prints
# the node_modules directory to use as NODE_PATH.
#
#   NODE_PATH=$(tests/erd/install.sh) node tests/erd/validate.mjs erd.md
#
# Cache: $SCHEMAFS_NPM_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/schemafs/npm.
# Versions are pinned (mermaid 11 is what GitHub-style renderers speak; jsdom
# 26 still runs on node 18/20). Reruns with the same pins do not touch the
# network. Quiet on success; on failure npm's log goes to stderr and the exit
# status is non-zero.
set -euo pipefail
MERMAID_VERSION=11.17.2
JSDOM_VERSION=26.1.0
dir=${SCHEMAFS_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schemafs/npm}
stamp="$dir/.installed-mermaid@$MERMAID_VERSION-jsdom@$JSDOM_VERSION"

command -v node >/dev/null || { echo "install.sh: node not found (scripts/deps installs nodejs)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: npm not found (scripts/deps installs npm)" >&2; exit 1; }

if [ ! -f "$stamp" ] || [ ! -f "$dir/node_modules/mermaid/package.json" ] ||
	[ ! -f "$dir/node_modules/jsdom/package.json" ]; then
	mkdir -p "$dir"
	# Only one installer at a time (parallel test runs share the cache).
	exec 9>"$dir/.lock"
	flock 9
	if [ ! -f "$stamp" ]; then
		rm -f "$dir"/.installed-*
		[ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
		log=$(mktemp)
		if ! (cd "$dir" && npm install --no-audit --no-fund --no-save --prefer-offline --loglevel=error \
			--cache "$dir/.npm-cache" "mermaid@$MERMAID_VERSION" "jsdom@$JSDOM_VERSION") >"$log" 2>&1; then
			echo "install.sh: npm install of mermaid@$MERMAID_VERSION jsdom@$JSDOM_VERSION into $dir failed:" >&2
			cat "$log" >&2
			rm -f "$log"
			exit 1
		fi
		rm -f "$log"
		touch "$stamp"
	fi
	exec 9>&-
fi
echo "$dir/node_modules"
