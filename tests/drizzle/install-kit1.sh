#!/usr/bin/env bash
# tests/drizzle/install-kit1.sh: the same for drizzle-kit 1.0 (a release
# candidate, with the drizzle-orm release candidate it requires), into a
# cache folder of its own. See tests/npm-install.sh for the cache.
exec "$(dirname "$0")/../npm-install.sh" drizzlekit1 drizzle-orm@1.0.0-rc.5 drizzle-kit@1.0.0-rc.5 pg@8.23.1
