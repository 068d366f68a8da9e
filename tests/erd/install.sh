#!/usr/bin/env bash
# tests/erd/install.sh: installs the real Mermaid parser (mermaid, with jsdom
# as its DOM) for tests/erd/validate.mjs into a cache folder, once, and prints
# the node_modules directory to use as NODE_PATH.
#
#   NODE_PATH=$(tests/erd/install.sh) node tests/erd/validate.mjs erd.md
#
# Versions are pinned (mermaid 11 is what GitHub-style renderers speak; jsdom
# 26 still runs on node 18/20). See tests/npm-install.sh for the cache.
exec "$(dirname "$0")/../npm-install.sh" "" mermaid@11.17.2 jsdom@26.1.0
