#!/usr/bin/env bash
# tests/typeorm/install.sh: installs the real TypeORM (typeorm and its
# PostgreSQL driver pg from the npm registry) for tests/typeorm/migrate.cjs
# into a cache folder, once, and prints the node_modules directory to use
# as NODE_PATH.
#
#   NODE_PATH=$(tests/typeorm/install.sh) node tests/typeorm/migrate.cjs LIST
#
# Versions are pinned. See tests/npm-install.sh for the cache.
exec "$(dirname "$0")/../npm-install.sh" typeorm typeorm@1.1.3 pg@8.23.1
