#!/usr/bin/env bash
# Compiles apps, libs, the local launcher and the benchmark to dist/ (ES modules), then rewrites @symbolon/* imports
# to relative paths. The alias step runs even when tsc reports errors, so dist/ is never left half-rewritten; the
# script still fails on any type error.
set -uo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
status=$?
npx tsc-alias -p tsconfig.build.json || exit 1
[ ! -d web ] || node scripts/build-web.mjs || exit 1 # the browser page served at /app/ (web/README.md)
exit $status
