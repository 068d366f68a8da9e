#!/usr/bin/env bash
# tests/npm-install.sh NAME PACKAGE@VERSION...: installs pinned npm packages
# into a cache folder of their own, once, and prints its node_modules
# directory (for NODE_PATH). Used by the tests that drive real JavaScript
# clients (tests/erd, tests/drizzle).
#
# Cache: ${SCHEMAFS_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schemafs/npm}[-NAME]
# (a folder per NAME: an npm install --no-save prunes what it was not asked
# for). Reruns with the same pins do not touch the network. Quiet on success;
# on failure npm's log goes to stderr and the exit status is non-zero.
set -euo pipefail
name=$1; shift
base=${SCHEMAFS_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schemafs/npm}
dir=$base${name:+-$name}
stamp="$dir/.installed-$(printf '%s-' "$@" | tr '/' '_')"

command -v node >/dev/null || { echo "npm-install.sh: node not found (scripts/deps installs nodejs)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm-install.sh: npm not found (scripts/deps installs npm)" >&2; exit 1; }

installed() {
	[ -f "$stamp" ] || return 1
	local p
	for p in "$@"; do [ -f "$dir/node_modules/${p%@*}/package.json" ] || return 1; done
}

if ! installed "$@"; then
	mkdir -p "$dir"
	# Only one installer at a time (parallel test runs share the cache).
	exec 9>"$dir/.lock"
	flock 9
	if ! installed "$@"; then
		rm -f "$dir"/.installed-*
		[ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
		log=$(mktemp)
		if ! (cd "$dir" && npm install --no-audit --no-fund --no-save --prefer-offline --loglevel=error \
			--cache "$dir/.npm-cache" "$@") >"$log" 2>&1; then
			echo "npm-install.sh: npm install of $* into $dir failed:" >&2
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
