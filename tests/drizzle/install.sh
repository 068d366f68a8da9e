#!/usr/bin/env bash
# tests/drizzle/install.sh: installs the real Drizzle client (drizzle-orm and
# pg from the npm registry) for tests/drizzle/migrate.mjs into a cache
# folder, once, and prints the node_modules directory to use as NODE_PATH.
#
#   NODE_PATH=$(tests/drizzle/install.sh) node tests/drizzle/migrate.mjs DIR
#
# Versions are pinned. See tests/npm-install.sh for the cache.
exec "$(dirname "$0")/../npm-install.sh" drizzle drizzle-orm@0.45.4 pg@8.23.1
