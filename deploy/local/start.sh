#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs the whole platform on this machine (see README).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ensure-deps.sh
bash scripts/build.sh
exec node dist/deploy/local/launch.js
