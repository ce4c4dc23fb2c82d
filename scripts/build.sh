#!/usr/bin/env bash
# Compiles apps, libs and the local launcher to dist/ (ES modules), then rewrites @symbolon/* imports to relative paths.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
npx tsc-alias -p tsconfig.build.json
