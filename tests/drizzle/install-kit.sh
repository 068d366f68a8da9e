#!/usr/bin/env bash
# tests/drizzle/install-kit.sh: installs the real drizzle-kit 0.x CLI with the
# drizzle-orm it pairs with (and pg, for migrate.mjs) into a cache folder of
# its own, once, and prints the node_modules directory to use as NODE_PATH;
# the CLI is $NODE_PATH/.bin/drizzle-kit. Versions are pinned (0.31.11: the
# newest 0.x when this was written). See tests/npm-install.sh for the cache.
exec "$(dirname "$0")/../npm-install.sh" drizzlekit drizzle-orm@0.45.4 drizzle-kit@0.31.11 pg@8.23.1
