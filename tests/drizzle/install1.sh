#!/usr/bin/env bash
# tests/drizzle/install1.sh: installs the real Drizzle 1.0 client (a
# drizzle-orm 1.0 release candidate and pg from the npm registry) for
# tests/drizzle/migrate1.mjs into a cache folder of its own, once, and prints
# the node_modules directory to use as NODE_PATH (as install.sh does for 0.x).
#
# Versions are pinned (1.0.0-rc.5: the newest release candidate when this
# was written). See tests/npm-install.sh for the cache.
exec "$(dirname "$0")/../npm-install.sh" drizzle1 drizzle-orm@1.0.0-rc.5 pg@8.23.1
